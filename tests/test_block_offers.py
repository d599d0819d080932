"""Paywall and subscription offers set as lines of the body, found by their prices and words."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_offers import drop_offers
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"
STORY = ["A story paragraph that tells what happened, at some length and in sentences. " * 4] * 2


def test_an_offer_box_between_abstract_and_references_is_left_out() -> None:
    """A journal's access options in boxes nothing names: "Buy single article", a price, VAT, an annual
    subscription that renews itself; the abstract before and the references after stay."""
    text = extract(
        (BODY / "paywall-offer-lines.html").read_bytes(),
        "https://wardpractice.example/article/10.1234/jwp-2024-0117",
    ).text
    assert "Rotating night shifts disturb the sleep" in text
    assert "forward-rotating rosters" in text
    assert "Lindholm T, Okafor N." in text
    for leaked in (
        "Access options",
        "Buy single article",
        "34,95",
        "Price includes VAT",
        "auto renew",
        "89,00",
    ):
        assert leaked not in text


def test_prices_alone_or_per_period_in_four_languages() -> None:
    offer = ["Digital-Abo", "9,99 € / Monat", "Jederzeit kündbar", "Mehr erfahren"]
    assert drop_offers([*STORY, *offer]) == [*STORY, "Mehr erfahren"]
    assert drop_offers([*STORY, "Only $1 a week", "Cancel anytime. Billed monthly."]) == STORY
    assert drop_offers([*STORY, "Essai gratuit", "9,90 € par mois"]) == STORY
    assert drop_offers([*STORY, "Prueba gratuita", "4,99 € al mes"]) == STORY


def test_a_price_in_a_sentence_or_a_single_offer_line_stays() -> None:
    """A story quoting prices says more around them; one price line with no offer words beside it
    (a fact box's "Eintritt: 12 €") is not an offer."""
    sentence = "Tickets cost $45 a month for adults, the transit agency said, up from $40 last year."
    assert drop_offers([*STORY, sentence, "Free trial"]) == [*STORY, sentence, "Free trial"]
    assert drop_offers([*STORY, "12,00 €", STORY[0]]) == [*STORY, "12,00 €", STORY[0]]
