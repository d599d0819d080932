"""Retention: drop old audit rows and expire old stories from the shared dedup index.

What goes: duplicate-log rows (``duplicates.seen_at``), error rows (``ingest_errors.created_at``), crawl
state of URLs not fetched since the cutoff (``crawl_state.fetched_at``: such a URL, if listed again, is
simply fetched again and answered "unchanged"), and, in a shared Redis index, the fingerprints of articles
not updated since the cutoff and of the pruned duplicates (a copy of a story older than the window is then
stored as a story of its own, which is what a retention window means). Articles and their versions are
the product and are never pruned here.

Deletes run in small batches, each its own short transaction, so ingestion running at the same time only
ever waits for one batch (milliseconds), never for the whole prune; a prune interrupted half-way is simply
run again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from worker.models import ArticleRecord, CrawlState, DuplicateRecord, IngestErrorRecord, utcnow
from worker.store import Store

log = logging.getLogger(__name__)

BATCH = 1000
PAUSE_S = 0.01  # between batches: lets waiting writers take the lock (SQLite has one writer at a time)
WATERMARK_KEY = "wirefeed:prune:index_expired_until"


@dataclass(slots=True)
class PruneReport:
    cutoff: datetime
    dry_run: bool
    removed: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"cutoff": self.cutoff.isoformat(), "dry_run": self.dry_run, "removed": dict(self.removed)}


def _count(store: Store, query: Any) -> int:
    with store.session() as session:
        return int(session.scalar(query) or 0)


def _delete_batches(
    store: Store,
    pick: Callable[[int], Any],
    remove: Callable[[list[Any]], Any],
    on_batch: Callable[[list[Any]], None] | None = None,
    batch: int = BATCH,
) -> int:
    """Pick up to ``batch`` keys, delete them, commit; repeat until none are left."""
    total = 0
    while True:
        with store.session() as session:
            keys = list(session.scalars(pick(batch)))
            if not keys:
                return total
            if on_batch is not None:
                on_batch(keys)
            session.execute(remove(keys))
        total += len(keys)
        time.sleep(PAUSE_S)


def _older_than(cutoff: datetime) -> tuple[Any, Any, Any]:
    """The rows a prune removes, one condition per table: a dry run counts exactly what a real run deletes."""
    return (
        DuplicateRecord.seen_at < cutoff,
        IngestErrorRecord.created_at < cutoff,
        CrawlState.fetched_at < cutoff,
    )


def _dry_run_report(
    store: Store,
    report: PruneReport,
    cutoff: datetime,
    has_index: bool,
    redis_client: Any | None,
    watermark_key: str,
    index_cutoff: datetime,
) -> PruneReport:
    """What a real prune would remove, counted with the same conditions, touching nothing."""
    old_dupes, old_errors, old_state = _older_than(cutoff)
    report.removed["duplicates"] = _count(store, select(func.count(DuplicateRecord.id)).where(old_dupes))
    report.removed["ingest_errors"] = _count(
        store, select(func.count(IngestErrorRecord.id)).where(old_errors)
    )
    report.removed["crawl_state"] = _count(
        store, select(func.count()).select_from(CrawlState).where(old_state)
    )
    if has_index:
        report.removed["index_entries"] = (
            _count(
                store,
                select(func.count(ArticleRecord.id)).where(
                    *_expiry_window(redis_client, watermark_key, index_cutoff)
                ),
            )
            + report.removed["duplicates"]
        )
    return report


def prune(
    store: Store,
    older_than: timedelta,
    *,
    dry_run: bool = False,
    index: Any | None = None,
    redis_client: Any | None = None,
    watermark_key: str = WATERMARK_KEY,
    batch: int = BATCH,
    now: datetime | None = None,
    index_window: timedelta | None = None,
) -> PruneReport:
    """Remove rows older than ``older_than``; ``index``/``redis_client``: the shared Redis dedup index, or
    an in-process one (it has ``expire``). ``index_window`` (``WIREFEED_DEDUP_WINDOW_DAYS``): index entries
    older than this expire, whatever ``older_than`` keeps of the audit rows."""
    attach = getattr(index, "read_signatures_from", None)
    if callable(attach):  # removing a key needs its postings, computed from the stored signature
        attach(store.signatures_of)
    cutoff = (now or utcnow()) - older_than
    index_cutoff = (now or utcnow()) - index_window if index_window is not None else cutoff
    report = PruneReport(cutoff, dry_run)
    old_dupes, old_errors, old_state = _older_than(cutoff)
    if dry_run:
        return _dry_run_report(
            store, report, cutoff, index is not None, redis_client, watermark_key, index_cutoff
        )

    expired_dupes: list[str] = []

    def forget_duplicates(ids: list[int]) -> None:
        if index is None:
            return
        with store.session() as session:
            for url in session.scalars(
                select(DuplicateRecord.url).where(
                    DuplicateRecord.id.in_(ids), DuplicateRecord.signature.is_not(None)
                )
            ):
                index.remove(url)
                expired_dupes.append(url)

    report.removed["duplicates"] = _delete_batches(
        store,
        lambda n: select(DuplicateRecord.id).where(old_dupes).order_by(DuplicateRecord.id).limit(n),
        lambda ids: delete(DuplicateRecord).where(DuplicateRecord.id.in_(ids)),
        forget_duplicates,
        batch,
    )
    report.removed["ingest_errors"] = _delete_batches(
        store,
        lambda n: select(IngestErrorRecord.id).where(old_errors).order_by(IngestErrorRecord.id).limit(n),
        lambda ids: delete(IngestErrorRecord).where(IngestErrorRecord.id.in_(ids)),
        batch=batch,
    )
    report.removed["crawl_state"] = _delete_batches(
        store,
        lambda n: select(CrawlState.url).where(old_state).limit(n),
        lambda urls: delete(CrawlState).where(CrawlState.url.in_(urls)),
        batch=batch,
    )
    if index is not None:
        report.removed["index_entries"] = len(expired_dupes) + _expire_index(
            store, index, redis_client, watermark_key, index_cutoff, batch
        )
    log.info("pruned rows older than %s: %s", cutoff.isoformat(), report.removed)
    return report


def _expire_index(
    store: Store, index: Any, redis_client: Any | None, watermark_key: str, cutoff: datetime, batch: int
) -> int:
    """An in-process index knows when each row was stored and expires them itself; from Redis, the
    articles that left the window are looked up in the store and removed one by one."""
    expire = getattr(index, "expire", None)
    if callable(expire):
        return int(expire(cutoff.timestamp()))
    return _expire_articles(store, index, redis_client, watermark_key, cutoff, batch)


def _expiry_window(redis_client: Any | None, watermark_key: str, cutoff: datetime) -> list[Any]:
    """Articles last updated before the cutoff and after the previous prune's cutoff (the watermark), so a
    daily prune touches only the day that just left the window, not every old story again."""
    clauses = [ArticleRecord.updated_at < cutoff]
    raw = redis_client.get(watermark_key) if redis_client is not None else None
    if raw:
        since = datetime.fromisoformat(raw.decode() if isinstance(raw, bytes) else raw)
        clauses.append(ArticleRecord.updated_at >= since)
    return clauses


def _expire_articles(
    store: Store, index: Any, redis_client: Any | None, watermark_key: str, cutoff: datetime, batch: int
) -> int:
    expired = 0
    last_id = 0
    window = _expiry_window(redis_client, watermark_key, cutoff)
    while True:
        with store.session() as session:
            rows = session.execute(
                select(ArticleRecord.id, ArticleRecord.canonical_url)
                .where(*window, ArticleRecord.id > last_id)
                .order_by(ArticleRecord.id)
                .limit(batch)
            ).all()
        if not rows:
            break
        for _, key in rows:
            index.remove(key)
        expired += len(rows)
        last_id = rows[-1][0]
    if redis_client is not None:
        redis_client.set(watermark_key, cutoff.isoformat())
    return expired
