"""The bulk chunk reader behind the fingerprint: the same chunks as ``str.split``, one key per chunk
wherever it stands, and a table that finds every key it was given and none it was not."""

from __future__ import annotations

import hashlib
import random
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker import chunk_keys, fingerprint
from worker.chunk_keys import KeyTable, key_of, plain_spaces, scan
from worker.chunk_keys import chunk_keys as keys_of_chunks
from worker.fingerprint import (
    content_hash,
    fingerprints,
    normalise_text,
    shingle_hashes,
    signature,
    signature_of_shingles,
    tokens,
)

WHITESPACE = [chr(code) for code in range(0x110000) if chr(code).isspace()]
# Characters around which a byte-level split could go wrong: every whitespace str.split knows, control
# characters that are not whitespace, NUL, multi-byte letters whose UTF-8 holds bytes like a space's
# continuation, typography the normal form rewrites, zero-width and soft-hyphen characters, CJK, emoji.
ALPHABET = [*WHITESPACE, "\x00", "\x01", "\x1b", "\x7f", "a", "Z", "7", ".", ",", "`", "\u00c5", "\u00e9"]
ALPHABET += [
    "\u0105",
    "\u0445",
    "\u2019",
    "\u201c",
    "\u2014",
    "\u00ad",
    "\u200b",
    "\ufeff",
    "\u6771",
    "\U0001f600",
]


def chunks_of(text: str) -> list[str]:
    data = plain_spaces(text.encode("utf-8"))
    _, _, starts, ends = scan(data)
    return [data[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=60))
@settings(max_examples=400, deadline=None)
def test_the_byte_scan_finds_exactly_the_chunks_str_split_finds(text: str) -> None:
    normal = unicodedata.normalize("NFKC", text)
    assert chunks_of(normal) == normal.split()


def test_every_whitespace_character_left_by_nfkc_separates_chunks() -> None:
    for space in WHITESPACE:
        normal = unicodedata.normalize("NFKC", f"one{space}two")
        assert chunks_of(normal) == normal.split() == ["one", "two"], hex(ord(space))


def test_a_chunk_has_one_key_wherever_it_stands() -> None:
    """Keys are made per 64 KiB segment; a chunk across a segment boundary, or longer than the
    polynomial hash takes, is keyed alone, and every occurrence must still get the same key."""
    rng = random.Random(7)
    words = [bytes(rng.choice(b"abcXYZ\xc3\xa9019") for _ in range(n)) for n in [1, 2, 5, 8, 63, 64, 65, 200]]
    words = [word.decode("utf-8", "ignore").encode("utf-8") for word in words]
    for word in words:
        expected = key_of(word)
        for offset in [0, 1, 65536 - len(word) - 1, 65536 - len(word), 65536 - 3, 65535, 65536, 131071]:
            data = b" " * offset + word + b" " + word
            raw, _, starts, ends = scan(data)
            assert keys_of_chunks(raw, starts, ends).tolist() == [expected, expected], (word, offset)


def test_chunks_that_differ_get_different_keys() -> None:
    """Lengths count (a NUL byte adds nothing to the weighted sum), and so does every byte's place."""
    chunks = [b"a", b"a\x00", b"\x00a", b"ab", b"ba", b"aa", b"a" * 64, b"a" * 65, b"a" * 66, b"\x00"]
    chunks += [word.encode() for word in unicodedata.normalize("NFKC", STORY).split()]
    distinct = list(dict.fromkeys(chunks))
    data = b" ".join(distinct)
    raw, _, starts, ends = scan(data)
    keys = keys_of_chunks(raw, starts, ends).tolist()
    assert keys == [key_of(chunk) for chunk in distinct]
    assert len(set(keys)) == len(distinct)


@pytest.mark.parametrize("bits", [1, 4, 13])
def test_the_key_table_finds_every_key_it_was_given_and_no_other(bits: int) -> None:
    rng = np.random.default_rng(5)
    held = np.unique(rng.integers(0, 2**64, size=30_000, dtype=np.uint64))
    held = np.concatenate([held, np.arange(1, 200, dtype=np.uint64) << np.uint64(50)])  # one slot's worth
    rng.shuffle(held)
    table = KeyTable(bits + 1)
    for part in np.array_split(held, 7):  # grown several times, each batch placed in bulk
        table.add(part)
    assert table.count == held.size
    assert table.find(held).tolist() == list(range(held.size))
    others = np.setdiff1d(rng.integers(0, 2**64, size=5_000, dtype=np.uint64), held)
    assert (table.find(others) == -1).all()
    assert table.find(np.empty(0, dtype=np.uint64)).size == 0


STORY = (
    "The central bank raised its main rate by a quarter point on Tuesday, its fourth rise this year, "
    "citing stubborn \u201cservices inflation\u201d \u2014 and said more may follow. Governor O\u2019Neil "
    "told reporters in Frankfurt the decision was unanimous."
)


def _reference(text: str) -> tuple[str, np.ndarray, int]:
    """The text hash and signature values as the plain definitions give them, with no chunk table."""
    normal = unicodedata.normalize("NFKC", text)
    shingles = shingle_hashes(tokens(normal))
    digest = hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()
    return digest, signature_of_shingles(shingles).hashvalues, int(shingles.size)


@given(st.lists(st.text(alphabet=st.sampled_from(ALPHABET), min_size=1, max_size=80), min_size=1, max_size=6))
@settings(max_examples=150, deadline=None)
def test_fingerprints_from_bytes_equal_the_plain_definitions(texts: list[str]) -> None:
    texts = [f"{text} {STORY}" if i % 2 else text for i, text in enumerate(texts)]
    texts += [
        STORY.replace("quarter", f"{n} quarters") for n in range(fingerprint._FEW)
    ]  # a batch, not a few
    for (chash, sig), text in zip(fingerprints(texts), texts, strict=True):
        digest, values, size = _reference(text)
        assert chash == digest == content_hash(text)
        assert sig.hashvalues.tolist() == values.tolist()
        assert sig.size == size
        assert sig.to_bytes() == signature(text).to_bytes()


def test_a_fresh_process_base_changes_no_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """The chunk keys' base is drawn per process; another base must give the same fingerprints."""
    texts = [
        STORY,
        STORY.replace("Tuesday", "Wednesday"),
        "`Quoted` 1,200 3.5% \u00c9lodie \u6771\u4eac x" * 3,
    ]
    expected = [(chash, sig.to_bytes()) for chash, sig in fingerprints(texts)]
    base = 0x9E3779B97F4A7C15
    powers = np.full(chunk_keys._SEGMENT, base, dtype=np.uint64)
    inverses = np.full(chunk_keys._SEGMENT, pow(base, -1, 1 << 64), dtype=np.uint64)
    powers[0] = inverses[0] = 1
    powers, inverses = np.cumprod(powers, dtype=np.uint64), np.cumprod(inverses, dtype=np.uint64)
    assert (powers[:1000] * inverses[:1000] == 1).all()
    assert not np.array_equal(powers, chunk_keys._POWERS)
    monkeypatch.setattr(chunk_keys, "_POWERS", powers)
    monkeypatch.setattr(chunk_keys, "_INVERSES", inverses)
    monkeypatch.setattr(fingerprint, "_chunks", fingerprint._Chunks())
    assert [(chash, sig.to_bytes()) for chash, sig in fingerprints(texts)] == expected


@pytest.mark.parametrize("space", ["\u0085", "\u1680", "\u2028", "\u2029"])
def test_a_space_nfkc_keeps_is_found_at_either_end_and_beside_look_alikes(space: str) -> None:
    """The quick test for the four spaces reads the bytes that start them and the next two: a space at the
    very end, or after a curly quote (whose UTF-8 starts as U+2028's does), must still split."""
    for text in [space + "a", "a" + space, "\u201cx\u201d" + space + "\u00e8", "\u2027\u202a" + space + "b"]:
        assert chunks_of(text) == text.split()
    assert chunks_of("\u2027a\u202a\u0084b\u1681") == ["\u2027a\u202a\u0084b\u1681"]
