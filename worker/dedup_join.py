"""A worker's join: the in-process dedup index filled from the store, with only what the window keeps.

Every worker without a shared Redis index rebuilds its index from the stored signatures when it starts,
so the join reads two columns and a timestamp per row and hands them to ``InProcessIndex.build`` in one
go (its decode is one pass over the bytes, not an object per row). With a retention window
(``WIREFEED_DEDUP_WINDOW_DAYS``) the rows older than the window are filtered in SQL: neither the join
time nor the memory then grows with the history, only with the window. Each row keeps its stored time,
so a long-running worker lets it leave the window on time too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Float, cast, func, select

from worker.dedup import InProcessIndex
from worker.models import ArticleRecord, DuplicateRecord
from worker.store import Store

DAY_S = 86_400.0


def stored_signatures(
    store: Store, since: datetime | None = None
) -> tuple[list[tuple[str, bytes]], list[float]]:
    """Every indexed (key, signature) stored at or after ``since`` (all of them without it), and when.

    Stored articles by their last update, then near-duplicates that kept their signature by when they
    were seen: the same rows, in the same order, as ``Store.iter_signatures``. The database turns the
    times into epoch seconds (parsing a million SQLite time strings in Python was most of a join).
    """
    dialect = store.engine.dialect.name
    updated, seen = (_epoch_seconds(c, dialect) for c in (ArticleRecord.updated_at, DuplicateRecord.seen_at))
    queries = [
        select(ArticleRecord.canonical_url, ArticleRecord.signature, updated),
        select(DuplicateRecord.url, DuplicateRecord.signature, seen).where(
            DuplicateRecord.signature.is_not(None)
        ),
    ]
    if since is not None:
        queries[0] = queries[0].where(ArticleRecord.updated_at >= since)
        queries[1] = queries[1].where(DuplicateRecord.seen_at >= since)
    keys: list[str] = []
    blobs: list[bytes] = []
    stamps: list[float] = []
    with store.engine.connect() as conn:
        for query in queries:
            rows = conn.execute(query).all()
            if rows:
                found_keys, found_blobs, found_stamps = zip(*rows, strict=True)
                keys += found_keys
                blobs += found_blobs
                stamps += map(float, found_stamps)
    return list(zip(keys, blobs, strict=True)), stamps


def _epoch_seconds(column: Any, dialect: str) -> Any:
    """The column's instant as epoch seconds, computed by the database (times are stored in UTC)."""
    if dialect == "sqlite":
        return cast(func.strftime("%s", column), Float)
    return cast(func.extract("epoch", column), Float)


def join_index(store: Store, threshold: float, window_days: float | None = None) -> InProcessIndex:
    """The in-process index of what the store holds inside the window (everything without one)."""
    window = window_days * DAY_S if window_days else None
    since = datetime.now(UTC) - timedelta(seconds=window) if window else None
    pairs, stamps = stored_signatures(store, since)
    return InProcessIndex.build(pairs, threshold, stamps=stamps, window=window)
