"""Discovery: feed formats, sitemaps (index, news, gzip, bombs), section pages, and a whole source."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from config.sources import Defaults, parse_sources
from scrapers.discover import discover, parse_feed, parse_section, parse_sitemap, parse_w3c_datetime
from scrapers.errors import ErrorKind, IngestError
from scrapers.fetch import Fetcher, FetchPolicy
from worker.demo import DemoSite

RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Desk</title><link>https://news.example/</link>
<item><title>First</title><link>https://news.example/a/first/1001.html?utm_source=rss</link>
<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate></item>
<item><title>Second</title><guid isPermaLink="true">https://news.example/a/second/1002.html</guid>
<pubDate>Tue, 05 Mar 2024 09:00:00 +0100</pubDate></item>
<item><title>No link at all</title><description>orphan</description></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:x</id><updated>2024-03-05T12:00:00Z</updated>
<entry><title>Entry</title><link rel="alternate" href="/world/2024/03/05/entry/"/><id>urn:1</id>
<updated>2024-03-05T12:30:00Z</updated><published>2024-03-05T11:00:00Z</published></entry>
</feed>"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://dw.example/rdf"><title>DW</title><link>https://dw.example/</link>
<items><rdf:Seq><rdf:li rdf:resource="https://dw.example/en/story/a-1"/></rdf:Seq></items></channel>
<item rdf:about="https://dw.example/en/story/a-1"><title>Story</title><link>https://dw.example/en/story/a-1</link>
<dc:date>2024-03-05T08:15:00+01:00</dc:date></item>
</rdf:RDF>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/a/one/1.html</loc><lastmod>2024-03-05</lastmod>
<news:news><news:publication><news:name>X</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2024-03-05T07:00:00+02:00</news:publication_date><news:title>One</news:title></news:news></url>
<url><loc>https://news.example/a/two/2.html#top</loc></url>
<url><loc>javascript:alert(1)</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/sitemap-1.xml</loc></sitemap>
<sitemap><loc>https://news.example/sitemap-2.xml.gz</loc><lastmod>2024-03-05</lastmod></sitemap>
</sitemapindex>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol3;</loc></url></urlset>"""

XXE = b"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&x;</loc></url></urlset>"""


def test_rss2_entries_are_canonical_and_dated() -> None:
    found = parse_feed(RSS2, "https://news.example/rss")
    assert [d.url for d in found] == [
        "https://news.example/a/first/1001.html",
        "https://news.example/a/second/1002.html",
    ]
    assert found[0].published == datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    assert found[1].published == datetime(2024, 3, 5, 8, 0, tzinfo=UTC)


def test_atom_relative_links_and_updated() -> None:
    (entry,) = parse_feed(ATOM, "https://wire.example/feed.atom")
    assert entry.url == "https://wire.example/world/2024/03/05/entry/"
    assert entry.lastmod == datetime(2024, 3, 5, 12, 30, tzinfo=UTC)
    assert entry.newest == entry.lastmod


def test_rss1_rdf_feed() -> None:
    (entry,) = parse_feed(RSS1, "https://dw.example/rdf")
    assert entry.url == "https://dw.example/en/story/a-1"
    assert entry.newest == datetime(2024, 3, 5, 7, 15, tzinfo=UTC)


def test_feed_item_cap() -> None:
    assert len(parse_feed(RSS2, "https://news.example/rss", max_items=1)) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><head><title>Moved</title></head><body><p>Our feeds moved.</p></body></html>",
        b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY a 'aaaa'>]>"
        b"<rss version='2.0'><channel>&a;</channel></rss>",
        b"this is not xml at all, just words",
    ],
)
def test_a_feed_that_is_not_a_feed_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        parse_feed(body, "https://news.example/rss")
    assert caught.value.kind is ErrorKind.PARSE


def test_news_sitemap_publication_date_and_lastmod() -> None:
    result = parse_sitemap(NEWS_SITEMAP, "https://news.example/sitemap-news.xml")
    assert [d.url for d in result.urls] == [
        "https://news.example/a/one/1.html",
        "https://news.example/a/two/2.html",
    ]
    first = result.urls[0]
    assert first.published == datetime(2024, 3, 5, 5, 0, tzinfo=UTC)
    assert first.lastmod == datetime(2024, 3, 5, tzinfo=UTC)
    assert first.title == "One"


def test_sitemap_index_lists_children_gzip_or_not() -> None:
    result = parse_sitemap(gzip.compress(INDEX), "https://news.example/sitemap.xml.gz")
    assert result.sitemaps == ["https://news.example/sitemap-1.xml", "https://news.example/sitemap-2.xml.gz"]
    assert result.urls == []


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE])
def test_sitemap_with_entities_is_refused_not_expanded(body: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        parse_sitemap(body, "https://news.example/sitemap.xml")
    assert caught.value.kind is ErrorKind.PARSE


def test_sitemap_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 30_000_000 + b"</urlset>")
    with pytest.raises(IngestError) as caught:
        parse_sitemap(bomb, "https://news.example/s.xml.gz", max_bytes=1_000_000)
    assert caught.value.kind is ErrorKind.TOO_LARGE


@pytest.mark.parametrize(
    "body",
    [b"<html><body>not a sitemap</body></html>", b"<feed xmlns='http://www.w3.org/2005/Atom'/>", b"<urlset"],
)
def test_non_sitemaps_are_parse_errors(body: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        parse_sitemap(body, "https://news.example/sitemap.xml")
    assert caught.value.kind is ErrorKind.PARSE


def test_w3c_dates() -> None:
    assert parse_w3c_datetime("2024-03-05") == datetime(2024, 3, 5, tzinfo=UTC)
    assert parse_w3c_datetime("2024-03-05T10:00:00Z") == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert parse_w3c_datetime("2024-03-05T10:00:00+02:00") == datetime(2024, 3, 5, 8, tzinfo=UTC)
    assert parse_w3c_datetime("yesterday") is None


SECTION = """<html><head><base href="https://news.example/world/"></head><body>
<nav><a href="/">Home</a><a href="/world/">World</a><a href="/a/login.html">Log in</a></nav>
<ul><li><a href="/a/story-one/101.html?utm_medium=section">Story one</a></li>
<li><a href="../a/story-two/102.html">Story two</a></li>
<li><a href="/a/story-one/101.html">Story one again</a></li>
<li><a href="https://other.example/a/elsewhere/9.html">Off-site</a></li>
<li><a href="mailto:desk@news.example">Mail us</a></li></ul></body></html>"""


def test_section_page_links_match_pattern_same_host_once() -> None:
    found = parse_section(SECTION, "https://news.example/world/", r"^/a/[^/]+/\d+\.html$")
    assert [d.url for d in found] == [
        "https://news.example/a/story-one/101.html",
        "https://news.example/a/story-two/102.html",
    ]
    assert found[0].title == "Story one"


# -- a whole source against the fixture site ------------------------------------------------------------
@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite() as demo:
        yield demo


def test_discover_merges_feeds_sitemaps_and_pages(site: DemoSite) -> None:
    config = parse_sources(site.sources_document(min_delay_s=0.05))
    errors: list[tuple[str, ErrorKind]] = []
    by_name = {s.name: s for s in config.sources}
    with Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher:
        for name in ("northwind", "harbor", "valley"):
            source = by_name[name]
            found = discover(
                fetcher,
                FetchPolicy.from_source(source),
                feeds=source.feeds,
                sitemaps=source.sitemaps,
                pages=source.pages,
                link_pattern=source.link_pattern,
                max_items_per_feed=source.max_items_per_feed,
                on_error=lambda url, error: errors.append((url, error.kind)),
            )
            urls = [d.url for d in found]
            assert len(urls) == len(set(urls))  # one entry per URL however many listings name it
            expected = {site.url(name, a.path) for a in site.articles if a.outlet == name}
            assert expected <= set(urls), expected - set(urls)  # incl. the old one in the .xml.gz archive
            assert not any("utm_" in url for url in urls)
    assert sorted(errors) == sorted(
        [
            (site.url("valley", "/feed/html/"), ErrorKind.PARSE),
            (site.url("valley", "/bomb-sitemap.xml"), ErrorKind.PARSE),
        ]
    )
    assert not [r for r in site.requests() if r.path.startswith("/private/")]


class _Sitemaps(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    served: dict[str, bytes]
    hits: list[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = self.served.get(self.path)
        status = 200 if body is not None else 404
        body = body if body is not None else b"missing"
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_old_child_sitemaps_are_not_fetched() -> None:
    now = datetime.now(UTC)
    recent, old = now.date().isoformat(), "2019-01-31"

    def urlset(path: str) -> bytes:
        return (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{path}</loc><lastmod>{recent}</lastmod></url></urlset>"
        ).encode()

    handler = type("H", (_Sitemaps,), {"hits": [], "served": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    handler.served.update(
        {
            "/robots.txt": b"User-agent: *\nAllow: /\n",
            "/index.xml": (
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{base}/2019-01.xml</loc><lastmod>{old}</lastmod></sitemap>"
                f"<sitemap><loc>{base}/this-month.xml</loc><lastmod>{recent}</lastmod></sitemap>"
                f"<sitemap><loc>{base}/undated.xml</loc></sitemap></sitemapindex>"
            ).encode(),
            "/2019-01.xml": urlset(f"{base}/a/old-story.html"),
            "/this-month.xml": urlset(f"{base}/a/new-story.html"),
            "/undated.xml": urlset(f"{base}/a/other-story.html"),
        }
    )
    try:
        with Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher:
            found = discover(
                fetcher,
                FetchPolicy.from_source(Defaults(), min_delay_s=0.0, timeout_s=2.0),
                sitemaps=[base + "/index.xml"],
                max_items_per_feed=Defaults().max_items_per_feed,
                not_before=now - timedelta(days=7),
            )
    finally:
        server.shutdown()
        server.server_close()
    assert {d.url for d in found} == {base + "/a/new-story.html", base + "/a/other-story.html"}
    assert "/2019-01.xml" not in handler.hits
