"""CPU time of the story judge's text-reading rules inside the ingest loop, and how often they read.

Run by hand: ``.venv/bin/python -m bench.rule_cost [--rounds 3] [--seed N] [--variant V]``.
The dedup corpus goes through ``Pipeline.ingest_items`` (batches of ``BATCH_SIZE``, a fresh SQLite file
and chunk table each round, in this process) while the rules that may read the stored article's text
(``FilledTemplate``, ``KeptTooLittle``, ``QuotedWhole``) and the reads themselves are timed in CPU
seconds. What a rule asks that a later rule would ask anyway (the index's match, the verdict against the
representative) is asked before its clock starts, so each figure is that rule's own cost. Printed per
rule: calls, stored texts read, word alignments run, its CPU milliseconds and share of the loop (median
of the rounds), less the timing wrapper's own cost per call (measured on an empty function).

To measure another tree with the same code: ``cd DIR && PYTHONPATH=DIR python /path/to/bench/rule_cost.py``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run by path from another tree: that tree's modules first
    sys.path.insert(0, str(Path.cwd()))

from bench.dedup_corpus import CorpusConfig, generate
from bench.ingest_items import fresh_tables, lines
from worker import rules
from worker.pipeline import Pipeline
from worker.store import Store

RULES = ("FilledTemplate", "KeptTooLittle", "QuotedWhole")
COUNTED = (
    ("stored_text", "stored texts read"),
    ("substitution_slots", "slot alignments"),
    ("words_inside", "word counts"),
)


def _timed(
    function: Callable[..., Any], label: str, spent: defaultdict[str, float], calls: Counter[str]
) -> Any:
    @wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        if label in RULES:
            ctx = args[1]
            if ctx.joins:
                _ = ctx.verdict  # FullerCopy asks it of every joining item anyway
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start
            calls[label] += 1

    return timed


def one_round(payload: list[bytes]) -> tuple[float, defaultdict[str, float], Counter[str]]:
    """The loop's CPU seconds, and each timed piece's CPU seconds and calls."""
    spent: defaultdict[str, float] = defaultdict(float)
    calls: Counter[str] = Counter()
    targets: list[tuple[Any, str]] = [(getattr(rules, name), "check") for name in RULES]
    targets += [(Pipeline, "stored_text"), (rules, "substitution_slots"), (rules, "words_inside")]
    originals = [(holder, name, getattr(holder, name)) for holder, name in targets]
    store = Store(f"sqlite:///{tempfile.mkdtemp()}/rules.db")
    store.upgrade()
    pipeline = Pipeline(store)
    _ = pipeline.index
    fresh_tables()
    for holder, name, original in originals:
        label = holder.__name__ if name == "check" else name
        setattr(holder, name, _timed(original, label, spent, calls))
    try:
        start = time.process_time()
        for first in range(0, len(payload), Pipeline.BATCH_SIZE):
            pipeline.ingest_items(payload[first : first + Pipeline.BATCH_SIZE])
        total = time.process_time() - start
    finally:
        for holder, name, original in originals:
            setattr(holder, name, original)
        store.dispose()
    return total, spent, calls


def _wrapper_cost(calls: int = 20_000) -> float:
    """CPU seconds the timing wrapper itself adds to one call (subtracted from every figure)."""
    spent: defaultdict[str, float] = defaultdict(float)
    counted: Counter[str] = Counter()
    timed = _timed(lambda: None, "calibration", spent, counted)
    start = time.process_time()
    for _ in range(calls):
        timed()
    return (time.process_time() - start) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--variant", type=int, default=0)
    args = parser.parse_args()
    config = CorpusConfig(variant=args.variant)
    if args.seed is not None:
        config = CorpusConfig(seed=args.seed, variant=args.variant)
    docs = generate(config)
    payload = [line.encode() for line in lines(docs).splitlines()]
    rounds = [one_round(payload) for _ in range(args.rounds)]
    overhead = _wrapper_cost()
    loop = statistics.median(total for total, _, _ in rounds)
    print(
        f"{len(docs)} items, seed {config.seed} v{config.variant}, {args.rounds} rounds; loop {loop:.3f} s CPU"
    )
    print("| piece | calls | CPU ms | share of the loop |\n|---|---:|---:|---:|")
    for label in (*RULES, *(name for name, _ in COUNTED)):
        own = [spent[label] - overhead * calls[label] for _, spent, calls in rounds]
        ms = 1000 * statistics.median(own)
        share = statistics.median(cost / total for cost, (total, _, _) in zip(own, rounds, strict=True))
        print(f"| {label} | {rounds[0][2][label]:,} | {ms:.1f} | {100 * share:.2f}% |")


if __name__ == "__main__":
    main()
