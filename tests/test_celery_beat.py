"""Scheduling: beat's entries come from the sources file; two beats do not double the crawls; a crawl
still running when its next slot comes is skipped."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import yaml
from celery.schedules import crontab, schedule

from tests.celery_support import ROOT, CeleryProcess, flush, redis_db, start_worker, worker_env
from worker.crawl_locks import crawl_lock_key, take_crawl_lock
from worker.queue_metrics import queue_depths
from worker.runs import Run

pytestmark = [pytest.mark.integration, pytest.mark.redis]


def _sources_file(path: Path, schedules: dict[str, str], *, disabled: tuple[str, ...] = ()) -> Path:
    document = {
        "sources": [
            {
                "name": name,
                "feeds": [f"https://{name}.example/feed.xml"],
                "schedule": when,
                "enabled": name not in disabled,
            }
            for name, when in schedules.items()
        ]
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_schedule_is_built_from_the_sources_file(tmp_path: Path) -> None:
    from config.settings import load_settings
    from worker.schedule import beat_schedule

    path = _sources_file(
        tmp_path / "sources.yaml",
        {"alpha": "*/15 * * * *", "beta": "every 90s", "gamma": "every 5m"},
        disabled=("gamma",),
    )
    entries = beat_schedule(load_settings(sources=path))
    assert set(entries) == {"crawl:alpha", "crawl:beta"}  # a disabled source is not scheduled
    alpha, beta = entries["crawl:alpha"], entries["crawl:beta"]
    assert alpha["task"] == beta["task"] == "wirefeed.crawl_source"
    assert alpha["kwargs"] == {"source": "alpha"}
    assert isinstance(alpha["schedule"], crontab)
    assert alpha["schedule"].minute == {0, 15, 30, 45}
    assert isinstance(beta["schedule"], schedule)
    assert beta["schedule"].run_every == timedelta(seconds=90)
    # A slot's message is dropped once the next slot is due: a backlog collapses into one crawl.
    assert alpha["options"]["expires"] == 900
    assert beta["options"]["expires"] == 90


def test_a_broken_sources_file_gives_beat_an_empty_schedule(tmp_path: Path) -> None:
    from config.settings import load_settings
    from worker.schedule import beat_schedule

    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - name: UPPER\n    feeds: [not a url]\n", encoding="utf-8")
    assert beat_schedule(load_settings(sources=bad)) == {}


def test_two_beats_do_not_double_the_crawls(redis_url: str, tmp_path: Path) -> None:
    broker = redis_db(redis_url, 13)
    flush(broker)
    sources = _sources_file(tmp_path / "sources.yaml", {"alpha": "every 1s"})
    env = worker_env(broker_url=broker, sources=sources)
    first = CeleryProcess(["beat", "-l", "debug", "-s", str(tmp_path / "a")], env, tmp_path / "beat-a.log")
    second = CeleryProcess(["beat", "-l", "debug", "-s", str(tmp_path / "b")], env, tmp_path / "beat-b.log")
    client = redis.Redis.from_url(broker)
    first.start()
    try:
        first.wait_for_log(r"Acquired lock")
        second.start()
        second.wait_for_log(r"beat: Starting")
        time.sleep(1.0)
        before = queue_depths(client, ["discover"])["discover"]
        started = time.monotonic()
        time.sleep(6.0)
        sent = queue_depths(client, ["discover"])["discover"] - before
        elapsed = time.monotonic() - started
    finally:
        second.stop()
        first.stop()
    assert sent >= 3, f"the one beat should have sent a crawl about every second, sent {sent}"
    assert sent <= elapsed + 2, f"{sent} crawls in {elapsed:.1f}s: the second beat doubled them"
    assert "Acquired lock" not in second.log()
    message = json.loads(client.lindex("discover", 0))
    assert message["headers"]["task"] == "wirefeed.crawl_source"


def test_crawl_lock_is_held_until_the_run_has_finished(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_db(redis_url, 13))
    client.delete(crawl_lock_key("alpha"))
    first = Run.create(client, kind="crawl", sources=["alpha"])
    second = Run.create(client, kind="crawl", sources=["alpha"])
    assert take_crawl_lock(client, "alpha", first, ttl_s=60) is None
    assert take_crawl_lock(client, "alpha", first, ttl_s=60) is None  # a redelivered crawl of the same run
    first.add_pending(["fetch-1", "fetch-2"])
    assert take_crawl_lock(client, "alpha", second, ttl_s=60) == first.id
    assert first.finish("fetch-1") == 1
    assert take_crawl_lock(client, "alpha", second, ttl_s=60) == first.id  # still one task to go
    assert first.finish("fetch-2") == 0
    assert first.status().finished
    assert take_crawl_lock(client, "alpha", second, ttl_s=60) is None  # the next crawl may start now


def test_a_crawl_still_running_is_not_started_twice(redis_url: str, tmp_path: Path) -> None:
    broker = redis_db(redis_url, 13)
    flush(broker)
    client = redis.Redis.from_url(broker)
    sources = _sources_file(tmp_path / "sources.yaml", {"alpha": "every 1s"})
    client.set(crawl_lock_key("alpha"), "an-earlier-run", ex=60)  # the previous slot's crawl is running
    env = worker_env(broker_url=broker, sources=sources)
    worker = start_worker(env, tmp_path, "discoverer", queues="discover", concurrency=1)
    try:
        worker.wait_for_log(r"ready\.")
        script = (
            "import json; from config.settings import get_settings; "
            "from worker.queued_crawl import start_crawl; "
            "print(json.dumps(start_crawl(get_settings(), ['alpha']).wait(timeout_s=60).to_dict()))"
        )
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90
        )
    finally:
        worker.stop()
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout.strip().splitlines()[-1])
    assert status["finished"]
    assert "an-earlier-run" in status["skipped"]["alpha"]
    assert client.get(crawl_lock_key("alpha")) == b"an-earlier-run"  # the skipped crawl did not free it
