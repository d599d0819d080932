"""Real TCP servers on 127.0.0.1 that misbehave the way hostile or broken web hosts do.

Raw sockets rather than ``http.server``: the point is to send what no well-behaved HTTP library would
(headers one byte at a time, 200 KiB of headers, nothing at all). ``/robots.txt`` is answered normally
unless ``robots`` says otherwise, so the page itself is what misbehaves.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ARTICLE = (
    b"<html><head><title>A plain story</title></head><body><article><h1>A plain story</h1>"
    + b"<p>The council met on Tuesday and voted on the harbour budget after a long debate. </p>" * 12
    + b"</article></body></html>"
)


@dataclass
class Hit:
    path: str
    time: float


@dataclass
class Behaviour:
    """``mode``: "silent" (accept, never answer), "trickle" (headers at one byte per ``interval_s``),
    "bigheaders" (``header_bytes`` of headers at once), "ok" (a normal article), "endless" (a chunked
    body of ``chunk_bytes`` every ``interval_s``, never finished), "short" (a Content-Length larger than
    the body, then the connection closed; "stall": held open instead), "long" (a body longer than its
    Content-Length), "reset" (half the body, then a TCP reset), "drip" (a normal article sent
    ``chunk_bytes`` every ``interval_s``, so it ends, slowly), "http10" (an HTTP/1.0 answer with no
    Content-Length, its end the connection's close), "badchunk" (chunked, then a chunk-size line that is
    no number), "cutchunk" (chunked, the connection closed mid-chunk)."""

    mode: str = "ok"
    interval_s: float = 0.05
    header_bytes: int = 200_000
    chunk_bytes: int = 4096
    robots: bytes = b"User-agent: *\nDisallow:\n"
    robots_hangs: bool = False  # robots.txt never answered (the connection held open)
    #: Paths answered normally whatever the mode: (body, Content-Type), e.g. a listing of stalling pages.
    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    #: Paths answered with these exact bytes, status line and headers included (what no library sends).
    raw: dict[str, bytes] = field(default_factory=dict)
    #: When set, only paths under it misbehave and others are an honest 404 (what a crawler's soft-404
    #: probe of the host should see; every path one article would make each page a "not found" page).
    scope: str | None = None
    hits: list[Hit] = field(default_factory=list)


class HostileServer:
    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.stop = threading.Event()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()

    def hits(self, path: str | None = None) -> list[Hit]:
        return [hit for hit in list(self.behaviour.hits) if path is None or hit.path == path]

    # -- one connection ----------------------------------------------------------------------------
    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(0.2)
        buffer = b""
        while not self.stop.is_set():
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            buffer += data
            while b"\r\n\r\n" in buffer:
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                path = head.split(b" ", 2)[1].decode("latin-1") if b" " in head else "/"
                self.behaviour.hits.append(Hit(path, time.monotonic()))
                if not self._answer(sock, path):
                    return

    def _answer(self, sock: socket.socket, path: str) -> bool:
        b = self.behaviour
        if path == "/robots.txt" and b.robots_hangs:
            return self._hold(sock, lambda: None)
        if path == "/robots.txt":
            return _send(sock, _response(b.robots, "text/plain"))
        if path in b.raw:
            return _send(sock, b.raw[path])
        if path in b.pages:
            return _send(sock, _response(*b.pages[path]))
        if b.scope is not None and not path.startswith(b.scope):
            return _send(
                sock, _response(b"<html><body>Not found</body></html>", "text/html", b"404 Not Found")
            )
        if b.mode == "ok":
            return _send(sock, _response(ARTICLE, "text/html; charset=utf-8"))
        if b.mode == "silent":
            return self._hold(sock, lambda: None)
        if b.mode == "bigheaders":
            filler = b"".join(b"X-Filler-%d: %s\r\n" % (n, b"x" * 90) for n in range(b.header_bytes // 100))
            return _send(sock, b"HTTP/1.1 200 OK\r\n" + filler + _response(ARTICLE, "text/html")[17:])
        if b.mode == "trickle":
            endless = iter(lambda: b"X-Slow: yes\r\n", None)
            pending = bytearray(b"HTTP/1.1 200 OK\r\n")

            def one_byte() -> bool:
                if not pending:
                    pending.extend(next(endless))
                byte = bytes(pending[:1])
                del pending[:1]
                return _send(sock, byte)

            return self._hold(sock, one_byte)
        if b.mode == "drip":
            whole = _response(ARTICLE, "text/html; charset=utf-8")
            for start in range(0, len(whole), b.chunk_bytes):
                if self.stop.is_set() or not _send(sock, whole[start : start + b.chunk_bytes]):
                    return False
                time.sleep(b.interval_s)
            return True
        if b.mode in {"endless", "short", "stall", "long", "reset", "http10", "badchunk", "cutchunk"}:
            return self._misframed(sock, b.mode)
        raise ValueError(b.mode)

    def _misframed(self, sock: socket.socket, mode: str) -> bool:
        """Bodies whose framing lies: never ending, shorter or longer than declared, cut by a reset or a
        close, chunked with garbage; or is older than HTTP/1.1 (the body ends when the connection does)."""
        b = self.behaviour
        if mode == "http10":
            _send(sock, b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + ARTICLE)
            return False
        if mode in {"badchunk", "cutchunk"}:
            half = ARTICLE[: len(ARTICLE) // 2]
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
            chunk = b"%x\r\n%s\r\n" % (len(half), half)
            _send(sock, head + (chunk + b"zz\r\n<p>garbage</p>\r\n" if mode == "badchunk" else chunk[:-40]))
            return False
        if mode == "endless":
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
            chunk = b"%x\r\n%s\r\n" % (b.chunk_bytes, b"<p>" + b"x" * (b.chunk_bytes - 3))
            first = [head + chunk]
            return self._hold(sock, lambda: _send(sock, first.pop() if first else chunk))
        if mode == "short":
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n"
            _send(sock, head % (len(ARTICLE) * 4) + ARTICLE)
            return False
        if mode == "stall":  # a Content-Length larger than the body, the connection then held open
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n"
            _send(sock, head % (len(ARTICLE) * 4) + ARTICLE)
            return self._hold(sock, lambda: None)
        if mode == "long":
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n"
            return _send(sock, head % 200 + ARTICLE + b"<p>smuggled tail</p>" * 50)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n"
        _send(sock, head % len(ARTICLE) + ARTICLE[: len(ARTICLE) // 2])
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # SO_LINGER 0: the close sends a RST, not a FIN
        return False

    def _hold(self, sock: socket.socket, tick: Callable[[], bool | None]) -> bool:
        """Keep the connection open, calling ``tick`` every interval, until the client hangs up."""
        while not self.stop.is_set():
            if tick() is False:
                return False
            try:
                sock.settimeout(self.behaviour.interval_s)
                if sock.recv(1) == b"":
                    return False
            except TimeoutError:
                continue
            except OSError:
                return False
        return False


def _response(body: bytes, content_type: str, status: bytes = b"200 OK") -> bytes:
    head = b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
    return head % (status, content_type.encode(), len(body)) + body


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


@dataclass
class Route:
    """One scripted answer: status, body, headers (Content-Length is added; no Content-Type when
    ``content_type`` is None)."""

    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class RouteServer:
    """A well-behaved HTTP/1.1 server on 127.0.0.1 whose answers are scripted per path (query included):
    hostile content over honest HTTP. Unknown paths are 404; ``hits`` logs every request path in order,
    ``headers`` its headers (a route answering by them reads the last one). A route may be a callable of
    the path, for answers generated on the fly (crawler traps)."""

    def __init__(self, routes: dict[str, Route | Callable[[str], Route]] | None = None) -> None:
        self.routes: dict[str, Route | Callable[[str], Route]] = dict(routes or {})
        self.fallback: Callable[[str], Route] | None = None
        self.hits: list[str] = []
        self.headers: list[dict[str, str]] = []  # each request's headers, in the order of ``hits``
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer.headers.append({key.lower(): value for key, value in self.headers.items()})
                outer.hits.append(self.path)
                route = outer.route(self.path)
                self.send_response(route.status)
                if route.content_type is not None:
                    self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                for key, value in route.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(route.body)

        class Quiet(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client hanging up mid-answer is what these tests do on purpose

        self._server = Quiet(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def route(self, path: str) -> Route:
        found = self.routes.get(path)
        if found is None and path == "/robots.txt":
            return Route(b"User-agent: *\nDisallow:\n", "text/plain")
        if found is None:
            return (
                self.fallback(path)
                if self.fallback
                else Route(b"<html><body>Not found</body></html>", status=404)
            )
        return found(path) if callable(found) else found

    def count(self, path: str) -> int:
        return sum(1 for hit in list(self.hits) if hit == path)

    def __enter__(self) -> RouteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
