"""Does fingerprinting the next batch in a second thread speed up ``Pipeline.ingest_items``?

Run by hand: ``.venv/bin/python -m bench.ingest_overlap [--rounds 3] [--switch 0.005]``.

A thread only buys time for work that runs without the GIL. Two measurements, in one process:

1. **GIL probe.** The dedup corpus fingerprinted in batches of ``Pipeline.BATCH_SIZE`` (from an empty
   chunk table, as a fresh process) alone, a pure-Python loop (JSON decoding and sums) alone, then both at
   once in two threads. If the fingerprint ran mostly without the GIL, both at once would take about the
   longer of the two; if it holds the GIL, about their sum (or more: each hand-over of the GIL waits up to
   the switch interval).
2. **Pipelined ingest.** The corpus's JSON lines into a fresh SQLite file, batch by batch: sequentially
   (``ingest_items``), then with batch N+1 parsed and fingerprinted (``_prepare_items``, which needs no
   database) in a worker thread while batch N is decided and written. Wall and process CPU seconds of each,
   and whether every decision is the same (outcome and rule, by position; article ids can differ when a
   batch is cut by its time bound, ``Pipeline.BATCH_SECONDS``, at another item).

Rounds alternate the two ways, so the load of the moment weighs on both alike.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dedup_corpus import generate  # noqa: E402
from bench.ingest_items import fresh_tables, lines  # noqa: E402
from worker.fingerprint import fingerprints  # noqa: E402
from worker.models import utcnow  # noqa: E402
from worker.pipeline import Decision, Pipeline  # noqa: E402
from worker.store import Store  # noqa: E402


def python_work() -> None:
    """GIL-bound work of about the size of a batch's rules and bookkeeping."""
    payload = [json.dumps({"a": i, "b": "x" * 50, "c": list(range(20))}) for i in range(2000)]
    for _ in range(35):
        for line in payload:
            item = json.loads(line)
            _ = len(item["c"]) + sum(item["c"])


def wall(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def gil_probe(texts: list[str]) -> str:
    batches = [texts[i : i + Pipeline.BATCH_SIZE] for i in range(0, len(texts), Pipeline.BATCH_SIZE)]

    def fingerprint_all() -> None:
        for batch in batches:
            fingerprints(batch)

    fresh_tables()
    alone_fp = wall(fingerprint_all)
    alone_py = wall(python_work)
    fresh_tables()
    thread = threading.Thread(target=fingerprint_all)
    start = time.perf_counter()
    thread.start()
    python_work()
    thread.join()
    both = time.perf_counter() - start
    return (
        f"| GIL probe | {alone_fp:.2f} | {alone_py:.2f} | {both:.2f} | "
        f"{alone_fp + alone_py:.2f} | {max(alone_fp, alone_py):.2f} |"
    )


def sequential(pipeline: Pipeline, chunks: list[list[bytes]]) -> list[Decision]:
    return [decision for chunk in chunks for decision in pipeline.ingest_items(chunk)]


def pipelined(pipeline: Pipeline, chunks: list[list[bytes]]) -> list[Decision]:
    """Batch N+1 prepared (parsed, fingerprinted) in a worker thread while batch N is decided."""
    decisions: list[Decision] = []
    _ = pipeline.item_limits  # settings read once, here, not in the thread
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(pipeline._prepare_items, chunks[0], None, [None] * len(chunks[0]))
        for k in range(len(chunks)):
            prepared = future.result()
            if k + 1 < len(chunks):
                future = pool.submit(
                    pipeline._prepare_items, chunks[k + 1], None, [None] * len(chunks[k + 1])
                )
            decisions += pipeline._ingest_batch(prepared, utcnow())
    return decisions


def ingest_round(chunks: list[list[bytes]], folder: Path, tag: str) -> str:
    timings: dict[str, tuple[float, float, list[str]]] = {}
    for name, way in (("sequential", sequential), ("pipelined", pipelined)):
        fresh_tables()
        store = Store(f"sqlite:///{folder}/{name}{tag}.db")
        store.upgrade()
        pipeline = Pipeline(store)
        _ = pipeline.index
        start, cpu = time.perf_counter(), time.process_time()
        found = way(pipeline, chunks)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        timings[name] = (seconds, cpu, [f"{d.outcome.value} {d.rule}" for d in found])
        store.dispose()
    (seq_s, seq_cpu, seq_d), (par_s, par_cpu, par_d) = timings["sequential"], timings["pipelined"]
    same = "same" if seq_d == par_d else f"{sum(a != b for a, b in zip(seq_d, par_d, strict=True))} differ"
    return f"| ingest {tag} | {seq_s:.2f} | {seq_cpu:.2f} | {par_s:.2f} | {par_cpu:.2f} | {same} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--switch", type=float, default=sys.getswitchinterval(), help="sys.setswitchinterval")
    args = parser.parse_args()
    sys.setswitchinterval(args.switch)
    docs = generate()
    texts = [doc.text.strip() for doc in docs]
    payload = [line.encode() for line in lines(docs).splitlines()]
    chunks = [payload[i : i + Pipeline.BATCH_SIZE] for i in range(0, len(payload), Pipeline.BATCH_SIZE)]
    print(f"{len(docs)} items, switch interval {args.switch * 1000:g} ms\n")
    print("| | fingerprint alone (s) | Python alone (s) | both, two threads (s) | sum | max |")
    print("|---|---:|---:|---:|---:|---:|")
    for _ in range(args.rounds):
        print(gil_probe(texts))
    print(
        "\n| | sequential wall (s) | sequential CPU (s) | pipelined wall (s) | pipelined CPU (s) | decisions |"
    )
    print("|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as name:
        for r in range(args.rounds):
            print(ingest_round(chunks, Path(name), str(r)))


if __name__ == "__main__":
    main()
