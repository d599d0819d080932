"""Train the learned block scorer and measure it out of fold, beside the rules alone and trafilatura.

1. Every page of both dev sets is extracted by the rules alone, recording the leaf blocks left in each
   chosen region (``scrapers.block_model.RECORDER``) with their features (``scrapers.block_features``).
2. Each block is labelled from the page's labels, read in place: on ``dev2`` a block is story when at
   least half its 4-token shingles are in the labelled body (a block under 4 tokens: when its tokens
   occur in the body); on ``dev`` when it holds, or is held in, a "with" segment, and not story when the
   same holds for a "without" segment (blocks touching neither, or both, are left out of training).
3. For each of the 5 host folds of ``bench.extraction_eval``: a LightGBM model is trained on the blocks
   of the other four folds (both sets); its keep threshold is chosen on those four folds too, from
   inner out-of-fold predictions (4 inner models), by the two sets' F1 of the kept blocks' text. The
   held-out fold's pages are then extracted with that model: those are the out-of-fold figures.
4. With ``--write``, a model trained on all pages (threshold chosen the same way, on 5 inner folds) is
   written to ``scrapers/block_model.json`` as plain arrays for the numpy evaluator.

5. ``--speed N`` only times ``extract()`` with the shipped model on and off, interleaved page by page on
   the first N dev pages, fastest of 3 rounds each (the whole cost of the hook: features and predict).

Run by hand:  .venv/bin/python -m bench.train_block_model [--limit N] [--no-trafilatura] [--write]
              .venv/bin/python -m bench.train_block_model --speed 300
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.extraction_eval import FOLDS, Page, load_dev, load_dev2, norm, run_trafilatura, shingles
from bench.extraction_folds import figures
from bench.extraction_folds import score_text as page_score
from scrapers import block_model
from scrapers.block_features import FEATURES, Blocks
from scrapers.block_model import MODEL_PATH, TreeModel
from scrapers.errors import IngestError
from scrapers.extract import extract

_OUTSIDE = FEATURES.index("outside")
_TOKEN = re.compile(r"\w+")
NEVER = 2.0
ADD_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.08,
    "num_leaves": 15,
    "max_depth": 5,
    "min_data_in_leaf": 30,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 1,
    "verbose": -1,
    "seed": 7,
}
ROUNDS = 200


@dataclass
class PageBlocks:
    """One page's recorded blocks, with labels (1 story, 0 not, -1 unknown) and the rows' weights."""

    page: Page
    shingle_metric: bool
    texts: list[str] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    shown: list[bool] = field(default_factory=list)  # the block's text is in the rules' output
    outside: list[bool] = field(default_factory=list)  # a block beside the region, not in it

    def matrix(self) -> np.ndarray:
        return np.vstack(self.rows) if self.rows else np.zeros((0, len(FEATURES)), dtype=np.float32)


# ----------------------------------------------------------------------------------------- labelling
def label_dev2(text: str, gold_grams: set[tuple[str, ...]], gold_flat: str) -> int:
    tokens = _TOKEN.findall(text)
    if not tokens:
        return -1
    if len(tokens) < 4:
        return int(f" {' '.join(tokens)} " in gold_flat)
    grams = list(zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False))
    return int(sum(g in gold_grams for g in grams) >= 0.5 * len(grams))


def label_dev(text: str, with_: list[str], without: list[str]) -> int:
    flat = norm(text)
    if not flat:
        return -1

    def touches(segments: list[str]) -> bool:
        return any(s and (s in flat or (len(flat) >= 8 and flat in s)) for s in segments)

    story, chrome = touches(with_), touches(without)
    if story == chrome:
        return -1
    return int(story)


def label_page(pb: PageBlocks) -> None:
    page = pb.page
    if pb.shingle_metric:
        gold_tokens = _TOKEN.findall(page.body)
        grams = set(shingles(page.body))
        flat = f" {' '.join(gold_tokens)} "
        pb.labels = [label_dev2(t, grams, flat) for t in pb.texts]
    else:
        with_ = [norm(s) for s in page.with_]
        without = [norm(s) for s in page.without]
        pb.labels = [label_dev(t, with_, without) for t in pb.texts]


# ------------------------------------------------------------------------------------------ extraction
def run_extract(page: Page) -> str:
    try:
        return extract(page.data, page.url).text or ""
    except IngestError:
        return ""


def record(pages: list[Page], shingle_metric: bool) -> tuple[list[PageBlocks], list[str]]:
    """The rules' text of every page, and the blocks each page's regions were left with."""
    out: list[PageBlocks] = []
    texts: list[str] = []
    block_model.use(TreeModel.keep_all())
    block_model.ENABLED = True
    try:
        for page in pages:
            pb = PageBlocks(page, shingle_metric)

            def keep(blocks: Blocks, pb: PageBlocks = pb) -> None:
                pb.texts.extend(blocks.texts)
                pb.rows.extend(blocks.matrix)
                pb.outside.extend(bool(row[_OUTSIDE]) for row in blocks.matrix)

            block_model.RECORDER = keep
            text = run_extract(page)
            texts.append(text)
            flat = norm(text)
            pb.shown = [bool(t) and t in flat for t in pb.texts]
            label_page(pb)
            out.append(pb)
    finally:
        block_model.RECORDER = None
        block_model.ENABLED = False
        block_model.use(None)
    return out, texts


# -------------------------------------------------------------------------------------------- training
def _training_rows(pages: list[PageBlocks]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mats, ys, ws = [], [], []
    for pb in pages:
        labels = np.asarray(pb.labels)
        if not pb.rows:
            continue
        # only what the rules would show: the line rules drop the rest whatever the model says
        # the decisions that matter: inside, blocks the rules show; beside, blocks they do not
        mask = (labels >= 0) & (np.asarray(pb.shown) != np.asarray(pb.outside))
        if not mask.any():
            continue
        m = pb.matrix()[mask]
        mats.append(m)
        ys.append(labels[mask])
        ws.append(1.0 + m[:, FEATURES.index("log_words")])  # longer blocks weigh more in both metrics
    if not mats:
        return np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0)
    return np.vstack(mats), np.concatenate(ys), np.concatenate(ws)


def fit(pages: list[PageBlocks]) -> Any:
    import lightgbm as lgb

    x, y, w = _training_rows(pages)
    data = lgb.Dataset(x, label=y, weight=w, feature_name=list(FEATURES), free_raw_data=True)
    return lgb.train(PARAMS, data, num_boost_round=ROUNDS)


def to_tree_model(booster: Any, threshold: float) -> TreeModel:
    """LightGBM's trees as the flat arrays ``TreeModel`` walks (numerical ``<=`` splits only)."""
    dump = booster.dump_model()
    feature: list[int] = []
    split: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    roots: list[int] = []
    depth = 0

    def add(node: dict[str, Any], level: int) -> int:
        nonlocal depth
        at = len(feature)
        feature.append(0)
        split.append(np.inf)
        left.append(at)
        right.append(at)
        value.append(0.0)
        if "leaf_value" in node or "split_index" not in node:
            value[at] = float(node.get("leaf_value", 0.0))
            depth = max(depth, level)
            return at
        if node.get("decision_type", "<=") != "<=":
            raise ValueError(f"unsupported split {node.get('decision_type')}")
        feature[at] = int(node["split_feature"])
        split[at] = float(node["threshold"])
        left[at] = add(node["left_child"], level + 1)
        right[at] = add(node["right_child"], level + 1)
        return at

    for tree in dump["tree_info"]:
        roots.append(add(tree["tree_structure"], 0))
    return TreeModel(
        feature=np.asarray(feature, dtype=np.int32),
        split=np.asarray(split, dtype=np.float64),
        left=np.asarray(left, dtype=np.int32),
        right=np.asarray(right, dtype=np.int32),
        value=np.asarray(value, dtype=np.float64),
        roots=np.asarray(roots, dtype=np.int32),
        depth=depth,
        base=0.0,
        threshold=threshold,
        features=FEATURES,
    )


def _kept_text(pb: PageBlocks, probs: np.ndarray, threshold: float, add: float) -> str:
    """The text the blocks would show: the rules' own, less the dropped, plus the added blocks."""
    kept = zip(pb.texts, pb.shown, pb.outside, probs, strict=True)
    return "\n".join(
        t
        for t, shown, out, p in kept
        if (shown and (out or p >= threshold)) or (out and not shown and p >= add)
    )


def _proxy_f1(pages: list[PageBlocks], probs: dict[int, np.ndarray], threshold: float, add: float) -> float:
    total = 0.0
    for shingle in (False, True):
        rows = [
            page_score(pb.page, _kept_text(pb, probs[n], threshold, add), shingle)
            for n, pb in enumerate(pages)
            if pb.shingle_metric == shingle and n in probs
        ]
        total += figures(rows, shingle)[2]
    return total


def choose_thresholds(pages: list[PageBlocks], inner_folds: list[int]) -> tuple[float, float]:
    """The keep threshold, then the add threshold, that maximise both sets' F1 of the blocks' text, on
    inner out-of-fold scores (a model per inner fold, trained on the others)."""
    probs: dict[int, np.ndarray] = {}
    for k in inner_folds:
        booster = fit([pb for pb in pages if pb.page.fold != k])
        model = to_tree_model(booster, 0.5)
        for n, pb in enumerate(pages):
            if pb.page.fold == k:
                probs[n] = model.predict(pb.matrix())
    keep = max((0.0, *THRESHOLDS), key=lambda t: _proxy_f1(pages, probs, t, NEVER))
    add = max((NEVER, *ADD_THRESHOLDS), key=lambda a: _proxy_f1(pages, probs, keep, a))
    return keep, add


def train(pages: list[PageBlocks], folds: list[int]) -> TreeModel:
    keep, add = choose_thresholds(pages, folds)
    model = to_tree_model(fit(pages), keep)
    return dataclasses.replace(model, add_threshold=add)


# ------------------------------------------------------------------------------------------------ main
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--no-trafilatura", action="store_true")
    parser.add_argument("--write", action="store_true", help=f"write the all-pages model to {MODEL_PATH}")
    parser.add_argument("--speed", type=int, default=0, help="only time the model on/off on N dev pages")
    args = parser.parse_args()
    if args.speed:
        speed(load_dev(args.speed))
        return
    sets = [("dev", load_dev(args.limit), False), ("dev2", load_dev2(args.limit), True)]

    started = time.perf_counter()
    recorded: dict[str, list[PageBlocks]] = {}
    rules: dict[str, list[str]] = {}
    for name, pages, shingle in sets:
        recorded[name], rules[name] = record(pages, shingle)
    everything = recorded["dev"] + recorded["dev2"]
    labelled = sum(1 for pb in everything for label in pb.labels if label >= 0)
    blocks = sum(len(pb.labels) for pb in everything)
    shown = sum(
        1 for pb in everything for label, on in zip(pb.labels, pb.shown, strict=True) if on and label >= 0
    )
    print(
        f"recorded {blocks} blocks ({labelled} labelled, {shown} of them in the rules' output) "
        f"in {time.perf_counter() - started:.0f} s"
    )

    models: list[TreeModel] = []
    for fold in range(FOLDS):
        inside = [pb for pb in everything if pb.page.fold != fold]
        model = train(inside, [k for k in range(FOLDS) if k != fold])
        models.append(model)
        print(
            f"fold {fold}: {len(model.roots)} trees, keep threshold {model.threshold:g}, "
            f"add threshold {model.add_threshold:g}"
        )

    learned: dict[str, list[str]] = {}
    block_model.ENABLED = True
    try:
        for name, pages, _ in sets:
            texts = []
            for page in pages:
                block_model.use(models[page.fold])
                texts.append(run_extract(page))
            learned[name] = texts
    finally:
        block_model.ENABLED = False
        block_model.use(None)

    _report(sets, rules, learned, not args.no_trafilatura)
    _cost(everything, models[0])
    if args.write:
        final = train(everything, list(range(FOLDS)))
        MODEL_PATH.write_text(_json(final), "utf-8")
        print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size / 1e6:.2f} MB, threshold {final.threshold:g})")


def speed(pages: list[Page], rounds: int = 3) -> None:
    """extract() with the shipped model on and off, interleaved per page; each page's fastest time."""
    best = {False: [float("inf")] * len(pages), True: [float("inf")] * len(pages)}
    for round_ in range(rounds):
        for k, page in enumerate(pages):
            # alternate which goes first: the second run of a page finds the name caches warm
            for on in (False, True) if (k + round_) % 2 else (True, False):
                block_model.ENABLED = on
                started = time.perf_counter()
                run_extract(page)
                best[on][k] = min(best[on][k], time.perf_counter() - started)
    block_model.ENABLED = False
    off, on = best[False], best[True]
    print(f"{len(pages)} dev pages, fastest of {rounds} interleaved rounds")
    for label, times in (("rules only", off), ("rules + model", on)):
        print(
            f"{label:<14} median {statistics.median(times) * 1e3:7.2f} ms  mean {statistics.fmean(times) * 1e3:7.2f} ms"
        )
    print(
        f"model on / off: median {statistics.median(on) / statistics.median(off):.3f}x, "
        f"total {sum(on) / sum(off):.3f}x"
    )


def _json(model: TreeModel) -> str:
    import json

    return json.dumps(model.to_json(), separators=(",", ":"))


def _report(
    sets: list[tuple[str, list[Page], bool]],
    rules: dict[str, list[str]],
    learned: dict[str, list[str]],
    with_trafilatura: bool,
) -> None:
    print(f"\n{'set':<5} {'extractor':<24} {'precision':>9} {'recall':>7} {'F1':>6} {'empty':>6}")
    for name, pages, shingle in sets:
        rows: list[tuple[str, list[str]]] = [
            ("wirefeed rules only", rules[name]),
            ("wirefeed + model (oof)", learned[name]),
        ]
        if with_trafilatura:
            rows.append(("trafilatura", [_safe(run_trafilatura, page) for page in pages]))
        for label, texts in rows:
            p, r, f1 = figures(
                (page_score(pg, t, shingle) for pg, t in zip(pages, texts, strict=True)), shingle
            )
            empty = sum(1 for t in texts if not t.strip())
            print(f"{name:<5} {label:<24} {p:>9.3f} {r:>7.3f} {f1:>6.3f} {empty:>6}")
        per_fold = []
        for fold in range(FOLDS):
            chosen = [(pg, t) for pg, t in zip(pages, learned[name], strict=True) if pg.fold == fold]
            per_fold.append(figures((page_score(pg, t, shingle) for pg, t in chosen), shingle)[2])
        print(f"{name:<5} model F1 per held-out fold: " + " ".join(f"{f:.3f}" for f in per_fold))


def _safe(run: Callable[[bytes, str | None], tuple[str, bool]], page: Page) -> str:
    try:
        return run(page.data, page.url)[0]
    except Exception:  # trafilatura's crash counts as an empty result, as in extraction_eval
        return ""


def _cost(pages: list[PageBlocks], model: TreeModel) -> None:
    """Predict cost per page: one call on the page's matrix (features are timed by extract_speed)."""
    timings = []
    for pb in pages:
        m = pb.matrix()
        started = time.perf_counter()
        model.predict(m)
        timings.append(time.perf_counter() - started)
    print(
        f"\npredict per page: median {statistics.median(timings) * 1e3:.3f} ms, "
        f"p95 {sorted(timings)[int(0.95 * len(timings))] * 1e3:.3f} ms "
        f"(median {statistics.median(len(pb.rows) for pb in pages)} blocks per page)"
    )


if __name__ == "__main__":
    main()
