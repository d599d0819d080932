"""Bodies whose coding is not what the server says, and decoding bombs, each from a real server on
127.0.0.1 through the real fetcher: ``Content-Encoding: gzip`` on a plain page (a cache that kept the
header of the copy it inflated), ``deflate`` sent raw without its zlib header (old IIS and PHP), a gzip
body sent with no header at all, and gzip, deflate and brotli bombs as pages, feeds and sitemaps. A
coding that is there is undone within the byte budget whatever the header says; one that is not there
is not applied; a bomb costs its budget, never its inflated size."""

from __future__ import annotations

import functools
import gzip
import time
import zlib
from collections.abc import Callable, Iterator

import pytest

from scrapers.discover import discover
from scrapers.errors import ErrorKind, IngestError
from scrapers.fetch import Fetcher
from tests.hostile_servers import ARTICLE, Route, RouteServer
from tests.test_hostile_hosts import POLICY, _refusal

FEED = (
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Harbour news</title>'
    + b"".join(
        b"<item><title>Council votes on harbour budget, part %d</title><link>/news/%d.html</link></item>"
        % (n, n)
        for n in (1, 2)
    )
)
FEED_END = b"</channel></rss>"
URLSET = (
    b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    b"<url><loc>/news/1.html</loc></url><url><loc>/news/2.html</loc></url>"
)


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, 9)


def _zlib(data: bytes) -> bytes:
    return zlib.compress(data, 9)


CODERS: dict[str, Callable[[bytes], bytes]] = {"gzip": _gzip, "deflate": _zlib, "raw deflate": _raw_deflate}
HEADERS = {"gzip": "gzip", "deflate": "deflate", "raw deflate": "deflate"}


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(allow_private_hosts=["127.0.0.1"]) as instance:
        yield instance


def _page(fetcher: Fetcher, route: Route) -> str | None:
    with RouteServer({"/a/1.html": route}) as server:
        return fetcher.fetch(server.base + "/a/1.html", POLICY).text


# -- codings that lie -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "header"),
    [
        (ARTICLE, "gzip"),  # says gzip, is plain (before: `parse`, "incorrect header check")
        (ARTICLE, "x-gzip"),
        (b"\n\n" + ARTICLE, "deflate"),  # says deflate, is plain
        (_raw_deflate(ARTICLE), "deflate"),  # raw deflate, no zlib header (before: `parse`)
        (_gzip(ARTICLE), ""),  # gzip with no header (before: `encoding`, "binary data")
        (_zlib(ARTICLE), "deflate"),  # what RFC 9110 means by deflate: held already
    ],
)
def test_a_page_whose_content_encoding_lies_is_read_as_what_it_is(
    fetcher: Fetcher, body: bytes, header: str
) -> None:
    text = _page(fetcher, Route(body, headers={"Content-Encoding": header} if header else {}))
    assert text is not None and "<h1>A plain story</h1>" in text and text.count("harbour budget") == 12


@pytest.mark.parametrize(
    ("body", "header"),
    [
        (_gzip(_gzip(ARTICLE)), "gzip, gzip"),  # gzipped twice, both listed (RFC 9110's order of codings)
        (_gzip(_gzip(ARTICLE)), "gzip"),  # a stored gzip copy gzipped again under one header
        (_gzip(ARTICLE), "identity, gzip"),
        (_gzip(ARTICLE), "gzip, gzip"),  # listed twice, applied once
        (_zlib(_gzip(ARTICLE)), "gzip, deflate"),
        (ARTICLE, "utf-8"),  # a charset in the wrong header
        (ARTICLE, "none"),
        (ARTICLE, "br"),  # a stale header over a plain copy, as with gzip above
        (ARTICLE, "zstd"),
    ],
)
def test_a_page_with_a_list_of_codings_or_an_unknown_one_over_plain_text_is_read(
    fetcher: Fetcher, body: bytes, header: str
) -> None:
    """Each failed on main: `not_html` "unsupported Content-Encoding" for every list and unknown name,
    and `encoding` ("binary data") for the gzip inside a gzip sent under one header."""
    text = _page(fetcher, Route(body, headers={"Content-Encoding": header}))
    assert text is not None and "<h1>A plain story</h1>" in text and text.count("harbour budget") == 12


def test_a_feed_gzipped_twice_is_read(fetcher: Fetcher) -> None:
    errors: list[tuple[str, IngestError]] = []
    with RouteServer() as server:
        twice = _gzip(_gzip(FEED + FEED_END))
        server.routes["/feed.xml"] = Route(twice, "application/rss+xml", headers={"Content-Encoding": "gzip"})
        server.routes["/both.xml"] = Route(
            twice, "application/rss+xml", headers={"Content-Encoding": "gzip, gzip"}
        )
        found = discover(
            fetcher,
            POLICY,
            feeds=[server.base + "/feed.xml", server.base + "/both.xml"],
            max_items_per_feed=50,
            on_error=lambda url, error: errors.append((url, error)),
        )
    assert errors == []  # before: a `parse` row each ("not a readable feed"; "unsupported Content-Encoding")
    assert [item.url for item in found] == [f"{server.base}/news/1.html", f"{server.base}/news/2.html"]


@pytest.mark.parametrize("header", ["gzip", "gzip, gzip"])
def test_a_bomb_inside_a_gzip_is_refused_within_the_budget(fetcher: Fetcher, header: str) -> None:
    """The outer layer is small; the one inside it inflates to 20 MB: every layer keeps to the budget."""
    bomb = _gzip(_bomb("gzip", b"<html><body><article><p>" + b"A story. " * 50))
    with RouteServer({"/a/1.html": Route(bomb, headers={"Content-Encoding": header})}) as server:
        error = _refusal(fetcher, server.base + "/a/1.html")
    assert error.kind is ErrorKind.TOO_LARGE and "inflates beyond the 200000-byte limit" in error.message


# A deflate stream has no magic to be told by: undeclared, only gzip is recognised (and inflated).
CODED = [*((coding, True) for coding in CODERS), ("gzip", False)]


@pytest.mark.parametrize(("coding", "declared"), CODED)
def test_a_feed_compressed_with_or_without_its_header_is_read(
    fetcher: Fetcher, coding: str, declared: bool
) -> None:
    body = CODERS[coding](FEED + FEED_END)
    headers = {"Content-Encoding": HEADERS[coding]} if declared else {}
    route = Route(body, "application/rss+xml", headers=headers)
    with RouteServer({"/feed.xml": route}) as server:
        found = discover(fetcher, POLICY, feeds=[server.base + "/feed.xml"], max_items_per_feed=50)
        urls = [item.url for item in found]
    assert urls == [f"{server.base}/news/1.html", f"{server.base}/news/2.html"]


def test_a_plain_feed_and_sitemap_labelled_gzip_are_read(fetcher: Fetcher) -> None:
    errors: list[tuple[str, IngestError]] = []
    with RouteServer() as server:
        server.routes["/feed.xml"] = Route(
            FEED + FEED_END, "application/rss+xml", headers={"Content-Encoding": "gzip"}
        )
        server.routes["/sitemap.xml"] = Route(
            URLSET + b"</urlset>", "application/xml", headers={"Content-Encoding": "gzip"}
        )
        found = discover(
            fetcher,
            POLICY,
            feeds=[server.base + "/feed.xml"],
            sitemaps=[server.base + "/sitemap.xml"],
            max_items_per_feed=50,
            on_error=lambda url, error: errors.append((url, error)),
        )
    assert errors == []  # before: two `parse` rows, "corrupt compressed data"
    assert [item.url for item in found] == [f"{server.base}/news/1.html", f"{server.base}/news/2.html"]


def test_a_body_that_is_neither_its_coding_nor_text_is_still_refused(fetcher: Fetcher) -> None:
    noise = bytes(range(7, 250)) * 20
    with RouteServer({"/a/1.html": Route(noise, headers={"Content-Encoding": "gzip"})}) as server:
        error = _refusal(fetcher, server.base + "/a/1.html")
    assert error.kind is ErrorKind.PARSE and "corrupt compressed data" in error.message


# -- bombs ----------------------------------------------------------------------------------------------
BOMB_BYTES = 20_000_000  # inflated; POLICY's budget is 200 KB


@functools.cache
def _bomb(coding: str, head: bytes) -> bytes:
    packer = (
        zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        if coding == "gzip"
        else zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS if coding == "deflate" else -zlib.MAX_WBITS)
    )
    spaces = b" " * 1_000_000
    return (
        packer.compress(head)
        + b"".join(packer.compress(spaces) for _ in range(BOMB_BYTES // len(spaces)))
        + packer.flush()
    )


@pytest.mark.parametrize(("coding", "declared"), CODED)
def test_a_page_bomb_is_refused_within_the_budget(fetcher: Fetcher, coding: str, declared: bool) -> None:
    bomb = _bomb(coding, b"<html><body><article><p>" + b"A story. " * 50)
    assert len(bomb) < 100_000
    route = Route(bomb, headers={"Content-Encoding": HEADERS[coding]} if declared else {})
    with RouteServer({"/a/1.html": route}) as server:
        started = time.monotonic()
        error = _refusal(fetcher, server.base + "/a/1.html")
        elapsed = time.monotonic() - started
    assert error.kind is ErrorKind.TOO_LARGE and "inflates beyond the 200000-byte limit" in error.message
    assert elapsed < 10  # bounds a hang only: the budget, not the bomb, is what the refusal costs


@pytest.mark.parametrize("coding", CODERS)
@pytest.mark.parametrize("kind", ["feed", "sitemap"])
def test_a_feed_or_sitemap_bomb_keeps_the_entries_before_it(fetcher: Fetcher, coding: str, kind: str) -> None:
    head, media, path = (
        (FEED, "application/rss+xml", "/feed.xml")
        if kind == "feed"
        else (URLSET, "application/xml", "/sitemap.xml")
    )
    route = Route(_bomb(coding, head), media, headers={"Content-Encoding": HEADERS[coding]})
    with RouteServer({path: route}) as server:
        lists = {"feeds" if kind == "feed" else "sitemaps": [server.base + path]}
        found = discover(fetcher, POLICY, max_items_per_feed=50, **lists)  # type: ignore[arg-type]
    assert [item.url for item in found] == [f"{server.base}/news/1.html", f"{server.base}/news/2.html"]


@pytest.mark.parametrize(
    ("coding", "body"), [("br", b"\x1b\xff\xff\x1f" * 5000), ("zstd", b"\x28\xb5\x2f\xfd\x04\x58" * 5000)]
)
def test_a_brotli_or_zstd_body_never_asked_for_is_refused_unread(
    fetcher: Fetcher, coding: str, body: bytes
) -> None:
    """``br`` and ``zstd`` are not in our Accept-Encoding and no decoder for them is installed; a server
    sending them anyway (a bomb among them) is refused on its header, before a byte is inflated."""
    with RouteServer({"/a/1.html": Route(body, headers={"Content-Encoding": coding})}) as server:
        error = _refusal(fetcher, server.base + "/a/1.html")
        asked = server.headers[-1]["accept-encoding"]
    assert error.kind is ErrorKind.NOT_HTML and f"unsupported Content-Encoding {coding}" in error.message
    assert coding not in asked


def test_a_plain_robots_txt_labelled_gzip_is_obeyed(fetcher: Fetcher) -> None:
    """Read as its header says, it was corrupt gzip: "unreachable", every page of the host disallowed for
    ten minutes (before: the allowed page refused as `robots`)."""
    robots = Route(
        b"User-agent: *\nDisallow: /private/\n", "text/plain", headers={"Content-Encoding": "gzip"}
    )
    with RouteServer(
        {"/robots.txt": robots, "/a/1.html": Route(ARTICLE), "/private/2.html": Route(ARTICLE)}
    ) as server:
        assert fetcher.fetch(server.base + "/a/1.html", POLICY).status == 200
        error = _refusal(fetcher, server.base + "/private/2.html")
        assert server.count("/private/2.html") == 0
    assert error.kind is ErrorKind.ROBOTS and "disallowed by robots.txt" in error.message
