"""``insert_rows`` stores exactly what ``Connection.execute(insert(table), rows)`` stores, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Table, insert, text
from sqlalchemy.exc import IntegrityError

from worker import bulk_rows
from worker.bulk_rows import insert_rows
from worker.models import ArticleRecord, DuplicateRecord, Story, StoryEvent
from worker.store import Store

PARIS = timezone(timedelta(hours=2))


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _article(n: int, story: int) -> dict[str, Any]:
    """An article row as a batch holds it back: every column given, with the values that need a type's
    processor (aware dates in two zones, JSON lists, text with a NUL, bytes, a boolean) and Nones."""
    when = datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=PARIS if n % 2 else UTC)
    return {
        "id": n,
        "source_id": None,
        "story_id": story,
        "url": f"https://example.org/{n}",
        "canonical_url": f"https://example.org/{n}",
        "content_hash": f"{n:064x}",
        "signature": bytes([n % 256]) * 40,
        "title": None if n % 3 == 0 else f"Title {n} with a NUL\x00 inside",
        "authors": [] if n % 2 else ["Ana Ruiz", "Zoë Ó"],
        "published_at": None if n % 3 == 1 else when,
        "published_offset_min": None if n % 3 == 1 else (120 if n % 2 else 0),
        "modified_at": None,
        "modified_offset_min": None,
        "language": "en",
        "site_name": None,
        "description": "d\x00",
        "top_image": None,
        "text": f"Body {n}\x00 \u201cquoted\u201d",
        "paywalled": n % 2 == 0,
        "warnings": ["short"] if n % 4 == 0 else [],
        "version": 1,
        "fetched_at": when,
        "stored_at": when,
        "updated_at": when,
    }


def _rows(store: Store, table: Table, ids: range) -> list[tuple[Any, ...]]:
    """The rows as the database holds them (the driver's raw values), without their keys."""
    ids_and_keys = ("id", "url", "canonical_url", "story_id", "representative_id")
    columns = [c.name for c in table.c if c.name not in ids_and_keys]
    query = f"SELECT {', '.join(columns)} FROM {table.name} WHERE id >= {ids.start} AND id < {ids.stop} ORDER BY id"
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(query))]


def test_rows_stored_through_the_driver_equal_those_stored_through_sqlalchemy(store: Store) -> None:
    stories, articles = _table(Story), _table(ArticleRecord)
    extra = {c.key: None for c in ArticleRecord.__table__.c if c.key not in _article(1, 1)}
    now = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    with store.engine.begin() as connection:
        for first, write in ((1, insert_rows), (101, lambda c, t, r: c.execute(insert(t), r))):
            story_rows = [
                {"id": first + i, "representative_id": first + i, "created_at": now, "updated_at": now}
                for i in range(7)
            ]
            write(connection, stories, story_rows)
            rows = [_article(i, first + i) | extra for i in range(7)]
            for row in rows:
                row["id"] = first + row["id"]
                row["canonical_url"] += f"?via={first}"
            write(connection, articles, rows)
    assert _rows(store, articles, range(1, 8)) == _rows(store, articles, range(101, 108))
    assert _rows(store, stories, range(1, 8)) == _rows(store, stories, range(101, 108))
    with store.session() as session:  # and read back through the ORM as the values given
        record = session.get(ArticleRecord, 3)
        assert record is not None
        assert record.published_at == _article(2, 3)["published_at"]
        assert record.title == "Title 2 with a NUL\ufffd inside"
        assert record.authors == ["Ana Ruiz", "Zoë Ó"]
        assert record.paywalled is True


def test_a_row_leaving_out_a_defaulted_column_is_filled_as_sqlalchemy_fills_it(store: Store) -> None:
    """A duplicate row without ``seen_at`` (a Python-side default) still gets one, and the same SQL path
    is not taken for it: SQLAlchemy fills defaults per row."""
    stories, articles, duplicates = _table(Story), _table(ArticleRecord), _table(DuplicateRecord)
    now = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    extra = {c.key: None for c in ArticleRecord.__table__.c if c.key not in _article(1, 1)}
    with store.engine.begin() as connection:
        insert_rows(
            connection, stories, [{"id": 1, "representative_id": 1, "created_at": now, "updated_at": now}]
        )
        insert_rows(connection, articles, [_article(1, 1) | extra])
        row = {
            "url": "https://copy.example/1",
            "source_id": None,
            "duplicate_of": 1,
            "story_id": 1,
            "similarity": 0.9,
            "rule": "near_duplicate",
            "content_hash": "ab" * 32,
            "signature": None,
            "title": None,
        }
        insert_rows(connection, duplicates, [row])
    assert bulk_rows._plans[(store.engine.dialect.name, "duplicates", tuple(row))] is None
    with store.engine.connect() as connection:
        seen = connection.execute(text("SELECT seen_at FROM duplicates")).scalar_one()
    assert seen is not None


def test_a_row_that_breaks_a_constraint_fails_the_statement_as_before(store: Store) -> None:
    """The batch relies on a broken key failing the write (it is then decided one item at a time)."""
    events, stories = _table(StoryEvent), _table(Story)
    now = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    with store.engine.begin() as connection:
        insert_rows(
            connection, stories, [{"id": 1, "representative_id": None, "created_at": now, "updated_at": now}]
        )
    event = {
        "story_id": 99,  # no such story
        "event": "linked",
        "url": "u",
        "other_story_id": None,
        "other_url": None,
        "rule": None,
        "similarity": None,
        "created_at": now,
    }
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        insert_rows(connection, events, [event | {"story_id": 1}, event])
    with store.engine.connect() as connection:  # the whole statement rolled back with its transaction
        assert connection.execute(text("SELECT count(*) FROM story_events")).scalar_one() == 0
