"""URL canonicalisation and host keys.

One story reached through a feed (``?utm_source=rss``), a sitemap and a share link must map to one key,
or the store fetches and keeps it three times; and politeness is per host, so the host key must be the
same string wherever it is computed.
"""

from __future__ import annotations

import re
from html import unescape as html_unescape
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

DEFAULT_PORTS = {"http": 80, "https": 443}
# The sitemaps protocol's ceiling, and about what browsers and servers accept; longer is a generated trap
# (and past ~2.7 KB a PostgreSQL b-tree key refuses the row, which used to end a whole source's crawl).
MAX_URL_CHARS = 2048

# Parameters that identify a campaign, a click or a share, never the document itself.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wt_mc",
        "wt.mc_id",
        "cmpid",
        "ito",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "ocid",
        "ref_src",
        "spm",
        "s_cid",
        "taid",
        "at_medium",
        "at_campaign",
        "at_custom1",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "piwik_", "mtm_", "hsa_", "__hs", "_hs")

# Session identifiers servers put in URLs when a client keeps no cookies (a crawler): a new one each
# visit, so without this every run would find every article "new" again, a trap that never ends.
SESSION_PARAMS: frozenset[str] = frozenset(
    {"jsessionid", "phpsessid", "sessionid", "session_id", "sessid", "cfid", "cftoken", "zenid", "oscsid"}
)
SESSION_PREFIXES: tuple[str, ...] = ("aspsessionid",)
# ``sid`` and ``s`` also name stories or searches on some sites: dropped only when the value has the
# shape of a session token (long hex), never when it could be an identifier a reader would type.
_TOKEN_PARAMS = frozenset({"sid", "s"})
_SESSION_TOKEN = re.compile(r"^[0-9a-f]{24,}$", re.I)
# ``;jsessionid=...`` (Java servlets) and the like ride in the path itself.
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/?#]*", re.I)


class InvalidURL(ValueError):
    """Not an absolute http(s) URL: such a link is skipped, never fetched."""


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _is_noise(pair: str) -> bool:
    """A query pair that names a campaign, a click or a session, never the document."""
    name, _, value = pair.partition("=")
    lowered = name.lower()
    if _is_tracking(lowered) or lowered in SESSION_PARAMS or lowered.startswith(SESSION_PREFIXES):
        return True
    return lowered in _TOKEN_PARAMS and bool(_SESSION_TOKEN.match(value))


def canonicalize(url: str, base: str | None = None) -> str:
    """The key of a document: lower-case scheme and host, no default port, no fragment, no tracking or
    session parameters, sorted query. ``base`` resolves relative links found in pages and feeds."""
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise InvalidURL(f"not an absolute http(s) URL: {url[:200]!r}")
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError as error:
        raise InvalidURL(f"bad port in {url[:200]!r}") from error
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _is_noise(pair))
    path = _PATH_SESSION.sub("", parts.path) if ";" in parts.path else parts.path
    rebuilt = urlunsplit((scheme, netloc, path or "/", query, ""))
    return _w3lib_canonicalize(rebuilt, keep_fragments=False)


def try_canonicalize(url: str, base: str | None = None) -> str | None:
    """Canonical form, or None for links we never follow (mailto:, javascript:, garbage)."""
    try:
        return canonicalize(url, base)
    except (InvalidURL, ValueError):
        return None


def host_key(url: str) -> str:
    """``scheme://host:port``: the unit of politeness and robots.txt (RFC 9309 scopes robots per origin)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port or DEFAULT_PORTS.get(scheme, 0)
    return f"{scheme}://{host}:{port}"


# Second-level labels under which country registries sell names (``bbc.co.uk``, ``abc.net.au``,
# ``asahi.com.jp`` style): the heuristic ``http.cookiejar`` applies to cookie domains, since no public suffix
# list ships with the runtime. It errs towards one site: two tenants of a hosting suffix (``a.github.io``,
# ``b.github.io``) read as one.
_SECOND_LEVEL = frozenset(
    {"ac", "co", "com", "edu", "go", "gob", "gov", "gv", "int", "ltd", "mil", "ne", "net", "nic", "nom", "or"}
    | {"org", "plc", "sch"}
)


def site_of(url: str) -> str:
    """The registrable domain of ``url``'s host (``example.com`` for ``www.example.com`` and
    ``cdn.example.com``, ``bbc.co.uk`` for ``news.bbc.co.uk``); an address or a one-label host is its own
    site. What one publisher controls: a listing may speak for its sister hosts, not for other sites."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host or ":" in host or host.replace(".", "").isdigit():
        return host
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def origin(url: str) -> str:
    """Where robots.txt lives for ``url``: the origin with its port only when it is not the default."""
    parts = urlsplit(canonicalize(url))
    return f"{parts.scheme}://{parts.netloc}"


_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def is_absolute(url: str) -> bool:
    return bool(_SCHEME_RE.match(url))


_INDEX_PAGE = re.compile(r"^(?:index|default|home|start)(?:\.[a-z0-9]{2,5})?$", re.I)


def _segments(path: str, *, directory: bool = False) -> list[str]:
    """A path's non-empty segments; with ``directory``, a last segment that only names a directory's
    index page (``index.html``, ``default.aspx``) is dropped: ``/news/index.html`` is ``/news/``."""
    segments = [segment for segment in path.split("/") if segment]
    if directory and segments and _INDEX_PAGE.match(segments[-1]):
        segments.pop()
    return segments


_VIEW_SUFFIX = re.compile(r"^[a-z]{1,8}$", re.I)  # amp, print, embed, comments: a view of the page above


def landing_of(page: str, target: str) -> str | None:
    """What ``target`` is when it stands above ``page`` in its site: "the site's home page" (a root, on any
    host) or "a listing above it" (a top-level ancestor: ``/news/`` for ``/news/2024/05/story``, or the
    same path without the query that named the page: ``/article.php`` for ``/article.php?id=5``); None
    when it does not (another article, the same path with or without a trailing slash, a deeper path).
    A deeper ancestor is left alone, and so is one that drops a single short word: ``/2024/05/12/slug/`` is
    the article of ``/2024/05/12/slug/amp/``, and ``/my-post/`` of ``/my-post/amp/`` or ``/my-post/print``
    (an AMP or print copy sends readers and crawlers to its article); the page's own name (a slug, an id)
    dropped is what a removal looks like.

    A removed article is often redirected there, or a page claims it as its canonical, and either way the
    page is not the article its address promised: storing the home page under an article's URL is a
    soft 404 that an honest 404 for unknown addresses does not reveal."""
    before, after = urlsplit(page), urlsplit(target)
    above, below = _segments(after.path, directory=True), _segments(before.path)
    if not above and (below or before.query) and not after.query:
        return "the site's home page"
    if after.netloc.lower() != before.netloc.lower() or len(above) > len(below):
        return None
    if above != below[: len(above)]:
        return None
    dropped = below[len(above) :]
    if len(above) == 1 and dropped and not (len(dropped) == 1 and _VIEW_SUFFIX.match(dropped[0])):
        return "a listing above it"
    if before.query and not after.query and above == below:
        return "a listing above it"
    return None


def slash_variant(url: str) -> str | None:
    """The same address with its path's trailing slash added or removed (``/a/7.html`` and ``/a/7.html/``),
    or None at the root. Servers answer both spellings with one page far more often than with two."""
    parts = urlsplit(url)
    path = parts.path
    if path in {"", "/"}:
        return None
    path = path.rstrip("/") if path.endswith("/") else path + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


_HEAD_CHARS = 65_536  # <link rel=canonical> sits in the head: the start of the page is enough
_CANONICAL_LINK = re.compile(rb"<link\b[^>]{0,2000}>", re.I)
_REL_CANONICAL = re.compile(rb"""\brel\s*=\s*["']?[^"'>]*\bcanonical\b""", re.I)
_HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def declared_canonical(html: str | bytes, base: str) -> str | None:
    """The ``<link rel="canonical">`` the page itself declares, canonicalised against ``base`` (None when it
    declares none): whether the server named the page's address, which the extracted record cannot tell
    (its ``canonical_url`` falls back on the page's URL)."""
    head = (html.encode("utf-8", "replace") if isinstance(html, str) else html)[:_HEAD_CHARS]
    for tag in _CANONICAL_LINK.finditer(head):
        if not _REL_CANONICAL.search(tag.group()):
            continue
        href = _HREF.search(tag.group())
        if href is not None:
            raw = next(group for group in href.groups() if group is not None)
            return try_canonicalize(html_unescape(raw.decode("utf-8", "replace")), base)
    return None
