"""Queries on what the crawler remembers: per-URL fetch state, and per-source field fill rates.

The ``crawl_state`` row of a URL is written only once its page has been decided (or has failed), never
between fetch and ingest, so an interrupted run or a lost task leaves the URL looking unfetched and the
next run fetches it again instead of trusting a validator (ETag) for a page that was never stored.

Fill rates watch for the most common silent breakage of news crawlers: a site redesign that empties one
field (authors, dates) while pages still "work". They are computed from the stored articles of a source,
comparing its most recent pages with the ones before them.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from worker.models import ArticleRecord, CrawlState, Source, utcnow
from worker.store import Store

# Statuses of a URL whose last attempt failed for a reason that may pass by itself (network, 5xx, 429, a
# 304 to a request that named no copy).
TRANSIENT_STATUSES = frozenset(
    {
        "error:fetch",
        "error:http_status_5xx",
        "error:http_status_429",
        "error:http_status_304",
        "error:storage",
        "error:internal",
    }
)


@dataclass(frozen=True, slots=True)
class UrlState:
    """A detached copy of a ``crawl_state`` row (safe to use after the session closed)."""

    url: str
    source: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: datetime | None
    lastmod: datetime | None
    status: str | None

    @property
    def transient_failure(self) -> bool:
        return (self.status or "") in TRANSIENT_STATUSES

    @property
    def full_fetch_at(self) -> datetime | None:
        """When the page last arrived whole: ``fetched_at`` moves with every request (it is the revisit
        clock), so a 304 keeps the time of the full fetch before it in its status (``not_modified_status``).
        None when unknown (a 304 recorded before that was kept, an alias): the next revisit fetches whole."""
        status = self.status or ""
        if status in (ALIAS, NOT_MODIFIED):
            return None
        if status.startswith(NOT_MODIFIED + ":"):
            stamp = status.partition(":")[2]
            return datetime.fromtimestamp(int(stamp), UTC) if stamp.isdigit() else None
        return self.fetched_at


NOT_MODIFIED = "not_modified"


def not_modified_status(before: UrlState | None) -> str:
    """The status of a URL answered 304, carrying the time of its last full fetch (no column of its own:
    the status is free text, and ``UrlState.full_fetch_at`` reads it back)."""
    full = before.full_fetch_at if before is not None else None
    return f"{NOT_MODIFIED}:{int(full.timestamp())}" if full is not None else NOT_MODIFIED


def _copy(row: CrawlState) -> UrlState:
    return UrlState(row.url, row.source, row.etag, row.last_modified, row.fetched_at, row.lastmod, row.status)


def load_states(store: Store, urls: Iterable[str], batch: int = 500) -> dict[str, UrlState]:
    """States of the given URLs, in batches so a sitemap of 50,000 URLs is a few hundred queries at most."""
    pending = list(dict.fromkeys(urls))
    found: dict[str, UrlState] = {}
    with store.session() as session:
        for start in range(0, len(pending), batch):
            chunk = pending[start : start + batch]
            for row in session.scalars(select(CrawlState).where(CrawlState.url.in_(chunk))):
                found[row.url] = _copy(row)
    return found


def get_state(store: Store, url: str) -> UrlState | None:
    with store.session() as session:
        row = session.get(CrawlState, url)
        return _copy(row) if row is not None else None


def save_state(
    store: Store,
    url: str,
    *,
    source: str | None,
    status: str,
    fetched_at: datetime | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    lastmod: datetime | None = None,
    keep_validators: bool = False,
) -> None:
    """Insert or update one URL's state. ``keep_validators`` keeps the stored ETag/Last-Modified (a 304 or
    an error says nothing new about them); a ``lastmod`` only ever moves forward."""
    for attempt in range(2):
        try:
            with store.session() as session:
                row = session.get(CrawlState, url)
                if row is None:
                    row = CrawlState(url=url)
                    session.add(row)
                row.source = source or row.source
                row.status = status[:40]
                row.fetched_at = fetched_at or utcnow()
                if not keep_validators:
                    row.etag = etag
                    row.last_modified = last_modified
                if lastmod is not None and (row.lastmod is None or lastmod > row.lastmod):
                    row.lastmod = lastmod
            return
        except IntegrityError:  # another worker inserted the same URL between our get and our insert
            if attempt:
                raise


ALIAS = "alias"  # another spelling of a page fetched under its own address (see ``save_alias``)


def save_alias(store: Store, url: str, *, source: str | None, fetched_at: datetime | None = None) -> None:
    """Remember ``url`` as another spelling of a page already fetched (the server named that page's key:
    a redirect, its ``rel=canonical``), so neither this run nor the next fetches it again. A URL that has a
    state of its own keeps it: it was fetched as itself, and its revisits go on as before."""
    try:
        with store.session() as session:
            if session.get(CrawlState, url) is None:
                session.add(
                    CrawlState(url=url, source=source, status=ALIAS, fetched_at=fetched_at or utcnow())
                )
    except IntegrityError:  # another worker recorded the URL first: its row stands
        pass


@dataclass(frozen=True, slots=True)
class FillRate:
    """Share of a source's recent pages with ``field`` filled, beside the share in the window before."""

    source: str
    field: str
    recent: float
    previous: float | None
    recent_n: int
    previous_n: int
    flagged: bool

    def describe(self) -> str:
        before = f"{self.previous:.0%}" if self.previous is not None else "n/a"
        return (
            f"{self.source}: {self.field} filled on {self.recent:.0%} of the last {self.recent_n} pages "
            f"(was {before} before them)"
        )


FIELDS = ("title", "authors", "published_at", "body")
MIN_BODY_CHARS = 300


def _filled(row: tuple[str | None, list[str] | None, datetime | None, int | None]) -> dict[str, bool]:
    title, authors, published, length = row
    return {
        "title": bool(title and title.strip()),
        "authors": bool(authors),
        "published_at": published is not None,
        "body": (length or 0) >= MIN_BODY_CHARS,
    }


def fill_rates(
    store: Store,
    sources: Iterable[str] | None = None,
    *,
    recent: int = 20,
    baseline: int = 100,
    min_recent: int = 5,
    min_baseline: int = 10,
    drop: float = 0.4,
) -> list[FillRate]:
    """Fill rate of title, authors, published date and body per source over its ``recent`` latest stored
    pages, against the ``baseline`` pages before them. A field is flagged when its rate fell by ``drop``
    (absolute) or more; the body is also flagged when the median length of recent bodies fell below half
    of the baseline's (a template change that keeps only a teaser)."""
    with store.session() as session:
        names = list(sources) if sources is not None else list(session.scalars(select(Source.name)))
        results: list[FillRate] = []
        for name in names:
            source_id = session.scalar(select(Source.id).where(Source.name == name))
            if source_id is None:
                continue
            rows = session.execute(
                select(
                    ArticleRecord.title,
                    ArticleRecord.authors,
                    ArticleRecord.published_at,
                    func.length(ArticleRecord.text),
                )
                .where(ArticleRecord.source_id == source_id)
                .order_by(ArticleRecord.id.desc())
                .limit(recent + baseline)
            ).all()
            if not rows:
                continue
            newest = [tuple(r) for r in rows[:recent]]
            older = [tuple(r) for r in rows[recent:]]
            new_flags = [_filled(r) for r in newest]
            old_flags = [_filled(r) for r in older]
            for field in FIELDS:
                rate = sum(f[field] for f in new_flags) / len(new_flags)
                before = sum(f[field] for f in old_flags) / len(old_flags) if old_flags else None
                enough = len(new_flags) >= min_recent and len(old_flags) >= min_baseline
                flagged = bool(enough and before is not None and before - rate >= drop)
                if field == "body" and enough and not flagged:
                    recent_median = statistics.median(r[3] or 0 for r in newest)
                    older_median = statistics.median(r[3] or 0 for r in older)
                    flagged = older_median > 0 and recent_median < older_median / 2
                results.append(FillRate(name, field, rate, before, len(new_flags), len(old_flags), flagged))
    return results


def fill_alerts(store: Store, sources: Iterable[str] | None = None) -> list[FillRate]:
    return [rate for rate in fill_rates(store, sources) if rate.flagged]
