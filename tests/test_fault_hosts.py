"""Fault test: hosts that hang, crawled through real Celery workers.

One host accepts connections and never answers; another trickles its headers one byte at a time. Mixed
with pages of a well-behaved site, through a threads-pool fetch worker and a prefork process worker:
the good pages are all decided (each unique story stored once, each syndicated copy logged once as a
duplicate), each hung page ends in exactly one final error row, the fetch deadline fires, and the page is
requested within one retry budget (the fetcher's), not the fetcher's times the task's.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from scrapers.urls import canonicalize
from tests.celery_support import flush, fresh_database, redis_db, start_worker, wirefeed, worker_env
from tests.demo_oracle import expected_of
from tests.hostile_servers import Behaviour, HostileServer
from worker.demo import DemoSite
from worker.models import ArticleRecord, DuplicateRecord, IngestErrorRecord
from worker.store import Store

pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.postgres]

TIMEOUT_S = 1.0
MAX_RETRIES = 3


def test_silent_and_trickling_hosts_through_celery(postgres_url: str, redis_url: str, tmp_path: Path) -> None:
    broker = redis_db(redis_url, 40)
    flush(broker)
    with (
        DemoSite() as site,
        HostileServer(Behaviour("silent")) as silent,
        HostileServer(Behaviour("trickle", interval_s=0.05)) as trickle,
        fresh_database(postgres_url, "hosts") as database,
    ):
        sources = {
            "defaults": {
                "min_delay_s": 0.1,
                "timeout_s": TIMEOUT_S,
                "max_retries": MAX_RETRIES,
                "backoff_base_s": 0.1,
                "max_age_days": 7,
            },
            "sources": [{"name": "mixed", "pages": [site.url("valley", "/news/")]}],
        }
        sources_path = tmp_path / "sources.yaml"
        sources_path.write_text(yaml.safe_dump(sources), encoding="utf-8")
        expected = expected_of(site)
        good = sorted(expected.stored)[:6]
        wire = next(copies for copies in expected.syndicated.values() if len(copies) >= 2)
        hung = [canonicalize(silent.base + "/story/1"), canonicalize(trickle.base + "/story/2")]
        # task_max_retries stays at its default (6): before one retry budget, each hung page was fetched
        # (1 + max_retries) times by the fetcher for each of the task's 7 attempts.
        env = worker_env(
            broker_url=broker,
            database_url=database,
            dedup_url=broker,
            sources=sources_path,
            allow_private_hosts="127.0.0.1",
        )
        process = start_worker(env, tmp_path, "process", queues="process", concurrency=2)
        fetch = start_worker(env, tmp_path, "fetch", queues="fetch", concurrency=4, extra=("-P", "threads"))
        try:
            started = time.monotonic()
            stdout = wirefeed(
                env, "enqueue", *hung, *good, *sorted(wire), "--source", "mixed", "--wait", timeout=120
            )
            elapsed = time.monotonic() - started
        finally:
            fetch.stop()
            process.stop()

        store = Store(database)
        with store.session() as session:
            stored = list(session.scalars(select(ArticleRecord.canonical_url)))
            duplicates = list(session.scalars(select(DuplicateRecord.url)))
            errors = list(
                session.execute(
                    select(IngestErrorRecord.url, IngestErrorRecord.kind, IngestErrorRecord.message)
                )
            )
            error_rows = session.scalar(select(func.count()).select_from(IngestErrorRecord))
        store.dispose()
        silent_hits, trickle_hits = len(silent.hits("/story/1")), len(trickle.hits("/story/2"))

    assert f"queued {len(hung) + len(good) + len(wire)} item(s)" in stdout
    assert sorted(set(stored) - wire) == good and len(stored) == len(set(stored))  # each once
    assert len(set(stored) & wire) == 1  # the wire story once...
    assert sorted(duplicates) == sorted(wire - set(stored))  # ...every other copy logged once
    assert error_rows == len(hung)  # one final error row per hung page, nothing else failed
    assert {(url, kind) for url, kind, _ in errors} == {(url, "fetch") for url in hung}
    assert all("timed out" in message for _, _, message in errors)  # the deadline fired
    # One retry budget: the first stall and one more deadline, then final; no task-level retry on top.
    assert silent_hits == 2 and trickle_hits == 2
    assert elapsed < 60, elapsed
