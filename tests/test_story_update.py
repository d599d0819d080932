"""A major update that kept under 80% of its story's words is a story of its own, whatever the MinHash
estimate of its containment says (``worker.rules.KeptTooLittle``, ``worker.relation.words_inside``).

The story is five paragraphs of the port-strike wire story; the update keeps its first four (79% of its
words) and adds seven paragraphs of other news (more than half of it new). From the 128 MinHash values
the story reads 85% inside the update, so the update was taken for its fuller copy and replaced it as
the representative (and, arriving first, took the story in as its trim). Counted in words, the update
kept under the 80% line: it is the desk's new story, linked to the old one. An update that kept the
whole story is its fuller version and still replaces it. Run on SQLite and PostgreSQL, item by item and
batched.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import test_story_merge as merge_cases
from tests.test_story_merge import FULL, url
from worker.fingerprint import signature
from worker.models import StoryEvent
from worker.pipeline import Outcome, Pipeline
from worker.relation import CONTAINED, Relation, TextProbe, judge, words_inside
from worker.store import Store

NEWS = merge_cases._story("rate-decision") + merge_cases._story("local-harbour")
TEXTS = {
    "story": "\n\n".join(FULL[:5]),
    "update": "\n\n".join(FULL[:4] + NEWS[:7]),  # four of its five paragraphs, and more new than kept
    "full-update": "\n\n".join(FULL[:5] + NEWS[:7]),  # the whole story, and more new than kept
}


def test_the_estimate_reads_the_story_inside_the_update_but_its_words_are_not() -> None:
    """The premise: the judge alone calls the update the story's fuller copy."""
    new, old = signature(TEXTS["update"]), signature(TEXTS["story"])
    verdict = judge(new, old, new.equal_count(old), 0.5, TextProbe(TEXTS["update"]))
    assert verdict is not None and verdict.relation is Relation.FULLER
    assert verdict.contained_old >= CONTAINED and 1 - verdict.contained_new > 0.5
    assert words_inside(TEXTS["story"], TEXTS["update"]) < CONTAINED
    assert words_inside(TEXTS["story"], TEXTS["full-update"]) == 1.0


def test_words_inside_counts_runs_of_shared_words_only() -> None:
    """Words the two texts share by chance, one or two in a row, are not kept text."""
    inner = "Strikers blocked the port gates on Monday"
    outer = "On Monday, strikers blocked the port while police watched the gates"
    assert words_inside(inner, outer) == 4 / 7  # "strikers blocked the port"; not "gates", "on Monday"
    assert words_inside("", "anything") == 1.0


def _not_a_copy(store: Store) -> list[StoryEvent]:
    with store.session() as session:
        return list(session.scalars(select(StoryEvent).where(StoryEvent.event == "not_a_copy")))


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("order", [["story", "update"], ["update", "story"]])
def test_an_update_keeping_under_four_fifths_of_the_story_is_a_story_of_its_own(
    store: Store, batched: bool, order: list[str]
) -> None:
    """Before: the update replaced the story as its fuller copy (story first), or the story joined the
    update as its trim (update first): one story."""
    first, second = merge_cases.ingest(Pipeline(store), order, batched, TEXTS)
    assert first.outcome is second.outcome is Outcome.STORED
    assert first.story_id != second.story_id
    [link] = _not_a_copy(store)
    assert (link.url, link.other_url, link.rule) == (url(order[1]), url(order[0]), Relation.OVERLAPS.value)


@pytest.mark.parametrize("batched", [False, True])
def test_an_update_keeping_the_whole_story_still_replaces_it(store: Store, batched: bool) -> None:
    story, update = merge_cases.ingest(Pipeline(store), ["story", "full-update"], batched, TEXTS)
    assert update.rule == Relation.FULLER.value and update.story_id == story.story_id
    assert _not_a_copy(store) == []
