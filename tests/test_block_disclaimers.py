"""The site's disclaimers and legal lines under a story, found by what they say about the site."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_disclaimers import disclaimer_line
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_disclaimers_notes_and_licence_after_a_story_are_left_out() -> None:
    text = extract(
        (BODY / "disclaimers-after-story.html").read_bytes(),
        "https://baysidereporter.example/news/harbor-avenue-bike-lanes",
    ).text
    assert text.startswith("The Bayside city council voted 6-1 on Tuesday night")
    assert text.endswith("will report on the lanes' use after their first full year.")
    for leaked in ("advertising disclaimer", "Disclaimer (varies", "Corrections:", "Creative Commons"):
        assert leaked not in text


def test_labelled_disclaimers_in_four_languages() -> None:
    assert disclaimer_line("Disclaimer: The responses below are not provided or commissioned by the bank.")
    assert disclaimer_line("Advertising Disclosure")
    assert disclaimer_line("Haftungsausschluss: Alle Angaben ohne Gewähr.")
    assert disclaimer_line(
        "Avertissement : les informations publiées sur ce site sont fournies à titre indicatif."
    )
    assert disclaimer_line("Aviso legal: este sitio no se hace responsable de las opiniones de sus lectores.")
    assert disclaimer_line(
        "Texte auf dieser Webseite stehen unter einer Creative Commons Namensnennung 3.0 Unported Lizenz."
    )
    assert disclaimer_line("The views expressed in this column are the author's own.")


def test_a_story_about_a_disclaimer_or_a_licence_stays() -> None:
    assert not disclaimer_line(
        "The bank added a disclaimer to its loan offers after regulators complained in March."
    )
    assert not disclaimer_line(
        "Wikipedia's texts are published under a Creative Commons licence, the foundation said."
    )
    assert not disclaimer_line("Corrections to the budget were approved by the council on Monday.")


def test_reproduction_terms_under_wire_copy_are_left_out() -> None:
    text = extract(
        (BODY / "wire-reproduction-terms.html").read_bytes(),
        "https://northgatewire.example/markets/metals/copper-three-month-high",
    ).text
    assert text.startswith("LONDON, Jan 9 - Copper rose to its highest in three months")
    assert "demand from Chinese cable makers remained firm." in text
    assert "expressly prohibited" not in text and "All rights reserved" not in text


def test_reproduction_terms_in_four_languages() -> None:
    assert disclaimer_line(
        "The copying, republication or redistribution of AFX News Content, including by framing or similar "
        "means, is expressly prohibited without the prior written consent of AFX News."
    )
    assert disclaimer_line("Nachdruck und Weiterverbreitung der Inhalte nur mit schriftlicher Genehmigung.")
    assert disclaimer_line("Toute reproduction des contenus de ce site est strictement interdite.")
    assert disclaimer_line("Queda prohibida la reproducción total o parcial de los contenidos de este sitio.")


def test_a_story_about_a_copyright_case_stays() -> None:
    assert not disclaimer_line(
        "The court ruled that the republication of the photos without the photographer's permission was unlawful."
    )
    assert not disclaimer_line(
        "Reproduction of the painting was prohibited by the museum until 1990, when the heirs agreed to it."
    )
