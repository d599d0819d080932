"""A local story quoting a wire story whole, whose own reporting repeats its desk's stock sentences: 40%
of its words are new, but only 27% of its distinct 6-word shingles, under the 30% new-material line
(``worker.rules.NewInWords``).

The local roundup (``tests/fixtures/dedup/port_strike_roundup.txt``) opens with a lead of its own, then
quotes the wire story (``port_strike.txt``), then lists each terminal's waiting time in one sentence frame.
Read from the two signatures it is the wire story's fuller copy: arriving second it replaced the wire story
as its representative, arriving first it took the wire story in as its trim. Counted in words, as the line
means it, it is a story of its own, linked to the wire story. A copy that starts like the wire story and
adds the same words after it is still the wire story's fuller copy. Run on SQLite and PostgreSQL, item by
item and batched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import test_story_merge as merge_cases
from tests.test_story_merge import url
from worker.decision import Decision
from worker.fingerprint import shingle_hashes, signature, tokens
from worker.models import StoryEvent
from worker.pipeline import Outcome, Pipeline
from worker.relation import NEW_MATERIAL, SHARE_SLACK, Relation, TextProbe, judge, starts_apart, words_inside
from worker.store import Store

DEDUP = Path(__file__).parent / "fixtures" / "dedup"
WIRE = (DEDUP / "port_strike.txt").read_text(encoding="utf-8").strip()
LEAD, *ROUNDUP = (DEDUP / "port_strike_roundup.txt").read_text(encoding="utf-8").strip().split("\n\n")
TEXTS = {
    "wire": WIRE,
    "local": "\n\n".join([LEAD, WIRE, *ROUNDUP]),  # a lead of its own, the wire story, the roundup
    "fuller": "\n\n".join([WIRE, *ROUNDUP]),  # the wire story's lead kept, the same words added after it
}


def _exact_new_share(new_text: str, old_text: str) -> float:
    new, old = set(shingle_hashes(tokens(new_text)).tolist()), set(shingle_hashes(tokens(old_text)).tolist())
    return 1 - len(new & old) / len(new)


def test_the_local_story_reads_as_a_fuller_copy_from_its_shingles_but_not_its_words() -> None:
    """The premise: under the line in shingles (estimated and exact), near it, over it in words."""
    new, old = signature(TEXTS["local"]), signature(WIRE)
    probe = TextProbe(TEXTS["local"])
    verdict = judge(new, old, new.equal_count(old), 0.5, probe)
    assert verdict is not None and verdict.relation is Relation.FULLER
    assert NEW_MATERIAL - SHARE_SLACK <= 1 - verdict.contained_new < NEW_MATERIAL
    assert _exact_new_share(TEXTS["local"], WIRE) < NEW_MATERIAL
    assert starts_apart(probe, new, old)
    assert 1 - words_inside(TEXTS["local"], WIRE) >= NEW_MATERIAL


def test_the_fuller_copy_starts_like_the_wire_story() -> None:
    new, old = signature(TEXTS["fuller"]), signature(WIRE)
    assert not starts_apart(TextProbe(TEXTS["fuller"]), new, old)
    assert 1 - words_inside(TEXTS["fuller"], WIRE) >= NEW_MATERIAL  # as much new in words: the start decides


def _embeds(store: Store) -> list[StoryEvent]:
    return [event for event in merge_cases.events(store) if event.event == "embeds"]


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("order", [["wire", "local"], ["local", "wire"]])
def test_a_local_story_new_in_words_is_a_story_of_its_own_linked_to_the_wire_story(
    store: Store, batched: bool, order: list[str]
) -> None:
    """Before (fails on main): the local story replaced the wire story as its fuller copy (wire first), or
    the wire story joined the local story as its trim (local first): one story."""
    assert_apart_and_linked(store, merge_cases.ingest(Pipeline(store), order, batched, TEXTS), order, "local")


def assert_apart_and_linked(store: Store, decisions: list[Decision], order: list[str], outer: str) -> None:
    """Two items stored as stories of their own, one ``embeds`` row naming the outer text and the inner
    one, by the rule of the order they came in (the outer one last: ``embeds``; first: ``embedded``)."""
    first, second = decisions
    assert first.outcome is second.outcome is Outcome.STORED
    assert first.story_id != second.story_id
    [link] = _embeds(store)
    inner = next(name for name in order if name != outer)
    rule = Relation.EMBEDS if order[1] == outer else Relation.EMBEDDED
    assert (link.url, link.other_url, link.rule) == (url(outer), url(inner), rule.value)


@pytest.mark.parametrize("batched", [False, True])
def test_a_fuller_copy_adding_the_same_words_still_replaces_the_wire_story(
    store: Store, batched: bool
) -> None:
    wire, fuller = merge_cases.ingest(Pipeline(store), ["wire", "fuller"], batched, TEXTS)
    assert fuller.outcome is Outcome.STORED and fuller.rule == Relation.FULLER.value
    assert fuller.story_id == wire.story_id
    assert _embeds(store) == []
