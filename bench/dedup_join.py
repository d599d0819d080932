"""A worker's whole join at 10k, 100k (and 1M) stored documents, process start to ready, three ways:

- **SQL rebuild, before**: the join as it was (every row read with ``strftime``, then built and sorted);
- **SQL rebuild, after**: ``join_index`` without a snapshot (rows in id order and large chunks, times
  from ``julianday``; the same build);
- **snapshot**: ``join_index`` from the snapshot the previous join wrote (mapped, checked, caught up);
- beside them, datasketch's ``MinHashLSH`` filled with the same signatures from memory (no SQL at all),
  up to 100k (at 1M it would not fit in this machine's memory).

Each join runs in a fresh interpreter, as a worker starts: the wall time from spawning it to the index
being ready (imports included), and the CPU seconds it used, since on the shared machine the wall time
is mostly waiting for a core. The store is a SQLite file of the project's schema (``Store.upgrade``)
holding random signatures of distinct stories, stamped a day ago (a worker joins a store written
earlier, not one written this second).

    .venv/bin/python -m bench.dedup_scale --store --million --write README.md
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from worker.fingerprint import Signature
from worker.models import ArticleRecord
from worker.store import Store

THRESHOLD = 0.5
WAYS = ("before", "after", "snapshot")
LABELS = {
    "before": "SQL rebuild, before (strftime read)",
    "after": "SQL rebuild, after",
    "snapshot": "snapshot + catch-up",
}


def make_store(path: Path, sigs: list[Signature]) -> None:
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    then = datetime.now(UTC) - timedelta(days=1)
    with store.engine.begin() as conn:
        for start in range(0, len(sigs), 20_000):
            conn.execute(
                insert(ArticleRecord.__table__),
                [
                    {
                        "canonical_url": f"https://news.example/{i // 1000}/{i}",
                        "content_hash": f"{i:064x}",
                        "signature": sigs[i].to_bytes(),
                        "text": "",
                        "stored_at": then,
                        "updated_at": then,
                    }
                    for i in range(start, min(len(sigs), start + 20_000))
                ],
            )
    store.dispose()


def child(way: str, database: str, snapshot: str) -> None:
    """One join in this fresh interpreter; prints its figures as JSON (the parent times the spawn)."""
    import resource

    from worker.dedup import InProcessIndex
    from worker.dedup_join import join_with_report

    store = Store(f"sqlite:///{database}")
    figures: dict[str, Any] = {}
    if way == "before":
        start = time.perf_counter()
        pairs, stamps = _stored_signatures_before(store)
        figures["read"] = time.perf_counter() - start
        index = InProcessIndex.build(pairs, THRESHOLD, stamps=stamps)
        figures["build"] = time.perf_counter() - start - figures["read"]
        figures["rows"] = len(pairs)
    else:
        index, report = join_with_report(
            store, THRESHOLD, snapshot=Path(snapshot) if way == "snapshot" else False
        )
        assert report.fallback is None or way != "snapshot", report.fallback
        seconds = report.seconds
        figures["read"] = seconds.get("read", 0.0) + seconds.get("catch_up", 0.0)
        figures["build"] = seconds.get("build", 0.0) + seconds.get("load", 0.0)
        figures["rows"] = report.rows_read
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures |= {"ready": time.time(), "cpu": usage.ru_utime + usage.ru_stime, "size": len(index)}
    print(json.dumps(figures), flush=True)


def _stored_signatures_before(store: Store) -> tuple[list[tuple[str, bytes]], list[float]]:
    """The join's read as it was before the snapshot (kept here as the baseline)."""
    from sqlalchemy import Float, cast, func, select

    from worker.models import DuplicateRecord

    queries = [
        select(
            ArticleRecord.canonical_url,
            ArticleRecord.signature,
            cast(func.strftime("%s", ArticleRecord.updated_at), Float),
        ),
        select(
            DuplicateRecord.url,
            DuplicateRecord.signature,
            cast(func.strftime("%s", DuplicateRecord.seen_at), Float),
        ).where(DuplicateRecord.signature.is_not(None)),
    ]
    keys: list[str] = []
    blobs: list[bytes] = []
    stamps: list[float] = []
    with store.engine.connect() as conn:
        for query in queries:
            rows = conn.execute(query).all()
            if rows:
                found_keys, found_blobs, found_stamps = zip(*rows, strict=True)
                keys += found_keys
                blobs += found_blobs
                stamps += map(float, found_stamps)
    return list(zip(keys, blobs, strict=True)), stamps


def spawn(way: str, database: Path, snapshot: Path) -> dict[str, float]:
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "bench.dedup_join", way, str(database), str(snapshot)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["whole"] = figures["ready"] - started
    return figures


def datasketch_fill(sigs: list[Signature]) -> float:
    from bench.dedup_scale import fill_lsh

    start = time.perf_counter()
    fill_lsh(sigs)
    return time.perf_counter() - start


def join_rows(count: int) -> list[str]:
    from bench.dedup_scale import make_signatures

    sigs = make_signatures(count, seed=count)
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        database, snapshot = Path(tmp) / "join.db", Path(tmp) / "join.db.dedup-index"
        make_store(database, sigs)
        lsh = datasketch_fill(sigs) if count <= 100_000 else None
        del sigs
        gc.collect()
        spawn("after", database, snapshot)  # warms the page cache for all three, as a running machine has it
        from worker.dedup_join import join_with_report

        _, report = join_with_report(Store(f"sqlite:///{database}"), THRESHOLD, snapshot=snapshot)
        size = snapshot.stat().st_size
        for way in WAYS:
            figures = spawn(way, database, snapshot)
            assert figures["size"] == count, figures
            lines.append(
                f"| {count:,} | {LABELS[way]} | {figures['rows']:,} | {figures['read']:.2f} | {figures['build']:.2f} "
                f"| {figures['whole']:.2f} | {figures['cpu']:.2f} |"
            )
            print(lines[-1], flush=True)
        print(
            f"(snapshot of {count:,}: {size / 1e6:,.0f} MB, written in {report.seconds.get('write', 0):.2f} s)",
            file=sys.stderr,
        )
        if lsh is not None:
            lines.append(
                f"| {count:,} | datasketch MinHashLSH, filled from memory | {count:,} | - | {lsh:.2f} | - | - |"
            )
            print(lines[-1], flush=True)
    return lines


def store_table(sizes: list[int]) -> list[str]:
    lines = [
        "| indexed docs | join | rows read | read (s) | build or load (s) | process start to ready (s) | CPU (s) |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(lines), flush=True)
    for count in sizes:
        lines += join_rows(count)
        gc.collect()
    return lines


if __name__ == "__main__":
    child(*sys.argv[1:4])
