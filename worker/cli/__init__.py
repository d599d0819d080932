"""The `wirefeed` command. Each command module registers itself on the one Typer app when imported."""

from __future__ import annotations

import logging

from worker.cli import crawl, db, errors, ingest, queue, retention, sources  # noqa: F401 (imported for their commands)
from worker.cli.app import app


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


__all__ = ["app", "main"]
