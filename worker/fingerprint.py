"""Text fingerprints: the exact-duplicate key and the MinHash signature used for near-duplicates.

Wire copies of one story differ in quote marks, dashes, case and spacing long before they differ in words,
so both fingerprints start from one normal form; otherwise a curly-quoted reprint would miss the exact key
and waste part of its near-duplicate similarity on typography.

Shingles are word n-grams (``SHINGLE_SIZE``) rather than characters because templated hard negatives
(earnings, results, weather) share nearly all their character and short-word shingles while differing in
the names and numbers that make them different news; longer word shingles carry those differences into
every shingle that touches them. The sizes were chosen by ``bench/dedup_eval.py`` (see ``bench/DEDUP.md``).

Signatures must stay comparable across processes, machines and releases, because they are stored and
rebuilt into the index at start-up: hashing is seeded and deterministic (never Python's salted ``hash``),
and the byte format carries a version, the shingle size and the permutation count so that a signature
made under other parameters is refused instead of silently compared.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass
from hashlib import blake2b as _blake2b

import numpy as np
from datasketch import MinHash

SHINGLE_SIZE: int = 6
NUM_PERM: int = 128
SEED: int = 1
"""Seed of the MinHash permutations: part of the signature format, never change it without a new version."""

_FORMAT_VERSION = 2
_READABLE_VERSIONS = (1, 2)  # version 1: the MinHash values alone, as stored before story clusters
_HEADER = struct.Struct("<BBH")  # format version, shingle size, number of permutations
_EXTRA = struct.Struct("<IHBB")  # shingle count, salient-token count, salient sketch length, lead length
SALIENT_SKETCH = 64
"""Bottom-k size of the salient-token sketch: exact for briefs (where templates live), an estimate beyond."""
LEAD_TOKENS = 20
LEAD_SKETCH = 16
_SCHEME = "affine64"  # datasketch 2 bijective 64-bit permutations: no collision bias on long texts

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
_ASCII_TOKEN = re.compile(r"\w+", re.ASCII)

# Salient tokens: numbers, and words capitalised where a sentence does not start (names, places,
# companies). They are what differs between two briefs cut from one template.
_NUMBER = re.compile(r"\d\w*")  # figures, from their first digit (cheap: no backtracking)
_SENTENCE_END = frozenset(".!?:;\"'\u201c\u201d\u2018\u2019\u00ab\u00bb([-\u2013\u2014")
_PUNCTUATION = ".,;:!?\"'()[]{}\u201c\u201d\u2018\u2019\u00ab\u00bb-\u2013\u2014"
# The Basic Multilingual Plane's characters that ``str.isupper`` accepts: a set lookup per word instead of
# a method call (the rare capital beyond it is asked of ``isupper`` itself).
_UPPER = frozenset(char for char in map(chr, range(0x10000)) if char.isupper())
_BMP_END = "\uffff"

_PERM_BLOCK = 32
_TOKEN_CACHE_LIMIT = 200_000
_token_cache: dict[str, int] = {}


def _fold(text: str) -> str:
    """The normal form before its whitespace is collapsed: all that word tokens depend on."""
    text = unicodedata.normalize("NFKC", text)
    return _TYPOGRAPHIC.sub(lambda match: match.group().translate(_TYPOGRAPHY), text).casefold()


def normalise_text(text: str) -> str:
    """One canonical spelling per text, so typography, case and layout never count as an edit."""
    return " ".join(_fold(text).split())


def content_hash(text: str) -> str:
    """Exact-duplicate key: equal for texts that differ only in what ``normalise_text`` removes."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def tokens(text: str) -> list[str]:
    """Words of the normal form without punctuation, which wire edits change without changing the story."""
    normal = _fold(text)  # collapsing whitespace changes no word, and costs a third of the normal form
    # On ASCII text (most wire copy once typography is folded) the ASCII word class finds exactly the
    # same words as the Unicode pattern, at well under half its cost.
    return (_ASCII_TOKEN if normal.isascii() else _TOKEN).findall(normal)


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values, as ``np.unique`` gives them: a sort and a neighbour mask cost a fraction of
    ``np.unique``'s general path on these short arrays (it was a fifth of a signature)."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _token_hashes(words: list[str]) -> np.ndarray:
    """Stable 64-bit hash per token; a bounded cache avoids re-hashing the language's common words."""
    cache = _token_cache
    if len(cache) > _TOKEN_CACHE_LIMIT:
        cache.clear()
    found = list(map(cache.get, words))  # one C-level pass over the words
    if None in found:  # hash only the new words (figures, mostly), not the whole list again
        for word in set(words).difference(cache):
            # Keyed BLAKE2b: deterministic everywhere, 64 bits keep any vocabulary collision-free.
            digest = _blake2b(word.encode("utf-8"), digest_size=8, key=b"wirefeed").digest()
            cache[word] = int.from_bytes(digest, "little")
        found = list(map(cache.__getitem__, words))
    return np.array(found, dtype=np.uint64)


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


def shingle_hashes(words: list[str], size: int = SHINGLE_SIZE) -> np.ndarray:
    """Distinct 64-bit hashes of the word ``size``-grams.

    A text shorter than ``size`` words becomes one shingle of all its words: its signature then matches
    only the same words in the same order, which is the safe answer when there is too little text to
    judge an edit (an empty signature would instead match every other short text).
    """
    if not 1 <= size <= len(_POSITION_MULTIPLIERS):
        raise ValueError(f"shingle size must be 1..{len(_POSITION_MULTIPLIERS)}, got {size}")
    if not words:
        words = [""]  # the empty text still gets a definite signature, equal only to other empty texts
    size = min(size, len(words))
    hashed = _token_hashes(words)
    count = len(words) - size + 1
    combined = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for position in range(size):
            # xor-then-multiply by an odd constant is a bijection of each new word: order-sensitive, and
            # datasketch's fmix pre-mix spreads the result before the permutations.
            combined = (combined ^ hashed[position : position + count]) * _POSITION_MULTIPLIERS[position]
    return _distinct(combined)


_templates: dict[int, MinHash] = {}


def _template(num_perm: int) -> MinHash:
    """One MinHash per permutation count, whose permutations every signature reuses instead of redrawing."""
    template = _templates.get(num_perm)
    if template is None:
        template = MinHash(num_perm=num_perm, seed=SEED, scheme=_SCHEME, hashfunc=int)
        _templates[num_perm] = template
    return template


def _identity(value: int) -> int:
    return value


def _bottom(hashes: np.ndarray, k: int) -> np.ndarray:
    """The k smallest distinct 32-bit values: a bottom-k sketch, comparable between any two texts."""
    small = _distinct((np.asarray(hashes, dtype=np.uint64) >> np.uint64(32)).astype(np.uint32))
    return small[:k]


def salient_hashes(text: str) -> np.ndarray:
    """Hashes of the numbers and of the mid-sentence capitalised words of ``text``, distinct.

    Sentence-initial words (after closing punctuation, an opening quote or a dash) are skipped because
    every sentence starts with a capital; the rest are the names, places and figures that make two
    templated briefs different news. One pass over the words, none over characters: it runs per item.
    """
    text = unicodedata.normalize("NFKC", text)
    found = _NUMBER.findall(text)
    chunks = text.split()
    ends, upper = _SENTENCE_END, _UPPER
    pairs = zip([".", *chunks], chunks, strict=False)  # a comprehension: a third of the plain loop's cost
    found += [
        chunk.strip(_PUNCTUATION).casefold()
        for previous, chunk in pairs
        if (chunk[0] in upper or (chunk[0] > _BMP_END and chunk[0].isupper())) and previous[-1] not in ends
    ]
    return _distinct(_token_hashes(found)) if found else np.empty(0, dtype=np.uint64)


@dataclass(frozen=True, eq=False)
class Signature:
    """MinHash hash values (uint64) plus the parameters that made them, which comparison must agree on.

    Beside the MinHash it carries what containment and templated-text checks need, none of which a
    Jaccard estimate can give: the count of distinct shingles (so the shared part can be sized against
    each side), a bottom-k sketch of the salient tokens (names, places, numbers) and of the lead's
    shingles (whether two texts start alike). ``None`` for signatures stored before they existed.
    """

    hashvalues: np.ndarray
    shingle_size: int = SHINGLE_SIZE
    size: int | None = None
    salient_count: int = 0
    salient: np.ndarray | None = None
    lead: np.ndarray | None = None

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

    @property
    def num_perm(self) -> int:
        return int(self.hashvalues.shape[0])

    def to_bytes(self) -> bytes:
        """Little-endian: a 4-byte header, 8 bytes per MinHash value, then the sizes and the sketches.

        The values sit at the same offsets in both versions, so the Redis script compares them unchanged.
        A signature without sizes (read from version 1) is written back as version 1.
        """
        values = self.hashvalues.astype("<u8", copy=False).tobytes()
        if self.size is None:
            return _HEADER.pack(1, self.shingle_size, self.num_perm) + values
        salient = self.salient if self.salient is not None else np.empty(0, dtype=np.uint32)
        lead = self.lead if self.lead is not None else np.empty(0, dtype=np.uint32)
        extra = _EXTRA.pack(
            min(self.size, 0xFFFFFFFF), min(self.salient_count, 0xFFFF), len(salient), len(lead)
        )
        return (
            _HEADER.pack(_FORMAT_VERSION, self.shingle_size, self.num_perm)
            + values
            + extra
            + salient.astype("<u4", copy=False).tobytes()
            + lead.astype("<u4", copy=False).tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        if len(data) < _HEADER.size:
            raise ValueError("signature bytes are too short for a header")
        version, shingle_size, num_perm = _HEADER.unpack_from(data)
        if version not in _READABLE_VERSIONS:
            raise ValueError(f"unsupported signature format version {version}")
        end = _HEADER.size + 8 * num_perm
        if version == 1 and len(data) != end:
            raise ValueError(f"signature bytes hold {len(data)} bytes, expected {end}")
        if version == 2 and len(data) < end + _EXTRA.size:
            raise ValueError(f"signature bytes hold {len(data)} bytes, expected at least {end + _EXTRA.size}")
        values = np.frombuffer(data, dtype="<u8", count=num_perm, offset=_HEADER.size).astype(np.uint64)
        if version == 1:
            return cls(values, shingle_size)
        size, salient_count, n_salient, n_lead = _EXTRA.unpack_from(data, end)
        start = end + _EXTRA.size
        expected = start + 4 * (n_salient + n_lead)
        if len(data) != expected:
            raise ValueError(f"signature bytes hold {len(data)} bytes, expected {expected}")
        salient = np.frombuffer(data, dtype="<u4", count=n_salient, offset=start).astype(np.uint32)
        lead = np.frombuffer(data, dtype="<u4", count=n_lead, offset=start + 4 * n_salient).astype(np.uint32)
        return cls(values, shingle_size, size, salient_count, salient, lead)

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
        """The datasketch view, for its LSH index."""
        template = _template(self.num_perm)
        return MinHash(
            seed=SEED,
            scheme=_SCHEME,
            hashvalues=self.hashvalues,
            permutations=template.permutations,
            hashfunc=_identity,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Signature):
            return NotImplemented
        return self.shingle_size == other.shingle_size and np.array_equal(self.hashvalues, other.hashvalues)

    def __hash__(self) -> int:
        return hash((self.shingle_size, self.hashvalues.tobytes()))


def _fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer, the same pre-mix datasketch's affine64 scheme applies."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint64(33))
        values = values * np.uint64(0xFF51AFD7ED558CCD)
        values = values ^ (values >> np.uint64(33))
        values = values * np.uint64(0xC4CEB9FE1A85EC53)
        return values ^ (values >> np.uint64(33))


def signature_of_shingles(
    hashes: np.ndarray, num_perm: int = NUM_PERM, shingle_size: int = SHINGLE_SIZE, **extra: object
) -> Signature:
    """MinHash of precomputed shingle hashes; split out so the benchmarks can vary parameters.

    Computes exactly what datasketch's ``MinHash.update_batch`` does for its affine64 scheme (the test suite
    checks they agree) in one numpy expression, without its per-item Python call, which dominated the cost.
    """
    a, b = _template(num_perm).permutations
    mixed = _fmix64(np.asarray(hashes, dtype=np.uint64))
    values = np.empty(num_perm, dtype=np.uint64)
    with np.errstate(over="ignore"):
        # (permutations x shingles) products updated in place, a block of permutations at a time so each
        # block stays in the core's cache: a third less time than one whole product on 450-word texts.
        for start in range(0, num_perm, _PERM_BLOCK):
            stop = start + _PERM_BLOCK
            permuted = np.multiply.outer(a[start:stop], mixed)
            permuted += b[start:stop, None]
            permuted.min(axis=1, out=values[start:stop])
    return Signature(values, shingle_size, **extra)  # type: ignore[arg-type]


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
LEAD_MIN_WORDS = 12
LEAD_LONG_WORDS = 20
_CLOSING = frozenset(".!?\"'\u201d\u2019\u00bb)\u3002")


def lead_tokens(text: str, text_tokens: list[str] | None = None) -> list[str]:
    """The first ``LEAD_TOKENS`` words from the first paragraph that reads as a lead: a headline, kicker,
    byline or one-line editor's note above it (short, or a line without closing punctuation) is not
    where the story starts, and copies add or drop exactly those. ``text_tokens``, the text's ``tokens``
    when the caller has them, spare a second tokenising of the whole text when no paragraph reads as a
    lead."""
    paragraphs = _PARAGRAPH_BREAK.split(text)
    for at, paragraph in enumerate(paragraphs):
        stripped = paragraph.strip()
        words = len(stripped.split())
        if words >= LEAD_LONG_WORDS or (words >= LEAD_MIN_WORDS and stripped[-1:] in _CLOSING):
            found: list[str] = []
            for rest in paragraphs[at:]:
                found += tokens(rest)
                if len(found) >= LEAD_TOKENS:
                    break
            return found[:LEAD_TOKENS]
    return (tokens(text) if text_tokens is None else text_tokens)[:LEAD_TOKENS]


def signature(text: str, *, shingle_size: int = SHINGLE_SIZE, num_perm: int = NUM_PERM) -> Signature:
    """MinHash signature of the word-shingle set of ``normalise_text(text)``, with sizes and sketches."""
    words = tokens(text)
    shingles = shingle_hashes(words, shingle_size)
    salient = salient_hashes(text)
    lead = shingle_hashes(lead_tokens(text, words), shingle_size)
    return signature_of_shingles(
        shingles,
        num_perm,
        shingle_size,
        size=int(shingles.size),
        salient_count=int(salient.size),
        salient=_bottom(salient, SALIENT_SKETCH),
        lead=_bottom(lead, LEAD_SKETCH),
    )
