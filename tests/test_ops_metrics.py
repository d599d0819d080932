"""The Prometheus endpoint over real HTTP: in-process, during `crawl --demo`, and on a prefork Celery worker.
The shipped Grafana dashboard may only query metrics that the endpoint really exports."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from tests.celery_support import (
    ROOT,
    flush,
    fresh_database,
    redis_db,
    start_worker,
    wait_until,
    wirefeed,
    worker_env,
)
from tests.servers import free_port
from worker.pipeline import Outcome, Pipeline
from worker.store import Store

WIRE = Path(__file__).parent / "fixtures" / "wire"
DOCS = ROOT / "docs"
EXPORTED = {
    "wirefeed_pages_fetched_total",
    "wirefeed_items_total",
    "wirefeed_stage_seconds_bucket",
    "wirefeed_stage_seconds_count",
    "wirefeed_stage_seconds_sum",
    "wirefeed_dedup_index_entries",
    "wirefeed_queue_messages",
}


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the endpoint, keyed by (name, sorted labels)."""
    body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    samples = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def item(url: str, name: str, cut: int = 0) -> dict[str, str]:
    paragraphs = (WIRE / f"{name}.txt").read_text().split("\n\n")
    return {"url": url, "title": name, "text": "\n\n".join(paragraphs[: len(paragraphs) - cut])}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[tuple[int, list[Pipeline]]]:
    """This process's endpoint, once (the default registry holds one collector of each name)."""
    from worker.metrics import StateCollector, serve

    pipelines: list[Pipeline] = []
    port = free_port()
    server = serve(port, StateCollector(lambda: len(pipelines[-1].index) if pipelines else 0))
    yield port, pipelines
    server.shutdown()


def test_items_and_stages_are_counted(endpoint: tuple[int, list[Pipeline]], store: Store) -> None:
    port, pipelines = endpoint
    pipeline = Pipeline(store)
    pipelines.append(pipeline)
    before = scrape(port)
    decisions = [
        pipeline.ingest_item(item("https://a.example/strike", "port-strike")),
        pipeline.ingest_item(item("https://b.example/strike", "port-strike", cut=2)),
        pipeline.ingest_item(item("https://a.example/strike", "port-strike")),
        pipeline.ingest_item('{"url": "https://c.example/x"}'),
        pipeline.ingest_html("<html><body><p>too short</p></body></html>", url="https://c.example/empty"),
    ]
    assert [d.outcome for d in decisions][:3] == [Outcome.STORED, Outcome.DUPLICATE, Outcome.UNCHANGED]
    after = scrape(port)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("wirefeed_items_total", outcome="stored", kind="") == 1
    assert delta("wirefeed_items_total", outcome="duplicate", kind="") == 1
    assert delta("wirefeed_items_total", outcome="unchanged", kind="") == 1
    assert delta("wirefeed_items_total", outcome="rejected", kind="invalid_item") == 1
    rejected_html = decisions[4].error_kind
    assert rejected_html is not None
    assert delta("wirefeed_items_total", outcome="rejected", kind=rejected_html.value) == 1
    assert delta("wirefeed_stage_seconds_count", stage="fingerprint") == 3
    assert delta("wirefeed_stage_seconds_count", stage="dedup_store") == 3
    assert delta("wirefeed_stage_seconds_count", stage="extract") == 1
    assert value(after, "wirefeed_dedup_index_entries") == 2  # the story and its near copy


def test_crawl_serves_metrics_while_it_runs(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREFEED_")}
    env["WIREFEED_DATABASE_URL"] = f"sqlite:///{tmp_path / 'wf.db'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker.cli", "crawl", "--demo", "--json", "--metrics-port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    last: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    try:
        while proc.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                last = scrape(port)
            time.sleep(0.2)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    sources = json.loads(stdout)["sources"]
    assert last, "the endpoint never answered during the crawl"
    fetched_ok = value(last, "wirefeed_pages_fetched_total", status="200")
    assert 0 < fetched_ok <= sum(s["fetched"] for s in sources)
    assert value(last, "wirefeed_stage_seconds_count", stage="fetch") >= fetched_ok
    assert value(last, "wirefeed_items_total", outcome="stored", kind="") <= sum(s["stored"] for s in sources)


@pytest.mark.integration
@pytest.mark.redis
@pytest.mark.postgres
def test_prefork_worker_serves_metrics_and_logs_each_task(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    broker = redis_db(redis_url, 52)
    flush(broker)
    port = free_port()
    items = [
        item(f"https://w.example/{n}", name)
        for n, name in enumerate(["port-strike", "wildfire", "rate-decision"])
    ]
    items.append(item("https://copy.example/strike", "port-strike", cut=2))
    items.append({"url": "https://w.example/bad", "title": "no text"})
    path = tmp_path / "items.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in items))
    with fresh_database(postgres_url, "metrics") as database:
        # A password the server ignores (trust auth) and Flower's credentials: neither may reach the log.
        database = make_url(database).set(password="pg-Sec-ret-77").render_as_string(hide_password=False)
        env = worker_env(
            broker_url=broker,
            database_url=database,
            metrics_port=port,
            log_format="json",
            flower_basic_auth="operator:flower-Sec-ret-77",
        )
        worker = start_worker(env, tmp_path, "metrics", concurrency=1)
        try:
            wait_until(lambda: _answers(port), 60, what="the worker's metrics endpoint")
            wirefeed(env, "enqueue", "--items", str(path), "--batch", "2")

            def settled() -> dict | None:
                samples = scrape(port)
                done = sum(v for (name, _), v in samples.items() if name == "wirefeed_items_total")
                return samples if done >= len(items) else None

            samples = wait_until(settled, 90, what="all items counted by the worker's children")
        finally:
            worker.stop()
        log = worker.log()
    assert value(samples, "wirefeed_items_total", outcome="stored", kind="") == 3
    assert value(samples, "wirefeed_items_total", outcome="duplicate", kind="") == 1
    assert value(samples, "wirefeed_items_total", outcome="rejected", kind="invalid_item") == 1
    assert value(samples, "wirefeed_dedup_index_entries") == 4  # three stories and the copy's own print
    assert ("wirefeed_queue_messages", (("queue", "process"),)) in samples
    assert value(samples, "wirefeed_stage_seconds_count", stage="dedup_store") == 4
    # JSON log lines, one pair per task, each with its task id; the item's URL on the rejection line.
    assert "Sec-ret-77" not in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    started = [line for line in lines if line["message"].startswith("wirefeed.ingest_items started")]
    assert len(started) == 3 and all(line["task_id"] for line in started)
    finished = [
        line for line in lines if re.match(r"wirefeed\.ingest_items success in [\d.]+s: ", line["message"])
    ]
    assert {line["task_id"] for line in finished} == {line["task_id"] for line in started}


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_dashboard_and_scrape_config_name_real_metrics() -> None:
    dashboard = json.loads((DOCS / "grafana-dashboard.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    assert len(queries) >= 6
    named = {name for query in queries for name in re.findall(r"\b(wirefeed_[a-z_]+)\b", query)}
    assert named and named <= EXPORTED, named - EXPORTED
    assert EXPORTED - {"wirefeed_stage_seconds_count", "wirefeed_stage_seconds_sum"} <= named  # all graphed
    scrape_config = (DOCS / "prometheus.yml").read_text()
    assert "metrics_path: /metrics" in scrape_config and "wirefeed" in scrape_config
