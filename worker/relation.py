"""How a new text relates to a stored one: the same story, a trim of it, a fuller copy, a story embedding
it, or a different story cut from the same template.

The index proposes candidates by MinHash agreement; this module decides, for both index implementations
alike (they hand it the same candidates, so they give the same answers). Jaccard alone cannot tell a
half-length trim (Jaccard 0.5, all of it inside the original) from two stories sharing half their text,
and cannot tell a weather brief from its neighbour built on the same sentences. So each pair is judged on:

- **containment** each way, from the Jaccard estimate and the two shingle counts
  (``|A & B| = J (|A| + |B|) / (1 + J)``);
- **what differs**: the salient tokens (names, places, numbers) of the contained side must be found on
  the other side. Two briefs from one template share their sentences but not their names and figures;
  two stories sharing one quote share its words but not the people and places around it;
- **where the shared text starts**: a trim keeps the story's lead, a local story that quotes a wire story
  in full starts with its own lead. When a lead sketch is hidden (a headline and a note run into a
  hard-wrapped first line), the outer text's lead is looked for inside the inner one (``TextProbe``);
- **how much each side has of its own**: a text covering under a third of the other is no trim of it, and
  two texts each a fifth or more their own that start apart are two stories around one shared text.

Constants are set from the labelling lines of the corpus (``bench/dedup_corpus.py``), not fitted to it: see
``bench/DEDUP.md`` for the figures on a corpus drawn with another seed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from enum import StrEnum
from functools import cached_property

import numpy as np

from worker import fingerprint as _fingerprint
from worker.dedup import Candidate, Match
from worker.fingerprint import (
    FORMAT_VERSION,
    LEAD_TOKENS,
    SHINGLE_SIZE,
    Signature,
    _combine,
    _stream,
    fmix64,
    fold,
)

CONTAINED = 0.8
"""Share of a text's shingles found in the other for it to count as inside it (a 128-position
estimate of a full containment stays above 0.8 in all but a few cases in a thousand)."""

NEW_MATERIAL = 0.3
"""Share of new shingles from which an item that contains a stored story, and starts elsewhere, is a
story of its own (the issue's "say 30%"). One that starts like the stored story is its fuller copy."""

SAME_START = 3
"""Shingles the two leads must share for the texts to start alike. A lead is the first ``LEAD_TOKENS`` =
20 words, 15 shingles, held whole by the 16-value sketch, so the count is exact (an estimated Jaccard of
the two sketches was not: it split pairs sharing three to five shingles at random). A dateline, a
headline or an editor's note run into a copy's first line shifts its lead by a few words and leaves the
shingles after the shift shared (three are a run of eight words in common); a local lead sentence before
a quoted wire story leaves none, or one or two when the sentence is barely longer than 12 words (the
most measured on local stories: 2 on the corpus's default seed, where this was set, 1 on seed 7)."""

SALIENT_AGREEMENT = 0.5
"""Share of the contained side's names, places and numbers that must be found on the other side."""

FULLER_MARGIN = 0.1
"""How much longer (in shingles) a copy containing the representative must be to replace it: a dateline,
tagline or editor's note adds a few per cent and must not make a copy win over its original."""

MIN_COVER = 1 / 3
"""Least share of the larger text the smaller must cover to be its trim (or the larger its fuller copy).
The corpus's lines: a copy trimmed to half keeps 40-55% of its story, an update more than half new is a
story of its own; a text more than two-thirds new beyond another is read as a new story around it."""

SLOTS = 3
"""Places inside a text where it differs from the other (see ``_interior_differences``) from which the pair
reads as two fillings of one template unless it agrees on ``SLOT_AGREEMENT`` of its salient tokens. On
the tuning draws a copy differs inside its text only where it was copy-edited (one to four places, and
never in a name or figure); a lottery or road-accident brief differs at three or four slots from another."""

SLOT_SPACING = 45
"""Most shingles per such place: a template is mostly slots, a copy's edits are sparse. Measured on the
tuning draws among pairs agreeing on 0.5-0.75 of their salient tokens with three places or more: briefs of
one template differ every 31-41 shingles; copies of one story every 47 or more (a minor update's insert,
or a few copy-edits, cut into several places by a desk's stock phrases that new text shares), but for one
pair of two copies of a generated story at 35 (joined to their story through the original all the same)."""

SLOT_AGREEMENT = 0.75
"""Share of salient tokens a pair differing at ``SLOTS`` places must agree on: briefs of one template
agreed on up to 0.65 (a fixed figure, the weekday and small numbers matching by chance)."""

MIN_SALIENT = 3
"""Fewer salient tokens than this is too little evidence to call a pair templated either way."""

CANDIDATE_BAR = 0.2
"""Least estimated Jaccard the index proposes: a copy cut to a quarter of its story sits near 0.25."""


class Relation(StrEnum):
    NEAR_DUPLICATE = "near_duplicate"  # the same story, edited (Jaccard at the threshold or above)
    CONTAINED = "contained"  # the new text is inside the stored one: a trimmed copy
    FULLER = "fuller_copy"  # the new text contains the stored one and little else: the better copy
    EMBEDS = "embeds"  # the new text contains the stored story plus news of its own: a story of its own
    EMBEDDED = "embedded"  # the new text is a whole story quoted inside a larger stored one
    TEMPLATED = "templated"  # shared sentences, other names and numbers: different stories
    OVERLAPS = "overlaps"  # one shared text, each with much of its own, starting apart: different stories


JOINS = frozenset({Relation.NEAR_DUPLICATE, Relation.CONTAINED, Relation.FULLER})
"""Relations that make the new item a copy in the stored item's story."""


@dataclass(frozen=True)
class Verdict:
    relation: Relation
    similarity: float  # estimated Jaccard
    contained_new: float  # share of the new text inside the stored one
    contained_old: float  # share of the stored text inside the new one
    agreement: float | None = None  # share of the smaller text's salient tokens in the other (None: too few)

    @property
    def joins(self) -> bool:
        return self.relation in JOINS

    @property
    def names_differ(self) -> bool:
        """The two texts share under ``SLOT_AGREEMENT`` of the smaller one's names, places and figures:
        a joining verdict may still owe its shared text to a template's fixed words."""
        return self.agreement is not None and self.agreement < SLOT_AGREEMENT


def _sketch_containment(a: np.ndarray, a_count: int, b: np.ndarray, b_count: int) -> float:
    """Share of set A in set B from their bottom-k sketches and true sizes."""
    if a_count == 0:
        return 1.0
    k = max(len(a), len(b))
    # Both sketches are sorted and distinct: one sort of the two together gives the union (each value's
    # first place) and the intersection (values met twice), where union1d and intersect1d sorted thrice.
    merged = np.concatenate((a, b))
    if merged.size == 0:
        return 0.0
    merged.sort()
    first = np.empty(merged.size, dtype=bool)
    first[0] = True
    np.not_equal(merged[1:], merged[:-1], out=first[1:])
    union = merged[first][:k]
    both = int(np.count_nonzero(merged[1:][~first[1:]] <= union[-1]))
    jaccard = both / union.size
    shared = jaccard * (a_count + b_count) / (1 + jaccard)
    return min(1.0, shared / a_count)


def _same_start(a: Signature, b: Signature) -> bool | None:
    """Whether the two texts begin alike (None: a signature stored before leads were kept)."""
    if a.lead is None or b.lead is None or not len(a.lead) or not len(b.lead):
        return None
    return np.intersect1d(a.lead, b.lead, assume_unique=True).size >= min(
        SAME_START, len(a.lead), len(b.lead)
    )


LEAD_EARLY = 12
"""Words a lead's first sentence has at least (a shorter paragraph is not read as a lead): every shingle
that starts in a local lead sentence holds a local word, so none of them is in the wire story it quotes."""

LEAD_SENTENCE_MAX = 60
"""Words read for a lead's first sentence before giving up on finding its end (then ``LEAD_EARLY``)."""

_SENTENCE_END = frozenset(".!?:")
_CLOSERS = "\"'\u201d\u2019\u00bb)"


HEAD_CHARS = 1200
"""Characters of a text read to find where its lead and a stored text's lead start (about 200 words: a
headline, a note and a lead sentence of ``LEAD_SENTENCE_MAX`` words, then the stored lead's 20, fit
in it several times over). A cut word at the end only spoils the last shingle."""


def members(values: np.ndarray, wanted: np.ndarray, *, wanted_sorted: bool = False) -> np.ndarray:
    """``np.isin(values, wanted)``, by a binary search in ``wanted`` sorted: the judge asks it of a lead
    sketch (16 values) against a text's few hundred shingles, per candidate, where ``isin`` sorted the two
    arrays together each time (97 -> 21 us a call, loaded, the same booleans). ``wanted_sorted`` skips the
    sort for an array already in order (``TextProbe.tops``, from ``np.unique``), asked once per candidate."""
    if not wanted.size:
        return np.zeros(values.shape, dtype=bool)
    ordered = wanted if wanted_sorted else np.sort(wanted)
    at = np.searchsorted(ordered, values)
    np.minimum(at, ordered.size - 1, out=at)
    found: np.ndarray = ordered[at] == values
    return found


class TextProbe:
    """The new item's own shingles, read again from its text only when a verdict needs them.

    A stored signature keeps its lead's shingles but none of its text beyond a MinHash; the new item still
    has its text. That is enough to ask whether the *outer* text's lead lies inside the inner one, which
    the lead sketches alone cannot tell when the inner text's lead is hidden (a headline and an editor's
    note run into the first line of a hard-wrapped copy push its 20-word lead window off the story): a
    trim or a fuller copy of a story holds that story's lead; the wire story a local story quotes does not
    hold the local lead. Costly (the text is tokenised again), so it is computed on first use, which only
    an item that contains, or sits inside, a stored text with another start reaches.
    """

    def __init__(self, text: str) -> None:
        self._given = text
        self._leads: dict[int, tuple[Signature, int | None]] = {}
        self._verdicts: dict[tuple[bytes, int, float], tuple[Signature, Verdict | None]] = {}

    @cached_property
    def text(self) -> str:
        """The NFKC form, made on first use: every item gets a probe, few items need it."""
        return unicodedata.normalize("NFKC", self._given)

    @cached_property
    def _words(self) -> tuple[np.ndarray, np.ndarray]:
        """The text's word hashes in order and the word count of each whitespace chunk, read as
        ``signature`` reads them (through the fingerprint's chunk cache, so a second read is cheap)."""
        stream = _stream(self.text)
        return stream.words, stream.chunk_words

    @cached_property
    def shingles(self) -> np.ndarray:
        """The text's word shingles, 64-bit, in text order (repeats kept), as ``signature`` hashes them."""
        combined: np.ndarray = _combine(self._words[0], SHINGLE_SIZE)
        return combined

    @cached_property
    def ordered_tops(self) -> np.ndarray:
        """Top 32 bits of every shingle, in text order: what is matched against a lead sketch."""
        return (self.shingles >> np.uint64(32)).astype(np.uint32)

    @cached_property
    def tops(self) -> np.ndarray:
        """Distinct top 32 bits of the shingles: what a lead sketch keeps of each of its shingles."""
        return np.unique((self.shingles >> np.uint64(32)).astype(np.uint32))

    def lead_at(self, sig: Signature) -> int | None:
        """Index of the lead's first word (the first shingle of the window ``sig``'s lead sketch keeps).

        Kept per signature object: the judge asks it of the new item's own signature once per candidate
        (``head_reading``, ``lead``, ``first_sentence``), always the same answer."""
        known = self._leads.get(id(sig))
        if known is not None and known[0] is sig:  # this very object, not one that reused its id
            return known[1]
        found = self._lead_at(sig)
        self._leads[id(sig)] = (sig, found)
        return found

    def _lead_at(self, sig: Signature) -> int | None:
        """The first run of the text's shingles all in the lead sketch, as long as it (``window_at``), not
        the first shingle in it: a headline that repeats six words of the lead ("... vows to tighten rules
        on rental housing" over "Lawmakers ... voted to tighten rules on rental housing") holds a lead
        shingle before the lead, and the window from there was not the lead, so none was found."""
        return self.window_at(sig)

    @cached_property
    def head(self) -> TextProbe:
        """The text's first ``HEAD_CHARS`` characters, for checks that read only where the text starts
        (tokenising a few hundred words instead of the whole text)."""
        return self if len(self._given) <= HEAD_CHARS else TextProbe(self._given[:HEAD_CHARS])

    def head_reading(self, new: Signature, old: Signature) -> tuple[int | None, int | None]:
        """``head.lead_at(new)`` and ``head.window_at(old)``, taken from the whole text's shingles when the
        batch ``fingerprints`` just read holds its words and both answers lie before the head's last chunk.

        The head is another text: tokenised again, and the word its cut leaves is a chunk to learn (most
        of its cost). Before that last chunk the head's words are the whole text's, so a lead found there
        (and no earlier hit, which would lie there too) is the head's answer; one found later, or none,
        may differ where the cut word makes other shingles, and the head is read as before."""
        head = self.head
        if head is self or not self._words_held():
            return head.lead_at(new), head.window_at(old)
        own, stored = self.lead_at(new), self.window_at(old)
        safe = self._head_shingles
        if own is None or stored is None or new.lead is None or old.lead is None:
            return head.lead_at(new), head.window_at(old)
        if own + len(new.lead) > safe or stored + len(old.lead) > safe:
            return head.lead_at(new), head.window_at(old)
        return own, stored

    def _words_held(self) -> bool:
        """Whether the text's words are read already, or held by the last batch ``fingerprints`` read."""
        if "_words" in self.__dict__:
            return True
        recent = _fingerprint._recent
        return recent is not None and self.text in recent.at

    @cached_property
    def _head_shingles(self) -> int:
        """Shingles of the whole text that lie in the head's chunks before its last (which the cut may
        have shortened): the same words, in the same chunks, as the head's own."""
        chunks = len(unicodedata.normalize("NFKC", self._given[:HEAD_CHARS]).split())
        words = int(self._words[1][: max(0, chunks - 1)].sum())
        return max(0, words - SHINGLE_SIZE + 1)

    @cached_property
    def mixed(self) -> np.ndarray:
        """The text's distinct shingles as the one-permutation MinHash bins them (``fmix64``), sorted."""
        return np.unique(fmix64(self.shingles))

    def share_new(self, old: Signature) -> float | None:
        """Share of this text's distinct shingles that are not in the stored text, measured on this text.

        Each of the stored MinHash's own bins (not borrowed by densification) keeps one of the stored
        text's shingles, a sample of it; the share of those found among this text's shingles is the share
        of the stored text inside this one, which sizes the shared part against this text's own count.
        Exact when the stored text lies wholly inside this one (every sampled shingle is found), where the
        estimate from Jaccard and the two counts is off by a few hundredths either way: on the line between
        a fuller copy and a story of its own, those hundredths decided. None for another format."""
        if old.version != FORMAT_VERSION or not old.size or old.shingle_size != SHINGLE_SIZE:
            return None
        values = old.hashvalues
        num_perm = np.uint64(old.num_perm)
        own = ((values >> np.uint64(32)) * num_perm) >> np.uint64(32) == np.arange(
            old.num_perm, dtype=np.uint64
        )
        if not own.any() or not self.mixed.size:
            return None
        inside = float(np.isin(values[own], self.mixed).mean())
        return max(0.0, 1.0 - inside * old.size / self.mixed.size)

    def window_at(self, sig: Signature) -> int | None:
        """Index of the first word of the first run of the text's shingles that are all in ``sig``'s lead
        sketch, as long as the sketch (where that lead lies whole inside this text), or None."""
        if sig.lead is None or not len(sig.lead) or sig.shingle_size != SHINGLE_SIZE:
            return None
        width = len(sig.lead)
        hits = members(self.ordered_tops, sig.lead)
        if hits.size < width:
            return None
        runs = np.concatenate(([0], np.cumsum(hits)))
        whole = np.flatnonzero(runs[width:] - runs[:-width] == width)
        return int(whole[0]) if whole.size else None

    def lead(self, sig: Signature) -> np.ndarray | None:
        """The text's own lead shingles in text order, found by the sketch ``sig`` keeps of them."""
        start = self.lead_at(sig)
        return None if start is None or sig.lead is None else self.shingles[start : start + len(sig.lead)]

    def first_sentence(self, sig: Signature) -> np.ndarray | None:
        """The shingles that start in the lead's first sentence of ``LEAD_EARLY`` words or more."""
        start = self.lead_at(sig)
        if start is None:
            return None
        length, end = LEAD_EARLY, 0
        chunk_words = self._words[1].tolist()
        for chunk, count in zip(self.text.split(), chunk_words, strict=True):  # no word spans two chunks
            end += count
            words = end - start
            if words <= 0:
                continue
            if words > LEAD_SENTENCE_MAX:
                break
            if words >= LEAD_EARLY and chunk.rstrip(_CLOSERS)[-1:] in _SENTENCE_END:
                length = words
                break
        return self.shingles[start : start + length]


def _lead_in_old(probe: TextProbe, new: Signature, old: Signature) -> bool:
    """Whether the new (outer) text's lead lies inside the stored (inner) text, read off the stored
    one-permutation MinHash: a shingle in bin j of a text makes that bin's value at most the shingle's
    mixed hash (equal when it is the least). A shingle above the stored value of its bin, or in a bin the
    stored text left empty, is not in the stored text; one equal to it is. The lead is inside when none of
    its shingles is shown absent and one that starts in its first sentence is shown present (a local
    lead's shingles reach into the story it quotes only past its first sentence)."""
    if new.version != FORMAT_VERSION or old.version != FORMAT_VERSION:
        return False  # other formats' values are not binned this way
    lead, sentence = probe.lead(new), probe.first_sentence(new)
    if lead is None or sentence is None:
        return False
    _, lead_absent = _read_bins(old, lead)
    present, absent = _read_bins(old, sentence)
    return not lead_absent.any() and not absent.any() and bool(present.any())


def _read_bins(old: Signature, shingles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per shingle, whether the stored one-permutation MinHash shows it present in the stored text (it is
    its bin's least value) or absent (above its bin's value, or in a bin the stored text left empty). Most
    shingles are neither; a shingle of the stored text is never shown absent."""
    num_perm = np.uint64(old.num_perm)
    mixed = fmix64(shingles)
    bins = ((mixed >> np.uint64(32)) * num_perm) >> np.uint64(32)
    stored = old.hashvalues[bins.astype(np.intp)]
    empty = ((stored >> np.uint64(32)) * num_perm) >> np.uint64(32) != bins  # densified from elsewhere
    return stored == mixed, (stored > mixed) | empty


LEAD_SHIFT = LEAD_TOKENS - SHINGLE_SIZE + 1 - SAME_START
"""Most words a lead can be pushed along by what a desk glues before it (a dateline, a headline run into
the first line) for the two lead windows still to share ``SAME_START`` shingles: 12."""


def _echoed_start(probe: TextProbe, new: Signature, old: Signature) -> bool:
    """Whether the lead shingles the new text shares with a stored text it holds are an echo, not one lead
    shifted: the new text opens with a sentence of its own that repeats words of the stored lead (a local
    story retelling the wire story's first sentence with its own place, day or names) and quotes the
    stored text after it.

    A shifted lead is the same words ``d <= LEAD_SHIFT`` words along (a dateline, a headline run into the
    first line), so the stored lead lies whole in the new text at most ``LEAD_SHIFT`` words after the new
    text's own lead starts; found whole further on, the shingles the sketches share came from elsewhere.
    When it is found nowhere whole (no lead kept, copy-edited lead words) the sketches' answer stands.

    The other order (the wire story arriving after a local story that echoes it) is not read here but by
    the rule ``QuotedWhole`` from the stored text (``quotes_after_own_lead``): only the local story's lead
    sketch is kept, and a run shared in the middle of both windows is also what two
    copies under different datelines and notes share (measured on s7 v1: a dated copy of a story read
    as embedded in a copy under a note); the MinHash cannot show the inner prefix absent often enough
    (a shingle absent from the stored text is below its bin's value about one time in six)."""
    if new.lead is None or old.lead is None or not len(old.lead) or np.array_equal(new.lead, old.lead):
        return False  # one lead, unshifted (most fuller copies): no need to read the text again
    own, stored = probe.head_reading(new, old)
    return own is not None and stored is not None and stored - own > LEAD_SHIFT


def starts_apart(probe: TextProbe, new: Signature, old: Signature) -> bool:
    """Whether a new text that holds a stored one starts apart from it, as ``judge`` reads the pair for
    ``embeds``: the lead sketches differ (or share only an echo of the stored lead) and the new text's lead
    does not lie inside the stored text. A fuller copy of a story keeps the story's lead; a story of its
    own around a stored one opens with a lead of its own."""
    apart = _same_start(new, old) is not True or _echoed_start(probe, new, old)
    return apart and not _lead_in_old(probe, new, old)


def inner_starts_apart(probe: TextProbe, new: Signature, old: Signature) -> bool:
    """Whether a stored text that holds the new one starts apart from it, as ``judge`` reads the pair for
    ``embedded``: the lead sketches differ and the stored lead is not inside the new text."""
    return _same_start(new, old) is False and not _old_lead_in_new(probe, old)


def quotes_after_own_lead(outer_text: str, outer: Signature, inner: Signature) -> bool:
    """Whether a stored text that holds the new one whole opens with a lead of its own that only echoes
    the new text's lead, and quotes the new text after it: the order ``_echoed_start`` does not read from
    signatures alone (a local story stored before the wire story it retells in its first sentence and
    quotes). Read from the stored text itself, so exact: the new text's lead lies whole in it more than
    ``LEAD_SHIFT`` words after its own lead starts, further than a dateline or a short note can push one
    lead while the two windows still share ``SAME_START`` shingles."""
    return _echoed_start(TextProbe(outer_text), outer, inner)


def lead_shown_absent(probe: TextProbe, new: Signature, old: Signature) -> bool:
    """Whether the stored MinHash shows a shingle of the new text's lead absent from the stored text
    (``_read_bins``: above its bin's value, or in a bin the stored text left empty), so that the lead
    cannot lie whole in it: ``quotes_after_own_lead`` would find no window of it there, and the stored
    text need not be read. (That window is as many shingles in a row as the lead sketch keeps, each with
    the top bits of one of the lead's: without the absent one, a run that long repeats a 6-word shingle
    within 20 words, or meets a 32-bit collision.) A lead found nowhere, or another format, shows
    nothing."""
    if new.version != FORMAT_VERSION or old.version != FORMAT_VERSION or new.num_perm != old.num_perm:
        return False
    lead = probe.lead(new)
    return lead is not None and bool(_read_bins(old, lead)[1].any())


def may_quote_whole(new: Signature, old: Signature, verdict: Verdict, probe: TextProbe | None) -> bool:
    """Whether the stored text ``old``, judged a copy of the new one, may instead be a story of its own
    that retells the new text's lead in a sentence of its own and quotes the new text whole after it (a
    local story around a wire story), as far as the signatures can tell: the new text lies inside it
    (``CONTAINED``), it is ``NEW_MATERIAL`` or more its own, the two leads share a run of words but are
    not one lead, and the stored MinHash does not show the new text's lead absent from it. Only its text
    can settle it (``quotes_after_own_lead``); a copy of the new text, trimmed or edited, has little of its
    own, so few pairs get this far."""
    if verdict.relation not in (Relation.NEAR_DUPLICATE, Relation.CONTAINED):
        return False
    if verdict.contained_new < CONTAINED or 1.0 - verdict.contained_old < NEW_MATERIAL:
        return False
    if old.num_perm != new.num_perm or _same_start(new, old) is not True:
        return False
    if new.lead is None or old.lead is None or np.array_equal(new.lead, old.lead):
        return False  # one lead, unshifted (a trim of the story): nothing to read
    return probe is None or not lead_shown_absent(probe, new, old)


def _old_lead_in_new(probe: TextProbe, old: Signature) -> bool:
    """Whether the stored (outer) text's lead lies inside the new (inner) text: most of its lead shingles
    are among the new text's (a local lead shares at most the three that reach into the quoted story)."""
    if old.lead is None or not len(old.lead):
        return False
    found = members(old.lead, probe.tops, wanted_sorted=True).sum()
    return bool(2 * found > len(old.lead))


def _salient_agreement(new: Signature, old: Signature) -> float | None:
    """Share of the smaller text's salient tokens found in the larger one (None: too few to tell)."""
    small, large = (new, old) if (new.size or 0) <= (old.size or 0) else (old, new)
    if small.salient is None or large.salient is None or small.salient_count < MIN_SALIENT:
        return None
    return _sketch_containment(small.salient, small.salient_count, large.salient, large.salient_count)


def _interior_differences(probe: TextProbe, old: Signature) -> int:
    """Places inside the new text where it differs from the stored one, each with shared text shown on
    both sides: the new text's shingles read against the stored MinHash split into stretches at each
    shingle shown present there, and a stretch holding a shingle shown absent, between two shown present,
    is one such place. Exact in what it counts (a shared shingle is never shown absent, an absent one
    never shown present); two places with no shingle shown present between them count as one.

    A copy differs from its story at its edges (a headline, note or dateline before it, credits or a
    correction after it, a trimmed tail) and where it was copy-edited; two briefs cut from one template
    differ at every slot, between stretches of the same words."""
    if old.version != FORMAT_VERSION:
        return 0
    present, absent = _read_bins(old, probe.shingles)
    stretch = np.cumsum(present)  # the stretch each shingle is in (a present one opens the next)
    inside = (stretch > 0) & (stretch < stretch[-1]) & absent  # between the first and last present
    return int(np.unique(stretch[inside]).size)


def _templated(new: Signature, old: Signature, probe: TextProbe | None = None) -> bool:
    """What differs: the salient tokens of the smaller text must be found in the larger one; and a pair
    that also differs at ``SLOTS`` places or more inside the text, one every ``SLOT_SPACING`` shingles or
    closer, must agree on ``SLOT_AGREEMENT`` of them.

    A template's fixed figures and names (a prize-claim period, a court's name) are found on both sides of
    every pair of its briefs, and small figures match by chance, so two briefs can agree on half their
    salient tokens; what gives them away is that their differences sit in slots between shared words."""
    return _templated_at(_salient_agreement(new, old), old, probe)


def _templated_at(
    agreement: float | None, old: Signature, probe: TextProbe | None, inside: float = 0.0
) -> bool:
    """``_templated`` given the pair's salient agreement (the judge keeps it on its verdict) and the
    share of the smaller text inside the larger (``inside``).

    A text ``WELL_INSIDE`` the other that differs from it at one place inside its text at most (an
    update's inserted paragraphs) is a trim or a copy of it, whatever its names: the names it lacks sit in
    its edges (a dateline, a kicker, a credit line or a correction a desk adds whole) or in the part a
    trim cut, and a text with few names of its own (an essay, a blog post) has most of its salient tokens
    there. Two briefs of one template share their fixed words but differ at every slot, between them: on
    s41 v2, s107 v3, s211 v2 and s239 v3 those under half in agreement were at most 0.88 inside each other,
    and the ones 0.8 or more inside differed at two places or more. A pair still read as a copy here must
    pass ``rules.FilledTemplate``, which reads both texts for slots whenever the names differ."""
    if agreement is None:
        return False
    if agreement < SALIENT_AGREEMENT:
        return not (inside >= WELL_INSIDE and probe is not None and _interior_differences(probe, old) <= 1)
    if agreement >= SLOT_AGREEMENT or probe is None:
        return False
    places = _interior_differences(probe, old)
    return places >= SLOTS and places * SLOT_SPACING >= probe.shingles.size


SLOT_WORDS = 3
"""Most words on either side of one filled slot: a figure, a first and last name, a two-word place. A
longer run of other words is rewritten text (a new sentence, a dateline of another wire), not a slot."""

SLOT_SENTENCE = 0.75
"""Least share of a slot's sentence that both texts share. A template's sentences are its fixed words with
a few fillers (84% shared or more in the briefs of the tuning draws); a credit or correction line cut from
a desk's formula ("Reporting by NAME; editing by NAME", "It was N, not M") is about as much names and
figures as fixed words (47-67%), and two copies of one story each carry their own."""

_OPENERS = "\"'([{\u201c\u2018\u00ab"


def _ends_sentence(chunk: str) -> bool:
    return chunk.rstrip(_CLOSERS)[-1:] in _SENTENCE_END


def _chunk_keys(chunks: list[str], text: str) -> list[str]:
    """Each whitespace chunk in the fingerprint's normal form (case, typography, NFKC) without its
    punctuation (a dash set as "--" or one mark, quotes straight or curly): what two copies of one
    sentence share whatever their house style."""
    folded = fold(text).split()
    if len(folded) != len(chunks):  # a compatibility form that splits a chunk: fold chunk by chunk
        folded = [fold(chunk) for chunk in chunks]
    return ["".join(filter(str.isalnum, chunk)) for chunk in folded]


def _names_or_figures(chunks: list[str], start: int, end: int) -> bool:
    """Whether ``chunks[start:end]`` holds a salient token as the fingerprint reads them: a figure, or a
    capitalised word where no sentence starts (a name, a place, a company)."""
    for at in range(start, end):
        chunk = chunks[at]
        if any(char.isdigit() for char in chunk):
            return True
        head = chunk.lstrip(_OPENERS)[:1]
        if head.isupper() and at > 0 and not _ends_sentence(chunks[at - 1]):
            return True
    return False


def substitution_slots(new_text: str, stored_text: str) -> int:
    """Places where one text has other names or figures than the other *inside a sentence both share*:
    the two texts aligned word by word, a run of at most ``SLOT_WORDS`` words replaced by another such
    run, each holding a name or a figure, with shared words on both sides and no sentence ending just
    before it.

    That is what a template's slots look like ("78 flights ... at Mombasa" and "201 flights ... at Lyon":
    the same words around, other fillers), at the edges of a text as much as inside it, where the
    MinHash reading of ``_interior_differences`` cannot see them (a 6-word shingle needs 6 shared words
    between two differences to show them apart). What a desk does to a copy is not: a dateline, a note, a
    headline or a tagline is added or dropped whole, before or after the story's own sentences (a run
    inserted or deleted, or a replaced run at the text's first or last words); a trim removes a tail; a
    copy-edit swaps plain words. Read from both texts in full, so only for the rare pair that needs it."""
    new_chunks, stored_chunks = new_text.split(), stored_text.split()
    new_keys, stored_keys = _chunk_keys(new_chunks, new_text), _chunk_keys(stored_chunks, stored_text)
    if _one_inside(new_keys, stored_keys) or _one_inside(stored_keys, new_keys):
        return 0  # a trim, or a text added to whole: the alignment is one shared run between two edges
    # No junk heuristic: a brief's frequent words are its template, and they must align.
    ops = SequenceMatcher(None, stored_keys, new_keys, autojunk=False).get_opcodes()
    shared_in = _shared_by_sentence(new_chunks, ops)
    slots = 0
    # The first run is an edge (nothing shared before it: a dateline or a kicker swapped whole). The last
    # is one too, unless it closes a sentence both texts share: a template whose last words are a slot
    # ("... quoting incident number 548.") fills it as it fills the others, where a desk's sign-off or
    # credit line is a sentence of its own (then it starts after a sentence end, or is mostly names).
    for tag, i1, i2, j1, j2 in ops[1:]:
        if tag != "replace" or i2 - i1 > SLOT_WORDS or j2 - j1 > SLOT_WORDS:
            continue
        if _ends_sentence(new_chunks[j1 - 1]):  # a sentence of its own starts here: not inside a shared one
            continue
        if shared_in[j1] < SLOT_SENTENCE:  # a credit or correction line: as much filler as fixed words
            continue
        if _names_or_figures(stored_chunks, i1, i2) and _names_or_figures(new_chunks, j1, j2):
            slots += 1
    return slots


def _shared_by_sentence(chunks: list[str], ops: Sequence[tuple[str, int, int, int, int]]) -> list[float]:
    """Per chunk of the second text, the share of its sentence's chunks that lie in runs both texts share
    (a sentence ends at a chunk ending in ``.``, ``!``, ``?`` or ``:``)."""
    shared = [False] * len(chunks)
    for tag, _, _, j1, j2 in ops:
        if tag == "equal":
            shared[j1:j2] = [True] * (j2 - j1)
    shares: list[float] = []
    start = 0
    for at, chunk in enumerate(chunks):
        if _ends_sentence(chunk) or at == len(chunks) - 1:
            share = sum(shared[start : at + 1]) / (at + 1 - start)
            shares.extend([share] * (at + 1 - start))
            start = at + 1
    return shares


SHARED_RUN = 3
"""Fewest words in a row two texts must share for them to count as kept text (one or two common words, an
article or a conjunction, align by chance between any two texts in one language)."""


def words_inside(inner_text: str, outer_text: str) -> float:
    """Share of ``inner_text``'s words found in ``outer_text``, in runs of ``SHARED_RUN`` or more in the
    same order: how much of a story an update kept, counted as a reader (and the desk that cut it) counts
    it, in words, where a shingle estimate is off by several hundredths either way."""
    inner_chunks, outer_chunks = inner_text.split(), outer_text.split()
    if not inner_chunks:
        return 1.0
    inner_keys, outer_keys = _chunk_keys(inner_chunks, inner_text), _chunk_keys(outer_chunks, outer_text)
    if len(inner_keys) >= SHARED_RUN and _one_inside(inner_keys, outer_keys):
        return 1.0  # the alignment's longest run is the whole inner text (a trim, a story added to)
    matcher = SequenceMatcher(None, inner_keys, outer_keys, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks() if block.size >= SHARED_RUN)
    return kept / len(inner_chunks)


def _one_inside(inner: list[str], outer: list[str]) -> bool:
    """Whether ``inner`` is one run of ``outer`` (a substring search in C, where the alignment is a Python
    loop). Word by word the alignment (``SequenceMatcher``, no junk) then finds that run first, as its
    longest, and nothing beside it: one side of each remainder is empty. Keys hold letters and digits
    only, so the separator cannot occur inside one."""
    if len(inner) > len(outer):
        return False
    return "\x00" + "\x00".join(inner) + "\x00" in "\x00" + "\x00".join(outer) + "\x00"


SHARE_SLACK = 0.1
"""How far the estimated new-material share may sit from ``NEW_MATERIAL`` for the new text to be read
again to measure it: the estimate from Jaccard and the counts is off by more than 0.1 for about one
related pair in a hundred (``dedup_eval --speed --accuracy``), so further away it decides alone."""

WELL_INSIDE = CONTAINED + SHARE_SLACK
"""Share of a text inside another past which it lies wholly inside it but for a desk's few lines, whatever
the estimate's error (0.1 for about one related pair in a hundred)."""


def _new_material(new: Signature, old: Signature, contained_new: float, probe: TextProbe | None) -> float:
    """Share of the new text that is not in the stored one: read off the new text itself when it is at
    hand and the estimate is near the line (``TextProbe.share_new``), else from the Jaccard estimate and
    the two counts."""
    estimate = 1.0 - contained_new
    if probe is None or abs(estimate - NEW_MATERIAL) > SHARE_SLACK:
        return estimate
    measured = probe.share_new(old)
    return estimate if measured is None else measured


def _cover(new: Signature, old: Signature, contained_new: float, contained_old: float) -> float:
    """Share of the larger text the smaller one covers, read from the two one-permutation MinHashes
    (``bin_containment`` of the smaller in the larger, exactly 1 for a text wholly inside, times the ratio
    of their shingle counts) where the estimate from Jaccard and the two counts sits near ``MIN_COVER``.

    The estimate is off by a few hundredths either way, and on that line those hundredths decide: a trim
    wholly inside a major update that kept the story's first half covers 0.32 of it (no trim of it) and
    was read at 0.36, so it joined the update, not its story; a half trim covering 0.41 of its story was
    read at 0.33 and stored apart from it."""
    cover = min(contained_new, contained_old)
    if not new.size or not old.size:
        return cover
    inner, outer = (new, old) if contained_new >= contained_old else (old, new)
    inside = bin_containment(inner, outer)
    if inside is None or inner.size is None or outer.size is None:
        return cover
    return min(1.0, inside * inner.size / outer.size)


def _inside_near_line(
    new: Signature, old: Signature, contained_new: float, contained_old: float
) -> tuple[float, float]:
    """The two containments, the smaller text's read from the two one-permutation MinHashes
    (``bin_containment``) where the estimate from Jaccard and the two counts puts it just under
    ``CONTAINED`` (within ``SHARE_SLACK``) and the bins put it over: exactly 1 for a text wholly inside.

    A half trim keeps 40-55% of its story, so its Jaccard with it is as low, where 128 equal values are
    off by 0.05 either way: a trim wholly inside a story of 1,220 shingles, 42% of it, read 0.30 and so
    0.78 inside, and the pair was unrelated (the trim stored as a story of its own). Only a pair under the
    Jaccard threshold is read so (one at it or above is judged whatever its containment), and only to
    lift it over the line; the other side's share follows from the same shared count."""
    if (
        not new.size
        or not old.size
        or not CONTAINED - SHARE_SLACK <= max(contained_new, contained_old) < CONTAINED
    ):
        return contained_new, contained_old
    inner, outer = (new, old) if contained_new >= contained_old else (old, new)
    inside = bin_containment(inner, outer)
    if inside is None or inside < CONTAINED or inner.size is None or outer.size is None:
        return contained_new, contained_old
    other = min(1.0, inside * inner.size / outer.size)
    return (inside, other) if inner is new else (other, inside)


def _edges_edited(
    probe: TextProbe | None, new: Signature, old: Signature, contained_new: float, contained_old: float
) -> bool:
    """Whether two texts that start apart, each a fifth or more its own, are one story with a desk's lines
    at its edges: a copy under a long editor's note (read as its lead), cut at its tail, with a correction
    or tagline after it, beside its original. Three shapes together tell it from two stories around one
    shared text:

    - one of the two has under ``NEW_MATERIAL`` of its own, so it is no story of its own by the issue's
      line (a local story around a wire story, and the wire story's update, have 40% or more as a rule);
    - the lead of the other, the text more its own, lies inside it: a copy keeps its original's lead
      (after the note), the trim cut the original's tail. A local story's own lead is in no update of
      the wire story it quotes, whichever of the two is more its own;
    - the new text differs from the stored one at no place inside it (``_interior_differences``): all it
      has of its own is before or after the shared text. A minor update's inserted paragraphs, or a
      template's slots, sit inside it.

    Read only for a pair the judge would otherwise call ``overlaps`` (with the new text at hand)."""
    if probe is None or min(1.0 - contained_new, 1.0 - contained_old) >= NEW_MATERIAL:
        return False
    # The copy is the text less its own (more of it inside the other): the other's lead must be in it.
    copy_is_new = contained_new > contained_old
    kept = _old_lead_in_new(probe, old) if copy_is_new else _lead_in_old(probe, new, old)
    return kept and _interior_differences(probe, old) == 0


def judge(
    new: Signature, old: Signature, equal: int, threshold: float, probe: TextProbe | None = None
) -> Verdict | None:
    """The relation of ``new`` to ``old`` given their count of equal MinHash values, or None if unrelated.

    ``probe``, the new item's text, lets a pair whose lead sketches differ be seen to start alike all the
    same: the outer text's lead lies inside the inner one (see ``TextProbe``)."""
    jaccard = equal / new.num_perm
    if new.size is None or old.size is None or not new.size or not old.size:
        contained_new = contained_old = jaccard  # sizes unknown (format 1): Jaccard is all there is
    else:
        shared = jaccard * (new.size + old.size) / (1 + jaccard)
        contained_new = min(1.0, shared / new.size)
        contained_old = min(1.0, shared / old.size)
    near = jaccard >= threshold - 1e-9
    if not near:
        contained_new, contained_old = _inside_near_line(new, old, contained_new, contained_old)
    inside = contained_new >= CONTAINED
    contains = contained_old >= CONTAINED
    if not (near or inside or contains):
        return None
    agreement = _salient_agreement(new, old)
    if _templated_at(agreement, old, probe, max(contained_new, contained_old)):
        return Verdict(Relation.TEMPLATED, jaccard, contained_new, contained_old, agreement)
    same_start = _same_start(new, old)
    embeds = (
        contains
        and not inside
        and 1.0 - contained_new >= NEW_MATERIAL - SHARE_SLACK
        and (same_start is not True or (probe is not None and _echoed_start(probe, new, old)))
        and _new_material(new, old, contained_new, probe) >= NEW_MATERIAL
    )
    if embeds and (probe is None or not _lead_in_old(probe, new, old)):
        return Verdict(Relation.EMBEDS, jaccard, contained_new, contained_old, agreement)
    embedded = inside and not contains and 1.0 - contained_old >= NEW_MATERIAL and same_start is False
    if embedded and (probe is None or not _old_lead_in_new(probe, old)):
        # The stored text has much more besides and starts elsewhere: the new item is a whole story
        # quoted inside a larger one, not a trim of it.
        return Verdict(Relation.EMBEDDED, jaccard, contained_new, contained_old, agreement)
    cover = min(contained_new, contained_old)
    if abs(cover - MIN_COVER) <= SHARE_SLACK:  # near the line, where the estimate's hundredths decide
        cover = _cover(new, old, contained_new, contained_old)
    if cover < MIN_COVER:
        # One text is a small part of the other, which is more than two-thirds its own: a new story
        # around an old one (a next-day story carrying the whole first one), not a trim or a fuller copy.
        relation = Relation.EMBEDS if contains else Relation.EMBEDDED
        return Verdict(relation, jaccard, contained_new, contained_old, agreement)
    if contains and (new.size or 0) > (old.size or 0) * (1 + FULLER_MARGIN):
        return Verdict(Relation.FULLER, jaccard, contained_new, contained_old, agreement)
    if (
        near
        and not inside
        and not contains
        and same_start is False
        and not _edges_edited(probe, new, old, contained_new, contained_old)
    ):
        # Neither is a trim or a fuller copy of the other, each has a fifth or more of its own, and they
        # start apart: two stories around one shared text (a local story quoting a wire story, and that
        # wire story's update), not two copies of one.
        return Verdict(Relation.OVERLAPS, jaccard, contained_new, contained_old, agreement)
    if near:
        return Verdict(Relation.NEAR_DUPLICATE, jaccard, contained_new, contained_old, agreement)
    return Verdict(Relation.CONTAINED, jaccard, contained_new, contained_old, agreement)


def judged(
    new: Signature, old: Signature, equal: int, threshold: float, probe: TextProbe | None = None
) -> Verdict | None:
    """``judge``, kept by the new item's probe per stored signature: the rules ask again for the verdict
    the story judge gave on the candidate that is the story's representative (most joining items), and
    ``judge`` is a function of its arguments (the probe's own reads are cached answers of its text)."""
    if probe is None:
        return judge(new, old, equal, threshold)
    key = (old.to_bytes(), equal, threshold)
    known = probe._verdicts.get(key)
    if known is not None and known[0] is new:
        return known[1]
    verdict = judge(new, old, equal, threshold, probe)
    probe._verdicts[key] = (new, verdict)
    return verdict


@dataclass(frozen=True)
class StoryJudge:
    """The pipeline's judge (``worker.dedup.Judge``): a copy joins the story it is closest to; otherwise the
    strongest link (a story it embeds or is embedded in, then a templated neighbour) is returned for the
    audit without joining."""

    threshold: float
    probe: TextProbe | None = field(default=None, compare=False)
    """The new item's text, when the caller has it (``probing``)."""

    def probing(self, probe: TextProbe) -> StoryJudge:
        """This judge for one new item whose text is known: its verdicts may read the text (lazily)."""
        return replace(self, probe=probe)

    def __call__(self, sig: Signature, candidates: list[Candidate]) -> Match | None:
        verdicts = [
            (c, v) for c in candidates if (v := judged(sig, c.signature, c.equal, self.threshold, self.probe))
        ]
        if not verdicts:
            return None
        order = {True: 2, False: 0}

        def rank(pair: tuple[Candidate, Verdict]) -> tuple[int, int, int, tuple[int, ...]]:
            candidate, verdict = pair
            link = 1 if verdict.relation in (Relation.EMBEDS, Relation.EMBEDDED) else 0
            return order[verdict.joins], link, candidate.equal, tuple(-ord(ch) for ch in candidate.key)

        candidate, verdict = max(verdicts, key=rank)
        if not verdict.joins:
            return Match(candidate.key, verdict.similarity, verdict.relation.value, False)
        # The other candidates the item is a copy of, either nested with the chosen one (one inside it, it
        # inside the other) or an edited or trimmed copy of (not only fuller than): when they stand for
        # another stored story, the item may show the two to be one (``worker/story_merge.py``); when
        # they stand for the same story, the item is its copy (``RuleContext.between_copies``). Sorted,
        # so both indexes agree.
        also = tuple(
            sorted(
                c.key
                for c, v in verdicts
                if v.joins
                and c.key != candidate.key
                and (v.relation is not Relation.FULLER or nested(verdict, v))
            )
        )
        joined = tuple(sorted(c.key for c, v in verdicts if v.joins and c.key != candidate.key))
        quoted = tuple(sorted(c.key for c, v in verdicts if v.relation is Relation.EMBEDDED))
        echoing = tuple(
            sorted(
                c.key
                for c, v in verdicts
                if c.key in also and may_quote_whole(sig, c.signature, v, self.probe)
            )
        )
        return StoryMatch(
            candidate.key, verdict.similarity, verdict.relation.value, True, also, joined, quoted, echoing
        )


def nested(one: Verdict, other: Verdict) -> bool:
    """Whether a new text sits between two stored ones, one inside it and it inside the other (its two
    verdicts), so the smaller stored text is inside the larger: the two are one story. A trim inside both
    (a story, and an update that kept the story's first half) shows only that they share that half.

    The new text must also hold more than the inner one: not lie well inside it too (``CONTAINED`` +
    ``SHARE_SLACK``, past the estimate's error: an edited copy, its own words a desk's few). Such a copy
    restates the inner text's relation to the outer one, which was decided when the later of the two
    arrived, often from more than signatures (a local story that retells a wire lead and quotes the wire
    story whole is told apart by reading its text, which a copy of the wire story under a dateline,
    judged against the local story's signature, cannot do). A story's original between its trim and a
    copy under a long note holds the part the trim cut (a fifth of the original or more), and still shows
    the two to be one."""
    return (
        one.contained_old >= CONTAINED
        and one.contained_new < WELL_INSIDE
        and other.contained_new >= CONTAINED
    ) or (
        other.contained_old >= CONTAINED
        and other.contained_new < WELL_INSIDE
        and one.contained_new >= CONTAINED
    )


@dataclass(frozen=True)
class StoryMatch(Match):
    """A joining match that also names the other candidates the item is a copy of (their keys)."""

    also: tuple[str, ...] = ()
    joined: tuple[str, ...] = ()
    """Every other candidate the item is a copy of, nested or not: the stored copies a newcomer stored as
    a story of its own may be a better home for (``worker/story_move.py``)."""
    embedded_in: tuple[str, ...] = ()
    """The candidates that quote the item whole as part of a larger story of their own (``embedded``): a
    wire story arriving after a local story that embeds it joins its own story, and the link is kept."""
    echoing: tuple[str, ...] = ()
    """The keys of ``also`` whose text may quote the item whole after a lead of its own that echoes the
    item's lead (``may_quote_whole``): the signatures read them as copies, only their text can tell
    (``rules.RuleContext.also`` reads it)."""


def bin_containment(inner: Signature, outer: Signature) -> float | None:
    """Share of ``inner``'s shingles inside ``outer``, read bin by bin off the two one-permutation MinHashes
    (None for other formats, or when no bin can tell).

    In a bin both texts fill, the least shingle of their union is in both (the two values are equal), only
    in ``inner`` (its value is the smaller) or only in ``outer`` (it cannot tell): the first two happen in
    the ratio of the shared part of ``inner`` to the rest of it, so equal / (equal + smaller) estimates the
    containment. A bin ``outer`` left empty holds a shingle of ``inner`` that ``outer`` lacks. Unlike the
    estimate from Jaccard and the two counts, it is exactly 1 when ``inner`` lies wholly inside ``outer``
    (no shingle of it can be least and missing), so a copy inside two texts never looks closer to one."""
    if inner.version != FORMAT_VERSION or outer.version != FORMAT_VERSION or inner.num_perm != outer.num_perm:
        return None
    num_perm = np.uint64(inner.num_perm)
    positions = np.arange(inner.num_perm, dtype=np.uint64)
    mine = ((inner.hashvalues >> np.uint64(32)) * num_perm) >> np.uint64(32) == positions
    theirs = ((outer.hashvalues >> np.uint64(32)) * num_perm) >> np.uint64(32) == positions
    equal = mine & theirs & (inner.hashvalues == outer.hashvalues)
    missing = mine & (~theirs | (inner.hashvalues < outer.hashvalues))
    told = int(equal.sum() + missing.sum())
    return None if not told else float(equal.sum()) / told
