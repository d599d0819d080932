"""A headline that repeats words of the lead does not hide where the lead starts (``TextProbe.lead_at``).

Headlines are cut from their lead's words ("Port staff walked off the job on Tuesday" over "Dock workers
in Rotterdam walked off the job on Tuesday ..."). A headline holding six of the lead's words in a row holds
one of its lead's shingles before the lead. The probe took the first such shingle for the lead's start,
found the window from there was not the lead, and so found no lead at all: the original, arriving after
its trimmed copy under an editor's note (the copy's lead hidden by the note), could not show its lead
inside the copy, read as a new story embedding it, and was stored apart.
"""

from __future__ import annotations

import pytest

from tests import test_story_merge as merge_cases
from tests.test_relation_echo import _wire
from worker.fingerprint import signature
from worker.pipeline import Outcome, Pipeline
from worker.relation import Relation, TextProbe, judge
from worker.store import Store

PARAGRAPHS = _wire().split("\n\n")
HEADLINE = "Port staff walked off the job on Tuesday"
NOTE = "UPDATED with reaction from the employers and the port authority throughout this story."
TEXTS = {
    "original": "\n\n".join([HEADLINE, *PARAGRAPHS]),
    "copy": " ".join([HEADLINE, NOTE, *PARAGRAPHS[:7]]),  # run into one block, its lead behind the note
}


def test_the_lead_is_found_after_a_headline_that_repeats_it() -> None:
    """Before (fails on main): no lead found (None)."""
    text = TEXTS["original"]
    assert TextProbe(text).lead_at(signature(text)) == len(HEADLINE.split())


def test_the_original_is_the_fuller_copy_of_its_noted_trim() -> None:
    """Before (fails on main): ``embeds`` (a new story around the copy)."""
    new, old = signature(TEXTS["original"]), signature(TEXTS["copy"])
    verdict = judge(new, old, new.equal_count(old), 0.5, TextProbe(TEXTS["original"]))
    assert verdict is not None and verdict.relation is Relation.FULLER


@pytest.mark.parametrize("batched", [False, True])
def test_the_original_after_its_noted_trim_joins_its_story(store: Store, batched: bool) -> None:
    """Before (fails on main): two stories, linked ``embeds``."""
    copy, original = merge_cases.ingest(Pipeline(store), ["copy", "original"], batched, TEXTS)
    assert copy.outcome is Outcome.STORED
    assert original.story_id == copy.story_id
