"""Workers that die, a broker that restarts, a database that refuses connections: no item lost, none twice."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tests.celery_support import (
    SwitchableProxy,
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
from tests.servers import ValkeyProcess
from worker.models import ArticleRecord, DuplicateRecord, IngestErrorRecord
from worker.store import Store

pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.postgres]


def _counts(store: Store) -> tuple[int, int, int]:
    """(stored, duplicates, errors); a store that cannot be reached right now reads as nothing new."""
    with store.session() as session:
        return (
            session.scalar(select(func.count(ArticleRecord.id))) or 0,
            session.scalar(select(func.count(DuplicateRecord.id))) or 0,
            session.scalar(select(func.count(IngestErrorRecord.id))) or 0,
        )


def _error_rows(store: Store) -> list[tuple[str, str, str]]:
    """The recorded errors, so a failing count says which stage and kind went wrong, not just how many."""
    with store.session() as session:
        rows = session.execute(
            select(IngestErrorRecord.stage, IngestErrorRecord.kind, IngestErrorRecord.message)
        )
        return [(stage, kind, message[:300]) for stage, kind, message in rows]


def _stored_urls(store: Store) -> list[str]:
    with store.session() as session:
        return list(session.scalars(select(ArticleRecord.canonical_url)))


def _distinct_items(seed: int, count: int) -> list[dict[str, object]]:
    return clustered_items(seed=seed, clusters=0, copies=1, singles=count)


def test_sigkill_mid_batch_every_item_stored_once(postgres_url: str, redis_url: str, tmp_path: Path) -> None:
    broker = redis_db(redis_url, 11)
    flush(broker)
    items = _distinct_items(11, 1000)
    with fresh_database(postgres_url, "kill") as database:
        env = worker_env(broker_url=broker, database_url=database, visibility_timeout_s=5)
        wirefeed(env, "enqueue", "--items", str(write_jsonl(tmp_path / "items.jsonl", items)))
        store = Store(database)
        first = start_worker(env, tmp_path, "doomed", concurrency=2)
        client = redis.Redis.from_url(broker)
        try:
            wait_until(lambda: _counts(store)[0] >= 60, 60, interval=0.05, what="the first items stored")
            first.kill(signal.SIGKILL)  # the main process and its pool children, mid-task
            in_flight = client.hlen("unacked")
            stored_at_kill = _counts(store)[0]
            assert in_flight >= 1, "the kill must leave delivered, unacknowledged messages behind"
            assert stored_at_kill < len(items)
            second = start_worker(env, tmp_path, "heir", concurrency=2)
            try:
                wait_until(
                    lambda: _counts(store)[0] >= len(items),
                    120,
                    interval=0.5,
                    what="the heir to finish the batch",
                )
                wait_until(
                    lambda: client.hlen("unacked") == 0 and client.llen("process") == 0,
                    30,
                    what="the queue to drain",
                )
            finally:
                second.stop()
        finally:
            first.stop()
        stored, duplicates, errors = _counts(store)
        urls = _stored_urls(store)
        assert stored == len(items) and len(set(urls)) == len(items)
        assert {item["url"] for item in items} == set(urls)
        assert duplicates == 0  # a redelivered message is "unchanged", never a false duplicate of itself
        assert errors == 0, _error_rows(store)
        store.dispose()


def test_redis_restart_mid_batch(postgres_url: str, tmp_path: Path) -> None:
    server = ValkeyProcess(durable=True)
    server.start()
    broker = server.url + "/0"
    items = _distinct_items(12, 800)
    try:
        with fresh_database(postgres_url, "restart") as database:
            env = worker_env(
                broker_url=broker,
                database_url=database,
                visibility_timeout_s=6,
                task_max_retries=10,
                retry_backoff_max_s=3,
            )
            wirefeed(env, "enqueue", "--items", str(write_jsonl(tmp_path / "items.jsonl", items)))
            store = Store(database)
            worker = start_worker(env, tmp_path, "survivor", concurrency=2)
            try:
                wait_until(lambda: _counts(store)[0] >= 60, 60, interval=0.05, what="the first items stored")
                server.stop()
                down_at = _counts(store)[0]
                time.sleep(3)
                assert _counts(store)[0] - down_at <= 4  # the workers really lost their broker
                server.start()
                wait_until(
                    lambda: _counts(store)[0] >= len(items),
                    150,
                    interval=0.5,
                    what="the batch to finish after the restart",
                )
            finally:
                worker.stop()
            stored, duplicates, errors = _counts(store)
            assert stored == len(items)
            assert {item["url"] for item in items} == set(_stored_urls(store))
            assert duplicates == 0
            assert errors == 0, _error_rows(store)
            store.dispose()
    finally:
        server.close()


def test_database_refusing_connections_then_back(postgres_url: str, redis_url: str, tmp_path: Path) -> None:
    broker = redis_db(redis_url, 15)
    flush(broker)
    items = _distinct_items(13, 500)
    with fresh_database(postgres_url, "outage") as database:
        real = make_url(database)
        proxy = SwitchableProxy(real.host or "127.0.0.1", real.port or 5432)
        proxy.accept()
        proxied = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        env = worker_env(
            broker_url=broker,
            database_url=proxied,
            visibility_timeout_s=30,
            task_max_retries=12,
            retry_backoff_max_s=2,
        )
        wirefeed(env, "enqueue", "--items", str(write_jsonl(tmp_path / "items.jsonl", items)))
        store = Store(database)  # the test reads past the proxy
        worker = start_worker(env, tmp_path, "patient", concurrency=2)
        try:
            wait_until(lambda: _counts(store)[0] >= 40, 60, interval=0.05, what="the first items stored")
            proxy.refuse()
            refused_at = _counts(store)[0]
            time.sleep(4)
            assert _counts(store)[0] - refused_at <= 4  # nothing gets through while it refuses
            proxy.accept()
            wait_until(
                lambda: _counts(store)[0] >= len(items),
                150,
                interval=0.5,
                what="the batch to finish once the database is back",
            )
        finally:
            worker.stop()
            proxy.close()
        stored, duplicates, errors = _counts(store)
        assert stored == len(items)
        assert {item["url"] for item in items} == set(_stored_urls(store))
        assert duplicates == 0
        assert errors == 0, _error_rows(store)  # the outage was waited out, not recorded as a verdict
        store.dispose()


def test_retries_run_out_into_a_dead_letter(postgres_url: str, redis_url: str, tmp_path: Path) -> None:
    """The shared dedup index stays unreachable: each item is retried with backoff, then recorded in
    ingest_errors with why, and the batch still ends (no task left pending forever)."""
    from tests.servers import free_port

    broker = redis_db(redis_url, 17)
    flush(broker)
    items = _distinct_items(17, 2)
    with fresh_database(postgres_url, "deadletter") as database:
        nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
        env = worker_env(
            broker_url=broker,
            database_url=database,
            dedup_url=nowhere,
            task_max_retries=2,
            retry_backoff_max_s=1,
        )
        worker = start_worker(env, tmp_path, "unlucky", concurrency=1)
        try:
            stdout = wirefeed(
                env,
                "enqueue",
                "--items",
                str(write_jsonl(tmp_path / "items.jsonl", items)),
                "--batch",
                "1",
                "--wait",
                timeout=120,
            )
        finally:
            worker.stop()
        store = Store(database)
        with store.session() as session:
            error = IngestErrorRecord
            rows = session.execute(select(error.url, error.stage, error.kind, error.message)).all()
        stored = _counts(store)[0]
        store.dispose()
    assert stored == 0
    assert {row.url for row in rows} == {item["url"] for item in items}  # one dead letter per item
    for row in rows:
        assert (row.stage, row.kind) == ("task:ingest_item", "storage")
        assert "gave up after 2 retries" in row.message and "ConnectionError" in row.message
    assert "storage 2" in stdout  # --wait returned, counting both as errors
