"""wirefeed's story clustering beside the datasketch recipe, on the labelled corpus, per edit kind and per
negative family: ``python -m bench.dedup_eval`` (this module holds the run; ``dedup_eval`` prints it).

wirefeed runs as a producer would use it: every document is pushed through ``Pipeline.ingest_item`` into a
fresh SQLite store (the same path as ``wirefeed ingest -``), and the clusters are read back from the
database: a stored article and the duplicates carrying its ``story_id``. The datasketch recipe is the
documented one: ``MinHash`` (128 permutations, SHA-1 of each word 6-gram, ``update_batch``) and
``MinHashLSH`` at each threshold of a sweep, streamed (query, join the most similar hit, insert); its
best threshold by pair F1 is reported. Truth is by construction (``bench/dedup_corpus.py``).

Definitions: pair precision and recall count pairs of documents placed in one cluster. "Representative is
the fullest copy": among clusters of two or more documents, the stored article has at least 90% of the
shingles of the largest member (a copy that only adds a dateline or a tagline is not fuller). "Embedded
local stored and linked": the local story is a stored article of its own story, and an ``embeds`` audit
row links its story and the wire story's.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH
from sqlalchemy import select

from bench.dedup_corpus import Doc
from worker.fingerprint import shingle_hashes, tokens
from worker.models import ArticleRecord, DuplicateRecord, StoryEvent
from worker.pipeline import Pipeline
from worker.store import Store

URL = "https://corpus.example/"
NEGATIVE_KINDS = (
    "templated-",
    "shared-quote",
    "short-quote",
    "shared-footer",
    "update-major",
    "lead-reuse",
    "local-embed",
)


@dataclass
class Result:
    name: str
    cluster: dict[str, object]  # doc id -> cluster id
    seconds: float
    representative: dict[object, str] = field(default_factory=dict)  # cluster -> doc id stored
    links: set[tuple[object, object]] = field(default_factory=set)  # (cluster, cluster) embeds links
    rules: dict[str, str] = field(default_factory=dict)  # doc id -> outcome and rule of its decision


def edit_label(doc: Doc) -> str | None:
    if doc.kind == "update-minor":
        return "minor update (<= 1/3 new)"
    if doc.kind == "update-full":
        return "fuller update (keeps >= 80%, > 1/2 new)"
    if doc.kind != "variant":
        return None
    if "halftrim" in doc.edits:
        return "half trim (40-55% kept)"
    if "trim" in doc.edits:
        return "trimmed tail (+ others)"
    return doc.edits[0] if len(doc.edits) == 1 else "combined edits"


def negative_label(doc: Doc) -> str | None:
    for kind in NEGATIVE_KINDS:
        if doc.kind.startswith(kind):
            return doc.kind
    return None


def run_wirefeed(docs: list[Doc], threshold: float = 0.5) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'eval.db'}")
        store.upgrade()
        pipeline = Pipeline(store, threshold=threshold)
        start = time.perf_counter()
        decisions = [
            pipeline.ingest_item({"url": URL + doc.id, "title": None, "text": doc.text}) for doc in docs
        ]
        seconds = time.perf_counter() - start
        result = Result("wirefeed", {}, seconds)
        result.rules = {
            doc.id: f"{decision.outcome.value}/{decision.rule}"
            for doc, decision in zip(docs, decisions, strict=True)
        }
        with store.session() as session:
            for url, story in session.execute(select(ArticleRecord.canonical_url, ArticleRecord.story_id)):
                result.cluster[url.removeprefix(URL)] = story
                result.representative[story] = url.removeprefix(URL)
            for url, story in session.execute(select(DuplicateRecord.url, DuplicateRecord.story_id)):
                result.cluster[url.removeprefix(URL)] = story
            for a, b in session.execute(
                select(StoryEvent.story_id, StoryEvent.other_story_id).where(StoryEvent.event == "embeds")
            ):
                result.links.add((a, b))
        store.dispose()
    return result


def datasketch_minhashes(docs: list[Doc], num_perm: int = 128, size: int = 6) -> list[MinHash]:
    out = []
    for doc in docs:
        words = tokens(doc.text)
        grams = [" ".join(words[i : i + size]).encode() for i in range(max(1, len(words) - size + 1))]
        minhash = MinHash(num_perm=num_perm)
        minhash.update_batch(grams)
        out.append(minhash)
    return out


def run_datasketch(docs: list[Doc], minhashes: list[MinHash], threshold: float) -> Result:
    lsh = MinHashLSH(threshold=threshold, num_perm=minhashes[0].hashvalues.size)
    result = Result(f"datasketch MinHashLSH t={threshold}", {}, 0.0)
    by_id: dict[str, MinHash] = {}
    start = time.perf_counter()
    for doc, minhash in zip(docs, minhashes, strict=True):
        hits = lsh.query(minhash)
        if hits:
            best = max(hits, key=lambda key: (minhash.jaccard(by_id[key]), key))
            result.cluster[doc.id] = result.cluster[best]
        else:
            result.cluster[doc.id] = doc.id
            result.representative[doc.id] = doc.id
        by_id[doc.id] = minhash
        lsh.insert(doc.id, minhash)
    result.seconds = time.perf_counter() - start
    return result


def pair_scores(docs: list[Doc], result: Result) -> tuple[float, float, float]:
    together = Counter(result.cluster[d.id] for d in docs)
    both = Counter((result.cluster[d.id], d.story) for d in docs)
    truth = Counter(d.story for d in docs)
    predicted = sum(n * (n - 1) // 2 for n in together.values())
    correct = sum(n * (n - 1) // 2 for n in both.values())
    positives = sum(n * (n - 1) // 2 for n in truth.values())
    precision = correct / predicted if predicted else 1.0
    recall = correct / positives if positives else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def per_edit(docs: list[Doc], result: Result) -> dict[str, tuple[int, int]]:
    """Per edit kind: (copies clustered with their original, copies)."""
    base = {d.story: d.id for d in docs if d.kind.startswith("base")}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for doc in docs:
        label = edit_label(doc)
        if label is None or doc.story not in base:
            continue
        out[label][1] += 1
        out[label][0] += result.cluster[doc.id] == result.cluster[base[doc.story]]
    return {k: (v[0], v[1]) for k, v in out.items()}


def per_negative(docs: list[Doc], result: Result) -> dict[str, tuple[int, int]]:
    """Per negative family: (documents merged with a document of another story, documents)."""
    stories_in = defaultdict(set)
    for doc in docs:
        stories_in[result.cluster[doc.id]].add(doc.story)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for doc in docs:
        label = negative_label(doc)
        if label is None:
            continue
        out[label][1] += 1
        out[label][0] += len(stories_in[result.cluster[doc.id]]) > 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def embedded_linked(docs: list[Doc], result: Result) -> tuple[int, int]:
    ids = {d.id for d in docs}
    ok = total = 0
    for doc in docs:
        if doc.kind != "local-embed" or doc.embeds not in ids:
            continue
        total += 1
        mine, wire = result.cluster[doc.id], result.cluster[doc.embeds]
        stored = result.representative.get(mine) == doc.id
        ok += stored and mine != wire and ((mine, wire) in result.links or (wire, mine) in result.links)
    return ok, total


def representative_fullest(docs: list[Doc], result: Result) -> tuple[int, int]:
    size = {d.id: len(shingle_hashes(tokens(d.text))) for d in docs}
    members: dict[object, list[str]] = defaultdict(list)
    for doc in docs:
        members[result.cluster[doc.id]].append(doc.id)
    ok = total = 0
    for cluster, ids in members.items():
        if len(ids) < 2 or cluster not in result.representative:
            continue
        total += 1
        ok += size[result.representative[cluster]] >= 0.9 * max(size[i] for i in ids)
    return ok, total


def shuffled(docs: Iterable[Doc], seed: int) -> list[Doc]:
    out = list(docs)
    random.Random(seed).shuffle(out)
    return out


def report(docs: list[Doc], orders: int = 2) -> list[str]:
    """The comparison tables, as markdown lines."""
    wirefeed = run_wirefeed(docs)
    minhashes = datasketch_minhashes(docs)
    sweep = [run_datasketch(docs, minhashes, t / 10) for t in range(3, 10)]
    best = max(sweep, key=lambda r: pair_scores(docs, r)[2])
    results = [wirefeed, best]
    lines = ["| | " + " | ".join(r.name for r in results) + " |", "|---|" + "---:|" * len(results)]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    scores = [pair_scores(docs, r) for r in results]
    row("pair precision", [f"{s[0]:.4f}" for s in scores])
    row("pair recall", [f"{s[1]:.4f}" for s in scores])
    row("pair F1", [f"{s[2]:.4f}" for s in scores])
    edits = [per_edit(docs, r) for r in results]
    for label in sorted(edits[0]):
        row(
            f"recall: {label}",
            [f"{e[label][0] / e[label][1]:.3f} ({e[label][0]}/{e[label][1]})" for e in edits],
        )
    negatives = [per_negative(docs, r) for r in results]
    for label in sorted(negatives[0]):
        row(f"wrongly merged: {label}", [f"{n[label][0]} / {n[label][1]}" for n in negatives])
    embedded = [embedded_linked(docs, r) for r in results]
    row("embedded local stored + linked", [f"{ok / max(1, n):.3f} ({ok}/{n})" for ok, n in embedded])
    fullest = [representative_fullest(docs, r) for r in results]
    row("representative is the fullest copy", [f"{ok / max(1, n):.4f} ({ok}/{n})" for ok, n in fullest])
    row("seconds (stream, same run)", [f"{r.seconds:.1f}" for r in results])
    lines += [
        "",
        "Representative and precision/recall under other arrival orders (wirefeed, shuffled):",
        "",
        "| order | pair precision | pair recall | representative is the fullest |",
        "|---|---:|---:|---:|",
    ]
    for seed in range(1, orders + 1):
        again = run_wirefeed(shuffled(docs, seed))
        p, r, _ = pair_scores(docs, again)
        ok, n = representative_fullest(docs, again)
        lines.append(f"| shuffle {seed} | {p:.4f} | {r:.4f} | {ok / max(1, n):.4f} ({ok}/{n}) |")
    lines += [
        "",
        "datasketch sweep (pair precision / recall / F1): "
        + "; ".join(
            f"t={r.name.split('=')[1]}: {pair_scores(docs, r)[0]:.3f}/{pair_scores(docs, r)[1]:.3f}/"
            f"{pair_scores(docs, r)[2]:.3f}"
            for r in sweep
        ),
    ]
    return lines


SEEN_DRAWS = (
    (20261125, 0),
    (7, 0),
    (23, 0),
    (31, 0),
    (11, 0),
    (53, 0),
    (97, 0),
    (11, 1),
    (7, 1),
    (23, 1),
    (31, 1),
    (67, 1),
    (101, 1),
    (41, 2),
    (79, 2),
    (103, 2),
    (89, 3),
    (107, 3),
    (109, 0),
    (113, 1),
    (127, 2),
    (131, 3),
    (137, 0),
    (139, 1),
    (149, 2),
    (151, 3),
    (157, 0),
    (163, 1),
    (167, 2),
    (173, 3),
    (179, 0),
    (181, 1),
    (191, 2),
    (193, 3),
    (197, 0),
    (199, 1),
    (211, 2),
    (223, 3),
    (227, 0),
    (229, 1),
    (233, 2),
    (239, 3),
    (241, 0),
    (251, 1),
    (257, 2),
    (263, 3),
)
"""Every draw a session has tuned on or read the failures of (seed, variant): the rows ``--draws seen``
prints. Held-out draws are named on the command line and never added here while they are held out."""


def draw_row(label: str, docs: list[Doc], shuffle: int = 0) -> str:
    """One markdown row of wirefeed's figures on one draw (``dedup_eval --draws``): pair precision and
    recall, half trims, embedded locals stored and linked, fullest representative, and the documents
    wrongly merged per negative family (only the families with any)."""
    result = run_wirefeed(shuffled(docs, shuffle) if shuffle else docs)
    precision, recall, _ = pair_scores(docs, result)
    half = per_edit(docs, result).get("half trim (40-55% kept)", (0, 0))
    embeds, locals_ = embedded_linked(docs, result)
    fullest, clusters = representative_fullest(docs, result)
    wrong = ", ".join(
        f"{kind.removeprefix('templated-')} {n}"
        for kind, (n, _) in sorted(per_negative(docs, result).items())
        if n
    )
    return (
        f"| {label} | {precision:.4f} | {recall:.4f} | {half[0] / max(1, half[1]):.3f} | "
        f"{embeds / max(1, locals_):.3f} | {fullest / max(1, clusters):.4f} | {wrong or 'none'} |"
    )


DRAW_HEADER = (
    "| draw | pair precision | pair recall | half trims | embedded locals | fullest | wrongly merged docs |",
    "|---|---:|---:|---:|---:|---:|---|",
)


@dataclass(frozen=True)
class ContainingPair:
    """A document arriving after one it contains (>= 80% of the stored text inside it, under 80% of it
    inside the stored one), as the judge reads the pair, with the truth about the two."""

    share_new: float  # measured on the new text (``TextProbe.share_new``)
    starts_apart: (
        bool  # the starts differ (sketches or an echoed lead) and its lead is not in the stored text
    )
    templated: bool  # split by the template check whatever its share
    covered: bool  # the stored text covers a third or more of it
    same_story: bool
    kind: str  # the new document's kind
    words_new: float | None = None  # share of its words not in the stored text (``words_inside``), read
    # only for a pair starting apart, covered, not templated and under half new: where a line can use it


def containing_pairs(docs: list[Doc]) -> list[ContainingPair]:
    """Every pair the new-material line decides: the new text holds the stored one and has text of its own.

    Found by the estimated containment from every pair's equal MinHash values (as the judge reads it), so
    the pairs are those the line sees, in the order where the larger text arrives second."""
    from worker.fingerprint import signature
    from worker.relation import (
        CANDIDATE_BAR,
        CONTAINED,
        MIN_COVER,
        TextProbe,
        _templated,
        starts_apart,
        words_inside,
    )

    sigs = [signature(d.text) for d in docs]
    values = np.stack([s.hashvalues for s in sigs])
    sizes = np.array([s.size or 0 for s in sigs], dtype=float)
    out: list[ContainingPair] = []
    for i, new in enumerate(sigs):
        jaccard = (values == values[i]).sum(axis=1) / values.shape[1]
        shared = jaccard * (sizes[i] + sizes) / (1 + jaccard)
        contains = (shared / np.maximum(sizes, 1) >= CONTAINED) & (shared / max(sizes[i], 1) < CONTAINED)
        contains &= jaccard >= CANDIDATE_BAR
        contains[i] = False
        if not contains.any():
            continue
        probe = TextProbe(docs[i].text)
        for j in np.flatnonzero(contains):
            old = sigs[j]
            measured = probe.share_new(old)
            share = 1 - shared[j] / sizes[i] if measured is None else measured
            apart = starts_apart(probe, new, old)
            templated = _templated(new, old, probe)
            covered = bool(shared[j] / sizes[i] >= MIN_COVER)
            read = apart and covered and not templated and share < 0.5
            out.append(
                ContainingPair(
                    share_new=share,
                    starts_apart=apart,
                    templated=templated,
                    covered=covered,
                    same_story=docs[i].story == docs[j].story,
                    kind=docs[i].kind,
                    words_new=1 - words_inside(docs[i].text, docs[j].text) if read else None,
                )
            )
    return out


SWEEP_LINES = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)


def new_material_sweep(pairs: list[ContainingPair]) -> list[str]:
    """Per candidate line of new material: the different-story pairs it would join (by the new text's
    kind) and the same-story pairs it would split, with the start evidence as the judge reads it; and the
    same counts if the start evidence were ignored (the share alone decides)."""
    from worker.relation import SHARE_SLACK

    lines = [
        "| new-material line | different stories joined | of which local-embed | same story split | "
        "share alone: joined | share alone: split | near the line in words: joined | local-embed | split |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    live = [p for p in pairs if not p.templated and p.covered]

    def in_words(p: ContainingPair, line: float) -> bool:
        """Split as ``rules.NewInWords`` reads a pair: over the line in shingles, or just under it (within
        ``SHARE_SLACK``) and over it in words."""
        if p.share_new >= line:
            return True
        near = p.share_new >= line - SHARE_SLACK
        return near and p.words_new is not None and p.words_new >= line

    for line in SWEEP_LINES:
        joined = [p for p in live if not p.same_story and not (p.starts_apart and p.share_new >= line)]
        split = [p for p in live if p.same_story and p.starts_apart and p.share_new >= line]
        alone_joined = sum(1 for p in live if not p.same_story and p.share_new < line)
        alone_split = sum(1 for p in live if p.same_story and p.share_new >= line)
        local = sum(1 for p in joined if p.kind == "local-embed")
        words_joined = [p for p in live if not p.same_story and not (p.starts_apart and in_words(p, line))]
        words_split = sum(1 for p in live if p.same_story and p.starts_apart and in_words(p, line))
        words_local = sum(1 for p in words_joined if p.kind == "local-embed")
        lines.append(
            f"| {line:.2f} | {len(joined)} | {local} | {len(split)} | {alone_joined} | {alone_split} | "
            f"{len(words_joined)} | {words_local} | {words_split} |"
        )
    return lines


def _verdict_line(new: Doc, old: Doc) -> str:
    """The judge's verdict on ``new`` against ``old`` alone, with what it read, for a failure listing."""
    from worker.fingerprint import signature
    from worker.relation import judge

    a, b = signature(new.text), signature(old.text)
    verdict = judge(a, b, a.equal_count(b), 0.5)
    shared = -1 if a.lead is None or b.lead is None else len(set(a.lead.tolist()) & set(b.lead.tolist()))
    if verdict is None:
        return f"unrelated (J {a.equal_count(b) / a.num_perm:.2f}, leads share {shared})"
    return (
        f"{verdict.relation.value} (J {verdict.similarity:.2f}, in {verdict.contained_new:.2f}, "
        f"holds {verdict.contained_old:.2f}, leads share {shared})"
    )


def failures(docs: list[Doc], result: Result) -> list[str]:
    """Every wrong merge and every missed copy, one line each, with the decision that placed the document
    and the judge's verdict on the pair: what a rule has to tell apart (``dedup_eval --failures``)."""
    by_id = {d.id: d for d in docs}
    members: dict[object, list[Doc]] = defaultdict(list)
    for doc in docs:
        members[result.cluster[doc.id]].append(doc)
    lines = ["wrong merges (document, its kind, its decision; the other story's documents in its cluster):"]
    for cluster, group in members.items():
        stories = Counter(d.story for d in group)
        if len(stories) < 2:
            continue
        stored = by_id[result.representative[cluster]] if cluster in result.representative else group[0]
        for doc in group:
            if doc.story == stored.story:
                continue
            lines.append(
                f"  {doc.id} [{doc.kind} {'+'.join(doc.edits)}] {result.rules.get(doc.id)} -> story of "
                f"{stored.id} [{stored.kind}]: {_verdict_line(doc, stored)}"
            )
    lines.append("missed copies (copy, its edits, its decision; verdict against the story's original):")
    base = {d.story: d for d in docs if d.kind.startswith("base")}
    for doc in docs:
        original = base.get(doc.story)
        if original is None or doc is original or result.cluster[doc.id] == result.cluster[original.id]:
            continue
        lines.append(
            f"  {doc.id} [{doc.kind} {'+'.join(doc.edits)}] {result.rules.get(doc.id)}: "
            f"{_verdict_line(doc, original)}; reverse {_verdict_line(original, doc)}; "
            f"starts {' '.join(doc.text.split()[:16])!r}"
        )
    return lines + missed_embeds(docs, result)


def missed_embeds(docs: list[Doc], result: Result) -> list[str]:
    """Every embedded-wire local story not stored and linked to its wire story, with both decisions, the
    arrival order and the judge's verdicts both ways (``dedup_eval --failures``)."""
    by_id, at = {d.id: d for d in docs}, {d.id: n for n, d in enumerate(docs)}
    lines = ["missed embeds (local story, its decision; its wire story, its decision; verdicts both ways):"]
    for doc in docs:
        wire = by_id.get(doc.embeds or "")
        if doc.kind != "local-embed" or wire is None:
            continue
        mine, theirs = result.cluster[doc.id], result.cluster[wire.id]
        stored = result.representative.get(mine) == doc.id
        if stored and mine != theirs and ((mine, theirs) in result.links or (theirs, mine) in result.links):
            continue
        first = "local first" if at[doc.id] < at[wire.id] else "wire first"
        lines.append(
            f"  {doc.id} {result.rules.get(doc.id)} (stored as its story: {stored}, one cluster: "
            f"{mine == theirs}); {wire.id} {result.rules.get(wire.id)}; {first}; local vs wire: "
            f"{_verdict_line(doc, wire)}; wire vs local: {_verdict_line(wire, doc)}"
        )
    return lines
