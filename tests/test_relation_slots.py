"""Two briefs cut from one template whose slots sit at the texts' edges are different stories, and a copy
of a brief under another dateline and tagline is still its copy (``worker.relation.substitution_slots``,
the rule ``worker.rules.FilledTemplate``).

The frame below is a power-cut brief: its fixed words carry names of their own (the operator, the Red
Cross, a hall, the regulator, the weekdays), so two briefs agree on more than half their names and
figures. Its slots are the lead's two figures, the town, and the closing figure and engineer's first name,
so the MinHash reading of the pair (``_interior_differences``) shows one place inside the text where they
differ: the others are too close to the first or last word for a 6-word shingle to show shared text on
both sides. Before the rule the second brief joined the first one's story as its near-duplicate.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.test_relation_templates import _relation
from tests.test_story_merge import ingest, url
from worker.fingerprint import signature
from worker.models import StoryEvent
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
    "{n} homes and {m} businesses were left without power on Thursday after high winds brought down "
    "lines across {town}, the network operator Nordgrid said, asking residents to stay away from fallen "
    "cables and to report them on its emergency number. Repair crews from Nordgrid and two neighbouring "
    "companies worked through the night in heavy rain, and the operator said generators had been sent to "
    "a care home and to the local school, which stayed closed. The Red Cross opened a shelter in the "
    "Flanders Expo hall, and the Belgian regulator CREG said it would review the outage. Most customers "
    "should be reconnected by Saturday evening, and repairs would cost about {cost} euros, said engineer "
    "{first} Okafor."
)
BRIEF = FRAME.format(n=412, m=95, town="Ostend", cost="180,000", first="Helena")
OTHER = FRAME.format(n=1370, m=240, town="Bruges", cost="65,000", first="Pieter")
AP_COPY = f"OSTEND, Belgium (AP) \u2014 {BRIEF}\n\nAssociated Press writer Karin Vos in Brussels contributed."
REUTERS_COPY = f"Ostend, Nov. 27 (Reuters) - {BRIEF}\n\nReporting by Marc Dupont; Editing by Lise Brandt"
CORRECTED = (
    AP_COPY.replace("95 businesses", "59 businesses")
    + "\n\nCorrection: An earlier version of this story gave the wrong number of businesses."
)

TEXTS = {
    "brief": BRIEF,
    "other": OTHER,
    "ap-copy": AP_COPY,
    "reuters-copy": REUTERS_COPY,
    "corrected": CORRECTED,
}


def test_the_signatures_alone_read_the_two_briefs_as_one_story() -> None:
    """The premise: over half the names agree, the leads share shingles and one place shows inside."""
    new, old = signature(OTHER), signature(BRIEF)
    agreement = _salient_agreement(new, old)
    assert agreement is not None and SALIENT_AGREEMENT <= agreement < SLOT_AGREEMENT
    assert _interior_differences(TextProbe(OTHER), old) < SLOTS
    assert _relation(OTHER, BRIEF) is Relation.NEAR_DUPLICATE


def test_the_briefs_differ_in_slots_inside_shared_sentences_either_way() -> None:
    """The second figure, the town, the closing figure and the first name: the same words on both sides
    of each (the first figure opens the text, an edge, and is not counted)."""
    assert substitution_slots(OTHER, BRIEF) == 4
    assert substitution_slots(BRIEF, OTHER) == 4


@pytest.mark.parametrize(
    ("new", "old", "slots"),
    [
        (AP_COPY, BRIEF, 0),  # a dateline and a credit line added whole
        (BRIEF, AP_COPY, 0),
        (REUTERS_COPY, AP_COPY, 0),  # two wires' datelines and credit lines
        (AP_COPY, REUTERS_COPY, 1),  # "Belgium (AP)" for "Nov. 27 (Reuters)", after a shared city
        (CORRECTED, BRIEF, 1),  # a corrected figure, and a correction line added
        (BRIEF.rsplit(". ", 2)[0] + ".", BRIEF, 0),  # a trimmed tail
    ],
)
def test_a_copys_edits_are_no_slots(new: str, old: str, slots: int) -> None:
    assert substitution_slots(new, old) == slots < SLOTS


def test_credit_lines_cut_from_one_formula_are_no_slots() -> None:
    """Two copies each crediting other people in the desk's formula: names between shared words, but in a
    line as much names as fixed words, which a template's sentences are not (``SLOT_SENTENCE``)."""
    credits = "Reporting by {} and {}; writing by {}; editing by {}"
    one = BRIEF + "\n\n" + credits.format("Marc Dupont", "Anna Berg", "Lise Brandt", "Tom Reyes")
    two = BRIEF + "\n\n" + credits.format("Karin Vos", "Jan Peeters", "Omar Haddad", "Eva Lindqvist")
    assert substitution_slots(two, one) == 0
    assert _relation(two, one) is Relation.NEAR_DUPLICATE


def test_a_rewritten_sentence_is_no_slot() -> None:
    """A run longer than ``SLOT_WORDS`` replaced is rewritten text, not a name or a figure filled in."""
    rewritten = BRIEF.replace("said engineer Helena Okafor", "according to a statement from Nordgrid's CEO")
    assert substitution_slots(rewritten, BRIEF) == 0


def _events(store: Store) -> list[StoryEvent]:
    with store.session() as session:
        return list(session.scalars(select(StoryEvent).where(StoryEvent.event == "not_a_copy")))


@pytest.mark.parametrize("batched", [False, True])
def test_the_second_brief_is_a_story_of_its_own_linked_as_templated(store: Store, batched: bool) -> None:
    """Before: ``other`` joined ``brief``'s story as its near-duplicate."""
    brief, other = ingest(Pipeline(store), ["brief", "other"], batched, TEXTS)
    assert brief.outcome is other.outcome is Outcome.STORED
    assert brief.story_id != other.story_id
    [link] = _events(store)
    assert (link.url, link.other_url, link.rule) == (url("other"), url("brief"), Relation.TEMPLATED.value)
    assert (link.story_id, link.other_story_id) == (other.story_id, brief.story_id)


@pytest.mark.parametrize("batched", [False, True])
def test_copies_under_other_datelines_and_a_correction_still_join_the_brief(
    store: Store, batched: bool
) -> None:
    decisions = ingest(
        Pipeline(store), ["brief", "ap-copy", "reuters-copy", "corrected", "other"], batched, TEXTS
    )
    brief, *copies, other = decisions
    assert brief.outcome is Outcome.STORED
    assert {copy.story_id for copy in copies} == {brief.story_id}  # a copy, or its fuller copy (Reuters)
    assert [copy.rule for copy in copies] == ["near_duplicate", "fuller_copy", "near_duplicate"]
    assert other.outcome is Outcome.STORED and other.story_id != brief.story_id
