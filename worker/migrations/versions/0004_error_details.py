"""ingest_errors: where a pushed item came from, what to retry, and when the error was closed;
ingest_progress: how far a WARC file has been ingested

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_errors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("line", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("item_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("payload", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolution", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_ingest_errors_resolved_at"), ["resolved_at"], unique=False)
    op.create_table(
        "ingest_progress",
        sa.Column("input", sa.Text(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("input"),
    )


def downgrade() -> None:
    op.drop_table("ingest_progress")
    with op.batch_alter_table("ingest_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_errors_resolved_at"))
        for column in ("resolution", "resolved_at", "payload", "item_id", "line"):
            batch_op.drop_column(column)
