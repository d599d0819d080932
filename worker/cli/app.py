"""The one Typer application every command module registers on, so commands live beside their logic."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperOption

app = typer.Typer(
    name="wirefeed",
    help="Wire-service ingestion and near-duplicate detection.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

_display_type_rich = TyperOption.display_type_rich


def _flag_takes_no_value(self: TyperOption, ctx: Any) -> str | None:
    """Typer's help shows every option's type, so a flag reads ``--json <bool>`` as if it took a value;
    a flag takes none, so it shows none. ``ctx`` is click's context, which Typer vendors privately."""
    if self.is_flag:
        return None
    return _display_type_rich(self, ctx)


TyperOption.display_type_rich = _flag_takes_no_value  # type: ignore[method-assign]


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("wirefeed")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _print_version(value: bool) -> None:
    if value:
        print(f"wirefeed {version()}")
        raise typer.Exit()


@app.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Wire-service ingestion and near-duplicate detection."""
