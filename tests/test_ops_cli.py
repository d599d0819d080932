"""The command line an operator scripts: versions, flags, whole values, clear words, and the demo site
served on its own for the Celery workers."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.celery_support import (
    flush,
    fresh_database,
    redis_db,
    start_worker,
    wait_until,
    wirefeed,
    worker_env,
)
from tests.cli_support import Ran, invoke

PAGE = Path(__file__).parent / "fixtures" / "pages" / "rferl-kerry-aleppo.html"
COMMANDS = [
    ["crawl"],
    ["errors"],
    ["retry"],
    ["prune"],
    ["sources"],
    ["ingest"],
    ["extract"],
    ["export"],
    ["stats"],
    ["enqueue"],
    ["status"],
    ["db", "upgrade"],
    ["demo", "serve"],
]


def run(args: list[str], cwd: Path, stdin: str | None = None, **env: str) -> Ran:
    """``wirefeed ARGS`` on a SQLite file in ``cwd`` (in this process: see tests/cli_support.py)."""
    return invoke(args, f"sqlite:///{cwd / 'wf.db'}", stdin, **env)


def test_version(tmp_path: Path) -> None:
    result = run(["--version"], tmp_path)
    assert result.returncode == 0 and re.fullmatch(r"wirefeed \d+\.\d+\.\d+\S*\n", result.stdout)


def test_flags_are_shown_as_flags(tmp_path: Path) -> None:
    for command in COMMANDS:
        shown = run([*command, "--help"], tmp_path, COLUMNS="200").stdout
        assert "<bool>" not in shown, command
    help_text = run(["errors", "--help"], tmp_path, COLUMNS="200").stdout
    assert re.search(r"--json\s+One JSON object", help_text)
    assert re.search(r"--limit\s+<int", help_text)  # an option that takes a value still shows its type


def test_extract_prints_values_not_python_reprs(tmp_path: Path) -> None:
    result = run(["extract", str(PAGE)], tmp_path)
    assert result.returncode == 0, result.stderr
    header = result.stdout.split("\n\n")[0]
    assert "None" not in header and "['" not in header and "True" not in header and "False" not in header
    assert re.search(r"authors\s+Mike Eckel\b", header)
    assert re.search(r"top_image\s+(https?://\S+|-)", header)


def test_long_urls_are_whole_when_piped(tmp_path: Path) -> None:
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    url = "https://news.example/" + "/".join(f"section-{n}" for n in range(30)) + "/story.html"
    run(["ingest", "-"], tmp_path, stdin=json.dumps({"url": url, "title": "no text"}) + "\n")
    for args in (["errors"], ["stats"], ["sources"]):
        result = run(args, tmp_path)
        assert "…" not in result.stdout, args
    assert url in run(["errors"], tmp_path).stdout


def test_clear_words_for_nothing_selected(tmp_path: Path) -> None:
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("a.txt", "b.txt", "c.md"):
        (notes / name).write_text("plain text, not a page")
    result = run(["ingest", str(notes)], tmp_path)
    assert "no HTML files" in result.stderr and "2 .txt" in result.stderr and "1 .md" in result.stderr
    unknown = run(["export", "--source", "nosuch"], tmp_path)
    assert unknown.returncode == 2 and "no source named 'nosuch'" in unknown.stderr
    run(["ingest", str(PAGE), "--source", "rferl"], tmp_path)
    known = run(["export", "--source", "nosuch"], tmp_path)
    assert "known sources: rferl" in known.stderr
    empty = run(["export", "--source", "rferl", "--since", "2999-01-01"], tmp_path)
    assert (
        empty.returncode == 0
        and "0 articles exported: none match source rferl and since 2999-01-01" in empty.stderr
    )
    assert "no source named 'nosuch'" in run(["errors", "--source", "nosuch"], tmp_path).stderr


def _demo_serve(tmp_path: Path, sources: Path, **popen: Any) -> subprocess.Popen[str]:
    """`wirefeed demo serve` in its own process, with none of this shell's WIREFEED_ settings."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WIREFEED_")}
    return subprocess.Popen(
        [sys.executable, "-m", "worker.cli", "demo", "serve", "--sources-out", str(sources)],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


@pytest.mark.integration
@pytest.mark.redis
@pytest.mark.postgres
def test_demo_serve_lets_the_workers_crawl_offline(postgres_url: str, redis_url: str, tmp_path: Path) -> None:
    sources = tmp_path / "demo-sources.yaml"
    server = _demo_serve(tmp_path, sources)
    broker = redis_db(redis_url, 53)
    flush(broker)
    try:
        wait_until(lambda: sources.exists() and sources.stat().st_size > 0, 30, what="the demo sources file")
        time.sleep(0.2)
        feed = re.search(r"(http://127\.0\.0\.1:\d+)", sources.read_text())
        assert feed and httpx.get(feed.group(1) + "/robots.txt", timeout=5).status_code == 200
        with fresh_database(postgres_url, "demoserve") as database:
            env = worker_env(
                broker_url=broker,
                database_url=database,
                sources=sources,
                allow_private_hosts="127.0.0.1",
                task_max_retries=1,
                retry_backoff_max_s=1,
            )
            worker = start_worker(
                env, tmp_path, "all", queues="discover,fetch,process", concurrency=8, extra=("-P", "threads")
            )
            try:
                summary = json.loads(wirefeed(env, "crawl", "--enqueue", "--wait", "--json", timeout=240))
            finally:
                worker.stop()
            log = worker.log()
    finally:
        server.send_signal(signal.SIGINT)
        stdout, stderr = server.communicate(timeout=30)
    stored = sum(source["stored"] for source in summary["sources"])
    assert stored >= 10, summary
    assert (
        "wirefeed.fetch_article started" in log and "wirefeed.ingest_html success" in log
    )  # a line per task
    assert server.returncode == 0, stderr
    assert "sources file:" in stdout and "WIREFEED_ALLOW_PRIVATE_HOSTS=127.0.0.1" in stdout
    assert "demo site stopped" in stderr


def test_demo_serve_stops_on_sigint_when_started_with_sigint_ignored(tmp_path: Path) -> None:
    """A background job of a non-interactive shell (a test runner, a supervisor) starts with SIGINT ignored,
    and Python then raises no KeyboardInterrupt: the site must still stop on SIGINT, as it says it does."""
    sources = tmp_path / "demo-sources.yaml"
    # started as a background job has it
    server = _demo_serve(tmp_path, sources, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        wait_until(lambda: sources.exists() and sources.stat().st_size > 0, 30, what="the demo sources file")
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0, stderr
    assert "demo site stopped" in stderr


def test_worker_banner_names_each_queue_with_its_own_exchange() -> None:
    from worker.celery_app import QUEUES, app

    shown = app.amqp.queues.format()
    for name in QUEUES:
        assert re.search(rf"{name}\s+exchange={name}\(direct\) key={name}", shown), shown
