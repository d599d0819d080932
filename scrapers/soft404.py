"""Soft 404s: "page not found" served with 200, or a removed article redirected to the home page.

The status says "fine", so nothing above the fetcher can tell such a page from an article: the extractor
finds a heading and a paragraph of apology and stores it. No word list decides it here (every language
and template words it differently). Instead, as Bar-Yossef et al. proposed ("Sic transit gloria telae",
WWW 2004), each host is asked once for an address that cannot exist (at its root): a host
that answers it 404 is honest and its 200s are believed; a host that answers it 200 shows what its
"not found" looks like, and a page whose visible text is nearly the same (word 4-gram Jaccard at or above
``THRESHOLD``) is refused as ``http_status`` 404. The probe costs one polite request per host and TTL.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import lxml.html

from scrapers.errors import ErrorKind, IngestError
from scrapers.urls import host_key

if TYPE_CHECKING:
    from scrapers.fetch import Fetcher, FetchPolicy, FetchResult

THRESHOLD = 0.8
PROBE_TTL_S = 3600.0
_WORD = re.compile(r"\w+")
_MAX_CHARS = 200_000  # the start of a page is enough to tell a template from an article


def visible_shingles(html: str, size: int = 4) -> frozenset[int]:
    """Hashes of the word ``size``-grams of the page's visible text (title included; scripts, styles and
    markup not)."""
    try:
        tree = lxml.html.fromstring(html[:_MAX_CHARS])
    except (ValueError, lxml.etree.ParserError):
        return frozenset()
    for node in tree.xpath("//script|//style|//noscript|//template"):
        node.drop_tree()
    words = _WORD.findall(tree.text_content().lower())
    if len(words) < size:
        return frozenset({hash(tuple(words))}) if words else frozenset()
    return frozenset(hash(tuple(words[i : i + size])) for i in range(len(words) - size + 1))


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


class Soft404Check:
    """Per-host memory of what a missing page looks like (``None``: the host answers 404 honestly)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, ttl_s: float = PROBE_TTL_S) -> None:
        self._clock = clock
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._profiles: dict[str, tuple[float, frozenset[int] | None]] = {}
        self._host_locks: dict[str, threading.Lock] = {}

    def verify(self, fetcher: Fetcher, result: FetchResult, policy: FetchPolicy) -> None:
        """Raise ``http_status`` (404) when ``result`` is what its host serves for a page that does not
        exist; return quietly otherwise, or when the host answers missing pages honestly."""
        if result.not_modified or not result.text:
            return
        profile = self._profile(fetcher, result.final_url, policy)
        if profile is None:
            return
        similarity = jaccard(visible_shingles(result.text), profile)
        if similarity >= THRESHOLD:
            raise IngestError(
                ErrorKind.HTTP_STATUS,
                f"{result.url}: a soft 404 (served with {result.status}, and {similarity:.0%} the same as "
                "what the host serves for an address that does not exist)",
                status=404,
            )

    def _profile(self, fetcher: Fetcher, url: str, policy: FetchPolicy) -> frozenset[int] | None:
        host = host_key(url)
        with self._lock:
            lock = self._host_locks.setdefault(host, threading.Lock())
        with lock:  # one probe per host, however many threads fetch from it
            with self._lock:
                cached = self._profiles.get(host)
            if cached is not None and cached[0] > self._clock():
                return cached[1]
            profile = self._probe(fetcher, url, policy)
            with self._lock:
                self._profiles[host] = (self._clock() + self._ttl_s, profile)
            return profile

    @staticmethod
    def _probe(fetcher: Fetcher, url: str, policy: FetchPolicy) -> frozenset[int] | None:
        # At the root, not beside the page: many CMSes route by an id and ignore the slug after it
        # (``/news/12345/any-words``), so a probe in the page's own directory would get the article back
        # and make every article of the site look like a "not found".
        missing = urljoin(url, f"/wirefeed-missing-page-probe-{secrets.token_hex(8)}")
        try:  # one attempt: the probe is a courtesy check, not worth a host's retry budget
            answer = fetcher.fetch(missing, replace(policy, max_retries=0), kind="page")
        except IngestError:
            return None  # a 404 (honest), or no usable answer: either way nothing to compare with
        return visible_shingles(answer.text) if answer.text else None
