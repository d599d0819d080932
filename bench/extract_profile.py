"""Where ``extract()`` spends its time: the share of each stage of the body path over N dev pages.

bench/extract_speed.py says how fast extraction is beside trafilatura; this says where the time goes, so
a speed change can be aimed at the stage that costs and its effect read per stage. Each stage is a
function ``scrapers.extract`` calls through its module globals (decoding, parsing, metadata, pruning,
the per-element analysis, the region choice, cutting chrome inside the region, rendering, the line
rules); they are wrapped with timers in place, and a stage's time is its own (a stage called from
inside another, such as ``analyse`` in the teaser-box look, counts for itself, not twice). What no
stage claims is "other". Shares, not seconds, are the figure: the machine is shared. The clock is the
thread's CPU time (``time.thread_time``): on a loaded machine wall time also counts the moments the
process waits for a core, which land on whichever stage happens to be running.

Run by hand (never in the test suite):

    .venv/bin/python bench/extract_profile.py [--limit 300] [--rounds 2] [--set dev|dev2|both]
    .venv/bin/python bench/extract_profile.py --cprofile 25     # cProfile's top functions instead
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gzip
import importlib
import json
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scrapers.errors import IngestError

SHARED = Path(__file__).resolve().parents[2] / "shared"  # beside the project

# stage -> the names ``scrapers.extract`` calls it by
STAGES: dict[str, tuple[str, ...]] = {
    "decode": ("_to_text",),
    "parse": ("parse", "_tolerant_parse"),
    "metadata": ("extract_metadata",),
    "prune": ("prune",),
    "analyse": ("analyse",),
    "region": ("find_region", "densest_region", "prose_region", "_split_parts", "_past_teaser_box"),
    "strip": ("_strip_region",),
    "render": ("render_elements", "lead_blocks"),
    "clean": ("_clean_paragraphs",),
    "structured": ("_structured_body", "_structured_copy"),
}


_clock = time.thread_time  # CPU time of this thread: extraction runs in one


class StageClock:
    """Own time per stage: a stage entered inside another pauses the outer one's clock."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self._stack: list[list[float]] = []  # [started, time spent in nested stages]

    def wrap(self, stage: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            frame = [_clock(), 0.0]
            self._stack.append(frame)
            try:
                return func(*args, **kwargs)
            finally:
                self._stack.pop()
                whole = _clock() - frame[0]
                self.spent[stage] += whole - frame[1]
                if self._stack:
                    self._stack[-1][1] += whole

        return timed


def load_pages(which: str, limit: int | None) -> list[tuple[str | None, bytes]]:
    """(url, raw bytes) of the chosen dev set(s), decompressed up front so only extraction is timed."""
    found: list[tuple[str | None, bytes]] = []
    if which in ("dev", "both"):
        dev: dict[str, dict[str, Any]] = json.loads((SHARED / "extraction-dev" / "segments.json").read_text())
        for url, info in list(dev.items())[:limit]:
            found.append((url, gzip.decompress((SHARED / "extraction-dev" / info["file"]).read_bytes())))
    if which in ("dev2", "both"):
        dev2: dict[str, dict[str, Any]] = json.loads((SHARED / "extraction-dev2" / "gold.json").read_text())
        for info in list(dev2.values())[:limit]:
            found.append((None, gzip.decompress((SHARED / "extraction-dev2" / info["file"]).read_bytes())))
    return found


def run_all(extract: Callable[..., Any], pages: list[tuple[str | None, bytes]]) -> float:
    started = _clock()
    for url, data in pages:
        with contextlib.suppress(IngestError):
            extract(data, url)
    return _clock() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=300, help="pages per set (0: all)")
    parser.add_argument("--rounds", type=int, default=2, help="the fastest round is reported")
    parser.add_argument("--set", choices=("dev", "dev2", "both"), default="dev")
    parser.add_argument("--cprofile", type=int, default=0, help="print cProfile's top N functions instead")
    args = parser.parse_args()

    module = importlib.import_module("scrapers.extract")
    pages = load_pages(args.set, args.limit or None)
    run_all(module.extract, pages[:5])  # warm-up: imports, lazily compiled patterns
    if args.cprofile:
        profile = cProfile.Profile()
        profile.enable()
        run_all(module.extract, pages)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.cprofile)
        return

    best: tuple[float, dict[str, float]] | None = None
    for _ in range(args.rounds):
        clock = StageClock()
        originals = {name: getattr(module, name) for names in STAGES.values() for name in names}
        for stage, names in STAGES.items():
            for name in names:
                setattr(module, name, clock.wrap(stage, originals[name]))
        try:
            total = run_all(module.extract, pages)
        finally:
            for name, func in originals.items():
                setattr(module, name, func)
        if best is None or total < best[0]:
            best = (total, clock.spent)
    assert best is not None
    total, spent = best
    print(
        f"{len(pages)} pages ({args.set}), fastest of {args.rounds} rounds: {total:.2f} s, "
        f"{1000 * total / len(pages):.2f} ms per page of CPU time (timers included)"
    )
    print(f"{'stage':<12} {'s':>7} {'share':>7}")
    for stage, seconds in [*spent.items(), ("other", total - sum(spent.values()))]:
        print(f"{stage:<12} {seconds:>7.3f} {seconds / total:>7.1%}")


if __name__ == "__main__":
    main()
