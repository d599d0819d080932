"""The printed lines around the story's heading, as a reader sees them.

Old table layouts and bare templates print "By Jane Doe<br>Staff Writer<br>Published: Sunday, May 12,
2024" inside one ``<font>``: no class names, no ``<time>``, and an element's text glued across its
``<br>`` reads as one run-on string. This module rebuilds the visible lines (a new line at every block
element and ``<br>``) in a bounded window around the heading, so the date and byline readers can ask
"which line says what" instead of "which element is labelled what".

Blocks that hold other stories, comments or site furniture (``blocks.in_other_block`` vocabulary) are
left out, and every line remembers how far it sits from the heading: its own header lines come first,
the masthead's "Tuesday, May 14, 2024" and the sidebar's teaser dates come last or not at all.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from scrapers.metadata.blocks import is_other_block, widen_past_wrappers
from scrapers.metadata.region import links_elsewhere
from scrapers.metadata.text import clean_text

if TYPE_CHECKING:
    import lxml.html

    from scrapers.metadata.page import Page

# Tags after which a browser starts a new line.
_BLOCK_TAGS = frozenset(
    (
        "p",
        "div",
        "td",
        "th",
        "tr",
        "table",
        "li",
        "ul",
        "ol",
        "dl",
        "dd",
        "dt",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "br",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "blockquote",
        "figure",
        "figcaption",
        "address",
        "center",
        "form",
        "pre",
        "tbody",
        "thead",
    )
)
_SKIP_TAGS = frozenset(
    (
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "select",
        "button",
        "iframe",
        "nav",
        "aside",
        "textarea",
        "object",
        "head",
        "title",
    )
)
_CONTAINER_LEVELS = 6  # how far above the heading its container may be
_MAX_ELEMENTS = 2_500  # walk budget inside the container
_SIBLINGS_BEFORE = 3  # preceding siblings read at each level above the heading
LINES_BEFORE = 8
LINES_AFTER = 30
MAX_LINE = 300


@dataclass(slots=True, frozen=True)
class Line:
    """One printed line; ``distance`` < 0 before the heading, 0 the heading itself, > 0 after it."""

    text: str
    distance: int


def header_lines(page: Page) -> list[Line]:
    """The visible lines just before and after the heading (nearest first within each side), or the
    first lines of the article/main/body when the page has no recognisable heading."""
    cached: list[Line] | None = page.cache.get("header_lines")
    if cached is not None:
        return cached
    headings = page.h1s()
    heading = headings[0] if headings else None
    if heading is not None:
        container = heading
        for _ in range(_CONTAINER_LEVELS):
            parent = container.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            container = parent
            if container.tag in ("article", "main"):
                break
        container = widen_past_wrappers(container)
    else:
        tree = page.tree
        container = next(tree.iter("article"), None)
        if container is None:
            container = next(tree.iter("main"), None)
        if container is None:
            container = next(tree.iter("body"), None)
        if container is None:
            page.cache["header_lines"] = []
            return []
    texts, start, end = _lines(container, heading, lambda a: _foreign_link(a, page))
    lines: list[Line] = []
    if heading is None:
        lines = [Line(t, i + 1) for i, t in enumerate(texts[:LINES_AFTER])]
    else:
        if start < 0:
            start = end = 0
        lines.extend(Line(t, 0) for t in texts[start : end + 1])
        lines.extend(Line(t, i - end) for i, t in enumerate(texts[end + 1 : end + 1 + LINES_AFTER], end + 1))
        before = texts[max(0, start - LINES_BEFORE) : start]
        lines.extend(Line(t, -(len(before) - i)) for i, t in enumerate(before))
    page.cache["header_lines"] = lines
    return lines


def _foreign_link(a: lxml.html.HtmlElement, page: Page) -> bool:
    """A link to another page that wraps a teaser (blocks inside it) or a date: that page's, not ours.
    Links to author pages keep their text, which is the author's name."""
    # (``any(map(str.isdigit, ...))``: the digit test runs in C, not in a generator's frame per character)
    if not len(a):  # most links: one run of text, no card inside
        return any(map(str.isdigit, (a.text or "")[:200])) and date_elsewhere(a, page)
    # (the tag filter runs in libxml2: only a block inside the link becomes a Python object)
    teaser = next(a.iterdescendants(*_BLOCK_TAGS), None) is not None
    if not teaser and not any(map(str.isdigit, a.text_content()[:200])):
        return False  # most links: no date, no card; the URL comparison below is what costs
    return date_elsewhere(a, page)


def date_elsewhere(el: lxml.html.HtmlElement, page: Page) -> bool:
    """``links_elsewhere``, except for a link to a day's archive: "Mi, 18. Oktober 2023" linking to
    ``/archiv/2023/10/18`` is the story's own date, printed as a way to that day's other stories. A
    teaser links to a story, whose address ends in a slug or an id, never in a bare date."""
    if not links_elsewhere(el, page):
        return False
    node = el
    for _ in range(4):
        if node is None:
            break
        if node.tag == "a":
            return not _DAY_ARCHIVE_RE.search(urlsplit(node.get("href") or "").path)
        node = node.getparent()
    return True


# A path that ends in a date: /archiv/2023/10/18, /archive/auto/06-07-2018/, /2019/11/14/
_DAY_ARCHIVE_RE = re.compile(
    r"/(?:\d{4}[/-]\d{1,2}[/-]\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{4})/?(?:index\.html?)?$"
)


_KICKER_LEVELS = 3  # how far above the heading its kicker line may sit
_KICKER_MAX = 200


def _kicker_lines(heading: lxml.html.HtmlElement) -> frozenset[Any]:
    """The short block printed just above the heading, read even when it is named a breadcrumb or a nav:
    "AI & Machine Learning • October 18, 2019", "conservatism <time>May 16, 2020</time>" print the
    story's section and date there. Only the nearest preceding sibling at each of a few levels."""
    found = []
    node = heading
    for _ in range(_KICKER_LEVELS):
        previous = node.getprevious()
        while previous is not None and not isinstance(previous.tag, str):
            previous = previous.getprevious()
        if previous is not None:
            if previous.tag not in _SKIP_TAGS and _short(previous):
                found.append(previous)
            break
        node = node.getparent()
        if node is None:
            break
    return frozenset(found)


def _short(el: lxml.html.HtmlElement) -> bool:
    """At most ``_KICKER_MAX`` characters of text, read only that far (a menu above can be long)."""
    total = 0
    for text in el.itertext():
        total += len(text)
        if total > _KICKER_MAX:
            return False
    return True


class _Enough(Exception):
    pass


class _Walk(Protocol):
    def __call__(self, el: lxml.html.HtmlElement, depth: int, again: _Walk, /) -> None: ...


def _lines(
    container: lxml.html.HtmlElement,
    heading: lxml.html.HtmlElement | None,
    foreign: Callable[[lxml.html.HtmlElement], bool],
) -> tuple[list[str], int, int]:
    """The container's printed lines, and the indexes of the heading's first and last lines."""
    lines: list[str] = []
    current: list[str] = []
    bounds = [-1, -1]
    budget = [_MAX_ELEMENTS]
    keep = frozenset(heading.iterancestors()) if heading is not None else frozenset()
    # on the way down to the heading only its nearest preceding siblings are read: the lines wanted
    # above it are a few, and a page's navigation before them can be thousands of elements
    on_path: dict[Any, Any] = {}
    if heading is not None:
        child = heading
        for ancestor in heading.iterancestors():
            on_path[ancestor] = child
            if ancestor is container:
                break
            child = ancestor
        keep = keep | _kicker_lines(heading)

    def flush() -> None:
        if current:
            text = clean_text("".join(current))
            current.clear()
            if text:
                lines.append(text[:MAX_LINE])

    # walk recurses through its own argument, not through its name: a closure calling itself by name is a
    # reference cycle (function -> cell -> function) that held each page's parsed tree until the cyclic
    # collector next ran
    def walk(el: lxml.html.HtmlElement, depth: int, again: _Walk) -> None:
        budget[0] -= 1
        tag = el.tag
        if budget[0] < 0 or depth > 120:
            return
        if bounds[1] >= 0 and len(lines) > bounds[1] + LINES_AFTER:
            raise _Enough
        if el is heading:
            flush()
            bounds[0] = len(lines)
        elif current and tag in _BLOCK_TAGS:  # (``flush`` of nothing: most blocks open after one)
            flush()
        text = el.text  # (each read of ``text`` or ``tail`` builds a new string: read once)
        if text:
            current.append(text)
        children = list(el)
        if el in on_path:
            children = children[max(0, children.index(on_path[el]) - _SIBLINGS_BEFORE) :]
        for child in children:
            child_tag = child.tag  # skipped: furniture, other blocks, links to other pages
            if isinstance(child_tag, str) and (
                child in keep
                or not (
                    child_tag in _SKIP_TAGS or is_other_block(child) or (child_tag == "a" and foreign(child))
                )
            ):
                again(child, depth + 1, again)
            tail = child.tail
            if tail:
                current.append(tail)
        if (current and tag in _BLOCK_TAGS) or el is heading:
            flush()
        if el is heading:
            first = bounds[0]
            last = max(first, len(lines) - 1)
            bounds[1] = first if last >= first + 3 else last  # a "heading" spanning a block: its first line

    with contextlib.suppress(_Enough):  # every line wanted after the heading is read: stop there
        walk(container, 0, walk)
    flush()
    return lines, bounds[0], bounds[1]
