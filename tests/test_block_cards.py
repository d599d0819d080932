"""Teasers for other pages found by their links, whatever their boxes are named (issue 7):
``scrapers.block_cards``."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_cards import teaser_cards
from scrapers.extract import extract
from tests.block_support import STORY_PARAGRAPH, found_texts

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_teasers_linking_one_page_twice_are_left_out() -> None:
    """A podcast teaser between the story's paragraphs (a linked headline, an excerpt closed by
    "more") and a sponsored link under it (a headline, a line, the advertiser's address, both linked to
    the advertiser): both go, the five paragraphs stay (fails on main: both excerpts are kept)."""
    text = extract(
        (BODY / "teaser-repeated-links.html").read_bytes(), "https://northgate.example/news/ferry-timetable"
    ).text
    assert text.startswith("The island ferry will run four crossings a day")
    assert text.endswith("its planned depth of six metres.")
    assert "Every Friday our port reporter" not in text
    assert "Cut your energy bills" not in text
    assert len(text.split("\n\n")) == 5


def _cards(body: str) -> list[str]:
    return found_texts(body, teaser_cards)


_TEASER = (
    "<div class='b'><h3><a href='/news/bridge'>Bridge repairs to close the ring road in June</a></h3>"
    "<div><p>Drivers face three weeks of diversions while the east span is resurfaced, the city said. "
    "<a href='/news/bridge'>more</a></p></div></div>"
)


def test_a_teaser_within_the_story_is_found() -> None:
    """The teaser's headline and its closing "more" link the same other page."""
    cards = _cards(f"<div>{STORY_PARAGRAPH * 3}{_TEASER}{STORY_PARAGRAPH * 3}</div>")
    assert len(cards) == 1
    assert cards[0].startswith("Bridge repairs to close the ring road in June")
    assert cards[0].endswith("the city said. more")


def test_a_source_cited_twice_in_the_story_stays() -> None:
    """A story's section naming its source by a headline-long link and again within a sentence: the
    second link has words after it, so it closes no excerpt."""
    section = (
        "<div class='b'><p>The <a href='/reports/flood-review'>independent review of the winter floods</a> "
        "was published on Monday.</p><p>The <a href='/reports/flood-review'>review</a> found that the "
        "barrier was closed too late on both nights.</p></div>"
    )
    assert _cards(f"<div>{STORY_PARAGRAPH * 3}{section}{STORY_PARAGRAPH * 3}</div>") == []


def test_a_page_of_teasers_keeps_them() -> None:
    """Teasers that outweigh the rest of the page are its content (a section page, a blog's front
    page), not boxes beside a story."""
    assert _cards(f"<div>{STORY_PARAGRAPH}{_TEASER * 4}</div>") == []


def _sponsor(n: int) -> str:
    return (
        f"<dt><div><a href='https://ads.example/go?id={n}'><img src='/ads/{n}.png' width='60' height='40'>"
        f"</a></div></dt><dd><p><a href='https://ads.example/go?id={n}'>Sponsor {n}</a><br>Fitted kitchens "
        "and bathrooms at trade prices, free design visit in your home, finance available.</p></dd>"
    )


def test_thumbnail_teasers_in_one_list_are_found() -> None:
    """Sponsored links set as a list's neighbouring items (the thumbnail in a ``<dt>``, its title and
    line in the ``<dd>`` after it): every pair goes, though their common box is the whole list (fails
    on main: no box holds one teaser alone)."""
    cards = _cards(f"<div>{STORY_PARAGRAPH * 6}<dl>{''.join(_sponsor(n) for n in range(6))}</dl></div>")
    assert sorted(card[:9] for card in cards if card) == [f"Sponsor {n}" for n in range(6)]


def test_a_picture_beside_a_paragraph_citing_its_page_stays() -> None:
    """A story's picture linked to a report, and the next paragraph naming the report within a
    sentence: prose, not a thumbnail's title."""
    figure = (
        "<div><a href='/reports/flood-review'><img src='/flood.jpg' width='400' height='300'></a></div>"
        "<p>The <a href='/reports/flood-review'>review</a> found that the barrier was closed too late.</p>"
    )
    assert _cards(f"<div>{STORY_PARAGRAPH * 3}{figure}{STORY_PARAGRAPH * 3}</div>") == []
