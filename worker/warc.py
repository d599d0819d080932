"""WARC input: Common Crawl news (CC-NEWS) and any other web archive, through the same pipeline.

Records are read with warcio (streaming, gzip member by member). Only ``response`` records with HTTP 200
and an HTML media type become pages; each keeps its ``WARC-Target-URI`` as its URL and its ``WARC-Date`` as
its fetch time, and is decoded with its HTTP header's charset like a crawled page. Everything else
(requests, metadata, redirects, PDFs, images) is counted as skipped, never recorded as an error.

A run remembers, per input, the offset of the next unread record (``ingest_progress``), saved every few
seconds and when the run is stopped (Ctrl-C), so a stopped run resumes at that record instead of reading
the file again; a finished input is skipped unless asked to start over. The offset is a gzip member
boundary (or a record boundary in an uncompressed file), so a local file is seeked and a remote one is
asked for with an HTTP Range request.

A CC-NEWS path list (``warc.paths.gz``: one ``crawl-data/CC-NEWS/...warc.gz`` per line) expands to its
WARC files under a base URL (``https://data.commoncrawl.org/`` by default).
"""

from __future__ import annotations

import gzip
import io
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from scrapers.encoding import charset_from_content_type, decode_document
from scrapers.errors import ErrorKind, IngestError
from worker.models import IngestProgress, utcnow
from worker.pipeline import Decision, Pipeline
from worker.store import Store

COMMON_CRAWL = "https://data.commoncrawl.org/"
HTML_TYPES = {"text/html", "application/xhtml+xml"}
MAX_PAGE_BYTES = 10_000_000
CHECKPOINT_S = 2.0
WARC_SUFFIXES = (".warc", ".warc.gz")
PATH_LIST_SUFFIXES = (".paths", ".paths.gz", ".paths.txt")


def is_warc(name: str) -> bool:
    return name.lower().split("?")[0].endswith(WARC_SUFFIXES)


def is_path_list(name: str) -> bool:
    return name.lower().split("?")[0].endswith(PATH_LIST_SUFFIXES)


def expand_path_list(location: str, base: str = COMMON_CRAWL, timeout_s: float = 60.0) -> list[str]:
    """The WARC locations a CC-NEWS path list names (relative paths joined to ``base``)."""
    data = _read_small(location, timeout_s)
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    locations = []
    for line in data.decode("utf-8", "replace").splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if entry.startswith(("http://", "https://", "/")):
            locations.append(entry)
        else:
            locations.append(base.rstrip("/") + "/" + entry.lstrip("/"))
    return locations


def _read_small(location: str, timeout_s: float) -> bytes:
    if location.startswith(("http://", "https://")):
        import httpx

        response = httpx.get(location, timeout=timeout_s, follow_redirects=True)
        response.raise_for_status()
        return response.content
    return Path(location).read_bytes()


def input_key(location: str) -> str:
    """The name a WARC's progress is kept under: its URL, or its absolute path."""
    if location.startswith(("http://", "https://")):
        return location
    return str(Path(location).resolve())


@dataclass(frozen=True, slots=True)
class WarcPage:
    uri: str
    date: datetime | None
    body: bytes
    content_type: str | None


@dataclass(slots=True)
class WarcStats:
    """What one run did, for the progress line and the summary."""

    records: int = 0
    pages: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    bytes_read: int = 0
    started: float = field(default_factory=time.perf_counter)

    @property
    def rate(self) -> float:
        elapsed = time.perf_counter() - self.started
        return self.records / elapsed if elapsed > 0 else 0.0


class _Counting(io.RawIOBase):
    """A read-only stream that counts bytes (a remote body), so offsets are known without ``tell``."""

    def __init__(self, chunks: Iterator[bytes], start: int) -> None:
        self._chunks = chunks
        self._buffer = b""
        self.position = start

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        self.position += size
        return size

    def tell(self) -> int:
        return self.position


def _open(location: str, offset: int, timeout_s: float) -> tuple[IO[bytes], int | None, Callable[[], None]]:
    """(stream positioned at ``offset``, total size if known, close)."""
    if location.startswith(("http://", "https://")):
        import httpx

        client = httpx.Client(timeout=timeout_s, follow_redirects=True)
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        response = client.send(client.build_request("GET", location, headers=headers), stream=True)
        if response.status_code not in (200, 206) or (offset and response.status_code != 206):
            response.close()
            client.close()
            raise IngestError(ErrorKind.HTTP_STATUS, f"{location}: HTTP {response.status_code}")
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length and length.isdigit() else None
        stream = io.BufferedReader(_Counting(response.iter_raw(), offset), 1 << 16)

        def close() -> None:
            response.close()
            client.close()

        return stream, total, close
    handle = open(location, "rb")  # noqa: SIM115 - closed by the caller through close()
    handle.seek(offset)
    return handle, Path(location).stat().st_size, handle.close


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iter_pages(
    location: str, offset: int = 0, stats: WarcStats | None = None, timeout_s: float = 60.0
) -> Iterator[tuple[WarcPage | None, int]]:
    """(page or None for a skipped record, offset of the next record), from ``offset`` on."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    stats = stats or WarcStats()
    # Both streams tell absolute positions (a seeked file; a counted Range body starting at ``offset``),
    # so warcio's record offsets are offsets in the whole file.
    stream, _total, close = _open(location, offset, timeout_s)
    try:
        records = ArchiveIterator(stream)
        try:
            for record in records:
                if record.format != "warc":  # warcio reads anything as a legacy ARC record; we take WARC only
                    raise ArchiveLoadFailed(f"a {record.format} record where a WARC record was expected")
                page = None
                reason = None
                http = record.http_headers
                if record.rec_type != "response":
                    reason = record.rec_type or "unknown"
                elif http is None or http.get_statuscode() != "200":
                    reason = f"http {http.get_statuscode() if http else 'none'}"
                elif _media_type(http.get_header("Content-Type")) not in HTML_TYPES:
                    reason = "not html"
                else:
                    body = record.content_stream().read(MAX_PAGE_BYTES + 1)
                    if len(body) > MAX_PAGE_BYTES:
                        reason = "too large"
                    else:
                        uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                        date = _date(record.rec_headers.get_header("WARC-Date"))
                        page = WarcPage(uri, date, body, http.get_header("Content-Type"))
                next_offset = records.get_record_offset() + records.get_record_length()
                stats.records += 1
                stats.bytes_read = next_offset
                if page is None:
                    stats.skipped[reason or "skipped"] += 1
                yield page, next_offset
        except ArchiveLoadFailed as error:
            raise IngestError(ErrorKind.PARSE, f"{location}: not a readable WARC: {error}") from None
    finally:
        close()


def decode(page: WarcPage) -> str:
    """The page's text, by its HTTP charset first (like a crawled page); raises IngestError."""
    return decode_document(page.body, charset_from_content_type(page.content_type)).text


class Progress:
    """The ``ingest_progress`` row of one input: read at start, saved every few seconds and at the end."""

    def __init__(self, store: Store, location: str) -> None:
        self.store = store
        self.key = input_key(location)
        with store.session() as session:
            row = session.get(IngestProgress, self.key)
            self.offset = row.offset if row else 0
            self.records = row.records if row else 0
            self.pages = row.pages if row else 0
            self.done = bool(row.done) if row else False
        self._saved = time.monotonic()

    def restart(self) -> None:
        self.offset = self.records = self.pages = 0
        self.done = False

    def advance(self, next_offset: int, page: bool) -> None:
        self.offset = next_offset
        self.records += 1
        self.pages += int(page)
        if time.monotonic() - self._saved >= CHECKPOINT_S:
            self.save()

    def save(self, *, done: bool = False) -> None:
        self.done = done
        with self.store.session() as session:
            row = session.get(IngestProgress, self.key) or IngestProgress(input=self.key)
            row.offset, row.records, row.pages, row.done = self.offset, self.records, self.pages, done
            row.updated_at = utcnow()
            session.add(row)
        self._saved = time.monotonic()


def ingest_warc(
    pipeline: Pipeline,
    location: str,
    *,
    source: str | None = None,
    restart: bool = False,
    stats: WarcStats | None = None,
    on_decision: Callable[[WarcPage, Decision], None] | None = None,
) -> WarcStats:
    """Every HTML response of one WARC through the pipeline, resuming where an earlier run stopped.

    On any interruption (Ctrl-C included) the offset after the last decided record is saved before the
    exception goes on, so the next run skips nothing; only a record stopped in the middle of its decision
    is read again, and the pipeline answers it "unchanged" if it had been stored."""
    from worker import logs

    stats = stats or WarcStats()
    progress = Progress(pipeline.store, location)
    if restart:
        progress.restart()
    if progress.done:
        stats.skipped["input already ingested"] += 1
        return stats
    try:
        for page, next_offset in iter_pages(location, progress.offset, stats):
            if page is not None:
                with logs.item_context(url=page.uri, source=source, stage="read"):
                    try:
                        text = decode(page)
                    except IngestError as error:
                        decision = pipeline.record_error(page.uri, source, "read", error)
                    else:
                        decision = pipeline.ingest_html(
                            text, url=page.uri, source=source, fetched_at=page.date
                        )
                stats.pages += 1
                progress.advance(next_offset, True)
                if on_decision is not None:  # after the record counts as read: a stop here loses nothing
                    on_decision(page, decision)
            else:
                progress.advance(next_offset, False)
    except BaseException:
        progress.save()
        raise
    progress.save(done=True)
    return stats
