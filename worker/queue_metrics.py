"""What `wirefeed status` and the metrics endpoint say about the queues: messages waiting (read from the
lists kombu's Redis transport keeps), messages delivered and not acknowledged, and tasks finished per
minute."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from worker.broker import as_text

THROUGHPUT_KEY = "wirefeed:throughput"  # per-minute counters of finished tasks, read by `wirefeed status`
THROUGHPUT_KEEP_MIN = 24 * 60

# kombu's Redis transport: the plain list plus one list per priority step (sep "\x06\x16").
_PRIORITY_SUFFIXES = ("", *(f"\x06\x16{step}" for step in (3, 6, 9)))


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
                total[as_text(name)] += int(count)
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
