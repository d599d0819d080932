"""A trimmed copy of a text with few names of its own, under a desk's credit line, is a copy, not another
filling of a template (``worker.relation._templated_at``).

An essay or a blog post names almost nobody, so the names and figures of a copy of it are mostly those of
the credit line or dateline a desk added: the copy then shares under half of its salient tokens with the
original, and the judge read the pair as two briefs of one template (stored apart, linked ``templated``).
A copy wholly inside the original but for its edges differs from it at no place inside its text; two
briefs of one template differ at every slot, between shared words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import test_story_merge as merge_cases
from worker.fingerprint import signature
from worker.pipeline import Outcome, Pipeline
from worker.relation import SALIENT_AGREEMENT, Relation, TextProbe, _salient_agreement, judge
from worker.store import Store

ESSAY = (
    (Path(__file__).parent / "fixtures" / "dedup" / "slow_cooking.txt").read_text(encoding="utf-8").strip()
)
CREDIT = (
    "Reporting by Julia Vargas in Lisbon and Henrik Dubois in Oslo; editing by Tomasz Nowak for the "
    "Northern Press Agency, 14 March 2024."
)
TEXTS = {
    "original": ESSAY,
    "trim": "\n\n".join([*ESSAY.split("\n\n")[:6], CREDIT]),  # its first six paragraphs, then the credit
}


def _verdict(new: str, old: str) -> Relation:
    a, b = signature(TEXTS[new]), signature(TEXTS[old])
    verdict = judge(a, b, a.equal_count(b), 0.5, TextProbe(TEXTS[new]))
    assert verdict is not None
    return verdict.relation


def test_the_copy_shares_few_of_its_names_with_the_original() -> None:
    """The premise: the credit line's names and figures are most of the copy's salient tokens."""
    agreement = _salient_agreement(signature(TEXTS["trim"]), signature(TEXTS["original"]))
    assert agreement is not None and agreement < SALIENT_AGREEMENT


def test_the_trim_is_inside_the_original_and_the_original_its_fuller_copy() -> None:
    """Before (fails on main): ``templated`` both ways."""
    assert _verdict("trim", "original") is Relation.NEAR_DUPLICATE
    assert _verdict("original", "trim") is Relation.FULLER


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("order", [["trim", "original"], ["original", "trim"]])
def test_the_trim_and_the_original_are_one_story(store: Store, batched: bool, order: list[str]) -> None:
    """Before (fails on main): two stories, linked as templated briefs."""
    first, second = merge_cases.ingest(Pipeline(store), order, batched, TEXTS)
    assert first.outcome is Outcome.STORED
    assert second.story_id == first.story_id
    assert "templated" not in [event.event for event in merge_cases.events(store)]
