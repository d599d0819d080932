"""Per-host politeness: one request at a time per host, and a pause between two requests.

Behind a small protocol because the Celery workers of issue 4 share hosts across processes and will
keep this state in Redis; the in-process gate here serves the CLI and the tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class HostGate(Protocol):
    def slot(self, host: str, min_delay_s: float) -> AbstractContextManager[None]:
        """Block until ``host`` is free and ``min_delay_s`` has passed since its last request ended,
        then hold it for the duration of the ``with`` block."""
        ...

    def defer(self, host: str, seconds: float) -> None:
        """Keep everyone off ``host`` for ``seconds`` from now (a Retry-After, a Crawl-delay change)."""
        ...


class InProcessHostGate:
    """Thread-safe gate for one process. The pause is counted from the end of the previous request, so
    request starts are never closer than ``min_delay_s`` even when a response is slow."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ):
        self._clock = clock
        self._sleep = sleep
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._next_allowed: dict[str, float] = {}

    def _lock_for(self, host: str) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(host)
            if lock is None:
                lock = self._locks[host] = threading.Lock()
            return lock

    @contextmanager
    def slot(self, host: str, min_delay_s: float) -> Iterator[None]:
        lock = self._lock_for(host)
        with lock:
            while True:
                with self._guard:
                    wait = self._next_allowed.get(host, 0.0) - self._clock()
                if wait <= 0:
                    break
                self._sleep(wait)
            try:
                yield
            finally:
                with self._guard:
                    after = self._clock() + min_delay_s
                    self._next_allowed[host] = max(self._next_allowed.get(host, 0.0), after)

    def defer(self, host: str, seconds: float) -> None:
        with self._guard:
            until = self._clock() + max(0.0, seconds)
            self._next_allowed[host] = max(self._next_allowed.get(host, 0.0), until)
