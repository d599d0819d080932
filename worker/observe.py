"""What a Celery worker says about itself: a log line per task, the item context on every line, and the
Prometheus endpoint (``WIREFEED_METRICS_PORT``). Connected to Celery's signals when ``worker.celery_app``
imports it.

Logging: Celery leaves the root logger alone (``worker_hijack_root_logger`` is off) and, because this module
answers ``setup_logging``, configures none of its own; every process then logs through ``worker.logs``
(readable, or JSON with ``WIREFEED_LOG_FORMAT=json``) at ``WIREFEED_LOG_LEVEL``, else the worker's ``-l``.
"""

from __future__ import annotations

import logging
import os
import time
from contextvars import Token
from typing import Any

from celery import signals

from config.settings import get_settings
from worker import logs

log = logging.getLogger("wirefeed.task")

_running: dict[str, tuple[Token[Any], float]] = {}


@signals.celeryd_init.connect
def _prepare_metrics(**_: Any) -> None:
    """A worker, before it forks its children and before any wirefeed metric exists: give the children a
    folder for their samples. Only ``celery worker`` sends this signal; beat and Flower serve no metrics."""
    settings = get_settings()
    if settings.metrics_port:
        from worker.metrics import prepare_multiprocess

        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            _created.append(prepare_multiprocess())
        prepare_multiprocess()


_created: list[str] = []


@signals.worker_shutdown.connect
def _remove_samples(**_: Any) -> None:
    """The samples folder this worker made is only meaningful while it runs."""
    import shutil

    for folder in _created:
        shutil.rmtree(folder, ignore_errors=True)


@signals.setup_logging.connect
def _setup_logging(loglevel: Any = None, **_: Any) -> None:
    settings = get_settings()
    level = settings.log_level or (logging.getLevelName(loglevel) if isinstance(loglevel, int) else loglevel)
    logs.configure_from_settings(settings, default_level=level or "INFO")
    if settings.log_level:
        logging.getLogger().setLevel(settings.log_level)


def _item_of(kwargs: dict[str, Any]) -> dict[str, Any]:
    url = kwargs.get("url")
    item = kwargs.get("item")
    if url is None and isinstance(item, dict):
        url = item.get("url")
    items = kwargs.get("items")
    fields: dict[str, Any] = {"source": kwargs.get("source"), "url": url if isinstance(url, str) else None}
    if isinstance(items, list):
        fields["item_id"] = f"{len(items)} items"
    return fields


@signals.task_prerun.connect
def _task_started(
    task_id: str | None = None, task: Any = None, kwargs: dict[str, Any] | None = None, **_: Any
) -> None:
    if not task_id:
        return
    fields = _item_of(kwargs or {})
    token = logs.enter(**fields, task_id=task_id, stage=f"task:{getattr(task, 'name', '?')}")
    _running[task_id] = (token, time.perf_counter())
    retries = getattr(getattr(task, "request", None), "retries", 0) or 0
    log.info("%s started%s", getattr(task, "name", "task"), f" (retry {retries})" if retries else "")


@signals.task_postrun.connect
def _task_finished(
    task_id: str | None = None, task: Any = None, state: str | None = None, retval: Any = None, **_: Any
) -> None:
    started = _running.pop(task_id or "", None)
    elapsed = f" in {time.perf_counter() - started[1]:.3f}s" if started else ""
    outcome = ""
    if isinstance(retval, dict):
        if "outcome" in retval:
            outcome = f": {retval['outcome']}" + (
                f" ({retval['error_kind']})" if retval.get("error_kind") else ""
            )
        elif retval and all(isinstance(v, int) for v in retval.values()):
            outcome = ": " + ", ".join(f"{v} {k}" for k, v in sorted(retval.items()))
    log.info("%s %s%s%s", getattr(task, "name", "task"), (state or "done").lower(), elapsed, outcome)
    if started is not None:
        logs.leave(started[0])


@signals.worker_init.connect
def _serve_metrics(**_: Any) -> None:
    settings = get_settings()
    if not settings.metrics_port:
        return
    from worker.metrics import StateCollector, redis_index_size, serve

    shared = settings.dedup_url or settings.broker_url
    serve(settings.metrics_port, StateCollector(redis_index_size(shared), settings.broker_url))
    log.info("metrics on http://0.0.0.0:%s/metrics", settings.metrics_port)


@signals.worker_process_shutdown.connect
def _child_gone(pid: int | None = None, **_: Any) -> None:
    from worker.metrics import child_exited

    child_exited(pid or os.getpid())
