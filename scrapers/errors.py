"""One small taxonomy of failure kinds, shared by every stage.

Errors cross stage boundaries as values carrying a kind, so the pipeline can record each one against
its item (``ingest_errors``) and count them per kind, instead of letting stray exceptions end a run.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    FETCH = "fetch"  # network failure, DNS, connection reset, timeout after retries
    HTTP_STATUS = "http_status"  # 4xx/5xx that retries did not cure
    ROBOTS = "robots"  # disallowed by robots.txt
    BLOCKED_HOST = "blocked_host"  # SSRF guard: private, loopback, link-local or multicast address
    OFF_SITE = "off_site"  # a listing's entries on another site than the listing's (counted, not fetched)
    REDIRECT = "redirect"  # too many redirects or a loop
    TOO_LARGE = "too_large"  # byte or decompression limit exceeded
    NOT_HTML = "not_html"  # PDF, image, binary or other content type we do not parse
    EMPTY = "empty"  # no bytes, or only whitespace
    ENCODING = "encoding"  # bytes that decode to no usable text
    PARSE = "parse"  # markup or XML we cannot parse
    TOO_COMPLEX = "too_complex"  # markup too many elements or too deep to extract in bounded time/memory
    NOT_AN_ARTICLE = "not_an_article"  # an index, section or tag page rather than a story
    TOO_OLD = "too_old"  # published before the source's max_age_days: outside what the crawl keeps
    INVALID_ITEM = "invalid_item"  # a pushed item that fails validation (bad JSON, missing field)
    STORAGE = "storage"  # the database refused the write
    INTERNAL = "internal"  # a bug: recorded so the run goes on, fixed in code


class IngestError(Exception):
    """A failure that belongs to one item; the run records it and carries on. ``status`` is the HTTP
    status of a refusal that had one (404, 503...), for the crawl state and the fetch metrics."""

    def __init__(self, kind: ErrorKind, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.message}"
