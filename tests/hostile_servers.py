"""Real TCP servers on 127.0.0.1 that misbehave the way hostile or broken web hosts do.

Raw sockets rather than ``http.server``: the point is to send what no well-behaved HTTP library would
(headers one byte at a time, 200 KiB of headers, nothing at all). ``/robots.txt`` is answered normally
unless ``robots`` says otherwise, so the page itself is what misbehaves.
"""

from __future__ import annotations

import socket
import socketserver
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
    "bigheaders" (``header_bytes`` of headers at once), "ok" (a normal article)."""

    mode: str = "ok"
    interval_s: float = 0.05
    header_bytes: int = 200_000
    robots: bytes = b"User-agent: *\nDisallow:\n"
    #: Paths answered normally whatever the mode: (body, Content-Type), e.g. a listing of stalling pages.
    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)
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
        if path == "/robots.txt":
            return _send(sock, _response(b.robots, "text/plain"))
        if path in b.pages:
            return _send(sock, _response(*b.pages[path]))
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
        raise ValueError(b.mode)

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


def _response(body: bytes, content_type: str) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
    return head % (content_type.encode(), len(body)) + body


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True
