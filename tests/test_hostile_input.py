"""Hostile input through the real entry points: pushed items (sizes, schemes, encodings), canonical
claims of pages that vouch for no host, and text that reaches a terminal or a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scrapers.errors import ErrorKind, IngestError
from worker.export import write_csv
from worker.items import ItemLimits, parse_item, read_lines
from worker.models import ArticleRecord, IngestErrorRecord
from worker.pipeline import Outcome, Pipeline
from worker.store import Store

WIRE = Path(__file__).parent / "fixtures" / "wire"
STORY = (WIRE / "port-strike.txt").read_text(encoding="utf-8").strip()
OTHER = (WIRE / "wildfire.txt").read_text(encoding="utf-8").strip()


def item(url: str = "https://news.example/a", text: str = STORY, **extra: object) -> dict[str, object]:
    return {"url": url, "title": "Dock workers strike", "text": text, **extra}


def run(
    args: list[str], cwd: Path, stdin: bytes | None = None, **env: str
) -> subprocess.CompletedProcess[bytes]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WIREFEED_")}
    # Standard streams as under a normal en_US.UTF-8 locale (strict UTF-8); machines without that locale
    # fall back to C, where Python would quietly use surrogateescape instead.
    environ.update(
        {
            "WIREFEED_DATABASE_URL": f"sqlite:///{cwd / 'wf.db'}",
            "LC_ALL": "en_US.UTF-8",
            "LANG": "en_US.UTF-8",
            "PYTHONIOENCODING": "utf-8:strict",
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "worker.cli", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=environ,
        timeout=120,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    result = run(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def _count(store: Store, model: type) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# -- 4: every field capped, before any model is built --------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "T" * 500_000),
        ("text", "word " * 2_000_000),
        ("description", "d" * 50_000),
        ("authors", ["A. Writer"] * 1_000),
        ("site_name", "s" * 20_000),
    ],
)
def test_oversized_field_is_too_large(field: str, value: object) -> None:
    with pytest.raises(IngestError) as caught:
        parse_item(item(**{field: value}))
    assert caught.value.kind is ErrorKind.TOO_LARGE and field in caught.value.message


def test_oversized_line_is_refused_before_parsing_it() -> None:
    line = json.dumps(item(text="word " * 1_000_000))
    tracemalloc.start()
    with pytest.raises(IngestError) as caught:
        parse_item(line, ItemLimits(max_bytes=1_000_000))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert caught.value.kind is ErrorKind.TOO_LARGE and peak < 2_000_000  # no JSON tree was built


def test_two_word_text_is_not_an_article() -> None:
    with pytest.raises(IngestError) as caught:
        parse_item(item(text="Breaking news"))
    assert caught.value.kind is ErrorKind.NOT_AN_ARTICLE


def test_huge_line_is_skipped_and_the_stream_goes_on() -> None:
    good = json.dumps(item()).encode()
    stream = io.BytesIO(good + b"\n" + b'{"text": "' + b"x" * 3_000_000 + b'"}\n\n' + good + b"\n" + good)
    lines = list(read_lines(stream, max_bytes=100_000, chunk=4096))
    assert [line.number for line in lines] == [1, 2, 4, 5]
    assert lines[1].error is not None and lines[1].error.kind is ErrorKind.TOO_LARGE
    assert [line.data for line in lines if line.error is None] == [good, good, good]


# -- 6: only http(s) gets in -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "fields",
    [
        {"url": "file:///etc/passwd"},
        {"url": "javascript://news.example/%0Aalert(1)"},
        {"url": "data://text/plain;base64,SGVsbG8="},
        {"canonical_url": "file:///etc/passwd"},
        {"top_image": "javascript:alert(1)"},
        {"top_image": "file:///etc/shadow"},
    ],
)
def test_only_http_urls_get_in(fields: dict[str, str]) -> None:
    with pytest.raises(IngestError) as caught:
        parse_item(item(**fields))
    assert caught.value.kind is ErrorKind.INVALID_ITEM and "http" in caught.value.message


# -- 4 + 5: through the pipeline and the CLI, the stream goes on ------------------------------------
def test_bad_items_are_recorded_and_the_stream_goes_on(store: Store) -> None:
    pipeline = Pipeline(store)
    decisions = [
        pipeline.ingest_item(item("https://news.example/big", title="T" * 500_000)),
        pipeline.ingest_item(item("file:///etc/passwd")),
        pipeline.ingest_item(item("https://news.example/short", text="two words")),
        pipeline.ingest_item(item("https://news.example/ok")),
    ]
    assert [d.error_kind for d in decisions[:3]] == [
        ErrorKind.TOO_LARGE,
        ErrorKind.INVALID_ITEM,
        ErrorKind.NOT_AN_ARTICLE,
    ]
    assert decisions[3].outcome is Outcome.STORED
    assert _count(store, ArticleRecord) == 1 and _count(store, IngestErrorRecord) == 3


def test_invalid_utf8_on_stdin_is_one_invalid_item(workdir: Path) -> None:
    lines = [
        json.dumps(item("https://news.example/one")).encode(),
        json.dumps(item("https://news.example/bad")).encode().replace(b"Dock", b"D\xffck"),
        json.dumps(item("https://news.example/two", text=OTHER)).encode(),
    ]
    result = run(["ingest", "-"], workdir, stdin=b"\n".join(lines) + b"\n")
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    out = result.stdout.decode().splitlines()
    assert out[0].startswith("stdin:1\tstored") and out[2].startswith("stdin:3\tstored")
    assert out[1].startswith("stdin:2\trejected: invalid_item")


def test_oversized_line_on_stdin_is_too_large_and_the_next_line_goes_on(workdir: Path) -> None:
    huge = json.dumps(item("https://news.example/huge", text="word " * 1_000_000)).encode()  # 5 MB > 4 MB
    lines = [
        json.dumps(item("https://news.example/one")).encode(),
        huge,
        json.dumps(item("https://news.example/two", text=OTHER)).encode(),
    ]
    result = run(["ingest", "-"], workdir, stdin=b"\n".join(lines))
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode().splitlines()
    assert out[0].startswith("stdin:1\tstored") and out[2].startswith("stdin:3\tstored")
    assert out[1].startswith("stdin:2\trejected: too_large")


# -- 7: canonical claims of pages that vouch for no host --------------------------------------------
def test_local_file_cannot_take_over_a_stored_article(store: Store, tmp_path: Path) -> None:
    pipeline = Pipeline(store)
    first = pipeline.ingest_item(item("https://news.example/strike"))
    assert first.outcome is Outcome.STORED
    body = "".join(f"<p>{p}</p>" for p in OTHER.split("\n\n"))
    html = (
        f'<html><head><title>Fire</title><link rel="canonical" href="https://news.example/strike">'
        f"</head><body><article><h1>Fire</h1>{body}</article></body></html>"
    )
    local = tmp_path / "page.html"
    local.write_text(html, encoding="utf-8")
    for url in (local.as_uri(), None):
        decision = pipeline.ingest_html(html, url=url)
        assert decision.outcome is not Outcome.NEW_VERSION
    with store.session() as session:
        original = session.scalars(
            select(ArticleRecord).where(ArticleRecord.canonical_url == "https://news.example/strike")
        ).one()
        assert original.url == "https://news.example/strike" and "strike" in original.text.lower()


def test_canonical_on_the_fetched_host_is_still_trusted(store: Store) -> None:
    pipeline = Pipeline(store)
    body = "".join(f"<p>{p}</p>" for p in STORY.split("\n\n"))
    html = (
        f'<html><head><title>Strike</title><link rel="canonical" href="https://news.example/strike">'
        f"</head><body><article><h1>Strike</h1>{body}</article></body></html>"
    )
    decision = pipeline.ingest_html(html, url="https://news.example/strike?utm_source=feed")
    assert decision.outcome is Outcome.STORED
    with store.session() as session:
        assert session.scalars(select(ArticleRecord.canonical_url)).one() == "https://news.example/strike"


# -- 10: terminal and spreadsheet injection -----------------------------------------------------------
def test_markup_and_escapes_in_a_title_are_printed_as_text(workdir: Path) -> None:
    body = "".join(f"<p>{p}</p>" for p in STORY.split("\n\n"))
    title = "Strike [/] ends [bold]now\x1b]0;pwned\x07"
    page = workdir / "page.html"
    page.write_text(
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}"
        "</article></body></html>",
        encoding="utf-8",
    )
    result = run(["extract", str(page)], workdir)
    assert result.returncode == 0, result.stderr.decode()
    assert "Strike [/] ends [bold]now" in result.stdout.decode()
    assert b"\x1b" not in result.stdout and b"\x07" not in result.stdout


def test_formula_cells_are_quoted_in_csv() -> None:
    rows = [
        {
            "title": '=HYPERLINK("http://evil.example","click")',
            "url": "https://news.example/a",
            "authors": ["=cmd|' /C calc'!A0"],
            "text": "+1 and -2",
            "source": "@SUM(A1)",
        }
    ]
    out = io.StringIO()
    write_csv(rows, out, ("title", "url", "authors", "text", "source"))
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["title"].startswith("'=HYPERLINK")
    assert row["authors"] == "[\"=cmd|' /C calc'!A0\"]"  # a JSON array starts with "[": already text
    assert row["text"] == "'+1 and -2" and row["source"] == "'@SUM(A1)"
    assert row["url"] == "https://news.example/a"


# -- 11: operator surfaces -----------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["enqueue", "https://news.example/a"], ["crawl", "--enqueue"]])
def test_broker_down_is_one_line_without_its_password(workdir: Path, args: list[str]) -> None:
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    sources = str(Path(__file__).resolve().parents[1] / "config" / "sources.yaml")
    result = run(
        args, workdir, WIREFEED_BROKER_URL="redis://:hunter2-secret@127.0.0.1:1/0", WIREFEED_SOURCES=sources
    )
    stderr = result.stderr.decode()
    assert result.returncode == 2 and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1 and "cannot reach the broker" in stderr
    assert "hunter2" not in stderr
