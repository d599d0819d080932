"""One story stored as two is merged when a copy of both arrives (issue 10: one story never split in two).

The split: a copy whose lead is hidden under a long editor's note is stored first; a trim of the story
then reads as a whole story quoted inside it (``embedded``) and is stored as a story of its own; the
original, a copy of both, could join only one of them. Run on SQLite and on the real PostgreSQL the
suite starts, item by item and in one batch.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from worker.decision import Decision
from worker.dedup_redis import RedisIndex
from worker.export import article_rows, duplicate_rows, story_rows
from worker.models import ArticleRecord, Base, DuplicateRecord, Story, StoryEvent
from worker.pipeline import Outcome, Pipeline
from worker.store import Store

WIRE = Path(__file__).parent / "fixtures" / "wire"

NOTE = (
    "Editor's note: this story was first published by our partner newsroom and has been updated "
    "with comments from the port authority and the regional government on Tuesday evening."
)


AFTERWORD = (
    "Correction: an earlier version of this story gave the wrong day for the start of the strike and "
    "misstated the number of ships that were waiting outside the harbour on the first night of it.\n\n"
    "This report was put together from the accounts of several reporters who were at the docks, at the "
    "union offices and at the town hall over the course of the week, and from statements sent to the "
    "newsroom by both sides.\n\n"
    "We will keep this page updated as talks go on; readers who were affected by the closures and the "
    "delays are welcome to write to us with their own accounts of what they saw and how it changed their "
    "plans for the holidays, and we will read every one of them."
)


def _story(name: str) -> list[str]:
    return (WIRE / f"{name}.txt").read_text(encoding="utf-8").strip().split("\n\n")


FULL = _story("port-strike") + _story("wildfire")
TEXTS = {
    "noted": NOTE + "\n\n" + "\n\n".join(FULL),  # the story under a note long enough to read as its lead
    "half": "\n\n".join(FULL[:7]),  # its first half
    "full": "\n\n".join(FULL),  # the original
    "late-half": "PORTO (Wire) -- " + "\n\n".join(FULL[:6]),  # a later trim, arriving after the merge
    "half-copy": "\n\n".join(FULL[:7]),  # the trim's exact text under another URL
    "two-thirds": "\n\n".join(FULL[:9]),  # a longer trim: fuller than the half, inside the original
    "eight": "\n\n".join(FULL[:8]),  # a trim a little past half
    "with-afterword": "\n\n".join(FULL[:9]) + "\n\n" + AFTERWORD,  # a trim with much of its own after it
}


def url(name: str) -> str:
    return f"https://{name}.example/story"


def ingest(
    pipeline: Pipeline, names: list[str], batched: bool, texts: dict[str, str] | None = None
) -> list[Decision]:
    """Ingest the named cases (from ``texts``, this module's own by default) one by one or as one batch."""
    texts = TEXTS if texts is None else texts
    items = [{"url": url(name), "title": "Port strike", "text": texts[name]} for name in names]
    if batched:
        return pipeline.ingest_items(items)
    return [pipeline.ingest_item(one) for one in items]


def count(store: Store, model: type[Base]) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def events(store: Store) -> list[StoryEvent]:
    with store.session() as session:
        return list(session.scalars(select(StoryEvent).order_by(StoryEvent.id)))


def assert_one_story(store: Store, representative: str) -> int:
    """Every export names one story, whose representative is ``representative``; returns its id."""
    [story] = list(story_rows(store))
    [article] = list(article_rows(store))
    assert article["canonical_url"] == story["representative_url"] == url(representative)
    assert article["story_id"] == story["story_id"] and article["id"] == story["representative_id"]
    copies = list(duplicate_rows(store))
    assert {row["story_id"] for row in copies} == {story["story_id"]}
    assert {row["original_url"] for row in copies} == {url(representative)}
    assert sorted(story["copies"]) == sorted(row["url"] for row in copies)
    assert story["embeds"] == []  # the link between the two halves of the story is gone from the export
    assert count(store, Story) == 1
    return int(story["story_id"])


@pytest.mark.parametrize("batched", [False, True])
def test_the_original_merges_its_hidden_lead_copy_and_its_trim_into_one_story(
    store: Store, batched: bool
) -> None:
    pipeline = Pipeline(store)
    noted, half, full = ingest(pipeline, ["noted", "half", "full"], batched)
    assert noted.outcome is half.outcome is Outcome.STORED
    assert half.story_id != noted.story_id  # the split the merge mends
    assert full.outcome is Outcome.DUPLICATE and full.rule == "near_duplicate"
    survivor = assert_one_story(store, "noted")  # the fullest copy: the story under its note
    assert survivor == noted.story_id  # the older story survives, its id stable
    assert full.story_id == survivor and full.duplicate_of == noted.article_id
    rules = {row["url"]: row["rule"] for row in duplicate_rows(store)}
    assert rules == {url("full"): "near_duplicate", url("half"): "merged"}
    merge = events(store)[-1]
    assert (merge.event, merge.story_id, merge.other_story_id) == ("stories_merged", survivor, half.story_id)
    assert (merge.url, merge.other_url, merge.rule) == (url("full"), url("half"), "fuller_copy")
    assert merge.similarity is not None and 0.4 < merge.similarity < 0.6
    assert {e.story_id for e in events(store)} == {survivor}  # no audit row names the merged-away story


@pytest.mark.parametrize("batched", [False, True])
def test_the_fuller_representative_moves_to_the_older_story(store: Store, batched: bool) -> None:
    """The trim first (story 1), then the noted copy, read as a story quoting it (story 2), then the
    original: story 1 survives, with story 2's fuller text as its representative."""
    pipeline = Pipeline(store)
    half, noted, full = ingest(pipeline, ["half", "noted", "full"], batched)
    assert half.story_id is not None and noted.story_id is not None and half.story_id < noted.story_id
    survivor = assert_one_story(store, "noted")
    assert survivor == half.story_id
    assert full.outcome is Outcome.DUPLICATE and full.story_id == survivor
    assert full.duplicate_of == noted.article_id
    with store.session() as session:
        assert session.get(Story, noted.story_id) is None  # the merged-away story is gone, not answered
        assert session.scalar(select(ArticleRecord.story_id)) == survivor


@pytest.mark.parametrize("batched", [False, True])
def test_after_a_merge_copies_join_the_surviving_story_and_replays_change_nothing(
    store: Store, batched: bool
) -> None:
    pipeline = Pipeline(store)
    noted, _, _ = ingest(pipeline, ["noted", "half", "full"], batched)
    before = (count(store, ArticleRecord), count(store, DuplicateRecord), count(store, StoryEvent))
    # The trim's key still answers in the index, for the story it was merged into.
    [late] = ingest(pipeline, ["late-half"], batched)
    assert late.outcome is Outcome.DUPLICATE and late.story_id == noted.story_id
    assert late.duplicate_of == noted.article_id
    # A restarted worker (its index rebuilt from the store) answers the same.
    [again] = ingest(Pipeline(store), ["late-half"], batched)
    assert again.outcome is Outcome.UNCHANGED and again.duplicate_of == noted.article_id
    # Redelivery of everything: nothing stored twice, nothing merged again.
    replay = ingest(Pipeline(store), ["noted", "half", "full", "late-half"], batched)
    assert {d.outcome for d in replay} == {Outcome.UNCHANGED}
    after = (count(store, ArticleRecord), count(store, DuplicateRecord), count(store, StoryEvent))
    assert after == (before[0], before[1] + 1, before[2])
    assert_one_story(store, "noted")


@pytest.mark.redis
def test_the_shared_index_answers_the_surviving_story(store: Store, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    prefix = f"test:{uuid.uuid4().hex}"
    pipeline = Pipeline(store, RedisIndex(client, 0.5, prefix=prefix))
    noted, half, full = ingest(pipeline, ["noted", "half", "full"], batched=True)
    assert half.story_id != noted.story_id and full.story_id == noted.story_id
    survivor = assert_one_story(store, "noted")
    other = Pipeline(store, RedisIndex(client, 0.5, prefix=prefix))  # another worker on the same index
    [late] = ingest(other, ["late-half"], batched=False)
    assert late.outcome is Outcome.DUPLICATE and late.story_id == survivor


def test_a_trim_inside_two_stories_does_not_merge_them(store: Store) -> None:
    """A story's first half is inside the story and inside an update that kept that half and added more
    than as much again: the trim can join either, but the two are not shown to be one story."""
    pipeline = Pipeline(store)
    story = pipeline.ingest_item({"url": url("wire"), "text": "\n\n".join(_story("port-strike"))})
    update = "\n\n".join(_story("port-strike")[:4] + _story("wildfire")[:4])
    later = pipeline.ingest_item({"url": url("update"), "text": update})
    assert later.outcome is Outcome.STORED and later.story_id != story.story_id
    trim = pipeline.ingest_item({"url": url("trim"), "text": "\n\n".join(_story("port-strike")[:3])})
    assert trim.outcome is Outcome.DUPLICATE and trim.rule == "contained"
    assert count(store, Story) == 2
    assert "stories_merged" not in {e.event for e in events(store)}


def test_items_after_a_merge_in_the_same_batch_decide_as_one_by_one(store: Store, database_url: str) -> None:
    """What the batch remembers of the merged stories (keys, texts) follows the merge: an exact copy of
    the trim and a later trim in the same batch join the surviving story and name its representative,
    as they do item by item (on SQLite, where a second store sits beside the first)."""
    names = ["noted", "half", "full", "half-copy", "late-half"]
    decisions = ingest(Pipeline(store), names, batched=True)
    survivor = assert_one_story(store, "noted")
    noted = decisions[0]
    for later in decisions[3:]:
        assert later.outcome is Outcome.DUPLICATE, later
        assert later.story_id == survivor and later.duplicate_of == noted.article_id
    if "sqlite" in database_url:
        single_store = Store(database_url.replace("wirefeed.db", "single.db"))
        single_store.upgrade()
        single = ingest(Pipeline(single_store), names, batched=False)
        assert [(d.outcome, d.rule, d.duplicate_of, d.story_id) for d in single] == [
            (d.outcome, d.rule, d.duplicate_of, d.story_id) for d in decisions
        ]
        single_store.dispose()


@pytest.mark.parametrize("batched", [False, True])
def test_a_copy_between_two_copies_of_a_story_joins_it(store: Store, batched: bool) -> None:
    """The story's representative is the copy under a note (its lead hidden); the original and the half
    trim joined it. A two-thirds trim reads as quoted inside the representative and is closest to the
    half trim, which it is fuller than: before, that made it a story of its own (fuller than a copy, no
    copy of the representative). It also lies inside the original: it sits between two copies of the
    story, so it is one."""
    noted, full, half, longer = ingest(Pipeline(store), ["noted", "full", "half", "two-thirds"], batched)
    assert full.outcome is half.outcome is Outcome.DUPLICATE
    assert longer.outcome is Outcome.DUPLICATE, longer
    assert longer.story_id == noted.story_id and longer.duplicate_of == noted.article_id
    assert_one_story(store, "noted")


@pytest.mark.parametrize("batched", [False, True])
def test_a_copy_of_one_copy_fuller_than_another_joins_the_story(store: Store, batched: bool) -> None:
    """A trim of the story with much of its own after it (a correction, credits) is fuller than one of
    the story's trimmed copies (its closest candidate) and an edited copy of the original, but reads as
    another story around the text of the representative, a copy under a long note. Before, fuller than a
    copy and no copy of the representative made it a story of its own; a copy of another of the story's
    copies is the story's copy."""
    names = ["noted", "full", "eight", "with-afterword"]
    noted, full, eight, copy = ingest(Pipeline(store), names, batched)
    assert full.outcome is eight.outcome is Outcome.DUPLICATE
    assert copy.outcome is Outcome.DUPLICATE, copy
    assert copy.story_id == noted.story_id and copy.duplicate_of == noted.article_id
    assert_one_story(store, "noted")
