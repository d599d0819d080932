"""`wirefeed db`: schema migrations, run explicitly so no command changes a production schema by surprise."""

from __future__ import annotations

import typer

from worker.cli.app import app
from worker.cli.common import open_store, out

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade() -> None:
    """Create the schema, or bring it up to this version of wirefeed."""
    store = open_store(require_schema=False)
    store.upgrade()
    current, _ = store.schema_status()
    out.print(f"schema at revision {current} ({store.engine.url.render_as_string(hide_password=True)})")


@db_app.command("current")
def current() -> None:
    """Show the schema revision of the database and the one this version needs."""
    store = open_store(require_schema=False)
    revision, head = store.schema_status()
    out.print(f"database: {revision or 'no schema'}; this wirefeed needs: {head}")
