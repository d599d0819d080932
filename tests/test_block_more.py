"""A label over other pieces after the story ends it, with the teasers under it, when little follows."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_more import ends_story, more_label
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_a_label_over_unlinked_teasers_after_the_story_ends_it() -> None:
    """ "Diese Beiträge solltest du nicht verpassen" over two teasers in boxes nothing names, with no
    link or heading a structural rule could key on."""
    text = extract(
        (BODY / "more-label-over-teasers-de.html").read_bytes(),
        "https://wandel-blog.example/handel/laeden-neu-erfinden/",
    ).text
    assert text.startswith("Der stationäre Handel steckt in der Krise.")
    assert text.endswith("und die Mieten in den Innenstädten sinken nur langsam.")
    assert "nicht verpassen" not in text and "Zigarettenhersteller" not in text and "Warenhäusern" not in text


def test_labels_in_four_languages_and_lines_that_are_no_label() -> None:
    for label in (
        ":: Relevantes aus dem gizmeo.eu-Archiv:",
        "Vorschau auf den nächsten Artikel",
        "Don't miss",
        "Dans la même rubrique",
        "También te puede interesar",
    ):
        assert more_label(label), label
    for line in (
        "Die nächsten Schritte",
        "Previous research",
        "Nicht verpassen sollte man den Sonnenuntergang.",
    ):
        assert not more_label(line), line


def test_a_label_with_a_long_text_under_it_does_not_end_the_story() -> None:
    assert ends_story("Don't miss", 900)
    assert not ends_story("Don't miss", 4000)
