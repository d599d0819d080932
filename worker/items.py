"""Already-parsed wire items pushed by other systems (JSON Lines, queue messages).

They skip extraction, so validation is their only gate: a bad item gets a precise message naming the field.
Every field is capped (``WIREFEED_ITEM_*`` settings) and checked on the raw value *before* pydantic builds
the model, so a 48 MB text or a 200 MB line costs a length check, not a gigabyte; only http(s) URLs get
in. ``read_lines`` reads JSON Lines as bytes with a line cap, so neither a bad byte nor a huge line ends
the stream.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Annotated, Any, BinaryIO
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
)

from config.settings import Settings
from scrapers.article import PUSHED_FIELDS, Article, field_types, is_date, is_list, spec_of
from scrapers.errors import ErrorKind, IngestError


def _web_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ValueError("must be an absolute http(s) URL (http://host/...)")
    return value


def _one_or_many(value: Any) -> Any:
    """A producer that knows one author often sends a string: it stands for a list of one."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    return value


class PushedItem(BaseModel):
    """The fields every pushed item has beside the article's: the source it belongs to, if it says."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    source: str | None = None

    def value_of(self, name: str) -> Any:
        """A field of the derived model, by name: its attributes are built from the ``Article`` declaration."""
        return getattr(self, name)

    def to_article(self) -> Article:
        """The article the item states; a date without a zone is taken as UTC, and the record says so."""
        article = Article()
        for name in PUSHED_FIELDS:
            value = self.value_of(name)
            if is_date(name) and value is not None and value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
                article.warnings.append(f"{name} had no time zone; taken as UTC")
            elif is_list(name):
                value = [part for part in (str(v).strip() for v in value) if part]
            setattr(article, name, value if value != "" else None)
        return article


def _pushed_field(name: str) -> tuple[Any, Any]:
    """The pydantic type and default of one article field as a pushed item gives it."""
    spec = spec_of(name)
    declared = field_types()[name]
    if is_list(name):
        return Annotated[declared, BeforeValidator(_one_or_many)], Field(default_factory=list)
    base = next((t for t in typing.get_args(declared) if t is not type(None)), declared)  # X of "X | None"
    kind: Any = Annotated[base, AfterValidator(_web_url)] if spec.kind == "url" else base
    if spec.required:
        return kind, Field(min_length=1)
    return kind | None, None


_FIELDS: dict[str, Any] = {name: _pushed_field(name) for name in PUSHED_FIELDS}
WireItem: type[PushedItem] = create_model(
    "WireItem",
    __base__=PushedItem,
    __doc__="A pushed item: the ``Article`` fields declared ``pushed`` (``url`` and ``text`` required).",
    **_FIELDS,
)


def _setting_default(name: str) -> int:
    """The documented default of ``WIREFEED_ITEM_<NAME>``: written once, in ``config.settings``."""
    default = Settings.model_fields[f"item_{name}"].default
    assert isinstance(default, int)
    return default


@dataclass(frozen=True, slots=True)
class ItemLimits:
    """The caps of one pushed item; the defaults are those of ``config.settings`` (``WIREFEED_ITEM_*``)."""

    max_bytes: int = _setting_default("max_bytes")
    max_text_chars: int = _setting_default("max_text_chars")
    max_title_chars: int = _setting_default("max_title_chars")
    max_field_chars: int = _setting_default("max_field_chars")
    max_url_chars: int = _setting_default("max_url_chars")
    max_authors: int = _setting_default("max_authors")
    min_words: int = _setting_default("min_words")

    @classmethod
    def from_settings(cls, settings: Any) -> ItemLimits:
        return cls(**{name: getattr(settings, f"item_{name}") for name in cls.__dataclass_fields__})


def _limits() -> ItemLimits:
    try:
        from config.settings import get_settings

        return ItemLimits.from_settings(get_settings())
    except Exception:  # settings unusable: the defaults still bound every field
        return ItemLimits()


def _too_large(field: str, size: int, limit: int, unit: str = "characters") -> IngestError:
    return IngestError(ErrorKind.TOO_LARGE, f"{field}: {size} {unit}, more than the limit of {limit}")


_CAPPED = tuple((name, spec_of(name).kind) for name in PUSHED_FIELDS if not is_list(name))


def check_sizes(raw: dict[str, Any], limits: ItemLimits) -> None:
    """Refuse an oversized field on the raw mapping, before any model is built from it."""
    kinds = {"text": limits.max_text_chars, "title": limits.max_title_chars, "url": limits.max_url_chars}
    for field, kind in (("source", "field"), *_CAPPED):
        value = raw.get(field)
        if isinstance(value, str) and len(value) > (limit := kinds.get(kind, limits.max_field_chars)):
            raise _too_large(field, len(value), limit)
    authors = raw.get("authors")
    if isinstance(authors, list):
        if len(authors) > limits.max_authors:
            raise _too_large("authors", len(authors), limits.max_authors, "names")
        for author in authors:
            if isinstance(author, str) and len(author) > limits.max_field_chars:
                raise _too_large("authors", len(author), limits.max_field_chars)
    elif isinstance(authors, str) and len(authors) > limits.max_field_chars:
        raise _too_large("authors", len(authors), limits.max_field_chars)


def parse_item(raw: str | bytes | dict[str, Any], limits: ItemLimits | None = None) -> PushedItem:
    """Validate one item, from a JSON line or an already-decoded mapping."""
    limits = limits or _limits()
    if isinstance(raw, str | bytes):
        size = len(raw)  # characters of a str: a lower bound of its bytes, measured without a copy
        if isinstance(raw, str) and size <= limits.max_bytes < 4 * size:
            size = len(raw.encode("utf-8", "surrogatepass"))
        if size > limits.max_bytes:
            raise _too_large("item", size, limits.max_bytes, "bytes")
        try:
            raw = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise IngestError(ErrorKind.INVALID_ITEM, f"invalid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise IngestError(ErrorKind.INVALID_ITEM, f"expected a JSON object, got {type(raw).__name__}")
    check_sizes(raw, limits)
    try:
        item = WireItem.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'item'}: {e['msg']}" for e in error.errors()
        )
        raise IngestError(ErrorKind.INVALID_ITEM, problems) from None
    words = len(str(item.value_of("text")).split(maxsplit=limits.min_words))  # exact below the minimum
    if words < limits.min_words:
        raise IngestError(
            ErrorKind.NOT_AN_ARTICLE, f"text: {words} word(s), fewer than the {limits.min_words} of a story"
        )
    return item


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a JSON Lines stream: its bytes, or the error that stands for it (too long)."""

    number: int
    data: bytes = b""
    error: IngestError | None = None


def read_lines(stream: BinaryIO, max_bytes: int | None = None, chunk: int = 1 << 16) -> Iterator[Line]:
    """Non-blank lines of a byte stream, never holding more than ``max_bytes`` of one line: a longer line
    is skipped to its end and yields a ``too_large`` error, and the next line goes on."""
    limit = max_bytes if max_bytes is not None else _limits().max_bytes
    number, buffer, skipping, skipped = 0, bytearray(), False, 0
    # read1 returns what has arrived instead of waiting for a whole chunk: a producer that trickles items
    # into an open pipe gets each one decided as it comes, not when 64 KiB have piled up or it hangs up.
    read = getattr(stream, "read1", stream.read)
    while True:
        block = read(chunk)
        if not block:
            break
        start = 0
        while True:
            end = block.find(b"\n", start)
            piece = block[start:] if end < 0 else block[start:end]
            if skipping:
                skipped += len(piece)
            else:
                buffer += piece
                if len(buffer) > limit:
                    skipping, skipped = True, len(buffer)
                    buffer.clear()
            if end < 0:
                break
            number += 1
            if skipping:
                yield Line(number, error=_too_large("line", skipped, limit, "bytes or more"))
            elif buffer.strip():
                yield Line(number, bytes(buffer))
            buffer.clear()
            skipping, skipped = False, 0
            start = end + 1
    if skipping or buffer.strip():
        number += 1
        yield (
            Line(number, error=_too_large("line", skipped, limit, "bytes or more"))
            if skipping
            else Line(number, bytes(buffer))
        )
