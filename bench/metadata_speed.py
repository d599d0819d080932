"""Metadata extraction: time and coverage per page, beside trafilatura's and htmldate's, in one run.

Run by hand (never in the test suite):

    .venv/bin/python bench/metadata_speed.py [--corpus ../shared/extraction-dev] [--limit N]

Every page is parsed once with lxml outside the timed section (the pipeline parses once and hands the
tree to every stage); each extractor then gets its own fresh tree so none sees another's edits. The
baselines: ``trafilatura.metadata.extract_metadata`` (the same job: title, author, date, site name...)
and ``htmldate.find_date`` in its fast mode (dates only). Coverage counts how many pages get a value;
agreement compares our published date (UTC day) with htmldate's.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html

from scrapers.metadata import extract_metadata

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "extraction-dev"


def _timed(func: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    try:
        result = func()
    except Exception:  # a baseline crashing on a page counts as no result, as ours would
        result = None
    return result, (time.perf_counter() - start) * 1000


def _summary(name: str, times: list[float], counts: dict[str, int], pages: int) -> str:
    times = sorted(times)
    cover = "  ".join(f"{k} {v / pages:.0%}" for k, v in counts.items())
    return (
        f"{name:<22} median {statistics.median(times):6.2f} ms  p90 {times[int(len(times) * 0.9)]:6.2f} ms"
        f"  max {times[-1]:7.2f} ms  | {cover}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="first N pages only (0: all)")
    args = parser.parse_args()

    from htmldate import find_date
    from trafilatura.metadata import extract_metadata as trafilatura_metadata

    segments = json.loads((args.corpus / "segments.json").read_text())
    items = sorted(segments.items())
    if args.limit:
        items = items[: args.limit]
    ours_t: list[float] = []
    traf_t: list[float] = []
    hd_t: list[float] = []
    ours_c = {"title": 0, "date": 0, "author": 0, "language": 0}
    traf_c = {"title": 0, "date": 0, "author": 0, "language": 0}
    hd_c = {"date": 0}
    agree = both = 0
    for url, info in items:
        raw = gzip.decompress((args.corpus / info["file"]).read_bytes())
        page_url = url if url.startswith("http") else None
        trees = [lxml.html.document_fromstring(raw) for _ in range(3)]

        ours, ms = _timed(lambda t=trees[0], u=page_url: extract_metadata(t, u))
        ours_t.append(ms)
        if ours is not None:
            ours_c["title"] += bool(ours.title)
            ours_c["date"] += ours.published_at is not None
            ours_c["author"] += bool(ours.authors)
            ours_c["language"] += bool(ours.language)

        traf, ms = _timed(lambda t=trees[1], u=page_url: trafilatura_metadata(t, default_url=u))
        traf_t.append(ms)
        if traf is not None:
            traf_c["title"] += bool(traf.title)
            traf_c["date"] += bool(traf.date)
            traf_c["author"] += bool(traf.author)
            traf_c["language"] += bool(getattr(traf, "language", None))

        found, ms = _timed(
            lambda t=trees[2], u=page_url: find_date(t, url=u, original_date=True, extensive_search=False)
        )
        hd_t.append(ms)
        hd_c["date"] += bool(found)
        if found and ours is not None and ours.published_at is not None:
            both += 1
            agree += ours.published_at.date().isoformat() == found

    pages = len(items)
    print(f"{pages} pages from {args.corpus}")
    print(_summary("wirefeed metadata", ours_t, ours_c, pages))
    print(_summary("trafilatura metadata", traf_t, traf_c, pages))
    print(_summary("htmldate (fast)", hd_t, hd_c, pages))
    print(f"published day equal to htmldate's on {agree}/{both} pages where both found one")


if __name__ == "__main__":
    main()
