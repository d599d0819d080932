"""A copy that joined the wrong story moves when its better home arrives, and a wire story that joins its
own story stays linked to the local story stored before it that quotes it (issue 10).

The move: a trim of a story arrives first, then a major update of the story (its first seven paragraphs
kept, a larger new body after them) that holds most of the trim, so the trim becomes the update's copy.
When the original arrives it is a copy of the trim but no copy of the update: it is stored as a story of
its own, and the trim, which holds text of the original that the update lacks, must move to it. Run on
SQLite and on the real PostgreSQL the suite starts, item by item and in one batch.
"""

from __future__ import annotations

import uuid

import pytest
import redis
from sqlalchemy import select

from tests import test_story_merge as merge_cases
from tests.test_relation import _local_story, _original, _trimmed
from tests.test_relation_echo import _dateline_fuller_copy, _echo_local, _trim, _wire
from tests.test_story_merge import AFTERWORD, FULL, url
from worker.decision import Decision
from worker.dedup_redis import RedisIndex
from worker.export import article_rows, duplicate_rows, story_rows
from worker.models import StoryEvent
from worker.pipeline import Outcome, Pipeline
from worker.store import Store

TAGLINE = "This story was distributed by the Harbour Wire news service to its partner newspapers."


NEWS = merge_cases._story("rate-decision") + merge_cases._story("local-harbour")
TEXTS = {
    "original": "\n\n".join(FULL),
    "trim": "\n\n".join(FULL[:8]) + "\n\n" + TAGLINE,  # past the update's kept part, with a tagline
    "update": "\n\n".join(FULL[:7] + NEWS),  # the story's first seven paragraphs and more new than kept
    "inner-trim": "\n\n".join(FULL[:6]),  # a trim inside both the original and the update
    "local": _local_story(),  # a local story quoting the port-strike wire story whole
    "wire": _original(),  # that wire story
    "wire-copy": _trimmed(9) + "\n\n" + AFTERWORD,  # a trim of it with an afterword the local lacks
}


def ingest(pipeline: Pipeline, names: list[str], batched: bool) -> list[Decision]:
    return merge_cases.ingest(pipeline, names, batched, TEXTS)


def events(store: Store, kind: str) -> list[StoryEvent]:
    with store.session() as session:
        return list(session.scalars(select(StoryEvent).where(StoryEvent.event == kind)))


def story_of(store: Store, name: str) -> int:
    """The story a URL is in, by the article and duplicate exports alike."""
    found = {row["story_id"] for row in article_rows(store) if row["canonical_url"] == url(name)}
    found |= {row["story_id"] for row in duplicate_rows(store) if row["url"] == url(name)}
    [story] = found
    return int(story)


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("order", [["trim", "update", "original"], ["update", "trim", "original"]])
def test_a_trim_moves_from_the_update_to_the_original_when_it_arrives(
    store: Store, batched: bool, order: list[str]
) -> None:
    pipeline = Pipeline(store)
    decisions = dict(zip(order, ingest(pipeline, order, batched), strict=True))
    original, update = decisions["original"], decisions["update"]
    assert original.outcome is Outcome.STORED and original.story_id != story_of(store, "update")
    assert story_of(store, "trim") == original.story_id  # was the update's copy before the move
    [copy] = [row for row in duplicate_rows(store) if row["url"] == url("trim")]
    assert copy["original_url"] == url("original") and copy["rule"] == "near_duplicate"
    stories = {row["story_id"]: row for row in story_rows(store)}
    assert stories[original.story_id]["copies"] == [url("trim")]
    assert stories[story_of(store, "update")]["copies"] == []
    [moved] = events(store, "copy_moved")
    assert (moved.story_id, moved.url, moved.other_url) == (original.story_id, url("trim"), url("original"))
    assert moved.other_story_id == story_of(store, "update") and moved.rule == "near_duplicate"
    assert update.outcome is Outcome.STORED or update.rule == "contained"
    again = ingest(pipeline, order, batched)  # redelivered: nothing moves again
    assert {d.outcome for d in again} == {Outcome.UNCHANGED}
    assert len(events(store, "copy_moved")) == 1 and story_of(store, "trim") == original.story_id


@pytest.mark.parametrize("batched", [False, True])
def test_a_later_copy_follows_the_moved_trim(store: Store, batched: bool) -> None:
    pipeline = Pipeline(store)
    ingest(pipeline, ["trim", "update", "original"], batched)
    TEXTS["trim-copy"] = "PORTO (Wire) -- " + TEXTS["trim"]
    try:
        [late] = ingest(pipeline, ["trim-copy"], batched)
    finally:
        del TEXTS["trim-copy"]
    assert late.outcome is Outcome.DUPLICATE and late.story_id == story_of(store, "original")


@pytest.mark.redis
def test_the_shared_index_answers_the_moved_copys_new_story(store: Store, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    prefix = f"test:{uuid.uuid4().hex}"
    pipeline = Pipeline(store, RedisIndex(client, 0.5, prefix=prefix))
    *_, original = ingest(pipeline, ["trim", "update", "original"], batched=True)
    assert story_of(store, "trim") == original.story_id
    other = Pipeline(store, RedisIndex(client, 0.5, prefix=prefix))  # another worker on the same index
    TEXTS["trim-copy"] = "PORTO (Wire) -- " + TEXTS["trim"]
    try:
        [late] = ingest(other, ["trim-copy"], batched=False)
    finally:
        del TEXTS["trim-copy"]
    assert late.outcome is Outcome.DUPLICATE and late.story_id == original.story_id


@pytest.mark.parametrize("batched", [False, True])
def test_a_trim_inside_both_the_update_and_the_original_stays_where_it_joined(
    store: Store, batched: bool
) -> None:
    pipeline = Pipeline(store)
    update, trim, original = ingest(pipeline, ["update", "inner-trim", "original"], batched)
    assert trim.outcome is Outcome.DUPLICATE and trim.story_id == update.story_id
    assert original.outcome is Outcome.STORED
    assert story_of(store, "inner-trim") == update.story_id  # a tie keeps the incumbent
    assert events(store, "copy_moved") == []


@pytest.mark.parametrize("batched", [False, True])
def test_a_wire_story_joining_its_copy_is_linked_to_the_local_story_stored_before_it(
    store: Store, batched: bool
) -> None:
    pipeline = Pipeline(store)
    local, copy, wire = ingest(pipeline, ["local", "wire-copy", "wire"], batched)
    assert local.outcome is copy.outcome is Outcome.STORED and local.story_id != copy.story_id
    assert wire.outcome is Outcome.DUPLICATE and wire.story_id == copy.story_id
    stories = {row["story_id"]: row for row in story_rows(store)}
    assert stories[local.story_id]["embeds"] == [copy.story_id]
    [link] = events(store, "embeds")
    assert (link.url, link.other_url, link.rule) == (url("local"), url("wire"), "embedded")
    ingest(pipeline, ["wire"], batched)  # redelivered: unchanged, no second link
    assert len(events(store, "embeds")) == 1


@pytest.mark.parametrize("batched", [False, True])
def test_the_wire_story_arriving_after_a_local_story_echoing_its_lead_stays_apart(
    store: Store, batched: bool
) -> None:
    """Before: the wire story joined the local story as its copy (their lead sketches share three
    shingles, and the wire story is wholly inside it), so the two stories were one cluster."""
    TEXTS["echo-local"], TEXTS["echo-wire"] = _echo_local(), _wire()
    try:
        local, wire = ingest(Pipeline(store), ["echo-local", "echo-wire"], batched)
    finally:
        del TEXTS["echo-local"], TEXTS["echo-wire"]
    assert local.outcome is wire.outcome is Outcome.STORED and local.story_id != wire.story_id
    [link] = events(store, "embeds")
    assert (link.story_id, link.other_story_id) == (local.story_id, wire.story_id)
    assert (link.url, link.other_url, link.rule) == (url("echo-local"), url("echo-wire"), "embedded")


@pytest.mark.parametrize("batched", [False, True])
def test_a_trim_arriving_after_its_dated_fuller_copy_still_joins_it(store: Store, batched: bool) -> None:
    """The stored text is read only to find an echoed lead: a dateline shifts the lead a few words, and
    a trim of the story arriving after the story under a dateline is its copy."""
    TEXTS["dated"], TEXTS["dated-trim"] = _dateline_fuller_copy(), _trim()
    try:
        dated, trim = ingest(Pipeline(store), ["dated", "dated-trim"], batched)
    finally:
        del TEXTS["dated"], TEXTS["dated-trim"]
    assert trim.outcome is Outcome.DUPLICATE and trim.story_id == dated.story_id
