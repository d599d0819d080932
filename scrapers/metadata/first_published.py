"""A date the page labels as the story's first publication ("ePublished: 3 March 2020", "First published:
Jan 09, 2008", "Erstveröffentlichung: 25. März 2020", "Publié en ligne le ..."), wherever the page prints it.

Journals print the issue's date above the heading ("Original Research | 7 April 2020") and the day the
article first went out in an info panel further down; newspapers print the latest version's time at the
heading and "First published on ..." beside it or below. A date at the heading without a label says
nothing about which of the two it is, while the label names the publication outright: when the two
disagree, the label wins.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import lxml.etree

from scrapers.dates import DateOrder, ParsedDate, parse_date, to_aware
from scrapers.metadata.blocks import in_foreign_scope, in_other_block
from scrapers.metadata.text import clean_text, element_text

if TYPE_CHECKING:
    from scrapers.metadata.page import Page

# a text node holding one of the labels' stems (the XPath's contains() runs in C over the whole body)
_LABEL_TEXT_XPATH = lxml.etree.XPath(
    "(//body//text()[contains(., 'ublished') or contains(., 'UBLISHED') or contains(., 'rstver')"
    " or contains(., 'rstmals') or contains(., 'ublié') or contains(., 'ublicado')"
    " or contains(., 'online ver')])[position() <= 60]"
)
_FIRST_LABEL_RE = re.compile(
    r"^\W{0,3}(?:e-?published|first\s+published|published\s+online|erstver[öo]ffentlichung|"
    r"erstmals\s+ver[öo]ffentlicht|online\s+ver[öo]ffentlicht|publi[ée]\s+en\s+ligne|"
    r"premi[èe]re\s+publication|publicado\s+(?:originalmente|por\s+primera\s+vez|en\s+l[íi]nea))"
    r"\s*(?:on|am|le|el)?\s*:?\s*",
    re.IGNORECASE,
)
_LINE_MAX = 80  # the label's line: a label and its date, not a sentence ("first published his findings")
_DATE_START_MAX = 15  # the date follows the label at once ("Sunday, May 12": its first figure)
_DATE_MAX = 32  # "Sunday, May 12, 2024 at 3:04 p.m.": a date and its time, not a sentence's
_AGREEING_DAYS = 1  # a zone can move a day by one


def labelled_first_publication(page: Page, order: DateOrder | None) -> ParsedDate | None:
    """The one day the page's first-publication labels print, outside other stories' blocks, or None
    (no such label, or labels printing different days: a list of other stories)."""
    found: dict[object, ParsedDate] = {}
    for node in _LABEL_TEXT_XPATH(page.tree):
        owner = node.getparent()
        if owner is None:
            continue
        if getattr(node, "is_tail", False):
            owner = owner.getparent()
        if owner is None or owner.tag in ("script", "style", "title", "a"):
            continue
        text = clean_text(element_text(owner, _LINE_MAX + 1))
        label = _FIRST_LABEL_RE.match(text)
        if label is None or len(text) > _LINE_MAX:
            continue
        rest = text[label.end() :]
        parsed = parse_date(rest[:_DATE_MAX], order, epoch=False)  # the date itself follows the label
        digit = re.search(r"\d", rest)
        if parsed is None or parsed.ambiguous or digit is None or digit.start() > _DATE_START_MAX:
            continue
        if in_other_block(owner) or in_foreign_scope(owner):
            continue
        found.setdefault(parsed.value.date(), parsed)
    return next(iter(found.values())) if len(found) == 1 else None


def first_publication_over(
    page: Page, found: ParsedDate | None, order: DateOrder | None, warnings: list[str]
) -> ParsedDate | None:
    """``found`` (a date read from the printed page), unless a first-publication label prints another
    day: then the labelled day, with a warning."""
    first = labelled_first_publication(page, order)
    if first is None:
        return found
    if found is not None and abs((to_aware(found).date() - to_aware(first).date()).days) <= _AGREEING_DAYS:
        return found
    if found is not None:
        warnings.append(
            f"published_at: the page labels {first.value.date().isoformat()} its first publication; "
            f"used over {found.value.date().isoformat()}, printed elsewhere on the page"
        )
    return first


__all__ = ["first_publication_over", "labelled_first_publication"]
