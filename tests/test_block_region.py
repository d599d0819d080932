"""The region choice on unseen templates (issue 7): boxes the page keeps out of sight.

The fixture's boxes carry no class or id a rule could lean on: a short news story, and after the page a
pop-up (``role=dialog``, ``aria-hidden``) whose programme text holds more paragraphs than the story.
"""

from __future__ import annotations

from pathlib import Path

from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_a_hidden_dialog_with_more_prose_than_the_story_is_not_the_story() -> None:
    article = extract(
        (BODY / "story-beside-hidden-dialog.html").read_bytes(), "https://news.example/news/trade-fair/"
    )
    text = article.text
    assert text.startswith("Participants at next month's regional trade fair")
    assert text.endswith("half of the exhibition space has already been booked.")
    assert "INTRODUCTION" not in text
    assert "officer training programme" not in text


def test_a_hidden_dialog_that_holds_the_page_is_still_read() -> None:
    """A page that ships its only text in a dialog it opens by script keeps that text as the body."""
    html = (BODY / "story-beside-hidden-dialog.html").read_text("utf-8")
    start, end = html.index("<h1>"), html.index('<div role="dialog"')
    only_dialog = html[:start] + "</div></div></div>" + html[end:]
    text = extract(only_dialog, "https://news.example/news/training/").text
    assert "The officer training programme provides basic military officer training" in text
