"""Pushed items through ``wirefeed ingest -`` into SQLite and PostgreSQL, beside the datasketch recipe.

Run by hand: ``.venv/bin/python -m bench.ingest_items [--no-postgres] [--rounds 2] [--baseline DIR]
[--write README.md]``.
The dedup corpus
(``bench/dedup_corpus.py``, ~2,500 items: wire clusters with realistic edits and hard negatives) is written
as JSON Lines and piped into the ``wirefeed ingest -`` command exactly as a producer would, into a fresh
SQLite file and a fresh database on a throwaway PostgreSQL server (``tests/servers.py``). Items per second
are counted on the ingest loop: the command's wall time minus the same command's on an empty input (its
start-up: imports, schema check, index load), both printed. In the same run, the bare datasketch recipe
(``MinHash`` of word 6-grams with ``update_batch``, then ``MinHashLSH`` query and insert per document, no
storage) gives the baseline ratio.

Fingerprinting (``content_hash`` + ``signature`` of every text) is timed alone in the same run and shown
beside each rate: the rate with the fingerprint's share taken out, and the rate predicted for a fingerprint
``--fp-speedup`` times faster, so the figure after a faster fingerprint lands can be read off in advance.
``--baseline DIR`` also runs the command from another wirefeed tree (for example ``git archive <rev> | tar
-x -C DIR``) on the same corpus and servers, in the same run, for a before/after.

Decisions are checked against the unbatched path (``Pipeline.ingest_item`` one item at a time, one
transaction each, in this process): the same outcome per item, the same stored set and the same duplicate
of each duplicate (by URL), or the run says where they differ.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from datasketch import MinHash, MinHashLSH
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dedup_corpus import Doc, generate  # noqa: E402
from worker.fingerprint import content_hash, signature, tokens  # noqa: E402
from worker.models import ArticleRecord, DuplicateRecord  # noqa: E402
from worker.pipeline import Pipeline  # noqa: E402
from worker.store import Store  # noqa: E402

URL = "https://corpus.example/"
Reference = tuple[list[str], tuple[set[str], dict[str, str]]]
WIREFEED = str(Path(sys.executable).with_name("wirefeed"))


def lines(docs: list[Doc]) -> str:
    return "".join(json.dumps({"url": URL + d.id, "title": None, "text": d.text}) + "\n" for d in docs)


def datasketch_recipe(docs: list[Doc], threshold: float = 0.5) -> float:
    """The documented recipe, streamed: signature, query, insert. Returns seconds."""
    start = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    for doc in docs:
        words = tokens(doc.text)
        grams = [" ".join(words[i : i + 6]).encode() for i in range(max(1, len(words) - 5))]
        minhash = MinHash(num_perm=128)
        minhash.update_batch(grams)
        if not lsh.query(minhash):
            lsh.insert(doc.id, minhash)
    return time.perf_counter() - start


def fingerprint_seconds(docs: list[Doc]) -> float:
    """What every pushed item pays before any dedup or storage: its text hash and MinHash signature."""
    texts = [doc.text.strip() for doc in docs]
    start = time.perf_counter()
    for text in texts:
        content_hash(text)
        signature(text)
    return time.perf_counter() - start


def wirefeed_no_storage(docs: list[Doc]) -> float:
    """wirefeed's own fingerprint and in-process index with its story judge, no storage: the ceiling that
    batching the writes can approach. Returns seconds."""
    from worker.dedup import InProcessIndex
    from worker.fingerprint import signature
    from worker.relation import StoryJudge

    start = time.perf_counter()
    index, judge = InProcessIndex(0.5), StoryJudge(0.5)
    for doc in docs:
        index.check_and_insert(URL + doc.id, signature(doc.text), judge)
    return time.perf_counter() - start


def run_cli(database_url: str, payload: str, tree: Path | None = None) -> tuple[float, list[str]]:
    """Seconds of one ``wirefeed ingest -`` run, and the outcome word of each output line; ``tree`` runs
    another wirefeed checkout's code (first on the import path) with this environment's packages."""
    env = {**os.environ, "WIREFEED_DATABASE_URL": database_url, "WIREFEED_DEDUP_URL": ""}
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    start = time.perf_counter()
    result = subprocess.run(
        [WIREFEED, "ingest", "-"], input=payload, capture_output=True, text=True, env=env, check=False
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"wirefeed ingest failed ({result.returncode}): {result.stderr[-2000:]}")
    return seconds, [line.split("\t", 1)[1] for line in result.stdout.splitlines()]


def outcome_word(described: str) -> str:
    for word in ("stored", "new version", "duplicate", "unchanged", "rejected"):
        if described.startswith(word):
            return word
    return described


def snapshot(url: str) -> tuple[set[str], dict[str, str]]:
    """(stored canonical URLs, duplicate URL -> its original's canonical URL)."""
    store = Store(url)
    with store.session() as session:
        stored = set(session.scalars(select(ArticleRecord.canonical_url)))
        ids = dict(session.execute(select(ArticleRecord.id, ArticleRecord.canonical_url)).all())
        query = select(DuplicateRecord.url, DuplicateRecord.duplicate_of)
        dups = {u: ids[d] for u, d in session.execute(query)}
    store.dispose()
    return stored, dups


def fresh(url_maker, label: str) -> str:
    url = url_maker(label)
    store = Store(url)
    store.upgrade()
    store.dispose()
    return url


def unbatched(url: str, docs: list[Doc]) -> tuple[float, list[str]]:
    store = Store(url)
    pipeline = Pipeline(store)
    _ = pipeline.index
    start = time.perf_counter()
    words = [
        outcome_word(pipeline.ingest_item({"url": URL + d.id, "title": None, "text": d.text}).describe())
        for d in docs
    ]
    seconds = time.perf_counter() - start
    store.dispose()
    return seconds, words


@dataclass(frozen=True)
class Run:
    """One path to measure: a label, a fresh-database maker, and the wirefeed tree to run (None: this)."""

    name: str
    url_maker: Callable[[str], str]
    tree: Path | None = None


@dataclass(frozen=True)
class Result:
    """Medians over the rounds of one path."""

    rate: float  # items/s of the ingest loop
    loop_s: float  # wall time less start-up
    fp_s: float  # the fingerprints of the same items, timed in this process beside each run
    wall_s: float
    startup_s: float
    agree: bool


def measure(run: Run, docs: list[Doc], payload: str, rounds: int, reference: Reference) -> Result:
    walls, startups, loops, fps = [], [], [], []
    agree = True
    tag = f"{run.name}{'base' if run.tree else ''}".lower()
    for r in range(rounds):
        empty_s, _ = run_cli(fresh(run.url_maker, f"{tag}e{r}"), "", run.tree)
        url = fresh(run.url_maker, f"{tag}{r}")
        fps.append(fingerprint_seconds(docs))  # the load of the moment weighs on both alike
        wall, described = run_cli(url, payload, run.tree)
        walls.append(wall)
        startups.append(empty_s)
        loops.append(max(1e-9, wall - empty_s))
        words = [outcome_word(d) for d in described]
        if (words, snapshot(url)) != reference:
            agree = False
            ref_words = reference[0]
            diffs = [i for i, (a, b) in enumerate(zip(words, ref_words, strict=False)) if a != b]
            print(
                f"  {run.name}: decisions differ from the unbatched path at items {diffs[:10]} "
                f"({len(diffs)} outcome differences; counts {Counter(words)} vs {Counter(ref_words)})"
            )
    loop = statistics.median(loops)
    walls_s, startup_s = statistics.median(walls), statistics.median(startups)
    return Result(len(docs) / loop, loop, statistics.median(fps), walls_s, startup_s, agree)


def row(label: str, result: Result, n: int, speedup: float) -> str:
    """Items/s, the fingerprint's share of the loop, the rate without it, and the rate predicted for a
    fingerprint ``speedup`` times faster with the rest of the loop unchanged."""
    fp_s = min(result.fp_s, result.loop_s)
    rest = max(1e-9, result.loop_s - fp_s)
    return (
        f"| {label} | {result.rate:,.0f} | {100 * fp_s / result.loop_s:.0f}% | {n / rest:,.0f} | "
        f"{n / (rest + fp_s / speedup):,.0f} | {result.wall_s:.2f} s (start-up {result.startup_s:.2f} s) | "
        f"{'same as unbatched' if result.agree else 'DIFFERENT'} |"
    )


def baselines(args: argparse.Namespace, docs: list[Doc], fp_s: float) -> list[str]:
    """The rows that need no database: the datasketch recipe, and wirefeed's own fingerprint and index."""
    rounds = max(1, args.rounds)
    n = len(docs)
    recipe_s = statistics.median(datasketch_recipe(docs) for _ in range(rounds))
    own_s = statistics.median(wirefeed_no_storage(docs) for _ in range(rounds))
    return [
        f"| datasketch recipe (MinHash update_batch + MinHashLSH, no storage) | {n / recipe_s:,.0f} | "
        f"- | - | - | {recipe_s:.2f} s | - |",
        f"| wirefeed fingerprint alone (`content_hash` + `signature`) | {n / fp_s:,.0f} | 100% | - | "
        f"{n * args.fp_speedup / fp_s:,.0f} | {fp_s:.2f} s | - |",
        f"| wirefeed fingerprint + index + judge, no storage (in process) | {n / own_s:,.0f} | "
        f"{100 * fp_s / own_s:.0f}% | {n / max(1e-9, own_s - fp_s):,.0f} | "
        f"{n / (own_s - fp_s + fp_s / args.fp_speedup):,.0f} | {own_s:.2f} s | - |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--baseline", type=Path, help="Another wirefeed tree to run beside this one.")
    parser.add_argument("--fp-speedup", type=float, default=3.0, help="For the predicted column.")
    parser.add_argument("--write", type=Path, help="Replace the ingest_items section of this file.")
    args = parser.parse_args()
    started = time.perf_counter()

    docs = generate()
    n = len(docs)
    payload = lines(docs)
    print(f"{n} items, {sum(len(d.text.split()) for d in docs) / n:.0f} words on average")
    fp_s = statistics.median(fingerprint_seconds(docs) for _ in range(max(1, args.rounds)))
    rows = [
        "| path | items/s | fingerprint share | items/s without fingerprint | "
        f"predicted, fingerprint {args.fp_speedup:g}x faster | wall time | decisions |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    with tempfile.TemporaryDirectory() as folder:

        def sqlite(label: str) -> str:
            return f"sqlite:///{Path(folder) / label}.db"

        ref_url = fresh(sqlite, "reference")
        ref_s, ref_words = unbatched(ref_url, docs)
        reference = (ref_words, snapshot(ref_url))
        print(f"unbatched outcomes: {dict(Counter(ref_words))}")
        rows += baselines(args, docs, fp_s)
        rows.append(
            f"| `Pipeline.ingest_item` one by one into SQLite (in process) | {n / ref_s:,.0f} | "
            f"{100 * fp_s / ref_s:.0f}% | - | - | {ref_s:.2f} s | reference |"
        )
        runs = [Run("SQLite", sqlite)]
        if args.baseline:
            runs.insert(0, Run("SQLite", sqlite, args.baseline))
        rows += [
            row(label(r), measure(r, docs, payload, args.rounds, reference), n, args.fp_speedup) for r in runs
        ]
        if not args.no_postgres:
            from tests.servers import create_database, postgres_server

            with postgres_server() as server:
                runs = [Run("PostgreSQL", lambda name: create_database(server, name))]
                if args.baseline:
                    runs.insert(0, Run("PostgreSQL", runs[0].url_maker, args.baseline))
                for r in runs:
                    rows.append(
                        row(
                            label(r),
                            measure(r, docs, payload, args.rounds, reference),
                            n,
                            fp_s,
                            args.fp_speedup,
                        )
                    )
    body = "\n".join(rows) + "\n"
    print(body, end="")
    if args.write:
        from bench.dedup_eval import write_section

        options = f"--rounds {args.rounds}" + (" --baseline DIR" if args.baseline else "")
        note = (
            f"\n_Generated by `python -m bench.ingest_items {options}` in "
            f"{time.perf_counter() - started:.0f} s ({n} items)._\n"
        )
        write_section(args.write, body + note, "<!-- ingest_items:begin -->", "<!-- ingest_items:end -->")


def label(run: Run) -> str:
    where = f"`wirefeed ingest -` into {run.name}"
    return f"{where}, baseline tree ({run.tree.name})" if run.tree else where


if __name__ == "__main__":
    main()
