"""Run `wirefeed` commands inside the test process: the same Typer app a user runs, minus the seconds
of interpreter start-up a subprocess costs (kept for the tests that need a real process: logs, servers)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from typer.testing import CliRunner


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def invoke(args: list[str], db: str | None = None, stdin: str | None = None, **env: str) -> Ran:
    """``wirefeed ARGS`` with only the given WIREFEED_* settings (plus the database), as a fresh start."""
    from config.settings import get_settings
    from worker.cli import app

    environ: dict[str, str | None] = {k: None for k in os.environ if k.startswith("WIREFEED_")}
    if db is not None:
        environ["WIREFEED_DATABASE_URL"] = db
    environ.update(env)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, args, input=stdin, env=environ, catch_exceptions=False)
    finally:
        get_settings.cache_clear()
    return Ran(result.exit_code, result.stdout, result.stderr)


def run_process(args: list[str], db: str, stdin: str | None = None, **env: str) -> Ran:
    """``wirefeed ARGS`` in a process of its own: for commands whose Celery app must see these settings
    (the app is built once per process, from the settings of its first import)."""
    import subprocess
    import sys

    environ = {k: v for k, v in os.environ.items() if not k.startswith("WIREFEED_")}
    environ.update({"WIREFEED_DATABASE_URL": db, **env})
    result = subprocess.run(
        [sys.executable, "-m", "worker.cli", *args],
        input=stdin,
        text=True,
        capture_output=True,
        env=environ,
        timeout=120,
    )
    return Ran(result.returncode, result.stdout, result.stderr)
