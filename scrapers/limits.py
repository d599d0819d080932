"""Guards that keep one page's extraction bounded in time and memory, whatever the page.

Extraction cost grows with the number of elements, not bytes: a 9.9 MB page of ``<p>x</p>`` is 1.2 million
elements and cost 20-29 s and 1.5 GB, while a 2 MB story is a few thousand elements. So the guards count
markup: a cheap count of ``<`` before parsing (nothing is built for a page that cannot pass), then the
elements lxml actually built. libxml2 also stops descending at depth 256 (without ``huge_tree``) and keeps
parsing flat, so the body of a page nested deeper silently vanished into ``not_an_article``; its error log
says so, and the page is refused as ``too_complex`` instead.

The limits are set from ``bench/costly_pages.py`` (each refused page and the largest accepted one within
3 s and 400 MB) and sit far above real news pages (the largest fixture page has under 500 tags; long
live blogs run to a few thousand elements).
"""

from __future__ import annotations

import re

from lxml import etree

from scrapers.errors import ErrorKind, IngestError

#: Most ``<`` characters a page may hold before it is parsed at all (two per element, plus scripts).
MAX_TAG_MARKS = 80_000
#: Most elements a parsed page may have.
MAX_ELEMENTS = 30_000
#: libxml2's own limit without ``huge_tree``; deeper content is dropped by the parser.
MAX_DEPTH = 255

_DEPTH_ERROR = re.compile(r"(?i)excessive depth")


def check_markup(text: str) -> int:
    """Before parsing: refuse a page whose markup alone would cost more than a page may.

    Returns the count of ``<``, which bounds the elements the parser can build (``most_elements``)."""
    marks = text.count("<")
    if marks > MAX_TAG_MARKS:
        raise IngestError(
            ErrorKind.TOO_COMPLEX, f"{marks} tags, more than the {MAX_TAG_MARKS} a page may have"
        )
    return marks


def most_elements(marks: int) -> int:
    """Most elements libxml2's HTML parser builds from markup holding ``marks`` ``<`` characters.

    One per start tag, the implied ``html``, ``head`` and ``body``, and an implied ``<p>`` for a run
    of text or an inline tag set directly in ``html`` or ``head``; a run begins after a tag, so there
    are at most ``marks + 1`` of those (tests/test_extract_speed.py tries markup built to multiply them).
    """
    return 2 * marks + 4


def check_parsed(root: etree._Element, parser: etree.HTMLParser, marks: int | None = None) -> None:
    """After parsing: refuse a tree too large to walk in time, or one the parser cut at its depth limit.

    ``marks`` (from ``check_markup``) spares the walk over every node when the markup is too small to
    have built too many elements: nearly every real page."""
    if any(_DEPTH_ERROR.search(entry.message or "") for entry in parser.error_log):
        raise IngestError(
            ErrorKind.TOO_COMPLEX, f"markup nested deeper than {MAX_DEPTH} levels; the parser drops the rest"
        )
    if marks is not None and most_elements(marks) <= MAX_ELEMENTS:
        return
    for elements, _ in enumerate(root.iter(), start=1):
        if elements > MAX_ELEMENTS:
            raise IngestError(
                ErrorKind.TOO_COMPLEX, f"more than {MAX_ELEMENTS} elements, more than a page may have"
            )


def strip_invisible(text: str, names: tuple[str, ...] = ("script", "style", "noscript", "template")) -> str:
    """Remove ``<script>…</script>`` and its kin in one pass.

    The regex ``<(script|…)\\b.*?</\\1\\s*>`` rescans to the end of the text for every opening tag that has
    no closing one: 25,000 ``<script>`` fragments in a JSON-LD body cost 20 s. Here an element name found
    unclosed once is never searched for again, so the work is linear.
    """
    opening = re.compile(r"(?i)<(" + "|".join(names) + r")\b")
    closers = {name: re.compile(rf"(?i)</{name}\s*>") for name in names}
    unclosed: set[str] = set()
    out: list[str] = []
    position = 0
    search_from = 0
    while True:
        found = opening.search(text, search_from)
        if found is None:
            break
        name = found.group(1).lower()
        if name in unclosed:
            search_from = found.end()
            continue
        closed = closers[name].search(text, found.end())
        if closed is None:
            unclosed.add(name)
            search_from = found.end()
            continue
        out.append(text[position : found.start()])
        out.append(" ")
        position = search_from = closed.end()
    out.append(text[position:])
    return "".join(out)
