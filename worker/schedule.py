"""Celery beat's schedule, built from the sources file: one ``wirefeed.crawl_source`` entry per source.

Two guards keep crawls from doubling. RedBeat (the scheduler) holds a lock in Redis, so a second beat
started by mistake waits for the first to die instead of sending every crawl twice. And each crawl takes a
per-source lock that it holds until all of its tasks are done (``worker.crawl_locks.take_crawl_lock``), so a
crawl still running when its next slot comes is skipped, not started again; the slot's message also
expires at the next slot, so a backlog after an outage collapses into one crawl instead of a burst.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery.schedules import crontab, schedule
from redbeat import RedBeatScheduler

from config.settings import Settings, get_settings

log = logging.getLogger(__name__)


def _cron(expression: str) -> crontab:
    minute, hour, day_of_month, month_of_year, day_of_week = expression.split()
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
    )


def _period_s(source: Any) -> float:
    """Roughly how far apart two slots are; a cron slot's first gap stands for all of them."""
    interval: timedelta | None = source.schedule_interval
    if interval is not None:
        return interval.total_seconds()
    from datetime import UTC, datetime

    from croniter import croniter

    it = croniter(source.schedule, datetime.now(UTC))
    first: datetime = it.get_next(datetime)
    second: datetime = it.get_next(datetime)
    return (second - first).total_seconds()


def entry_for(source: Any) -> dict[str, Any]:
    interval = source.schedule_interval
    when: Any = schedule(run_every=interval) if interval is not None else _cron(source.schedule)
    return {
        "task": "wirefeed.crawl_source",
        "schedule": when,
        "kwargs": {"source": source.name},
        "options": {"queue": "discover", "expires": max(1.0, _period_s(source))},
    }


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Entries keyed ``crawl:<source>``; an unreadable sources file gives an empty schedule and a log line,
    so beat keeps running (and keeps its lock) until the file is fixed and beat restarted."""
    from config.sources import SourcesError, load_sources

    try:
        sources = load_sources(settings.sources).select()
    except SourcesError as error:
        log.error("beat: no crawls scheduled: %s", error)
        sources = []
    entries = {f"crawl:{source.name}": entry_for(source) for source in sources}
    if settings.prune_older_than:  # retention (issue 11): once a day, at a quiet hour
        entries["prune"] = {
            "task": "wirefeed.prune",
            "schedule": crontab(minute=17, hour=3),
            "kwargs": {"older_than": settings.prune_older_than},
            "options": {"queue": "discover", "expires": 23 * 3600},
        }
    return entries


class SourcesScheduler(RedBeatScheduler):  # type: ignore[misc]  # redbeat ships no type information
    """RedBeat whose static entries are the sources file's, read when beat starts."""

    def setup_schedule(self) -> None:
        self.app.conf.beat_schedule = beat_schedule(get_settings())
        log.info("beat schedule: %s", ", ".join(sorted(self.app.conf.beat_schedule)) or "(empty)")
        super().setup_schedule()
