"""Metadata's share of ``extract()``: how much of wirefeed's whole extraction time the metadata readers
(and htmldate inside them) take, on the dev pages, timed inside one ``extract()`` run per page.

Run by hand (never in the test suite):

    .venv/bin/python -m bench.metadata_share [--rounds 2] [--limit N]

``scrapers.extract`` calls ``extract_metadata`` through its module global and the date reader imports
``htmldate.find_date`` when it needs it, so wrapping both with timers measures them in place, on the
same pages and in the same rounds as the whole extraction (the ratio, not the seconds, is the figure:
the machine is shared).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import htmldate

from scrapers.errors import IngestError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "extraction-dev"


def _timed(func: Callable[..., Any], spent: dict[str, float], key: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            spent[key] += time.perf_counter() - started

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    extract_module = importlib.import_module("scrapers.extract")
    spent = {"metadata": 0.0, "htmldate": 0.0}
    extract_module.extract_metadata = _timed(extract_module.extract_metadata, spent, "metadata")
    htmldate.find_date = _timed(htmldate.find_date, spent, "htmldate")
    segments = json.loads((CORPUS / "segments.json").read_text("utf-8"))
    items = list(segments.items())[: args.limit] if args.limit else list(segments.items())
    pages = [(url, gzip.decompress((CORPUS / info["file"]).read_bytes())) for url, info in items]
    for round_no in range(args.rounds):
        spent["metadata"] = spent["htmldate"] = 0.0
        total = 0.0
        for url, data in pages:
            started = time.perf_counter()
            with contextlib.suppress(IngestError):
                extract_module.extract(data, url)
            total += time.perf_counter() - started
        print(
            f"round {round_no + 1}: {len(pages)} pages, extract {total:.2f} s, metadata {spent['metadata']:.2f} s "
            f"({spent['metadata'] / total:.1%}), htmldate {spent['htmldate']:.2f} s ({spent['htmldate'] / total:.1%})"
        )


if __name__ == "__main__":
    main()
