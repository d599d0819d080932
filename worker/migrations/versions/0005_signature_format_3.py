"""signatures rewritten in format 3 (one-permutation MinHash) from the stored text

Format 3's values come from another hash family than format 2's, so a stored format-2 signature would
never match a new format-3 one: every story stored before the upgrade would stop catching its copies.
Articles keep their text, so their signatures are recomputed from it. Near-duplicates keep no text: their
old signatures are cleared (they leave the index; their story is still found through its stored article).
A shared Redis index is not in the database: refill it from the store after upgrading.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from worker import fingerprint, fingerprint_v2
from worker.fingerprint import Signature

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 500
_articles = sa.table(
    "articles",
    sa.column("id", sa.Integer),
    sa.column("text", sa.Text),
    sa.column("signature", sa.LargeBinary),
)
_duplicates = sa.table("duplicates", sa.column("id", sa.Integer), sa.column("signature", sa.LargeBinary))


def _pages(table: sa.TableClause, *columns: sa.ColumnElement[Any]) -> Iterator[Sequence[sa.Row[Any]]]:
    """Rows of ``table`` in id order, a page at a time (keyset), so a large table is never in memory."""
    bind = op.get_bind()
    last = 0
    while True:
        page = bind.execute(
            sa.select(table.c.id, *columns).where(table.c.id > last).order_by(table.c.id).limit(_BATCH)
        ).all()
        if not page:
            return
        last = page[-1].id
        yield page


def _rewrite(version: int, compute: Callable[[str], Signature]) -> None:
    """Recompute every article signature not already in ``version`` from its text; clear near-duplicates'
    signatures of another version (they keep no text to recompute from)."""
    bind = op.get_bind()
    for page in _pages(_articles, _articles.c.text, _articles.c.signature):
        changed = [
            {"row_id": row.id, "new": compute(row.text.strip()).to_bytes()}
            for row in page
            if not row.signature or row.signature[0] != version
        ]
        if changed:
            bind.execute(
                _articles.update()
                .where(_articles.c.id == sa.bindparam("row_id"))
                .values(signature=sa.bindparam("new")),
                changed,
            )
    version_byte = sa.func.substr(_duplicates.c.signature, 1, 1)
    for page in _pages(_duplicates, version_byte.label("head")):
        stale = [row.id for row in page if row.head is not None and bytes(row.head) != bytes([version])]
        if stale:
            bind.execute(_duplicates.update().where(_duplicates.c.id.in_(stale)).values(signature=None))


def upgrade() -> None:
    _rewrite(fingerprint.FORMAT_VERSION, fingerprint.signature)


def downgrade() -> None:
    # Releases before format 3 refuse version-3 bytes: give them back the exact format 2 they wrote.
    _rewrite(fingerprint_v2.VERSION, fingerprint_v2.signature)
