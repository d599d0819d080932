"""Does a crawl of many hosts take about as long as its slowest host, not their sum?

Crawls the bundled fixture site (three outlets, each its own host, one with the hostile endpoints) twice
on fresh SQLite stores: once as ``wirefeed crawl`` does (sources in parallel, politeness per host), and
once with one worker (the sequential baseline), in the same run. Prints wall time, the slowest single
source, and the sum of sources, plus the smallest gap between two requests to one host (politeness must
hold in both modes).

    .venv/bin/python bench/crawl_hosts.py [--delay 0.2]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

from config.sources import parse_sources
from worker.crawl import crawl, make_fetcher
from worker.demo import DemoSite
from worker.pipeline import Pipeline
from worker.store import Store


def run(workers: int, delay: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, DemoSite() as site:
        store = Store(f"sqlite:///{Path(folder) / 'bench.db'}")
        store.upgrade()
        pipeline = Pipeline(store)
        config = parse_sources(site.sources_document(min_delay_s=delay, timeout_s=1.0, max_retries=1))
        fetcher = make_fetcher(allow_private_hosts=["127.0.0.1"])
        started = time.monotonic()
        summary = crawl(config.sources, pipeline, fetcher, max_workers=workers)
        wall = time.monotonic() - started
        fetcher.close()
        gaps = []
        for outlet in site.base_urls:
            times = [r.time for r in site.requests(outlet)]
            gaps += [b - a for a, b in itertools.pairwise(times)]
        per_source = [s.elapsed_s for s in summary.sources.values()]
        store.dispose()
        return {
            "wall_s": wall,
            "slowest_source_s": max(per_source),
            "sum_of_sources_s": sum(per_source),
            "min_gap_s": min(gaps),
            "stored": summary.total.stored,
            "duplicates": summary.total.duplicates,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.2, help="min_delay_s per host")
    args = parser.parse_args()
    rows = {"wirefeed (parallel sources)": run(8, args.delay), "baseline (one worker)": run(1, args.delay)}
    print(f"{'mode':<28} {'wall s':>7} {'slowest':>8} {'sum':>7} {'min gap':>8} {'stored':>7} {'dups':>5}")
    for name, row in rows.items():
        print(
            f"{name:<28} {row['wall_s']:7.2f} {row['slowest_source_s']:8.2f} {row['sum_of_sources_s']:7.2f} "
            f"{row['min_gap_s']:8.3f} {row['stored']:7.0f} {row['duplicates']:5.0f}"
        )


if __name__ == "__main__":
    main()
