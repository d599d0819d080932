"""Logging for operators: which item a line is about, readable or JSON, and never a secret.

Every line carries the item's URL, source, task id and stage. They come from one context variable that the
pipeline, the CLI and the Celery task hooks set around an item (``item_context``), so code that logs needs
no extra arguments, and the error rows the pipeline writes read the same context (line number, item id).
Context variables follow threads and asyncio tasks, so concurrent fetch threads never mix their items.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any, TextIO

FIELDS = ("url", "source", "task_id", "stage")
_CONTEXT: ContextVar[Mapping[str, Any]] = ContextVar("wirefeed_item", default={})  # noqa: B039 (never mutated)

# user:password@ in any URL-looking text (broker, database, proxies), and key=value secrets.
_URL_PASSWORD = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.\-]*://)(?P<user>[^:/@\s]*):(?P<password>[^@\s]+)@", re.I
)
_KEY_SECRET = re.compile(
    r"(?P<key>password|passwd|pwd|secret|token|basic_auth)(?P<sep>\s*[=:]\s*)(?P<value>[^\s,;&'\"]+)", re.I
)
MASK = "***"


def current() -> Mapping[str, Any]:
    """The item being worked on in this thread/task (an empty mapping outside any item)."""
    return _CONTEXT.get()


@contextmanager
def item_context(**fields: Any) -> Iterator[Mapping[str, Any]]:
    """Layer fields (url, source, task_id, stage, line, item_id, payload) over the current context."""
    merged = {**_CONTEXT.get(), **{k: v for k, v in fields.items() if v is not None}}
    token = _CONTEXT.set(merged)
    try:
        yield merged
    finally:
        _CONTEXT.reset(token)


def enter(**fields: Any) -> Token[Mapping[str, Any]]:
    """Start an item's context outside a ``with`` block (Celery's prerun/postrun signal pair)."""
    return _CONTEXT.set({k: v for k, v in fields.items() if v is not None})


def leave(token: Token[Mapping[str, Any]]) -> None:
    try:
        _CONTEXT.reset(token)
    except ValueError:  # ended from another context (a pool that switched threads): just clear
        _CONTEXT.set({})


def set_stage(stage: str) -> None:
    """Name the stage an item has reached; lasts until the enclosing ``item_context`` ends."""
    context = _CONTEXT.get()
    if context.get("stage") != stage:
        _CONTEXT.set({**context, "stage": stage})


_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """A literal value (a password from the settings) that must never appear in a log line."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    """The text with URL passwords, ``password=...``-style values and registered secrets masked."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _KEY_SECRET.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", text)
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class ContextFilter(logging.Filter):
    """Copies the item context onto each record, so every handler and formatter can show it."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _CONTEXT.get()
        for field in FIELDS:
            if not hasattr(record, field) or getattr(record, field) is None:
                setattr(record, field, context.get(field))
        if getattr(record, "task_id", None) is None:
            record.task_id = _celery_task_id()
        return True


def _celery_task_id() -> str | None:
    module = sys.modules.get("celery._state")
    if module is None:
        return None
    task = module.get_current_task()
    return getattr(getattr(task, "request", None), "id", None) if task is not None else None


class TextFormatter(logging.Formatter):
    """One readable line: time, level, logger, message, then the item's fields that are known."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%d %H:%M:%S")
        fields = " ".join(
            f"{name}={value}" for name in FIELDS if (value := getattr(record, name, None)) is not None
        )
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if fields:
            line += f"  [{fields}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


class JsonFormatter(logging.Formatter):
    """One JSON object per line with fixed keys, for log shippers (Loki, Elasticsearch, CloudWatch)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            entry[name] = redact(str(value)) if value is not None else None
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(fmt: str = "text", level: str | int = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Route the root logger through one handler with our filter and formatter (replacing earlier ones)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    # SQLAlchemy logs every statement and its parameters (article text) as soon as DEBUG reaches it.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    return handler


def configure_from_settings(settings: Any, stream: TextIO | None = None, default_level: str = "INFO") -> None:
    """Configure from ``WIREFEED_LOG_FORMAT`` / ``WIREFEED_LOG_LEVEL`` and register the settings' secrets."""
    from sqlalchemy.engine import make_url

    for url in (settings.database_url, settings.broker_url, getattr(settings, "dedup_url", None)):
        if url:
            # Not an SQLAlchemy-style URL: the URL pattern still masks its password.
            with contextlib.suppress(Exception):
                register_secret(make_url(url).password)
    auth = getattr(settings, "flower_basic_auth", None)
    for pair in (auth or "").split(","):
        register_secret(pair.partition(":")[2])
    configure(settings.log_format, settings.log_level or default_level, stream)


MAX_PAYLOAD_CHARS = 200_000


def item_fields(item: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """URL, own id and a copy of a pushed item, read leniently: even an item that fails validation is
    found again by its URL and line, and kept (when not huge) so `wirefeed retry` can run it again."""
    data: Any = item
    if isinstance(item, bytes):
        item = item.decode("utf-8", "replace")
    if isinstance(item, str):
        payload = item.strip()
        try:
            data = json.loads(payload)
        except ValueError:
            data = None
    else:
        try:
            payload = json.dumps(dict(item), ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            payload = None
    return decoded_item_fields(payload, data)


def decoded_item_fields(payload: str | None, data: Any) -> dict[str, Any]:
    """``item_fields`` of a line its caller already decoded (``data``, from ``payload``), so a batch of
    pushed items pays for one JSON decode per item, not two."""
    fields: dict[str, Any] = {}
    if isinstance(data, Mapping):
        url = data.get("url")
        if isinstance(url, str) and url.strip():
            fields["url"] = url.strip()[:4000]
        ident = data.get("id", data.get("guid"))
        if isinstance(ident, str | int) and not isinstance(ident, bool) and str(ident).strip():
            fields["item_id"] = str(ident).strip()[:200]
    if payload and len(payload) <= MAX_PAYLOAD_CHARS:
        fields["payload"] = payload
    return fields
