"""The demo site's servers: one ``ThreadingHTTPServer`` per outlet on 127.0.0.1, each its own host for
politeness and robots, with every request logged (time, host, path, status) so tests can prove from the
server's side that robots and delays were respected."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import urlsplit

from worker.demo.hostile import HOSTILE, PDF, gzip_bomb, stream_forever, stream_oversized
from worker.demo.listings import Listing, listing
from worker.demo.pages import PageParts, load_templates, render
from worker.demo.stories import OUTLETS, DemoArticle, Outlet, load_articles


@dataclass(slots=True)
class RequestRecord:
    time: float  # time.monotonic() when the request arrived
    host: str  # "127.0.0.1:port"
    outlet: str
    path: str
    status: int


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
        self._templates = load_templates()

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
                self._bomb = gzip_bomb(self.bomb_bytes)
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
        """The article's page as its outlet serves it now (with any correction ``revise`` made)."""
        with self._lock:
            paragraphs = self._overrides.get((article.outlet, article.path), article.paragraphs)
        others = [a for a in self.outlet_articles(article.outlet) if a is not article][:5]
        base = self.base_urls[article.outlet]
        return render(self._templates, PageParts(article, paragraphs, base, others, self.started.year))

    def listing(self, outlet: str, path: str) -> tuple[bytes, str] | None:
        """A feed, sitemap or section page of ``outlet`` (body, Content-Type), or None."""
        ctx = Listing(
            self.base_urls[outlet], OUTLETS[outlet].site, self.started, self.outlet_articles(outlet)
        )
        return listing(outlet, ctx, path)


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
        address = cast("tuple[str, int]", self.server.server_address)  # an AF_INET server: (host, port)
        self._host = f"127.0.0.1:{address[1]}"
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
        feed = site.listing(outlet.name, path)
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
            self._send(200, PDF, "application/pdf")
        elif behaviour == "gzip_bomb":
            self._send(200, self.site._gzip_bomb(), "text/html; charset=utf-8", {"Content-Encoding": "gzip"})
        elif behaviour == "oversized":
            self.site._record(self.outlet, self._host, self.path, 200, self._arrived)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            stream_oversized(self.wfile, self.site.oversized_bytes, self.site._stop)
            self.close_connection = True
        elif behaviour == "never_finishes":
            self.site._record(self.outlet, self._host, self.path, 200, self._arrived)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            stream_forever(self.wfile, self.site.drip_s, self.site._stop)
            self.close_connection = True
