"""``PageMetadata`` and ``extract_metadata``: each field read by its own module, under its own guard.

The orchestration is kept apart from the readers so that the order fields depend on each other (the
site name before the title, the language before the dates) is stated in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import lxml.html

from scrapers.article import PAGE_FIELDS, Article, copy_fields, is_list, spec_of
from scrapers.metadata.authors import find_authors
from scrapers.metadata.jsonld import ld_article_body, ld_text
from scrapers.metadata.kind import find_page_type, is_paywalled
from scrapers.metadata.language import find_language, guess_language
from scrapers.metadata.links import find_canonical_url, find_top_image
from scrapers.metadata.page import Page
from scrapers.metadata.published import find_dates
from scrapers.metadata.site import find_site_name
from scrapers.metadata.text import first_text
from scrapers.metadata.titles import find_title


@dataclass(slots=True)
class PageMetadata(Article):
    """An article record as the metadata readers fill it: the fields ``Article`` declares ``page``, and
    two facts of the page itself. It is an ``Article`` so the field list is written once; ``url`` and
    ``text`` stay unset here (the body is the extractor's job)."""

    page_type: str | None = None
    # The main article node's ``articleBody`` as written (markup, entities and line breaks intact):
    # script-rendered pages may carry their only full copy of the story there.
    article_body: str | None = None

    def to_article(self, url: str | None) -> Article:
        """The record these fields start: the page's URL, and its canonical URL when it names none."""
        article = Article(url=url)
        copy_fields(self, article, PAGE_FIELDS)
        article.canonical_url = article.canonical_url or url
        return article


_DESCRIPTION_META = (
    "og:description",
    "description",
    "twitter:description",
    "dc.description",
    "dcterms.abstract",
    "sailthru.description",
)


def _language(page: Page, article: dict[str, Any] | None, meta: PageMetadata) -> str | None:
    """Set ``meta.language``; return the locale the dates are read in (the language, when known)."""
    meta.language, locale = find_language(page, article)
    if meta.language == "en":
        # "en"/"en-US" is the default of most CMS templates, left in place by sites writing German,
        # Spanish...: the text overrules it when it clearly reads otherwise
        read = guess_language(page, strict=True)
        if read is not None and read != "en":
            meta.warnings.append(f"language declared 'en' but the text reads {read!r}; using {read!r}")
            meta.language = locale = read
    if meta.language is None:
        meta.language = guess_language(page)
        if meta.language is not None:
            locale = meta.language
            meta.warnings.append(f"language not declared; guessed {meta.language!r} from the text")
    return locale


def _description(page: Page, article: dict[str, Any] | None) -> str | None:
    return first_text(
        [ld_text(article.get("description")) if article else None]
        + [page.meta_value(k) for k in _DESCRIPTION_META]
    )


_SOURCED_FIELDS = tuple(
    (name, spec) for name in PAGE_FIELDS if (spec := spec_of(name)).ld or spec.meta
)  # picked once: the declaration does not change while pages are read


def _declared_sources(page: Page, article: dict[str, Any] | None, meta: PageMetadata) -> None:
    """Fields declared with ``ld``/``meta`` sources and still empty: read from those, structured first.

    A field that is only a ``<meta>`` name or a JSON-LD key needs no reader of its own; one with a
    reader (title, dates...) is left to it, as the value is already set or deliberately empty.
    """
    for name, spec in _SOURCED_FIELDS:
        if getattr(meta, name):
            continue
        structured = [ld_text(article.get(key)) for key in spec.ld] if article else []
        value = first_text(structured + [page.meta_value(key) for key in spec.meta])
        if value is not None:
            setattr(meta, name, [value] if is_list(name) else value)


def extract_metadata(
    tree: lxml.html.HtmlElement, url: str | None = None, fetched_at: datetime | None = None
) -> PageMetadata:
    """All metadata of one page; never raises on odd markup (problems become ``warnings``).

    ``fetched_at`` is when the page was read: "Updated 3 hours ago" counts back from it. The default,
    now, is right for the worker, which extracts a page as soon as it is fetched; a re-extraction of a
    stored page must pass the stored fetch time.

    Each field is read under its own guard: a bug met on one page's markup costs that field, recorded
    as a warning, instead of the whole article.
    """
    meta = PageMetadata()
    try:
        page = Page(tree, url)
    except Exception as exc:  # unreadable tree: nothing to salvage, but no crash either
        meta.warnings.append(f"metadata: page unreadable ({type(exc).__name__})")
        return meta
    article = page.article_node
    locale: str | None = None

    def guarded(name: str, read: Callable[[], None]) -> None:
        try:
            read()
        except Exception as exc:
            meta.warnings.append(f"metadata: {name} failed ({type(exc).__name__}: {exc})"[:200])

    def read_language() -> None:
        nonlocal locale
        locale = _language(page, article, meta)

    guarded("page_type", lambda: setattr(meta, "page_type", find_page_type(page, article)))
    guarded("site_name", lambda: setattr(meta, "site_name", find_site_name(page, article)))
    guarded("canonical_url", lambda: setattr(meta, "canonical_url", find_canonical_url(page, meta.warnings)))
    guarded("title", lambda: setattr(meta, "title", find_title(page, article, meta.site_name)))
    guarded("authors", lambda: setattr(meta, "authors", find_authors(page, article)))
    guarded("language", read_language)
    guarded("description", lambda: setattr(meta, "description", _description(page, article)))
    guarded("top_image", lambda: setattr(meta, "top_image", find_top_image(page, article)))
    guarded("paywalled", lambda: setattr(meta, "paywalled", is_paywalled(page, article)))
    guarded("dates", lambda: find_dates(page, article, meta, locale, fetched_at))
    guarded("article_body", lambda: setattr(meta, "article_body", ld_article_body(article)))
    guarded("declared", lambda: _declared_sources(page, article, meta))
    meta.warnings.extend(page.warnings)
    return meta
