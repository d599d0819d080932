"""Pushed items through ``wirefeed ingest -`` into SQLite and PostgreSQL, beside the datasketch recipe.

Run by hand: ``.venv/bin/python -m bench.ingest_items [--no-postgres] [--rounds 2] [--write README.md]``.
The dedup corpus
(``bench/dedup_corpus.py``, ~2,500 items: wire clusters with realistic edits and hard negatives) is written
as JSON Lines and piped into the ``wirefeed ingest -`` command exactly as a producer would, into a fresh
SQLite file and a fresh database on a throwaway PostgreSQL server (``tests/servers.py``). Items per second
are counted on the ingest loop: the command's wall time minus the same command's on an empty input (its
start-up: imports, schema check, index load), both printed. In the same run, the bare datasketch recipe
(``MinHash`` of word 6-grams with ``update_batch``, then ``MinHashLSH`` query and insert per document, no
storage) gives the baseline ratio.

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
from pathlib import Path

from datasketch import MinHash, MinHashLSH
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dedup_corpus import Doc, generate  # noqa: E402
from worker.fingerprint import tokens  # noqa: E402
from worker.models import ArticleRecord, DuplicateRecord  # noqa: E402
from worker.pipeline import Pipeline  # noqa: E402
from worker.store import Store  # noqa: E402

URL = "https://corpus.example/"
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


def run_cli(database_url: str, payload: str) -> tuple[float, list[str]]:
    """Seconds of one ``wirefeed ingest -`` run, and the outcome word of each output line."""
    env = {**os.environ, "WIREFEED_DATABASE_URL": database_url, "WIREFEED_DEDUP_URL": ""}
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


def measure(name: str, url_maker, docs: list[Doc], payload: str, rounds: int, reference) -> list[str]:
    rates, walls, startups = [], [], []
    agree = True
    for r in range(rounds):
        empty_s, _ = run_cli(fresh(url_maker, f"{name}e{r}"), "")
        url = fresh(url_maker, f"{name}{r}")
        wall, described = run_cli(url, payload)
        walls.append(wall)
        startups.append(empty_s)
        rates.append(len(docs) / max(1e-9, wall - empty_s))
        words = [outcome_word(d) for d in described]
        if (words, snapshot(url)) != reference:
            agree = False
            ref_words = reference[0]
            diffs = [i for i, (a, b) in enumerate(zip(words, ref_words, strict=False)) if a != b]
            print(
                f"  {name}: decisions differ from the unbatched path at items {diffs[:10]} "
                f"({len(diffs)} outcome differences; counts {Counter(words)} vs {Counter(ref_words)})"
            )
    return [
        f"| `wirefeed ingest -` into {name} | {statistics.median(rates):,.0f} | "
        f"{statistics.median(walls):.2f} s (start-up {statistics.median(startups):.2f} s) | "
        f"{'same as unbatched' if agree else 'DIFFERENT'} |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--write", type=Path, help="Replace the ingest_items section of this file.")
    args = parser.parse_args()
    started = time.perf_counter()

    docs = generate()
    payload = lines(docs)
    print(f"{len(docs)} items, {sum(len(d.text.split()) for d in docs) / len(docs):.0f} words on average")
    rows = ["| path | items/s | wall time | decisions |", "|---|---:|---:|---|"]

    with tempfile.TemporaryDirectory() as folder:

        def sqlite(label: str) -> str:
            return f"sqlite:///{Path(folder) / label}.db"

        ref_url = fresh(sqlite, "reference")
        ref_s, ref_words = unbatched(ref_url, docs)
        reference = (ref_words, snapshot(ref_url))
        print(f"unbatched outcomes: {dict(Counter(ref_words))}")
        recipe_s = statistics.median(datasketch_recipe(docs) for _ in range(max(1, args.rounds)))
        recipe_rate = len(docs) / recipe_s
        rows.append(
            f"| datasketch recipe (MinHash update_batch + MinHashLSH, no storage) | "
            f"{recipe_rate:,.0f} | {recipe_s:.2f} s | - |"
        )
        own_s = statistics.median(wirefeed_no_storage(docs) for _ in range(max(1, args.rounds)))
        rows.append(
            f"| wirefeed fingerprint + index + judge, no storage (in process) | "
            f"{len(docs) / own_s:,.0f} | {own_s:.2f} s | - |"
        )
        rows.append(
            f"| `Pipeline.ingest_item` one by one into SQLite (in process) | "
            f"{len(docs) / ref_s:,.0f} | {ref_s:.2f} s | reference |"
        )
        rows += measure("SQLite", sqlite, docs, payload, args.rounds, reference)

        if not args.no_postgres:
            from tests.servers import create_database, postgres_server

            with postgres_server() as server:
                rows += measure(
                    "PostgreSQL",
                    lambda label: create_database(server, label),
                    docs,
                    payload,
                    args.rounds,
                    reference,
                )
    body = "\n".join(rows) + "\n"
    print(body, end="")
    if args.write:
        from bench.dedup_eval import write_section

        note = (
            f"\n_Generated by `python -m bench.ingest_items --rounds {args.rounds}` in "
            f"{time.perf_counter() - started:.0f} s ({len(docs)} items)._\n"
        )
        write_section(args.write, body + note, "<!-- ingest_items:begin -->", "<!-- ingest_items:end -->")


if __name__ == "__main__":
    main()
