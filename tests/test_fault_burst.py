"""Fault test: a burst of 20,000 queued items on 2 cores (issue 8).

The items (wire stories in clusters of four near-copies, distinct stories, and a sprinkling of bad items)
are queued before the worker starts, so it meets the whole backlog at once. The queue must drain; every
unique story is stored exactly once, every other copy logged once as a duplicate, every bad item leaves
one error row; and each worker process's peak resident memory stays bounded. The peak is printed (run with
``-s`` to see it) and asserted under ``PEAK_RSS_LIMIT_MB``; ``WIREFEED_BURST_ITEMS`` runs a larger burst
by hand.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from tests.celery_support import (
    clustered_items,
    flush,
    fresh_database,
    redis_db,
    start_worker,
    wait_until,
    wirefeed,
    worker_env,
    write_jsonl,
)
from worker.models import ArticleRecord, DuplicateRecord, IngestErrorRecord
from worker.store import Store

# The drain has its own 900 s deadline below; the suite-wide 300 s would cut it first on a loaded machine.
pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.postgres, pytest.mark.timeout(960)]

ITEMS = int(os.environ.get("WIREFEED_BURST_ITEMS", "20000"))
PEAK_RSS_LIMIT_MB = 400


def _peak_rss_mb(pid: int) -> dict[int, float]:
    """VmHWM (peak resident set) of ``pid`` and of its children, from /proc."""
    peaks: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        mine = int(entry.name) == pid or fields.get("PPid", "").strip() == str(pid)
        if mine and "VmHWM" in fields:
            peaks[int(entry.name)] = int(fields["VmHWM"].split()[0]) / 1024
    return peaks


def _bad_items(count: int) -> list[dict[str, object]]:
    bad: list[dict[str, object]] = []
    for number in range(count):
        kind = number % 3
        if kind == 0:
            bad.append({"url": f"file:///burst/{number}", "title": "x", "text": "word " * 50})
        elif kind == 1:
            bad.append({"url": f"https://bad.example/short/{number}", "title": "x", "text": "two words"})
        else:
            bad.append({"url": f"https://bad.example/big/{number}", "title": "T" * 5000, "text": "w " * 50})
    return bad


def test_burst_of_queued_items_drains_with_bounded_memory(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    broker = redis_db(redis_url, 42)
    flush(broker)
    clusters = ITEMS // 8
    good = clustered_items(seed=8, clusters=clusters, copies=4, singles=ITEMS - 4 * clusters - 60)
    bad = _bad_items(60)
    items = good[: len(good) // 2] + bad + good[len(good) // 2 :]
    assert len(items) == ITEMS
    with fresh_database(postgres_url, "burst") as database:
        env = worker_env(broker_url=broker, database_url=database, dedup_url=broker)
        wirefeed(env, "enqueue", "--items", str(write_jsonl(tmp_path / "burst.jsonl", items)), timeout=600)
        client = redis.Redis.from_url(broker)
        assert client.llen("process") == -(-ITEMS // 25)  # the whole backlog is waiting
        store = Store(database)

        def decided() -> int:
            with store.session() as session:
                return sum(
                    session.scalar(select(func.count()).select_from(model)) or 0
                    for model in (ArticleRecord, DuplicateRecord, IngestErrorRecord)
                )

        worker = start_worker(env, tmp_path, "burst", concurrency=2, extra=("-l", "warning"))
        started = time.monotonic()
        peaks: dict[int, float] = {}
        try:
            while decided() < ITEMS:
                assert time.monotonic() - started < 900, f"only {decided()} of {ITEMS} decided"
                assert worker.proc is not None and worker.proc.poll() is None, worker.log()[-2000:]
                peaks.update(
                    {pid: max(mb, peaks.get(pid, 0.0)) for pid, mb in _peak_rss_mb(worker.proc.pid).items()}
                )
                time.sleep(1.0)
            wait_until(
                lambda: client.llen("process") == 0 and client.hlen("unacked") == 0,
                60,
                what="the queue to drain",
            )
            peaks.update(
                {pid: max(mb, peaks.get(pid, 0.0)) for pid, mb in _peak_rss_mb(worker.proc.pid).items()}
            )
        finally:
            worker.stop()
        elapsed = time.monotonic() - started
        with store.session() as session:
            stored = list(session.scalars(select(ArticleRecord.canonical_url)))
            duplicates = list(session.scalars(select(DuplicateRecord.url)))
            errors = list(session.execute(select(IngestErrorRecord.url, IngestErrorRecord.kind)))
        store.dispose()

    print(
        f"\nburst: {ITEMS} items drained in {elapsed:.0f} s ({ITEMS / elapsed:.0f} items/s); peak RSS per "
        f"worker process (MB): {', '.join(f'{mb:.0f}' for mb in sorted(peaks.values()))}"
    )
    # A cluster's copies may be decided by the two processes at once: which copy is kept is a race, that
    # exactly one is kept and the other three are logged as its duplicates is not.
    clusters_of: dict[str, set[str]] = {}
    for item in good:
        url = str(item["url"])
        clusters_of.setdefault(url.rsplit("/", 1)[-1] if "/wire/" in url else url, set()).add(url)
    assert len(stored) == len(set(stored)) and len(duplicates) == len(set(duplicates))  # nothing twice
    assert set(stored) | set(duplicates) == {str(item["url"]) for item in good}  # nothing lost
    for urls in clusters_of.values():
        assert len(urls & set(stored)) == 1, sorted(urls)  # each unique story stored exactly once
    assert sorted(url for url, _ in errors) == sorted(str(item["url"]) for item in bad)  # one row each
    assert {kind for _, kind in errors} == {"invalid_item", "not_an_article", "too_large"}
    assert len(peaks) >= 3 and max(peaks.values()) < PEAK_RSS_LIMIT_MB, peaks
