"""The `wirefeed` command. Each command module registers itself on the one Typer app when imported."""

from __future__ import annotations

import logging

from worker.cli import crawl, db, demo, errors, ingest, queue, record, retention, sources  # noqa: F401 (imported for their commands)
from worker.cli.app import app


def main() -> None:
    """Logs go to standard error, readable or JSON (WIREFEED_LOG_FORMAT), warnings and worse unless
    WIREFEED_LOG_LEVEL says otherwise; a bad setting is reported by the command itself."""
    from config.settings import SettingsError, get_settings
    from worker import logs

    try:
        logs.configure_from_settings(get_settings(), default_level="WARNING")
    except SettingsError:
        logs.configure("text", logging.WARNING)
    app()


__all__ = ["app", "main"]
