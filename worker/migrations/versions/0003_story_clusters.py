"""story clusters: every article and duplicate belongs to a story; audit rows for the story rules

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stories_representative_id"), ["representative_id"], unique=False)

    op.create_table(
        "story_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("other_story_id", sa.Integer(), nullable=True),
        sa.Column("other_url", sa.Text(), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("story_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_events_story_id"), ["story_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_story_events_other_story_id"), ["other_story_id"], unique=False)

    # A plain ADD COLUMN, never a batch table copy: on SQLite a copy drops the old ``articles`` table,
    # and with foreign keys on that cascades away every duplicate and old version pointing at it.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ("articles", "duplicates"):
        constraint = f"fk_{table}_story_id_stories"
        if sqlite:  # SQLite adds a column with its foreign key in place, as a column constraint
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN story_id INTEGER "
                f"CONSTRAINT {constraint} REFERENCES stories (id)"
            )
        else:
            op.add_column(table, sa.Column("story_id", sa.Integer(), nullable=True))
            op.create_foreign_key(constraint, table, "stories", ["story_id"], ["id"])
        op.create_index(op.f(f"ix_{table}_story_id"), table, ["story_id"], unique=False)

    # Existing data: one story per stored article, with the article's id, and its duplicates in it.
    op.execute(
        "INSERT INTO stories (id, representative_id, created_at, updated_at) "
        "SELECT id, id, stored_at, updated_at FROM articles"
    )
    op.execute("UPDATE articles SET story_id = id")
    op.execute("UPDATE duplicates SET story_id = duplicate_of")
    if op.get_bind().dialect.name == "postgresql":  # explicit ids leave the sequence behind them
        op.execute(
            "SELECT setval(pg_get_serial_sequence('stories', 'id'), "
            "COALESCE((SELECT MAX(id) FROM stories), 0) + 1, false)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that carries a foreign key, and the table copy that would work
        # around it cascades away every duplicate and old version (see upgrade): refuse, keep the data.
        raise NotImplementedError(
            "downgrading below 0003 on SQLite would lose the duplicates log; "
            "restore a backup taken before the upgrade instead"
        )
    for table in ("duplicates", "articles"):
        op.drop_index(op.f(f"ix_{table}_story_id"), table_name=table)
        op.drop_constraint(f"fk_{table}_story_id_stories", table, type_="foreignkey")
        op.drop_column(table, "story_id")
    op.drop_table("story_events")
    op.drop_table("stories")
