"""The shared Redis index on the suite's real Valkey server: in-process decisions, atomic across processes."""

from __future__ import annotations

import multiprocessing
import uuid

import numpy as np
import pytest
import redis

from tests.test_dedup import near_copy, story
from worker.dedup import DedupIndex, InProcessIndex, Match, threshold_judge
from worker.dedup_redis import RedisIndex
from worker.fingerprint import NUM_PERM, Signature, signature
from worker.relation import StoryJudge

pytestmark = pytest.mark.redis


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


@pytest.fixture
def prefix() -> str:
    return f"test:{uuid.uuid4().hex}"


def test_protocol_is_implemented(client: redis.Redis, prefix: str) -> None:
    assert isinstance(RedisIndex(client, 0.7, prefix=prefix), DedupIndex)


def test_check_and_insert_matches_a_wire_copy_and_keeps_others(client: redis.Redis, prefix: str) -> None:
    index = RedisIndex(client, 0.7, prefix=prefix)
    original = story(1)
    assert index.check_and_insert("https://a.example/1", signature(original)) is None
    assert index.check_and_insert("https://b.example/ü", signature(story(2))) is None
    match = index.check_and_insert("https://c.example/3", signature(near_copy(original)))
    assert match is not None and match.key == "https://a.example/1"
    assert 0.7 <= match.similarity < 1.0
    assert len(index) == 2 and "https://c.example/3" not in index and "https://b.example/ü" in index


def test_decisions_equal_the_in_process_index(client: redis.Redis, prefix: str) -> None:
    shared, local = RedisIndex(client, 0.6, prefix=prefix), InProcessIndex(0.6)
    texts = [story(300 + i) for i in range(20)]
    stream = [(f"k{i}", t) for i, t in enumerate(texts)]
    stream += [(f"c{i}", near_copy(t)) for i, t in enumerate(texts)]
    for key, text in stream:
        sig = signature(text)
        assert shared.check_and_insert(key, sig) == local.check_and_insert(key, sig)
    probe = signature(texts[3])
    assert shared.query(probe) == local.query(probe) == [Match("k3", 1.0)]


def test_insert_replaces_and_remove_forgets(client: redis.Redis, prefix: str) -> None:
    index = RedisIndex(client, 0.7, prefix=prefix)
    first, second = signature(story(10)), signature(story(11))
    index.insert("k", first)
    index.insert("k", first)
    assert len(index) == 1
    index.insert("k", second)
    assert index.query(first) == [] and index.query(second) == [Match("k", 1.0)]
    index.remove("k")
    index.remove("k")
    assert len(index) == 0 and index.query(second) == []
    # replacing and removing left no stale bucket membership behind
    assert [key for key in client.scan_iter(f"{{{prefix}}}:p:*")] == []


def test_layout_is_fixed_by_the_first_worker(client: redis.Redis, prefix: str) -> None:
    first = RedisIndex(client, 0.5, prefix=prefix)
    first.insert("k", signature(story(12)))
    later = RedisIndex(client, 0.9, prefix=prefix)  # a worker started with another threshold
    assert (later.bands, later.rows) == (first.bands, first.rows)
    assert later.query(signature(story(12))) == [Match("k", 1.0)]
    with pytest.raises(ValueError):
        RedisIndex(client, 0.5, prefix=prefix, num_perm=64)


def test_a_decoding_client_is_refused(redis_url: str, prefix: str) -> None:
    with pytest.raises(ValueError):
        RedisIndex(redis.Redis.from_url(redis_url, decode_responses=True), 0.7, prefix=prefix)


CLUSTERS = 8
WORKERS = 4


def _race_worker(
    url: str,
    prefix: str,
    worker: int,
    barrier: multiprocessing.synchronize.Barrier,
    results: multiprocessing.Queue,
) -> None:
    """Insert this worker's copy of every story, all workers starting together on the same stories."""
    index = RedisIndex(redis.Redis.from_url(url), 0.7, prefix=prefix)
    copies = [
        (f"s{c}-w{worker}", signature(near_copy(story(500 + c)) if worker else story(500 + c)))
        for c in range(CLUSTERS)
    ]
    barrier.wait()
    for key, sig in copies:
        match = index.check_and_insert(key, sig)
        results.put((key, match.key if match else None))


@pytest.mark.integration
def test_racing_processes_insert_exactly_one_copy_per_story(redis_url: str, prefix: str) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    processes = [
        context.Process(target=_race_worker, args=(redis_url, prefix, w, barrier, results))
        for w in range(WORKERS)
    ]
    for process in processes:
        process.start()
    outcomes = dict(results.get(timeout=60) for _ in range(CLUSTERS * WORKERS))
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    for c in range(CLUSTERS):
        keys = [k for k in outcomes if k.startswith(f"s{c}-")]
        inserted = [k for k in keys if outcomes[k] is None]
        assert len(inserted) == 1, f"story {c}: inserted {inserted}"
        assert all(outcomes[k] == inserted[0] for k in keys if k != inserted[0])
    assert len(RedisIndex(redis.Redis.from_url(redis_url), 0.7, prefix=prefix)) == CLUSTERS


def test_story_judge_decisions_equal_the_in_process_index(client: redis.Redis, prefix: str) -> None:
    """Containment, fuller copies, embedded stories and templated refusals: one judge, the same answers
    from both indexes on the same stream (including links that insert as well as joins that do not)."""
    from pathlib import Path

    from worker.relation import StoryJudge

    wire = Path(__file__).parent / "fixtures" / "wire"
    text = {p.stem: p.read_text(encoding="utf-8").strip() for p in wire.glob("*.txt")}
    local = text["local-harbour"].replace("PORT-STRIKE-TEXT", text["port-strike"])
    paragraphs = text["wildfire"].split("\n\n")
    stream = [
        ("fire-trim", "\n\n".join(paragraphs[:3])),
        ("fire", text["wildfire"]),
        ("fire-half", "\n\n".join(paragraphs[:4])),
        ("local", local),
        ("strike", text["port-strike"]),
        ("rates-a", text["rates-brief-a"]),
        ("rates-b", text["rates-brief-b"]),
        ("quote-a", text["quote-a"]),
        ("quote-b", text["quote-b"]),
        *[(f"s{i}", story(500 + i)) for i in range(10)],
        *[(f"c{i}", near_copy(story(500 + i))) for i in range(10)],
    ]
    judge = StoryJudge(0.5)
    shared, in_process = RedisIndex(client, 0.5, prefix=prefix), InProcessIndex(0.5)
    answers = []
    for key, body in stream:
        sig = signature(body)
        answer = shared.check_and_insert(key, sig, judge)
        assert answer == in_process.check_and_insert(key, sig, judge), key
        answers.append((key, answer.rule if answer else None))
        assert (key in shared) == (key in in_process)
    rules = dict(answers)
    # a joining item is not inserted by the index itself (the pipeline does it after its commit), so the
    # half-length copy meets the three-paragraph one it contains
    assert rules["fire"] == "fuller_copy" and rules["fire-half"] == "fuller_copy"
    assert rules["strike"] == "embedded" and "strike" in shared
    assert rules["rates-b"] == "templated" and rules["quote-b"] == "templated"
    assert all(rules[f"c{i}"] == "near_duplicate" for i in range(10))


def _variant(rng: np.random.Generator, sig: Signature, equal: int) -> Signature:
    """A signature sharing exactly ``equal`` values with ``sig``, at random positions."""
    values = sig.hashvalues.copy()
    changed = rng.choice(NUM_PERM, NUM_PERM - equal, replace=False)
    values[changed] ^= rng.integers(1, 2**32, changed.size, dtype=np.uint64)  # the low bits differ
    return Signature(values, sig.shingle_size, sig.size, sig.salient_count, sig.salient, sig.lead)


def test_both_indexes_answer_alike_on_the_same_signatures(client: redis.Redis, prefix: str) -> None:
    """The one description of the band and verify logic (``worker/dedup.py``) holds for both indexes:
    counts on either side of every boundary (candidate bar, threshold), values that differ only above
    the compared low bits, replacements and removals give the same answers and the same queries."""
    rng = np.random.default_rng(11)
    shared, local = RedisIndex(client, 0.5, prefix=prefix), InProcessIndex(0.5)
    bar, need = local.candidate_equal, local.min_equal
    bases = [
        Signature(rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64), 6, 300 + i, 20, np.arange(20), None)
        for i in range(12)
    ]
    stream: list[tuple[str, Signature]] = [(f"base{i}", sig) for i, sig in enumerate(bases)]
    for i, sig in enumerate(bases):
        for equal in (bar - 1, bar, bar + 3, need - 1, need, need + 1, NUM_PERM - 1):
            stream.append((f"v{i}-{equal}", _variant(rng, sig, equal)))
        high_only = sig.hashvalues ^ (np.uint64(1) << np.uint64(40))  # equal in the low 32 bits
        stream.append((f"h{i}", Signature(high_only, 6, 300 + i, 20, np.arange(20), None)))
    for key, sig in stream:
        for judge in (threshold_judge(0.5), StoryJudge(0.5)):
            assert shared.query(sig) == local.query(sig), key
            assert shared.check_and_insert(key, sig, judge) == local.check_and_insert(key, sig, judge), key
    assert shared.query(bases[0])[0] == Match("base0", 1.0) == local.query(bases[0])[0]
    for index in (shared, local):
        index.insert("base1", bases[2])  # base1 now holds base2's signature
        index.remove("base3")
    for probe in bases[:5]:
        assert shared.query(probe) == local.query(probe)
    assert len(shared) == len(local)
