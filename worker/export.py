"""Export rows: a documented contract other systems read, so field names and formats are fixed here once.

Article row: ``id``, ``source``, every ``Article`` field declared exported (dates ISO 8601 with
offset), ``content_hash``, ``version``, ``stored_at``, ``story_id``. Duplicate row: ``url``, ``source``,
``duplicate_of``, ``original_url``, ``similarity``, ``rule``, ``seen_at``, ``story_id``. Story row
(``--stories``): one per story, its representative (the stored article) and its copies (the
duplicates), so the three exports agree on every story's membership.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import aliased

from scrapers.article import EXPORTED_FIELDS, field_types, is_date, is_list
from worker.models import ArticleRecord, DuplicateRecord, Source, Story, StoryEvent, offset_column
from worker.pipeline import with_offset
from worker.store import Store

_ROW_COLUMNS = ("content_hash", "version", "stored_at", "story_id")
ARTICLE_COLUMNS: tuple[str, ...] = ("id", "source", *EXPORTED_FIELDS, *_ROW_COLUMNS)
DUPLICATE_COLUMNS: tuple[str, ...] = (
    "url",
    "source",
    "duplicate_of",
    "original_url",
    "similarity",
    "rule",
    "seen_at",
    "story_id",
)
STORY_COLUMNS: tuple[str, ...] = (
    "story_id",
    "representative_id",
    "representative_url",
    "title",
    "copies",
    "copy_count",
    "embeds",
    "updated_at",
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _article_cells(row: ArticleRecord) -> dict[str, Any]:
    """The exported ``Article`` fields of a stored row: a date with the page's own offset, a list copied,
    a flag a bool, in the declaration's order."""
    cells: dict[str, Any] = {}
    for name in EXPORTED_FIELDS:
        value = getattr(row, name)
        if is_date(name):
            value = _iso(with_offset(value, getattr(row, offset_column(name))))
        elif field_types()[name] is bool:
            value = bool(value)
        elif is_list(name):
            value = list(value or [])
        cells[name] = value
    return cells


def _row_cells(row: ArticleRecord) -> dict[str, Any]:
    """What the store adds to an article: its hash, version, when it was stored, and its story."""
    values = {name: getattr(row, name) for name in _ROW_COLUMNS}
    return {name: _iso(v) if isinstance(v, datetime) else v for name, v in values.items()}


def article_rows(
    store: Store, *, since: datetime | None = None, source: str | None = None, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    """Stored articles in id order; ``since`` filters on when we stored them."""
    query = select(ArticleRecord, Source.name).outerjoin(Source, Source.id == ArticleRecord.source_id)
    if since is not None:
        query = query.where(ArticleRecord.stored_at >= since)
    if source is not None:
        query = query.where(Source.name == source)
    with store.session() as session:
        for row, source_name in session.execute(
            query.order_by(ArticleRecord.id).execution_options(yield_per=batch)
        ):
            yield {"id": row.id, "source": source_name, **_article_cells(row), **_row_cells(row)}


def duplicate_rows(
    store: Store, *, since: datetime | None = None, source: str | None = None, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    original = aliased(ArticleRecord)
    query = (
        select(DuplicateRecord, Source.name, original.canonical_url)
        .outerjoin(Source, Source.id == DuplicateRecord.source_id)
        .join(original, original.id == DuplicateRecord.duplicate_of)
    )
    if since is not None:
        query = query.where(DuplicateRecord.seen_at >= since)
    if source is not None:
        query = query.where(Source.name == source)
    with store.session() as session:
        for row, source_name, original_url in session.execute(
            query.order_by(DuplicateRecord.id).execution_options(yield_per=batch)
        ):
            yield {
                "url": row.url,
                "source": source_name,
                "duplicate_of": row.duplicate_of,
                "original_url": original_url,
                "similarity": row.similarity,
                "rule": row.rule,
                "seen_at": _iso(row.seen_at),
                "story_id": row.story_id,
            }


def story_rows(
    store: Store, *, since: datetime | None = None, source: str | None = None, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    """One row per story, from its representative: copies are the URLs of its duplicates (oldest first),
    ``embeds`` the stories it quotes in full. ``since`` and ``source`` filter on the representative."""
    query = select(
        ArticleRecord.id,
        ArticleRecord.story_id,
        ArticleRecord.canonical_url,
        ArticleRecord.title,
        Story.updated_at,
    ).join(Story, Story.id == ArticleRecord.story_id)
    if since is not None:
        query = query.where(Story.updated_at >= since)
    if source is not None:
        query = query.outerjoin(Source, Source.id == ArticleRecord.source_id).where(Source.name == source)
    with store.session() as session:
        rows = session.execute(query.order_by(ArticleRecord.story_id).execution_options(yield_per=batch))
        for chunk in rows.partitions(batch):
            ids = [row.story_id for row in chunk]
            copies: dict[int | None, list[str]] = {}  # the query keeps only the chunk's stories
            for story_id, url in session.execute(
                select(DuplicateRecord.story_id, DuplicateRecord.url)
                .where(DuplicateRecord.story_id.in_(ids))
                .order_by(DuplicateRecord.id)
            ):
                copies.setdefault(story_id, []).append(url)
            embeds: dict[int, list[int]] = {}
            for story_id, other in session.execute(
                select(StoryEvent.story_id, StoryEvent.other_story_id)
                .where(StoryEvent.story_id.in_(ids), StoryEvent.event == "embeds")
                .order_by(StoryEvent.id)
            ):
                # An "embeds" event always names the other story; once the two were found to be one
                # story and merged (``worker/story_merge.py``), it names the story itself: no link.
                linked = embeds.setdefault(story_id, [])
                if other is not None and other != story_id and other not in linked:
                    linked.append(other)
            for row in chunk:
                found = copies.get(row.story_id, [])
                yield {
                    "story_id": row.story_id,
                    "representative_id": row.id,
                    "representative_url": row.canonical_url,
                    "title": row.title,
                    "copies": found,
                    "copy_count": len(found),
                    "embeds": embeds.get(row.story_id, []),
                    "updated_at": _iso(row.updated_at),
                }


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: a leading ``=``, ``+``, ``-``, ``@``, tab or CR would make
    ``=HYPERLINK(...)`` or ``=cmd|...`` from a scraped title a live formula (OWASP CSV injection), so
    such a cell gets the quote prefix spreadsheets read as "text". Lists become JSON arrays first."""
    if isinstance(value, list):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO, columns: tuple[str, ...]) -> int:
    """Lists become JSON arrays in their cell, so a CSV reader loses nothing and needs no second format."""
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
        count += 1
    return count
