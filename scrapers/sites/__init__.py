"""Per-CMS site adapters and the registry that picks one.

A source names its adapter in ``sources.yaml`` (``adapter: pangea``); without one, the first adapter
whose ``match`` accepts the page is used; with none matching, the generic extractor alone decides.
Adding a CMS is one new module in this package with one ``SiteAdapter`` subclass (defining it registers
it; every module here is imported below) and its fixtures, recorded with ``wirefeed record``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import lxml.html
from lxml.html import HtmlElement

from scrapers.article import Article
from scrapers.errors import ErrorKind, IngestError
from scrapers.sites.base import OVERRIDABLE, REGISTRY, SiteAdapter

Extractor = Callable[[str | bytes, str | None], Article]


def _import_adapters() -> None:
    """Import every module of this package, so each adapter class defined there registers itself."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_import_adapters()
ADAPTERS: dict[str, SiteAdapter] = REGISTRY


def adapter_names() -> set[str]:
    return set(ADAPTERS)


def get_adapter(name: str) -> SiteAdapter:
    try:
        return ADAPTERS[name]
    except KeyError:
        raise KeyError(f"unknown adapter {name!r}; known: {', '.join(sorted(ADAPTERS))}") from None


def _tree(html: str | bytes) -> HtmlElement | None:
    try:
        if isinstance(html, bytes):
            from scrapers.encoding import decode_html

            html = decode_html(html)
        return lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError, IngestError):
        return None


def match_adapter(url: str | None, html: str | bytes) -> SiteAdapter | None:
    tree = _tree(html)
    return None if tree is None else _matching(url, tree)


def _matching(url: str | None, tree: HtmlElement) -> SiteAdapter | None:
    """The first adapter, in name order, that recognises its CMS on this tree."""
    for _, adapter in sorted(ADAPTERS.items()):
        if adapter.match(url, tree):
            return adapter
    return None


def extract_with(
    adapter: SiteAdapter | None, html: str | bytes, url: str | None, tree: HtmlElement | None = None
) -> Article:
    """Generic extraction, then the adapter's fields on top.

    The adapter's body is a candidate like any embedded copy: it replaces the visible body only when it
    agrees with it and is not cut short or clearly shorter (``prefer_copy``); a CMS record that holds a
    teaser while the page shows the whole story must not turn the stored original into a fragment. A
    record whose body tells another story is stale as a whole: none of its fields are used. If
    the generic extractor rejects the page but the adapter reads a full body, the adapter's reading stands.
    ``tree`` is the page already parsed for matching, if it was (the adapter may cut it).
    """
    from scrapers.extract import copy_agrees, extract, prefer_copy

    if adapter is None:
        return extract(html, url)
    tree = tree if tree is not None else _tree(html)
    overrides = adapter.fields(tree, url) if tree is not None else {}
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


def adapter_record(
    name: str, html: str | bytes, url: str | None, tree: HtmlElement | None = None
) -> dict[str, Any]:
    """What the adapters make of one page, JSON-ready: which of them recognise it, and the record the named
    one extracts (every field but ``warnings``, which word the diagnosis, not the result) or the kind of
    error it refuses the page with. A recorded case (``wirefeed record``) stores this as its expectation.
    ``tree`` is the page already parsed, if it was: matching and the adapter's fields share it."""
    adapter = get_adapter(name)
    tree = tree if tree is not None else _tree(html)
    matched = [] if tree is None else [n for n, a in sorted(ADAPTERS.items()) if a.match(url, tree)]
    found: dict[str, Any] = {"adapter": name, "url": url, "matched_by": matched}
    try:
        article = extract_with(adapter, html, url, tree)
    except IngestError as error:
        return found | {"error": error.kind.value}
    record = article.to_dict()
    del record["warnings"]
    return found | {"record": record}


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
        tree = _tree(html)  # parsed once for matching and for the adapter's fields
        adapter = _matching(url, tree) if tree is not None else None
        return extract_with(adapter, html, url, tree)

    return matched


__all__ = [
    "ADAPTERS",
    "SiteAdapter",
    "adapter_names",
    "adapter_record",
    "extract_with",
    "extractor_for",
    "get_adapter",
    "match_adapter",
]
