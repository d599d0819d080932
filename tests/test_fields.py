"""The article's fields are declared once (``scrapers.article``): the README's export contract, the page
metadata, the pushed items, the adapter overrides, the stored row and the export all follow it."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import JSON, Boolean, Integer, inspect

from scrapers.article import (
    EXPORTED_FIELDS,
    OVERRIDABLE_FIELDS,
    PAGE_FIELDS,
    PUSHED_FIELDS,
    ROW_FIELDS,
    Article,
    article_fields,
    is_date,
)
from scrapers.metadata import PageMetadata
from scrapers.sites.base import OVERRIDABLE
from worker.export import ARTICLE_COLUMNS, article_rows, write_csv
from worker.items import WireItem, parse_item
from worker.models import (
    ArticleRecord,
    TextWithoutNul,
    UTCDateTime,
    declared_column_type,
    offset_column,
)
from worker.pipeline import Pipeline
from worker.store import Store

README = Path(__file__).parent.parent / "README.md"


def readme_article_row() -> list[str]:
    """The field names the README's "Export contract" gives an article row, in its order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Export contract", 1)[1]
    row = section.split("- **Article row**:", 1)[1].split("- **Duplicate row**", 1)[0]
    row = re.sub(r"\([^)]*\)", "", row)  # "(list)", "(ISO 8601 with ...`...`)" are notes, not fields
    return re.findall(r"`([a-z_]+)`", row)


def test_readme_export_contract_is_the_declaration() -> None:
    assert readme_article_row() == list(ARTICLE_COLUMNS)
    assert ARTICLE_COLUMNS[2:-4] == EXPORTED_FIELDS


def test_every_declared_field_has_a_spec_and_the_lists_follow_the_flags() -> None:
    assert article_fields() == tuple(Article.__dataclass_fields__)
    assert OVERRIDABLE == OVERRIDABLE_FIELDS
    assert set(PageMetadata.__dataclass_fields__) >= set(PAGE_FIELDS)
    assert set(WireItem.model_fields) == {*PUSHED_FIELDS, "source"}
    assert {"url", "text"} <= {n for n, f in WireItem.model_fields.items() if f.is_required()}
    columns = {c.key for c in inspect(ArticleRecord).columns}
    for name in ROW_FIELDS:
        assert name in columns
        if is_date(name):
            assert offset_column(name) in columns
    assert "warnings" not in PUSHED_FIELDS  # an item cannot write our own audit trail


def full_article() -> Article:
    """An article with every field set to a non-empty value, whatever fields the declaration has."""
    when = datetime(2024, 3, 4, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    words = " ".join(f"word{i}" for i in range(60))
    values: dict[str, object] = {
        "url": "https://a.example/story?utm_source=x",
        "canonical_url": "https://a.example/story",
        "top_image": "https://a.example/story.jpg",
        "text": f"{words}.\n\nSecond paragraph {words}.",
        "paywalled": True,
    }
    article = Article()
    for name, spec in Article.__dataclass_fields__.items():
        if name in values:
            setattr(article, name, values[name])
        elif is_date(name):
            setattr(article, name, when + timedelta(hours=len(name)))
        elif isinstance(spec.default_factory, type) and spec.default_factory is list:
            setattr(article, name, [f"{name} one", f"{name} two"])
        else:
            setattr(article, name, f"{name} value")
    return article


def test_every_exported_field_survives_storage_and_export(store: Store) -> None:
    """A field missed by the row update or the export would come back empty here."""
    article = full_article()
    Pipeline(store).ingest_article(article, source="wire")
    [row] = list(article_rows(store))
    expected = article.to_dict()
    for name in EXPORTED_FIELDS:
        assert row[name] == expected[name], name
    out = io.StringIO()
    write_csv([row], out, ARTICLE_COLUMNS)
    [cells] = list(csv.DictReader(io.StringIO(out.getvalue())))
    for name in EXPORTED_FIELDS:
        assert cells[name] not in ("", None), name
    assert json.loads(cells["authors"]) == article.authors


@pytest.mark.parametrize("name", PUSHED_FIELDS)
def test_every_pushed_field_reaches_the_article(name: str) -> None:
    source = full_article()
    raw = {k: v for k, v in source.to_dict().items() if k in PUSHED_FIELDS}
    article = parse_item(json.dumps(raw)).to_article()
    assert getattr(article, name) == getattr(source, name)
    assert article.warnings == []


def test_an_item_cannot_set_what_only_the_page_says() -> None:
    raw = {k: v for k, v in full_article().to_dict().items() if k in PUSHED_FIELDS}
    article = parse_item({**raw, "paywalled": True, "warnings": ["forged"]}).to_article()
    assert article.paywalled is False and article.warnings == []


def test_a_stored_field_without_a_written_column_gets_one_from_its_type() -> None:
    """A new field needs no hand-written column: its declared type picks it (and a date its offset)."""
    assert declared_column_type(str | None) is TextWithoutNul
    assert declared_column_type(list[str]) is JSON
    assert declared_column_type(datetime | None) is UTCDateTime
    assert declared_column_type(bool) is Boolean
    assert declared_column_type(int | None) is Integer
    with pytest.raises(TypeError, match="write its column"):
        declared_column_type(dict[str, int])
    for name in ROW_FIELDS:  # every stored field has its column, written out or derived
        assert name in ArticleRecord.__table__.c, name


_SECTION_PAGE = """<html><head><title>Dam talks resume</title>
<meta property="article:section" content="{meta}">
{ld}
</head><body><article><h1>Dam talks resume</h1>
<p>{body}</p><p>{body}</p></article></body></html>"""


@pytest.mark.parametrize(
    ("meta", "ld", "expected"),
    [
        ("World", "", "World"),  # the <meta> name the declaration gives
        ("World", '{"@type": "NewsArticle", "articleSection": "Africa"}', "Africa"),  # structured first
        ("", "", None),
    ],
)
def test_a_field_declared_with_its_sources_is_read_without_a_reader_of_its_own(
    meta: str, ld: str, expected: str | None
) -> None:
    """``section`` has no reader module: its declaration names where it is read from."""
    from scrapers.extract import extract

    script = f'<script type="application/ld+json">{ld}</script>' if ld else ""
    body = "Negotiators from the three countries met again on Monday after a year of silence. " * 4
    html = _SECTION_PAGE.format(meta=meta, ld=script, body=body)
    article = extract(html, url="https://news.example/world/dam-talks")
    assert article.section == expected
