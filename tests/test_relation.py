"""The story judge on copies whose lead is hidden by what a desk glued before it, and on local stories
that quote a wire story: what ``worker.relation`` and ``worker.rules`` must tell apart.

The wire story is a real-looking text (``tests/fixtures/dedup/port_strike.txt``); copies are made from it
the way desks make them: a headline run into the first line of a hard-wrapped text, an editor's note,
a trimmed tail.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from worker.fingerprint import signature
from worker.relation import SAME_START, Relation, judge

FIXTURE = Path(__file__).parent / "fixtures" / "dedup" / "port_strike.txt"
HEADLINE = "Rotterdam dock strike halts container traffic"
LOCAL_LEAD = (
    "Hauliers in the Antwerp suburbs of Zwijndrecht and Kallo said on Tuesday that their trucks were queuing "
    "for up to nine hours as cargo diverted from Rotterdam began to arrive at the Belgian port."
)
LOCAL_REST = [
    "Jan Peeters, who runs a fleet of 40 trucks from a depot near the Liefkenshoek tunnel, said his drivers "
    'had been told to expect the same delays for the rest of the week. "We cannot plan anything," he said.',
    "The Antwerp-Bruges port authority said it had opened two extra berths at the Deurganck dock and asked "
    "shipping lines to book slots in advance. A spokesman said volumes were up by a fifth on a normal Tuesday.",
    "Local police closed a slip road off the E34 motorway in the afternoon to keep the queue from blocking "
    "the ring road, and the mayor of Beveren, Marc Van de Vijver, called for a temporary truck park.",
    "Customs officers at Antwerp said they had brought in staff from Zeebrugge and Ghent to process the "
    "extra containers, most of them carrying car parts and consumer electronics bound for Germany.",
    "Residents of Kallo complained about noise from trucks idling through the night on the village's only "
    "through road, and the municipal council will discuss a night-time ban at its meeting on Monday.",
    "Transport federation Febetra said its members had lost about 300,000 euros in waiting time in a single "
    "day and asked the Flemish government to compensate firms if the strike in the Netherlands is extended.",
]


def _paragraphs() -> list[str]:
    return FIXTURE.read_text(encoding="utf-8").strip().split("\n\n")


def _reflow(text: str, width: int = 72) -> str:
    """Hard-wrapped plain text, as some wire feeds deliver it: paragraph breaks and headline line lost."""
    return "\n".join(textwrap.wrap(" ".join(text.split()), width)) + "\n"


def _original() -> str:
    return HEADLINE + "\n\n" + "\n\n".join(_paragraphs())


def _trimmed(paragraphs: int = 7) -> str:
    return "\n\n".join(_paragraphs()[:paragraphs])


def _local_story() -> str:
    """A local story: its own lead, the whole wire story quoted, then as much local reporting again."""
    return "\n\n".join([LOCAL_LEAD, *_paragraphs(), *LOCAL_REST])


def _shared_lead(a_text: str, b_text: str) -> int:
    """Shingles the two texts' leads share (the sketches hold a lead's 15 shingles whole)."""
    a, b = signature(a_text).lead, signature(b_text).lead
    assert a is not None and b is not None
    return int(np.intersect1d(a, b).size)


def _verdict(new_text: str, old_text: str) -> Relation | None:
    new, old = signature(new_text), signature(old_text)
    verdict = judge(new, old, new.equal_count(old), 0.5)
    return verdict.relation if verdict else None


# ------------------------------------------------------------------------------------------- leads


def test_a_note_run_into_a_wrapped_copys_first_line_still_starts_like_the_story() -> None:
    """Headline and a one-line note glued before the lead shift it by 12 words: three of its 15 shingles
    are still shared. The estimated Jaccard of the two lead sketches put such pairs on either side of its
    line at random (here below it: the copy was judged a whole story quoted in the original, not joined)."""
    copy = _reflow(f"{HEADLINE} Refiles to add byline and photos.\n\n{_trimmed()}")
    assert _shared_lead(copy, _original()) == SAME_START == 3
    assert _verdict(copy, _original()) in (Relation.NEAR_DUPLICATE, Relation.CONTAINED)


def test_a_local_lead_sentence_before_a_quoted_wire_story_is_not_the_same_start() -> None:
    """The rule that lets a shifted lead join must not let a local story's own lead join the wire story."""
    assert _shared_lead(_local_story(), _original()) < SAME_START
    assert _verdict(_local_story(), _original()) is Relation.EMBEDS
    assert _verdict(_original(), _local_story()) is Relation.EMBEDDED
