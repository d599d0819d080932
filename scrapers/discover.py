"""Finding article URLs: feeds (RSS 2.0, Atom, RSS 1.0), sitemaps (indexes, news sitemaps, gzip) and
section pages.

Parsers take bytes and return plain values; fetching stays in ``fetch`` and the decision to fetch stays
in ``worker.crawl``. Everything read from the network is bounded: sitemaps are parsed with a DTD-less,
entity-less parser (an XML bomb is refused, not expanded), gzip is inflated under a byte limit, and the
number of items taken from one document is capped.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import feedparser
import lxml.html
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from scrapers.errors import ErrorKind, IngestError
from scrapers.fetch import Fetcher, FetchPolicy, gunzip_bounded
from scrapers.urls import try_canonicalize

MAX_SITEMAP_DEPTH = 3
MAX_SITEMAPS_PER_SOURCE = 50
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html\b)", re.I | re.S
)


@dataclass(slots=True)
class Discovered:
    """A candidate article URL (canonical), with what its listing said about freshness."""

    url: str
    via: str  # "feed", "sitemap" or "page"
    lastmod: datetime | None = None  # feed <updated>, sitemap <lastmod>: when the listing says it changed
    published: datetime | None = None  # feed <published>, news sitemap <publication_date>
    title: str | None = None

    @property
    def newest(self) -> datetime | None:
        dates = [d for d in (self.lastmod, self.published) if d is not None]
        return max(dates) if dates else None

    def merge(self, other: Discovered) -> None:
        """One URL listed in a feed and a sitemap: keep the freshest dates and any title."""
        if other.lastmod and (self.lastmod is None or other.lastmod > self.lastmod):
            self.lastmod = other.lastmod
        if other.published and (self.published is None or other.published > self.published):
            self.published = other.published
        self.title = self.title or other.title


@dataclass(slots=True)
class SitemapResult:
    urls: list[Discovered] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # children of a sitemap index
    sitemap_lastmod: dict[str, datetime | None] = field(default_factory=dict)  # child -> its <lastmod>


def parse_w3c_datetime(value: str | None) -> datetime | None:
    """Sitemap and Atom dates (W3C profile of ISO 8601); a bare date is midnight UTC; naive means UTC."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            parsed_date = date.fromisoformat(text)
            return datetime(parsed_date.year, parsed_date.month, parsed_date.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _struct_to_dt(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _looks_like_html(content: bytes) -> bool:
    return bool(_HTML_START.match(content[:4096]))


def parse_feed(content: bytes, base_url: str, *, max_items: int = 500) -> list[Discovered]:
    """Entries of an RSS 2.0, Atom or RSS 1.0 feed. An HTML page where a feed should be (a moved feed, a
    login wall) is a ``PARSE`` error rather than zero entries, so the breakage is seen."""
    if _looks_like_html(content):
        raise IngestError(ErrorKind.PARSE, f"{base_url}: an HTML page, not a feed (moved or removed feed?)")
    if _ENTITY_DECL.search(content[:65536]):
        raise IngestError(
            ErrorKind.PARSE, f"{base_url}: feed declares XML entities (refused: entity expansion)"
        )
    parsed = feedparser.parse(content, response_headers={"content-location": base_url})
    if not parsed.entries:
        reason = str(parsed.get("bozo_exception") or "no entries")
        if parsed.get("bozo") or not parsed.get("version"):
            raise IngestError(ErrorKind.PARSE, f"{base_url}: not a readable feed ({reason[:200]})")
        return []
    found: list[Discovered] = []
    for entry in parsed.entries[:max_items]:
        link = entry.get("link") or ""
        if not link:
            for candidate in entry.get("links", []):
                if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                    link = candidate["href"]
                    break
        if not link:
            guid = entry.get("id") or ""
            link = guid if guid.startswith(("http://", "https://")) else ""
        url = try_canonicalize(link, base_url) if link else None
        if url is None:
            continue
        found.append(
            Discovered(
                url=url,
                via="feed",
                # dict.get: feedparser's own get() would hand back the published date as "updated"
                lastmod=_struct_to_dt(dict.get(entry, "updated_parsed")),
                published=_struct_to_dt(dict.get(entry, "published_parsed")),
                title=(entry.get("title") or None),
            )
        )
    return found


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(element: Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def parse_sitemap(
    content: bytes, base_url: str, *, max_bytes: int = 50_000_000, max_items: int = 50_000
) -> SitemapResult:
    """A sitemap or sitemap index, gzipped or not. DTDs and entities are refused outright: no sitemap
    needs them, and they are how XML bombs and external-entity reads get in."""
    if content[:2] == b"\x1f\x8b":
        content = gunzip_bounded(content, max_bytes, f"{base_url} (gzip sitemap)")
    if _looks_like_html(content):
        raise IngestError(ErrorKind.PARSE, f"{base_url}: an HTML page, not a sitemap")
    try:
        root = safe_fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise IngestError(
            ErrorKind.PARSE,
            f"{base_url}: sitemap declares a DTD or entities (refused: {type(error).__name__})",
        ) from None
    except (ParseError, ValueError) as error:
        raise IngestError(ErrorKind.PARSE, f"{base_url}: malformed sitemap XML ({error})") from None
    result = SitemapResult()
    kind = _local(root.tag)
    if kind == "sitemapindex":
        for node in list(root)[:max_items]:
            if _local(node.tag) != "sitemap":
                continue
            loc = _child_text(node, "loc")
            url = try_canonicalize(loc, base_url) if loc else None
            if url:
                result.sitemaps.append(url)
                result.sitemap_lastmod[url] = parse_w3c_datetime(_child_text(node, "lastmod"))
        return result
    if kind != "urlset":
        raise IngestError(ErrorKind.PARSE, f"{base_url}: root element <{kind}> is not a sitemap")
    for node in list(root)[:max_items]:
        if _local(node.tag) != "url":
            continue
        loc = _child_text(node, "loc")
        url = try_canonicalize(loc, base_url) if loc else None
        if not url:
            continue
        item = Discovered(url=url, via="sitemap", lastmod=parse_w3c_datetime(_child_text(node, "lastmod")))
        for child in node:
            if _local(child.tag) == "news":
                item.title = _child_text(child, "title")
                item.published = parse_w3c_datetime(_child_text(child, "publication_date"))
        result.urls.append(item)
    return result


def parse_section(
    html: str | bytes, base_url: str, link_pattern: str | None, *, max_items: int = 500
) -> list[Discovered]:
    """Article links of a section page: same host as the page, matching ``link_pattern`` (a regex searched
    in the path and query), in page order, each once."""
    if not html or not html.strip():
        raise IngestError(ErrorKind.EMPTY, f"{base_url}: empty section page")
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError) as error:
        raise IngestError(ErrorKind.PARSE, f"{base_url}: unparsable section page ({error})") from None
    base = tree.xpath("string(//base/@href)") or base_url
    page_url = try_canonicalize(base_url)
    host = page_url.split("/", 3)[2] if page_url else None
    pattern = re.compile(link_pattern) if link_pattern else None
    seen: set[str] = set()
    found: list[Discovered] = []
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        url = try_canonicalize(href, try_canonicalize(base, base_url) or base_url) if href else None
        if not url or url in seen or url == page_url:
            continue
        parts = url.split("/", 3)
        if parts[2] != host:
            continue
        path = "/" + (parts[3] if len(parts) > 3 else "")
        if pattern is not None and not pattern.search(path):
            continue
        seen.add(url)
        title = " ".join(anchor.text_content().split()) or None
        found.append(Discovered(url=url, via="page", title=title))
        if len(found) >= max_items:
            break
    return found


ErrorSink = Callable[[str, IngestError], None]


def discover(
    fetcher: Fetcher,
    policy: FetchPolicy,
    *,
    feeds: Iterable[str] = (),
    sitemaps: Iterable[str] = (),
    pages: Iterable[str] = (),
    link_pattern: str | None = None,
    max_items_per_feed: int,
    on_error: ErrorSink | None = None,
    not_before: datetime | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[Discovered]:
    """Every candidate URL of one source, once, in discovery order, with the freshest dates any listing
    gave. A failing feed or sitemap is reported to ``on_error`` and the others still count. Child
    sitemaps whose index ``<lastmod>`` is before ``not_before`` are not fetched: a news site's index
    lists years of monthly archives, and only the recent ones can hold articles young enough to keep."""
    listings = _Listings(fetcher, policy, max_items_per_feed, on_error, should_stop)
    listings.read_feeds(feeds)
    listings.read_sitemaps(sitemaps, not_before)
    listings.read_pages(pages, link_pattern)
    return list(listings.by_url.values())


@dataclass(slots=True)
class _Listings:
    """One source's discovery: what its listings named so far, merged by URL."""

    fetcher: Fetcher
    policy: FetchPolicy
    max_items: int
    on_error: ErrorSink | None
    should_stop: Callable[[], bool] | None
    by_url: dict[str, Discovered] = field(default_factory=dict)

    def add(self, items: Iterable[Discovered]) -> None:
        for item in items:
            known = self.by_url.get(item.url)
            if known is None:
                self.by_url[item.url] = item
            else:
                known.merge(item)

    def report(self, url: str, error: IngestError) -> None:
        if self.on_error is not None:
            self.on_error(url, error)

    def stopping(self) -> bool:
        return self.should_stop is not None and self.should_stop()

    def read_feeds(self, feeds: Iterable[str]) -> None:
        for feed in feeds:
            if self.stopping():
                return
            try:
                result = self.fetcher.fetch(feed, self.policy, kind="feed")
                self.add(parse_feed(result.content, result.final_url, max_items=self.max_items))
            except IngestError as error:
                self.report(feed, error)

    def read_sitemaps(self, sitemaps: Iterable[str], not_before: datetime | None) -> None:
        """Sitemaps and the children their indexes name, breadth first, within a depth and a count."""
        queue: list[tuple[str, int]] = [(url, 0) for url in sitemaps]
        visited: set[str] = set()
        while queue and len(visited) < MAX_SITEMAPS_PER_SOURCE and not self.stopping():
            url, depth = queue.pop(0)
            key = try_canonicalize(url) or url
            if key in visited:
                continue
            visited.add(key)
            try:
                result = self.fetcher.fetch(url, self.policy, kind="sitemap")
                parsed = parse_sitemap(result.content, result.final_url, max_bytes=self.policy.max_bytes * 5)
            except IngestError as error:
                self.report(url, error)
                continue
            self.add(parsed.urls[: self.max_items * 10])
            if parsed.sitemaps and depth + 1 > MAX_SITEMAP_DEPTH:
                message = f"{url}: sitemap indexes nested deeper than {MAX_SITEMAP_DEPTH}"
                self.report(url, IngestError(ErrorKind.PARSE, message))
                continue
            queue.extend(
                (child, depth + 1)
                for child in parsed.sitemaps
                if not_before is None
                or (modified := parsed.sitemap_lastmod.get(child)) is None
                or modified >= not_before
            )

    def read_pages(self, pages: Iterable[str], link_pattern: str | None) -> None:
        for page in pages:
            if self.stopping():
                return
            try:
                result = self.fetcher.fetch(page, self.policy, kind="page")
                content = result.text or result.content
                self.add(parse_section(content, result.final_url, link_pattern, max_items=self.max_items))
            except IngestError as error:
                self.report(page, error)
