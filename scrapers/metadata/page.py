"""The page as every field reader sees it: meta tags, JSON-LD, the story heading, gathered once.

Each field would otherwise walk the tree for the same few tags; ``Page`` does one pass over them and
caches the expensive parts (the heading that anchors the byline/date search, microdata, the header
region) so reading ten fields costs about one walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from scrapers.metadata.blocks import in_other_block
from scrapers.metadata.jsonld import (
    ARTICLE_TYPES,
    MAX_JSONLD_CHARS,
    MAX_JSONLD_NODES,
    PAGE_TYPES,
    VIDEO_TYPES,
    ld_text,
    ld_types,
    load_json,
    walk_ld,
)
from scrapers.metadata.region import scan_region
from scrapers.metadata.site import TITLE_SEPARATORS_RE, site_spellings
from scrapers.metadata.text import clean_text, compact_text, element_text, norm_text, url_key

if TYPE_CHECKING:
    from scrapers.metadata.region import Region


class Page:
    """The parts of the tree every field reads, each gathered once."""

    def __init__(self, tree: lxml.html.HtmlElement, url: str | None) -> None:
        # an ElementTree's root, or the whole page of an element passed: metadata lives in the whole page
        passed_tree = not hasattr(tree, "tag") and hasattr(tree, "getroot")
        self.tree: lxml.html.HtmlElement = tree.getroot() if passed_tree else tree.getroottree().getroot()
        self.url = url
        self.warnings: list[str] = []
        self.base = url
        self.meta: dict[str, list[str]] = {}
        self.canonical_href: str | None = None
        self.image_src: str | None = None
        self.title_text: str | None = None
        self.ld_scripts: list[str] = []
        base_href: str | None = None
        # One C-level pass over the few tags that carry page metadata, wherever the CMS put them.
        for el in self.tree.iter("meta", "link", "script", "title", "base"):
            tag = el.tag
            if tag == "meta":
                content = el.get("content")
                if content is None:
                    continue
                content = clean_text(content)
                if not content:
                    continue
                for attr in ("property", "name", "http-equiv"):
                    key = el.get(attr)
                    if key:
                        self.meta.setdefault(key.strip().lower(), []).append(content)
            elif tag == "link":
                rel = (el.get("rel") or "").lower().split()
                if "canonical" in rel and self.canonical_href is None and el.get("href"):
                    self.canonical_href = el.get("href")
                elif "image_src" in rel and self.image_src is None:
                    self.image_src = el.get("href")
            elif tag == "script":
                if "ld+json" in (el.get("type") or "").lower() and el.text:
                    self.ld_scripts.append(el.text)
            elif tag == "title":
                # the document's title, not an icon's <svg><title>
                if self.title_text is None and not any("svg" in str(a.tag) for a in el.iterancestors()):
                    self.title_text = el.text_content()
            elif tag == "base" and base_href is None:
                base_href = el.get("href")
        if base_href and base_href.strip():
            self.base = urljoin(url or "", base_href.strip()) or url
        self.ld_nodes, self.ld_ids = self._jsonld()
        self.article_node = self._main_article()
        self._h1: list[lxml.html.HtmlElement] | None = None
        self._itemprops: dict[str, list[lxml.html.HtmlElement]] | None = None
        self._region: Region | None = None
        self.site_names_cache: dict[str | None, set[str]] = {}
        self.cache: dict[str, Any] = {}  # derived views of the page, each computed once (header lines...)

    def declared_titles(self) -> set[str]:
        """The page's own title as its tags declare it, normalised (never the site name's source)."""
        values = (
            self.meta_value("og:title"),
            self.meta_value("twitter:title"),
            self.title_text,
            ld_text(self.article_node.get("headline")) if self.article_node else None,
        )
        titles = {norm_text(v) for v in values if v}
        titles.discard("")
        # og:title equal to og:site_name is a template default naming the site, not the story
        titles.discard(norm_text(self.meta_value("og:site_name")))
        return titles

    # ---------------------------------------------------------------------------------- meta tags
    def meta_value(self, key: str) -> str | None:
        values = self.meta.get(key)
        return values[0] if values else None

    def meta_values(self, key: str) -> list[str]:
        return self.meta.get(key, [])

    # ---------------------------------------------------------------------------------- json-ld
    def _jsonld(self) -> tuple[list[tuple[dict[str, Any], bool]], dict[str, dict[str, Any]]]:
        """Every typed JSON-LD node, flagged True when it may be the page's own main entity."""
        nodes: list[tuple[dict[str, Any], bool]] = []
        ids: dict[str, dict[str, Any]] = {}
        scripts = self.ld_scripts
        for raw in scripts:
            if not raw.strip():
                continue
            data = load_json(raw[:MAX_JSONLD_CHARS])
            if data is None:
                self.warnings.append("invalid JSON-LD block skipped")
                continue
            for node, main in walk_ld(data):
                if len(nodes) >= MAX_JSONLD_NODES:
                    break
                nodes.append((node, main))
                node_id = node.get("@id")
                if isinstance(node_id, str) and len(node) > 1:
                    ids.setdefault(node_id, node)
        return nodes, ids

    def resolve(self, value: Any) -> Any:
        """Follow an ``{"@id": ...}`` reference to its node in the same page (Yoast-style graphs)."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and isinstance(value.get("@id"), str):
            return self.ld_ids.get(value["@id"], value)
        return value

    def _main_article(self) -> dict[str, Any] | None:
        """The JSON-LD node that describes this page's story, if any.

        Candidates are article-typed nodes not reached through a list, a publisher or a related link.
        Several candidates (an article plus its syndicated copy, or a page listing teasers as top-level
        nodes) are decided by whose URL matches the page, then by document order.
        """
        candidates = [n for n, main in self.ld_nodes if main and ld_types(n) & ARTICLE_TYPES]
        if not candidates:
            candidates = [
                n
                for n, main in self.ld_nodes
                if main
                and ld_types(n) & (PAGE_TYPES | VIDEO_TYPES)
                and ("headline" in n or "datePublished" in n or "uploadDate" in n)
            ]
        if not candidates:
            return None
        if len(candidates) > 1:
            page_keys = {url_key(u) for u in (self.url, self.link_canonical()) if u}
            for node in candidates:
                for key in ("url", "@id", "mainEntityOfPage"):
                    ref = node.get(key)
                    if isinstance(ref, dict):
                        ref = ref.get("@id") or ref.get("url")
                    if isinstance(ref, str) and url_key(urljoin(self.base or "", ref)) in page_keys:
                        return node
        return candidates[0]

    def ld_nodes_of(self, types: frozenset[str]) -> Iterator[dict[str, Any]]:
        for node, _main in self.ld_nodes:
            if ld_types(node) & types:
                yield node

    # ---------------------------------------------------------------------------------- page parts
    def link_canonical(self) -> str | None:
        return self.canonical_href

    def h1s(self) -> list[lxml.html.HtmlElement]:
        """Story headings, the one that anchors the byline/date search first.

        The anchor is the ``<h1>`` whose text matches the title the page declares (og:title, JSON-LD
        headline, ``<title>``), preferring one outside sidebars and related blocks; failing that the
        first such ``<h1>``, and on pages without a usable ``<h1>`` an ``<h2>``/``<h3>`` that matches
        the declared title (Blogger-style themes). Logos and screen-reader-only headings never count.
        """
        if self._h1 is not None:
            return self._h1
        hints = [
            t
            for t in (
                self.meta_value("og:title"),
                self.meta_value("twitter:title"),
                ld_text(self.article_node.get("headline")) if self.article_node else None,
                self.title_text,
            )
            if t
        ]
        headings: list[tuple[lxml.html.HtmlElement, str, bool]] = []
        for h in self.tree.iter("h1"):
            if len(headings) >= 10:
                break
            if _is_decorative_heading(h):
                continue
            text = clean_text(element_text(h))
            if text:
                headings.append((h, text, not in_other_block(h)))
        good = [h for h, element_text, ok in headings if ok]
        matching = [(h, ok) for h, text, ok in headings if _matches_title(text, hints)]
        anchor = next((h for h, ok in matching if ok), None)
        if anchor is None and matching:
            anchor = matching[0][0]
        if anchor is None and hints:
            for count, h in enumerate(self.tree.iter("h2", "h3")):
                if count >= 40:
                    break
                if not _is_decorative_heading(h) and _matches_title(clean_text(element_text(h)), hints):
                    anchor = h
                    break
        if anchor is None:
            site = {compact_text(n) for n in site_spellings(self, self.meta_value("og:site_name"))}
            anchor = next((h for h, text, ok in headings if ok and compact_text(text) not in site), None)
        if anchor is None and hints:
            anchor = self._styled_heading(hints)
        if anchor is None and len(headings) == 1:
            # a page's only <h1> is its story's, however its layout wrappers are named
            # ("st-sidebar__container", "sidebar-wrapper" hold the story beside its sidebar)
            anchor = headings[0][0]
        if anchor is None:
            self._h1 = []
        else:
            self._h1 = [anchor, *(h for h in good if h is not anchor)][:3]
        return self._h1

    def _styled_heading(self, hints: list[str]) -> lxml.html.HtmlElement | None:
        """Table-layout pages set the headline in ``<b>``/``<font>``/``<span>``: the first such element
        whose whole text is the declared title stands in for the ``<h1>``."""
        # the story part of each declared title: its longest segment ("Site - Story" → "Story")
        stories = {compact_text(max(TITLE_SEPARATORS_RE.split(clean_text(h)), key=len)) for h in hints}
        stories = {s for s in stories if len(s) >= 10}
        if not stories:
            return None
        for count, el in enumerate(self.tree.iter(*_STYLED_HEADING_TAGS)):
            if count >= 3000:
                break
            if len(el) > 3 or not (el.text or (len(el) and el[0].text)):
                continue  # a headline is a short run of text, not a container of blocks
            text = element_text(el, 300)
            if 10 <= len(text) <= 300 and compact_text(text) in stories and not in_other_block(el):
                return el
        return None

    def itemprops(self, name: str) -> list[lxml.html.HtmlElement]:
        """Microdata elements carrying ``itemprop=name`` (case-sensitive, as schema.org defines)."""
        if self._itemprops is None:
            self._itemprops = {}
            for el in _ITEMPROP_XPATH(self.tree):
                for prop in (el.get("itemprop") or "").split():
                    self._itemprops.setdefault(prop, []).append(el)
        return self._itemprops.get(name, [])

    def region(self) -> Region:
        if self._region is None:
            self._region = scan_region(self)
        return self._region

    def absolute(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if not href or href.startswith(("data:", "javascript:", "about:")):
            return None
        joined = urljoin(self.base or "", href)
        if joined.startswith("//"):
            joined = "https:" + joined
        return joined


# compiled once; the position bound is applied inside libxml2, so a huge microdata page costs 500 proxies.
# The bound sits in the step, not on a parenthesised whole: from the one context node both select the
# first 500 in document order, but the parenthesised form made libxml2 gather and sort a node-set first
# (3.6x the time on the dev pages, a quarter of a millisecond a page).
_ITEMPROP_XPATH = lxml.etree.XPath("descendant-or-self::*[@itemprop][position() <= 500]")


def _is_decorative_heading(h: lxml.html.HtmlElement) -> bool:
    label = f"{h.get('class', '')} {h.get('id', '')}".lower()
    return any(w in label for w in _DECORATIVE_HEADING_WORDS) or _links_home_only(h)


def _links_home_only(h: lxml.html.HtmlElement) -> bool:
    """A heading whose whole text is one link to the site's front page (``<h1><a href="https://site.com"
    class="cssLogo">Site <small>Tagline</small></a></h1>``): the masthead's name, whatever its class. A
    story's heading links to its own address, which has a path."""
    if len(h) != 1 or (h.text or "").strip() or (h[0].tail or "").strip() or h[0].tag != "a":
        return False
    href = (h[0].get("href") or "").strip()
    parts = urlsplit(href)
    if parts.query or parts.fragment:
        return False  # "#", "?page=2": no front page
    return (bool(parts.netloc) and parts.path in ("", "/")) or href in _FRONT_PAGE_HREFS


_FRONT_PAGE_HREFS = frozenset(("/", "./", "/index.html", "/index.php", "index.html", "index.php"))


_STYLED_HEADING_TAGS = ("h4", "h5", "b", "strong", "font", "span", "p", "div", "td", "big")
_DECORATIVE_HEADING_WORDS = (
    "logo",
    "brand",
    "site-title",
    "site-name",
    "sitename",
    "visually-hidden",
    "sr-only",
    "screen-reader",
    "visuallyhidden",
    "hidden-title",
)


def _matches_title(text: str, hints: list[str]) -> bool:
    """Whether a heading's text is the declared title (or its main part)."""
    compact = compact_text(text)
    if len(compact) < 4:
        return False
    for hint in hints:
        hint_compact = compact_text(hint)
        if compact == hint_compact or (compact in hint_compact and len(compact) >= 0.4 * len(hint_compact)):
            return True
        if hint_compact in compact and len(hint_compact) >= 0.6 * len(compact):
            return True
    return False
