"""Finding article URLs: feeds (RSS 2.0, Atom, RSS 1.0), sitemaps (indexes, news sitemaps, gzip) and
section pages.

Parsers take bytes and return plain values; fetching stays in ``fetch`` and the decision to fetch stays
in ``worker.crawl``. Everything read from the network is bounded: sitemaps are parsed with a DTD-less,
entity-less parser (an XML bomb is refused, not expanded), gzip is inflated under a byte limit, and the
number of items taken from one document is capped.
"""

from __future__ import annotations

import calendar
import codecs
import email.utils
import html
import io
import itertools
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.etree
import lxml.html
from pydantic import BaseModel, ConfigDict, ValidationError

from scrapers.encoding import CP1252_PIECES, declared_charset
from scrapers.errors import ErrorKind, IngestError
from scrapers.fetch import Fetcher, FetchPolicy, bounded_decompress
from scrapers.story_links import PageLink, in_chrome, menu_anchors, query_variants, story_shape, takes
from scrapers.story_links import looks_like_article as looks_like_article  # the address rule, re-exported
from scrapers.urls import MAX_URL_CHARS, site_of, try_canonicalize

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


_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def parse_w3c_datetime(value: str | None) -> datetime | None:
    """Sitemap, Atom and JSON Feed dates: the W3C profile of ISO 8601 (down to a bare year or year-month,
    taken as its first day); a bare date is midnight UTC; naive means UTC. News sitemaps written by hand
    or by old plugins also carry RFC 822 dates (``Tue, 05 Mar 2024 07:00:00 GMT``): read, not dropped,
    since an undated entry is never skipped as too old."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            parsed_date = date.fromisoformat(text)
            return datetime(parsed_date.year, parsed_date.month, parsed_date.day, tzinfo=UTC)
        if short := _YEAR_MONTH.match(text):
            return datetime(int(short[1]), int(short[2] or 1), 1, tzinfo=UTC)
        parsed: datetime | None = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = _rfc822(text)
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _rfc822(text: str) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _struct_to_dt(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _looks_like_html(content: bytes) -> bool:
    return bool(_HTML_START.match(content[:4096]))


_TAG = re.compile(r"<[^>]{0,500}>")


def _clean_title(title: str | None) -> str | None:
    """A listing's title as text: feeds often escape their HTML twice (``&amp;amp;``, ``&lt;b&gt;``), so
    what feedparser leaves is unescaped once more and stripped of tags."""
    if not title:
        return None
    if "&" in title or "<" in title:
        title = _TAG.sub(" ", html.unescape(_TAG.sub(" ", title)))
    return " ".join(title.split()) or None


class _JsonFeedItem(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str | int | None = None
    url: str | None = None
    title: str | None = None
    date_published: str | None = None
    date_modified: str | None = None


class _JsonFeed(BaseModel):
    model_config = ConfigDict(extra="ignore")
    version: str
    items: list[_JsonFeedItem]


def _is_json(content: bytes) -> bool:
    return content[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def parse_json_feed(content: bytes, base_url: str, *, max_items: int = 500) -> list[Discovered]:
    """Items of a JSON Feed (jsonfeed.org 1.0 and 1.1), which feedparser does not read. An item without
    ``url`` falls back on an ``id`` that is a URL; ``external_url`` (a page elsewhere the item is about)
    is never taken for the item's own page."""
    try:
        feed = _JsonFeed.model_validate(json.loads(content.decode("utf-8-sig")))
    except (UnicodeDecodeError, ValueError, ValidationError) as error:
        reason = str(error).splitlines()[0][:200]
        raise IngestError(ErrorKind.PARSE, f"{base_url}: not a readable JSON Feed ({reason})") from None
    if not feed.version.startswith(("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")):
        raise IngestError(ErrorKind.PARSE, f"{base_url}: JSON, but not a JSON Feed ({feed.version[:80]!r})")
    entries = (
        _feed_entry(
            base_url,
            item.url or "",
            str(item.id) if item.id is not None else "",
            lastmod=parse_w3c_datetime(item.date_modified),
            published=parse_w3c_datetime(item.date_published),
            title=item.title,
        )
        for item in feed.items[:max_items]
    )
    return _usable_entries([entry for entry in entries if entry is not None], len(feed.items), base_url)


def _usable_entries(found: list[Discovered], total: int, base_url: str) -> list[Discovered]:
    """The entries that name an article: an entry linking to its site's home page names none (a feed
    generator with the item link left at its default). A feed whose every entry is like that, or has no
    usable link at all, is broken, and says so (``PARSE``) rather than reading as an empty feed."""
    kept = [item for item in found if urlsplit(item.url).path not in {"", "/"} or urlsplit(item.url).query]
    if total and not kept:
        reason = "links only to the site's home page" if found else "has no usable link"
        raise IngestError(
            ErrorKind.PARSE, f"{base_url}: every one of its {total} entries {reason}: no article to fetch"
        )
    return kept


def _feed_entry(
    base_url: str,
    link: str,
    guid: str,
    lastmod: datetime | None,
    published: datetime | None,
    title: str | None,
) -> Discovered | None:
    """One feed entry, whatever the feed's format: its link, else its guid when the guid is a permalink
    (RSS guids and JSON Feed ids are often the article's URL); None when neither is a usable URL."""
    if not link and guid.startswith(("http://", "https://")):
        link = guid
    url = try_canonicalize(link, base_url) if link else None
    if url is None:
        return None
    return Discovered(url=url, via="feed", lastmod=lastmod, published=published, title=_clean_title(title))


_ENTRY_START = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(?:item|entry)[\s>/]")


def _first_entries(content: bytes, max_items: int) -> bytes:
    """The feed cut before its entry past ``max_items``: feedparser reads a whole document, and a 10 MB
    feed of 50,000 entries cost 20 s to keep 500. The cut document is no longer well-formed, which
    feedparser's loose parser reads all the same (and one cut short, at the fetch's byte limit or by the
    server, too: an entry left unclosed there is dropped, so half an address is never fetched)."""
    for count, match in enumerate(_ENTRY_START.finditer(content), start=1):
        if count > max_items:
            return content[: match.start()]
    return content


def parse_feed(content: bytes, base_url: str, *, max_items: int = 500) -> list[Discovered]:
    """Entries of an RSS 2.0, Atom, RSS 1.0 or JSON feed. An HTML page where a feed should be (a moved
    feed, a login wall) is a ``PARSE`` error rather than zero entries, so the breakage is seen."""
    if _is_json(content):
        return parse_json_feed(content, base_url, max_items=max_items)
    if _looks_like_html(content):
        raise IngestError(ErrorKind.PARSE, f"{base_url}: an HTML page, not a feed (moved or removed feed?)")
    if _ENTITY_DECL.search(content[:65536]):
        raise IngestError(
            ErrorKind.PARSE, f"{base_url}: feed declares XML entities (refused: entity expansion)"
        )
    parsed = feedparser.parse(
        _first_entries(content, max_items), response_headers={"content-location": base_url}
    )
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
        discovered = _feed_entry(
            base_url,
            link,
            entry.get("id") or "",
            # dict.get: feedparser's own get() would hand back the published date as "updated"
            lastmod=_struct_to_dt(dict.get(entry, "updated_parsed")),
            published=_struct_to_dt(dict.get(entry, "published_parsed")),
            title=entry.get("title"),
        )
        if discovered is not None:
            found.append(discovered)
    return _usable_entries(found, len(parsed.entries[:max_items]), base_url)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class _ChunkReader(io.RawIOBase):
    """A read-only file over an iterator of byte chunks, so the XML parser pulls the inflated sitemap as
    it goes instead of the whole of it being held first."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _sitemap_chunks(content: bytes, base_url: str, max_bytes: int) -> Iterator[bytes]:
    if content[:2] != b"\x1f\x8b":
        yield content[:max_bytes]
        return
    yield from bounded_decompress([content], 16 + zlib.MAX_WBITS, max_bytes, f"{base_url} (gzip sitemap)")


_XML_DECLARATION = re.compile(rb"<\?xml[^>]{0,300}\?>")


def _utf8_sitemap(first: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """An XML sitemap as its protocol defines it, UTF-8 from its first byte, whatever its generator wrote
    before or inside it: blank lines before the ``<?xml`` declaration (a PHP plugin's stray newline,
    which libxml2 refuses outright), a declaration naming UTF-16 over 8-bit bytes, or windows-1252 bytes
    in a UTF-8 sitemap (read as cp1252, as for pages: ``encoding.CP1252_PIECES``). A sitemap declaring
    another 8-bit charset, or really in UTF-16, is left to the parser, which reads its declaration."""
    start = first.lstrip(b" \t\r\n").removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    if b"\x00" in start[:64] or declared_charset(start[:512]) not in {None, "utf-8"}:
        yield start
        yield from chunks
        return
    declaration = _XML_DECLARATION.match(start)
    decoder = codecs.getincrementaldecoder("utf-8")(errors=CP1252_PIECES)
    for chunk in itertools.chain([start[declaration.end() :] if declaration else start], chunks):
        yield decoder.decode(chunk).encode("utf-8")
    yield decoder.decode(b"", final=True).encode("utf-8")


def _text(node: Any, name: str) -> str | None:
    for child in node:
        if isinstance(child.tag, str) and _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _sitemap_entry(node: Any, kind: str, base_url: str, result: SitemapResult) -> None:
    loc = _text(node, "loc")
    url = try_canonicalize(loc, base_url) if loc else None
    if not url:
        return
    if kind == "sitemapindex":
        result.sitemaps.append(url)
        result.sitemap_lastmod[url] = parse_w3c_datetime(_text(node, "lastmod"))
        return
    item = Discovered(url=url, via="sitemap", lastmod=parse_w3c_datetime(_text(node, "lastmod")))
    for child in node:
        if isinstance(child.tag, str) and _local(child.tag) == "news":
            item.title = _clean_title(_text(child, "title"))
            item.published = parse_w3c_datetime(_text(child, "publication_date"))
    result.urls.append(item)


def _sitemap_events(reader: io.BufferedIOBase, base_url: str) -> Iterator[tuple[str, Any]]:
    """lxml's pull parser with every door shut (no DTD loading, no entities, no network, no huge
    trees); a document that declares a DTD at all is refused when its root element starts."""
    events = lxml.etree.iterparse(
        reader,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    for event, node in events:
        if event == "start" and node.getparent() is None:
            info = node.getroottree().docinfo
            if info.doctype or info.internalDTD is not None:
                raise IngestError(
                    ErrorKind.PARSE, f"{base_url}: sitemap declares a DTD or entities (refused)"
                )
        yield event, node


def _text_sitemap(chunks: Iterable[bytes], max_items: int) -> SitemapResult:
    """A text sitemap (sitemaps.org: one absolute URL per line, UTF-8), read line by line to the cap."""
    result = SitemapResult()
    pending = b""
    try:
        for chunk in chunks:
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                url = try_canonicalize(line.decode("utf-8", "replace").strip().lstrip("\ufeff"))
                if url:
                    result.urls.append(Discovered(url=url, via="sitemap"))
                if len(result.urls) >= max_items:
                    return result
    except IngestError:
        if not result.urls:
            raise
        return result  # cut short (a truncated gzip, the inflate budget): keep what came before the cut
    url = try_canonicalize(pending.decode("utf-8", "replace").strip())
    if url:
        result.urls.append(Discovered(url=url, via="sitemap"))
    return result


def parse_sitemap(
    content: bytes, base_url: str, *, max_bytes: int = 50_000_000, max_items: int = 50_000
) -> SitemapResult:
    """A sitemap (XML or text) or sitemap index, gzipped or not, read as a stream: parsing stops after ``max_items``
    entries, so a sitemap of millions of URLs costs the first 50,000 in time and memory, not all of them.
    A document cut short (past ``max_bytes`` inflated, a truncated gzip, a body cut at the fetch limit)
    keeps the entries read before the cut; one that yields none is an error. DTDs and entities are refused
    outright: no sitemap needs them, and they are how XML bombs and external-entity reads get in."""
    chunks = _sitemap_chunks(content, base_url, max_bytes)
    first = next(chunks, b"")
    if _looks_like_html(first[:4096]):
        raise IngestError(ErrorKind.PARSE, f"{base_url}: an HTML page, not a sitemap")
    if first[:512].lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"http://", b"https://")):
        return _text_sitemap(itertools.chain([first], chunks), max_items)
    if _ENTITY_DECL.search(first[:65536]):
        raise IngestError(ErrorKind.PARSE, f"{base_url}: sitemap declares a DTD or entities (refused)")
    result = SitemapResult()
    reader = io.BufferedReader(_ChunkReader(_utf8_sitemap(first, chunks)))
    kind, seen = "", 0
    try:
        for event, node in _sitemap_events(reader, base_url):
            if event == "start":
                if not kind:
                    kind = _local(node.tag)
                    if kind not in {"urlset", "sitemapindex"}:
                        message = f"{base_url}: root element <{kind}> is not a sitemap"
                        raise IngestError(ErrorKind.PARSE, message)
                continue
            parent = node.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # only the root's children are entries
            if _local(node.tag) in {"url", "sitemap"}:
                seen += 1
                _sitemap_entry(node, kind, base_url, result)
            parent.remove(node)  # entries already read are dropped: memory stays flat
            if seen >= max_items:
                break
    except IngestError:
        if not seen:
            raise
    except lxml.etree.XMLSyntaxError as error:
        if not seen:
            raise IngestError(ErrorKind.PARSE, f"{base_url}: malformed sitemap XML ({error})") from None
    if not kind:
        raise IngestError(ErrorKind.PARSE, f"{base_url}: empty sitemap")
    return result


def _page_tree(html: str | bytes, base_url: str) -> Any:
    if not html or not html.strip():
        raise IngestError(ErrorKind.EMPTY, f"{base_url}: empty section page")
    try:
        return lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError) as error:
        raise IngestError(ErrorKind.PARSE, f"{base_url}: unparsable section page ({error})") from None


def parse_section(
    html: str | bytes, base_url: str, link_pattern: str | None, *, max_items: int = 500
) -> list[Discovered]:
    """Article links of a section page: same host as the page, matching ``link_pattern`` (a regex searched
    in the path and query; every same-host link without one), in page order, each once."""
    pattern = re.compile(link_pattern) if link_pattern else None
    matches = (lambda path: bool(pattern.search(path))) if pattern is not None else None
    return _section_links(_page_tree(html, base_url), base_url, matches, max_items)


_FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml"}
)
MAX_AUTODISCOVERED_FEEDS = 3


def feed_links(html: str | bytes, base_url: str) -> list[str]:
    """The feeds a page announces (``<link rel="alternate" type="application/rss+xml" href>``, Atom, JSON
    Feed), at most ``MAX_AUTODISCOVERED_FEEDS``, in page order: how browsers and feed readers find them."""
    tree = _page_tree(html, base_url)
    found: list[str] = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";", 1)[0].strip().lower()
        url = try_canonicalize(link.get("href") or "", base_url) if link.get("href") else None
        if "alternate" in rel and kind in _FEED_TYPES and url and url not in found:
            found.append(url)
    return found[:MAX_AUTODISCOVERED_FEEDS]


def _section_links(
    tree: Any, base_url: str, matches: Callable[[str], bool] | None, max_items: int
) -> list[Discovered]:
    page_url = try_canonicalize(base_url)
    host = page_url.split("/", 3)[2] if page_url else None
    base = _own_base(tree, base_url, host)
    seen: set[str] = set()
    found: list[Discovered] = []
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        url = try_canonicalize(href, base) if href else None
        if not url or url in seen or url == page_url:
            continue
        parts = url.split("/", 3)
        if parts[2] != host:
            continue
        path = "/" + (parts[3] if len(parts) > 3 else "")
        if matches is not None and not matches(path):
            continue
        seen.add(url)
        title = " ".join(anchor.text_content().split()) or None
        found.append(Discovered(url=url, via="page", title=title))
        if len(found) >= max_items:
            break
    return found


# A home page links a few hundred addresses; one linking more (a link farm, a crawler trap) is read up to
# here: its first links are the ones its template and grid put first.
MAX_PAGE_ANCHORS = 10_000


def _page_links(tree: Any, base_url: str) -> list[PageLink]:
    """The page's same-host addresses in page order, each once, with every anchor's text (at most
    ``MAX_PAGE_ANCHORS`` anchors read). A link is in the chrome when every anchor to it is: inside the
    page's navigation, header or footer, or in a block shaped like a menu (the template without tags)."""
    page_url = try_canonicalize(base_url)
    host = page_url.split("/", 3)[2] if page_url else None
    base = _own_base(tree, base_url, host)
    anchors = [anchor for anchor in itertools.islice(tree.iter("a"), MAX_PAGE_ANCHORS) if anchor.get("href")]
    texts = [" ".join(anchor.text_content().split()) for anchor in anchors]
    menus = menu_anchors(anchors, texts)
    links: dict[str, PageLink] = {}
    for anchor, text, menu in zip(anchors, texts, menus, strict=True):
        url = try_canonicalize(anchor.get("href"), base)
        if not url or url == page_url or url.split("/", 3)[2] != host:
            continue
        chrome = menu or in_chrome(anchor)
        link = links.get(url)
        if link is None:
            path = "/" + (url.split("/", 3)[3] if url.count("/") >= 3 else "")
            links[url] = PageLink(url, path, [text], chrome)
        else:
            link.texts.append(text)
            link.in_chrome = link.in_chrome and chrome  # also linked from the content area
    found = list(links.values())
    own_path = "/" + (page_url.split("/", 3)[3] if page_url and page_url.count("/") >= 3 else "")
    for link, variant in zip(found, query_variants([link.path for link in found], own_path), strict=True):
        link.variant = variant
    return found


def story_links(html: str | bytes, base_url: str, *, max_items: int = 500) -> list[Discovered]:
    """A home page's links that lead to stories (``scrapers.story_links``: the address, the anchor text,
    the link's place on the page and the page's own article pattern), in page order."""
    links = _page_links(_page_tree(html, base_url), base_url)
    shape = story_shape(links)
    return [
        Discovered(url=link.url, via="page", title=link.text or None) for link in links if takes(link, shape)
    ][:max_items]


def _own_base(tree: Any, base_url: str, host: str | None) -> str:
    """The page's ``<base href>`` when it is on the page's own host; else the page's URL. A base on another
    host (a CDN or a mirror left in the template) would resolve every relative link off the site, where the
    same-host rule drops them all and the section page silently lists nothing."""
    declared = try_canonicalize(str(tree.xpath("string(//base/@href)")), base_url)
    if declared is None or declared.split("/", 3)[2] != host:
        return base_url
    return declared


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
    listings.read_pages(pages, link_pattern, not_before)
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

    def add(self, items: Iterable[Discovered], listing: str | None = None) -> None:
        too_long = 0
        for item in items:
            if len(item.url) > MAX_URL_CHARS:
                too_long += 1
                continue
            known = self.by_url.get(item.url)
            if known is None:
                self.by_url[item.url] = item
            else:
                known.merge(item)
        if too_long and listing is not None:
            message = (
                f"{listing}: skipped {too_long} entries whose URL is longer than {MAX_URL_CHARS:,} characters"
            )
            self.report(listing, IngestError(ErrorKind.TOO_LARGE, message))

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
                self.add(parse_feed(result.content, result.final_url, max_items=self.max_items), feed)
            except IngestError as error:
                self.report(feed, error)

    def read_sitemaps(
        self, sitemaps: Iterable[str], not_before: datetime | None, named_by: str | None = None
    ) -> None:
        """Sitemaps and the children their indexes name, breadth first, within a depth and a count. The
        queue is bounded too: indexes naming each other, or 50,000 children each, queue no more than can
        be fetched. Each sitemap speaks for its own site (``_on_site``): the site of its address, and of
        the robots.txt or page that named it (``named_by``)."""
        namer = {site_of(named_by)} if named_by else set()
        queue = [
            (url, 0, frozenset({site_of(url), *namer, *also})) for url, also in self._expand_robots(sitemaps)
        ]
        visited: set[str] = set()
        while queue and len(visited) < MAX_SITEMAPS_PER_SOURCE and not self.stopping():
            url, depth, sites = queue.pop(0)
            key = try_canonicalize(url) or url
            if key in visited:
                continue
            visited.add(key)
            try:
                result = self.fetcher.fetch(url, self.policy, kind="sitemap")
                parsed = parse_sitemap(
                    result.content,
                    result.final_url,
                    max_bytes=self.policy.max_bytes * 5,
                    max_items=self.max_items * 10,
                )
            except IngestError as error:
                self.report(url, error)
                continue
            self.add(self._on_site(url, parsed, sites), url)
            if parsed.sitemaps and depth + 1 > MAX_SITEMAP_DEPTH:
                message = f"{url}: sitemap indexes nested deeper than {MAX_SITEMAP_DEPTH}"
                self.report(url, IngestError(ErrorKind.PARSE, message))
                continue
            room = MAX_SITEMAPS_PER_SOURCE - len(visited) - len(queue)
            children = [
                child
                for child in parsed.sitemaps
                if (try_canonicalize(child) or child) not in visited
                and (
                    not_before is None
                    or (modified := parsed.sitemap_lastmod.get(child)) is None
                    or modified >= not_before
                )
            ]
            queue.extend((child, depth + 1, sites) for child in children[: max(room, 0)])

    def _on_site(self, url: str, parsed: SitemapResult, sites: frozenset[str]) -> list[Discovered]:
        """The sitemap's entries on its sites, and its index's children there (``parsed.sitemaps`` is cut
        to them); the rest counted in one ``off_site`` row. The sitemaps protocol admits a sitemap's own
        host, or the host whose robots.txt names it; sister hosts of one registrable domain (``www.``, a
        CDN or ``sitemaps.`` host) are taken too, as every real outlet mixes them. Another domain's pages
        are not this outlet's stories: an index pointed at a stranger's site, or a sitemap listing one,
        would spend the crawl (and its politeness) on a host the user never chose."""
        entries: list[Discovered] = []
        children: list[str] = []
        strangers: list[str] = []
        for item in parsed.urls:  # one pass, one site_of each: an index may name 50,000 children
            if site_of(item.url) in sites:
                entries.append(item)
            else:
                strangers.append(item.url)
        for child in parsed.sitemaps:
            if site_of(child) in sites:
                children.append(child)
            else:
                strangers.append(child)
        if strangers:
            hosts = sorted({urlsplit(stranger).hostname or "" for stranger in strangers})
            message = (
                f"{url}: skipped {len(strangers)} entries on other sites ({', '.join(hosts[:3])}"
                f"{', ...' if len(hosts) > 3 else ''}): a sitemap lists pages of {', '.join(sorted(sites))}"
            )
            self.report(url, IngestError(ErrorKind.OFF_SITE, message))
        parsed.sitemaps = children
        return entries

    def _expand_robots(self, sitemaps: Iterable[str]) -> list[tuple[str, set[str]]]:
        """A sitemap entry that is a site's ``/robots.txt`` stands for the sitemaps its ``Sitemap:`` lines
        name (as in Scrapy's SitemapSpider): many outlets list theirs nowhere else. Each comes with the
        site whose robots.txt named it (sitemaps.org's cross-submission)."""
        expanded: list[tuple[str, set[str]]] = []
        for url in sitemaps:
            if urlsplit(url).path != "/robots.txt":
                expanded.append((url, set()))
                continue
            try:
                named = self.fetcher.robots(url, self.policy).sitemaps()
            except IngestError as error:
                self.report(url, error)
                continue
            if not named:
                self.report(url, IngestError(ErrorKind.PARSE, f"{url}: robots.txt names no sitemap"))
            expanded.extend((sitemap, {site_of(url)}) for sitemap in named[:MAX_SITEMAPS_PER_SOURCE])
        return expanded

    def read_pages(
        self, pages: Iterable[str], link_pattern: str | None, not_before: datetime | None = None
    ) -> None:
        for page in pages:
            if self.stopping():
                return
            try:
                result = self.fetcher.fetch(page, self.policy, kind="page")
                content = result.text or result.content
                if link_pattern is None:
                    self._autodiscover(page, content, result.final_url, not_before)
                    continue
                self.add(
                    parse_section(content, result.final_url, link_pattern, max_items=self.max_items), page
                )
            except IngestError as error:
                self.report(page, error)

    def _autodiscover(self, page: str, content: str | bytes, url: str, not_before: datetime | None) -> None:
        """A page given without a ``link_pattern`` (a home page, all a new user may know of an outlet): the
        feeds it announces; else the sitemaps its robots.txt names; else its links that look like articles
        (``story_links``) on its own host. The first of these that lists anything is used."""
        before = len(self.by_url)
        self.read_feeds(feed_links(content, url))
        if len(self.by_url) > before or self.stopping():
            return
        try:
            named = self.fetcher.robots(url, self.policy).sitemaps()[:MAX_SITEMAPS_PER_SOURCE]
        except IngestError:
            named = []  # no robots.txt to read: the page's own links still count
        self.read_sitemaps(named, not_before, named_by=url)
        if len(self.by_url) > before:
            return
        links = story_links(content, url, max_items=self.max_items)
        if not links:
            message = f"{page}: announces no feed, its robots.txt names no sitemap, and no link looks like an article"
            raise IngestError(ErrorKind.PARSE, message)
        self.add(links, page)
