"""Other items set after the story as ``<article>`` elements of their own: an issue's contents, a teaser.

An ``<article>`` is, by the HTML standard, a self-contained composition: a post, a story, a card for
one. Templates give the story one, and each card of other content after it another ("Ausgabe 2/2022"
linked over "Themen der Ausgabe" and three one-line blurbs; a podcast's episode card). With familiar
names the cards are cut by their boxes; with unfamiliar ones a card whose headline is short or whose
blurbs are long escapes the teaser rules. The element says what it is whatever its class: a small
``<article>`` headed by a link to another page, set after the story's own ``<article>`` (without one,
after its last long paragraph), is another item's card. The story's ``<article>`` holds the long prose
and stays, and a page made mostly of such cards (a listing) keeps them: little is told outside them.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from scrapers.block_structure import prose_span
from scrapers.content import HEADINGS, Analysis

# A card holds at most this much text; the story outside the cards is longer than all of them.
ARTICLE_CARD_MAX_CHARS = 1200
ARTICLE_STORY_RATIO = 1.0
# The story's own ``<article>`` holds at least this share of the region's prose (the rest: furniture,
# other items' cards).
STORY_ARTICLE_SHARE = 1 / 3


def _linked_heading(el: HtmlElement) -> bool:
    """A heading of ``el`` links another page (a card's headline, an issue's name)."""
    for heading in el.iter(*HEADINGS):
        for a in heading.iter("a"):
            href = (a.get("href") or "").strip()
            if href and not href.startswith(("#", "javascript:", "mailto:")) and a.text_content().strip():
                return True
    return False


def article_cards(analysis: Analysis, root: HtmlElement) -> list[HtmlElement]:
    """The small ``<article>`` cards under ``root`` set after the story's last long paragraph."""
    top = analysis.index.get(root, -1)
    if top < 0 or not analysis.agg_link[top]:
        return []
    cards: list[HtmlElement] = []
    for el in root.iterdescendants("article"):
        i = analysis.index.get(el, -1)
        if i < 0 or any(card in cards for card in el.iterancestors("article")):
            continue
        if analysis.agg_text[i] + analysis.agg_link[i] <= ARTICLE_CARD_MAX_CHARS and _linked_heading(el):
            cards.append(el)
    if not cards:
        return []
    inside = {el for card in cards for el in card.iter()}
    end = _story_end(analysis, root, inside)
    if end < 0:
        return []
    after = [card for card in cards if analysis.index[card] > end]
    told = analysis.agg_good[top] - sum(analysis.agg_good[analysis.index[card]] for card in cards)
    cut = sum(
        analysis.agg_text[analysis.index[card]] + analysis.agg_link[analysis.index[card]] for card in after
    )
    if not after or told <= ARTICLE_STORY_RATIO * cut:
        return []
    return after


def _story_end(analysis: Analysis, root: HtmlElement, inside: set[HtmlElement]) -> int:
    """Index of the story's last element: the end of the ``<article>`` holding the most prose outside
    the cards, when the story has one (whatever follows it is another item), else the story's last long
    paragraph."""
    index = analysis.index
    story = max(
        (el for el in root.iterdescendants("article") if el not in inside and el in index),
        key=lambda el: analysis.agg_good[index[el]],
        default=None,
    )
    if (
        story is not None
        and analysis.agg_good[index[story]] >= STORY_ARTICLE_SHARE * analysis.agg_good[index[root]]
    ):
        return max(index.get(el, -1) for el in story.iter())
    return prose_span(analysis, root, inside)[1]
