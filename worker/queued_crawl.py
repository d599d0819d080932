"""A crawl handed to the Celery workers (``wirefeed crawl --enqueue [--wait]``): one
``wirefeed.crawl_source`` message per source, all in one run, and the run read back as the same
``CrawlSummary`` the in-process crawl returns."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from config.settings import Settings
from config.sources import load_sources
from scrapers.errors import ErrorKind
from worker.broker import redis_client
from worker.crawl import CrawlSummary, Discovery, PageFetch, PageJob
from worker.pipeline import Decision, Outcome
from worker.producers import send
from worker.runs import Run

log = logging.getLogger(__name__)


def start_crawl(settings: Settings, source_names: list[str] | tuple[str, ...] | None) -> Run:
    """One ``wirefeed.crawl_source`` message per named (or enabled) source, all in one new run."""
    sources = load_sources(settings.sources).select(list(source_names or ()))
    client = redis_client(settings)
    run = Run.create(client, kind="crawl", sources=[source.name for source in sources])
    for source in sources:
        send("wirefeed.crawl_source", {"source": source.name}, run=run)
    if not sources:
        run.finish("-")
    return run


def _kind(entry: dict[str, Any]) -> ErrorKind | None:
    kind = entry.get("kind")
    return ErrorKind(kind) if kind else None


def run_summary(run: Run) -> CrawlSummary:
    """The run as a ``CrawlSummary``, built from the same per-URL outcomes the in-process crawl counts,
    so a queued crawl prints the very same table."""
    records = run.records()
    summary = CrawlSummary()
    for name in json.loads(records.meta.get("sources", "[]")):
        summary.source(name)
    for name, entry in records.discovered.items():
        errors = Counter({str(k): int(v) for k, v in (entry.get("errors") or {}).items()})
        discovery = Discovery(
            name,
            discovered=int(entry.get("discovered", 0)),
            skipped_fresh=int(entry.get("skipped_fresh", 0)),
            skipped_old=int(entry.get("skipped_old", 0)),
            errors=errors,
        )
        summary.add_discovery(discovery)
    for entry in records.fetches:
        status = "rejected" if entry["status"] == "error" else entry["status"]
        job = PageJob(url="", source=entry["source"])
        summary.add_fetch(PageFetch(job, status, error_kind=_kind(entry)))
    for url, entry in records.decisions.items():
        decision = Decision(Outcome(entry["outcome"]), url, error_kind=_kind(entry))
        summary.add_decision(entry["source"] or "(none)", decision)
    started, finished = records.meta.get("started_at"), records.meta.get("finished_at")
    if started:
        summary.started_at = datetime.fromtimestamp(float(started), UTC)
        end = float(finished) if finished else time.time()
        summary.elapsed_s = end - float(started)
        for row in summary.sources.values():
            row.elapsed_s = summary.elapsed_s
    return summary


def enqueue_crawl(
    settings: Settings,
    source_names: list[str] | tuple[str, ...] | None,
    *,
    wait: bool,
    timeout_s: float | None = None,
) -> CrawlSummary:
    """Hand the crawl to the workers and return its ``CrawlSummary``: at once, nearly empty; or with
    ``wait``, once every discover, fetch and process task of it is done, with the same counts and
    fill-rate alerts the in-process crawl reports."""
    run = start_crawl(settings, source_names)
    if not wait:
        return run_summary(run)
    status = run.wait(timeout_s=timeout_s)
    for name, reason in sorted(status.skipped.items()):
        log.warning("%s not crawled: %s", name, reason)
    summary = run_summary(run)
    summary.interrupted = not status.finished
    try:
        from worker.crawl_state import fill_alerts
        from worker.store import Store

        store = Store(settings.database_url)
        summary.fill_alerts = [rate.describe() for rate in fill_alerts(store, list(summary.sources))]
        store.dispose()
    except Exception:
        log.exception("could not compute fill rates")
    return summary
