"""Answers framed the old or the broken way, and redirects whose target is not plain ASCII, each from a
real server on 127.0.0.1 through the real fetcher: an HTTP/1.0 body that ends when the connection closes,
a chunked body with a chunk-size line that is no number or cut mid-chunk, and ``Location`` headers with
spaces, UTF-8 or Latin-1 bytes (which browsers percent-encode byte by byte)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scrapers.errors import ErrorKind
from scrapers.fetch import Fetcher
from tests.hostile_servers import ARTICLE, Behaviour, HostileServer
from tests.test_hostile_hosts import POLICY, _refusal


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(allow_private_hosts=["127.0.0.1"]) as instance:
        yield instance


def test_an_http_1_0_body_without_a_length_is_read_to_the_close(fetcher: Fetcher) -> None:
    with HostileServer(Behaviour(mode="http10")) as server:
        result = fetcher.fetch(server.base + "/a/1.html", POLICY)
    assert result.content == ARTICLE


@pytest.mark.parametrize("mode", ["badchunk", "cutchunk"])
def test_a_chunked_body_broken_mid_way_is_a_fetch_error_not_half_a_page(fetcher: Fetcher, mode: str) -> None:
    with HostileServer(Behaviour(mode=mode)) as server:
        error = _refusal(fetcher, server.base + "/a/1.html")
        requests = len(server.hits("/a/1.html"))
    assert error.kind is ErrorKind.FETCH and "RemoteProtocolError" in error.message
    assert requests == POLICY.max_retries + 1


@pytest.mark.parametrize(
    ("location", "reached"),
    [
        (b"/a/my story.html", "/a/my%20story.html"),
        (b"/a/trail.html   ", "/a/trail.html"),
        ("/a/caf\u00e9.html".encode(), "/a/caf%C3%A9.html"),
        ("/a/caf\u00e9.html".encode("latin-1"), "/a/caf%E9.html"),  # before: /a/caf%C3%A9.html, a 404
    ],
)
def test_a_location_with_spaces_or_bytes_past_ascii_is_followed_as_browsers_do(
    fetcher: Fetcher, location: bytes, reached: str
) -> None:
    moved = b"HTTP/1.1 301 Moved Permanently\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n" % location
    behaviour = Behaviour(
        scope="/nowhere/", raw={"/old.html": moved}, pages={reached: (ARTICLE, "text/html")}
    )
    with HostileServer(behaviour) as server:
        result = fetcher.fetch(server.base + "/old.html", POLICY)
        requested = [hit.path for hit in server.hits()]
    assert requested == ["/robots.txt", "/old.html", reached]
    assert result.final_url == server.base + reached and result.content == ARTICLE
