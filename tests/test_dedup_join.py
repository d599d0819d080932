"""A worker's join from a snapshot: the same answers as a rebuild from SQL, caught up with every row written
since, and never used when it cannot stand for the store (each case falls back to the SQL rebuild)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, insert, select, update

from scrapers.article import Article
from tests.test_dedup import near_copy, story
from worker import dedup_join
from worker.dedup import InProcessIndex
from worker.dedup_join import JoinReport, default_snapshot_path, join_index, join_with_report
from worker.dedup_snapshot import MAGIC, SnapshotMismatch, read_header, read_snapshot, write_snapshot
from worker.fingerprint import signature
from worker.models import ArticleRecord, DuplicateRecord
from worker.pipeline import Outcome, Pipeline
from worker.retention import prune
from worker.store import Store

THRESHOLD = 0.5
URL = "https://news.example/{}"


def ingest(store: Store, seeds: range, *, copies: bool = False) -> dict[str, str]:
    """Stories (and, with ``copies``, a wire copy of each) through the real pipeline; key -> text."""
    pipeline = Pipeline(store, InProcessIndex(THRESHOLD), threshold=THRESHOLD)
    texts = {}
    for seed in seeds:
        texts[URL.format(seed)] = story(seed)
        decision = pipeline.ingest_article(Article(url=URL.format(seed), text=story(seed), title=f"S{seed}"))
        assert decision.outcome is Outcome.STORED
        if copies:
            copy = URL.format(f"copy-{seed}")
            texts[copy] = near_copy(story(seed))
            pipeline.ingest_article(Article(url=copy, text=texts[copy], title=f"C{seed}"))
    return texts


def same_answers(one: InProcessIndex, other: InProcessIndex, texts: dict[str, str]) -> None:
    assert sorted(one._row_of) == sorted(other._row_of)
    for text in list(texts.values())[:: max(1, len(texts) // 12)]:
        for probe in (signature(text), signature(near_copy(text))):
            assert one.query(probe) == other.query(probe)


def rebuilt(store: Store, window_days: float | None = None) -> InProcessIndex:
    return join_index(store, THRESHOLD, window_days, snapshot=False)


@pytest.fixture
def snap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A snapshot path, and no margin: a test's rows are all seconds old, and would all be read again."""
    monkeypatch.setattr(dedup_join, "CATCH_UP_MARGIN_S", 0.0)
    return tmp_path / "index.snapshot"


def test_a_join_writes_a_snapshot_and_the_next_join_loads_it_with_the_same_answers(
    store: Store, snap: Path
) -> None:
    texts = ingest(store, range(40), copies=True)
    first, report = join_with_report(store, THRESHOLD, snapshot=snap)
    assert (report.source, report.rows_read) == ("sql", len(first)) and snap.exists()
    second, report = join_with_report(store, THRESHOLD, snapshot=snap)
    assert report.source == "snapshot" and report.fallback is None and report.rows_read == 0
    same_answers(second, rebuilt(store), texts)
    # the loaded index takes inserts and merges like a built one
    extra = {URL.format(f"x{i}"): story(900 + i) for i in range(30)}
    for key, text in extra.items():
        assert second.check_and_insert(key, signature(text)) is None
    second._merge()
    assert second.query(signature(near_copy(extra[URL.format("x7")])))[0].key == URL.format("x7")
    assert second.check_and_insert("again", signature(texts[URL.format(3)])).key == URL.format(3)


def test_a_snapshot_is_caught_up_with_new_rows_new_versions_and_superseded_copies(
    store: Store, snap: Path
) -> None:
    ingest(store, range(30))
    join_index(store, THRESHOLD, snapshot=snap)
    texts = ingest(store, range(30, 45))  # written after the snapshot
    pipeline = Pipeline(store, join_index(store, THRESHOLD, snapshot=False), threshold=THRESHOLD)
    changed = story(5000)  # a new version of story 4: its old text must no longer answer
    assert pipeline.ingest_article(Article(url=URL.format(4), text=changed, title="S4")).outcome in (
        Outcome.NEW_VERSION,
        Outcome.STORED,
    )
    joined, report = join_with_report(store, THRESHOLD, snapshot=snap)
    assert report.source == "snapshot" and report.rows_read >= 16
    assert joined.query(signature(near_copy(texts[URL.format(40)])))[0].key == URL.format(40)
    assert [m.key for m in joined.query(signature(story(4)))] == []
    assert joined.query(signature(changed))[0].key == URL.format(4)
    same_answers(joined, rebuilt(store), texts | {URL.format(4): changed})


def test_rows_deleted_since_the_snapshot_are_dropped(store: Store, snap: Path) -> None:
    texts = ingest(store, range(20), copies=True)
    with store.session() as session:  # near-copies keep their signature in the index
        copies = session.scalars(
            select(DuplicateRecord.url).where(DuplicateRecord.signature.is_not(None))
        ).all()
        session.execute(update(DuplicateRecord).values(seen_at=datetime.now(UTC) - timedelta(days=40)))
    assert copies
    join_index(store, THRESHOLD, snapshot=snap)
    report = prune(store, timedelta(days=30))
    assert report.removed["duplicates"] >= len(copies)
    joined, report = join_with_report(store, THRESHOLD, snapshot=snap)
    assert report.source == "snapshot", report.fallback
    assert report.rows_dropped == len(copies)
    assert not any(url in joined for url in copies)
    same_answers(joined, rebuilt(store), texts)


def test_an_id_the_store_gives_again_drops_the_row_it_named(store: Store, snap: Path) -> None:
    ingest(store, range(10))
    with store.session() as session:
        last = session.execute(select(ArticleRecord).order_by(ArticleRecord.id.desc()).limit(1)).scalar_one()
        last_id, last_key = last.id, last.canonical_url
    join_index(store, THRESHOLD, snapshot=snap)
    new = story(777)
    with store.engine.begin() as conn:  # deleted, then the same id for another article
        conn.execute(delete(ArticleRecord).where(ArticleRecord.id == last_id))
        now = datetime.now(UTC)
        conn.execute(
            insert(ArticleRecord).values(
                id=last_id,
                canonical_url=URL.format("reused"),
                content_hash="f" * 64,
                signature=signature(new).to_bytes(),
                text=new,
                stored_at=now,
                updated_at=now,
            )
        )
    joined, report = join_with_report(store, THRESHOLD, snapshot=snap)
    assert report.source == "snapshot"
    assert last_key not in joined and URL.format("reused") in joined
    assert joined.query(signature(new))[0].key == URL.format("reused")


def fallback(store: Store, snap: Path, window_days: float | None = None) -> str:
    joined, report = join_with_report(store, THRESHOLD, window_days, snapshot=snap)
    assert report.source == "sql" and report.fallback is not None
    assert sorted(joined._row_of) == sorted(rebuilt(store, window_days)._row_of)
    again = join_with_report(store, THRESHOLD, window_days, snapshot=snap)[1]  # rewritten by the fallback
    assert again.source == "snapshot", again.fallback
    return report.fallback


def test_a_damaged_or_truncated_snapshot_falls_back_to_the_sql_rebuild(store: Store, snap: Path) -> None:
    ingest(store, range(15))
    join_index(store, THRESHOLD, snapshot=snap)
    header = read_header(snap)
    values = header["sections"]["values"]
    with open(snap, "r+b") as file:  # one flipped bit in the verification data
        file.seek(values["offset"] + values["length"] // 2)
        byte = file.read(1)
        file.seek(-1, 1)
        file.write(bytes([byte[0] ^ 0x10]))
    assert "values damaged" in fallback(store, snap)
    size = snap.stat().st_size
    with open(snap, "r+b") as file:
        file.truncate(size - 100)
    assert "truncated" in fallback(store, snap)
    write_snapshot(snap, InProcessIndex(THRESHOLD).arrays(), {"written": "by something else"})
    assert "no store marks" in fallback(store, snap)
    snap.write_bytes(MAGIC + b"\xff" * 40)
    assert "header damaged" in fallback(store, snap)
    snap.write_bytes(b"not a snapshot at all")
    assert "not a dedup index snapshot" in fallback(store, snap)


def test_a_snapshot_of_another_store_or_format_falls_back(store: Store, snap: Path, tmp_path: Path) -> None:
    ingest(store, range(15))
    other = Store(f"sqlite:///{tmp_path / 'other.db'}")
    other.upgrade()
    ingest(other, range(100, 110))
    join_index(other, THRESHOLD, snapshot=snap)
    assert "another store" in fallback(store, snap)
    arrays, meta = read_snapshot(snap)
    meta["format"] = meta["format"] - 1
    write_snapshot(snap, arrays, meta)
    assert "fingerprint parameters" in fallback(store, snap)
    other.dispose()


def test_a_narrower_window_or_a_stale_snapshot_falls_back(
    store: Store, snap: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(store, range(12))
    with store.session() as session:
        session.execute(
            update(ArticleRecord)
            .where(ArticleRecord.id <= 4)
            .values(updated_at=datetime.now(UTC) - timedelta(days=10))
        )
    windowed = join_index(store, THRESHOLD, 7, snapshot=snap)
    assert len(windowed) == 8
    assert "narrower window" in fallback(store, snap)  # everything wanted, the snapshot kept 7 days
    assert len(join_with_report(store, THRESHOLD, 7, snapshot=snap)[0]) == 8  # a window inside it: used
    join_index(store, THRESHOLD, snapshot=snap)
    ingest(store, range(100, 120))
    monkeypatch.setattr(dedup_join, "REWRITE_AFTER", 5)
    assert "rows behind the store" in fallback(store, snap)


def test_a_change_stamped_before_the_marks_but_committed_after_is_caught_up(
    store: Store, snap: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(store, range(10))
    join_index(store, THRESHOLD, snapshot=snap)
    changed = story(4242)
    with store.session() as session:  # a transaction that stamped its row half a minute before the marks
        session.execute(
            update(ArticleRecord)
            .where(ArticleRecord.canonical_url == URL.format(3))
            .values(
                signature=signature(changed).to_bytes(), updated_at=datetime.now(UTC) - timedelta(seconds=30)
            )
        )
    assert join_index(store, THRESHOLD, snapshot=snap).query(signature(changed)) == []  # no margin: missed
    monkeypatch.setattr(dedup_join, "CATCH_UP_MARGIN_S", 60.0)
    joined = join_index(store, THRESHOLD, snapshot=snap)
    assert joined.query(signature(changed))[0].key == URL.format(3)
    assert joined.query(signature(story(3))) == []


def test_snapshot_round_trip_keeps_every_array(tmp_path: Path) -> None:
    texts = {URL.format(i): story(300 + i) for i in range(60)}
    built = InProcessIndex.build(
        [(k, signature(t).to_bytes()) for k, t in texts.items()], THRESHOLD, tags=range(1, 61)
    )
    path = tmp_path / "round.snapshot"
    write_snapshot(path, built.arrays(), {"hello": "world"})
    arrays, meta = read_snapshot(path)
    assert meta == {"hello": "world"} and arrays.keys == list(texts)
    assert (arrays.tags == np.arange(1, 61)).all()
    assert [arrays.blobs[i] for i in range(60)] == [signature(t).to_bytes() for t in texts.values()]
    loaded = InProcessIndex.from_arrays(arrays, THRESHOLD)
    same_answers(loaded, built, texts)
    json.dumps(read_header(path))  # the header is plain JSON


def test_the_default_snapshot_sits_beside_a_sqlite_file_only(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    assert default_snapshot_path(store) == tmp_path / "w.db.dedup-index"
    assert default_snapshot_path(Store("sqlite://")) is None
    store.dispose()


def test_snapshot_mismatch_is_what_a_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(SnapshotMismatch):
        read_snapshot(tmp_path / "absent")
    assert JoinReport().source == "sql"
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_the_snapshot_setting_places_or_turns_off_the_snapshot(tmp_path: Path) -> None:
    from config.settings import Settings

    url = f"sqlite:///{tmp_path / 'w.db'}"
    store = Store(url)
    store.upgrade()
    ingest(store, range(5))
    beside = tmp_path / "w.db.dedup-index"
    assert len(Pipeline.open(Settings(database_url=url, dedup_snapshot="off")).index) == 5
    assert not beside.exists()
    elsewhere = tmp_path / "kept" / "index"
    elsewhere.parent.mkdir()
    assert len(Pipeline.open(Settings(database_url=url, dedup_snapshot=str(elsewhere))).index) == 5
    assert elsewhere.exists() and not beside.exists()
    assert len(Pipeline.open(Settings(database_url=url)).index) == 5
    assert beside.exists()
    store.dispose()
