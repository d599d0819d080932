"""URLs the page declares for itself: its canonical address and its lead image.

Both are read from tags and JSON-LD and made absolute against the page's base; neither looks at the
visible page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapers.metadata.jsonld import first_value

if TYPE_CHECKING:
    from scrapers.metadata.page import Page


_IMAGE_META = (
    "og:image:secure_url",
    "og:image:url",
    "og:image",
    "twitter:image",
    "twitter:image:src",
    "parsely-image-url",
    "sailthru.image.full",
    "thumbnail",
    "thumbnailurl",
)


def find_canonical_url(page: Page, warnings: list[str]) -> str | None:
    for raw in (page.link_canonical(), page.meta_value("og:url")):
        absolute = page.absolute(raw)
        if not absolute or not absolute.startswith(("http://", "https://")):
            continue
        if page.url and _is_root(absolute) and not _is_root(page.url):
            warnings.append("canonical URL points to the site root; ignored")
            continue
        return absolute
    return None


def find_top_image(page: Page, article: dict[str, Any] | None) -> str | None:
    candidates: list[str | None] = []
    if article is not None:
        candidates.append(_ld_image(page, article.get("image")))
        candidates.append(_ld_image(page, article.get("thumbnailUrl")))
    candidates.extend(page.meta_value(k) for k in _IMAGE_META)
    candidates.append(page.image_src)
    for raw in candidates:
        absolute = page.absolute(raw)
        if absolute and absolute.startswith(("http://", "https://")):
            return absolute
    return None


def _ld_image(page: Page, value: Any) -> str | None:
    value = page.resolve(first_value(value))
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        # an unresolved {"@id": "...#primaryimage"} names a node, not an image file
        for key in ("url", "contentUrl"):
            inner = first_value(value.get(key))
            if isinstance(inner, str) and inner.strip():
                return inner
    return None


def _is_root(url: str) -> bool:
    return urlsplit(url).path in ("", "/")
