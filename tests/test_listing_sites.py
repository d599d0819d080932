"""Sitemap entries on other hosts: an outlet's sitemap names its own site's pages (its ``www.``, CDN and
``sitemaps.`` hosts among them), and a stranger's pages it lists are skipped with one counted ``off_site``
row, never requested. Each host is a real server on 127.0.0.1 under its own name (a resolver maps every
name there), so the crawler sees the host names a real outlet would give it."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from config.sources import Source
from scrapers.discover import Discovered, discover
from scrapers.errors import ErrorKind, IngestError
from scrapers.fetch import Fetcher
from scrapers.urls import site_of
from tests.hostile_servers import ARTICLE, Route, RouteServer
from tests.test_crawl_hostile import FAST, _rows, story
from tests.test_crawl_hostile import store as store  # the fixture, shared
from tests.test_crawl_unseen import _stored, rss
from tests.test_hostile_hosts import POLICY
from tests.test_hostile_listings import _index, _urlset
from worker.crawl import crawl
from worker.models import IngestErrorRecord
from worker.pipeline import Pipeline
from worker.store import Store


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://www.example.com/a/1.html", "example.com"),
        ("https://cdn.static.example.com/sitemap.xml", "example.com"),
        ("https://example.com:8443/", "example.com"),
        ("https://news.bbc.co.uk/1/hi/world/1.stm", "bbc.co.uk"),
        ("https://www.abc.net.au/news/", "abc.net.au"),
        ("https://www.lemonde.fr/", "lemonde.fr"),
        ("https://co.uk/", "co.uk"),
        ("https://WWW.Example.COM./x", "example.com"),
        ("http://127.0.0.1:8080/x", "127.0.0.1"),
        ("http://[::1]:8080/x", "::1"),
        ("http://localhost/x", "localhost"),
    ],
)
def test_site_of_is_the_registrable_domain(url: str, site: str) -> None:
    assert site_of(url) == site


class Hosts:
    """Named hosts, each its own server: ``url("www.news.test", "/a/1.html")``."""

    def __init__(self, stack: ExitStack, names: list[str]) -> None:
        self.servers = {name: stack.enter_context(RouteServer()) for name in names}

    def url(self, name: str, path: str) -> str:
        return f"http://{name}:{self.servers[name].port}{path}"

    def asked(self, name: str) -> list[str]:
        return [hit for hit in self.servers[name].hits if hit != "/robots.txt"]


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(allow_private_hosts=["127.0.0.0/8"], resolver=lambda host, port: ["127.0.0.1"]) as instance:
        yield instance


def _discover(fetcher: Fetcher, **lists: list[str]) -> tuple[list[str], list[tuple[str, IngestError]]]:
    errors: list[tuple[str, IngestError]] = []
    found: list[Discovered] = discover(
        fetcher,
        POLICY,
        max_items_per_feed=500,
        on_error=lambda url, error: errors.append((url, error)),
        **lists,  # type: ignore[arg-type]  # sitemaps=/pages= lists of URLs
    )
    return [item.url for item in found], errors


def test_a_sitemap_keeps_its_sister_hosts_and_skips_a_strangers_pages(fetcher: Fetcher) -> None:
    names = ["news.test", "www.news.test", "cdn.news.test", "stranger.test"]
    with ExitStack() as stack:
        hosts = Hosts(stack, names)
        own = [hosts.url("news.test", "/a/1.html"), hosts.url("www.news.test", "/a/2.html")]
        strangers = [hosts.url("stranger.test", f"/casino/{n}.html") for n in range(3)]
        sitemap = hosts.url("cdn.news.test", "/sitemap.xml")
        hosts.servers["cdn.news.test"].routes["/sitemap.xml"] = Route(
            _urlset("", [own[0], strangers[0], own[1], *strangers[1:]]), "application/xml"
        )
        found, errors = _discover(fetcher, sitemaps=[sitemap])
        asked = hosts.asked("stranger.test")
    # before: all five listed, the stranger's three to be fetched as this outlet's stories
    assert found == own
    assert [(url, error.kind) for url, error in errors] == [(sitemap, ErrorKind.OFF_SITE)]
    assert "skipped 3 entries on other sites (stranger.test)" in errors[0][1].message
    assert asked == []


def test_an_index_child_on_another_domain_is_not_fetched(fetcher: Fetcher) -> None:
    with ExitStack() as stack:
        hosts = Hosts(stack, ["www.news.test", "sitemaps.news.test", "stranger.test"])
        child = hosts.url("sitemaps.news.test", "/posts.xml")
        elsewhere = hosts.url("stranger.test", "/sitemap.xml")
        index = hosts.url("www.news.test", "/sitemap_index.xml")
        hosts.servers["www.news.test"].routes["/sitemap_index.xml"] = Route(
            _index([elsewhere, child]), "application/xml"
        )
        story = hosts.url("www.news.test", "/2024/05/12/harbour-budget-vote")
        hosts.servers["sitemaps.news.test"].routes["/posts.xml"] = Route(
            _urlset("", [story]), "application/xml"
        )
        hosts.servers["stranger.test"].routes["/sitemap.xml"] = Route(
            _urlset("", [hosts.url("stranger.test", "/a/1.html")]), "application/xml"
        )
        found, errors = _discover(fetcher, sitemaps=[index])
        asked = hosts.asked("stranger.test")
    assert found == [story]
    assert [(url, error.kind) for url, error in errors] == [(index, ErrorKind.OFF_SITE)]
    assert asked == []  # before: the stranger's sitemap fetched and its page listed


def test_robots_txt_may_name_a_sitemap_hosted_on_another_domain(fetcher: Fetcher) -> None:
    """sitemaps.org's cross-submission: the robots.txt of the site vouches for a sitemap it names wherever
    that is hosted, so the sitemap's pages on the site are taken; its host's own pages too."""
    with ExitStack() as stack:
        hosts = Hosts(stack, ["news.test", "sitemaps.hosting.test", "stranger.test"])
        sitemap = hosts.url("sitemaps.hosting.test", "/news/sitemap.xml")
        hosts.servers["news.test"].routes["/robots.txt"] = Route(
            f"User-agent: *\nDisallow:\nSitemap: {sitemap}\n".encode(), "text/plain"
        )
        stories = [hosts.url("news.test", "/a/1.html"), hosts.url("sitemaps.hosting.test", "/about.html")]
        stranger = hosts.url("stranger.test", "/a/1.html")
        hosts.servers["sitemaps.hosting.test"].routes["/news/sitemap.xml"] = Route(
            _urlset("", [*stories, stranger]), "application/xml"
        )
        hosts.servers["news.test"].routes["/"] = Route(b"<html><body><p>Home</p></body></html>")
        by_robots, robots_errors = _discover(fetcher, sitemaps=[hosts.url("news.test", "/robots.txt")])
        by_page, page_errors = _discover(fetcher, pages=[hosts.url("news.test", "/")])
    assert by_robots == stories and by_page == stories
    assert [error.kind for _, error in robots_errors + page_errors] == [ErrorKind.OFF_SITE] * 2


def test_a_sitemap_given_directly_on_another_domain_speaks_only_for_its_own(fetcher: Fetcher) -> None:
    """Configured by hand at a hosting service, with no robots.txt naming it: the row says why the outlet's
    pages were skipped (the fix is to list the outlet's robots.txt, which vouches for it)."""
    with ExitStack() as stack:
        hosts = Hosts(stack, ["news.test", "sitemaps.hosting.test"])
        sitemap = hosts.url("sitemaps.hosting.test", "/news/sitemap.xml")
        hosts.servers["sitemaps.hosting.test"].routes["/news/sitemap.xml"] = Route(
            _urlset("", [hosts.url("news.test", "/a/1.html")]), "application/xml"
        )
        hosts.servers["news.test"].routes["/a/1.html"] = Route(ARTICLE)
        found, errors = _discover(fetcher, sitemaps=[sitemap])
    assert found == []
    assert len(errors) == 1 and errors[0][1].kind is ErrorKind.OFF_SITE
    assert "a sitemap lists pages of hosting.test" in errors[0][1].message


def test_a_feed_whose_entries_all_point_at_another_host_is_fetched_under_that_hosts_rules(
    store: Store,
) -> None:
    """A feed's entries may point anywhere (an aggregator, a feed hosted on FeedBurner linking to the
    outlet), so they are taken; the host they point at is crawled by its own robots.txt and delay, and
    only its pages are requested there (one each)."""
    with ExitStack() as stack:
        hosts = Hosts(stack, ["feeds.hosting.test", "www.news.test"])
        other = hosts.servers["www.news.test"]
        times: list[float] = []

        def timed(path: str) -> Route:
            times.append(time.monotonic())
            return Route(story(int(path.rsplit("/", 1)[1].split(".")[0])))

        other.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
        paths = ["/a/1.html", "/a/2.html", "/a/3.html", "/private/4.html"]
        for path in paths:
            other.routes[path] = timed
        links = [(f"Council story {n}", hosts.url("www.news.test", path)) for n, path in enumerate(paths)]
        hosts.servers["feeds.hosting.test"].routes["/news.rss"] = rss(links)
        source = Source(
            name="feedburner-like",
            feeds=[hosts.url("feeds.hosting.test", "/news.rss")],
            **{**FAST, "min_delay_s": 0.3},
        )
        with Fetcher(
            allow_private_hosts=["127.0.0.0/8"], resolver=lambda host, port: ["127.0.0.1"]
        ) as fetcher:
            crawl([source], Pipeline(store), fetcher)
        asked = hosts.asked("www.news.test")
    assert _stored(store) == sorted(url for _, url in links[:3])
    assert {row.kind for row in _rows(store, IngestErrorRecord)} == {"robots"}
    assert "/private/4.html" not in asked and sorted(set(asked) & set(paths)) == paths[:3]
    assert all(later - earlier >= 0.29 for earlier, later in itertools.pairwise(times)), times
