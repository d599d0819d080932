"""Already-parsed wire items pushed by other systems (JSON Lines, queue messages).

They skip extraction, so validation is their only gate: a bad item gets a precise message naming the field.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scrapers.article import Article
from scrapers.errors import ErrorKind, IngestError


class WireItem(BaseModel):
    """`{"url", "title", "text", "published_at"?, "authors"?, "source"?}`; other Article fields optional."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    url: str = Field(min_length=1, max_length=4000)
    title: str | None = None
    text: str = Field(min_length=1)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    authors: list[str] = Field(default_factory=list)
    source: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    top_image: str | None = None

    @field_validator("url", "canonical_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value is not None and "://" not in value:
            raise ValueError("must be an absolute URL (scheme://host/...)")
        return value

    @field_validator("authors", mode="before")
    @classmethod
    def _authors_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [value] if value.strip() else []
        return value

    def to_article(self) -> Article:
        warnings: list[str] = []
        published, modified = self.published_at, self.modified_at
        if published is not None and published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
            warnings.append("published_at had no time zone; taken as UTC")
        if modified is not None and modified.tzinfo is None:
            modified = modified.replace(tzinfo=UTC)
            warnings.append("modified_at had no time zone; taken as UTC")
        return Article(
            url=self.url,
            canonical_url=self.canonical_url,
            title=self.title or None,
            authors=[a for a in (name.strip() for name in self.authors) if a],
            published_at=published,
            modified_at=modified,
            language=self.language,
            site_name=self.site_name,
            description=self.description,
            top_image=self.top_image,
            text=self.text,
            warnings=warnings,
        )


def parse_item(raw: str | bytes | dict[str, Any]) -> WireItem:
    """Validate one item, from a JSON line or an already-decoded mapping."""
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise IngestError(ErrorKind.INVALID_ITEM, f"invalid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise IngestError(ErrorKind.INVALID_ITEM, f"expected a JSON object, got {type(raw).__name__}")
    try:
        return WireItem.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'item'}: {e['msg']}" for e in error.errors()
        )
        raise IngestError(ErrorKind.INVALID_ITEM, problems) from None
