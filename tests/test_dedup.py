"""The in-process index: verified matches, atomic check-and-insert, idempotent writes, rebuild from bytes."""

from __future__ import annotations

import pickle
import random
import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import update

from scrapers.article import Article
from worker.dedup import DedupIndex, InProcessIndex, Match, equal_counts, lsh_params, min_equal
from worker.dedup_join import join_index
from worker.fingerprint import NUM_PERM, Signature, signature
from worker.models import ArticleRecord
from worker.pipeline import Pipeline
from worker.retention import prune
from worker.store import Store

VOCABULARY = (
    "government minister said officials agreed plan budget tax reform police court city council election "
    "vote party leader market shares prices company profit quarter revenue growth report health hospital "
    "school teachers union strike workers wages energy gas oil power plant climate weather storm flood "
    "rain river bridge road traffic airport flight passengers train station port ship cargo trade export "
    "import talks border security army troops peace agreement summit president prime spokesman statement "
    "investigation charges trial judge ruling appeal law bill parliament committee hearing evidence "
    "witnesses victims families residents protest crowd square capital region province village farmers"
)
WORDS = VOCABULARY.split()


def story(seed: int, length: int = 300) -> str:
    rng = random.Random(seed)
    sentences = []
    while sum(len(s.split()) for s in sentences) < length:
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + ".")
    return " ".join(sentences)


def near_copy(text: str) -> str:
    """A wire copy: dateline added, tail trimmed by a fifth."""
    words = text.split()
    return "LONDON (AP) \u2014 " + " ".join(words[: int(len(words) * 0.8)])


def test_protocol_is_implemented() -> None:
    assert isinstance(InProcessIndex(0.7), DedupIndex)


def test_min_equal_is_the_integer_form_of_the_threshold() -> None:
    assert min_equal(0.7, 128) == 90  # 89.6 rounds up: 89/128 = 0.695 is below the threshold
    assert min_equal(0.75, 128) == 96
    assert min_equal(1.0, 128) == 128
    with pytest.raises(ValueError):
        min_equal(0.0, 128)


def test_lsh_params_propose_pairs_above_the_threshold_and_few_far_below() -> None:
    for threshold in (0.5, 0.7, 0.9):
        bands, rows = lsh_params(threshold, NUM_PERM)
        assert bands * rows <= NUM_PERM

        def proposed(s: float, b: int = bands, r: int = rows) -> float:
            return 1 - (1 - s**r) ** b

        assert proposed(threshold) > 0.8
        assert proposed(min(1.0, threshold + 0.1)) > 0.98
        assert proposed(threshold / 3) < 0.1


def test_check_and_insert_returns_the_stored_original_for_a_wire_copy() -> None:
    index = InProcessIndex(0.7)
    original = story(1)
    assert index.check_and_insert("https://a.example/1", signature(original)) is None
    assert index.check_and_insert("https://b.example/2", signature(story(2))) is None
    match = index.check_and_insert("https://c.example/3", signature(near_copy(original)))
    assert match is not None and match.key == "https://a.example/1"
    assert 0.7 <= match.similarity < 1.0
    assert len(index) == 2 and "https://c.example/3" not in index


def test_query_verifies_and_orders_best_first() -> None:
    index = InProcessIndex(0.5)
    base = story(3)
    words = base.split()
    index.insert("exact", signature(base))
    index.insert("trimmed", signature(" ".join(words[: int(len(words) * 0.75)])))
    index.insert("other", signature(story(4)))
    matches = index.query(signature(base))
    assert [m.key for m in matches] == ["exact", "trimmed"]
    assert matches[0] == Match("exact", 1.0)
    assert all(m.similarity >= 0.5 for m in matches)
    assert index.query(signature(story(5))) == []


def test_insert_is_idempotent_and_replaces_the_signature() -> None:
    index = InProcessIndex(0.7)
    first, second = story(6), story(7)
    index.insert("k", signature(first))
    index.insert("k", signature(first))
    assert len(index) == 1
    index.insert("k", signature(second))
    assert len(index) == 1
    assert index.query(signature(first)) == []
    assert index.query(signature(second)) == [Match("k", 1.0)]


def test_remove_forgets_and_is_a_no_op_when_absent() -> None:
    index = InProcessIndex(0.7)
    index.insert("k", signature(story(8)))
    index.remove("k")
    index.remove("k")
    index.remove("never")
    assert len(index) == 0
    assert index.query(signature(story(8))) == []


def test_build_rebuilds_the_same_decisions_from_stored_bytes() -> None:
    texts = {f"https://news.example/{i}": story(100 + i) for i in range(50)}
    live = InProcessIndex(0.7)
    for key, text in texts.items():
        live.insert(key, signature(text))
    rebuilt = InProcessIndex.build(((k, signature(t).to_bytes()) for k, t in texts.items()), threshold=0.7)
    assert len(rebuilt) == 50
    probe = signature(near_copy(texts["https://news.example/17"]))
    assert rebuilt.query(probe) == live.query(probe)
    assert rebuilt.query(probe)[0].key == "https://news.example/17"


def test_signatures_with_other_parameters_are_refused() -> None:
    index = InProcessIndex(0.7)
    with pytest.raises(ValueError):
        index.insert("k", signature(story(9), num_perm=64))
    with pytest.raises(ValueError):
        InProcessIndex.build([("k", b"\x01\x05")], threshold=0.7)
    fresh = InProcessIndex(0.7)
    assert fresh.query(signature(story(9), shingle_size=3)) == []  # a query on an empty index fixes nothing
    fresh.insert("k", signature(story(9)))
    with pytest.raises(ValueError):
        fresh.query(signature(story(9), shingle_size=3))
    mixed = [("a", signature(story(9)).to_bytes()), ("b", signature(story(9), shingle_size=3).to_bytes())]
    with pytest.raises(ValueError):
        InProcessIndex.build(mixed, threshold=0.7)
    assert isinstance(signature(story(9)), Signature)


def test_concurrent_copies_insert_exactly_one_per_story() -> None:
    """Threads racing with copies of the same stories: the lock must let exactly one of each in."""
    index = InProcessIndex(0.7)
    originals = [story(200 + i) for i in range(6)]
    variants = [
        (f"s{i}-c{j}", signature(near_copy(text) if j else text))
        for i, text in enumerate(originals)
        for j in range(4)
    ]
    results: dict[str, Match | None] = {}
    barrier = threading.Barrier(4)

    def work(offset: int) -> None:
        barrier.wait()
        for key, sig in variants[offset::4]:
            results[key] = index.check_and_insert(key, sig)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i in range(len(originals)):
        keys = [k for k in results if k.startswith(f"s{i}-")]
        inserted = [k for k in keys if results[k] is None]
        assert len(inserted) == 1
        assert all(results[k] is not None and results[k].key == inserted[0] for k in keys if k != inserted[0])
    assert len(index) == len(originals)


class SmallBatches(InProcessIndex):
    """Merges pending inserts every few rows, so the tests cross many merges with little data."""

    _MIN_MERGE = 3


def test_answers_survive_merges_replacements_and_removals() -> None:
    texts = {f"k{i}": story(700 + i) for i in range(40)}
    index = SmallBatches(0.7)
    for key, text in texts.items():
        index.insert(key, signature(text))
    index.insert("k5", signature(texts["k6"]))  # k5 now holds k6's text
    index.remove("k7")
    for i in range(40, 50):  # more inserts, more merges after the replacement and the removal
        index.insert(f"k{i}", signature(story(700 + i)))
    assert len(index) == 49
    assert index.query(signature(texts["k5"])) == []
    assert [m.key for m in index.query(signature(texts["k6"]))] == ["k5", "k6"]
    assert index.query(signature(texts["k7"])) == []
    for i in (0, 13, 39):
        assert index.check_and_insert(f"copy{i}", signature(near_copy(texts[f"k{i}"]))).key == f"k{i}"
    rebuilt = InProcessIndex.build(((k, signature(t).to_bytes()) for k, t in texts.items()), 0.7)
    assert rebuilt.query(signature(texts["k21"])) == index.query(signature(texts["k21"]))


def templated_signatures(count: int, seed: int) -> list[Signature]:
    """Signatures whose values come from a few shared blocks (as briefs cut from one template share
    sentences), so bands collide often and checks meet many candidate rows, some of them near misses."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 2**64, size=(3, NUM_PERM), dtype=np.uint64)
    out = []
    for _ in range(count):
        choice = np.repeat(rng.integers(0, len(blocks), size=NUM_PERM // 2), 2)  # a block per band of two
        values = blocks[choice, np.arange(NUM_PERM)]
        own = rng.random(NUM_PERM) < rng.uniform(0.0, 0.6)
        values[own] = rng.integers(0, 2**64, size=int(own.sum()), dtype=np.uint64)
        out.append(Signature(values, size=200 + int(rng.integers(0, 400))))
    return out


def brute_force_candidates(index: InProcessIndex, stored: dict[str, Signature], sig: Signature) -> list:
    """The LSH contract read literally over every live row: a stored signature is a candidate when one
    band of its index values equals the new one's and its count of equal values reaches the bar."""
    new = sig.hashvalues.astype(np.uint32)
    found = []
    for key, old in stored.items():
        same = old.hashvalues.astype(np.uint32) == new
        bands = same[: index.bands * index.rows].reshape(index.bands, index.rows).all(axis=1)
        if bands.any() and int(same.sum()) >= index.candidate_equal:
            found.append((key, int(same.sum()), old.to_bytes()))
    return sorted(found)


def insert_as_the_contract_says(
    index: InProcessIndex, stored: dict[str, Signature], key: str, sig: Signature, removed: int
) -> int:
    """Check-and-insert ``sig`` under ``key`` (after removing the key numbered ``removed``, if given) with
    a judge that records what it is handed and never joins: it must be handed exactly the contract's
    candidates (``brute_force_candidates``). Returns their number; ``stored`` follows the index."""
    seen: list[list[tuple[str, int, bytes]]] = [[]]

    def recording(_: Signature, candidates: list) -> Match | None:
        seen.append(sorted((c.key, c.equal, c.signature.to_bytes()) for c in candidates))
        return None

    if removed >= 0:
        index.remove(f"k{removed}")
        stored.pop(f"k{removed}", None)
    expected = brute_force_candidates(index, stored, sig)
    index.check_and_insert(key, sig, recording)
    assert seen[-1] == expected, key
    stored[key] = sig
    return len(expected)


def test_candidates_are_exactly_the_lsh_contracts_through_busy_bands_and_merges() -> None:
    """Every check hands the judge exactly the rows the contract names, with their stored signature,
    whatever part of the index holds them (sorted postings, recent inserts) and across merges,
    replacements and removals: the fast paths of ``_counted`` and the decoded-signature cache change
    nothing a judge sees."""
    index = SmallBatches(0.5)
    index._MIN_MERGE = 40  # several merges, and checks between them against pending rows
    stored: dict[str, Signature] = {}
    # The last thirty replace earlier keys' signatures.
    found = [
        insert_as_the_contract_says(index, stored, f"k{i % 230}", sig, i - 5 if i % 37 == 36 else -1)
        for i, sig in enumerate(templated_signatures(260, seed=5))
    ]
    assert sum(map(bool, found)) > 200  # the signatures do meet candidates: the comparison is not vacuous
    assert max(found) > 20


def test_batches_sorted_into_levels_get_exactly_the_lsh_contracts_candidates() -> None:
    """Between merges, each batch's ``prepare`` sorts the rows pending since the last one into a level
    (and sorts small levels again with it): every check of every batch, prepared or not, and every row a
    join catches up (``load_rows``) in between, must still hand the judge exactly the rows the contract
    names, through busy bands of templated briefs, replacements, removals and merges."""
    index = SmallBatches(0.5)
    index._MIN_MERGE, index._LEVEL_MIN = 150, 8  # levels cut, stacked and carried before each merge
    stored: dict[str, Signature] = {}
    sigs = templated_signatures(420, seed=11)
    found: list[int] = []
    most_levels = 0
    for first in range(0, 360, 12):  # batches of twelve, all but one in three prepared but their last two
        batch = sigs[first : first + 12]
        if first % 36 != 24:
            index.prepare(batch[:-2])
        most_levels = max(most_levels, len(index._levels))
        for i, sig in enumerate(batch, start=first):  # the last thirty replace earlier keys' signatures
            found.append(
                insert_as_the_contract_says(index, stored, f"k{i % 330}", sig, i - 7 if i % 41 == 40 else -1)
            )
        if first % 60 == 48:  # a join's catch-up of rows another worker stored
            caught = {f"j{first + j}": sigs[360 + (first // 60) * 10 + j] for j in range(10)}
            blobs, tags = [s.to_bytes() for s in caught.values()], [1_000 + first + j for j in range(10)]
            index.load_rows(list(caught), blobs, [0.0] * 10, tags)  # tags: the store's row ids
            stored.update(caught)
    assert sum(map(bool, found)) > 300 and max(found) > 20  # busy bands: not vacuous
    assert most_levels >= 2  # checks did meet several levels at once
    again = pickle.loads(pickle.dumps(index))
    for sig in sigs[:40:7]:
        assert again.query(sig) == index.query(sig)


def test_a_snapshot_round_trips_through_pickle() -> None:
    index = InProcessIndex(0.7)
    index.insert("a", signature(story(900)))
    restored = pickle.loads(pickle.dumps(index))
    assert restored.query(signature(story(900))) == [Match("a", 1.0)]
    assert restored.check_and_insert("b", signature(story(901))) is None
    assert len(restored) == 2


class Clock:
    """A settable clock, so the window is tested in days without waiting for them."""

    def __init__(self) -> None:
        self.now = 1_000_000_000.0

    def __call__(self) -> float:
        return self.now


DAY = 86_400.0


def test_the_window_forgets_old_stories_and_its_memory_follows() -> None:
    clock = Clock()
    index = SmallBatches(0.7, window=7 * DAY, clock=clock)
    old = {f"old{i}": story(1_000 + i) for i in range(5)}
    for key, text in old.items():
        index.insert(key, signature(text))
    clock.now += 8 * DAY
    fresh = {f"new{i}": story(1_100 + i) for i in range(5)}
    for key, text in fresh.items():
        index.insert(key, signature(text))
    # an old story is no candidate any more: its copy is stored as a story of its own
    assert index.query(signature(old["old2"])) == []
    assert index.check_and_insert("copy-old2", signature(near_copy(old["old2"]))) is None
    assert index.check_and_insert("copy-new2", signature(near_copy(fresh["new2"]))).key == "new2"
    index._merge()
    assert len(index) == 6 and "old0" not in index and index._size == 6  # the rows and their memory
    rebuilt = InProcessIndex.build(
        [(k, signature(t).to_bytes()) for k, t in {**old, **fresh}.items()],
        0.7,
        stamps=[clock.now - 8 * DAY] * 5 + [clock.now] * 5,
        window=7 * DAY,
        clock=clock,
    )
    assert sorted(rebuilt._row_of) == sorted(fresh)
    assert rebuilt.expire(clock.now + 1) == 5 and len(rebuilt) == 0


def test_a_worker_joins_only_the_window_and_prune_expires_a_running_index(store: Store) -> None:
    pipeline = Pipeline(store)
    texts = {f"https://news.example/{i}": story(1_200 + i) for i in range(3)}
    for url, text in texts.items():
        pipeline.ingest_article(Article(url=url, text=text, title=f"Story {url[-1]}"))
    with store.session() as session:
        session.execute(
            update(ArticleRecord)
            .where(ArticleRecord.canonical_url == "https://news.example/0")
            .values(updated_at=datetime.now(UTC) - timedelta(days=10))
        )
    windowed = join_index(store, 0.5, window_days=7)
    assert len(windowed) == 2 and "https://news.example/0" not in windowed
    everything = join_index(store, 0.5)
    assert len(everything) == 3
    report = prune(store, timedelta(days=30), index=everything, index_window=timedelta(days=7))
    assert report.removed["index_entries"] == 1 and "https://news.example/0" not in everything
    assert everything.query(signature(texts["https://news.example/1"]))[0].key == "https://news.example/1"


def test_a_join_reads_every_stored_format_as_the_signature_itself_would() -> None:
    """The join takes values in place for the formats ``VALUES_IN_PLACE_VERSIONS`` names: that must give
    what decoding each signature gives, for formats 2 and 3 alike (format 3 went one by one until it was
    named there, 6x slower)."""
    from pathlib import Path

    from worker.dedup import decode_values, signature_values
    from worker.fingerprint import VALUES_IN_PLACE_VERSIONS, Signature, signature

    stored_v2 = [
        bytes.fromhex(path.read_text().strip())
        for path in sorted((Path(__file__).parent / "fixtures" / "signatures").glob("*.v2.hex"))
    ]
    fresh = [
        signature(f"story {n} " + "the council met on tuesday to vote on the budget " * 8).to_bytes()
        for n in range(3)
    ]
    blobs = stored_v2 + fresh
    assert {blob[0] for blob in blobs} == {2, 3} and {2, 3} <= set(VALUES_IN_PLACE_VERSIONS)
    expected = [signature_values(Signature.from_bytes(blob)) for blob in blobs]
    assert (decode_values(blobs, 128) == expected).all()


@pytest.mark.parametrize("merge_every", [None, 1])
def test_a_prepared_batch_gets_the_same_candidates_and_rows_as_signatures_banded_alone(
    merge_every: int | None,
) -> None:
    """``prepare`` bands a batch's signatures and looks them up in the sorted postings in one go before
    they are checked: every check and insert must see exactly what each signature alone gives (the same
    matches, the same rows), from a built index and through merges that replace the postings mid-batch;
    a signature left out or of another object is handled as before, and a pickled index carries none."""
    texts = [story(seed) for seed in range(16)]
    stored = [(f"s{i}", signature(text).to_bytes()) for i, text in enumerate(texts[:8])]
    texts += [near_copy(text) for text in texts[:12]] + [text[: len(text) // 2] for text in texts[4:10]]
    sigs = [signature(text) for text in texts[8:]]
    plain, prepared = InProcessIndex.build(stored, 0.5), InProcessIndex.build(stored, 0.5)
    if merge_every:
        plain._MIN_MERGE = prepared._MIN_MERGE = merge_every
    prepared.prepare(sigs[::2])  # half of them: the others take the one-by-one path
    found = []
    for i, sig in enumerate(sigs):
        found.append(prepared.check_and_insert(f"k{i}", sig))
        assert found[-1] == plain.check_and_insert(f"k{i}", sig)
        again = Signature.from_bytes(sig.to_bytes())  # equal, but another object: looked up alone
        assert prepared.query(again) == plain.query(again)
    copies = [m.key if m else None for m in found[8:20]]
    assert copies == [f"s{i}" for i in range(8)] + [f"k{i}" for i in range(4)]
    for mine, theirs in zip(prepared.arrays().values, plain.arrays().values, strict=True):
        assert np.array_equal(mine, theirs)
    assert pickle.loads(pickle.dumps(prepared))._prepared == {}


@pytest.mark.parametrize("width", [128, 255, 256, 300])
def test_equal_counts_are_numpys_counts_at_every_signature_width(width: int) -> None:
    """The index counts a row's equal values by summing its bytes in the narrowest integer that holds the
    width (``_row_counts``): every count must be ``np.count_nonzero``'s, a row all equal included, so no
    candidate is gained or lost at any ``num_perm``."""
    rng = np.random.default_rng(width)
    stored = rng.integers(0, 4, size=(200, width), dtype=np.uint64)
    stored[0] = stored[1] = 1
    values = np.ones(width, dtype=np.uint64)
    expected = np.count_nonzero(stored.astype(np.uint32) == values.astype(np.uint32), axis=1)
    counts = equal_counts(values, stored)
    assert counts.tolist() == expected.tolist() and counts[0] == width
