"""Flower against the test broker: tasks by name with readable arguments, and no entry without credentials."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.celery_support import (
    ROOT,
    CeleryProcess,
    clustered_items,
    flush,
    fresh_database,
    redis_db,
    start_worker,
    wait_until,
    wirefeed,
    worker_env,
    write_jsonl,
)
from tests.servers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.postgres]

AUTH = ("operator", "s3cret-pass")


def test_flower_refuses_to_start_without_credentials(redis_url: str) -> None:
    env = worker_env(broker_url=redis_db(redis_url, 12))
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "worker", "flower", f"--port={free_port()}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "WIREFEED_FLOWER_BASIC_AUTH" in result.stderr


@pytest.mark.parametrize(
    "credentials",
    [
        "operator:change-me-too",
        "operator:CHANGE-ME",
        "admin:password",
        "operator:short1",
        "operator:",
        "nopassword",
    ],
)
def test_flower_refuses_known_default_or_weak_passwords(redis_url: str, credentials: str) -> None:
    env = worker_env(broker_url=redis_db(redis_url, 12), flower_basic_auth=credentials)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker",
            "flower",
            f"--port={free_port()}",
            "--address=127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "WIREFEED_FLOWER_BASIC_AUTH" in result.stderr


def test_flower_shows_wirefeed_tasks_by_name_with_trimmed_arguments(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    broker = redis_db(redis_url, 12)
    flush(broker)
    port = free_port()
    with fresh_database(postgres_url, "flower") as database:
        env = worker_env(broker_url=broker, database_url=database, flower_basic_auth=f"{AUTH[0]}:{AUTH[1]}")
        args = ["flower", f"--port={port}", "--address=127.0.0.1"]
        flower = CeleryProcess(args, env, tmp_path / "flower.log")
        flower.start()
        worker = start_worker(env, tmp_path, "watched", concurrency=1)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: _up(base), 60, what="Flower to listen")
            worker.wait_for_log(r"ready\.")
            page = "<html><body><article><h1>Flower test</h1>" + "<p>A long paragraph of news. " * 4000
            html_file = tmp_path / "page.html"
            html_file.write_text(page + "</article></body></html>", encoding="utf-8")
            wirefeed(env, "enqueue", "--html", str(html_file), "--url", "https://news.example/flower")
            items = clustered_items(seed=3, clusters=0, copies=1, singles=2)
            jsonl = str(write_jsonl(tmp_path / "items.jsonl", items))
            wirefeed(env, "enqueue", "--items", jsonl, "--batch", "1")  # a message per item
            wirefeed(env, "enqueue", "--items", jsonl)  # ... and as one batch

            def seen() -> dict[str, dict[str, object]] | None:
                response = httpx.get(f"{base}/api/tasks", auth=AUTH, timeout=5)
                assert response.status_code == 200
                tasks = response.json()
                names = {task.get("name") for task in tasks.values()}
                wanted = {"wirefeed.ingest_html", "wirefeed.ingest_item", "wirefeed.ingest_items"}
                return tasks if wanted <= names else None

            tasks = wait_until(seen, 60, interval=0.5, what="the three tasks in Flower")
            html_task = next(t for t in tasks.values() if t["name"] == "wirefeed.ingest_html")
            shown = str(html_task["kwargs"])
            assert "https://news.example/flower" in shown  # the URL stays readable
            assert len(shown) < 400  # ... but not the 120 kB page
            assert "chars)" in shown  # the page is summarised by its length
            item_task = next(t for t in tasks.values() if t["name"] == "wirefeed.ingest_item")
            assert "single.example" in str(item_task["kwargs"])
            batch_task = next(t for t in tasks.values() if t["name"] == "wirefeed.ingest_items")
            assert len(str(batch_task["kwargs"])) < 200  # a batch shows as its count of items

            refused = httpx.get(f"{base}/api/tasks", timeout=5)
            assert refused.status_code == 401
            for open_before in ("/metrics", "/healthcheck"):  # Flower itself leaves these open
                assert httpx.get(base + open_before, timeout=5).status_code == 401, open_before
                assert httpx.get(base + open_before, auth=AUTH, timeout=5).status_code == 200, open_before
            wrong = httpx.get(f"{base}/api/tasks", auth=(AUTH[0], "wrong"), timeout=5)
            assert wrong.status_code == 401
        finally:
            worker.stop()
            flower.stop()


def _up(base: str) -> bool:
    try:
        httpx.get(f"{base}/healthcheck", timeout=2)
    except httpx.HTTPError:
        return False
    return True
