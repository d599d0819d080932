"""One crawl of one or all sources, in-process: discover, decide what to fetch, fetch, ingest, count.

Built from three steps that Celery runs as separate tasks (issue 4) and this module chains in threads:
``discover_source`` (listings -> ``PageJob`` values), ``fetch_page`` (one polite, conditional GET) and
``ingest_page`` (extraction with the source's adapter, the pipeline's decision, the URL's crawl state).
Every value passed between steps is plain and JSON-able; no step keeps state in memory between calls.

Different sources run in parallel threads; the fetcher's host gate keeps one request at a time per host,
so a crawl of many hosts takes about as long as its slowest host. Pipeline calls are serialised (the
store and the in-process dedup index are shared), which costs little: fetching dominates.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import field, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import ConfigDict, PlainSerializer, TypeAdapter, field_serializer, field_validator
from pydantic.dataclasses import dataclass

from config.settings import Settings
from config.sources import Defaults, Source
from scrapers.article import Article
from scrapers.discover import Discovered, discover
from scrapers.errors import ErrorKind, IngestError
from scrapers.fetch import Fetcher, FetchPolicy
from scrapers.politeness import Breaker, ClaimedElsewhere, HostGate, PageClaims
from scrapers.robots import RobotsCache
from scrapers.sites import extractor_for
from scrapers.urls import declared_canonical, landing_of, slash_variant
from worker import logs, metrics
from worker.crawl_state import (
    ALIAS,
    UrlState,
    get_state,
    load_states,
    not_modified_status,
    save_alias,
    save_state,
)
from worker.models import utcnow
from worker.pipeline import Decision, Outcome, Pipeline, article_key
from worker.store import Store

log = logging.getLogger(__name__)


# -- values passed between steps ----------------------------------------------------------------------
# Pydantic dataclasses: plain to build (positionally too), and one declaration gives both the JSON form a
# Celery message carries and its validation on the way back in.
IsoDatetime = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str, when_used="json")]
Seconds = Annotated[
    float, PlainSerializer(lambda value: round(value, 3), return_type=float, when_used="json")
]


@dataclass(slots=True, config=ConfigDict(extra="forbid"))
class PageJob:
    """One URL to fetch, with the validators for a conditional GET and why it is being fetched."""

    url: str
    source: str | None = None
    reason: str = "new"  # "new", "updated" (listing date moved), "revisit", "retry"
    etag: str | None = None
    last_modified: str | None = None
    lastmod: IsoDatetime | None = None  # the listing's date, saved once the page is decided

    def to_dict(self) -> dict[str, Any]:
        return _dump(PageJob, self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageJob:
        return _load(cls, data)


@dataclass(slots=True)
class Discovery:
    source: str
    pages: list[PageJob] = field(default_factory=list)
    discovered: int = 0
    skipped_fresh: int = 0
    skipped_old: int = 0
    errors: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True, config=ConfigDict(extra="forbid"))
class PageFetch:
    """What one fetch ended with: ``status`` is "fetched", "not_modified", "rejected" or "alias" (not
    requested: another spelling of a page already fetched)."""

    job: PageJob
    status: str
    final_url: str | None = None
    text: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: IsoDatetime | None = None
    error_kind: ErrorKind | None = None
    message: str | None = None
    http_status: int | None = None  # the HTTP status of a refusal, when there was one (404, 503...)

    def to_dict(self) -> dict[str, Any]:
        return _dump(PageFetch, self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageFetch:
        return _load(cls, data)


_T = TypeVar("_T")
_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(kind: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter


def _dump(kind: type[Any], value: Any) -> dict[str, Any]:
    """The JSON-able form of a step's value (what a Celery message or ``--json`` carries)."""
    data: dict[str, Any] = _adapter(kind).dump_python(value, mode="json")
    return data


def _load(kind: type[_T], data: dict[str, Any]) -> _T:
    value: _T = _adapter(kind).validate_python(data)
    return value


# -- the summary --------------------------------------------------------------------------------------
COUNTERS = (
    "discovered",
    "skipped_fresh",
    "skipped_old",
    "fetched",
    "not_modified",
    "stored",
    "new_versions",
    "duplicates",
    "unchanged",
)


@dataclass(slots=True)
class SourceSummary:
    name: str
    discovered: int = 0
    skipped_fresh: int = 0
    skipped_old: int = 0
    fetched: int = 0
    not_modified: int = 0
    stored: int = 0
    new_versions: int = 0
    duplicates: int = 0
    unchanged: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    elapsed_s: Seconds = 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def add_discovery(self, discovery: Discovery) -> None:
        self.discovered += discovery.discovered
        self.skipped_fresh += discovery.skipped_fresh
        self.skipped_old += discovery.skipped_old
        self.errors.update(discovery.errors)

    def add_fetch(self, fetch: PageFetch) -> None:
        if fetch.status == "fetched":
            self.fetched += 1
        elif fetch.status == "not_modified":
            self.not_modified += 1
        elif fetch.status == ALIAS:
            self.skipped_fresh += 1  # the page was fetched this run under another spelling
        elif fetch.error_kind:
            self.errors[fetch.error_kind.value] += 1

    def add_decision(self, decision: Decision) -> None:
        match decision.outcome:
            case Outcome.STORED:
                self.stored += 1
            case Outcome.NEW_VERSION:
                self.new_versions += 1
            case Outcome.DUPLICATE:
                self.duplicates += 1
            case Outcome.UNCHANGED:
                self.unchanged += 1
            case _:
                self.errors[decision.error_kind.value if decision.error_kind else "internal"] += 1

    def merge(self, other: SourceSummary) -> None:
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.update(other.errors)
        self.elapsed_s = max(self.elapsed_s, other.elapsed_s)

    def to_dict(self) -> dict[str, Any]:
        return _dump(SourceSummary, self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceSummary:
        return _load(cls, data)


@dataclass(slots=True)
class CrawlSummary:
    """What a crawl did, per source; its JSON form (``wirefeed crawl --json``) lists the sources."""

    sources: dict[str, SourceSummary] = field(default_factory=dict)
    started_at: IsoDatetime = field(default_factory=utcnow)
    elapsed_s: Seconds = 0.0
    interrupted: bool = False
    fill_alerts: list[str] = field(default_factory=list)

    @field_validator("sources", mode="before")
    @classmethod
    def _by_name(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {item["name"]: item for item in value if isinstance(item, dict)}
        return value

    @field_serializer("sources", when_used="json")
    def _as_list(self, value: dict[str, SourceSummary]) -> list[SourceSummary]:
        return list(value.values())

    def source(self, name: str) -> SourceSummary:
        if name not in self.sources:
            self.sources[name] = SourceSummary(name)
        return self.sources[name]

    def add_discovery(self, discovery: Discovery) -> None:
        self.source(discovery.source).add_discovery(discovery)

    def add_fetch(self, fetch: PageFetch) -> None:
        self.source(fetch.job.source or "(none)").add_fetch(fetch)

    def add_decision(self, source: str, decision: Decision) -> None:
        self.source(source).add_decision(decision)

    @property
    def total(self) -> SourceSummary:
        total = SourceSummary("total")
        for summary in self.sources.values():
            total.merge(summary)
        total.elapsed_s = self.elapsed_s
        return total

    def to_dict(self) -> dict[str, Any]:
        return _dump(CrawlSummary, self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrawlSummary:
        return _load(cls, data)


# -- building blocks ----------------------------------------------------------------------------------
def policy_for(source: Source | None, settings: Settings | None = None) -> FetchPolicy:
    """The source's limits (the schema's defaults for a URL of no known source); a
    ``WIREFEED_USER_AGENT`` overrides the sources file."""
    policy = FetchPolicy.from_source(source if source is not None else Defaults())
    if settings is not None and settings.user_agent:
        policy = replace(policy, user_agent=settings.user_agent)
    return policy


def make_fetcher(
    settings: Settings | None = None,
    *,
    allow_private_hosts: Iterable[str] = (),
    gate: HostGate | None = None,
    robots_cache: RobotsCache | None = None,
    breaker: Breaker | None = None,
    claims: PageClaims | None = None,
) -> Fetcher:
    """The fetcher for a crawl: in-process gate, robots cache, host breaker and page claims unless shared
    ones are passed."""
    allowed = [*(settings.allow_private_hosts if settings is not None else []), *allow_private_hosts]
    return Fetcher(
        gate=gate, robots_cache=robots_cache, allow_private_hosts=allowed, breaker=breaker, claims=claims
    )


# What a fetcher built without settings uses (the fields' defaults, not the environment: a caller passing
# None asked for none of it)
_DEFAULT_SETTINGS = Settings.model_construct()


def shared_fetcher(
    settings: Settings | None, client: Any, *, allow_private_hosts: Iterable[str] = ()
) -> Fetcher:
    """A worker process's fetcher: the host gate, the robots.txt cache, the host pauses and the page claims
    all live in Redis (``client``), so every worker of the fleet sees one host the same way: one request
    at a time, one robots.txt fetch, a host paused by one worker paused for all, and a page whose address
    one worker has reached not fetched again by another under a second spelling."""
    from scrapers.politeness_redis import (
        RedisHostBreaker,
        RedisHostGate,
        RedisPageClaims,
        RedisRobotsCache,
    )

    return make_fetcher(
        settings,
        allow_private_hosts=allow_private_hosts,
        gate=RedisHostGate(client),
        robots_cache=RedisRobotsCache(client),
        breaker=RedisHostBreaker(client),
        claims=RedisPageClaims(client, ttl_s=(settings or _DEFAULT_SETTINGS).page_claim_ttl_s),
    )


def _record(store: Store, url: str | None, source: str | None, stage: str, error: IngestError) -> None:
    try:
        store.record_error(url=url, source=source, stage=stage, kind=error.kind.value, message=error.message)
    except Exception:  # recording must never end a crawl; the log keeps the trace
        log.exception("could not record %s error for %s", error.kind, url)


def _error_status(error: IngestError) -> str:
    if error.kind is ErrorKind.HTTP_STATUS and (error.status or 0) >= 500:
        return "error:http_status_5xx"
    if error.kind is ErrorKind.HTTP_STATUS and error.status in {304, 429}:
        # "too many requests" passes, and so may a cache's 304 to a request that named no copy: the next
        # run tries again
        return f"error:http_status_{error.status}"
    return f"error:{error.kind.value}"


def _decide(item: Discovered, state: UrlState | None, source: Source, now: datetime) -> str | None:
    """Why to fetch ``item`` now ("new", "updated", "revisit", "retry"), or None to leave it."""
    if state is None:
        return "new"
    if state.transient_failure:
        return "retry"
    seen = item.newest
    if seen is not None:
        reference = state.lastmod or state.fetched_at
        if reference is not None and seen > reference:
            return "updated"
    if state.status == ALIAS:
        return None  # the page is revisited under the spelling it was fetched as
    young = item.published is None or now - item.published <= timedelta(days=source.max_age_days)
    if state.fetched_at is None or (young and now - state.fetched_at >= source.revisit_after):
        return "revisit"
    return None


def _trusts_validators(state: UrlState, source: Source, now: datetime) -> bool:
    """Whether a revisit may send the stored ETag/Last-Modified: only while the page's last full fetch is
    younger than ``full_fetch_after``. A server that answers 304 to every conditional GET (an ETag that
    never moves, a cache) would otherwise keep a rewritten page's old text for good whenever no listing
    dates the rewrite; past the bound the revisit fetches whole, and the content hash tells unchanged."""
    full = state.full_fetch_at
    return full is not None and now - full < source.full_fetch_after


def discover_source(
    source: Source,
    fetcher: Fetcher,
    store: Store,
    *,
    settings: Settings | None = None,
    now: datetime | None = None,
    stop: threading.Event | None = None,
) -> Discovery:
    """Read a source's feeds, sitemaps and pages, and turn what they list into the pages to fetch now:
    unknown URLs, URLs whose listing date moved past the stored copy, and young articles due a revisit.
    Listing failures are recorded in ``ingest_errors`` (stage ``discover``) and counted."""
    now = now or datetime.now(UTC)
    policy = policy_for(source, settings)
    result = Discovery(source.name)

    def on_error(url: str, error: IngestError) -> None:
        result.errors[error.kind.value] += 1
        _record(store, url, source.name, "discover", error)

    found = discover(
        fetcher,
        policy,
        feeds=source.feeds,
        sitemaps=source.sitemaps,
        pages=source.pages,
        link_pattern=source.link_pattern,
        max_items_per_feed=source.max_items_per_feed,
        on_error=on_error,
        not_before=now - timedelta(days=source.max_age_days),
        should_stop=stop.is_set if stop is not None else None,
    )
    result.discovered = len(found)
    states = load_states(store, [item.url for item in found])
    max_age = timedelta(days=source.max_age_days)
    limit = source.max_pages_per_run
    for item in found:
        newest = item.published or item.newest
        if newest is not None and now - newest > max_age:
            result.skipped_old += 1
            continue
        state = states.get(item.url)
        reason = _decide(item, state, source, now)
        if reason is None:
            result.skipped_fresh += 1
            continue
        if len(result.pages) >= limit:
            result.skipped_fresh += 1  # left for the next run, which starts where this one stopped
            continue
        # Only a revisit is conditional: when the listing says the page changed since the stored copy, a
        # 304 cannot overrule it (servers whose Last-Modified or ETag never moves answer 304 to a rewrite);
        # an unchanged page costs one parse, and the content hash calls it unchanged.
        conditional = state is not None and reason == "revisit" and _trusts_validators(state, source, now)
        result.pages.append(
            PageJob(
                url=item.url,
                source=source.name,
                reason=reason,
                etag=state.etag if conditional and state else None,
                last_modified=state.last_modified if conditional and state else None,
                lastmod=item.newest,
            )
        )
    return result


def fetch_page(
    job: PageJob,
    source: Source | None,
    fetcher: Fetcher,
    store: Store,
    *,
    settings: Settings | None = None,
    record_errors: bool = True,
) -> PageFetch:
    """One polite GET (conditional when the job carries validators). A refusal or failure is recorded in
    ``ingest_errors`` (unless ``record_errors`` is False: a caller that retries records the final one)
    and in the URL's crawl state; a 304 refreshes the state and costs no parse. A page that arrives is
    *not* marked in the crawl state here: ``ingest_page`` does that once it is decided, so a page lost
    between the two steps is fetched again rather than skipped on a stale validator."""
    name = source.name if source is not None else job.source
    policy = policy_for(source, settings)
    fetched_at = datetime.now(UTC)
    if job.reason == "new" and _is_alias(store, job.url):
        return PageFetch(job, ALIAS, fetched_at=fetched_at)  # another spelling of a page this run fetched
    try:
        with logs.item_context(url=job.url, source=name), metrics.observe("fetch"):
            result = fetcher.fetch(
                job.url, policy, etag=job.etag, last_modified=job.last_modified, article=True
            )
            fetcher.soft_404.verify(fetcher, result, policy)
        metrics.count_page("not_modified" if result.not_modified else result.status)
    except ClaimedElsewhere as claimed:
        # Another worker is fetching this page under another spelling, which the server named (a
        # redirect, a canonical): this spelling is an alias, as it would be once that fetch is ingested.
        log.info("not fetched: %s", claimed)
        save_alias(store, job.url, source=name, fetched_at=fetched_at)
        return PageFetch(job, ALIAS, fetched_at=fetched_at, message=str(claimed))
    except IngestError as error:
        metrics.count_page(error.status or error.kind.value)
        if record_errors:
            _record(store, job.url, name, "fetch", error)
        return _rejected(store, job, name, fetched_at, error)
    if result.not_modified:
        return _not_modified(store, job, name, fetched_at, result.final_url)
    _claim_named(fetcher.claims, job.url, result.final_url, result.text)
    return PageFetch(
        job,
        "fetched",
        final_url=result.final_url,
        text=result.text,
        etag=result.etag,
        last_modified=result.last_modified,
        fetched_at=fetched_at,
        http_status=result.status,
    )


def _rejected(
    store: Store, job: PageJob, source: str | None, fetched_at: datetime, error: IngestError
) -> PageFetch:
    """A refusal or failure: the URL's state says whether the next run tries again; its validators stay
    (an error says nothing new about them)."""
    status = _error_status(error)
    save_state(store, job.url, source=source, status=status, fetched_at=fetched_at, keep_validators=True)
    return PageFetch(
        job,
        "rejected",
        fetched_at=fetched_at,
        error_kind=error.kind,
        message=error.message,
        http_status=error.status,
    )


def _not_modified(
    store: Store, job: PageJob, source: str | None, fetched_at: datetime, final_url: str
) -> PageFetch:
    """A 304: the state is refreshed (the revisit clock moves, the last full fetch's time is kept) and
    nothing is parsed."""
    save_state(
        store,
        job.url,
        source=source,
        status=not_modified_status(get_state(store, job.url)),
        fetched_at=fetched_at,
        lastmod=job.lastmod,
        keep_validators=True,
    )
    return PageFetch(job, "not_modified", final_url=final_url, fetched_at=fetched_at, http_status=304)


def _claim_named(claims: PageClaims, requested: str, final_url: str, text: str | None) -> None:
    """Claim the addresses a fetched page names as its own (its same-host ``rel=canonical``, and that with
    its trailing slash toggled), so a worker given one of those spellings now stops before requesting it.
    Trusted as ``worker.pipeline.article_key`` trusts it: same host, not the home page or a listing above
    the page. The page itself is ingested whoever holds them: it has been fetched already."""
    declared = declared_canonical(text, final_url) if text else None
    trusted = (
        declared
        if declared is not None
        and urlsplit(declared).netloc == urlsplit(final_url).netloc
        and landing_of(final_url, declared) is None
        else None
    )
    for spelling in sorted(_other_spellings(requested, final_url, trusted, trusted)):
        claims.claim(spelling, requested)


def _is_alias(store: Store, url: str) -> bool:
    state = get_state(store, url)
    return state is not None and state.status == ALIAS


def _other_spellings(requested: str, final_url: str, declared: str | None, key: str | None) -> set[str]:
    """The addresses of a page other than the one it was requested as, when the server named its key: the
    redirect's target, the ``rel=canonical`` the pipeline trusted (``key``), and that key with its trailing
    slash toggled (a page that names its own address tells which spelling is its own). A page that names
    nothing leaves both slash spellings to be fetched: they may be two pages."""
    named = key is not None and key == declared
    if final_url == requested and not named:
        return set()
    spellings = {final_url}
    if key is not None and key.startswith(("http://", "https://")):
        spellings |= {key, slash_variant(key) or key} if named else {key}
    return spellings - {requested}


def ingest_page(
    pipeline: Pipeline,
    source: Source,
    url: str,
    html: str | bytes,
    fetched_at: datetime | None = None,
    *,
    requested_url: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    lastmod: datetime | None = None,
) -> Decision:
    """Extract with the source's adapter, let the pipeline decide, then remember the URL's validators.
    ``requested_url`` is the discovered URL (the crawl-state key) when a redirect moved the page. The
    page's other spellings the server named (``_other_spellings``) are remembered as aliases, so a listing
    that names the page twice costs one fetch."""
    extracted: list[Article] = []
    extractor = _within_age(source, extractor_for(source.adapter))

    def extract(page: str | bytes, at: str | None) -> Article:
        extracted.append(extractor(page, at))
        return extracted[-1]

    decision = pipeline.ingest_html(
        html, url=url, source=source.name, extractor=extract, fetched_at=fetched_at
    )
    status = (
        decision.outcome.value
        if decision.outcome is not Outcome.REJECTED
        else (f"error:{decision.error_kind.value if decision.error_kind else 'internal'}")
    )
    save_state(
        pipeline.store,
        requested_url or url,
        source=source.name,
        status=status,
        fetched_at=fetched_at,
        etag=etag,
        last_modified=last_modified,
        lastmod=lastmod,
    )
    if decision.outcome is not Outcome.REJECTED and extracted:
        declared = declared_canonical(html, url)
        for alias in _other_spellings(requested_url or url, url, declared, article_key(extracted[0])):
            save_alias(pipeline.store, alias, source=source.name, fetched_at=fetched_at)
    return decision


def _within_age(
    source: Source, extractor: Callable[[str | bytes, str | None], Article]
) -> Callable[[str | bytes, str | None], Article]:
    """The extractor, refusing a story published before the source's ``max_age_days``.

    Discovery already skips listings dated too far back, but section pages and many feeds carry no date,
    so the article's own published date is the last word on its age.
    """
    days = source.max_age_days
    max_age = timedelta(days=days)

    def extract(html: str | bytes, url: str | None) -> Article:
        article = extractor(html, url)
        published = article.published_at
        if published is not None and utcnow() - published > max_age:
            raise IngestError(
                ErrorKind.TOO_OLD,
                f"published {published.date().isoformat()}, older than max_age_days={days:g}",
            )
        return article

    return extract


def ingest_fetch(pipeline: Pipeline, source: Source, fetch: PageFetch) -> Decision | None:
    """``ingest_page`` for a ``PageFetch`` (None when there is nothing to ingest)."""
    if fetch.status != "fetched" or fetch.text is None:
        return None
    return ingest_page(
        pipeline,
        source,
        fetch.final_url or fetch.job.url,
        fetch.text,
        fetch.fetched_at,
        requested_url=fetch.job.url,
        etag=fetch.etag,
        last_modified=fetch.last_modified,
        lastmod=fetch.job.lastmod,
    )


# -- the in-process crawl -----------------------------------------------------------------------------
Progress = Callable[[str, int, int], None]  # (source, pages done, pages planned)


def _crawl_page(
    job: PageJob,
    source: Source,
    pipeline: Pipeline,
    fetcher: Fetcher,
    summary: CrawlSummary,
    lock: threading.Lock,
    settings: Settings | None,
) -> None:
    """Fetch and ingest one page. A failure no step turned into an error kind (a bug, a database that
    refuses a row) is recorded against this page as ``internal`` and the source's other pages go on."""
    try:
        fetched = fetch_page(job, source, fetcher, pipeline.store, settings=settings)
        with lock:
            summary.add_fetch(fetched)
            decision = ingest_fetch(pipeline, source, fetched)
            if decision is not None:
                summary.add_decision(source.name, decision)
    except Exception as error:
        log.exception("crawl of %s failed", job.url)
        _record(pipeline.store, job.url, source.name, "crawl", IngestError(ErrorKind.INTERNAL, repr(error)))
        with lock:
            summary.source(source.name).errors[ErrorKind.INTERNAL.value] += 1


def crawl(
    sources: list[Source],
    pipeline: Pipeline,
    fetcher: Fetcher,
    *,
    settings: Settings | None = None,
    stop: threading.Event | None = None,
    on_progress: Progress | None = None,
    max_workers: int = 8,
) -> CrawlSummary:
    """Crawl ``sources`` once, in parallel per source. Setting ``stop`` ends the run after the pages in
    flight: everything decided so far is stored and its crawl state saved, so the next run resumes."""
    stop = stop or threading.Event()
    summary = CrawlSummary()
    lock = threading.Lock()
    started = time.monotonic()

    def run(source: Source) -> None:
        began = time.monotonic()
        try:
            discovery = discover_source(source, fetcher, pipeline.store, settings=settings, stop=stop)
            with lock:
                summary.add_discovery(discovery)
            total = len(discovery.pages)
            if on_progress:
                on_progress(source.name, 0, total)
            for done, job in enumerate(discovery.pages, start=1):
                if stop.is_set():
                    break
                _crawl_page(job, source, pipeline, fetcher, summary, lock, settings)
                if on_progress:
                    on_progress(source.name, done, total)
        except Exception as error:  # one source's bug must not take the others down
            log.exception("crawl of %s failed", source.name)
            _record(pipeline.store, None, source.name, "crawl", IngestError(ErrorKind.INTERNAL, repr(error)))
            with lock:
                summary.source(source.name).errors[ErrorKind.INTERNAL.value] += 1
        finally:
            with lock:
                summary.source(source.name).elapsed_s = time.monotonic() - began

    for source in sources:
        summary.source(source.name)
    with ThreadPoolExecutor(
        max_workers=max(1, min(max_workers, len(sources))), thread_name_prefix="crawl"
    ) as pool:
        futures = [pool.submit(run, source) for source in sources]
        try:
            for future in futures:
                while not future.done():
                    time.sleep(0.05)  # a short wait keeps the main thread responsive to Ctrl-C
        except KeyboardInterrupt:
            stop.set()
            summary.interrupted = True
            for future in futures:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
    summary.interrupted = summary.interrupted or stop.is_set()
    summary.elapsed_s = time.monotonic() - started
    try:
        from worker.crawl_state import fill_alerts

        summary.fill_alerts = [
            rate.describe() for rate in fill_alerts(pipeline.store, [s.name for s in sources])
        ]
    except Exception:
        log.exception("could not compute fill rates")
    return summary
