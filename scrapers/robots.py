"""robots.txt rules per origin, with a cache behind a small protocol.

RFC 9309 semantics: a 4xx robots.txt means no rules (allow all); a 5xx or an unreachable server means
"disallow all for now", so a struggling site is left alone rather than crawled blind; that verdict is
cached only briefly so the site is retried soon. The cache is a protocol so that Celery workers can share
one in Redis later; the in-process one serves the CLI and tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from protego import Protego

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309: parse at least 500 KiB, ignore the rest
TTL_OK_S = 24 * 3600.0
TTL_UNREACHABLE_S = 600.0
CRAWL_DELAY_CAP_S = 120.0  # a Crawl-delay of hours would stall a run; we honour it up to this


@dataclass(slots=True)
class RobotsRules:
    """What one origin's robots.txt says; ``mode`` is "rules", "allow_all" or "disallow_all"."""

    mode: str
    body: str = ""
    reason: str = ""
    _parser: Protego | None = None

    @classmethod
    def from_response(cls, status: int, body: bytes) -> RobotsRules:
        if 200 <= status < 300:
            # utf-8-sig: a byte order mark would hide the first line (a group's User-agent) from the parser
            text = body[:MAX_ROBOTS_BYTES].decode("utf-8-sig", errors="replace")
            return cls("rules", text, f"robots.txt {status}", Protego.parse(text))
        if 400 <= status < 500 and status != 429:  # 429 is the server asking us to back off, not "no file"
            return cls("allow_all", reason=f"robots.txt {status}: no rules")
        return cls("disallow_all", reason=f"robots.txt {status}: server error, disallow all for now")

    @classmethod
    def unreachable(cls, reason: str) -> RobotsRules:
        return cls("disallow_all", reason=f"robots.txt unreachable ({reason}): disallow all for now")

    @property
    def ttl_s(self) -> float:
        return TTL_UNREACHABLE_S if self.mode == "disallow_all" else TTL_OK_S

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.mode == "allow_all":
            return True
        if self.mode == "disallow_all":
            return False
        assert self._parser is not None
        return bool(self._parser.can_fetch(url, _product_token(user_agent)))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self._parser is None:
            return None
        delay = self._parser.crawl_delay(_product_token(user_agent))
        return None if delay is None else min(float(delay), CRAWL_DELAY_CAP_S)

    def sitemaps(self) -> list[str]:
        return list(self._parser.sitemaps) if self._parser is not None else []


def _product_token(user_agent: str) -> str:
    """robots.txt groups match the product token (``wirefeed``), not the whole User-Agent line."""
    token = user_agent.split("/", 1)[0].split(" ", 1)[0].strip()
    return token or user_agent


class RobotsCache(Protocol):
    def get(self, origin: str) -> RobotsRules | None: ...

    def put(self, origin: str, rules: RobotsRules) -> None: ...


class InProcessRobotsCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, RobotsRules]] = {}
        self._origin_locks: dict[str, threading.Lock] = {}

    def get(self, origin: str) -> RobotsRules | None:
        with self._lock:
            entry = self._entries.get(origin)
        if entry is None or entry[0] < self._clock():
            return None
        return entry[1]

    def put(self, origin: str, rules: RobotsRules) -> None:
        with self._lock:
            self._entries[origin] = (self._clock() + rules.ttl_s, rules)

    def origin_lock(self, origin: str) -> threading.Lock:
        """Held while one thread fetches an origin's robots.txt so others wait instead of refetching."""
        with self._lock:
            lock = self._origin_locks.get(origin)
            if lock is None:
                lock = self._origin_locks[origin] = threading.Lock()
            return lock
