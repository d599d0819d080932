"""The fetcher against real HTTP servers on 127.0.0.1: the fixture site's hostile endpoints, robots.txt,
politeness measured from the server's own request log, and the SSRF guard."""

from __future__ import annotations

import contextlib
import gzip
import itertools
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from config.settings import SettingsError, load_settings
from config.sources import Defaults
from scrapers.encoding import charset_from_content_type, decode_document
from scrapers.errors import ErrorKind, IngestError
from scrapers.fetch import Fetcher, FetchPolicy, HostGuard, bounded_decompress, gunzip_bounded
from scrapers.politeness import InProcessHostGate
from scrapers.robots import RobotsRules
from scrapers.urls import landing_of
from tests.hostile_servers import Behaviour, HostileServer
from worker.demo import DemoSite

POLICY = FetchPolicy.from_source(
    Defaults(),
    user_agent="wirefeed-test/0.1",
    min_delay_s=0.15,
    timeout_s=1.0,
    max_bytes=1_000_000,
    max_retries=1,
    backoff_base_s=0.05,
    retry_after_cap_s=2.0,
)


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(oversized_bytes=2_000_000, bomb_bytes=32_000_000, drip_s=0.1) as demo:
        yield demo


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(allow_private_hosts=["127.0.0.1"]) as instance:
        yield instance


def _article(site: DemoSite, outlet: str, special: str | None = None):
    return next(a for a in site.articles if a.outlet == outlet and a.special == special and not a.wire)


def _refusal(fetcher: Fetcher, url: str, policy: FetchPolicy = POLICY) -> IngestError:
    with pytest.raises(IngestError) as caught:
        fetcher.fetch(url, policy)
    return caught.value


# -- pages that arrive ---------------------------------------------------------------------------------
def test_page_arrives_decoded_with_validators(site: DemoSite, fetcher: Fetcher) -> None:
    article = _article(site, "northwind")
    result = fetcher.fetch(site.url("northwind", article.path), POLICY)
    assert result.status == 200
    assert article.title in result.text
    assert result.etag and result.last_modified
    assert result.encoding == "utf-8"


def test_conditional_get_gets_304_without_body(site: DemoSite, fetcher: Fetcher) -> None:
    article = _article(site, "harbor")
    url = site.url("harbor", article.path)
    first = fetcher.fetch(url, POLICY)
    again = fetcher.fetch(url, POLICY, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.content == b"" and again.text is None
    assert [r.status for r in site.requests("harbor") if r.path == article.path][-1] == 304


def test_500_then_success_is_retried(site: DemoSite, fetcher: Fetcher) -> None:
    article = _article(site, "valley", "flaky")
    result = fetcher.fetch(site.url("valley", article.path), POLICY)
    assert result.status == 200 and result.attempts == 2
    statuses = [r.status for r in site.requests("valley") if r.path == article.path]
    assert statuses[:2] == [500, 200]


def test_429_waits_for_retry_after(site: DemoSite, fetcher: Fetcher) -> None:
    article = _article(site, "valley", "busy")
    result = fetcher.fetch(site.url("valley", article.path), POLICY)
    assert result.status == 200
    hits = [r for r in site.requests("valley") if r.path == article.path]
    assert [h.status for h in hits[:2]] == [429, 200]
    assert hits[1].time - hits[0].time >= 1.0  # the server asked for one second


def test_mislabelled_charset_is_decoded_from_meta(site: DemoSite, fetcher: Fetcher) -> None:
    article = _article(site, "valley", "mislabelled_charset")
    result = fetcher.fetch(site.url("valley", article.path), POLICY)
    assert result.encoding == "cp1252"
    assert "Café Amélie" in result.text and "€2,000" in result.text and "naïve" in result.text
    assert any("does not decode" in w for w in result.warnings)


# -- hostile endpoints ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/news/council-minutes-2019/", ErrorKind.HTTP_STATUS),
        ("/news/redirect-a/", ErrorKind.REDIRECT),
        ("/news/photo-gallery-harvest-festival/", ErrorKind.TOO_LARGE),
        ("/news/weekly-digest/", ErrorKind.TOO_LARGE),
        ("/news/annual-report-2025.pdf", ErrorKind.NOT_HTML),
        ("/news/live-updates-election-night/", ErrorKind.FETCH),
    ],
)
def test_hostile_endpoints_are_refused_with_their_kind(
    site: DemoSite, fetcher: Fetcher, path: str, kind: ErrorKind
) -> None:
    started = time.monotonic()
    error = _refusal(fetcher, site.url("valley", path))
    assert error.kind is kind, error.message
    # Bounded: even the page that never ends costs at most (retries + 1) timeouts plus backoff.
    assert time.monotonic() - started < (POLICY.max_retries + 1) * POLICY.timeout_s + 3


def test_a_refusal_carries_its_http_status_as_a_declared_field(site: DemoSite, fetcher: Fetcher) -> None:
    """``status`` is part of the error's contract (the crawl state and the fetch metrics read it), so every
    IngestError has it: the HTTP status of a refusal that had one, None otherwise."""
    assert _refusal(fetcher, site.url("valley", "/news/council-minutes-2019/")).status == 404
    assert IngestError(ErrorKind.ROBOTS, "disallowed").status is None


def test_the_policy_has_no_defaults_of_its_own() -> None:
    """Defaults are written once, on the sources schema: a policy comes from a loaded source."""
    with pytest.raises(TypeError):
        FetchPolicy()  # type: ignore[call-arg]
    policy = FetchPolicy.from_source(Defaults(), max_retries=0)
    assert policy.user_agent == Defaults().user_agent and policy.max_retries == 0


def test_redirect_limit(site: DemoSite, fetcher: Fetcher) -> None:
    policy = FetchPolicy.from_source(
        Defaults(),
        user_agent=POLICY.user_agent,
        min_delay_s=POLICY.min_delay_s,
        timeout_s=POLICY.timeout_s,
        max_bytes=POLICY.max_bytes,
        max_retries=0,
        max_redirects=0,
    )
    error = _refusal(fetcher, site.url("valley", "/news/redirect-a/"), policy)
    assert error.kind is ErrorKind.REDIRECT and "more than 0 redirects" in error.message


def test_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = gzip.compress(b"\0" * 20_000_000)
    with pytest.raises(IngestError) as caught:
        gunzip_bounded(bomb, 1_000_000)
    assert caught.value.kind is ErrorKind.TOO_LARGE
    produced = 0
    with pytest.raises(IngestError):
        for chunk in bounded_decompress([bomb], 31, 1_000_000, "bomb"):
            produced += len(chunk)
    assert produced <= 1_000_001


# -- robots.txt ----------------------------------------------------------------------------------------
def test_disallowed_path_is_never_requested(site: DemoSite, fetcher: Fetcher) -> None:
    error = _refusal(fetcher, site.url("valley", "/private/members-only-budget-analysis/"))
    assert error.kind is ErrorKind.ROBOTS
    assert not [r for r in site.requests() if r.path.startswith("/private/")]


def test_robots_txt_is_fetched_once_per_host_and_first(site: DemoSite, fetcher: Fetcher) -> None:
    since = time.monotonic()
    for article in [a for a in site.articles if a.outlet == "northwind"][:3]:
        fetcher.fetch(site.url("northwind", article.path), POLICY)
    paths = [r.path for r in site.requests("northwind") if r.time >= since]
    assert paths[0] == "/robots.txt" and paths.count("/robots.txt") == 1 and len(paths) == 4


def test_robots_status_semantics() -> None:
    assert RobotsRules.from_response(404, b"").allowed("https://x.org/a", "bot")
    assert not RobotsRules.from_response(503, b"").allowed("https://x.org/a", "bot")
    rules = RobotsRules.from_response(200, b"User-agent: *\nDisallow: /private/\nCrawl-delay: 3\n")
    assert rules.allowed("https://x.org/news/a", "wirefeed/0.1 (+https://example.org)")
    assert not rules.allowed("https://x.org/private/a", "wirefeed/0.1 (+https://example.org)")
    assert rules.crawl_delay("wirefeed/0.1") == 3.0


class _Scripted(BaseHTTPRequestHandler):
    """A server whose robots.txt answers with a chosen status; the page itself is always fine."""

    robots_status = 200
    hits: list[str]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path == "/robots.txt":
            body, status = b"User-agent: *\nDisallow:\n", self.robots_status
        else:
            body = b"<html><body><p>" + b"A plain page. " * 40 + b"</p></body></html>"
            status = 200
        self.send_response(status)
        self.send_header(
            "Content-Type", "text/html" if status == 200 and self.path != "/robots.txt" else "text/plain"
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def scripted() -> Iterator[tuple[str, type[_Scripted]]]:
    handler = type("Handler", (_Scripted,), {"hits": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("status", "allowed"), [(401, True), (404, True), (410, True), (429, False), (500, False), (503, False)]
)
def test_robots_4xx_allows_and_5xx_disallows(
    scripted: tuple[str, type[_Scripted]], status: int, allowed: bool
) -> None:
    base, handler = scripted
    handler.robots_status = status
    with Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher:
        if allowed:
            assert fetcher.fetch(base + "/page", POLICY).status == 200
        else:
            assert _refusal(fetcher, base + "/page").kind is ErrorKind.ROBOTS
            assert "/page" not in handler.hits


# -- politeness ----------------------------------------------------------------------------------------
def test_requests_to_one_host_keep_min_delay_even_from_many_threads(site: DemoSite) -> None:
    policy = FetchPolicy.from_source(
        Defaults(), user_agent="wirefeed-test/0.1", min_delay_s=0.25, timeout_s=2.0, max_retries=0
    )
    articles = [a for a in site.articles if a.outlet == "northwind"][:4]
    since = time.monotonic()
    with Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher:
        threads = [
            threading.Thread(target=fetcher.fetch, args=(site.url("northwind", a.path), policy))
            for a in articles
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    times = sorted(r.time for r in site.requests("northwind") if r.time >= since)
    assert len(times) >= len(articles)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.25


def test_crawl_delay_wins_when_larger(site: DemoSite) -> None:
    policy = FetchPolicy.from_source(
        Defaults(), user_agent="wirefeed-test/0.1", min_delay_s=0.05, timeout_s=2.0, max_retries=0
    )
    since = time.monotonic()
    with Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher:
        for article in [a for a in site.articles if a.outlet == "harbor"][:3]:
            fetcher.fetch(site.url("harbor", article.path), policy)
    times = sorted(r.time for r in site.requests("harbor") if r.time >= since)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps and min(gaps) >= 0.3  # harbor's robots.txt says Crawl-delay: 0.3


def test_gate_lets_different_hosts_overlap() -> None:
    gate = InProcessHostGate()
    inside: list[str] = []
    overlap = threading.Event()

    def hold(host: str) -> None:
        with gate.slot(host, 0.0):
            inside.append(host)
            if len(set(inside)) == 2:
                overlap.set()
            overlap.wait(2.0)

    threads = [threading.Thread(target=hold, args=(h,)) for h in ("http://a:80", "http://b:80")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlap.is_set()


# -- SSRF guard ----------------------------------------------------------------------------------------
def test_loopback_is_blocked_unless_allowed(site: DemoSite) -> None:
    before = len(site.requests())
    with Fetcher() as strict:
        error = _refusal(strict, site.url("northwind", "/"))
    assert error.kind is ErrorKind.BLOCKED_HOST
    assert len(site.requests()) == before  # refused before any byte was sent


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("10.1.2.3", True),
        ("192.168.0.10", True),
        ("172.16.5.4", True),
        ("169.254.169.254", True),
        ("127.0.0.2", True),
        ("224.0.0.1", True),
        ("0.0.0.0", True),
        ("::1", True),
        ("fe80::1", True),
        ("::ffff:10.0.0.1", True),
        ("100.64.0.1", True),  # carrier-grade NAT; a cloud metadata service lives at 100.100.100.200
        ("100.100.100.200", True),
        ("192.88.99.1", True),  # 6to4 relay anycast
        ("2002:a00:1::1", True),  # 6to4, embedding 10.0.0.1
        ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
        ("198.18.0.1", True),  # benchmarking
        ("ff02::1", True),
        ("93.184.216.34", False),
        ("2606:4700::1111", False),
    ],
)
def test_guard_checks_resolved_addresses(address: str, blocked: bool) -> None:
    guard = HostGuard(resolver=lambda host, port: [address])
    if blocked:
        with pytest.raises(IngestError) as caught:
            guard.check("https://innocent-looking.example/story")
        assert caught.value.kind is ErrorKind.BLOCKED_HOST
    else:
        guard.check("https://innocent-looking.example/story")


def test_guard_allow_list_takes_names_addresses_and_networks() -> None:
    guard = HostGuard(["10.0.0.0/8", "intranet.local"], resolver=lambda host, port: ["10.9.8.7"])
    guard.check("http://anything.example/")
    guard.check("http://intranet.local/")
    with pytest.raises(IngestError):
        HostGuard(["127.0.0.1"], resolver=lambda host, port: ["10.9.8.7"]).check("http://x.example/")


# -- charset -------------------------------------------------------------------------------------------
def test_charset_order_header_then_meta_then_detection() -> None:
    text = (
        "<html><head><meta charset='windows-1251'></head><body><p>Привет, мир! Новости дня.</p></body></html>"
    )
    cp1251 = text.encode("cp1251")
    assert (
        decode_document(cp1251, charset_from_content_type("text/html; charset=windows-1251")).encoding
        == "cp1251"
    )
    decoded = decode_document(cp1251, charset_from_content_type("text/html; charset=utf-8"))
    assert decoded.encoding == "cp1251" and "Привет" in decoded.text
    no_meta = text.replace("<meta charset='windows-1251'>", "").encode("utf-8")
    decoded = decode_document(no_meta, charset_from_content_type("text/html"))
    assert "Привет" in decoded.text and decoded.encoding == "utf-8"
    bom = decode_document(
        b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", charset_from_content_type("text/html; charset=latin-1")
    )
    assert bom.text == "<p>café</p>"
    # the usual server default, latin-1, does not turn a UTF-8 page into mojibake
    mislabelled = decode_document("<p>Grüße aus Köln</p>".encode(), "iso-8859-1")
    assert mislabelled.text == "<p>Grüße aus Köln</p>" and mislabelled.warnings
    # a real latin-1 page served as such
    assert decode_document("<p>Grüße</p>".encode("latin-1"), "iso-8859-1").text == "<p>Grüße</p>"


def test_connection_goes_to_the_address_the_guard_vetted() -> None:
    # "pinned.test" exists only in the guard's resolver: the system resolver cannot find it. The page
    # arrives only if the connection uses the vetted address instead of resolving the name again, which is
    # what closes DNS rebinding (a second lookup answering differently). Nothing leaves 127.0.0.1.
    lookups: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    with HostileServer(Behaviour("ok")) as server:
        url = f"http://pinned.test:{server.port}/story"
        with Fetcher(allow_private_hosts=["127.0.0.0/8"], resolver=resolver, respect_robots=False) as fetcher:
            result = fetcher.fetch(url, POLICY)
        assert result.status == 200 and "plain story" in (result.text or "")
        assert [hit.path for hit in server.hits()] == ["/story"]
    assert set(lookups) == {"pinned.test"}


def test_rebinding_answer_is_refused_before_any_connection() -> None:
    # The first lookup (the early check) says loopback, allowed; the lookup the connection uses says a
    # private address. The connection is refused with no byte sent.
    answers = iter([["127.0.0.1"], ["10.1.2.3"], ["10.1.2.3"], ["10.1.2.3"]])
    with HostileServer(Behaviour("ok")) as server:
        url = f"http://rebind.test:{server.port}/story"
        with Fetcher(
            allow_private_hosts=["127.0.0.1"], resolver=lambda h, p: next(answers), respect_robots=False
        ) as fetcher:
            error = _refusal(fetcher, url)
        assert error.kind is ErrorKind.BLOCKED_HOST and "10.1.2.3" in error.message
        assert server.hits() == []


def test_allow_list_host_port_entry_allows_that_port_only() -> None:
    guard = HostGuard(["localhost:8080", "[::1]:9000"], resolver=lambda host, port: ["127.0.0.1"])
    guard.check("http://localhost:8080/a")
    guard.check("http://[::1]:9000/a")
    with pytest.raises(IngestError) as caught:
        guard.check("http://localhost:8081/a")
    assert caught.value.kind is ErrorKind.BLOCKED_HOST


@pytest.mark.parametrize("entry", ["local host:80", "example.org:99999", "http://x/", "[zz]:80"])
def test_allow_list_entry_that_means_nothing_is_refused_at_start(entry: str) -> None:
    with pytest.raises(ValueError, match="allow-list entry"):
        Fetcher(allow_private_hosts=[entry])
    with pytest.raises(SettingsError, match="WIREFEED_ALLOW_PRIVATE_HOSTS"):
        load_settings(allow_private_hosts=f"127.0.0.1,{entry}")
    assert load_settings(allow_private_hosts="127.0.0.1,localhost:8080,10.0.0.0/8").allow_private_hosts


# -- hosts that stall ----------------------------------------------------------------------------------
def test_header_trickle_ends_at_the_deadline_and_is_retried_once() -> None:
    # One byte of headers every 50 ms: every read succeeds, so per-read timeouts never fire.
    policy = FetchPolicy.from_source(
        Defaults(),
        user_agent="wirefeed-test/0.1",
        min_delay_s=0.0,
        timeout_s=1.0,
        max_retries=3,
        backoff_base_s=0.05,
    )
    with (
        HostileServer(Behaviour("trickle", interval_s=0.05)) as server,
        Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher,
    ):
        started = time.monotonic()
        error = _refusal(fetcher, server.base + "/story", policy)
        elapsed = time.monotonic() - started
        assert error.kind is ErrorKind.FETCH and "timed out" in error.message
        assert len(server.hits("/story")) == 2  # one retry after a stall, not max_retries
    assert elapsed < 3.5


def test_silent_host_ends_at_the_deadline() -> None:
    policy = FetchPolicy.from_source(
        Defaults(),
        user_agent="wirefeed-test/0.1",
        min_delay_s=0.0,
        timeout_s=0.5,
        max_retries=3,
        backoff_base_s=0.05,
    )
    with HostileServer(Behaviour("silent")) as server, Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher:
        started = time.monotonic()
        error = _refusal(fetcher, server.base + "/story", policy)
        assert error.kind is ErrorKind.FETCH and time.monotonic() - started < 2.5
        assert len(server.hits("/story")) == 2


def test_oversized_response_headers_are_refused_as_too_large() -> None:
    with (
        HostileServer(Behaviour("bigheaders", header_bytes=200_000)) as server,
        Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher,
    ):
        error = _refusal(fetcher, server.base + "/story")
        assert error.kind is ErrorKind.TOO_LARGE and "headers" in error.message
        assert len(server.hits("/story")) == 1  # a size refusal is final, not retried


def test_large_robots_txt_is_parsed_up_to_500_kib_not_ignored() -> None:
    robots = b"User-agent: *\nDisallow: /private/\n" + b"# padding line of a generated robots file\n" * 16_000
    assert len(robots) > 600 * 1024
    with (
        HostileServer(Behaviour("ok", robots=robots)) as server,
        Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher,
    ):
        error = _refusal(fetcher, server.base + "/private/story")
        assert error.kind is ErrorKind.ROBOTS
        assert server.hits("/private/story") == []
        assert fetcher.fetch(server.base + "/news/story", POLICY).status == 200


class _Catalogue(BaseHTTPRequestHandler):
    """Serves fixed responses by path: what a page claims to be versus what it is."""

    protocol_version = "HTTP/1.1"
    ARTICLE = b"<!DOCTYPE html><html><body><p>" + b"Words of a story. " * 40 + b"</p></body></html>"
    PAGES: dict[str, tuple[str | None, bytes, dict[str, str]]] = {  # noqa: RUF012
        "/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n", {}),
        "/plain-but-html": ("text/plain", ARTICLE, {}),
        "/no-type": (None, ARTICLE, {}),
        "/plain-text": ("text/plain", b"just a line of text, no markup at all\n" * 20, {}),
        "/image": ("image/jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 500, {}),
        "/lying-pdf": ("text/html", b"%PDF-1.4\n" + b"0" * 500, {}),
        "/empty": ("text/html", b"   \n", {}),
        "/declared-huge": ("text/html", ARTICLE, {"X-Pad": "1"}),
        "/gzip-ok": ("text/html", gzip.compress(ARTICLE), {"Content-Encoding": "gzip"}),
        "/brotli": ("text/html", b"\x1b\x00\x00", {"Content-Encoding": "br"}),
    }

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        content_type, body, extra = self.PAGES[self.path]
        self.send_response(200)
        if content_type:
            self.send_header("Content-Type", content_type)
        declared = "50000000" if self.path == "/declared-huge" else str(len(body))
        self.send_header("Content-Length", declared)
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        with contextlib.suppress(ConnectionError):
            self.wfile.write(body)


@pytest.fixture(scope="module")
def catalogue() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Catalogue)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["/plain-but-html", "/no-type", "/gzip-ok"])
def test_markup_is_accepted_whatever_the_label(catalogue: str, fetcher: Fetcher, path: str) -> None:
    result = fetcher.fetch(catalogue + path, POLICY)
    assert "Words of a story." in (result.text or "")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/plain-text", ErrorKind.NOT_HTML),
        ("/image", ErrorKind.NOT_HTML),
        ("/lying-pdf", ErrorKind.NOT_HTML),
        ("/empty", ErrorKind.EMPTY),
        ("/declared-huge", ErrorKind.TOO_LARGE),
        ("/brotli", ErrorKind.NOT_HTML),
    ],
)
def test_what_is_not_a_page_is_refused_with_a_reason(
    catalogue: str, fetcher: Fetcher, path: str, kind: ErrorKind
) -> None:
    error = _refusal(fetcher, catalogue + path)
    assert error.kind is kind and error.message


@pytest.mark.parametrize(
    ("page", "target", "landing"),
    [
        ("/a/removed.html", "/", "the site's home page"),
        ("/?p=123", "/", "the site's home page"),
        ("/news/2024/05/removed-story", "/news/", "a listing above it"),
        ("/news/2024/05/other", "/news/index.html", "a listing above it"),
        ("/story.php?id=9", "/story.php", "a listing above it"),
        ("/news/12345", "/news/", "a listing above it"),
        ("/2024/05/12/slug/amp/", "/2024/05/12/slug/", None),  # an AMP copy's article
        ("/my-post/amp/", "/my-post/", None),
        ("/a/5.html/print", "/a/5.html", None),
        ("/a/7.html/", "/a/7.html", None),
        ("/c/7", "/c/7/", None),
        ("/news/12345", "/news/12345/harbour-vote", None),
        ("/a/old-6.html", "/a/6.html", None),
        ("/", "/", None),
    ],
)
def test_landing_of_tells_a_removal_from_a_move(page: str, target: str, landing: str | None) -> None:
    assert landing_of("https://news.example" + page, "https://news.example" + target) == landing
