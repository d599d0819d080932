"""URL canonicalisation and host keys.

One story reached through a feed (``?utm_source=rss``), a sitemap and a share link must map to one key,
or the store fetches and keeps it three times; and politeness is per host, so the host key must be the
same string wherever it is computed.
"""

from __future__ import annotations

import re
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


def origin(url: str) -> str:
    """Where robots.txt lives for ``url``: the origin with its port only when it is not the default."""
    parts = urlsplit(canonicalize(url))
    return f"{parts.scheme}://{parts.netloc}"


_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def is_absolute(url: str) -> bool:
    return bool(_SCHEME_RE.match(url))
