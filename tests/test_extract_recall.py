"""What the body loses on unseen templates (issue 7): story text the region finder or the cuts leave out.

Each fixture is a page shaped like a real template whose story the extractor on main cut short; the
tests say which of its parts belong to the story and which do not.
"""

from __future__ import annotations

from pathlib import Path

from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def _extract(name: str, url: str | None = None) -> str:
    return extract((BODY / name).read_bytes(), url).text


def test_story_sections_named_like_ad_slots_are_kept_beside_the_one_that_holds_most_prose() -> None:
    """Every section of the review carries the template's "--ads" modifier: the long one was kept for
    its share of the prose, its one-paragraph siblings of the same kind were cut as chrome."""
    text = _extract("review-sections-named-like-ads.html", "https://bench.example/kitchen/kettle-grill-test")
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Verdict"
    assert paragraphs[1].startswith("For its price the kettle grill is hard to beat")
    assert "The grill arrives fully assembled with a cast grate" in text
    assert "six slices of toast across the grate" in text
    assert text.endswith("the inside of the lid still looked new.")
    for chrome in ("Most read", "espresso machines", "All rights reserved", "window.slots"):
        assert chrome not in text
