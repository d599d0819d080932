"""Politeness under hostile hosts: per-host delay and one request at a time still hold when hosts are
slow, storm with 503, lie about their coding, send bombs, ask for a Crawl-delay, and when two sources'
listings point at one host.

Four hosts on 127.0.0.1 (each its own port, so its own politeness key), crawled by four sources at once
with ``--delay`` s between requests to a host (``min_delay_s``):

- slow: every page answered after ``--slow`` s (a struggling server);
- storm: each page 503 (``Retry-After: 0.2``) twice, then answered;
- liar: its feed's entries point at its own pages (``Content-Encoding: gzip`` on plain HTML, pages
  gzipped twice under ``gzip, gzip`` and under one ``gzip``, and one gzip bomb of 40 MB) and at the slow
  host's, which a sitemap of the slow host lists too;
- crawl-delay: robots.txt asks ``Crawl-delay: --crawl-delay`` s, larger than ``--delay``; its sitemap
  starts with blank lines before ``<?xml`` (which libxml2 refuses as it comes).

Each server logs when it began and finished answering every request (robots.txt, soft-404 probe, pages).
Printed per host: requests, the most requests in progress at once (must be 1), the shortest pause between
one answer's end and the next request (must be at least the host's delay; measured at the server, so a
little under the client's own count), and the crawl's wall time and outcome. No baseline: a Scrapy-style
crawler with ``CONCURRENT_REQUESTS_PER_DOMAIN`` 8 and no delay would show 8 and 0 by construction.

    .venv/bin/python bench/crawl_polite.py [--delay 0.25] [--crawl-delay 0.5] [--slow 0.15]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import sys
import tempfile
import threading
import time
import zlib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.sources import Source  # noqa: E402
from tests.hostile_servers import Route, RouteServer  # noqa: E402
from tests.test_crawl_hostile import sitemap, story  # noqa: E402
from tests.test_crawl_unseen import rss  # noqa: E402
from worker.crawl import crawl, make_fetcher  # noqa: E402
from worker.pipeline import Pipeline  # noqa: E402
from worker.store import Store  # noqa: E402

Answer = Callable[[str], Route]


class Log:
    """Each host's answers as (start, end) times, taken at the server."""

    def __init__(self) -> None:
        self.spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self._lock = threading.Lock()

    def timed(self, host: str, answer: Answer, hold_s: float = 0.0) -> Answer:
        def route(path: str) -> Route:
            start = time.monotonic()
            result = answer(path)
            time.sleep(hold_s)
            with self._lock:
                self.spans[host].append((start, time.monotonic()))
            return result

        return route

    def report(self, host: str, delay: float) -> tuple[int, int, float, bool]:
        spans = sorted(self.spans[host])
        overlap = max(
            (sum(1 for other in spans if other[0] < end and other[1] > start) for start, end in spans),
            default=0,
        )
        gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(spans)]
        shortest = min(gaps, default=float("nan"))
        return len(spans), overlap, shortest, overlap <= 1 and (not gaps or shortest >= delay - 0.02)


def _number(path: str) -> int:
    return int(path.rsplit("/", 1)[1].split(".")[0])


def _bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = packer.compress(b"<html><body><article><p>" + b"A story. " * 50)
    return head + b"".join(packer.compress(b" " * 1_000_000) for _ in range(40)) + packer.flush()


def _blank_first(route: Route) -> Route:
    route.body = b'\n\n<?xml version="1.0" encoding="UTF-8"?>' + route.body
    return route


def run(delay: float, crawl_delay: float, slow: float) -> None:
    log = Log()
    names = ["slow", "storm", "liar", "crawl-delay"]
    with tempfile.TemporaryDirectory() as folder:
        servers = {name: RouteServer() for name in names}
        for server in servers.values():
            server.__enter__()
        try:
            s = servers
            robots = {name: b"User-agent: *\nDisallow:\n" for name in names}
            robots["crawl-delay"] = f"User-agent: *\nCrawl-delay: {crawl_delay:g}\n".encode()
            for name, server in s.items():
                server.routes["/robots.txt"] = log.timed(
                    name, lambda path, n=name: Route(robots[n], "text/plain")
                )
                server.fallback = log.timed(
                    name, lambda path: Route(b"<html><body>Not found</body></html>", status=404)
                )
            s["slow"].routes.update(
                {
                    f"/a/{n}.html": log.timed("slow", lambda p: Route(story(_number(p))), slow)
                    for n in range(10)
                }
            )
            asked: dict[str, int] = defaultdict(int)

            def stormy(path: str) -> Route:
                asked[path] += 1
                if asked[path] <= 2:
                    return Route(
                        b"<html><body>busy</body></html>", status=503, headers={"Retry-After": "0.2"}
                    )
                return Route(story(100 + _number(path)))

            s["storm"].routes.update({f"/a/{n}.html": log.timed("storm", stormy) for n in range(4)})
            s["liar"].routes.update(
                {
                    f"/a/{n}.html": log.timed(
                        "liar", lambda p: Route(story(200 + _number(p)), headers={"Content-Encoding": "gzip"})
                    )
                    for n in range(4)
                }
            )
            twice = {"4": "gzip, gzip", "5": "gzip"}
            s["liar"].routes.update(
                {
                    f"/a/{n}.html": log.timed(
                        "liar",
                        lambda p: Route(
                            gzip.compress(gzip.compress(story(200 + _number(p)))),
                            headers={"Content-Encoding": twice[str(_number(p))]},
                        ),
                    )
                    for n in twice
                }
            )
            bomb = _bomb()
            s["liar"].routes["/a/9.html"] = log.timed(
                "liar", lambda p: Route(bomb, headers={"Content-Encoding": "gzip"})
            )
            entries = [
                (f"Harbour council story {n}", f"{s['liar'].base}/a/{n}.html") for n in (0, 1, 2, 3, 4, 5, 9)
            ]
            entries += [(f"Harbour council story {n}", f"{s['slow'].base}/a/{n}.html") for n in range(5, 10)]
            s["liar"].routes["/feed.xml"] = log.timed("liar", lambda p: rss(entries))
            s["slow"].routes["/sitemap.xml"] = log.timed(
                "slow", lambda p: sitemap([f"{s['slow'].base}/a/{n}.html" for n in range(8)])
            )
            s["storm"].routes["/sitemap.xml"] = log.timed(
                "storm", lambda p: sitemap([f"{s['storm'].base}/a/{n}.html" for n in range(4)])
            )
            s["crawl-delay"].routes["/sitemap.xml"] = log.timed(
                "crawl-delay",
                lambda p: _blank_first(sitemap([f"{s['crawl-delay'].base}/a/{n}.html" for n in range(4)])),
            )
            s["crawl-delay"].routes.update(
                {
                    f"/a/{n}.html": log.timed("crawl-delay", lambda p: Route(story(300 + _number(p))))
                    for n in range(4)
                }
            )
            common = {
                "min_delay_s": delay,
                "timeout_s": 5.0,
                "backoff_base_s": 0.05,
                "retry_after_cap_s": 1.0,
            }
            sources = [
                Source(name="slow", sitemaps=[s["slow"].base + "/sitemap.xml"], **common),
                Source(name="liar", feeds=[s["liar"].base + "/feed.xml"], **common),
                Source(name="storm", sitemaps=[s["storm"].base + "/sitemap.xml"], **common),
                Source(name="crawl-delay", sitemaps=[s["crawl-delay"].base + "/sitemap.xml"], **common),
            ]
            store = Store(f"sqlite:///{Path(folder) / 'polite.db'}")
            store.upgrade()
            with make_fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher:
                started = time.monotonic()
                summary = crawl(sources, Pipeline(store), fetcher)
                wall = time.monotonic() - started
            store.dispose()
        finally:
            for server in servers.values():
                server.__exit__(None, None, None)
    print(f"4 sources, 4 hosts, min_delay_s {delay:g}, Crawl-delay {crawl_delay:g}, slow answers {slow:g} s")
    print(f"{'host':<12} {'requests':>8} {'at once':>8} {'min pause s':>12} {'needed s':>9}  holds")
    held = True
    for name in names:
        needed = crawl_delay if name == "crawl-delay" else delay
        count, overlap, shortest, ok = log.report(name, needed)
        held = held and ok
        print(f"{name:<12} {count:8d} {overlap:8d} {shortest:12.3f} {needed:9.2f}  {'yes' if ok else 'NO'}")
    total = summary.total
    print(f"wall {wall:.2f} s; stored {total.stored}, error rows {total.error_count}; all hold: {held}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.25)
    parser.add_argument("--crawl-delay", type=float, default=0.5)
    parser.add_argument("--slow", type=float, default=0.15)
    args = parser.parse_args()
    run(args.delay, args.crawl_delay, args.slow)


if __name__ == "__main__":
    main()
