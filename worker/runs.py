"""Runs: batches of tasks whose end someone waits for (``wirefeed crawl --enqueue --wait``, ``wirefeed
enqueue --wait``).

A run's state lives in Redis, never in a worker's memory, and every write to it is idempotent so a message
delivered twice (after a crash) counts once:

- ``pending``: a set of task ids; a task is added *before* its message is sent and removed when it has
  finished for good, and a parent adds its children before it removes itself, so the set is empty only when
  the whole tree is done;
- ``fetches`` / ``decisions``: one field per URL, written with HSETNX, so the first outcome of a URL wins and
  a redelivery cannot turn "stored" into "unchanged";
- ``locks``: the one-crawl-per-source locks the run holds (``worker.crawl_locks``); the task that empties
  ``pending`` frees them in the same Lua step.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from worker.broker import as_text

if TYPE_CHECKING:
    from worker.crawl import Discovery

RUN_PREFIX = "wirefeed:run"
RUN_TTL_S = 7 * 24 * 3600

# Remove a finished task from the run; when none is left, stamp the end and free the run's source locks.
_FINISH = """
redis.call('SREM', KEYS[1], ARGV[1])
local left = redis.call('SCARD', KEYS[1])
if left == 0 and redis.call('HEXISTS', KEYS[2], 'finished_at') == 0 then
  redis.call('HSET', KEYS[2], 'finished_at', ARGV[2])
  for _, lock in ipairs(redis.call('SMEMBERS', KEYS[3])) do
    if redis.call('GET', lock) == ARGV[3] then
      redis.call('DEL', lock)
    end
  end
end
return left
"""


@dataclass(slots=True)
class RunStatus:
    """Where a run stands; ``per_source`` has the same counters the in-process crawl summary shows."""

    run_id: str
    pending: int
    finished: bool
    started_at: float | None
    finished_at: float | None
    per_source: dict[str, Counter[str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for counts in self.per_source.values():
            total.update(counts)
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "pending": self.pending,
            "finished": self.finished,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "per_source": {name: dict(counts) for name, counts in self.per_source.items()},
            "skipped": dict(self.skipped),
        }


@dataclass(slots=True)
class RunRecords:
    """A run's raw bookkeeping, decoded: what ``status`` counts and a crawl summary is rebuilt from."""

    meta: dict[str, str]
    pending: int
    discovered: dict[str, dict[str, Any]]  # source -> its discovery counts
    fetches: list[dict[str, Any]]  # one per URL: source, status, kind
    decisions: dict[str, dict[str, Any]]  # URL -> source, outcome, kind

    @property
    def skipped(self) -> dict[str, str]:
        """Sources not crawled in this run, with why."""
        return {k.removeprefix("skipped:"): v for k, v in self.meta.items() if k.startswith("skipped:")}


class Run:
    """Handle on one run's keys; cheap to build, so every task makes its own from the ``run_id`` it got."""

    def __init__(self, client: Any, run_id: str) -> None:
        self.client = client
        self.id = run_id
        base = f"{RUN_PREFIX}:{{{run_id}}}"  # one hash tag: all keys of a run in one Cluster slot
        self.meta_key = f"{base}:meta"
        self.pending_key = f"{base}:pending"
        self.fetches_key = f"{base}:fetches"
        self.decisions_key = f"{base}:decisions"
        self.locks_key = f"{base}:locks"
        self.discovered_key = f"{base}:discovered"

    @classmethod
    def create(cls, client: Any, *, kind: str, run_id: str | None = None, sources: Iterable[str] = ()) -> Run:
        run = cls(client, run_id or uuid.uuid4().hex)
        meta = {"kind": kind, "started_at": repr(time.time()), "sources": json.dumps(list(sources))}
        with client.pipeline() as pipe:
            for key, value in meta.items():
                pipe.hsetnx(run.meta_key, key, value)
            pipe.expire(run.meta_key, RUN_TTL_S)
            pipe.execute()
        return run

    def _keys(self) -> list[str]:
        return [
            self.meta_key,
            self.pending_key,
            self.fetches_key,
            self.decisions_key,
            self.locks_key,
            self.discovered_key,
        ]

    def add_pending(self, task_ids: Iterable[str]) -> None:
        ids = list(task_ids)
        if not ids:
            return
        with self.client.pipeline() as pipe:
            pipe.sadd(self.pending_key, *ids)
            pipe.hdel(self.meta_key, "finished_at")
            pipe.expire(self.pending_key, RUN_TTL_S)
            pipe.execute()

    def finish(self, task_id: str) -> int:
        """The task is done for good; returns how many tasks of the run are still pending."""
        script = self.client.register_script(_FINISH)
        left = int(
            script(
                keys=[self.pending_key, self.meta_key, self.locks_key],
                args=[task_id, repr(time.time()), self.id],
            )
        )
        with self.client.pipeline() as pipe:
            for key in self._keys():
                pipe.expire(key, RUN_TTL_S)
            pipe.execute()
        return left

    def hold_lock(self, lock_key: str) -> None:
        self.client.sadd(self.locks_key, lock_key)

    def record_discovery(self, discovery: Discovery) -> None:
        """A discovery's counts (set, not added: a redelivered crawl counts once)."""
        value = json.dumps(
            {
                "discovered": discovery.discovered,
                "skipped_fresh": discovery.skipped_fresh,
                "skipped_old": discovery.skipped_old,
                "errors": dict(discovery.errors),
            }
        )
        self.client.hset(self.discovered_key, discovery.source, value)

    def record_skip(self, source: str, reason: str) -> None:
        self.client.hset(self.meta_key, f"skipped:{source}", reason)

    def record_fetch(self, url: str, source: str | None, status: str, kind: str | None = None) -> None:
        """``status``: fetched, not_modified or error (with ``kind``)."""
        value = json.dumps({"source": source, "status": status, "kind": kind})
        self.client.hsetnx(self.fetches_key, url, value)

    def record_decision(self, url: str, source: str | None, outcome: str, error_kind: str | None) -> None:
        value = json.dumps({"source": source, "outcome": outcome, "kind": error_kind})
        self.client.hsetnx(self.decisions_key, url, value)

    def records(self) -> RunRecords:
        """Everything the run has recorded, read in one round trip."""
        with self.client.pipeline() as pipe:
            pipe.hgetall(self.meta_key)
            pipe.scard(self.pending_key)
            pipe.hgetall(self.discovered_key)
            pipe.hvals(self.fetches_key)
            pipe.hgetall(self.decisions_key)
            meta, pending, discovered, fetches, decisions = pipe.execute()
        return RunRecords(
            meta={as_text(k): as_text(v) for k, v in meta.items()},
            pending=int(pending),
            discovered={as_text(name): json.loads(raw) for name, raw in discovered.items()},
            fetches=[json.loads(raw) for raw in fetches],
            decisions={as_text(url): json.loads(raw) for url, raw in decisions.items()},
        )

    def status(self) -> RunStatus:
        records = self.records()
        per_source: dict[str, Counter[str]] = {}

        def counts(name: str | None) -> Counter[str]:
            return per_source.setdefault(name or "(none)", Counter())

        def error(bucket: Counter[str], kind: Any, count: int = 1) -> None:
            bucket["errors"] += count
            bucket[f"error:{kind}"] += count

        for name, entry in records.discovered.items():
            bucket = counts(name)
            for key in ("discovered", "skipped_fresh", "skipped_old"):
                bucket[key] += int(entry.get(key, 0))
            for kind, count in (entry.get("errors") or {}).items():
                error(bucket, kind, int(count))
        for entry in records.fetches:
            bucket = counts(entry["source"])
            if entry["status"] == "error":
                error(bucket, entry["kind"])
            else:
                bucket[entry["status"]] += 1
        for entry in records.decisions.values():
            bucket = counts(entry["source"])
            bucket[entry["outcome"]] += 1
            if entry["outcome"] == "rejected":
                error(bucket, entry["kind"])
        for name in records.skipped:
            counts(name)
        started, finished = records.meta.get("started_at"), records.meta.get("finished_at")
        return RunStatus(
            run_id=self.id,
            pending=records.pending,
            finished=finished is not None and records.pending == 0,
            started_at=float(started) if started else None,
            finished_at=float(finished) if finished else None,
            per_source=per_source,
            skipped=records.skipped,
        )

    def wait(self, *, timeout_s: float | None = None, poll_s: float = 0.5) -> RunStatus:
        """Block until every task of the run has finished (or the timeout passes); returns the last status."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            status = self.status()
            if status.finished or (deadline is not None and time.monotonic() >= deadline):
                return status
            time.sleep(poll_s)
