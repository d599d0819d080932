"""Body rules of issue 7 measured on both dev sets, each held here to a page of the family it fixes.

Every fixture under ``fixtures/pages/body/`` is a page of a template family where the region finder
went wrong before the rule: the test asserts the story it gives now, and what it must leave out.
"""

from __future__ import annotations

from pathlib import Path

from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def _extract(name: str, url: str | None = None) -> str:
    return extract((BODY / name).read_bytes(), url).text


def test_a_story_rendered_from_a_script_template_is_read_from_its_noscript_copy() -> None:
    """Blogger sets the post in ``<script type=text/template>`` and again in ``<noscript>``: the stray
    sidebar line the finder settles on without them is not the story."""
    article = extract(
        (BODY / "blogger-noscript-template.html").read_bytes(),
        "https://engineering.harbourlab.example/2024/03/faster-builds.html",
    )
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Over the past year the time our continuous integration took")
    assert paragraphs[2].endswith("we are working on caching their build artefacts next.")
    assert "Give us feedback" not in article.text
    assert "insights from the engineers" not in article.text
    assert "body found in the page's <noscript> version" in article.warnings


def test_a_long_consent_dialog_does_not_make_the_page_wrapper_chrome() -> None:
    """Drupal wraps every page in ``dialog-off-canvas-main-canvas``; a cookie dialog (``sp-dsgvo``) that
    spells out each tracker in paragraphs outweighs the story, yet is not the page's prose."""
    text = _extract("consent-dialog-drupal.html", "https://weinwelt.example/wein/nordwein-wachstum")
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("Der Getränkekonzern Nordwein meldet für 2023")
    assert paragraphs[-1].startswith("Für das laufende Jahr rechnet der Vorstand")
    assert len(paragraphs) == 4
    assert "Dieser Dienst wird von uns eingesetzt" not in text
    assert "Google Analytics" not in text


def test_ruby_readings_printed_over_kanji_are_not_part_of_the_text() -> None:
    """Furigana (``<rt>``) are a reading aid set above the characters; read inline they double words."""
    text = _extract("ruby-furigana-ja.html", "https://news.example.jp/news/easy/k100/k100.html")
    assert text.startswith("子どもへの虐待をなくすための法律ができて、親が子どもを教育するために、")
    assert "児童相談所が守ることができなくて" in text
    assert "こども" not in text and "ぎゃくたい" not in text
