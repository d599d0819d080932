"""`wirefeed retry`: run failed items again, in this process or on the workers.

Each open error is grouped by what failed (a pushed item's kept copy, else its URL), so an item that
failed three times is tried once. The old rows are then closed: with the outcome when the retry settled
the item (``stored``, ``duplicate``...), ``retried`` when it failed again (the pipeline wrote a fresh row,
which stays open), or ``requeued`` when the workers have it. Success therefore never leaves a second,
stale record behind, and a repeat failure is one open row, not two.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from config.settings import Settings
from config.sources import Source
from scrapers.errors import ErrorKind, IngestError
from worker import logs
from worker.pipeline import Decision, Outcome, Pipeline
from worker.queries import RetryTarget, close_errors

if TYPE_CHECKING:
    from scrapers.fetch import Fetcher

MAX_FILE_BYTES = 10_000_000


@dataclass(frozen=True, slots=True)
class Retried:
    target: RetryTarget
    decision: Decision

    @property
    def settled(self) -> bool:
        return self.decision.outcome is not Outcome.REJECTED


def _read_file_url(url: str) -> bytes:
    path = Path(unquote(urlsplit(url).path))
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise IngestError(ErrorKind.TOO_LARGE, f"{path} is larger than {MAX_FILE_BYTES} bytes")
        return path.read_bytes()
    except OSError as error:
        raise IngestError(ErrorKind.FETCH, f"cannot read file: {error.strerror}") from None


def _sources(settings: Settings) -> dict[str, Source]:
    """The configured sources by name (an unreadable file only loses the per-source fetch policy)."""
    from config.sources import SourcesError, load_sources

    try:
        return {source.name: source for source in load_sources(settings.sources).sources}
    except (SourcesError, OSError):
        return {}


class _Retrier:
    """One retry run: the configured sources, and a fetcher opened only if some target needs a refetch."""

    def __init__(self, pipeline: Pipeline, settings: Settings) -> None:
        self.pipeline, self.settings = pipeline, settings
        self.sources = _sources(settings)
        self.fetcher: Fetcher | None = None

    def decide(self, target: RetryTarget) -> Decision:
        if target.payload:
            return self.pipeline.ingest_item(target.payload, source=target.source)
        if target.url and target.url.startswith("file:"):
            try:
                html = _read_file_url(target.url)
            except IngestError as error:
                return self.pipeline.record_error(target.url, target.source, "read", error)
            return self.pipeline.ingest_html(html, url=target.url, source=target.source)
        return self._refetch(target)

    def _refetch(self, target: RetryTarget) -> Decision:
        """The crawler's polite fetch, then the source's own ingest path (or a plain one, source unknown)."""
        from worker.crawl import PageJob, fetch_page, ingest_fetch, make_fetcher

        url = target.url or ""
        self.fetcher = self.fetcher or make_fetcher(self.settings)
        source = self.sources.get(target.source or "")
        job = PageJob(url, target.source, reason="retry")
        page = fetch_page(job, source, self.fetcher, self.pipeline.store, settings=self.settings)
        if page.status == "rejected":
            kind = page.error_kind or ErrorKind.FETCH
            return Decision(Outcome.REJECTED, url, error_kind=kind, message=page.message)
        if source is not None:
            found = ingest_fetch(self.pipeline, source, page)
            return found or Decision(Outcome.UNCHANGED, url, rule="not_modified")
        if page.text is not None:
            return self.pipeline.ingest_html(
                page.text, url=page.final_url or url, source=target.source, fetched_at=page.fetched_at
            )
        return Decision(Outcome.UNCHANGED, url, rule="not_modified")

    def close(self) -> None:
        if self.fetcher is not None:
            self.fetcher.close()


def retry_here(pipeline: Pipeline, targets: list[RetryTarget], settings: Settings) -> Iterator[Retried]:
    """Run each target through the same pipeline (and, for a URL, the crawler's polite fetch)."""
    retrier = _Retrier(pipeline, settings)
    try:
        for target in targets:
            with logs.item_context(
                url=target.url,
                source=target.source,
                stage="retry",
                line=target.line,
                item_id=target.item_id,
                payload=target.payload,
            ):
                decision = retrier.decide(target)
            close_errors(
                pipeline.store,
                target.row_ids,
                decision.outcome.value if decision.outcome is not Outcome.REJECTED else "retried",
            )
            yield Retried(target, decision)
    finally:
        retrier.close()


def retry_on_workers(pipeline: Pipeline, targets: list[RetryTarget], settings: Settings) -> int:
    """Queue each target for the Celery workers (a pushed item as an item, a URL as a fetch) and close
    its rows as ``requeued``: a new failure on the workers writes a new open row."""
    from worker import producers

    sent = 0
    for target in targets:
        if target.payload:
            try:
                item: object = json.loads(target.payload)
            except ValueError:
                item = target.payload  # the worker records it as invalid again, under its own row
            producers.enqueue_items([item], source=target.source, batch=1)  # type: ignore[list-item]
        elif target.url and target.url.startswith(("http://", "https://")):
            producers.enqueue_urls([target.url], source=target.source)
        else:
            continue  # a local file is not reachable from the workers' machines
        close_errors(pipeline.store, target.row_ids, "requeued")
        sent += 1
    return sent
