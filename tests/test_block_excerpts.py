"""Related posts under the story as linked headlines over excerpts cut with "...", found by their shape."""

from __future__ import annotations

from pathlib import Path

from lxml.html import fromstring

from scrapers.block_excerpts import excerpt_runs
from scrapers.content import analyse
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"
STORY = "<p>" + "A story paragraph that tells what happened, at some length and in sentences. " * 3 + "</p>"


def test_a_list_of_linked_excerpts_after_the_story_is_left_out() -> None:
    text = extract(
        (BODY / "excerpt-list-after-story.html").read_bytes(),
        "https://nordkurier-blog.example/2024/03/gaspreis-sinkt/",
    ).text
    assert text.startswith("Die Stadtwerke senken zum 1. April den Arbeitspreis für Gas")
    assert text.endswith("Der Aufsichtsrat hatte die jetzige Senkung vergangene Woche gebilligt.")
    for leaked in ("Weiterführende Artikel", "Fernwärme", "Stromtarife im Vergleich", "Wärmepumpe"):
        assert leaked not in text


def _items(html: str) -> int:
    root = fromstring(html)
    analysis = analyse(root)
    return len(excerpt_runs(analysis, root.find(".//div")))


def test_items_not_cut_with_an_ellipsis_or_set_before_more_prose_stay() -> None:
    item = '<li><a href="/other/">A headline of another story here</a> The first lines of that story{}</li>'
    cut = "<ul>" + item.format("...") * 3 + "</ul>"
    whole = "<ul>" + item.format(", told in full.") * 3 + "</ul>"
    assert _items(f"<html><body><div>{STORY * 2}{cut}</div></body></html>") == 3
    assert _items(f"<html><body><div>{STORY * 2}{whole}</div></body></html>") == 0
    assert _items(f"<html><body><div>{STORY}{cut}{STORY}</div></body></html>") == 0
