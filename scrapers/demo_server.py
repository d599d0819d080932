"""The bundled fixture site: several outlets, each on its own 127.0.0.1 port, served from threads.

It exists so that the first run works offline (``wirefeed crawl --demo``) and so that the crawler's tests
exercise real HTTP: feeds in three formats, sitemap indexes, news sitemaps, a gzipped sitemap, section
pages, robots.txt, one wire story syndicated across outlets, and a set of hostile endpoints. Each outlet
is its own port, which makes it its own host for politeness and robots. Every request is logged (time,
host, path, status) so tests can prove from the server's side that robots and delays were respected.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import html
import json
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

import yaml

SITE_DIR = Path(__file__).parent / "demo_site"
VALLEY_TZ = timezone(timedelta(hours=-5))


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    site: str
    template: str
    robots: str


OUTLETS: dict[str, Outlet] = {
    "northwind": Outlet(
        "northwind",
        "Northwind Radio",
        "pangea",
        "User-agent: *\nDisallow: /s/\nDisallow: /private/\n\nSitemap: {base}/sitemap.xml\n",
    ),
    "harbor": Outlet(
        "harbor",
        "Harbor Wire",
        "arc",
        "User-agent: *\nCrawl-delay: 0.3\nDisallow: /pf/api/\nDisallow: /subscribe\n",
    ),
    "valley": Outlet(
        "valley",
        "Valley Courier",
        "generic",
        "User-agent: *\nDisallow: /private/\nDisallow: /wp-admin/\n\nSitemap: {base}/sitemap_index.xml\n",
    ),
}


@dataclass(slots=True)
class DemoArticle:
    outlet: str
    slug: str
    title: str
    authors: list[str]
    published: datetime
    section: str
    paragraphs: list[str]
    number: int | None = None
    special: str | None = None
    wire: str | None = None
    original: bool = True  # False for a syndicated copy of a wire story
    path: str = ""


@dataclass(slots=True)
class RequestRecord:
    time: float  # time.monotonic() when the request arrived
    host: str  # "127.0.0.1:port"
    outlet: str
    path: str
    status: int


@dataclass(slots=True)
class Expected:
    """What a correct crawl of the demo site must end with (URLs are canonical)."""

    stored: set[str] = field(default_factory=set)  # unique stories: each stored exactly once
    # Each wire story's copies across outlets: exactly one is stored (whichever the crawl reaches first,
    # since outlets are crawled concurrently), every other one is recorded as its duplicate.
    syndicated: dict[str, set[str]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # URL -> ErrorKind value
    too_old: set[str] = field(default_factory=set)
    disallowed_paths: set[str] = field(default_factory=set)  # (outlet-relative) never to be requested


def load_articles(now: datetime) -> list[DemoArticle]:
    data = yaml.safe_load((SITE_DIR / "stories.yaml").read_text(encoding="utf-8"))
    articles: list[DemoArticle] = []

    def make(entry: dict[str, Any], paragraphs: list[str], wire: str | None, original: bool) -> DemoArticle:
        return DemoArticle(
            outlet=entry["outlet"],
            slug=entry["slug"],
            title=entry["title"],
            authors=list(entry["authors"]),
            published=now - timedelta(hours=float(entry["age_hours"])),
            section=entry["section"],
            paragraphs=paragraphs,
            number=entry.get("number"),
            special=entry.get("special"),
            wire=wire,
            original=original,
        )

    for entry in data["articles"]:
        articles.append(make(entry, list(entry["paragraphs"]), None, True))
    for story in data["wire"]:
        for index, copy in enumerate(story["copies"]):
            paragraphs = list(story["paragraphs"])
            if copy.get("trim"):
                paragraphs = paragraphs[: -int(copy["trim"])]
            if copy.get("tagline"):
                paragraphs.append(copy["tagline"])
            articles.append(make(copy, paragraphs, story["id"], index == 0))
    for article in articles:
        article.path = _article_path(article)
    return articles


def _article_path(article: DemoArticle) -> str:
    if article.outlet == "northwind":
        return f"/a/{article.slug}/{article.number}.html"
    if article.outlet == "harbor":
        day = article.published
        return f"/{article.section}/{day:%Y/%m/%d}/{article.slug}/"
    return f"/news/{article.slug}/"


# Hostile endpoints of the valley outlet: path -> (behaviour, error kind the crawler must record).
HOSTILE: dict[str, tuple[str, str]] = {
    "/news/council-minutes-2019/": ("not_found", "http_status"),
    "/news/redirect-a/": ("redirect_loop", "redirect"),
    "/news/live-updates-election-night/": ("never_finishes", "fetch"),
    "/news/photo-gallery-harvest-festival/": ("oversized", "too_large"),
    "/news/weekly-digest/": ("gzip_bomb", "too_large"),
    "/news/annual-report-2025.pdf": ("pdf", "not_html"),
}
HOSTILE_DISCOVERY: dict[str, tuple[str, str]] = {
    "/bomb-sitemap.xml": ("xml_bomb", "parse"),
    "/feed/html/": ("html_feed", "parse"),
}
PRIVATE_PATH = "/private/members-only-budget-analysis/"

XML_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b']>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url></urlset>\n'
)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-response (refused bombs, timeouts) are expected here, not errors."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class DemoSite:
    """Start with ``with DemoSite() as site:``; ``site.base_urls`` maps outlet name to its base URL."""

    def __init__(
        self,
        *,
        oversized_bytes: int = 3_000_000,
        bomb_bytes: int = 64_000_000,
        drip_s: float = 0.25,
        preferred_ports: dict[str, int] | None = None,
    ):
        # Whole hours, so two demo runs within the hour see identical pages (and skip or get 304s).
        self.started = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.articles = load_articles(self.started)
        self.oversized_bytes = oversized_bytes
        self.bomb_bytes = bomb_bytes
        self.drip_s = drip_s
        # Stable ports let a second demo run find its earlier records (same URLs); tests use free ones.
        self.preferred_ports = preferred_ports or {}
        self.log: list[RequestRecord] = []
        self.base_urls: dict[str, str] = {}
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._hits: dict[tuple[str, str], int] = {}
        self._stop = threading.Event()
        self._bomb: bytes | None = None
        self._overrides: dict[tuple[str, str], list[str]] = {}
        self._templates = {
            name: Template((SITE_DIR / "templates" / f"{name}.html").read_text(encoding="utf-8"))
            for name in ("pangea", "arc", "generic")
        }

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> DemoSite:
        for outlet in OUTLETS.values():
            handler = type(f"Handler_{outlet.name}", (_Handler,), {"site": self, "outlet": outlet})
            try:
                server = _QuietServer(("127.0.0.1", self.preferred_ports.get(outlet.name, 0)), handler)
            except OSError:  # taken: any free port will do
                server = _QuietServer(("127.0.0.1", 0), handler)
            server.daemon_threads = True
            self.base_urls[outlet.name] = f"http://127.0.0.1:{server.server_address[1]}"
            thread = threading.Thread(target=server.serve_forever, name=f"demo-{outlet.name}", daemon=True)
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests and the demo read ---------------------------------------------------------------
    def url(self, outlet: str, path: str) -> str:
        return self.base_urls[outlet] + path

    def outlet_of_host(self, host: str) -> str:
        for name, base in self.base_urls.items():
            if base.endswith(host):
                return name
        raise KeyError(host)

    def requests(self, outlet: str | None = None) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.log if outlet is None or r.outlet == outlet]

    def sources_document(
        self,
        *,
        min_delay_s: float = 0.2,
        timeout_s: float = 1.5,
        max_bytes: int = 2_000_000,
        max_retries: int = 1,
        backoff_base_s: float = 0.1,
        retry_after_cap_s: float = 2.0,
        user_agent: str = "wirefeed-demo/0.1 (+http://127.0.0.1/)",
    ) -> dict[str, Any]:
        """A sources file (as a mapping) pointing at this site, with delays small enough for tests."""
        b = self.base_urls
        return {
            "defaults": {
                "user_agent": user_agent,
                "min_delay_s": min_delay_s,
                "timeout_s": timeout_s,
                "max_bytes": max_bytes,
                "max_retries": max_retries,
                "backoff_base_s": backoff_base_s,
                "retry_after_cap_s": retry_after_cap_s,
                "max_age_days": 7,
                "revisit_after": "6h",
            },
            "sources": [
                {
                    "name": "northwind",
                    "adapter": "pangea",
                    "schedule": "every 15m",
                    "feeds": [b["northwind"] + "/api/zrqiteuuir"],
                    "sitemaps": [b["northwind"] + "/sitemap.xml"],
                },
                {
                    "name": "harbor",
                    "adapter": "arc",
                    "schedule": "*/10 * * * *",
                    "feeds": [b["harbor"] + "/arc/outboundfeeds/atom/?outputType=xml"],
                    "sitemaps": [b["harbor"] + "/arc/outboundfeeds/sitemap/?outputType=xml"],
                    "pages": [b["harbor"] + "/business/", b["harbor"] + "/world/"],
                    "link_pattern": r"/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$",
                },
                {
                    "name": "valley",
                    "schedule": "every 30m",
                    "feeds": [b["valley"] + "/feed/rdf/", b["valley"] + "/feed/html/"],
                    "sitemaps": [b["valley"] + "/sitemap_index.xml"],
                    "pages": [b["valley"] + "/news/"],
                    "link_pattern": r"/news/[a-z0-9-]+/$",
                },
            ],
        }

    def expected(self) -> Expected:
        from scrapers.urls import canonicalize

        result = Expected()
        for article in self.articles:
            url = canonicalize(self.url(article.outlet, article.path))
            if self.started - article.published > timedelta(days=7):
                result.too_old.add(url)
            elif article.wire:
                result.syndicated.setdefault(article.wire, set()).add(url)
            else:
                result.stored.add(url)
        for path, (_, kind) in {**HOSTILE, **HOSTILE_DISCOVERY}.items():
            result.refused[canonicalize(self.url("valley", path))] = kind
        result.refused[canonicalize(self.url("valley", PRIVATE_PATH))] = "robots"
        result.disallowed_paths.add(PRIVATE_PATH)
        return result

    def revise(self, outlet: str, path: str, paragraphs: list[str]) -> None:
        """Change an article's text in place (a correction): revisits must store a new version."""
        with self._lock:
            self._overrides[(outlet, path)] = paragraphs

    # -- serving ------------------------------------------------------------------------------------
    def _record(self, outlet: Outlet, host: str, path: str, status: int, arrived: float) -> None:
        with self._lock:
            self.log.append(RequestRecord(arrived, host, outlet.name, path, status))

    def _hit(self, outlet: str, path: str) -> int:
        with self._lock:
            count = self._hits.get((outlet, path), 0) + 1
            self._hits[(outlet, path)] = count
            return count

    def _gzip_bomb(self) -> bytes:
        with self._lock:
            if self._bomb is None:
                compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
                block = b"\0" * (1 << 20)
                parts = [compressor.compress(b"<html><body>" + block)]
                parts += [compressor.compress(block) for _ in range(self.bomb_bytes >> 20)]
                parts.append(compressor.flush())
                self._bomb = b"".join(parts)
            return self._bomb

    def outlet_articles(self, outlet: str) -> list[DemoArticle]:
        return sorted(
            (a for a in self.articles if a.outlet == outlet), key=lambda a: a.published, reverse=True
        )

    def find(self, outlet: str, path: str) -> DemoArticle | None:
        for article in self.articles:
            if article.outlet == outlet and article.path == path:
                return article
        return None

    def render(self, article: DemoArticle) -> str:
        base = self.base_urls[article.outlet]
        with self._lock:
            paragraphs = self._overrides.get((article.outlet, article.path), article.paragraphs)
        others = [a for a in self.outlet_articles(article.outlet) if a is not article][:5]
        common = {
            "lang": "en",
            "title": html.escape(article.title),
            "canonical": base + article.path,
            "site": OUTLETS[article.outlet].site,
            "section": html.escape(article.section),
            "year": str(self.started.year),
            "description": html.escape(paragraphs[0][:160]),
        }
        if article.outlet == "northwind":
            return self._templates["pangea"].substitute(
                common,
                section_url=f"/z/{100 + len(article.section)}",
                authors_html="\n".join(
                    f'            <li class="links__item"><a class="links__item-link" '
                    f'href="/author/{_slug(name)}/{sum(map(ord, name))}.html" '
                    f'title="{html.escape(name)}">'
                    f"{html.escape(name)}</a></li>"
                    for name in article.authors
                ),
                published_iso=article.published.isoformat(),
                published_human=f"{article.published:%B %d, %Y %H:%M} GMT",
                body_html="\n".join(f"          <p>{html.escape(p)}</p>" for p in paragraphs),
                jsonld=_script_json(
                    {
                        "@context": "https://schema.org",
                        "@type": "NewsArticle",
                        "headline": article.title,
                        "datePublished": article.published.isoformat(),
                        "mainEntityOfPage": base + article.path,
                        "publisher": {"@type": "Organization", "name": OUTLETS[article.outlet].site},
                    }
                ),
                related_html="\n".join(
                    f'      <div class="media-block"><a href="{o.path}"><h4 class="media-block__title">'
                    f"{html.escape(o.title)}</h4></a></div>"
                    for o in others
                ),
            )
        if article.outlet == "harbor":
            ans = {
                "_id": hashlib.sha1(article.path.encode()).hexdigest()[:26].upper(),
                "type": "story",
                "version": "0.10.9",
                "canonical_url": article.path,
                "language": "en",
                "headlines": {"basic": article.title},
                "description": {"basic": paragraphs[0][:200]},
                "credits": {
                    "by": [{"type": "author", "name": name, "byline": name} for name in article.authors]
                },
                "display_date": _z(article.published),
                "first_publish_date": _z(article.published),
                "publish_date": _z(article.published),
                "last_updated_date": _z(article.published),
                "taxonomy": {
                    "primary_section": {"_id": f"/{article.section}", "name": article.section.title()}
                },
                "content_elements": [
                    {"_id": f"P{i}", "type": "text", "content": html.escape(p, quote=False)}
                    for i, p in enumerate(paragraphs)
                ],
            }
            return self._templates["arc"].substitute(
                common,
                ans=_script_json(ans),
                path=article.path,
                section_label=article.section.title(),
                published_iso=_z(article.published),
                published_human=f"{article.published:%B %d, %Y %I:%M %p} UTC",
                body_html_arc="\n".join(
                    f'      <div data-testid="paragraph-{i}" class="article-body__paragraph">'
                    f"{html.escape(p)}</div>"
                    for i, p in enumerate(paragraphs)
                ),
                authors_text=html.escape(" and ".join(article.authors)),
                related_html="\n".join(
                    f'      <a class="media-story-card__heading" href="{o.path}">{html.escape(o.title)}</a>'
                    for o in others
                ),
            )
        local = article.published.astimezone(VALLEY_TZ)
        return self._templates["generic"].substitute(
            common,
            charset="windows-1252" if article.special == "mislabelled_charset" else "utf-8",
            authors_text=html.escape(", ".join(article.authors)),
            author_slug=_slug(article.authors[0]),
            section_slug=_slug(article.section),
            published_iso=local.isoformat(),
            published_human=f"{local:%B %d, %Y at %I:%M %p}",
            body_html="\n".join(f"            <p>{html.escape(p)}</p>" for p in paragraphs),
            related_html="\n".join(
                f'        <ul><li><a href="{o.path}">{html.escape(o.title)}</a></li></ul>' for o in others
            ),
        )


def _slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _script_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _x(text: str) -> str:
    return html.escape(text, quote=True)


class _Handler(BaseHTTPRequestHandler):
    site: DemoSite
    outlet: Outlet
    protocol_version = "HTTP/1.1"
    server_version = "DemoSite/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is ours; stderr noise would drown test output

    # helpers
    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.site._record(self.outlet, self._host, self.path, status, self._arrived)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    def _send_cacheable(self, body: bytes, content_type: str, modified: datetime) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.site._record(self.outlet, self._host, self.path, 304, self._arrived)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(
            200, body, content_type, {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
        )

    def do_GET(self) -> None:
        self._arrived = time.monotonic()
        self._host = f"127.0.0.1:{self.server.server_address[1]}"
        path = urlsplit(self.path).path
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(path)

    def _route(self, path: str) -> None:
        site, outlet = self.site, self.outlet
        base = site.base_urls[outlet.name]
        if path == "/robots.txt":
            self._send(200, outlet.robots.format(base=base).encode(), "text/plain; charset=utf-8")
            return
        if outlet.name == "valley" and path in HOSTILE:
            self._hostile(HOSTILE[path][0], path)
            return
        if outlet.name == "valley" and path == "/news/redirect-b/":
            self._send(302, b"", "text/html", {"Location": "/news/redirect-a/"})
            return
        article = site.find(outlet.name, path)
        if article is not None:
            self._article(article)
            return
        feed = _feeds(site, outlet.name, path)
        if feed is not None:
            body, content_type = feed
            if content_type.startswith("application/x-gzip"):
                self._send(200, body, content_type)
            else:
                self._send_cacheable(body, content_type, site.started)
            return
        self._send(404, b"<html><body><h1>Not found</h1></body></html>", "text/html; charset=utf-8")

    def _article(self, article: DemoArticle) -> None:
        hits = self.site._hit(self.outlet.name, article.path)
        if article.special == "flaky" and hits == 1:
            self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
            return
        if article.special == "busy" and hits == 1:
            self._send(429, b"<html><body>Too Many Requests</body></html>", "text/html", {"Retry-After": "1"})
            return
        page = self.site.render(article)
        if article.special == "mislabelled_charset":
            # The header claims UTF-8, the bytes are windows-1252 (as the <meta> says): a common slip.
            self._send_cacheable(page.encode("cp1252"), "text/html; charset=utf-8", article.published)
            return
        self._send_cacheable(page.encode("utf-8"), "text/html; charset=utf-8", article.published)

    def _hostile(self, behaviour: str, path: str) -> None:
        if behaviour == "not_found":
            self._send(404, b"<html><body>Gone</body></html>", "text/html")
        elif behaviour == "redirect_loop":
            self._send(302, b"", "text/html", {"Location": "/news/redirect-b/"})
        elif behaviour == "pdf":
            self._send(
                200,
                b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 50,
                "application/pdf",
            )
        elif behaviour == "gzip_bomb":
            self._send(200, self.site._gzip_bomb(), "text/html; charset=utf-8", {"Content-Encoding": "gzip"})
        elif behaviour == "oversized":
            self.site._record(self.outlet, self._host, self.path, 200, self._arrived)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            row = b"<p>" + b"A photograph of the harvest festival parade on Main Street. " * 16 + b"</p>\n"
            self.wfile.write(b"<html><body>")
            sent = 0
            while sent < self.site.oversized_bytes and not self.site._stop.is_set():
                self.wfile.write(row * 64)
                sent += len(row) * 64
            self.close_connection = True
        elif behaviour == "never_finishes":
            self.site._record(self.outlet, self._host, self.path, 200, self._arrived)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"<html><head><title>Live updates</title></head><body>")
            self.wfile.flush()
            deadline = time.monotonic() + 120
            while not self.site._stop.is_set() and time.monotonic() < deadline:
                self.wfile.write(b"<p>.</p>\n")
                self.wfile.flush()
                self.site._stop.wait(self.site.drip_s)
            self.close_connection = True


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _feeds(site: DemoSite, outlet: str, path: str) -> tuple[bytes, str] | None:
    """Feeds, sitemaps and section pages, generated from the articles so dates stay relative to now."""
    base = site.base_urls[outlet]
    fresh = [a for a in site.outlet_articles(outlet) if site.started - a.published <= timedelta(days=7)]
    everything = site.outlet_articles(outlet)
    name = OUTLETS[outlet].site
    if outlet == "northwind":
        if path == "/api/zrqiteuuir":
            items = "".join(
                f"<item><title>{_x(a.title)}</title><link>{base}{a.path}?utm_source=rss&amp;utm_medium=feed</link>"
                f'<guid isPermaLink="false">{base}/a/{a.number}.html</guid>'
                f"<category>{_x(a.section)}</category>"
                f"<pubDate>{_rfc822(a.published)}</pubDate><description>{_x(a.paragraphs[0])}</description></item>"
                for a in fresh[:6]
            )
            body = (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>{_x(name)} - All News</title><link>{base}/</link>"
                "<description>Latest news</description>"
                f"<language>en</language>{items}</channel></rss>"
            )
            return body.encode(), "application/rss+xml; charset=utf-8"
        if path == "/sitemap.xml":
            return _sitemap_index(
                base, ["/sitemap-news.xml", "/sitemap-archive.xml.gz"], site.started
            ), "text/xml"
        if path == "/sitemap-news.xml":
            return _news_sitemap(base, name, fresh), "application/xml; charset=utf-8"
        if path == "/sitemap-archive.xml.gz":
            urls = "".join(
                f"<url><loc>{base}{a.path}</loc><lastmod>{a.published.isoformat()}</lastmod></url>"
                for a in everything
            )
            xml = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return gzip.compress(xml.encode()), "application/x-gzip"
    if outlet == "harbor":
        if path == "/arc/outboundfeeds/atom/":
            entries = "".join(
                f'<entry><title>{_x(a.title)}</title><link rel="alternate" href="{base}{a.path}"/>'
                f"<id>{base}{a.path}</id><updated>{_z(a.published)}</updated><published>{_z(a.published)}</published>"
                f"<author><name>{_x(a.authors[0])}</name></author><summary>{_x(a.paragraphs[0])}</summary></entry>"
                for a in fresh[:3]
            )
            body = (
                '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>{_x(name)}</title><id>{base}/</id><updated>{_z(site.started)}</updated>"
                f'<link rel="self" href="{base}/arc/outboundfeeds/atom/?outputType=xml"/>{entries}</feed>'
            )
            return body.encode(), "application/atom+xml; charset=utf-8"
        if path == "/arc/outboundfeeds/sitemap/":
            urls = "".join(
                f"<url><loc>{base}{a.path}</loc><lastmod>{_z(a.published)}</lastmod></url>" for a in fresh
            )
            xml = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return xml.encode(), "application/xml"
        if path in {"/business/", "/world/", "/technology/"}:
            links = "".join(
                f'<li class="story-card"><a href="{a.path}">{_x(a.title)}</a></li>'
                for a in fresh
                if a.path.startswith(path)
            )
            return _section_page(name, path, links), "text/html; charset=utf-8"
    if outlet == "valley":
        if path == "/feed/rdf/":
            chosen = [a for a in fresh if not a.special][:5]
            seq = "".join(f'<rdf:li rdf:resource="{base}{a.path}"/>' for a in chosen)
            items = "".join(
                f'<item rdf:about="{base}{a.path}"><title>{_x(a.title)}</title><link>{base}{a.path}</link>'
                f"<dc:date>{a.published.isoformat()}</dc:date><description>{_x(a.paragraphs[0])}</description></item>"
                for a in chosen
            )
            items += (
                f'<item rdf:about="{base}{PRIVATE_PATH}">'
                "<title>Members only: the budget, line by line</title>"
                f"<link>{base}{PRIVATE_PATH}</link><dc:date>{site.started.isoformat()}</dc:date></item>"
            )
            body = (
                '<?xml version="1.0" encoding="utf-8"?>'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f'<channel rdf:about="{base}/feed/rdf/"><title>{_x(name)}</title><link>{base}/</link>'
                "<description>News from the valley</description>"
                f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>"
                f"{items}</rdf:RDF>"
            )
            return body.encode(), "application/rdf+xml; charset=utf-8"
        if path == "/feed/html/":
            page = (
                "<!DOCTYPE html><html><head><title>Valley Courier</title></head><body><h1>Valley Courier</h1>"
            )
            page += "<p>Our feeds have moved. Visit the <a href='/news/'>news page</a>.</p></body></html>"
            return page.encode(), "text/html; charset=utf-8"
        if path == "/sitemap_index.xml":
            return _sitemap_index(
                base, ["/post-sitemap.xml", "/bomb-sitemap.xml"], site.started
            ), "application/xml"
        if path == "/post-sitemap.xml":
            extra = [
                DemoArticle(
                    "valley",
                    p.strip("/"),
                    p.strip("/").replace("-", " "),
                    ["x"],
                    site.started,
                    "Local",
                    [],
                    path=p,
                )
                for p in HOSTILE
            ]
            return _news_sitemap(base, name, [*fresh, *extra]), "application/xml; charset=utf-8"
        if path == "/bomb-sitemap.xml":
            return XML_BOMB, "application/xml"
        if path == "/news/":
            links = "".join(f'<li><a href="{a.path}">{_x(a.title)}</a></li>' for a in fresh)
            links += '<li><a href="/news/redirect-a/">Corrections and clarifications</a></li>'
            return _section_page(name, path, links), "text/html; charset=utf-8"
    return None


def _sitemap_index(base: str, paths: list[str], when: datetime) -> bytes:
    items = "".join(
        f"<sitemap><loc>{base}{p}</loc><lastmod>{when.isoformat()}</lastmod></sitemap>" for p in paths
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'
    ).encode()


def _news_sitemap(base: str, name: str, articles: list[DemoArticle]) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{a.path}</loc><news:news><news:publication><news:name>{_x(name)}</news:name>"
        f"<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
        f"<news:title>{_x(a.title)}</news:title></news:news></url>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    ).encode()


def _section_page(name: str, path: str, links: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>{_x(path.strip('/').title())} | {_x(name)}</title></head><body>"
        f"<header><a href='/'>{_x(name)}</a>"
        "<nav><a href='/world/'>World</a> <a href='/business/'>Business</a>"
        f" <a href='/about/'>About</a> <a href='/subscribe'>Subscribe</a></nav></header>"
        f"<main><h1>{_x(path.strip('/').title())}</h1><ul>{links}</ul></main>"
        f"<footer><a href='/privacy/'>Privacy</a> <a href='/private/'>Members</a></footer></body></html>"
    ).encode()
