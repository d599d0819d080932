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
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np
from datasketch import MinHashLSH

from worker.fingerprint import NUM_PERM, Signature

# How much a missed candidate costs against a needless one when choosing bands: misses lose recall for
# good, needless candidates only cost one verification.
_FALSE_NEGATIVE_WEIGHT = 0.9
_CANDIDATE_MARGIN = 0.1  # bands aim this far below the threshold, so borderline pairs still get verified


@dataclass(frozen=True)
class Match:
    key: str
    similarity: float


@runtime_checkable
class DedupIndex(Protocol):
    threshold: float

    def check_and_insert(self, key: str, sig: Signature) -> Match | None:
        """Atomic: if a stored signature is a verified near-duplicate (estimated Jaccard >= threshold), return
        the best Match and insert nothing; otherwise insert (key, sig) and return None."""
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
    """(bands, rows) whose S-curve favours recall around and above ``threshold - margin``.

    Own small search (datasketch's needs scipy and weighs both errors alike); deterministic, so every
    worker and the Redis index derive the same bucket layout from the same settings.
    """
    target = max(0.05, threshold - _CANDIDATE_MARGIN)
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


class InProcessIndex:
    """Index for one process (CLI runs, tests, a single worker), rebuilt from the store at start-up.

    Keeps every signature beside datasketch's ``MinHashLSH`` because LSH answers are only candidates and
    the verification needs the stored values; one lock makes check-and-insert atomic across threads.
    """

    def __init__(self, threshold: float, num_perm: int = NUM_PERM, params: tuple[int, int] | None = None
                 ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.min_equal = min_equal(threshold, num_perm)
        self.params = params or lsh_params(threshold, num_perm)
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=self.params)
        self._sigs: dict[str, Signature] = {}
        self._lock = threading.RLock()

    @classmethod
    def build(cls, items: Iterable[tuple[str, bytes]], threshold: float, num_perm: int = NUM_PERM
              ) -> InProcessIndex:
        """Rebuild from stored (key, signature bytes); a later pair for the same key replaces the earlier."""
        index = cls(threshold, num_perm)
        for key, data in items:
            index.insert(key, Signature.from_bytes(data))
        return index

    def _check(self, sig: Signature) -> None:
        if sig.num_perm != self.num_perm:
            raise ValueError(f"signature has {sig.num_perm} permutations, the index expects {self.num_perm}")

    def _verified(self, sig: Signature) -> list[Match]:
        matches = []
        for key in self._lsh.query(sig.minhash()):
            equal = sig.equal_count(self._sigs[key])
            if equal >= self.min_equal:
                matches.append(Match(key, equal / self.num_perm))
        matches.sort(key=lambda match: (-match.similarity, match.key))
        return matches

    def query(self, sig: Signature) -> list[Match]:
        self._check(sig)
        with self._lock:
            return self._verified(sig)

    def check_and_insert(self, key: str, sig: Signature) -> Match | None:
        self._check(sig)
        with self._lock:
            matches = self._verified(sig)
            if matches:
                return matches[0]
            self._insert(key, sig)
            return None

    def insert(self, key: str, sig: Signature) -> None:
        self._check(sig)
        with self._lock:
            self._insert(key, sig)

    def _insert(self, key: str, sig: Signature) -> None:
        if key in self._sigs:
            if self._sigs[key] == sig:
                return
            self._lsh.remove(key)
        self._lsh.insert(key, sig.minhash(), check_duplication=False)
        self._sigs[key] = sig

    def remove(self, key: str) -> None:
        with self._lock:
            if self._sigs.pop(key, None) is not None:
                self._lsh.remove(key)

    def __contains__(self, key: object) -> bool:
        return key in self._sigs

    def __len__(self) -> int:
        return len(self._sigs)
