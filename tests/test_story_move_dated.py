"""A dated trim that holds more of its story than a major update kept moves to the story when it arrives,
even where the count of equal MinHash values puts it closer to the update (``worker.story_move``).

The trim is the story's first seven paragraphs under a dateline; the update kept the first five and added
four paragraphs of other news. The trim arrives first (the update replaces it as its fuller copy) or after
the update (it joins it); then the original arrives, stored as a story of its own. The trim lies wholly
inside the original and holds two paragraphs the update lacks (read bin by bin, 1.0 against 0.78), but
the equal values give it the higher Jaccard with the update (69 against 65 of 128, sd about 5), so it was
left there. Read from its share inside each and the shingle counts, its Jaccard is higher with the
original (0.53 against 0.51): it moves. Run on SQLite and PostgreSQL, item by item and batched.
"""

from __future__ import annotations

import pytest

from tests import test_story_merge as merge_cases
from tests.test_story_merge import FULL
from tests.test_story_move import events, story_of
from worker.fingerprint import signature
from worker.pipeline import Outcome, Pipeline
from worker.relation import bin_containment
from worker.store import Store
from worker.story_move import _bin_jaccard, better_home

NEWS = merge_cases._story("rate-decision")
TEXTS = {
    "original": "\n\n".join(FULL),
    "update": "\n\n".join(FULL[:5] + NEWS[2:6]),  # five paragraphs kept, four of other news after them
    "trim": "PORTO (Wire) -- " + "\n\n".join(FULL[:7]),  # past the update's kept part, under a dateline
}


def test_the_equal_values_put_the_trim_closer_to_the_update_than_its_shares_do() -> None:
    """The premise, and the verdict on the two homes."""
    trim, original, update = (signature(TEXTS[name]) for name in ("trim", "original", "update"))
    inside_original, inside_update = bin_containment(trim, original), bin_containment(trim, update)
    assert inside_original is not None and inside_update is not None
    assert inside_original > inside_update + 0.1
    assert trim.equal_count(original) < trim.equal_count(update)
    assert better_home(trim, original, update, 0.5) is not None


FAR = {
    # The story runs on (four more paragraphs), so it is well over twice the trim's length; the update kept
    # its first five paragraphs and added six of other news, just over half of it.
    "original": "\n\n".join(FULL + merge_cases._story("local-harbour")[:4]),
    "update": "\n\n".join(FULL[:5] + NEWS[:6]),
    "trim": "PORTO (Wire) -- " + "\n\n".join(FULL[:6]),  # one paragraph past the update's kept part
}


def test_a_trim_missing_a_tenth_from_the_update_is_closer_to_the_original_whatever_the_jaccard() -> None:
    """The premise: the trim lies wholly inside the original and a sixth of it is missing from the update,
    yet it has the higher Jaccard with the update, which is much the smaller text."""
    trim, original, update = (signature(FAR[name]) for name in ("trim", "original", "update"))
    inside_original, inside_update = bin_containment(trim, original), bin_containment(trim, update)
    assert inside_original == 1.0 and inside_update is not None and inside_update < 0.9
    assert _bin_jaccard(trim, original, inside_original) < _bin_jaccard(trim, update, inside_update)
    assert better_home(trim, original, update, 0.5) is not None


@pytest.mark.parametrize("texts", [TEXTS, FAR], ids=["near", "far"])
@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("first", [["trim", "update"], ["update", "trim"]])
def test_the_dated_trim_moves_to_the_original(
    store: Store, batched: bool, first: list[str], texts: dict[str, str]
) -> None:
    """Before (fails on main): the trim stayed in the update's story (for ``FAR``, the Jaccard kept it
    there)."""
    decisions = merge_cases.ingest(Pipeline(store), [*first, "original"], batched, texts)
    original = decisions[-1]
    assert original.outcome is Outcome.STORED
    assert story_of(store, "trim") == original.story_id != story_of(store, "update")
    [moved] = events(store, "copy_moved")
    assert (moved.story_id, moved.url) == (original.story_id, merge_cases.url("trim"))
