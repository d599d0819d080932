"""Hostile hosts, bounded: wirefeed beside a Scrapy-style baseline, measured in the same run.

``--part storm``: a source of ``--pages`` pages on a host answering every page 503 (``Retry-After``
``--retry-after`` s). wirefeed pauses the host after three pages in a row fail; the baseline retries every
page within its own budget (what a per-request retry middleware does: the same fetcher with the host
breaker off). Prints wall time and requests sent to the failing host; every page must end as an error
row that the next run retries.

``--part sitemap``: one gzip sitemap of ``--urls`` URLs (50,000 is the protocol's ceiling; hostile hosts
send millions). wirefeed streams it and stops at its entry cap; the baseline inflates the whole document
and parses it in one tree (as Scrapy's ``Sitemap`` does with lxml), then takes the same number of
entries. Each runs in a fresh process so peak RSS is its own.

``--part feed``: one RSS feed of ``--items`` entries (about 10 MB at 50,000, inside the default byte
limit). wirefeed cuts it before the entry past its cap (500) and hands the rest to feedparser; the
baseline hands feedparser the whole document and keeps the first 500 entries.

``--part bigfeed``: one RSS feed of ``--megabytes`` MB (50 by default, five times the default byte limit)
served over HTTP on 127.0.0.1. wirefeed fetches it as a crawl does (``Fetcher.fetch``, cut at
``max_bytes``) and keeps its first 500 entries; the baseline downloads the whole body (as a crawler with
no byte limit on feeds does) and hands it to feedparser. Before, wirefeed refused any feed past
``max_bytes`` as ``too_large`` and kept nothing.

    .venv/bin/python bench/crawl_hostile.py [--part storm|sitemap|feed|bigfeed|all]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.sources import Source  # noqa: E402
from scrapers.politeness import HostBreaker  # noqa: E402
from tests.hostile_servers import Route, RouteServer  # noqa: E402
from worker.crawl import crawl, make_fetcher  # noqa: E402
from worker.pipeline import Pipeline  # noqa: E402
from worker.store import Store  # noqa: E402

ENTRY_CAP = 5_000  # what discovery keeps of one sitemap (max_items_per_feed x 10 at the defaults)


# -- storm ---------------------------------------------------------------------------------------------
def storm(pages: int, retry_after: float, breaker: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, RouteServer() as server:
        store = Store(f"sqlite:///{Path(folder) / 'storm.db'}")
        store.upgrade()
        rows = "".join(f"<url><loc>{server.base}/a/{n}.html</loc></url>" for n in range(pages))
        server.routes["/sitemap.xml"] = Route(
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'.encode(),
            "text/xml",
        )
        busy = Route(
            b"<html><body>busy</body></html>", status=503, headers={"Retry-After": f"{retry_after:g}"}
        )
        server.fallback = lambda path: busy
        source = Source(
            name="storm", sitemaps=[server.base + "/sitemap.xml"], min_delay_s=0.05, backoff_base_s=0.05
        )
        fetcher = make_fetcher(allow_private_hosts=["127.0.0.1"])
        if not breaker:
            fetcher.breaker = HostBreaker(failure_limit=10**9)
        started = time.monotonic()
        summary = crawl([source], Pipeline(store), fetcher)
        wall = time.monotonic() - started
        fetcher.close()
        store.dispose()
        return {
            "wall_s": wall,
            "requests": sum(1 for hit in server.hits if hit.startswith("/a/")),
            "error_rows": summary.total.error_count,
        }


def run_storm(pages: int, retry_after: float) -> None:
    print(f"503 storm: {pages} pages, Retry-After {retry_after:g} s, max_retries 3 (defaults otherwise)")
    rows = {
        "wirefeed (host paused)": storm(pages, retry_after, breaker=True),
        "baseline (per-page retries)": storm(pages, retry_after, breaker=False),
    }
    print(f"{'mode':<30} {'wall s':>8} {'requests':>9} {'error rows':>11}")
    for name, row in rows.items():
        print(f"{name:<30} {row['wall_s']:8.2f} {row['requests']:9.0f} {row['error_rows']:11.0f}")
    ours, base = rows["wirefeed (host paused)"], rows["baseline (per-page retries)"]
    print(f"ratio wall wirefeed/baseline: {ours['wall_s'] / base['wall_s']:.3f}")


# -- sitemap -------------------------------------------------------------------------------------------
def _fetched_feed(mode: str, url: str) -> int:
    """Entries kept from the feed at ``url``: fetched as a crawl does, or whole (the baseline)."""
    import feedparser
    import httpx

    from config.sources import Defaults
    from scrapers.discover import parse_feed
    from scrapers.fetch import Fetcher, FetchPolicy

    if mode == "bigfeed-wirefeed":
        policy = FetchPolicy.from_source(Defaults(), min_delay_s=0.0)
        with Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher:
            result = fetcher.fetch(url, policy, kind="feed")
        return len(parse_feed(result.content, result.final_url, max_items=500))
    body = httpx.get(url, timeout=600).content
    return len(feedparser.parse(body).entries[:500])


def _child(mode: str, path: str) -> None:
    """One measurement in this (fresh) process: prints a JSON line."""
    started = time.perf_counter()
    if mode.startswith("bigfeed-"):
        count = _fetched_feed(mode, path)
    elif mode.startswith("feed-"):
        data = Path(path).read_bytes()
        import feedparser

        from scrapers.discover import parse_feed

        if mode == "feed-wirefeed":
            count = len(parse_feed(data, "https://news.example/rss", max_items=500))
        else:
            count = len(feedparser.parse(data).entries[:500])
    elif mode == "wirefeed":
        from scrapers.discover import parse_sitemap

        data = Path(path).read_bytes()
        count = len(parse_sitemap(data, "https://news.example/all.xml.gz", max_items=ENTRY_CAP).urls)
    else:
        import lxml.etree

        from scrapers.discover import parse_w3c_datetime
        from scrapers.urls import try_canonicalize

        inflated = gzip.decompress(Path(path).read_bytes())
        parser = lxml.etree.XMLParser(
            recover=True, remove_comments=True, resolve_entities=False, huge_tree=True
        )
        root = lxml.etree.fromstring(inflated, parser=parser)
        entries = [node for node in root if str(node.tag).endswith("url")][:ENTRY_CAP]
        count = sum(
            1
            for node in entries
            if try_canonicalize(node.findtext("{*}loc") or "")
            and (parse_w3c_datetime(node.findtext("{*}lastmod")) or 1)
        )
    elapsed = time.perf_counter() - started
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec
    status = Path("/proc/self/status").read_text()
    peak_mb = int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb, "entries": count}))


def _measure(modes: dict[str, str], path: str) -> dict[str, dict[str, float]]:
    results = {}
    for mode in modes:
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, path], capture_output=True, text=True, check=True
        )
        results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{'mode':<36} {'seconds':>8} {'peak RSS MB':>12} {'entries':>8}")
    for mode, row in results.items():
        print(f"{modes[mode]:<36} {row['seconds']:8.2f} {row['peak_mb']:12.0f} {row['entries']:8d}")
    ours, base = (results[mode] for mode in modes)
    print(
        f"ratio wirefeed/baseline: time {ours['seconds'] / base['seconds']:.3f}, "
        f"peak RSS {ours['peak_mb'] / base['peak_mb']:.3f}"
    )
    return results


def run_feed(items: int) -> None:
    entries = b"".join(
        b"<item><title>Story %d</title><link>https://news.example/a/%d.html</link><pubDate>Tue, 05 Mar 2024 "
        b"10:00:00 GMT</pubDate><description>Words of the story number %d.</description></item>" % (n, n, n)
        for n in range(items)
    )
    document = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>' + entries + b"</channel></rss>"
    )
    print(f"one RSS feed: {items:,} entries, {len(document) / 1e6:.1f} MB; entries kept: 500")
    with tempfile.NamedTemporaryFile(suffix=".xml") as handle:
        handle.write(document)
        handle.flush()
        _measure(
            {"feed-wirefeed": "wirefeed (cut at the cap)", "feed-baseline": "baseline (feedparser, whole)"},
            handle.name,
        )


def run_bigfeed(megabytes: float) -> None:
    row = (
        b"<item><title>Story %d</title><link>https://news.example/a/%d.html</link><pubDate>Tue, 05 Mar 2024 "
        b"10:00:00 GMT</pubDate><description>Words of the story number %d.</description></item>"
    )
    items = int(megabytes * 1e6 / len(row % (100_000, 100_000, 100_000)))
    document = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
        + b"".join(row % (n, n, n) for n in range(items))
        + b"</channel></rss>"
    )
    print(f"one RSS feed over HTTP: {items:,} entries, {len(document) / 1e6:.1f} MB; entries kept: 500")
    with RouteServer() as server:
        server.routes["/rss.xml"] = Route(document, "application/rss+xml")
        del document
        _measure(
            {
                "bigfeed-wirefeed": "wirefeed (fetch cut at max_bytes)",
                "bigfeed-baseline": "baseline (whole body, feedparser)",
            },
            server.base + "/rss.xml",
        )


def run_sitemap(urls: int) -> None:
    row = b"<url><loc>https://news.example/a/story-%d.html</loc><lastmod>2024-03-05</lastmod></url>"
    body = b"".join(row % n for n in range(urls))
    document = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + body
        + b"</urlset>"
    )
    print(
        f"one gzip sitemap: {urls:,} URLs, {len(document) / 1e6:.0f} MB inflated; entries kept: {ENTRY_CAP:,}"
    )
    with tempfile.NamedTemporaryFile(suffix=".xml.gz") as handle:
        handle.write(gzip.compress(document, 1))
        handle.flush()
        del body, document
        _measure(
            {"wirefeed": "wirefeed (stream, stop at the cap)", "baseline": "baseline (whole tree, lxml)"},
            handle.name,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["storm", "sitemap", "feed", "bigfeed", "all"], default="all")
    parser.add_argument("--megabytes", type=float, default=50.0)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--retry-after", type=float, default=0.5)
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    if args.part in {"storm", "all"}:
        run_storm(args.pages, args.retry_after)
    if args.part in {"sitemap", "all"}:
        run_sitemap(args.urls)
    if args.part in {"feed", "all"}:
        run_feed(args.items)
    if args.part in {"bigfeed", "all"}:
        run_bigfeed(args.megabytes)


if __name__ == "__main__":
    main()
