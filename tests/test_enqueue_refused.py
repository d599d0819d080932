"""A line `wirefeed enqueue --items` refuses never reaches a worker: its error row must still be written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import redis
from sqlalchemy import select

from tests.celery_support import flush, redis_db, wirefeed, worker_env
from worker.models import IngestErrorRecord
from worker.store import Store

WIRE = Path(__file__).parent / "fixtures" / "wire"
STORY = (WIRE / "port-strike.txt").read_text(encoding="utf-8").strip()
OTHER = (WIRE / "wildfire.txt").read_text(encoding="utf-8").strip()


def _item(url: str, text: str) -> bytes:
    return json.dumps({"url": url, "title": "Dock workers strike", "text": text}).encode()


def test_oversized_line_gets_an_error_row_and_the_other_lines_are_queued(
    redis_url: str, tmp_path: Path
) -> None:
    broker = redis_db(redis_url, 43)
    flush(broker)
    database = f"sqlite:///{tmp_path / 'wirefeed.db'}"
    Store(database).upgrade()  # the store the workers write to, as `wirefeed db upgrade` leaves it
    huge = _item("https://news.example/huge", "word " * 1_000_000)  # 5 MB, over the 4 MB line cap
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_bytes(
        b"\n".join([_item("https://news.example/one", STORY), huge, _item("https://news.example/two", OTHER)])
    )
    env = worker_env(broker_url=broker, database_url=database, dedup_url=broker)

    out = wirefeed(env, "enqueue", "--items", str(jsonl), "--batch", "1", "--source", "desk")

    assert "queued 2 item(s)" in out
    queued = redis.Redis.from_url(broker).llen("process")  # one ingest_item message per good line
    assert queued == 2
    with Store(database).session() as session:
        rows = session.scalars(select(IngestErrorRecord)).all()
    assert [(r.kind, r.stage, r.line, r.source) for r in rows] == [("too_large", "enqueue", 2, "desk")]
    assert "items.jsonl line 2" in rows[0].message and "bytes" in rows[0].message


def test_a_producer_without_the_store_still_names_the_refused_line(redis_url: str, tmp_path: Path) -> None:
    broker = redis_db(redis_url, 43)
    flush(broker)
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_bytes(b"\n".join([_item("https://news.example/one", STORY), b"{" + b" " * 4_200_000 + b"}"]))
    database = f"sqlite:///{tmp_path / 'none.db'}"  # no schema: `db upgrade` never ran here
    env = worker_env(broker_url=broker, database_url=database, dedup_url=broker)

    result = subprocess.run(
        [sys.executable, "-c", "from worker.cli import main; main()", "enqueue", "--items", str(jsonl)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "queued 1 item(s)" in result.stdout
    assert "line 2:" in result.stderr  # the refused line is named ...
    assert "1 refused line(s) not recorded in the store" in result.stderr  # ... and why it has no row
    assert "db upgrade" in result.stderr
