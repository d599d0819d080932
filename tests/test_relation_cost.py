"""The judge's text-reading rules skip work that cannot change their answer.

- A text whose words (normal form) are one run of the other's, a trim or a text added to whole, aligns
  as that run between two edges: ``words_inside`` is 1 and ``substitution_slots`` 0 without the word
  alignment (``worker.relation._one_inside``). Checked against the alignment itself, forced.
- ``QuotedWhole`` reads the stored text only when the item's lead may lie whole in it: a lead shingle
  the stored MinHash shows absent (``lead_shown_absent``) rules that out, for a trim under a dateline of
  its own; a wire story quoted whole in a stored local story shows none absent, and the rule still
  reads (and fires: ``tests/test_relation_echo.py``).
- Where a lead starts is read on the text's first ``HEAD_CHARS`` characters; when the batch holds the
  whole text's words and the answers lie before the head's last chunk, they are taken from those
  (``TextProbe.head_reading``), not from the head tokenised again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.test_relation_echo import _echo_local, _trim, _wire
from tests.test_story_merge import FULL, NOTE
from worker import relation
from worker.fingerprint import Signature, signature
from worker.relation import TextProbe, lead_shown_absent, substitution_slots, words_inside

STORY = "\n\n".join(FULL)
PAIRS = {
    "trim": ("\n\n".join(FULL[:6]), STORY),
    "noted": (STORY, NOTE + "\n\n" + STORY),
    "dated trim": ("PORTO (Wire) -- " + "\n\n".join(FULL[:6]), STORY),
    "edited": (STORY.replace("Tuesday", "Wednesday", 1), STORY),
    "short": ("Strikers", STORY),
}


def _forced(monkeypatch: pytest.MonkeyPatch, inner: str, outer: str) -> tuple[float, int, int]:
    with monkeypatch.context() as patch:
        patch.setattr(relation, "_one_inside", lambda *_: False)
        return words_inside(inner, outer), substitution_slots(inner, outer), substitution_slots(outer, inner)


@pytest.mark.parametrize("case", sorted(PAIRS))
def test_the_shortcut_answers_as_the_word_alignment(monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    inner, outer = PAIRS[case]
    found = words_inside(inner, outer), substitution_slots(inner, outer), substitution_slots(outer, inner)
    assert found == _forced(monkeypatch, inner, outer)


def test_the_shortcut_is_taken_for_a_trim_and_a_text_added_to_whole() -> None:
    keys = [relation._chunk_keys(text.split(), text) for text in PAIRS["trim"]]
    assert relation._one_inside(keys[0], keys[1])
    keys = [relation._chunk_keys(text.split(), text) for text in PAIRS["noted"]]
    assert relation._one_inside(keys[0], keys[1]) and not relation._one_inside(keys[1], keys[0])
    keys = [relation._chunk_keys(text.split(), text) for text in PAIRS["dated trim"]]
    assert not relation._one_inside(keys[0], keys[1])  # the dateline's words: aligned as before
    assert not relation._one_inside(["a", "b"], ["ab"]) and relation._one_inside(["", "b"], ["a", "", "b"])


DATELINES = (
    "ROTTERDAM, Netherlands (Reuters) - ",
    "ROTTERDAM, Nov 30 (Reuters) - ",
    "THE HAGUE (AP) — ",
    "ROTTERDAM, Netherlands, Nov 30 (dpa) – ",
    "ANTWERP, Belgium (AFP) -- ",
    "Rotterdam, 30 November 2026 (Wire) - ",
)


def test_a_dated_trim_mostly_shows_its_lead_absent_from_the_wire_story() -> None:
    """Each word of a dateline puts a lead shingle outside the wire story, which the stored MinHash shows
    absent about two times in three (above its bin's value): a reading that may skip the text, never
    one that changes the answer. Most datelines of three words or more are shown."""
    old = signature(_wire())
    shown = [
        lead_shown_absent(TextProbe(text), signature(text), old) for text in (d + _trim() for d in DATELINES)
    ]
    assert sum(shown) >= len(shown) // 2


def test_a_wire_story_quoted_whole_shows_no_lead_shingle_absent() -> None:
    new, old = signature(_wire()), signature(_echo_local())
    assert not lead_shown_absent(TextProbe(_wire()), new, old)
    trim = _trim()
    assert not lead_shown_absent(TextProbe(trim), signature(trim), old)


def _held(text: str) -> TextProbe:
    """A probe whose whole text's words are read already, as the batch's are."""
    probe = TextProbe(text)
    _ = probe.shingles
    return probe


LONG = "\n\n".join(FULL + FULL[:4])  # longer than the head, so the head is a text of its own


@pytest.mark.parametrize("start", [0, 3, 20, 150, 176, 182, 186, 190, 300])
def test_the_head_read_off_the_whole_text_answers_as_the_head(start: int) -> None:
    """A stored lead that starts ``start`` words in: inside the head, across its cut, or past it. Where
    the whole text's answer lies before the head's last chunk it is taken; elsewhere the head is read."""
    words = LONG.split()
    new, old = signature(LONG), signature(" ".join(words[start : start + 60]))
    probe = _held(LONG)
    assert probe.head is not probe
    assert probe.head_reading(new, old) == (probe.head.lead_at(new), probe.head.window_at(old))


def test_the_head_is_not_tokenised_when_its_answer_lies_early(monkeypatch: pytest.MonkeyPatch) -> None:
    dated = "ROTTERDAM, Netherlands (Reuters) - " + LONG
    probe, new, old = _held(dated), signature(dated), signature(LONG)
    monkeypatch.setattr(TextProbe, "lead_at", _fails_on_the_head(TextProbe.lead_at))
    own, stored = probe.head_reading(new, old)
    assert own is not None and stored is not None and 0 < stored - own <= relation.LEAD_SHIFT


def _fails_on_the_head(lead_at: Callable[[TextProbe, Signature], int | None]) -> Any:
    def guarded(self: TextProbe, sig: Signature) -> int | None:
        assert len(self._given) != relation.HEAD_CHARS, "the head was tokenised"
        return lead_at(self, sig)

    return guarded
