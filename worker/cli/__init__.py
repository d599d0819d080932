"""The `wirefeed` command. Each command module registers itself on the one Typer app."""

from __future__ import annotations

import importlib
import logging

from worker.cli.app import app

COMMAND_MODULES = ("worker.cli.db", "worker.cli.ingest", "worker.cli.crawl", "worker.cli.queue")

for _name in COMMAND_MODULES:
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as _error:  # a room not built yet must not take the others down
        if _error.name != _name:
            raise


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


__all__ = ["app", "main"]
