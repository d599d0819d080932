"""A trimmed copy under a long editor's note, with a line added after it, is a copy of its original, not
another story around a shared text (``worker.relation._edges_edited``).

The note is a sentence long enough to read as the copy's lead, so the two texts start apart; the note,
the headline and the line after the story are a fifth of the copy, and the trim cut a fifth of the
original, so neither lies inside the other. The judge read them as two stories around one shared text
(``overlaps``), as it reads a local story quoting a wire story beside that wire story's update. But the
copy has all its own words at its edges, keeps the original's lead, and is under a third its own: no
story of its own.
"""

from __future__ import annotations

import pytest

from tests import test_story_merge as merge_cases
from tests.test_relation_echo import _wire
from worker.fingerprint import signature
from worker.pipeline import Outcome, Pipeline
from worker.relation import CONTAINED, Relation, TextProbe, judge
from worker.store import Store

PARAGRAPHS = _wire().split("\n\n")
NOTE = "The following story was first published in our morning newsletter, sign up to receive it every day."
CORRECTION = "Correction: an earlier version of this story gave the wrong day for the start of the strike."
TEXTS = {
    "original": "\n\n".join(PARAGRAPHS[:5]),
    "copy": "\n\n".join(["Port strike halts container traffic", NOTE, *PARAGRAPHS[:4], CORRECTION]),
}


def _verdict(new: str, old: str) -> tuple[Relation, float, float]:
    a, b = signature(TEXTS[new]), signature(TEXTS[old])
    verdict = judge(a, b, a.equal_count(b), 0.5, TextProbe(TEXTS[new]))
    assert verdict is not None
    return verdict.relation, verdict.contained_new, verdict.contained_old


@pytest.mark.parametrize(("new", "old"), [("copy", "original"), ("original", "copy")])
def test_the_noted_trimmed_copy_is_a_copy_of_its_original(new: str, old: str) -> None:
    """Before (fails on main): ``overlaps`` both ways. Neither lies inside the other (the premise)."""
    relation, contained_new, contained_old = _verdict(new, old)
    assert contained_new < CONTAINED and contained_old < CONTAINED
    assert relation is Relation.NEAR_DUPLICATE


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("order", [["copy", "original"], ["original", "copy"]])
def test_the_copy_and_the_original_are_one_story(store: Store, batched: bool, order: list[str]) -> None:
    """Before (fails on main): two stories."""
    first, second = merge_cases.ingest(Pipeline(store), order, batched, TEXTS)
    assert first.outcome is Outcome.STORED
    assert second.outcome is Outcome.DUPLICATE and second.story_id == first.story_id
