"""What a site adapter is: a CMS family's knowledge, as a ``match`` and the fields it can read better.

An adapter never forks the generic path. The generic extractor runs first and the adapter only replaces
the fields it reads from markup the CMS is known to produce; when the adapter finds nothing (a redesign,
a page type it does not know) the generic result stands, so an adapter can only make a page better.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from lxml.html import HtmlElement as HtmlElement  # re-exported: what adapters type their trees with

from scrapers.article import OVERRIDABLE_FIELDS
from scrapers.dates import parse_date, to_aware

OVERRIDABLE = OVERRIDABLE_FIELDS  # declared per field on ``Article``

REGISTRY: dict[str, SiteAdapter] = {}
"""Every adapter by name, filled as each ``SiteAdapter`` subclass is defined (``scrapers.sites`` imports
every module of its package), so adding a CMS is adding its module: no list to edit by hand."""


class SiteAdapter:
    """Subclass per CMS family: set ``name``, implement ``match`` and ``fields``; defining the class
    registers it. A subclass without a ``name`` is a shared base for other adapters, not registered."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.name:
            return
        known = REGISTRY.get(cls.name)
        if known is not None and type(known).__qualname__ != cls.__qualname__:
            raise TypeError(
                f"two site adapters are named {cls.name!r}: {type(known).__qualname__}, {cls.__qualname__}"
            )
        REGISTRY[cls.name] = cls()

    def match(self, url: str | None, tree: HtmlElement) -> bool:
        raise NotImplementedError

    def fields(self, tree: HtmlElement, url: str | None) -> dict[str, Any]:
        """Field name -> value for the fields this CMS's markup states reliably; absent means "unknown"."""
        raise NotImplementedError


def clean_text(value: str | None) -> str:
    return " ".join((value or "").split())


def parse_datetime(value: str | None) -> datetime | None:
    """ISO 8601 first (what CMS templates put in ``datetime`` attributes), then the shared date parser."""
    if not value:
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(re.sub(r"[zZ]$", "+00:00", text))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        pass
    found = parse_date(text)
    if found is None or not found.has_tz:
        return None
    return to_aware(found)


def paragraphs_text(nodes: list[HtmlElement]) -> str:
    """Blank-line separated paragraphs, whitespace collapsed inside each."""
    parts = [clean_text(node.text_content()) for node in nodes]
    return "\n\n".join(part for part in parts if part)
