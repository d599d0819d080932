"""The site's colophon under a story, found by the site speaking of itself: publisher, masthead, tips."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_colophon import colophon_strength, drop_colophon
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_a_colophon_under_a_story_with_generated_names_is_left_out() -> None:
    text = extract(
        (BODY / "colophon-after-story.html").read_bytes(),
        "https://millbrookvalleynews.example/local/library-sunday-hours",
    ).text
    assert text.startswith("The Millbrook public library will open on Sunday afternoons")
    assert text.endswith("once it has a year of visitor counts.")
    for words in ("A publication by", "Our online news", "Come see us", "story tip", "Publisher", "Editor"):
        assert words not in text


def test_colophon_lines_in_four_languages() -> None:
    assert colophon_strength("A publication by the Riverbend Publishing Group.") == 2
    assert colophon_strength("Ein Angebot der Mediengruppe Oberland") == 2
    assert colophon_strength("Une publication du groupe Centre Presse") == 2
    assert colophon_strength("Editor: Lu Hui") == 2
    assert colophon_strength("Herausgeber: Jan Weber") == 2
    assert colophon_strength("Hinweise an die Redaktion bitte per E-Mail.") == 1
    assert colophon_strength("¿Tienes una noticia? Escríbenos.") == 1


def test_a_story_naming_editors_or_newspapers_keeps_its_lines() -> None:
    assert colophon_strength("Jane Smith, editor of the Herald, said the paper would close in May.") == 0
    assert colophon_strength("Director: Anne Fletcher") == 0  # a film's credits in a review
    # a lone line in the site's voice, with no other colophon line, stays
    story = ["The council met on Monday. " * 20, "Our newspaper first reported the plan in 1998."]
    assert drop_colophon(story) == story
