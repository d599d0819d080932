"""Polite, bounded HTTP fetching.

Every way a web server can hurt a crawler is handled here and turned into an ``IngestError`` with a
kind: hosts resolving to private networks (SSRF), robots.txt, redirects that loop, pages that never end,
bodies or gzip bombs larger than the budget, binaries served where HTML was expected, and codings and
charsets that lie. Politeness (one request at a time per host, a pause between requests, Retry-After)
goes through a ``HostGate`` so that the same code runs in one process now and across Celery workers later.
"""

from __future__ import annotations

import email.utils
import http.cookiejar
import itertools
import random
import re
import time
import urllib.request
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import httpcore
import httpx
from w3lib.html import get_meta_refresh

from scrapers.encoding import charset_from_content_type, decode_document
from scrapers.errors import ErrorKind, IngestError
from scrapers.network import GuardedBackend, HostGuard, Resolver, request_budget
from scrapers.network import system_resolver as _system_resolver
from scrapers.politeness import (
    Breaker,
    ClaimedElsewhere,
    HostBreaker,
    HostGate,
    InProcessHostGate,
    NoClaims,
    PageClaims,
)
from scrapers.robots import MAX_ROBOTS_BYTES, InProcessRobotsCache, RobotsCache, RobotsRules
from scrapers.soft404 import Soft404Check
from scrapers.urls import MAX_URL_CHARS, canonicalize, host_key, landing_of, origin, try_canonicalize

Kind = Literal["page", "feed", "sitemap", "robots"]
__all__ = [
    "ClaimedElsewhere",
    "FetchPolicy",
    "FetchResult",
    "Fetcher",
    "HostGuard",
    "Resolver",
    "bounded_decompress",
]

META_REFRESH_MAX_S = 10.0  # a meta refresh sooner than this is a redirect; later, a page that reloads
_REFRESH_SCAN = 32_768  # the refresh tag sits in the head: the start of the page is enough
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 507, 508, 520, 521, 522, 523, 524})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_TYPES = frozenset(
    {
        "application/xml",
        "text/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/rss",
        "application/x-rss+xml",
        "application/feed+json",
        "application/json",
    }
)
GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip", "application/x-gunzip", "gzip"})
# Leading bytes of formats we never parse, checked whatever the Content-Type claims.
MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"RIFF", "a RIFF media file"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "an executable"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 file"),
)


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """The per-source limits. Their defaults are the sources schema's (``config.sources.Defaults``), never
    written here: a policy is built from a loaded source (``from_source``), or from the schema's defaults
    when a URL belongs to no source."""

    user_agent: str
    min_delay_s: float
    timeout_s: float
    max_bytes: int
    max_retries: int
    max_redirects: int
    retry_after_cap_s: float
    backoff_base_s: float

    @classmethod
    def from_source(cls, source: Any, **overrides: Any) -> FetchPolicy:
        """The policy of anything that has the limits as attributes (a ``Source``, or ``Defaults``)."""
        values = {name: getattr(source, name) for name in cls.__dataclass_fields__}
        return cls(**{**values, **overrides})


@dataclass(slots=True)
class FetchResult:
    """A response we accept. ``status`` is 200-range, or 304 with an empty body (no parse needed)."""

    url: str
    final_url: str
    status: int
    content_type: str
    content: bytes = b""
    text: str | None = None
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 1
    warnings: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _CookieRedirect(str):
    """A redirect's target when the redirect set a cookie: it may name the page itself, to be asked again
    with the cookie (a cookie check, which browsers and Scrapy's cookie middleware pass), so one return
    to an address already requested is not yet a loop. ``cookie`` is what the next hops on the same origin
    send back, and no other request."""

    cookie: str = ""


MAX_CHAIN_COOKIE_CHARS = 4096  # a browser's limit for one cookie; a redirect chain needs no more


def _cookie_redirect(location: str, set_cookies: list[str]) -> _CookieRedirect:
    target = _CookieRedirect(location)
    pairs = [header.split(";", 1)[0].strip() for header in set_cookies]
    target.cookie = "; ".join(pair for pair in pairs if "=" in pair)[:MAX_CHAIN_COOKIE_CHARS]
    return target


class _KeepNoCookies(http.cookiejar.DefaultCookiePolicy):
    """The client's jar keeps nothing between fetches: a metered paywall counts the articles read by a
    cookie ("3 free stories"), a tracker can grow one without bound, and each Celery worker would hold
    its own. A cookie check gets its cookie back within its own redirect chain (``_CookieRedirect``)."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False


class _Retryable(Exception):
    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        wait_s: float | None = None,
        *,
        timeout: bool = False,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.wait_s = wait_s
        self.timeout = timeout
        self.status = status


_INFLATE_STEP = 1 << 20  # inflated bytes handed on at a time: a stream reader holds one step, not all


def bounded_decompress(
    chunks: Iterable[bytes], wbits: int, limit: int, what: str, step: int = _INFLATE_STEP
) -> Iterator[bytes]:
    """Inflate a stream without ever holding more than ``limit`` output bytes: a gzip bomb is refused
    after ``limit`` bytes of work, not after it has filled memory. Output comes at most ``step`` bytes at
    a time, so a reader that keeps only a first part (a feed cut at the byte limit) has it before the
    stream passes ``limit``. A stream that stops before its end marker is refused too (zlib alone returns
    the half it got, and half an article would be stored as the whole); gzip members written one after
    another (valid, and what appending servers produce) are all read."""
    inflater = zlib.decompressobj(wbits)
    produced = 0
    try:
        for chunk in chunks:
            data = chunk
            while data:
                out = inflater.decompress(data, min(limit - produced + 1, step))
                produced += len(out)
                if produced > limit:
                    raise IngestError(ErrorKind.TOO_LARGE, f"{what} inflates beyond the {limit}-byte limit")
                if out:
                    yield out
                data = inflater.unconsumed_tail
                if inflater.eof and inflater.unused_data:
                    data, inflater = inflater.unused_data + data, zlib.decompressobj(wbits)
        tail = inflater.flush()
        produced += len(tail)
        if produced > limit:
            raise IngestError(ErrorKind.TOO_LARGE, f"{what} inflates beyond the {limit}-byte limit")
        if tail:
            yield tail
    except zlib.error as error:
        raise IngestError(ErrorKind.PARSE, f"{what}: corrupt compressed data ({error})") from None
    if not inflater.eof and produced:
        raise IngestError(ErrorKind.FETCH, f"{what}: compressed stream truncated after {produced} bytes")


_GZIP_MAGIC = b"\x1f\x8b"
_PEEK_BYTES = 64


def _peek(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """The body's first bytes (what its coding is told by), and the whole stream still to read."""
    taken: list[bytes] = []
    size = 0
    for chunk in chunks:
        taken.append(chunk)
        size += len(chunk)
        if size >= _PEEK_BYTES:
            break
    return b"".join(taken)[:_PEEK_BYTES], itertools.chain(taken, chunks)


def _zlib_header(head: bytes) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


def _real_coding(declared: str, head: bytes, kind: Kind) -> str:
    """How the body is really coded, which servers misstate: ``gzip`` on a plain page (a cache or proxy
    that stored the inflated copy and kept the header), ``deflate`` as raw deflate without its zlib header
    (what old IIS and PHP send; RFC 9110 says zlib), and no header on a gzip body (a ``.gz`` file served
    as the page or feed itself). The first bytes decide: a gzip member starts with its magic, and a page,
    feed or sitemap with markup; a coding that is not there is not applied, and one that is, is. A
    sitemap's undeclared gzip is left to the sitemap reader, which inflates it within its own budget."""
    if declared in {"gzip", "x-gzip"}:
        return "identity" if not head.startswith(_GZIP_MAGIC) and _looks_plain(head) else "gzip"
    if declared == "deflate":
        if _zlib_header(head):
            return "deflate"
        return "identity" if _looks_plain(head) and not _inflates_raw(head) else "raw-deflate"
    if declared in {"", "identity"}:
        return "gzip" if kind in {"page", "feed"} and head.startswith(_GZIP_MAGIC) else "identity"
    # A coding we never asked for and cannot undo (``br``, ``zstd``, ``compress``) or no coding at all
    # (``utf-8``, ``none``, ``binary``: a charset or a wish in the wrong header) over a plain body is the
    # same stale or mistaken header; browsers pass unknown codings through. Compressed bytes are refused.
    return "identity" if _looks_plain(head) else declared


_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _looks_plain(head: bytes) -> bool:
    """Uncompressed text (markup, a JSON Feed, a text sitemap, robots.txt): no control byte in its start,
    where compressed data has them in the first few bytes (gzip's magic is two of them)."""
    return _looks_like_markup(head) or (bool(head.strip()) and not _CONTROL.search(head))


def _inflates_raw(head: bytes) -> bool:
    """Whether the bytes open a raw deflate stream: plain markup almost never does (its first bytes make
    an invalid block), so markup under a ``deflate`` header that fails this is taken as it is."""
    try:
        zlib.decompressobj(-zlib.MAX_WBITS).decompress(head)
    except zlib.error:
        return False
    return True


_MAX_CODINGS = 3  # inflations of one body: gzip in gzip is a server's slip, a third layer past any


def _undo_codings(
    url: str, raw: Iterator[bytes], declared: str, kind: Kind, limit: int, step: int
) -> Iterator[bytes]:
    """The body with its codings undone, the last applied first (RFC 9110 lists them in the order applied:
    ``gzip, gzip`` is gzipped twice), each told by the bytes it is undone from (``_real_coding``), so a
    listed coding that is not there is skipped; and a page or feed still gzip afterwards is inflated
    again (a proxy or plugin gzipping a stored gzip copy under one header). Every layer inflates within
    the budget, and at most ``_MAX_CODINGS`` of them."""
    pending = [name.strip() for name in declared.split(",") if name.strip() not in {"", "identity"}]
    chunks = raw
    for _ in range(_MAX_CODINGS):
        name = pending.pop() if pending else ""
        head, chunks = _peek(chunks)
        coding = _real_coding(name, head, kind)
        if coding == "identity":
            if pending:
                continue
            return chunks
        if coding in {"gzip", "deflate", "raw-deflate"}:
            wbits = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}.get(coding, -zlib.MAX_WBITS)
            chunks = bounded_decompress(chunks, wbits, limit, url, step)
            continue
        raise IngestError(
            ErrorKind.NOT_HTML,
            f"{url}: unsupported Content-Encoding {name} (never asked for; no decoder for it here)",
        )
    if pending:
        raise IngestError(
            ErrorKind.NOT_HTML, f"{url}: Content-Encoding {declared} (more than {_MAX_CODINGS} codings)"
        )
    return chunks


def gunzip_bounded(data: bytes, limit: int, what: str = "gzip file") -> bytes:
    return b"".join(bounded_decompress([data], 16 + zlib.MAX_WBITS, limit, what))


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _sniff_binary(head: bytes) -> str | None:
    for magic, label in MAGIC:
        if head.startswith(magic):
            return label
    return None


def _looks_like_markup(head: bytes) -> bool:
    sample = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return sample.startswith((b"<", b"\xff\xfe", b"\xfe\xff"))


def _is_interstitial(source: str, target: str) -> bool:
    """A redirect to another host whose query carries the page's own address (``?continue=``,
    ``?return_to=``, ``?dest=``): a consent, login or paywall gate that sends the reader back afterwards.
    Following it would store the gate as the article; the address, not the gate's name, gives it away."""
    src, dst = urlsplit(source), urlsplit(target)
    if not dst.query or host_key(source) == host_key(target):
        return False
    address = f"{src.netloc}{src.path}".lower().rstrip("/")
    for _, value in parse_qsl(dst.query, keep_blank_values=True):
        decoded = unquote(value).lower()  # gates often encode the address twice
        if address and address in decoded:
            return True
    return False


def _meta_refresh(text: str, url: str) -> str | None:
    """The target of a ``<meta http-equiv="refresh">`` that redirects (to another address, within
    ``META_REFRESH_MAX_S``): such a page is a redirect written in HTML, and what it holds is elsewhere.
    A page that only reloads itself, or moves on after minutes (a live page, a kiosk), is a page."""
    if "refresh" not in text[:_REFRESH_SCAN].lower():
        return None
    interval, target = get_meta_refresh(text[:_REFRESH_SCAN], url)
    if interval is None or target is None or interval > META_REFRESH_MAX_S:
        return None
    return target if try_canonicalize(target) not in {None, try_canonicalize(url)} else None


def _decoded_page(result: FetchResult) -> FetchResult | str:
    """A page's text in its real charset, or where its meta refresh redirects to."""
    try:
        decoded = decode_document(result.content, charset_from_content_type(result.content_type))
    except IngestError as error:
        raise IngestError(error.kind, f"{result.url}: {error.message}") from None
    result.text, result.encoding, result.warnings = decoded.text, decoded.encoding, list(decoded.warnings)
    refresh = _meta_refresh(decoded.text, result.url)
    return refresh if refresh is not None else result


_NON_ASCII = re.compile(rb"[\x80-\xff]")


def _location(response: httpx.Response) -> str:
    """A redirect's target as browsers read it: a byte outside ASCII is percent-encoded as it came. httpx
    decodes a header that is not UTF-8 as Latin-1, and the URL quoting then re-encoded ``café`` as UTF-8
    (``%C3%A9``), an address the Latin-1 server that sent ``caf\\xe9`` does not have (a 404)."""
    raw = next((value for name, value in response.headers.raw if name.lower() == b"location"), b"")
    return _NON_ASCII.sub(lambda byte: b"%%%02X" % byte.group()[0], raw).decode("ascii")


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _request_headers(
    policy: FetchPolicy, kind: Kind, etag: str | None, last_modified: str | None
) -> dict[str, str]:
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"}
    headers["Accept"] = (
        "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
        if kind == "page"
        else "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
    )
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _guarded_transport(guard: HostGuard) -> httpx.HTTPTransport:
    """httpx's transport on our network backend: connections go only to the addresses the guard vetted,
    within each request's deadline (``scrapers.network``). httpx takes no backend argument, so its pool is
    rebuilt with the same defaults plus ours."""
    transport = httpx.HTTPTransport(trust_env=False)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=64,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=GuardedBackend(guard),
    )
    return transport


class Fetcher:
    """One per crawl (or per worker process); thread-safe, so different hosts are fetched concurrently.

    ``gate``, ``robots_cache``, ``breaker`` and ``claims`` are the shared state; pass Redis-backed ones to
    share them across processes.
    """

    def __init__(
        self,
        *,
        gate: HostGate | None = None,
        robots_cache: RobotsCache | None = None,
        allow_private_hosts: Iterable[str] = (),
        resolver: Resolver = _system_resolver,
        client: httpx.Client | None = None,
        respect_robots: bool = True,
        clock: Callable[[], float] = time.monotonic,
        breaker: Breaker | None = None,
        claims: PageClaims | None = None,
    ) -> None:
        self.gate = gate or InProcessHostGate()
        self.claims: PageClaims = claims or NoClaims()
        self.breaker: Breaker = breaker or HostBreaker(clock)
        self.soft_404 = Soft404Check(clock)
        self.robots_cache = robots_cache or InProcessRobotsCache()
        self.guard = HostGuard(allow_private_hosts, resolver)
        self.respect_robots = respect_robots
        self._clock = clock
        self._own_client = client is None
        self._client = client or httpx.Client(
            follow_redirects=False,
            trust_env=False,
            transport=_guarded_transport(self.guard),
            cookies=http.cookiejar.CookieJar(_KeepNoCookies()),
        )

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- robots -------------------------------------------------------------------------------------
    def robots(self, url: str, policy: FetchPolicy) -> RobotsRules:
        """The rules of ``url``'s origin, fetched once and cached; robots.txt is fetched politely too."""
        key = origin(url)
        rules = self.robots_cache.get(key)
        if rules is not None:
            return rules
        lock = getattr(self.robots_cache, "origin_lock", None)
        if lock is None:
            return self._load_robots(key, policy)
        with lock(key):
            return self.robots_cache.get(key) or self._load_robots(key, policy)

    def _load_robots(self, key: str, policy: FetchPolicy) -> RobotsRules:
        robots_policy = FetchPolicy(
            user_agent=policy.user_agent,
            min_delay_s=policy.min_delay_s,
            timeout_s=policy.timeout_s,
            max_bytes=MAX_ROBOTS_BYTES,
            max_retries=min(policy.max_retries, 1),
            max_redirects=5,
            retry_after_cap_s=policy.retry_after_cap_s,
            backoff_base_s=policy.backoff_base_s,
        )
        try:
            result = self.fetch(key + "/robots.txt", robots_policy, kind="robots")
            rules = RobotsRules.from_response(result.status, result.content)
        except IngestError as error:
            if error.kind == ErrorKind.HTTP_STATUS and (status := getattr(error, "status", 0)):
                rules = RobotsRules.from_response(status, b"")
            elif error.kind == ErrorKind.BLOCKED_HOST:
                raise
            else:
                rules = RobotsRules.unreachable(error.message)
        self.robots_cache.put(key, rules)
        crawl_delay = rules.crawl_delay(policy.user_agent)
        if crawl_delay and crawl_delay > policy.min_delay_s:
            # The robots.txt request itself was spaced by min_delay only; the next one must wait longer.
            self.gate.defer(host_key(key), crawl_delay)
        return rules

    def check_robots(self, url: str, policy: FetchPolicy) -> RobotsRules:
        rules = self.robots(url, policy)
        if not rules.allowed(url, policy.user_agent):
            detail = rules.reason if rules.mode == "disallow_all" else "disallowed by robots.txt"
            raise IngestError(ErrorKind.ROBOTS, f"{url}: {detail}")
        return rules

    # -- fetching -----------------------------------------------------------------------------------
    def fetch(
        self,
        url: str,
        policy: FetchPolicy,
        *,
        kind: Kind = "page",
        etag: str | None = None,
        last_modified: str | None = None,
        article: bool = False,
    ) -> FetchResult:
        """GET ``url`` within ``policy``; raises ``IngestError`` with a kind for every refusal or failure.
        ``article``: the URL was listed as an article, so a redirect to its site's home page or to a listing
        above it is a removed article (``http_status`` 404), refused before that page is requested; and the
        addresses its fetch reaches are claimed (``claims``), so a worker holding another spelling of the
        same page stops (``ClaimedElsewhere``) before requesting it again."""
        try:
            url = canonicalize(url) if kind != "robots" else url
        except ValueError as error:
            raise IngestError(ErrorKind.FETCH, str(error)) from None
        if len(url) > MAX_URL_CHARS:
            raise IngestError(ErrorKind.FETCH, f"{url[:200]}...: longer than {MAX_URL_CHARS:,} characters")
        headers = _request_headers(policy, kind, etag, last_modified)
        if not article:
            return self._follow(url, policy, headers, kind, None)
        claimed: list[str] = []
        try:
            return self._follow(url, policy, headers, kind, claimed)
        except BaseException:
            self.claims.release(claimed, url)  # failed or stopped: another spelling may fetch the page
            raise

    def _claim(self, key: str, requested: str, claimed: list[str]) -> None:
        holder = self.claims.claim(key, requested)
        if holder is not None:
            raise ClaimedElsewhere(requested, key, holder)
        claimed.append(key)

    def _follow(
        self,
        requested: str,
        policy: FetchPolicy,
        headers: dict[str, str],
        kind: Kind,
        claimed: list[str] | None,
    ) -> FetchResult:
        """The request and its redirects; ``claimed`` (an article's fetch) collects the addresses claimed on
        the way, each before it is requested."""
        url = requested
        seen = Counter([url])  # requests per address: a loop is one asked twice (a cookie check: thrice)
        redirects = 0
        cookies: dict[str, str] = {}  # origin -> what this chain's redirects set there
        while True:
            if claimed is not None:
                self._claim(url, requested, claimed)
            self.guard.check(url)
            self.breaker.check(host_key(url), url)
            delay = policy.min_delay_s
            if kind != "robots" and self.respect_robots:
                rules = self.check_robots(url, policy)
                delay = max(delay, rules.crawl_delay(policy.user_agent) or 0.0)
            cookie = cookies.get(origin(url))
            hop_headers = {**headers, "Cookie": cookie} if cookie else headers
            response = self._with_retries(url, policy, hop_headers, kind, delay)
            if isinstance(response, FetchResult):
                response.url = requested
                return response
            if isinstance(response, _CookieRedirect) and response.cookie:
                cookies[origin(url)] = response.cookie
            redirects += 1
            url = self._next_hop(requested, url, response, kind, seen, redirects, policy)
            if claimed is not None and (landing := landing_of(requested, url)) is not None:
                raise IngestError(
                    ErrorKind.HTTP_STATUS,
                    f"{requested}: redirected to {landing} ({url}), not to an article: a removed article "
                    "(a soft 404)",
                    status=404,
                )

    @staticmethod
    def _next_hop(
        requested: str,
        url: str,
        location: str,
        kind: Kind,
        seen: Counter[str],
        redirects: int,
        policy: FetchPolicy,
    ) -> str:
        """Where a redirect (HTTP or meta refresh) leads, or the ``REDIRECT`` error that ends the chain:
        too many hops, a loop, an unusable target, or an interstitial."""
        if redirects > policy.max_redirects:
            raise IngestError(ErrorKind.REDIRECT, f"{requested}: more than {policy.max_redirects} redirects")
        try:
            target = canonicalize(location, url) if kind != "robots" else urljoin(url, location)
        except ValueError:
            raise IngestError(  # noqa: B904 (the location itself is the message)
                ErrorKind.REDIRECT, f"{url}: redirect to an unusable URL {location[:200]!r}"
            )
        if len(target) > MAX_URL_CHARS:
            raise IngestError(ErrorKind.REDIRECT, f"{url}: redirect to a URL of {len(target):,} characters")
        if seen[target] >= (2 if isinstance(location, _CookieRedirect) else 1):
            raise IngestError(ErrorKind.REDIRECT, f"{requested}: redirect loop back to {target}")
        if kind != "robots" and _is_interstitial(url, target):
            raise IngestError(
                ErrorKind.REDIRECT,
                f"{requested}: redirected to an interstitial on {urlsplit(target).hostname} that carries the "
                "page's own URL (a consent, login or paywall gate), not the page",
            )
        seen[target] += 1
        return target

    def _with_retries(
        self, url: str, policy: FetchPolicy, headers: dict[str, str], kind: Kind, delay: float
    ) -> FetchResult | str:
        host = host_key(url)
        attempt = 0
        timed_out = False
        while True:
            attempt += 1
            try:
                with self.gate.slot(host, delay):
                    result = self._once(url, policy, headers, kind)
            except _Retryable as error:
                # A host that used the whole deadline once is given one more deadline, not max_retries
                # more: retries are for quick failures (a reset, a 503), not for a host that stalls.
                # A Retry-After beyond the cap is not waited out at all: the host is paused instead.
                beyond_cap = error.wait_s is not None and error.wait_s > policy.retry_after_cap_s
                if attempt > policy.max_retries or (error.timeout and timed_out) or beyond_cap:
                    raise self._give_up(url, host, attempt, error, policy) from None
                timed_out = timed_out or error.timeout
                backoff = policy.backoff_base_s * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
                wait = backoff if error.wait_s is None else max(backoff, error.wait_s)
                self.gate.defer(host, wait)
                continue
            except IngestError:
                self.breaker.succeeded(host)  # the host answered; the answer was refused
                raise
            self.breaker.succeeded(host)
            if isinstance(result, FetchResult):
                result.attempts = attempt
            return result

    def _give_up(
        self, url: str, host: str, attempt: int, error: _Retryable, policy: FetchPolicy
    ) -> IngestError:
        """The final error of a page whose retries are spent, counted against its host's health."""
        if error.wait_s is not None and error.wait_s > policy.retry_after_cap_s:
            message = (
                f"{url}: {error.message} asking to wait {error.wait_s:.0f} s, beyond the "
                f"{policy.retry_after_cap_s:g} s cap (after {attempt} attempts; host paused)"
            )
            failure = IngestError(error.kind, message, status=error.status)
            self.breaker.pause(host, error.wait_s, failure)
            return failure
        failure = IngestError(
            error.kind, f"{url}: {error.message} (after {attempt} attempts)", status=error.status
        )
        self.breaker.failed(host, failure)
        return failure

    def _once(self, url: str, policy: FetchPolicy, headers: dict[str, str], kind: Kind) -> FetchResult | str:
        # One wall-clock deadline for connect, TLS, headers and body: per-operation timeouts never fire on
        # a server that sends one byte a second, and the threads pool ignores Celery's time limits.
        deadline = self._clock() + policy.timeout_s
        timeout = httpx.Timeout(policy.timeout_s, connect=min(policy.timeout_s, 10.0))
        try:
            with (
                request_budget(policy.timeout_s),
                self._client.stream("GET", url, headers=headers, timeout=timeout) as response,
            ):
                return self._handle(url, response, policy, kind, deadline)
        except httpx.TimeoutException as error:
            raise _Retryable(
                ErrorKind.FETCH,
                f"timed out: no complete response within {policy.timeout_s:g} s ({type(error).__name__})",
                timeout=True,
            ) from None
        except (httpx.TransportError, OSError) as error:
            # OSError: a socket call outside httpx's own wrapping (a peer gone mid-exchange)
            raise _Retryable(ErrorKind.FETCH, f"{type(error).__name__}: {error}") from None

    def _handle(
        self, url: str, response: httpx.Response, policy: FetchPolicy, kind: Kind, deadline: float
    ) -> FetchResult | str:
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if peer:
            self.guard.check_peer(url, str(peer[0]))  # before a byte of the body is read
        status = response.status_code
        if status in {301, 302, 303, 307, 308}:
            location = _location(response)
            if not location:
                raise IngestError(ErrorKind.REDIRECT, f"{url}: {status} without a Location")
            set_cookies = response.headers.get_list("set-cookie")
            return _cookie_redirect(location, set_cookies) if set_cookies else str(location)
        if status == 304:
            if not {"if-none-match", "if-modified-since"} & {
                name.lower() for name in response.request.headers
            }:
                # "Not modified" since nothing: no copy was named, so there is nothing to keep. Taken as
                # a 304 the page would be marked fetched and never stored; it is a failure that may pass.
                raise _Retryable(
                    ErrorKind.HTTP_STATUS, "HTTP 304 to a request that named no copy", status=304
                )
            return FetchResult(
                url=url,
                final_url=url,
                status=304,
                content_type="",
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
        if status in RETRY_STATUSES:
            wait = _retry_after(response.headers.get("retry-after"))
            raise _Retryable(ErrorKind.HTTP_STATUS, f"HTTP {status}", wait, status=status)
        if not 200 <= status < 300:
            raise IngestError(ErrorKind.HTTP_STATUS, f"{url}: HTTP {status}", status=status)
        content_type = response.headers.get("content-type", "")
        media = _media_type(content_type)
        self._check_type(url, media, kind)
        # robots.txt (RFC 9309), sitemaps and feeds (their entries are independent, newest first in a
        # feed) are read up to the limit and kept; a page past it is refused.
        cut = kind in {"robots", "sitemap", "feed"}
        declared = response.headers.get("content-length", "")
        if not cut and declared.isdigit() and int(declared) > policy.max_bytes:
            raise IngestError(
                ErrorKind.TOO_LARGE, f"{url}: Content-Length {declared} exceeds {policy.max_bytes} bytes"
            )
        body = self._read(url, response, policy, deadline, truncate=cut, kind=kind)
        if not body.strip():
            if kind == "robots":
                return FetchResult(url=url, final_url=url, status=status, content_type=content_type)
            raise IngestError(ErrorKind.EMPTY, f"{url}: empty response")
        binary = _sniff_binary(body[:16])
        if binary and kind != "robots" and not (kind == "sitemap" and body.startswith(b"\x1f\x8b")):
            raise IngestError(ErrorKind.NOT_HTML, f"{url}: body is {binary} (Content-Type {media or 'none'})")
        if kind == "page" and media not in HTML_TYPES and not _looks_like_markup(body):
            raise IngestError(
                ErrorKind.NOT_HTML, f"{url}: Content-Type {media or 'none'} and the body is not markup"
            )
        result = FetchResult(
            url=url,
            final_url=url,
            status=status,
            content_type=content_type,
            content=body,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
        if kind != "page":
            return result
        return _decoded_page(result)

    @staticmethod
    def _check_type(url: str, media: str, kind: Kind) -> None:
        if kind == "robots" or not media:
            return
        family = media.split("/", 1)[0]
        if family in {"image", "audio", "video", "font"} or media in {"application/pdf", "application/zip"}:
            raise IngestError(ErrorKind.NOT_HTML, f"{url}: Content-Type {media} is not a page")
        if kind == "page":
            if media in HTML_TYPES or media in {"application/octet-stream", "text/plain"}:
                return  # text/plain and octet-stream are often mislabelled HTML; the body sniff decides
            raise IngestError(ErrorKind.NOT_HTML, f"{url}: Content-Type {media} is not HTML")
        allowed = XML_TYPES | GZIP_TYPES | HTML_TYPES | {"text/plain", "application/octet-stream"}
        if media not in allowed and not media.endswith("+xml"):
            raise IngestError(ErrorKind.NOT_HTML, f"{url}: Content-Type {media} is not a feed or sitemap")

    def _read(
        self,
        url: str,
        response: httpx.Response,
        policy: FetchPolicy,
        deadline: float,
        *,
        truncate: bool = False,
        kind: Kind = "page",
    ) -> bytes:
        """The body within ``max_bytes``; past it, refused, or (``truncate``: robots.txt, which RFC 9309
        says to parse up to at least 500 KiB, and sitemaps and feeds, whose first entries stand on their
        own) cut at the limit."""
        declared = response.headers.get("content-encoding", "").strip().lower()
        limit = policy.max_bytes * 2 if truncate else policy.max_bytes
        raw = self._raw_chunks(url, response, policy, deadline, limit)
        # A body kept up to max_bytes is inflated in steps no larger, so the cut comes before the limit (a
        # step of the whole limit overshot it at once: a compressed feed past max_bytes lost every entry)
        step = min(policy.max_bytes, _INFLATE_STEP)
        chunks = _undo_codings(url, raw, declared, kind, limit, step)
        buffer = bytearray()
        for chunk in chunks:
            buffer += chunk
            if truncate and len(buffer) >= policy.max_bytes:
                return bytes(buffer[: policy.max_bytes])
            if len(buffer) > policy.max_bytes:
                raise IngestError(
                    ErrorKind.TOO_LARGE, f"{url}: body exceeds the {policy.max_bytes}-byte limit"
                )
        return bytes(buffer)

    def _raw_chunks(
        self, url: str, response: httpx.Response, policy: FetchPolicy, deadline: float, limit: int
    ) -> Iterator[bytes]:
        received = 0
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > limit:
                raise IngestError(
                    ErrorKind.TOO_LARGE, f"{url}: body exceeds the {policy.max_bytes}-byte limit"
                )
            if self._clock() > deadline:
                raise _Retryable(
                    ErrorKind.FETCH,
                    f"timed out: body not complete after {policy.timeout_s:g} s",
                    timeout=True,
                )
            yield chunk
