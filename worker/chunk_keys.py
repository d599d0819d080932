"""Whitespace chunks of many texts found and keyed in bulk, over their UTF-8 bytes.

The fingerprint reads a text as its whitespace-separated chunks and looks each one up in a per-process
table (``worker.fingerprint._Chunks``). Doing that with ``str.split`` and a dict costs a new ``str``, its
hash and a probe of a large dict per chunk, which was most of a signature's price. Here a whole batch of
texts is one byte array: numpy finds the chunks (runs of bytes that are not whitespace), gives each a
64-bit key, and looks all the keys up at once in an open-addressing table (``KeyTable``); only the chunks
the table has never met are cut out as ``str``.

The split is exactly ``str.split()``'s: UTF-8 never uses an ASCII byte inside a multi-byte character, so
the ASCII whitespace bytes are where ``str.split`` cuts, and the other whitespace it knows (U+0085,
U+1680, U+2028, U+2029: the only ones NFKC leaves as they are, all others become a plain space) is turned
into as many spaces, bytes for bytes, before the scan (``plain_spaces``).

The key is internal to one process (never stored, never compared across processes): what a chunk *is*
for the fingerprint (its word hashes) is still worked out from its text. A chunk of up to ``SHORT`` bytes
is keyed by a polynomial hash over its bytes at a base drawn at random per process: for two different
chunks of that length the chance of a clash is below 2^-38 whatever their bytes (the known families of
strings that collide for every base mod 2^64 need thousands of characters), and an adversary cannot aim at
a base it cannot see. Longer chunks, few in news text (links, runs of symbols), are keyed by a keyed
BLAKE2b of their bytes instead.
"""

from __future__ import annotations

import os
from hashlib import blake2b

import numpy as np

SHORT = 64
"""Longest chunk (bytes) keyed by the polynomial hash; longer ones take BLAKE2b."""
_SEGMENT_BITS = 16
_SEGMENT = 1 << _SEGMENT_BITS
_SPACE_BYTES = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "  # the ASCII characters ``str.split()`` cuts at
_IN_CHUNK = np.ones(256, dtype=bool)
_IN_CHUNK[list(_SPACE_BYTES)] = False
_ODD_SPACES = {  # whitespace to ``str.split`` that NFKC keeps, as UTF-8, and as many spaces
    "\u0085".encode(): b"  ",
    "\u1680".encode(): b"   ",
    "\u2028".encode(): b"   ",
    "\u2029".encode(): b"   ",
}
_BASE = int.from_bytes(os.urandom(8), "little") | 1  # odd: invertible mod 2^64
_LENGTH_SALT = np.uint64(int.from_bytes(os.urandom(8), "little") | 1)
_LONG_KEY = os.urandom(16)
_POWERS = np.full(_SEGMENT, _BASE, dtype=np.uint64)
_POWERS[0] = 1
_POWERS = np.cumprod(_POWERS, dtype=np.uint64)  # wraps mod 2^64, as the hash does
_INVERSES = np.full(_SEGMENT, pow(_BASE, -1, 1 << 64), dtype=np.uint64)
_INVERSES[0] = 1
_INVERSES = np.cumprod(_INVERSES, dtype=np.uint64)
# 0-d arrays, not numpy scalars: a scalar operand is converted to an array on every call, which on a text's
# few hundred hashes cost as much as the operation.
_SHIFT_33, _FMIX_1, _FMIX_2 = (
    np.array(c, dtype=np.uint64) for c in (33, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53)
)


def plain_spaces(data: bytes) -> bytes:
    """``data`` with the non-ASCII whitespace NFKC keeps turned into spaces, byte for byte (offsets stay)."""
    if data.isascii() or not _has_odd_space(data):
        return data
    for odd, spaces in _ODD_SPACES.items():
        if odd in data:
            data = data.replace(odd, spaces)
    return data


_LEADS = np.zeros(256, dtype=bool)
_LEADS[[odd[0] for odd in _ODD_SPACES]] = True


def _has_odd_space(data: bytes) -> bool:
    """Whether any of ``_ODD_SPACES`` is in ``data``: one byte-table pass for the bytes that start them,
    then their next bytes at those places only (four substring searches cost twice as much, since 0xE2
    0x80 starts every curly quote)."""
    raw = np.frombuffer(data + b"\x00\x00", dtype=np.uint8)  # two bytes past any lead
    at = np.flatnonzero(_LEADS[raw[:-2]])
    if not at.size:
        return False
    lead, second, third = raw[at], raw[at + 1], raw[at + 2]
    return bool(
        ((lead == 0xC2) & (second == 0x85)).any()
        or ((lead == 0xE1) & (second == 0x9A) & (third == 0x80)).any()
        or ((lead == 0xE2) & (second == 0x80) & ((third == 0xA8) | (third == 0xA9))).any()
    )


def scan(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(the bytes as uint8, which of them are inside a chunk, chunk starts, chunk ends) of UTF-8 text
    already passed through ``plain_spaces``: the chunks ``str.split()`` gives, as byte offsets."""
    raw = np.frombuffer(data, dtype=np.uint8)
    inside = _IN_CHUNK[raw]
    if not raw.size:
        empty = np.empty(0, dtype=np.intp)
        return raw, inside, empty, empty
    edges = np.empty(raw.size + 1, dtype=bool)
    edges[0], edges[-1] = inside[0], inside[-1]
    np.not_equal(inside[1:], inside[:-1], out=edges[1:-1])
    bounds = np.flatnonzero(edges)
    return raw, inside, bounds[0::2], bounds[1::2]


def cut_out(raw: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[str]:
    """The chunks ``raw[starts[i]:ends[i]]`` as strings: their bytes gathered into one buffer, each followed by
    a newline (no chunk holds one), decoded and split once, where a slice and a decode each cost more."""
    if not starts.size:
        return []
    spans = ends - starts + 1  # each chunk and the byte after it, which the newline takes
    at = np.repeat(starts - (np.cumsum(spans) - spans), spans) + np.arange(int(spans.sum()))
    gathered = raw[np.minimum(at, raw.size - 1)]
    gathered[np.cumsum(spans) - 1] = 10
    return gathered.tobytes().decode("utf-8").split("\n")[:-1]


def fmix64_in_place(keys: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer, in place on a uint64 array: a bijection, so the table's slot bits
    are well spread even for one-byte chunks (whose polynomial hash is the byte itself). The one copy of
    it: shingle mixing (``fingerprint.fmix64``) and band keys (``worker.dedup``) call it too."""
    shifted = keys >> _SHIFT_33  # one scratch array for the three shifts
    keys ^= shifted
    keys *= _FMIX_1
    np.right_shift(keys, _SHIFT_33, out=shifted)
    keys ^= shifted
    keys *= _FMIX_2
    np.right_shift(keys, _SHIFT_33, out=shifted)
    keys ^= shifted
    return keys


def chunk_keys(raw: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A 64-bit key per chunk ``raw[starts[i]:ends[i]]``, the same wherever the chunk stands.

    Each byte is weighted by the base to the power of its offset within a 64 KiB segment, and one prefix
    sum gives every chunk's weighted sum; multiplying by the inverse power of the chunk's start makes it
    the chunk's own polynomial hash. A chunk that crosses a segment boundary, or is longer than ``SHORT``,
    is keyed alone (``key_of``), as rare as links in news text."""
    size = raw.size
    weighted = np.empty(size, dtype=np.uint64)
    for at in range(0, size, _SEGMENT):
        stop = min(size, at + _SEGMENT)
        np.multiply(raw[at:stop], _POWERS[: stop - at], out=weighted[at:stop])
    sums = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(weighted, out=sums[1:])
    lengths = ends - starts
    keys: np.ndarray = (sums[ends] - sums[starts]) * _INVERSES[starts & (_SEGMENT - 1)]
    keys ^= lengths.astype(np.uint64) * _LENGTH_SALT
    fmix64_in_place(keys)
    odd = np.flatnonzero((lengths > SHORT) | ((starts >> _SEGMENT_BITS) != ((ends - 1) >> _SEGMENT_BITS)))
    for i in odd.tolist():
        keys[i] = key_of(raw[starts[i] : ends[i]].tobytes())
    return keys


def key_of(chunk: bytes) -> int:
    """``chunk_keys``'s key of one chunk's bytes."""
    if len(chunk) > SHORT:
        return int.from_bytes(blake2b(chunk, digest_size=8, key=_LONG_KEY).digest(), "little")
    raw = np.frombuffer(chunk, dtype=np.uint8)
    key = np.array([(raw * _POWERS[: raw.size]).sum(dtype=np.uint64)], dtype=np.uint64)
    key ^= np.full(1, len(chunk), dtype=np.uint64) * _LENGTH_SALT  # an array: wraps without a warning
    return int(fmix64_in_place(key)[0])


class KeyTable:
    """Open addressing (linear probing) from chunk key to chunk id, read and written a batch at a time.

    A dict would take one Python call per chunk; here a batch's keys are probed together, a few numpy
    passes for all of them (the table is kept at most half full, so most keys settle at the first slot).
    Not thread-safe by itself: the chunk table calls it under its lock."""

    def __init__(self, bits: int = 13) -> None:
        self._bits = bits
        self._keys = np.zeros(1 << bits, dtype=np.uint64)
        self._ids = np.full(1 << bits, -1, dtype=np.intp)
        self._all_keys = np.zeros(1 << (bits - 1), dtype=np.uint64)  # by id, to place them again on growth
        self.count = 0

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        return (keys >> np.uint64(64 - self._bits)).astype(np.intp)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """The id of each key, -1 for a key the table does not hold."""
        mask = (1 << self._bits) - 1
        slots = self._slots(keys)
        found = np.full(keys.size, -1, dtype=np.intp)
        todo = np.arange(keys.size)
        while todo.size:
            at = slots[todo]
            ids = self._ids[at]
            taken = ids >= 0
            hit = taken & (self._keys[at] == keys[todo])
            found[todo[hit]] = ids[hit]
            further = taken & ~hit
            todo = todo[further]
            slots[todo] = (at[further] + 1) & mask
        return found

    def add(self, keys: np.ndarray) -> None:
        """Give ``keys`` (distinct, none held yet) the next ids, in order."""
        first, count = self.count, keys.size
        if 2 * (first + count) > (1 << self._bits):
            bits = self._bits
            while 2 * (first + count) > (1 << bits):
                bits += 1
            self._bits = bits
            self._keys = np.zeros(1 << bits, dtype=np.uint64)
            self._ids = np.full(1 << bits, -1, dtype=np.intp)
            self._place(self._all_keys[:first], np.arange(first))
        if first + count > self._all_keys.size:
            grown = np.zeros(max(first + count, 2 * self._all_keys.size), dtype=np.uint64)
            grown[:first] = self._all_keys[:first]
            self._all_keys = grown
        self._all_keys[first : first + count] = keys
        self._place(keys, np.arange(first, first + count))
        self.count = first + count

    def _place(self, keys: np.ndarray, ids: np.ndarray) -> None:
        """Each key in its first free slot from its own, several keys wanting one slot settled by letting
        the first of them have it and moving the others on."""
        mask = (1 << self._bits) - 1
        slots = self._slots(keys)
        todo = np.arange(keys.size)
        while todo.size:
            at = slots[todo]
            free = self._ids[at] < 0
            _, first = np.unique(at[free], return_index=True)
            winners = todo[free][first]
            self._keys[slots[winners]] = keys[winners]
            self._ids[slots[winners]] = ids[winners]
            waiting = np.ones(todo.size, dtype=bool)
            waiting[np.flatnonzero(free)[first]] = False
            todo = todo[waiting]
            slots[todo] = (slots[todo] + 1) & mask
