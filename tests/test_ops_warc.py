"""WARC input: a small archive the test writes itself (warcio), read locally, over HTTP with Range, and
from a CC-NEWS-style path list; non-HTML skipped, WARC dates kept, and a stopped run resumes exactly."""

from __future__ import annotations

import gzip
import http.server
import io
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.cli_support import Ran, invoke
from worker.models import ArticleRecord, IngestErrorRecord, IngestProgress
from worker.pipeline import Decision, Outcome, Pipeline
from worker.store import Store
from worker.warc import WarcPage, WarcStats, ingest_warc, iter_pages

WIRE = Path(__file__).parent / "fixtures" / "wire"
PAGE = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="{charset}"><title>{title}</title></head>
<body><nav><a href="/">Home</a></nav><article><h1>{title}</h1><p class="byline">By Staff Reporter</p>{body}
</article><footer><p>Copyright 2024 Example News.</p></footer></body></html>"""


def html(title: str, text: str, charset: str = "utf-8", lang: str = "en") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    return PAGE.format(title=title, body=body, charset=charset, lang=lang).encode(charset)


def story(name: str, cut: int = 0) -> str:
    paragraphs = (WIRE / f"{name}.txt").read_text().split("\n\n")
    return "\n\n".join(paragraphs[: len(paragraphs) - cut])


RUSSIAN = "\n\n".join(
    [
        "Власти города объявили о закрытии порта из-за забастовки докеров, которая продолжается третий день.",
        "По словам представителей профсоюза, переговоры с администрацией порта зашли в тупик и работники "
        "требуют повышения заработной платы и улучшения условий труда на терминалах.",
        "Экономисты предупреждают, что длительная остановка работы порта может привести к перебоям в "
        "поставках товаров и росту цен в регионе уже в ближайшие недели.",
    ]
)


def write_warc(path: Path, gzip_members: bool = True) -> list[tuple[str, str]]:
    """Six records: three articles (one a trimmed copy), a cp1251 page, a PDF, a 404, and a request."""
    entries = [
        (
            "https://wire.example/strike",
            html("Dockers strike", story("port-strike")),
            "text/html; charset=utf-8",
            200,
        ),
        ("https://wire.example/fire", html("Wildfire", story("wildfire")), "text/html", 200),
        ("https://paper.example/report.pdf", b"%PDF-1.7 not a page", "application/pdf", 200),
        ("https://copy.example/strike", html("Strike copy", story("port-strike", cut=2)), "text/html", 200),
        ("https://wire.example/gone", b"<html><body>Not found</body></html>", "text/html", 404),
        (
            "https://ru.example/port",
            html("Порт закрыт", RUSSIAN, "windows-1251", "ru"),
            "text/html; charset=windows-1251",
            200,
        ),
        ("https://wire.example/rates", html("Rates", story("rate-decision")), "application/xhtml+xml", 200),
    ]
    dates = []
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzip_members)
        for number, (uri, body, content_type, status) in enumerate(entries):
            date = f"2024-03-0{number + 1}T08:30:00Z"
            reason = "OK" if status == 200 else "Not Found"
            headers = StatusAndHeaders(
                f"{status} {reason}", [("Content-Type", content_type)], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                uri,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(record)
            dates.append((uri, date))
            if number == 1:
                request = writer.create_warc_record(
                    uri,
                    "request",
                    payload=io.BytesIO(b""),
                    http_headers=StatusAndHeaders(
                        "GET / HTTP/1.1", [("Host", "wire.example")], is_http_request=True
                    ),
                )
                writer.write_record(request)
    return dates


def articles(store: Store) -> dict[str, tuple[str, datetime | None]]:
    with store.session() as session:
        return {r.canonical_url: (r.title, r.fetched_at) for r in session.scalars(select(ArticleRecord))}


@pytest.mark.parametrize("gzip_members", [True, False], ids=["warc.gz", "warc"])
def test_warc_pages_go_through_the_pipeline(store: Store, tmp_path: Path, gzip_members: bool) -> None:
    path = tmp_path / ("news.warc.gz" if gzip_members else "news.warc")
    write_warc(path, gzip_members)
    decisions: dict[str, Outcome] = {}
    stats = ingest_warc(
        Pipeline(store),
        str(path),
        source="ccnews",
        on_decision=lambda p, d: decisions.update({p.uri: d.outcome}),
    )
    assert stats.records == 8 and stats.pages == 5
    assert stats.skipped == {"not html": 1, "http 404": 1, "request": 1}
    assert decisions == {
        "https://wire.example/strike": Outcome.STORED,
        "https://wire.example/fire": Outcome.STORED,
        "https://copy.example/strike": Outcome.DUPLICATE,
        "https://ru.example/port": Outcome.STORED,
        "https://wire.example/rates": Outcome.STORED,
    }
    stored = articles(store)
    assert stored["https://ru.example/port"][0] == "Порт закрыт"  # decoded by the HTTP charset
    assert stored["https://wire.example/fire"][1] == datetime(2024, 3, 2, 8, 30, tzinfo=UTC)  # the WARC-Date
    again = ingest_warc(Pipeline(store), str(path), source="ccnews")
    assert again.records == 0 and again.skipped == {"input already ingested": 1}


def test_a_stopped_run_resumes_at_the_next_record(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "news.warc.gz"
    write_warc(path)
    seen: list[str] = []

    def stop_after_two(page: WarcPage, decision: Decision) -> None:
        seen.append(page.uri)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_warc(Pipeline(store), str(path), on_decision=stop_after_two)
    with store.session() as session:
        saved = session.get(IngestProgress, str(path.resolve()))
        assert saved is not None and not saved.done and saved.pages == 2
    rest: list[tuple[str, Outcome]] = []
    stats = ingest_warc(Pipeline(store), str(path), on_decision=lambda p, d: rest.append((p.uri, d.outcome)))
    assert [uri for uri, _ in rest] == [
        "https://copy.example/strike",
        "https://ru.example/port",
        "https://wire.example/rates",
    ]  # nothing read twice, nothing skipped
    assert Outcome.UNCHANGED not in {outcome for _, outcome in rest}
    assert (
        stats.records == 6
    )  # the 8 records minus the 2 read before the stop: request, pdf, copy, 404, ru, rates
    assert len(articles(store)) == 4


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """A static server that honours ``Range: bytes=N-`` as data.commoncrawl.org does."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        start = int(match.group(1)) if match else 0
        self.send_response(206 if match else 200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def archive_server(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "commoncrawl"
    root.mkdir()
    handler = lambda *a, **k: RangeHandler(*a, directory=str(root), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_remote_warc_resumes_with_a_range_request(store: Store, tmp_path: Path, archive_server: str) -> None:
    root = tmp_path / "commoncrawl"
    write_warc(root / "remote.warc.gz")
    url = f"{archive_server}/remote.warc.gz"
    offsets = [offset for _page, offset in iter_pages(url)]
    assert len(offsets) == 8 and offsets == sorted(offsets)
    # Starting at a saved offset reads exactly the records after it.
    later = [(page.uri if page else None) for page, _ in iter_pages(url, offsets[4])]
    assert later == [None, "https://ru.example/port", "https://wire.example/rates"]
    stats = WarcStats()
    ingest_warc(Pipeline(store), url, stats=stats)
    assert stats.pages == 5 and len(articles(store)) == 4


def run(args: list[str], cwd: Path, db: str) -> Ran:
    """``wirefeed ARGS`` against ``db`` (in this process: see tests/cli_support.py)."""
    return invoke(args, db)


def test_ingest_command_reads_a_cc_news_path_list(store: Store, tmp_path: Path, archive_server: str) -> None:
    root = tmp_path / "commoncrawl"
    folder = root / "crawl-data" / "CC-NEWS" / "2024" / "03"
    folder.mkdir(parents=True)
    write_warc(folder / "CC-NEWS-20240301083000-00001.warc.gz")
    (tmp_path / "warc.paths.gz").write_bytes(
        gzip.compress(b"crawl-data/CC-NEWS/2024/03/CC-NEWS-20240301083000-00001.warc.gz\n")
    )
    result = run(
        ["ingest", str(tmp_path / "warc.paths.gz"), "--warc-base", archive_server, "--source", "ccnews"],
        tmp_path,
        store.url,
    )
    assert result.returncode == 0, result.stderr
    assert "https://wire.example/strike\tstored #" in result.stdout
    assert "https://copy.example/strike\tduplicate of #" in result.stdout
    assert re.search(
        r"CC-NEWS-20240301083000-00001\.warc\.gz: 8 records in [\d.]+s \(\d+ records/s\), 5 pages",
        result.stderr,
    )
    assert "5 items: 4 stored, 0 new version, 1 duplicate" in result.stderr
    again = run(
        ["ingest", str(tmp_path / "warc.paths.gz"), "--warc-base", archive_server], tmp_path, store.url
    )
    assert "already ingested" in again.stderr and again.stdout == ""
    restarted = run(
        ["ingest", str(tmp_path / "warc.paths.gz"), "--warc-base", archive_server, "--restart"],
        tmp_path,
        store.url,
    )
    assert restarted.stdout.count("\tunchanged") == 5  # read again on request: nothing stored twice
    assert "5 items: 0 stored, 0 new version, 0 duplicate, 5 unchanged" in restarted.stderr


def test_an_unreadable_archive_is_reported_and_the_run_goes_on(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "broken.warc.gz"
    bad.write_bytes(b"this is not a web archive at all" * 10)
    good = tmp_path / "good.warc.gz"
    write_warc(good)
    result = run(["ingest", str(bad), str(good)], tmp_path, store.url)
    assert result.returncode == 0, result.stderr
    assert "broken.warc.gz: parse:" in result.stderr
    assert "5 items: 4 stored" in result.stderr
    with store.session() as session:
        assert session.scalar(select(IngestErrorRecord.id)) is None  # skipped records are not errors
