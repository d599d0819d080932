"""Hosts that misbehave at the HTTP level, each against the real fetcher on 127.0.0.1: storms of 429/503,
Retry-After values of a day, bodies whose framing lies, connections reset mid-body, truncated gzip,
redirect chains across hosts, consent interstitials, meta-refresh loops, robots.txt that hangs or moves.
Every case ends in bounded time with an error kind, and the next request still works."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator

import pytest

from config.sources import Defaults
from scrapers.errors import ErrorKind, IngestError
from scrapers.fetch import Fetcher, FetchPolicy
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
    assert elapsed < 3.0


def test_a_day_long_retry_after_is_not_waited_out(fetcher: Fetcher) -> None:
    busy = Route(b"<html><body>Too Many Requests</body></html>", status=429, headers={"Retry-After": "86400"})
    with RouteServer({"/a.html": busy, "/b.html": PAGE}) as server:
        started = time.monotonic()
        first = _refusal(fetcher, server.base + "/a.html")
        second = _refusal(fetcher, server.base + "/b.html")
        elapsed = time.monotonic() - started
        assert server.count("/a.html") == 1 and server.count("/b.html") == 0
    assert first.kind is ErrorKind.HTTP_STATUS and first.status == 429 and "86400 s" in first.message
    assert second.status == 429 and "paused" in second.message
    assert elapsed < 0.5  # before: the capped Retry-After waited out twice (2 s), then refused anyway


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
    assert time.monotonic() - started < 2.0


def test_a_slow_chunked_body_that_never_ends_stops_at_the_deadline(fetcher: Fetcher) -> None:
    with HostileServer(Behaviour("endless", interval_s=0.05, chunk_bytes=64)) as server:
        started = time.monotonic()
        error = _refusal(fetcher, server.base + "/live.html")
        assert error.kind is ErrorKind.FETCH and "timed out" in error.message
        assert len(server.hits("/live.html")) == 2  # one more deadline, not max_retries
    assert time.monotonic() - started < 3.5


def test_a_content_length_longer_than_the_body_is_a_fetch_error(fetcher: Fetcher) -> None:
    with HostileServer(Behaviour("short")) as server:
        error = _refusal(fetcher, server.base + "/story.html")
        assert error.kind is ErrorKind.FETCH
        assert len(server.hits("/story.html")) == POLICY.max_retries + 1


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
