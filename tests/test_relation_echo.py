"""A local story whose own lead echoes the wire story's lead: the same sentence with another place, day
or name (``worker.relation._echoed_start``), and a local story just over the new-material line.

The lead sketches of such a local story and of the wire story it quotes share three or more shingles, so
they read as one start, and the local story arriving after the wire story was taken for its fuller copy:
the local reporting was lost. A desk's dateline or headline glued before the lead shifts the lead by a
few words and must still read as the same start.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.test_relation import LOCAL_REST  # the same local reporting, so both files test one story
from worker.fingerprint import shingle_hashes, signature, tokens
from worker.pipeline import Pipeline
from worker.relation import NEW_MATERIAL, SAME_START, Relation, TextProbe, judge
from worker.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "dedup" / "port_strike.txt"
ECHO_LEAD = (
    "Crane operators in Antwerp walked off the job on Tuesday in the afternoon to back their Dutch "
    "colleagues, leaving trucks queuing for hours outside the Belgian terminals."
)


def _wire() -> str:
    return FIXTURE.read_text(encoding="utf-8").strip()


def _echo_local() -> str:
    """The local lead, the whole wire story, then the local reporting: about a third of it new."""
    return "\n\n".join([ECHO_LEAD, _wire(), *LOCAL_REST])


def _dateline_fuller_copy() -> str:
    """The wire story under a dateline, with a trimmed stored copy to be fuller than (see below)."""
    return "ROTTERDAM, Netherlands (Reuters) - " + _wire()


def _trim() -> str:
    return "\n\n".join(_wire().split("\n\n")[:5])


def _verdict(new_text: str, old_text: str, probe: bool = True) -> Relation | None:
    new, old = signature(new_text), signature(old_text)
    verdict = judge(new, old, new.equal_count(old), 0.5, TextProbe(new_text) if probe else None)
    return verdict.relation if verdict else None


def test_the_echoed_lead_shares_enough_lead_shingles_to_read_as_the_same_start() -> None:
    """The premise: the lead sketches alone cannot tell this local lead from a shifted wire lead."""
    a, b = signature(_echo_local()).lead, signature(_wire()).lead
    assert a is not None and b is not None
    assert np.intersect1d(a, b).size >= SAME_START


def test_a_local_story_with_an_echoed_lead_embeds_the_wire_story() -> None:
    """Before: ``fuller_copy`` (it would have replaced the wire story as its representative)."""
    assert _verdict(_echo_local(), _wire()) is Relation.EMBEDS


def test_a_dateline_before_the_lead_is_still_the_same_start() -> None:
    """A shift of a few words is what the lead sketch's overlap allows: the fuller copy stays one."""
    assert _verdict(_dateline_fuller_copy(), _trim()) is Relation.FULLER
    assert _verdict(_trim(), _dateline_fuller_copy()) is Relation.CONTAINED


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    store = Store(f"sqlite:///{tmp_path / 'echo.db'}")
    store.upgrade()
    yield Pipeline(store, threshold=0.5)
    store.dispose()


def test_the_local_story_arriving_after_the_wire_story_is_stored_apart(pipeline: Pipeline) -> None:
    """Only this order is read (see ``_echoed_start``): the wire story arriving second still joins."""
    items = [("https://wire.example/strike", _wire()), ("https://local.example/queues", _echo_local())]
    first, second = (pipeline.ingest_item({"url": url, "title": None, "text": text}) for url, text in items)
    assert first.outcome.value == "stored" and second.outcome.value == "stored"
    assert first.story_id != second.story_id


def _dated_trim() -> str:
    """A trim of the wire story under a byline and place run into its first line."""
    return "By Anna de Vries, Rotterdam \u2014 " + _trim()


def test_a_trim_with_a_dateline_of_its_own_still_joins_the_stored_wire_story() -> None:
    """The inner text's lead is the shifted one here: the leads share the run at the end of its window."""
    assert _verdict(_dated_trim(), _wire()) is Relation.CONTAINED
    assert _verdict(_wire(), _dated_trim()) is Relation.FULLER


def _headline_wrapped_copy() -> str:
    """The wire story hard-wrapped with its headline run into the first line (nine words before its lead)."""
    text = "Rotterdam dock strike halts container traffic at busiest port " + _wire()
    return "\n".join(text.split("\n\n"))


def test_a_dated_trim_arriving_after_a_copy_with_its_headline_run_in_still_joins_it() -> None:
    """Both leads are shifted, by different prefixes: the shared run sits in the middle of both windows,
    as an echo's would, but the trim's own dateline is not in the stored copy, so it is no echo."""
    assert _verdict(_dated_trim(), _headline_wrapped_copy()) is Relation.CONTAINED


# ------------------------------------------------------- new material measured on the new text

HAULIERS_LEAD = (
    "Hauliers in the Antwerp suburbs of Zwijndrecht and Kallo said on Tuesday that their trucks were queuing "
    "for up to nine hours as cargo diverted from Rotterdam began to arrive at the Belgian port."
)


def _local_at_the_line(words: int = 150) -> str:
    """A local story whose own lead and reporting are just over 30% of its distinct shingles."""
    return "\n\n".join([HAULIERS_LEAD, _wire(), " ".join(" ".join(LOCAL_REST).split()[:words])])


def _exact_new_share(new_text: str, old_text: str) -> float:
    new, old = set(shingle_hashes(tokens(new_text)).tolist()), set(shingle_hashes(tokens(old_text)).tolist())
    return 1 - len(new & old) / len(new)


def test_the_new_share_read_off_the_new_text_is_exact_when_it_holds_the_stored_text() -> None:
    local, wire = _local_at_the_line(), _wire()
    measured = TextProbe(local).share_new(signature(wire))
    assert measured == pytest.approx(_exact_new_share(local, wire), abs=1e-9)


def test_a_local_story_just_over_the_new_material_line_embeds_the_wire_story() -> None:
    """The estimate from Jaccard and the two counts reads this local story (30.2% new) as 29.9% new, a
    fuller copy of the wire story; measured on its own text it is over the line. Before: ``fuller_copy``."""
    local, wire = signature(_local_at_the_line()), signature(_wire())
    estimate = judge(local, wire, local.equal_count(wire), 0.5)
    assert estimate is not None and 1 - estimate.contained_new < NEW_MATERIAL
    assert _exact_new_share(_local_at_the_line(), _wire()) >= NEW_MATERIAL
    assert _verdict(_local_at_the_line(), _wire()) is Relation.EMBEDS


NOTE = "Please note: this report will be updated as more information becomes available. "


def test_a_dated_copy_arriving_after_a_copy_under_a_note_run_into_its_first_line_joins_it() -> None:
    """Two datelines and notes of different lengths leave a run shared in the middle of both lead windows,
    which is what an echo leaves too; this order is left to the sketches (s7 v1 lost such a copy)."""
    noted = "\n".join((NOTE + _wire()).split("\n\n"))
    assert _verdict("DAEGU \u2014 " + _trim(), noted) is Relation.CONTAINED
