"""What an ad slot leaves in the text under unseen names (issue 7): its label and the "story continues
below" marker, alone in their boxes between paragraphs; ``scrapers.boilerplate.label_text``."""

from __future__ import annotations

from pathlib import Path

from scrapers.boilerplate import label_text
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_ad_slot_labels_between_paragraphs_are_left_out() -> None:
    """A label drawn between rules ("--- advertisement ---") and a "Story continues below" marker in
    boxes with generated names; the story keeps its five paragraphs (fails on main: both lines kept)."""
    text = extract(
        (BODY / "ad-slot-lines.html").read_bytes(), "https://harbourherald.example/news/ferry-winter"
    ).text
    assert text.startswith("The island ferry will run four crossings a day")
    assert text.endswith("residents would hold the operator to that promise.")
    assert "advertisement" not in text.casefold() and "continues below" not in text
    assert len(text.split("\n\n")) == 5


def test_ad_slot_lines_in_several_spellings_and_languages() -> None:
    for line in (
        "--- advertisement ---",
        "Story continues below advertisement",
        "ADVERTISEMENT - CONTINUE READING BELOW",
        "Continue reading the main story",
        "- Anzeige -",
        "Artikel wird nach der Anzeige fortgesetzt",
        "La suite après cette publicité",
        "Publicidad",
    ):
        assert label_text(line), line


def test_a_sentence_about_advertising_is_no_slot_line() -> None:
    for line in (
        "The ad campaign ran for weeks.",
        "Advertising revenue fell 5%.",
        "Werbung wirkt.",
        "Ads by the council will run until May",
    ):
        assert not label_text(line), line
