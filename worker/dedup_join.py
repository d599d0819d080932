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

from sqlalchemy import select

from worker.dedup import InProcessIndex
from worker.models import ArticleRecord, DuplicateRecord
from worker.store import Store

DAY_S = 86_400.0


def stored_signatures(
    store: Store, since: datetime | None = None, batch: int = 20_000
) -> tuple[list[tuple[str, bytes]], list[float]]:
    """Every indexed (key, signature) stored at or after ``since`` (all of them without it), and when.

    Stored articles by their last update, then near-duplicates that kept their signature by when they
    were seen: the same rows, in the same order, as ``Store.iter_signatures``.
    """
    queries = [
        select(ArticleRecord.canonical_url, ArticleRecord.signature, ArticleRecord.updated_at),
        select(DuplicateRecord.url, DuplicateRecord.signature, DuplicateRecord.seen_at).where(
            DuplicateRecord.signature.is_not(None)
        ),
    ]
    if since is not None:
        queries[0] = queries[0].where(ArticleRecord.updated_at >= since)
        queries[1] = queries[1].where(DuplicateRecord.seen_at >= since)
    pairs: list[tuple[str, bytes]] = []
    stamps: list[float] = []
    with store.engine.connect() as conn:
        for query in queries:
            for key, sig, when in conn.execution_options(yield_per=batch).execute(query):
                if sig is None:  # excluded by the query; kept out of the types as well
                    continue
                pairs.append((key, sig if isinstance(sig, bytes) else bytes(sig)))
                stamps.append(_epoch(when))
    return pairs, stamps


def join_index(store: Store, threshold: float, window_days: float | None = None) -> InProcessIndex:
    """The in-process index of what the store holds inside the window (everything without one)."""
    window = window_days * DAY_S if window_days else None
    since = datetime.now(UTC) - timedelta(seconds=window) if window else None
    pairs, stamps = stored_signatures(store, since)
    return InProcessIndex.build(pairs, threshold, stamps=stamps, window=window)


def _epoch(when: datetime) -> float:
    """Seconds since the epoch; a naive time from the database is UTC, as the store writes it."""
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
