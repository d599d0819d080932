"""The chain from an item to one recorded decision: extract, fingerprint, dedup, store.

Plain Python on purpose: the CLI, the Celery tasks and the tests all call this module, so a behaviour
exists in exactly one place. Every item ends in exactly one ``Decision`` (stored, new version, duplicate,
unchanged or rejected), and every write is keyed by what the item is, so replaying a message changes nothing.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Table, bindparam, delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from config.settings import DEFAULT_DEDUP_THRESHOLD, Settings
from scrapers.article import Article
from scrapers.errors import ErrorKind, IngestError
from scrapers.urls import landing_of, try_canonicalize
from worker import logs, metrics
from worker.decision import Decision, Outcome, Rule
from worker.dedup import DedupIndex, InProcessIndex, Match
from worker.dedup_join import join_index, snapshot_choice
from worker.fingerprint import Signature, fingerprints
from worker.items import ItemLimits, parse_item
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
from worker.relation import Relation, StoryJudge, StoryMatch, Verdict, judge, nested
from worker.rules import DEFAULT_RULES, DedupRule, IndexChange, RuleContext, decide
from worker.store import SchemaMissing, StorageUnavailable, Store, StoredRef, is_unreachable
from worker.story_merge import Merged, merge_stories
from worker.story_move import Home, move_copies

__all__ = ["Decision", "Outcome", "Pipeline", "Rule", "article_key", "shared_index", "with_offset"]

log = logging.getLogger(__name__)

Extractor = Callable[[str | bytes, str | None], Article]


@dataclass(slots=True)
class _PendingDuplicate:
    """A duplicate row waiting for its batch's next write, and the stored article it points at."""

    values: dict[str, Any]
    original: StoredRef  # its id may itself still be pending
    position: int | None  # the decision waiting for the original's id, if it was pending


@dataclass(slots=True)
class _PendingEvent:
    """A story audit row waiting for the batch's next write; ``story`` and ``other`` are the articles
    whose story ids it names, filled in from them when written (either may still be pending now)."""

    row: dict[str, Any]
    story: StoredRef | None = None
    other: StoredRef | None = None


@dataclass(slots=True)
class _Replacement:
    """A fuller copy that becomes its story's representative with the batch's next write: its row, the
    article it replaces (deleted then, its duplicates re-pointed first), the reference that stands for
    both (its id filled in when written) and the decision waiting for that id."""

    values: dict[str, Any]
    old_id: int
    ref: StoredRef
    position: int


@dataclass(slots=True)
class _Batch:
    """What a batch learned up front: which of its keys and text hashes the store did not hold.

    A lookup of a key in these sets is answered "absent" without a query; every key or hash a decided
    item wrote is dropped from them, so a later copy in the same batch is looked up for real and found.
    ``refs`` and ``hash_refs`` answer, without a query, which stored article a key or a text of this batch
    stands for; a decision that rewrites a stored article (a new version, a new representative) updates
    them, so they never outlive what they describe.
    """

    session: Session
    absent_urls: set[str]
    absent_duplicate_urls: set[str]
    absent_hashes: set[str]
    touched: set[str]  # index keys this batch changed, re-read from the store if the batch rolls back
    decisions: list[Decision] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)  # new stories not yet written, in order
    pending_at: list[int] = field(default_factory=list)  # the decision each pending row completes
    pending_refs: list[StoredRef] = field(default_factory=list)  # and the reference each one fills in
    pending_duplicates: list[_PendingDuplicate] = field(default_factory=list)
    pending_events: list[_PendingEvent] = field(default_factory=list)  # story audit rows
    replacements: list[_Replacement] = field(default_factory=list)  # new representatives, not yet written
    pending_representatives: dict[int, StoredRef] = field(default_factory=dict)  # story -> its new one
    refs: dict[str, StoredRef] = field(default_factory=dict)
    ref_ids: dict[int, StoredRef] = field(default_factory=dict)  # the one reference of each article id
    hash_refs: dict[str, StoredRef] = field(default_factory=dict)

    def written(self, *keys: str) -> None:
        for key in keys:
            self.absent_urls.discard(key)
            self.absent_duplicate_urls.discard(key)
            self.absent_hashes.discard(key)

    def intern(self, ref: StoredRef) -> StoredRef:
        """One object per stored article, so a change to it (``replaced``, ``rewritten``) reaches every
        key that stands for it; a fresher read of the row updates the object in place."""
        if ref.id is None:
            return ref
        known = self.ref_ids.get(ref.id)
        if known is None:
            self.ref_ids[ref.id] = ref
            return ref
        if known is not ref:
            for name in StoredRef.__slots__:
                setattr(known, name, getattr(ref, name))
        return known

    def replaced(self, old: StoredRef, new: StoredRef) -> None:
        """``old`` is no longer a stored article: every key that stood for it now stands for ``new``."""
        if old.id is not None:
            self.ref_ids.pop(old.id, None)
        for name in StoredRef.__slots__:
            setattr(old, name, getattr(new, name))
        self.refs[old.canonical_url] = self.intern(old)
        self.remember_hash(old)

    def merged(self, merge: Merged, kept: StoredRef) -> None:
        """Two stories merged (``worker/story_merge.py``): every key that stood for a representative that
        became a copy now stands for the one kept, which is in the surviving story; a text hash that named
        one is forgotten (the store no longer holds that text as an article). One pass over what is
        remembered, made only by the rare item that merges stories."""
        dropped = {article_id for article_id, _ in merge.dropped}
        for article_id in dropped:
            self.ref_ids.pop(article_id, None)
        kept.story_id = merge.survivor
        for key, ref in self.refs.items():
            if ref.id in dropped:
                self.refs[key] = kept
        for chash in [chash for chash, ref in self.hash_refs.items() if ref.id in dropped]:
            del self.hash_refs[chash]
        self.written(*(url for _, url in merge.dropped))  # their URLs now name duplicate rows

    def remember_hash(self, ref: StoredRef) -> None:
        """The first stored article with this text, unless an entry still holding that text is older."""
        known = self.hash_refs.get(ref.content_hash)
        if known is None or known.content_hash != ref.content_hash:
            self.hash_refs[ref.content_hash] = ref

    def rewritten(self, existing: ArticleRecord) -> None:
        """A new version of a stored article: its references carry its new text hash and fingerprint."""
        ref = self.ref_ids.get(existing.id)
        if ref is not None:
            ref.signature, ref.content_hash, ref.title = (
                existing.signature,
                existing.content_hash,
                existing.title,
            )


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


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


_STORIES, _ARTICLES, _DUPLICATES = _table(Story), _table(ArticleRecord), _table(DuplicateRecord)
_EVENTS = _table(StoryEvent)

# Statements compiled once: parameters are passed at execution, so SQLAlchemy's cache serves every item.
_NEW_STORY = insert(_STORIES).returning(_STORIES.c.id)
_NEW_ARTICLE = insert(_ARTICLES).returning(_ARTICLES.c.id)
_NEW_DUPLICATES = insert(_DUPLICATES)
_INSERT_STORIES, _INSERT_ARTICLES = insert(_STORIES), insert(_ARTICLES)
_DRAW_IDS = {
    table: text(
        f"SELECT nextval(sequence) FROM (SELECT pg_get_serial_sequence('{table.name}', 'id')::regclass "
        "AS sequence) AS q, generate_series(1, :count)"
    )
    for table in (_STORIES, _ARTICLES)
}
_TOP_IDS = select(
    select(func.max(_STORIES.c.id)).scalar_subquery(), select(func.max(_ARTICLES.c.id)).scalar_subquery()
)
_NEW_EVENT = insert(_EVENTS)
_REPRESENTATIVE = (
    update(_STORIES)
    .where(_STORIES.c.id == bindparam("story"))
    .values(representative_id=bindparam("article"), updated_at=bindparam("now"))
)
_REPOINT = (
    update(_DUPLICATES)
    .where(_DUPLICATES.c.duplicate_of == bindparam("old"))
    .values(duplicate_of=bindparam("new"))
)
_DROP_ARTICLE = delete(_ARTICLES).where(_ARTICLES.c.id == bindparam("old"))


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
    same_host = claimed and web and urlsplit(claimed).netloc == urlsplit(fetched).netloc
    if claimed and fetched and same_host and landing_of(fetched, claimed) is None:
        return claimed  # (a canonical naming the home page or a section above the page is a template bug)
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
    REFS_KEPT = 50_000  # keys whose stored article is remembered across batches (a few MB)
    BATCH_SECONDS = 1.0  # of work per transaction, well inside the PENDING_* wait of other workers

    def __init__(
        self,
        store: Store,
        index: DedupIndex | None = None,
        *,
        threshold: float = DEFAULT_DEDUP_THRESHOLD,
        window_days: float | None = None,
        rules: Sequence[DedupRule] = DEFAULT_RULES,
    ) -> None:
        self.store = store
        self.threshold = threshold
        self.window_days = window_days
        self.snapshot: Path | bool = True  # the in-process index's snapshot (WIREFEED_DEDUP_SNAPSHOT)
        self._index = index
        attach = getattr(index, "read_signatures_from", None)
        if callable(attach):  # a shared index verifies its candidates against this store's signatures
            attach(store.signatures_of)
        self.judge = StoryJudge(threshold)
        self.rules = tuple(rules)
        self._batch: _Batch | None = None
        # Which stored article each recently decided key stands for, kept from one committed batch to the
        # next while this process is the only writer its index knows of (an in-process index): copies of
        # a story arrive minutes apart, so most matches name a key of an earlier batch. A row another
        # writer deleted since is still caught by the database (a duplicate naming it breaks its foreign
        # key; the batch is then decided one by one, without this cache).
        self._refs: dict[str, StoredRef] = {}
        self._ref_ids: dict[int, StoredRef] = {}
        self._hash_refs: dict[str, StoredRef] = {}
        # Keys of a rolled-back batch the index could not be put back for (the database was gone): they
        # are out of the index till the store answers again, and put back before anything is decided.
        self._unsynced: set[str] = set()
        self._item_limits: ItemLimits | None = None

    @classmethod
    def open(cls, settings: Settings, *, index: DedupIndex | None = None) -> Pipeline:
        """The configured pipeline; the schema must exist (``wirefeed db upgrade``)."""
        store = Store(settings.database_url)
        store.require_schema()
        if index is None and settings.dedup_url:
            index = shared_index(settings.dedup_url, settings.dedup_threshold)
        pipeline = cls(
            store, index, threshold=settings.dedup_threshold, window_days=settings.dedup_window_days
        )
        pipeline.snapshot = snapshot_choice(settings.dedup_snapshot)
        return pipeline

    @property
    def index(self) -> DedupIndex:
        """Built on first use from stored signatures, so duplicates of earlier runs are still caught."""
        if self._index is None:
            started = time.perf_counter()
            try:
                self._index = join_index(self.store, self.threshold, self.window_days, self.snapshot)
            except ValueError as error:
                raise SchemaMissing(
                    f"stored signatures do not match this wirefeed's fingerprint parameters ({error}); "
                    "re-ingest into a fresh database or install the wirefeed version that made them"
                ) from None
            log.info(
                "dedup index rebuilt: %d signatures in %.2fs", len(self._index), time.perf_counter() - started
            )
        return self._index

    @property
    def item_limits(self) -> ItemLimits:
        """The pushed-item caps, read from the settings once per pipeline instead of once per item."""
        if self._item_limits is None:
            try:
                from config.settings import get_settings

                self._item_limits = ItemLimits.from_settings(get_settings())
            except Exception:  # settings unusable: the defaults still bound every field (as parse_item does)
                self._item_limits = ItemLimits()
        return self._item_limits

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
            chunk = items[start : start + self.BATCH_SIZE]
            numbers = lines[start : start + self.BATCH_SIZE] if lines else [None] * len(chunk)
            decisions += self._ingest_batch(self._prepare_items(chunk, source, numbers), utcnow())
        return decisions

    def ingest_article(
        self, article: Article, *, source: str | None = None, fetched_at: datetime | None = None
    ) -> Decision:
        return self._decide_one(self._prepare_article(article, source), fetched_at or utcnow())

    # -- preparing an item: everything that needs no database ----------------------------------------
    def _prepare_item(
        self, item: str | bytes | Mapping[str, Any], source: str | None, line: int | None = None
    ) -> _Prepared:
        return self._prepare_items([item], source, [line])[0]

    def _prepare_items(
        self,
        items: Sequence[str | bytes | Mapping[str, Any]],
        source: str | None,
        lines: Sequence[int | None],
    ) -> list[_Prepared]:
        """Items parsed one by one, then all their texts fingerprinted in one call (``fingerprints``)."""
        parsed: list[tuple[Article, str | None, dict[str, Any]] | _Prepared] = []
        for item, line in zip(items, lines, strict=True):
            fields, raw = self._decode_once(item)  # url, item_id and a copy, kept even when it is refused
            context = {"line": line, "item_id": fields.get("item_id"), "payload": fields.get("payload")}
            context = {name: value for name, value in context.items() if value is not None}
            try:
                pushed = parse_item(raw, self.item_limits)
            except IngestError as error:
                parsed.append(
                    _Prepared(fields.get("url"), source, stage="validate", error=error, context=context)
                )
                continue
            parsed.append((pushed.to_article(), pushed.source or source, context))
        texts = [entry[0].text.strip() for entry in parsed if not isinstance(entry, _Prepared)]
        texts = [text for text in texts if text]
        found: Iterator[tuple[str, Signature]] = iter(())
        if texts:
            with metrics.observe("fingerprint"):
                found = iter(fingerprints(texts))
        prepared: list[_Prepared] = []
        for entry in parsed:
            if isinstance(entry, _Prepared):
                prepared.append(entry)
                continue
            article, item_source, context = entry
            one = self._prepare_article(article, item_source, found)
            one.context = context
            prepared.append(one)
        return prepared

    def _decode_once(
        self, item: str | bytes | Mapping[str, Any]
    ) -> tuple[dict[str, Any], str | bytes | dict[str, Any]]:
        """(error-row fields, what to validate) of an item, its JSON decoded once for both. Only a line
        of plain UTF-8 within the byte cap that holds one JSON object takes the shortcut: any other goes to
        ``parse_item`` as it came, so its refusal reads exactly as before."""
        if isinstance(item, Mapping):
            return logs.item_fields(item), dict(item)
        if isinstance(item, bytes) and len(item) <= self.item_limits.max_bytes:
            try:
                payload = item.decode("utf-8").strip()
                data = json.loads(payload)
            except ValueError:  # not UTF-8 or not JSON: ``parse_item`` says which
                data = None
            if isinstance(data, dict):
                return logs.decoded_item_fields(payload, data), data
        return logs.item_fields(item), item

    @staticmethod
    def _prepare_article(
        article: Article, source: str | None, found: Iterator[tuple[str, Signature]] | None = None
    ) -> _Prepared:
        """``found``: the fingerprints of the non-empty texts of a batch, this one's next."""
        text = article.text.strip()
        key = article_key(article)
        if not text:
            error = IngestError(ErrorKind.NOT_AN_ARTICLE, "no article text found")
            return _Prepared(article.url, source, stage="extract", error=error)
        if found is not None:
            chash, sig = next(found)
        else:
            with metrics.observe("fingerprint"):
                chash, sig = fingerprints([text])[0]
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
        if self._unsynced:
            self._resync(set())
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
                outcomes = Counter(
                    (d.outcome.value, d.error_kind.value if d.error_kind else None) for d in settled
                )
                for (outcome, kind), count in outcomes.items():
                    metrics.count_item(outcome, kind, count)
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
        if not isinstance(index, InProcessIndex):
            # A shared index means other workers write the same stories: what an earlier batch read of
            # them may have changed since (a new version, a new representative), so read them again.
            self._forget()
        if self._unsynced:
            self._resync(set())
        if isinstance(index, InProcessIndex):  # (i10ingest8) the batch's band keys in one go
            index.prepare(item.sig for item in items if item.sig is not None)
        source_ids = {item.source: self.store.source_id(item.source) for item in items if item.error is None}
        batch: _Batch | None = None
        try:
            with self.store.session() as session:
                batch = self._open_batch(session, items)
                self._batch = batch
                deadline = time.monotonic() + self.BATCH_SECONDS
                for item in items:
                    if batch.decisions and time.monotonic() > deadline:
                        break
                    if item.error is not None or item.article is None or item.sig is None:
                        batch.decisions.append(self._batch_error(session, item))
                        continue
                    batch.touched.add(item.key)
                    ctx = RuleContext(
                        self,
                        session,
                        item.article,
                        item.key,
                        item.chash,
                        item.sig,
                        source_ids[item.source],
                        fetched_at,
                    )
                    batch.decisions.append(decide(self.rules, ctx))
                    if ctx.also:  # a copy of other stored texts too: are they another story?
                        batch.decisions[-1] = self._merge_joined(ctx, batch.decisions[-1])
                    if ctx.joins and _own_story(batch.decisions[-1]):
                        self._move_copies(ctx)  # a story of its own, yet a copy of stored copies
                    if _quoted_elsewhere(ctx, batch.decisions[-1]):
                        self._link_quoting(ctx, batch.decisions[-1])
                    if ctx.index_change.insert_after_commit:  # now, so later items are checked against it
                        index.insert(item.key, item.sig)
                    batch.written(item.key, item.chash)
                self._flush_pending(session)
        except BaseException:
            self._forget()  # they may name rows the rollback took back
            if batch is not None:
                self._resync(batch.touched)
            raise
        finally:
            self._batch = None
        self._keep_refs()
        return batch.decisions

    def _keep_refs(self) -> None:
        """Drop the oldest remembered keys beyond ``REFS_KEPT`` (dicts keep insertion order)."""
        excess = len(self._refs) - self.REFS_KEPT
        if excess > 0:
            for key in list(itertools.islice(self._refs, excess)):
                del self._refs[key]
        if len(self._ref_ids) > 2 * self.REFS_KEPT:  # dropped from the index of ids, not from ``_refs``
            self._ref_ids = {}
        if len(self._hash_refs) > self.REFS_KEPT:
            self._hash_refs = {}

    def _forget(self) -> None:
        self._refs, self._ref_ids, self._hash_refs = {}, {}, {}

    def _open_batch(self, session: Session, items: list[_Prepared]) -> _Batch:
        """The batch's keys and text hashes the store does not hold, each column in one query."""
        keys = {item.key for item in items if item.error is None}
        hashes = {item.chash for item in items if item.error is None}
        return _Batch(
            session,
            keys - self.store.present_article_urls(session, keys),
            keys - self.store.present_duplicate_urls(session, keys),
            hashes - self.store.present_hashes(session, hashes),
            set(),
            refs=self._refs,
            ref_ids=self._ref_ids,
            hash_refs=self._hash_refs,
        )

    @staticmethod
    def _batch_error(session: Session, item: _Prepared) -> Decision:
        """A refused item's error row, written with the batch (the unbatched path writes its own)."""
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
        return Decision(Outcome.REJECTED, item.url, error_kind=error.kind, message=error.message)

    def _resync(self, keys: set[str]) -> None:
        """Index entries of a rolled-back batch, put back as the store holds them.

        When the rollback came from the database going away, the store cannot say what it holds: the
        keys leave the index at once (an entry whose row was rolled back would otherwise make the
        batch's retry wait on its own items as another writer's and reject them) and are put back from
        the store before the next decision."""
        keys = keys | self._unsynced
        try:
            for key in keys:
                self.index.remove(key)
            stored = self.store.signatures_of(keys)
        except DBAPIError as error:
            if not is_unreachable(error):
                raise
            self._unsynced = keys
            return
        self._unsynced = set()
        for key in keys:
            if key in stored:
                self.index.insert(key, Signature.from_bytes(stored[key]))

    # -- lookups the rules make, answered from the batch when it knows --------------------------------
    def article_by_url(self, session: Session, key: str) -> ArticleRecord | None:
        if self._batch is not None and key in self._batch.absent_urls:
            return None
        self._flush_pending(session)
        return self.store.article_by_url(session, key)

    def duplicate_by_url(self, session: Session, key: str) -> DuplicateRecord | None:
        if self._batch is not None and key in self._batch.absent_duplicate_urls:
            return None
        self._flush_pending(session)
        return self.store.duplicate_by_url(session, key)

    def ref_by_hash(self, session: Session, chash: str) -> StoredRef | None:
        batch = self._batch
        if batch is not None:
            if chash in batch.absent_hashes:
                return None
            known = batch.hash_refs.get(chash)
            if known is not None and known.content_hash == chash:  # not since rewritten or replaced
                return known
        # No flush first: an article the batch holds back is in ``hash_refs``, so the store has the rest,
        # unless a replacement is held back (the store would still answer with the article it replaces).
        if batch is not None and batch.replacements:
            self._flush_pending(session)
        found = self.store.ref_by_hash(session, chash)
        if batch is not None and found is not None:
            found = batch.intern(found)
            batch.remember_hash(found)
        return found

    def resolve(self, ctx: RuleContext, match: Match) -> StoredRef:
        """The stored article an index match names, waiting briefly for another worker's commit.

        A match whose row never appears is a leftover of a writer that died between the index insert and
        its commit; after waiting long enough (``heal``) the entry is dropped so the item can be decided.
        """
        batch, session = self._batch, ctx.session
        if match.key != ctx.key:
            if batch is not None and match.key in batch.refs:
                return batch.refs[match.key]
            # No flush first: every row the batch holds back is in ``refs``, so the store has the rest
            # (once a held-back replacement is written: till then the store names the article it replaces).
            if batch is not None and batch.replacements:
                self._flush_pending(session)
            target = self.store.ref_of(session, match.key)
            if target is not None:
                if batch is not None:
                    target = batch.refs[match.key] = batch.intern(target)
                return target
        else:
            target = None
        session.rollback()
        if ctx.heal and target is None:
            log.warning("dropping stale dedup entry %s (no stored article)", match.key)
            self.index.remove(match.key)
        raise _PendingMatch(match.key)

    def _flush_pending(self, session: Session) -> None:
        """Write the batch's deferred rows (new stories, new representatives, duplicates, audit rows) in a
        few statements, whatever their number, and fill in the ids their decisions were waiting for.
        Called before anything reads the store."""
        batch = self._batch
        if batch is None or not (
            batch.pending
            or batch.replacements
            or batch.pending_duplicates
            or batch.pending_events
            or batch.pending_representatives
        ):
            return
        connection = session.connection()
        if batch.pending:
            self._write_new_stories(connection, batch)
        if batch.replacements:
            self._write_replacements(connection, batch)
        if batch.pending_duplicates:
            self._write_duplicates(connection, batch)
        if batch.pending_events:
            events, batch.pending_events = batch.pending_events, []
            for event in events:  # the stories as they stand now: either article may have been pending
                if event.story is not None:
                    event.row["story_id"] = event.story.story_id
                if event.other is not None:
                    event.row["other_story_id"] = event.other.story_id
            connection.execute(_NEW_EVENT, [event.row for event in events])
        if batch.pending_representatives:
            stories, batch.pending_representatives = batch.pending_representatives, {}
            now = utcnow()
            rows = [{"story": story, "article": ref.id, "now": now} for story, ref in stories.items()]
            connection.execute(_REPRESENTATIVE, rows)

    @staticmethod
    def _write_duplicates(connection: Any, batch: _Batch) -> None:
        waiting, batch.pending_duplicates = batch.pending_duplicates, []
        for row in waiting:  # the original as it stands now: a fuller copy may have replaced it
            row.values["duplicate_of"] = row.original.id
            row.values["story_id"] = row.original.story_id
            if row.position is not None:
                batch.decisions[row.position] = replace(
                    batch.decisions[row.position],
                    duplicate_of=row.original.id,
                    story_id=row.original.story_id,
                )
        connection.execute(_NEW_DUPLICATES, [row.values for row in waiting])

    @staticmethod
    def _write_replacements(connection: Any, batch: _Batch) -> None:
        """New representatives in three statements for any number: their rows, then the old articles'
        duplicates re-pointed at them, then the old articles deleted (which would cascade them away)."""
        waiting, batch.replacements = batch.replacements, []
        _, article_ids = _new_ids(connection, 0, len(waiting))
        rows = [r.values | {"id": article_id} for r, article_id in zip(waiting, article_ids, strict=True)]
        connection.execute(_INSERT_ARTICLES, rows)
        for replacement, article_id in zip(waiting, article_ids, strict=True):
            replacement.ref.id = article_id
            batch.ref_ids[article_id] = replacement.ref
            batch.decisions[replacement.position] = replace(
                batch.decisions[replacement.position], article_id=article_id
            )
        pairs = [
            {"old": r.old_id, "new": article_id} for r, article_id in zip(waiting, article_ids, strict=True)
        ]
        connection.execute(_REPOINT, pairs)
        connection.execute(_DROP_ARTICLE, [{"old": replacement.old_id} for replacement in waiting])

    @staticmethod
    def _write_new_stories(connection: Any, batch: _Batch) -> None:
        """The batch's new stories and their articles: ids given up front (``_new_ids``), so each table's
        rows go in one executemany and each story names its representative as it is written."""
        pending, positions, refs = batch.pending, batch.pending_at, batch.pending_refs
        batch.pending, batch.pending_at, batch.pending_refs = [], [], []
        now = utcnow()
        story_ids, article_ids = _new_ids(connection, len(pending), len(pending))
        stories = [
            {"id": story_id, "representative_id": article_id, "created_at": now, "updated_at": now}
            for story_id, article_id in zip(story_ids, article_ids, strict=True)
        ]
        connection.execute(_INSERT_STORIES, stories)
        for values, story_id, article_id in zip(pending, story_ids, article_ids, strict=True):
            values |= {"id": article_id, "story_id": story_id}
        connection.execute(_INSERT_ARTICLES, pending)
        for position, ref, article_id, story_id in zip(positions, refs, article_ids, story_ids, strict=True):
            ref.id, ref.story_id = article_id, story_id
            batch.ref_ids[article_id] = ref
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
        change = IndexChange()
        self._forget()  # written outside a batch: what batches remembered may be out of date
        try:
            with self.store.session() as session:
                ctx = RuleContext(
                    self, session, article, key, chash, sig, source_id, fetched_at, heal, change
                )
                decision = decide(self.rules, ctx)
                if ctx.also:  # a copy of other stored texts too: are they another story?
                    decision = self._merge_joined(ctx, decision)
                if ctx.joins and _own_story(decision):
                    self._move_copies(ctx, decision)  # a story of its own, yet a copy of stored copies
                if _quoted_elsewhere(ctx, decision):
                    self._link_quoting(ctx, decision)
        except BaseException:
            if change.inserted:  # the row never landed, so the index must not keep pointing at it
                self.index.remove(key)
            raise
        if change.insert_after_commit:
            self.index.insert(key, sig)
        return decision

    # -- one story stored as two, found out by a copy of both ------------------------------------------
    def _merge_joined(self, ctx: RuleContext, decision: Decision) -> Decision:
        """A copy that joined one story and is also a copy of another story's representative shows the
        two to be one story (see ``worker/story_merge.py``): they are merged, older first, and the item's
        decision names what survives. Reached only by an item the judge found a copy of two or more
        stored texts; it writes only when those stand for two stories, so the common path stays as it is.

        The decision is remapped here, not the batch's earlier ones: those were true when made, and the
        batched path answers exactly as the one-by-one path does."""
        mine = ctx.verdict if _joined(decision) else None
        others = [(r, v) for r, v in self._other_stories(ctx) if mine and nested(mine, v)] if mine else []
        if not others:
            return decision
        session = ctx.session
        self._flush_pending(session)  # every row written and every id known before rows are moved
        if self._batch is not None:  # the write filled in the ids the decision was waiting for
            decision = self._batch.decisions[-1]
        how = {self._story_id(session, ctx.target): (decision.rule or "", decision.similarity or 0.0)}
        for ref, verdict in others:
            how.setdefault(self._story_id(session, ref), (verdict.relation.value, verdict.similarity))
        survivor, *merged_away = sorted(how)
        connection, now = session.connection(), utcnow()
        merges = [
            done
            for story in merged_away
            if (
                done := merge_stories(
                    connection,
                    survivor,
                    story,
                    url=ctx.key,
                    rule=how[story][0],
                    similarity=how[story][1],
                    now=now,
                )
            )
        ]
        log.info("stories %s merged into %d by %s", merged_away, survivor, ctx.key)
        batch = self._batch
        for merge in merges if batch is not None else ():  # what the batch remembers follows the rows
            assert batch is not None
            kept = batch.ref_ids.get(merge.kept) or self.store.ref_of(session, merge.kept_url)
            if kept is not None:
                batch.merged(merge, batch.intern(kept))
            else:  # not readable: nothing remembered may name the moved rows
                batch.refs.clear()
                batch.ref_ids.clear()
                batch.hash_refs.clear()
        return _after_merges(decision, merges)

    def _move_copies(self, ctx: RuleContext, decision: Decision | None = None) -> None:
        """The stored copies the newcomer, stored as a story of its own, is a better home for move to its
        story (``worker/story_move.py``). Reached only by a stored item whose match joined a copy (it is
        fuller than a copy of a story, and no copy of that story's representative)."""
        match = ctx.match
        if not isinstance(match, StoryMatch):
            return
        session, batch = ctx.session, self._batch
        self._flush_pending(session)  # the newcomer's row written, every id known
        if batch is not None:
            decision = batch.decisions[-1]
        if decision is None or decision.article_id is None or decision.story_id is None:
            return
        home = Home(decision.article_id, decision.story_id, ctx.key, ctx.sig)
        keys = (match.key, *match.joined)
        moved = move_copies(session.connection(), home, keys, threshold=self.threshold, now=utcnow())
        if moved:
            log.info("copies %s moved to story %d by %s", [m.url for m in moved], home.story_id, ctx.key)
        if batch is not None and moved:  # the moved keys now stand for the newcomer
            own = batch.refs.get(ctx.key) or self.store.ref_of(session, ctx.key)
            for one in moved:
                if own is None:
                    batch.refs.pop(one.url, None)
                else:
                    batch.refs[one.url] = batch.intern(own)

    def _link_quoting(self, ctx: RuleContext, decision: Decision) -> None:
        """An item that joined its story as a copy, and that stored stories of their own quote whole
        (``embedded``): each such story is linked to the item's story by an ``embeds`` audit row, as it
        would have been had the item arrived first (a local story stored before the wire story it
        embeds). One row per copy found quoted (the export lists each linked story once); in a batch it
        waits for the batch's next write, its story ids read from the two articles then, so nothing is
        flushed for it."""
        match = ctx.match
        if not isinstance(match, StoryMatch):
            return
        session, batch, own = ctx.session, self._batch, ctx.target  # the item's story is its target's
        for key in match.embedded_in:
            quoting = self.peek(session, key)
            if quoting is None or quoting is own or (quoting.id is not None and quoting.id == own.id):
                continue
            if quoting.story_id is not None and quoting.story_id == own.story_id:
                continue
            row: dict[str, Any] = {"event": "embeds", "url": quoting.canonical_url, "other_url": ctx.key}
            row |= {"rule": Relation.EMBEDDED.value, "similarity": quoting_similarity(ctx.sig, quoting)}
            row["created_at"] = utcnow()
            if batch is not None:
                batch.pending_events.append(_PendingEvent(row, quoting, own))
                continue
            story = decision.story_id or own.story_id
            if quoting.story_id is not None and story is not None and quoting.story_id != story:
                row |= {"story_id": quoting.story_id, "other_story_id": story}
                session.connection().execute(_NEW_EVENT, row)

    def _other_stories(self, ctx: RuleContext) -> list[tuple[StoredRef, Verdict]]:
        """The stored articles, other than the one the item joined, that its other joining candidates
        stand for, each with the item's verdict against it: a copy of it (a join) or not listed.

        Each stored article is its story's representative, so another article is another story."""
        target, found = ctx.target, list[tuple[StoredRef, Verdict]]()
        for key in ctx.also:
            ref = self.peek(ctx.session, key)
            if ref is None or ref is target or (ref.id is not None and ref.id == target.id):
                continue
            if any(ref is other for other, _ in found):
                continue
            if ref.story_id is not None and ref.story_id == target.story_id:
                continue
            stored = Signature.from_bytes(ref.signature)
            if stored.num_perm != ctx.sig.num_perm or stored.shingle_size != ctx.sig.shingle_size:
                continue
            verdict = judge(ctx.sig, stored, ctx.sig.equal_count(stored), self.threshold, ctx.probe)
            if verdict is not None and verdict.joins:
                found.append((ref, verdict))
        return found

    def peek(self, session: Session, key: str) -> StoredRef | None:
        """The stored article an index key stands for, as ``resolve`` finds it, or None when its row is
        not visible (another writer's, not committed yet: no merge is made on what cannot be read)."""
        batch = self._batch
        if batch is not None and key in batch.refs:
            return batch.refs[key]
        if batch is not None and batch.replacements:  # till written, the store names the replaced one
            self._flush_pending(session)
        found = self.store.ref_of(session, key)
        if found is not None and batch is not None:
            found = batch.refs[key] = batch.intern(found)
        return found

    def stored_text(self, session: Session, ref: StoredRef) -> str | None:
        """The stored article's text (a held-back row is written first), for the rare verdict that must
        read it; None when its row is gone."""
        batch = self._batch
        if ref.id is None and batch is not None:  # a held-back row: its text is in the batch
            for pending, values in zip(batch.pending_refs, batch.pending, strict=True):
                if pending is ref:
                    return str(values["text"])
            for replacement in batch.replacements:
                if replacement.ref is ref:
                    return str(replacement.values["text"])
            self._flush_pending(session)
        if ref.id is None:
            return None
        return session.scalar(select(_ARTICLES.c.text).where(_ARTICLES.c.id == ref.id))

    # -- the writes a decision makes (called by the rules) --------------------------------------------
    def store_new(self, ctx: RuleContext, match: Match | None) -> Decision:
        """A new story, stored; related (``match``) to a stored one it embeds, sits in, or only looks like."""
        known, batch = ctx.known, self._batch
        if known is not None:  # its text changed so much it is now a story of its own
            ctx.session.delete(known)
        values = self._new_values(ctx)
        if known is None and batch is not None:  # written with the batch's next
            ref = _ref_of(values, None, None)
            batch.pending.append(values)
            batch.pending_at.append(len(batch.decisions))
            batch.pending_refs.append(ref)
            batch.refs[ctx.key] = ref
            batch.remember_hash(ref)
            if match is not None:
                self._link(ctx, match, ref)
            return Decision(Outcome.STORED, ctx.article.url, version=1)  # ids filled in when written
        article_id, story_id = self._store_now(ctx.session, values)
        ref = _ref_of(values, article_id, story_id)
        if batch is not None:
            ref = batch.intern(ref)
            batch.refs[ctx.key] = ref
            batch.remember_hash(ref)
        if match is not None:
            self._link(ctx, match, ref)
        return Decision(Outcome.STORED, ctx.article.url, article_id=article_id, version=1, story_id=story_id)

    def _store_now(self, session: Session, values: dict[str, Any]) -> tuple[int, int]:
        """A new article that is the first copy of a new story, and that story's representative.

        Written with three Core statements on the session's connection rather than ORM objects: the ORM's
        unit of work costs more than the writes themselves. Returns (article id, story id).
        """
        connection = session.connection()
        now = utcnow()
        story_id = connection.execute(_NEW_STORY, {"created_at": now, "updated_at": now}).scalar_one()
        values["story_id"] = story_id
        article_id = connection.execute(_NEW_ARTICLE, values).scalar_one()
        connection.execute(_REPRESENTATIVE, {"story": story_id, "article": article_id, "now": now})
        return article_id, story_id

    @staticmethod
    def _new_values(ctx: RuleContext) -> dict[str, Any]:
        now = utcnow()
        return _fields(ctx.article) | {
            "canonical_url": ctx.key,
            "source_id": ctx.source_id,
            "story_id": None,
            "content_hash": ctx.chash,
            "signature": ctx.sig.to_bytes(),
            "version": 1,
            "fetched_at": ctx.fetched_at,
            "stored_at": now,
            "updated_at": now,
        }

    def _link(self, ctx: RuleContext, match: Match, new: StoredRef) -> None:
        """Audit row for a stored item the judge related to a stored story without joining it. Its story
        ids are read from the two articles when the row is written: either may still be a pending row."""
        other = self.resolve(ctx, match)
        if other.id is not None and other.story_id is None:  # a row stored before stories existed
            self._story_id(ctx.session, other)
        row: dict[str, Any]
        if match.rule == Relation.EMBEDDED:  # the stored story quotes the new one in full
            row = {"event": "embeds", "url": other.canonical_url, "other_url": ctx.key}
            story, linked = other, new
        elif match.rule == Relation.EMBEDS:
            row = {"event": "embeds", "url": ctx.key, "other_url": other.canonical_url}
            story, linked = new, other
        else:
            row = {"event": "not_a_copy", "url": ctx.key, "other_url": match.key}
            story, linked = new, other
        row |= {"rule": match.rule, "similarity": round(float(match.similarity), 4), "created_at": utcnow()}
        if self._batch is not None:
            self._batch.pending_events.append(_PendingEvent(row, story, linked))
        else:
            row |= {"story_id": story.story_id, "other_story_id": linked.story_id}
            ctx.session.connection().execute(_NEW_EVENT, row)

    def _event(self, connection: Any, row: dict[str, Any]) -> None:
        """A story audit row: written with the batch's next statement, or now outside a batch."""
        if self._batch is not None:
            self._batch.pending_events.append(_PendingEvent(row))
        else:
            connection.execute(_NEW_EVENT, row)

    def _story_id(self, session: Session, article: StoredRef) -> int:
        """The article's story, created for a row stored before stories existed."""
        if article.id is None:  # held back by the batch: written now, so it has its ids
            self._flush_pending(session)
        if article.story_id is None:
            now = utcnow()
            connection = session.connection()
            story_id = connection.execute(_NEW_STORY, {"created_at": now, "updated_at": now}).scalar_one()
            connection.execute(_REPRESENTATIVE, {"story": story_id, "article": article.id, "now": now})
            connection.execute(
                update(_ARTICLES).where(_ARTICLES.c.id == article.id).values(story_id=story_id)
            )
            article.story_id = story_id
        return article.story_id

    def replace_representative(self, ctx: RuleContext, old: StoredRef, similarity: float) -> Decision:
        """A fuller copy of a stored story arrived: it becomes the stored article and the story's
        representative; the old one moves to the story's copies, and an audit row says so.

        Duplicates of the old article are re-pointed first, so both exports name the new representative
        and no copy is cascaded away with the old row.
        """
        session, batch, similarity = ctx.session, self._batch, round(float(similarity), 4)
        if batch is not None and old.id is not None and old.story_id is not None and ctx.known is None:
            return self._replace_later(ctx, batch, old, similarity)
        story_id = self._story_id(session, old)
        if batch is not None:  # the old article's URL now names a duplicate row
            batch.written(old.canonical_url)
        if ctx.known is not None:
            session.delete(ctx.known)
            session.flush()
        values = self._new_values(ctx) | {"story_id": story_id}
        connection, now = session.connection(), utcnow()
        article_id = connection.execute(_NEW_ARTICLE, values).scalar_one()
        connection.execute(_REPOINT, {"old": old.id, "new": article_id})
        superseded = _superseded_row(old, article_id, story_id, similarity)
        event = {"story_id": story_id, "event": "representative_replaced", "url": ctx.key}
        event |= {"other_story_id": None, "other_url": old.canonical_url, "rule": Relation.FULLER.value}
        self._event(connection, event | {"similarity": similarity, "created_at": now})
        connection.execute(_DROP_ARTICLE, {"old": old.id})
        if batch is None:
            connection.execute(_NEW_DUPLICATES, superseded)
            connection.execute(_REPRESENTATIVE, {"story": story_id, "article": article_id, "now": now})
        else:  # ``old`` becomes the new article, so the rows waiting on it name the new one
            batch.replaced(old, _ref_of(values, article_id, story_id))
            batch.pending_duplicates.append(_PendingDuplicate(superseded, old, None))
            batch.pending_representatives[story_id] = old
        return _replaced(ctx, article_id, story_id, similarity)

    def _replace_later(self, ctx: RuleContext, batch: _Batch, old: StoredRef, similarity: float) -> Decision:
        """``replace_representative`` inside a batch, for a written representative: every row it means
        (the new article, the re-pointing, the old row's deletion, its duplicate and audit rows, the
        story's new representative) goes out with the batch's next write. Until then ``old`` stands for
        the new article, so rows waiting on it follow, and the store is read only after that write."""
        assert old.id is not None and old.story_id is not None
        story_id, old_id = old.story_id, old.id
        batch.written(old.canonical_url)  # the old article's URL now names a duplicate row
        values = self._new_values(ctx) | {"story_id": story_id}
        superseded = _superseded_row(old, old_id, story_id, similarity)  # duplicate_of: filled when written
        event = {"story_id": story_id, "event": "representative_replaced", "url": ctx.key}
        event |= {"other_story_id": None, "other_url": old.canonical_url, "rule": Relation.FULLER.value}
        batch.pending_events.append(_PendingEvent(event | {"similarity": similarity, "created_at": utcnow()}))
        batch.replaced(old, _ref_of(values, None, story_id))
        batch.replacements.append(_Replacement(values, old_id, old, len(batch.decisions)))
        batch.pending_duplicates.append(_PendingDuplicate(superseded, old, None))
        batch.pending_representatives[story_id] = old
        return _replaced(ctx, None, story_id, similarity)

    def same_url(self, ctx: RuleContext, existing: ArticleRecord) -> Decision:
        if existing.content_hash == ctx.chash:
            return Decision(
                Outcome.UNCHANGED,
                ctx.article.url,
                article_id=existing.id,
                version=existing.version,
                rule=Rule.SAME_URL,
                story_id=existing.story_id,
            )
        ctx.session.add(
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
        _apply(existing, ctx.article)
        existing.content_hash = ctx.chash
        existing.signature = ctx.sig.to_bytes()
        existing.version += 1
        existing.fetched_at = ctx.fetched_at
        existing.updated_at = utcnow()
        if self._batch is not None:  # the article's text and fingerprint changed under its key
            self._batch.rewritten(existing)
        ctx.session.flush()
        return Decision(
            Outcome.NEW_VERSION,
            ctx.article.url,
            article_id=existing.id,
            version=existing.version,
            rule=Rule.SAME_URL,
            story_id=existing.story_id,
        )

    def duplicate(
        self,
        ctx: RuleContext,
        original: StoredRef,
        similarity: float,
        rule: Rule,
        *,
        signature: Signature | None = None,
    ) -> Decision:
        """The item recorded as a copy in ``original``'s story; its row goes with the batch's next write
        when nothing about it needs the ORM (no earlier row at this URL, the original already in a story)."""
        batch, known, similarity = self._batch, ctx.known, round(float(similarity), 4)
        values: dict[str, Any] = {
            "url": ctx.key,
            "source_id": ctx.source_id,
            "duplicate_of": original.id,
            "story_id": original.story_id,
            "similarity": similarity,
            "rule": rule.value,
            "content_hash": ctx.chash,
            "signature": signature.to_bytes() if signature is not None else None,
            "title": ctx.article.title,
            "seen_at": utcnow(),
        }
        decision = Decision(Outcome.DUPLICATE, ctx.article.url, similarity=similarity, rule=rule)
        if batch is not None and known is None and original.id is None:  # ids filled in when written
            batch.pending_duplicates.append(_PendingDuplicate(values, original, len(batch.decisions)))
            batch.refs[ctx.key] = original
            return decision
        if batch is not None and known is None and original.story_id is not None:
            # The decision names the original as it is now; the row follows it if a fuller copy
            # replaces it before the batch writes (as the re-pointing of written rows would).
            batch.pending_duplicates.append(_PendingDuplicate(values, original, None))
            batch.refs[ctx.key] = original
            return replace(decision, duplicate_of=original.id, story_id=original.story_id)
        story_id = values["story_id"] = self._story_id(ctx.session, original)  # writes what is pending
        values["duplicate_of"] = original.id
        if known is not None:  # the URL's earlier duplicate row, now naming this story
            for name, value in values.items():
                setattr(known, name, value)
            ctx.session.flush()
        else:
            ctx.session.connection().execute(_NEW_DUPLICATES, values)
        if batch is not None:
            batch.refs[ctx.key] = original
        return replace(decision, duplicate_of=original.id, story_id=story_id)


def _new_ids(connection: Any, stories: int, articles: int) -> tuple[list[int], list[int]]:
    """Ids for that many new stories and articles, given before their rows are written, so each table's
    rows go in one executemany. An INSERT ... RETURNING of many rows kept in parameter order costs one
    statement per row on SQLite, and on PostgreSQL one statement text of every row's placeholders, which
    the driver parsed again for each batch (1.4 MB of SQL per 2,662 items): most of a batch's writes.

    PostgreSQL: the ids are drawn from the tables' own sequences, as the inserts would draw them. SQLite:
    the ids it would give, one past the largest (no AUTOINCREMENT here), so the rows are the ones it would
    have made; a writer that slips in between (SQLite lets one write at a time) breaks the insert on the
    primary key, and the batch is decided again one item at a time, as for any concurrent write."""
    if connection.dialect.name != "sqlite":
        drawn = [
            sorted(connection.execute(_DRAW_IDS[table], {"count": count}).scalars()) if count else []
            for table, count in ((_STORIES, stories), (_ARTICLES, articles))
        ]
        return drawn[0], drawn[1]
    top_story, top_article = connection.execute(_TOP_IDS).one()
    first_story, first_article = (top_story or 0) + 1, (top_article or 0) + 1
    return list(range(first_story, first_story + stories)), list(
        range(first_article, first_article + articles)
    )


def _ref_of(values: dict[str, Any], article_id: int | None, story_id: int | None) -> StoredRef:
    """The reference a later copy in the same batch resolves to, from the row as written."""
    return StoredRef(
        article_id,
        values["canonical_url"],
        story_id,
        values["signature"],
        values["source_id"],
        values["content_hash"],
        values["title"],
        values["stored_at"],
    )


def _own_story(decision: Decision) -> bool:
    """Whether the item was stored as a new story (not as a story's new representative)."""
    return decision.outcome is Outcome.STORED and decision.rule is None


def _quoted_elsewhere(ctx: RuleContext, decision: Decision) -> bool:
    """Whether the item joined a story (a copy, or its new representative) and stored texts quote it."""
    match = ctx.__dict__.get("match")  # only what a rule already asked of the index
    return isinstance(match, StoryMatch) and bool(match.embedded_in) and _joined(decision)


def quoting_similarity(sig: Signature, quoting: StoredRef) -> float:
    """The item's estimated Jaccard with the stored story that quotes it (0 across fingerprint formats)."""
    try:
        return round(sig.jaccard(Signature.from_bytes(quoting.signature)), 4)
    except ValueError:
        return 0.0


def _joined(decision: Decision) -> bool:
    """Whether the item was judged a copy of its story's text (not an exact copy, not a link)."""
    if decision.outcome is Outcome.DUPLICATE:
        return decision.rule in (Rule.NEAR_DUPLICATE, Rule.CONTAINED)
    return decision.outcome is Outcome.STORED and decision.rule == Relation.FULLER.value


def _after_merges(decision: Decision, merges: list[Merged]) -> Decision:
    """The item's decision as the store stands after the merges: the surviving story, and the kept
    representative in place of one that became its copy (the item's own article too, when the other
    story's was the fuller: the item is then that one's copy)."""
    for merge in merges:
        dropped = {article_id for article_id, _ in merge.dropped}
        if decision.story_id == merge.merged:
            decision = replace(decision, story_id=merge.survivor)
        if decision.duplicate_of in dropped:
            decision = replace(decision, duplicate_of=merge.kept)
        if decision.outcome is Outcome.STORED and decision.article_id in dropped:
            decision = Decision(
                Outcome.DUPLICATE,
                decision.url,
                duplicate_of=merge.kept,
                similarity=decision.similarity,
                rule=Rule.MERGED,
                story_id=merge.survivor,
            )
    return decision


def _replaced(ctx: RuleContext, article_id: int | None, story_id: int, similarity: float) -> Decision:
    """The decision on a fuller copy that became its story's representative."""
    return Decision(
        Outcome.STORED,
        ctx.article.url,
        article_id=article_id,
        version=1,
        story_id=story_id,
        similarity=similarity,
        rule=Relation.FULLER.value,
    )


def _superseded_row(old: StoredRef, new_id: int, story_id: int, similarity: float) -> dict[str, Any]:
    """A former representative's duplicate row: it keeps its fingerprint, so its copies still find it."""
    return {
        "url": old.canonical_url,
        "source_id": old.source_id,
        "duplicate_of": new_id,
        "story_id": story_id,
        "similarity": similarity,
        "rule": Rule.SUPERSEDED.value,
        "content_hash": old.content_hash,
        "signature": old.signature,
        "title": old.title,
        "seen_at": old.stored_at,
    }


def _fields(article: Article) -> dict[str, Any]:
    """The article's own columns, as the item gives them (derived from the ``Article`` declaration)."""
    return article_values(article)


def _apply(row: ArticleRecord, article: Article) -> None:
    for name, value in _fields(article).items():
        setattr(row, name, value)
