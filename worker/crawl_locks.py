"""One crawl of a source at a time: a lock in Redis, held by the run that crawls it until all of that
run's tasks are done (the run frees it, ``worker.runs``)."""

from __future__ import annotations

from typing import Any

from worker.broker import as_text
from worker.runs import Run

LOCK_PREFIX = "wirefeed:crawl-lock"


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
    holder = as_text(holder)
    if holder == run.id:
        run.hold_lock(key)
        return None
    return holder
