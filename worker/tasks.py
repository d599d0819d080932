"""The Celery tasks: thin wrappers that turn a JSON message into a call of the pipeline or the crawl steps.

Names and payloads are a public contract (docs/celery.md): any producer, in any language, may send them.

===========================  ========  ============================================================
task                         queue     keyword arguments (JSON)
===========================  ========  ============================================================
``wirefeed.crawl_source``    discover  ``source`` (name in the sources file), ``run_id``?
``wirefeed.fetch_article``   fetch     ``url``, ``source``?, ``job``? (crawl_state hints), ``run_id``?
``wirefeed.ingest_html``     process   ``url``, ``html``, ``source``?, ``fetched_at``? (ISO 8601), ``run_id``?
``wirefeed.ingest_item``     process   ``item`` (object: url, title, text, ...), ``source``?, ``run_id``?
``wirefeed.ingest_items``    process   ``items`` (list of such objects), ``source``?, ``run_id``?
===========================  ========  ============================================================

What the tasks add to the plain functions is only what a queue needs: a check of each message's arguments
(``worker.payloads``), which failures are worth a retry (the database or Redis unavailable; never a bad
page, and never a page's network failure or 5xx, which the fetcher's one retry budget already covered),
the dead-letter record in ``ingest_errors`` when retries run out, and the bookkeeping of runs
(``worker.runs``). Every task is idempotent because everything below it is keyed by what the item is.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Any

import redis.exceptions
from celery import Task, signals
from celery.exceptions import Reject
from sqlalchemy.exc import InterfaceError, OperationalError

from config.settings import Settings, get_settings
from scrapers.errors import ErrorKind, IngestError
from worker.broker import redis_client
from worker.celery_app import app
from worker.crawl_locks import take_crawl_lock
from worker.payloads import MAX_BATCH, MAX_NAME_CHARS, MAX_URL_CHARS, check_payload
from worker.pipeline import Decision, Pipeline, shared_index
from worker.producers import send
from worker.queue_metrics import count_done
from worker.runs import Run
from worker.store import SchemaMissing, StorageUnavailable

log = logging.getLogger(__name__)


class TransientError(Exception):
    """Worth another try later: the network, the remote server, the database or Redis is down for now."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


TRANSIENT = (
    TransientError,
    StorageUnavailable,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
    OperationalError,
    InterfaceError,
)

# -- per-process state ---------------------------------------------------------------------------------
# Opened on first use in each worker process (after the prefork), never in the parent, so no database
# connection or Redis socket is ever shared across a fork.
_state: dict[str, Any] = {}


@signals.worker_process_init.connect
def reset_process_state(**_: Any) -> None:
    """Each forked child opens its own database pool and Redis connections on first use."""
    _state.clear()


def settings() -> Settings:
    return get_settings()


def pipeline() -> Pipeline:
    """The process's pipeline, always on the shared Redis index: with more than one worker process an
    in-process index would let two copies of one story through at the same moment."""
    current = _state.get("pipeline")
    if current is None or _state.get("pid") != os.getpid():
        conf = settings()
        index = shared_index(conf.dedup_url or conf.broker_url, conf.dedup_threshold)
        try:
            current = Pipeline.open(conf, index=index)
        except SchemaMissing as error:  # the database is down, or not migrated yet: both heal by waiting
            raise TransientError(ErrorKind.STORAGE, str(error)) from None
        _state.update(pipeline=current, pid=os.getpid())
    return current


def dead_letter_store() -> Any:
    """The store, even when the pipeline cannot be built (its Redis index out of reach, say)."""
    current = _state.get("pipeline")
    if current is not None and _state.get("pid") == os.getpid():
        return current.store
    store = _state.get("store")
    if store is None or _state.get("store_pid") != os.getpid():
        from worker.store import Store

        store = Store(settings().database_url)
        _state.update(store=store, store_pid=os.getpid())
    return store


def state_redis() -> Any:
    client = _state.get("redis")
    if client is None or _state.get("redis_pid") != os.getpid():
        client = redis_client(settings())
        _state.update(redis=client, redis_pid=os.getpid())
    return client


def begin() -> Pipeline:
    """The process's pipeline for the task about to run."""
    return pipeline()


# -- the base task ---------------------------------------------------------------------------------------
class WirefeedTask(Task[..., Any]):
    """Retry policy, dead letters and run bookkeeping shared by every wirefeed task."""

    autoretry_for = TRANSIENT
    retry_backoff = True
    retry_jitter = True
    acks_late = True
    reject_on_worker_lost = True
    ignore_result = True
    typing = True

    def __init__(self) -> None:
        conf = settings()
        self.max_retries = conf.task_max_retries
        self.retry_backoff_max = conf.retry_backoff_max_s

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        """Celery drops a message whose retry cannot be published (``Reject(requeue=False)``); when the broker
        itself is what failed, that loses the item. Requeue instead: if Redis is back the message returns to
        its queue, if not it stays unacknowledged and the visibility timeout brings it back."""
        try:
            return super().retry(*args, **kwargs)
        except Reject as reject:
            # celery-types does not declare Reject's reason and requeue, which Celery sets on every Reject.
            reason, requeue = reject.reason, reject.requeue  # type: ignore[attr-defined]
            if requeue:
                raise
            log.warning("%s: retry not published (%s); requeueing the message", self.name, reason)
            raise Reject(reason, requeue=True) from None

    def done(self, run_id: str | None) -> None:
        """The task has finished for good (success, or failure after its retries)."""
        client = state_redis()
        count_done(client, self.name)
        if run_id:
            Run(client, run_id).finish(self.task_id)

    @property
    def task_id(self) -> str:
        """This delivery's id ("-" when the function is called directly, outside a worker)."""
        return self.request.id or "-"

    #: The task starts a run of its own when it was sent without one (crawl_source from beat).
    owns_run = False

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """The dead letter: a task that gives up leaves a row in ingest_errors naming the item and why."""
        kwargs = kwargs or {}
        if self.owns_run and not kwargs.get("run_id"):
            kwargs = {**kwargs, "run_id": task_id}
        urls = [_text(kwargs.get("url")) or _item_url(kwargs.get("item"))]
        if isinstance(kwargs.get("items"), list):  # a batch: one dead letter per item, each findable by URL
            urls = [_item_url(item) for item in kwargs["items"][:MAX_BATCH]]
        source = _text(kwargs.get("source"), MAX_NAME_CHARS)
        retries = self.request.retries
        kind = getattr(exc, "kind", None)
        if not isinstance(kind, ErrorKind):  # a database or the Redis index out of reach: storage
            storage = isinstance(exc, TRANSIENT)
            kind = ErrorKind.STORAGE if storage else ErrorKind.INTERNAL
        message = f"{self.name} gave up after {retries} retries: {type(exc).__name__}: {exc}"
        stage = f"task:{self.name.removeprefix('wirefeed.')}"
        for url in urls:
            try:
                dead_letter_store().record_error(
                    url=url, source=source, stage=stage, kind=kind.value, message=message[:3900]
                )
            except Exception:  # the store itself may be what is down; the log is the last resort
                log.exception("dead letter not recorded: %s %s", url, message)
        try:
            run_id = kwargs.get("run_id")
            if run_id:
                run = Run(state_redis(), run_id)
                for number, url in enumerate(urls):
                    run.record_decision(url or f"{task_id}#{number}", source, "rejected", kind.value)
            self.done(run_id)
        except Exception:
            log.exception("run bookkeeping failed for %s", task_id)


def _text(value: Any, limit: int = MAX_URL_CHARS) -> str | None:
    """A message's string argument as a dead letter can store it (the message may be what is bad)."""
    return value[:limit] if isinstance(value, str) else None


def _item_url(item: Any) -> str | None:
    if isinstance(item, dict):
        return _text(item.get("url"))
    return None


def _record(run_id: str | None, decision: Decision, source: str | None, fallback_key: str) -> None:
    if run_id:
        Run(state_redis(), run_id).record_decision(
            decision.url or fallback_key,
            source,
            decision.outcome.value,
            decision.error_kind.value if decision.error_kind else None,
        )


# -- process queue ---------------------------------------------------------------------------------------
@app.task(bind=True, base=WirefeedTask, name="wirefeed.ingest_item")
def ingest_item(
    self: WirefeedTask, item: dict[str, Any] | str, source: str | None = None, run_id: str | None = None
) -> dict[str, Any]:
    check_payload(self.name, {"item": item, "source": source, "run_id": run_id})
    current = begin()
    decision = current.ingest_item(item, source=source)
    _record(run_id, decision, _source_of(item, source), self.task_id)
    self.done(run_id)
    return decision.to_dict()


@app.task(bind=True, base=WirefeedTask, name="wirefeed.ingest_items")
def ingest_items(
    self: WirefeedTask,
    items: list[dict[str, Any] | str],
    source: str | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Many parsed items in one message. Items are a few kilobytes and take milliseconds to decide, so one
    message each spends more on the queue than on the work; a batch pays that once. A retry of the batch
    replays its earlier items, which the pipeline answers "unchanged" and the run does not count twice."""
    check_payload(self.name, {"items": items, "source": source, "run_id": run_id})
    current = begin()
    outcomes: dict[str, int] = {}
    for number, item in enumerate(items):
        decision = current.ingest_item(item, source=source)
        _record(run_id, decision, _source_of(item, source), f"{self.request.id}#{number}")
        outcomes[decision.outcome.value] = outcomes.get(decision.outcome.value, 0) + 1
    count_done(state_redis(), "wirefeed.ingest_item", len(items))
    self.done(run_id)
    return outcomes


@app.task(bind=True, base=WirefeedTask, name="wirefeed.ingest_html")
def ingest_html(
    self: WirefeedTask,
    url: str,
    html: str,
    source: str | None = None,
    fetched_at: str | None = None,
    requested_url: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    lastmod: str | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """A page from the crawl (with its crawl-state validators) or from any producer (url and html only)."""
    check_payload(
        self.name,
        {
            "url": url,
            "html": html,
            "source": source,
            "fetched_at": fetched_at,
            "requested_url": requested_url,
            "etag": etag,
            "last_modified": last_modified,
            "lastmod": lastmod,
            "run_id": run_id,
        },
    )
    current = begin()
    when = datetime.fromisoformat(fetched_at) if fetched_at else None
    src = _source(source)
    if src is not None:
        from worker import crawl

        decision = crawl.ingest_page(
            current,
            src,
            url,
            html,
            when,
            requested_url=requested_url,
            etag=etag,
            last_modified=last_modified,
            lastmod=datetime.fromisoformat(lastmod) if lastmod else None,
        )
    else:
        decision = current.ingest_html(html, url=url, source=source, fetched_at=when)
    _record(run_id, decision, source, requested_url or url)
    self.done(run_id)
    return decision.to_dict()


def _source_of(item: Any, source: str | None) -> str | None:
    if source:
        return source
    named = item.get("source") if isinstance(item, dict) else None
    return named if isinstance(named, str) else None


# -- fetch queue -----------------------------------------------------------------------------------------
def _sources() -> Any:
    """The sources file, re-read when it changes, so a worker picks up an edited file without restart."""
    from config.sources import load_sources

    path = settings().sources
    stamp = path.stat().st_mtime if path.exists() else None
    cached = _state.get("sources")
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_sources(path))
        _state["sources"] = cached
    return cached[1]


def _source(name: str | None) -> Any:
    """The named source of the sources file; None for no name or a label the file does not know (a
    producer may file pushed pages under any source name: they then take the generic extractor)."""
    if not name:
        return None
    from config.sources import SourcesError

    try:
        sources = _sources()
    except SourcesError:
        log.exception("sources file unusable; %s handled without its settings", name)
        return None
    return next((source for source in sources.sources if source.name == name), None)


def fetcher() -> Any:
    """The process's fetcher, with politeness and robots state shared by every worker through Redis."""
    current = _state.get("fetcher")
    if current is None or _state.get("fetcher_pid") != os.getpid():
        from worker import crawl

        current = crawl.shared_fetcher(settings(), state_redis())
        _state.update(fetcher=current, fetcher_pid=os.getpid())
    return current


@app.task(bind=True, base=WirefeedTask, name="wirefeed.fetch_article")
def fetch_article(
    self: WirefeedTask,
    url: str,
    source: str | None = None,
    job: dict[str, Any] | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    from worker import crawl

    check_payload(self.name, {"url": url, "source": source, "job": job, "run_id": run_id})
    src = _source(source)
    page_job = crawl.PageJob.from_dict(job) if job else crawl.PageJob(url=url, source=source)
    current = begin()
    result = crawl.fetch_page(
        page_job, src, fetcher(), current.store, settings=settings(), record_errors=False
    )
    run = Run(state_redis(), run_id) if run_id else None
    if result.status == "rejected":
        # One retry budget per page across the system: the fetcher has spent it (its retries, its deadline),
        # so the task does not multiply it. The failure is final for this run, recorded once, and the
        # URL's crawl state marks it for a retry on the next run, exactly as in the in-process crawl.
        # The task still retries what the fetcher cannot: the database or Redis being down.
        kind = result.error_kind or ErrorKind.INTERNAL
        current.record_error(url, source, "fetch", IngestError(kind, result.message or "failed"))
        if run is not None:
            run.record_fetch(url, source, "error", str(result.error_kind))
    elif result.status in {"not_modified", "alias"}:  # alias: another spelling of a page already fetched
        if run is not None:
            run.record_fetch(url, source, result.status)
    else:
        if run is not None:
            run.record_fetch(url, source, "fetched")
        send(
            "wirefeed.ingest_html",
            {
                "url": result.final_url or url,
                "html": result.text,
                "source": source,
                "fetched_at": result.fetched_at.isoformat() if result.fetched_at else None,
                "requested_url": page_job.url,
                "etag": result.etag,
                "last_modified": result.last_modified,
                "lastmod": page_job.lastmod.isoformat() if page_job.lastmod else None,
            },
            run=run,
        )
    self.done(run_id)
    return {"url": url, "status": result.status}


# -- discover queue --------------------------------------------------------------------------------------
@app.task(bind=True, base=WirefeedTask, name="wirefeed.crawl_source", owns_run=True)
def crawl_source(self: WirefeedTask, source: str, run_id: str | None = None) -> dict[str, Any]:
    """Discover one source's pages and fan them out to the fetch queue, unless a crawl of the source is
    still running (its lock is held until all of that crawl's tasks are done)."""
    from worker import crawl

    check_payload(self.name, {"source": source, "run_id": run_id})
    conf = settings()
    client = state_redis()
    run = Run.create(client, kind="crawl", run_id=run_id or self.request.id, sources=[source])
    holder = take_crawl_lock(client, source, run, conf.crawl_lock_ttl_s)
    if holder is not None:
        reason = f"a crawl of {source} is still running (run {holder})"
        log.info("skipping: %s", reason)
        run.record_skip(source, reason)
        self.done(run.id)
        return {"source": source, "skipped": reason}
    src = _source(source)
    if src is None:
        raise IngestError(ErrorKind.INVALID_ITEM, f"no source named {source!r} in {conf.sources}")
    discovery = crawl.discover_source(src, fetcher(), begin().store, settings=conf)
    run.record_discovery(discovery)
    for job in discovery.pages:
        send("wirefeed.fetch_article", {"url": job.url, "source": source, "job": job.to_dict()}, run=run)
    self.done(run.id)
    return {"source": source, "pages": len(discovery.pages), "run_id": run.id}
