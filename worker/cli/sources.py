"""`wirefeed sources`: the configured sources, their schedule and adapter, and how each is doing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from config.sources import SourcesError, load_sources
from worker.cli.app import app
from worker.cli.common import err, fail, out, settings
from worker.store import SchemaMissing, Store


def sources_path(config: Path | None) -> Path:
    """The sources file the crawl would read: ``--config``, else WIREFEED_SOURCES, else the packaged one."""
    path = config or settings().sources
    if config is None and not path.exists() and not path.is_absolute():
        import config as config_package

        path = Path(config_package.__file__).parent / "sources.yaml"
    return path


@app.command("sources")
def sources(
    config: Annotated[
        Path | None, typer.Option("--config", help="Sources file (default: WIREFEED_SOURCES).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List the configured sources with schedule, adapter, last crawl, fill-rate alerts and error counts."""
    from worker.sources_report import source_rows

    path = sources_path(config)
    try:
        document = load_sources(path)
    except SourcesError as error:
        fail(str(error))
    store: Store | None = Store(settings().database_url)
    try:
        store.require_schema()  # type: ignore[union-attr]
    except SchemaMissing as error:
        err.print(f"no crawl history shown: {error}")
        store = None
    rows = source_rows(document, store)
    if as_json:
        print(json.dumps({"sources_file": str(path), "sources": rows}, ensure_ascii=False, indent=1))
        return
    if not rows:
        out.print(f"{path} lists no sources")
        return
    table = Table(title=f"sources ({path})")
    for column in (
        "source",
        "schedule",
        "adapter",
        "entry points",
        "last crawl (UTC)",
        "articles",
        "failing URLs",
    ):
        table.add_column(column, justify="right" if column in {"articles", "failing URLs"} else "left")
    for row in rows:
        entry = ", ".join(
            f"{row[kind]} {kind if row[kind] != 1 else kind[:-1]}"
            for kind in ("feeds", "sitemaps", "pages")
            if row[kind]
        )
        table.add_row(
            row["name"] + ("" if row["enabled"] else " (disabled)"),
            row["schedule"],
            row["adapter"],
            entry,
            row["last_crawl"][:16].replace("T", " ") if row["last_crawl"] else "never",
            "-" if row["articles"] is None else str(row["articles"]),
            "-" if row["failing_urls"] is None else str(row["failing_urls"]),
        )
    out.print(table)
    for row in rows:
        for alert in row["fill_alerts"] or []:
            out.print(f"[yellow]fill rate dropped:[/] {alert}")
