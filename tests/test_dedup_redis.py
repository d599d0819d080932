"""The shared Redis index on the suite's real Valkey server: in-process decisions, atomic across processes."""

from __future__ import annotations

import hashlib
import multiprocessing
import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import redis
from sqlalchemy import delete, insert, update

from tests.test_dedup import near_copy, story
from worker import dedup_redis
from worker.dedup import DedupIndex, InProcessIndex, Match, threshold_judge
from worker.dedup_redis import LayoutError, RedisIndex, _decode_field, drop_index
from worker.fingerprint import NUM_PERM, Signature, signature
from worker.models import ArticleRecord, utcnow
from worker.pipeline import Outcome, Pipeline
from worker.relation import StoryJudge
from worker.retention import prune
from worker.store import Store

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


# -- layout 3: the signatures the judge reads stay in the store ------------------------------------------


def _write_rows(store: Store, pairs: list[tuple[str, Signature]]) -> None:
    """Store (key, signature) as article rows, as the pipeline does once its transaction commits."""
    table = ArticleRecord.__table__
    now = utcnow()
    with store.engine.begin() as conn:
        for key, sig in pairs:
            conn.execute(delete(table).where(table.c.canonical_url == key))
            digest = hashlib.sha256(key.encode()).hexdigest()
            row = {"canonical_url": key, "content_hash": digest, "signature": sig.to_bytes(), "text": ""}
            conn.execute(insert(table), {**row, "stored_at": now, "updated_at": now})


def _posting_bytes(client: redis.Redis, prefix: str) -> int:
    """Bytes of postings the fields hold (their runs' two-byte heads left out): 5 a band of a document."""
    total = 0
    fields = int(client.hget(f"{{{prefix}}}:meta", "fields") or 256)
    for name in client.scan_iter(f"{{{prefix}}}:p:*"):
        container = int(name.decode().rsplit(":", 1)[1], 16)
        for field, blob in client.hgetall(name).items():
            codes, _, _ = _decode_field(int(field) * 256 + container, bytes(blob), fields)
            total += 5 * codes.size
    return total


def test_candidates_verified_from_the_store_give_the_in_process_answers(
    client: redis.Redis, prefix: str, store: Store
) -> None:
    """Nothing of a signature stays in Redis (grace 0): every candidate is read back from the store, and
    the answers on every boundary stay those of the in-process index; replacing and removing a key still
    take its postings away (5 bytes a band, none left behind)."""
    rng = np.random.default_rng(12)
    shared = RedisIndex(client, 0.5, prefix=prefix, signatures=store.signatures_of, grace_s=0)
    local = InProcessIndex(0.5)
    bar, need = local.candidate_equal, local.min_equal
    bases = [
        Signature(rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64), 6, 300 + i, 20, np.arange(20), None)
        for i in range(8)
    ]
    stream = [(f"https://a.example/base{i}", sig) for i, sig in enumerate(bases)]
    for i, sig in enumerate(bases):
        for equal in (bar - 1, bar, need - 1, need, NUM_PERM - 1):
            stream.append((f"https://b.example/v{i}-{equal}", _variant(rng, sig, equal)))
    for key, sig in stream:
        assert shared.query(sig) == local.query(sig), key
        for judge in (threshold_judge(0.5), StoryJudge(0.5)):
            answer = shared.check_and_insert(key, sig, judge)
            assert answer == local.check_and_insert(key, sig, judge), key
            if key in shared:
                _write_rows(store, [(key, sig)])
    assert not client.exists(f"{{{prefix}}}:fresh")
    assert _posting_bytes(client, prefix) == 5 * 64 * len(shared)
    for index in (shared, local):
        index.insert("https://a.example/base1", bases[2])
        index.remove("https://a.example/base3")
    _write_rows(store, [("https://a.example/base1", bases[2])])
    for probe in bases[:5]:
        assert shared.query(probe) == local.query(probe)
    assert len(shared) == len(local) and _posting_bytes(client, prefix) == 5 * 64 * len(shared)


def test_fresh_signatures_cover_rows_not_committed_yet(
    client: redis.Redis, prefix: str, store: Store
) -> None:
    """Another worker's insert whose row is not in the store yet is still judged (its signature stays in
    Redis for the grace); without it, an entry the store never got (a writer that died before its commit)
    is no story and is skipped; and an index that cannot read the store says so instead of guessing."""
    original, copy = signature(story(40)), signature(near_copy(story(40)))
    shared = RedisIndex(client, 0.7, prefix=prefix, signatures=store.signatures_of)
    assert shared.check_and_insert("https://a.example/1", original) is None  # no row written
    match = shared.check_and_insert("https://b.example/1", copy)
    assert match is not None and match.key == "https://a.example/1"

    other = f"{prefix}-bare"
    lost = RedisIndex(client, 0.7, prefix=other, signatures=store.signatures_of, grace_s=0)
    assert lost.check_and_insert("https://a.example/2", original) is None  # its writer never commits
    assert lost.check_and_insert("https://b.example/2", copy) is None
    with pytest.raises(RuntimeError, match="signatures="):
        RedisIndex(client, 0.7, prefix=other).query(copy)


def test_bulk_load_keeps_postings_and_keys_only(client: redis.Redis, prefix: str, store: Store) -> None:
    rng = np.random.default_rng(13)
    sigs = [
        Signature(rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64), 6, 400, 20, np.arange(20), None)
        for _ in range(300)
    ]
    shapes = ["https://news.example/{}/ü", "http://www.x.example/{}", "https://www.y.example/{}", "file-{}"]
    pairs = [(shapes[i % 4].format(i), sig) for i, sig in enumerate(sigs)]  # every way a page writes a key
    _write_rows(store, pairs)
    index = RedisIndex(client, 0.5, prefix=prefix, signatures=store.signatures_of)
    assert index.bulk_insert([(key, sig.to_bytes()) for key, sig in pairs], batch=128) == 300
    assert index.bulk_insert([(key, sig.to_bytes()) for key, sig in pairs[:10]]) == 0  # already there
    assert len(index) == 300 and "http://www.x.example/5" in index
    assert not client.exists(f"{{{prefix}}}:fresh")
    assert _posting_bytes(client, prefix) == 5 * 64 * 300
    for key, sig in pairs[::37]:
        assert index.query(sig) == [Match(key, 1.0)]
    assert index.signatures() == dict(pairs)
    index.remove(pairs[0][0])  # a bulk-loaded key goes with its postings, found from the stored signature
    assert _posting_bytes(client, prefix) == 5 * 64 * 299 and pairs[0][0] not in index


def test_an_index_of_another_layout_is_refused_with_the_way_out(client: redis.Redis, prefix: str) -> None:
    client.hset(f"{{{prefix}}}:meta", "layout", "2:128:64:2")  # what the previous layout wrote
    client.hset(f"{{{prefix}}}:docs", "1", b"old record")
    with pytest.raises(LayoutError, match=r"layout version 2.*drop_index.*bulk_insert"):
        RedisIndex(client, 0.5, prefix=prefix)
    assert drop_index(client, prefix) == 2
    index = RedisIndex(client, 0.5, prefix=prefix)
    index.insert("k", signature(story(41)))
    assert index.query(signature(story(41))) == [Match("k", 1.0)]


def test_pipeline_and_prune_read_the_store(client: redis.Redis, prefix: str, store: Store) -> None:
    """End to end: a trimmed copy is judged against the stored article's signature, and ``prune`` takes
    an expired story out of the index, postings and all."""
    wire = Path(__file__).parent / "fixtures" / "wire"
    paragraphs = (wire / "port-strike.txt").read_text(encoding="utf-8").split("\n\n")
    index = RedisIndex(client, 0.5, prefix=prefix, grace_s=0)
    pipeline = Pipeline(store, index)  # hands the index its store
    whole = {"url": "https://a.example/strike", "title": "strike", "text": "\n\n".join(paragraphs)}
    cut = {"url": "https://b.example/strike", "title": "strike", "text": "\n\n".join(paragraphs[:-2])}
    assert pipeline.ingest_item(whole).outcome is Outcome.STORED
    assert not client.exists(f"{{{prefix}}}:fresh")
    assert pipeline.ingest_item(cut).outcome is Outcome.DUPLICATE
    before = _posting_bytes(client, prefix)
    with store.session() as session:
        session.execute(update(ArticleRecord).values(updated_at=utcnow() - timedelta(days=40)))
    prune(store, timedelta(days=30), index=index, redis_client=client, watermark_key=f"{prefix}:until")
    assert "https://a.example/strike" not in index
    assert _posting_bytes(client, prefix) == before - 5 * 64


# -- layout 4: fields split as the index grows (linear hashing) ------------------------------------------


def _postings_by_field(client: redis.Redis, prefix: str) -> list[tuple[int, int, int]]:
    """(field address, code, document) of every posting."""
    out = []
    fields = int(client.hget(f"{{{prefix}}}:meta", "fields") or 256)
    for name in client.scan_iter(f"{{{prefix}}}:p:*"):
        container = int(name.decode().rsplit(":", 1)[1], 16)
        for field, blob in client.hgetall(name).items():
            address = int(field) * 256 + container
            codes, docs, _ = _decode_field(address, bytes(blob), fields)
            out += [(address, code, doc) for code, doc in zip(codes.tolist(), docs.tolist(), strict=True)]
    return sorted(out)


def test_fields_split_as_the_index_grows_and_postings_follow(
    client: redis.Redis, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one posting a field, 1,100 documents take the index past 65,536 fields: splits on bits of L
    (whole runs move) and then of R (postings move one by one). Every posting stays in the field its code
    addresses, the early documents are still found, removal takes their postings from split fields, and a
    bulk load of the same documents lays out the very same postings."""
    monkeypatch.setattr(dedup_redis, "PER_FIELD", 1)
    rng = np.random.default_rng(14)
    sigs = [
        Signature(rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64), 6, 300, 20, np.arange(20), None)
        for _ in range(1_100)
    ]
    pairs = [(f"https://a.example/{i}", sig) for i, sig in enumerate(sigs)]
    shared, local = RedisIndex(client, 0.5, prefix=prefix), InProcessIndex(0.5)
    for key, sig in pairs:
        assert shared.check_and_insert(key, sig) == local.check_and_insert(key, sig), key
    fields = int(client.hget(f"{{{prefix}}}:meta", "fields"))
    assert fields == 64 * len(pairs) > 65_536
    postings = _postings_by_field(client, prefix)
    assert len(postings) == 64 * len(pairs)
    codes = np.array([code for _, code, _ in postings], dtype=np.uint64)
    assert [a for a, _, _ in postings] == dedup_redis._address(codes, fields).tolist()
    for key, sig in pairs[:20]:
        assert shared.query(sig) == local.query(sig) == [Match(key, 1.0)]
        copy = _variant(rng, sig, 100)
        assert shared.query(copy) == local.query(copy)
    other = f"{prefix}-bulk"
    loaded = RedisIndex(client, 0.5, prefix=other)
    assert loaded.bulk_insert([(key, sig.to_bytes()) for key, sig in pairs], batch=300) == len(pairs)
    assert _postings_by_field(client, other) == postings  # runs keyed by X here, by "unknown" there
    for key, sig in pairs[:20]:
        assert loaded.query(sig) == [Match(key, 1.0)]
    for index in (shared, loaded):
        index.insert("https://a.example/late", sigs[0])  # one more document, one more split in both
    assert _postings_by_field(client, other) == _postings_by_field(client, prefix)
    for key, _ in pairs[:10]:
        shared.remove(key)
    assert len(_postings_by_field(client, prefix)) == 64 * (len(pairs) + 1 - 10)
    assert all(shared.query(sig) in ([], [Match("https://a.example/late", 1.0)]) for _, sig in pairs[:10])
