"""Briefs cut from one template whose fixed text holds figures and names of its own: what differs between
them is what ``worker.relation`` must read, not how much they share.

The frame below is a road-closure brief as a news agency files dozens of a day: the agency's name, a radio
station, a 24-hour travel line and a weekday sit in every brief, so two briefs about different roads agree
on more than half their salient tokens (names, places, figures) and share two-thirds of their shingles.
"""

from __future__ import annotations

from worker.fingerprint import signature
from worker.relation import (
    SALIENT_AGREEMENT,
    SLOT_AGREEMENT,
    SLOT_SPACING,
    SLOTS,
    Relation,
    TextProbe,
    _interior_differences,
    _salient_agreement,
    judge,
)

FRAME = (
    "Police closed the {road} between junctions {j} and {k} on Tuesday evening after a lorry overturned and "
    "spilled its load of timber across all three lanes of the carriageway, National Highways said in a "
    "statement published on its website and read out on BBC Radio Leeds. The driver, a man from {town}, was "
    "not hurt. Recovery crews worked through the night to clear the debris, and the agency said the road "
    "would stay closed for at least {h} hours while the surface was repaired and a damaged crash barrier "
    "was replaced by engineers. Drivers were advised to follow the signed diversion and to allow an extra "
    "{m} minutes for their journeys, and the agency thanked road users for their patience and gave its "
    "24-hour travel line, 0300 123 5000, for updates."
)
BRIEF = FRAME.format(road="M62", j=24, k=25, town="Huddersfield", h=6, m=45)
OTHER = FRAME.format(road="M1", j=31, k=32, town="Castleford", h=9, m=30)
COPY = f"LEEDS (PA) - {BRIEF}\n\nReporting by Jane Holt; editing by Tom Reyes."


def _relation(new_text: str, old_text: str) -> Relation | None:
    new, old = signature(new_text), signature(old_text)
    verdict = judge(new, old, new.equal_count(old), 0.5, TextProbe(new_text))
    return verdict.relation if verdict else None


def test_the_two_briefs_agree_on_more_than_half_their_salient_tokens() -> None:
    """The premise: the salient check alone reads them as one story (what let lottery briefs merge)."""
    new, old = signature(OTHER), signature(BRIEF)
    agreement = _salient_agreement(new, old)
    assert agreement is not None and SALIENT_AGREEMENT <= agreement < SLOT_AGREEMENT
    assert new.equal_count(old) / new.num_perm >= 0.5


def test_the_briefs_differ_at_three_places_inside_the_text() -> None:
    """The town, the hours and the minutes: each between stretches of the template's own words (the road
    and junctions open the text, an edge)."""
    places = _interior_differences(TextProbe(OTHER), signature(BRIEF))
    assert places == SLOTS
    assert places * SLOT_SPACING >= TextProbe(OTHER).shingles.size


def test_two_briefs_of_one_template_are_different_stories_either_way() -> None:
    assert _relation(OTHER, BRIEF) is Relation.TEMPLATED
    assert _relation(BRIEF, OTHER) is Relation.TEMPLATED


def test_a_copy_of_a_brief_with_a_dateline_and_credits_still_joins_it() -> None:
    """A copy differs at its edges only: the slot rule must not split it from the brief, either way."""
    assert _interior_differences(TextProbe(COPY), signature(BRIEF)) == 0
    assert _relation(COPY, BRIEF) is Relation.NEAR_DUPLICATE
    assert _relation(BRIEF, COPY) is Relation.NEAR_DUPLICATE


def test_a_copy_edited_in_one_place_is_not_read_as_a_template() -> None:
    edited = BRIEF.replace("was not hurt", "escaped without injury")
    assert _interior_differences(TextProbe(edited), signature(BRIEF)) == 1
    assert _relation(edited, BRIEF) is Relation.NEAR_DUPLICATE
