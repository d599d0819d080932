"""The one Typer application every command module registers on, so commands live beside their logic."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="wirefeed",
    help="Wire-service ingestion and near-duplicate detection.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
