"""Putting work on the queue, and knowing when a batch of it is done.

Producers (the CLI, the tasks fanning out a crawl, any script) send messages through ``send`` so that every
message carries a short, readable argument summary for Flower instead of a whole HTML page.

A *run* is a batch whose end someone waits for (``wirefeed crawl --enqueue --wait``, ``wirefeed enqueue
--wait``). Its state lives in Redis, never in a worker's memory, and every write to it is idempotent so a
message delivered twice (after a crash) counts once:

- ``pending``: a set of task ids; a task is added *before* its message is sent and removed when it has
  finished for good, and a parent adds its children before it removes itself, so the set is empty only when
  the whole tree is done;
- ``fetches`` / ``decisions``: one field per URL, written with HSETNX, so the first outcome of a URL wins and
  a redelivery cannot turn "stored" into "unchanged";
- ``locks``: the one-crawl-per-source locks the run holds; the task that empties ``pending`` frees them in
  the same Lua step.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from config.settings import Settings
from scrapers.errors import ErrorKind

log = logging.getLogger(__name__)

RUN_PREFIX = "wirefeed:run"
LOCK_PREFIX = "wirefeed:crawl-lock"
RUN_TTL_S = 7 * 24 * 3600
THROUGHPUT_KEY = "wirefeed:throughput"  # per-minute counters of finished tasks, read by `wirefeed status`
THROUGHPUT_KEEP_MIN = 24 * 60

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


def redis_client(settings: Settings) -> Any:
    import redis

    return redis.Redis.from_url(settings.broker_url, socket_timeout=30, socket_connect_timeout=10)


# -- readable arguments --------------------------------------------------------------------------------
def display(value: Any, *, limit: int = 80, depth: int = 0) -> str:
    """A short repr for dashboards: long strings become their head and their length, big lists a count."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[: limit // 2]!r}…({len(value)} chars)"
    if isinstance(value, Mapping):
        if depth >= 2:
            return f"{{…{len(value)} keys}}"
        parts = [f"{key!r}: {display(item, limit=limit, depth=depth + 1)}" for key, item in value.items()]
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list | tuple):
        if len(value) > 5 or depth >= 2:
            return f"[…{len(value)} items]"
        return "[" + ", ".join(display(item, limit=limit, depth=depth + 1) for item in value) + "]"
    return repr(value)


def send(
    task: str,
    kwargs: dict[str, Any],
    *,
    run: Run | None = None,
    countdown: float | None = None,
) -> str:
    """Publish one task by name with JSON keyword arguments; the run (if any) counts it before it exists."""
    from worker.celery_app import app

    task_id = str(uuid.uuid4())
    if run is not None:
        kwargs = {**kwargs, "run_id": run.id}
        run.add_pending([task_id])
    app.send_task(
        task, kwargs=kwargs, task_id=task_id, countdown=countdown, argsrepr="()", kwargsrepr=display(kwargs)
    )
    return task_id


# -- runs ----------------------------------------------------------------------------------------------
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

    def record_discovery(self, discovery: Any) -> None:
        """A ``worker.crawl.Discovery``'s counts (set, not added: a redelivered crawl counts once)."""
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

    def status(self) -> RunStatus:
        with self.client.pipeline() as pipe:
            pipe.hgetall(self.meta_key)
            pipe.scard(self.pending_key)
            pipe.hgetall(self.discovered_key)
            pipe.hvals(self.fetches_key)
            pipe.hvals(self.decisions_key)
            meta, pending, discovered, fetches, decisions = pipe.execute()
        meta = {_s(k): _s(v) for k, v in meta.items()}
        per_source: dict[str, Counter[str]] = {}

        def counts(name: str | None) -> Counter[str]:
            return per_source.setdefault(name or "(none)", Counter())

        for name, raw in discovered.items():
            entry = json.loads(raw)
            bucket = counts(_s(name))
            for key in ("discovered", "skipped_fresh", "skipped_old"):
                bucket[key] += int(entry.get(key, 0))
            for kind, count in (entry.get("errors") or {}).items():
                bucket["errors"] += int(count)
                bucket[f"error:{kind}"] += int(count)
        for raw in fetches:
            entry = json.loads(raw)
            bucket = counts(entry["source"])
            if entry["status"] == "error":
                bucket["errors"] += 1
                bucket[f"error:{entry['kind']}"] += 1
            else:
                bucket[entry["status"]] += 1
        for raw in decisions:
            entry = json.loads(raw)
            bucket = counts(entry["source"])
            bucket[entry["outcome"]] += 1
            if entry["outcome"] == "rejected":
                bucket["errors"] += 1
                bucket[f"error:{entry['kind']}"] += 1
        skipped = {k.removeprefix("skipped:"): v for k, v in meta.items() if k.startswith("skipped:")}
        for name in skipped:
            counts(name)
        started = meta.get("started_at")
        finished = meta.get("finished_at")
        return RunStatus(
            run_id=self.id,
            pending=int(pending),
            finished=finished is not None and int(pending) == 0,
            started_at=float(started) if started else None,
            finished_at=float(finished) if finished else None,
            per_source=per_source,
            skipped=skipped,
        )

    def summary(self) -> Any:
        """The run as a ``worker.crawl.CrawlSummary``: the value the in-process crawl returns, built from
        the same per-URL outcomes, so a queued crawl prints the very same table."""
        from worker.crawl import CrawlSummary, Discovery, PageFetch, PageJob
        from worker.pipeline import Decision, Outcome

        with self.client.pipeline() as pipe:
            pipe.hgetall(self.meta_key)
            pipe.hgetall(self.discovered_key)
            pipe.hvals(self.fetches_key)
            pipe.hgetall(self.decisions_key)
            meta, discovered, fetches, decisions = pipe.execute()
        meta = {_s(k): _s(v) for k, v in meta.items()}
        summary = CrawlSummary()
        for name in json.loads(meta.get("sources", "[]")):
            summary.source(name)
        for name, raw in discovered.items():
            entry = json.loads(raw)
            summary.add_discovery(
                Discovery(
                    _s(name),
                    discovered=int(entry.get("discovered", 0)),
                    skipped_fresh=int(entry.get("skipped_fresh", 0)),
                    skipped_old=int(entry.get("skipped_old", 0)),
                    errors=Counter({str(k): int(v) for k, v in (entry.get("errors") or {}).items()}),
                )
            )
        for raw in fetches:
            entry = json.loads(raw)
            status = "rejected" if entry["status"] == "error" else entry["status"]
            kind = ErrorKind(entry["kind"]) if entry.get("kind") else None
            summary.add_fetch(PageFetch(PageJob(url="", source=entry["source"]), status, error_kind=kind))
        for url, raw in decisions.items():
            entry = json.loads(raw)
            kind = ErrorKind(entry["kind"]) if entry.get("kind") else None
            decision = Decision(Outcome(entry["outcome"]), _s(url), error_kind=kind)
            summary.add_decision(entry["source"] or "(none)", decision)
        started, finished = meta.get("started_at"), meta.get("finished_at")
        if started:
            summary.started_at = datetime.fromtimestamp(float(started), UTC)
            end = float(finished) if finished else time.time()
            summary.elapsed_s = end - float(started)
            for row in summary.sources.values():
                row.elapsed_s = summary.elapsed_s
        return summary

    def wait(self, *, timeout_s: float | None = None, poll_s: float = 0.5) -> RunStatus:
        """Block until every task of the run has finished (or the timeout passes); returns the last status."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            status = self.status()
            if status.finished or (deadline is not None and time.monotonic() >= deadline):
                return status
            time.sleep(poll_s)


def _s(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


# -- source locks ----------------------------------------------------------------------------------------
def crawl_lock_key(source: str) -> str:
    return f"{LOCK_PREFIX}:{source}"


def take_crawl_lock(client: Any, source: str, run: Run, ttl_s: int) -> str | None:
    """None when the lock is ours now (or already was: a redelivered crawl of the same run), else the id of
    the run that holds it. The lock lives as long as the run has pending work, up to ``ttl_s``."""
    key = crawl_lock_key(source)
    if client.set(key, run.id, nx=True, ex=ttl_s):
        run.hold_lock(key)
        return None
    holder = client.get(key)
    if holder is None:  # freed between the two calls
        return take_crawl_lock(client, source, run, ttl_s)
    holder = _s(holder)
    if holder == run.id:
        run.hold_lock(key)
        return None
    return holder


# -- throughput --------------------------------------------------------------------------------------------
def count_done(client: Any, task: str, n: int = 1) -> None:
    """Per-minute counter of finished tasks by name, kept a day, for `wirefeed status`."""
    minute = int(time.time() // 60)
    key = f"{THROUGHPUT_KEY}:{minute}"
    with client.pipeline() as pipe:
        pipe.hincrby(key, task, n)
        pipe.expire(key, THROUGHPUT_KEEP_MIN * 60)
        pipe.execute()


def throughput(client: Any, minutes: int) -> dict[str, int]:
    now = int(time.time() // 60)
    keys = [f"{THROUGHPUT_KEY}:{minute}" for minute in range(now - minutes + 1, now + 1)]
    total: Counter[str] = Counter()
    with client.pipeline() as pipe:
        for key in keys:
            pipe.hgetall(key)
        for mapping in pipe.execute():
            for name, count in mapping.items():
                total[_s(name)] += int(count)
    return dict(total)


def queue_depths(client: Any, queues: Iterable[str]) -> dict[str, int]:
    """Messages waiting per queue (the Redis transport keeps a list per queue and priority step)."""
    depths: dict[str, int] = {}
    with client.pipeline() as pipe:
        names = list(queues)
        for name in names:
            for suffix in _PRIORITY_SUFFIXES:
                pipe.llen(name + suffix)
        values = pipe.execute()
    step = len(_PRIORITY_SUFFIXES)
    for index, name in enumerate(names):
        depths[name] = sum(values[index * step : (index + 1) * step])
    return depths


def unacked_count(client: Any) -> int:
    """Messages delivered to a worker and not acknowledged yet (running, prefetched, or of a dead worker)."""
    return int(client.hlen("unacked"))


# kombu's Redis transport: the plain list plus one list per priority step (sep "\x06\x16").
_PRIORITY_SUFFIXES = ("", *(f"\x06\x16{step}" for step in (3, 6, 9)))


# -- producers -------------------------------------------------------------------------------------------
def enqueue_urls(
    settings: Settings, urls: Iterable[str], *, source: str | None = None, run: Run | None = None
) -> list[str]:
    return [send("wirefeed.fetch_article", {"url": url, "source": source}, run=run) for url in urls]


def enqueue_html(
    settings: Settings, html: str, url: str, *, source: str | None = None, run: Run | None = None
) -> str:
    return send("wirefeed.ingest_html", {"url": url, "html": html, "source": source}, run=run)


BATCH_ITEMS = 25  # parsed items per message: enough to amortise the queue, small enough to spread evenly


def enqueue_items(
    settings: Settings,
    items: Iterable[Mapping[str, Any] | str],
    *,
    source: str | None = None,
    run: Run | None = None,
    batch: int = BATCH_ITEMS,
) -> list[str]:
    """Parsed items in batches of ``batch`` (``wirefeed.ingest_items``); ``batch=1`` sends one
    ``wirefeed.ingest_item`` each. A string is a line that was not a JSON object: the worker records it."""
    ids: list[str] = []
    chunk: list[Any] = []

    def flush() -> None:
        if len(chunk) == 1 and batch == 1:
            ids.append(send("wirefeed.ingest_item", {"item": chunk[0], "source": source}, run=run))
        elif chunk:
            ids.append(send("wirefeed.ingest_items", {"items": list(chunk), "source": source}, run=run))
        chunk.clear()

    for item in items:
        chunk.append(item if isinstance(item, str) else dict(item))
        if len(chunk) >= max(1, batch):
            flush()
    flush()
    return ids


def iter_jsonl(lines: Iterable[str | bytes]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, decoded object) per non-blank line; a line that is not a JSON object (or not UTF-8)
    comes back as its text so the worker's validation records it in ingest_errors like any bad item."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8") if isinstance(line, bytes) else line
        except UnicodeDecodeError as error:  # sent as text that is not JSON: the worker's invalid_item
            yield number, f"line {number} is not UTF-8 ({error.reason} at byte {error.start})"
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            yield number, text.rstrip("\n")
            continue
        yield number, value if isinstance(value, dict) else text.rstrip("\n")


def start_crawl(settings: Settings, source_names: list[str] | tuple[str, ...] | None) -> Run:
    """One ``wirefeed.crawl_source`` message per named (or enabled) source, all in one new run."""
    from config.sources import load_sources

    sources = load_sources(settings.sources).select(list(source_names or ()))
    client = redis_client(settings)
    run = Run.create(client, kind="crawl", sources=[source.name for source in sources])
    for source in sources:
        send("wirefeed.crawl_source", {"source": source.name}, run=run)
    if not sources:
        run.finish("-")
    return run


def enqueue_crawl(
    settings: Settings,
    source_names: list[str] | tuple[str, ...] | None,
    *,
    wait: bool,
    timeout_s: float | None = None,
) -> Any:
    """``wirefeed crawl --enqueue [--wait]``: hand the crawl to the workers and return its
    ``CrawlSummary`` (at once, nearly empty; or with ``wait``, once every discover, fetch and process task
    of it is done, with the same counts and fill-rate alerts the in-process crawl reports)."""
    run = start_crawl(settings, source_names)
    if not wait:
        return run.summary()
    status = run.wait(timeout_s=timeout_s)
    for name, reason in sorted(status.skipped.items()):
        log.warning("%s not crawled: %s", name, reason)
    summary = run.summary()
    summary.interrupted = not status.finished
    try:
        from worker.crawl_state import fill_alerts
        from worker.store import Store

        store = Store(settings.database_url)
        summary.fill_alerts = [rate.describe() for rate in fill_alerts(store, list(summary.sources))]
        store.dispose()
    except Exception:
        log.exception("could not compute fill rates")
    return summary
