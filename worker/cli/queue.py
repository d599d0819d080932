"""`wirefeed enqueue` and `wirefeed status`: work onto the Celery queues, and how the queues are doing.

Celery and Redis are imported inside the commands, never when the CLI loads, so the embedded mode (SQLite,
no broker) runs on a machine where neither is reachable.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from scrapers.errors import IngestError
from worker.cli.app import app
from worker.cli.common import err, fail, out, settings

MAX_HTML_BYTES = 10_000_000


def _broker_down(error: Exception) -> None:
    from kombu.utils.url import maybe_sanitize_url  # the URL's password stays out of the message

    fail(f"cannot reach the broker {maybe_sanitize_url(settings().broker_url)}: {error}")


@app.command("enqueue")
def enqueue(
    urls: Annotated[list[str] | None, typer.Argument(help="Article URLs: a fetch task each.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="An HTML file to ingest (needs --url).")] = None,
    url: Annotated[str | None, typer.Option("--url", help="The URL the --html page was served from.")] = None,
    items: Annotated[
        str | None, typer.Option("--items", help="JSON Lines of parsed items ('-' for standard input).")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Source name for the work.")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Block until the workers have done it all.")] = False,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=1000, help="Parsed items per message (1: a task each).")
    ] = 25,
) -> None:
    """Put work on the queue and return at once (or, with --wait, when the workers are done with it)."""
    import kombu.exceptions
    import redis

    from worker import producers
    from worker.broker import redis_client
    from worker.runs import Run

    if not urls and html is None and items is None:
        fail("give URLs, --html FILE --url URL, or --items FILE.jsonl (or - for standard input)")
    if html is not None and not url:
        fail("--html needs --url: the page's address is its identity in the store")
    conf = settings()
    try:
        client = redis_client(conf)
        run = Run.create(client, kind="enqueue") if wait else None
        sent = 0
        if urls:
            sent += len(producers.enqueue_urls(urls, source=source, run=run))
        if html is not None:
            try:
                data = html.read_bytes()
            except OSError as error:
                fail(f"cannot read {html}: {error.strerror}")
            if len(data) > MAX_HTML_BYTES:
                fail(f"{html} is {len(data)} bytes, more than {MAX_HTML_BYTES}")
            from scrapers.encoding import decode_html

            # Messages are JSON, so the page travels as text: decode it here as the fetcher would (BOM,
            # <meta> charset, then detection), not blindly as UTF-8.
            try:
                text = decode_html(data)
            except IngestError as error:
                fail(f"{html}: {error}")
            producers.enqueue_html(text, url or "", source=source, run=run)
            sent += 1
        if items is not None:
            sent += _enqueue_items(conf, items, source, run, batch)
        if run is not None:
            run.finish("-")  # nothing more will be added; the run ends when its tasks do
    except (
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        kombu.exceptions.OperationalError,
    ) as error:  # Redis itself (runs, dedup) or kombu publishing the task: one line either way
        _broker_down(error)
    out.print(f"queued {sent} item(s)")
    if run is not None:
        from worker.cli.crawl import print_summary
        from worker.queued_crawl import run_summary

        run.wait()
        print_summary(run_summary(run))  # the crawl's table: same columns for the same outcomes


def _enqueue_items(conf: Any, items: str, source: str | None, run: Any, batch: int) -> int:
    from worker.items import read_lines
    from worker.jsonl import iter_jsonl
    from worker.producers import enqueue_items

    if items == "-":
        stream = sys.stdin.buffer
    else:
        try:
            stream = open(items, "rb")  # noqa: SIM115 - closed below; stdin must not be
        except OSError as error:
            fail(f"cannot read {items}: {error.strerror}")
    lines = []
    refused: list[tuple[int, IngestError]] = []
    try:
        for line in read_lines(stream):  # bytes with a line cap: a huge or undecodable line ends nothing
            if line.error is not None:
                err.print(f"line {line.number}: {line.error}", markup=False, highlight=False)
                refused.append((line.number, line.error))
            else:
                lines.append(line.data)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    values = [value for _number, value in iter_jsonl(lines)]
    enqueue_items(values, source=source, run=run, batch=batch)
    if refused:
        _record_refused(conf, refused, items, source)
    return len(values)


def _record_refused(
    conf: Any, refused: list[tuple[int, IngestError]], items: str, source: str | None
) -> None:
    """A line too large to send never reaches a worker, so the producer writes its error row itself, in the
    store the workers write to, where `wirefeed errors` lists it beside the workers' own rejections. A
    producer that cannot reach that store says so: the line is still named on stderr, never silently lost."""
    from sqlalchemy.exc import SQLAlchemyError

    from worker.store import SchemaMissing, Store

    store = Store(conf.database_url)
    label = "stdin" if items == "-" else items
    try:
        store.require_schema()
        for number, error in refused:
            store.record_error(
                url=None,
                source=source,
                stage="enqueue",
                kind=error.kind.value,
                message=f"{label} line {number}: {error.message}",
                line=number,
            )
    except (SchemaMissing, SQLAlchemyError) as error:
        err.print(
            f"{len(refused)} refused line(s) not recorded in the store: {error}",
            markup=False,
            highlight=False,
        )
    finally:
        store.dispose()


@app.command("status")
def status(
    minutes: Annotated[int, typer.Option("--minutes", min=1, max=1440, help="Throughput window.")] = 5,
) -> None:
    """Queue depths and recent throughput, read from Redis."""
    import redis

    from worker import queue_metrics
    from worker.broker import redis_client
    from worker.queues import QUEUES

    conf = settings()
    try:
        client = redis_client(conf)
        depths = queue_metrics.queue_depths(client, QUEUES)
        unacked = queue_metrics.unacked_count(client)
        done = queue_metrics.throughput(client, minutes)
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
        _broker_down(error)
    table = Table(title="queues")
    table.add_column("queue")
    table.add_column("waiting", justify="right")
    for name, depth in depths.items():
        table.add_row(name, str(depth))
    table.add_row("(delivered, not acked)", str(unacked))
    out.print(table)
    table = Table(title=f"finished in the last {minutes} min")
    table.add_column("task")
    table.add_column("count", justify="right")
    table.add_column("per second", justify="right")
    for name, count in sorted(done.items()):
        table.add_row(name, str(count), f"{count / (minutes * 60):.2f}")
    if not done:
        table.add_row("(none)", "0", "0.00")
    out.print(table)
