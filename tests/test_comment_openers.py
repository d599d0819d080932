"""The comment form's and thread's openers blog engines print in German, French and Spanish end the story.

``boilerplate.tail_start_text`` knew "Leave a Reply" and "Write a comment"; an unseen template's comment
box, its names hashed, leaves "Schreibe einen Kommentar" and what follows it (a teaser, the thread) in
the body. The fixture's boxes carry generated class names only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers import boilerplate as bp
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_a_german_comment_form_heading_ends_the_story() -> None:
    text = extract(
        (BODY / "comment-form-opener-de.html").read_bytes(),
        "https://gruenzeug.example/pflanzen/zimmerpflanzen-im-winter",
    ).text
    assert text.startswith("Im Winter wachsen die meisten Zimmerpflanzen kaum.")
    assert text.endswith("vom knappen Tageslicht schluckt.")
    assert "Kommentar" not in text and "Wussten Sie schon" not in text


@pytest.mark.parametrize(
    "line",
    [
        "Schreibe einen Kommentar",
        "Schreibe einen Kommentar Antwort abbrechen",
        "Einen Kommentar schreiben",
        "Hinterlasse eine Antwort",
        "Ein Gedanke zu „Zimmerpflanzen im Winter“",
        "0Alle Kommentare anzeigen",
        "Laisser un commentaire",
        "Deja un comentario",
        "Deja una respuesta",
    ],
)
def test_comment_openers_in_three_languages(line: str) -> None:
    assert bp.tail_start_text(line)


@pytest.mark.parametrize(
    "line",
    [
        "Kommentar schreiben: Bitte beachten Sie unsere Regeln, bevor Sie posten.",
        "Der Minister wollte keinen Kommentar abgeben.",
        "Sie schreibe einen Kommentar für die Zeitung, sagte die Autorin.",
        "Alle Kommentare, die wir bekamen, waren freundlich.",
    ],
)
def test_sentences_about_comments_do_not_end_the_story(line: str) -> None:
    assert not bp.tail_start_text(line)
