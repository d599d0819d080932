"""The documented message format works without wirefeed or Celery on the producer's side."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.celery_support import ROOT, flush, fresh_database, redis_db, start_worker, wait_until, worker_env
from worker.models import ArticleRecord, Source
from worker.store import Store

pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.postgres]


def test_example_producer_message_is_ingested(postgres_url: str, redis_url: str, tmp_path: Path) -> None:
    broker = redis_db(redis_url, 16)
    flush(broker)
    text = "A plain producer pushed this wire story onto the queue without any wirefeed code at all. " * 5
    url = "https://producer.example/story/1"
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "producer.py"), broker, url, "Pushed story", text],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,  # not the repo: no wirefeed import
    )
    assert result.returncode == 0, result.stderr
    with fresh_database(postgres_url, "producer") as database:
        worker = start_worker(
            worker_env(broker_url=broker, database_url=database), tmp_path, "consumer", concurrency=1
        )
        store = Store(database)

        def stored() -> tuple[str | None, str | None] | None:
            with store.session() as session:
                return session.execute(
                    select(ArticleRecord.title, Source.name)
                    .join(Source, Source.id == ArticleRecord.source_id)
                    .where(ArticleRecord.canonical_url == url)
                ).one_or_none()

        try:
            row = wait_until(stored, 60, what="the pushed item stored")
        finally:
            worker.stop()
        assert tuple(row) == ("Pushed story", "example-producer")
        store.dispose()
