"""Dated link entries beside the story: a list of other reports, each a link and the time it was filed.

``block_structure`` knows a teaser run by its headline links of four words or more; a desk's list of its
latest reports ("Special Coverage": "Central Banks: BoJ - <a>November 13th Meeting Review</a> by
FXstreet.com / Nov 13, 09:14 GMT") links shorter titles, and with unfamiliar names nothing else gives the
list away. The stamp does: several sibling items of one kind, each a link to another page with the date
or time it was filed and at most a short line beside, set before the story's first long paragraph or
after its last. Items of a story's own list (steps, sources, quotes) carry no filing stamp each, and a
list within the story has prose on both sides, so both stay.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from scrapers import boilerplate as bp
from scrapers.block_excerpts import runs_beside_prose
from scrapers.block_structure import TEASER_MAX_CHARS, TEASER_MIN_ITEMS, _outside_span
from scrapers.content import HEADINGS, Analysis

# Each entry links at least this much of its text (the rest: a label, the source, the stamp).
ENTRY_MIN_LINK_SHARE = 0.2


def _dated_entry(analysis: Analysis, i: int) -> bool:
    """A short item holding a link to another page and the stamp of when it was filed."""
    links, text = analysis.agg_link[i], analysis.agg_text[i]
    el = analysis.elements[i]
    if el.tag in HEADINGS or not links or links + text > TEASER_MAX_CHARS:
        return False
    if links < ENTRY_MIN_LINK_SHARE * (links + text):
        return False
    hrefs = ((a.get("href") or "").strip() for a in el.iter("a"))
    if not any(href and not href.startswith(("#", "javascript:", "mailto:")) for href in hrefs):
        return False  # an anchor within the page or a mail address files no other report
    return bp.stamped_text(el.text_content())


def dated_entry_runs(analysis: Analysis, root: HtmlElement) -> list[HtmlElement]:
    """The items of every run of dated link entries under ``root`` set wholly before the story's first
    long paragraph or after its last one."""
    top = analysis.index.get(root, -1)
    if top < 0 or not analysis.agg_link[top]:
        return []
    runs, first, last = runs_beside_prose(
        analysis, root, TEASER_MIN_ITEMS, lambda i: _dated_entry(analysis, i)
    )
    return [item for run in runs if _outside_span(analysis, run, first, last) for item in run]
