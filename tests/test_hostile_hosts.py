"""Hosts that misbehave at the HTTP level, each against the real fetcher on 127.0.0.1: storms of 429/503,
Retry-After values of a day, bodies whose framing lies, connections reset mid-body, truncated gzip,
redirect chains across hosts, consent interstitials, meta-refresh loops, robots.txt that hangs or moves.
Every case ends in bounded time with an error kind, and the next request still works."""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from urllib.parse import quote

import pytest

from config.sources import Defaults
from scrapers.errors import ErrorKind, IngestError
from scrapers.fetch import Fetcher, FetchPolicy
from scrapers.politeness import HostBreaker
from tests.hostile_servers import ARTICLE, Behaviour, HostileServer, Route, RouteServer

POLICY = FetchPolicy.from_source(
    Defaults(),
    user_agent="wirefeed-test/0.1",
    min_delay_s=0.0,
    timeout_s=1.0,
    max_bytes=200_000,
    max_retries=2,
    backoff_base_s=0.01,
    retry_after_cap_s=1.0,
)
PAGE = Route(ARTICLE)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(allow_private_hosts=["127.0.0.1"]) as instance:
        yield instance


def _refusal(fetcher: Fetcher, url: str, policy: FetchPolicy = POLICY) -> IngestError:
    with pytest.raises(IngestError) as caught:
        fetcher.fetch(url, policy)
    return caught.value


# -- 429/503 storms ------------------------------------------------------------------------------------
def test_a_503_storm_pauses_the_host_instead_of_spending_every_pages_retries(fetcher: Fetcher) -> None:
    storm = Route(b"<html><body>Service Unavailable</body></html>", status=503, headers={"Retry-After": "0"})
    with RouteServer() as server:
        server.fallback = lambda path: storm
        started = time.monotonic()
        errors = [_refusal(fetcher, f"{server.base}/news/{n}.html") for n in range(10)]
        elapsed = time.monotonic() - started
        pages = [hit for hit in server.hits if hit.startswith("/news/")]
    assert all(e.kind is ErrorKind.HTTP_STATUS and e.status == 503 for e in errors)
    # three pages spend their retries (3 attempts each); the other seven are not requested at all
    assert len(pages) == 9, pages
    assert all("paused" in e.message for e in errors[3:])
    assert elapsed < 15  # generous: the request count above is the measure, this only bounds a hang


def test_a_day_long_retry_after_is_not_waited_out(fetcher: Fetcher) -> None:
    busy = Route(b"<html><body>Too Many Requests</body></html>", status=429, headers={"Retry-After": "86400"})
    policy = replace(POLICY, retry_after_cap_s=5.0)
    with RouteServer({"/a.html": busy, "/b.html": PAGE}) as server:
        started = time.monotonic()
        first = _refusal(fetcher, server.base + "/a.html", policy)
        second = _refusal(fetcher, server.base + "/b.html", policy)
        elapsed = time.monotonic() - started
        assert server.count("/a.html") == 1 and server.count("/b.html") == 0
    assert first.kind is ErrorKind.HTTP_STATUS and first.status == 429 and "86400 s" in first.message
    assert second.status == 429 and "paused" in second.message
    assert elapsed < 5.0  # before: the Retry-After, capped at 5 s, was waited out twice (10 s)


@pytest.mark.parametrize("value", ["soon", "-5", "1.5e3", "", "Thu, 01 Jan 1970 00:00:00 GMT"])
def test_a_retry_after_that_is_garbage_or_past_falls_back_on_the_backoff(
    fetcher: Fetcher, value: str
) -> None:
    busy = Route(b"<html><body>busy</body></html>", status=503, headers={"Retry-After": value})
    with RouteServer({"/a.html": busy, "/b.html": PAGE}) as server:
        error = _refusal(fetcher, server.base + "/a.html")
        assert server.count("/a.html") == POLICY.max_retries + 1  # retried, not taken as "wait forever"
        assert fetcher.fetch(server.base + "/b.html", POLICY).status == 200  # and the host not paused
    assert error.kind is ErrorKind.HTTP_STATUS and "paused" not in error.message


@pytest.mark.parametrize("value", ["Fri, 31 Dec 9999 23:59:59 GMT", "9" * 40])
def test_a_retry_after_of_millennia_pauses_the_host_for_at_most_the_longest_pause(
    fetcher: Fetcher, value: str
) -> None:
    busy = Route(b"<html><body>busy</body></html>", status=429, headers={"Retry-After": value})
    with RouteServer({"/a.html": busy, "/b.html": PAGE}) as server:
        first = _refusal(fetcher, server.base + "/a.html")
        second = _refusal(fetcher, server.base + "/b.html")
        assert server.count("/a.html") == 1 and server.count("/b.html") == 0
    assert "host paused" in first.message
    paused = re.search(r"is paused for (\d+) s more", second.message)
    assert paused is not None and 0 < int(paused[1]) <= HostBreaker().max_pause_s  # an hour, not millennia


def test_a_host_that_answers_again_is_no_longer_paused() -> None:
    clock = [0.0]
    with Fetcher(allow_private_hosts=["127.0.0.1"], clock=lambda: clock[0] + time.monotonic()) as fetcher:
        down = Route(b"down", status=503)
        with RouteServer() as server:
            server.fallback = lambda path: down
            for n in range(3):
                _refusal(fetcher, f"{server.base}/{n}.html")
            assert "paused" in _refusal(fetcher, server.base + "/3.html").message
            server.fallback = lambda path: PAGE
            clock[0] += fetcher.breaker.pause_s + 1
            assert fetcher.fetch(server.base + "/4.html", POLICY).status == 200
            assert fetcher.fetch(server.base + "/5.html", POLICY).status == 200


# -- bodies whose framing lies -------------------------------------------------------------------------
def test_a_chunked_body_that_never_ends_stops_at_the_byte_limit(fetcher: Fetcher) -> None:
    with HostileServer(Behaviour("endless", interval_s=0.0005, chunk_bytes=16_384)) as server:
        started = time.monotonic()
        error = _refusal(fetcher, server.base + "/live.html")
        assert error.kind is ErrorKind.TOO_LARGE
        assert len(server.hits("/live.html")) == 1
    assert time.monotonic() - started < 10  # bounds a hang; one request is the measure


def test_a_slow_chunked_body_that_never_ends_stops_at_the_deadline(fetcher: Fetcher) -> None:
    with HostileServer(Behaviour("endless", interval_s=0.05, chunk_bytes=64)) as server:
        started = time.monotonic()
        error = _refusal(fetcher, server.base + "/live.html")
        assert error.kind is ErrorKind.FETCH and "timed out" in error.message
        assert len(server.hits("/live.html")) == 2  # one more deadline, not max_retries
    assert time.monotonic() - started < 10  # two 1 s deadlines, generous under load


def test_a_content_length_longer_than_the_body_is_a_fetch_error(fetcher: Fetcher) -> None:
    with HostileServer(Behaviour("short")) as server:
        error = _refusal(fetcher, server.base + "/story.html")
        assert error.kind is ErrorKind.FETCH
        assert len(server.hits("/story.html")) == POLICY.max_retries + 1


def test_a_content_length_longer_than_the_body_on_a_connection_held_open_ends_at_the_deadline(
    fetcher: Fetcher,
) -> None:
    """The body sent, then nothing: no close to end the read. Held: a ``fetch`` error after two deadlines."""
    with HostileServer(Behaviour("stall")) as server:
        started = time.monotonic()
        error = _refusal(fetcher, server.base + "/story.html")
        assert error.kind is ErrorKind.FETCH and "timed out" in error.message
        assert len(server.hits("/story.html")) == 2  # one more deadline, not max_retries
    assert time.monotonic() - started < 10  # two 1 s deadlines, generous under load


def test_a_content_length_shorter_than_the_body_does_not_poison_the_next_request(fetcher: Fetcher) -> None:
    with HostileServer(Behaviour("long")) as server:
        first = fetcher.fetch(server.base + "/one.html", POLICY)
        assert len(first.content) == 200
        second = fetcher.fetch(server.base + "/two.html", POLICY)
        assert second.content == first.content  # the extra bytes were not read as the next response


def test_a_connection_reset_mid_body_is_a_fetch_error(fetcher: Fetcher) -> None:
    with HostileServer(Behaviour("reset")) as server:
        error = _refusal(fetcher, server.base + "/story.html")
        assert error.kind is ErrorKind.FETCH
        assert len(server.hits("/story.html")) == POLICY.max_retries + 1


def test_a_truncated_gzip_body_is_refused_not_stored_half(fetcher: Fetcher) -> None:
    whole = gzip.compress(ARTICLE * 3)
    cut = Route(whole[: len(whole) // 2], headers={"Content-Encoding": "gzip"})
    with RouteServer(
        {"/cut.html": cut, "/whole.html": Route(whole, headers={"Content-Encoding": "gzip"})}
    ) as server:
        assert fetcher.fetch(server.base + "/whole.html", POLICY).content == ARTICLE * 3
        error = _refusal(fetcher, server.base + "/cut.html")
    assert error.kind is ErrorKind.FETCH and "truncated" in error.message


def test_gzip_members_one_after_another_are_all_read(fetcher: Fetcher) -> None:
    half = len(ARTICLE) // 2
    members = gzip.compress(ARTICLE[:half]) + gzip.compress(ARTICLE[half:])
    with RouteServer({"/two.html": Route(members, headers={"Content-Encoding": "gzip"})}) as server:
        assert fetcher.fetch(server.base + "/two.html", POLICY).content == ARTICLE


# -- redirects, interstitials, meta refresh ------------------------------------------------------------
def _moved(target: str) -> Route:
    return Route(b"", status=302, headers={"Location": target})


def _refresh(target: str, seconds: int = 0) -> Route:
    return Route(
        f'<html><head><meta http-equiv="refresh" content="{seconds}; url={target}"></head>'
        f'<body><p>This page has moved to <a href="{target}">here</a>.</p></body></html>'.encode()
    )


def test_a_redirect_loop_across_two_hosts_is_a_redirect_error(fetcher: Fetcher) -> None:
    with RouteServer() as a, RouteServer() as b:
        a.routes["/x"] = _moved(b.base + "/y")
        b.routes["/y"] = _moved(a.base + "/x")
        error = _refusal(fetcher, a.base + "/x")
        assert (a.count("/x"), b.count("/y")) == (1, 1)
    assert error.kind is ErrorKind.REDIRECT and "loop" in error.message


def test_a_long_redirect_chain_across_hosts_stops_at_the_limit(fetcher: Fetcher) -> None:
    with RouteServer() as a, RouteServer() as b:
        a.fallback = lambda path: _moved(f"{b.base}/{int(path[1:]) + 1}")
        b.fallback = lambda path: _moved(f"{a.base}/{int(path[1:]) + 1}")
        error = _refusal(fetcher, a.base + "/1")
        hops = [hit for hit in [*a.hits, *b.hits] if hit != "/robots.txt"]
    assert error.kind is ErrorKind.REDIRECT and "more than 5 redirects" in error.message
    assert len(hops) == POLICY.max_redirects + 1


def test_a_redirect_chain_across_hosts_ending_in_a_disallowed_url_stops_before_it(fetcher: Fetcher) -> None:
    """Each hop is checked against its own host's robots.txt: a chain may not launder a disallowed page."""
    with RouteServer() as a, RouteServer() as b:
        b.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
        a.routes["/x"] = _moved(b.base + "/y")
        b.routes["/y"] = _moved("/private/z")
        b.routes["/private/z"] = PAGE
        error = _refusal(fetcher, a.base + "/x")
        assert (a.count("/x"), b.count("/y"), b.count("/private/z")) == (1, 1, 0)
    assert error.kind is ErrorKind.ROBOTS and "/private/z" in error.message


def test_a_cross_host_redirect_to_the_article_is_followed(fetcher: Fetcher) -> None:
    with RouteServer() as a, RouteServer() as b:
        a.routes["/old/story"] = _moved(b.base + "/world/story?utm_source=moved")
        b.routes["/world/story"] = PAGE
        result = fetcher.fetch(a.base + "/old/story", POLICY)
    assert result.url == a.base + "/old/story" and result.final_url == b.base + "/world/story"
    assert b"A plain story" in result.content


@pytest.mark.parametrize("param", ["continue", "return_to", "dest"])
def test_a_consent_interstitial_redirect_is_refused_not_stored(fetcher: Fetcher, param: str) -> None:
    gate = b"<html><body><h1>We value your privacy</h1><form><button>Accept all</button></form></body></html>"
    with RouteServer() as a, RouteServer() as consent:
        story = a.base + "/world/2024/03/05/story.html"
        a.routes["/world/2024/03/05/story.html"] = _moved(
            f"{consent.base}/v2/collectConsent?sessionId=3_cc-session&{param}={quote(quote(story, safe=''), safe='')}"
        )
        consent.fallback = lambda path: Route(gate)
        error = _refusal(fetcher, story)
        assert [hit for hit in consent.hits if hit != "/robots.txt"] == []
    assert error.kind is ErrorKind.REDIRECT and "interstitial" in error.message


def test_a_meta_refresh_redirect_is_followed(fetcher: Fetcher) -> None:
    with RouteServer({"/moved.html": _refresh("/new/story.html"), "/new/story.html": PAGE}) as server:
        result = fetcher.fetch(server.base + "/moved.html", POLICY)
    assert result.final_url == server.base + "/new/story.html" and "A plain story" in (result.text or "")


def test_an_endless_meta_refresh_loop_is_a_redirect_error(fetcher: Fetcher) -> None:
    with RouteServer() as server:
        server.routes.update({"/r1": _refresh("/r2"), "/r2": _refresh(server.base + "/r1")})
        error = _refusal(fetcher, server.base + "/r1")
        assert (server.count("/r1"), server.count("/r2")) == (1, 1)
    assert error.kind is ErrorKind.REDIRECT and "loop" in error.message


def test_a_page_that_only_reloads_itself_is_a_page(fetcher: Fetcher) -> None:
    live = ARTICLE.replace(b"<head>", b'<head><meta http-equiv="refresh" content="300; url=/elsewhere">')
    with RouteServer({"/live.html": Route(live), "/self.html": _refresh("/self.html")}) as server:
        assert fetcher.fetch(server.base + "/live.html", POLICY).final_url == server.base + "/live.html"
        assert fetcher.fetch(server.base + "/self.html", POLICY).final_url == server.base + "/self.html"


def _cookie_check(server: RouteServer, cookie: str, *, honours: bool = True) -> Callable[[str], Route]:
    """A cookie check: the page redirects to itself setting a cookie, and serves the page to a request
    carrying it (``honours``), or never does (a check no client passes)."""

    def answer(path: str) -> Route:
        if honours and cookie in server.headers[-1].get("cookie", ""):
            return PAGE
        return Route(b"", status=302, headers={"Location": path, "Set-Cookie": f"{cookie}; Path=/"})

    return answer


def test_a_cookie_check_redirecting_to_the_page_itself_is_passed_with_the_cookie(fetcher: Fetcher) -> None:
    """What Scrapy's cookie middleware survives: before, the second request was taken for a loop."""
    with RouteServer() as server:
        server.routes["/news/cookie-check.html"] = _cookie_check(server, "checked=1")
        result = fetcher.fetch(server.base + "/news/cookie-check.html", POLICY)
        assert server.count("/news/cookie-check.html") == 2
    assert result.final_url == server.base + "/news/cookie-check.html" and b"A plain story" in result.content


def test_a_cookie_check_no_client_passes_is_a_redirect_loop_after_one_retry(fetcher: Fetcher) -> None:
    with RouteServer() as server:
        server.routes["/news/never.html"] = _cookie_check(server, "checked=1", honours=False)
        error = _refusal(fetcher, server.base + "/news/never.html")
        assert server.count("/news/never.html") == 2
    assert error.kind is ErrorKind.REDIRECT and "loop" in error.message


def test_a_metered_paywall_counting_by_cookie_never_sees_a_reader_come_back(fetcher: Fetcher) -> None:
    """Cookies are kept within one redirect chain only: before, the client's jar sent the meter back and
    from the fourth story on every page was the paywall's stub (a Scrapy-style crawler keeping cookies
    meets the same wall)."""
    with RouteServer() as server:

        def metered(path: str) -> Route:
            sent = server.headers[-1].get("cookie", "")
            read = int(sent.rsplit("meter=", 1)[1].split(";")[0]) if "meter=" in sent else 0
            if read >= 3:
                return Route(b"<html><body><h1>Subscribe to keep reading</h1></body></html>")
            return Route(ARTICLE, headers={"Set-Cookie": f"meter={read + 1}; Path=/; Max-Age=86400"})

        server.fallback = metered
        pages = [fetcher.fetch(f"{server.base}/news/{n}.html", POLICY).content for n in range(6)]
        assert not [headers for headers in server.headers if "cookie" in headers]
    assert all(b"A plain story" in page for page in pages)


# -- robots.txt that hangs or moves --------------------------------------------------------------------
def test_robots_txt_that_never_answers_costs_one_deadline_pair_per_host() -> None:
    policy = FetchPolicy.from_source(
        Defaults(), user_agent="wirefeed-test/0.1", min_delay_s=0.0, timeout_s=0.5, backoff_base_s=0.05
    )
    with (
        HostileServer(Behaviour("ok", robots_hangs=True)) as server,
        Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher,
    ):
        started = time.monotonic()
        errors = [_refusal(fetcher, f"{server.base}/news/{n}.html", policy) for n in range(5)]
        assert len(server.hits("/robots.txt")) == 2 and not [
            h for h in server.hits() if h.path != "/robots.txt"
        ]
    assert all(e.kind is ErrorKind.ROBOTS and "unreachable" in e.message for e in errors)
    assert time.monotonic() - started < 10  # two 0.5 s deadlines, then every page refused at once


def test_robots_txt_redirected_to_another_host_is_obeyed(fetcher: Fetcher) -> None:
    with RouteServer() as a, RouteServer() as b:
        a.routes["/robots.txt"] = _moved(b.base + "/shared-robots.txt")
        b.routes["/shared-robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
        a.fallback = lambda path: PAGE
        assert _refusal(fetcher, a.base + "/private/x.html").kind is ErrorKind.ROBOTS
        assert fetcher.fetch(a.base + "/news/x.html", POLICY).status == 200
        assert a.count("/private/x.html") == 0


@pytest.mark.parametrize("bom", [b"\xef\xbb\xbf", b""])
def test_robots_txt_starting_with_a_byte_order_mark_is_obeyed(fetcher: Fetcher, bom: bytes) -> None:
    """Windows editors save robots.txt with a UTF-8 BOM; before, it hid the first ``User-agent`` line, so
    the group's ``Disallow`` lines were dropped and the private pages fetched."""
    with RouteServer() as server:
        server.routes["/robots.txt"] = Route(bom + b"User-agent: *\nDisallow: /private/\n", "text/plain")
        server.fallback = lambda path: PAGE
        assert _refusal(fetcher, server.base + "/private/x.html").kind is ErrorKind.ROBOTS
        assert fetcher.fetch(server.base + "/news/x.html", POLICY).status == 200
        assert server.count("/private/x.html") == 0


def test_a_robots_txt_of_megabytes_is_read_to_its_first_500_kib() -> None:
    """RFC 9309 asks a crawler to parse at least 500 KiB; a robots.txt of 3 MB of rules costs no more.
    Held: the rule near the top obeyed, the one past the cut not read, the file fetched once."""
    filler = b"".join(b"Disallow: /archive/%d/*/print$\n" % n for n in range(100_000))
    body = b"User-agent: *\nDisallow: /private/\n" + filler + b"Disallow: /news/\n"
    assert len(body) > 3_000_000
    with RouteServer() as server, Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher:
        server.routes["/robots.txt"] = Route(body, "text/plain")
        server.fallback = lambda path: PAGE
        assert _refusal(fetcher, server.base + "/private/x.html").kind is ErrorKind.ROBOTS
        assert [fetcher.fetch(f"{server.base}/news/{n}.html", POLICY).status for n in range(3)] == [200] * 3
        assert server.count("/robots.txt") == 1 and server.count("/private/x.html") == 0


def test_a_robots_txt_answered_with_an_html_page_has_no_rules() -> None:
    """A site answering every unknown path with its home page (200, text/html) has no robots.txt: no
    line of the page is a rule, so every page may be fetched (what Google does). Held."""
    home = (
        b"<!DOCTYPE html><html><body><h1>Welcome</h1><p>Disallow: nothing here, just news.</p></body></html>"
    )
    with RouteServer() as server, Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher:
        server.routes["/robots.txt"] = Route(home)
        server.fallback = lambda path: PAGE
        assert fetcher.fetch(server.base + "/news/x.html", POLICY).status == 200
