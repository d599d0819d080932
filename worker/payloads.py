"""The keyword arguments of every wirefeed task, as pydantic models.

Any producer in any language may send these messages (docs/celery.md), and Celery's ``typing`` only checks
argument *names*: a number where a URL belongs, a 50 MB "url" or a list of 10,000 items would otherwise
reach the pipeline. Each task validates its arguments first; a message that fails is refused as
``invalid_item`` (or ``too_large``) with one dead-letter row, never retried, never half-processed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scrapers.errors import ErrorKind, IngestError

MAX_URL_CHARS = 4_000
MAX_NAME_CHARS = 200
MAX_HTML_CHARS = 10_000_000  # the fetcher's max_bytes default: a page larger than that was never fetched
MAX_BATCH = 1_000  # `wirefeed enqueue --batch` allows at most this many items per message

Url = Field(min_length=1, max_length=MAX_URL_CHARS)
Name = Field(default=None, max_length=MAX_NAME_CHARS)


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    run_id: str | None = Field(default=None, max_length=MAX_NAME_CHARS)


class CrawlSourceArgs(_Args):
    source: str = Field(min_length=1, max_length=MAX_NAME_CHARS)


class FetchArticleArgs(_Args):
    url: str = Url
    source: str | None = Name
    job: dict[str, Any] | None = None

    @field_validator("job")
    @classmethod
    def _small_job(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and (len(value) > 20 or len(repr(value)) > 4 * MAX_URL_CHARS):
            raise ValueError("job hints are a few short fields")
        return value


class IngestHtmlArgs(_Args):
    url: str = Url
    html: str = Field(max_length=MAX_HTML_CHARS)
    source: str | None = Name
    fetched_at: str | None = Field(default=None, max_length=64)
    requested_url: str | None = Field(default=None, max_length=MAX_URL_CHARS)
    etag: str | None = Field(default=None, max_length=1_000)
    last_modified: str | None = Field(default=None, max_length=100)
    lastmod: str | None = Field(default=None, max_length=64)

    @field_validator("fetched_at", "lastmod")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None:
            datetime.fromisoformat(value)
        return value


class IngestItemArgs(_Args):
    item: dict[str, Any] | str
    source: str | None = Name


class IngestItemsArgs(_Args):
    items: list[dict[str, Any] | str] = Field(max_length=MAX_BATCH)
    source: str | None = Name


class PruneArgs(_Args):
    older_than: str | None = Field(default=None, max_length=32)


PAYLOADS: dict[str, type[_Args]] = {
    "wirefeed.crawl_source": CrawlSourceArgs,
    "wirefeed.fetch_article": FetchArticleArgs,
    "wirefeed.ingest_html": IngestHtmlArgs,
    "wirefeed.ingest_item": IngestItemArgs,
    "wirefeed.ingest_items": IngestItemsArgs,
    "wirefeed.prune": PruneArgs,
}


def check_payload(task: str, arguments: dict[str, Any]) -> None:
    """Raise an ``IngestError`` naming every bad argument of a ``task`` message."""
    model = PAYLOADS[task]
    try:
        model.model_validate(arguments)
    except ValidationError as error:
        kind = (
            ErrorKind.TOO_LARGE
            if any(e["type"] in {"string_too_long", "too_long"} for e in error.errors())
            else ErrorKind.INVALID_ITEM
        )
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in error.errors()[:5]
        )
        raise IngestError(kind, f"{task} message refused: {problems}") from None
