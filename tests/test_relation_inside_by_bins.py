"""A half trim whose Jaccard estimate puts it just under ``CONTAINED`` inside its story is read bin by bin
there (``worker.relation._inside_near_line``), so it still joins its story.

The story runs three wire stories' paragraphs together (19 paragraphs, a long piece); its trim keeps the
first eight under another wire's dateline: 42% of the story's shingles, all but the dateline's inside it.
A half trim's Jaccard with its story is as low as the share it keeps, where 128 equal values are off by
0.05 either way: here 39 equal values (0.305) give 0.795 inside, just under the line, and the pair was
unrelated, the trim stored as a story of its own. Read bin by bin it is 0.975 inside. Run on SQLite and
PostgreSQL, item by item and batched, in both arrival orders.
"""

from __future__ import annotations

import pytest

from tests import test_story_merge as merge_cases
from worker.fingerprint import signature
from worker.pipeline import Outcome, Pipeline
from worker.relation import CONTAINED, SHARE_SLACK, Relation, TextProbe, bin_containment, judge
from worker.store import Store

STORY = (
    merge_cases._story("local-harbour") + merge_cases._story("wildfire") + merge_cases._story("rate-decision")
)
TEXTS = {
    "story": "\n\n".join(STORY),
    "trim": "OSLO (AP) -- " + "\n\n".join(STORY[:8]),
}


def _estimated_inside(inner: str, outer: str) -> float:
    a, b = signature(inner), signature(outer)
    assert a.size is not None and b.size is not None
    jaccard = a.equal_count(b) / a.num_perm
    return jaccard * (a.size + b.size) / (1 + jaccard) / a.size


def test_the_estimate_puts_the_trim_just_under_the_line_and_the_bins_over_it() -> None:
    """The premise: under the Jaccard threshold, and inside the story by the bins, not by the estimate."""
    trim, story = signature(TEXTS["trim"]), signature(TEXTS["story"])
    assert trim.equal_count(story) < trim.num_perm // 2
    assert CONTAINED - SHARE_SLACK <= _estimated_inside(TEXTS["trim"], TEXTS["story"]) < CONTAINED
    inside = bin_containment(trim, story)
    assert inside is not None and inside >= CONTAINED


def test_the_trim_is_read_as_a_trim_of_its_story_either_way() -> None:
    trim, story = signature(TEXTS["trim"]), signature(TEXTS["story"])
    verdict = judge(trim, story, trim.equal_count(story), 0.5, TextProbe(TEXTS["trim"]))
    assert verdict is not None and verdict.relation is Relation.CONTAINED
    reverse = judge(story, trim, story.equal_count(trim), 0.5, TextProbe(TEXTS["story"]))
    assert reverse is not None and reverse.relation is Relation.FULLER


def test_a_text_the_bins_put_under_the_line_stays_unrelated() -> None:
    """Only a pair the bins put inside is lifted: the story's other half shares none of the trim's text."""
    other = "\n\n".join(STORY[10:])
    trim, rest = signature(TEXTS["trim"]), signature(other)
    assert judge(trim, rest, trim.equal_count(rest), 0.5, TextProbe(TEXTS["trim"])) is None


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("order", [["story", "trim"], ["trim", "story"]])
def test_the_trim_and_its_story_end_in_one_story(store: Store, batched: bool, order: list[str]) -> None:
    """Before: the second of the two was stored as a story of its own. The trim joins the story; the
    story, arriving second, replaces its trim as the story's fuller copy."""
    first, second = merge_cases.ingest(Pipeline(store), order, batched, TEXTS)
    assert first.outcome is Outcome.STORED
    assert second.story_id == first.story_id
    expected = (Outcome.DUPLICATE, "contained") if order[1] == "trim" else (Outcome.STORED, "fuller_copy")
    assert (second.outcome, second.rule) == expected
