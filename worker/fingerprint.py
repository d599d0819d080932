"""Text fingerprints: the exact-duplicate key and the near-duplicate signature.

Wire copies of one story differ in quote marks, dashes, case and spacing long before they differ in words,
so both fingerprints ignore them; otherwise a curly-quoted reprint would miss the exact key and waste part
of its near-duplicate similarity on typography.

Shingles are word n-grams (``SHINGLE_SIZE``) rather than characters because templated hard negatives
(earnings, results, weather) share nearly all their character and short-word shingles while differing in
the names and numbers that make them different news; longer word shingles carry those differences into
every shingle that touches them. The sizes were chosen by ``bench/dedup_eval.py`` (see ``bench/DEDUP.md``).

The signature (format 3) is a **one-permutation MinHash with optimal densification** (Shrivastava, ICML
2017): each shingle is hashed once, the hash's top bits choose one of ``NUM_PERM`` bins and each bin keeps
its smallest hash; a bin no shingle fell in borrows the value of the first non-empty bin on a fixed probe
sequence of its own. Two texts then agree at any position with probability equal to the Jaccard similarity
of their shingle sets, as with ``NUM_PERM`` independent permutations, but at the cost of one hash and one
sort per text instead of ``NUM_PERM`` products per shingle (format 2, kept in ``worker.fingerprint_v2``).
For texts longer than ``NUM_PERM`` shingles the estimate is, if anything, tighter (bins sample without
replacement). The whole text is tokenised once: the shingles, the salient tokens and the lead are read from
that one token stream, each word hashed once per process (a vocabulary cache).

Signatures must stay comparable across processes, machines and releases, because they are stored and
rebuilt into the index at start-up: hashing is keyed and deterministic (never Python's salted ``hash``),
and the byte format carries a version, the shingle size and the permutation count. Formats 2 and 3 share
one layout (values at the same offsets, so both indexes read them alike); their values come from different
hash families and agree at no position save by chance (2^-64 a position), so a stray format-2 row is
never mistaken for a copy, only missed. Migration 0005 rewrites stored rows to format 3.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import re
import struct
import sys
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from hashlib import blake2b as _blake2b
from typing import TYPE_CHECKING

import numpy as np

from worker.chunk_keys import KeyTable, chunk_keys, cut_out, fmix64_in_place, plain_spaces, scan

if TYPE_CHECKING:  # imported where used: datasketch pulls in scipy, 1.5 s of every worker's start
    from datasketch import MinHash

SHINGLE_SIZE: int = 6
NUM_PERM: int = 128
SEED: int = 1
"""Seed of format 2's permutations (``minhash()``'s datasketch view): part of that format, never change it."""

FORMAT_VERSION = 3
_READABLE_VERSIONS = (1, 2, 3)  # version 1: the MinHash values alone, as stored before story clusters
VALUES_IN_PLACE_VERSIONS: tuple[int, ...] = (1, 2, 3)
"""Formats whose values are little-endian uint64 right after the 4-byte header: a reader of many stored
signatures (a worker's join) may take them in place instead of decoding each one."""
_NATIVE_LITTLE = sys.byteorder == "little"  # "<u8" read in place is then numpy's own uint64
_LE_U8, _LE_U4 = np.dtype("<u8"), np.dtype("<u4")
_HEADER = struct.Struct("<BBH")  # format version, shingle size, number of permutations
_EXTRA = struct.Struct("<IHBB")  # shingle count, salient-token count, salient sketch length, lead length
SALIENT_SKETCH = 64
"""Bottom-k size of the salient-token sketch: exact for briefs (where templates live), an estimate beyond."""
LEAD_TOKENS = 20
LEAD_SKETCH = 16
LEAD_MIN_WORDS = 12
LEAD_LONG_WORDS = 20
_SCHEME = "affine64"  # datasketch's scheme for the ``minhash()`` view

# Typographic variants that wire copies swap freely; each maps to its plain ASCII form.
_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4\u0060", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u2039\u203a", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        "\u2026": "...",
        "\u00ad": None,  # soft hyphen: invisible, but splits words when present
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
# Typography is rare within a text, so replace just the matches: translate() walks every character and
# cost a quarter of a signature.
_TYPOGRAPHIC = re.compile("[" + "".join(re.escape(chr(code)) for code in _TYPOGRAPHY) + "]")
# Scripts written without spaces (CJK, kana, hangul) are tokenised per character, so that a Chinese
# article is a sequence of many tokens instead of a handful of sentence-long "words".
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[^\W{_CJK}]+|[{_CJK}]")
# On ASCII text (most wire copy) the ASCII word class finds exactly the same words at half the cost.
_ASCII_TOKEN = re.compile(r"\w+", re.ASCII)
# Salient tokens: numbers, and words capitalised where a sentence does not start (names, places,
# companies). They are what differs between two briefs cut from one template.
_NUMBER = re.compile(r"\d\w*")  # figures, from their first digit
_SENTENCE_END = frozenset(".!?:;\"'\u201c\u201d\u2018\u2019\u00ab\u00bb([-\u2013\u2014")
_PUNCTUATION = ".,;:!?\"'()[]{}\u201c\u201d\u2018\u2019\u00ab\u00bb-\u2013\u2014"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
_CLOSING = frozenset(".!?\"'\u201d\u2019\u00bb)\u3002")

# The same patterns over many chunks joined by newlines, each newline matched as itself: they mark where
# one chunk's matches end (no chunk holds a newline, and neither pattern reaches across one).
_BREAK = "\n"
_WORD_OR_BREAK = re.compile(rf"[^\W{_CJK}]+|[{_CJK}]|\n")
_ASCII_WORD_OR_BREAK = re.compile(r"\w+|\n", re.ASCII)
_NUMBER_OR_BREAK = re.compile(r"\d\w*|\n")

_TOKEN_CACHE_LIMIT = 200_000
_BY_TEXT_LIMIT = 50_000  # chunks remembered by their text for single texts: a few MB
_token_cache: dict[str, int] = {}


def _plain(match: re.Match[str]) -> str:
    return match.group().translate(_TYPOGRAPHY)


def fold(text: str) -> str:
    """The normal form before its whitespace is collapsed."""
    text = unicodedata.normalize("NFKC", text)
    return _TYPOGRAPHIC.sub(_plain, text).casefold()


def normalise_text(text: str) -> str:
    """One canonical spelling per text, so typography, case and layout never count as an edit."""
    return " ".join(fold(text).split())


def content_hash(text: str) -> str:
    """Exact-duplicate key: equal for texts that differ only in what ``normalise_text`` removes."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def _token_hash(word: str) -> int:
    # Keyed BLAKE2b: deterministic everywhere, 64 bits keep any vocabulary collision-free.
    return int.from_bytes(_blake2b(word.encode("utf-8"), digest_size=8, key=b"wirefeed").digest(), "little")


def token_hashes(words: list[str]) -> np.ndarray:
    """Stable 64-bit hash per (already case-folded) token; a bounded cache spares the common words."""
    cache = _token_cache
    if len(cache) > _TOKEN_CACHE_LIMIT:
        cache.clear()
    found = list(map(cache.get, words))
    if None in found:
        unseen = list(set(words).difference(cache))
        cache.update(zip(unseen, _token_hash_list(unseen), strict=True))
        found = list(map(cache.__getitem__, words))
    return np.array(found, dtype=np.uint64)


_KEYED = _blake2b(digest_size=8, key=b"wirefeed")


def _token_hash_list(words: list[str]) -> list[int]:
    """``_token_hash`` of many words: each from a copy of one keyed state (setting a key up costs as much
    as the hashing) and all digests read as one array, half the cost a word."""
    digests = []
    for word in words:
        state = _KEYED.copy()
        state.update(word.encode("utf-8"))
        digests.append(state.digest())
    hashed: list[int] = np.frombuffer(b"".join(digests), dtype="<u8").tolist()
    return hashed


def tokens(text: str) -> list[str]:
    """Words of the normal form without punctuation, which wire edits change without changing the story."""
    normal = fold(text)  # collapsing whitespace changes no word
    return (_ASCII_TOKEN if normal.isascii() else _TOKEN).findall(normal)


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer: spreads the shingle combination over all 64 bits.

    Array arithmetic wraps without a warning (only numpy's scalar arithmetic checks overflow), so no
    ``np.errstate`` here: entering one cost as much as the mixing of a whole text."""
    return fmix64_in_place(np.array(values, dtype=np.uint64, ndmin=1))  # a copy, mixed in place


_SHIFT_32 = np.array(32, dtype=np.uint64)  # 0-d: see ``chunk_keys._SHIFT_33``


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values: a sort and a neighbour mask, a fraction of ``np.unique``'s general path."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


# Odd 64-bit multipliers, one per position in a shingle, so that "a b" and "b a" hash apart.
_POSITION_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
        0x2545F4914F6CDD1D,
        0x27D4EB2F165667C5,
    ],
    dtype=np.uint64,
)
_MULTIPLIERS = [_POSITION_MULTIPLIERS[i : i + 1].reshape(()) for i in range(len(_POSITION_MULTIPLIERS))]
"""The multipliers as 0-d arrays: numpy converts a scalar operand to an array on every call."""
_EMPTY_TOKEN = _token_hash("")
_EMPTY_TEXT = np.array([_EMPTY_TOKEN], dtype=np.uint64)


def _combine(hashed: np.ndarray, size: int) -> np.ndarray:
    """One 64-bit hash per word ``size``-gram, in text order (repeats kept).

    A text shorter than ``size`` words becomes one shingle of all its words: its signature then matches
    only the same words in the same order, which is the safe answer when there is too little text to
    judge an edit (an empty signature would instead match every other short text).
    """
    if not 1 <= size <= len(_POSITION_MULTIPLIERS):
        raise ValueError(f"shingle size must be 1..{len(_POSITION_MULTIPLIERS)}, got {size}")
    if not hashed.size:
        hashed = _EMPTY_TEXT  # the empty text still gets a definite signature, equal only to itself
    size = min(size, hashed.size)
    count = hashed.size - size + 1
    # xor-then-multiply by an odd constant is a bijection of each new word: order-sensitive. The first
    # word's xor into zero is the word itself, so the product starts from it (one array and pass fewer).
    combined: np.ndarray = hashed[:count] * _MULTIPLIERS[0]
    for position in range(1, size):  # array arithmetic wraps silently: no errstate needed (see ``fmix64``)
        combined ^= hashed[position : position + count]
        combined *= _MULTIPLIERS[position]
    return combined


def shingle_hashes(words: list[str], size: int = SHINGLE_SIZE) -> np.ndarray:
    """Distinct 64-bit hashes of the word ``size``-grams of ``words`` (case-folded tokens)."""
    return sorted_distinct(_combine(token_hashes(words), size))


_FEW_HASHES = 32
"""Up to this many hashes (a lead's 15 shingles), a set and a sort of Python ints beat four numpy calls."""


def bottom_sketch(hashes: np.ndarray, k: int) -> np.ndarray:
    """The k smallest distinct 32-bit values: a bottom-k sketch, comparable between any two texts."""
    tops = np.asarray(hashes, dtype=np.uint64) >> _SHIFT_32
    if tops.size <= _FEW_HASHES:
        return np.array(sorted(set(tops.tolist()))[:k], dtype=np.uint32)
    small = sorted_distinct(tops.astype(np.uint32))
    return small[:k]


def _bottom_of_sorted(ordered: np.ndarray, k: int) -> np.ndarray:
    """``bottom_sketch`` of hashes already sorted and distinct: their top halves are then sorted too, so
    only neighbours can be equal (no second sort)."""
    tops = (ordered >> _SHIFT_32).astype(np.uint32)
    if tops.size > 1:
        tops = tops[np.concatenate(([True], tops[1:] != tops[:-1]))]
    return tops[:k]


_CAPITAL, _ENDS_SENTENCE = 1, 2  # chunk flags
_NAMED_AFTER = np.array(
    [bool(now & _CAPITAL) and not prev & _ENDS_SENTENCE for prev in range(4) for now in range(4)]
)
"""By a chunk's flags and its predecessor's (``prev << 2 | now``): whether it is a name (``_stream_of``)."""


def _grown(array: np.ndarray, needed: int) -> np.ndarray:
    """``array`` itself when it has room for ``needed`` rows, else a copy twice as large (amortised)."""
    if needed <= array.shape[0]:
        return array
    grown = np.zeros((max(needed, 2 * array.shape[0]), *array.shape[1:]), dtype=array.dtype)
    grown[: array.shape[0]] = array
    return grown


class _Chunks:
    """Whitespace chunk -> what a signature needs of it, worked out once per process per distinct chunk.

    A text is read as its whitespace-separated chunks, found and keyed in bulk over the bytes of a whole
    batch of texts (``worker.chunk_keys``): a chunk seen before, which is most of any text, costs a share
    of a few numpy passes, and the text's words, figures and names are then numpy gathers over all its
    chunks at once. Only a new chunk is cut out as a string and pays for the regular expressions and the
    hashing, so the per-word Python work of tokenising is paid per vocabulary, not per text. The words are
    exactly ``tokens()``'s (no token spans whitespace), and the salient tokens exactly those of format 2.
    Lookups and additions hold the lock; rows are written before their ids are handed out, and the arrays
    are replaced, never shrunk, when they grow, so a reader holding ids reads their rows without it.
    """

    def __init__(self) -> None:
        self.keys = KeyTable()
        self.lock = threading.Lock()
        # per chunk: start and count of its words, start and count of its figures, flags
        self.rows = np.zeros((4096, 5), dtype=np.intp)
        self.capitals = np.zeros(4096, dtype=np.uint64)  # hash of a capitalised chunk, stripped
        self.words = np.zeros(8192, dtype=np.uint64)
        self.numbers = np.zeros(1024, dtype=np.uint64)
        self.counts = [0, 0, 0]  # chunks, words, figures stored
        self.by_text: dict[str, int] = {}  # chunk -> id, for one text at a time (``ids_of_text``)

    def __len__(self) -> int:
        return self.counts[0]

    def lookup(self, chunks: list[str]) -> np.ndarray:
        """The ids of ``chunks`` (each a whitespace-free string, as ``str.split`` gives), adding the unseen
        ones first."""
        data = plain_spaces("\n".join(chunks).encode("utf-8"))
        raw, _, starts, ends = scan(data)
        return self.ids_of(data, raw, starts, ends)

    def ids_of_text(self, text: str) -> np.ndarray:
        """The ids of one text's chunks, through a dict of the chunks of the texts read this way.

        The byte-array path (``ids_of``) pays a dozen numpy calls whatever the size of its input, which a
        batch shares out but one text (``signature`` alone, a crawled page) pays in full: a dict probe
        per chunk (``str.split()``'s chunks, exactly the scan's) is cheaper. A text with a chunk the dict
        lacks takes the byte-array path whole (the same table, so the same ids) and leaves its chunks in
        the dict. The dict starts over past ``_BY_TEXT_LIMIT``."""
        chunks = text.split()
        known = self.by_text
        if len(chunks) > 1:  # one C call for all the probes; a miss raises instead of leaving a None to find
            try:
                return np.fromiter(operator.itemgetter(*chunks)(known), dtype=np.intp, count=len(chunks))
            except KeyError:
                pass
        elif all(chunk in known for chunk in chunks):  # itemgetter of one key gives it bare, of none fails
            return np.array([known[chunk] for chunk in chunks], dtype=np.intp)
        data = plain_spaces(text.encode("utf-8"))
        raw, _, starts, ends = scan(data)
        ids = self.ids_of(data, raw, starts, ends)
        with self.lock:
            if len(known) + len(chunks) > _BY_TEXT_LIMIT:
                known.clear()
            known.update(zip(chunks, ids.tolist(), strict=True))
        return ids

    def ids_of(self, data: bytes, raw: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """The ids of the chunks ``data[starts[i]:ends[i]]`` (``raw``: ``data`` as uint8), adding the
        unseen ones first: only those are cut out of ``data`` and decoded."""
        keys = chunk_keys(raw, starts, ends)
        with self.lock:
            ids = self.keys.find(keys)
            missed = np.flatnonzero(ids < 0)
            if missed.size:
                new_keys, first = np.unique(keys[missed], return_index=True)
                at = missed[first]
                self._add(cut_out(raw, starts[at], ends[at]), new_keys)
                ids[missed] = self.keys.find(keys[missed])
        return ids

    def _add(self, new: list[str], keys: np.ndarray) -> None:
        """Rows of the unseen chunks, all of them read at once: the chunks joined by newlines (which no
        chunk holds, and across which neither normalisation nor a pattern reaches) go through each regular
        expression once, and a chunk's share of the words and figures is counted from the separators.
        A chunk at a time cost about 4 us each, most of a fresh worker's first thousand signatures.
        ASCII chunks, most of them, are read first and apart: for them folding is lower-casing and the
        ASCII word class finds the same words, each at a fraction of the cost."""
        is_ascii = list(map(str.isascii, new))
        plain = list(itertools.compress(new, is_ascii))
        other = list(itertools.compress(new, map(operator.not_, is_ascii)))
        new = plain + other  # the rows follow this order; ids are given by it below
        ascii_mask = np.array(is_ascii, dtype=bool)
        keys = np.concatenate([keys[ascii_mask], keys[~ascii_mask]])
        found = _ASCII_WORD_OR_BREAK.findall("\n".join(plain).lower()) if plain else []
        if other:
            found += [_BREAK] if plain else []
            found += _WORD_OR_BREAK.findall(fold("\n".join(other)))
        count = len(new)
        n_chunks, n_words, n_numbers = self.counts
        words, word_counts = _split_matches(found, count)
        numbers, number_counts = _split_matches(_NUMBER_OR_BREAK.findall("\n".join(new)), count)
        capital = np.fromiter(map(str.isupper, map(_FIRST, new)), dtype=bool, count=count)
        ends = np.fromiter(map(_SENTENCE_END.__contains__, map(_LAST, new)), dtype=bool, count=count)
        rows = np.empty((count, 5), dtype=np.intp)
        rows[:, 0] = n_words + np.cumsum(word_counts) - word_counts
        rows[:, 1] = word_counts
        rows[:, 2] = n_numbers + np.cumsum(number_counts) - number_counts
        rows[:, 3] = number_counts
        rows[:, 4] = np.where(capital, _CAPITAL, 0) | np.where(ends, _ENDS_SENTENCE, 0)
        capitals = np.full(count, _EMPTY_TOKEN, dtype=np.uint64)
        named = np.flatnonzero(capital)
        names = _names(list(map(new.__getitem__, named.tolist())))
        hashed = _hashed_once(words + names)
        capitals[named] = hashed[len(words) :]
        self.rows = _grown(self.rows, n_chunks + count)
        self.rows[n_chunks : n_chunks + count] = rows
        self.capitals = _grown(self.capitals, n_chunks + count)
        self.capitals[n_chunks : n_chunks + count] = capitals
        self.words = _grown(self.words, n_words + len(words))
        self.words[n_words : n_words + len(words)] = hashed[: len(words)]
        self.numbers = _grown(self.numbers, n_numbers + len(numbers))
        self.numbers[n_numbers : n_numbers + len(numbers)] = _hashed_once(numbers)
        self.counts = [n_chunks + count, n_words + len(words), n_numbers + len(numbers)]
        self.keys.add(keys)  # ids n_chunks, n_chunks + 1, ... in the rows' order


def _hashed_once(words: list[str]) -> np.ndarray:
    """``token_hashes`` of the words of new chunks, each distinct word hashed once, through a dict of
    this call's words alone: the process's word cache (up to ``_TOKEN_CACHE_LIMIT`` words) cost three
    probes of a large dict a word, most of them misses in a fresh worker, for a hash that costs about
    as much (fingerprints of the corpus 223 -> 219 us an item fresh, 164 -> 155 after a warm-up,
    alternated in one process)."""
    distinct = list(dict.fromkeys(words))
    hashed = dict(zip(distinct, _token_hash_list(distinct), strict=True))
    return np.array(list(map(hashed.__getitem__, words)), dtype=np.uint64)


_FIRST, _LAST = operator.itemgetter(0), operator.itemgetter(-1)
_EDGE_PUNCTUATION = re.compile(rf"^[{re.escape(_PUNCTUATION)}]+|[{re.escape(_PUNCTUATION)}]+$", re.MULTILINE)


def _names(chunks: list[str]) -> list[str]:
    """``chunk.strip(_PUNCTUATION).casefold()`` of each chunk, over all of them joined by newlines at once:
    each line's edges are its chunk's (no chunk holds a newline, and folding makes none), and folding is
    per character. Two calls per chunk in Python cost more than the hashing of the names they give."""
    if not chunks:
        return []
    return _EDGE_PUNCTUATION.sub("", "\n".join(chunks)).casefold().split("\n")


def _split_matches(found: list[str], count: int) -> tuple[list[str], np.ndarray]:
    """The matches of a pattern over ``count`` chunks joined by newlines (each newline matched as itself),
    without the newlines, and how many of them fell in each chunk."""
    breaks = np.fromiter(map(_BREAK.__eq__, found), dtype=bool, count=len(found))
    chunk_of = np.cumsum(breaks)[~breaks]
    matches = list(filter(_BREAK.__ne__, found))
    return matches, np.bincount(chunk_of, minlength=count)[:count]


_chunks = _Chunks()


def _chunk_table() -> _Chunks:
    """The process's chunk table, started afresh past ``_TOKEN_CACHE_LIMIT`` chunks (every figure and
    name ever printed would otherwise grow it without bound)."""
    global _chunks
    if len(_chunks) > _TOKEN_CACHE_LIMIT:
        _chunks = _Chunks()
    return _chunks


def _gather(flat: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``flat[starts[i] : starts[i] + counts[i]]`` for every i, concatenated, without a Python loop."""
    ends = np.cumsum(counts)
    total = int(ends[-1]) if ends.size else 0
    at = np.repeat(starts - ends + counts, counts)
    at += np.arange(total)
    picked: np.ndarray = flat.take(at)  # ``take``: a fraction of fancy indexing's fixed cost
    return picked


@dataclass(frozen=True)
class _Stream:
    """One text read once: its words' hashes in order, its salient tokens' hashes (repeats kept), and
    the word count of each whitespace chunk (to find where a paragraph's words start)."""

    words: np.ndarray
    salient: np.ndarray
    chunk_words: np.ndarray


def _stream(text: str) -> _Stream:
    """The stream of an NFKC-normalised text, by the byte-array path: what the story judge reads of the
    texts it compares, most of them met once (``_text_stream`` would pay its dict on top). A text of the
    last batch ``fingerprints`` read (the item being judged) is taken from that batch's arrays instead."""
    recent = _recent
    if recent is not None:
        found = recent.stream_of(text)
        if found is not None:
            return found
    table = _chunk_table()
    data = plain_spaces(text.encode("utf-8"))
    raw, _, starts, ends = scan(data)
    return _stream_of(table, table.ids_of(data, raw, starts, ends))


def _text_stream(text: str) -> _Stream:
    """``_stream`` of a text fingerprinted on its own, through the table's dict (``ids_of_text``)."""
    table = _chunk_table()
    return _stream_of(table, table.ids_of_text(text))


def _stream_of(table: _Chunks, ids: np.ndarray) -> _Stream:
    """Salient tokens are figures and words capitalised where a sentence does not start (names, places,
    companies): what differs between two briefs cut from one template. A capitalised chunk after one that
    ends in sentence punctuation, an opening quote or a dash, or at the very start, starts a sentence."""
    rows, capitals, words, numbers = table.rows.take(ids, axis=0), table.capitals, table.words, table.numbers
    flags = rows[:, 4]
    pairs = flags[:-1] << 2  # each chunk's flags beside its predecessor's: one table look-up, not five passes
    pairs |= flags[1:]
    salient = capitals.take(ids[1:][_NAMED_AFTER.take(pairs)])  # the first chunk starts a sentence
    if rows[:, 3].any():
        salient = np.concatenate([_gather(numbers, rows[:, 2], rows[:, 3]), salient])
    return _Stream(_gather(words, rows[:, 0], rows[:, 1]), salient, rows[:, 1])


def salient_hashes(text: str) -> np.ndarray:
    """Hashes of the numbers and of the mid-sentence capitalised words of ``text``, distinct."""
    return sorted_distinct(_stream(unicodedata.normalize("NFKC", text)).salient)


def _lead_start(text: str, chunk_words: np.ndarray) -> int:
    """Index of the first word of the first paragraph that reads as a lead: a headline, kicker, byline or
    one-line editor's note above it (short, or a line without closing punctuation) is not where the story
    starts, and copies add or drop exactly those. 0 when no paragraph reads as a lead."""
    start = 0
    while True:
        found = _PARAGRAPH_BREAK.search(text, start)
        stop = found.start() if found else len(text)
        stripped = text[start:stop].strip()
        words = len(stripped.split(maxsplit=LEAD_LONG_WORDS))
        if words >= LEAD_LONG_WORDS or (words >= LEAD_MIN_WORDS and stripped[-1:] in _CLOSING):
            return int(chunk_words[: len(text[:start].split())].sum()) if start else 0
        if found is None:
            return 0
        start = found.end()


_probe_tables: dict[int, np.ndarray] = {}
_templates: dict[int, MinHash] = {}


def _probes(num_perm: int) -> np.ndarray:
    """Per bin, a fixed order of all bins to borrow from when it is empty: row j is the bins sorted by a
    keyed hash of (j, bin), so each empty bin picks uniformly among the non-empty ones, independently of
    the others, and the same way for every text (what keeps the collision probability at the Jaccard)."""
    table = _probe_tables.get(num_perm)
    if table is None:
        grid = np.arange(num_perm, dtype=np.uint64)
        with np.errstate(over="ignore"):
            keys = fmix64((grid[:, None] << np.uint64(32)) + grid[None, :] + np.uint64(0x5EED_0000_0000_0000))
        table = np.argsort(keys, axis=1, kind="stable").astype(np.intp)
        table.setflags(write=False)
        _probe_tables[num_perm] = table
    return table


_bin_bounds: dict[int, np.ndarray] = {}


def _bounds(num_perm: int) -> np.ndarray:
    """Smallest hash of each bin: ``ceil(j * 2^32 / num_perm) << 32``."""
    bounds = _bin_bounds.get(num_perm)
    if bounds is None:
        grid = np.arange(num_perm, dtype=np.uint64)
        top = (grid * np.uint64(1 << 32) + np.uint64(num_perm - 1)) // np.uint64(num_perm)
        bounds = _bin_bounds[num_perm] = top << np.uint64(32)
    return bounds


def _one_permutation(ordered: np.ndarray, num_perm: int) -> np.ndarray:
    """One-permutation MinHash of sorted, mixed shingle hashes, densified.

    Bin j holds the hashes whose top 32 bits times ``num_perm`` fall in [j, j+1) * 2^32: monotone in the
    hash, so in a sorted array each bin's first element is its minimum and one ``searchsorted`` finds all
    of them."""
    at = np.searchsorted(ordered, _bounds(num_perm))
    filled = np.empty(num_perm, dtype=bool)
    np.less(at[:-1], at[1:], out=filled[:-1])
    filled[-1] = at[-1] < ordered.size
    values = ordered.take(at, mode="clip")  # an empty bin's index clipped in range: filled in below
    empty = np.flatnonzero(~filled)
    if empty.size:  # ``take``, not indexing: a fraction of its cost on arrays this small
        probes = _probes(num_perm).take(empty, axis=0)
        first = filled.take(probes).argmax(axis=1)
        first += np.arange(0, empty.size * num_perm, num_perm)  # flat index of each row's pick
        values[empty] = values.take(probes.take(first))
    return values


@dataclass(frozen=True, eq=False)
class Signature:
    """MinHash hash values (uint64) plus the parameters that made them, which comparison must agree on.

    Beside the MinHash it carries what containment and templated-text checks need, none of which a
    Jaccard estimate can give: the count of distinct shingles (so the shared part can be sized against
    each side), a bottom-k sketch of the salient tokens (names, places, numbers) and of the lead's
    shingles (whether two texts start alike). ``None`` for signatures stored before they existed.
    ``version`` is the format the values were made under (2: 128 permutations, 3: one permutation), kept
    so a signature read from the store is written back as it was.
    """

    hashvalues: np.ndarray
    shingle_size: int = SHINGLE_SIZE
    size: int | None = None
    salient_count: int = 0
    salient: np.ndarray | None = None
    lead: np.ndarray | None = None
    version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        values = np.ascontiguousarray(self.hashvalues, dtype=np.uint64)
        values.setflags(write=False)
        object.__setattr__(self, "hashvalues", values)
        for name in ("salient", "lead"):
            sketch = getattr(self, name)
            if sketch is not None:
                sketch = np.ascontiguousarray(sketch, dtype=np.uint32)
                sketch.setflags(write=False)
                object.__setattr__(self, name, sketch)

    @classmethod
    def _made(
        cls,
        values: np.ndarray,
        shingle_size: int,
        size: int,
        salient_count: int,
        salient: np.ndarray,
        lead: np.ndarray,
        version: int = FORMAT_VERSION,
        **cached: bytes,
    ) -> Signature:
        """A signature of arrays this module has just made or read in place (contiguous, of the stored
        dtypes), frozen in place: the general constructor's copies and checks cost as much as a sketch.
        ``cached`` fills the memo fields (``_encoded``: the bytes it was read from)."""
        for array in (values, salient, lead):
            array.setflags(write=False)
        sig = object.__new__(cls)
        sig.__dict__.update(  # a frozen dataclass's fields live here; __post_init__ would only copy
            hashvalues=values,
            shingle_size=shingle_size,
            size=size,
            salient_count=salient_count,
            salient=salient,
            lead=lead,
            version=version,
            **cached,
        )
        return sig

    @property
    def num_perm(self) -> int:
        return int(self.hashvalues.shape[0])

    def to_bytes(self) -> bytes:
        """Little-endian: a 4-byte header, 8 bytes per MinHash value, then the sizes and the sketches.

        The values sit at the same offsets in every version, so the Redis script compares them unchanged.
        A signature without sizes (read from version 1) is written back as version 1. Made once per
        signature (it is immutable): the index keeps a copy and the stored row another.
        """
        return self._encoded

    @cached_property
    def _encoded(self) -> bytes:
        values = self.hashvalues.astype("<u8", copy=False).tobytes()
        if self.size is None:
            return _HEADER.pack(1, self.shingle_size, self.num_perm) + values
        salient = self.salient if self.salient is not None else np.empty(0, dtype=np.uint32)
        lead = self.lead if self.lead is not None else np.empty(0, dtype=np.uint32)
        extra = _EXTRA.pack(
            min(self.size, 0xFFFFFFFF), min(self.salient_count, 0xFFFF), len(salient), len(lead)
        )
        return (
            _HEADER.pack(self.version, self.shingle_size, self.num_perm)
            + values
            + extra
            + salient.astype("<u4", copy=False).tobytes()
            + lead.astype("<u4", copy=False).tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """The signature ``data`` holds. Immutable ``bytes`` are read in place (the arrays are read-only
        views of them, and they are the signature's own encoding, so writing it back copies nothing): the
        judge decodes every candidate a check proposes, and the copies and checks of the general
        constructor were most of that cost."""
        if len(data) < _HEADER.size:
            raise ValueError("signature bytes are too short for a header")
        version, shingle_size, num_perm = _HEADER.unpack_from(data)
        if version not in _READABLE_VERSIONS:
            raise ValueError(f"unsupported signature format version {version}")
        end = _HEADER.size + 8 * num_perm
        if version == 1 and len(data) != end:
            raise ValueError(f"signature bytes hold {len(data)} bytes, expected {end}")
        if version > 1 and len(data) < end + _EXTRA.size:
            raise ValueError(f"signature bytes hold {len(data)} bytes, expected at least {end + _EXTRA.size}")
        in_place = type(data) is bytes and _NATIVE_LITTLE
        values = np.frombuffer(data, _LE_U8, num_perm, _HEADER.size)  # positional: keywords cost 1 us
        if version == 1:
            return cls(values if in_place else values.astype(np.uint64), shingle_size)
        size, salient_count, n_salient, n_lead = _EXTRA.unpack_from(data, end)
        start = end + _EXTRA.size
        expected = start + 4 * (n_salient + n_lead)
        if len(data) != expected:
            raise ValueError(f"signature bytes hold {len(data)} bytes, expected {expected}")
        salient = np.frombuffer(data, _LE_U4, n_salient, start)
        lead = np.frombuffer(data, _LE_U4, n_lead, start + 4 * n_salient)
        if not in_place:  # a mutable buffer (or another byte order): copies, in the stored dtypes
            return cls(
                values.astype(np.uint64),
                shingle_size,
                size,
                salient_count,
                salient.astype(np.uint32),
                lead.astype(np.uint32),
                version,
            )
        return cls._made(values, shingle_size, size, salient_count, salient, lead, version, _encoded=data)

    def _check_comparable(self, other: Signature) -> None:
        if self.num_perm != other.num_perm or self.shingle_size != other.shingle_size:
            raise ValueError(
                f"signatures are not comparable: {self.num_perm} perms / {self.shingle_size}-word shingles "
                f"vs {other.num_perm} / {other.shingle_size}"
            )

    def equal_count(self, other: Signature) -> int:
        """Count of equal hash values: the exact integer behind the estimate, as the Redis script counts."""
        self._check_comparable(other)
        return int(np.count_nonzero(self.hashvalues == other.hashvalues))

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        return self.equal_count(other) / self.num_perm

    def minhash(self) -> MinHash:
        """The datasketch view, for its LSH index (which reads only the values; the permutations are
        format 2's, never applied here)."""
        from datasketch import MinHash

        template = _templates.get(self.num_perm)
        if template is None:
            template = _templates[self.num_perm] = MinHash(self.num_perm, SEED, scheme=_SCHEME, hashfunc=int)
        return MinHash(
            seed=SEED, scheme=_SCHEME, hashvalues=self.hashvalues, permutations=template.permutations
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Signature):
            return NotImplemented
        return self.shingle_size == other.shingle_size and np.array_equal(self.hashvalues, other.hashvalues)

    def __hash__(self) -> int:
        return hash((self.shingle_size, self.hashvalues.tobytes()))


def signature_of_shingles(
    hashes: np.ndarray, num_perm: int = NUM_PERM, shingle_size: int = SHINGLE_SIZE, **extra: object
) -> Signature:
    """Format-3 values of precomputed shingle hashes (``shingle_hashes``); split out so the benchmarks can
    vary parameters. ``extra`` are ``Signature``'s other fields."""
    values = _one_permutation(np.sort(fmix64(np.asarray(hashes, dtype=np.uint64))), num_perm)
    return Signature(values, shingle_size, **extra)  # type: ignore[arg-type]


def signature(text: str, *, shingle_size: int = SHINGLE_SIZE, num_perm: int = NUM_PERM) -> Signature:
    """Format-3 signature of the word-shingle set of ``text``, with sizes and sketches, from one pass."""
    text = unicodedata.normalize("NFKC", text)
    return _signature_of(text, _text_stream(text), shingle_size, num_perm)


_FEW = 8
"""Below this many texts ``fingerprints`` takes each alone: the batch's own numpy calls (some sixty, a few
microseconds each) cost more than they spare on a handful of texts."""


def _hash_of_text(normal: str) -> str:
    """``content_hash`` of an NFKC text, from its chunks joined by single spaces."""
    joined = " ".join(normal.split())
    if joined.isascii():
        joined = joined.lower()
        return hashlib.sha256(joined.replace("`", "'").encode("utf-8")).hexdigest()
    return _hash_of_joined(normal, joined)


def _signature_of_normal(text: str) -> Signature:
    """``signature`` of a text already in NFKC form."""
    return _signature_of(text, _text_stream(text), SHINGLE_SIZE, NUM_PERM)


def fingerprints(texts: Sequence[str]) -> list[tuple[str, Signature]]:
    """``(content_hash(text), signature(text))`` of each text, the same values for less work.

    Both fingerprints start from the text's NFKC form and its whitespace chunks, found here once for both
    and for all the texts at once: the texts are one byte array, whose chunks are found, keyed and looked
    up in the chunk table in a few numpy passes (``worker.chunk_keys``), so no chunk becomes a Python
    string unless the table has never met it, and the words no earlier text had are read in one pass
    over them all (a fresh worker meets thousands in its first batches).
    """
    normal = [unicodedata.normalize("NFKC", text) for text in texts]
    if len(normal) < _FEW:  # one page, one pushed item: what the batch shares is not worth its fixed cost
        return [(_hash_of_text(text), _signature_of_normal(text)) for text in normal]
    encoded = [text.encode("utf-8") for text in normal]
    data = plain_spaces(b"\n".join(encoded))
    raw, inside, starts, ends = scan(data)
    text_at = np.zeros(len(encoded) + 1, dtype=np.intp)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.intp, count=len(encoded)) + 1, out=text_at[1:])
    chunk_at = np.searchsorted(starts, text_at)  # the "\n" between texts is whitespace: no chunk spans two
    table = _chunk_table()
    batch = _BatchStreams(table, table.ids_of(data, raw, starts, ends), chunk_at)
    hashes = _content_hashes(normal, raw, inside, (starts, ends), chunk_at)
    found = list(zip(hashes, batch.signatures(normal), strict=True))
    global _recent
    _recent = _RecentBatch(batch, normal)
    return found


class _BatchStreams:
    """The streams of many texts read as one: the gathers, the salient-token masks, the shingle
    combination and its mixing run once over the batch's concatenated chunks, and each text takes its
    slices (a handful of numpy calls per text instead of some forty, each a microsecond or more).

    A shingle of the concatenation that straddles two texts is never taken; a text too short for one
    whole shingle is combined on its own, as ``signature`` does."""

    def __init__(self, table: _Chunks, ids: np.ndarray, chunk_at: np.ndarray) -> None:
        """``ids``: the chunk ids of all the texts in order; text i's are ``ids[chunk_at[i]:chunk_at[i + 1]]``."""
        rows = table.rows.take(ids, axis=0)
        counts = np.diff(chunk_at)
        self.chunk_at = chunk_at
        flags = rows[:, 4]
        named = (flags & _CAPITAL) != 0
        named[1:] &= (flags[:-1] & _ENDS_SENTENCE) == 0
        named[self.chunk_at[:-1][counts > 0]] = False  # each text's first chunk starts a sentence
        self.words = _gather(table.words, rows[:, 0], rows[:, 1])
        self.numbers = _gather(table.numbers, rows[:, 2], rows[:, 3])
        self.capitals = table.capitals[ids[named]]
        self.chunk_words = rows[:, 1]
        self.word_at = _starts(rows[:, 1])
        self.number_at = _starts(rows[:, 3])
        self.named_at = _starts(named)
        self.combined = _combine(self.words, SHINGLE_SIZE)
        self.mixed = fmix64(self.combined)

    def signatures(self, texts: list[str]) -> list[Signature]:
        """Every text's signature, the MinHash values, the sizes and both sketches made for all the texts at
        once (``_one_permutations``, ``_bottoms``): per text only its sort, its lead's start and the
        object are left, where each text alone took some twenty numpy calls."""
        first, last = self.chunk_at[:-1], self.chunk_at[1:]
        word_start, word_end = self.word_at[first], self.word_at[last]
        whole = np.flatnonzero(word_end - word_start >= SHINGLE_SIZE).tolist()
        sigs = [
            self.signature(i, text) if word_end[i] - word_start[i] < SHINGLE_SIZE else None
            for i, text in enumerate(texts)
        ]
        if not whole:
            return [sig for sig in sigs if sig is not None]
        spans = [(int(word_start[i]), int(word_end[i])) for i in whole]
        ordered = [np.sort(self.mixed[start : end - SHINGLE_SIZE + 1]) for start, end in spans]
        values, sizes = _one_permutations(ordered, NUM_PERM)
        count = len(texts)
        numbers = self.number_at[last] - self.number_at[first]
        named = self.named_at[last] - self.named_at[first]
        salient = np.concatenate([self.numbers, self.capitals])
        owners = np.concatenate([np.repeat(np.arange(count), numbers), np.repeat(np.arange(count), named)])
        salient_counts, salient_tops, salient_at = _bottoms(salient, owners, count, SALIENT_SKETCH)
        leads = [self._lead(texts[i], i, start, end) for i, (start, end) in zip(whole, spans, strict=True)]
        lead_owners = np.repeat(
            np.arange(len(whole)), np.fromiter(map(len, leads), dtype=np.intp, count=len(leads))
        )
        _, lead_tops, lead_at = _bottoms(np.concatenate(leads), lead_owners, len(whole), LEAD_SKETCH)
        sizes_, counts_ = sizes.tolist(), salient_counts.tolist()
        for k, i in enumerate(whole):
            sigs[i] = Signature._made(
                values[k],
                SHINGLE_SIZE,
                sizes_[k],
                counts_[i],
                salient_tops[salient_at[i] : salient_at[i + 1]],
                lead_tops[lead_at[k] : lead_at[k + 1]],
            )
        return [sig for sig in sigs if sig is not None]

    def _lead(self, text: str, i: int, start: int, end: int) -> np.ndarray:
        """The shingle hashes of text ``i``'s lead (``_signature_of``'s ``lead``)."""
        at = _lead_start(text, self.chunk_words[self.chunk_at[i] : self.chunk_at[i + 1]])
        if end - start - at >= LEAD_TOKENS >= SHINGLE_SIZE:
            lead: np.ndarray = self.combined[start + at : start + at + LEAD_TOKENS - SHINGLE_SIZE + 1]
            return lead
        return _combine(self.words[start + at : min(end, start + at + LEAD_TOKENS)], SHINGLE_SIZE)

    def stream(self, i: int) -> _Stream:
        """Text ``i``'s stream, equal to ``_stream`` of it (the same rows of the same table)."""
        first, last = int(self.chunk_at[i]), int(self.chunk_at[i + 1])
        start, end = int(self.word_at[first]), int(self.word_at[last])
        salient = np.concatenate(
            [
                self.numbers[self.number_at[first] : self.number_at[last]],
                self.capitals[self.named_at[first] : self.named_at[last]],
            ]
        )
        return _Stream(self.words[start:end], salient, self.chunk_words[first:last])

    def signature(self, i: int, text: str) -> Signature:
        stream = self.stream(i)
        start = int(self.word_at[int(self.chunk_at[i])])
        end = start + stream.words.size
        if end - start < SHINGLE_SIZE:
            return _signature_of(text, stream, SHINGLE_SIZE, NUM_PERM)
        stop = end - SHINGLE_SIZE + 1
        return _signature_of(
            text, stream, SHINGLE_SIZE, NUM_PERM, self.combined[start:stop], self.mixed[start:stop]
        )


class _RecentBatch:
    """The streams of the last batch ``fingerprints`` read, by text: the story judge reads the words of
    the item it judges again (``TextProbe``), and that item is one of this batch's texts, whose words
    the batch already gathered: taking them costs a dict probe and two slices instead of the byte path's
    dozen numpy calls (about 300 us a text). The batch's arrays (about 8 MB for 500 texts of 450 words)
    are kept till the next batch replaces them."""

    def __init__(self, batch: _BatchStreams, texts: list[str]) -> None:
        self.batch = batch
        self.at = {text: i for i, text in enumerate(texts)}

    def stream_of(self, text: str) -> _Stream | None:
        i = self.at.get(text)
        return None if i is None else self.batch.stream(i)


_recent: _RecentBatch | None = None


def _one_permutations(ordered: list[np.ndarray], num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """``_one_permutation`` of many texts' sorted mixed shingle hashes, and each one's count of distinct
    hashes, in a fixed number of numpy calls for all of them: (values, one row per text; sizes).

    Concatenated, the texts' hashes are ordered by text, then by bin (a bin is a range of hash values),
    then by value: the first hash of each (text, bin) run is that bin's minimum."""
    lengths = np.fromiter(map(len, ordered), dtype=np.intp, count=len(ordered))
    hashes = np.concatenate(ordered)
    at = np.zeros(lengths.size, dtype=np.intp)
    np.cumsum(lengths[:-1], out=at[1:])
    differ = np.empty(hashes.size, dtype=bool)
    differ[0] = True
    np.not_equal(hashes[1:], hashes[:-1], out=differ[1:])
    differ[at] = True
    sizes = np.add.reduceat(differ, at, dtype=np.intp)
    bins = (((hashes >> _SHIFT_32) * np.uint64(num_perm)) >> _SHIFT_32).astype(np.intp)
    cells = np.repeat(np.arange(lengths.size) * num_perm, lengths) + bins
    first = np.empty(cells.size, dtype=bool)
    first[0] = True
    np.not_equal(cells[1:], cells[:-1], out=first[1:])
    values: np.ndarray = np.zeros((lengths.size, num_perm), dtype=np.uint64)
    filled: np.ndarray = np.zeros((lengths.size, num_perm), dtype=bool)
    values.reshape(-1)[cells[first]] = hashes[first]  # views of the rows, cell by cell
    filled.reshape(-1)[cells[first]] = True
    rows, empty = np.nonzero(~filled)
    if rows.size:  # each empty bin borrows from the first filled bin on its own probe sequence
        probes = _probes(num_perm)[empty]
        pick = filled[rows[:, None], probes].argmax(axis=1)
        values[rows, empty] = values[rows, probes[np.arange(rows.size), pick]]
    return values, sizes


def _bottoms(
    hashes: np.ndarray, owners: np.ndarray, count: int, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each of ``count`` owners of some of ``hashes`` (``owners``: whose each one is): how many distinct
    hashes it has, and its ``bottom_sketch`` of size ``k``, as one array and each owner's start in it
    (one more: the end), for all owners at once."""
    order = np.argsort(
        hashes
    )  # then a stable sort by owner (a radix sort of small ints): half lexsort's cost
    order = order[np.argsort(owners[order], kind="stable")]
    hashes, owners = hashes[order], owners[order]
    new = np.ones(hashes.size, dtype=bool)
    new[1:] = (hashes[1:] != hashes[:-1]) | (owners[1:] != owners[:-1])
    hashes, owners = hashes[new], owners[new]
    distinct = np.bincount(owners, minlength=count)
    tops = (hashes >> _SHIFT_32).astype(np.uint32)
    new = np.ones(tops.size, dtype=bool)
    new[1:] = (tops[1:] != tops[:-1]) | (owners[1:] != owners[:-1])
    tops, owners = tops[new], owners[new]
    rank = np.arange(tops.size) - np.searchsorted(owners, owners)  # place among the owner's tops
    keep = rank < k
    tops, owners = tops[keep], owners[keep]
    at = np.zeros(count + 1, dtype=np.intp)
    np.cumsum(np.bincount(owners, minlength=count), out=at[1:])
    return distinct, tops, at


def _starts(counts: np.ndarray) -> np.ndarray:
    """Where each entry's share starts in the concatenation of all shares (one more: the total)."""
    at = np.zeros(counts.size + 1, dtype=np.intp)
    np.cumsum(counts, out=at[1:])
    return at


def _content_hashes(
    normal: list[str],
    raw: np.ndarray,
    inside: np.ndarray,
    spans: tuple[np.ndarray, np.ndarray],
    chunk_at: np.ndarray,
) -> list[str]:
    """``content_hash`` of each NFKC text of a batch from the batch's bytes (``raw``, ``inside``: which
    bytes are in a chunk) and chunks: each whitespace run between two chunks of one text becomes one
    space and every other goes, so each text's chunks come out joined by single spaces, as the normal
    form spaces them, for all the texts in a few numpy passes instead of a split and a join per text."""
    starts, ends = spans
    counts = np.diff(chunk_at)
    inner = np.ones(starts.size, dtype=bool)
    inner[chunk_at[1:][counts > 0] - 1] = False  # each text's last chunk: no space after it
    gaps = ends[inner]
    spaced = raw.copy()
    spaced[gaps] = 32
    keep = inside.copy()
    keep[gaps] = True
    joined = spaced[keep].tobytes()
    summed = np.zeros(starts.size + 1, dtype=np.intp)
    np.cumsum(ends - starts, out=summed[1:])
    sizes = summed[chunk_at[1:]] - summed[chunk_at[:-1]] + np.maximum(counts - 1, 0)
    bounds = np.zeros(len(normal) + 1, dtype=np.intp)
    np.cumsum(sizes, out=bounds[1:])
    hashes = []
    for text, start, stop in zip(normal, bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        piece = joined[start:stop]
        if piece.isascii():  # NFKC leaves ASCII alone; folding it is lower-casing and the backtick
            piece = piece.lower()
            hashes.append(hashlib.sha256(piece.replace(b"`", b"'") if b"`" in piece else piece).hexdigest())
        else:
            hashes.append(_hash_of_utf8(text, piece))
    return hashes


_ASCII_BYTES = bytes(range(128))
_TYPOGRAPHIC_CHARS = frozenset(map(chr, _TYPOGRAPHY))


def _hash_of_utf8(normal: str, joined: bytes) -> str:
    """``_hash_of_joined`` of the joined chunks as UTF-8 bytes, folded without decoding them: folding is
    per character, ASCII letters are folded by lower-casing the bytes (which leaves every byte of a
    multi-byte character alone), and the few distinct other characters of a text (its quotes and dashes,
    an accented name) are replaced whole, each by its plain form, then by its case folding. UTF-8 is
    self-synchronising, so a character's bytes match only where the character stands. Searching the
    whole text with the typography pattern and case-folding it character by character cost two thirds
    of the batch's text hashes; dropping the ASCII bytes leaves only the characters to look at."""
    others = set(joined.translate(None, _ASCII_BYTES).decode("utf-8"))
    folded = joined.lower()
    if b"`" in folded:
        folded = folded.replace(b"`", b"'")
    for char in others & _TYPOGRAPHIC_CHARS:  # first, as ``fold`` does: plain forms are ASCII
        plain = _TYPOGRAPHY[ord(char)]
        if not plain:  # an invisible character: ``_hash_of_joined``'s own way round it
            return content_hash(normal)
        folded = folded.replace(char.encode("utf-8"), plain.encode("utf-8"))
    for char in others - _TYPOGRAPHIC_CHARS:  # case folding maps each character alone, to fixed points
        if (casefolded := char.casefold()) != char:
            folded = folded.replace(char.encode("utf-8"), casefolded.encode("utf-8"))
    return hashlib.sha256(folded).hexdigest()


def _hash_of_joined(normal: str, joined: str) -> str:
    """``content_hash`` of a non-ASCII text from its NFKC form and that form's chunks joined by single
    spaces: folding maps no character to whitespace nor whitespace to anything, so the normal form is the
    joined chunks folded..."""
    deleted = False
    for char in set(_TYPOGRAPHIC.findall(joined)):  # a few distinct marks, each many times: replaced whole
        plain = _TYPOGRAPHY[ord(char)]  # (a callback per match cost twice the search)
        deleted = deleted or not plain
        joined = joined.replace(char, plain or "")  # plain forms are ASCII: no replacement makes another's
    joined = joined.casefold()
    if deleted:  # ...unless a chunk of only invisible characters left two spaces: fold the text
        return content_hash(normal)  # NFKC is idempotent: the same normal form as the original's
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def _signature_of(
    text: str,
    stream: _Stream,
    shingle_size: int,
    num_perm: int,
    combined: np.ndarray | None = None,
    mixed: np.ndarray | None = None,
) -> Signature:
    """The signature of an NFKC-normalised text read as ``stream``; ``combined`` and ``mixed``: its
    shingles' hashes and their ``fmix64``, when already made (``_BatchStreams``)."""
    if combined is None or mixed is None:
        combined, mixed = _combine(stream.words, shingle_size), None
    start = _lead_start(text, stream.chunk_words)
    if stream.words.size - start >= LEAD_TOKENS >= shingle_size:
        lead = combined[start : start + LEAD_TOKENS - shingle_size + 1]  # the lead's shingles, made above
    else:
        lead = _combine(stream.words[start : start + LEAD_TOKENS], shingle_size)
    lead_sketch = bottom_sketch(lead, LEAD_SKETCH)  # read before a fresh ``combined`` is mixed over
    if mixed is None:  # our own fresh array, its lead read: mixed and sorted in place, no copies
        ordered = fmix64_in_place(combined)
        ordered.sort()
    else:
        ordered = np.sort(mixed)
    # fmix64 is a bijection: as many distinct values as distinct shingles
    size = 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))
    salient = sorted_distinct(stream.salient)
    return Signature._made(
        _one_permutation(ordered, num_perm),
        shingle_size,
        size,
        int(salient.size),
        _bottom_of_sorted(salient, SALIENT_SKETCH),
        lead_sketch,
    )
