"""JSON-LD as publishers actually write it: lenient parsing, a bounded walk, and typed values.

Kept apart from the page model because it is pure data handling (no tree): scripts with CDATA,
comments, trailing commas or several objects back to back still parse, and a walk never follows more
nodes or depth than a page's own metadata needs, whatever a data dump in a script holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from scrapers.metadata.text import clean_text, unhtml

MAX_JSONLD_CHARS = 500_000  # one script; beyond that it is a data dump, not page metadata
MAX_JSONLD_NODES = 2_000
MAX_JSONLD_DEPTH = 12

ARTICLE_TYPES = frozenset(
    t.lower()
    for t in (
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "SatiricalArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "DiscussionForumPosting",
        "TechArticle",
        "ScholarlyArticle",
        "Report",
        "Review",
        "MedicalScholarlyArticle",
        "AdvertiserContentArticle",
    )
)
PAGE_TYPES = frozenset(t.lower() for t in ("WebPage", "ItemPage", "AboutPage", "ContactPage"))
LISTING_TYPES = frozenset(
    t.lower() for t in ("CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage", "Blog")
)
VIDEO_TYPES = frozenset(("videoobject", "videogallery", "clip"))
ORG_TYPES = frozenset(
    ("organization", "newsmediaorganization", "corporation", "ngo", "governmentorganization")
)
# Keys whose nested objects are other things (the publisher, a related story, a list item), never the
# page's own story: nodes reached through them are not candidates for the main article.
_MAIN_PATH_KEYS = frozenset(("@graph", "mainentity", "mainentityofpage"))


def walk_ld(data: Any) -> Iterator[tuple[dict[str, Any], bool]]:
    """Typed nodes of a JSON-LD document, each with whether it may be the page's main entity."""
    stack: list[tuple[Any, bool, int]] = [(data, True, 0)]
    visited = 0
    while stack and visited < MAX_JSONLD_NODES:
        value, main, depth = stack.pop()
        visited += 1
        if depth > MAX_JSONLD_DEPTH:
            continue
        if isinstance(value, list):
            stack.extend((item, main, depth + 1) for item in reversed(value[:200]))
            continue
        if not isinstance(value, dict):
            continue
        if "@type" in value:
            yield value, main
        children = []
        for key, child in value.items():
            if isinstance(child, dict | list):
                children.append((child, main and key.lower() in _MAIN_PATH_KEYS, depth + 1))
        stack.extend(reversed(children))


_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_COMMENT_RE = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$|^\s*<!--|-->\s*$")


def _uncommented(text: str) -> str:
    """``_COMMENT_RE`` removed from stripped text. Its wrappers can only open the text ("//", "<!") or
    close it ("]]>", "-->"): without those ends it cannot match, and its search is spared, which tried
    every position of the script (most of this module's time on a page)."""
    if text[:1] in ("/", "<") or text.endswith(("]]>", "-->")):
        return _COMMENT_RE.sub("", text)
    return text


def load_json(raw: str) -> Any:
    """Parse a JSON-LD script as publishers actually write it: CDATA, comments, trailing commas,
    raw newlines inside strings, several objects back to back."""
    text = _uncommented(_uncommented(raw.strip()).strip()).strip()
    if not text:
        return None
    for attempt in (text, _TRAILING_COMMA_RE.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            pass
    # Several top-level values in one script ("{...}{...}" or "{...},{...}")
    decoder = json.JSONDecoder(strict=False)
    fixed = _TRAILING_COMMA_RE.sub(r"\1", text)
    values = []
    index = 0
    while index < len(fixed):
        while index < len(fixed) and fixed[index] in " \t\r\n,;":
            index += 1
        if index >= len(fixed):
            break
        try:
            value, index = decoder.raw_decode(fixed, index)
        except ValueError:
            break
        values.append(value)
    return values or None


def ld_types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    result = set()
    for value in values:
        if isinstance(value, str):
            result.add(value.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower())
    return result


def ld_text(value: Any) -> str | None:
    """A plain string from a JSON-LD value that may be a string, a list, or a ``{"@value": ...}``."""
    value = first_value(value)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        cleaned = clean_text(unhtml(value))
        return cleaned or None
    return None


MAX_ARTICLE_BODY_CHARS = 200_000  # far beyond any story; bounds the work on a data dump


def ld_article_body(node: dict[str, Any] | None) -> str | None:
    """The raw ``articleBody`` of an article node: left unnormalised because its line breaks are the
    only paragraph structure it has (a list of strings, as some CMSs write it, is one per paragraph)."""
    if not node:
        return None
    value = node.get("articleBody")
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, list):
        value = "\n\n".join(v for v in value[:500] if isinstance(v, str))
    if not isinstance(value, str) or not value.strip():
        return None
    return value[:MAX_ARTICLE_BODY_CHARS]


def first_value(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value
