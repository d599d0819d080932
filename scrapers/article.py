"""The extracted article: the one value that crosses from the page side to the job side.

Its fields are declared here once, each with what it is for (``FieldSpec``): every other list of them
(page metadata, adapter overrides, pushed items, the stored row, the export columns) is derived from
this declaration, so adding a field means declaring it here (with where it is read from, when that is a
``<meta>`` name or a JSON-LD key), naming it in the README's export contract, and adding its migration:
the stored column is derived from the declared type (``worker.models``).
"""

from __future__ import annotations

import typing
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import Any, Literal

FieldKind = Literal["text", "title", "url", "field"]
"""Which ``WIREFEED_ITEM_*`` length cap a pushed value of the field is held to (``field``: the general one)."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What one article field is for. Defaults fit an ordinary metadata field read from the page."""

    exported: bool = True
    """A column of the export contract (README, "Export contract"): its name never changes."""
    page: bool = True
    """Read by the metadata readers (``PageMetadata``), from the untouched tree."""
    overridable: bool = False
    """A site adapter that reads it from its CMS's own markup may replace the generic value."""
    pushed: bool = True
    """Accepted from a pushed item (JSON Lines, queue message), which skips extraction."""
    required: bool = False
    """A pushed item without it (or with it empty) is refused as ``invalid_item``."""
    row: bool = True
    """Copied onto the stored row as is (a date ``<x>_at`` also keeps its offset in ``<x>_offset_min``)."""
    kind: FieldKind = "field"
    meta: tuple[str, ...] = ()
    """``<meta>`` names (``name``/``property``, lower case) the field is read from when no reader of its
    own is written: the generic reader in ``scrapers.metadata.fields`` takes the first non-empty one."""
    ld: tuple[str, ...] = ()
    """Keys of the page's main JSON-LD node the generic reader tries first (structured, then ``meta``)."""


def _spec(**flags: Any) -> dict[str, FieldSpec]:
    return {"spec": FieldSpec(**flags)}


@dataclass(slots=True)
class Article:
    """Fields mirror the export contract, in its order; dates are timezone-aware or None, never naive."""

    url: str | None = field(default=None, metadata=_spec(page=False, required=True, kind="url"))
    # The row's key, normalised from the item (``article_key``), not copied as is.
    canonical_url: str | None = field(default=None, metadata=_spec(row=False, kind="url"))
    title: str | None = field(default=None, metadata=_spec(overridable=True, kind="title"))
    authors: list[str] = field(default_factory=list, metadata=_spec(overridable=True))
    published_at: datetime | None = field(default=None, metadata=_spec(overridable=True))
    modified_at: datetime | None = field(default=None, metadata=_spec(overridable=True))
    language: str | None = field(default=None, metadata=_spec(overridable=True))
    site_name: str | None = field(default=None, metadata=_spec())
    description: str | None = field(default=None, metadata=_spec(overridable=True))
    top_image: str | None = field(default=None, metadata=_spec(overridable=True, kind="url"))
    text: str = field(default="", metadata=_spec(page=False, overridable=True, required=True, kind="text"))
    # What the page says of itself, and what could not be found: never taken from another system's item.
    paywalled: bool = field(default=False, metadata=_spec(pushed=False))
    warnings: list[str] = field(default_factory=list, metadata=_spec(pushed=False))
    # The desk or section the outlet files the story under, as the page states it.
    section: str | None = field(
        default=None, metadata=_spec(ld=("articleSection",), meta=("article:section", "section"))
    )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping: dates as ISO 8601 with their offset."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = value.isoformat()
        return data


def spec_of(name: str) -> FieldSpec:
    spec = Article.__dataclass_fields__[name].metadata["spec"]
    assert isinstance(spec, FieldSpec)
    return spec


def article_fields(**wanted: bool) -> tuple[str, ...]:
    """The article's field names, in declaration order, whose spec has every flag given (``pushed=True``)."""
    return tuple(
        f.name
        for f in fields(Article)
        if all(getattr(spec_of(f.name), flag) == value for flag, value in wanted.items())
    )


@cache
def field_types() -> dict[str, Any]:
    """Each field's declared type, resolved (``datetime | None``, ``list[str]``): what derived lists need
    to convert or validate a value (a date keeps an offset, a list is copied, a flag is a bool)."""
    return typing.get_type_hints(Article)


@cache
def _dates() -> frozenset[str]:
    types = field_types()
    return frozenset(n for n, t in types.items() if t is datetime or datetime in typing.get_args(t))


@cache
def _lists() -> frozenset[str]:
    return frozenset(n for n, t in field_types().items() if typing.get_origin(t) is list)


def is_date(name: str) -> bool:
    """A date field: stored in UTC with its page's offset beside it, exported with that offset."""
    return name in _dates()


def is_list(name: str) -> bool:
    return name in _lists()


ARTICLE_FIELDS: tuple[str, ...] = article_fields()
EXPORTED_FIELDS: tuple[str, ...] = article_fields(exported=True)
PAGE_FIELDS: tuple[str, ...] = article_fields(page=True)
OVERRIDABLE_FIELDS: tuple[str, ...] = article_fields(overridable=True)
PUSHED_FIELDS: tuple[str, ...] = article_fields(pushed=True)
ROW_FIELDS: tuple[str, ...] = article_fields(row=True)


def copy_fields(source: Article, target: Article, names: tuple[str, ...]) -> None:
    """Set ``names`` on ``target`` from ``source``; lists are copied, so the two never share one."""
    for name in names:
        value = getattr(source, name)
        setattr(target, name, list(value) if isinstance(value, list) else value)
