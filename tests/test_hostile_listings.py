"""Feeds and sitemaps the way unseen outlets and hostile hosts serve them, read by the real discovery
code from a server on 127.0.0.1: JSON Feed, mislabelled and double-escaped feeds, sitemaps named only in
robots.txt, news sitemaps with mixed date formats, gzip twice, index cycles, and sitemaps of a million
URLs (bounded in time, memory and count)."""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from config.sources import Defaults
from scrapers.discover import Discovered, discover, parse_feed, parse_sitemap, parse_w3c_datetime
from scrapers.errors import ErrorKind, IngestError
from scrapers.fetch import Fetcher, FetchPolicy
from tests.hostile_servers import Route, RouteServer

POLICY = FetchPolicy.from_source(
    Defaults(), user_agent="wirefeed-test/0.1", min_delay_s=0.0, timeout_s=5.0, max_bytes=2_000_000
)
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(allow_private_hosts=["127.0.0.1"]) as instance:
        yield instance


def _discover(
    fetcher: Fetcher, **lists: list[str]
) -> tuple[dict[str, Discovered], list[tuple[str, IngestError]]]:
    errors: list[tuple[str, IngestError]] = []
    found = discover(
        fetcher,
        POLICY,
        max_items_per_feed=500,
        on_error=lambda url, error: errors.append((url, error)),
        **lists,  # type: ignore[arg-type]  # feeds=/sitemaps= lists of URLs
    )
    return {item.url: item for item in found}, errors


def _urlset(base: str, paths: list[str], extra: str = "") -> bytes:
    rows = "".join(f"<url><loc>{base}{path}</loc>{extra}</url>" for path in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{rows}</urlset>'.encode()


def _index(children: list[str]) -> bytes:
    rows = "".join(f"<sitemap><loc>{child}</loc></sitemap>" for child in children)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NS}>{rows}</sitemapindex>'.encode()


# -- feeds ---------------------------------------------------------------------------------------------
def test_json_feed_is_read_like_any_other_feed(fetcher: Fetcher) -> None:
    with RouteServer() as server:
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Wire desk",
            "home_page_url": server.base + "/",
            "items": [
                {
                    "id": "1",
                    "url": "/world/2024/03/05/harbour-vote?utm_source=json",
                    "title": "Harbour vote",
                    "date_published": "2024-03-05T10:00:00+01:00",
                    "date_modified": "2024-03-05T11:30:00+01:00",
                    "external_url": "https://elsewhere.example/original",
                },
                {"id": server.base + "/world/2024/03/05/id-only", "title": "Only an id"},
                {"id": "no-url-at-all", "title": "Skipped"},
            ],
        }
        server.routes["/feed.json"] = Route(
            b"\xef\xbb\xbf" + json.dumps(feed).encode(), "application/feed+json; charset=utf-8"
        )
        found, errors = _discover(fetcher, feeds=[server.base + "/feed.json"])
    assert errors == []
    assert set(found) == {
        server.base + "/world/2024/03/05/harbour-vote",
        server.base + "/world/2024/03/05/id-only",
    }
    vote = found[server.base + "/world/2024/03/05/harbour-vote"]
    assert vote.published == datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
    assert vote.lastmod == datetime(2024, 3, 5, 10, 30, tzinfo=UTC)
    assert vote.title == "Harbour vote"


@pytest.mark.parametrize(
    "body",
    [
        b'{"version": "1", "items": []}',
        b'{"title": "no version", "items": [{"url": "https://x.example/a"}]}',
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
    ],
)
def test_json_that_is_not_a_json_feed_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        parse_feed(body, "https://news.example/feed.json")
    assert caught.value.kind is ErrorKind.PARSE


RSS_LATIN1_LYING = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Le fil</title>'
    b"<item><title>Caf\xe9 cr\xe8me</title><link>/a/1.html</link></item>"
    b"<item><title>Deux</title><guid>https://news.example/a/2.html</guid></item></channel></rss>"
)
ATOM_XML_BASE = (
    b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/world/">'
    b"<title>x</title><id>urn:f</id><updated>2024-03-05T12:00:00Z</updated>"
    b'<entry xml:base="/sport/"><title>A</title><link href="story-1.html"/><id>urn:1</id>'
    b"<updated>2024-03-05T12:00:00Z</updated></entry>"
    b'<entry><title>B</title><link rel="enclosure" href="https://cdn.example/b.mp3"/>'
    b'<link rel="self" href="https://news.example/api/b"/>'
    b'<link rel="alternate" type="text/html" href="story-2.html"/><id>urn:2</id>'
    b"<updated>2024-03-05T12:00:00Z</updated></entry></feed>"
)


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (
            b"\xef\xbb\xbf" + RSS_LATIN1_LYING,
            "application/octet-stream",
            {"https://news.example/a/1.html": "Café crème", "https://news.example/a/2.html": "Deux"},
        ),
        (
            ATOM_XML_BASE,
            "text/html; charset=utf-8",
            {"https://news.example/sport/story-1.html": "A", "https://news.example/world/story-2.html": "B"},
        ),
    ],
)
def test_feeds_mislabelled_or_with_bases_and_bom_hold(
    fetcher: Fetcher, body: bytes, content_type: str, expected: dict[str, str]
) -> None:
    with RouteServer({"/feed": Route(body, content_type)}) as server:
        found = parse_feed(
            fetcher.fetch(server.base + "/feed", POLICY, kind="feed").content, "https://news.example/feed"
        )
    assert {url: item.title for url, item in ((d.url, d) for d in found)} == expected


def test_feed_titles_escaped_twice_come_out_as_text() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
        b"<item><title>Tom &amp;amp; Jerry&#8217;s &lt;b&gt;big&lt;/b&gt; day</title>"
        b"<link>https://news.example/a/1?a=1&amp;b=2</link></item>"
        b"<item><title><![CDATA[Fish &amp; chips]]></title><link>https://news.example/a/2</link></item>"
        b"</channel></rss>"
    )
    found = parse_feed(body, "https://news.example/rss")
    assert [d.title for d in found] == ["Tom & Jerry\u2019s big day", "Fish & chips"]
    assert found[0].url == "https://news.example/a/1?a=1&b=2"


# -- sitemaps ------------------------------------------------------------------------------------------
def test_sitemaps_named_only_in_robots_txt_are_read(fetcher: Fetcher) -> None:
    with RouteServer() as server:
        server.routes["/robots.txt"] = Route(
            f"User-agent: *\nDisallow: /private/\nSitemap: {server.base}/sitemaps/news.xml\n"
            f"Sitemap: {server.base}/sitemaps/index.xml\n".encode(),
            "text/plain",
        )
        server.routes["/sitemaps/news.xml"] = Route(_urlset(server.base, ["/a/1.html"]), "application/xml")
        server.routes["/sitemaps/index.xml"] = Route(_index([server.base + "/sitemaps/more.xml"]), "text/xml")
        server.routes["/sitemaps/more.xml"] = Route(_urlset(server.base, ["/a/2.html"]), "text/xml")
        found, errors = _discover(fetcher, sitemaps=[server.base + "/robots.txt"])
        assert server.count("/robots.txt") == 1
    assert errors == []
    assert set(found) == {server.base + "/a/1.html", server.base + "/a/2.html"}


def test_news_sitemap_with_mixed_date_formats() -> None:
    formats = [
        "2024-03-05T07:00:00+02:00",
        "2024-03-05T05:00:00.000Z",
        "2024-03-05T07:00:00.000+0200",
        "Tue, 05 Mar 2024 05:00:00 GMT",
        "05 Mar 2024 07:00:00 +0200",
        "2024-03-05 05:00:00",
    ]
    rows = "".join(
        f"<url><loc>https://news.example/a/{n}.html</loc><news:news><news:publication_date>{value}"
        "</news:publication_date><news:title>T</news:title></news:news></url>"
        for n, value in enumerate(formats)
    )
    body = (
        f'<urlset {NS} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{rows}</urlset>'
    ).encode()
    result = parse_sitemap(body, "https://news.example/news.xml")
    assert [d.published for d in result.urls] == [datetime(2024, 3, 5, 5, 0, tzinfo=UTC)] * len(formats)
    assert parse_w3c_datetime("2024-03") == datetime(2024, 3, 1, tzinfo=UTC)
    assert parse_w3c_datetime("05/03/2024") is None  # day or month first: unknowable, so no date


@pytest.mark.parametrize("double", [False, True])
def test_gzip_sitemap_served_with_content_encoding_gzip(fetcher: Fetcher, double: bool) -> None:
    with RouteServer() as server:
        plain = _urlset(server.base, ["/a/1.html", "/a/2.html"])
        body = gzip.compress(gzip.compress(plain)) if double else gzip.compress(plain)
        server.routes["/sitemap.xml.gz"] = Route(
            body, "application/x-gzip", headers={"Content-Encoding": "gzip"}
        )
        found, errors = _discover(fetcher, sitemaps=[server.base + "/sitemap.xml.gz"])
    assert errors == [] and set(found) == {server.base + "/a/1.html", server.base + "/a/2.html"}


def _misdeclared(body: bytes) -> bytes:
    return body.replace(b'encoding="UTF-8"', b'encoding="UTF-16"')


def _cp1252_inside(body: bytes) -> bytes:
    """A UTF-8 sitemap whose first entry has a windows-1252 byte (an old CMS's database pasted in)."""
    return body.replace(b"/a/1.html", "/a/caf\u00e9-1.html".encode("cp1252"), 1)


@pytest.mark.parametrize(
    ("spoil", "first"),
    [
        (lambda body: b"\n\n" + body, "/a/1.html"),  # a plugin's blank lines before <?xml
        (lambda body: b"\xef\xbb\xbf\r\n" + body, "/a/1.html"),  # a BOM, then a line break
        (_misdeclared, "/a/1.html"),  # UTF-16 declared over UTF-8 bytes
        (_cp1252_inside, "/a/caf%C3%A9-1.html"),
    ],
    ids=["blank lines", "bom and line break", "utf-16 declared", "cp1252 byte"],
)
def test_a_sitemap_whose_start_or_bytes_stray_from_utf8_is_read(
    fetcher: Fetcher, spoil: Callable[[bytes], bytes], first: str
) -> None:
    """Each failed on main: one `parse` row ("malformed sitemap XML": libxml2 allows the declaration
    only at the very start, reads the UTF-16 label, stops at the byte) and no entry."""
    with RouteServer() as server:
        body = spoil(_urlset(server.base, ["/a/1.html", "/a/2.html"]))
        server.routes["/sitemap.xml"] = Route(body, "application/xml")
        server.routes["/sitemap.xml.gz"] = Route(gzip.compress(body), "application/x-gzip")
        found, errors = _discover(
            fetcher, sitemaps=[server.base + "/sitemap.xml", server.base + "/sitemap.xml.gz"]
        )
    assert errors == [] and list(found) == [server.base + first, server.base + "/a/2.html"]


def test_a_sitemap_in_a_legacy_charset_it_declares_is_read_in_it() -> None:
    """Left to the parser: a declared ISO-8859-1 sitemap is not the UTF-8 one with stray bytes above."""
    body = '<?xml version="1.0" encoding="ISO-8859-1"?><urlset {}><url><loc>https://h.example/caf\u00e9</loc></url></urlset>'
    parsed = parse_sitemap(body.format(NS).encode("latin-1"), "https://h.example/sitemap.xml")
    assert [item.url for item in parsed.urls] == ["https://h.example/caf%C3%A9"]


def test_hreflang_alternates_in_a_sitemap_are_not_entries(fetcher: Fetcher) -> None:
    """Each language's copy of a story is its own ``<url>`` when the site lists it; an alternate named
    only in ``<xhtml:link hreflang>`` is a translation the outlet did not list, and not fetched: a source
    is one outlet in the languages it lists, not every language its stories exist in."""
    with RouteServer() as server:
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{lang}" href="{server.base}/{lang}/1.html"/>'
            for lang in ("en", "de", "fr")
        )
        body = _urlset(server.base, ["/en/1.html", "/de/1.html"], alternates).replace(
            b"<urlset ", b'<urlset xmlns:xhtml="http://www.w3.org/1999/xhtml" '
        )
        server.routes["/sitemap.xml"] = Route(body, "application/xml")
        found, errors = _discover(fetcher, sitemaps=[server.base + "/sitemap.xml"])
    assert errors == [] and list(found) == [server.base + "/en/1.html", server.base + "/de/1.html"]


def test_index_to_index_to_urlset_and_indexes_that_list_each_other(fetcher: Fetcher) -> None:
    with RouteServer() as server:
        b = server.base
        server.routes.update(
            {
                "/top.xml": Route(_index([b + "/top.xml", b + "/mid.xml", b + "/loop.xml"]), "text/xml"),
                "/mid.xml": Route(_index([b + "/leaf.xml", b + "/top.xml?utm_source=x"]), "text/xml"),
                "/loop.xml": Route(_index([b + "/mid.xml", b + "/loop.xml"]), "text/xml"),
                "/leaf.xml": Route(_urlset(b, ["/a/1.html"]), "text/xml"),
            }
        )
        found, errors = _discover(fetcher, sitemaps=[b + "/top.xml"])
        assert [server.count(p) for p in ("/top.xml", "/mid.xml", "/loop.xml", "/leaf.xml")] == [1, 1, 1, 1]
    assert errors == [] and set(found) == {b + "/a/1.html"}


def test_an_index_of_fifty_thousand_children_fetches_and_queues_a_bounded_number(fetcher: Fetcher) -> None:
    with RouteServer() as server:
        children = [f"{server.base}/part-{n}.xml" for n in range(50_000)]
        server.routes["/index.xml"] = Route(_index(children), "text/xml")
        server.fallback = lambda path: Route(
            _index([f"{server.base}{path}-{n}.xml" for n in range(2_000)]), "text/xml"
        )
        started = time.monotonic()
        _discover(fetcher, sitemaps=[server.base + "/index.xml"])
        elapsed = time.monotonic() - started
        assert len(server.hits) <= 51  # robots.txt + MAX_SITEMAPS_PER_SOURCE
    assert elapsed < 60  # bounds a hang; the fetch count is the measure


def _million_urls(count: int) -> bytes:
    row = b"<url><loc>https://news.example/a/story-%d.html</loc><lastmod>2024-03-05</lastmod></url>"
    body = b"".join(row % n for n in range(count))
    return gzip.compress(b'<?xml version="1.0"?><urlset ' + NS.encode() + b">" + body + b"</urlset>", 1)


def test_a_sitemap_of_a_million_urls_costs_its_first_entries_only() -> None:
    big = _million_urls(1_000_000)  # 95 MB inflated, past the 50 MB inflate budget
    tracemalloc.start()
    try:
        result = parse_sitemap(big, "https://news.example/all.xml.gz", max_items=5_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(result.urls) == 5_000
    assert result.urls[-1].url == "https://news.example/a/story-4999.html"
    assert peak < 30_000_000, peak


def test_a_sitemap_past_the_fetch_limit_keeps_the_entries_before_the_cut(fetcher: Fetcher) -> None:
    with RouteServer() as server:
        body = _urlset(server.base, [f"/a/{n}.html" for n in range(60_000)])
        assert len(body) > POLICY.max_bytes
        server.routes["/big.xml"] = Route(body, "application/xml")
        found, errors = _discover(fetcher, sitemaps=[server.base + "/big.xml"])
    assert errors == []
    assert len(found) == 5_000 and server.base + "/a/0.html" in found


def test_a_text_sitemap_is_read_line_by_line(fetcher: Fetcher) -> None:
    with RouteServer() as server:
        lines = [f"{server.base}/a/{n}.html" for n in range(3)] + ["", "not a url", "javascript:alert(1)"]
        body = b"\xef\xbb\xbf" + "\r\n".join(lines).encode()
        server.routes["/sitemap.txt"] = Route(body, "text/plain; charset=utf-8")
        server.routes["/sitemap.txt.gz"] = Route(gzip.compress(body), "application/gzip")
        found, errors = _discover(
            fetcher, sitemaps=[server.base + "/sitemap.txt", server.base + "/sitemap.txt.gz"]
        )
    assert errors == [] and set(found) == {f"{server.base}/a/{n}.html" for n in range(3)}


def test_a_feed_of_fifty_thousand_entries_costs_its_first_entries_only() -> None:
    items = b"".join(
        b"<item><title>Story %d</title><link>https://news.example/a/%d.html</link>"
        b"<description><![CDATA[<p>Words of story %d.</p>]]></description></item>" % (n, n, n)
        for n in range(50_000)
    )
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>' + items + b"</channel></rss>"
    tracemalloc.start()
    try:
        found = parse_feed(body, "https://news.example/rss", max_items=500)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [d.url for d in found] == [f"https://news.example/a/{n}.html" for n in range(500)]
    assert peak < 40_000_000, peak  # before: feedparser built all 50,000 entries (> 150 MB)
