"""Per-host politeness: one request at a time per host, a pause between two requests, and a pause of a
whole host that keeps failing (``HostBreaker``).

Both behind small protocols because the Celery workers share hosts across processes and keep this state
in Redis (``scrapers.politeness_redis``); the in-process versions here serve the CLI and the tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol

from scrapers.errors import IngestError


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


class Breaker(Protocol):
    """A host's health as the fetcher sees it: failures in a row, and a pause once they are too many."""

    def check(self, host: str, url: str) -> None:
        """Raise the host's last failure, restated for ``url``, while the host is paused."""
        ...

    def succeeded(self, host: str) -> None:
        """The host answered (whatever the answer): its run of failures is over."""
        ...

    def failed(self, host: str, error: IngestError) -> None:
        """One more page of the host failed after its retries; too many in a row pause the host."""
        ...

    def pause(self, host: str, seconds: float, error: IngestError) -> None:
        """Keep off ``host`` for ``seconds`` (capped): it asked for it."""
        ...


@dataclass(slots=True)
class _Health:
    failures: int = 0
    paused_until: float = 0.0
    last: IngestError | None = None


class HostBreaker:
    """Leaves alone, for a while, a host that keeps failing or asks for a long pause.

    Retries are per page, so without this a host answering 503 to everything, or hanging, costs every one
    of its pages the whole retry budget: 2,000 pages x 4 attempts x a 60 s Retry-After is days, not a run.
    After ``failure_limit`` pages in a row failed for a reason that may pass (timeouts, resets, 429, 5xx,
    each after its own retries), or once the host asks for a Retry-After longer than the policy's cap, its
    next pages fail at once with the same kind and status (so the crawl state marks them for the next
    run) until the pause is over; then one page probes it again, and one answer closes the breaker.
    In-process: Celery workers use ``RedisHostBreaker``, so a host paused by one is paused for all.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        failure_limit: int = 3,
        pause_s: float = 300.0,
        max_pause_s: float = 3600.0,
    ) -> None:
        self._clock = clock
        self.failure_limit = failure_limit
        self.pause_s = pause_s
        self.max_pause_s = max_pause_s
        self._lock = threading.Lock()
        self._hosts: dict[str, _Health] = {}

    def check(self, host: str, url: str) -> None:
        """Raise the host's last failure, restated for ``url``, while the host is paused."""
        with self._lock:
            health = self._hosts.get(host)
            left = health.paused_until - self._clock() if health is not None else 0.0
            last = health.last if health is not None else None
        if left > 0 and last is not None:
            raise IngestError(
                last.kind,
                f"{url}: not requested: {host} is paused for {left:.0f} s more ({last.message})",
                status=last.status,
            )

    def succeeded(self, host: str) -> None:
        """The host answered (whatever the answer): it is healthy again."""
        with self._lock:
            self._hosts.pop(host, None)

    def failed(self, host: str, error: IngestError) -> None:
        with self._lock:
            health = self._hosts.setdefault(host, _Health())
            health.failures += 1
            health.last = error
            if health.failures >= self.failure_limit:
                health.paused_until = self._clock() + self.pause_s

    def pause(self, host: str, seconds: float, error: IngestError) -> None:
        """Keep off ``host`` for ``seconds`` (at most ``max_pause_s``): it asked for it."""
        with self._lock:
            health = self._hosts.setdefault(host, _Health())
            health.last = error
            until = self._clock() + min(max(seconds, 0.0), self.max_pause_s)
            health.paused_until = max(health.paused_until, until)


class ClaimedElsewhere(Exception):
    """The page's address is claimed by the fetch of another spelling: this one stops before requesting it
    again, and is recorded as an alias of that page."""

    def __init__(self, url: str, key: str, holder: str) -> None:
        super().__init__(f"{url}: {key} is being fetched as {holder}")
        self.url = url
        self.key = key
        self.holder = holder


class PageClaims(Protocol):
    """Which fetch owns a page's address for a while, so two workers given two spellings of one page (a
    redirect source and its target, a page and its canonical) at the same moment fetch it once."""

    def claim(self, key: str, spelling: str) -> str | None:
        """Claim ``key`` for the fetch of ``spelling``: None when it is that fetch's now (or already was),
        else the spelling another fetch claimed it for."""
        ...

    def release(self, keys: Iterable[str], spelling: str) -> None:
        """Give back what the fetch of ``spelling`` claimed (it failed: another spelling may try)."""
        ...


class NoClaims:
    """In one process the crawl state already holds every spelling a fetch named before the next fetch of
    the same source starts (``worker.crawl``), so there is nothing to share."""

    def claim(self, key: str, spelling: str) -> str | None:
        return None

    def release(self, keys: Iterable[str], spelling: str) -> None:
        return None
