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

_FORMAT_VERSION = 1
_HEADER = struct.Struct("<BBH")  # format version, shingle size, number of permutations
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

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_TOKEN_CACHE_LIMIT = 200_000
_token_cache: dict[str, int] = {}


def normalise_text(text: str) -> str:
    """One canonical spelling per text, so typography, case and layout never count as an edit."""
    text = unicodedata.normalize("NFKC", text)
    text = _TYPOGRAPHIC.sub(lambda match: match.group().translate(_TYPOGRAPHY), text).casefold()
    return " ".join(text.split())


def content_hash(text: str) -> str:
    """Exact-duplicate key: equal for texts that differ only in what ``normalise_text`` removes."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def tokens(text: str) -> list[str]:
    """Words of the normal form without punctuation, which wire edits change without changing the story."""
    return _TOKEN.findall(normalise_text(text))


def _token_hashes(words: list[str]) -> np.ndarray:
    """Stable 64-bit hash per token; a bounded cache avoids re-hashing the language's common words."""
    cache = _token_cache
    if len(cache) > _TOKEN_CACHE_LIMIT:
        cache.clear()
    out = np.empty(len(words), dtype=np.uint64)
    for i, word in enumerate(words):
        value = cache.get(word)
        if value is None:
            # Keyed BLAKE2b: deterministic everywhere, 64 bits keep any vocabulary collision-free.
            value = int.from_bytes(_blake2b(word.encode("utf-8"), digest_size=8, key=b"wirefeed").digest(),
                                   "little")
            cache[word] = value
        out[i] = value
    return out


# Odd 64-bit multipliers, one per position in a shingle, so that "a b" and "b a" hash apart.
_POSITION_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD,
     0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9, 0x2545F4914F6CDD1D, 0x27D4EB2F165667C5],
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
    return np.unique(combined & _MASK64)


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


@dataclass(frozen=True, eq=False)
class Signature:
    """MinHash hash values (uint64) plus the parameters that made them, which comparison must agree on."""

    hashvalues: np.ndarray
    shingle_size: int = SHINGLE_SIZE

    def __post_init__(self) -> None:
        values = np.ascontiguousarray(self.hashvalues, dtype=np.uint64)
        values.setflags(write=False)
        object.__setattr__(self, "hashvalues", values)

    @property
    def num_perm(self) -> int:
        return int(self.hashvalues.shape[0])

    def to_bytes(self) -> bytes:
        """Compact little-endian form for the store and Redis: a 4-byte header then 8 bytes per value."""
        header = _HEADER.pack(_FORMAT_VERSION, self.shingle_size, self.num_perm)
        return header + self.hashvalues.astype("<u8", copy=False).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        if len(data) < _HEADER.size:
            raise ValueError("signature bytes are too short for a header")
        version, shingle_size, num_perm = _HEADER.unpack_from(data)
        if version != _FORMAT_VERSION:
            raise ValueError(f"unsupported signature format version {version}")
        if len(data) != _HEADER.size + 8 * num_perm:
            expected = _HEADER.size + 8 * num_perm
            raise ValueError(f"signature bytes hold {len(data)} bytes, expected {expected}")
        values = np.frombuffer(data, dtype="<u8", offset=_HEADER.size).astype(np.uint64)
        return cls(values, shingle_size)

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
            seed=SEED, scheme=_SCHEME, hashvalues=self.hashvalues, permutations=template.permutations,
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


def signature_of_shingles(hashes: np.ndarray, num_perm: int = NUM_PERM, shingle_size: int = SHINGLE_SIZE
                          ) -> Signature:
    """MinHash of precomputed shingle hashes; split out so the benchmarks can vary parameters.

    Computes exactly what datasketch's ``MinHash.update_batch`` does for its affine64 scheme (the test suite
    checks they agree) in one numpy expression, without its per-item Python call, which dominated the cost.
    """
    a, b = _template(num_perm).permutations
    mixed = _fmix64(np.asarray(hashes, dtype=np.uint64))
    with np.errstate(over="ignore"):
        # One (num_perm x shingles) product updated in place: a third of the time of the broadcast form.
        permuted = np.multiply.outer(a, mixed)
        permuted += b[:, None]
    return Signature(permuted.min(axis=1), shingle_size)


def signature(text: str, *, shingle_size: int = SHINGLE_SIZE, num_perm: int = NUM_PERM) -> Signature:
    """MinHash signature of the word-shingle set of ``normalise_text(text)``."""
    return signature_of_shingles(shingle_hashes(tokens(text), shingle_size), num_perm, shingle_size)
