"""`wirefeed extract`, `ingest`, `export` and `stats`: the pipeline on files, URLs and JSON Lines."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from queue import Empty, Queue
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from scrapers.errors import ErrorKind, IngestError
from worker import logs
from worker.cli.app import app
from worker.cli.common import clean, err, fail, interactive, open_pipeline, open_store, out, plain, settings
from worker.export import (
    ARTICLE_COLUMNS,
    DUPLICATE_COLUMNS,
    STORY_COLUMNS,
    article_rows,
    duplicate_rows,
    story_rows,
    write_csv,
    write_jsonl,
)
from worker.pipeline import Decision, Outcome, Pipeline
from worker.store import StorageUnavailable
from worker.warc import COMMON_CRAWL

BATCH_ITEMS = 500  # pushed items per transaction
BATCH_SECONDS = 1.0  # the longest an arrived item waits for its batch to fill
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
MAX_FILE_BYTES = 10_000_000


@dataclass(slots=True)
class Work:
    """One input item: HTML bytes from a file or URL, a JSON line, or an error found while reading it."""

    label: str
    url: str | None = None
    html: str | bytes | None = None
    item: str | bytes | None = None
    error: IngestError | None = None
    line: int | None = None


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _read_file(path: Path) -> Work:
    url = path.resolve().as_uri()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Work(
                str(path), url, error=IngestError(ErrorKind.TOO_LARGE, f"{size} bytes > {MAX_FILE_BYTES}")
            )
        return Work(str(path), url, html=path.read_bytes())
    except OSError as error:
        return Work(str(path), url, error=IngestError(ErrorKind.FETCH, f"cannot read file: {error.strerror}"))


def _fetch(url: str) -> Work:
    """One polite GET (robots, SSRF guard, limits) with the same fetcher the crawler uses."""
    from scrapers.fetch import Fetcher
    from worker.crawl import policy_for

    config = settings()
    policy = policy_for(None, config)  # the sources schema's defaults, with WIREFEED_USER_AGENT
    try:
        with Fetcher(allow_private_hosts=config.allow_private_hosts) as fetcher:
            result = fetcher.fetch(url, policy)
    except IngestError as error:
        return Work(url, url, error=error)
    # Text already decoded by the HTTP charset wins over a page's own (possibly wrong) <meta> declaration.
    return Work(url, result.final_url, html=result.text if result.text is not None else result.content)


def _expand(paths: list[str], expect_html: bool = True) -> Iterator[Work]:
    for raw in paths:
        if raw == "-":
            from worker.items import read_lines

            # Bytes, not text: one invalid UTF-8 byte is that line's invalid_item, not the run's end.
            for line in read_lines(sys.stdin.buffer):
                yield Work(f"stdin:{line.number}", item=line.data or None, error=line.error, line=line.number)
        elif _is_url(raw):
            yield _fetch(raw)
        else:
            path = Path(raw)
            if path.is_dir():
                files = sorted(
                    p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in HTML_SUFFIXES
                )
                if not files and expect_html:
                    _no_html_in(path)
                for file in files:
                    yield _read_file(file)
            elif path.exists():
                yield _read_file(path)
            else:
                yield Work(raw, error=IngestError(ErrorKind.FETCH, "no such file, folder or URL"))


def _no_html_in(folder: Path) -> None:
    """Say why a folder gave nothing, instead of a bare "0 items"."""
    others = Counter(p.suffix.lower() or "(no suffix)" for p in folder.rglob("*") if p.is_file())
    found = ", ".join(f"{n} {suffix}" for suffix, n in others.most_common(5)) or "no files at all"
    err.print(
        f"{folder}: no HTML files ({', '.join(sorted(HTML_SUFFIXES))}) in it: found {found}. "
        "JSON Lines items go through `-` (standard input)."
    )


def _count(paths: list[str]) -> int | None:
    """How many items, for the progress bar; unknown when reading standard input."""
    if "-" in paths:
        return None
    total = 0
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            total += sum(1 for p in path.rglob("*") if p.is_file() and p.suffix.lower() in HTML_SUFFIXES)
        else:
            total += 1
    return total


def _batches(works: Iterator[Work], stream: bool) -> Iterator[list[Work]]:
    """JSON Lines items grouped for one transaction each: up to ``BATCH_ITEMS`` of them, or what arrived
    within ``BATCH_SECONDS`` of the first, so a slow producer's items are still stored within a second.
    Files and URLs go one at a time. Standard input is read by a thread so a wait for the producer's next
    line cannot hold back a batch already waiting."""
    if not stream:
        for work in works:
            yield [work]
        return
    lines: Queue[Work | BaseException | None] = Queue(maxsize=BATCH_ITEMS * 2)

    def read() -> None:
        try:
            for work in works:
                lines.put(work)
        except BaseException as error:  # handed to the main thread, which raises it
            lines.put(error)
        finally:
            lines.put(None)

    threading.Thread(target=read, name="ingest-stdin", daemon=True).start()
    batch: list[Work] = []
    deadline = 0.0
    while True:
        try:
            arrived = lines.get(timeout=max(0.0, deadline - time.monotonic()) if batch else None)
        except Empty:
            yield batch
            batch = []
            continue
        if isinstance(arrived, BaseException):
            raise arrived
        if arrived is None:
            if batch:
                yield batch
            return
        work = arrived
        if work.item is None:
            if batch:
                yield batch
                batch = []
            yield [work]
            continue
        if not batch:
            deadline = time.monotonic() + BATCH_SECONDS
        batch.append(work)
        if len(batch) >= BATCH_ITEMS:
            yield batch
            batch = []


def _decide(pipeline: Pipeline, batch: list[Work], source: str | None) -> list[Decision]:
    if len(batch) == 1 and batch[0].item is None:
        return [_process(pipeline, batch[0], source)]
    return pipeline.ingest_items(
        [work.item or "" for work in batch], source=source, lines=[work.line for work in batch]
    )


def _process(pipeline: Pipeline, work: Work, source: str | None) -> Decision:
    with logs.item_context(url=work.url, source=source, line=work.line, stage="read"):
        if work.error is not None:
            return pipeline.record_error(work.url or work.label, source, "read", work.error)
        if work.item is not None:
            return pipeline.ingest_item(work.item, source=source)
        return pipeline.ingest_html(work.html or b"", url=work.url, source=source)


@app.command()
def ingest(
    paths: Annotated[
        list[str], typer.Argument(help="HTML files, folders of them, URLs, or - for JSON Lines.")
    ],
    source: Annotated[str | None, typer.Option(help="Source name recorded with every item.")] = None,
    warc_base: Annotated[
        str, typer.Option("--warc-base", help="Base URL of the relative paths in a CC-NEWS path list.")
    ] = COMMON_CRAWL,
    restart: Annotated[
        bool, typer.Option("--restart", help="Read WARC files from their start, even finished ones.")
    ] = False,
) -> None:
    """Extract, de-duplicate and store each item; one line per item, a summary at the end. WARC files
    (.warc, .warc.gz) and CC-NEWS path lists (warc.paths.gz) are read record by record and resume where
    a stopped run left off."""
    from worker.cli.warc import ingest_warcs, split_inputs

    paths, warcs = split_inputs(paths, warc_base)
    pipeline = open_pipeline()
    counts: Counter[str] = Counter()
    if warcs:
        ingest_warcs(pipeline, warcs, source, restart, counts)
    if paths:
        _ingest_paths(pipeline, paths, source, counts, expect_html=not warcs)
    summary = ", ".join(f"{counts[o.value]} {o.value.replace('_', ' ')}" for o in Outcome)
    err.print(f"{sum(counts[o.value] for o in Outcome)} items: {summary}")


def _ingest_paths(
    pipeline: Pipeline, paths: list[str], source: str | None, counts: Counter[str], expect_html: bool
) -> None:
    show_bar = interactive()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not show_bar,
        transient=True,
    )
    with progress:
        task = progress.add_task("ingesting", total=_count(paths))
        for batch in _batches(_expand(paths, expect_html), "-" in paths):
            try:
                decisions = _decide(pipeline, batch, source)
            except StorageUnavailable as error:  # nothing more can be stored; what was stored stays
                fail(f"{error}; stopped at {batch[0].label}, run the same command again to resume", 1)
            for work, decision in zip(batch, decisions, strict=True):
                counts[decision.outcome.value] += 1
                label = (
                    work.url
                    if work.url and work.item is None and not work.url.startswith("file:")
                    else work.label
                )
                line = clean(f"{label}\t{decision.describe()}")
                if show_bar:
                    progress.console.print(line, markup=False)
                else:
                    print(line)
                progress.advance(task)


def human(value: object) -> str:
    """A field as a person reads it: "-" for nothing, lists joined, dates in ISO, never a Python repr."""
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(human(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {human(v)}" for k, v in value.items())
    return str(value)


def _print_article(record: dict[str, object], as_json: bool) -> None:
    if as_json:
        print(json.dumps(record, ensure_ascii=False, indent=1))
        return
    table = Table(show_header=False, box=None)
    for key, value in record.items():
        if key != "text":
            table.add_row(plain(key, "bold"), plain(human(value)))
    out.print(table)
    out.print()
    out.print(plain(record.get("text") or ""))


@app.command()
def extract(
    file_or_url: Annotated[str, typer.Argument(help="An HTML file or an http(s) URL.")],
    url: Annotated[str | None, typer.Option(help="The page's URL, for a file (resolves links).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record as JSON.")] = False,
) -> None:
    """Print the record extracted from one page; stores nothing."""
    from scrapers.extract import extract as extract_page

    work = _fetch(file_or_url) if _is_url(file_or_url) else _read_file(Path(file_or_url))
    if work.error is not None:
        fail(str(work.error), 1)
    try:
        article = extract_page(work.html or b"", url or (work.url if _is_url(file_or_url) else None))
    except IngestError as error:
        fail(str(error), 1)
    _print_article(article.to_dict(), as_json)


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--since: expected an ISO date or datetime (2024-03-01, 2024-03-01T12:00+02:00), got {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = ExportFormat.jsonl,
    since: Annotated[
        str | None, typer.Option(help="Only records stored (or seen) at or after this date.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    duplicates: Annotated[bool, typer.Option("--duplicates", help="Export the duplicates log.")] = False,
    stories: Annotated[
        bool, typer.Option("--stories", help="One row per story: its representative and its copies.")
    ] = False,
) -> None:
    """Write stored articles (or the duplicates log, or the stories) to standard output."""
    from worker.queries import unknown_source_message

    if duplicates and stories:
        fail("--duplicates and --stories: choose one")
    store = open_store()
    start = _parse_since(since)
    if source is not None and (unknown := unknown_source_message(store, source)):
        fail(unknown)
    kind, make, columns = (
        ("stories", story_rows, STORY_COLUMNS)
        if stories
        else ("duplicates", duplicate_rows, DUPLICATE_COLUMNS)
        if duplicates
        else ("articles", article_rows, ARTICLE_COLUMNS)
    )
    rows = make(store, since=start, source=source)
    csv_out = fmt is ExportFormat.csv
    count = write_csv(rows, sys.stdout, columns) if csv_out else write_jsonl(rows, sys.stdout)
    if count == 0:
        selection = " and ".join(
            part for part in (f"source {source}" if source else "", f"since {since}" if since else "") if part
        )
        err.print(f"0 {kind} exported: none " + (f"match {selection}" if selection else "stored yet"))
    else:
        err.print(f"{count} {kind} exported")


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as one JSON object.")] = False,
) -> None:
    """Articles, new versions, duplicates and errors per source: failed attempts, and the distinct URLs
    (or pushed items) still failing."""
    from worker.queries import error_counts, open_error_kinds

    store = open_store()
    rows = store.stats()
    failures = error_counts(store)
    for row in rows:
        counted = failures.get(row["source"], {"attempts": row["errors"], "failing": 0})
        row["error_attempts"] = counted["attempts"]
        row["failing_urls"] = counted["failing"]
    kinds = open_error_kinds(store)
    if as_json:
        from worker.crawl_state import fill_rates

        document = {
            "sources": [
                {
                    **{k: v for k, v in row.items() if k != "errors"},
                    "last_stored": row["last_stored"].isoformat() if row["last_stored"] else None,
                }
                for row in rows
            ],
            "failing_by_kind": dict(sorted(kinds.items())),
            "fill_rates": [
                {
                    "source": r.source,
                    "field": r.field,
                    "recent": r.recent,
                    "previous": r.previous,
                    "flagged": r.flagged,
                }
                for r in fill_rates(store, None)
            ],
        }
        print(json.dumps(document, ensure_ascii=False, indent=1))
        return
    if not rows:
        out.print("nothing stored and no errors yet: run `wirefeed ingest` or `wirefeed crawl`")
        return
    table = Table(title="wirefeed")
    columns = ("articles", "versions", "duplicates", "failed attempts", "failing URLs", "last stored")
    for column in ("source", *columns):
        table.add_column(column, justify="left" if column == "source" else "right")
    for row in rows:
        last = row["last_stored"].strftime("%Y-%m-%d %H:%M UTC") if row["last_stored"] else "-"
        table.add_row(
            plain(row["source"]),
            str(row["articles"]),
            str(row["versions"]),
            str(row["duplicates"]),
            str(row["error_attempts"]),
            str(row["failing_urls"]),
            last,
        )
    out.print(table)
    if kinds:
        out.print("failing URLs by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        out.print("why: wirefeed errors [--kind KIND]; run them again: wirefeed retry")
    from worker.cli.crawl import print_fill_rates

    print_fill_rates(store, out)
