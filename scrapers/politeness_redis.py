"""Per-host politeness, host pauses and the robots.txt cache, shared by every worker through Redis.

With eight fetch workers on three machines, a gate in each process's memory would let eight requests hit
one host at once. Here the gate is two keys per host in Redis (a lease: who is requesting now; and the
earliest time of the next request), changed only by Lua scripts, so "is the host free and has its pause
passed? then take it" is one atomic step for the whole fleet. Time comes from the Redis server's clock, not
the workers', so machines whose clocks disagree still space requests correctly.

Both keys of a host share a ``{hash tag}``, so on a Redis Cluster they sit in one slot and the scripts stay
legal there.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import Any

from protego import Protego

from scrapers.errors import ErrorKind, IngestError
from scrapers.robots import RobotsRules

# Returns 0 when the lease was taken, else how many milliseconds to wait before asking again.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('EXISTS', KEYS[1]) == 1 then
  local ttl = redis.call('PTTL', KEYS[1])
  return math.max(1, math.min(ttl, tonumber(ARGV[3])))
end
if nxt > now then
  return nxt - now
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 0
"""

# Push the host's next allowed time to at least now + ARGV[2] ms, then drop our lease if still ours. "now"
# is rounded up to the millisecond: rounded down, the next request could come up to 1 ms before the pause
# is over.
_RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.ceil(tonumber(t[2]) / 1000)
local after = now + tonumber(ARGV[2])
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if after > nxt then
  redis.call('SET', KEYS[2], after, 'PX', tonumber(ARGV[2]) + 60000)
end
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return 1
"""


class RedisHostGate:
    """``HostGate`` across processes and machines.

    ``lease_s`` bounds how long a crashed worker can keep a host blocked: it must exceed the longest single
    request (the fetcher's timeout plus the body deadline), or a slow request could overlap the next one.
    """

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "wirefeed:host",
        lease_s: float = 120.0,
        max_poll_s: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._lease_ms = int(lease_s * 1000)
        self._max_poll_ms = max(1, int(max_poll_s * 1000))
        self._sleep = sleep
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)

    def _keys(self, host: str) -> list[str]:
        tag = "{" + host + "}"
        return [f"{self._prefix}:{tag}:lease", f"{self._prefix}:{tag}:next"]

    @contextmanager
    def _slot(self, host: str, min_delay_s: float) -> Iterator[None]:
        keys = self._keys(host)
        token = uuid.uuid4().hex
        while True:
            wait_ms = int(self._acquire(keys=keys, args=[token, self._lease_ms, self._max_poll_ms]))
            if wait_ms <= 0:
                break
            self._sleep(min(wait_ms, self._max_poll_ms) / 1000.0)
        try:
            yield
        finally:
            self._release(keys=keys, args=[token, math.ceil(max(0.0, min_delay_s) * 1000)])

    def slot(self, host: str, min_delay_s: float) -> AbstractContextManager[None]:
        return self._slot(host, min_delay_s)

    def defer(self, host: str, seconds: float) -> None:
        self._release(keys=self._keys(host), args=["", math.ceil(max(0.0, seconds) * 1000)])


# One more failed page of a host: count it; at ARGV[1] in a row, pause the host for ARGV[2] ms with the
# failure (ARGV[3]) as the reason. The count itself lives as long as a pause can (ARGV[4] ms), so a host that
# failed twice last week does not start today one failure from a pause.
_FAILED = """
local failures = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if failures >= tonumber(ARGV[1]) and redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
end
return failures
"""

# The host asked for a pause (a Retry-After beyond the cap): pause it for ARGV[1] ms unless a longer pause
# already runs.
_PAUSE = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
end
return 1
"""


class RedisHostBreaker:
    """``HostBreaker`` shared by every worker: a host paused by one is paused for all of them.

    Per process, each of eight workers would spend its own three failures on a host in a 503 storm, and a
    host that asked one worker for a day's rest would get the other seven at once. Here the pause is one
    Redis key per host whose TTL is the pause itself (it ends by expiring, on the server's clock) and whose
    value is the failure every refused page is recorded with; the run of failures is a counter beside it.
    Both keys share a ``{hash tag}`` so the scripts stay legal on a Redis Cluster.
    """

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "wirefeed:breaker",
        failure_limit: int = 3,
        pause_s: float = 300.0,
        max_pause_s: float = 3600.0,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self.failure_limit = failure_limit
        self.pause_s = pause_s
        self.max_pause_s = max_pause_s
        self._failed = client.register_script(_FAILED)
        self._pause = client.register_script(_PAUSE)

    def _keys(self, host: str) -> list[str]:
        tag = "{" + host + "}"
        return [f"{self._prefix}:{tag}:failures", f"{self._prefix}:{tag}:paused"]

    def check(self, host: str, url: str) -> None:
        paused = self._keys(host)[1]
        with self._redis.pipeline(transaction=False) as pipe:
            raw, left_ms = pipe.get(paused).pttl(paused).execute()
        if raw is None or left_ms is None or left_ms <= 0:
            return
        last = _decode_error(raw)
        raise IngestError(
            last.kind,
            f"{url}: not requested: {host} is paused for {left_ms / 1000:.0f} s more ({last.message})",
            status=last.status,
        )

    def succeeded(self, host: str) -> None:
        self._redis.delete(self._keys(host)[0])

    def failed(self, host: str, error: IngestError) -> None:
        keys = self._keys(host)
        args = [self.failure_limit, _ms(self.pause_s), _encode_error(error), _ms(self.max_pause_s)]
        self._failed(keys=keys, args=args)

    def pause(self, host: str, seconds: float, error: IngestError) -> None:
        wait = min(max(seconds, 0.0), self.max_pause_s)
        self._pause(keys=self._keys(host)[1:], args=[_ms(wait), _encode_error(error)])


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


def _encode_error(error: IngestError) -> str:
    return json.dumps({"kind": error.kind.value, "message": error.message, "status": error.status})


def _decode_error(raw: bytes | str) -> IngestError:
    data = json.loads(raw)
    return IngestError(ErrorKind(data["kind"]), str(data["message"]), status=data.get("status"))


# Claim KEYS[1] for ARGV[1] for ARGV[2] ms: "" when it is ARGV[1]'s now (or already was), else its holder.
_CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return ''
end
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  return ''
end
return holder
"""

# Drop the claim KEYS[1] if ARGV[1] still holds it (one that expired and was taken by another stays).
_RELEASE_CLAIM = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisPageClaims:
    """``PageClaims`` shared by every worker: one key per page address (``SET NX`` with a TTL), holding
    the spelling whose fetch named it.

    The Celery fetch and ingest of a page are two tasks, and the crawl state learns a page's other
    spellings only at ingest; a worker given another spelling in between would fetch the page again. The
    claim covers that window: ``ttl_s`` must outlast a fetch plus the wait for its ingest, after which the
    crawl state's alias rows take over. A claim is only ever a reason not to fetch, so one left behind by
    a dead worker costs at most that spelling's fetch in this run (its next run fetches it).
    """

    def __init__(self, client: Any, *, prefix: str = "wirefeed:claim", ttl_s: float = 900.0) -> None:
        self._prefix = prefix
        self._ttl_ms = _ms(ttl_s)
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE_CLAIM)

    def _key(self, url: str) -> str:
        # a digest: addresses run to 2,048 characters, and every key is one page's, so no hash tag is needed
        return f"{self._prefix}:{hashlib.sha1(url.encode('utf-8')).hexdigest()}"

    def claim(self, key: str, spelling: str) -> str | None:
        holder = self._claim(keys=[self._key(key)], args=[spelling, self._ttl_ms])
        text = holder.decode("utf-8") if isinstance(holder, bytes) else str(holder or "")
        return text or None

    def release(self, keys: Iterable[str], spelling: str) -> None:
        for key in dict.fromkeys(keys):  # one call per key: on a Redis Cluster each key has its own slot
            self._release(keys=[self._key(key)], args=[spelling])


class RedisRobotsCache:
    """``RobotsCache`` shared by all workers, so robots.txt is fetched once per origin per TTL for the fleet.

    Entries expire in Redis with the rules' own TTL (a day for real rules, minutes for "unreachable"). The
    parsed form is memoised per process for a short while, because parsing on every fetch would cost more
    than the fetch's bookkeeping.
    """

    LOCAL_TTL_S = 30.0

    def __init__(self, client: Any, *, prefix: str = "wirefeed:robots", lock_timeout_s: float = 60.0) -> None:
        self._redis = client
        self._prefix = prefix
        self._lock_timeout_s = lock_timeout_s
        self._local: dict[str, tuple[float, RobotsRules]] = {}
        self._guard = threading.Lock()

    def _key(self, origin: str) -> str:
        return f"{self._prefix}:{{{origin}}}"

    def get(self, origin: str) -> RobotsRules | None:
        now = time.monotonic()
        with self._guard:
            local = self._local.get(origin)
        if local is not None and local[0] > now:
            return local[1]
        raw = self._redis.get(self._key(origin))
        if raw is None:
            return None
        rules = _decode(raw)
        with self._guard:
            self._local[origin] = (now + self.LOCAL_TTL_S, rules)
        return rules

    def put(self, origin: str, rules: RobotsRules) -> None:
        payload = json.dumps({"mode": rules.mode, "body": rules.body, "reason": rules.reason})
        self._redis.set(self._key(origin), payload, px=max(1, int(rules.ttl_s * 1000)))
        with self._guard:
            self._local[origin] = (time.monotonic() + min(self.LOCAL_TTL_S, rules.ttl_s), rules)

    @contextmanager
    def _held(self, origin: str) -> Iterator[None]:
        lock = self._redis.lock(f"{self._key(origin)}:lock", timeout=self._lock_timeout_s)
        acquired = lock.acquire(blocking=True, blocking_timeout=self._lock_timeout_s)
        try:
            yield  # not acquired in time (a stuck holder): fetch it ourselves rather than fail the page
        finally:
            if acquired:
                with suppress(Exception):  # expired meanwhile: nothing of ours to release
                    lock.release()

    def origin_lock(self, origin: str) -> AbstractContextManager[None]:
        """Held while one worker fetches an origin's robots.txt, so the others wait and then read its copy."""
        return self._held(origin)


def _decode(raw: bytes | str) -> RobotsRules:
    data = json.loads(raw)
    mode = data.get("mode", "allow_all")
    body = data.get("body", "")
    parser = Protego.parse(body) if mode == "rules" else None
    return RobotsRules(mode, body, data.get("reason", ""), parser)
