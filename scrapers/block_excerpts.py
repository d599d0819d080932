"""Teasers with long excerpts after the story: linked headlines, each over an excerpt cut with "…".

``block_structure`` finds runs of short teasers (at most 300 chars) and ``block_cards`` runs of cards
under linked headings. A related-posts list in plain ``<li>`` items ("Weiterführende Artikel zu diesem
Thema": a link to the other post, then the first two sentences of it, cut with "...") is neither: each
item is longer than a short teaser and its headline is a link, not a heading. With familiar names the
list is cut by its box; with unfamiliar ones its shape still gives it away: several sibling items of one
kind, each holding a link and ending in an ellipsis, set after the story's last long paragraph. A story's
own list of quotes or sources does not end every item with "…", and has prose after it.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml.html import HtmlElement

from scrapers.block_structure import ELLIPSIS_END, prose_span, sibling_runs
from scrapers.content import HEADINGS, Analysis

# A run is this many sibling items of one tag and class, each up to this much text with a link of at
# least ``EXCERPT_MIN_LINK_CHARS`` and its text cut with an ellipsis.
EXCERPT_MIN_ITEMS = 3
EXCERPT_MAX_CHARS = 700
EXCERPT_MIN_LINK_CHARS = 4


def _excerpt_item(analysis: Analysis, i: int) -> bool:
    links, text = analysis.agg_link[i], analysis.agg_text[i]
    el = analysis.elements[i]
    if links < EXCERPT_MIN_LINK_CHARS or links + text > EXCERPT_MAX_CHARS or el.tag in HEADINGS:
        return False
    return ELLIPSIS_END.search(el.text_content()) is not None


def excerpt_runs(analysis: Analysis, root: HtmlElement) -> list[HtmlElement]:
    """The items of every run of linked excerpts under ``root`` set after the story's last long
    paragraph outside them."""
    top = analysis.index.get(root, -1)
    if top < 0 or not analysis.agg_link[top]:
        return []
    content = root.text_content()  # one walk in C before the per-element one: most regions cut nothing
    if "..." not in content and "…" not in content:
        return []
    runs, _, last = runs_beside_prose(analysis, root, EXCERPT_MIN_ITEMS, lambda i: _excerpt_item(analysis, i))
    if not runs or last < 0:
        return []
    return [item for run in runs if analysis.index[run[0]] > last for item in run]


def runs_beside_prose(
    analysis: Analysis, root: HtmlElement, min_items: int, is_item: Callable[[int], bool]
) -> tuple[list[list[HtmlElement]], int, int]:
    """The runs of ``min_items`` or more sibling items under ``root`` passing ``is_item``, with the
    indexes of the first and last long paragraphs of the prose outside them (-1, -1 when there is
    none): where a list of other content sits against the story decides whether it goes."""
    runs = sibling_runs(analysis, root, min_items, is_item)
    if not runs:
        return [], -1, -1
    inside = {el for run in runs for item in run for el in item.iter()}
    first, last = prose_span(analysis, root, inside)
    return runs, first, last
