"""`wirefeed prune`: the retention window, run by hand or daily by beat (``WIREFEED_PRUNE_OLDER_THAN``)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer

from config.timespec import parse_age
from worker.cli.app import app
from worker.cli.common import err, fail, open_store, out, settings

LABELS = {
    "duplicates": "duplicate-log rows",
    "ingest_errors": "error rows",
    "crawl_state": "crawl-state rows",
    "index_entries": "dedup index entries",
}


@app.command("prune")
def prune(
    older_than: Annotated[str, typer.Option("--older-than", help="Age to keep: 30d, 12h, 2w.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would go; delete nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Remove duplicate-log, error and crawl-state rows older than the age, in small batches that never
    hold up ingestion, and expire old stories from the shared Redis dedup index (WIREFEED_DEDUP_URL).
    Articles are never pruned."""
    from worker.retention import prune as run_prune

    try:
        age = parse_age(older_than)
    except ValueError as error:
        fail(f"--older-than: {error}")
    store = open_store()
    conf = settings()
    index = client = None
    if conf.dedup_url:
        import redis

        from worker.pipeline import shared_index

        index = shared_index(conf.dedup_url, conf.dedup_threshold)
        client = redis.Redis.from_url(conf.dedup_url)
    window = timedelta(days=conf.dedup_window_days) if conf.dedup_window_days else None
    report = run_prune(store, age, dry_run=dry_run, index=index, redis_client=client, index_window=window)
    if as_json:
        print(json.dumps(report.to_dict()))
        return
    verb = "would remove" if dry_run else "removed"
    counts = ", ".join(
        f"{report.removed[key]} {label}" for key, label in LABELS.items() if key in report.removed
    )
    out.print(f"{verb} {counts} older than {report.cutoff:%Y-%m-%d %H:%M} UTC")
    if index is None:
        err.print(
            "dedup index: in-process, rebuilt from the stored articles at each start "
            "(set WIREFEED_DEDUP_URL to expire old stories from a shared Redis index)"
        )
