"""The extracted article: the one value that crosses from the page side to the job side."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class Article:
    """Fields mirror the export contract; dates are timezone-aware or None, never naive."""

    url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    top_image: str | None = None
    text: str = ""
    paywalled: bool = False
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping: dates as ISO 8601 with their offset."""
        data = asdict(self)
        for key in ("published_at", "modified_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data


ARTICLE_FIELDS: tuple[str, ...] = tuple(Article.__dataclass_fields__)
