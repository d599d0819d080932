"""String and element-text helpers every field reader shares.

Fields compare values from many sources (tags, JSON-LD, visible text), so they must agree on one notion
of "the same string": whitespace collapsed, case folded, punctuation dropped, a URL without scheme or
``www.``. Element text is read with a budget because a "byline" class on a whole-story container must
not cost a full text walk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

import lxml.html

MAX_FIELD_CHARS = 2_000


def unhtml(text: str) -> str:
    if "<" in text and ">" in text:
        text = re.sub(r"<[^>]{0,200}>", " ", text)
    if "&" in text:
        import html

        text = html.unescape(text)
    return text


def first_text(candidates: Iterable[str | None], max_len: int = MAX_FIELD_CHARS) -> str | None:
    for candidate in candidates:
        if candidate:
            cleaned = clean_text(unhtml(candidate))
            if cleaned:
                return cleaned[:max_len]
    return None


def element_text(el: lxml.html.HtmlElement, limit: int = 600) -> str:
    """An element's visible text, read only as far as ``limit`` characters: a "date" or "byline" class
    on a container holding the whole story must not cost a full text walk, and inline scripts are not
    text."""
    if limit <= 0:  # nothing wanted: the first piece, as a reader stopping after each piece gives
        return next(text_pieces(el), "")
    parts: list[str] = []
    _gather(el, parts, limit)
    return "".join(parts)


def _gather(node: lxml.html.HtmlElement, parts: list[str], budget: int) -> int:
    """``text_pieces`` appended to ``parts`` until ``budget`` (> 0) characters are read; the budget left.

    One call per element instead of a generator per element: ``yield from`` passes every piece up
    through each enclosing generator, so a piece deep in a header cost as many resumptions as its depth
    (this reader runs about 40 times a page; tests/test_metadata_fastpaths.py holds it to ``text_pieces``).
    """
    if node.tag in _NO_TEXT_TAGS:
        return budget
    text = node.text
    if text:
        parts.append(text)
        budget -= len(text)
    for child in node:
        if budget <= 0:  # (the text or the last tail read filled it)
            return budget
        if isinstance(child.tag, str):
            budget = _gather(child, parts, budget)
            if budget <= 0:
                return budget
        tail = child.tail
        if tail:
            parts.append(tail)
            budget -= len(tail)
    return budget


def text_pieces(node: lxml.html.HtmlElement) -> Iterator[str]:
    """Text and tails in document order, as ``itertext`` but skipping scripts (comments' tails kept)."""
    if node.tag in _NO_TEXT_TAGS:
        return
    if node.text:
        yield node.text
    for child in node:
        if isinstance(child.tag, str):
            yield from text_pieces(child)
        if child.tail:
            yield child.tail


_NO_TEXT_TAGS = frozenset(("script", "style", "noscript", "template", "svg"))


def clean_text(text: str | None) -> str:
    """Whitespace runs collapsed to one space (``str.split`` knows the same Unicode spaces as ``\\s``,
    at a fraction of a regex's cost: this runs on every line and element text the readers look at)."""
    if not text:
        return ""
    return " ".join(text.split())


def norm_text(text: str | None) -> str:
    return clean_text(text).casefold()


def compact_text(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def url_key(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"
