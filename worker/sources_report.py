"""What `wirefeed sources` shows: each configured source beside what the store knows of it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from config.sources import SourcesFile
from worker.models import CrawlState
from worker.store import Store


def _aware(value: datetime | str | None) -> datetime | None:
    # max() bypasses the column type, so SQLite hands back a naive value (or a string).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _last_crawls(store: Store) -> dict[str, datetime]:
    with store.session() as session:
        rows = session.execute(
            select(CrawlState.source, func.max(CrawlState.fetched_at)).group_by(CrawlState.source)
        )
        return {name: when for name, raw in rows if name and (when := _aware(raw)) is not None}


def source_rows(config: SourcesFile, store: Store | None) -> list[dict[str, Any]]:
    """One entry per configured source; the store's columns are None when there is no store to read."""
    from worker.crawl_state import fill_alerts
    from worker.queries import error_counts

    stored: dict[str, dict[str, Any]] = {}
    crawled: dict[str, datetime] = {}
    errors: dict[str, dict[str, int]] = {}
    alerts: dict[str, list[str]] = {}
    if store is not None:
        stored = {row["source"]: row for row in store.stats()}
        crawled = _last_crawls(store)
        errors = error_counts(store)
        for rate in fill_alerts(store, [s.name for s in config.sources]):
            alerts.setdefault(rate.source, []).append(rate.describe())
    rows = []
    for source in config.sources:
        known = store is not None
        last_crawl = crawled.get(source.name)
        last_stored = stored.get(source.name, {}).get("last_stored")
        rows.append(
            {
                "name": source.name,
                "enabled": source.enabled,
                "schedule": source.schedule,
                "adapter": source.adapter or "generic",
                "feeds": len(source.feeds),
                "sitemaps": len(source.sitemaps),
                "pages": len(source.pages),
                "hosts": source.hosts,
                "last_crawl": last_crawl.isoformat() if last_crawl else None,
                "last_stored": last_stored.isoformat() if last_stored else None,
                "articles": stored.get(source.name, {}).get("articles", 0) if known else None,
                "error_attempts": errors.get(source.name, {}).get("attempts", 0) if known else None,
                "failing_urls": errors.get(source.name, {}).get("failing", 0) if known else None,
                "fill_alerts": alerts.get(source.name, []) if known else None,
            }
        )
    return rows
