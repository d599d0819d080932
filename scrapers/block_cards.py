"""Teaser cards after the story: a linked headline with at most a short excerpt, one or two of them.

``block_structure`` finds runs of three or more teasers of one kind. A template that sets one or two
cards of other stories under the story ("Mehr über Medien": a linked ``<h2>`` and a two-line excerpt),
or gives each card a class of its own (a post id among its class tokens), leaves no run to find, and
with unfamiliar names nothing else gives the cards away. Their shape does: a heading that is mostly a
link to another page, in a small box of its own, set after the story's last long paragraph. A story's
own subheads are not links, and a list of linked items within the story has prose after it, so both
stay; a page that is mostly such cards (a listicle of linked entries) keeps them too.

A teaser needs no linked heading to show itself: it links the page it advertises twice, once by its
headline or picture and again by a label closing its excerpt ("mehr", "weiter lesen", an advertiser's
address). A story cites its sources inside sentences, and never sets a box whose two links lead to one
other page with nothing but an excerpt between them, so such a box goes wherever it sits: a podcast's
card between the paragraphs, a sponsored link under them.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from scrapers.block_structure import TEASER_HEADLINE_WORDS, prose_span
from scrapers.content import HEADINGS, Analysis

# A card holds at most this much text, headline included, and a single linked heading.
CARD_MAX_CHARS = 400
# Cards are cut only when the story before them is longer than all of them together.
CARD_STORY_RATIO = 1.0
# Cards set side by side as a run, this many sibling boxes of one tag each holding one linked heading, may
# carry a longer excerpt ("Keep reading": a headline, a paragraph of the story, "Read more", a byline).
RUN_MIN_CARDS = 3
RUN_CARD_MAX_CHARS = 900


def _card_of(analysis: Analysis, i: int, root: int, max_chars: int = CARD_MAX_CHARS) -> int:
    """The largest box above the linked heading ``i``, below ``root``, that holds no other linked
    heading and at most ``max_chars`` of text (the heading itself when its parent is larger)."""
    parent, agg_text, agg_link, linked = (
        analysis.parent,
        analysis.agg_text,
        analysis.agg_link,
        analysis.linked_headings,
    )
    card, up = i, parent[i]
    while up > root and linked[up] == 1 and agg_text[up] + agg_link[up] <= max_chars:
        card, up = up, parent[up]
    return card if up >= root else -1


def _headline_link(a: HtmlElement) -> bool:
    """A link to another page worded like a headline; a section's label ("Global Affiliate Network")
    linked to its own page is shorter."""
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:")):
        return False
    return len(a.text_content().split()) >= TEASER_HEADLINE_WORDS


def _linked_headings(analysis: Analysis, root: HtmlElement, first: int) -> list[int]:
    """Indexes of the headings under ``root`` that are mostly a link to another page."""
    found = []
    for el in root.iter(*HEADINGS):
        i = analysis.index.get(el, -1)
        if i <= first or analysis.chrome[i] or analysis.linked_headings[i] != 1:
            continue
        if any(_headline_link(a) for a in el.iter("a")):
            found.append(i)
    return found


def _card_run(analysis: Analysis, headings: list[int], top: int) -> set[int]:
    """The boxes of every run of ``RUN_MIN_CARDS`` or more sibling cards of one tag, each up to
    ``RUN_CARD_MAX_CHARS``: a list of other stories whose excerpts are longer than a lone card's."""
    by_parent: dict[tuple[int, object], list[int]] = {}
    for i in headings:
        card = _card_of(analysis, i, top, RUN_CARD_MAX_CHARS)
        if card > top:
            key = (analysis.parent[card], analysis.elements[card].tag)
            by_parent.setdefault(key, []).append(card)
    return {card for run in by_parent.values() if len(set(run)) >= RUN_MIN_CARDS for card in run}


def _block_of(analysis: Analysis, el: HtmlElement) -> int:
    """Index of the nearest block at or above ``el``."""
    for up in (el, *el.iterancestors()):
        i = analysis.index.get(up, -1)
        if i >= 0 and analysis.is_block[i]:
            return i
    return -1


def _common_box(analysis: Analysis, first: int, second: int) -> int:
    """The smallest element holding both elements (by index), or -1."""
    parent = analysis.parent
    above = set()
    i = first
    while i >= 0:
        above.add(i)
        i = parent[i]
    i = second
    while i >= 0 and i not in above:
        i = parent[i]
    return i


def _closes(block: int, a: HtmlElement, analysis: Analysis) -> bool:
    """A link that no text follows before the next block or line break: a label closing an excerpt
    ("mehr", "Read more", "weiter lesen", "→", a display address), or a title on a line of its own. A
    link within a sentence ("the report says") is prose citing its source."""
    if block < 0 or not a.text_content().strip():
        return False
    el, top = a, analysis.elements[block]
    while el is not top:
        after = el.getnext()
        if (el.tail or "").strip() or (
            after is not None and after.tag != "br" and not analysis.is_block[analysis.index.get(after, 0)]
        ):
            return False
        el = el.getparent()
    return True


def _pairs(analysis: Analysis, links: list[HtmlElement]) -> list[tuple[int, int]]:
    """(lead, label) blocks of a teaser among ``links`` to one page: a picture alone and a link closing
    another block, or a headline and a label (at most ``REPEAT_LABEL_WORDS`` words) closing another."""
    pairs = []
    closing = [
        (i, len(a.text_content().split())) for a in links if _closes(i := _block_of(analysis, a), a, analysis)
    ]
    for a in links:
        lead = _block_of(analysis, a)
        words = len(a.text_content().split())
        picture = not words and next(a.iter("img"), None) is not None
        if lead < 0 or not (picture or words >= TEASER_HEADLINE_WORDS):
            continue
        pairs += [
            (lead, label) for label, n in closing if label != lead and (picture or n <= REPEAT_LABEL_WORDS)
        ]
    return pairs


def _child_towards(analysis: Analysis, box: int, i: int) -> int:
    """The child of ``box`` that holds element ``i``."""
    parent = analysis.parent
    while i >= 0 and parent[i] != box:
        i = parent[i]
    return i


def _picture_beside(analysis: Analysis, box: int, pair: tuple[int, int]) -> tuple[int, ...]:
    """A thumbnail and its text set as two neighbouring items of a larger box (a ``<dt>`` holding a linked
    picture, the ``<dd>`` after it): both items, when the first holds the picture alone, else nothing.
    Two neighbouring paragraphs of a story linking one page are prose; a picture with no words is not."""
    lead, label = (_child_towards(analysis, box, i) for i in pair)
    if lead < 0 or label < 0 or analysis.agg_text[lead] + analysis.agg_link[lead]:
        return ()
    first, second = analysis.elements[lead], analysis.elements[label]
    if (
        first.getnext() is not second
        or analysis.agg_text[label] + analysis.agg_link[label] > REPEAT_CARD_MAX_CHARS
    ):
        return ()
    return lead, label


def repeated_link_cards(analysis: Analysis, root: HtmlElement) -> list[HtmlElement]:
    """Boxes under ``root`` that link one other page twice from two of their blocks, by a headline or a
    picture and again by a label: a teaser (a picture or a headline, an excerpt, "mehr"), wherever it
    sits in the story."""
    top = analysis.index.get(root, -1)
    if top < 0 or not analysis.agg_link[top]:
        return []
    by_href: dict[str, list[HtmlElement]] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:", "mailto:")):
            by_href.setdefault(href, []).append(a)
    boxes: set[int] = set()
    for links in by_href.values():
        pairs = _pairs(analysis, links) if 2 <= len(links) <= 3 else []
        if not pairs:
            continue  # one paragraph citing a page twice is prose
        box = _common_box(analysis, *pairs[0])
        if box > top and analysis.agg_text[box] + analysis.agg_link[box] <= REPEAT_CARD_MAX_CHARS:
            boxes.add(box)
        else:
            boxes.update(_picture_beside(analysis, box, pairs[0]))
    if not boxes:
        return []
    elements = analysis.elements
    inside = {el for box in boxes for el in elements[box].iter()}
    _, last = prose_span(analysis, root, inside)
    story = analysis.agg_good[top] - sum(analysis.agg_good[box] for box in boxes)
    after = sum(analysis.agg_good[box] for box in boxes if box > last)
    within = sum(analysis.agg_good[box] for box in boxes if box <= last)
    if story < CARD_STORY_RATIO * after + REPEAT_WITHIN_RATIO * within:
        return []  # mostly such boxes: a list of teasers is this page's content
    return [elements[box] for box in boxes]


# A repeated-link teaser: at most this much text, its label link at most this many words, and the story
# outside the boxes at least this many times the prose of those set before or within it (after it, as for
# the cards above).
REPEAT_CARD_MAX_CHARS = 600
REPEAT_LABEL_WORDS = 3
REPEAT_WITHIN_RATIO = 4.0


def teaser_cards(analysis: Analysis, root: HtmlElement) -> list[HtmlElement]:
    """The cards under ``root`` set after the story's last long paragraph outside every card."""
    top = analysis.index.get(root, -1)
    repeated = repeated_link_cards(analysis, root)
    if top < 0 or not analysis.linked_headings[top]:
        return repeated
    headings = _linked_headings(analysis, root, top)
    cards = {card for i in headings if (card := _card_of(analysis, i, top)) >= 0} | _card_run(
        analysis, headings, top
    )
    if not cards:
        return repeated
    elements = analysis.elements
    inside = {el for card in cards for el in elements[card].iter()}
    _, last = prose_span(analysis, root, inside)
    after = [card for card in sorted(cards) if card > last]
    if last < 0 or not after:
        return repeated
    told = sum(
        analysis.text_chars[i] for i in range(top, last + 1) if analysis.good[i] and elements[i] not in inside
    )
    cut = sum(analysis.agg_text[card] + analysis.agg_link[card] for card in after)
    if told <= CARD_STORY_RATIO * cut:
        return repeated
    return [elements[card] for card in after] + repeated
