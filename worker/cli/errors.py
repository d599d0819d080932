"""`wirefeed errors` and `wirefeed retry`: why items were rejected, and running them again."""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated

import typer
from rich.table import Table

from config.timespec import parse_since
from scrapers.errors import ErrorKind
from worker.cli.app import app
from worker.cli.common import err, fail, open_pipeline, open_store, out, settings
from worker.queries import ErrorFilter, list_errors, retry_targets

KINDS = ", ".join(kind.value for kind in ErrorKind)


def _selection(
    source: str | None, kind: str | None, since: str | None, include_resolved: bool
) -> ErrorFilter:
    if kind is not None and kind not in {k.value for k in ErrorKind}:
        fail(f"--kind: unknown error kind {kind!r}; the kinds are: {KINDS}")
    start = None
    if since is not None:
        try:
            start = parse_since(since)
        except ValueError as error:
            fail(f"--since: {error}")
    return ErrorFilter(source=source, kind=kind, since=start, include_resolved=include_resolved)


def _describe(selection: ErrorFilter) -> str:
    parts = [
        f"source {selection.source}" if selection.source else "",
        f"kind {selection.kind}" if selection.kind else "",
    ]
    if selection.since:
        parts.append(f"since {selection.since:%Y-%m-%d %H:%M} UTC")
    return " and ".join(p for p in parts if p)


SourceOpt = Annotated[str | None, typer.Option("--source", help="Only this source.")]
KindOpt = Annotated[str | None, typer.Option("--kind", help=f"Only this error kind ({KINDS}).")]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="Only errors since an age (7d, 12h) or an ISO date.")
]


@app.command("errors")
def errors(
    source: SourceOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    include_resolved: Annotated[bool, typer.Option("--all", help="Also errors a retry has closed.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many, newest first.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per error (JSON Lines).")] = False,
) -> None:
    """Recent failures, newest first: the URL (or the line and id of a pushed item), kind and message."""
    store = open_store()
    selection = _selection(source, kind, since, include_resolved)
    rows = list_errors(store, selection, limit)
    if as_json:
        for row in rows:
            print(json.dumps(row.to_dict(), ensure_ascii=False))
    elif rows:
        table = Table(title="errors" + (f" ({_describe(selection)})" if _describe(selection) else ""))
        for column in ("when (UTC)", "source", "kind", "stage", "item", "message"):
            table.add_column(column, overflow="fold")
        if include_resolved:
            table.add_column("closed")
        for row in rows:
            cells = [
                f"{row.created_at:%Y-%m-%d %H:%M:%S}",
                row.source or "-",
                row.kind,
                row.stage,
                row.where(),
                row.message,
            ]
            if include_resolved:
                cells.append(row.resolution or "-")
            table.add_row(*cells)
        out.print(table)
    if not rows:
        from worker.queries import unknown_source_message

        what = _describe(selection)
        err.print(f"no {'' if include_resolved else 'open '}errors" + (f" for {what}" if what else ""))
        if source is not None and (unknown := unknown_source_message(store, source)):
            err.print(unknown)
    elif len(rows) == limit:
        err.print(f"showing the newest {limit}; --limit shows more")


@app.command("retry")
def retry(
    source: SourceOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    enqueue: Annotated[
        bool, typer.Option("--enqueue", help="Hand the items to the Celery workers instead.")
    ] = False,
) -> None:
    """Run failed items again (each once, however often it failed). A retry that succeeds closes the item's
    errors; one that fails again leaves one open error with the new reason."""
    from worker.retry import retry_here, retry_on_workers

    pipeline = open_pipeline()
    selection = _selection(source, kind, since, include_resolved=False)
    targets, skipped = retry_targets(pipeline.store, selection)
    if skipped:
        err.print(f"{skipped} error(s) name no URL and kept no item copy; they cannot be retried")
    if not targets:
        what = _describe(selection)
        err.print("nothing to retry: no open errors" + (f" for {what}" if what else ""))
        return
    if enqueue:
        import redis

        try:
            sent = retry_on_workers(pipeline, targets, settings())
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
            fail(f"cannot reach the broker: {error}")
        err.print(f"queued {sent} item(s) for the workers; {len(targets) - sent} local file(s) not queued")
        return
    counts: Counter[str] = Counter()
    for result in retry_here(pipeline, targets, settings()):
        counts[result.decision.outcome.value] += 1
        print(f"{result.target.where()}\t{result.decision.describe()}")
    settled = sum(n for outcome, n in counts.items() if outcome != "rejected")
    err.print(f"{len(targets)} retried: {settled} settled, {counts['rejected']} failed again")
