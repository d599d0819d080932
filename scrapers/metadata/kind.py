"""What the page is (story, live blog, video, listing) and whether a paywall closes it.

Both describe the page as a whole for downstream filtering rather than a piece of the story, and both
trust structured declarations before the markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapers.metadata.jsonld import ARTICLE_TYPES, LISTING_TYPES, PAGE_TYPES, VIDEO_TYPES, ld_types

if TYPE_CHECKING:
    from scrapers.metadata.page import Page


_PAYWALL_META = (
    "article:content_tier",
    "og:article:content_tier",
    "content_tier",
    "article:access",
    "paywall",
    "access",
    "isaccessibleforfree",
    "cxenseparse:paywall",
    "premium",
)


def find_page_type(page: Page, article: dict[str, Any] | None) -> str | None:
    if article is not None:
        kind = _normalise_type(ld_types(article))
        if kind:
            return kind
    for node, main in page.ld_nodes:
        if main:
            kind = _normalise_type(ld_types(node))
            if kind and kind != "website":
                return kind
    og_type = (page.meta_value("og:type") or "").lower()
    if og_type:
        if og_type.startswith("video"):
            return "video"
        if "article" in og_type or og_type in ("blog", "news"):
            return "article"
        return og_type.split(".")[0] or None
    for node, main in page.ld_nodes:
        if main and _normalise_type(ld_types(node)) == "website":
            return "website"
    return None


def _normalise_type(types: set[str]) -> str | None:
    if "liveblogposting" in types:
        return "liveblog"
    if types & ARTICLE_TYPES:
        return "article"
    if types & VIDEO_TYPES:
        return "video"
    if types & LISTING_TYPES:
        return "listing"
    if types & (PAGE_TYPES | {"website"}):
        return "website"
    return None


def is_paywalled(page: Page, article: dict[str, Any] | None) -> bool:
    declared: bool | None = None
    nodes = [article] if article is not None else [n for n, main in page.ld_nodes if main]
    for node in nodes:
        value = _access_flag(node.get("isAccessibleForFree"))
        parts = node.get("hasPart")
        for part in (parts if isinstance(parts, list) else [parts])[:20]:
            if isinstance(part, dict):
                flag = _access_flag(part.get("isAccessibleForFree"))
                if flag is False:
                    value = False
        if value is not None:
            declared = value if declared is None else (declared and value)
    if declared is not None:
        return not declared
    for key in _PAYWALL_META:
        for content in page.meta_values(key):
            lowered = content.lower()
            if key in ("isaccessibleforfree",):
                if _access_flag(lowered) is False:
                    return True
            elif lowered in (
                "locked",
                "metered",
                "premium",
                "subscriber",
                "subscription",
                "paid",
                "true",
                "yes",
                "closed",
                "registered",
                "paywall",
            ):
                return True
    return page.region().paywall


def _access_flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("false", "no", "0", "https://schema.org/false", "http://schema.org/false"):
            return False
        if lowered in ("true", "yes", "1", "https://schema.org/true", "http://schema.org/true"):
            return True
    return None
