"""Signature format 2, frozen: 128 datasketch affine permutations over the same word 6-gram shingles.

Nothing on the ingest path computes it any more (format 3, ``worker.fingerprint``, is the one-permutation
sketch, four times cheaper). It is kept, byte for byte, for the two places that must reproduce what older
releases stored: migration 0005's downgrade, which writes format 2 back so an older wirefeed can read its
rows, and the tests that pin those bytes and check the values against datasketch's own ``MinHash``.
Do not change anything here: every stored format-2 row depends on it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np

from worker.fingerprint import (
    LEAD_LONG_WORDS,
    LEAD_MIN_WORDS,
    LEAD_SKETCH,
    LEAD_TOKENS,
    NUM_PERM,
    SALIENT_SKETCH,
    SEED,
    SHINGLE_SIZE,
    Signature,
    bottom_sketch,
    fmix64,
    fold,
    shingle_hashes,
    token_hashes,
)

VERSION = 2
_SCHEME = "affine64"  # datasketch 2 bijective 64-bit permutations
_PERM_BLOCK = 32
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[^\W{_CJK}]+|[{_CJK}]")
_ASCII_TOKEN = re.compile(r"\w+", re.ASCII)
_NUMBER = re.compile(r"\d\w*")
_SENTENCE_END = frozenset(".!?:;\"'\u201c\u201d\u2018\u2019\u00ab\u00bb([-\u2013\u2014")
_PUNCTUATION = ".,;:!?\"'()[]{}\u201c\u201d\u2018\u2019\u00ab\u00bb-\u2013\u2014"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
_CLOSING = frozenset(".!?\"'\u201d\u2019\u00bb)\u3002")

if TYPE_CHECKING:  # imported where used: datasketch pulls in scipy, and Alembic imports migration 0005
    from datasketch import MinHash  # (so this module) whenever it reads the migration scripts, which
    # every command's schema check does: 1.4 s of a fresh ``wirefeed ingest`` before its first item

_templates: dict[int, MinHash] = {}


def permutations(num_perm: int = NUM_PERM) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's (a, b) for ``seed=SEED``: drawn once per permutation count."""
    template = _templates.get(num_perm)
    if template is None:
        from datasketch import MinHash

        template = MinHash(num_perm=num_perm, seed=SEED, scheme=_SCHEME, hashfunc=int)
        _templates[num_perm] = template
    a, b = template.permutations
    return a, b


def tokens(text: str) -> list[str]:
    """Format 2's words: the whole text case-folded first, then split on the word pattern."""
    normal = fold(text)
    return (_ASCII_TOKEN if normal.isascii() else _TOKEN).findall(normal)


def salient_hashes(text: str) -> np.ndarray:
    """Format 2's salient tokens: figures from their first digit, mid-sentence capitalised chunks."""
    text = unicodedata.normalize("NFKC", text)
    found = _NUMBER.findall(text)
    chunks = text.split()
    pairs = zip([".", *chunks], chunks, strict=False)
    found += [
        chunk.strip(_PUNCTUATION).casefold()
        for previous, chunk in pairs
        if chunk[0].isupper() and previous[-1] not in _SENTENCE_END
    ]
    return np.unique(token_hashes(found)) if found else np.empty(0, dtype=np.uint64)


def lead_tokens(text: str) -> list[str]:
    """Format 2's lead: the first 20 words from the first paragraph that reads as a lead."""
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
    return tokens(text)[:LEAD_TOKENS]


def minhash_values(hashes: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """Exactly datasketch's ``MinHash.update_batch`` for its affine64 scheme, on precomputed hashes."""
    a, b = permutations(num_perm)
    mixed = fmix64(np.asarray(hashes, dtype=np.uint64))
    values = np.empty(num_perm, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, num_perm, _PERM_BLOCK):
            stop = start + _PERM_BLOCK
            permuted = np.multiply.outer(a[start:stop], mixed)
            permuted += b[start:stop, None]
            permuted.min(axis=1, out=values[start:stop])
    return values


def signature(text: str, *, shingle_size: int = SHINGLE_SIZE, num_perm: int = NUM_PERM) -> Signature:
    """The format-2 signature of ``text``, as releases before format 3 stored it."""
    words = tokens(text)
    shingles = shingle_hashes(words, shingle_size)
    salient = salient_hashes(text)
    lead = shingle_hashes(lead_tokens(text), shingle_size)
    return Signature(
        minhash_values(shingles, num_perm),
        shingle_size,
        size=int(shingles.size),
        salient_count=int(salient.size),
        salient=bottom_sketch(salient, SALIENT_SKETCH),
        lead=bottom_sketch(lead, LEAD_SKETCH),
        version=VERSION,
    )
