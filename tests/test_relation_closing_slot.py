"""A template whose last words are a slot: two briefs that share their town, weekday and the rescued
person's age (small figures and a short list of places match by chance) and differ in the ridge, the team
leader and the closing callout number are different stories (``worker.relation.substitution_slots``, the
rule ``worker.rules.FilledTemplate``).

The frame's fixed names (the rescue team's) lift the briefs' agreement on names and figures over half, and
the MinHash reads two places inside the text where they differ: the ridge and the team leader. The
callout number ends the text, so word by word it was an edge (nothing shared after it) and was not
counted: two slots, one short of ``SLOTS``, and the second brief joined the first one's story. It closes a
sentence both briefs share, as a template's slot does; a desk's sign-off or credit line is a sentence of
its own, and still counts for nothing.
"""

from __future__ import annotations

import pytest

from tests.test_relation_slots import _events
from tests.test_relation_templates import _relation
from tests.test_story_merge import ingest, url
from worker.fingerprint import signature
from worker.pipeline import Outcome, Pipeline
from worker.relation import (
    SALIENT_AGREEMENT,
    SLOT_AGREEMENT,
    SLOTS,
    Relation,
    TextProbe,
    _interior_differences,
    _salient_agreement,
    substitution_slots,
)
from worker.store import Store

FRAME = (
    "A {age}-year-old walker was carried down from the {ridge} ridge above {town} on Sunday afternoon "
    "after she slipped on wet rock and broke her ankle, the Glenmore Mountain Rescue Team said in a post "
    "on its website. Volunteers reached her about an hour after the alarm was raised and carried her down "
    "the path on a stretcher before handing her over to an ambulance crew waiting at the car park below. "
    "Team leader {leader} urged walkers to carry a map, a charged phone and warm clothing in all seasons, "
    "and said the rescue was the team's callout number {callout}."
)
BRIEF = FRAME.format(age=64, ridge="Carn", town="Aviemore", leader="Isla Munro", callout=41)
OTHER = FRAME.format(age=64, ridge="Sgorr", town="Aviemore", leader="Ewan Grant", callout=57)
DATED = f"AVIEMORE, Scotland (PA) - {BRIEF}"
CORRECTED = BRIEF.replace("number 41.", "number 42.") + "\n\nThis story corrects the callout number."
CREDITED = f"{DATED}\n\nReporting by Ruth Fraser"

TEXTS = {"brief": BRIEF, "other": OTHER, "dated": DATED, "corrected": CORRECTED, "credited": CREDITED}


def test_the_signatures_read_the_two_briefs_as_one_story() -> None:
    """The premise: over half the names and figures agree, and the MinHash shows two places inside."""
    new, old = signature(OTHER), signature(BRIEF)
    agreement = _salient_agreement(new, old)
    assert agreement is not None and SALIENT_AGREEMENT <= agreement < SLOT_AGREEMENT
    assert _interior_differences(TextProbe(OTHER), old) == 2 < SLOTS
    assert _relation(OTHER, BRIEF) is Relation.NEAR_DUPLICATE


def test_the_closing_figure_of_a_shared_sentence_is_a_slot_either_way() -> None:
    """The ridge, the team leader, and the callout number that closes the last shared sentence."""
    assert substitution_slots(OTHER, BRIEF) == SLOTS
    assert substitution_slots(BRIEF, OTHER) == SLOTS


@pytest.mark.parametrize(
    ("new", "old", "slots"),
    [
        (DATED, BRIEF, 0),  # a dateline added whole before the first word
        (CORRECTED, BRIEF, 0),  # the closing figure corrected, and a sentence added after it
        (BRIEF.replace("number 41.", "number 42."), BRIEF, 1),  # the closing figure corrected alone
        (CREDITED, DATED, 0),  # a credit line added after the last sentence
        (CREDITED, CREDITED.replace("Ruth Fraser", "Moira Bell"), 0),  # a credit line: mostly names
        (f"{BRIEF} (PA)", f"{BRIEF} (Reuters)", 0),  # a wire's tag: a sentence of its own
    ],
)
def test_a_copys_edits_at_its_end_are_no_slots(new: str, old: str, slots: int) -> None:
    assert substitution_slots(new, old) == slots < SLOTS


@pytest.mark.parametrize("batched", [False, True])
def test_the_second_brief_is_a_story_of_its_own_linked_as_templated(store: Store, batched: bool) -> None:
    """Before: ``other`` joined ``brief``'s story as its near-duplicate."""
    brief, other = ingest(Pipeline(store), ["brief", "other"], batched, TEXTS)
    assert brief.outcome is other.outcome is Outcome.STORED
    assert brief.story_id != other.story_id
    [link] = _events(store)
    assert (link.url, link.other_url, link.rule) == (url("other"), url("brief"), Relation.TEMPLATED.value)


@pytest.mark.parametrize("batched", [False, True])
def test_copies_edited_at_their_end_still_join_the_brief(store: Store, batched: bool) -> None:
    decisions = ingest(Pipeline(store), ["brief", "dated", "corrected", "credited", "other"], batched, TEXTS)
    brief, *copies, other = decisions
    assert brief.outcome is Outcome.STORED
    assert {copy.story_id for copy in copies} == {brief.story_id}
    assert all(copy.outcome is Outcome.DUPLICATE for copy in copies)
    assert other.outcome is Outcome.STORED and other.story_id != brief.story_id
