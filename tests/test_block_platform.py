"""A blog platform's like and share widget lines and its post footer, found by their fixed words."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_platform import drop_platform_lines, platform_line
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_widget_lines_under_a_post_with_generated_names_are_left_out() -> None:
    text = extract(
        (BODY / "like-share-widget-lines-de.html").read_bytes(),
        "https://unterwegs-im-viertel.example/2019/10/drei-wochen-ohne-auto/",
    ).text
    assert text.startswith("Als im Oktober die Werkstatt anrief")
    assert text.endswith("und das ist seltener, als ich geglaubt hätte.")
    for line in ("Gefällt mir", "Wird geladen", "Mit Freunden teilen", "Eingestellt von"):
        assert line not in text


def test_widget_lines_in_four_languages() -> None:
    assert platform_line("Gefällt mir Wird geladen …", None)
    assert platform_line("Like Loading...", None)
    assert platform_line("J'aime chargement…", None)
    assert platform_line("Me gusta Cargando...", None)
    assert platform_line("Like this:", "Like Loading...")
    assert platform_line("Share with friends", None)
    assert platform_line("Compartir con tus amigos", None)
    assert platform_line("Posted by Anna at 9:11 PM", None)
    assert platform_line("Publié par Marie à 21:11", None)


def test_a_story_using_the_words_keeps_them() -> None:
    # "like this:" introducing an example is no widget label when no like button follows it
    assert not platform_line("Like this:", "for line in lines: print(line)")
    assert not platform_line("Der Beitrag gefällt mir, sagte die Ministerin am Montag.", None)
    assert not platform_line(
        "Posted by the company at 9:11 p.m., the statement was deleted an hour later.", None
    )
    kept = ["Write it like this:", "x = 1", "and the loop ends."]
    assert drop_platform_lines(kept) == kept
