"""Out-of-fold figures for the extractor's tuned thresholds: choose on four host folds, score on the fifth.

Every threshold below was set by looking at both dev sets whole, so its in-sample figure flatters it. Here
each one is re-chosen from its candidate values (the shipped one among them, "off" where the rule can be
disabled) five times, each time on the pages of four host folds of both sets (the sum of the two sets'
F1), and the choice is scored on the held-out fold. The out-of-fold P/R/F1 pool the five held-out folds.
A value chosen the same in every fold, with out-of-fold figures equal to the in-sample ones, is not fitted
to a few hosts. Folds are those of ``bench.extraction_eval`` (a hash of the registrable domain).

Run by hand:  .venv/bin/python -m bench.extraction_folds [--limit N] [--only DENSER_ELSEWHERE]
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.extraction_eval import FOLDS, Page, load_dev, load_dev2, norm, shingles
from scrapers.errors import IngestError

# the package re-exports ``extract`` the function under the module's name
extract_module = importlib.import_module("scrapers.extract")
content = importlib.import_module("scrapers.content")

OFF = float("inf")
# (module, constant, candidates); the shipped value is the module's own.
THRESHOLDS: list[tuple[object, str, list[float]]] = [
    (extract_module, "DENSER_ELSEWHERE", [1.0, 1.1, 1.25, 1.5, 2.0, OFF]),
    (extract_module, "TAIL_AFTER_CHARS", [100, 200, 400, OFF]),
    (extract_module, "ENDNOTES_MAX_CHARS", [-1, 200, 400, 800, 1600]),  # -1: a rule never ends the story
    (content, "DENSE_MIN_PARAGRAPHS", [2, 3, 4, 1000]),
    (content, "DENSE_MIN_BLOCK_CHARS", [300, 500, 800, OFF]),
]

PageScore = tuple[int, int, int, int, float, float]  # dev: tp fn fp tn; dev2: p r


def _text(page: Page) -> str:
    try:
        return extract_module.extract(page.data, page.url).text or ""
    except IngestError:
        return ""


def score_text(page: Page, text: str, shingle_metric: bool) -> PageScore:
    """One page's score of ``text``: labelled segments found and leaked (dev), or the body's shingle
    precision and recall (dev2). The block-model trainer scores its own texts with it."""
    if shingle_metric:
        gold, got = shingles(page.body), shingles(text)
        if not gold and not got:
            return 0, 0, 0, 0, 1.0, 1.0
        tp = sum((gold & got).values())
        p = tp / sum(got.values()) if got else 1.0
        r = tp / sum(gold.values()) if gold else 0.0
        return 0, 0, 0, 0, p, r
    flat = norm(text)
    hit = sum(norm(seg) in flat for seg in page.with_)
    leaked = sum(norm(seg) in flat for seg in page.without)
    return hit, len(page.with_) - hit, leaked, len(page.without) - leaked, 0.0, 0.0


def score_dev(page: Page) -> PageScore:
    return score_text(page, _text(page), False)


def score_dev2(page: Page) -> PageScore:
    return score_text(page, _text(page), True)


def figures(scores: Iterable[PageScore], shingle_metric: bool) -> tuple[float, float, float]:
    scores = list(scores)
    if not scores:
        return 0.0, 0.0, 0.0
    if shingle_metric:
        p = statistics.fmean(s[4] for s in scores)
        r = statistics.fmean(s[5] for s in scores)
    else:
        tp, fn, fp = (sum(s[k] for s in scores) for k in range(3))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _train_f1(scores: dict[str, list[PageScore]], sets: list, fold: int) -> float:
    """The two sets' F1 summed over the pages outside ``fold``."""
    total = 0.0
    for label, pages, _, shingle in sets:
        rows = [s for s, page in zip(scores[label], pages, strict=True) if page.fold != fold]
        total += figures(rows, shingle)[2]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--only", default=None, help="one threshold by name")
    args = parser.parse_args()
    sets: list[tuple[str, list[Page], Callable[[Page], PageScore], bool]] = [
        ("dev", load_dev(args.limit), score_dev, False),
        ("dev2", load_dev2(args.limit), score_dev2, True),
    ]
    print(
        f"{'threshold':<22} {'shipped':>7}  chosen per held-out fold   "
        f"{'dev in / out-of-fold F1':>24}  {'dev2 in / out-of-fold F1':>24}"
    )
    for module, name, candidates in THRESHOLDS:
        if args.only and name != args.only:
            continue
        shipped = getattr(module, name)
        per_value: dict[float, dict[str, list[PageScore]]] = {}
        try:
            for value in candidates:
                setattr(module, name, value)
                per_value[value] = {label: [score(page) for page in pages] for label, pages, score, _ in sets}
        finally:
            setattr(module, name, shipped)
        chosen: list[float] = []
        held_out: dict[str, list[PageScore]] = {label: [] for label, *_ in sets}
        for fold in range(FOLDS):
            best = max(
                candidates,
                key=lambda v, k=fold, table=per_value: (_train_f1(table[v], sets, k), v == shipped),
            )
            chosen.append(best)
            for label, pages, _, _ in sets:
                held_out[label] += [
                    s for s, page in zip(per_value[best][label], pages, strict=True) if page.fold == fold
                ]
        cells = []
        for label, _, _, shingle in sets:
            inside = figures(per_value[shipped][label], shingle)[2] if shipped in per_value else float("nan")
            p, r, f1 = figures(held_out[label], shingle)
            cells.append(f"{inside:.3f} / {f1:.3f} (P {p:.3f} R {r:.3f})")
        shown = ", ".join("off" if v == OFF else f"{v:g}" for v in chosen)
        print(f"{name:<22} {shipped:>7g}  {shown:<25} {cells[0]:>24}  {cells[1]:>24}")


if __name__ == "__main__":
    main()
