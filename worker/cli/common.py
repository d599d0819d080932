"""What every command needs: settings with a readable failure, and the store/pipeline opened the same way."""

from __future__ import annotations

import re
import sys
from typing import NoReturn

import typer
from rich.console import Console
from rich.text import Text

from config.settings import Settings, SettingsError, get_settings
from worker.pipeline import Pipeline
from worker.store import SchemaMissing, Store


def _console(stderr: bool = False) -> Console:
    """A console that wraps to the terminal, or, piped to a file or another program, never cuts a line:
    tables keep whole URLs and messages (no "…") because nobody is reading them at a fixed width."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 100_000
    return Console(stderr=stderr, soft_wrap=True, highlight=False, width=width)


out = _console()
err = _console(stderr=True)


# C0 and C1 controls but tab and newline: an escape sequence from a page or a server must not reach the
# terminal (it can move the cursor, rewrite earlier lines or set the window title).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(value: object) -> str:
    """Text from outside (titles, URLs, server messages) with control characters made visible."""
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", str(value))


def plain(value: object, style: str = "") -> Text:
    """Text from outside for Rich: never read as markup (a title ``[/]`` is printed, not parsed)."""
    return Text(clean(value), style=style)


def fail(message: str, code: int = 2) -> NoReturn:
    from worker.logs import redact

    err.print(Text.assemble(("error:", "bold red"), " ", plain(redact(message))))
    raise typer.Exit(code)


def settings() -> Settings:
    try:
        return get_settings()
    except SettingsError as error:
        fail(str(error))


def open_store(*, require_schema: bool = True) -> Store:
    store = Store(settings().database_url)
    if require_schema:
        try:
            store.require_schema()
        except SchemaMissing as error:
            fail(str(error))
    return store


def open_pipeline() -> Pipeline:
    """The pipeline with its dedup index loaded up front, so a store it cannot use fails before any item."""
    try:
        pipeline = Pipeline.open(settings())
        _ = pipeline.index
    except SchemaMissing as error:
        fail(str(error))
    return pipeline


def interactive() -> bool:
    return sys.stdout.isatty()
