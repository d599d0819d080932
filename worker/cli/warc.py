"""WARC inputs of `wirefeed ingest`: which arguments are archives, and running them with a progress bar."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from scrapers.errors import IngestError
from worker.cli.common import err, fail, interactive
from worker.pipeline import Decision, Pipeline
from worker.store import StorageUnavailable
from worker.warc import WarcPage, WarcStats, expand_path_list, ingest_warc, is_path_list, is_warc


def split_inputs(paths: list[str], warc_base: str) -> tuple[list[str], list[str]]:
    """(ordinary inputs, WARC locations): path lists expanded, WARC files inside folders included."""
    ordinary: list[str] = []
    warcs: list[str] = []
    for raw in paths:
        if raw != "-" and is_path_list(raw):
            try:
                warcs.extend(expand_path_list(raw, warc_base))
            except (OSError, ValueError) as error:
                fail(f"cannot read the path list {raw}: {error}")
            except Exception as error:  # an HTTP failure fetching a remote list
                fail(f"cannot read the path list {raw}: {error}")
        elif raw != "-" and is_warc(raw):
            warcs.append(raw)
        else:
            ordinary.append(raw)
            path = Path(raw)
            if raw != "-" and path.is_dir():
                warcs.extend(sorted(str(p) for p in path.rglob("*") if p.is_file() and is_warc(p.name)))
    return ordinary, warcs


def ingest_warcs(
    pipeline: Pipeline, locations: list[str], source: str | None, restart: bool, counts: Counter[str]
) -> None:
    """Each archive in turn, one line per page, a bar of bytes read with records per second."""
    show_bar = interactive()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[records]} records, {task.fields[rate]:.0f} records/s"),
        TimeElapsedColumn(),
        console=err,
        disable=not show_bar,
        transient=True,
    )
    for location in locations:
        stats = WarcStats()
        name = location.rsplit("/", 1)[-1]
        with progress:
            task = progress.add_task(name, total=_size(location), records=0, rate=0.0)

            def show(page: WarcPage, decision: Decision, task: int = task, stats: WarcStats = stats) -> None:
                counts[decision.outcome.value] += 1
                line = f"{page.uri}\t{decision.describe()}"
                if show_bar:
                    progress.console.print(line, markup=False)
                    progress.update(task, completed=stats.bytes_read, records=stats.records, rate=stats.rate)  # type: ignore[arg-type]
                else:
                    print(line)

            try:
                ingest_warc(pipeline, location, source=source, restart=restart, stats=stats, on_decision=show)
            except KeyboardInterrupt:
                err.print(
                    f"stopped in {name} after {stats.records} records; progress saved: "
                    "run the same command to resume at the next record"
                )
                raise typer.Exit(130) from None
            except StorageUnavailable as error:
                fail(f"{error}; progress in {name} saved, run the same command again to resume", 1)
            except IngestError as error:
                err.print(f"{name}: {error}")
                counts["unreadable archives"] += 1
                continue
        skipped = ", ".join(f"{n} {reason}" for reason, n in stats.skipped.most_common())
        if stats.skipped.get("input already ingested"):
            err.print(f"{name}: already ingested (--restart reads it again)")
        else:
            err.print(
                f"{name}: {stats.records} records in {stats.records / stats.rate if stats.rate else 0:.1f}s "
                f"({stats.rate:.0f} records/s), {stats.pages} pages"
                + (f"; skipped: {skipped}" if skipped else "")
            )


def _size(location: str) -> int | None:
    if location.startswith(("http://", "https://")):
        return None
    try:
        return Path(location).stat().st_size
    except OSError:
        return None
