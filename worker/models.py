"""SQLAlchemy models: the durable record of every decision the pipeline makes.

The schema itself is owned by the Alembic migrations in ``worker/migrations``; these classes must agree
with them (a test compares the two).
"""

from __future__ import annotations

import types
import typing
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from scrapers.article import ROW_FIELDS, Article, field_types, is_date


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants in UTC and always returns aware datetimes.

    SQLite has no time zones and would hand back naive values that compare wrongly with aware ones; storing
    UTC everywhere makes ``--since`` filters and ordering behave the same on SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TextWithoutNul(TypeDecorator[str]):
    """Text that PostgreSQL can hold: a NUL character, which its text type refuses, becomes U+FFFD.

    Pushed items and error rows carry whatever a producer sent; without this one NUL made PostgreSQL refuse
    the whole write (and the item's error row with it), while SQLite stored it. Every string column uses it,
    so the two databases keep the same rows.
    """

    impl: type[String] = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return value.replace("\x00", "\ufffd") if value and "\x00" in value else value


class StringWithoutNul(TextWithoutNul):
    """A bounded string column without NUL: ``StringWithoutNul(40)`` is ``String(40)`` in the DDL."""

    impl = String
    cache_ok = True


class Base(DeclarativeBase):
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}  # noqa: RUF012


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(StringWithoutNul(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Story(Base):
    """A news story: its best copy is the stored article ``representative_id``; its other copies are the
    duplicates carrying its id. The id stays when a fuller copy takes over as representative."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Not a foreign key: articles already point here, and a cycle would make either table hard to alter.
    representative_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoryEvent(Base):
    """Audit of what the story rules did beyond a plain join: a representative replaced by a fuller copy,
    a story embedding another, a candidate refused as a templated or quoted text."""

    __tablename__ = "story_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(StringWithoutNul(40))
    url: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    other_story_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    other_url: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    rule: Mapped[str | None] = mapped_column(StringWithoutNul(40), nullable=True)
    similarity: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleRecord(Base):
    """One story's stored copy, under its canonical URL; older texts of it live in ``article_versions``."""

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_source_stored", "source_id", "stored_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), nullable=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), nullable=True, index=True)
    url: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    canonical_url: Mapped[str] = mapped_column(TextWithoutNul(), unique=True)
    content_hash: Mapped[str] = mapped_column(StringWithoutNul(64), index=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    title: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    published_offset_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    modified_at: Mapped[datetime | None] = mapped_column(nullable=True)
    modified_offset_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    language: Mapped[str | None] = mapped_column(StringWithoutNul(35), nullable=True)
    site_name: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    description: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    top_image: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    text: Mapped[str] = mapped_column(TextWithoutNul())
    paywalled: Mapped[bool] = mapped_column(Boolean, default=False)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    fetched_at: Mapped[datetime | None] = mapped_column(nullable=True)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


_COLUMN_TYPES: dict[type, Any] = {str: TextWithoutNul, bool: Boolean, int: Integer, float: Float}


def declared_column_type(declared: Any) -> Any:
    """The column type a declared article field is stored in, from its Python type (``X | None`` is X)."""
    if typing.get_origin(declared) is list:
        return JSON
    optional = typing.get_origin(declared) in (typing.Union, types.UnionType)
    base = (
        next((t for t in typing.get_args(declared) if t is not type(None)), declared)
        if optional
        else declared
    )
    if base is datetime:
        return UTCDateTime
    if base not in _COLUMN_TYPES:
        raise TypeError(f"no column type for a field of type {declared!r}: write its column in ArticleRecord")
    return _COLUMN_TYPES[base]


def _add_declared_columns(model: type[ArticleRecord]) -> None:
    """Columns for ``row`` fields that ``ArticleRecord`` does not write out: a new field is stored by its
    declaration and its migration alone. Declarative mapping accepts columns set on the class afterwards."""
    types = field_types()
    for name in ROW_FIELDS:
        if name in model.__table__.c:
            continue
        setattr(model, name, mapped_column(declared_column_type(types[name])(), nullable=True))
        if is_date(name):
            setattr(model, offset_column(name), mapped_column(Integer, nullable=True))


def offset_minutes(value: datetime | None) -> int | None:
    """The page's own UTC offset of a date, kept beside the UTC instant so an export can give it back."""
    offset = value.utcoffset() if value is not None else None
    return None if offset is None else int(offset.total_seconds() // 60)


def offset_column(name: str) -> str:
    """Where a date field's offset is stored: ``published_at`` keeps it in ``published_offset_min``."""
    return f"{name.removesuffix('_at')}_offset_min"


def article_values(article: Article) -> dict[str, Any]:
    """The article's own columns of its row, derived from the fields ``Article`` declares ``row``: each
    date with its offset column, lists copied, the body stripped of surrounding whitespace."""
    values: dict[str, Any] = {}
    for name in ROW_FIELDS:
        value = getattr(article, name)
        if isinstance(value, list):
            value = list(value)
        elif is_date(name):
            values[offset_column(name)] = offset_minutes(value)
        values[name] = value
    values["text"] = article.text.strip()
    return values


_add_declared_columns(ArticleRecord)


class ArticleVersion(Base):
    """A superseded text of an article, kept so a changed story can be audited and diffed."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(StringWithoutNul(64))
    title: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    text: Mapped[str] = mapped_column(TextWithoutNul())
    modified_at: Mapped[datetime | None] = mapped_column(nullable=True)
    stored_at: Mapped[datetime] = mapped_column()
    superseded_at: Mapped[datetime] = mapped_column(default=utcnow)


class DuplicateRecord(Base):
    """A copy that was not stored, with the rule that fired, so operators can audit every drop."""

    __tablename__ = "duplicates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(TextWithoutNul(), unique=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), nullable=True)
    duplicate_of: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), nullable=True, index=True)
    similarity: Mapped[float] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(StringWithoutNul(40))
    content_hash: Mapped[str] = mapped_column(StringWithoutNul(64))
    # A near-duplicate's own fingerprint stays in the index, so a later copy that is close to this one but
    # not to the stored original still joins the story (clusters do not depend on arrival order).
    signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    title: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class IngestErrorRecord(Base):
    __tablename__ = "ingest_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    source: Mapped[str | None] = mapped_column(StringWithoutNul(200), nullable=True, index=True)
    stage: Mapped[str] = mapped_column(StringWithoutNul(40))
    kind: Mapped[str] = mapped_column(StringWithoutNul(40), index=True)
    message: Mapped[str] = mapped_column(TextWithoutNul())
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # A pushed item has no page to point at: its line in the input, its own id, and the item itself (so
    # `wirefeed retry` can run it again). An error is closed, not deleted, when a retry settles it.
    line: Mapped[int | None] = mapped_column(Integer, nullable=True)
    item_id: Mapped[str | None] = mapped_column(StringWithoutNul(200), nullable=True)
    payload: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    resolution: Mapped[str | None] = mapped_column(StringWithoutNul(40), nullable=True)


class CrawlState(Base):
    """What we last saw of a URL, so a re-crawl can skip it or send a conditional GET."""

    __tablename__ = "crawl_state"

    url: Mapped[str] = mapped_column(TextWithoutNul(), primary_key=True)
    source: Mapped[str | None] = mapped_column(StringWithoutNul(200), nullable=True, index=True)
    etag: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    last_modified: Mapped[str | None] = mapped_column(TextWithoutNul(), nullable=True)
    fetched_at: Mapped[datetime | None] = mapped_column(nullable=True)
    lastmod: Mapped[datetime | None] = mapped_column(nullable=True)
    status: Mapped[str | None] = mapped_column(StringWithoutNul(40), nullable=True)


class IngestProgress(Base):
    """How far a long input (a WARC file, local or remote) has been ingested, so a run that was stopped
    resumes at the next record instead of reading the file again from its start."""

    __tablename__ = "ingest_progress"

    input: Mapped[str] = mapped_column(TextWithoutNul(), primary_key=True)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
