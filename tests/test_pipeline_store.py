"""The pipeline's decisions as they land in the database, run on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from scrapers.article import Article
from scrapers.errors import ErrorKind
from worker.decision import Decision
from worker.export import ARTICLE_COLUMNS, DUPLICATE_COLUMNS, article_rows, duplicate_rows, story_rows
from worker.models import (
    ArticleRecord,
    ArticleVersion,
    Base,
    DuplicateRecord,
    IngestErrorRecord,
    Story,
    StoryEvent,
)
from worker.pipeline import Outcome, Pipeline
from worker.rules import DEFAULT_RULES, RuleContext, SameUrl
from worker.store import SchemaMissing, Store

WIRE = Path(__file__).parent / "fixtures" / "wire"


def story(name: str) -> str:
    return (WIRE / f"{name}.txt").read_text(encoding="utf-8").strip()


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def count(store: Store, model: type[Base]) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def pipeline(store: Store) -> Pipeline:
    return Pipeline(store)


def item(url: str, text: str, title: str = "Headline", **extra: object) -> dict[str, object]:
    return {"url": url, "title": title, "text": text, **extra}


def test_schema_matches_models(store: Store) -> None:
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # SQLite reflects no server-side types for our UTC decorator; anything else is real drift.
    assert [d for d in diffs if d[0] != "modify_type"] == []


def test_missing_schema_names_the_command(database_url: str) -> None:
    with pytest.raises(SchemaMissing, match="wirefeed db upgrade"):
        Store(database_url).require_schema()


def test_upgrade_twice_is_harmless(store: Store) -> None:
    store.upgrade()
    current, head = store.schema_status()
    assert current == head


def test_same_input_twice_stores_nothing_new(pipeline: Pipeline, store: Store) -> None:
    items = [
        item("https://a.example/1", story("port-strike")),
        item("https://b.example/2", story("wildfire")),
    ]
    first = [pipeline.ingest_item(i, source="wire").outcome for i in items]
    second = [pipeline.ingest_item(i, source="wire").outcome for i in items]
    assert first == [Outcome.STORED, Outcome.STORED]
    assert second == [Outcome.UNCHANGED, Outcome.UNCHANGED]
    assert count(store, ArticleRecord) == 2
    assert count(store, DuplicateRecord) == 0


def test_near_duplicate_is_logged_not_stored(pipeline: Pipeline, store: Store) -> None:
    original = story("port-strike")
    stored = pipeline.ingest_item(item("https://a.example/strike", original, "Rotterdam dockers strike"))
    trimmed = "\n\n".join(paragraphs(original)[:-2])  # trimmed tail
    copy = pipeline.ingest_item(
        item("https://b.example/news/99", trimmed, "Port of Rotterdam at standstill"), source="syndicator"
    )
    assert stored.outcome is Outcome.STORED
    assert copy.outcome is Outcome.DUPLICATE, copy.describe()
    assert copy.duplicate_of == stored.article_id
    assert copy.rule == "near_duplicate"
    assert 0.5 <= (copy.similarity or 0) < 1.0
    assert count(store, ArticleRecord) == 1
    [row] = list(duplicate_rows(store))
    assert set(row) == set(DUPLICATE_COLUMNS)
    assert row["url"] == "https://b.example/news/99"
    assert row["original_url"] == "https://a.example/strike"
    assert row["source"] == "syndicator"
    # replaying the copy records nothing new
    again = pipeline.ingest_item(
        item("https://b.example/news/99", trimmed, "Port of Rotterdam at standstill")
    )
    assert again.outcome is Outcome.UNCHANGED
    assert count(store, DuplicateRecord) == 1


def test_added_tagline_and_dateline_is_a_duplicate(pipeline: Pipeline) -> None:
    original = story("wildfire")
    pipeline.ingest_item(item("https://a.example/fire", original))
    tagged = (
        "ATHENS (Wire) -- "
        + original.split(" -- ", 1)[1]
        + "\n\nReporting by the Athens bureau; editing by the desk."
    )
    decision = pipeline.ingest_item(item("https://c.example/fire-copy", tagged, "Wildfire near Athens"))
    assert decision.outcome is Outcome.DUPLICATE


def test_exact_copy_under_another_url(pipeline: Pipeline) -> None:
    text = story("rate-decision")
    first = pipeline.ingest_item(item("https://a.example/rbnz", text))
    copy = pipeline.ingest_item(
        item("https://mirror.example/rbnz", "  " + text.replace("\n\n", "\n\n\n") + " ")
    )
    assert copy.outcome is Outcome.DUPLICATE
    assert copy.rule == "exact_text"
    assert copy.duplicate_of == first.article_id
    assert copy.similarity == 1.0


def test_different_stories_are_all_stored(pipeline: Pipeline, store: Store) -> None:
    for n, name in enumerate(["port-strike", "wildfire", "rate-decision"]):
        assert pipeline.ingest_item(item(f"https://a.example/{n}", story(name))).outcome is Outcome.STORED
    assert count(store, ArticleRecord) == 3


def test_changed_text_at_same_url_is_a_new_version(pipeline: Pipeline, store: Store) -> None:
    text = story("wildfire")
    first = pipeline.ingest_item(item("https://a.example/fire", text, "Wildfire"))
    updated = text + "\n\nUPDATE: The fire was contained by nightfall, the fire service said."
    second = pipeline.ingest_item(item("https://a.example/fire", updated, "Wildfire contained"))
    assert second.outcome is Outcome.NEW_VERSION
    assert second.article_id == first.article_id
    assert second.version == 2
    assert count(store, ArticleRecord) == 1
    with store.session() as session:
        [old] = session.scalars(select(ArticleVersion)).all()
        assert old.version == 1 and old.text == text and old.title == "Wildfire"
    [row] = list(article_rows(store))
    assert row["version"] == 2 and row["title"] == "Wildfire contained"


def test_restarted_pipeline_still_catches_duplicates(store: Store) -> None:
    text = story("port-strike")
    Pipeline(store).ingest_item(item("https://a.example/strike", text))
    restarted = Pipeline(store)  # a new process: index rebuilt from stored signatures
    trimmed = "\n\n".join(paragraphs(text)[:-1])
    decision = restarted.ingest_item(item("https://z.example/copy", trimmed, "Another headline"))
    assert decision.outcome is Outcome.DUPLICATE
    assert len(restarted.index) == 2  # the stored article and the duplicate's own fingerprint
    assert len(Pipeline(store).index) == 2  # both rebuilt from the database by the next process


def test_bad_items_are_recorded_and_the_run_goes_on(pipeline: Pipeline, store: Store) -> None:
    outcomes = [
        pipeline.ingest_item("{not json"),
        pipeline.ingest_item({"url": "https://a.example/x", "title": "t", "text": "   "}),
        pipeline.ingest_item({"title": "no url", "text": "something"}),
        pipeline.ingest_item(item("https://a.example/ok", story("wildfire"))),
    ]
    assert [d.outcome for d in outcomes] == [Outcome.REJECTED] * 3 + [Outcome.STORED]
    assert outcomes[0].error_kind is ErrorKind.INVALID_ITEM
    with store.session() as session:
        kinds = session.scalars(select(IngestErrorRecord.kind)).all()
    assert kinds == ["invalid_item"] * 3
    assert count(store, ArticleRecord) == 1


def test_export_rows_follow_the_contract_and_keep_offsets(pipeline: Pipeline, store: Store) -> None:
    published = datetime(2024, 3, 4, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    article = Article(
        url="https://a.example/rbnz?utm_source=x",
        canonical_url="https://a.example/rbnz",
        title="RBNZ holds",
        authors=["Jane Doe", "John Roe"],
        published_at=published,
        language="en",
        site_name="Example",
        text=story("rate-decision"),
    )
    decision = pipeline.ingest_article(article, source="wire")
    [row] = list(article_rows(store))
    assert tuple(row) == ARTICLE_COLUMNS
    assert row["id"] == decision.article_id
    assert row["story_id"] == decision.story_id is not None
    assert row["source"] == "wire"
    assert row["published_at"] == "2024-03-04T10:00:00+02:00"
    assert row["authors"] == ["Jane Doe", "John Roe"]
    assert row["canonical_url"] == "https://a.example/rbnz"
    assert row["version"] == 1
    assert datetime.fromisoformat(row["stored_at"]).tzinfo is not None
    assert list(article_rows(store, source="other")) == []
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert list(article_rows(store, since=later)) == []


def test_duplicate_that_becomes_a_story_of_its_own(pipeline: Pipeline, store: Store) -> None:
    pipeline.ingest_item(item("https://a.example/strike", story("port-strike")))
    url = "https://b.example/live"
    first = pipeline.ingest_item(item(url, story("port-strike")))
    assert first.outcome is Outcome.DUPLICATE
    rewritten = pipeline.ingest_item(item(url, story("rate-decision")))
    assert rewritten.outcome is Outcome.STORED
    assert count(store, DuplicateRecord) == 0
    assert count(store, ArticleRecord) == 2


def test_tracking_parameters_do_not_make_a_new_story(pipeline: Pipeline, store: Store) -> None:
    text = story("wildfire")
    pipeline.ingest_item(item("https://a.example/fire?utm_source=rss&id=7", text))
    again = pipeline.ingest_item(item("https://A.example:443/fire?id=7&fbclid=abc#comments", text))
    assert again.outcome is Outcome.UNCHANGED
    [row] = list(article_rows(store))
    assert row["canonical_url"] == "https://a.example/fire?id=7"


def test_cross_site_canonical_claim_does_not_overwrite_the_original(pipeline: Pipeline, store: Store) -> None:
    text = story("port-strike")
    original = pipeline.ingest_article(Article(url="https://wire.example/strike", text=text, title="Strike"))
    trimmed = "\n\n".join(paragraphs(text)[:-2])
    copy = Article(
        url="https://partner.example/world/strike",
        canonical_url="https://wire.example/strike",
        text=trimmed,
        title="Dockers strike",
    )
    decision = pipeline.ingest_article(copy)
    assert decision.outcome is Outcome.DUPLICATE
    assert decision.duplicate_of == original.article_id
    [row] = list(article_rows(store))
    assert row["text"] == text and row["version"] == 1


def test_an_unreachable_database_is_raised_not_recorded() -> None:
    """An outage is not a verdict on the item: the caller (CLI, Celery task) must be able to retry it."""
    from tests.servers import free_port
    from worker.dedup import InProcessIndex
    from worker.store import StorageUnavailable

    nobody_listens = Store(f"postgresql+psycopg://wirefeed@127.0.0.1:{free_port()}/postgres")
    pipeline = Pipeline(nobody_listens, InProcessIndex(0.5))
    with pytest.raises(StorageUnavailable):
        pipeline.ingest_item(item("https://a.example/2", story("port-strike")), source="wire")
    with pytest.raises(StorageUnavailable):  # nor is a rejected item's error silently dropped
        pipeline.ingest_item({"url": "https://a.example/3"}, source="wire")


def test_a_rolled_back_item_leaves_no_phantom_source(store: Store) -> None:
    pipeline = Pipeline(store)
    first = store.source_id("fresh-source")
    with pytest.raises(RuntimeError), store.session() as session:
        session.add(
            ArticleRecord(
                canonical_url="https://x.example/1",
                content_hash="0" * 64,
                signature=b"",
                text="t",
                source_id=first,
            )
        )
        raise RuntimeError("roll back")
    decision = pipeline.ingest_item(item("https://x.example/2", story("wildfire")), source="fresh-source")
    assert decision.outcome is Outcome.STORED
    [row] = list(article_rows(store))
    assert row["source"] == "fresh-source"


@pytest.mark.parametrize(
    "order", [("full", "head", "half"), ("head", "full", "half"), ("half", "head", "full")]
)
def test_a_story_and_its_copies_end_as_one_record_whatever_the_order(
    store: Store, order: tuple[str, ...]
) -> None:
    """A story and two trimmed copies of it (a fifth and a half cut from the tail): the full text ends
    as the one stored article (the story's representative) whatever the order, every copy joins it, and
    the two exports agree. Before story clusters the first copy to arrive stayed the stored record."""
    full = paragraphs(story("port-strike")) + paragraphs(story("wildfire"))
    texts = {"full": full, "head": full[:11], "half": full[:7]}
    pipeline = Pipeline(store)
    outcomes = [
        pipeline.ingest_item(item(f"https://{name}.example/story", "\n\n".join(texts[name]))).outcome
        for name in order
    ]
    assert outcomes[0] is Outcome.STORED and Outcome.REJECTED not in outcomes, outcomes
    assert count(store, ArticleRecord) == 1
    assert count(store, DuplicateRecord) == 2
    stored = next(iter(article_rows(store)))
    assert stored["canonical_url"] == "https://full.example/story"  # the fullest copy, not the first
    original = stored["id"]
    assert {row["duplicate_of"] for row in duplicate_rows(store)} == {original}
    assert {row["story_id"] for row in duplicate_rows(store)} == {stored["story_id"]}
    [row] = story_rows(store)
    assert row["representative_id"] == original and row["copy_count"] == 2
    if order[0] != "full":  # the first copy was replaced: an audit row says by what
        with store.session() as session:
            events = session.scalars(select(StoryEvent).order_by(StoryEvent.id)).all()
        assert {e.event for e in events} == {"representative_replaced"}
        assert events[-1].url == "https://full.example/story" and events[-1].story_id == stored["story_id"]
    # and a restarted process keeps the cluster whole
    again = Pipeline(store).ingest_item(item("https://late.example/story", "\n\n".join(full[:9])))
    assert again.outcome is Outcome.DUPLICATE and again.duplicate_of == original


# -- issue 10: containment, templated and quoted texts, embedded wire stories -----------------------------


def events(store: Store) -> list[StoryEvent]:
    with store.session() as session:
        return list(session.scalars(select(StoryEvent).order_by(StoryEvent.id)))


def test_a_copy_cut_to_its_first_half_or_less_is_a_duplicate(pipeline: Pipeline) -> None:
    """Jaccard of a 40% cut is about 0.4, under the threshold: only containment catches it."""
    full = paragraphs(story("port-strike")) + paragraphs(story("wildfire"))
    stored = pipeline.ingest_item(item("https://a.example/full", "\n\n".join(full)))
    for n, kept in enumerate((7, 6)):
        copy = pipeline.ingest_item(item(f"https://b{n}.example/cut", "\n\n".join(full[:kept])))
        assert copy.outcome is Outcome.DUPLICATE, copy
        assert copy.duplicate_of == stored.article_id and copy.story_id == stored.story_id
        assert copy.rule in {"contained", "near_duplicate"}


def test_templated_briefs_with_other_names_and_numbers_are_different_stories(
    pipeline: Pipeline, store: Store
) -> None:
    """Two central-bank briefs from one template share most shingles (Jaccard ~0.57) but not the bank,
    the governor or a single figure: both are stored, and the refusal is audited with its rule."""
    first = pipeline.ingest_item(item("https://a.example/ghana", story("rates-brief-a")))
    second = pipeline.ingest_item(item("https://a.example/kenya", story("rates-brief-b")))
    assert first.outcome is second.outcome is Outcome.STORED
    assert first.story_id != second.story_id
    [event] = events(store)
    assert (event.event, event.rule, event.story_id) == ("not_a_copy", "templated", second.story_id)
    assert event.other_story_id == first.story_id and event.similarity >= 0.5


def test_two_short_stories_sharing_one_quote_are_different_stories(pipeline: Pipeline) -> None:
    first = pipeline.ingest_item(item("https://a.example/tampere", story("quote-a")))
    second = pipeline.ingest_item(item("https://b.example/porto", story("quote-b")))
    assert first.outcome is second.outcome is Outcome.STORED


def local_story() -> str:
    return story("local-harbour").replace("PORT-STRIKE-TEXT", story("port-strike"))


@pytest.mark.parametrize("local_first", [False, True])
@pytest.mark.parametrize("batched", [False, True])
def test_a_local_story_embedding_a_wire_story_is_stored_and_linked(
    pipeline: Pipeline, store: Store, local_first: bool, batched: bool
) -> None:
    """The local half used to be dropped as a duplicate of the wire story (Jaccard ~0.65). In one batch,
    both stories are still unwritten when the link is made: its row takes their story ids when written."""
    texts = [
        ("https://wire.example/strike", story("port-strike")),
        ("https://local.example/harbour", local_story()),
    ]
    order = texts[::-1] if local_first else texts
    if batched:
        decisions = pipeline.ingest_items([item(url, text) for url, text in order])
    else:
        decisions = [pipeline.ingest_item(item(url, text)) for url, text in order]
    assert [d.outcome for d in decisions] == [Outcome.STORED, Outcome.STORED]
    assert count(store, ArticleRecord) == 2 and count(store, DuplicateRecord) == 0
    by_url = {row["canonical_url"]: row["story_id"] for row in article_rows(store)}
    [event] = events(store)
    assert event.event == "embeds"
    assert (event.story_id, event.other_story_id) == (
        by_url["https://local.example/harbour"],
        by_url["https://wire.example/strike"],
    )
    rows = {row["story_id"]: row for row in story_rows(store)}
    assert rows[by_url["https://local.example/harbour"]]["embeds"] == [by_url["https://wire.example/strike"]]
    # a later copy of the wire story still joins the wire story, not the local one
    copy = pipeline.ingest_item(item("https://c.example/strike", "PORTO (Wire) -- " + story("port-strike")))
    assert copy.outcome is Outcome.DUPLICATE and copy.story_id == by_url["https://wire.example/strike"]


def test_story_export_agrees_with_the_article_and_duplicate_exports(pipeline: Pipeline, store: Store) -> None:
    full = story("wildfire")
    pipeline.ingest_item(item("https://a.example/fire-trim", "\n\n".join(paragraphs(full)[:4])))
    pipeline.ingest_item(item("https://b.example/fire", full))
    pipeline.ingest_item(item("https://c.example/fire-copy", "ATHENS (Wire) -- " + full))
    pipeline.ingest_item(item("https://d.example/rates", story("rate-decision")))
    stories = list(story_rows(store))
    articles = list(article_rows(store))
    duplicates = list(duplicate_rows(store))
    assert sorted(r["story_id"] for r in stories) == sorted(r["story_id"] for r in articles)
    fire = next(r for r in stories if r["representative_url"] == "https://b.example/fire")
    assert sorted(fire["copies"]) == ["https://a.example/fire-trim", "https://c.example/fire-copy"]
    assert {d["url"]: (d["story_id"], d["original_url"]) for d in duplicates} == {
        "https://a.example/fire-trim": (fire["story_id"], "https://b.example/fire"),
        "https://c.example/fire-copy": (fire["story_id"], "https://b.example/fire"),
    }
    superseded = next(d for d in duplicates if d["url"] == "https://a.example/fire-trim")
    assert superseded["rule"] == "superseded"


def test_migration_0003_puts_existing_articles_and_copies_in_stories(database_url: str) -> None:
    """Rows stored before story clusters get one story per article, their duplicates in it, and the id
    sequence (PostgreSQL) continues after the backfilled ids, so the next story is stored cleanly."""
    from sqlalchemy import text

    from worker import migrate

    store = Store(database_url)
    migrate.upgrade(store.engine, "0002")
    now = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None)
    with store.engine.begin() as conn:
        for n in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO articles (id, canonical_url, content_hash, signature, text, authors, paywalled, "
                    "warnings, version, stored_at, updated_at) VALUES (:id, :url, :hash, :sig, :text, '[]', "
                    ":false, '[]', 1, :now, :now)"
                ),
                {
                    "id": n,
                    "url": f"https://old.example/{n}",
                    "hash": f"{n:064d}",
                    "false": False,
                    "sig": b"\x01\x06\x80\x00" + bytes(8 * 128),
                    "text": f"old story {n}",
                    "now": now,
                },
            )
        conn.execute(
            text(
                "INSERT INTO duplicates (url, duplicate_of, similarity, rule, content_hash, seen_at) "
                "VALUES ('https://copy.example/2', 2, 0.9, 'near_duplicate', :hash, :now)"
            ),
            {"hash": "9" * 64, "now": now},
        )
    store.upgrade()
    assert {r["canonical_url"]: r["story_id"] for r in article_rows(store)} == {
        "https://old.example/1": 1,
        "https://old.example/2": 2,
    }
    assert [r["story_id"] for r in duplicate_rows(store)] == [2]
    fresh = Pipeline(store).ingest_item(item("https://new.example/rates", story("rate-decision")))
    assert fresh.outcome is Outcome.STORED and fresh.story_id not in (1, 2)
    store.dispose()


def test_export_stories_from_the_command_line(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREFEED_")}
    env["WIREFEED_DATABASE_URL"] = f"sqlite:///{tmp_path / 'wf.db'}"

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "worker.cli", *args],
            input=stdin,
            text=True,
            capture_output=True,
            env=env,
            timeout=120,
            check=True,
        )

    run("db", "upgrade")
    full = story("wildfire")
    lines = [
        json.dumps({"url": "https://a.example/fire", "text": "\n\n".join(paragraphs(full)[:3])}),
        json.dumps({"url": "https://b.example/fire", "text": full}),
    ]
    run("ingest", "-", stdin="\n".join(lines) + "\n")
    [row] = [json.loads(line) for line in run("export", "--stories").stdout.splitlines()]
    assert row["representative_url"] == "https://b.example/fire"
    assert row["copies"] == ["https://a.example/fire"] and row["copy_count"] == 1
    header = run("export", "--stories", "--format", "csv").stdout.splitlines()[0]
    assert header.split(",") == [
        "story_id",
        "representative_id",
        "representative_url",
        "title",
        "copies",
        "copy_count",
        "embeds",
        "updated_at",
    ]


# -- batches: many items per transaction, decided as one by one ------------------------------------------
def _mixed_batch() -> list[dict[str, object] | str]:
    """A batch a producer really sends: new stories, copies of each other inside the batch, the same item
    twice, a new version of an item earlier in the batch, and invalid lines."""
    strike, fire = story("port-strike"), story("wildfire")
    trimmed = "\n\n".join(paragraphs(strike)[:-2])
    return [
        item("https://a.example/strike", strike),
        item("https://b.example/copy", strike),  # exact copy under another URL, same batch
        item("https://c.example/trim", trimmed),  # near copy, same batch
        "{not json",
        item("https://a.example/strike", strike),  # the same item twice
        item("https://d.example/fire", fire),
        item("https://d.example/fire", fire + "\n\nUpdated with the evacuation order."),  # new version
        {"url": "https://e.example/empty", "title": "t", "text": "   "},
        item("https://f.example/rates", story("rate-decision")),
    ]


def test_a_batch_decides_every_item_as_one_by_one_would(store: Store, database_url: str) -> None:
    batch = _mixed_batch()
    decisions = Pipeline(store).ingest_items(batch, source="wire")
    single_store = (
        Store(database_url.replace("wirefeed.db", "single.db")) if "sqlite" in database_url else None
    )  # on SQLite, a second store for the unbatched run beside it
    expected = [
        Outcome.STORED,
        Outcome.DUPLICATE,
        Outcome.DUPLICATE,
        Outcome.REJECTED,
        Outcome.UNCHANGED,
        Outcome.STORED,
        Outcome.NEW_VERSION,
        Outcome.REJECTED,
        Outcome.STORED,
    ]
    assert [d.outcome for d in decisions] == expected
    assert decisions[1].rule == "exact_text" and decisions[1].duplicate_of == decisions[0].article_id
    assert decisions[2].duplicate_of == decisions[0].article_id
    assert decisions[6].article_id == decisions[5].article_id and decisions[6].version == 2
    assert count(store, ArticleRecord) == 3
    assert count(store, DuplicateRecord) == 2
    assert count(store, ArticleVersion) == 1
    assert count(store, IngestErrorRecord) == 2
    if single_store is not None:  # the same items one transaction each give the same decisions
        single_store.upgrade()
        single = Pipeline(single_store)
        assert [single.ingest_item(i, source="wire").outcome for i in batch] == expected
        single_store.dispose()


def test_a_replayed_batch_stores_nothing_twice(store: Store) -> None:
    batch = [i for n, i in enumerate(_mixed_batch()) if n != 6]  # an update replayed before its original
    # would be a genuine new version; every other item must be answered "unchanged"
    pipeline = Pipeline(store)
    pipeline.ingest_items(batch[:3])  # a worker that committed part of the batch, then died
    first = Pipeline(store).ingest_items(batch)  # the batch redelivered to a fresh worker
    again = Pipeline(store).ingest_items(batch)  # and once more
    assert [d.outcome for d in first[:3]] == [Outcome.UNCHANGED] * 3
    assert {d.outcome for d in again} <= {Outcome.UNCHANGED, Outcome.REJECTED}
    assert count(store, ArticleRecord) == 3
    assert count(store, DuplicateRecord) == 2
    assert count(store, ArticleVersion) == 0
    assert count(store, IngestErrorRecord) == 4  # a rejected line is recorded each time it is sent


def test_copies_in_later_batches_are_caught_by_a_restarted_worker(store: Store) -> None:
    strike = story("port-strike")
    Pipeline(store).ingest_items([item("https://a.example/strike", strike)])
    later = Pipeline(store).ingest_items(
        [
            item("https://b.example/copy", strike),
            item("https://c.example/trim", "\n\n".join(paragraphs(strike)[:-2])),
        ]
    )
    assert [d.outcome for d in later] == [Outcome.DUPLICATE, Outcome.DUPLICATE]


def test_a_bad_item_in_a_batch_costs_only_itself(store: Store) -> None:
    """An index entry left by a writer that died before its commit stalls the batch's transaction; the
    batch is rolled back and decided item by item, so only that item waits and every item is decided once.
    A text the database refuses (PostgreSQL stores no NUL character) is rejected with an error row alone."""
    from worker.fingerprint import signature

    pipeline = Pipeline(store)
    pipeline.PENDING_WAIT_S = 0.01
    fire = story("wildfire")
    pipeline.index.insert("https://ghost.example/never-committed", signature(fire))
    batch = [
        item("https://a.example/strike", story("port-strike")),
        item("https://b.example/nul", "A text with a NUL \x00 character in it, and then some more words."),
        item("https://d.example/fire", fire),
        item("https://f.example/rates", story("rate-decision")),
        item("https://g.example/strike-copy", story("port-strike")),
    ]
    decisions = pipeline.ingest_items(batch)
    outcomes = [d.outcome for d in decisions]
    assert outcomes[0] is Outcome.STORED
    assert outcomes[2:] == [Outcome.STORED, Outcome.STORED, Outcome.DUPLICATE]
    assert outcomes[1] in (Outcome.STORED, Outcome.REJECTED)
    stored_or_error = count(store, ArticleRecord) + count(store, IngestErrorRecord)
    assert stored_or_error == 4  # three stories and the NUL item, stored or recorded, each once
    assert count(store, DuplicateRecord) == 1
    assert "https://ghost.example/never-committed" not in pipeline.index  # healed
    again = pipeline.ingest_items(batch)  # and the whole batch replayed changes nothing
    assert count(store, ArticleRecord) + count(store, IngestErrorRecord) in (4, 5)
    assert [d.outcome for d in again][2:] == [Outcome.UNCHANGED] * 3


def test_a_batch_cut_short_by_its_time_bound_decides_the_same(store: Store) -> None:
    """A transaction holds only BATCH_SECONDS of work (a shared index's other workers wait for its commit);
    at zero each item commits on its own and the decisions are those of one batch."""
    pipeline = Pipeline(store)
    pipeline.BATCH_SECONDS = 0.0
    decisions = pipeline.ingest_items(_mixed_batch(), source="wire")
    assert [d.outcome for d in decisions] == [
        Outcome.STORED,
        Outcome.DUPLICATE,
        Outcome.DUPLICATE,
        Outcome.REJECTED,
        Outcome.UNCHANGED,
        Outcome.STORED,
        Outcome.NEW_VERSION,
        Outcome.REJECTED,
        Outcome.STORED,
    ]
    assert all(d.article_id or d.duplicate_of for d in decisions if d.outcome is not Outcome.REJECTED)
    assert count(store, ArticleRecord) == 3


def test_a_slow_producers_item_is_stored_without_waiting_for_the_batch_to_fill(tmp_path: Path) -> None:
    """`wirefeed ingest -` commits what arrived within a second of the first item, while stdin stays open:
    a trickle of pushed items is stored as it comes, not when 500 have arrived or the producer hangs up."""
    import json
    import os
    import subprocess
    import sys
    import threading

    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREFEED_")}
    env["WIREFEED_DATABASE_URL"] = f"sqlite:///{tmp_path / 'wf.db'}"
    subprocess.run(
        [sys.executable, "-m", "worker.cli", "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker.cli", "ingest", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    watchdog = threading.Timer(60, proc.kill)  # a batch that waits for more input fails, never hangs
    watchdog.start()
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps({"url": "https://a.example/fire", "text": story("wildfire")}) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()  # answered while stdin is still open
        assert line.split("\t")[1].startswith("stored #"), line
        assert count(Store(env["WIREFEED_DATABASE_URL"]), ArticleRecord) == 1
        proc.stdin.write(json.dumps({"url": "https://b.example/fire", "text": story("wildfire")}) + "\n")
        proc.stdin.close()
        assert proc.stdout.readline().split("\t")[1].startswith("duplicate of #")
        assert proc.wait(timeout=60) == 0
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- issue 9 item 2: dedup rules as an ordered list ------------------------------------------------------


class HoldHost:
    """A rule a deployment might add: items from one host are held back, undecided by the rest."""

    def __init__(self, host: str) -> None:
        self.host = host

    def check(self, ctx: RuleContext) -> Decision | None:
        if urlsplit(ctx.key).netloc != self.host:
            return None
        return Decision(Outcome.UNCHANGED, ctx.article.url, rule="held")


@pytest.mark.parametrize("batched", [False, True])
def test_a_rule_added_to_the_list_decides_before_the_rules_after_it(store: Store, batched: bool) -> None:
    pipeline = Pipeline(store, rules=(HoldHost("held.example"), *DEFAULT_RULES))
    text = story("port-strike")
    held, other = item("https://held.example/a", text), item("https://other.example/a", text)
    if batched:
        first, second = pipeline.ingest_items([held, other])
    else:
        first, second = pipeline.ingest_item(held), pipeline.ingest_item(other)
    assert (first.outcome, first.rule) == (Outcome.UNCHANGED, "held")
    # the held item wrote nothing and indexed nothing: the same text elsewhere is a story, not a copy
    assert second.outcome is Outcome.STORED, second
    assert count(store, ArticleRecord) == 1 and count(store, DuplicateRecord) == 0
    assert [type(rule) for rule in Pipeline(store).rules] == [type(rule) for rule in DEFAULT_RULES]


def test_a_rule_list_that_leaves_an_item_undecided_is_refused_loudly(store: Store) -> None:
    pipeline = Pipeline(store, rules=(SameUrl(),))
    with pytest.raises(RuntimeError, match="no dedup rule decided"):
        pipeline.ingest_item(item("https://a.example/1", story("wildfire")))


def test_a_batch_after_another_writer_replaced_a_story_joins_the_new_representative(store: Store) -> None:
    """A batch remembers which stored article each key stands for; when another writer has since replaced
    that article by a fuller copy, the copy must still join the story's current representative."""
    full = paragraphs(story("port-strike")) + paragraphs(story("wildfire"))
    first = Pipeline(store)
    other = Pipeline(store, first.index)  # another worker sharing the index
    [head] = first.ingest_items([item("https://head.example/s", "\n\n".join(full[:11]))])
    [fuller] = other.ingest_items([item("https://full.example/s", "\n\n".join(full))])
    assert head.outcome is Outcome.STORED and fuller.outcome is Outcome.STORED and fuller.rule
    [copy] = first.ingest_items([item("https://half.example/s", "\n\n".join(full[:9]))])
    assert copy.outcome is Outcome.DUPLICATE and copy.duplicate_of == fuller.article_id, copy
    assert count(store, ArticleRecord) == 1 and count(store, DuplicateRecord) == 2


def _story_shape(store: Store) -> tuple[set[str], dict[str, str]]:
    """(stored canonical URLs, duplicate URL -> its original's canonical URL)."""
    with store.session() as session:
        urls = dict(session.execute(select(ArticleRecord.id, ArticleRecord.canonical_url)).all())
        duplicates = session.execute(select(DuplicateRecord.url, DuplicateRecord.duplicate_of)).all()
    return set(urls.values()), {url: urls[original] for url, original in duplicates}


def test_fuller_copies_replacing_each_other_in_one_batch_decide_as_one_by_one(
    store: Store, database_url: str
) -> None:
    """Inside one batch: a story, a trimmed copy of it, then two ever fuller copies that each replace the
    representative, then a late copy. Each decision names the article it named one by one, and the
    store ends the same: the fullest copy stored, every other copy pointing at it."""
    full = paragraphs(story("port-strike")) + paragraphs(story("wildfire"))
    cuts = {"head": 7, "half": 4, "fuller": 11, "full": len(full), "late": 9}
    items = [item(f"https://{name}.example/s", "\n\n".join(full[:cut])) for name, cut in cuts.items()]
    results = []
    for batched in (True, False):
        if "sqlite" in database_url:
            here = store if batched else Store(database_url.replace("wirefeed.db", "single.db"))
        else:
            here = store if batched else None
        if here is None:
            continue
        here.upgrade()
        pipeline = Pipeline(here)
        decisions = pipeline.ingest_items(items) if batched else [pipeline.ingest_item(i) for i in items]
        names = {d.article_id: d.url for d in decisions if d.outcome is Outcome.STORED}
        shape = [(d.outcome, str(d.rule), names.get(d.duplicate_of)) for d in decisions]
        results.append((shape, _story_shape(here)))
    shape, (stored, duplicates) = results[0]
    assert [outcome for outcome, _, _ in shape] == [
        Outcome.STORED,
        Outcome.DUPLICATE,
        Outcome.STORED,
        Outcome.STORED,
        Outcome.DUPLICATE,
    ]
    assert shape[1][2] == "https://head.example/s"  # a copy of what was the representative then
    assert stored == {"https://full.example/s"}
    assert set(duplicates.values()) == {"https://full.example/s"} and len(duplicates) == 4
    assert all(result == results[0] for result in results)


def test_copies_of_a_replaced_representative_in_the_batch_that_replaced_it(
    store: Store, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A fuller copy's replacement is written with the batch's next statement; until then the store
    still holds the old representative. A later item of the same batch with the old one's exact text, or
    a copy found through the old one's duplicates, must name the new representative, decide as one by
    one would, and never break the batch into single items."""
    full = paragraphs(story("port-strike")) + paragraphs(story("wildfire"))
    head, half = "\n\n".join(full[:7]), "\n\n".join(full[:4])
    first = [item("https://head.example/s", head), item("https://half.example/s", half)]
    second = [
        item("https://full.example/s", "\n\n".join(full)),
        item("https://again.example/s", head),  # the replaced representative's exact text
        item("https://half-again.example/s", half),  # a copy's exact text
        item("https://late.example/s", "\n\n".join(full[:9])),
    ]
    results = []
    for batched in (True, False):
        if batched:
            here = store
        elif "sqlite" in database_url:
            here = Store(database_url.replace("wirefeed.db", "single.db"))
            here.upgrade()
        else:
            continue
        pipeline = Pipeline(here)
        with caplog.at_level("INFO", logger="worker.pipeline"):
            if batched:
                decisions = pipeline.ingest_items(first) + pipeline.ingest_items(second)
            else:
                decisions = [pipeline.ingest_item(i) for i in first + second]
        names = {d.article_id: d.url for d in decisions if d.outcome is Outcome.STORED}
        results.append(
            ([(d.outcome, str(d.rule), names.get(d.duplicate_of)) for d in decisions], _story_shape(here))
        )
    assert "one by one instead" not in caplog.text
    shape, (stored, duplicates) = results[0]
    assert [outcome for outcome, _, _ in shape] == [Outcome.STORED] + [Outcome.DUPLICATE] + [
        Outcome.STORED
    ] + [Outcome.DUPLICATE] * 3
    assert {original for _, _, original in shape[3:]} == {"https://full.example/s"}
    assert stored == {"https://full.example/s"}
    assert set(duplicates.values()) == {"https://full.example/s"} and len(duplicates) == 5
    assert all(result == results[0] for result in results)


def test_a_batchs_lookups_name_exactly_the_stored_keys_and_hashes(store: Store) -> None:
    """The batch asks which of its keys and text hashes are stored in one query per column (an array
    parameter on PostgreSQL, IN lists elsewhere): the answer is exact, past one IN list's worth of values."""
    pipeline = Pipeline(store)
    texts = [story("port-strike"), story("wildfire")]
    pipeline.ingest_items([item(f"https://a.example/{n}", text) for n, text in enumerate(texts)])
    pipeline.ingest_items([item("https://b.example/copy", texts[0] + "\n\nAdded a closing line.")])
    asked = {f"https://{host}.example/{n}" for n in range(Store.IN_CHUNK + 5) for host in "ab"}
    stored = _hashes(store)
    with store.session() as session:
        assert store.present_article_urls(session, asked) == {"https://a.example/0", "https://a.example/1"}
        assert store.present_duplicate_urls(session, asked | {"https://b.example/copy"}) == {
            "https://b.example/copy"
        }
        assert store.present_hashes(session, {"0" * 64, *stored}) == stored and len(stored) == 2
        assert store.present_article_urls(session, set()) == set()


def _hashes(store: Store) -> set[str]:
    with store.session() as session:
        return set(session.scalars(select(ArticleRecord.content_hash)))


def test_a_writer_that_takes_the_ids_a_sqlite_batch_chose_costs_only_a_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a batch gives its new stories and articles their ids up front (one executemany per table).
    Another worker that commits rows between that choice and the insert takes those ids: the batch must
    not overwrite or collide with them, but be decided again one item at a time, every item stored once."""
    import worker.pipeline as pipeline_module

    url = f"sqlite:///{tmp_path / 'race.db'}"
    Store(url).upgrade()
    mine, theirs = Store(url), Store(url)
    rival = Pipeline(theirs)
    chosen = pipeline_module._new_ids
    raced: list[int] = []

    def racing(connection: object, stories: int, articles: int) -> tuple[list[int], list[int]]:
        ids = chosen(connection, stories, articles)
        if not raced:  # the other worker commits a story between the choice and the insert
            raced.append(
                rival.ingest_item(item("https://rival.example/1", story("wildfire"))).article_id or 0
            )
        return ids

    monkeypatch.setattr(pipeline_module, "_new_ids", racing)
    texts = [story("port-strike"), story("rate-decision")]
    decisions = Pipeline(mine).ingest_items(
        [item(f"https://mine.example/{i}", t) for i, t in enumerate(texts)]
    )
    assert raced and [d.outcome for d in decisions] == [Outcome.STORED, Outcome.STORED], decisions
    with mine.session() as session:
        rows = session.execute(select(ArticleRecord.id, ArticleRecord.canonical_url, ArticleRecord.story_id))
        stored = {canonical: (article_id, story_id) for article_id, canonical, story_id in rows}
        representatives = dict(session.execute(select(Story.id, Story.representative_id)).all())
    assert set(stored) == {"https://rival.example/1", "https://mine.example/0", "https://mine.example/1"}
    assert stored["https://rival.example/1"][0] == raced[0]
    assert {decision.article_id for decision in decisions} == {
        stored[f"https://mine.example/{i}"][0] for i in (0, 1)
    }
    assert all(representatives[story_id] == article_id for article_id, story_id in stored.values())
    mine.dispose()
    theirs.dispose()
