"""An update more than two-thirds new is a new story around the old one, counted in words, whatever the
shingles read near that line (``worker.rules.KeptTooLittle``, ``worker.relation.MIN_COVER``).

The story is the first five paragraphs of the port-strike wire story; the update carries them whole and
adds the Antwerp roundup (one sentence frame repeated for each terminal) and a wildfire story: 70% of its
words are new, but its repeated frame counts once as shingles, so the story reads as covering more than a
third of it and the judge calls the update its fuller copy (arriving first, it took the story in as its
trim). Counted in words the story covers under a third: the update is a story of its own, linked to the
story it carries. The story with the roundup alone (under two-thirds new) is still its fuller version.
Run on SQLite and PostgreSQL, item by item and batched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import test_story_merge as merge_cases
from tests.test_rules_new_in_words import _embeds, assert_apart_and_linked
from worker.fingerprint import signature
from worker.pipeline import Outcome, Pipeline
from worker.relation import MIN_COVER, Relation, TextProbe, judge, words_inside
from worker.store import Store

STRIKE, WILDFIRE = merge_cases._story("port-strike"), merge_cases._story("wildfire")
ROUNDUP = (Path(__file__).parent / "fixtures" / "dedup" / "port_strike_roundup.txt").read_text(
    encoding="utf-8"
)
ROUNDUP_PARAGRAPHS = ROUNDUP.strip().split("\n\n")
TEXTS = {
    "story": "\n\n".join(STRIKE[:5]),
    "update": "\n\n".join(STRIKE[:5] + ROUNDUP_PARAGRAPHS + WILDFIRE),  # the story whole, 70% new after it
    "roundup-update": "\n\n".join(STRIKE[:5] + ROUNDUP_PARAGRAPHS),  # the story whole, under 2/3 new
}


def test_the_shingles_read_the_story_covering_a_third_of_the_update_but_its_words_do_not() -> None:
    """The premise: the judge alone joins the two both ways; in words the story covers under a third."""
    new, old = signature(TEXTS["update"]), signature(TEXTS["story"])
    verdict = judge(new, old, new.equal_count(old), 0.5, TextProbe(TEXTS["update"]))
    assert verdict is not None and verdict.relation is Relation.FULLER
    reverse = judge(old, new, old.equal_count(new), 0.5, TextProbe(TEXTS["story"]))
    assert reverse is not None and reverse.relation is Relation.CONTAINED
    assert words_inside(TEXTS["story"], TEXTS["update"]) == 1.0  # carried whole: no kept-too-little case
    assert words_inside(TEXTS["update"], TEXTS["story"]) < MIN_COVER
    assert words_inside(TEXTS["roundup-update"], TEXTS["story"]) >= MIN_COVER


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("order", [["story", "update"], ["update", "story"]])
def test_an_update_more_than_two_thirds_new_in_words_is_a_story_of_its_own(
    store: Store, batched: bool, order: list[str]
) -> None:
    """Before (fails on main): the update replaced the story as its fuller copy (story first), or the
    story joined the update as its trim (update first): one story."""
    assert_apart_and_linked(
        store, merge_cases.ingest(Pipeline(store), order, batched, TEXTS), order, "update"
    )


@pytest.mark.parametrize("batched", [False, True])
def test_an_update_under_two_thirds_new_still_replaces_the_story(store: Store, batched: bool) -> None:
    story, update = merge_cases.ingest(Pipeline(store), ["story", "roundup-update"], batched, TEXTS)
    assert update.outcome is Outcome.STORED and update.rule == Relation.FULLER.value
    assert update.story_id == story.story_id
    assert _embeds(store) == []
