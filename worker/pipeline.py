"""The chain from an item to one recorded decision: extract, fingerprint, dedup, store.

Plain Python on purpose: the CLI, the Celery tasks and the tests all call this module, so a behaviour
exists in exactly one place. Every item ends in exactly one ``Decision`` (stored, new version, duplicate,
unchanged or rejected), and every write is keyed by what the item is, so replaying a message changes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from config.settings import DEFAULT_DEDUP_THRESHOLD, Settings
from scrapers.article import Article
from scrapers.errors import ErrorKind, IngestError
from scrapers.urls import try_canonicalize
from worker import logs, metrics
from worker.dedup import DedupIndex, Match
from worker.dedup_join import join_index
from worker.fingerprint import Signature, content_hash, signature
from worker.items import parse_item
from worker.models import (
    ArticleRecord,
    ArticleVersion,
    DuplicateRecord,
    IngestErrorRecord,
    Story,
    StoryEvent,
    article_values,
    utcnow,
)
from worker.relation import Relation, StoryJudge, judge
from worker.store import SchemaMissing, StorageUnavailable, Store, is_unreachable

log = logging.getLogger(__name__)

Extractor = Callable[[str | bytes, str | None], Article]


class Outcome(StrEnum):
    STORED = "stored"
    NEW_VERSION = "new_version"
    DUPLICATE = "duplicate"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


class Rule(StrEnum):
    """Which check decided; exported with every duplicate so each drop can be audited."""

    SAME_URL = "same_url"
    KNOWN_DUPLICATE = "known_duplicate"
    EXACT_TEXT = "exact_text"
    NEAR_DUPLICATE = "near_duplicate"
    CONTAINED = "contained"  # a trimmed copy, inside the story's text
    SUPERSEDED = "superseded"  # a former representative, replaced by a fuller copy of its story


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    url: str | None
    article_id: int | None = None
    version: int | None = None
    duplicate_of: int | None = None
    similarity: float | None = None
    rule: str | None = None
    error_kind: ErrorKind | None = None
    message: str | None = None
    story_id: int | None = None

    def describe(self) -> str:
        """One human line per item, as `wirefeed ingest` prints it."""
        match self.outcome:
            case Outcome.STORED:
                return f"stored #{self.article_id}"
            case Outcome.NEW_VERSION:
                return f"new version {self.version} of #{self.article_id}"
            case Outcome.DUPLICATE:
                return f"duplicate of #{self.duplicate_of} ({self.similarity:.2f}, {self.rule})"
            case Outcome.UNCHANGED:
                target = self.article_id or self.duplicate_of
                return f"unchanged (#{target}, {self.rule})"
            case _:
                kind = self.error_kind.value if self.error_kind else "error"
                return f"rejected: {kind}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "url": self.url,
            "article_id": self.article_id,
            "version": self.version,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
            "rule": self.rule,
            "error_kind": self.error_kind.value if self.error_kind else None,
            "message": self.message,
            "story_id": self.story_id,
        }


@dataclass(slots=True)
class _IndexChange:
    """What the index must do once the item's transaction is over."""

    inserted: bool = False  # check_and_insert added the key: undo if the transaction fails
    insert_after_commit: bool = False  # a new version or a near-duplicate: index its fingerprint too


@dataclass(slots=True)
class _Batch:
    """What a batch learned up front: which of its keys and text hashes the store did not hold.

    A lookup of a key in these sets is answered "absent" without a query; every key or hash a decided
    item wrote is dropped from them, so a later copy in the same batch is looked up for real and found.
    """

    session: Session
    absent_urls: set[str]
    absent_duplicate_urls: set[str]
    absent_hashes: set[str]
    touched: set[str]  # index keys this batch changed, re-read from the store if the batch rolls back
    decisions: list[Decision] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)  # new stories not yet written, in order
    pending_at: list[int] = field(default_factory=list)  # the decision each pending row completes

    def written(self, *keys: str) -> None:
        for key in keys:
            self.absent_urls.discard(key)
            self.absent_duplicate_urls.discard(key)
            self.absent_hashes.discard(key)


@dataclass(slots=True)
class _Prepared:
    """An item parsed and fingerprinted, ready to be decided; or the error that rejects it."""

    url: str | None
    source: str | None
    article: Article | None = None
    key: str = ""
    chash: str = ""
    sig: Signature | None = None
    stage: str = "validate"
    error: IngestError | None = None
    context: dict[str, Any] = field(default_factory=dict)  # a pushed item's line, id and copy


class _PendingMatch(Exception):
    """The index names an article whose row is not visible yet (another worker has not committed)."""


# Statements compiled once: parameters are passed at execution, so SQLAlchemy's cache serves every item.
_NEW_STORY = insert(Story.__table__).returning(Story.__table__.c.id)
_NEW_ARTICLE = insert(ArticleRecord.__table__).returning(ArticleRecord.__table__.c.id)
_NEW_STORIES = insert(Story.__table__).returning(Story.__table__.c.id, sort_by_parameter_order=True)
_NEW_ARTICLES = insert(ArticleRecord.__table__).returning(
    ArticleRecord.__table__.c.id, sort_by_parameter_order=True
)
_REPRESENTATIVES = (
    update(Story.__table__)
    .where(Story.__table__.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        representative_id=select(ArticleRecord.__table__.c.id)
        .where(ArticleRecord.__table__.c.story_id == Story.__table__.c.id)
        .scalar_subquery()
    )
)
_REPRESENTATIVE = (
    update(Story.__table__)
    .where(Story.__table__.c.id == bindparam("story"))
    .values(representative_id=bindparam("article"))
)


def _offset_minutes(value: datetime | None) -> int | None:
    if value is None or value.utcoffset() is None:
        return None
    return int(value.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]


def with_offset(value: datetime | None, minutes: int | None) -> datetime | None:
    """Give a stored UTC instant back its page's own offset, for exports."""
    if value is None:
        return None
    if minutes is None:
        return value
    return value.astimezone(timezone(timedelta(minutes=minutes)))


def article_key(article: Article) -> str | None:
    """The identity a story is stored under: its canonical URL, canonicalised.

    A page's ``rel=canonical`` is trusted only on the host it was fetched from: syndicated copies often
    point theirs at the original, and taking that claim would turn a trimmed copy into a "new version"
    that overwrites the original's text instead of being audited as a duplicate.

    A page read from a local file, or pushed with no http(s) URL, vouches for no host at all: its
    canonical is not trusted, or any file naming a stored article's URL would overwrite that article.
    """
    fetched = try_canonicalize(article.url) if article.url else None
    claimed = try_canonicalize(article.canonical_url) if article.canonical_url else None
    web = fetched is not None and urlsplit(fetched).scheme in {"http", "https"}
    if claimed and web and urlsplit(claimed).netloc == urlsplit(fetched).netloc:
        return claimed
    if fetched:
        return fetched
    return article.url


def shared_index(url: str, threshold: float) -> DedupIndex:
    """The Redis index that many workers share; its check-and-insert is atomic across processes."""
    import redis

    from worker.dedup_redis import RedisIndex

    return RedisIndex(redis.Redis.from_url(url), threshold)


def _default_extractor(html: str | bytes, url: str | None) -> Article:
    from scrapers.extract import extract

    return extract(html, url)


class Pipeline:
    """Holds the store and the dedup index; one instance per process, reused for every item."""

    PENDING_WAIT_S = 0.2
    PENDING_TRIES = 15

    BATCH_SIZE = 500
    BATCH_SECONDS = 1.0  # of work per transaction, well inside the PENDING_* wait of other workers

    def __init__(
        self,
        store: Store,
        index: DedupIndex | None = None,
        *,
        threshold: float = DEFAULT_DEDUP_THRESHOLD,
        window_days: float | None = None,
    ) -> None:
        self.store = store
        self.threshold = threshold
        self.window_days = window_days
        self._index = index
        self.judge = StoryJudge(threshold)
        self._batch: _Batch | None = None

    @classmethod
    def open(cls, settings: Settings, *, index: DedupIndex | None = None) -> Pipeline:
        """The configured pipeline; the schema must exist (``wirefeed db upgrade``)."""
        store = Store(settings.database_url)
        store.require_schema()
        if index is None and settings.dedup_url:
            index = shared_index(settings.dedup_url, settings.dedup_threshold)
        return cls(store, index, threshold=settings.dedup_threshold, window_days=settings.dedup_window_days)

    @property
    def index(self) -> DedupIndex:
        """Built on first use from stored signatures, so duplicates of earlier runs are still caught."""
        if self._index is None:
            started = time.perf_counter()
            try:
                self._index = join_index(self.store, self.threshold, self.window_days)
            except ValueError as error:
                raise SchemaMissing(
                    f"stored signatures do not match this wirefeed's fingerprint parameters ({error}); "
                    "re-ingest into a fresh database or install the wirefeed version that made them"
                ) from None
            log.info(
                "dedup index rebuilt: %d signatures in %.2fs", len(self._index), time.perf_counter() - started
            )
        return self._index

    # -- entry points ----------------------------------------------------------------------------------
    def ingest_html(
        self,
        html: str | bytes,
        *,
        url: str | None,
        source: str | None = None,
        extractor: Extractor | None = None,
        fetched_at: datetime | None = None,
    ) -> Decision:
        with logs.item_context(url=url, source=source):  # every log line of this page names it
            try:
                with metrics.observe("extract"):
                    article = (extractor or _default_extractor)(html, url)
            except IngestError as error:
                return self.record_error(url, source, "extract", error)
            except Exception as error:  # a bug in one page's extraction must not end the run
                log.exception("extraction crashed on %s", url)
                return self.record_error(url, source, "extract", IngestError(ErrorKind.INTERNAL, repr(error)))
            if article.url is None:
                article.url = url
            return self.ingest_article(article, source=source, fetched_at=fetched_at)

    def ingest_item(self, item: str | bytes | Mapping[str, Any], *, source: str | None = None) -> Decision:
        """An already-parsed item (JSON line or mapping): no extraction, straight to dedup and storage."""
        return self._decide_one(self._prepare_item(item, source), utcnow())

    def ingest_items(
        self,
        items: Sequence[str | bytes | Mapping[str, Any]],
        *,
        source: str | None = None,
        lines: Sequence[int | None] | None = None,
    ) -> list[Decision]:
        """Many parsed items, one decision each in their order, ``BATCH_SIZE`` of them per transaction.

        Decided exactly as ``ingest_item`` would one after the other (a copy of an earlier item of the same
        batch is still caught), but with the batch's keys and text hashes looked up in one query each and
        one commit for all. A batch that cannot be settled as one (a bad item the database refuses, another
        writer's concurrent insert) is rolled back whole and decided again one item at a time, so a bad item
        costs only itself. Replaying a batch, all of it or part, stores nothing twice. ``lines`` are the
        items' line numbers in their stream, kept on error rows for `wirefeed errors` and `retry`.
        """
        decisions: list[Decision] = []
        for start in range(0, len(items), self.BATCH_SIZE):
            chunk = [
                self._prepare_item(item, source, lines[start + offset] if lines else None)
                for offset, item in enumerate(items[start : start + self.BATCH_SIZE])
            ]
            decisions += self._ingest_batch(chunk, utcnow())
        return decisions

    def ingest_article(
        self, article: Article, *, source: str | None = None, fetched_at: datetime | None = None
    ) -> Decision:
        return self._decide_one(self._prepare_article(article, source), fetched_at or utcnow())

    # -- preparing an item: everything that needs no database ----------------------------------------
    def _prepare_item(
        self, item: str | bytes | Mapping[str, Any], source: str | None, line: int | None = None
    ) -> _Prepared:
        fields = logs.item_fields(item)  # url, item_id and a copy, kept even when the item is refused
        context = {"line": line, "item_id": fields.get("item_id"), "payload": fields.get("payload")}
        context = {name: value for name, value in context.items() if value is not None}
        try:
            parsed = parse_item(dict(item) if isinstance(item, Mapping) else item)
        except IngestError as error:
            return _Prepared(fields.get("url"), source, stage="validate", error=error, context=context)
        prepared = self._prepare_article(parsed.to_article(), parsed.source or source)
        prepared.context = context
        return prepared

    @staticmethod
    def _prepare_article(article: Article, source: str | None) -> _Prepared:
        text = article.text.strip()
        key = article_key(article)
        if not text:
            error = IngestError(ErrorKind.NOT_AN_ARTICLE, "no article text found")
            return _Prepared(article.url, source, stage="extract", error=error)
        with metrics.observe("fingerprint"):
            chash = content_hash(text)
            sig = signature(text)
        if not key:  # a page with no URL at all (a file without rel=canonical): its text is its identity
            key = f"urn:wirefeed:sha256:{chash}"
        article.canonical_url = key
        return _Prepared(article.url, source, article, key, chash, sig)

    def _decide_one(self, item: _Prepared, fetched_at: datetime) -> Decision:
        """One item in a transaction of its own, retried against concurrent writers."""
        with logs.item_context(url=item.url, source=item.source, **item.context):
            return self._decide_one_in_context(item, fetched_at)

    def _decide_one_in_context(self, item: _Prepared, fetched_at: datetime) -> Decision:
        if item.error is not None or item.article is None or item.sig is None:
            error = item.error or IngestError(ErrorKind.INTERNAL, "item not prepared")
            return self.record_error(item.url, item.source, item.stage, error)
        article, key, chash, sig, source = item.article, item.key, item.chash, item.sig, item.source
        last_error: Exception | None = None
        for attempt in range(self.PENDING_TRIES):
            heal = attempt == self.PENDING_TRIES - 2
            try:
                with metrics.observe("dedup_store"):
                    decision = self._decide(article, key, chash, sig, source, fetched_at, heal=heal)
                    log.debug("decided: %s", decision.describe())
                metrics.count_item(decision.outcome.value)
                return decision
            except IntegrityError as error:  # another writer stored this URL first: decide again against it
                last_error = error
            except _PendingMatch as error:
                last_error = error
                time.sleep(self.PENDING_WAIT_S)
            except DBAPIError as error:
                if is_unreachable(error):
                    raise StorageUnavailable(f"database unavailable: {error.orig}") from error
                return self.record_error(
                    article.url, source, "store", IngestError(ErrorKind.STORAGE, str(error.orig)[:500])
                )
        return self.record_error(
            article.url,
            source,
            "store",
            IngestError(ErrorKind.STORAGE, f"could not settle a concurrent write: {last_error}"),
        )

    # -- a batch in one transaction --------------------------------------------------------------------
    def _ingest_batch(self, items: list[_Prepared], fetched_at: datetime) -> list[Decision]:
        decisions: list[Decision] = []
        while len(decisions) < len(items):
            rest = items[len(decisions) :]
            try:
                with metrics.observe("dedup_store"):
                    settled = self._decide_batch(rest, fetched_at)
            except (IntegrityError, _PendingMatch) as error:
                reason: object = error
            except DBAPIError as error:
                if is_unreachable(error):
                    raise StorageUnavailable(f"database unavailable: {error.orig}") from error
                reason = error.orig
            else:
                for decision in settled:
                    kind = decision.error_kind.value if decision.error_kind else None
                    metrics.count_item(decision.outcome.value, kind)
                decisions += settled
                continue
            log.info("batch of %d items decided one by one instead: %s", len(rest), str(reason)[:300])
            decisions += [self._decide_one(item, fetched_at) for item in rest]
        return decisions

    def _decide_batch(self, items: list[_Prepared], fetched_at: datetime) -> list[Decision]:
        """The batch's items in one transaction, as many as fit in ``BATCH_SECONDS`` of work (the rest go
        to the next transaction); the index is put back as the store has it if the transaction does not
        commit. The time bound matters with a shared index: another worker that meets one of this batch's
        keys waits for its commit only a few seconds before taking the entry for a dead writer's leftover."""
        index = self.index  # built (or reached) before the transaction opens
        source_ids = {item.source: self.store.source_id(item.source) for item in items if item.error is None}
        keys = {item.key for item in items if item.error is None}
        hashes = {item.chash for item in items if item.error is None}
        batch: _Batch | None = None
        try:
            with self.store.session() as session:
                batch = _Batch(
                    session,
                    keys - self.store.present_article_urls(session, keys),
                    keys - self.store.present_duplicate_urls(session, keys),
                    hashes - self.store.present_hashes(session, hashes),
                    set(),
                )
                self._batch = batch
                decisions = batch.decisions
                deadline = time.monotonic() + self.BATCH_SECONDS
                for item in items:
                    if decisions and time.monotonic() > deadline:
                        break
                    if item.error is not None or item.article is None or item.sig is None:
                        error = item.error or IngestError(ErrorKind.INTERNAL, "item not prepared")
                        item_id = item.context.get("item_id")
                        session.add(
                            IngestErrorRecord(
                                url=item.url,
                                source=item.source,
                                stage=item.stage,
                                kind=error.kind.value,
                                message=error.message[:4000],
                                line=item.context.get("line"),
                                item_id=item_id[:200] if item_id else None,
                                payload=item.context.get("payload"),
                            )
                        )
                        decisions.append(
                            Decision(Outcome.REJECTED, item.url, error_kind=error.kind, message=error.message)
                        )
                        continue
                    batch.touched.add(item.key)
                    change = _IndexChange()
                    decisions.append(
                        self._decide_in(
                            session,
                            change,
                            item.article,
                            item.key,
                            item.chash,
                            item.sig,
                            source_ids[item.source],
                            fetched_at,
                            heal=False,
                        )
                    )
                    if change.insert_after_commit:  # now, so later items of the batch are checked against it
                        index.insert(item.key, item.sig)
                    batch.written(item.key, item.chash)
                self._flush_pending(session)
        except BaseException:
            if batch is not None:
                self._resync(batch.touched)
            raise
        finally:
            self._batch = None
        return decisions

    def _resync(self, keys: set[str]) -> None:
        """Index entries of a rolled-back batch, put back as the store holds them."""
        stored = self.store.signatures_of(keys)
        for key in keys:
            self.index.remove(key)
            if key in stored:
                self.index.insert(key, Signature.from_bytes(stored[key]))

    def _article_by_url(self, session: Session, key: str) -> ArticleRecord | None:
        if self._batch is not None and key in self._batch.absent_urls:
            return None
        self._flush_pending(session)
        return self.store.article_by_url(session, key)

    def _duplicate_by_url(self, session: Session, key: str) -> DuplicateRecord | None:
        if self._batch is not None and key in self._batch.absent_duplicate_urls:
            return None
        self._flush_pending(session)
        return self.store.duplicate_by_url(session, key)

    def _article_by_hash(self, session: Session, chash: str) -> ArticleRecord | None:
        if self._batch is not None and chash in self._batch.absent_hashes:
            return None
        self._flush_pending(session)
        return self.store.article_by_hash(session, chash)

    def _flush_pending(self, session: Session) -> None:
        """Write the batch's deferred new stories in three statements, whatever their number, and fill in
        the ids their decisions were waiting for. Called before anything reads the store."""
        batch = self._batch
        if batch is None or not batch.pending:
            return
        pending, positions = batch.pending, batch.pending_at
        batch.pending, batch.pending_at = [], []
        connection = session.connection()
        now = utcnow()
        story_ids = [
            row[0]
            for row in connection.execute(
                _NEW_STORIES, [{"created_at": now, "updated_at": now}] * len(pending)
            )
        ]
        for values, story_id in zip(pending, story_ids, strict=True):
            values["story_id"] = story_id
        article_ids = [row[0] for row in connection.execute(_NEW_ARTICLES, pending)]
        for start in range(0, len(story_ids), Store.IN_CHUNK):
            connection.execute(_REPRESENTATIVES, {"ids": story_ids[start : start + Store.IN_CHUNK]})
        for position, article_id, story_id in zip(positions, article_ids, story_ids, strict=True):
            batch.decisions[position] = replace(
                batch.decisions[position], article_id=article_id, story_id=story_id
            )

    def record_error(self, url: str | None, source: str | None, stage: str, error: IngestError) -> Decision:
        context = logs.current()  # a pushed item's line, id and copy, for `wirefeed errors` and `retry`
        with logs.item_context(url=url, source=source, stage=stage):
            log.info("rejected: %s: %s", error.kind.value, error.message)
        try:
            self.store.record_error(
                url=url,
                source=source,
                stage=stage,
                kind=error.kind.value,
                message=error.message,
                line=context.get("line"),
                item_id=context.get("item_id"),
                payload=context.get("payload"),
            )
        except DBAPIError as db_error:
            if is_unreachable(db_error):  # the verdict must not be lost: let the caller retry the item
                raise StorageUnavailable(f"database unavailable: {db_error.orig}") from db_error
            log.exception("could not record %s error for %s", error.kind, url)
        return Decision(Outcome.REJECTED, url, error_kind=error.kind, message=error.message)

    # -- the decision ----------------------------------------------------------------------------------
    def _decide(
        self,
        article: Article,
        key: str,
        chash: str,
        sig: Signature,
        source: str | None,
        fetched_at: datetime,
        *,
        heal: bool = False,
    ) -> Decision:
        """One transaction for the item; the index follows the database, never the other way round."""
        source_id = self.store.source_id(source)
        index_change = _IndexChange()
        try:
            with self.store.session() as session:
                decision = self._decide_in(
                    session, index_change, article, key, chash, sig, source_id, fetched_at, heal=heal
                )
        except BaseException:
            if index_change.inserted:  # the row never landed, so the index must not keep pointing at it
                self.index.remove(key)
            raise
        if index_change.insert_after_commit:
            self.index.insert(key, sig)
        return decision

    def _decide_in(
        self,
        session: Session,
        index_change: _IndexChange,
        article: Article,
        key: str,
        chash: str,
        sig: Signature,
        source_id: int | None,
        fetched_at: datetime,
        *,
        heal: bool,
    ) -> Decision:
        existing = self._article_by_url(session, key)
        if existing is not None:
            decision = self._same_url(session, existing, article, chash, sig, fetched_at)
            index_change.insert_after_commit = decision.outcome is Outcome.NEW_VERSION
            return decision

        known = self._duplicate_by_url(session, key)
        if known is not None and known.content_hash == chash:
            return Decision(
                Outcome.UNCHANGED,
                article.url,
                duplicate_of=known.duplicate_of,
                similarity=known.similarity,
                rule=Rule.KNOWN_DUPLICATE,
            )

        exact = self._article_by_hash(session, chash)
        if exact is not None:
            return self._duplicate(
                session, known, key, source_id, exact, 1.0, Rule.EXACT_TEXT, chash, article
            )

        if known is not None and known.signature is not None:
            self.index.remove(key)  # its text changed: the old fingerprint must not answer for the new one
        match = self.index.check_and_insert(key, sig, self.judge)
        if match is not None and match.joins:
            target = self._resolve(session, match, key, heal=heal)
            index_change.insert_after_commit = True
            representative = Signature.from_bytes(target.signature)
            verdict = judge(sig, representative, sig.equal_count(representative), self.threshold)
            if verdict is not None and verdict.relation is Relation.FULLER:
                return self._replace_representative(
                    session,
                    known,
                    target,
                    key,
                    source_id,
                    chash,
                    sig,
                    article,
                    fetched_at,
                    verdict.similarity,
                )
            if match.rule != Relation.FULLER or (verdict is not None and verdict.joins):
                rule = Rule.CONTAINED if match.rule == Relation.CONTAINED else Rule.NEAR_DUPLICATE
                return self._duplicate(
                    session,
                    known,
                    key,
                    source_id,
                    target,
                    match.similarity,
                    rule,
                    chash,
                    article,
                    signature=sig,
                )
            # Fuller than one of the story's copies but no copy of its representative (a developing
            # story's update around a trimmed lead): a story of its own, linked, not a member.
            match = Match(match.key, match.similarity, "overlaps_copy", joins=False)
        else:
            index_change.inserted = True

        if known is not None:  # its text changed so much it is now a story of its own
            session.delete(known)
        if match is None and known is None and self._batch is not None:  # written with the batch's next
            self._batch.pending.append(self._new_values(key, source_id, chash, sig, article, fetched_at))
            self._batch.pending_at.append(len(self._batch.decisions))
            return Decision(Outcome.STORED, article.url, version=1)  # ids filled in when written
        article_id, story_id = self._store_new(session, key, source_id, chash, sig, article, fetched_at)
        if match is not None:  # stored, but related: the story it embeds or sits in, or a refused template
            self._link(session, match, story_id, key, heal=heal)
        return Decision(Outcome.STORED, article.url, article_id=article_id, version=1, story_id=story_id)

    def _store_new(
        self,
        session: Session,
        key: str,
        source_id: int | None,
        chash: str,
        sig: Signature,
        article: Article,
        fetched_at: datetime,
    ) -> tuple[int, int]:
        """A new article that is the first copy of a new story, and that story's representative.

        Written with three Core statements on the session's connection rather than ORM objects: most
        items of a batch are new stories, and the ORM's unit of work costs more than the writes themselves.
        Returns (article id, story id).
        """
        self._flush_pending(session)
        connection = session.connection()
        now = utcnow()
        story_id = connection.execute(_NEW_STORY, {"created_at": now, "updated_at": now}).scalar_one()
        values = self._new_values(key, source_id, chash, sig, article, fetched_at)
        values["story_id"] = story_id
        article_id = connection.execute(_NEW_ARTICLE, values).scalar_one()
        connection.execute(_REPRESENTATIVE, {"story": story_id, "article": article_id})
        return article_id, story_id

    @staticmethod
    def _new_values(
        key: str, source_id: int | None, chash: str, sig: Signature, article: Article, fetched_at: datetime
    ) -> dict[str, Any]:
        now = utcnow()
        return _fields(article) | {
            "canonical_url": key,
            "source_id": source_id,
            "story_id": None,
            "content_hash": chash,
            "signature": sig.to_bytes(),
            "version": 1,
            "fetched_at": fetched_at,
            "stored_at": now,
            "updated_at": now,
        }

    def _link(self, session: Session, match: Match, new_story: int, key: str, *, heal: bool) -> None:
        """Audit row for a stored item the judge related to a stored story without joining it."""
        other = self._resolve(session, match, key, heal=heal)
        story_id = self._story_id(session, other)
        if match.rule == Relation.EMBEDDED:  # the stored story quotes the new one in full
            event = StoryEvent(
                story_id=story_id,
                event="embeds",
                url=other.canonical_url,
                other_story_id=new_story,
                other_url=key,
            )
        elif match.rule == Relation.EMBEDS:
            event = StoryEvent(
                story_id=new_story,
                event="embeds",
                url=key,
                other_story_id=story_id,
                other_url=other.canonical_url,
            )
        else:
            event = StoryEvent(
                story_id=new_story, event="not_a_copy", url=key, other_story_id=story_id, other_url=match.key
            )
        event.rule = match.rule
        event.similarity = round(float(match.similarity), 4)
        session.add(event)

    @staticmethod
    def _story_id(session: Session, article: ArticleRecord) -> int:
        """The article's story, created for a row stored before stories existed."""
        if article.story_id is None:
            story = Story(representative_id=article.id)
            session.add(story)
            session.flush()
            article.story_id = story.id
        return article.story_id

    def _replace_representative(
        self,
        session: Session,
        known: DuplicateRecord | None,
        old: ArticleRecord,
        key: str,
        source_id: int | None,
        chash: str,
        sig: Signature,
        article: Article,
        fetched_at: datetime,
        similarity: float,
    ) -> Decision:
        """A fuller copy of a stored story arrived: it becomes the stored article and the story's
        representative; the old one moves to the story's copies, and an audit row says so.

        Duplicates of the old article are re-pointed first, so both exports name the new representative
        and no copy is cascaded away with the old row.
        """
        story_id = self._story_id(session, old)
        if self._batch is not None:  # the old article's URL now names a duplicate row
            self._batch.written(old.canonical_url)
        if known is not None:
            session.delete(known)
            session.flush()
        row = ArticleRecord(
            canonical_url=key,
            source_id=source_id,
            story_id=story_id,
            content_hash=chash,
            signature=sig.to_bytes(),
            version=1,
            fetched_at=fetched_at,
        )
        _apply(row, article)
        session.add(row)
        session.flush()
        session.execute(
            update(DuplicateRecord).where(DuplicateRecord.duplicate_of == old.id).values(duplicate_of=row.id)
        )
        session.add(
            DuplicateRecord(
                url=old.canonical_url,
                source_id=old.source_id,
                duplicate_of=row.id,
                story_id=story_id,
                similarity=round(float(similarity), 4),
                rule=Rule.SUPERSEDED.value,
                content_hash=old.content_hash,
                signature=old.signature,
                title=old.title,
                seen_at=old.stored_at,
            )
        )
        story = session.get(Story, story_id)
        if story is not None:
            story.representative_id = row.id
            story.updated_at = utcnow()
        session.add(
            StoryEvent(
                story_id=story_id,
                event="representative_replaced",
                url=key,
                other_url=old.canonical_url,
                rule=Relation.FULLER.value,
                similarity=round(float(similarity), 4),
            )
        )
        session.delete(old)
        session.flush()
        return Decision(
            Outcome.STORED,
            article.url,
            article_id=row.id,
            version=1,
            story_id=story_id,
            similarity=round(float(similarity), 4),
            rule=Relation.FULLER.value,
        )

    def _resolve(self, session: Session, match: Match, key: str, *, heal: bool) -> ArticleRecord:
        """The stored article an index match names, waiting briefly for another worker's commit.

        A match whose row never appears is a leftover of a writer that died between the index insert and
        its commit; after waiting long enough (``heal``) the entry is dropped so the item can be decided.
        """
        self._flush_pending(session)
        target = self.store.story_of(session, match.key)
        if target is not None and match.key != key:
            return target
        session.rollback()
        if heal and target is None:
            log.warning("dropping stale dedup entry %s (no stored article)", match.key)
            self.index.remove(match.key)
        raise _PendingMatch(match.key)

    def _same_url(
        self,
        session: Session,
        existing: ArticleRecord,
        article: Article,
        chash: str,
        sig: Signature,
        fetched_at: datetime,
    ) -> Decision:
        if existing.content_hash == chash:
            return Decision(
                Outcome.UNCHANGED,
                article.url,
                article_id=existing.id,
                version=existing.version,
                rule=Rule.SAME_URL,
                story_id=existing.story_id,
            )
        session.add(
            ArticleVersion(
                article_id=existing.id,
                version=existing.version,
                content_hash=existing.content_hash,
                title=existing.title,
                text=existing.text,
                modified_at=existing.modified_at,
                stored_at=existing.updated_at,
            )
        )
        _apply(existing, article)
        existing.content_hash = chash
        existing.signature = sig.to_bytes()
        existing.version += 1
        existing.fetched_at = fetched_at
        existing.updated_at = utcnow()
        session.flush()
        return Decision(
            Outcome.NEW_VERSION,
            article.url,
            article_id=existing.id,
            version=existing.version,
            rule=Rule.SAME_URL,
            story_id=existing.story_id,
        )

    def _duplicate(
        self,
        session: Session,
        known: DuplicateRecord | None,
        key: str,
        source_id: int | None,
        original: ArticleRecord,
        similarity: float,
        rule: Rule,
        chash: str,
        article: Article,
        *,
        signature: Signature | None = None,
    ) -> Decision:
        row = known or DuplicateRecord(url=key)
        row.signature = signature.to_bytes() if signature is not None else None
        row.source_id = source_id
        row.duplicate_of = original.id
        row.story_id = self._story_id(session, original)
        row.similarity = round(float(similarity), 4)
        row.rule = rule.value
        row.content_hash = chash
        row.title = article.title
        row.seen_at = utcnow()
        session.add(row)
        session.flush()
        return Decision(
            Outcome.DUPLICATE,
            article.url,
            duplicate_of=original.id,
            similarity=row.similarity,
            rule=rule,
            story_id=row.story_id,
        )


def _fields(article: Article) -> dict[str, Any]:
    """The article's own columns, as the item gives them (derived from the ``Article`` declaration)."""
    return article_values(article)


def _apply(row: ArticleRecord, article: Article) -> None:
    for name, value in _fields(article).items():
        setattr(row, name, value)
