"""What the demo's valley outlet does to a crawler: pages that 404, redirect in a loop, never finish, grow
past any budget, inflate into a gzip bomb or are PDFs; a feed that is HTML; a sitemap that is an XML
entity bomb; a path robots.txt forbids. The demo shows each refused with its error kind."""

from __future__ import annotations

import time
import zlib
from typing import Protocol

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

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 50
_GALLERY_ROW = b"<p>" + b"A photograph of the harvest festival parade on Main Street. " * 16 + b"</p>\n"


def gzip_bomb(inflated_bytes: int) -> bytes:
    """A gzip body of a few kilobytes that inflates to ``inflated_bytes`` of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 20)
    parts = [compressor.compress(b"<html><body>" + block)]
    parts += [compressor.compress(block) for _ in range(inflated_bytes >> 20)]
    parts.append(compressor.flush())
    return b"".join(parts)


class Stream(Protocol):
    """The part of a request handler an endless or oversized response writes through."""

    def write(self, data: bytes) -> object: ...

    def flush(self) -> None: ...


class Stopping(Protocol):
    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


def stream_oversized(out: Stream, limit: int, stop: Stopping) -> None:
    """A photo gallery page that goes on past ``limit`` bytes, with no Content-Length to warn."""
    out.write(b"<html><body>")
    sent = 0
    while sent < limit and not stop.is_set():
        out.write(_GALLERY_ROW * 64)
        sent += len(_GALLERY_ROW) * 64


def stream_forever(out: Stream, drip_s: float, stop: Stopping) -> None:
    """A live blog that sends a paragraph every ``drip_s`` and never ends (two minutes at most)."""
    out.write(b"<html><head><title>Live updates</title></head><body>")
    out.flush()
    deadline = time.monotonic() + 120
    while not stop.is_set() and time.monotonic() < deadline:
        out.write(b"<p>.</p>\n")
        out.flush()
        stop.wait(drip_s)
