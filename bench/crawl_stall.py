"""Hung hosts in a crawl (issue 8, defects 1 and 2): wall time of the same stalling world crawled in
process and through Celery, in the same run, and of one header-trickling page with default settings.

1. ``--part one``: ``wirefeed crawl`` of one source whose only page trickles its headers one byte every
   50 ms, with the sources file's defaults (timeout_s 20, max_retries 3). Target: ends within 60 s.
2. ``--part world``: the three-outlet fixture site plus one outlet whose listing is fine and whose three
   story pages trickle; ``wirefeed crawl`` (in-process, the baseline) against ``wirefeed crawl --enqueue
   --wait`` (workers started and ready beforehand: fetch -P threads -c 8, process -c 2). Target: the
   Celery crawl within 1.5x of the in-process one. Both use max_retries 3, timeout_s 1.5.

Run by hand:  .venv/bin/python bench/crawl_stall.py [--part one|world|both] [--rounds 2]
It starts its own PostgreSQL and Valkey (as the tests do) unless WIREFEED_TEST_POSTGRES_URL /
WIREFEED_TEST_REDIS_URL name existing ones. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from tests.celery_support import (  # noqa: E402
    flush,
    fresh_database,
    redis_db,
    start_worker,
    wirefeed,
    worker_env,
)
from tests.hostile_servers import Behaviour, HostileServer  # noqa: E402
from worker.demo import DemoSite  # noqa: E402

LISTING = (
    b"<html><body><h1>News</h1>"
    + b"".join(b'<p><a href="/story/%d">Story %d</a></p>' % (n, n) for n in (1, 2, 3))
    + b"</body></html>"
)


def _timed(env: dict[str, str], *args: str) -> float:
    started = time.monotonic()
    wirefeed(env, *args, timeout=900)
    return time.monotonic() - started


def one_page(workdir: Path) -> float:
    with HostileServer(Behaviour("trickle", interval_s=0.05)) as trickle:
        sources = workdir / "one.yaml"
        document = {
            "sources": [{"name": "slow", "pages": [trickle.base + "/news/"], "link_pattern": r"/story/\d+$"}]
        }
        sources.write_text(yaml.safe_dump(document))
        env = worker_env(
            database_url=f"sqlite:///{workdir / 'one.db'}", sources=sources, allow_private_hosts="127.0.0.1"
        )
        wirefeed(env, "db", "upgrade")
        return _timed(env, "crawl")


def _world(site: DemoSite, stall: HostileServer) -> dict[str, Any]:
    document = site.sources_document(min_delay_s=0.2, timeout_s=1.5, max_retries=3)
    document["sources"].append(
        {"name": "stalling", "pages": [stall.base + "/news/"], "link_pattern": r"/story/\d+$"}
    )
    return document


def world(postgres_url: str, redis_url: str, workdir: Path, round_: int) -> tuple[float, float]:
    behaviour = Behaviour("trickle", interval_s=0.05, pages={"/news/": (LISTING, "text/html")})
    with (
        DemoSite() as site,
        HostileServer(behaviour) as stall,
        fresh_database(postgres_url, f"stall_local{round_}") as db_local,
        fresh_database(postgres_url, f"stall_queued{round_}") as db_queued,
    ):
        sources = workdir / "world.yaml"
        sources.write_text(yaml.safe_dump(_world(site, stall), sort_keys=False))
        local_env = worker_env(database_url=db_local, sources=sources, allow_private_hosts="127.0.0.1")
        local = _timed(local_env, "crawl")
        broker = redis_db(redis_url, 41)
        flush(broker)
        env = worker_env(
            broker_url=broker,
            database_url=db_queued,
            dedup_url=broker,
            sources=sources,
            allow_private_hosts="127.0.0.1",
        )
        process = start_worker(
            env, workdir, "process", queues="process", concurrency=2, extra=("-l", "warning")
        )
        fetch = start_worker(
            env, workdir, "fetch", queues="discover,fetch", concurrency=8, extra=("-P", "threads")
        )
        try:
            fetch.wait_for_log(r"ready\.")
            queued = _timed(env, "crawl", "--enqueue", "--wait")
        finally:
            fetch.stop()
            process.stop()
    return local, queued


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=["one", "world", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=2, help="world rounds; best of each side counts")
    options = parser.parse_args()
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wirefeed-stall-")))
        if options.part in {"one", "both"}:
            seconds = one_page(workdir)
            print(
                f"one header-trickling page, default settings: wirefeed crawl {seconds:.1f} s "
                f"(target <= 60 s; before issue 8: still running after 90 s)",
                flush=True,
            )
        if options.part in {"world", "both"}:
            postgres_url = os.environ.get("WIREFEED_TEST_POSTGRES_URL")
            redis_url = os.environ.get("WIREFEED_TEST_REDIS_URL")
            if not postgres_url:
                from tests.servers import postgres_server

                postgres_url = stack.enter_context(postgres_server())
            if not redis_url:
                from tests.servers import valkey_server

                redis_url = stack.enter_context(valkey_server()).url
            results = [world(postgres_url, redis_url, workdir, n) for n in range(options.rounds)]
            local = min(r[0] for r in results)
            queued = min(r[1] for r in results)
            rounds = " ".join(f"{a:.1f}/{b:.1f}" for a, b in results)
            print(
                f"stalling world (3 outlets + 1 with 3 trickling pages): in-process {local:.1f} s, "
                f"celery {queued:.1f} s, ratio {queued / local:.2f}x (target <= 1.5x; rounds {rounds})",
                flush=True,
            )


if __name__ == "__main__":
    main()
