"""Whether the smaller text covers a third of the larger (``MIN_COVER``: under it, one is a new story
around the other, not its trim) is read from the two one-permutation MinHashes near that line, not from
the estimate that Jaccard and the two shingle counts give (``worker.relation._cover``).

The story is the port-strike wire story (seven paragraphs); its trim keeps the first three (47% of its
words), and a major update keeps the first four and adds five paragraphs of other news (more than half
of it new). The trim lies wholly inside the update's kept part, where it covers 0.328 of the update's
shingles, and the estimate reads 0.351: so the trim, arriving after the update, joined it as its trim,
and the story, arriving last, found its trim in another story and stayed apart from it (a copy wholly
inside two texts ties on containment, and a tie keeps the copy where it joined). Read bin by bin the trim
is wholly inside the update (exactly 1), and covers 0.328 of it: not its trim. Run on SQLite and
PostgreSQL, item by item and batched.
"""

from __future__ import annotations

import pytest

from tests import test_story_merge as merge_cases
from tests.test_story_merge import FULL
from worker.fingerprint import signature
from worker.pipeline import Outcome, Pipeline
from worker.relation import MIN_COVER, Relation, TextProbe, bin_containment, judge
from worker.store import Store

NEWS = merge_cases._story("rate-decision") + merge_cases._story("local-harbour")
STORY = FULL[:7]  # the port-strike story, 286 words
TEXTS = {
    "story": "\n\n".join(STORY),
    "trim": "\n\n".join(STORY[:3]),  # its first three paragraphs: a half trim
    "update": "\n\n".join(STORY[:4] + NEWS[:5]),  # its first four paragraphs, and more new than kept
    "long-trim": "\n\n".join(FULL[:5]),  # a trim wholly inside the longer story below
    "long-story": "\n\n".join(FULL[:9] + NEWS[:7]),
}


def _estimated_cover(inner: str, outer: str) -> tuple[float, float]:
    """The estimate from Jaccard and the counts, and the share read bin by bin, of ``outer`` covered."""
    a, b = signature(inner), signature(outer)
    assert a.size is not None and b.size is not None
    jaccard = a.equal_count(b) / a.num_perm
    estimate = jaccard * (a.size + b.size) / (1 + jaccard) / b.size
    inside = bin_containment(a, b)
    assert inside is not None
    return estimate, inside * a.size / b.size


def test_the_estimate_puts_the_trim_above_a_third_of_the_update_and_the_bins_below() -> None:
    """The premise, and the verdict: inside the update, but no trim of it (embedded, not contained)."""
    estimate, read = _estimated_cover(TEXTS["trim"], TEXTS["update"])
    assert estimate >= MIN_COVER > read
    new, old = signature(TEXTS["trim"]), signature(TEXTS["update"])
    assert bin_containment(new, old) == 1.0  # wholly inside: the share is the ratio of the counts
    verdict = judge(new, old, new.equal_count(old), 0.5, TextProbe(TEXTS["trim"]))
    assert verdict is not None and verdict.relation is Relation.EMBEDDED and not verdict.joins


def test_a_trim_the_estimate_puts_under_a_third_is_still_a_trim() -> None:
    """The other side of the line: a trim read at under a third that covers more is joined."""
    estimate, read = _estimated_cover(TEXTS["long-trim"], TEXTS["long-story"])
    assert read >= MIN_COVER > estimate
    new, old = signature(TEXTS["long-trim"]), signature(TEXTS["long-story"])
    verdict = judge(new, old, new.equal_count(old), 0.5, TextProbe(TEXTS["long-trim"]))
    assert verdict is not None and verdict.relation is Relation.CONTAINED and verdict.joins


def test_a_trim_still_joins_its_story() -> None:
    new, old = signature(TEXTS["trim"]), signature(TEXTS["story"])
    verdict = judge(new, old, new.equal_count(old), 0.5, TextProbe(TEXTS["trim"]))
    assert verdict is not None and verdict.joins


@pytest.mark.parametrize("batched", [False, True])
def test_a_trim_inside_an_update_ends_in_its_own_story(store: Store, batched: bool) -> None:
    """Before: the trim joined the update, and the story was stored apart from its trim."""
    update, trim, story = merge_cases.ingest(Pipeline(store), ["update", "trim", "story"], batched, TEXTS)
    assert update.outcome is Outcome.STORED
    assert trim.story_id != update.story_id
    assert story.story_id == trim.story_id != update.story_id
