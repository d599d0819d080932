"""Article tools left between a story's paragraphs under unseen names (issue 7): "Font:" over a text-size
widget, "Printer friendly page"; ``scrapers.boilerplate.tool_text`` read below the story's head too."""

from __future__ import annotations

from pathlib import Path

from scrapers.boilerplate import label_text
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_tool_lines_between_paragraphs_are_left_out() -> None:
    """Fails on main: the tool lines were dropped only above the story's first paragraph of prose."""
    text = extract(
        (BODY / "tool-lines-between-paragraphs.html").read_bytes(), "https://valleypost.example/news/pass"
    ).text
    assert text.startswith("The highway over the pass stayed closed on Wednesday")
    assert text.endswith("a risk of flooding on the smaller rivers.")
    assert "Font" not in text and "Printer friendly" not in text
    assert len(text.split("\n\n")) == 4


def test_a_line_only_naming_a_tool_is_a_label_and_a_sentence_is_not() -> None:
    for line in ("Font:", "Printer friendly page", "Text size", "Send to a friend"):
        assert label_text(line), line
    for line in ("Font of wisdom", "Fonts matter: a designer on the new signs", "Print runs fell by half."):
        assert not label_text(line), line
