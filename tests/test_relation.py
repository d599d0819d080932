"""The story judge on copies whose lead is hidden by what a desk glued before it, and on local stories
that quote a wire story: what ``worker.relation`` and ``worker.rules`` must tell apart.

The wire story is a real-looking text (``tests/fixtures/dedup/port_strike.txt``); copies are made from it
the way desks make them: a headline run into the first line of a hard-wrapped text, an editor's note,
a trimmed tail.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from worker.decision import Decision, Outcome
from worker.fingerprint import Signature, fmix64, signature, tokens
from worker.pipeline import Pipeline
from worker.relation import SAME_START, Relation, TextProbe, _lead_in_old, judge
from worker.store import Store

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


# ------------------------------------------------------------------------------------------ stories


Ingest = Callable[..., list[Decision]]


@pytest.fixture
def ingest(tmp_path: Path) -> Iterator[Ingest]:
    store = Store(f"sqlite:///{tmp_path / 'relation.db'}")
    store.upgrade()
    pipeline = Pipeline(store, threshold=0.5)

    def run(*texts: str) -> list[Decision]:
        return [
            pipeline.ingest_item({"url": f"https://wire.example/{n}", "title": None, "text": text})
            for n, text in enumerate(texts)
        ]

    yield run
    store.dispose()


def _hidden_lead_copy() -> str:
    """A trimmed copy whose lead the sketch cannot see: headline and editor's note run into the text."""
    return _reflow(f"{HEADLINE} Editor's note: This story has been updated throughout.\n\n{_trimmed()}")


def test_the_full_story_replaces_a_copy_whose_lead_was_hidden_when_another_copy_shows_it(
    ingest: Ingest,
) -> None:
    """The original arrives after a hidden-lead copy (the representative) and a clean copy that joined it:
    against the representative alone it reads as a story quoting it, but the clean copy it starts like
    and contains shows it is the story's fuller copy. Before: stored as a story of its own."""
    stored, clean, original = ingest(_hidden_lead_copy(), HEADLINE + "\n\n" + _trimmed(6), _original())
    assert stored.outcome is Outcome.STORED
    assert clean.outcome is Outcome.DUPLICATE and clean.story_id == stored.story_id
    assert original.outcome is Outcome.STORED and original.rule == Relation.FULLER.value
    assert original.story_id == stored.story_id


def test_an_exact_copy_laid_out_with_its_lead_visible_is_indexed(ingest: Ingest, tmp_path: Path) -> None:
    """The same words with paragraph breaks (an exact-text duplicate of the hidden-lead copy) show the
    story's lead; indexed, they let the later original be seen as the story's fuller copy. Before: only
    the hidden-lead copy was in the index, and the original was stored as a story of its own."""
    hidden = _hidden_lead_copy()
    visible = f"{HEADLINE}\n\nEditor's note: This story has been updated throughout.\n\n{_trimmed()}"
    stored, exact, original = ingest(hidden, visible, _original())
    assert exact.outcome is Outcome.DUPLICATE and exact.rule == "exact_text"
    assert original.outcome is Outcome.STORED and original.story_id == stored.story_id
    store = Store(f"sqlite:///{tmp_path / 'relation.db'}")
    try:  # its signature is kept, so a restarted worker's index has it too
        assert "https://wire.example/1" in {key for key, _ in store.iter_signatures()}
    finally:
        store.dispose()


def test_an_exact_copy_with_the_same_lead_is_not_indexed_again(ingest: Ingest, tmp_path: Path) -> None:
    """Only a copy whose layout shows another lead earns an index entry: plain exact copies cost none."""
    _, again = ingest(_original(), _original().replace("\n\n", "\n\n\n"))
    assert again.rule == "exact_text"
    store = Store(f"sqlite:///{tmp_path / 'relation.db'}")
    try:
        assert [key for key, _ in store.iter_signatures()] == ["https://wire.example/0"]
    finally:
        store.dispose()


def test_a_local_story_quoting_the_wire_story_stays_its_own_story(ingest: Ingest) -> None:
    """The fuller-copy rule through a member must not pull in a local story: it starts like no copy."""
    wire, copy, local = ingest(_original(), HEADLINE + "\n\n" + _trimmed(6), _local_story())
    assert copy.story_id == wire.story_id
    assert local.outcome is Outcome.STORED and local.rule is None
    assert local.story_id != wire.story_id


# ------------------------------------------------------------- outer lead inside the inner text

LONG_NOTE = (
    "Editor's note: This story has been updated throughout with comment from the union and from the "
    "port authority."
)
SHORT_LOCAL_LEAD = "Hauliers near Antwerp said on Tuesday that their trucks were queuing for nine hours."


def _deeply_hidden_copy() -> str:
    """A trimmed copy delivered hard-wrapped with its headline and an 18-word note run into the first line:
    24 words before the lead, so its lead window holds none of the story's lead shingles."""
    return _reflow(f"{HEADLINE} {LONG_NOTE}\n\n{_trimmed(7)}")


def _short_lead_local_story() -> str:
    """A local story whose own lead is one 14-word sentence: its lead window reaches six words into the
    quoted wire story, so two of its lead shingles are the wire story's."""
    return "\n\n".join([SHORT_LOCAL_LEAD, *_paragraphs(), *LOCAL_REST])


def test_the_deeply_hidden_copy_shares_no_lead_shingle_with_the_story() -> None:
    """The premise of the tests below: the lead sketches alone read this copy as another story's start."""
    assert _shared_lead(_deeply_hidden_copy(), _original()) == 0
    assert 0 < _shared_lead(_short_lead_local_story(), _original()) < SAME_START


def test_a_copy_whose_lead_is_hidden_by_a_long_note_joins_the_stored_story(ingest: Ingest) -> None:
    """The story's own lead lies inside the copy (after the note): a trim, not a wire story quoted in a
    larger one. Before: stored as a story of its own, linked as embedded in the original."""
    original, copy = ingest(_original(), _deeply_hidden_copy())
    assert copy.outcome is Outcome.DUPLICATE
    assert copy.story_id == original.story_id


def test_the_original_arriving_after_a_deeply_hidden_copy_becomes_its_fuller_copy(ingest: Ingest) -> None:
    """The original's lead is read off the stored copy's MinHash bins: inside it, so the original is the
    story's fuller copy. Before: stored as a story of its own that embeds the copy."""
    copy, original = ingest(_deeply_hidden_copy(), _original())
    assert original.outcome is Outcome.STORED
    assert original.rule == Relation.FULLER.value
    assert original.story_id == copy.story_id


@pytest.mark.parametrize("local", [_local_story, _short_lead_local_story], ids=["long lead", "short lead"])
def test_a_local_story_arriving_after_the_wire_story_it_quotes_stays_apart(
    ingest: Ingest, local: Callable[[], str]
) -> None:
    """The local lead is not inside the wire story (read off its MinHash bins); a short local lead shares
    only shingles that reach into the quoted story, past the first twelve of its window."""
    wire, later = ingest(_original(), local())
    assert later.outcome is Outcome.STORED and later.story_id != wire.story_id


def test_the_wire_story_arriving_after_a_local_story_that_quotes_it_stays_apart(tmp_path: Path) -> None:
    """The other order, each local lead on a fresh store: the wire story is stored as a story of its own."""
    for n, local in enumerate((_local_story(), _short_lead_local_story())):
        store = Store(f"sqlite:///{tmp_path / f'order{n}.db'}")
        store.upgrade()
        pipeline = Pipeline(store, threshold=0.5)
        try:
            first = pipeline.ingest_item({"url": "https://local.example/1", "title": None, "text": local})
            wire = pipeline.ingest_item({"url": "https://wire.example/1", "title": None, "text": _original()})
            assert wire.outcome is Outcome.STORED and wire.story_id != first.story_id
        finally:
            store.dispose()


def test_only_a_shingle_starting_in_the_lead_sentence_shows_the_lead_inside_the_stored_text() -> None:
    """A short local lead's window reaches past its one sentence into the quoted story, so its last lead
    shingle is in the stored wire text. Against a stored MinHash that hides every other lead shingle (each
    bin's value below it: neither shown present nor absent), finding only that one must not read as the
    lead being inside; finding one that starts in the lead sentence does."""
    local = _short_lead_local_story()
    new, probe = signature(local), TextProbe(local)
    lead, sentence = probe.lead(new), probe.first_sentence(new)
    assert lead is not None and len(lead) == 15
    assert sentence is not None and len(sentence) == len(SHORT_LOCAL_LEAD.split()) == 14
    mixed = fmix64(lead)
    bins = (((mixed >> np.uint64(32)) * np.uint64(128)) >> np.uint64(32)).astype(np.intp)
    floor = ((np.arange(128, dtype=np.uint64) << np.uint64(32)) + np.uint64(127)) // np.uint64(128)
    late = floor << np.uint64(32)  # each bin's least possible value: below every lead shingle in it
    late[bins[14:]] = mixed[14:]
    stored = Signature(late, size=400, salient_count=0, salient=np.empty(0, np.uint32), lead=new.lead)
    assert not _lead_in_old(probe, new, stored)
    early = late.copy()
    early[bins[5:6]] = mixed[5:6]
    stored = Signature(early, size=400, salient_count=0, salient=np.empty(0, np.uint32), lead=new.lead)
    assert _lead_in_old(probe, new, stored)


def test_a_shingle_past_the_lead_window_but_in_the_lead_sentence_shows_the_lead_inside() -> None:
    """A long stored text keeps few of any text's shingles as its bin minima, so the evidence is read from
    the whole lead sentence (40 words here), not only its first 15 shingles. Before: only a lead-window
    shingle counted, and a long hidden-lead copy was read as a story the original embeds."""
    new, probe = signature(_original()), TextProbe(_original())
    sentence = probe.first_sentence(new)
    assert sentence is not None and len(sentence) == len(tokens(_paragraphs()[0])) == 40
    mixed = fmix64(sentence)
    bins = (((mixed >> np.uint64(32)) * np.uint64(128)) >> np.uint64(32)).astype(np.intp)
    floor = ((np.arange(128, dtype=np.uint64) << np.uint64(32)) + np.uint64(127)) // np.uint64(128)
    values = floor << np.uint64(32)
    values[bins[25:26]] = mixed[25:26]
    stored = Signature(values, size=1200, salient_count=0, salient=np.empty(0, np.uint32), lead=new.lead)
    assert _lead_in_old(probe, new, stored)


# ------------------------------------------------------------ two stories around one wire story

UPDATE_PARAGRAPHS = [
    "Talks between the FNV and the employers' association resumed on Wednesday evening at the offices of a "
    "government mediator in The Hague, a spokeswoman for the social affairs ministry said.",
    "The port authority said about 40 container ships were waiting at anchor off the Maasvlakte and that "
    "several lines had begun diverting vessels to Hamburg and Bremerhaven.",
    "Shares in terminal operator Hutchison Ports fell 2 percent in Hong Kong trading, while freight rates on "
    "the Asia to North Europe route rose for a third straight day.",
    "Dutch economy minister Micky Adriaansens urged both sides to return to the table, warning that a long "
    "stoppage would cost exporters tens of millions of euros a day and damage the port's reputation.",
    "Supermarket chain Albert Heijn said its shelves were stocked for now, but that fresh fruit arriving by "
    "sea from South America could run short by the weekend if the ships stayed at anchor.",
]


def _minor_update() -> str:
    """The wire story's update: the same story with five paragraphs of news added after its second."""
    paragraphs = _paragraphs()
    return "\n\n".join([*paragraphs[:2], *UPDATE_PARAGRAPHS, *paragraphs[2:]])


def _local_story_of_four() -> str:
    """A local story quoting the whole wire story, with four paragraphs of local reporting after it."""
    return "\n\n".join([LOCAL_LEAD, *_paragraphs(), *LOCAL_REST[:4]])


def test_a_local_story_and_the_wire_storys_update_are_not_copies_of_each_other() -> None:
    """Both hold the whole wire story, so their Jaccard passes the line; but each has a fifth or more of
    its own and they start apart. Before: a near-duplicate, the local story merged into the update."""
    local, update = signature(_local_story_of_four()), signature(_minor_update())
    equal = local.equal_count(update)
    assert equal / local.num_perm >= 0.5
    for new, old in ((local, update), (update, local)):
        verdict = judge(new, old, equal, 0.5)
        assert verdict is not None and verdict.relation is Relation.OVERLAPS and not verdict.joins


def test_the_local_story_is_stored_after_the_wire_storys_update(ingest: Ingest) -> None:
    """Through the pipeline: stored as a story of its own, not dropped as the update's duplicate."""
    update, local = ingest(_minor_update(), _local_story_of_four())
    assert local.outcome is Outcome.STORED and local.story_id != update.story_id


def test_the_wire_storys_update_still_joins_the_wire_story(ingest: Ingest) -> None:
    """The rule leaves a copy alone: the update starts like the story it adds to."""
    wire, update = ingest(_original(), _minor_update())
    assert update.story_id == wire.story_id


# ------------------------------------------------------------------- how much a trim must keep


def _next_day_story() -> str:
    """A story that carries a short first story whole (its lead and two paragraphs) and adds eleven
    paragraphs of new reporting: more than two-thirds of it is new."""
    return "\n\n".join([*_paragraphs()[:3], *UPDATE_PARAGRAPHS, *LOCAL_REST])


def test_a_story_more_than_two_thirds_new_around_a_stored_one_is_a_story_of_its_own(ingest: Ingest) -> None:
    """It contains the first story and starts like it, so it read as that story's fuller copy and took
    its place. Before: the two were one story."""
    first, later = ingest(_trimmed(3), _next_day_story())
    assert later.outcome is Outcome.STORED and later.story_id != first.story_id


def test_a_short_story_arriving_after_a_larger_one_that_carries_it_is_not_its_trim(ingest: Ingest) -> None:
    """The other order: the short story covers under a third of the stored one. Before: dropped as a
    trimmed copy of it."""
    later, first = ingest(_next_day_story(), _trimmed(3))
    assert first.outcome is Outcome.STORED and first.story_id != later.story_id


def test_a_copy_trimmed_to_half_still_joins_its_story(ingest: Ingest) -> None:
    """The line is below a half trim: a copy keeping half the story is its trim."""
    original, half = ingest(_original(), _trimmed(5))
    assert half.outcome is Outcome.DUPLICATE and half.story_id == original.story_id


def test_the_original_arriving_after_its_half_trim_is_still_its_fuller_copy(ingest: Ingest) -> None:
    """The other order: the original replaces its half trim as the story's representative."""
    half, original = ingest(_trimmed(5), _original())
    assert original.rule == Relation.FULLER.value and original.story_id == half.story_id
