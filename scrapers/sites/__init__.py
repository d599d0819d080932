"""Per-CMS site adapters and the registry that picks one.

A source names its adapter in ``sources.yaml`` (``adapter: pangea``); without one, the first adapter
whose ``match`` accepts the page is used; with none matching, the generic extractor alone decides.
Adding a CMS is one new module with one ``SiteAdapter`` subclass, registered below, and its fixtures.
"""

from __future__ import annotations

from collections.abc import Callable

import lxml.html

from scrapers.article import Article
from scrapers.errors import ErrorKind, IngestError
from scrapers.sites.arc import ArcAdapter
from scrapers.sites.base import OVERRIDABLE, SiteAdapter
from scrapers.sites.pangea import PangeaAdapter

Extractor = Callable[[str | bytes, str | None], Article]

ADAPTERS: dict[str, SiteAdapter] = {adapter.name: adapter for adapter in (PangeaAdapter(), ArcAdapter())}


def adapter_names() -> set[str]:
    return set(ADAPTERS)


def get_adapter(name: str) -> SiteAdapter:
    try:
        return ADAPTERS[name]
    except KeyError:
        raise KeyError(f"unknown adapter {name!r}; known: {', '.join(sorted(ADAPTERS))}") from None


def _tree(html: str | bytes) -> lxml.html.HtmlElement | None:
    try:
        if isinstance(html, bytes):
            from scrapers.encoding import decode_html

            html = decode_html(html)
        return lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError, IngestError):
        return None


def match_adapter(url: str | None, html: str | bytes) -> SiteAdapter | None:
    tree = _tree(html)
    if tree is None:
        return None
    for adapter in ADAPTERS.values():
        if adapter.match(url, tree):
            return adapter
    return None


def extract_with(adapter: SiteAdapter | None, html: str | bytes, url: str | None) -> Article:
    """Generic extraction, then the adapter's fields on top.

    The adapter's body is a candidate like any embedded copy: it replaces the visible body only when it
    agrees with it and is not cut short or clearly shorter (``prefer_copy``); a CMS record that holds a
    teaser while the page shows the whole story must not turn the stored original into a fragment. A
    record whose body tells another story is stale as a whole: none of its fields are used. If
    the generic extractor rejects the page but the adapter reads a full body, the adapter's reading stands.
    """
    from scrapers.extract import copy_agrees, extract, prefer_copy

    tree = _tree(html) if adapter is not None else None
    overrides = adapter.fields(tree, url) if adapter is not None and tree is not None else {}
    copy = _paragraphs(overrides.pop("text", None))
    try:
        article = extract(html, url)
    except IngestError as error:
        if error.kind in {ErrorKind.EMPTY, ErrorKind.ENCODING} or not prefer_copy(copy, [], structured=False):
            raise
        article = Article(url=url)
        article.warnings.append(
            f"generic extractor: {error.kind.value}; body from the {adapter.name} adapter"
        )
        article.text = "\n\n".join(copy)
    else:
        visible = _paragraphs(article.text)
        if prefer_copy(copy, visible, structured=False):
            article.text = "\n\n".join(copy)
        elif copy and not copy_agrees(copy, visible):
            # The record tells another story (stale cache, template default): none of it is this page's.
            article.warnings.append(f"the {adapter.name} adapter's record disagrees with the page; ignored")
            return article
    for name in OVERRIDABLE:
        value = overrides.get(name)
        if value:
            setattr(article, name, value)
    return article


def _paragraphs(text: str | None) -> list[str]:
    return [part for part in (text or "").split("\n\n") if part.strip()]


def extractor_for(adapter: str | None) -> Extractor:
    """The extraction function for a source: its named adapter, or matching per page when unnamed."""
    if adapter is not None:
        chosen = get_adapter(adapter)

        def named(html: str | bytes, url: str | None = None) -> Article:
            return extract_with(chosen, html, url)

        return named

    def matched(html: str | bytes, url: str | None = None) -> Article:
        return extract_with(match_adapter(url, html), html, url)

    return matched


__all__ = [
    "ADAPTERS",
    "SiteAdapter",
    "adapter_names",
    "extract_with",
    "extractor_for",
    "get_adapter",
    "match_adapter",
]
