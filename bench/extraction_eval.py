"""Extraction quality: wirefeed's ``extract()`` beside trafilatura on the same labelled pages, same run.

Corpus: ../shared/extraction-dev (read in place; see its README for the metric). Each page has
"with" segments a clean extraction must contain and "without" segments it must not. Whitespace is collapsed
in text and segments, a found "with" is a true positive, a found "without" a false positive; sums over all
pages give precision, recall, F1 and accuracy. A page our extractor refuses (not an article, or any
IngestError) counts as empty, exactly like a crash.

Run by hand:  .venv/bin/python bench/extraction_eval.py [--limit N] [--sample] [--only wirefeed]
              [--misses 20]   (print the pages where wirefeed loses most against trafilatura)
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scrapers.errors import IngestError
from scrapers.extract import extract

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "extraction-dev"  # beside the project
_WS = re.compile(r"\s+")


def norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


@dataclass
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    seconds: float = 0.0
    pages: int = 0
    refused: int = 0
    per_page: dict[str, tuple[int, int]] = field(default_factory=dict)  # url -> (missed with, found without)

    def add(self, url: str, text: str, with_: list[str], without: list[str]) -> None:
        flat = norm(text)
        missed = found = 0
        for seg in with_:
            if norm(seg) in flat:
                self.tp += 1
            else:
                self.fn += 1
                missed += 1
        for seg in without:
            if norm(seg) in flat:
                self.fp += 1
                found += 1
            else:
                self.tn += 1
        self.per_page[url] = (missed, found)

    def figures(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        total = self.tp + self.fn + self.fp + self.tn
        acc = (self.tp + self.tn) / total if total else 0.0
        return {"precision": p, "recall": r, "f1": f1, "accuracy": acc,
                "pages_per_s": self.pages / self.seconds if self.seconds else 0.0}


def run_wirefeed(data: bytes, url: str) -> tuple[str, bool]:
    try:
        return extract(data, url).text, False
    except IngestError:
        return "", True


def run_trafilatura(data: bytes, url: str) -> tuple[str, bool]:
    import trafilatura

    text = trafilatura.extract(data, url=url, favor_precision=False)
    return text or "", text is None


def load(limit: int | None, sample: bool, seed: int) -> list[tuple[str, dict, bytes]]:
    segments: dict[str, dict] = json.loads((CORPUS / "segments.json").read_text("utf-8"))
    items = list(segments.items())
    if sample:
        random.Random(seed).shuffle(items)
    if limit:
        items = items[:limit]
    return [(url, info, gzip.decompress((CORPUS / info["file"]).read_bytes())) for url, info in items]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--sample", action="store_true", help="shuffle the pages first (with --seed)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=("wirefeed", "trafilatura"), default=None)
    parser.add_argument("--misses", type=int, default=0, help="list N pages where wirefeed does worst")
    args = parser.parse_args()

    pages = load(args.limit, args.sample, args.seed)
    runners: dict[str, Callable[[bytes, str], tuple[str, bool]]] = {
        "wirefeed": run_wirefeed, "trafilatura": run_trafilatura,
    }
    if args.only:
        runners = {args.only: runners[args.only]}
    scores = {name: Score() for name in runners}
    for url, info, data in pages:
        for name, run in runners.items():
            started = time.perf_counter()
            try:
                text, refused = run(data, url)
            except Exception as exc:  # a crash scores as an empty result, and is shown
                print(f"{name} crashed on {url}: {type(exc).__name__}: {exc}", file=sys.stderr)
                text, refused = "", True
            score = scores[name]
            score.seconds += time.perf_counter() - started
            score.pages += 1
            score.refused += refused
            score.add(url, text, info["with"], info["without"])

    print(f"{len(pages)} pages from {CORPUS}")
    print(f"{'extractor':<12} {'precision':>9} {'recall':>7} {'F1':>6} {'accuracy':>8} {'pages/s':>8} "
          f"{'empty':>6}")
    for name, score in scores.items():
        f = score.figures()
        print(f"{name:<12} {f['precision']:>9.3f} {f['recall']:>7.3f} {f['f1']:>6.3f} {f['accuracy']:>8.3f} "
              f"{f['pages_per_s']:>8.1f} {score.refused:>6}")

    if args.misses and "wirefeed" in scores:
        ours = scores["wirefeed"].per_page
        theirs = scores["trafilatura"].per_page if "trafilatura" in scores else {}
        files = {url: info["file"] for url, info, _ in pages}

        def loss(url: str) -> int:
            base = theirs.get(url, (0, 0))
            return sum(ours[url]) - sum(base)

        for url in sorted(ours, key=loss, reverse=True)[: args.misses]:
            print(f"{loss(url):+d} missed={ours[url][0]} leaked={ours[url][1]} "
                  f"traf={theirs.get(url)} {files[url]} {url}")


if __name__ == "__main__":
    main()
