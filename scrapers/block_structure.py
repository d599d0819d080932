"""Structural cuts inside the chosen region: boxes found by their shape and place, not their names.

An unseen template names its boxes with words no list holds (or with generated hashes), so the class
and id rules in ``boilerplate`` miss its teaser lists and sponsored links. Their shape gives them away:
several sibling items of one kind, each a link (a headline, an advertiser) with at most a short line
beside it, set before the story's first paragraph of prose or after its last. A list inside the story
(sources, steps) has prose on both sides, and stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml.html import HtmlElement

from scrapers.content import HEADINGS, LONG_PARAGRAPH_CHARS, Analysis

# A run of teasers: this many sibling items of one tag and class, each holding a link of at least
# ``TEASER_MIN_LINK_CHARS`` and no more than ``TEASER_MAX_CHARS`` of text, with the link at least
# ``TEASER_MIN_LINK_SHARE`` of it.
TEASER_MIN_ITEMS = 3
TEASER_MIN_LINK_CHARS = 4
TEASER_MAX_CHARS = 300
TEASER_MIN_LINK_SHARE = 0.1
# A headline has at least this many words; an excerpt ends with an ellipsis.
TEASER_HEADLINE_WORDS = 4
ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)\s*\W{0,3}\s*$")


def _teaser_item(analysis: Analysis, i: int, max_chars: int = TEASER_MAX_CHARS) -> bool:
    """An item of a teaser list: a headline link (or an excerpt cut with an ellipsis) and at most a
    short line. A link of a name or a web address ("Jane Doe", "www.example.org") is a list of people
    or sources, which stories print too."""
    links, text = analysis.agg_link[i], analysis.agg_text[i]
    total = links + text
    el = analysis.elements[i]
    if not (links >= TEASER_MIN_LINK_CHARS and total <= max_chars and el.tag not in HEADINGS):
        return False
    if ELLIPSIS_END.search(el.text_content()):
        return True
    return links >= TEASER_MIN_LINK_SHARE * total and any(
        len(a.text_content().split()) >= TEASER_HEADLINE_WORDS for a in el.iter("a")
    )


def _runs_below(
    analysis: Analysis, root: HtmlElement, max_chars: int = TEASER_MAX_CHARS
) -> list[list[HtmlElement]]:
    """Sibling items of one tag and class that are all teaser items, ``TEASER_MIN_ITEMS`` or more."""
    return sibling_runs(analysis, root, TEASER_MIN_ITEMS, lambda i: _teaser_item(analysis, i, max_chars))


def sibling_runs(
    analysis: Analysis, root: HtmlElement, min_items: int, is_item: Callable[[int], bool]
) -> list[list[HtmlElement]]:
    """Runs of ``min_items`` or more sibling elements of one tag and class under ``root``, each passing
    ``is_item`` (given its analysis index): the shape every list of other stories shares, whatever
    its items hold."""
    index = analysis.index
    runs: list[list[HtmlElement]] = []
    for parent in root.iter():
        if len(parent) < min_items:
            continue
        kinds: dict[tuple[object, object], list[HtmlElement]] = {}
        for child in parent:
            i = index.get(child, -1)
            if i < 0 or analysis.chrome[i] or not analysis.agg_text[i] + analysis.agg_link[i]:
                continue
            kinds.setdefault((child.tag, child.get("class")), []).append(child)
        for items in kinds.values():
            if len(items) >= min_items and all(is_item(index[el]) for el in items):
                runs.append(items)
    return runs


def prose_span(analysis: Analysis, root: HtmlElement, outside: set[HtmlElement]) -> tuple[int, int]:
    """Indexes of the first and last long paragraphs of prose under ``root`` outside ``outside``
    (-1, -1 when there is none): the story's main text run."""
    index = analysis.index
    first = last = -1
    for el in root.iter():
        i = index.get(el, -1)
        if i < 0 or el in outside or analysis.chrome[i] or not analysis.good[i]:
            continue
        if analysis.text_chars[i] >= LONG_PARAGRAPH_CHARS:
            last = i
            if first < 0:
                first = i
    return first, last


def teaser_runs(analysis: Analysis, root: HtmlElement) -> list[HtmlElement]:
    """The items of every teaser run under ``root`` set wholly before the story's first long paragraph
    or after its last one: other stories listed above or below it, never a list within it."""
    runs = _runs_below(analysis, root)
    if not runs:
        return []
    inside = {el for run in runs for item in run for el in item.iter()}
    first, last = prose_span(analysis, root, inside)
    return [item for run in runs if _outside_span(analysis, run, first, last) for item in run]


def _outside_span(analysis: Analysis, run: list[HtmlElement], first: int, last: int) -> bool:
    index = analysis.index
    start = index[run[0]]
    end = index[run[-1]]
    return start > last or (first >= 0 and end < first)


# A region whose prose sits mostly in teaser items is a list of other stories ("Must read", "More
# headlines") that outweighs a short story elsewhere on the page.
TEASER_REGION_SHARE = 0.6
# Its items may carry a longer excerpt than a run beside a story, and its links are at least this share of
# its prose (teasers holding 60% of it, each at least a tenth link).
TEASER_BOX_MAX_CHARS = 500
TEASER_BOX_MIN_LINK_SHARE = 0.05


def teaser_box(analysis: Analysis, root: HtmlElement, good_chars: int) -> list[HtmlElement]:
    """The teaser items of ``root`` when they hold at least ``TEASER_REGION_SHARE`` of its prose (the
    region found is a box of other stories), else an empty list."""
    i = analysis.index[root]
    if analysis.agg_link[i] < TEASER_BOX_MIN_LINK_SHARE * good_chars:
        return []  # too few links for most of its prose to sit in linked teasers: a story, not a list
    items = [item for run in _runs_below(analysis, root, TEASER_BOX_MAX_CHARS) for item in run]
    held = sum(analysis.agg_good[analysis.index[item]] for item in items)
    return items if items and held >= TEASER_REGION_SHARE * good_chars else []
