"""Putting work on the queue: every message by task name with JSON keyword arguments.

Producers (the CLI, the tasks fanning out a crawl, any script) send through ``send`` so that every message
carries a short, readable argument summary for Flower instead of a whole HTML page, and so that a run
counts a task before its message exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from worker.runs import Run

BATCH_ITEMS = 25  # parsed items per message: enough to amortise the queue, small enough to spread evenly


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
    """Publish one task by name with JSON keyword arguments; the run (if any) counts it before it exists.

    The app is imported here, not at the top, so the CLI loads Celery only when it really sends."""
    from worker.celery_app import app

    task_id = str(uuid.uuid4())
    if run is not None:
        kwargs = {**kwargs, "run_id": run.id}
        run.add_pending([task_id])
    app.send_task(
        task, kwargs=kwargs, task_id=task_id, countdown=countdown, argsrepr="()", kwargsrepr=display(kwargs)
    )
    return task_id


def enqueue_urls(urls: Iterable[str], *, source: str | None = None, run: Run | None = None) -> list[str]:
    return [send("wirefeed.fetch_article", {"url": url, "source": source}, run=run) for url in urls]


def enqueue_html(html: str, url: str, *, source: str | None = None, run: Run | None = None) -> str:
    return send("wirefeed.ingest_html", {"url": url, "html": html, "source": source}, run=run)


def enqueue_items(
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
