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

Each command run is also measured in its own CPU seconds (user + system, from ``getrusage``), less those
of its start-up: items per CPU-second is the rate one process reaches with a core to itself, which the wall
clock of a shared, loaded machine hides. Fingerprinting (``fingerprints``: the text hash and signature of
every text, a batch at a time from an empty chunk table, as the command pays it) is timed alone, in CPU
seconds, beside each run and shown against that CPU time: the rate with the
fingerprint's share taken out, and the rate predicted for a fingerprint ``--fp-speedup`` times faster, so
the figure after a faster fingerprint lands can be read off in advance.
``--profile`` adds the CPU time of each stage of ``Pipeline.ingest_items`` (in this process, into SQLite):
where an item's time goes.

A worker is a long-lived process, and the figures above are a fresh one's: it meets every word of the
corpus for the first time. ``--steady K`` adds the same figures for a worker already running: the real
pages are split in two by host; a measured corpus is built from one half and K warm-up corpora (other
seeds and desk wordings) from the other, so the measured stories are new to the worker but the language
is not. Cold is the measured corpus into a fresh process; steady state is the same corpus after the
warm-up stream in the same process and database (the warm-up's own time and CPU, from a run of the warm-up
alone, subtracted). The chunks the measured corpus brings that the warm-up never had are counted too.
``--only-steady`` skips the fresh-process table.

``--baseline DIR`` also runs the command from another wirefeed tree (for example
``git archive <rev> | tar -x -C DIR``) on the same corpus and servers, in the same run, for a before/after.
``--alternate N --baseline DIR`` runs only the two trees' commands, one after the other, N times into fresh
SQLite files (cold and steady state): on a loaded machine the load of the moment then weighs on both alike.

Decisions are checked against the unbatched path (``Pipeline.ingest_item`` one item at a time, one
transaction each, in this process): the same outcome per item, the same stored set and the same duplicate
of each duplicate (by URL), or the run says where they differ.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from datasketch import MinHash, MinHashLSH
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dedup_corpus import EXTRACTION_DEV, CorpusConfig, Doc, generate  # noqa: E402
from worker.fingerprint import fingerprints, tokens  # noqa: E402
from worker.models import ArticleRecord, DuplicateRecord  # noqa: E402
from worker.pipeline import Pipeline  # noqa: E402
from worker.store import Store  # noqa: E402

URL = "https://corpus.example/"
Reference = tuple[list[str], tuple[set[str], dict[str, str]]]
WIREFEED = str(Path(sys.executable).with_name("wirefeed"))


def lines(docs: list[Doc]) -> str:
    return "".join(json.dumps({"url": URL + d.id, "title": None, "text": d.text}) + "\n" for d in docs)


def datasketch_recipe(docs: list[Doc], threshold: float = 0.5) -> float:
    """The documented recipe, streamed: signature, query, insert. Returns CPU seconds."""
    start = time.process_time()
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    for doc in docs:
        words = tokens(doc.text)
        grams = [" ".join(words[i : i + 6]).encode() for i in range(max(1, len(words) - 5))]
        minhash = MinHash(num_perm=128)
        minhash.update_batch(grams)
        if not lsh.query(minhash):
            lsh.insert(doc.id, minhash)
    return time.process_time() - start


def fingerprint_seconds(docs: list[Doc]) -> float:
    """What every pushed item pays before any dedup or storage, as the command pays it: the text hash
    and the signature of each text (``fingerprints``), a batch at a time, starting from an empty chunk
    table and word cache as a fresh ``wirefeed ingest`` process does."""
    texts = [doc.text.strip() for doc in docs]
    fresh_tables()
    start = time.process_time()
    for first in range(0, len(texts), Pipeline.BATCH_SIZE):
        fingerprints(texts[first : first + Pipeline.BATCH_SIZE])
    return time.process_time() - start


def fresh_tables() -> None:
    """Empty the chunk table and the word cache, as a fresh process starts: what it learns of the
    corpus's vocabulary is part of what its items cost."""
    from worker import fingerprint

    fingerprint._chunks = fingerprint._Chunks()
    fingerprint._token_cache.clear()


def wirefeed_no_storage(docs: list[Doc]) -> float:
    """wirefeed's own fingerprint (from an empty chunk table) and in-process index with its story judge,
    no storage: the ceiling that batching the writes can approach. Returns seconds."""
    from worker.dedup import InProcessIndex
    from worker.relation import StoryJudge

    texts = [doc.text.strip() for doc in docs]
    fresh_tables()
    start = time.process_time()
    index, judge = InProcessIndex(0.5), StoryJudge(0.5)
    for first in range(0, len(texts), Pipeline.BATCH_SIZE):
        found = fingerprints(texts[first : first + Pipeline.BATCH_SIZE])
        for doc, (_, sig) in zip(docs[first : first + Pipeline.BATCH_SIZE], found, strict=True):
            index.check_and_insert(URL + doc.id, sig, judge)
    return time.process_time() - start


# Stages of ``Pipeline.ingest_items`` for ``--profile``: (label, owner, method); each is timed inclusive,
# and a stage's own share is its time less that of the stages nested in it.
STAGES = [
    ("batch loop", "pipeline", "Pipeline.ingest_items"),
    ("read and validate (JSON, pydantic, URL key)", "pipeline", "Pipeline._prepare_items"),
    ("fingerprint (text hash + signature)", "pipeline", "fingerprints"),
    ("decide (rules, lookups, ORM, commit)", "pipeline", "Pipeline._decide_batch"),
    ("index check-and-insert + judge", "dedup", "InProcessIndex.check_and_insert"),
    ("index insert (copies, after the decision)", "dedup", "InProcessIndex.insert"),
    ("held-back writes (new stories, copies, audit rows)", "pipeline", "Pipeline._flush_pending"),
]
NESTED = {
    "batch loop": ["read and validate (JSON, pydantic, URL key)", "decide (rules, lookups, ORM, commit)"],
    "read and validate (JSON, pydantic, URL key)": ["fingerprint (text hash + signature)"],
    "decide (rules, lookups, ORM, commit)": [
        "index check-and-insert + judge",
        "index insert (copies, after the decision)",
        "held-back writes (new stories, copies, audit rows)",
    ],
}


def stage_profile(docs: list[Doc], url: str, warm: list[Doc] | None = None) -> list[str]:
    """CPU time of each stage of ``Pipeline.ingest_items`` on the corpus's JSON lines (as bytes, in batches
    of ``BATCH_SIZE``, as the command hands them over), in a fresh process state, or after ``warm`` went
    through the same pipeline first (not counted): a table of its own microseconds per item and share of
    the loop."""
    import worker.dedup
    import worker.pipeline

    fresh_tables()
    spent: Counter[str] = Counter()
    modules = {"pipeline": worker.pipeline, "dedup": worker.dedup}
    originals = []
    for label, owner, name in STAGES:
        holder: object = modules[owner]
        *path, attribute = name.split(".")
        for part in path:
            holder = getattr(holder, part)
        original = getattr(holder, attribute)
        originals.append((holder, attribute, original))
        setattr(holder, attribute, _timed(original, label, spent))
    try:
        store = Store(url)
        pipeline = Pipeline(store)
        _ = pipeline.index
        for part in (warm or [], docs):
            spent.clear()
            payload = [line.encode() for line in lines(part).splitlines()]
            for first in range(0, len(payload), Pipeline.BATCH_SIZE):
                pipeline.ingest_items(payload[first : first + Pipeline.BATCH_SIZE])
        store.dispose()
    finally:
        for holder, attribute, original in originals:
            setattr(holder, attribute, original)
    total = spent["batch loop"]
    rows = ["| stage | CPU us per item | share |", "|---|---:|---:|"]
    for label, _, _ in STAGES:
        own = spent[label] - sum(spent[inner] for inner in NESTED.get(label, []))
        name = "batching, metrics, the rest" if label == "batch loop" else label
        rows.append(f"| {name} | {1e6 * own / len(docs):,.0f} | {100 * own / total:.0f}% |")
    rows.append(f"| all (`Pipeline.ingest_items`, in process) | {1e6 * total / len(docs):,.0f} | 100% |")
    return rows


def _timed(function: Callable[..., object], label: str, spent: Counter[str]) -> Callable[..., object]:
    def timed(*args: object, **kwargs: object) -> object:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start

    return timed


def run_cli(database_url: str, payload: str, tree: Path | None = None) -> tuple[float, float, list[str]]:
    """Wall and CPU seconds of one ``wirefeed ingest -`` run, and the outcome word of each output line;
    ``tree`` runs another wirefeed checkout's code (first on the import path) with this environment's
    packages. CPU seconds are the command's own (user + system), so a loaded machine, or a database server
    working in another process, does not count in them."""
    env = {**os.environ, "WIREFEED_DATABASE_URL": database_url, "WIREFEED_DEDUP_URL": ""}
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [WIREFEED, "ingest", "-"], input=payload, capture_output=True, text=True, env=env, check=False
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        raise SystemExit(f"wirefeed ingest failed ({result.returncode}): {result.stderr[-2000:]}")
    return seconds, cpu, [line.split("\t", 1)[1] for line in result.stdout.splitlines()]


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

    rate: float  # items/s of the ingest loop (wall time)
    cpu_s: float  # the command's CPU seconds less its start-up's
    fp_s: float  # CPU seconds of the same items' fingerprints, timed in this process beside each run
    wall_s: float
    startup_s: float
    agree: bool


def measure(run: Run, docs: list[Doc], payload: str, rounds: int, reference: Reference) -> Result:
    walls, startups, loops, fps, cpus = [], [], [], [], []
    agree = True
    tag = f"{run.name}{'base' if run.tree else ''}".lower()
    for r in range(rounds):
        empty_s, empty_cpu, _ = run_cli(fresh(run.url_maker, f"{tag}e{r}"), "", run.tree)
        url = fresh(run.url_maker, f"{tag}{r}")
        fps.append(fingerprint_seconds(docs))  # the load of the moment weighs on both alike
        wall, cpu, described = run_cli(url, payload, run.tree)
        cpus.append(max(1e-9, cpu - empty_cpu))
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
    cpu_s = statistics.median(cpus)
    return Result(len(docs) / loop, cpu_s, statistics.median(fps), walls_s, startup_s, agree)


def row(label: str, result: Result, n: int, speedup: float) -> str:
    """Items/s by the wall clock, then by the command's CPU time: the rate one process reaches on a core
    of its own, the fingerprint's share of that CPU time, the rate without it, and the rate predicted for
    a fingerprint ``speedup`` times faster with the rest of the loop unchanged."""
    fp_s = min(result.fp_s, result.cpu_s)
    rest = max(1e-9, result.cpu_s - fp_s)
    return (
        f"| {label} | {result.rate:,.0f} | {n / result.cpu_s:,.0f} | {100 * fp_s / result.cpu_s:.0f}% | "
        f"{n / rest:,.0f} | {n / (rest + fp_s / speedup):,.0f} | "
        f"{result.wall_s:.2f} s (start-up {result.startup_s:.2f} s) | "
        f"{'same as unbatched' if result.agree else 'DIFFERENT'} |"
    )


def baselines(args: argparse.Namespace, docs: list[Doc], fp_s: float) -> list[str]:
    """The rows that need no database: the datasketch recipe, and wirefeed's own fingerprint and index
    (in this process, so wall and CPU columns both give its CPU rate)."""
    rounds = max(1, args.rounds)
    n = len(docs)
    recipe_s = statistics.median(datasketch_recipe(docs) for _ in range(rounds))
    own_s = statistics.median(wirefeed_no_storage(docs) for _ in range(rounds))
    rest = max(1e-9, own_s - fp_s)
    return [
        f"| datasketch recipe (MinHash update_batch + MinHashLSH, no storage) | {n / recipe_s:,.0f} | "
        f"{n / recipe_s:,.0f} | - | - | - | {recipe_s:.2f} s CPU | - |",
        f"| wirefeed fingerprint alone (`fingerprints`, batches of {Pipeline.BATCH_SIZE}, fresh process) | "
        f"{n / fp_s:,.0f} | {n / fp_s:,.0f} | "
        f"100% | - | {n * args.fp_speedup / fp_s:,.0f} | {fp_s:.2f} s CPU | - |",
        f"| wirefeed fingerprint + index + judge, no storage (in process) | {n / own_s:,.0f} | "
        f"{n / own_s:,.0f} | {100 * min(fp_s, own_s) / own_s:.0f}% | {n / rest:,.0f} | "
        f"{n / (rest + fp_s / args.fp_speedup):,.0f} | {own_s:.2f} s CPU | - |",
    ]


# ------------------------------------------------------------------------------------ a long-lived worker


def host_folds(into: Path, pages: Path = EXTRACTION_DEV) -> tuple[Path, Path]:
    """The real pages in two folders by a hash of their host, so no outlet's pages (its names, its house
    phrases) are in both: one for the warm-up stream, one for the measured corpus."""
    folds = (into / "warm", into / "measured")
    for folder in folds:
        folder.mkdir(parents=True, exist_ok=True)
    index = pages.parent / "segments.json"
    if not index.is_file():
        return folds
    for url, entry in json.loads(index.read_text()).items():
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        fold = folds[hashlib.blake2b(host.encode(), digest_size=1).digest()[0] % 2]
        source = pages.parent / entry["file"]
        if source.is_file() and not (fold / source.name).exists():
            (fold / source.name).symlink_to(source)
    return folds


def steady_corpora(folder: Path, warm_corpora: int) -> tuple[list[Doc], list[Doc]]:
    """(warm-up stream, measured corpus): ``warm_corpora`` corpora of other seeds and desk wordings on
    one half of the hosts, then the default seed's corpus on the other half. Ids are prefixed per corpus,
    so no warm-up item shares a URL with another corpus's item."""
    warm_dir, measured_dir = host_folds(folder)
    measured = generate(CorpusConfig(real_dir=measured_dir, real_bases=200))
    warm: list[Doc] = []
    for k in range(warm_corpora):
        config = CorpusConfig(
            real_dir=warm_dir, real_bases=200, seed=CorpusConfig().seed + 1 + k, variant=k % 3
        )
        warm += [replace(doc, id=f"w{k}-{doc.id}") for doc in generate(config)]
    whole = len(warm) - len(warm) % Pipeline.BATCH_SIZE  # no batch of the command holds items of both
    return warm[:whole], measured


def new_chunks(warm: list[Doc], measured: list[Doc]) -> tuple[float, float]:
    """Distinct whitespace chunks per measured item that the chunk table has not met (each counted at its
    first item): from an empty table, and after the warm-up stream."""
    import unicodedata

    def chunks(docs: list[Doc]) -> list[set[str]]:
        return [set(unicodedata.normalize("NFKC", doc.text.strip()).split()) for doc in docs]

    seen: set[str] = set().union(*chunks(warm)) if warm else set()
    cold: set[str] = set()
    new_cold = new_steady = 0
    for item in chunks(measured):
        new_cold += len(item - cold)
        new_steady += len(item - seen)
        cold |= item
        seen |= item
    return new_cold / len(measured), new_steady / len(measured)


@dataclass(frozen=True)
class Loop:
    """Medians over rounds of one path's ingest loop on the measured corpus."""

    rate: float  # items/s (wall)
    cpu_rate: float  # items per CPU-second
    outcomes: Counter[str]


def run_cli_marks(
    database_url: str, payload: str, marks: list[int], tree: Path | None = None
) -> tuple[list[tuple[float, float]], list[str]]:
    """One ``wirefeed ingest -`` run, read as it goes: the wall and CPU seconds of the process (from its
    start) when the ``marks[i]``-th item's line appears, and the outcome of each item. Output is unbuffered,
    and the process's CPU time is read from ``/proc`` at each mark, so one part of a stream can be timed
    inside a run that did other work first. The last entry is the process's exit (wall and CPU seconds,
    its whole run, as ``run_cli`` counts them)."""
    env = {
        **os.environ,
        "WIREFEED_DATABASE_URL": database_url,
        "WIREFEED_DEDUP_URL": "",
        "PYTHONUNBUFFERED": "1",
    }
    if tree is not None:  # another wirefeed checkout's code, first on the import path (as ``run_cli``)
        env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    tick = os.sysconf("SC_CLK_TCK")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        [WIREFEED, "ingest", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    writer = threading.Thread(target=_feed, args=(process.stdin, payload))
    writer.start()
    seen: list[tuple[float, float]] = []
    described: list[str] = []
    wanted = set(marks)
    for line in process.stdout:
        described.append(line.split("\t", 1)[1] if "\t" in line else line)
        if len(described) in wanted:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            seen.append((time.perf_counter() - start, (int(fields[11]) + int(fields[12])) / tick))
    writer.join()
    if process.wait() != 0 or len(seen) != len(marks):
        raise SystemExit(f"wirefeed ingest failed ({process.returncode}) after {len(described)} lines")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    seen.append((time.perf_counter() - start, cpu))
    return seen, [outcome_word(d) for d in described[: marks[-1]]]


def _feed(pipe: Any, payload: str) -> None:
    with pipe:
        pipe.write(payload)


def cold_and_steady(
    maker: Callable[[str], str], warm: list[Doc], measured: list[Doc], rounds: int, tree: Path | None = None
) -> tuple[Loop, Loop]:
    """The measured corpus through ``wirefeed ingest -``: into a fresh process and database (up to its
    last item's line, less an empty run's start-up), and after the warm-up stream in the same process
    (from the warm-up's last line to the measured corpus's last)."""
    warm_payload, payload, n = lines(warm), lines(measured), len(measured)
    cold: list[tuple[float, float]] = []
    steady: list[tuple[float, float]] = []
    outcomes: dict[str, Counter[str]] = {}
    for r in range(rounds):
        tag = f"{'base' if tree else ''}{r}"
        empty_s, empty_cpu, _ = run_cli(fresh(maker, f"steadye{tag}"), "", tree)
        [_, (wall, cpu)], words = run_cli_marks(fresh(maker, f"steadyc{tag}"), payload, [n], tree)
        cold.append((wall - empty_s, cpu - empty_cpu))
        outcomes["cold"] = Counter(words)
        marks = [len(warm), len(warm) + n]
        [(warm_s, warm_cpu), (wall, cpu), _], words = run_cli_marks(
            fresh(maker, f"steadys{tag}"), warm_payload + payload, marks, tree
        )
        steady.append((wall - warm_s, cpu - warm_cpu))
        outcomes["steady"] = Counter(words[len(warm) :])

    def loop(pairs: list[tuple[float, float]], which: str) -> Loop:
        wall = statistics.median(max(1e-9, w) for w, _ in pairs)
        cpu = statistics.median(max(1e-9, c) for _, c in pairs)
        return Loop(n / wall, n / cpu, outcomes[which])

    return loop(cold, "cold"), loop(steady, "steady")


def fingerprint_cold_and_steady(warm: list[Doc], measured: list[Doc], rounds: int) -> tuple[float, float]:
    """Fingerprints alone (CPU seconds, in this process) of the measured corpus: from an empty chunk table,
    and after the warm-up stream's."""
    texts, warm_texts = [doc.text.strip() for doc in measured], [doc.text.strip() for doc in warm]
    cold, steady = [], []
    for _ in range(rounds):
        for timings, before in ((cold, []), (steady, warm_texts)):
            fresh_tables()
            for first in range(0, len(before), Pipeline.BATCH_SIZE):
                fingerprints(before[first : first + Pipeline.BATCH_SIZE])
            start = time.process_time()
            for first in range(0, len(texts), Pipeline.BATCH_SIZE):
                fingerprints(texts[first : first + Pipeline.BATCH_SIZE])
            timings.append(time.process_time() - start)
    return statistics.median(cold), statistics.median(steady)


def steady_rows(args: argparse.Namespace, folder: Path, postgres: Callable[[str], str] | None) -> list[str]:
    """The cold and steady-state table (``--steady K``)."""
    warm, measured = steady_corpora(folder / "folds", args.steady)
    n = len(measured)
    per_item_cold, per_item_steady = new_chunks(warm, measured)
    fp_cold, fp_steady = fingerprint_cold_and_steady(warm, measured, max(1, args.rounds))
    rows = [
        f"Measured corpus: {n} items (one half of the hosts); warm-up stream: {len(warm)} items "
        f"({args.steady} corpora, the other half of the hosts). New chunks per measured item: "
        f"{per_item_cold:.1f} from an empty table, {per_item_steady:.1f} after the warm-up.",
        "",
        "| path | cold: items/s (wall) | cold: items per CPU-second | steady state: items/s (wall) | "
        "steady state: items per CPU-second | outcomes (cold / steady) |",
        "|---|---:|---:|---:|---:|---|",
        f"| wirefeed fingerprint alone (`fingerprints`, in process) | {n / fp_cold:,.0f} | {n / fp_cold:,.0f} | "
        f"{n / fp_steady:,.0f} | {n / fp_steady:,.0f} | - |",
    ]
    makers = [("SQLite", partial(_sqlite, folder))] + ([("PostgreSQL", postgres)] if postgres else [])
    trees = [args.baseline, None] if args.baseline else [None]
    for run in [Run(name, maker, tree) for name, maker in makers for tree in trees]:
        cold, steady = cold_and_steady(run.url_maker, warm, measured, max(1, args.rounds), run.tree)
        rows.append(
            f"| {label(run)} | {cold.rate:,.0f} | {cold.cpu_rate:,.0f} | "
            f"{steady.rate:,.0f} | {steady.cpu_rate:,.0f} | {_counts(cold.outcomes)} / {_counts(steady.outcomes)} |"
        )
    if args.profile:
        rows += ["", "Steady state, stage by stage (in process, into SQLite, after the warm-up stream):", ""]
        rows += stage_profile(measured, fresh(partial(_sqlite, folder), "steadyprofile"), warm)
    return rows


def _sqlite(folder: Path, label: str) -> str:
    return f"sqlite:///{folder / label}.db"


def _counts(outcomes: Counter[str]) -> str:
    return ", ".join(f"{count} {word}" for word, count in sorted(outcomes.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--baseline", type=Path, help="Another wirefeed tree to run beside this one.")
    parser.add_argument("--fp-speedup", type=float, default=3.0, help="For the predicted column.")
    parser.add_argument("--write", type=Path, help="Replace the ingest_items section of this file.")
    parser.add_argument("--profile", action="store_true", help="Also the CPU time of each ingest stage.")
    parser.add_argument(
        "--steady",
        type=int,
        default=0,
        metavar="K",
        help="Also cold vs steady state, after K warm-up corpora.",
    )
    parser.add_argument("--only-steady", action="store_true", help="Only the --steady table.")
    parser.add_argument(
        "--alternate",
        type=int,
        default=0,
        metavar="N",
        help="Only the --baseline tree and this one, alternated N times into fresh SQLite files (and "
        "PostgreSQL databases, unless --no-postgres), cold and steady (3 warm-up corpora): items per "
        "CPU-second, median and best.",
    )
    args = parser.parse_args()
    if args.alternate:
        if args.baseline is None:
            parser.error("--alternate needs --baseline")
        with tempfile.TemporaryDirectory() as name, contextlib.ExitStack() as stack:
            makers: list[tuple[str, Callable[[str], str]]] = [("SQLite", partial(_sqlite, Path(name)))]
            if not args.no_postgres:
                from tests.servers import create_database, postgres_server

                makers.append(
                    ("PostgreSQL", partial(create_database, stack.enter_context(postgres_server())))
                )
            print("\n".join(alternate_rows(args.baseline, args.alternate, Path(name), makers)))
        return
    started = time.perf_counter()

    docs = generate()
    print(f"{len(docs)} items, {sum(len(d.text.split()) for d in docs) / len(docs):.0f} words on average")
    with tempfile.TemporaryDirectory() as name, contextlib.ExitStack() as stack:
        folder = Path(name)
        postgres: Callable[[str], str] | None = None
        if not args.no_postgres:
            from tests.servers import create_database, postgres_server

            postgres = partial(create_database, stack.enter_context(postgres_server()))
        rows = [] if args.only_steady else cold_rows(args, docs, folder, postgres)
        if args.steady:
            rows += ([""] if rows else []) + steady_rows(args, folder, postgres)
    body = "\n".join(rows) + "\n"
    print(body, end="")
    if args.write:
        from bench.dedup_eval import write_section

        options = f"--rounds {args.rounds}" + (" --baseline DIR" if args.baseline else "")
        options += " --profile" if args.profile else ""
        options += f" --steady {args.steady}" if args.steady else ""
        note = (
            f"\n_Generated by `python -m bench.ingest_items {options}` in "
            f"{time.perf_counter() - started:.0f} s ({len(docs)} items)._\n"
        )
        write_section(args.write, body + note, "<!-- ingest_items:begin -->", "<!-- ingest_items:end -->")


def cold_rows(
    args: argparse.Namespace, docs: list[Doc], folder: Path, postgres: Callable[[str], str] | None
) -> list[str]:
    """The table of a fresh process on the dedup corpus: every path, checked against the unbatched one."""
    rows = [
        "| path | items/s (wall) | items per CPU-second | fingerprint share of CPU | "
        f"without fingerprint | predicted, fingerprint {args.fp_speedup:g}x faster | wall time | decisions |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    sqlite = partial(_sqlite, folder)
    ref_url = fresh(sqlite, "reference")
    ref_s, ref_words = unbatched(ref_url, docs)
    reference = (ref_words, snapshot(ref_url))
    print(f"unbatched outcomes: {dict(Counter(ref_words))}")
    fp_s = statistics.median(fingerprint_seconds(docs) for _ in range(max(1, args.rounds)))
    rows += baselines(args, docs, fp_s)
    rows.append(
        f"| `Pipeline.ingest_item` one by one into SQLite (in process) | {len(docs) / ref_s:,.0f} | "
        f"- | - | - | - | {ref_s:.2f} s | reference |"
    )
    rows += command_rows(args, docs, reference, "SQLite", sqlite)
    if postgres is not None:
        rows += command_rows(args, docs, reference, "PostgreSQL", postgres)
    if args.profile:
        rows += ["", *stage_profile(docs, fresh(sqlite, "profile"))]
    return rows


def command_rows(
    args: argparse.Namespace, docs: list[Doc], reference: Reference, name: str, maker: Callable[[str], str]
) -> list[str]:
    """``wirefeed ingest -`` into one backend: the baseline tree first (if given), then this one."""
    runs = [Run(name, maker, args.baseline)] if args.baseline else []
    runs.append(Run(name, maker))
    payload = lines(docs)
    return [
        row(label(run), measure(run, docs, payload, args.rounds, reference), len(docs), args.fp_speedup)
        for run in runs
    ]


def alternate_rows(
    baseline: Path, rounds: int, folder: Path, makers: list[tuple[str, Callable[[str], str]]]
) -> list[str]:
    """The two trees' commands one after the other, ``rounds`` times, each into a fresh database of each
    backend in ``makers``: on a loaded machine the load of the moment then weighs on both alike, which
    medians of separate runs (as the tables above take) do not ensure. Cold: the default corpus into a
    fresh process, less an empty run's CPU; steady: the measured corpus after the warm-up stream in the
    same process (``cold_and_steady``). The outcomes of the two trees must agree, run by run."""
    cold_docs = generate()
    warm, measured = steady_corpora(folder / "folds", 3)
    cold_payload, steady_payload = lines(cold_docs), lines(warm) + lines(measured)
    marks = [len(warm), len(warm) + len(measured)]
    spent: dict[tuple[str, str, str], list[float]] = {}
    outcomes: dict[tuple[str, str, str], Counter[str]] = {}
    for r in range(rounds):
        for name, maker in makers:
            for tag, tree in (("base", baseline), ("this", None)):
                _, empty_cpu, _ = run_cli(fresh(maker, f"alte{tag}{r}"), "", tree)
                _, cpu, words = run_cli(fresh(maker, f"altc{tag}{r}"), cold_payload, tree)
                spent.setdefault((name, "cold", tag), []).append(len(cold_docs) / max(1e-9, cpu - empty_cpu))
                outcomes[(name, "cold", tag)] = Counter(outcome_word(word) for word in words)
                [(_, warm_cpu), (_, end_cpu), _], words = run_cli_marks(
                    fresh(maker, f"alts{tag}{r}"), steady_payload, marks, tree
                )
                spent.setdefault((name, "steady", tag), []).append(
                    len(measured) / max(1e-9, end_cpu - warm_cpu)
                )
                outcomes[(name, "steady", tag)] = Counter(words[len(warm) :])
    rows = [
        f"| `wirefeed ingest -`, {rounds} rounds alternated | items per CPU-second, median | best | "
        "this / baseline (median) | outcomes |",
        "|---|---:|---:|---:|---|",
    ]
    for (name, state, tag), rates in spent.items():
        who = f"baseline tree ({baseline.name})" if tag == "base" else "this tree"
        ratio = statistics.median(rates) / statistics.median(spent[(name, state, "base")])
        same = (
            "same as baseline"
            if outcomes[(name, state, tag)] == outcomes[(name, state, "base")]
            else "DIFFER"
        )
        rows.append(
            f"| {name} {state}, {who} | {statistics.median(rates):,.0f} | {max(rates):,.0f} | "
            f"{ratio:.2f}x | {_counts(outcomes[(name, state, tag)])}, {same} |"
        )
    return rows


def label(run: Run) -> str:
    where = f"`wirefeed ingest -` into {run.name}"
    return f"{where}, baseline tree ({run.tree.name})" if run.tree else where


if __name__ == "__main__":
    main()
