"""A crawl handed to the workers (2 process workers, 1 fetch worker) stores the same records as the
in-process crawl of the same fixture site, keeps robots and politeness, and reports the same summary."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import aliased

from config.settings import load_settings
from config.sources import parse_sources
from tests.celery_support import flush, fresh_database, redis_db, start_worker, wirefeed, worker_env
from tests.demo_oracle import expected_of
from worker.crawl import crawl, make_fetcher
from worker.demo import DemoSite
from worker.models import ArticleRecord, DuplicateRecord, IngestErrorRecord
from worker.pipeline import Pipeline
from worker.store import Store

pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.postgres]

MIN_DELAY_S = 0.2


def _records(database: str) -> dict[str, Any]:
    store = Store(database)
    with store.session() as session:
        articles = {
            row.canonical_url: (row.title, row.text, row.published_at, tuple(row.authors))
            for row in session.scalars(select(ArticleRecord))
        }
        original = aliased(ArticleRecord)
        duplicates = {
            url: (target, rule)
            for url, target, rule in session.execute(
                select(DuplicateRecord.url, original.canonical_url, DuplicateRecord.rule).join(
                    original, original.id == DuplicateRecord.duplicate_of
                )
            )
        }
        errors = {
            (url, kind)
            for url, kind in session.execute(select(IngestErrorRecord.url, IngestErrorRecord.kind))
        }
    store.dispose()
    return {"articles": articles, "duplicates": duplicates, "errors": errors}


def test_enqueued_crawl_matches_the_in_process_crawl(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    broker = redis_db(redis_url, 9)
    flush(broker)
    with (
        DemoSite() as site,
        fresh_database(postgres_url, "inproc") as db_local,
        fresh_database(postgres_url, "queued") as db_queued,
    ):
        document = site.sources_document(min_delay_s=MIN_DELAY_S)
        sources_path = tmp_path / "sources.yaml"
        sources_path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

        conf = load_settings(database_url=db_local, allow_private_hosts="127.0.0.1", sources=sources_path)
        pipeline = Pipeline.open(conf)
        with make_fetcher(conf) as fetcher:
            local_summary = crawl(parse_sources(document).select(), pipeline, fetcher, settings=conf)
        pipeline.store.dispose()
        local_requests = len(site.requests())

        env = worker_env(
            broker_url=broker,
            database_url=db_queued,
            dedup_url=broker,
            sources=sources_path,
            allow_private_hosts="127.0.0.1",
            task_max_retries=1,
            retry_backoff_max_s=1,
        )
        process = start_worker(env, tmp_path, "process", queues="process", concurrency=2)
        fetch = start_worker(
            env, tmp_path, "fetch", queues="discover,fetch", concurrency=8, extra=("-P", "threads")
        )
        try:
            stdout = wirefeed(env, "crawl", "--enqueue", "--wait", "--json", timeout=200)
        finally:
            fetch.stop()
            process.stop()
        queued_summary = json.loads(stdout)
        queued_log = site.requests()[local_requests:]
        expected = expected_of(site)
        local, queued = _records(db_local), _records(db_queued)

    # The in-process crawl is the reference (its correctness is tests/test_crawl.py's business). Every
    # URL gets a decision in both runs, and every record outside the wire-story clusters is identical.
    # Which copy of a syndicated story is kept depends on which copy is decided first, in the in-process
    # crawl too (its sources run in parallel threads), so inside a cluster only its membership is compared.
    decided = set(local["articles"]) | set(local["duplicates"])
    assert decided == set(queued["articles"]) | set(queued["duplicates"])
    pairs = [(copy, original) for run in (local, queued) for copy, (original, _) in run["duplicates"].items()]
    clustered = {url for pair in pairs for url in pair}
    assert len(local["articles"]) >= len(expected.stored) // 2 and local["duplicates"]
    for url in decided - clustered:
        assert queued["articles"][url] == local["articles"][url]
    assert queued["errors"] == local["errors"]  # every refusal once, with the same kind
    # ...and each syndicated story ends as exactly one stored record in both runs, whichever copy won.
    assert len(queued["articles"]) == len(local["articles"])
    for story, copies in expected.syndicated.items():
        for run in (local, queued):
            assert len(copies & set(run["articles"])) == 1, (story, sorted(copies & set(run["articles"])))

    assert not queued_summary["interrupted"]
    local_rows = {row["name"]: row for row in local_summary.to_dict()["sources"]}
    for row in queued_summary["sources"]:
        mine = local_rows[row["name"]]
        for counter in ("discovered", "skipped_old", "fetched", "not_modified", "new_versions"):
            assert row[counter] == mine[counter], (row["name"], counter)
        assert row["stored"] + row["duplicates"] == mine["stored"] + mine["duplicates"], row["name"]
        assert row["errors"] == mine["errors"], row["name"]

    # Robots and politeness held across the worker processes: from the site's own log.
    assert not any(record.path in expected.disallowed_paths for record in queued_log)
    by_host: dict[str, list[float]] = {}
    for record in queued_log:
        by_host.setdefault(record.host, []).append(record.time)
    for host, times in by_host.items():
        gaps = [b - a for a, b in itertools.pairwise(sorted(times))]
        assert not gaps or min(gaps) >= MIN_DELAY_S, f"{host}: two requests {min(gaps):.3f}s apart"


def test_enqueue_urls_are_fetched_and_stored_by_the_workers(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    broker = redis_db(redis_url, 8)
    flush(broker)
    with DemoSite() as site, fresh_database(postgres_url, "urls") as database:
        articles = [a for a in site.outlet_articles("valley") if not a.special and a.original][:2]
        urls = [site.url("valley", article.path) for article in articles]
        missing = site.url("valley", "/news/council-minutes-2019/")  # a 404 among them
        env = worker_env(broker_url=broker, database_url=database, allow_private_hosts="127.0.0.1")
        worker = start_worker(env, tmp_path, "fetcher", queues="fetch,process", concurrency=2)
        try:
            stdout = wirefeed(env, "enqueue", *urls, missing, "--source", "pushed", "--wait", timeout=120)
        finally:
            worker.stop()
        records = _records(database)
    assert "queued 3 item(s)" in stdout and "http_status 1" in stdout  # --wait printed the outcome
    assert set(records["articles"]) == set(urls)
    assert {(url, kind) for url, kind in records["errors"]} == {(missing, "http_status")}
    titles = {title for title, *_ in records["articles"].values()}
    assert titles == {article.title for article in articles}
