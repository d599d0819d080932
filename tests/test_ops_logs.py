"""Log lines as an operator reads them: readable or JSON, each naming its item, never showing a secret."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from config.settings import load_settings
from worker import logs

PAGE = Path(__file__).parent / "fixtures" / "pages" / "rferl-kerry-aleppo.html"


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WIREFEED_")}
    environ.setdefault("WIREFEED_DATABASE_URL", f"sqlite:///{cwd / 'wf.db'}")
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "worker.cli", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        env=environ,
        timeout=120,
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "story.html").write_bytes(PAGE.read_bytes())
    (pages / "empty.html").write_text("")
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    return pages


def test_json_lines_name_url_source_and_stage(folder: Path) -> None:
    env = {"WIREFEED_LOG_FORMAT": "json", "WIREFEED_LOG_LEVEL": "DEBUG"}
    result = run(["ingest", str(folder), "--source", "rferl"], folder.parent, **env)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]  # every log line is one JSON object
    assert all(
        set(r) >= {"time", "level", "logger", "message", "url", "source", "task_id", "stage"} for r in records
    )
    (stored,) = [r for r in records if r["message"].startswith("decided: stored")]
    assert stored["url"] == (folder / "story.html").resolve().as_uri()
    assert (stored["source"], stored["stage"], stored["level"]) == ("rferl", "dedup_store", "debug")
    (rejected,) = [r for r in records if r["message"].startswith("rejected: empty")]
    assert rejected["url"].endswith("/empty.html") and rejected["stage"] == "extract"
    assert rejected["source"] == "rferl" and rejected["level"] == "info"


def test_readable_lines_by_default(folder: Path) -> None:
    result = run(["ingest", str(folder), "--source", "rferl"], folder.parent, WIREFEED_LOG_LEVEL="INFO")
    line = next(x for x in result.stderr.splitlines() if "rejected: empty" in x)
    assert " INFO    worker.pipeline: rejected: empty" in line
    assert f"[url={(folder / 'empty.html').resolve().as_uri()} source=rferl stage=extract]" in line
    quiet = run(["ingest", str(folder)], folder.parent)  # a plain run shows warnings and worse only
    assert "rejected: empty" not in quiet.stderr and "INFO" not in quiet.stderr


def test_a_bad_log_setting_names_the_variable(tmp_path: Path) -> None:
    result = run(["stats"], tmp_path, WIREFEED_LOG_FORMAT="xml")
    assert result.returncode == 2 and "WIREFEED_LOG_FORMAT" in result.stderr


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger, given back to pytest as it was (configure() replaces its handlers and level)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_formatters_mask_passwords_and_registered_secrets(root_logger: logging.Logger) -> None:
    settings = load_settings(
        database_url="postgresql+psycopg://wirefeed:db-Pa55word@db.internal/wirefeed",
        broker_url="redis://:broker-Pa55word@redis.internal:6379/0",
        flower_basic_auth="operator:flower-Pa55word",
    )
    for fmt in ("json", "text"):
        stream = io.StringIO()
        logs.configure_from_settings(settings, stream=stream)
        log = logging.getLogger("wirefeed.test")
        log.warning("cannot reach %s or %s", settings.database_url, settings.broker_url)
        log.warning("flower auth is %s; dsn password=db-Pa55word host=db", settings.flower_basic_auth)
        try:
            raise RuntimeError(f"connect failed: {settings.broker_url}")
        except RuntimeError:
            log.exception("broker down")
        output = stream.getvalue()
        for secret in ("db-Pa55word", "broker-Pa55word", "flower-Pa55word"):
            assert secret not in output, (fmt, output)
        assert "postgresql+psycopg://wirefeed:***@db.internal/wirefeed" in output


def test_commands_never_print_the_broker_password(tmp_path: Path) -> None:
    result = run(["status"], tmp_path, WIREFEED_BROKER_URL="redis://:hunter2-Secret@127.0.0.1:9/0")
    assert result.returncode == 2 and "cannot reach the broker" in result.stderr
    assert "hunter2-Secret" not in result.stderr + result.stdout
    assert "redis://:***@127.0.0.1:9/0" in result.stderr


@pytest.mark.postgres
def test_debug_logs_on_postgres_never_show_its_password(postgres_url: str, tmp_path: Path) -> None:
    from tests.servers import create_database

    url = make_url(create_database(postgres_url)).set(password="pg-Sec-ret-99")  # trust auth ignores it
    env = {
        "WIREFEED_DATABASE_URL": url.render_as_string(hide_password=False),
        "WIREFEED_LOG_LEVEL": "DEBUG",
        "WIREFEED_LOG_FORMAT": "json",
    }
    (tmp_path / "story.html").write_bytes(PAGE.read_bytes())
    outputs = [
        run(["db", "upgrade"], tmp_path, **env),
        run(["ingest", str(tmp_path / "story.html")], tmp_path, **env),
    ]
    assert all(r.returncode == 0 for r in outputs), [r.stderr for r in outputs]
    text = "".join(r.stdout + r.stderr for r in outputs)
    assert "stored #1" in text and "pg-Sec-ret-99" not in text
