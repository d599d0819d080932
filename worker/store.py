"""The article store: engine set-up and the few queries the pipeline, the CLI and exports need.

The store never parses HTML and never decides what is a duplicate; it only records decisions, each keyed by
what the item is (canonical URL, content hash) so that a repeated write changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Engine,
    Select,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    literal,
    select,
    union_all,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import BindParameter

from worker import metrics, migrate
from worker.models import (
    ArticleRecord,
    CrawlState,
    DuplicateRecord,
    IngestErrorRecord,
    Source,
)


@dataclass(slots=True)
class StoredRef:
    """The columns of a stored article that deciding a copy of it needs, read without the ORM.

    Most items of a batch only point at a stored story (a duplicate row names it), so loading, tracking and
    flushing whole ``ArticleRecord`` objects for them costs more than the decision. ``id`` and ``story_id``
    are None while the article is a batch's pending row; they are filled in when it is written.
    """

    id: int | None
    canonical_url: str
    story_id: int | None
    signature: bytes
    source_id: int | None
    content_hash: str
    title: str | None
    stored_at: datetime | None


_REF_COLUMNS = (
    ArticleRecord.id,
    ArticleRecord.canonical_url,
    ArticleRecord.story_id,
    ArticleRecord.signature,
    ArticleRecord.source_id,
    ArticleRecord.content_hash,
    ArticleRecord.title,
    ArticleRecord.stored_at,
)


def _ref_of_query() -> Select[Any]:
    """An article by its own URL first, else the original of the duplicate row at that URL."""
    key: BindParameter[Any] = bindparam("key")
    own = select(*_REF_COLUMNS, literal(0).label("rank")).where(ArticleRecord.canonical_url == key)
    via = (
        select(*_REF_COLUMNS, literal(1).label("rank"))
        .join(DuplicateRecord, DuplicateRecord.duplicate_of == ArticleRecord.id)
        .where(DuplicateRecord.url == key)
    )
    both = union_all(own, via).subquery()
    return select(both).order_by(both.c.rank).limit(1)


# Built once: constructing a union per lookup cost more than running it.
_REF_OF = _ref_of_query()
_REF_BY_HASH = (
    select(*_REF_COLUMNS)
    .where(ArticleRecord.content_hash == bindparam("hash"))
    .order_by(ArticleRecord.id)
    .limit(1)
)


def _ref(row: Sequence[Any] | None) -> StoredRef | None:
    if row is None:
        return None
    article_id, url, story_id, signature, source_id, chash, title, stored_at = row[:8]
    return StoredRef(article_id, url, story_id, signature, source_id, chash, title, stored_at)


class StorageUnavailable(RuntimeError):
    """The database could not be reached: the item was not decided and is worth trying again later.

    Raised rather than recorded, because a rejection is a verdict on the item, and an outage is not.
    """


def is_unreachable(error: DBAPIError) -> bool:
    """A connection-level failure (server down, connection dropped, database locked) rather than a refusal."""
    return bool(error.connection_invalidated) or isinstance(error, OperationalError | InterfaceError)


class SchemaMissing(RuntimeError):
    """The database has no wirefeed schema, or an older one; the message says which command fixes it."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (export, stats) run while an ingest writes; busy_timeout makes concurrent CLI runs
    # wait for the lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


class Store:
    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._source_ids: dict[str, int] = {}

    # -- schema ----------------------------------------------------------------------------------------
    def upgrade(self) -> None:
        migrate.upgrade(self.engine)

    def schema_status(self) -> tuple[str | None, str | None]:
        """(current revision, head revision) of this database."""
        return migrate.current_revision(self.engine), migrate.head_revision()

    def require_schema(self) -> None:
        try:
            current, head = self.schema_status()
        except OperationalError as error:
            raise SchemaMissing(f"cannot open the database {self._safe_url()}: {error.orig}") from None
        if current is None:
            raise SchemaMissing(
                f"the database {self._safe_url()} has no wirefeed schema yet: run `wirefeed db upgrade`"
            )
        if current != head:
            raise SchemaMissing(
                f"the database {self._safe_url()} is at schema {current}, this wirefeed needs {head}: "
                "run `wirefeed db upgrade`"
            )

    def has_table(self, name: str) -> bool:
        return inspect(self.engine).has_table(name)

    def _safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- sessions --------------------------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # -- lookups ---------------------------------------------------------------------------------------
    def source_id(self, name: str | None) -> int | None:
        """Get or create a source row, in a transaction of its own.

        Committed before the id is cached or used, so an item's transaction rolling back (a retry, a
        concurrent writer) can never leave the cache naming a source row that does not exist.
        """
        if not name:
            return None
        cached = self._source_ids.get(name)
        if cached is not None:
            return cached
        query = select(Source.id).where(Source.name == name)
        with self.session() as session:
            found = session.scalar(query)
            if found is None:
                try:
                    with session.begin_nested():
                        session.add(Source(name=name))
                except IntegrityError:  # another writer created it first; read theirs
                    pass
                found = session.scalar(query)
        if found is not None:
            self._source_ids[name] = found
        return found

    @staticmethod
    def article_by_url(session: Session, canonical_url: str) -> ArticleRecord | None:
        return session.scalar(select(ArticleRecord).where(ArticleRecord.canonical_url == canonical_url))

    @staticmethod
    def article_by_hash(session: Session, content_hash: str) -> ArticleRecord | None:
        return session.scalar(
            select(ArticleRecord).where(ArticleRecord.content_hash == content_hash).order_by(ArticleRecord.id)
        )

    @staticmethod
    def duplicate_by_url(session: Session, url: str) -> DuplicateRecord | None:
        return session.scalar(select(DuplicateRecord).where(DuplicateRecord.url == url))

    @staticmethod
    def ref_by_hash(session: Session, content_hash: str) -> StoredRef | None:
        """The first stored article with this exact text, as ``article_by_hash`` finds it."""
        return _ref(session.execute(_REF_BY_HASH, {"hash": content_hash}).first())

    @staticmethod
    def ref_of(session: Session, key: str) -> StoredRef | None:
        """The stored article an index key stands for (``story_of``), in one query without the ORM."""
        return _ref(session.execute(_REF_OF, {"key": key}).first())

    # -- batch lookups: one query per column for a whole batch of items ------------------------------
    IN_CHUNK = 500  # values per IN list, well under every backend's bound-parameter limit

    @classmethod
    def _present(cls, session: Session, column: Any, values: set[str]) -> set[str]:
        """Which of ``values`` the column holds. On PostgreSQL one array parameter (``= ANY``) instead of
        an IN list: the statement's text stays short and the same, so the driver converts it once, where
        a list of hundreds of placeholders was parsed afresh on every call."""
        found: set[str] = set()
        ordered = sorted(values)
        if ordered and session.get_bind().dialect.name == "postgresql":
            query = select(column).where(column == any_(bindparam("values", type_=ARRAY(column.type))))
            found.update(session.scalars(query, {"values": ordered}))
            return found
        for start in range(0, len(ordered), cls.IN_CHUNK):
            chunk = ordered[start : start + cls.IN_CHUNK]
            found.update(session.scalars(select(column).where(column.in_(chunk))))
        return found

    def present_article_urls(self, session: Session, urls: set[str]) -> set[str]:
        return self._present(session, ArticleRecord.canonical_url, urls)

    def present_duplicate_urls(self, session: Session, urls: set[str]) -> set[str]:
        return self._present(session, DuplicateRecord.url, urls)

    def present_hashes(self, session: Session, hashes: set[str]) -> set[str]:
        return self._present(session, ArticleRecord.content_hash, hashes)

    def signatures_of(self, keys: set[str]) -> dict[str, bytes]:
        """The signature each index key has in the store (an article's, else a near-duplicate's)."""
        ordered = sorted(keys)
        found: dict[str, bytes] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(ordered), self.IN_CHUNK):
                chunk = ordered[start : start + self.IN_CHUNK]
                for url, sig in conn.execute(
                    select(DuplicateRecord.url, DuplicateRecord.signature).where(
                        DuplicateRecord.url.in_(chunk), DuplicateRecord.signature.is_not(None)
                    )
                ):
                    if sig is not None:
                        found[url] = bytes(sig)
                for url, sig in conn.execute(
                    select(ArticleRecord.canonical_url, ArticleRecord.signature).where(
                        ArticleRecord.canonical_url.in_(chunk)
                    )
                ):
                    found[url] = bytes(sig)
        return found

    def iter_signatures(self, batch: int = 5000) -> Iterator[tuple[str, bytes]]:
        """Every indexed (key, signature): stored articles, then near-duplicates that kept theirs.

        Streamed, so a large store rebuilds its index in bounded memory.
        """
        queries = (
            select(ArticleRecord.canonical_url, ArticleRecord.signature),
            select(DuplicateRecord.url, DuplicateRecord.signature).where(
                DuplicateRecord.signature.is_not(None)
            ),
        )
        with self.engine.connect() as conn:
            for query in queries:
                for key, sig in conn.execution_options(yield_per=batch).execute(query):
                    if sig is not None:  # the query excludes them; the column type allows them
                        yield key, bytes(sig)

    def story_of(self, session: Session, key: str) -> ArticleRecord | None:
        """The stored article an index key stands for: the article itself, or the original of a duplicate."""
        article = self.article_by_url(session, key)
        if article is not None:
            return article
        duplicate = self.duplicate_by_url(session, key)
        return session.get(ArticleRecord, duplicate.duplicate_of) if duplicate is not None else None

    # -- errors ----------------------------------------------------------------------------------------
    def record_error(
        self,
        *,
        url: str | None,
        source: str | None,
        stage: str,
        kind: str,
        message: str,
        line: int | None = None,
        item_id: str | None = None,
        payload: str | None = None,
    ) -> None:
        with self.session() as session:
            session.add(
                IngestErrorRecord(
                    url=url,
                    source=source,
                    stage=stage,
                    kind=kind,
                    message=message[:4000],
                    line=line,
                    item_id=item_id[:200] if item_id else None,
                    payload=payload,
                )
            )
        metrics.count_item("rejected", kind)  # every rejection, whichever stage wrote it, lands here

    # -- crawl state -----------------------------------------------------------------------------------
    @staticmethod
    def crawl_state(session: Session, url: str) -> CrawlState | None:
        return session.get(CrawlState, url)

    # -- stats -----------------------------------------------------------------------------------------
    def stats(self) -> list[dict[str, Any]]:
        """Articles, versions, duplicates and errors per source (`wirefeed stats`, crawl summary)."""
        rows: dict[str, dict[str, Any]] = {}

        def row(name: str | None) -> dict[str, Any]:
            key = name or "(none)"
            return rows.setdefault(
                key,
                {
                    "source": key,
                    "articles": 0,
                    "versions": 0,
                    "duplicates": 0,
                    "errors": 0,
                    "last_stored": None,
                },
            )

        with self.session() as session:
            articles = (
                select(
                    Source.name,
                    func.count(ArticleRecord.id),
                    func.sum(ArticleRecord.version - 1),
                    func.max(ArticleRecord.stored_at),
                )
                .select_from(ArticleRecord)
                .outerjoin(Source, Source.id == ArticleRecord.source_id)
                .group_by(Source.name)
            )
            for name, count, extra_versions, last in session.execute(articles):
                entry = row(name)
                entry["articles"] = count
                entry["versions"] = int(extra_versions or 0)
                entry["last_stored"] = _aware(last)
            duplicates = (
                select(Source.name, func.count(DuplicateRecord.id))
                .select_from(DuplicateRecord)
                .outerjoin(Source, Source.id == DuplicateRecord.source_id)
                .group_by(Source.name)
            )
            for name, count in session.execute(duplicates):
                row(name)["duplicates"] = count
            errors = select(IngestErrorRecord.source, func.count(IngestErrorRecord.id)).group_by(
                IngestErrorRecord.source
            )
            for source, count in session.execute(errors):
                row(source)["errors"] = count
        return sorted(rows.values(), key=lambda r: r["source"])

    def error_kinds(self, source: str | None = None) -> dict[str, int]:
        with self.session() as session:
            q = select(IngestErrorRecord.kind, func.count(IngestErrorRecord.id)).group_by(
                IngestErrorRecord.kind
            )
            if source is not None:
                q = q.where(IngestErrorRecord.source == source)
            return {kind: count for kind, count in session.execute(q)}


def _aware(value: datetime | None) -> datetime | None:
    # Aggregates bypass the column type, so SQLite hands back a naive string-parsed value.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value
