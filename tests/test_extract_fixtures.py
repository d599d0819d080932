"""Every page under tests/fixtures/pages must extract to its ``.expected.json`` record.

The expected files hold the body text (compared after whitespace normalisation), the metadata fields that
must match exactly, and ``must_not_contain`` strings (boilerplate the page really carries: the test also
checks each one is present in the page, so it cannot pass vacuously). ``{"error": KIND}`` marks a page
that must be refused with that error kind.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from scrapers.errors import IngestError
from scrapers.extract import extract

PAGES = Path(__file__).parent / "fixtures" / "pages"
CASES = sorted(p for p in PAGES.glob("*.html"))
METADATA_FIELDS = (
    "canonical_url",
    "title",
    "authors",
    "published_at",
    "modified_at",
    "language",
    "site_name",
    "description",
    "top_image",
    "paywalled",
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _expected(page: Path) -> dict:
    return json.loads(page.with_name(page.name.removesuffix(".html") + ".expected.json").read_text("utf-8"))


def test_fixture_folder_is_populated() -> None:
    assert len(CASES) >= 9
    for page in CASES:
        assert page.with_name(page.name.removesuffix(".html") + ".expected.json").exists(), page.name


@pytest.mark.parametrize("page", CASES, ids=[p.stem for p in CASES])
def test_fixture_page(page: Path) -> None:
    expected = _expected(page)
    raw = page.read_bytes()  # bytes, as fetched: the extractor owns decoding
    if "error" in expected:
        with pytest.raises(IngestError) as info:
            extract(raw, expected.get("url"))
        assert info.value.kind.value == expected["error"]
        return

    article = extract(raw, expected["url"])
    assert _norm(article.text) == _norm(expected["text"])
    # Paragraph structure: blank-line separated, no blank runs, no stray whitespace at the ends.
    assert article.text == article.text.strip()
    assert "\n\n\n" not in article.text
    tree = lxml.html.document_fromstring(raw)
    page_text = _norm(tree.text_content()) + " " + _norm(" ".join(tree.xpath("//@alt | //@title")))
    for needle in expected.get("must_not_contain", []):
        assert _norm(needle) in page_text, f"{needle!r} is not on the page at all"
        assert needle not in article.text, f"boilerplate {needle!r} leaked into the text"
    got = article.to_dict()
    for field in METADATA_FIELDS:
        if field in expected:
            assert got[field] == expected[field], field
    assert got["url"] == expected["url"]
