"""articles.section: the desk or section the outlet files a story under

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE both ways, never a batch table copy: on SQLite a copy drops the old ``articles``
    # table, and with foreign keys on that cascades away every duplicate and old version (see 0003).
    op.add_column("articles", sa.Column("section", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("articles", "section")  # SQLite >= 3.35 drops a plain column in place
