"""`wirefeed prune`: old audit rows go in batches, old stories leave the shared index, articles stay."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select, update

from config.settings import load_settings
from tests.cli_support import Ran, invoke
from worker.dedup_redis import RedisIndex
from worker.models import ArticleRecord, CrawlState, DuplicateRecord, IngestErrorRecord, utcnow
from worker.pipeline import Outcome, Pipeline
from worker.retention import prune
from worker.store import Store

WIRE = Path(__file__).parent / "fixtures" / "wire"


def item(url: str, name: str, cut: int = 0) -> dict[str, str]:
    paragraphs = (WIRE / f"{name}.txt").read_text().split("\n\n")
    return {"url": url, "title": name, "text": "\n\n".join(paragraphs[: len(paragraphs) - cut])}


def count(store: Store, model: type) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def age_everything(store: Store, days: int) -> None:
    """Move every row's clock back, as if it had been written ``days`` ago."""
    then = utcnow() - timedelta(days=days)
    with store.session() as session:
        session.execute(update(DuplicateRecord).values(seen_at=then))
        session.execute(update(IngestErrorRecord).values(created_at=then))
        session.execute(update(CrawlState).values(fetched_at=then))
        session.execute(update(ArticleRecord).values(updated_at=then, stored_at=then))


@pytest.mark.redis
def test_prune_removes_old_rows_and_expires_old_stories(store: Store, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    tag = f"test:{uuid.uuid4().hex}"
    index = RedisIndex(client, 0.5, prefix=tag)
    pipeline = Pipeline(store, index)
    assert pipeline.ingest_item(item("https://a.example/strike", "port-strike")).outcome is Outcome.STORED
    copy = pipeline.ingest_item(item("https://b.example/dockers", "port-strike", cut=2))
    assert copy.outcome is Outcome.DUPLICATE
    pipeline.ingest_item('{"url": "https://c.example/bad"}')
    with store.session() as session:
        session.add(
            CrawlState(url="https://a.example/strike", source=None, status="stored", fetched_at=utcnow())
        )
    assert len(index) == 2
    age_everything(store, 40)
    fresh = pipeline.ingest_item(item("https://a.example/fire", "wildfire"))  # recent: must stay
    pipeline.ingest_item('{"url": "https://c.example/bad-today"}')

    kwargs = {"index": index, "redis_client": client, "watermark_key": f"{tag}:until"}
    planned = prune(store, timedelta(days=30), dry_run=True, **kwargs)
    assert planned.removed == {"duplicates": 1, "ingest_errors": 1, "crawl_state": 1, "index_entries": 2}
    assert count(store, DuplicateRecord) == 1 and len(index) == 3  # a dry run changes nothing

    done = prune(store, timedelta(days=30), batch=1, **kwargs)  # batch=1: the loop must finish the job
    assert done.removed == planned.removed
    assert count(store, DuplicateRecord) == 0 and count(store, CrawlState) == 0
    assert count(store, IngestErrorRecord) == 1  # today's error stays
    assert count(store, ArticleRecord) == 2  # articles are never pruned
    assert "https://a.example/fire" in index and len(index) == 1
    assert fresh.outcome is Outcome.STORED
    # Outside the window, a copy of the expired story is a story of its own again.
    again = pipeline.ingest_item(item("https://d.example/strike-late", "port-strike", cut=1))
    assert again.outcome is Outcome.STORED
    # A second prune the next day only looks at what left the window since (the watermark).
    assert prune(store, timedelta(days=30), **kwargs).removed["index_entries"] == 0


def test_prune_in_batches_while_ingesting(store: Store) -> None:
    pipeline = Pipeline(store)
    for number in range(60):
        pipeline.ingest_item(f'{{"url": "https://e.example/{number}"}}')
    age_everything(store, 10)
    result: dict[str, int] = {}
    worker = threading.Thread(target=lambda: result.update(prune(store, timedelta(days=1), batch=7).removed))
    worker.start()
    decisions = [
        pipeline.ingest_item(item(f"https://f.example/{n}", name))
        for n, name in enumerate(["port-strike", "wildfire", "rate-decision"])
    ]
    worker.join(60)
    assert not worker.is_alive()
    assert [d.outcome for d in decisions] == [Outcome.STORED] * 3  # ingestion went on during the prune
    assert result["ingest_errors"] == 60 and count(store, IngestErrorRecord) == 0


def run(args: list[str], cwd: Path, db: str) -> Ran:
    """``wirefeed ARGS`` against ``db`` (in this process: see tests/cli_support.py)."""
    return invoke(args, db)


def test_prune_command(store: Store, tmp_path: Path) -> None:
    Pipeline(store).ingest_item('{"url": "https://e.example/x"}')
    age_everything(store, 45)
    dry = run(["prune", "--older-than", "30d", "--dry-run"], tmp_path, store.url)
    assert dry.returncode == 0, dry.stderr
    assert "would remove 0 duplicate-log rows, 1 error rows, 0 crawl-state rows" in dry.stdout
    done = json.loads(run(["prune", "--older-than", "30d", "--json"], tmp_path, store.url).stdout)
    assert done["removed"]["ingest_errors"] == 1 and not done["dry_run"]
    bad = run(["prune", "--older-than", "a month"], tmp_path, store.url)
    assert bad.returncode == 2 and "--older-than" in bad.stderr and "30d" in bad.stderr
    missing = run(["prune"], tmp_path, store.url)
    assert missing.returncode == 2 and "--older-than" in missing.stderr


def test_beat_runs_prune_daily_only_when_enabled(tmp_path: Path) -> None:
    from celery.schedules import crontab

    from worker.schedule import beat_schedule

    sources = tmp_path / "sources.yaml"
    sources.write_text("sources: []\n")
    assert "prune" not in beat_schedule(load_settings(sources=sources))
    entry = beat_schedule(load_settings(sources=sources, prune_older_than="30d"))["prune"]
    assert entry["task"] == "wirefeed.prune" and entry["kwargs"] == {"older_than": "30d"}
    assert isinstance(entry["schedule"], crontab) and entry["schedule"].hour == {3}
    with pytest.raises(Exception, match="30d"):
        load_settings(prune_older_than="monthly")


def test_prune_task_is_registered_and_routed() -> None:
    from worker.celery_app import TASK_ROUTES, app

    app.loader.import_default_modules()
    assert "wirefeed.prune" in app.tasks
    assert TASK_ROUTES["wirefeed.prune"] == {"queue": "discover"}
