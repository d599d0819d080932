"""Four worker processes, clusters of near-duplicates released at once: exactly one copy of each is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.settings import Settings
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
from worker.dedup import InProcessIndex
from worker.fingerprint import Signature
from worker.models import ArticleRecord, DuplicateRecord, IngestErrorRecord
from worker.store import Store

pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.postgres]

CLUSTERS, COPIES, SINGLES = 450, 4, 400


def _counts(store: Store) -> tuple[int, int, int]:
    with store.session() as session:
        return (
            session.scalar(select(func.count(ArticleRecord.id))) or 0,
            session.scalar(select(func.count(DuplicateRecord.id))) or 0,
            session.scalar(select(func.count(IngestErrorRecord.id))) or 0,
        )


def test_concurrent_near_duplicates_store_one_copy_each(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    broker = redis_db(redis_url, 10)
    flush(broker)
    items = clustered_items(seed=7, clusters=CLUSTERS, copies=COPIES, singles=SINGLES)
    with fresh_database(postgres_url, "race") as database:
        env = worker_env(broker_url=broker, database_url=database, dedup_url=broker)
        # Everything is queued before any worker runs, so the copies of a story are taken at the same moment.
        wirefeed(env, "enqueue", "--items", str(write_jsonl(tmp_path / "items.jsonl", items)))
        workers = [start_worker(env, tmp_path, f"race{n}", concurrency=2) for n in range(2)]
        store = Store(database)
        try:
            wait_until(
                lambda: sum(_counts(store)) >= len(items), 180, interval=1.0, what="every item decided"
            )
        finally:
            for worker in workers:
                worker.stop()
        stored, duplicates, errors = _counts(store)
        assert errors == 0
        assert stored + duplicates == len(items)  # one decision per item, none lost, none twice

        with store.session() as session:
            rows = session.execute(select(ArticleRecord.canonical_url, ArticleRecord.signature)).all()
        index = InProcessIndex(Settings.model_fields["dedup_threshold"].default)  # the workers' threshold
        near_pairs = []
        for key, data in rows:
            sig = Signature.from_bytes(bytes(data))
            near_pairs += [(key, match.key) for match in index.query(sig)]
            index.insert(key, sig)
        assert near_pairs == []  # no two stored articles are near-duplicates of each other

        # The syndicated copies were caught, not merely stored apart: nearly all of them are duplicates.
        assert duplicates >= 0.95 * CLUSTERS * (COPIES - 1)
        assert stored >= CLUSTERS + SINGLES
        store.dispose()
