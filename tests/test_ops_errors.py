"""`wirefeed errors`, `retry` and `stats` error counts, as a user runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_support import Ran, invoke, run_process
from worker.pipeline import Pipeline
from worker.queries import ErrorFilter, error_counts, list_errors
from worker.store import Store

WIRE = Path(__file__).parent / "fixtures" / "wire"
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{title}</h1><p class="byline">By Staff Reporter</p>{body}</article>
<footer><p>Copyright 2024 Example News.</p></footer></body></html>"""


def page(title: str, text: str) -> str:
    return PAGE.format(title=title, body="".join(f"<p>{p}</p>" for p in text.split("\n\n")))


def run(args: list[str], cwd: Path, db: str, stdin: str | None = None, **env: str) -> Ran:
    """``wirefeed ARGS`` against ``db`` (in this process: see tests/cli_support.py)."""
    return invoke(args, db, stdin, **env)


@pytest.fixture
def db(store: Store) -> str:
    """A migrated database (SQLite, then PostgreSQL), by URL for the command."""
    return store.url


def test_pushed_item_errors_keep_url_line_and_id(store: Store, tmp_path: Path) -> None:
    items = "\n".join(
        [
            json.dumps({"url": "https://wire.example/a", "title": "no text", "id": "AP-17"}),
            "{not json",
            json.dumps(
                {"url": "https://wire.example/b", "title": "B", "text": (WIRE / "wildfire.txt").read_text()}
            ),
        ]
    )
    result = run(["ingest", "-"], tmp_path, store.url, stdin=items + "\n")
    assert result.returncode == 0, result.stderr
    rows = {row.line: row for row in list_errors(store, ErrorFilter())}
    assert set(rows) == {1, 2}  # the stored third item left no error
    assert rows[1].url == "https://wire.example/a"  # was NULL before: the item's own URL is kept
    assert rows[1].item_id == "AP-17"
    assert rows[1].kind == "invalid_item" and "text" in rows[1].message
    assert rows[2].url is None and rows[2].where() == "line 2"

    listed = run(["errors", "--json"], tmp_path, store.url)
    records = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["line"] for r in records] == [2, 1]  # newest first
    assert records[1]["item_id"] == "AP-17" and records[1]["url"] == "https://wire.example/a"

    human = run(["errors"], tmp_path, store.url)
    assert "https://wire.example/a (line 1)" in human.stdout  # whole, never cut with "…" when piped
    assert "…" not in human.stdout


def test_errors_filters_and_clear_words_for_nothing(db: str, tmp_path: Path) -> None:
    run(["ingest", "-", "--source", "wire"], tmp_path, db, stdin="{bad\n")
    assert (
        len(
            run(
                ["errors", "--json", "--source", "wire", "--kind", "invalid_item"], tmp_path, db
            ).stdout.splitlines()
        )
        == 1
    )
    nothing = run(["errors", "--source", "nosuch"], tmp_path, db)
    assert nothing.returncode == 0 and "no open errors for source nosuch" in nothing.stderr
    assert run(["errors", "--since", "1d", "--json"], tmp_path, db).stdout.strip()
    assert not run(["errors", "--since", "2999-01-01", "--json"], tmp_path, db).stdout.strip()
    bad_kind = run(["errors", "--kind", "nope"], tmp_path, db)
    assert bad_kind.returncode == 2 and "unknown error kind 'nope'" in bad_kind.stderr
    bad_since = run(["errors", "--since", "yesterday"], tmp_path, db)
    assert bad_since.returncode == 2 and "--since" in bad_since.stderr


def test_retry_of_a_fixed_file_closes_its_errors_and_stats_count_urls(db: str, tmp_path: Path) -> None:
    story = tmp_path / "story.html"
    story.write_text("")
    for _ in range(3):  # three failed attempts of one file
        run(["ingest", str(story)], tmp_path, db)
    stats = json.loads(run(["stats", "--json"], tmp_path, db).stdout)
    (row,) = stats["sources"]
    assert (row["error_attempts"], row["failing_urls"]) == (3, 1)

    story.write_text(page("Port strike", (WIRE / "port-strike.txt").read_text()))
    retried = run(["retry"], tmp_path, db)
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout.count("stored #1") == 1  # tried once, however often it failed
    assert "1 retried: 1 settled" in retried.stderr
    assert run(["errors", "--json"], tmp_path, db).stdout.strip() == ""
    closed = [json.loads(x) for x in run(["errors", "--all", "--json"], tmp_path, db).stdout.splitlines()]
    assert len(closed) == 3 and {c["resolution"] for c in closed} == {"stored"}
    stats = json.loads(run(["stats", "--json"], tmp_path, db).stdout)
    assert stats["sources"][0]["failing_urls"] == 0 and stats["sources"][0]["error_attempts"] == 3
    again = run(["retry"], tmp_path, db)
    assert "nothing to retry" in again.stderr
    assert json.loads(run(["stats", "--json"], tmp_path, db).stdout)["sources"][0]["articles"] == 1


def test_retry_that_fails_again_leaves_one_open_error(store: Store, tmp_path: Path) -> None:
    pipeline = Pipeline(store)
    pipeline.ingest_item('{"url": "https://wire.example/x", "title": "t"}', source="wire")
    result = run(["retry", "--kind", "invalid_item"], tmp_path, store.url)
    assert "1 retried: 0 settled, 1 failed again" in result.stderr
    open_rows = list_errors(store, ErrorFilter())
    assert len(open_rows) == 1 and open_rows[0].url == "https://wire.example/x"
    assert error_counts(store)["wire"] == {"attempts": 2, "failing": 1}


@pytest.fixture
def flaky_site() -> Iterator[tuple[str, dict[str, int]]]:
    """A local site whose article is missing (404) until the test says it is published."""
    body = page("Wildfire", (WIRE / "wildfire.txt").read_text()).encode()
    state = {"status": 404}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = state["status"] if self.path == "/world/wildfire.html" else 404  # like any site
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            payload = body if status == 200 else b"gone"
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/world/wildfire.html", state
    finally:
        server.shutdown()
        server.server_close()


def test_retry_refetches_a_url(db: str, tmp_path: Path, flaky_site: tuple[str, dict[str, int]]) -> None:
    url, state = flaky_site
    env = {"WIREFEED_ALLOW_PRIVATE_HOSTS": "127.0.0.1"}
    first = run(["ingest", url, "--source", "site"], tmp_path, db, **env)
    assert "rejected: http_status" in first.stdout, first.stdout + first.stderr
    state["status"] = 200
    retried = run(["retry", "--source", "site", "--kind", "http_status"], tmp_path, db, **env)
    assert f"{url}\tstored #1" in retried.stdout, retried.stdout + retried.stderr
    assert run(["errors", "--json"], tmp_path, db).stdout.strip() == ""


@pytest.mark.redis
def test_retry_enqueue_hands_items_to_the_workers(db: str, tmp_path: Path, redis_url: str) -> None:
    import redis

    from tests.celery_support import flush, redis_db

    broker = redis_db(redis_url, 54)
    flush(broker)
    items = json.dumps({"url": "https://wire.example/late", "title": "t"}) + "\n"
    run(["ingest", "-", "--source", "wire"], tmp_path, db, stdin=items)
    story = tmp_path / "local.html"
    story.write_text("")
    run(["ingest", str(story)], tmp_path, db)
    run(["ingest", "http://127.0.0.1:9/refused.html", "--source", "wire"], tmp_path, db)
    result = run_process(["retry", "--enqueue"], db, WIREFEED_BROKER_URL=broker)
    assert result.returncode == 0, result.stderr
    assert "queued 2 item(s) for the workers; 1 local file(s) not queued" in result.stderr
    client = redis.Redis.from_url(broker)
    messages = [json.loads(m) for q in ("process", "fetch") for m in client.lrange(q, 0, -1)]
    tasks = sorted(m["headers"]["task"] for m in messages)
    assert tasks == ["wirefeed.fetch_article", "wirefeed.ingest_item"]
    closed = [json.loads(x) for x in run(["errors", "--all", "--json"], tmp_path, db).stdout.splitlines()]
    assert sorted(c["resolution"] or "open" for c in closed) == ["open", "requeued", "requeued"]
