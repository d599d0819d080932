"""`wirefeed crawl`: discover, fetch and ingest every (or the named) source once, with a summary.

``--demo`` serves the bundled fixture site on 127.0.0.1 inside this process and crawls it, so a first run
works offline and shows every part of the crawler (feeds, sitemaps, robots, politeness, refusals, dedup).
"""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from config.sources import SourcesError, SourcesFile, load_sources, parse_sources
from worker.cli.app import app
from worker.cli.common import err, fail, interactive, out, plain, settings
from worker.crawl import CrawlSummary, crawl, make_fetcher
from worker.pipeline import Pipeline
from worker.store import SchemaMissing, Store

DEMO_PORTS = {"northwind": 8731, "harbor": 8732, "valley": 8733}
DEMO_ALLOW = ["127.0.0.1"]


def print_summary(summary: CrawlSummary, console: Console = out) -> None:
    """The end-of-crawl table; also used by ``wirefeed crawl --enqueue --wait`` for queued runs."""
    table = Table(title="crawl summary" + (" (interrupted)" if summary.interrupted else ""))
    if not console.is_terminal:  # piped or logged: no terminal width to respect, keep the columns whole
        console = Console(file=console.file, width=140, soft_wrap=True, highlight=False)
    columns = (
        "found",
        "skipped",
        "fetched",
        "304",
        "stored",
        "new versions",
        "duplicates",
        "unchanged",
        "errors",
        "time",
    )
    table.add_column("source")
    for column in columns:
        table.add_column(column, justify="right")
    rows = [*summary.sources.values()]
    if len(rows) > 1:
        rows.append(summary.total)
    for row in rows:
        table.add_row(
            plain(row.name),
            str(row.discovered),
            str(row.skipped_fresh + row.skipped_old),
            str(row.fetched),
            str(row.not_modified),
            str(row.stored),
            str(row.new_versions),
            str(row.duplicates),
            str(row.unchanged),
            str(row.error_count),
            f"{row.elapsed_s:.1f}s",
            style="bold" if row.name == "total" else None,
        )
    console.print(table)
    console.print(
        "found: URLs listed by feeds, sitemaps and pages; skipped: already fresh or older than max_age_days; "
        "304: not modified since the last fetch; unchanged: fetched again, same text"
    )
    for row in rows:
        if row.errors and row.name != "total":
            kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(row.errors.items()))
            console.print(plain(f"errors of {row.name} by kind: {kinds}"))
    for alert in summary.fill_alerts:
        console.print(
            plain("fill rate dropped:", "yellow"), plain(alert), "(a site redesign? check its adapter)"
        )


def print_fill_rates(store: Store, console: Console = out, sources: list[str] | None = None) -> None:
    """Per-source fill rate of title, authors, published date and body over recent pages against the
    pages before them; for ``wirefeed stats``. A flagged field is how a silent site redesign shows."""
    from worker.crawl_state import FIELDS, FillRate, fill_rates

    rates = fill_rates(store, sources)
    if not rates:
        return
    table = Table(title="field fill rates: last 20 stored pages (the 100 before them)")
    table.add_column("source")
    for field in FIELDS:
        table.add_column(field.replace("_at", ""), justify="right")
    by_source: dict[str, dict[str, FillRate]] = {}
    for rate in rates:
        by_source.setdefault(rate.source, {})[rate.field] = rate
    for name, fields in sorted(by_source.items()):
        cells = []
        for field in FIELDS:
            found = fields.get(field)
            if found is None:
                cells.append("-")
                continue
            before = f" ({found.previous:.0%})" if found.previous is not None else ""
            cell = f"{found.recent:.0%}{before}"
            cells.append(f"[bold red]{cell} dropped[/]" if found.flagged else cell)
        table.add_row(plain(name), *cells)
    console.print(table)


def _progress_callback(progress: Progress) -> tuple[Any, dict[str, TaskID]]:
    tasks: dict[str, TaskID] = {}
    lock = threading.Lock()

    def update(source: str, done: int, total: int) -> None:
        with lock:
            if source not in tasks:
                tasks[source] = progress.add_task(source, total=max(total, 1))
            progress.update(tasks[source], completed=done if total else 1, total=max(total, 1))

    return update, tasks


_pipelines: list[Pipeline] = []


def _serve_metrics(port: int) -> None:
    """The crawl's own /metrics (pages, items, stage latencies, index size) for as long as it runs."""
    from worker.metrics import StateCollector, serve

    def index_size() -> int:
        return len(_pipelines[-1].index) if _pipelines else 0

    try:
        serve(port, StateCollector(index_size))
    except OSError as error:
        fail(f"--metrics-port {port}: {error.strerror}")
    err.print(f"metrics: http://localhost:{port}/metrics (all interfaces)")


def _open_pipeline(create_schema: bool) -> Pipeline:
    conf = settings()
    if create_schema:
        store = Store(conf.database_url)
        try:
            store.require_schema()
        except SchemaMissing:
            store.upgrade()  # the demo is a first run: create the tables rather than ask for `db upgrade`
        store.dispose()
    try:
        pipeline = Pipeline.open(conf)
    except SchemaMissing as error:
        fail(str(error))
    _pipelines.append(pipeline)
    return pipeline


def _run(
    config: SourcesFile, names: list[str], pipeline: Pipeline, allow: list[str], as_json: bool
) -> CrawlSummary:
    try:
        chosen = config.select(names)
    except SourcesError as error:
        fail(str(error))
    if not chosen:
        fail("no enabled sources to crawl")
    fetcher = make_fetcher(settings(), allow_private_hosts=allow)
    stop = threading.Event()
    try:
        if interactive() and not as_json:
            with Progress(
                TextColumn("{task.description:<14}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=out,
                transient=False,
            ) as progress:
                callback, _ = _progress_callback(progress)
                return crawl(chosen, pipeline, fetcher, settings=settings(), stop=stop, on_progress=callback)
        return crawl(chosen, pipeline, fetcher, settings=settings(), stop=stop)
    finally:
        fetcher.close()


@app.command("crawl")
def crawl_command(
    config: Annotated[
        Path | None, typer.Option("--config", help="Sources file (default: WIREFEED_SOURCES).")
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Crawl only this source (repeatable).")
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Serve the bundled fixture site on 127.0.0.1 and crawl it.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    enqueue: Annotated[
        bool,
        typer.Option("--enqueue", help="Hand the crawl to the Celery workers instead of running it here."),
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="With --enqueue: block until the workers are done, then summarise.")
    ] = False,
    metrics_port: Annotated[
        int | None,
        typer.Option("--metrics-port", min=1, max=65535, help="Serve Prometheus metrics on this port."),
    ] = None,
) -> None:
    """Discover, fetch and ingest all (or the named) sources once. Ctrl-C stops after the pages in flight;
    what was stored stays stored and the next run resumes without refetching it."""
    conf = settings()
    if enqueue:
        if demo:
            fail(
                "--demo serves its site inside this process, out of the workers' reach: run "
                "`wirefeed demo serve` in another shell and follow what it prints"
            )
        if config is not None:
            fail("the workers read their sources from WIREFEED_SOURCES; --config cannot reach them")
        _enqueued(list(source or []), wait, as_json)
        return
    if wait:
        fail("--wait only applies with --enqueue")
    if metrics_port is not None:
        _serve_metrics(metrics_port)
    if demo:
        from worker.demo import DemoSite

        pipeline = _open_pipeline(create_schema=True)
        with DemoSite(preferred_ports=DEMO_PORTS) as site:
            document = site.sources_document()
            path = Path(tempfile.gettempdir()) / "wirefeed-demo-sources.yaml"
            path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
            if not as_json:
                err.print(f"demo site: {', '.join(f'{n} {u}' for n, u in site.base_urls.items())}")
                err.print(f"demo sources file: {path}")
            summary = _run(
                parse_sources(document, str(path)), list(source or []), pipeline, DEMO_ALLOW, as_json
            )
    else:
        path = config or conf.sources
        if config is None and not path.exists() and not path.is_absolute():
            # Run from outside a checkout: the sources file shipped inside the package.
            import config as config_package

            path = Path(config_package.__file__).parent / "sources.yaml"
        try:
            sources = load_sources(path)
        except SourcesError as error:
            fail(str(error))
        pipeline = _open_pipeline(create_schema=False)
        summary = _run(sources, list(source or []), pipeline, [], as_json)
    if as_json:
        out.print_json(json.dumps(summary.to_dict()))
    else:
        print_summary(summary)
        out.print(
            f"records: {_safe(conf.database_url)}\n"
            "export them: wirefeed export --format jsonl > articles.jsonl   "
            "(duplicates: wirefeed export --duplicates; per-source counts: wirefeed stats)"
        )
    if summary.interrupted:
        raise typer.Exit(130)


def _enqueued(names: list[str], wait: bool, as_json: bool) -> None:
    """``--enqueue``: the same crawl, as discover/fetch/process tasks (issue 4); ``--wait`` prints the very
    summary the in-process crawl prints."""
    import kombu.exceptions
    import redis

    from worker.queued_crawl import enqueue_crawl

    try:
        summary = enqueue_crawl(settings(), names or None, wait=wait)
    except (
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        kombu.exceptions.OperationalError,
    ) as error:
        from kombu.utils.url import maybe_sanitize_url

        fail(f"cannot reach the broker {maybe_sanitize_url(settings().broker_url)}: {error}")
    except SourcesError as error:
        fail(str(error))
    if as_json:
        out.print_json(json.dumps(summary.to_dict()))
    elif wait:
        print_summary(summary)
    else:
        out.print(f"crawl of {', '.join(names) if names else 'all sources'} queued")
    if summary.interrupted:
        raise typer.Exit(130)


def _safe(url: str) -> str:
    """The database URL without its password, fit to print."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]
