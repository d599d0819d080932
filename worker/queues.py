"""The queues and which task goes to which: a contract of the distributed mode (docs/celery.md).

Kept apart from ``worker.celery_app`` so that what only needs the names (queue metrics, `wirefeed
status`) reads them without importing Celery.
"""

from __future__ import annotations

QUEUES = ("discover", "fetch", "process")

TASK_ROUTES: dict[str, dict[str, str]] = {
    "wirefeed.crawl_source": {"queue": "discover"},
    "wirefeed.fetch_article": {"queue": "fetch"},
    "wirefeed.ingest_html": {"queue": "process"},
    "wirefeed.ingest_item": {"queue": "process"},
    "wirefeed.ingest_items": {"queue": "process"},
    "wirefeed.prune": {"queue": "discover"},  # light and rare: beside the crawl scheduling
}

#: The modules that define the tasks above; the app lists them (``include``) and the worker imports them.
TASK_MODULES = ("worker.tasks", "worker.ops_tasks")
