"""The near-duplicate index: one interface, an in-process implementation here, a Redis one beside it.

LSH banding only proposes candidates; every answer is verified against the stored signature with the
estimated Jaccard, because a false merge drops a different story and loses news, while a missed candidate
merely stores one copy too many. So the bands are tuned for recall below the threshold (candidates are
cheap to verify) and the threshold alone decides.

The decision compares an integer count of equal hash values with ``min_equal(threshold, num_perm)``
rather than floats, so the Python and the Redis (Lua) implementations cannot disagree on a boundary case.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np

from worker.fingerprint import NUM_PERM, Signature

# How much a missed candidate costs against a needless one when choosing bands: a miss loses recall for
# good, a needless candidate costs one verification (but many of them, on templated news, cost real time).
_FALSE_NEGATIVE_WEIGHT = 0.9


CANDIDATE_BAR = 0.2
"""Least estimated Jaccard at which the index hands a stored signature to the judge: low enough for a copy
cut to a quarter of its story, or a story embedded in one twice its length (see ``worker/relation.py``)."""


@dataclass(frozen=True)
class Match:
    key: str
    similarity: float
    rule: str = "near_duplicate"
    joins: bool = True  # the new item is a copy in the key's story; False: stored, with this link noted


@dataclass(frozen=True)
class Candidate:
    """A stored signature the LSH proposed, with its count of equal values, for a judge to decide on."""

    key: str
    equal: int
    signature: Signature


Judge = Callable[[Signature, list[Candidate]], Match | None]
"""Decides on all candidates at once; both indexes call it inside their check-and-insert, so it must be a
pure function of its arguments (then the two indexes give the same answers on the same inputs)."""


@dataclass(frozen=True)
class ThresholdJudge:
    """The plain rule: the best candidate at or above the Jaccard threshold is the story (picklable)."""

    threshold: float

    def __call__(self, sig: Signature, candidates: list[Candidate]) -> Match | None:
        need = min_equal(self.threshold, sig.num_perm)
        best = max(
            (c for c in candidates if c.equal >= need), key=lambda c: (c.equal, _desc(c.key)), default=None
        )
        return Match(best.key, best.equal / sig.num_perm) if best is not None else None


def threshold_judge(threshold: float) -> Judge:
    return ThresholdJudge(threshold)


def _desc(key: str) -> tuple[int, ...]:
    """Sort key that puts the smaller string first under max(): ties go to the lexically first key."""
    return tuple(-ord(char) for char in key)


@runtime_checkable
class DedupIndex(Protocol):
    threshold: float

    def check_and_insert(self, key: str, sig: Signature, judge: Judge | None = None) -> Match | None:
        """Atomic: hand every stored signature at or above ``CANDIDATE_BAR`` to ``judge`` (default: the
        Jaccard threshold). If it returns a joining Match, insert nothing and return it; otherwise insert
        (key, sig) and return what the judge returned (None, or a non-joining link to record)."""
        ...

    def insert(self, key: str, sig: Signature) -> None:
        """Idempotent; replaces the signature of an existing key."""
        ...

    def remove(self, key: str) -> None:
        """No-op when the key is absent."""
        ...

    def query(self, sig: Signature) -> list[Match]:
        """Verified matches, best first, excluding nothing."""
        ...

    def __len__(self) -> int: ...


def min_equal(threshold: float, num_perm: int) -> int:
    """Smallest count of equal hash values whose estimate ``count / num_perm`` reaches ``threshold``.

    The epsilon absorbs binary rounding (0.7 * 128 is 89.6 either way, but 0.75 * 128 must stay 96).
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    return max(1, math.ceil(threshold * num_perm - 1e-9))


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows) minimising the LSH error around ``threshold``, misses weighted 9:1 over candidates.

    Own small search (datasketch's needs scipy and weighs both errors alike); deterministic, so every
    worker and the Redis index derive the same bucket layout from the same settings. Measured against
    the alternatives in ``bench/DEDUP.md``: at 0.5 / 128 permutations it is 32 bands of 4 rows.
    """
    target = threshold
    steps = 400
    below = (np.arange(steps) + 0.5) * target / steps
    above = target + (np.arange(steps) + 0.5) * (1.0 - target) / steps
    best: tuple[float, int, int] = (math.inf, 0, 0)
    for bands in range(2, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_positive = float(np.mean(1.0 - (1.0 - below**rows) ** bands)) * target
            false_negative = float(np.mean((1.0 - above**rows) ** bands)) * (1.0 - target)
            error = (1 - _FALSE_NEGATIVE_WEIGHT) * false_positive + _FALSE_NEGATIVE_WEIGHT * false_negative
            if error < best[0] - 1e-12:
                best = (error, bands, rows)
    return best[1], best[2]


_BAND_SALTS = np.arange(1, 1025, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
_ROW_MULTIPLIERS = np.array([0xC2B2AE3D27D4EB4F + 2 * i for i in range(64)], dtype=np.uint64)


def band_keys(values: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per (signature, band): equal exactly when the band's hash values are all equal.

    The band number is salted in, so the keys of all bands can share one sorted array (in process) or one
    naming scheme (Redis) without a band's bucket ever meeting another band's. ``values`` is (n, num_perm).
    """
    values = np.asarray(values, dtype=np.uint64).reshape(-1, values.shape[-1])
    banded = values[:, : bands * rows].reshape(values.shape[0], bands, rows)
    keys = np.broadcast_to(_BAND_SALTS[:bands], (values.shape[0], bands)).copy()
    with np.errstate(over="ignore"):
        for row in range(rows):
            keys = (keys ^ banded[:, :, row]) * _ROW_MULTIPLIERS[row]
        keys ^= keys >> np.uint64(29)
        keys *= np.uint64(0xBF58476D1CE4E5B9)
        keys ^= keys >> np.uint64(32)
    return keys


class InProcessIndex:
    """Index for one process (CLI runs, tests, a single worker), rebuilt from the store at start-up.

    Written by hand on numpy rather than on datasketch's ``MinHashLSH`` because start-up pays for it on
    every worker start: datasketch keeps a Python set per bucket (32 per signature), which measured
    about 11 KB and 160 µs per signature to rebuild, ~16 s and ~1 GB for 100k stored articles
    (``bench/dedup_startup.py``). Here signatures are rows of one matrix (also the verification data)
    and the bands of all of them are one sorted array of 64-bit keys searched with ``searchsorted``:
    rebuild is a sort. Recent inserts wait in a small dict and are merged in batches; removed or
    replaced rows are tombstones until the next merge. One lock makes check-and-insert atomic across
    threads.
    """

    _MIN_MERGE = 4096

    def __init__(
        self, threshold: float, num_perm: int = NUM_PERM, params: tuple[int, int] | None = None
    ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.min_equal = min_equal(threshold, num_perm)
        self.candidate_equal = min_equal(min(threshold, CANDIDATE_BAR), num_perm)
        self.params = params or lsh_params(min(threshold, CANDIDATE_BAR), num_perm)
        self.bands, self.rows = self.params
        self._default_judge = threshold_judge(threshold)
        self.shingle_size: int | None = None
        self._matrix = np.empty((0, num_perm), dtype=np.uint64)
        self._size = 0  # rows used in the matrix, alive or not
        self._keys: list[str | None] = []  # row -> key, None once removed or replaced
        self._tails: list[bytes] = []  # row -> signature bytes after the values (sizes, sketches)
        self._row_of: dict[str, int] = {}
        self._sorted_keys = np.empty(0, dtype=np.uint64)
        self._sorted_rows = np.empty(0, dtype=np.int64)
        self._shift = np.uint64(63)
        self._starts = np.zeros(3, dtype=np.int64)  # start of each top-bits prefix in the sorted keys
        self._pending: dict[int, list[int]] = {}
        self._pending_rows: list[int] = []
        self._lock = threading.RLock()

    @classmethod
    def build(
        cls, items: Iterable[tuple[str, bytes]], threshold: float, num_perm: int = NUM_PERM
    ) -> InProcessIndex:
        """Rebuild from stored (key, signature bytes); a later pair for the same key replaces the earlier."""
        index = cls(threshold, num_perm)
        latest: dict[str, bytes] = {}
        for key, data in items:
            latest[key] = bytes(data)
        if not latest:
            return index
        blobs = list(latest.values())
        first = Signature.from_bytes(blobs[0])
        index._check(first)
        end = 4 + 8 * num_perm
        if all(len(blob) >= end and blob[1:4] == blobs[0][1:4] for blob in blobs):
            # One decode for all rows: start-up time is this loop, so skip a Signature object per row.
            body = b"".join(memoryview(blob)[4:end] for blob in blobs)
            index._matrix = np.frombuffer(body, dtype="<u8").reshape(len(blobs), num_perm).astype(np.uint64)
            index._tails = [blob[end:] if blob[0] != 1 else b"" for blob in blobs]
        else:
            sigs = [Signature.from_bytes(blob) for blob in blobs]  # raises on the malformed one
            for sig in sigs:
                index._check(sig)
            index._matrix = np.stack([sig.hashvalues for sig in sigs])
            index._tails = [sig.to_bytes()[end:] for sig in sigs]
        index._size = len(blobs)
        index._keys = list(latest)
        index._row_of = {key: row for row, key in enumerate(index._keys)}
        index._sort(np.arange(index._size))
        return index

    def _check(self, sig: Signature, adopt: bool = True) -> None:
        """Refuse signatures made under other parameters; the first one stored fixes the shingle size."""
        if sig.num_perm != self.num_perm:
            raise ValueError(f"signature has {sig.num_perm} permutations, the index expects {self.num_perm}")
        if self.shingle_size is None:
            if adopt:
                self.shingle_size = sig.shingle_size
        elif sig.shingle_size != self.shingle_size:
            raise ValueError(
                f"signature of {sig.shingle_size}-word shingles in an index of "
                f"{self.shingle_size}-word shingles"
            )

    def _sort(self, rows: np.ndarray) -> None:
        keys = band_keys(self._matrix[rows], self.bands, self.rows).ravel()
        order = np.argsort(keys)  # any order within a key: candidates are deduplicated
        self._sorted_keys = keys[order]
        self._sorted_rows = np.repeat(rows, self.bands)[order]
        # A table of where each top-bits prefix starts: a lookup reads two neighbouring entries and a run
        # of a few keys, instead of a binary search whose every step misses the cache on a large index.
        bits = int(min(20, max(1, math.ceil(math.log2(max(2, keys.size))) - 2)))  # at most 8 MB
        self._shift = np.uint64(64 - bits)
        prefixes = np.arange((1 << bits) + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            bounds = prefixes << self._shift
        self._starts = np.searchsorted(self._sorted_keys, bounds[:-1], side="left").astype(np.int64)
        self._starts = np.append(self._starts, self._sorted_keys.size)
        self._pending.clear()
        self._pending_rows.clear()

    def _merge(self) -> None:
        """Fold pending rows into the sorted array and compact away tombstones: one sort per batch."""
        alive = [row for row in range(self._size) if self._keys[row] is not None]
        self._matrix = self._matrix[alive] if alive else np.empty((0, self.num_perm), dtype=np.uint64)
        self._keys = [self._keys[row] for row in alive]
        self._tails = [self._tails[row] for row in alive]
        self._size = len(alive)
        self._row_of = {key: row for row, key in enumerate(self._keys) if key is not None}
        self._sort(np.arange(self._size))

    def _candidates(self, sig: Signature) -> np.ndarray:
        keys = band_keys(sig.hashvalues[None, :], self.bands, self.rows)[0]
        prefix = (keys >> self._shift).astype(np.int64)
        low, high = self._starts[prefix], self._starts[prefix + 1]
        lengths = high - low
        total = int(lengths.sum())
        found = []
        if total:
            offsets = np.repeat(low - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
            hit = self._sorted_keys[offsets] == np.repeat(keys, lengths)
            found.append(self._sorted_rows[offsets[hit]])
        for key in keys.tolist():
            rows = self._pending.get(key)
            if rows:
                found.append(np.asarray(rows, dtype=np.int64))
        if not found:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(found))

    def _counted(self, sig: Signature, need: int) -> list[tuple[int, str, int]]:
        """(row, key, equal count) of the live candidates with at least ``need`` equal values."""
        if self._size == 0:
            return []
        rows = self._candidates(sig)
        if rows.size == 0:
            return []
        equal = (self._matrix[rows] == sig.hashvalues).sum(axis=1)
        return [
            (row, key, count)
            for row, count in zip(rows.tolist(), equal.tolist(), strict=True)
            if (key := self._keys[row]) is not None and count >= need
        ]

    def _verified(self, sig: Signature) -> list[Match]:
        matches = [Match(key, count / self.num_perm) for _, key, count in self._counted(sig, self.min_equal)]
        matches.sort(key=lambda match: (-match.similarity, match.key))
        return matches

    def query(self, sig: Signature) -> list[Match]:
        with self._lock:
            self._check(sig, adopt=False)
            return self._verified(sig)

    def check_and_insert(self, key: str, sig: Signature, judge: Judge | None = None) -> Match | None:
        with self._lock:
            self._check(sig)
            candidates = [
                Candidate(k, count, self._signature(row))
                for row, k, count in self._counted(sig, self.candidate_equal)
            ]
            match = (judge or self._default_judge)(sig, candidates) if candidates else None
            if match is not None and match.joins:
                return match
            self._insert(key, sig)
            return match

    def _signature(self, row: int) -> Signature:
        tail = self._tails[row]
        header = bytes([2 if tail else 1, self.shingle_size or 0]) + self.num_perm.to_bytes(2, "little")
        return Signature.from_bytes(header + self._matrix[row].astype("<u8").tobytes() + tail)

    def insert(self, key: str, sig: Signature) -> None:
        with self._lock:
            self._check(sig)
            self._insert(key, sig)

    def _insert(self, key: str, sig: Signature) -> None:
        old = self._row_of.get(key)
        if old is not None:
            if np.array_equal(self._matrix[old], sig.hashvalues):
                return
            self._keys[old] = None
        if self._size == self._matrix.shape[0]:
            grown = np.empty((max(64, self._size * 2), self.num_perm), dtype=np.uint64)
            grown[: self._size] = self._matrix[: self._size]
            self._matrix = grown
        row = self._size
        self._matrix[row] = sig.hashvalues
        self._size += 1
        self._keys.append(key)
        self._tails.append(sig.to_bytes()[4 + 8 * self.num_perm :])
        self._row_of[key] = row
        for band_key in band_keys(sig.hashvalues[None, :], self.bands, self.rows)[0].tolist():
            self._pending.setdefault(band_key, []).append(row)
        self._pending_rows.append(row)
        if len(self._pending_rows) >= max(self._MIN_MERGE, len(self._row_of) // 4):
            self._merge()

    def remove(self, key: str) -> None:
        with self._lock:
            row = self._row_of.pop(key, None)
            if row is not None:
                self._keys[row] = None

    def __getstate__(self) -> dict[str, object]:
        """Picklable (for a local snapshot) without the lock, which belongs to one process."""
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def __contains__(self, key: object) -> bool:
        return key in self._row_of

    def __len__(self) -> int:
        return len(self._row_of)
