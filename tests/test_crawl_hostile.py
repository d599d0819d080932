"""Whole crawls (discover, fetch, extract, dedup, store) against outlets on 127.0.0.1 that misbehave the
way real ones do: a host in a 503 storm, soft 404s served with 200, a consent gate, one story under many
URL spellings, and session ids that make every link new on every visit. Each ends with every item decided
once, refusals recorded with their kind, nothing stored twice, and nothing lost for the next run."""

from __future__ import annotations

import random
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from config.sources import Source
from tests.hostile_servers import Route, RouteServer
from worker.crawl import crawl, make_fetcher
from worker.crawl_state import get_state
from worker.models import ArticleRecord, DuplicateRecord, IngestErrorRecord
from worker.pipeline import Pipeline
from worker.store import Store

FAST = {
    "min_delay_s": 0.0,
    "timeout_s": 2.0,
    "max_retries": 2,
    "backoff_base_s": 0.01,
    "retry_after_cap_s": 1.0,
}
WORDS = [
    "harbour",
    "council",
    "budget",
    "vote",
    "ferry",
    "river",
    "bridge",
    "school",
    "teacher",
    "union",
    "strike",
    "court",
    "judge",
    "ruling",
    "mayor",
    "election",
    "ballot",
    "turnout",
    "farmer",
    "harvest",
    "storm",
    "flood",
    "rescue",
    "hospital",
    "nurse",
    "doctor",
    "clinic",
    "museum",
    "artist",
    "festival",
    "market",
    "price",
    "fuel",
    "train",
    "station",
    "airport",
    "runway",
    "factory",
    "worker",
    "wage",
    "tax",
    "minister",
    "parliament",
]


def story(n: int, *, canonical: str | None = None) -> bytes:
    """A distinct, dated article: its words are drawn from a generator seeded by ``n``."""
    rng = random.Random(n)
    title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + ".</p>" for _ in range(6)
    )
    published = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<html lang="en"><head><title>{title}</title>{link}'
        f'<meta property="article:published_time" content="{published}"></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


def sitemap(urls: list[str]) -> Route:
    rows = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'
    return Route(body.encode(), "application/xml")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    instance = Store(f"sqlite:///{tmp_path / 'crawl.db'}")
    instance.upgrade()
    yield instance
    instance.dispose()


def _crawl(store: Store, source: Source):
    with make_fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher:
        return crawl([source], Pipeline(store), fetcher)


def _rows(store: Store, model: type) -> list:
    with store.session() as session:
        rows = list(session.scalars(select(model)))
        session.expunge_all()
        return rows


def test_a_503_storm_ends_fast_and_the_next_run_fetches_every_page(store: Store) -> None:
    storm = Route(b"<html><body>Service Unavailable</body></html>", status=503, headers={"Retry-After": "0"})
    with RouteServer() as server:
        urls = [f"{server.base}/a/{n}.html" for n in range(20)]
        server.routes["/sitemap.xml"] = sitemap(urls)
        server.fallback = lambda path: storm
        source = Source(name="stormy", sitemaps=[server.base + "/sitemap.xml"], **FAST)
        started = time.monotonic()
        first = _crawl(store, source)
        elapsed = time.monotonic() - started
        requested = [hit for hit in server.hits if hit.startswith("/a/")]
        assert len(requested) <= 9, requested  # 3 pages x 3 attempts; the other 17 wait for the next run
        assert first.total.errors == Counter({"http_status": 20}) and elapsed < 30
        assert all(get_state(store, url).transient_failure for url in urls)

        server.fallback = lambda path: Route(story(int(path.rsplit("/", 1)[1].split(".")[0])))
        second = _crawl(store, source)
    assert second.total.stored == 20 and second.total.error_count == 0
    stored = [row.canonical_url for row in _rows(store, ArticleRecord)]
    assert sorted(stored) == sorted(urls)


def test_soft_404s_are_refused_and_the_real_articles_kept(store: Store) -> None:
    nav = "".join(f'<li><a href="/section/{n}">Section {n}</a></li>' for n in range(30))
    latest = "".join(
        f'<li><a href="/a/{n}.html">Story {n} of the harbour desk today</a></li>' for n in range(10)
    )
    not_found = (
        "<html><head><title>Page not found | The Harbour Times</title></head><body><nav><ul>"
        + nav
        + "</ul></nav><main><h1>Sorry, we couldn't find that page</h1><p>The page you were looking for may "
        "have been moved, deleted, or possibly never existed. Try searching our site or browse the latest "
        "headlines below, where you will find the most recent stories from our newsroom.</p><ul>"
        + latest
        + "</ul></main></body></html>"
    ).encode()
    with RouteServer() as server:
        real = [f"{server.base}/a/{n}.html" for n in range(3)]
        gone = [f"{server.base}/a/removed-{n}.html" for n in range(2)]
        server.routes["/sitemap.xml"] = sitemap(real + gone)
        server.routes.update({f"/a/{n}.html": Route(story(n)) for n in range(3)})
        server.fallback = lambda path: Route(not_found)  # 200 for anything unknown
        summary = _crawl(store, Source(name="softly", sitemaps=[server.base + "/sitemap.xml"], **FAST))
        probes = [hit for hit in server.hits if "missing-page-probe" in hit]
    assert len(probes) == 1  # one probe for the host, not one per page
    assert sorted(row.canonical_url for row in _rows(store, ArticleRecord)) == sorted(real)
    errors = {(row.url, row.kind) for row in _rows(store, IngestErrorRecord)}
    assert errors == {(url, "http_status") for url in gone}
    assert summary.total.stored == 3 and summary.total.duplicates == 0


def test_an_honest_host_is_probed_once_and_its_pages_believed(store: Store) -> None:
    with RouteServer() as server:
        urls = [f"{server.base}/a/{n}.html" for n in range(4)]
        server.routes["/sitemap.xml"] = sitemap(urls)
        server.routes.update({f"/a/{n}.html": Route(story(n)) for n in range(4)})
        summary = _crawl(store, Source(name="honest", sitemaps=[server.base + "/sitemap.xml"], **FAST))
        assert len([hit for hit in server.hits if "missing-page-probe" in hit]) == 1
    assert summary.total.stored == 4 and summary.total.error_count == 0


def test_a_consent_gate_is_recorded_as_a_redirect_and_nothing_is_stored_from_it(store: Store) -> None:
    gate = b"<html><body><h1>We value your privacy</h1>" + b"<p>We and our partners use cookies. </p>" * 20
    with RouteServer() as server, RouteServer() as consent:
        gated = f"{server.base}/a/gated.html"
        server.routes["/sitemap.xml"] = sitemap([gated, f"{server.base}/a/1.html"])
        server.routes["/a/1.html"] = Route(story(1))
        server.routes["/a/gated.html"] = Route(
            b"", status=302, headers={"Location": f"{consent.base}/consent?continue={quote(gated, safe='')}"}
        )
        consent.fallback = lambda path: Route(gate + b"</body></html>")
        summary = _crawl(store, Source(name="gated", sitemaps=[server.base + "/sitemap.xml"], **FAST))
    assert [row.canonical_url for row in _rows(store, ArticleRecord)] == [f"{server.base}/a/1.html"]
    assert {(row.url, row.kind) for row in _rows(store, IngestErrorRecord)} == {(gated, "redirect")}
    assert summary.total.errors == Counter({"redirect": 1})


def test_one_story_under_many_spellings_is_fetched_once_per_key_and_stored_once(store: Store) -> None:
    with RouteServer() as server:
        host = server.base.split("//")[1]
        spellings = [
            f"{server.base}/a/7.html",
            f"HTTP://{host.upper()}/a/7.html?utm_source=rss&utm_medium=feed",
            f"{server.base}/a/7.html#comments",
            f"{server.base}/a/7.html;jsessionid=0AF3C2D1E0B9",
            f"{server.base}/a/7.html?PHPSESSID=5d41402abc4b2a76b9719d911017c592",
            f"{server.base}/a/7.html?sid=5d41402abc4b2a76b9719d911017c592",
            f"{server.base}/a/7.html/",
        ]
        server.routes["/sitemap.xml"] = sitemap([s.replace("&", "&amp;") for s in spellings])
        page = Route(story(7, canonical=f"{server.base}/a/7.html"))
        server.fallback = lambda path: page if path.startswith("/a/7.html") else Route(b"gone", status=404)
        summary = _crawl(store, Source(name="spellings", sitemaps=[server.base + "/sitemap.xml"], **FAST))
        fetched = [hit for hit in server.hits if hit.startswith("/a/") and "probe" not in hit]
    # The page names /a/7.html its own address: the slash spelling is that page, not fetched again
    # (before: fetched twice, stored once).
    assert sorted(fetched) == ["/a/7.html"]
    assert len(_rows(store, ArticleRecord)) == 1 and summary.total.error_count == 0
    assert len(_rows(store, DuplicateRecord)) == 0
    assert summary.total.skipped_fresh == 1


def test_a_trailing_slash_spelling_the_server_redirects_or_names_is_fetched_once_ever(store: Store) -> None:
    with RouteServer() as server:
        listed = [
            f"{server.base}/a/1.html/",  # redirects to /a/1.html, listed below too
            f"{server.base}/a/1.html",
            f"{server.base}/b/2/",  # names /b/2 its canonical; /b/2 listed after it
            f"{server.base}/b/2",
            f"{server.base}/c/3",  # names nothing: its slash spelling may be another page, fetched
            f"{server.base}/c/3/",
        ]
        server.routes["/sitemap.xml"] = sitemap(listed)
        server.routes["/a/1.html/"] = Route(b"", status=301, headers={"Location": "/a/1.html"})
        server.routes["/a/1.html"] = Route(story(1))
        server.routes["/b/2/"] = Route(story(2, canonical=f"{server.base}/b/2"))
        server.routes["/b/2"] = Route(story(2, canonical=f"{server.base}/b/2"))
        server.routes["/c/3"] = Route(story(3))
        server.routes["/c/3/"] = Route(story(3))
        source = Source(name="slashes", sitemaps=[server.base + "/sitemap.xml"], **FAST)
        first = _crawl(store, source)
        fetched = [hit for hit in server.hits if hit[1] in "abc" and hit[2] == "/"]
        server.hits.clear()
        second = _crawl(store, source)
        again = [hit for hit in server.hits if hit[1] in "abc" and hit[2] == "/"]
    assert fetched == ["/a/1.html/", "/a/1.html", "/b/2/", "/c/3", "/c/3/"]  # before: all six
    stored = sorted(row.canonical_url for row in _rows(store, ArticleRecord))
    assert stored == [f"{server.base}/a/1.html", f"{server.base}/b/2", f"{server.base}/c/3"]
    assert first.total.stored == 3 and first.total.duplicates == 1 and first.total.error_count == 0
    assert again == [] and second.total.fetched == 0  # the next run fetches no spelling again


def test_session_ids_in_links_do_not_make_every_run_new(store: Store) -> None:
    with RouteServer() as server:

        def section(path: str) -> Route:
            session = secrets.token_hex(16)  # a new session on every visit, as for a cookieless client
            links = "".join(
                f'<li><a href="/news/{n}.html;jsessionid={session}">Story {n}</a></li>'
                f'<li><a href="/news/{n}.html?PHPSESSID={session}">Story {n} again</a></li>'
                for n in range(3)
            )
            return Route(f"<html><body><ul>{links}</ul></body></html>".encode())

        server.routes["/news/"] = section

        def article(path: str) -> Route:
            name = path.split("/")[2].split(".")[0]
            return Route(story(int(name) + 100)) if name.isdigit() else Route(b"gone", status=404)

        server.fallback = article
        source = Source(name="sessions", pages=[server.base + "/news/"], link_pattern=r"^/news/\d+", **FAST)
        first = _crawl(store, source)
        second = _crawl(store, source)
    assert first.total.stored == 3 and first.total.fetched == 3
    assert second.total.fetched == 0 and second.total.skipped_fresh == 3


def test_a_calendar_trap_on_a_section_page_is_bounded_by_the_item_caps(store: Store) -> None:
    with RouteServer() as server:
        days = "".join(
            f'<a href="/news/{2000 + n // 365}/{n % 12 + 1:02d}/{n % 28 + 1:02d}/">day</a>'
            for n in range(20_000)
        )
        server.routes["/news/"] = Route(f"<html><body>{days}</body></html>".encode())
        server.fallback = lambda path: Route(b"<html><body><p>an empty day</p></body></html>")
        source = Source(
            name="calendar",
            pages=[server.base + "/news/"],
            link_pattern=r"^/news/",
            max_items_per_feed=40,
            max_pages_per_run=25,
            **FAST,
        )
        started = time.monotonic()
        summary = _crawl(store, source)
        elapsed = time.monotonic() - started
        requested = [h for h in server.hits if h.startswith("/news/2") and "probe" not in h]
    assert summary.total.discovered == 40 and len(requested) == 25
    assert elapsed < 90  # bounds a hang; the request count is the measure


def test_a_feed_pointing_at_amp_pages_and_at_moved_urls_stores_each_story_once(store: Store) -> None:
    with RouteServer() as server, RouteServer() as other:
        amp = story(5, canonical=f"{server.base}/a/5.html").replace(b"<html", b"<html amp", 1)
        server.routes.update(
            {
                "/amp/a/5.html": Route(amp),
                "/a/5.html": Route(story(5, canonical=f"{server.base}/a/5.html")),
                "/a/old-6.html": Route(b"", status=301, headers={"Location": f"{other.base}/world/6.html"}),
            }
        )
        other.routes["/world/6.html"] = Route(story(6))
        rows = "".join(
            f"<item><title>T{n}</title><link>{server.base}{path}</link></item>"
            for n, path in enumerate(["/amp/a/5.html", "/a/old-6.html"])
        )
        server.routes["/rss.xml"] = Route(
            f'<rss version="2.0"><channel>{rows}</channel></rss>'.encode(), "text/xml"
        )
        server.routes["/sitemap.xml"] = sitemap([f"{server.base}/a/5.html", f"{other.base}/world/6.html"])
        source = Source(
            name="amp", feeds=[server.base + "/rss.xml"], sitemaps=[server.base + "/sitemap.xml"], **FAST
        )
        summary = _crawl(store, source)
    stored = sorted(row.canonical_url for row in _rows(store, ArticleRecord))
    assert stored == sorted([f"{server.base}/a/5.html", f"{other.base}/world/6.html"])
    assert summary.total.error_count == 0 and summary.total.stored == 2


@pytest.fixture
def any_store(database_url: str) -> Iterator[Store]:
    """A migrated store on SQLite and on PostgreSQL (whose b-tree keys refuse rows past ~2.7 KB)."""
    instance = Store(database_url)
    instance.upgrade()
    yield instance
    instance.dispose()


def test_a_listing_of_endless_urls_is_refused_per_entry_and_the_crawl_goes_on(any_store: Store) -> None:
    with RouteServer() as server:
        endless = f"{server.base}/a/{random.Random(3).randbytes(2_000).hex()}.html"  # 4 KB, incompressible
        server.routes["/sitemap.xml"] = sitemap([endless, f"{server.base}/a/1.html"])
        server.routes["/a/1.html"] = Route(story(1))
        server.fallback = lambda path: Route(story(2))
        summary = _crawl(any_store, Source(name="endless", sitemaps=[server.base + "/sitemap.xml"], **FAST))
        assert not [hit for hit in server.hits if len(hit) > 1_000]
    assert [row.canonical_url for row in _rows(any_store, ArticleRecord)] == [f"{server.base}/a/1.html"]
    errors = _rows(any_store, IngestErrorRecord)
    assert [(row.url, row.kind) for row in errors] == [(server.base + "/sitemap.xml", "too_large")]
    assert "2,048" in errors[0].message and summary.total.stored == 1


def test_a_site_that_ignores_the_slug_after_an_id_is_not_taken_for_soft_404s(store: Store) -> None:
    with RouteServer() as server:
        urls = [f"{server.base}/news/{n}/harbour-story-{n}" for n in range(3)]
        server.routes["/sitemap.xml"] = sitemap(urls)

        def by_id(path: str) -> Route:  # /news/<id>/<any words>: the words are decoration
            parts = path.split("/")
            if len(parts) > 2 and parts[1] == "news" and parts[2].isdigit():
                return Route(story(int(parts[2])))
            return Route(b"<html><body>Not found</body></html>", status=404)

        server.fallback = by_id
        summary = _crawl(store, Source(name="slugs", sitemaps=[server.base + "/sitemap.xml"], **FAST))
    assert summary.total.stored == 3 and summary.total.error_count == 0


def listing(title: str) -> bytes:
    """A section or home page: a navigation bar and 14 teasers (a linked headline, a summary, a byline)."""
    rng = random.Random(title)

    def sentence(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."

    teasers = "".join(
        f"<article class='teaser'><h2><a href='/world/{n}/story-{n}'>{sentence(8)}</a></h2>"
        f"<p>{sentence(25)}</p><span class='byline'>By Staff</span></article>"
        for n in range(14)
    )
    nav = "".join(f"<li><a href='/{s}/'>{s}</a></li>" for s in ["world", "politics", "business", "sport"])
    return (
        f"<html lang='en'><head><title>{title} | The Harbour Times</title></head><body><header><nav><ul>"
        f"{nav}</ul></nav></header><main><h1>{title}</h1>{teasers}</main></body></html>"
    ).encode()


def test_removed_articles_redirected_to_the_home_page_or_a_listing_are_refused(store: Store) -> None:
    with RouteServer() as server:  # unknown addresses get an honest 404: the soft-404 probe sees nothing
        gone = {
            "/a/removed.html": "/",  # to the home page
            "/news/2024/05/removed-story": "/news/",  # to the section above it
            "/story.php?id=9": "/story.php",  # to the same script without the id that named the story
            "/news/2024/05/other-story": "/news/index.html",  # to the index page of the section above
        }
        elsewhere = {"/b/removed.html": "/world/"}  # to another section: fetched, and refused as a listing
        # real moves, stored: a renamed page, a slash added, an AMP copy sending crawlers to its article
        moved = {
            "/a/old-6.html": "/a/6.html",
            "/c/7": "/c/7/",
            "/2024/05/12/slug/amp/": "/2024/05/12/slug/",
            "/my-post/amp/": "/my-post/",
        }
        for path, target in {**gone, **elsewhere, **moved}.items():
            server.routes[path] = Route(b"", status=301, headers={"Location": target})
        for path in ["/", "/news/", "/news/index.html", "/story.php", "/world/"]:
            server.routes[path] = Route(listing(path.strip("/") or "Home"))
        server.routes["/a/6.html"] = Route(story(6))
        server.routes["/c/7/"] = Route(story(7))
        server.routes["/2024/05/12/slug/"] = Route(story(8))
        server.routes["/my-post/"] = Route(story(9))
        listed = [server.base + path for path in [*gone, *elsewhere, *moved]]
        server.routes["/sitemap.xml"] = sitemap([url.replace("&", "&amp;") for url in listed])
        summary = _crawl(store, Source(name="removed", sitemaps=[server.base + "/sitemap.xml"], **FAST))
        landings = [hit for hit in server.hits if hit in {"/", "/news/", "/news/index.html", "/story.php"}]
    stored = sorted(row.canonical_url for row in _rows(store, ArticleRecord))
    assert stored == [
        f"{server.base}{path}" for path in ["/2024/05/12/slug/", "/a/6.html", "/c/7/", "/my-post/"]
    ]
    errors = {row.url: row for row in _rows(store, IngestErrorRecord)}
    assert sorted(errors) == sorted(server.base + path for path in [*gone, "/world/"])
    assert {errors[server.base + path].kind for path in gone} == {"http_status"}  # before: home page stored
    assert all("removed article" in errors[server.base + path].message for path in gone)
    assert (
        errors[f"{server.base}/world/"].kind == "not_an_article"
    )  # held already (the row names the landing)
    assert landings == []  # refused on the redirect, before the landing page is requested
    assert get_state(store, f"{server.base}/a/removed.html").status == "error:http_status"  # not retried
    assert summary.total.stored == 4


def test_a_canonical_naming_the_section_above_the_page_is_not_trusted(store: Store) -> None:
    with RouteServer() as server:
        urls = [f"{server.base}/news/{n}/story-{n}" for n in range(3)]
        server.routes["/sitemap.xml"] = sitemap(urls)
        for n in range(3):  # a template bug: every article names its section as its canonical
            server.routes[f"/news/{n}/story-{n}"] = Route(story(n, canonical=f"{server.base}/news/"))
        summary = _crawl(store, Source(name="sectioned", sitemaps=[server.base + "/sitemap.xml"], **FAST))
    # before: one article under /news/ and two "new versions" overwriting it
    assert sorted(row.canonical_url for row in _rows(store, ArticleRecord)) == sorted(urls)
    assert summary.total.stored == 3 and summary.total.new_versions == 0


def test_a_home_page_with_endless_paging_and_a_calendar_of_days_fetches_its_stories_only(
    store: Store,
) -> None:
    """A source given only its home page, whose pager runs forever (``/page/N/``, ``?page=N``, each page
    linking the next) and whose events calendar links its busy days as ``?day=20240513`` (each day's page
    linking the next month's days). The crawl reads the home page once and fetches its three stories:
    listings are not followed (before: the five calendar days were fetched as stories)."""
    home = (Path(__file__).parent / "fixtures" / "home" / "valley-times-calendar.html").read_bytes()
    with RouteServer() as server:
        server.routes["/"] = Route(home)
        for n, slug in enumerate(
            [
                "2024/05/12/bridge-reopens-after-repairs",
                "2024/05/11/farmers-market-moves-to-the-square",
                "2024/05/10/library-extends-opening-hours",
            ]
        ):
            server.routes[f"/news/{slug}"] = Route(story(900 + n))

        def trap(path: str) -> Route:
            page = int("".join(filter(str.isdigit, path)) or 1)
            return Route(f'<html><body><a href="/page/{page + 1}/">Older</a></body></html>'.encode())

        server.fallback = trap
        summary = _crawl(store, Source(name="valley", pages=[server.base + "/"], **FAST))
        requested = [hit for hit in server.hits if hit != "/robots.txt" and "probe" not in hit]
    assert summary.total.stored == 3
    assert sorted(requested) == sorted(
        [
            "/",
            *(
                f"/news/{row}"
                for row in [
                    "2024/05/10/library-extends-opening-hours",
                    "2024/05/11/farmers-market-moves-to-the-square",
                    "2024/05/12/bridge-reopens-after-repairs",
                ]
            ),
        ]
    )
