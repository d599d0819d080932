"""The hostile-server audit a new user would run before trusting the crawler with outlets nobody has seen:
each case is a whole ``crawl`` (discover, fetch, extract, dedup, store) against a real server on
127.0.0.1. Every case ends with each listed item decided once (stored, or one error row with its kind),
nothing stored twice, and the run ending in bounded time."""

from __future__ import annotations

import email.utils
import gzip
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from config.sources import Source
from tests.hostile_servers import Behaviour, HostileServer, Route, RouteServer
from tests.test_crawl_hostile import FAST, _crawl, _rows, sitemap, story
from tests.test_crawl_hostile import store as store  # the fixture, shared
from tests.test_crawl_unseen import rss
from worker.models import ArticleRecord, DuplicateRecord, IngestErrorRecord
from worker.store import Store


def _stored(store: Store) -> list[str]:
    return sorted(row.canonical_url for row in _rows(store, ArticleRecord))


def _kinds(store: Store) -> Counter[str]:
    return Counter(row.kind for row in _rows(store, IngestErrorRecord))


def _listed(server: RouteServer, paths: list[str], **settings: object) -> Source:
    server.routes["/sitemap.xml"] = sitemap([server.base + path for path in paths])
    return Source(name="audit", sitemaps=[server.base + "/sitemap.xml"], **{**FAST, **settings})


# -- robots.txt (RFC 9309 2.3.1) ------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "allowed"), [(500, False), (503, False), (404, True), (403, True)])
def test_robots_txt_answering_5xx_disallows_everything_and_4xx_allows_everything(
    store: Store, status: int, allowed: bool
) -> None:
    with RouteServer() as server:
        server.routes["/robots.txt"] = Route(b"<h1>oops</h1>", status=status)
        server.routes["/a/1.html"] = Route(story(1))
        summary = _crawl(store, _listed(server, ["/a/1.html"]))
        asked = [hit for hit in server.hits if hit != "/robots.txt"]
    if allowed:
        assert _stored(store) == [f"{server.base}/a/1.html"] and not _kinds(store)
    else:  # not even the sitemap is requested; the listing carries one `robots` row
        assert asked == [] and _kinds(store) == {"robots": 1} and summary.total.stored == 0


# -- Retry-After ----------------------------------------------------------------------------------------
def _retry_after(form: str, seconds: float) -> str:
    if form == "seconds":
        return f"{seconds:g}"
    return email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


@pytest.mark.parametrize("form", ["seconds", "http-date"])
@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_in_seconds_or_as_an_http_date_is_honoured(store: Store, form: str, status: int) -> None:
    with RouteServer() as server:
        times: list[float] = []

        def page(path: str) -> Route:
            times.append(time.monotonic())
            if len(times) == 1:
                return Route(b"busy", status=status, headers={"Retry-After": _retry_after(form, 2)})
            return Route(story(2))

        server.routes["/a/2.html"] = page
        summary = _crawl(store, _listed(server, ["/a/2.html"], retry_after_cap_s=5.0))
    assert summary.total.stored == 1 and len(times) == 2
    assert times[1] - times[0] >= 1.0  # an HTTP date has whole seconds: "in 2 s" is 1 to 2 s from now


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_a_retry_after_beyond_the_cap_pauses_the_host_in_either_form(store: Store, form: str) -> None:
    with RouteServer() as server:
        server.fallback = lambda path: Route(
            b"busy", status=503, headers={"Retry-After": _retry_after(form, 86_400)}
        )
        started = time.monotonic()
        _crawl(store, _listed(server, ["/a/1.html", "/a/2.html", "/a/3.html"]))
        elapsed = time.monotonic() - started
        asked = [hit for hit in server.hits if hit.startswith("/a/")]
    assert asked == ["/a/1.html"]  # one request, then the host is paused: the others are not sent
    assert _kinds(store) == {"http_status": 3} and elapsed < 10


# -- bodies that lie or crawl ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "kinds"),
    [
        ("drip", {}),  # ends slowly, inside the deadline: stored
        ("short", {"fetch": 1}),  # Content-Length longer than the body
        ("long", {"not_an_article": 1}),  # body longer than its Content-Length: cut there, 200 bytes
        ("reset", {"fetch": 1}),  # TCP reset mid-body
        ("endless", {"too_large": 1}),  # a chunked body that never ends
    ],
)
def test_bodies_that_drip_lie_about_their_length_reset_or_never_end(
    store: Store, mode: str, kinds: dict[str, int]
) -> None:
    behaviour = Behaviour(
        mode=mode, chunk_bytes=150, interval_s=0.12 if mode == "drip" else 0.001, scope="/a/"
    )
    with HostileServer(behaviour) as server:
        rows = f"<url><loc>{server.base}/a/1.html</loc></url>"
        behaviour.pages["/sitemap.xml"] = (
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'.encode(),
            "application/xml",
        )
        settings = {**FAST, "timeout_s": 5.0, "max_bytes": 200_000}
        source = Source(name="audit", sitemaps=[server.base + "/sitemap.xml"], **settings)
        started = time.monotonic()
        summary = _crawl(store, source)
        elapsed = time.monotonic() - started
    assert _kinds(store) == Counter(kinds)
    assert summary.total.stored == (0 if kinds else 1) and elapsed < 30
    if mode == "drip":
        assert elapsed >= 0.8  # it really dripped (about 1.1 s), and was waited for


# -- gzip bombs -----------------------------------------------------------------------------------------
BOMB_BYTES = 40_000_000  # inflated; about 40 KB on the wire


def _bomb(prefix: bytes = b"", suffix: bytes = b"") -> bytes:
    return gzip.compress(prefix + b" " * BOMB_BYTES + suffix, 6)


def test_a_gzip_bomb_page_is_refused_as_too_large_in_bounded_time(store: Store) -> None:
    with RouteServer() as server:
        html = b"<html><body><article><p>" + b"A story. " * 50
        server.routes["/a/1.html"] = Route(_bomb(html), headers={"Content-Encoding": "gzip"})
        server.routes["/a/2.html"] = Route(story(2))
        started = time.monotonic()
        _crawl(store, _listed(server, ["/a/1.html", "/a/2.html"], max_bytes=1_000_000))
        elapsed = time.monotonic() - started
    assert _kinds(store) == {"too_large": 1} and _stored(store) == [f"{server.base}/a/2.html"]
    assert elapsed < 10


@pytest.mark.parametrize("wrapping", ["gz-file", "content-encoding"])
def test_a_gzip_bomb_sitemap_keeps_the_entries_before_the_bomb(store: Store, wrapping: str) -> None:
    with RouteServer() as server:
        rows = "".join(f"<url><loc>{server.base}/a/{n}.html</loc></url>" for n in (1, 2))
        head = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}'.encode()
        bomb = _bomb(head, f"<url><loc>{server.base}/a/3.html</loc></url></urlset>".encode())
        server.fallback = lambda path: Route(story(int(path.split("/")[2].split(".")[0])))
        if wrapping == "gz-file":
            server.routes["/sitemap.xml.gz"] = Route(bomb, "application/gzip")
        else:
            server.routes["/sitemap.xml.gz"] = Route(
                bomb, "application/xml", headers={"Content-Encoding": "gzip"}
            )
        source = Source(
            name="audit", sitemaps=[server.base + "/sitemap.xml.gz"], **{**FAST, "max_bytes": 1_000_000}
        )
        started = time.monotonic()
        _crawl(store, source)
        elapsed = time.monotonic() - started
    assert _stored(store) == [f"{server.base}/a/1.html", f"{server.base}/a/2.html"]
    assert elapsed < 15


# -- redirects ------------------------------------------------------------------------------------------
def test_redirect_loops_long_chains_and_relative_or_scheme_relative_targets(store: Store) -> None:
    with RouteServer() as server:
        host = server.base.split("//")[1]
        server.routes["/loop/1"] = Route(b"", status=301, headers={"Location": "/loop/2"})
        server.routes["/loop/2"] = Route(b"", status=302, headers={"Location": f"{server.base}/loop/1"})
        for hop in range(30):
            server.routes[f"/hop/{hop}"] = Route(b"", status=301, headers={"Location": f"/hop/{hop + 1}"})
        server.routes["/hop/30"] = Route(story(30))
        server.routes["/x/y/rel"] = Route(b"", status=302, headers={"Location": "../../a/5.html"})
        server.routes["/proto"] = Route(b"", status=301, headers={"Location": f"//{host}/a/6.html"})
        server.routes["/a/5.html"] = Route(story(5))
        server.routes["/a/6.html"] = Route(story(6))
        summary = _crawl(store, _listed(server, ["/loop/1", "/hop/0", "/x/y/rel", "/proto"]))
        hops = sum(1 for hit in server.hits if hit.startswith("/hop/"))
    assert _kinds(store) == {"redirect": 2}  # the loop, and the chain past max_redirects (5)
    assert hops == 6 and summary.total.stored == 2
    assert _stored(store) == [f"{server.base}/a/5.html", f"{server.base}/a/6.html"]


# -- sitemap indexes that reference themselves or each other --------------------------------------------
def test_a_sitemap_index_that_lists_itself_and_a_cycle_of_indexes(store: Store) -> None:
    def index(children: list[str]) -> Route:
        rows = "".join(f"<sitemap><loc>{child}</loc></sitemap>" for child in children)
        body = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
        return Route(body.encode(), "application/xml")

    with RouteServer() as server:
        base = server.base
        server.routes["/index.xml"] = index([f"{base}/index.xml", f"{base}/b.xml"])
        server.routes["/b.xml"] = index([f"{base}/index.xml", f"{base}/c.xml", f"{base}/b.xml"])
        server.routes["/c.xml"] = sitemap([f"{base}/a/1.html", f"{base}/a/2.html"])
        server.fallback = lambda path: Route(story(int(path.split("/")[2].split(".")[0])))
        source = Source(name="audit", sitemaps=[f"{base}/index.xml"], **FAST)
        summary = _crawl(store, source)
        listings = Counter(hit for hit in server.hits if hit.endswith(".xml"))
    assert listings == {"/index.xml": 1, "/b.xml": 1, "/c.xml": 1}
    assert summary.total.stored == 2 and not _kinds(store)


# -- huge feeds -----------------------------------------------------------------------------------------
def test_a_feed_of_100000_items_past_the_byte_limit_keeps_its_first_entries(store: Store) -> None:
    with RouteServer() as server:
        items = [(f"Story {n}", f"{server.base}/a/{n}.html") for n in range(100_000)]
        feed = rss(items)
        server.routes["/rss.xml"] = feed
        server.fallback = lambda path: Route(story(int(path.split("/")[2].split(".")[0])))
        source = Source(name="audit", feeds=[server.base + "/rss.xml"], max_items_per_feed=3, **FAST)
        started = time.monotonic()
        summary = _crawl(store, source)
        elapsed = time.monotonic() - started
    assert len(feed.body) > 10_000_000  # past the default max_bytes
    # before: the whole feed refused as `too_large`, nothing discovered
    assert not _kinds(store) and summary.total.stored == 3
    assert _stored(store) == [f"{server.base}/a/{n}.html" for n in range(3)]
    assert elapsed < 30


# -- labels that lie ------------------------------------------------------------------------------------
def test_content_type_missing_or_wrong(store: Store) -> None:
    with RouteServer() as server:
        server.routes["/a/1.html"] = Route(story(1), "text/plain")  # HTML served as text/plain
        server.routes["/a/2.html"] = Route(story(2), None)  # no Content-Type at all
        server.routes["/a/3.html"] = Route(story(3), "application/octet-stream")
        server.routes["/a/4.html"] = Route(b"\x89PNG\r\n\x1a\n" + b"\0" * 300, "text/html")  # an image
        feed = rss([(f"Story {n}", f"{server.base}/a/{n}.html") for n in (1, 2, 3, 4)])
        server.routes["/feed"] = Route(feed.body, "text/html; charset=utf-8")  # a feed served as HTML
        server.routes["/feed2"] = Route(rss([("Five", f"{server.base}/a/5.html")]).body, None)
        server.routes["/a/5.html"] = Route(story(5))
        source = Source(name="audit", feeds=[server.base + "/feed", server.base + "/feed2"], **FAST)
        summary = _crawl(store, source)
    assert _stored(store) == [f"{server.base}/a/{n}.html" for n in (1, 2, 3, 5)]
    assert _kinds(store) == {"not_html": 1} and summary.total.stored == 4


@pytest.mark.parametrize(
    ("header", "meta", "body_charset"),
    [
        ("iso-8859-1", "utf-8", "utf-8"),  # the server's default charset, the page's own UTF-8
        ("utf-8", "windows-1252", "windows-1252"),  # a template's header, the page's real charset
    ],
)
def test_a_header_charset_that_disagrees_with_the_meta(
    store: Store, header: str, meta: str, body_charset: str
) -> None:
    text = "Café owners in Zürich and Škoda workers in Plzeň met the mayor. " * 20
    html = (
        f'<html><head><meta charset="{meta}"><title>Café owners meet</title></head><body><article>'
        f"<h1>Café owners meet</h1><p>{text}</p><p>{text}</p></article></body></html>"
    )
    with RouteServer() as server:
        body = html.encode(body_charset, errors="replace" if body_charset != "utf-8" else "strict")
        server.routes["/a/1.html"] = Route(body, f"text/html; charset={header}")
        _crawl(store, _listed(server, ["/a/1.html"]))
    (record,) = _rows(store, ArticleRecord)
    assert "Café owners in Zürich" in record.text and "Ã" not in record.text


def test_one_feed_listing_a_story_under_tracking_parameters_and_fragments(store: Store) -> None:
    with RouteServer() as server:
        page = f"{server.base}/a/9.html"
        spellings = [
            page,
            f"{page}?utm_source=rss&amp;utm_medium=feed",
            f"{page}?fbclid=IwAR3x",
            f"{page}#comments",
            f"{page}?utm_campaign=x#top",
        ]
        server.routes["/rss.xml"] = rss([(f"Nine {n}", link) for n, link in enumerate(spellings)])
        server.routes["/a/9.html"] = Route(story(9))
        summary = _crawl(store, Source(name="audit", feeds=[server.base + "/rss.xml"], **FAST))
        asked = server.count("/a/9.html")
    assert asked == 1 and summary.total.discovered == 1
    assert _stored(store) == [page] and not _rows(store, DuplicateRecord) and not _kinds(store)


def test_a_feed_cut_mid_entry_drops_the_half_entry_and_keeps_the_rest(store: Store) -> None:
    with RouteServer() as server:
        whole = rss([(f"Story {n}", f"{server.base}/a/{n}.html") for n in (1, 2, 3)]).body
        cut = whole[: whole.index(b"/a/3.html") + len(b"/a/")]  # the last link stops at ".../a/"
        server.routes["/rss.xml"] = Route(cut, "application/rss+xml")
        server.fallback = lambda path: Route(story(int(path.split("/")[2].split(".")[0])))
        summary = _crawl(store, Source(name="audit", feeds=[server.base + "/rss.xml"], **FAST))
        asked = [hit for hit in server.hits if hit.startswith("/a/")]
    # held: feedparser drops the unclosed entry, so the half address "./a/" is never fetched
    assert asked == ["/a/1.html", "/a/2.html"] and summary.total.stored == 2 and not _kinds(store)
