"""The page's own address printed under the story for copying: a label and the address, nothing else.

Templates print it in a box named "permalink" or "short-url"; an unseen template's names say nothing,
and the line stayed as the body's last paragraph. The fixture's boxes carry generated class names only.
"""

from __future__ import annotations

from pathlib import Path

from scrapers import boilerplate as bp
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_a_permalink_line_after_the_story_is_left_out() -> None:
    text = extract(
        (BODY / "permalink-line-after-story.html").read_bytes(),
        "https://radiolittoral.example/fr/terres-agricoles-delta",
    ).text
    assert text.startswith("Chaque année, le delta perd près de deux cents hectares")
    assert text.endswith("une aide pour acheter des semences adaptées.")
    assert "Permalien" not in text and "radiolittoral.example/p/" not in text


def test_only_a_label_and_an_address_make_the_line() -> None:
    for line in (
        "Permalink: https://www.example.org/news/2021/story.php",
        "Short-URL: https://mix.example/m57399",
        "Kurzlink: www.example.org/x",
        "Permalien https://p.example.com/p/RPYx",
    ):
        assert bp.boilerplate_text(line), line
    for line in (
        "Short URLs like https://t.example/x are everywhere now.",
        "Permalink",
        "The permalink https://example.org/a was shared ten thousand times.",
    ):
        assert not bp.boilerplate_text(line), line
