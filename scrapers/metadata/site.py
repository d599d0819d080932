"""The site's name, and every spelling of it that titles and bylines must not be mistaken for.

Titles read "Story | Site", bylines credit the outlet beside the reporter, and some CMSs put the story's
title where the site name belongs: telling the two apart needs the same set of spellings, so the site
name and its variants are worked out here once per page.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapers.metadata.jsonld import ORG_TYPES, first_value, ld_text
from scrapers.metadata.text import clean_text, first_text, norm_text

if TYPE_CHECKING:
    from scrapers.metadata.page import Page


_SITE_META = (
    "og:site_name",
    "application-name",
    "apple-mobile-web-app-title",
    "al:ios:app_name",
    "twitter:app:name:iphone",
    "dc.publisher",
    "citation_publisher",
)

SEPARATOR = r"(?:\s+(?:-|–|—|::|·|»|«|/|:|•)\s+|\s*[|｜]\s*)"  # CJK titles often use a bare "|" / "｜"
TITLE_SEPARATORS_RE = re.compile(SEPARATOR)


def find_site_name(page: Page, article: dict[str, Any] | None) -> str | None:
    candidates: list[str | None] = [page.meta_value("og:site_name")]
    if article is not None:
        publisher = page.resolve(first_value(article.get("publisher")))
        if isinstance(publisher, dict):
            candidates.append(ld_text(publisher.get("name")))
    for node in page.ld_nodes_of(frozenset(("website",))):
        candidates.append(ld_text(node.get("name")))
    candidates.extend(page.meta_value(k) for k in _SITE_META[1:])
    for node in page.ld_nodes_of(ORG_TYPES):
        candidates.append(ld_text(node.get("name")))
    titles = page.declared_titles()
    for candidate in candidates:
        if not candidate:
            continue
        if not _is_title_like(norm_text(candidate), titles):
            return first_text([candidate], max_len=120)
        # "Story title - Handball Schweiz": what is left beside the title names the site
        for part in TITLE_SEPARATORS_RE.split(clean_text(candidate)):
            short = 0 < len(part.split()) <= 6
            if short and norm_text(part) not in titles and not _is_title_like(norm_text(part), titles):
                return part
    return None


def _is_title_like(value: str, titles: set[str]) -> bool:
    """A "site name" that is really the story title: "Story | Site", or the story's long title itself.

    A short name equal to the title ("ICON Magazine" on both) stays a site name: site names are short.
    """
    for title in titles:
        if value == title:
            if len(value.split()) >= 5:
                return True
        elif len(title) >= 12 and title in value:
            return True
    return False


def site_spellings(page: Page, site_name: str | None) -> set[str]:
    """Normalised spellings of the site's name, to strip from titles ("Story | Site").

    Some CMSs fill ``application-name`` or even ``og:site_name`` with the page title; a "site name"
    that is the story's title is not one.
    """
    cached = page.site_names_cache.get(site_name)
    if cached is not None:
        return cached
    titles = page.declared_titles()

    def is_title(value: str) -> bool:
        return _is_title_like(value, titles)

    names = set()
    for value in (site_name, *(page.meta_value(key) for key in _SITE_META)):
        if value and not is_title(norm_text(value)):
            names.add(norm_text(value))
    for name in list(names):
        # "Noticias de El Salvador - La Prensa Gráfica | Informate": each part names the site too
        names.update(norm_text(part) for part in TITLE_SEPARATORS_RE.split(name) if len(part) >= 3)
    for node in page.ld_nodes_of(ORG_TYPES | {"website"}):
        value = ld_text(node.get("name"))
        if value and not is_title(norm_text(value)):
            names.add(norm_text(value))
    host = urlsplit(page.url or page.link_canonical() or "").hostname or ""
    labels = [p for p in host.split(".") if p not in ("www", "m", "amp", "mobile", "edition")]
    if labels:
        # "www.rferl.org" → "rferl", "rferl.org"; "news.bbc.co.uk" → "bbc", "bbc news" handled by compaction
        names.add(norm_text(".".join(labels)))
        core = max(labels[:-1] or labels, key=len)
        names.add(norm_text(core))
    names.discard("")
    page.site_names_cache[site_name] = names
    return names
