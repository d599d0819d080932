"""A worker's join: the in-process dedup index filled from the store, with only what the window keeps.

Every worker without a shared Redis index needs the index of what the store holds when it starts. Two
ways, the first that applies wins:

1. **Snapshot** (``worker/dedup_snapshot.py``): the index a previous join built, memory-mapped from one
   file, then caught up from SQL with the rows written after its high-water marks (ids above the marks,
   or rows written or changed within ``CATCH_UP_MARGIN_S`` before them: a transaction that took its id
   before the marks were read may commit after). Rows the store deleted since (pruned duplicates, a
   representative that moved to the copies) are found by counting and dropped by their row id. A
   snapshot of another store, another schema revision, other fingerprint or band parameters, a narrower
   window, or a damaged file is not used: the join falls back to 2.
2. **SQL rebuild**: every indexed row read in id order (key, signature bytes, stored time, id), built and
   sorted at once, then written as the next snapshot.

With a retention window (``WIREFEED_DEDUP_WINDOW_DAYS``) the rows older than the window are filtered in
SQL (and expired from a snapshot as it loads): neither the join time nor the memory then grows with the
history, only with the window. Each row keeps its stored time, so a long-running worker lets it leave the
window on time too.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Float, Select, cast, func, literal_column, or_, select, text

from worker.dedup import CANDIDATE_BAR, InProcessIndex, lsh_params
from worker.dedup_snapshot import SnapshotMismatch, read_snapshot, write_snapshot
from worker.fingerprint import FORMAT_VERSION, NUM_PERM, SHINGLE_SIZE
from worker.models import ArticleRecord, DuplicateRecord, Story
from worker.store import Store

log = logging.getLogger(__name__)

DAY_S = 86_400.0
CATCH_UP_MARGIN_S = 60.0
"""Rows stored or changed this long before a snapshot's marks are read again: far longer than a write
transaction of the pipeline (one batch is a second of work), so a change stamped before the marks were
read but committed after them is not missed."""
CATCH_UP_LIMIT = 0.25
"""A snapshot further behind the store than this share of its rows is not caught up: a rebuild is cheaper."""
REWRITE_AFTER = 10_000
"""A join that had to catch up or drop more rows than this (and a tenth of the index) writes a new snapshot,
so the next join starts from it."""
SNAPSHOT_SUFFIX = ".dedup-index"


@dataclass(frozen=True)
class StoreMarks:
    """What a snapshot stood for: which store, how far its rows went, and when that was read."""

    identity: str
    articles_max: int
    articles_count: int
    duplicates_max: int
    duplicates_count: int
    as_of: float


@dataclass
class JoinReport:
    """How a join went, for the log and the benchmark: where the index came from and what it cost."""

    source: str = "sql"  # "snapshot" or "sql"
    fallback: str | None = None  # why the snapshot was not used
    rows_read: int = 0
    rows_dropped: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    snapshot_bytes: int = 0


@dataclass
class _Rows:
    keys: list[str] = field(default_factory=list)
    blobs: list[bytes] = field(default_factory=list)
    stamps: list[float] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)  # article id, or minus a duplicate's id

    def extend(self, other: _Rows) -> None:
        self.keys += other.keys
        self.blobs += other.blobs
        self.stamps += map(float, other.stamps)
        self.tags += other.tags


def default_snapshot_path(store: Store) -> Path | None:
    """Beside a SQLite store's file (``<file>.dedup-index``); none for other stores or an in-memory one."""
    url = store.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    database = Path(url.database)
    return database.with_name(database.name + SNAPSHOT_SUFFIX)


def snapshot_choice(setting: str | None) -> Path | bool:
    """``WIREFEED_DEDUP_SNAPSHOT`` as ``join_index`` takes it: unset is the default place, ``off`` none."""
    if setting is None:
        return True
    if setting.strip().lower() in ("", "off", "none", "false", "0"):
        return False
    return Path(setting).expanduser()


def stored_signatures(
    store: Store, since: datetime | None = None
) -> tuple[list[tuple[str, bytes]], list[float]]:
    """Every indexed (key, signature) stored at or after ``since`` (all of them without it), and when.

    Stored articles by their last update, then near-duplicates that kept their signature by when they
    were seen: the same rows, in the same order, as ``Store.iter_signatures``.
    """
    with store.engine.connect() as conn:
        rows = _read_rows(conn, since)
    return list(zip(rows.keys, rows.blobs, strict=True)), rows.stamps


def _queries(
    dialect: str, since: datetime | None, after: StoreMarks | None
) -> tuple[Select[Any], Select[Any]]:
    """The indexed rows (tag, key, signature, stored time) of articles and of duplicates: all of them, or
    (``after``) only those written after a snapshot's marks; in the window ``since`` when given."""
    updated, seen = (_epoch_seconds(c, dialect) for c in (ArticleRecord.updated_at, DuplicateRecord.seen_at))
    articles = select(ArticleRecord.id, ArticleRecord.canonical_url, ArticleRecord.signature, updated)
    duplicates = select(-DuplicateRecord.id, DuplicateRecord.url, DuplicateRecord.signature, seen).where(
        DuplicateRecord.signature.is_not(None)
    )
    if since is not None:
        articles = articles.where(ArticleRecord.updated_at >= since)
        duplicates = duplicates.where(DuplicateRecord.seen_at >= since)
    if after is not None:
        changed = datetime.fromtimestamp(after.as_of - CATCH_UP_MARGIN_S, UTC)
        articles = articles.where(
            or_(ArticleRecord.id > after.articles_max, ArticleRecord.updated_at >= changed)
        )
        duplicates = duplicates.where(
            or_(DuplicateRecord.id > after.duplicates_max, DuplicateRecord.seen_at >= changed)
        )
        return articles, duplicates  # unordered: SQLite then reads two indexes, not the whole table
    return articles.order_by(ArticleRecord.id), duplicates.order_by(DuplicateRecord.id)


def _read_rows(conn: Connection, since: datetime | None, after: StoreMarks | None = None) -> _Rows:
    """Indexed rows in id order, articles then duplicates, read in large chunks. The database turns times
    into epoch seconds (parsing a million SQLite time strings in Python was most of a join)."""
    rows = _Rows()
    for query in _queries(conn.dialect.name, since, after):
        if since is None and after is None:  # no parameter to bind: straight from the driver's cursor
            sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            cursor = conn.connection.cursor()
            cursor.execute(sql)
            fetch = cursor.fetchmany
        else:
            fetch = conn.execute(query).fetchmany
        while chunk := fetch(50_000):
            tags, keys, blobs, stamps = zip(*chunk, strict=True)
            rows.tags += tags
            rows.keys += keys
            rows.blobs += blobs
            rows.stamps += map(float, stamps)
    return rows


def _count_rows(conn: Connection, since: datetime | None, after: StoreMarks) -> int:
    """How many rows ``_read_rows`` would read after ``after`` (from the indexes on ids and times)."""
    return sum(
        int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())
        for query in _queries(conn.dialect.name, since, after)
    )


def _epoch_seconds(column: Any, dialect: str) -> Any:
    """The column's instant as epoch seconds, computed by the database (times are stored in UTC)."""
    if dialect == "sqlite":  # julianday: a tenth of strftime('%s')'s cost, and it keeps the fraction
        return (func.julianday(column) - literal_column("2440587.5")) * literal_column("86400.0")
    return cast(func.extract("epoch", column), Float)


def store_marks(conn: Connection, store: Store) -> StoreMarks:
    """The store's identity and high-water marks, read before its rows (so rows written meanwhile are
    caught up by the next join, never skipped)."""
    as_of = time.time()
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    first = conn.execute(select(Story.id, Story.created_at).order_by(Story.id).limit(1)).first()
    where = store.engine.url.render_as_string(hide_password=True)
    if store.engine.url.get_backend_name() == "sqlite" and store.engine.url.database:
        where = str(Path(store.engine.url.database).resolve())
    identity = hashlib.sha256(f"{where}|{revision}|{tuple(first) if first else None}".encode()).hexdigest()
    # One aggregate per statement: SQLite answers each from an index, but not both at once.
    figures = [
        int(conn.execute(query).scalar_one() or 0)
        for table in (ArticleRecord, DuplicateRecord)
        for query in (select(func.max(table.id)), select(func.count()).select_from(table))
    ]
    return StoreMarks(identity, figures[0], figures[1], figures[2], figures[3], as_of)


def join_index(
    store: Store, threshold: float, window_days: float | None = None, snapshot: Path | bool = True
) -> InProcessIndex:
    """The in-process index of what the store holds inside the window (everything without one).

    ``snapshot``: the snapshot file to start from and to keep (True: ``default_snapshot_path``; False:
    none, every join reads everything from SQL).
    """
    return join_with_report(store, threshold, window_days, snapshot)[0]


def join_with_report(
    store: Store, threshold: float, window_days: float | None = None, snapshot: Path | bool = True
) -> tuple[InProcessIndex, JoinReport]:
    """``join_index``, saying how it went (see ``JoinReport``)."""
    path = default_snapshot_path(store) if snapshot is True else (snapshot or None)
    window = window_days * DAY_S if window_days else None
    report = JoinReport()
    started = time.perf_counter()
    with store.engine.connect() as conn:
        marks = store_marks(conn, store)
        index = None
        if path is not None:
            try:
                index = _from_snapshot(conn, path, marks, threshold, window, report)
            except SnapshotMismatch as error:
                report.fallback = str(error)
                log.info("dedup index snapshot not used, rebuilding from the store: %s", error)
        if index is None:
            index = _from_sql(conn, threshold, window, report)
    rewrite = report.source == "sql" or report.rows_read + report.rows_dropped > max(
        REWRITE_AFTER, len(index) // 10
    )
    if path is not None and rewrite:
        _save(index, path, marks, window, report)
    report.seconds["total"] = time.perf_counter() - started
    return index, report


def _from_sql(conn: Connection, threshold: float, window: float | None, report: JoinReport) -> InProcessIndex:
    start = time.perf_counter()
    since = datetime.now(UTC) - timedelta(seconds=window) if window else None
    rows = _read_rows(conn, since)
    report.seconds["read"] = time.perf_counter() - start
    report.rows_read = len(rows.keys)
    pairs = zip(rows.keys, rows.blobs, strict=True)
    index = InProcessIndex.build(pairs, threshold, stamps=rows.stamps, tags=rows.tags, window=window)
    report.seconds["build"] = time.perf_counter() - start - report.seconds["read"]
    return index


def _snapshot_meta(marks: StoreMarks, window: float | None) -> dict[str, Any]:
    return {"marks": asdict(marks), "window": window, "format": FORMAT_VERSION, "shingle_size": SHINGLE_SIZE}


def _from_snapshot(
    conn: Connection,
    path: Path,
    marks: StoreMarks,
    threshold: float,
    window: float | None,
    report: JoinReport,
) -> InProcessIndex:
    """The snapshot's index, caught up with the store; raises ``SnapshotMismatch`` when it cannot be."""
    start = time.perf_counter()
    if not path.exists():
        raise SnapshotMismatch(f"{path}: no snapshot yet")
    arrays, meta = read_snapshot(path)
    try:
        old = StoreMarks(**meta["marks"])
    except (KeyError, TypeError) as error:
        raise SnapshotMismatch(f"{path}: no store marks ({error})") from None
    _check_fits(meta, old, marks, arrays.num_perm, (arrays.bands, arrays.rows), threshold, window)
    index = InProcessIndex.from_arrays(arrays, threshold, window=window)
    report.seconds["load"] = time.perf_counter() - start
    since = datetime.now(UTC) - timedelta(seconds=window) if window else None
    behind = _count_rows(conn, since, old)
    if behind > max(REWRITE_AFTER, CATCH_UP_LIMIT * len(arrays.keys)):
        raise SnapshotMismatch(f"{behind:,} rows behind the store, more than a rebuild costs")
    dropped = _drop_deleted(conn, index, old, marks)
    report.rows_dropped = len(dropped)
    rows = _read_rows(conn, since, after=old)
    rows.extend(_read_moved(conn, since, dropped))
    index.load_rows(rows.keys, rows.blobs, rows.stamps, rows.tags)
    report.rows_read = len(rows.keys)
    report.seconds["catch_up"] = time.perf_counter() - start - report.seconds["load"]
    report.source = "snapshot"
    return index


def _check_fits(
    meta: dict[str, Any],
    old: StoreMarks,
    marks: StoreMarks,
    num_perm: int,
    params: tuple[int, int],
    threshold: float,
    window: float | None,
) -> None:
    """Raise ``SnapshotMismatch`` unless the snapshot can stand for this store under these settings."""
    if old.identity != marks.identity:
        raise SnapshotMismatch("made for another store or schema revision")
    if (meta.get("format"), meta.get("shingle_size"), num_perm) != (FORMAT_VERSION, SHINGLE_SIZE, NUM_PERM):
        raise SnapshotMismatch("made for other fingerprint parameters")
    if params != lsh_params(min(threshold, CANDIDATE_BAR), NUM_PERM):
        raise SnapshotMismatch("made for other band parameters")
    kept = meta.get("window")
    if kept is not None and (window is None or time.time() - window < old.as_of - kept):
        raise SnapshotMismatch("made under a narrower window than this join's")


def _drop_deleted(conn: Connection, index: InProcessIndex, old: StoreMarks, marks: StoreMarks) -> list[str]:
    """Drop the snapshot's rows the store no longer has; returns their keys. Counting first costs two
    index scans; the ids are read only when the counts say some row at or below the marks went. (A row
    deleted and its id given to a new row keeps the counts: the new row is caught up by its time, and
    drops the old one by its id, in ``InProcessIndex.load_rows``.)"""
    dropped: list[str] = []
    for table, column, count, top, sign in (
        (ArticleRecord, ArticleRecord.id, old.articles_count, old.articles_max, 1),
        (DuplicateRecord, DuplicateRecord.id, old.duplicates_count, old.duplicates_max, -1),
    ):
        total = marks.articles_count if sign == 1 else marks.duplicates_count
        newer = conn.execute(select(func.count()).select_from(table).where(column > top)).scalar_one()
        if total - newer == count:
            continue
        # All ids, filtered here: without a condition SQLite reads them from an index, not the table.
        present = np.fromiter(conn.execute(select(column)).scalars(), dtype=np.int64)
        present = present[present <= top]
        tags = index.tags()
        mine = tags[tags > 0] if sign == 1 else -tags[tags < 0]
        gone = np.setdiff1d(mine, present, assume_unique=True)
        dropped += index.drop_tagged(gone * sign)
    return dropped


def _read_moved(conn: Connection, since: datetime | None, keys: list[str]) -> _Rows:
    """Duplicate rows now under the keys of dropped rows: a representative replaced by a fuller copy moves
    to the copies under its own URL, keeping its old time (so the catch-up by time would not see it)."""
    rows = _Rows()
    duplicates = _queries(conn.dialect.name, since, None)[1]
    for start in range(0, len(keys), 500):
        query = duplicates.where(DuplicateRecord.url.in_(keys[start : start + 500]))
        for tag, key, blob, stamp in conn.execute(query):
            rows.extend(_Rows([key], [blob], [stamp], [tag]))
    return rows


def _save(
    index: InProcessIndex, path: Path, marks: StoreMarks, window: float | None, report: JoinReport
) -> None:
    start = time.perf_counter()
    try:
        report.snapshot_bytes = write_snapshot(path, index.arrays(), _snapshot_meta(marks, window))
    except (OSError, ValueError) as error:  # a read-only folder, a full disk: the next join rebuilds
        log.warning("dedup index snapshot not written to %s: %s", path, error)
    report.seconds["write"] = time.perf_counter() - start
