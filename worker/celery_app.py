"""The Celery application: broker, queues, routing and the reliability settings, all from ``config``.

Imported only by ``celery -A worker ...`` (through ``worker.__getattr__``), by ``worker.producers`` and
by the task modules; the CLI and the plain pipeline never import it, so the embedded mode needs no broker.
The wiring runs one way: the app names its task modules (``include``, ``worker.queues.TASK_MODULES``) and
imports none of them; they import the app. Why each reliability value is what it is: docs/celery.md.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click
from celery import Celery, signals
from kombu import Exchange, Queue

from config.settings import Settings, get_settings
from worker import observe  # noqa: F401  (its signal handlers: a log line per task, JSON logs, metrics)
from worker.queues import QUEUES, TASK_MODULES, TASK_ROUTES

__all__ = ["QUEUES", "TASK_ROUTES", "app", "celery_config", "make_app", "weak_flower_credentials"]
log = logging.getLogger(__name__)


def celery_config(settings: Settings) -> dict[str, Any]:
    """Everything Celery needs, derived from our settings so deployments only ever set ``WIREFEED_*``."""
    visibility = settings.visibility_timeout_s
    longest = max(settings.task_time_limit_s, settings.retry_backoff_max_s)
    if visibility <= longest:
        # A message still running (or waiting for its retry countdown) would be handed to a second worker.
        log.warning(
            "WIREFEED_VISIBILITY_TIMEOUT_S=%s is not longer than the longest task or retry wait (%ss): "
            "long tasks may run twice at once",
            visibility,
            longest,
        )
    return {
        "broker_url": settings.broker_url,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,  # a Redis restart must not end a worker
        "broker_transport_options": {
            "visibility_timeout": visibility,
            # Sweep for messages of dead workers often enough that a short timeout is honoured.
            "unacked_restore_interval": max(1, min(10, visibility // 4)),
            "unacked_restore_throttle": 1,
            "socket_timeout": 30,
            "socket_connect_timeout": 10,
            "socket_keepalive": True,
            "health_check_interval": 10,
            "retry_on_timeout": True,
        },
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "event_serializer": "json",
        "task_ignore_result": True,
        "task_store_errors_even_if_ignored": False,
        # Each queue its own direct exchange and key: with none given, Celery binds all three to the default
        # queue's ("process"), and the worker banner shows every queue as exchange=process key=process.
        "task_queues": tuple(Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES),
        "task_default_queue": "process",
        "task_create_missing_queues": False,
        "task_routes": TASK_ROUTES,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": settings.task_soft_time_limit_s,
        "task_time_limit": settings.task_time_limit_s,
        "worker_max_tasks_per_child": settings.worker_max_tasks_per_child or None,
        "worker_max_memory_per_child": settings.worker_max_memory_per_child_kb or None,
        "worker_send_task_events": True,
        "task_send_sent_event": False,  # workers' events suffice for Flower; this one costs every producer
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_hijack_root_logger": False,
        "timezone": "UTC",
        "enable_utc": True,
        # RedBeat keeps the schedule in Redis and holds a lock, so a second beat started by mistake waits
        # instead of doubling every crawl; our subclass fills it from the sources file (worker.schedule).
        "beat_scheduler": "worker.schedule:SourcesScheduler",
        "redbeat_redis_url": settings.broker_url,
        "redbeat_redis_options": {"socket_timeout": 30, "socket_connect_timeout": 10},
        "redbeat_key_prefix": "wirefeed:redbeat",
        "redbeat_lock_key": "wirefeed:redbeat:lock",
        "redbeat_lock_timeout": 60,
        "beat_max_loop_interval": 5,
    }


def make_app(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    celery = Celery("wirefeed", include=list(TASK_MODULES))
    celery.config_from_object(celery_config(settings))
    # Arguments shown in Flower and logs are trimmed by our own producers (worker.producers); these caps
    # catch everything else, e.g. retries and messages re-sent by Celery itself.
    celery.amqp.argsrepr_maxsize = 300
    celery.amqp.kwargsrepr_maxsize = 600
    return celery


# Passwords that ship in examples and tutorials: whoever finds the port tries these first.
KNOWN_DEFAULT_PASSWORDS = frozenset(
    {
        "admin",
        "celery",
        "change-me",
        "change-me-too",
        "changeme",
        "flower",
        "operator",
        "pass",
        "password",
        "secret",
        "wirefeed",
        "123456",
        "12345678",
        "qwerty",
        "letmein",
    }
)
MIN_PASSWORD_CHARS = 10


def weak_flower_credentials(value: str) -> str | None:
    """Why ``user:password[,...]`` must not guard Flower (None when every pair is acceptable)."""
    for pair in value.split(","):
        user, _, password = pair.strip().partition(":")
        lowered = password.lower()
        if not user or not password:
            return f"{pair.strip()!r} is not user:password"
        if lowered in KNOWN_DEFAULT_PASSWORDS or "change" in lowered or lowered == user.lower():
            return f"the password of {user!r} is a known default; choose your own"
        if len(password) < MIN_PASSWORD_CHARS:
            return f"the password of {user!r} is shorter than {MIN_PASSWORD_CHARS} characters"
    return None


def _require_flower_auth(settings: Settings) -> None:
    """Flower shows task arguments and can revoke tasks: it never runs open, nor behind a password from an
    example file. The credentials come from our settings and replace whatever Flower's own options held.
    Flower leaves /metrics and /healthcheck open even with basic auth on; they are closed here too, since
    the metrics name every task and worker."""
    from tornado.options import options

    credentials = settings.flower_basic_auth
    problem = (
        weak_flower_credentials(credentials)
        if credentials
        else "Flower needs credentials: set WIREFEED_FLOWER_BASIC_AUTH=user:password"
    )
    if problem or not credentials:
        sys.stderr.write(f"error: {problem} (WIREFEED_FLOWER_BASIC_AUTH; see docs/celery.md)\n")
        raise SystemExit(2)
    options.basic_auth = [pair.strip() for pair in credentials.split(",")]
    _close_open_flower_pages()


def _close_open_flower_pages() -> None:
    from flower.views import monitor
    from tornado.web import authenticated

    for handler in (monitor.Metrics, monitor.Healthcheck):
        if not getattr(handler.get, "_wirefeed_auth", False):
            handler.get = authenticated(handler.get)
            handler.get._wirefeed_auth = True


app = make_app()


@signals.import_modules.connect
def _guard_flower(**_: Any) -> None:
    """Flower loads the task modules as it starts (``Flower.__init__``): the moment to refuse it, and to
    hand it our credentials. Workers and beat load them too; the running command tells them apart."""
    context = click.get_current_context(silent=True)
    if context is not None and context.info_name == "flower":
        _require_flower_auth(get_settings())
