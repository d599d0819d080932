"""Extraction speed: wirefeed's ``extract()`` against trafilatura on the same pages, in the same run.

Pages come from ../shared/extraction-dev (decompressed up front, so only extraction is timed). Both
extractors receive the raw bytes, as a fetcher would hand them over; wirefeed's figure includes its
decoding, metadata and body extraction, trafilatura's its default ``extract()``. The two run page by
page, interleaved, for several rounds, and each page keeps its fastest time per extractor: on a shared
machine a whole-round comparison measures the neighbours' load as much as the extractors.

Run by hand:  .venv/bin/python bench/extract_speed.py [--limit N] [--rounds 3] [--cpu]

``--cpu`` times each call by the thread's CPU time instead of the wall clock: on a loaded machine the
wall clock also counts the moments the process waits for a core, which no number of rounds fully
removes, while both extractors run in this one thread.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scrapers.errors import IngestError
from scrapers.extract import extract

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "extraction-dev"  # beside the project


def ours(data: bytes, url: str) -> None:
    with contextlib.suppress(IngestError):
        extract(data, url)


def trafilatura_default(data: bytes, url: str) -> None:
    import trafilatura

    trafilatura.extract(data, url=url)


def timed_round(run: Callable[[bytes, str], None], pages: list[tuple[str, bytes]]) -> list[float]:
    per_page = []
    for url, data in pages:
        started = time.perf_counter()
        run(data, url)
        per_page.append(time.perf_counter() - started)
    return per_page


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cpu", action="store_true", help="time by thread CPU time, not wall time")
    args = parser.parse_args()
    clock = time.thread_time if args.cpu else time.perf_counter

    segments: dict[str, dict[str, Any]] = json.loads((CORPUS / "segments.json").read_text("utf-8"))
    items = list(segments.items())[: args.limit] if args.limit else list(segments.items())
    pages = [(url, gzip.decompress((CORPUS / info["file"]).read_bytes())) for url, info in items]
    size = statistics.median(len(data) for _, data in pages) / 1000

    runners = {"wirefeed": ours, "trafilatura": trafilatura_default}
    for run in runners.values():  # warm-up: imports, caches, lazily compiled patterns
        timed_round(run, pages[:5])
    # Interleaved per page (both extractors see the same moment's load on a shared machine), the order
    # alternating by round; each page keeps its fastest time per extractor over the rounds.
    best: dict[str, list[float]] = {name: [float("inf")] * len(pages) for name in runners}
    names = list(runners)
    for round_no in range(args.rounds):
        order = names if round_no % 2 == 0 else names[::-1]
        for i, (url, data) in enumerate(pages):
            for name in order:
                started = clock()
                runners[name](data, url)
                best[name][i] = min(best[name][i], clock() - started)

    print(
        f"{len(pages)} pages (median {size:.0f} KB), fastest of {args.rounds} interleaved rounds per page"
        + (", thread CPU time" if args.cpu else "")
    )
    print(f"{'extractor':<12} {'pages/s':>8} {'median ms':>10} {'p95 ms':>8}")
    for name, times in best.items():
        ordered = sorted(times)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(
            f"{name:<12} {len(times) / sum(times):>8.1f} {statistics.median(times) * 1000:>10.2f} "
            f"{p95 * 1000:>8.2f}"
        )
    ratio = sum(best["trafilatura"]) / sum(best["wirefeed"])
    print(f"wirefeed speed / trafilatura speed = {ratio:.2f}x")
    median_ratio = statistics.median(best["wirefeed"]) / statistics.median(best["trafilatura"])
    print(f"median ms/page wirefeed / trafilatura = {median_ratio:.2f}x  (target <= 0.80)")


if __name__ == "__main__":
    main()
