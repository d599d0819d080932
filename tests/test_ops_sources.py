"""`wirefeed sources`: the sources file beside the store's history, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tests.cli_support import Ran, invoke
from worker.crawl_state import save_state
from worker.models import utcnow
from worker.pipeline import Pipeline
from worker.store import Store

SOURCES = """
sources:
  - name: wire-a
    feeds: [https://a.example/rss.xml]
    sitemaps: [https://a.example/sitemap.xml]
    schedule: every 20m
    adapter: pangea
  - name: wire-b
    pages: [https://b.example/world]
    link_pattern: /world/
    schedule: "0 * * * *"
    enabled: false
"""


def run(args: list[str], cwd: Path, db: str) -> Ran:
    """``wirefeed ARGS`` against ``db`` (in this process: see tests/cli_support.py)."""
    return invoke(args, db)


def story(rng: random.Random) -> str:
    words = [f"w{rng.randrange(100000)}" for _ in range(120)]
    return " ".join(words[:60]) + "\n\n" + " ".join(words[60:])


def test_sources_lists_schedule_adapter_history_alerts_and_errors(store: Store, tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(SOURCES)
    pipeline = Pipeline(store)
    rng = random.Random(7)
    for number in range(30):  # 10 pages with bylines, then 20 without: a redesign that lost the byline
        authors = ["Ann Reporter"] if number < 10 else []
        item = {"url": f"https://a.example/{number}", "title": "T", "text": story(rng), "authors": authors}
        assert pipeline.ingest_item(item, source="wire-a").outcome.value == "stored"
    for _ in range(2):
        pipeline.ingest_item('{"url": "https://a.example/broken"}', source="wire-a")
    save_state(store, "https://a.example/29", source="wire-a", status="stored", fetched_at=utcnow())

    result = run(["sources", "--config", str(config), "--json"], tmp_path, store.url)
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)["sources"]}
    a, b = rows["wire-a"], rows["wire-b"]
    assert (a["schedule"], a["adapter"], a["feeds"], a["sitemaps"]) == ("every 20m", "pangea", 1, 1)
    assert a["last_crawl"] is not None and a["articles"] == 30
    assert (a["error_attempts"], a["failing_urls"]) == (2, 1)
    assert any("authors" in alert for alert in a["fill_alerts"])
    assert (b["enabled"], b["adapter"], b["last_crawl"], b["articles"]) == (False, "generic", None, 0)

    human = run(["sources", "--config", str(config)], tmp_path, store.url)
    assert "wire-b (disabled)" in human.stdout and "never" in human.stdout
    assert "fill rate dropped" in human.stdout and "authors" in human.stdout


def test_sources_without_a_schema_or_with_a_bad_file(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(SOURCES)
    db = f"sqlite:///{tmp_path / 'none.db'}"
    result = run(["sources", "--config", str(config), "--json"], tmp_path, db)
    assert result.returncode == 0 and "wirefeed db upgrade" in result.stderr
    assert json.loads(result.stdout)["sources"][0]["articles"] is None  # unknown, not zero
    broken = tmp_path / "broken.yaml"
    broken.write_text("sources:\n  - name: x\n    schedule: sometimes\n")
    bad = run(["sources", "--config", str(broken)], tmp_path, db)
    assert bad.returncode == 2 and "schedule" in bad.stderr
