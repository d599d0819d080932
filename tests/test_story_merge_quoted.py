"""A copy of a wire story does not merge the wire story with the local story that quotes it whole
(``worker.relation.nested``, ``worker/story_merge.py``).

The local story opens with a lead of its own that retells the wire lead (its lead window shares three
shingles with the wire story's), quotes the wire story whole, then adds its own reporting; it is told
apart from the wire story by reading its text (``embeds``, either order). A copy of the wire story under a
dateline, or with a tagline, then arrives: it is a copy of the wire story, and, judged against the local
story's signature alone (the local text is not read for a merge), it also joins the local story, inside
which it lies. Sitting between the two, it was taken to show them to be one story and they were merged.
It holds nothing of the local story that the wire story lacks: it restates the wire story's relation to
the local story, which was decided on more evidence. Run on SQLite and PostgreSQL, item by item and
batched.
"""

from __future__ import annotations

import pytest

from tests import test_story_merge as merge_cases
from tests.test_relation_echo import _dateline_fuller_copy, _echo_local, _wire
from worker.fingerprint import signature
from worker.models import Story
from worker.pipeline import Outcome, Pipeline
from worker.relation import Relation, TextProbe, judge, nested
from worker.store import Store

TAGLINE = "This story was distributed by the Harbour Wire news service to its partner newspapers."
TEXTS = {
    "wire": _wire(),
    "local": _echo_local(),
    "dated": _dateline_fuller_copy(),  # the wire story under a dateline
    "tagged": _wire() + "\n\n" + TAGLINE,  # the wire story with a tagline
}


def _verdict(new: str, old: str) -> tuple[Relation, float, float]:
    a, b = signature(TEXTS[new]), signature(TEXTS[old])
    verdict = judge(a, b, a.equal_count(b), 0.5, TextProbe(TEXTS[new]))
    assert verdict is not None
    return verdict.relation, verdict.contained_new, verdict.contained_old


@pytest.mark.parametrize("copy", ["dated", "tagged"])
def test_the_copy_joins_both_stored_texts_but_holds_nothing_the_wire_story_lacks(copy: str) -> None:
    """The premise: from signatures the copy is a copy of both, and an edited copy of the wire story."""
    a, b = signature(TEXTS[copy]), signature(TEXTS["wire"])
    of_wire = judge(a, b, a.equal_count(b), 0.5, TextProbe(TEXTS[copy]))
    c = signature(TEXTS["local"])
    of_local = judge(a, c, a.equal_count(c), 0.5, TextProbe(TEXTS[copy]))
    assert of_wire is not None and of_wire.joins and of_local is not None and of_local.joins
    assert of_wire.contained_new >= 0.8 and of_wire.contained_old >= 0.8  # each inside the other
    assert of_local.contained_new >= 0.8  # inside the local story
    assert not nested(of_wire, of_local)
    relation, _, _ = _verdict("local", "wire")
    assert relation is Relation.EMBEDS  # the local story, read, is a story of its own


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("copy", ["dated", "tagged"])
@pytest.mark.parametrize("first", [["wire", "local"], ["local", "wire"]])
def test_a_copy_of_the_wire_story_leaves_the_local_story_apart(
    store: Store, batched: bool, copy: str, first: list[str]
) -> None:
    """Before (fails on main): the copy merged the local story's and the wire story's stories into one."""
    decisions = merge_cases.ingest(Pipeline(store), [*first, copy], batched, TEXTS)
    by_name = dict(zip([*first, copy], decisions, strict=True))
    assert by_name["wire"].outcome is by_name["local"].outcome is Outcome.STORED
    assert by_name[copy].outcome is Outcome.DUPLICATE
    assert by_name[copy].story_id == by_name["wire"].story_id != by_name["local"].story_id
    assert merge_cases.count(store, Story) == 2
    events = [event.event for event in merge_cases.events(store)]
    assert events == ["embeds"]


HEADLINE = "Dutch port strike strands ships in the North Sea"


def _hidden_lead_trim() -> str:
    """The wire story with its last three paragraphs cut, as a desk's feed hands it over: its headline
    run into the first line and the text hard-wrapped, so its lead sketch starts at the headline (the
    lead is hidden)."""
    words = " ".join([HEADLINE, *_wire().split("\n\n")[:8]]).split()
    return "\n".join(" ".join(words[i : i + 12]) for i in range(0, len(words), 12)) + "\n"


@pytest.mark.parametrize("batched", [False, True])
def test_the_wire_story_after_its_trim_leaves_the_local_story_that_quotes_it_apart(
    store: Store, batched: bool
) -> None:
    """The local story is stored first; a trim of the wire story with a hidden lead arrives, inside the
    local story, and is stored as a story of its own (``embedded``); the wire story then arrives, fuller
    than the trim (so it joins the trim's story) and, by signatures, a copy of the local story too, which
    holds it whole. The local story's text shows it quoting the wire story after its own lead, as it
    does when the wire story arrives with no trim stored (``QuotedWhole``), so the item shows no two
    stories to be one. Before (fails on main): the wire story merged the local story's story and the
    trim's into one, the local story its representative."""
    texts = {"local": _echo_local(), "trim": _hidden_lead_trim(), "wire": _wire()}
    names = ["local", "trim", "wire"]
    decisions = dict(zip(names, merge_cases.ingest(Pipeline(store), names, batched, texts), strict=True))
    assert decisions["local"].outcome is decisions["trim"].outcome is Outcome.STORED
    assert decisions["trim"].story_id != decisions["local"].story_id
    assert decisions["wire"].story_id == decisions["trim"].story_id != decisions["local"].story_id
    assert merge_cases.count(store, Story) == 2
    assert "stories_merged" not in [event.event for event in merge_cases.events(store)]
