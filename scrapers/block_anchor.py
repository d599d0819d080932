"""The story's anchor: the page's own description, printed as the story's opening paragraph.

The region finder weighs prose by its amount and by the names of its boxes. With an unseen template's
names nothing marks the sidebar's long disclaimer, a pop-up's hidden text or a blog's widget as chrome,
and a short story loses to the biggest block of text on the page. The page says where its story starts:
most CMSs write the ``description`` (or ``og:description``) from the story's first words, and the story's
first paragraph opens with them. When that paragraph sits apart from the chosen region (neither inside
it nor above it, as a standfirst would), the region is the wrong block of text, and the best container
around the anchor is the story.

The description is checked against the page before it is trusted: it must be long enough to be a
sentence (a site's slogan is a few words), the paragraph must open with it and read as prose, and only
one paragraph may do so (a list of teasers repeating it is no anchor).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import compress

from lxml.html import HtmlElement

from scrapers.content import INLINE_TAGS, LEAF_BLOCKS, Analysis, Region, is_descendant, region_at

# The description's opening words that the anchor paragraph must open with: enough that only the
# story's own first sentence matches, few enough to stop before a CMS's cut ("…") or rewording.
ANCHOR_WORDS = 8
# Letters of those words together: "Home | News | Sport" holds eight words but no sentence.
ANCHOR_MIN_CHARS = 24
# A short first paragraph holds at least this much of the key: five words, a line of prose.
ANCHOR_MIN_WORDS = 5
ANCHOR_MIN_SHORT_CHARS = 25
# The container around the anchor holds at least this share of the region's prose: a story the region
# finder passed over for a bigger block of other text, not a standfirst set apart from its body.
ANCHOR_MIN_SHARE = 0.5
# How far into the paragraph's words the opening may start (a dateline or a bold kicker before it).
ANCHOR_OFFSET_WORDS = 6

_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _anchor_key(description: str | None) -> tuple[str, ...] | None:
    if not description:
        return None
    words = _words(description)[:ANCHOR_WORDS]
    if len(words) < ANCHOR_WORDS or sum(map(len, words)) < ANCHOR_MIN_CHARS:
        return None
    return tuple(words)


def _opens_with(words: list[str], key: tuple[str, ...]) -> bool:
    """``words`` open with ``key`` (after a few words of dateline at most), or with as much of it as
    they hold: a short first paragraph ("The city stands dark and silent…") is the key's start."""
    first = key[0]
    for start in range(min(ANCHOR_OFFSET_WORDS + 1, len(words))):
        if words[start] != first:
            continue
        n = min(len(key), len(words) - start)
        long_enough = n >= ANCHOR_MIN_WORDS and sum(map(len, key[:n])) >= ANCHOR_MIN_SHORT_CHARS
        if long_enough and tuple(words[start : start + n]) == key[:n]:
            return True
    return False


def _anchor_block(analysis: Analysis, key: tuple[str, ...]) -> int:
    """The one prose block opening with ``key``, or -1 (none, or several).

    Only blocks whose first words hold the key's first word are read whole: the opening sits in the
    block's own text or in its first child (a bold kicker, a dateline).
    """
    found = -1
    chrome, elements = analysis.chrome, analysis.elements
    first = key[0]
    for i in compress(range(len(elements)), analysis.good):
        if chrome[i]:
            continue
        el = elements[i]
        start = el.text or ""
        if len(el) and el[0].text:
            start = start + " " + el[0].text
        if first not in start.casefold():
            continue
        if _opens_with(_words(el.text_content()), key):
            if found >= 0:
                return -1
            found = i
    return found


def opens_like_description(description: str | None) -> Callable[[HtmlElement], bool] | None:
    """A test for the block that opens with the page's description, or None when the description is no
    sentence to test with.

    ``content.lead_blocks`` asks it of a block under the headline that its box marks as chrome: a
    standfirst set in a highlighted header box beside the author's photo reads as that photo's caption,
    yet it is the text the CMS wrote the description from, and so the story's own opening.
    """
    key = _anchor_key(description)
    if key is None:
        return None
    return lambda el: _opens_with(_words(el.text_content()), key)


def _best_around(analysis: Analysis, block: int, region: int) -> int:
    """The best-scoring container among the anchor's ancestors that lie apart from the region, by the
    region finder's own scores: a container holding both is the page, or the story with its comments."""
    best, best_score = -1, 0.0
    i = analysis.parent[block]
    while i >= 0 and not is_descendant(analysis, region, i):
        tag = analysis.elements[i].tag
        usable = not analysis.chrome[i] and tag not in LEAF_BLOCKS and tag not in INLINE_TAGS
        if usable and analysis.score[i] > best_score:
            best, best_score = i, analysis.score[i]
        i = analysis.parent[i]
    return best


def anchored_region(analysis: Analysis, region: Region, description: str | None) -> Region:
    """``region``, or the container around the story's opening paragraph when the region lies apart
    from it."""
    if region.good_chars * (1 + ANCHOR_MIN_SHARE) > region.page_good_chars:
        return region  # no room beside the region for a story holding half its prose: nothing to find
    key = _anchor_key(description)
    if key is None:
        return region
    block = _anchor_block(analysis, key)
    if block < 0 or is_descendant(analysis, block, region.index):
        return region
    best = _best_around(analysis, block, region.index)
    if best < 0 or analysis.agg_good[best] < ANCHOR_MIN_SHARE * region.good_chars:
        return region  # a standfirst's box above the body: too little prose to be the story lost
    return region_at(analysis, best)
