"""The `wirefeed` command as a user runs it: a real process, real files, a real SQLite database."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

WIRE = Path(__file__).parent / "fixtures" / "wire"
SEED = Path(__file__).parent / "fixtures" / "pages" / "rferl-kerry-aleppo.html"

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Example News</title>
<link rel="canonical" href="{url}"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav>
<article><h1>{title}</h1><p class="byline">By Staff Reporter</p>{body}</article>
<footer><p>Copyright 2024 Example News. All rights reserved.</p></footer></body></html>"""


def page(url: str, title: str, text: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    return PAGE.format(url=url, title=title, body=body)


def run(args: list[str], cwd: Path, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WIREFEED_")}
    environ.update({"WIREFEED_DATABASE_URL": f"sqlite:///{cwd / 'wf.db'}", **env})
    return subprocess.run(
        [sys.executable, "-m", "worker.cli", *args],
        cwd=cwd,
        input=stdin,
        text=True,
        capture_output=True,
        env=environ,
        timeout=120,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    result = run(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    strike = (WIRE / "port-strike.txt").read_text()
    for name in ("port-strike", "wildfire", "rate-decision"):
        text = (WIRE / f"{name}.txt").read_text()
        (folder / f"{name}.html").write_text(page(f"https://news.example/{name}", name.title(), text))
    trimmed = "\n\n".join(strike.split("\n\n")[:-2])
    (folder / "strike-copy.html").write_text(
        page("https://other.example/dockers", "Dockers walk out", trimmed)
    )
    (folder / "empty.html").write_text("")
    (folder / "binary.html").write_bytes(bytes(range(256)) * 40)
    return folder


def test_missing_schema_says_how_to_create_it(tmp_path: Path) -> None:
    result = run(["stats"], tmp_path)
    assert result.returncode == 2
    assert "wirefeed db upgrade" in result.stderr


def test_bad_setting_names_the_variable(tmp_path: Path) -> None:
    result = run(["stats"], tmp_path, WIREFEED_DEDUP_THRESHOLD="1.5")
    assert result.returncode == 2
    assert "WIREFEED_DEDUP_THRESHOLD" in result.stderr


def test_ingest_folder_twice(workdir: Path, pages: Path) -> None:
    first = run(["ingest", str(pages), "--source", "local"], workdir)
    assert first.returncode == 0, first.stderr
    lines = dict(line.split("\t", 1) for line in first.stdout.splitlines())
    assert lines[str(pages / "port-strike.html")].startswith("stored #")
    assert lines[str(pages / "strike-copy.html")].startswith("duplicate of #")
    assert lines[str(pages / "empty.html")].startswith("rejected: empty")
    assert lines[str(pages / "binary.html")].startswith("rejected: ")
    assert "3 stored" in first.stderr and "1 duplicate" in first.stderr

    second = run(["ingest", str(pages), "--source", "local"], workdir)
    assert second.returncode == 0
    assert "0 stored" in second.stderr and "0 new version" in second.stderr
    assert "4 unchanged" in second.stderr

    exported = run(["export"], workdir)
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    # A local file vouches for no host: its rel=canonical is not its identity (issue 8, canonical hijack).
    assert sorted(r["canonical_url"] for r in rows) == [
        (pages / f"{name}.html").resolve().as_uri() for name in ("port-strike", "rate-decision", "wildfire")
    ]
    assert all(r["source"] == "local" for r in rows)

    dupes = run(["export", "--duplicates", "--format", "csv"], workdir)
    [dupe] = list(csv.DictReader(io.StringIO(dupes.stdout)))
    assert dupe["url"] == (pages / "strike-copy.html").resolve().as_uri()
    assert dupe["original_url"] == (pages / "port-strike.html").resolve().as_uri()
    assert dupe["rule"] == "near_duplicate"

    stats = run(["stats"], workdir)
    assert stats.returncode == 0
    assert "local" in stats.stdout


def test_ingest_json_lines_from_stdin(workdir: Path) -> None:
    text = (WIRE / "wildfire.txt").read_text()
    lines = [
        json.dumps(
            {
                "url": "https://wire.example/1",
                "title": "Fire",
                "text": text,
                "authors": ["A. Writer"],
                "published_at": "2024-07-16T14:05:00+03:00",
                "source": "wire",
            }
        ),
        "this is not json",
        json.dumps({"url": "https://wire.example/2", "title": "No text"}),
        json.dumps({"url": "https://wire.example/3", "title": "Fire (copy)", "text": text}),
    ]
    result = run(["ingest", "-"], workdir, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[0].endswith("stored #1")
    assert "rejected: invalid_item: invalid JSON" in out[1]
    assert "rejected: invalid_item: text: Field required" in out[2]
    assert "duplicate of #1 (1.00, exact_text)" in out[3]
    [row] = [json.loads(x) for x in run(["export", "--source", "wire"], workdir).stdout.splitlines()]
    assert row["published_at"] == "2024-07-16T14:05:00+03:00"
    assert row["authors"] == ["A. Writer"]


def test_export_rejects_a_bad_date(workdir: Path) -> None:
    result = run(["export", "--since", "yesterday"], workdir)
    assert result.returncode == 2
    assert "--since" in result.stderr


def test_extract_json_prints_the_record_and_stores_nothing(workdir: Path) -> None:
    result = run(["extract", str(SEED), "--json"], workdir)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["title"] == "Kerry Calls For War Crimes Investigations Of Russia, Syria Over Aleppo"
    assert record["authors"] == ["Mike Eckel"]
    assert "Accessibility links" not in record["text"]
    exported = run(["export"], workdir)
    assert exported.stdout == ""


def test_ingest_and_extract_urls_from_a_local_server(workdir: Path) -> None:
    import http.server
    import threading

    strike = (WIRE / "port-strike.txt").read_text()
    body = page("http://127.0.0.1/strike", "Dockers strike", strike).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/world/strike.html"
    try:
        refused = run(["ingest", url], workdir)
        assert "rejected: blocked_host" in refused.stdout  # the SSRF guard holds unless told otherwise
        allowed = run(["ingest", url], workdir, WIREFEED_ALLOW_PRIVATE_HOSTS="127.0.0.1")
        assert allowed.stdout.strip().endswith("stored #1"), allowed.stdout + allowed.stderr
        extracted = run(["extract", url, "--json"], workdir, WIREFEED_ALLOW_PRIVATE_HOSTS="127.0.0.1")
        assert json.loads(extracted.stdout)["title"] == "Dockers strike"
    finally:
        server.shutdown()


SITES = Path(__file__).parent / "fixtures" / "sites"


def test_record_refuses_an_unknown_adapter_and_a_bad_case_name(tmp_path: Path) -> None:
    case = SITES / "arc" / "story.html"
    unknown = run(["record", str(case), "--adapter", "nope", "--fixtures", str(tmp_path)], tmp_path)
    assert unknown.returncode == 2 and "unknown adapter 'nope'" in unknown.stderr
    bad = run(
        ["record", str(case), "--adapter", "arc", "--case", "../x", "--fixtures", str(tmp_path)], tmp_path
    )
    assert bad.returncode == 2 and "not a plain file name" in bad.stderr
    assert list(tmp_path.rglob("*.json")) == []


def test_record_fetches_a_url_with_the_polite_fetcher(tmp_path: Path) -> None:
    """A URL is fetched as the crawler fetches: robots.txt is obeyed, private hosts need allowing."""
    import http.server
    import threading

    body = (SITES / "pangea" / "story.html").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            payload = b"User-agent: *\nDisallow: /private/\n" if self.path == "/robots.txt" else body
            self.send_response(200)
            kind = "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    cases = tmp_path / "cases"
    allow = {"WIREFEED_ALLOW_PRIVATE_HOSTS": "127.0.0.1"}
    try:
        blocked = run(["record", f"{base}/a/heating/33012345.html", "--adapter", "pangea"], tmp_path)
        assert blocked.returncode == 1 and "blocked_host" in blocked.stderr
        robots = run(["record", f"{base}/private/x.html", "--adapter", "pangea"], tmp_path, **allow)
        assert robots.returncode == 1 and "robots" in robots.stderr
        story = f"{base}/a/steppe-towns-heating-pipes/33012345.html"
        done = run(["record", story, "--adapter", "pangea", "--fixtures", str(cases)], tmp_path, **allow)
        assert done.returncode == 0, done.stderr
    finally:
        server.shutdown()
    recorded = json.loads((cases / "pangea" / "33012345.expected.json").read_text(encoding="utf-8"))
    assert recorded["url"] == story and recorded["matched_by"] == ["pangea"]
    assert recorded["record"]["authors"] == ["Aigerim Sadykova", "Pavel Drozd"]
    assert (cases / "pangea" / "33012345.html").read_bytes() == body
