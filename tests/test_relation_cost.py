"""The judge's text-reading rules skip work that cannot change their answer.

- A text whose words (normal form) are one run of the other's, a trim or a text added to whole, aligns
  as that run between two edges: ``words_inside`` is 1 and ``substitution_slots`` 0 without the word
  alignment (``worker.relation._one_inside``). Checked against the alignment itself, forced.
- ``QuotedWhole`` reads the stored text only when the item's lead may lie whole in it: a lead shingle
  the stored MinHash shows absent (``lead_shown_absent``) rules that out, for a trim under a dateline of
  its own; a wire story quoted whole in a stored local story shows none absent, and the rule still
  reads (and fires: ``tests/test_relation_echo.py``).
"""

from __future__ import annotations

import pytest

from tests.test_relation_echo import _echo_local, _trim, _wire
from tests.test_story_merge import FULL, NOTE
from worker import relation
from worker.fingerprint import signature
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
