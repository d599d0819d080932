"""Outlets nobody here has seen, added as a new user would add them, each crawled for real against a
server on 127.0.0.1: AMP pages in feeds, canonicals that lie, paginated stories, feeds whose items share one
link or have none, validators that lie, empty 200s, XHTML, ``<base href>`` elsewhere. Each ends with every
item decided once, refusals recorded with their kind, nothing stored twice."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from config.sources import Source
from tests.hostile_servers import Route, RouteServer
from tests.test_crawl_hostile import FAST, _crawl, _rows, listing, sitemap, story
from tests.test_crawl_hostile import store as store  # the fixture, shared
from worker.crawl_state import get_state
from worker.models import ArticleRecord, ArticleVersion, IngestErrorRecord
from worker.store import Store


def rss(items: list[tuple[str, str | None]], *, updated: datetime | None = None) -> Route:
    """An RSS 2.0 feed of (title, link) items; a None link leaves the item without one."""
    date = f"<pubDate>{(updated or datetime.now(UTC)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
    rows = "".join(
        f"<item><title>{title}</title>{f'<link>{link}</link>' if link else ''}{date}</item>"
        for title, link in items
    )
    return Route(f'<rss version="2.0"><channel><title>T</title>{rows}</channel></rss>'.encode(), "text/xml")


def _stored(store: Store) -> list[str]:
    return sorted(row.canonical_url for row in _rows(store, ArticleRecord))


def _errors(store: Store) -> set[tuple[str, str]]:
    return {(row.url, row.kind) for row in _rows(store, IngestErrorRecord)}


def test_an_amp_page_listed_alone_is_stored_once_under_its_canonical(store: Store) -> None:
    with RouteServer() as server:
        full = f"{server.base}/a/5.html"
        amp = story(5, canonical=full).replace(b"<html", b"<html amp", 1)
        server.routes["/amp/a/5.html"] = Route(amp)
        server.routes["/a/5.html"] = Route(story(5, canonical=full))
        server.routes["/rss.xml"] = rss([("Five", f"{server.base}/amp/a/5.html")])
        source = Source(name="amp-only", feeds=[server.base + "/rss.xml"], **FAST)
        first = _crawl(store, source)
        second = _crawl(store, source)
    assert _stored(store) == [full] and first.total.stored == 1
    assert second.total.fetched == 0  # the canonical spelling is an alias now


def test_a_canonical_on_another_host_or_at_the_home_page_is_not_trusted(store: Store) -> None:
    with RouteServer() as server, RouteServer() as other:
        server.routes["/a/1.html"] = Route(story(1, canonical=f"{other.base}/original/1.html"))
        server.routes["/a/2.html"] = Route(story(2, canonical=f"{server.base}/"))
        server.routes["/a/3.html"] = Route(story(3, canonical="/"))
        urls = [f"{server.base}/a/{n}.html" for n in (1, 2, 3)]
        server.routes["/sitemap.xml"] = sitemap(urls)
        summary = _crawl(store, Source(name="canon", sitemaps=[server.base + "/sitemap.xml"], **FAST))
        assert other.hits == []  # the claimed original is never fetched for it
    assert _stored(store) == urls and summary.total.new_versions == 0


def test_a_story_split_over_pages_stores_its_first_page_and_follows_no_next_link(store: Store) -> None:
    with RouteServer() as server:
        first = story(8).replace(
            b"</head>", f'<link rel="next" href="{server.base}/a/8.html?page=2"></head>'.encode()
        )
        first = first.replace(b"</article>", b'<a href="/a/8.html?page=2">Page 2</a></article>')
        server.routes["/a/8.html"] = Route(first)
        server.routes["/a/8.html?page=2"] = Route(story(80))
        server.routes["/sitemap.xml"] = sitemap([f"{server.base}/a/8.html"])
        summary = _crawl(store, Source(name="paged", sitemaps=[server.base + "/sitemap.xml"], **FAST))
        assert server.count("/a/8.html?page=2") == 0
    assert _stored(store) == [f"{server.base}/a/8.html"] and summary.total.error_count == 0


def test_a_feed_whose_items_share_one_link_or_have_none(store: Store) -> None:
    with RouteServer() as server:
        server.routes["/shared.xml"] = rss([(f"Story {n}", f"{server.base}/") for n in range(10)])
        server.routes["/nolinks.xml"] = rss([(f"Story {n}", None) for n in range(10)])
        server.routes["/"] = Route(listing("Home"))
        feeds = [server.base + "/shared.xml", server.base + "/nolinks.xml"]
        server.routes["/live.xml"] = rss(
            [(f"Update {n}", f"{server.base}/live/9#post-{n}") for n in range(5)]
        )
        server.routes["/live/9"] = Route(story(9))
        feeds.append(server.base + "/live.xml")  # a live blog: every update is the same page, fetched once
        summary = _crawl(store, Source(name="onelink", feeds=feeds, **FAST))
        assert server.count("/") == 0 and server.count("/live/9") == 1
    assert _stored(store) == [f"{server.base}/live/9"] and summary.total.stored == 1
    # before: the home page fetched and refused as not_an_article, and the link-less feed read as empty
    assert _errors(store) == {(feeds[0], "parse"), (feeds[1], "parse")}
    messages = sorted(row.message for row in _rows(store, IngestErrorRecord))
    assert "has no usable link" in messages[0] and "home page" in messages[1]


def test_a_feed_that_is_an_html_error_page_served_with_200_is_a_parse_error(store: Store) -> None:
    with RouteServer() as server:
        server.routes["/rss.xml"] = Route(listing("Oops"), "text/html")
        summary = _crawl(store, Source(name="htmlfeed", feeds=[server.base + "/rss.xml"], **FAST))
    assert _errors(store) == {(server.base + "/rss.xml", "parse")}
    assert summary.total.errors == Counter({"parse": 1})


def test_a_server_answering_304_to_every_conditional_get(store: Store) -> None:
    with RouteServer() as server:
        version = {"n": 1}

        def page(path: str) -> Route:
            conditional = {"if-none-match", "if-modified-since"} & set(server.headers[-1])
            if conditional:
                return Route(b"", status=304)
            return Route(story(9 if version["n"] == 1 else 90), headers={"ETag": '"same"'})

        server.routes["/a/9.html"] = page
        when = datetime.now(UTC) - timedelta(hours=1)
        server.routes["/rss.xml"] = rss([("Nine", f"{server.base}/a/9.html")], updated=when)
        source = Source(name="liar", feeds=[server.base + "/rss.xml"], **FAST)
        _crawl(store, source)
        version["n"] = 2  # the story is rewritten and the feed says so; the server still answers 304
        server.routes["/rss.xml"] = rss([("Nine", f"{server.base}/a/9.html")], updated=datetime.now(UTC))
        second = _crawl(store, source)
        third = _crawl(store, source)  # nothing listed as changed: a conditional revisit (not due yet)
    # before: the second run sent If-None-Match, believed the 304, and kept the old text
    assert second.total.new_versions == 1 and second.total.not_modified == 0
    assert len(_rows(store, ArticleVersion)) == 1
    assert third.total.fetched == 0 and third.total.skipped_fresh == 1


def test_a_server_answering_304_to_every_revisit_of_an_undated_page(store: Store) -> None:
    with RouteServer() as server:
        version = {"n": 1}
        validators = {"ETag": '"same"', "Last-Modified": "Mon, 02 Nov 2026 10:00:00 GMT"}

        def page(path: str) -> Route:
            if {"if-none-match", "if-modified-since"} & set(server.headers[-1]):
                return Route(b"", status=304)  # whatever the page holds now
            return Route(story(12 if version["n"] == 1 else 120), headers=validators)

        server.routes["/a/12.html"] = page
        server.routes["/sitemap.xml"] = sitemap([f"{server.base}/a/12.html"])  # no lastmod: nothing dates it
        source = Source(
            name="stale",
            sitemaps=[server.base + "/sitemap.xml"],
            revisit_after=timedelta(milliseconds=1),
            full_fetch_after=timedelta(seconds=2),
            **FAST,
        )
        _crawl(store, source)
        version["n"] = 2  # rewritten; no listing says so, and the server answers 304 to every revisit
        second = _crawl(store, source)
        time.sleep(2.1)  # past full_fetch_after since the last full fetch
        third = _crawl(store, source)
        asked = [
            headers for hit, headers in zip(server.hits, server.headers, strict=True) if hit == "/a/12.html"
        ]
        fourth = _crawl(store, source)
    assert second.total.not_modified == 1  # within the bound a revisit is conditional (the lie believed)
    # before: the third run sent If-None-Match again, believed the 304, and kept the old text for good
    assert third.total.new_versions == 1 and third.total.not_modified == 0
    assert "if-none-match" not in asked[-1] and "if-modified-since" not in asked[-1]
    assert fourth.total.not_modified == 1  # the full fetch restarted the bound: conditional again
    assert len(_rows(store, ArticleVersion)) == 1


def test_an_empty_200_and_an_xhtml_page(store: Store) -> None:
    xhtml = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        + story(11).replace(b'<html lang="en">', b'<html xmlns="http://www.w3.org/1999/xhtml" lang="en">')
    )
    with RouteServer() as server:
        server.routes["/a/empty.html"] = Route(b"")
        server.routes["/a/11.xhtml"] = Route(xhtml, "application/xhtml+xml")
        urls = [f"{server.base}/a/empty.html", f"{server.base}/a/11.xhtml"]
        server.routes["/sitemap.xml"] = sitemap(urls)
        summary = _crawl(store, Source(name="xhtml", sitemaps=[server.base + "/sitemap.xml"], **FAST))
    assert _stored(store) == [f"{server.base}/a/11.xhtml"]
    assert _errors(store) == {(f"{server.base}/a/empty.html", "empty")}
    assert summary.total.stored == 1


def test_a_section_page_with_base_href_on_another_host(store: Store) -> None:
    with RouteServer() as server, RouteServer() as cdn:
        links = "".join(f'<li><a href="/news/{n}.html">Story {n}</a></li>' for n in range(3))
        server.routes["/news/"] = Route(
            f'<html><head><base href="{cdn.base}/"></head><body><ul>{links}</ul></body></html>'.encode()
        )
        server.fallback = lambda path: Route(story(int(path.split("/")[2].split(".")[0]) + 20))
        source = Source(name="based", pages=[server.base + "/news/"], link_pattern=r"^/news/\d", **FAST)
        summary = _crawl(store, source)
        assert cdn.hits == []  # the crawl never leaves the site
    # before: every link resolved onto the CDN host, dropped as off-site: nothing discovered, no error
    assert _stored(store) == [f"{server.base}/news/{n}.html" for n in range(3)]
    assert summary.total.stored == 3


def _home(links: list[str], head: str = "", stories: tuple[str, ...] | list[str] = ()) -> Route:
    """A menu of short labels (``links``), then a story list whose headlines are their words in full: a
    story link inside a menu of labels is the template's (``scrapers.story_links.short_label_blocks``)."""
    anchors = "".join(
        f'<li><a href="{href}">{href.strip("/").replace("-", " ") or "Home"}</a></li>' for href in links
    )
    grid = "".join(
        f'<h2><a href="{href}">Harbour story {n}: {href.strip("/").replace("-", " ").replace("/", " ")}</a></h2>'
        for n, href in enumerate(stories)
    )
    body = f"<ul>{anchors}</ul><div>{grid}</div>"
    return Route(f"<html><head><title>Home</title>{head}</head><body>{body}</body></html>".encode())


NAV = ["/", "/world/", "/politics/", "/tag/harbour", "/author/jane-doe-smith-jones", "/page/2", "/about"]


def test_a_source_given_only_its_home_page_finds_its_feed_its_sitemap_or_its_article_links(
    store: Store,
) -> None:
    with RouteServer() as feedy, RouteServer() as mapped, RouteServer() as linked, RouteServer() as bare:
        feedy.routes["/"] = _home(NAV, '<link rel="alternate" type="application/rss+xml" href="/rss">')
        feedy.routes["/rss"] = rss([("One", f"{feedy.base}/s/1"), ("Two", f"{feedy.base}/s/2")])
        mapped.routes["/"] = _home(NAV)
        mapped.routes["/robots.txt"] = Route(
            f"User-agent: *\nSitemap: {mapped.base}/map.xml\n".encode(), "text/plain"
        )
        mapped.routes["/map.xml"] = sitemap([f"{mapped.base}/s/3"])
        articles = [
            "/2024/05/12/harbour-vote",
            "/news/33012345.html",
            "/world/harbour-council-votes-on-the-budget",
        ]
        linked.routes["/"] = _home(NAV, stories=articles)
        bare.routes["/"] = _home(NAV)
        for server, n in [(feedy, 1), (feedy, 2), (mapped, 3)]:
            server.routes[f"/s/{n}"] = Route(story(30 + n))
        linked.fallback = lambda path: Route(story(40 + len(path)))
        sources = [
            Source(name=name, pages=[server.base + "/"], **FAST)  # no link_pattern: before, a config error
            for name, server in [("feedy", feedy), ("mapped", mapped), ("linked", linked), ("bare", bare)]
        ]
        summary = Counter()
        for source in sources:
            result = _crawl(store, source).total
            summary[source.name] = result.stored
        nav_fetches = [hit for hit in linked.hits if hit in NAV[1:]]
    assert +summary == Counter({"feedy": 2, "mapped": 1, "linked": 3})
    assert nav_fetches == []  # listings and tag, author and paging links are not taken for articles
    assert [f"{linked.base}{path}" for path in sorted(articles)] == [
        url for url in _stored(store) if url.startswith(linked.base)
    ]
    assert _errors(store) == {(bare.base + "/", "parse")}


def test_a_304_to_a_request_that_named_no_copy_is_an_error_not_a_fresh_page(store: Store) -> None:
    with RouteServer() as server:
        server.routes["/a/1.html"] = Route(b"", status=304)  # a cache answering 304 to everyone
        server.routes["/a/2.html"] = Route(story(2))
        server.routes["/sitemap.xml"] = sitemap([f"{server.base}/a/1.html", f"{server.base}/a/2.html"])
        summary = _crawl(store, Source(name="nocopy", sitemaps=[server.base + "/sitemap.xml"], **FAST))
        asked = server.count("/a/1.html")
    # before: counted "not modified", no row, and the page marked fetched: never stored, never retried
    assert summary.total.not_modified == 0 and summary.total.stored == 1
    assert _errors(store) == {(f"{server.base}/a/1.html", "http_status")}
    assert asked == 1 + FAST["max_retries"]
    assert get_state(store, f"{server.base}/a/1.html").transient_failure  # tried again next run


@pytest.mark.parametrize("semantic", [True, False], ids=["as-served", "no-semantic-tags"])
@pytest.mark.parametrize("outlet", ["kreisbote", "valley-courier"])
def test_an_outlet_with_an_unfamiliar_scheme_and_no_feed_is_crawled_from_its_home_page(
    store: Store, semantic: bool, outlet: str
) -> None:
    """Two-word slugs under section names and a hashed id, a story grid, a menu, topic links and a footer
    (``tests/fixtures/home/kreisbote.html``), no feed, no sitemap: the crawl fetches the stories only. The
    second outlet's template is divs only, its menu a tree of headline-like entries, its top bar and footer
    short labels on id addresses (``valley-courier.html``)."""
    from tests.test_discover_story_links import OUTLETS, home_page

    stories = OUTLETS[outlet]
    with RouteServer() as server:
        server.routes["/"] = Route(home_page(semantic=semantic, outlet=outlet).encode())
        for n, path in enumerate(stories):
            server.routes[path] = Route(story(60 + n))
        server.fallback = lambda path: Route(listing(path))  # sections, topics, service pages: listings
        summary = _crawl(store, Source(name=outlet, pages=[server.base + "/"], **FAST)).total
        requested = set(server.hits) - {"/", "/robots.txt"}
    # before: 1 of kreisbote's 6 stories fetched, beside the service, topic, privacy and contact pages
    # (4-word slugs); 5 of valley-courier's 7, beside 15 pages of its top bar, menu tree and footer
    assert _stored(store) == sorted(server.base + path for path in stories)
    assert summary.stored == len(stories)
    others = requested - set(stories)
    assert len(others) <= 1 and all(path.count("/") == 1 for path in others)  # at most the soft-404 probe


def _grid(stories: list[tuple[str, str]]) -> Route:
    """A home page of a short menu and a story grid of (address, headline), in plain divs."""
    menu = "".join(
        f'<a href="/{name}/">{name.title()}</a>' for name in ("local", "sport", "business", "culture")
    )
    grid = "".join(
        f'<div><h2><a href="{href}">{title}</a></h2><p>More soon.</p></div>' for href, title in stories
    )
    return Route(
        f"<html><head><title>Home</title></head><body><div>{menu}</div>{grid}</body></html>".encode()
    )


def test_a_dated_story_under_an_archive_segment_is_crawled_from_the_home_page(store: Store) -> None:
    stories = [
        ("/archive/2024/05/12/harbour-vote-passes", "Harbour vote passes after a night of debate"),
        ("/news/archives/2024/05/11/ferry-timetable", "Ferry timetable changes for the summer season"),
        ("/2024/05/10/bridge-works-begin", "Works on the old bridge begin next Monday"),
    ]
    with RouteServer() as server:
        server.routes["/"] = _grid(
            [*stories, ("/archive/2024/05/", "Every story of May 2024 in the archive")]
        )
        for n, (path, _) in enumerate(stories):
            server.routes[path] = Route(story(70 + n))
        server.fallback = lambda path: Route(listing(path))
        summary = _crawl(store, Source(name="archived", pages=[server.base + "/"], **FAST)).total
        month_fetched = server.count("/archive/2024/05/")
    # before: the two stories under /archive/ and /archives/ were left as listings (1 stored, not 3)
    assert _stored(store) == sorted(server.base + path for path, _ in stories)
    assert summary.stored == 3 and month_fetched == 0  # the month's archive is a listing still


def test_a_three_word_headline_is_crawled_from_the_home_page(store: Store) -> None:
    stories = [
        ("/local/council-resigns", "Harbour council resigns"),
        ("/sport/cup-final", "Rovers reach the cup final after penalties"),
        ("/business/harbour-expansion", "State pays twelve million for the harbour"),
        ("/culture/stage-reopens", "The town stage reopens after three years"),
    ]
    with RouteServer() as server:
        server.routes["/"] = _grid(stories)
        for n, (path, _) in enumerate(stories):
            server.routes[path] = Route(story(80 + n))
        server.fallback = lambda path: Route(listing(path))
        summary = _crawl(store, Source(name="terse", pages=[server.base + "/"], **FAST)).total
        sections = [hit for hit in server.hits if hit.count("/") == 2 and hit.endswith("/")]
    # before: "Harbour council resigns" was no headline (four words at least), its two-word slug no story
    assert _stored(store) == sorted(server.base + path for path, _ in stories)
    assert summary.stored == 4 and sections == []  # the menu's sections are not fetched
