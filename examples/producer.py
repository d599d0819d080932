"""Push work to wirefeed's workers from outside the project: no wirefeed or Celery import, just Redis.

This is what a producer in any language does: write a Celery message (protocol 2, JSON body) onto the
queue's Redis list. The format (docs/celery.md, "Message format"):

- the Redis list is the queue name: ``process`` for ``wirefeed.ingest_item(s)`` and ``wirefeed.ingest_html``,
  ``fetch`` for ``wirefeed.fetch_article``, ``discover`` for ``wirefeed.crawl_source``;
- the message is a JSON envelope whose ``body`` is base64 of the JSON ``[args, kwargs, embed]``; wirefeed
  tasks take keyword arguments only, so ``args`` is ``[]``;
- ``headers.task`` names the task, ``headers.id`` is a fresh UUID; ``headers.kwargsrepr`` is what Flower
  shows (keep it short: never the whole page).

Run: ``python examples/producer.py redis://localhost:6379/0 https://example.org/news/1 "Title" "Body text"``.
"""

from __future__ import annotations

import base64
import json
import socket
import sys
import uuid
from typing import Any

import redis


def celery_message(task: str, kwargs: dict[str, Any], queue: str) -> str:
    """One Celery protocol-2 message as the Redis transport stores it."""
    task_id = str(uuid.uuid4())
    body = json.dumps([[], kwargs, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}])
    shown = {
        key: value if not isinstance(value, str) or len(value) <= 80 else f"{value[:40]}…({len(value)} chars)"
        for key, value in kwargs.items()
    }
    envelope = {
        "body": base64.b64encode(body.encode()).decode(),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": {
            "lang": "py",  # the protocol's label for "Celery message format 2", whatever the language
            "task": task,
            "id": task_id,
            "root_id": task_id,
            "parent_id": None,
            "group": None,
            "retries": 0,
            "eta": None,
            "expires": None,
            "timelimit": [None, None],
            "argsrepr": "()",
            "kwargsrepr": repr(shown),
            "origin": f"producer@{socket.gethostname()}",
            "ignore_result": True,
        },
        "properties": {
            "correlation_id": task_id,
            "reply_to": "",
            "delivery_mode": 2,
            "delivery_info": {"exchange": "", "routing_key": queue},
            "priority": 0,
            "body_encoding": "base64",
            "delivery_tag": str(uuid.uuid4()),
        },
    }
    return json.dumps(envelope)


def push_item(client: redis.Redis, item: dict[str, Any], source: str | None = None) -> None:
    """A parsed wire item: the worker validates it (url, title, text, published_at, authors...)."""
    message = celery_message("wirefeed.ingest_item", {"item": item, "source": source}, "process")
    client.lpush("process", message)  # the Redis transport consumes with BRPOP: LPUSH keeps the order


def push_html(client: redis.Redis, url: str, html: str, source: str | None = None) -> None:
    message = celery_message("wirefeed.ingest_html", {"url": url, "html": html, "source": source}, "process")
    client.lpush("process", message)


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    broker, url, title, text = argv[1:]
    client = redis.Redis.from_url(broker)
    push_item(client, {"url": url, "title": title, "text": text}, source="example-producer")
    print(f"queued wirefeed.ingest_item for {url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
