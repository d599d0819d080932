"""Small ``<article>`` cards of other items after the story, found by the element and its linked heading."""

from __future__ import annotations

from pathlib import Path

from lxml.html import fromstring

from scrapers.block_articles import article_cards
from scrapers.content import analyse
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"
STORY = "<p>" + "A story paragraph that tells what happened, at some length and in sentences. " * 3 + "</p>"
CARD = (
    '<article><h3><a href="/other/{0}/">Another item {0}</a></h3>'
    "<p>A blurb of the other item, one line of it, set under its headline.</p></article>"
)


def test_an_issue_contents_card_after_the_story_is_left_out() -> None:
    text = extract(
        (BODY / "issue-contents-card-after-story.html").read_bytes(),
        "https://rebenblatt.example/wein/genossenschaften-melden-kleinere-ernte",
    ).text
    assert text.startswith("Die Winzergenossenschaften im Land haben in diesem Herbst")
    assert text.endswith("dessen Ernte besonders gelitten habe.")
    for leaked in ("Themen der Ausgabe", "WeinKöpfe", "Assyrtiko", "Weinhändler des Jahres"):
        assert leaked not in text


def _cards(html: str) -> int:
    root = fromstring(html)
    analysis = analyse(root)
    return len(article_cards(analysis, root.find(".//div")))


def test_the_storys_own_article_and_a_listing_of_cards_stay() -> None:
    cards = "".join(CARD.format(n) for n in range(3))
    assert _cards(f"<html><body><div>{STORY * 3}{cards}</div></body></html>") == 3
    # cards before more of the story are within it (an embedded post), and stay
    assert _cards(f"<html><body><div>{STORY}{cards}{STORY * 2}</div></body></html>") == 0
    # the story in its own article under a permalink heading: long, so no card
    own = f'<article><h2><a href="/this-story/">This story</a></h2>{STORY * 12}</article>'
    assert _cards(f"<html><body><div>{own}{cards}</div></body></html>") == 3
    # a listing: the cards outweigh the few words outside them
    many = "".join(CARD.format(n) for n in range(8))
    assert _cards(f"<html><body><div>{STORY}{many}</div></body></html>") == 0
