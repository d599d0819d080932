"""Whole in-process pipeline (extract, fingerprint, dedup, store on SQLite) against trafilatura alone.

Run by hand: ``.venv/bin/python bench/ingest.py [--pages 1000]``. Pages are the extraction fixtures,
varied deterministically so that most are distinct stories (words of every paragraph resampled), some are
near-duplicates (a trimmed tail) and some exact copies under a new URL: the mix a wire crawl sees. The aim
(issue 2): the whole pipeline at no less than half of trafilatura-alone's pages per second. ``--real``
runs the same comparison on real pages of the extraction development set (median ~110 KB) instead.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scrapers.encoding import decode_html  # noqa: E402
from scrapers.errors import IngestError  # noqa: E402
from worker.pipeline import Outcome, Pipeline  # noqa: E402
from worker.store import Store  # noqa: E402

PAGES = ROOT / "tests" / "fixtures" / "pages"
DEV = ROOT.parent / "shared" / "extraction-dev"
PARAGRAPH = re.compile(r"(<p\b[^>]*>)(.*?)(</p>)", re.S | re.I)
WORD = re.compile(r"[^\W\d_]{4,}")  # letters of any script, so the Cyrillic page varies too


def base_pages() -> list[str]:
    pages = []
    for path in sorted(PAGES.glob("*.html")):
        expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        if "error" in expected:  # the index page: not an article, so not a story to vary
            continue
        html = decode_html(path.read_bytes())
        if len(PARAGRAPH.findall(html)) >= 3:
            pages.append(html)
    if not pages:
        raise SystemExit(f"no fixture pages with paragraphs under {PAGES}")
    return pages


def vary(html: str, number: int, vocabulary: list[str]) -> str:
    """A distinct story: every paragraph's longer words resampled with a seed of its own."""
    rng = random.Random(number)

    def paragraph(match: re.Match[str]) -> str:
        body = WORD.sub(
            lambda w: rng.choice(vocabulary) if rng.random() < 0.6 else w.group(0), match.group(2)
        )
        return match.group(1) + body + match.group(3)

    return PARAGRAPH.sub(paragraph, html)


def trim_tail(html: str) -> str:
    paragraphs = list(PARAGRAPH.finditer(html))
    cut = paragraphs[max(2, int(len(paragraphs) * 0.8)) :]
    for match in reversed(cut):
        html = html[: match.start()] + html[match.end() :]
    return html


def corpus(count: int) -> list[tuple[str, str]]:
    bases = base_pages()
    vocabulary = sorted(
        {
            w.lower()
            for html in bases
            for w in WORD.findall(" ".join(m.group(2) for m in PARAGRAPH.finditer(html)))
        }
    )
    pages: list[tuple[str, str]] = []
    rng = random.Random(2024)
    for number in range(count):
        url = f"https://bench.example/{number}/story.html"
        roll = rng.random()
        if pages and roll < 0.1:  # exact copy syndicated under a new URL
            html = rng.choice(pages)[1]
        elif pages and roll < 0.3:  # near-duplicate: a copy with its tail trimmed
            html = trim_tail(rng.choice(pages)[1])
        else:
            html = vary(bases[number % len(bases)], number, vocabulary)
        html = re.sub(r'<link rel="canonical"[^>]*>', "", html)
        html = re.sub(r'<meta property="og:url"[^>]*>', "", html)
        pages.append((url, html))
    return pages


def real_pages(count: int) -> list[tuple[str, str]]:
    """Real pages of the extraction development set (read in place), for figures at real page sizes."""
    pages = []
    for path in sorted((DEV / "html").glob("*.html.gz"))[:count]:
        try:
            html = decode_html(gzip.decompress(path.read_bytes()))
        except IngestError:
            continue
        pages.append((f"https://dev.example/{path.name.removesuffix('.html.gz')}", html))
    return pages


def run_trafilatura(pages: list[tuple[str, str]]) -> float:
    import trafilatura

    started = time.perf_counter()
    for url, html in pages:
        trafilatura.extract(html, url=url)
    return time.perf_counter() - started


def run_pipeline(pages: list[tuple[str, str]]) -> tuple[float, dict[str, int]]:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/bench.db")
        store.upgrade()
        pipeline = Pipeline(store)
        outcomes: dict[str, int] = {}
        started = time.perf_counter()
        for url, html in pages:
            decision = pipeline.ingest_html(html, url=url, source="bench")
            outcomes[decision.outcome.value] = outcomes.get(decision.outcome.value, 0) + 1
        elapsed = time.perf_counter() - started
        store.dispose()
    return elapsed, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="best-of rounds for each side")
    parser.add_argument(
        "--real",
        action="store_true",
        help=f"use the first --pages real pages of {DEV} instead of the varied fixtures",
    )
    args = parser.parse_args()
    pages = real_pages(args.pages) if args.real else corpus(args.pages)
    sizes = [len(html.encode()) for _, html in pages]
    print(f"{len(pages)} pages, median {statistics.median(sizes) / 1024:.1f} KiB")
    run_trafilatura(pages[:20])  # warm imports and caches on both sides
    run_pipeline(pages[:20])
    traf = min(run_trafilatura(pages) for _ in range(args.rounds))
    results = [run_pipeline(pages) for _ in range(args.rounds)]
    ours, outcomes = min(results, key=lambda r: r[0])
    traf_rate, our_rate = len(pages) / traf, len(pages) / ours
    print(f"trafilatura extract alone : {traf_rate:8.1f} pages/s")
    print(f"wirefeed whole pipeline   : {our_rate:8.1f} pages/s  (extract+fingerprint+dedup+SQLite store)")
    print(f"ratio pipeline/trafilatura: {our_rate / traf_rate:.2f}  (aim >= 0.50)")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    if outcomes.get(Outcome.REJECTED.value):
        print("note: rejected pages count in the rate; see `wirefeed stats` for why")


if __name__ == "__main__":
    main()
