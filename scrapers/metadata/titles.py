"""The story's title, without the " | Site" suffix and without a headline cut to a length limit.

Declared titles (JSON-LD, OpenGraph, ``<title>``) carry site names, section names and truncation; the
visible heading rarely does, so candidates are cleaned against the site's spellings and the heading.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import TYPE_CHECKING, Any

from scrapers.dates import parse_date
from scrapers.metadata.blocks import in_foreign_scope, in_other_block
from scrapers.metadata.jsonld import ld_text
from scrapers.metadata.site import SEPARATOR, TITLE_SEPARATORS_RE, site_spellings
from scrapers.metadata.text import MAX_FIELD_CHARS, clean_text, compact_text, element_text, norm_text

if TYPE_CHECKING:
    from scrapers.metadata.page import Page


_TITLE_META = (
    "og:title",
    "twitter:title",
    "parsely-title",
    "sailthru.title",
    "dc.title",
    "dcterms.title",
    "citation_title",
    "title",
    "headline",
)


def find_title(page: Page, article: dict[str, Any] | None, site_name: str | None) -> str | None:
    candidates: list[str] = []
    headings = page.h1s()[:3]
    h1_texts = [clean_text(element_text(h)) for h in headings]
    h1_texts = [t for t in h1_texts if t and len(t) <= 400]
    # a styled stand-in (<b>, <font>) anchors the byline search and cleans titles, but its text
    # (glued across <br>, links) is no better a title than the declared one
    heading_titles = [clean_text(element_text(h)) for h in headings if h.tag in ("h1", "h2", "h3")]
    heading_titles = [t for t in heading_titles if t and len(t) <= 400]
    title_tag = _document_title(page.title_text)
    meta_titles = [v for k in _TITLE_META for v in page.meta_values(k)[:1]]
    if article is not None:
        for key in ("headline", "name", "alternativeHeadline"):
            text = ld_text(article.get(key))
            if text:
                # A template placeholder ("escenic", "Home") shares no word with what the page shows.
                others = [t for t in (*meta_titles[:1], *h1_texts[:1], page.title_text) if t]
                if len(others) < 2 or any(_shares_words(text, other) for other in others):
                    candidates.append(text)
                break
    candidates.extend(meta_titles)
    for headline in page.itemprops("headline")[:3]:
        if not in_other_block(headline) and not in_foreign_scope(headline):
            text = clean_text(headline.get("content") or element_text(headline))
            if text:
                candidates.append(text)
                break
    site_names = site_spellings(page, site_name)
    heading_titles = _kickers_cut(headings, heading_titles, title_tag, site_names, h1_texts)
    for position, candidate in enumerate([*candidates, *heading_titles, clean_text(title_tag or "")]):
        cleaned = _clean_title(candidate, site_names, h1_texts)
        if not cleaned or norm_text(cleaned) in site_names:
            continue
        stem = cleaned.rstrip(".… ")
        if position < len(candidates) and (cleaned.endswith(("…", "...")) or len(stem) >= 60):
            # headlines cut to a length limit (schema.org advises 110 characters), with or without "…"
            for other in h1_texts + candidates:  # the visible heading rarely carries a site suffix
                longer = _clean_title(other, site_names, h1_texts) or ""
                if not longer.startswith(stem) or len(longer) <= len(stem) + 3:
                    continue
                # a cut mid-sentence, not a " | Section" or " - subtitle" appended after a separator
                if cleaned.endswith(("…", "...")) or not TITLE_SEPARATORS_RE.match(longer[len(stem) :]):
                    cleaned = longer
                    break
        return cleaned[:MAX_FIELD_CHARS]
    return None


_KICKER_PIECES = 12  # the heading's elements read for its kicker or subtitle
_TITLE_SHARE = 0.4  # the part the <title> names is most of the heading, not a word of it


def _kickers_cut(
    headings: list[Any],
    heading_titles: list[str],
    title_tag: str | None,
    site_names: set[str],
    h1_texts: list[str],
) -> list[str]:
    """The headings' texts, each cut to the part the document's ``<title>`` names when the rest is an
    element of its own: a kicker ("<span>Immobilienkrise</span> Rene Benko-Firma Signa in Sorge") or a
    subtitle set inside the ``<h1>``. The ``<title>`` (the browser's tab, which the reader sees too)
    spells the story's title without them; a heading whose whole text the ``<title>`` holds is kept."""
    if not title_tag or not any(len(h) for h in headings):
        return heading_titles  # a heading of plain text has no kicker element to cut
    declared = _clean_title(title_tag, site_names, h1_texts)
    if not declared or len(declared.split()) < 3:
        return heading_titles
    wanted = compact_text(declared)
    cut: list[str] = []
    for text in heading_titles:
        heading = next((h for h in headings if clean_text(element_text(h)) == text), None)
        whole = compact_text(text)
        if heading is None or not wanted or wanted == whole or wanted not in whole:
            cut.append(text)
            continue
        rest = whole.replace(wanted, "", 1)
        pieces = {
            compact_text(clean_text(element_text(el)))
            for el in islice(heading.iterdescendants(), _KICKER_PIECES)
        }
        if (
            len(wanted) >= _TITLE_SHARE * len(whole)
            and (whole.startswith(wanted) or whole.endswith(wanted))
            and rest in pieces
        ):
            cut.append(declared)
        else:
            cut.append(text)
    return cut


_MARKUP_RE = re.compile(r"<\s*/?\s*(?:script|style|link|meta|div|span|a)\b|-->|\{\s*[\w$]", re.IGNORECASE)


def _document_title(text: str | None) -> str | None:
    """The ``<title>`` text, or None when an unclosed ``<title>`` swallowed the markup after it (the
    parser then reads scripts and tags as its text): its first words are still the title."""
    if not text:
        return None
    text = clean_text(text)
    match = _MARKUP_RE.search(text)
    if match is not None:
        text = text[: match.start()].strip()
        # the cut leaves what the page put before the markup; a short stub is no title
        if len(text) < 10:
            return None
    return text[:MAX_FIELD_CHARS] or None


def _shares_words(a: str, b: str) -> bool:
    words_a = set(re.findall(r"\w{3,}", a.casefold())) or set(a.casefold())
    words_b = set(re.findall(r"\w{3,}", b.casefold())) or set(b.casefold())
    return bool(words_a & words_b)


def _clean_title(title: str, site_names: set[str], h1_texts: list[str]) -> str | None:
    """Strip a " | Site Name" part, preferring the page's own ``<h1>`` when the title merely wraps it."""
    title = clean_text(title)
    if not title:
        return None
    for h1 in h1_texts:
        if h1 and h1 != title and len(h1) >= 0.4 * len(title) and h1 in title:
            rest = title.replace(h1, " ").strip(" |-–—:·»«/•")
            if not rest or norm_text(rest) in site_names or _looks_like_site(rest, site_names):
                return h1
            if _label_beside(title, h1, rest) and not _looks_like_site(h1, site_names):
                return h1  # (a heading that is the site's own name is no story title to keep)
    parts = TITLE_SEPARATORS_RE.split(title)
    if len(parts) > 1:
        kept = [
            p
            for p in parts
            if not (norm_text(p) in site_names or _looks_like_site(p, site_names) or _is_bare_date(p))
        ]
        if kept and len(kept) < len(parts):
            # rejoin with the separators that were between kept parts
            return _rejoin_without(title, [p for p in parts if p not in kept])
    return title


_LABEL_MAX_CHARS = 30
_LABEL_MAX_WORDS = 3


def _label_beside(title: str, heading: str, rest: str) -> bool:
    """The declared title is the printed heading plus a short label set off by a separator, before or
    after it ("icScotland - Ryan dismayed by Gloucester", "Deccan Herald - Kiwi players flay ..."): a site
    or section name the page's tags did not spell out (no og:site_name, no URL to compare), which the
    heading the reader sees does not carry."""
    if len(rest) > _LABEL_MAX_CHARS or len(rest.split()) > _LABEL_MAX_WORDS or len(rest) >= len(heading):
        return False
    if title.startswith(heading):
        return bool(TITLE_SEPARATORS_RE.match(title[len(heading) :]))
    if title.endswith(heading):
        joint = title[: len(title) - len(heading)]
        return bool(re.search(f"{SEPARATOR}$", joint))
    return False


def _is_bare_date(part: str) -> bool:
    """A title segment that is only a date ("Story | DW | 19.01.2020")."""
    return len(part) <= 30 and parse_date(part) is not None and not re.search(r"[^\W\d_]{4,}", part)


def _looks_like_site(part: str, site_names: set[str]) -> bool:
    compact = compact_text(part)
    if not compact:
        return False
    for name in site_names:
        name_compact = compact_text(name)
        if name_compact and (
            compact == name_compact
            or (len(compact) >= 4 and compact in name_compact)
            or (
                len(name_compact) >= 4
                and name_compact in compact
                and len(compact) <= 40
                and len(compact) <= 2 * len(name_compact) + 6
            )
        ):
            return True
    return False


def _rejoin_without(title: str, drop: list[str]) -> str:
    result = title
    for part in drop:
        pattern = re.compile(f"{SEPARATOR}?{re.escape(part)}{SEPARATOR}?")
        result = pattern.sub(" | ", result, count=1)
    return result.strip(" |").strip()
