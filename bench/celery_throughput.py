"""Items per second through Celery against the in-process pipeline, on the same items, in the same run.

Run by hand: ``.venv/bin/python bench/celery_throughput.py [--items 3000] [--workers 1 2]``. It starts its
own PostgreSQL and Valkey (as the test suite does) unless ``WIREFEED_TEST_POSTGRES_URL`` /
``WIREFEED_TEST_REDIS_URL`` name existing servers.

Items are already parsed (``wirefeed.ingest_item``): clusters of near-duplicate wire copies plus distinct
stories, so what is measured is dedup + storage + the queue, not HTML extraction. For each N in
``--workers``:

- baseline: N plain processes, each looping ``Pipeline.ingest_item`` over its share of the items, on the
  same shared Redis dedup index and PostgreSQL the workers use;
- celery: one worker ``-Q process -c N`` taking the same items from the broker (queued before it starts).

Throughput is items / (last decision - first decision), read from the rows' own timestamps, so process
start-up is not counted on either side. Sides alternate for ``--rounds`` rounds and the best of each side
counts, because the machine may be busy with other work. Overhead = 1 - celery / baseline.

The items are queued by ``wirefeed enqueue --items``, i.e. in batches of 25 per ``wirefeed.ingest_items``
message (the CLI's default); ``--batch 1`` there gives one message per item.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from tests.celery_support import (  # noqa: E402
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
from worker.models import ArticleRecord, DuplicateRecord, IngestErrorRecord  # noqa: E402
from worker.store import Store  # noqa: E402


def _span(database: str) -> tuple[int, float]:
    """(decided items, seconds from the first decision to the last) from the rows' timestamps."""
    store = Store(database)
    with store.session() as session:
        stored_at, seen_at = ArticleRecord.stored_at, DuplicateRecord.seen_at
        stored = session.execute(
            select(func.count(ArticleRecord.id), func.min(stored_at), func.max(stored_at))
        ).one()
        dups = session.execute(
            select(func.count(DuplicateRecord.id), func.min(seen_at), func.max(seen_at))
        ).one()
        errors = session.scalar(select(func.count(IngestErrorRecord.id))) or 0
    store.dispose()
    starts = [value for value in (stored[1], dups[1]) if value is not None]
    ends = [value for value in (stored[2], dups[2]) if value is not None]
    if errors:
        print(f"  warning: {errors} items rejected", file=sys.stderr)
    return stored[0] + dups[0], (max(ends) - min(starts)).total_seconds()


def _decided(database: str) -> int:
    store = Store(database)
    with store.session() as session:
        count = (session.scalar(select(func.count(ArticleRecord.id))) or 0) + (
            session.scalar(select(func.count(DuplicateRecord.id))) or 0
        )
    store.dispose()
    return count


def _baseline_worker(args: tuple[str, str, list[dict[str, Any]], Any]) -> None:
    database, dedup_url, items, barrier = args
    from config.settings import load_settings
    from worker.pipeline import Pipeline, shared_index

    conf = load_settings(database_url=database, dedup_url=dedup_url)
    pipeline = Pipeline.open(conf, index=shared_index(dedup_url, conf.dedup_threshold))
    barrier.wait()
    for item in items:
        pipeline.ingest_item(item)
    pipeline.store.dispose()


def _sources_first(database: str, items: list[dict[str, Any]]) -> None:
    """Create the items' source rows before timing, on both sides alike: what is measured is the items'
    path, and it sidesteps Store.source_id caching an id whose insert was rolled back (reported)."""
    from worker.models import Source

    store = Store(database)
    with store.session() as session:
        for name in sorted({item["source"] for item in items if item.get("source")}):
            session.add(Source(name=name))
    store.dispose()


def run_baseline(postgres_url: str, redis_url: str, items: list[dict[str, Any]], processes: int) -> float:
    dedup = redis_db(redis_url, 20)
    flush(dedup)
    with fresh_database(postgres_url, "bench_base") as database:
        _sources_first(database, items)
        # Interleaved shares: copies of one story go to different processes at the same time, as on a queue.
        shares = [items[n::processes] for n in range(processes)]
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Manager().Barrier(processes)
        procs = [
            ctx.Process(target=_baseline_worker, args=((database, dedup, share, barrier),))
            for share in shares
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        decided, seconds = _span(database)
    assert decided == len(items), f"baseline decided {decided} of {len(items)}"
    return decided / seconds


def run_celery(
    postgres_url: str, redis_url: str, items: list[dict[str, Any]], processes: int, workdir: Path
) -> float:
    broker = redis_db(redis_url, 21)
    flush(broker)
    with fresh_database(postgres_url, "bench_celery") as database:
        _sources_first(database, items)
        env = worker_env(broker_url=broker, database_url=database, dedup_url=broker)
        wirefeed(env, "enqueue", "--items", str(write_jsonl(workdir / "items.jsonl", items)), timeout=600)
        worker = start_worker(
            env, workdir, f"bench{processes}", concurrency=processes, extra=("-l", "warning")
        )
        try:
            wait_until(lambda: _decided(database) >= len(items), 1200, interval=1.0, what="the batch")
        finally:
            worker.stop()
        decided, seconds = _span(database)
    return decided / seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=3000, help="about this many items")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="process counts to measure")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; best of each side counts")
    options = parser.parse_args()

    clusters = options.items // 8
    singles = options.items - 4 * clusters
    items = clustered_items(seed=options.seed, clusters=clusters, copies=4, singles=singles)
    print(
        f"items: {len(items)} ({clusters} stories x 4 copies + {len(items) - 4 * clusters} distinct); "
        f"cores: {os.cpu_count()}"
    )
    with ExitStack() as stack:
        postgres_url = os.environ.get("WIREFEED_TEST_POSTGRES_URL")
        redis_url = os.environ.get("WIREFEED_TEST_REDIS_URL")
        if not postgres_url:
            from tests.servers import postgres_server

            postgres_url = stack.enter_context(postgres_server())
        if not redis_url:
            from tests.servers import valkey_server

            redis_url = stack.enter_context(valkey_server()).url
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wirefeed-bench-")))
        print(f"{'processes':>9}  {'in-process items/s':>18}  {'celery items/s':>14}  {'overhead':>8}")
        for processes in options.workers:
            baselines, celeries = [], []
            for _ in range(options.rounds):  # alternated, best of each: the machine may be shared
                baselines.append(run_baseline(postgres_url, redis_url, items, processes))
                time.sleep(1.0)
                celeries.append(run_celery(postgres_url, redis_url, items, processes, workdir))
                time.sleep(1.0)
            baseline, celery = max(baselines), max(celeries)
            overhead = 1.0 - celery / baseline
            rounds = " ".join(f"{b:.0f}/{c:.0f}" for b, c in zip(baselines, celeries, strict=True))
            print(
                f"{processes:>9}  {baseline:>18.1f}  {celery:>14.1f}  {overhead:>8.1%}  (rounds: {rounds})",
                flush=True,
            )


if __name__ == "__main__":
    main()
