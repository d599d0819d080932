"""The single-text signature's cheaper steps give exactly what their plain definitions give.

A signature is stored and compared across processes and releases, so a faster path is kept only if it is
the same function: each test here checks one of them against a plain reading of its definition on random
inputs chosen to reach the edge cases (empty bins, repeated top halves, one-chunk texts, names after
sentence ends).
"""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pytest

from worker import fingerprint, fingerprint_v2
from worker.chunk_keys import fmix64_in_place
from worker.fingerprint import (
    LEAD_SKETCH,
    NUM_PERM,
    SALIENT_SKETCH,
    SHINGLE_SIZE,
    bottom_sketch,
    shingle_hashes,
    signature,
    signature_of_shingles,
    tokens,
)

MASK = (1 << 64) - 1


def _fmix_reference(value: int) -> int:
    value ^= value >> 33
    value = (value * 0xFF51AFD7ED558CCD) & MASK
    value ^= value >> 33
    value = (value * 0xC4CEB9FE1A85EC53) & MASK
    return value ^ (value >> 33)


def test_the_mixing_equals_murmurs_finalizer_on_any_shape() -> None:
    """The finalizer keys the chunk table, mixes shingles and makes band keys (2-D): all must agree."""
    rng = np.random.default_rng(7)
    values = rng.integers(0, 1 << 63, 60, dtype=np.uint64) * np.uint64(3) + np.uint64(1)
    values[:3] = [0, 1, MASK]
    expected = [_fmix_reference(v) for v in values.tolist()]
    assert fmix64_in_place(values.copy()).tolist() == expected
    assert fmix64_in_place(values.reshape(6, 10).copy()).reshape(-1).tolist() == expected
    assert fingerprint.fmix64(values).tolist() == expected


def test_shingle_combination_equals_the_xor_multiply_chain() -> None:
    rng = np.random.default_rng(8)
    for count in (0, 1, 2, 5, 6, 7, 40):
        hashed = rng.integers(0, 1 << 63, count, dtype=np.uint64)
        words = hashed.tolist() or [fingerprint._EMPTY_TOKEN]
        size = min(SHINGLE_SIZE, len(words))
        expected = []
        for start in range(len(words) - size + 1):
            value = 0
            for position in range(size):
                value = (
                    (value ^ words[start + position]) * int(fingerprint._POSITION_MULTIPLIERS[position])
                ) & MASK
            expected.append(value)
        assert fingerprint._combine(hashed, SHINGLE_SIZE).tolist() == expected


@pytest.mark.parametrize("few", [0, 1 << 20])
def test_bottom_sketch_takes_the_smallest_distinct_top_halves_by_either_path(
    few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lead's few hashes take a Python set, more take numpy: both are the definition."""
    monkeypatch.setattr(fingerprint, "_FEW_HASHES", few)
    rng = np.random.default_rng(9)
    for size in (0, 1, 2, 15, 16, 17, 31, 32, 33, 100):
        tops = rng.integers(0, 1 << 32, size, dtype=np.uint64)
        tops[size // 2 :] = tops[: size - size // 2]  # repeated top halves with different low halves
        hashes = (tops << np.uint64(32)) | rng.integers(0, 1 << 32, size, dtype=np.uint64)
        for k in (LEAD_SKETCH, SALIENT_SKETCH):
            sketch = bottom_sketch(hashes, k)
            assert sketch.dtype == np.uint32
            assert sketch.tolist() == sorted(set(tops.tolist()))[:k]


def test_a_name_follows_a_chunk_that_does_not_end_a_sentence() -> None:
    """The look-up table of a chunk's flags beside its predecessor's is the rule it replaced."""
    capital, ends = fingerprint._CAPITAL, fingerprint._ENDS_SENTENCE
    for before in range(4):
        for now in range(4):
            rule = bool(now & capital) and not before & ends
            assert bool(fingerprint._NAMED_AFTER[before << 2 | now]) is rule


def _one_permutation_reference(hashes: list[int], num_perm: int) -> list[int]:
    bins: dict[int, int] = {}
    for value in hashes:
        index = ((value >> 32) * num_perm) >> 32
        bins[index] = min(bins.get(index, value), value)
    probes = fingerprint._probes(num_perm)
    return [
        bins[j] if j in bins else bins[next(p for p in probes[j].tolist() if p in bins)]
        for j in range(num_perm)
    ]


def test_one_permutation_values_equal_a_loop_over_the_bins() -> None:
    rng = np.random.default_rng(10)
    for size in (1, 2, 30, 127, 128, 450, 2000):
        ordered = np.unique(rng.integers(0, 1 << 63, size, dtype=np.uint64) * np.uint64(2))
        values = fingerprint._one_permutation(ordered, NUM_PERM)
        assert values.tolist() == _one_permutation_reference(ordered.tolist(), NUM_PERM)


def _random_text(rng: random.Random) -> str:
    words = [
        "the",
        "council",
        "said",
        "Paris",
        "U.S.",
        "3.2%",
        "on",
        "Tuesday",
        "—",
        "«vote»",
        "2,000",
        "and",
    ]
    words += [
        "Zürich",
        "東京都",
        "ﬁrst",
        "it's",
        "a",
        "plan",
        "\u201cWe",
        "waited,\u201d",
        "Anna",
        "(AP)",
        "up.",
    ]
    paragraphs = []
    for _ in range(rng.randint(0, 4)):
        paragraphs.append(" ".join(rng.choice(words) for _ in range(rng.choice([0, 1, 3, 12, 25, 80]))))
    return "\n\n".join(paragraphs)


def test_one_texts_signature_equals_its_plain_definitions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values, sizes and sketches of ``signature`` against the plain functions they are defined by (the
    shingles of ``tokens``, format 2's salient tokens and lead), on random texts of zero, one and many
    chunks and paragraphs, from a fresh chunk table (misses) and again (its dict's hits)."""
    monkeypatch.setattr(fingerprint, "_chunks", fingerprint._Chunks())
    rng = random.Random(11)
    texts = [_random_text(rng) for _ in range(150)] + ["", "Word", "Two words", "   \n\n  "]
    for text in texts * 2:
        sig = signature(text)
        normal = unicodedata.normalize("NFKC", text)
        shingles = shingle_hashes(tokens(normal))
        salient = fingerprint_v2.salient_hashes(normal)
        lead = shingle_hashes(fingerprint_v2.lead_tokens(normal))
        assert sig.hashvalues.tolist() == signature_of_shingles(shingles).hashvalues.tolist(), text
        assert sig.size == shingles.size
        assert sig.salient_count == salient.size
        assert sig.salient is not None and sig.lead is not None
        assert sig.salient.tolist() == bottom_sketch(salient, SALIENT_SKETCH).tolist(), text
        assert sig.lead.tolist() == bottom_sketch(lead, LEAD_SKETCH).tolist(), text
