"""The near-duplicate index: one interface, an in-process implementation here, a Redis one beside it.

LSH banding only proposes candidates; every answer is verified against the stored signature with the
estimated Jaccard, because a false merge drops a different story and loses news, while a missed candidate
merely stores one copy too many. So the bands are tuned for recall below the threshold (candidates are
cheap to verify) and the threshold alone decides.

The decision compares an integer count of equal values with ``min_equal(threshold, num_perm)`` rather
than floats, and the band and verify steps are written once below ("the band and verify logic both
indexes share"): the in-process index and the Redis one call the same functions, and the Redis script only
stores and reads postings, so the two cannot disagree on a boundary case.
"""

from __future__ import annotations

import itertools
import math
import mmap
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np

from worker.chunk_keys import fmix64_in_place
from worker.fingerprint import NUM_PERM, VALUES_IN_PLACE_VERSIONS, Signature, sorted_distinct

Buffer = bytes | mmap.mmap | memoryview

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


# -- the band and verify logic both indexes share -------------------------------------------------------
#
# One description, one implementation: ``InProcessIndex`` and ``RedisIndex`` both call these functions,
# and the Lua script of ``worker/dedup_redis.py`` only reads and writes the bucket names they compute.
#
# 1. ``index_values``: each MinHash value is compared by its low ``VALUE_BITS`` bits, whatever width the
#    signature format stores (a false equal has odds of 2**-32 per value, far below the estimate's noise).
# 2. ``band_keys``: the first ``bands * rows`` values, ``rows`` at a time, hash to one 64-bit key per band;
#    the band number is salted in, so all bands share one key space.
# 3. A stored signature is a *candidate* when at least one of its band keys equals the new signature's
#    key for the same band (in process: a sorted array; in Redis: a set per bucket name).
# 4. ``equal_counts``: a candidate's count of equal values; it is proposed to the judge when the count
#    reaches ``min_equal(min(threshold, CANDIDATE_BAR), num_perm)``, and ``query`` reports it when the
#    count reaches ``min_equal(threshold, num_perm)``.
# 5. The judge sees the proposed candidates; unless it returns a joining match, the new signature is
#    inserted under its key (replacing the key's previous signature), all in one atomic step.

VALUE_BITS = 32
_VALUE_DTYPE = np.uint32
_BAND_SALTS = np.arange(1, 1025, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
_ROW_MULTIPLIERS = np.array([0xC2B2AE3D27D4EB4F + 2 * i for i in range(64)], dtype=np.uint64)
_BOTH_EQUAL = np.array(0x0101, dtype=np.uint16)  # two True flags side by side, read as one uint16
_KEY_CHUNK = 16_384  # signatures per step of ``band_keys``: temporaries stay in the cache, not in RAM


def signature_values(sig: Signature) -> np.ndarray:
    """The signature's MinHash values as the index compares them (step 1): the one place that reads them."""
    return index_values(sig.hashvalues)


def index_values(values: np.ndarray) -> np.ndarray:
    """Low ``VALUE_BITS`` bits of each value (step 1); a no-op on values already that narrow."""
    values = np.asarray(values)
    if values.dtype == _VALUE_DTYPE:
        return values
    return values.astype(_VALUE_DTYPE, casting="unsafe")  # unsigned casts wrap: the low bits remain


def band_keys(values: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per (signature, band), equal exactly when the band's values are all equal (step 2).

    ``values`` is (n, num_perm) or (num_perm,), of any unsigned width; the result is (n, bands).
    """
    narrow = index_values(values)
    narrow = narrow.reshape(-1, narrow.shape[-1])
    out = np.empty((narrow.shape[0], bands), dtype=np.uint64)
    if rows <= 2:
        return _short_band_keys(narrow, bands, rows, out)
    with np.errstate(over="ignore"):
        for start in range(0, narrow.shape[0], _KEY_CHUNK):
            banded = narrow[start : start + _KEY_CHUNK, : bands * rows].reshape(-1, bands, rows)
            keys = np.repeat(_BAND_SALTS[None, :bands], banded.shape[0], axis=0)
            for row in range(rows):
                keys ^= banded[:, :, row]
                keys *= _ROW_MULTIPLIERS[row]
            keys ^= keys >> np.uint64(29)
            keys *= np.uint64(0xBF58476D1CE4E5B9)
            keys ^= keys >> np.uint64(32)
            out[start : start + banded.shape[0]] = keys
    return out


def _short_band_keys(narrow: np.ndarray, bands: int, rows: int, out: np.ndarray) -> np.ndarray:
    """Bands of one or two 32-bit values: the values themselves are a 64-bit word (two side by side read
    as one little-endian uint64), salted and mixed by a bijection, so equal keys still mean equal values."""
    for start in range(0, narrow.shape[0], _KEY_CHUNK):  # array arithmetic wraps without a warning
        block = np.ascontiguousarray(narrow[start : start + _KEY_CHUNK, : bands * rows])
        keys = block.view("<u8").copy() if rows == 2 else block.astype(np.uint64)
        keys ^= _BAND_SALTS[:bands]
        out[start : start + keys.shape[0]] = fmix64_in_place(keys)
    return out


def equal_counts(values: np.ndarray, stored: np.ndarray) -> np.ndarray:
    """Count of equal values (step 4) between one signature's values and each row of ``stored``."""
    return _row_counts(index_values(stored) == index_values(values))


def _row_counts(same: np.ndarray) -> np.ndarray:
    """Each row's count of True in a (n, num_perm) bool matrix: its bytes summed as small integers.
    ``np.count_nonzero(axis=1)`` casts every element to an integer first, which cost twice as much on
    the hundred-odd rows a check compares (the index's most repeated step on templated news)."""
    small = np.uint8 if same.shape[-1] < 256 else np.uint16 if same.shape[-1] < 65536 else np.int64
    counts: np.ndarray = same.view(np.uint8).sum(axis=-1, dtype=small)
    return counts


def decode_values(blobs: list[bytes], num_perm: int) -> np.ndarray:
    """The index values of many stored signatures at once (what a worker's join costs).

    Signatures of the formats ``VALUES_IN_PLACE_VERSIONS`` names keep their values as uint64 after the header;
    blobs of one length are joined and read as one 2D array, so the cost is a few copies, not a Python
    object per signature. Anything else is decoded one by one by ``Signature.from_bytes``.
    """
    out = np.empty((len(blobs), num_perm), dtype=_VALUE_DTYPE)
    end = 4 + 8 * num_perm
    lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    order = np.argsort(lengths, kind="stable")
    bounds = np.flatnonzero(np.diff(lengths[order])) + 1
    groups = np.split(order, bounds)
    # Steps of a few MB: the joined bytes then reuse the same heap memory instead of fresh pages.
    for group in (part for whole in groups for part in np.array_split(whole, 1 + len(whole) // 8192)):
        length = int(lengths[group[0]])
        chunk = b"".join([blobs[i] for i in group.tolist()])
        versions = np.frombuffer(chunk, dtype=np.uint8)[::length]
        if length >= end and bool(np.isin(versions, VALUES_IN_PLACE_VERSIONS).all()):
            # The low half of each little-endian uint64 sits at its first 4 bytes: read them in place.
            out[group] = np.ndarray((len(group), num_perm), "<u4", chunk, offset=4, strides=(length, 8))
        else:
            out[group] = [signature_values(Signature.from_bytes(blobs[i])) for i in group.tolist()]
    return out


class PackedBlobs:
    """The stored signature bytes of every row: one buffer with each row's start and end (a snapshot's,
    memory-mapped), then rows appended later as bytes objects.

    A joined million rows then cost no Python object each until the judge reads one of them; a build from
    SQL hands its list of bytes as the appended part and an empty buffer.
    """

    def __init__(
        self,
        data: Buffer = b"",
        starts: np.ndarray | None = None,
        ends: np.ndarray | None = None,
        extra: list[bytes] | None = None,
    ) -> None:
        self.data = data
        self.starts = np.empty(0, dtype=np.int64) if starts is None else starts
        self.ends = np.empty(0, dtype=np.int64) if ends is None else ends
        self.extra: list[bytes] = [] if extra is None else extra

    def __len__(self) -> int:
        return int(self.starts.shape[0]) + len(self.extra)

    def __getitem__(self, row: int) -> bytes:
        base = int(self.starts.shape[0])
        if row >= base:
            return self.extra[row - base]
        return bytes(memoryview(self.data)[int(self.starts[row]) : int(self.ends[row])])

    def append(self, blob: bytes) -> None:
        self.extra.append(blob)

    def take(self, rows: list[int]) -> PackedBlobs:
        """The blobs of ``rows`` (ascending), sharing this buffer: a merge copies no signature bytes."""
        base = self.starts.shape[0]
        picked = np.asarray(rows, dtype=np.int64)
        inside = picked[picked < base]
        later = [self.extra[row - base] for row in picked[picked >= base].tolist()]
        return PackedBlobs(self.data, self.starts[inside], self.ends[inside], later)

    def lengths(self) -> np.ndarray:
        """Byte length of each row's blob."""
        later = np.fromiter(map(len, self.extra), dtype=np.int64, count=len(self.extra))
        return np.concatenate([self.ends - self.starts, later])

    def chunks(self, step: int = 8192) -> Iterator[bytes]:
        """Every row's bytes in row order, joined ``step`` rows at a time (what a snapshot writes)."""
        for start in range(0, len(self), step):
            yield b"".join(self[row] for row in range(start, min(len(self), start + step)))


@dataclass(frozen=True)
class IndexArrays:
    """An ``InProcessIndex`` after a merge as flat arrays (no tombstones, nothing pending): what a
    snapshot writes and maps back. ``tags`` is the caller's number for each row (a store row id), 0 for
    rows inserted without one."""

    keys: list[str]
    stamps: np.ndarray  # float64 (n,): when each row was stored, epoch seconds
    tags: np.ndarray  # int64 (n,)
    values: np.ndarray  # uint32 (n, num_perm): the verification data
    packed: np.ndarray  # uint64: the sorted postings (``_Postings.packed``)
    starts: np.ndarray  # int32 or int64: the run-start table (``_Postings.starts``)
    blobs: PackedBlobs
    shingle_size: int | None
    num_perm: int
    bands: int
    rows: int


class _Postings:
    """The band keys of many rows, searchable: one sorted uint64 array plus a table of run starts.

    Each entry packs a band key's high bits with the row number in its low bits, so one ``np.sort`` of
    plain integers builds it (an argsort and a gather cost three times as much at a million rows). A hit on
    the high bits alone may be a near miss of the full key: callers confirm with ``band_keys`` (step 3).
    The run-start table grows with the rows (about four entries per run), so a lookup reads the same
    handful of entries at ten thousand or a million rows.
    """

    def __init__(self, values: np.ndarray, rows: np.ndarray, bands: int, band_rows: int) -> None:
        """Postings of ``values`` (one row of index values per entry of ``rows``)."""
        count = int(rows.max()) + 1 if rows.size else 1
        self.row_bits = np.uint64(max(1, (count - 1).bit_length()))
        self.row_mask = np.uint64((1 << int(self.row_bits)) - 1)
        table = band_keys(values, bands, band_rows)  # the one large buffer: masked and sorted in place
        table &= ~self.row_mask
        table |= rows.astype(np.uint64)[:, None]
        packed = table.ravel()
        packed.sort()
        self.packed = packed
        bits = int(min(24, max(1, (max(2, packed.size) - 1).bit_length() - 2)))
        self.shift = np.uint64(64 - bits)
        counts = np.zeros(1 << bits, dtype=np.int64)
        for start in range(0, packed.size, 1 << 22):
            counts += np.bincount(
                (packed[start : start + (1 << 22)] >> self.shift).view(np.int64), minlength=1 << bits
            )
        starts = np.zeros((1 << bits) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        self.starts = starts if packed.size >= 2**31 else starts.astype(np.int32)

    @classmethod
    def adopt(cls, packed: np.ndarray, starts: np.ndarray, count: int) -> _Postings:
        """Postings sorted earlier (a snapshot's) for ``count`` rows, taken as they are: no sort."""
        postings = cls.__new__(cls)
        postings.row_bits = np.uint64(max(1, (max(1, count) - 1).bit_length()))
        postings.row_mask = np.uint64((1 << int(postings.row_bits)) - 1)
        postings.packed = packed
        postings.shift = np.uint64(64 - ((starts.shape[0] - 1).bit_length() - 1))
        postings.starts = starts
        return postings

    def rows(self, keys: np.ndarray) -> np.ndarray:
        """Rows holding one of ``keys`` (one per band) in its band, plus rare near misses."""
        return self._hits(keys, None)[1]

    def _hits(self, keys: np.ndarray, per_owner: int | None) -> tuple[np.ndarray, np.ndarray]:
        """(whose, row) of each entry matching one of ``keys``, in the keys' order; ``whose``: the key's
        place divided by ``per_owner`` (which signature it is a band key of), left empty without it."""
        empty = np.empty(0, dtype=np.int64)
        if self.packed.size == 0:
            return empty, empty
        prefix = (keys >> self.shift).astype(np.intp)
        low = self.starts[prefix].astype(np.int64)
        lengths = self.starts[prefix + 1] - low
        total = int(lengths.sum())
        if not total:
            return empty, empty
        offsets = np.repeat(low - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
        entries = self.packed[offsets]
        high = ~self.row_mask
        hit = (entries & high) == np.repeat(keys & high, lengths)
        found: np.ndarray = (entries[hit] & self.row_mask).astype(np.int64)
        if per_owner is None:
            return empty, found
        owners: np.ndarray = np.repeat(np.arange(keys.size) // per_owner, lengths)[hit]
        return owners, found


def _distinct_rows_of_many(postings: list[_Postings], keys: np.ndarray, rows: int) -> list[np.ndarray]:
    """Each signature's distinct rows (ascending) under its band keys (one signature per row of ``keys``)
    in all of ``postings``, for a whole batch in a few calls: (signature, row) pairs as one integer each
    (``rows`` bounds the row numbers), sorted and deduplicated once, then cut per signature."""
    hits = [one._hits(keys.ravel(), keys.shape[1]) for one in postings]
    owners = np.concatenate([owner for owner, _ in hits])
    found = np.concatenate([row for _, row in hits])
    stride = max(1, rows)
    pairs = sorted_distinct(owners * stride + found)
    whose = pairs // stride
    bounds = np.searchsorted(whose, np.arange(keys.shape[0] + 1)).tolist()
    distinct = pairs - whose * stride
    return [distinct[bounds[i] : bounds[i + 1]] for i in range(keys.shape[0])]


_PreparedSig = tuple[
    Signature, np.ndarray, np.ndarray, _Postings, tuple[tuple[int, _Postings], ...], np.ndarray
]


class InProcessIndex:
    """Index for one process (CLI runs, tests, a single worker), rebuilt from the store at start-up.

    Written by hand on numpy rather than on datasketch's ``MinHashLSH`` because start-up pays for it on
    every worker start: datasketch keeps a Python set per bucket (64 per signature here), ~11 KB and
    160 µs per signature to rebuild (``bench/dedup_startup.py``). Here the index values of all rows are
    one uint32 matrix (the verification data), the band keys of all rows one sorted array (``_Postings``):
    joining is a decode and a sort (``bench/dedup_scale.py``). Recent inserts wait in a small dict and are
    merged in batches; between merges, a batch's ``prepare`` sorts the dict's rows into small postings of
    their own (levels), so busy band keys of templated briefs are not a long tuple to copy on every insert
    and walk on every check. Removed, replaced or expired rows are tombstones until the next merge. The stored
    bytes of each row are kept as they came, so the judge sees exactly the signature that was stored.

    ``window``: seconds a row stays a candidate after it was stamped (``WIREFEED_DEDUP_WINDOW_DAYS``);
    older rows are ignored at once and dropped at the next merge, so memory follows the window, not the
    history. One lock makes check-and-insert atomic across threads.
    """

    _MIN_MERGE = 4096
    _LEVEL_MIN = 256  # rows the pending dict holds before a batch's ``prepare`` sorts them into a level
    _DECODED = 8192  # decoded candidate signatures kept (~1.5 KB each)

    def __init__(
        self,
        threshold: float,
        num_perm: int = NUM_PERM,
        params: tuple[int, int] | None = None,
        *,
        window: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.min_equal = min_equal(threshold, num_perm)
        self.candidate_equal = min_equal(min(threshold, CANDIDATE_BAR), num_perm)
        self.params = params or lsh_params(min(threshold, CANDIDATE_BAR), num_perm)
        self.bands, self.rows = self.params
        self.window = window
        self._clock = clock
        self._default_judge = threshold_judge(threshold)
        self.shingle_size: int | None = None
        self._values = np.empty((0, num_perm), dtype=_VALUE_DTYPE)  # rows of the last build or merge
        self._extra = np.empty((0, num_perm), dtype=_VALUE_DTYPE)  # rows inserted since, growing
        self._stamps = np.empty(0, dtype=np.float64)
        self._size = 0  # rows used, alive or not
        self._keys: list[str | None] = []  # row -> key, None once removed, replaced or expired
        self._blobs = PackedBlobs()  # row -> the signature's stored bytes
        self._tags = np.empty(0, dtype=np.int64)  # row -> the caller's number for it (a store row id)
        self._row_of: dict[str, int] = {}
        self._postings = _Postings(self._values, np.empty(0, dtype=np.int64), self.bands, self.rows)
        # Rows since the last merge, oldest first: sorted levels, each (its first row, its postings), then
        # from ``_pending_from`` on a dict of band key -> rows. A level's rows run up to the next's first.
        self._levels: tuple[tuple[int, _Postings], ...] = ()
        self._pending: dict[int, tuple[int, ...]] = {}
        self._pending_from = 0
        self._pending_rows = 0
        self._decoded: dict[int, Signature] = {}  # row -> its stored signature, decoded (``_decode``)
        # id(signature) -> (it, its index values, its band keys, the postings and levels then, its
        # distinct rows in them, ascending), for the batch being decided (``prepare``)
        self._prepared: dict[int, _PreparedSig] = {}
        self._lock = threading.RLock()

    @classmethod
    def build(
        cls,
        items: Iterable[tuple[str, bytes]],
        threshold: float,
        num_perm: int = NUM_PERM,
        *,
        stamps: Iterable[float] | None = None,
        tags: Iterable[int] | None = None,
        window: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> InProcessIndex:
        """Rebuild from stored (key, signature bytes); a later pair for the same key replaces the earlier.

        ``stamps``: when each pair was stored (epoch seconds, same order); without them every row is
        stamped now. Rows already outside ``window`` are not loaded. ``tags``: the caller's number for
        each pair (a store row id, so a snapshot can tell which rows the store has since deleted).
        """
        index = cls(threshold, num_perm, window=window, clock=clock)
        now = clock()
        pairs = list(items)
        keys = [key for key, _ in pairs]
        # One dict, which is also the row table when keys are unique (the usual case): key -> last pair.
        last = dict(zip(keys, range(len(keys)), strict=True))
        picks = np.fromiter(last.values(), dtype=np.int64, count=len(last))
        when = np.fromiter(stamps, np.float64, len(keys)) if stamps is not None else np.full(len(keys), now)
        if window is not None and stamps is not None:
            picks = picks[when[picks] >= now - window]
        if picks.size == 0:
            return index
        if picks.size == len(keys):
            blobs = [blob if isinstance(blob, bytes) else bytes(blob) for _, blob in pairs]
            index._row_of = last
        else:
            blobs = [bytes(pairs[i][1]) for i in picks.tolist()]
            keys = [keys[i] for i in picks.tolist()]
            index._row_of = dict(zip(keys, range(len(keys)), strict=True))
        del pairs
        index._adopt_headers(blobs)
        index._values = decode_values(blobs, num_perm)
        index._stamps = when[picks] if picks.size < len(when) else when
        index._tags = (
            np.fromiter(tags, np.int64)[picks] if tags is not None else np.zeros(len(blobs), dtype=np.int64)
        )
        index._blobs = PackedBlobs(extra=blobs)
        index._size = len(blobs)
        index._keys = list(keys)
        index._sort(np.arange(index._size))
        return index

    @classmethod
    def from_arrays(
        cls,
        arrays: IndexArrays,
        threshold: float,
        *,
        window: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> InProcessIndex:
        """The index ``arrays`` describe (a snapshot's), taken as they are: no decode, no sort.

        The large arrays may be read-only memory maps: nothing writes into them (a merge makes new
        ones); the stamps are copied, since a row stored again is stamped again in place.
        """
        index = cls(threshold, arrays.num_perm, (arrays.bands, arrays.rows), window=window, clock=clock)
        count = len(arrays.keys)
        index.shingle_size = arrays.shingle_size
        index._values = arrays.values
        index._stamps = np.array(arrays.stamps, dtype=np.float64)
        index._tags = np.array(arrays.tags, dtype=np.int64)
        index._blobs = arrays.blobs
        index._size = count
        index._keys = list(arrays.keys)
        index._row_of = dict(zip(arrays.keys, range(count), strict=True))
        index._postings = _Postings.adopt(arrays.packed, arrays.starts, count)
        index._pending_from = count
        index._expire_locked(index._cutoff())
        return index

    def arrays(self) -> IndexArrays:
        """The index as flat arrays, merged first if anything is pending or removed (see ``IndexArrays``)."""
        with self._lock:
            if self._pending_rows or self._size != len(self._row_of) or self._size != self._values.shape[0]:
                self._merge()
            keys = [key for key in self._keys if key is not None]
            return IndexArrays(
                keys=keys,
                stamps=self._stamps[: self._size],
                tags=self._tags[: self._size],
                values=self._values,
                packed=self._postings.packed,
                starts=self._postings.starts,
                blobs=self._blobs,
                shingle_size=self.shingle_size,
                num_perm=self.num_perm,
                bands=self.bands,
                rows=self.rows,
            )

    def _adopt_headers(self, blobs: list[bytes]) -> None:
        """Refuse a store whose signatures disagree on their parameters (bytes 1-3 of the header)."""
        first = Signature.from_bytes(blobs[0])
        self._check(first)
        params = blobs[0][1:4]
        for blob in blobs:
            if blob[1:4] != params:
                self._check(Signature.from_bytes(blob))  # raises, naming what differs

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
        values = self._values if rows.size == self._values.shape[0] else self._row_values(rows)
        self._postings = _Postings(values, rows, self.bands, self.rows)
        self._pending.clear()
        self._levels = ()
        self._pending_from = self._size
        self._pending_rows = 0
        self._decoded = {}  # rows are renumbered

    def _merge(self) -> None:
        """Fold pending rows into the sorted array, compacting away tombstones and expired rows."""
        self._expire_locked(self._cutoff())
        alive = [row for row in range(self._size) if self._keys[row] is not None]
        kept = np.asarray(alive, dtype=np.int64)
        self._values = self._row_values(kept)
        self._extra = np.empty((0, self.num_perm), dtype=_VALUE_DTYPE)
        self._stamps = self._stamps[kept]
        self._tags = self._tags[kept]
        self._keys = [self._keys[row] for row in alive]
        self._blobs = self._blobs.take(alive)
        self._size = len(alive)
        self._row_of = {key: row for row, key in enumerate(self._keys) if key is not None}
        self._sort(np.arange(self._size))

    def _row_values(self, rows: np.ndarray) -> np.ndarray:
        """Index values of ``rows`` (ascending), from the built block or the block of later inserts."""
        base = self._values.shape[0]
        if rows.size == 0 or int(rows[-1]) < base:  # ``take``: a third cheaper than indexing, same rows
            found: np.ndarray = self._values.take(rows, axis=0)  # (the method: ``np.take`` adds a wrapper)
            return found
        split = int(np.searchsorted(rows, base))
        if split == 0:
            later: np.ndarray = self._extra.take(rows - base, axis=0)
            return later
        return np.concatenate(
            [self._values.take(rows[:split], axis=0), self._extra.take(rows[split:] - base, axis=0)]
        )

    def _cutoff(self) -> float | None:
        return None if self.window is None else self._clock() - self.window

    def prepare(self, sigs: Iterable[Signature]) -> None:
        """Work out the index values and band keys of a batch's signatures in one go, before they are
        checked one by one, and their distinct rows in the sorted postings and levels looked up: a handful
        of numpy calls for the whole batch where each check and each later insert of a copy paid them
        alone. The pending dict's rows are first sorted into a level once there are ``_LEVEL_MIN`` of
        them, so a check walks only the rows inserted since (on templated briefs a busy band key's
        tuple held hundreds of rows, copied on each insert and chained on each check). Kept till the next
        batch's, by object: a signature not prepared (or of other parameters) is banded and looked up
        when it is checked, as before, and so is every one after a merge or a new level."""
        with self._lock:
            kept = [sig for sig in sigs if sig.num_perm == self.num_perm]
            self._prepared = {}
            if self._size - self._pending_from >= self._LEVEL_MIN:
                self._cut_level()
            if not kept:
                return
            values = index_values(np.stack([sig.hashvalues for sig in kept]))
            keys = band_keys(values, self.bands, self.rows)
            # The postings and levels change only when a merge or a new level replaces them: each
            # signature's rows in them, looked up now for all, stand while they do (``_counted`` checks).
            postings, levels = self._postings, self._levels
            found = _distinct_rows_of_many([postings, *(level for _, level in levels)], keys, self._size)
            self._prepared = {
                id(sig): (sig, row_values, row_keys, postings, levels, rows)
                for sig, row_values, row_keys, rows in zip(kept, values, keys, found, strict=True)
            }

    def _cut_level(self) -> None:
        """The pending dict's rows as a sorted level. A level no larger than the new one is sorted again
        with it (as a binary counter carries), so there are a handful of levels between merges whatever
        the batch size, and each row is sorted a handful of times."""
        start, levels = self._pending_from, list(self._levels)
        if start >= self._size:
            return
        while levels and start - levels[-1][0] <= self._size - start:
            start = levels.pop()[0]
        rows = np.arange(start, self._size)
        levels.append((start, _Postings(self._row_values(rows), rows, self.bands, self.rows)))
        self._levels = tuple(levels)
        self._pending.clear()
        self._pending_from = self._size

    def _banded(self, sig: Signature) -> tuple[np.ndarray, np.ndarray]:
        """The signature's index values and band keys, computed once for its check and its insert.

        Bands of two values (the default parameters) take ``_short_band_keys``'s steps on one row without
        its batching, half the calls: every item pays this twice."""
        prepared = self._prepared.get(id(sig))
        if prepared is not None and prepared[0] is sig:  # the id of this very object, not a reused one
            return prepared[1], prepared[2]
        values = signature_values(sig)
        if self.rows != 2:
            return values, band_keys(values, self.bands, self.rows)[0]
        keys = values[: 2 * self.bands].view("<u8") ^ _BAND_SALTS[: self.bands]
        return values, fmix64_in_place(keys)

    def _counted(
        self, sig: Signature, need: int, banded: tuple[np.ndarray, np.ndarray] | None = None
    ) -> list[tuple[int, str, int]]:
        """(row, key, equal count) of the live candidates (step 3) with at least ``need`` equal values.

        A handful of numpy calls per check whatever the candidates: on templated news a check meets a
        hundred rows or more through busy bands, and each extra pass (a second band-key hash of the kept
        rows, ``np.unique``'s general path) cost more than the rows themselves."""
        if self._size == 0:
            return []
        values, keys = banded or self._banded(sig)
        prepared = self._prepared.get(id(sig))
        hits = self._pending_hits(keys)
        if (
            prepared is not None
            and prepared[0] is sig
            and prepared[3] is self._postings
            and prepared[4] is self._levels
        ):  # looked up with the batch's (``prepare``), from these very postings and levels: distinct
            rows = prepared[5] if hits is None else sorted_distinct(np.concatenate([prepared[5], hits]))
        else:
            found = [self._postings.rows(keys), *(level.rows(keys) for _, level in self._levels)]
            rows = sorted_distinct(np.concatenate(found if hits is None else [*found, hits]))
        if rows.size == 0:
            return []
        same = self._row_values(rows) == values  # (n, num_perm): equal values, for counts and bands
        counts = _row_counts(same)
        keep = counts >= need
        cutoff = self._cutoff()
        if cutoff is not None:
            keep &= self._stamps[rows] >= cutoff
        # Confirm a whole band is equal (the sorted array matched a band key's high bits only): a band's
        # key is a function of its values (a bijection for bands of one or two), so equal values are
        # what an equal key says.
        kept = np.flatnonzero(keep)
        banded_rows = same.take(kept, axis=0)[:, : self.bands * self.rows]
        if self.rows == 2:  # both of a band's flags true is the bytes 1, 1: one uint16 compare per band
            confirmed = (banded_rows.view(np.uint16) == _BOTH_EQUAL).any(axis=1)
        else:  # (numpy's reduction over an axis of two is slow: the view above is a third of its cost)
            confirmed = banded_rows.reshape(-1, self.bands, self.rows).all(axis=2).any(axis=1)
        picked = kept[confirmed]
        keys_of = self._keys
        return [
            (row, key, count)
            for row, count in zip(rows[picked].tolist(), counts[picked].tolist(), strict=True)
            if (key := keys_of[row]) is not None
        ]

    def _pending_hits(self, keys: np.ndarray) -> np.ndarray | None:
        """Rows of the pending dict under one of ``keys``, as one array (None without any)."""
        if not self._pending:
            return None
        # One array of all the pending hits: a copy shares most bands, one each cost most.
        hits = itertools.chain.from_iterable(filter(None, map(self._pending.get, keys.tolist())))
        found = np.fromiter(hits, dtype=np.int64)
        return found if found.size else None

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
            banded = self._banded(sig)
            candidates = [
                Candidate(k, count, self._decode(row))
                for row, k, count in self._counted(sig, self.candidate_equal, banded)
            ]
            match = (judge or self._default_judge)(sig, candidates) if candidates else None
            if match is not None and match.joins:
                return match
            self._insert(key, sig, banded)
            return match

    def _decode(self, row: int) -> Signature:
        """The stored signature of ``row``, decoded once while it stays a candidate: on templated news the
        same stored briefs are proposed to check after check. Rows keep their bytes until a merge
        renumbers them (which empties the cache); the cache starts over past ``_DECODED`` rows."""
        sig = self._decoded.get(row)
        if sig is None:
            if len(self._decoded) >= self._DECODED:
                self._decoded.clear()
            sig = self._decoded[row] = Signature.from_bytes(self._blobs[row])
        return sig

    def insert(self, key: str, sig: Signature) -> None:
        with self._lock:
            self._check(sig)
            self._insert(key, sig)

    def _insert(self, key: str, sig: Signature, banded: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        values, keys = banded or self._banded(sig)
        self._append(key, values, keys, sig.to_bytes(), self._clock())
        if self._pending_rows >= max(self._MIN_MERGE, len(self._row_of) // 4):
            self._merge()

    def _append(
        self, key: str, values: np.ndarray, keys: np.ndarray, blob: bytes, stamp: float, tag: int = 0
    ) -> None:
        """One row at the end (its band ``keys`` pending until the next merge), replacing the key's
        previous row; the same bytes stored again only restamp the row."""
        old = self._row_of.get(key)
        if old is not None:
            if self._blobs[old] == blob:
                self._stamps[old] = stamp  # stored again: the window starts over
                self._tags[old] = tag or self._tags[old]
                return
            self._keys[old] = None
        row, extra = self._size, self._size - self._values.shape[0]
        if extra == self._extra.shape[0]:  # grow the small block only: the built one is never copied
            self._extra = np.resize(self._extra, (max(64, extra * 2), self.num_perm))
        if row == self._stamps.shape[0]:
            self._stamps = np.resize(self._stamps, max(64, row * 2))
            self._tags = np.resize(self._tags, max(64, row * 2))
        self._extra[extra] = values
        self._stamps[row] = stamp
        self._tags[row] = tag
        self._size += 1
        self._keys.append(key)
        self._blobs.append(blob)
        self._row_of[key] = row
        # Most band keys are new: set them all at once (a list per key, appended one at a time, cost
        # ~40 us a row), then give the few keys an earlier row holds both rows.
        band_keys_of_row, pending = keys.tolist(), self._pending
        clashes = [(key, pending[key]) for key in filter(pending.__contains__, band_keys_of_row)]
        pending.update(zip(band_keys_of_row, itertools.repeat((row,))))
        for band_key, rows in clashes:
            pending[band_key] = (*rows, row)
        self._pending_rows += 1

    def load_rows(self, keys: list[str], blobs: list[bytes], stamps: list[float], tags: list[int]) -> None:
        """Stored rows added after a build or a snapshot (a join's catch-up), with the times they were
        stored and their tags. A row whose tag names a row of another key drops that row (the store gave
        its id to a new row). Decoded in one go and sorted into a level with the rows pending before
        them (``_cut_level``), instead of one pending tuple per band key."""
        if not keys:
            return
        with self._lock:
            self._adopt_headers(blobs)
            self._drop_reused(tags, keys)
            values = decode_values(blobs, self.num_perm)
            no_keys = np.empty(0, np.uint64)  # the level bands them all at once
            for i, key in enumerate(keys):
                self._append(key, values[i], no_keys, blobs[i], stamps[i], tags[i])
            self._cut_level()
            self._expire_locked(self._cutoff())
            if self._pending_rows >= max(self._MIN_MERGE, len(self._row_of) // 4):
                self._merge()

    def _drop_reused(self, tags: list[int], keys: list[str]) -> None:
        key_of = dict(zip(tags, keys, strict=True))
        for row in np.flatnonzero(np.isin(self._tags[: self._size], tags)).tolist():
            key = self._keys[row]
            if key is not None and key_of[int(self._tags[row])] != key:
                self._keys[row] = None
                del self._row_of[key]

    def drop_tagged(self, tags: np.ndarray) -> list[str]:
        """Forget the rows whose tag is one of ``tags`` (store rows deleted since a snapshot); their keys."""
        with self._lock:
            rows = np.flatnonzero(np.isin(self._tags[: self._size], tags)).tolist()
            gone = []
            for row in rows:
                key = self._keys[row]
                if key is not None:
                    self._keys[row] = None
                    del self._row_of[key]
                    gone.append(key)
            return gone

    def tags(self) -> np.ndarray:
        """Each live row's tag (0 for rows inserted without one)."""
        with self._lock:
            alive = np.fromiter((key is not None for key in self._keys), dtype=bool, count=self._size)
            found: np.ndarray = self._tags[: self._size][alive]
            return found

    def remove(self, key: str) -> None:
        with self._lock:
            row = self._row_of.pop(key, None)
            if row is not None:
                self._keys[row] = None

    def expire(self, before: float) -> int:
        """Forget every row stamped before ``before`` (epoch seconds); returns how many went."""
        with self._lock:
            return self._expire_locked(before)

    def _expire_locked(self, before: float | None) -> int:
        if before is None or self._size == 0:
            return 0
        old = np.flatnonzero(self._stamps[: self._size] < before).tolist()
        gone = 0
        for row in old:
            key = self._keys[row]
            if key is not None:
                self._keys[row] = None
                del self._row_of[key]
                gone += 1
        return gone

    def __getstate__(self) -> dict[str, object]:
        """Picklable (for a local snapshot) without the lock, which belongs to one process."""
        state = self.__dict__.copy()
        del state["_lock"]
        state["_decoded"] = {}  # a cache: rebuilt on use
        state["_prepared"] = {}  # by object id: meaningless in another process
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_decoded", {})
        self.__dict__.setdefault("_prepared", {})
        self._lock = threading.RLock()
        if "_levels" not in state:  # pickled before levels: its pending rows are merged, as arrays() does
            self.__dict__.pop("_recent", None)
            self._levels, self._pending_from = (), self._size
            self._merge()

    def __contains__(self, key: object) -> bool:
        return key in self._row_of

    def __len__(self) -> int:
        return len(self._row_of)
