"""The story's header area: bylines, printed dates and paywall markers near its heading.

That is where a story prints its own byline and date; the same markup further away belongs to teasers,
"most read" lists and comments. Authors, dates and the paywall flag all read the one scan made here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Any

import lxml.etree
import lxml.html

from scrapers.metadata.blocks import AUTHOR_LABEL_RE, in_other_block, nearest_ancestor, widen_past_wrappers
from scrapers.metadata.text import clean_text, element_text, url_key

if TYPE_CHECKING:
    from scrapers.metadata.page import Page


MAX_CANDIDATES = 30  # visible elements examined per lookup

DATE_ATTRS = (
    "data-timestamp",
    "data-published",
    "data-publish-date",
    "data-published-at",
    "data-pubdate",
    "data-date",
    "data-time",
    "data-datetime",
    "data-epoch",
    "data-created",
)

# Class/id words that mark a printed date, matched on the header region only (bylines:
# ``AUTHOR_LABEL_RE``).
_DATE_LABEL_RE = re.compile(
    r"date|publish|datum|timestamp|dateline|fecha|meta|posted|created|(?<![a-z])time(?!line)|zeit",
    re.IGNORECASE,
)
# Links to an author page ("/autor/frank_g", "/people/jane-doe") carry the author's name as their text.
_AUTHOR_HREF_RE = re.compile(
    r"/(?:authors?|autor(?:en|in)?|auteurs?|autore|people|profiles?|journalists?|redakteur(?:e|in)?|periodistas?|"
    r"reporters?|staff|writers?|columnists?|mitarbeiter|perfil(?:es)?|profil(?:e)?)/[^/?#]+/?(?:[?#]|$)",
    re.IGNORECASE,
)
# Region bounds: how far around the main <h1> bylines and printed dates are looked for.
_REGION_LEVELS = 5
_REGION_BEFORE = 150
_NEAR_ELEMENTS = 12
_REGION_AFTER = 600

_PAYWALL_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:paywall|paywalled|regwall|metered|premium-content|subscriber-only|subscribers-only|"
    r"piano-paywall|article-locked|locked-content|content-locked|plus-content|abo-content)(?:$|[\s_-])",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Region:
    """Byline, date and paywall markers found around the story's heading."""

    authors: list[lxml.html.HtmlElement]
    prefixed: list[lxml.html.HtmlElement]  # unlabelled "By Jane Doe" lines, tried after labelled bylines
    near: list[str]  # short unlabelled lines right after the heading ("14.03.2024 · Von Martina Kessler")
    times: list[lxml.html.HtmlElement]
    dated: list[lxml.html.HtmlElement]
    paywall: bool
    h1_article: lxml.html.HtmlElement | None
    boundary: frozenset[Any]


def scan_region(page: Page) -> Region:
    """Look for bylines and printed dates only near the main ``<h1>``.

    That is where a story prints its own byline and date; the same markup further away belongs to
    teasers, "most read" lists and comments. The window (a few ancestors up, a bounded number of
    elements before and after the heading) also keeps the cost flat on huge pages. Without an ``<h1>``
    the first ``<article>`` (or ``<main>``, or the body) is scanned from its start.
    """
    h1s = page.h1s()
    tree = page.tree
    h1_article = None
    boundary: frozenset[Any] = frozenset()
    near: list[str] = []
    if h1s:
        heading = h1s[0]
        h1_article = nearest_ancestor(heading, "article")
        boundary = frozenset((heading, *heading.iterancestors()))
        root = _heading_root(heading)
        # Walk outwards from the heading, inside its container only: the cost is the window's, however
        # much navigation precedes the heading.
        window = _preceding_elements(heading, root, _REGION_BEFORE) + _following_elements(
            heading, root, _REGION_AFTER
        )
        near = _near_lines(heading, root, boundary, page)
    else:
        window = list(islice(_story_root(tree).iter(lxml.etree.Element), _REGION_AFTER))
    region = _classify(window, boundary)
    region.near = near[:8]
    region.h1_article = h1_article
    for el in (tree, tree.find("body")):
        if el is not None and _PAYWALL_CLASS_RE.search(el.get("class") or ""):
            region.paywall = True
    return region


def _heading_root(heading: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The heading's container: a few levels up, stopping at ``<article>``/``<main>`` or the body."""
    root = heading
    for _ in range(_REGION_LEVELS):
        parent = root.getparent()
        if parent is None:
            break
        root = parent
        if parent.tag in ("body", "html", "article", "main"):
            break
    return widen_past_wrappers(root)


def _story_root(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """Without a heading: the first ``<article>``, else ``<main>``, else the body."""
    for tag in ("article", "main", "body"):
        found = next(tree.iter(tag), None)
        if found is not None:
            return found
    return tree


def _near_lines(
    heading: lxml.html.HtmlElement, root: lxml.html.HtmlElement, boundary: frozenset[Any], page: Page
) -> list[str]:
    """Short unlabelled lines right after the heading ("14.03.2024 · Von Martina Kessler")."""
    near: list[str] = []
    for el in _following_elements(heading, root, _NEAR_ELEMENTS, own=False):
        if el.tag in _SKIP_TAGS or in_other_block(el, boundary) or links_elsewhere(el, page):
            continue
        text = clean_text(element_text(el, 200))
        # a child repeats part of its parent's line: keep the line, whose words say what it is
        if 6 <= len(text) <= 150 and not any(text in line for line in near):
            near.append(text)
    return near


def _classify(window: list[Any], boundary: frozenset[Any]) -> Region:
    """Sort the window's elements into byline, date and paywall candidates, in document order."""
    region = Region([], [], [], [], [], False, None, boundary)
    authors, times = region.authors, region.times
    for el in window:
        tag = el.tag
        if tag in _SKIP_TAGS:
            continue
        if tag in _BYLINE_TAGS and len(region.prefixed) < 5:
            lead = el.text
            if tag == "address" or (lead and len(lead) <= 60 and BYLINE_LEAD_RE.match(lead)):
                region.prefixed.append(el)
        keys = el.keys()
        if not keys:
            if tag == "time":
                times.append(el)
            continue
        is_time = tag == "time" or not _DATE_ATTR_SET.isdisjoint(keys)
        if is_time:
            times.append(el)
        if tag == "a" and (el.get("rel") == "author" or author_href(el.get("href") or "")):
            authors.append(el)
            continue
        if "itemprop" in keys and "author" in (el.get("itemprop") or ""):
            authors.append(el)
            continue
        dated, byline, paywall = _label_kinds(el.get("class"), el.get("id"))
        if dated and not is_time:
            region.dated.append(el)
        if byline:
            authors.append(el)
        if paywall and not region.paywall:
            region.paywall = bool(clean_text(element_text(el))) and not in_other_block(el, boundary)
    del authors[MAX_CANDIDATES:], times[MAX_CANDIDATES:], region.dated[MAX_CANDIDATES * 2 :]
    return region


# The window's elements repeat a page's few hundred class and id combinations: the pair's verdict is one
# lookup, where the verdicts per string below cost a call and two lookups for each of its elements.
@lru_cache(maxsize=32768)
def _label_kinds(class_attr: str | None, id_attr: str | None) -> tuple[bool, bool, bool]:
    """(date label, byline label, paywall label) for one element's class and id."""
    if not class_attr and not id_attr:
        return False, False, False
    # each attribute's verdict is kept apart: a page's ids are mostly unique, its class lists repeat
    c_dated, c_byline, c_paywall, c_spaces = _part_kinds(class_attr) if class_attr else _NO_KINDS
    i_dated, i_byline, i_paywall, i_spaces = _part_kinds(id_attr) if id_attr else _NO_KINDS
    # (a long class list is CMS taxonomy, "post tag-x autor-jane-doe", not a byline)
    byline = (c_byline or i_byline) and c_spaces + 1 + i_spaces <= 8
    return c_dated or i_dated, byline, c_paywall or i_paywall


_NO_KINDS = (False, False, False, 0)


# Class names and author-page links repeat across elements and pages: each string's verdict is computed
# once per process (the regexes below are long alternations, the scan's main cost before this cache).
@lru_cache(maxsize=32768)
def _part_kinds(label: str) -> tuple[bool, bool, bool, int]:
    """(date label, byline label, paywall label, spaces) for one class or id string."""
    spaces = label.count(" ")
    if len(label) < 4:
        return False, False, False, spaces
    if label.isascii():  # nearly all: the lowered label, searched without case folding (a third the cost)
        low = label.lower()
        if not _ANY_LABEL_LOWER.search(low):
            return False, False, False, spaces  # most elements: one regex test and done
        return (
            bool(_DATE_LOWER.search(low)),
            bool(_AUTHOR_LOWER.search(low)),
            bool(_PAYWALL_LOWER.search(low)),
            spaces,
        )
    if not _ANY_LABEL_RE.search(label):
        return False, False, False, spaces
    dated = bool(_DATE_LABEL_RE.search(label))
    return dated, bool(AUTHOR_LABEL_RE.search(label)), bool(_PAYWALL_CLASS_RE.search(label)), spaces


@lru_cache(maxsize=32768)
def author_href(href: str) -> bool:
    """Whether a link points to an author's page ("/autor/frank_g", "/people/jane-doe")."""
    return bool(_AUTHOR_HREF_RE.search(href))


_BYLINE_TAGS = frozenset(("p", "span", "div", "li", "em", "strong", "small", "address", "b", "i", "dd", "td"))
# An element whose own text opens with a byline word: "par <a>Jacques Munier</a>", "By Jane Doe".
BYLINE_LEAD_RE = re.compile(
    r"^\s*(?:by|von|par|por|di|door|av|af|od|от|written by|escrito por|texto de|text von|reportage von|"
    r"autor(?:in)?:|author:|auteur:|text:)"
    r"(?:\s*:)?(?:\s+\S|\s*$)",
    re.IGNORECASE,
)

_DATE_ATTR_SET = frozenset(DATE_ATTRS)


def _following_elements(
    heading: lxml.html.HtmlElement, root: lxml.html.HtmlElement, limit: int, own: bool = True
) -> list[Any]:
    """The heading and its descendants (unless ``own`` is False), then what follows it inside ``root``,
    in document order."""
    # (each subtree is taken by ``islice`` in C: a Python loop per element was a third of the scan)
    found: list[Any] = list(islice(heading.iter(lxml.etree.Element), limit)) if own else []
    if len(found) >= limit:
        return found
    node = heading
    while node is not None and node is not root:
        for sibling in node.itersiblings():
            found.extend(islice(sibling.iter(lxml.etree.Element), limit - len(found)))
            if len(found) >= limit:
                return found
        node = node.getparent()
    return found


def _preceding_elements(heading: lxml.html.HtmlElement, root: lxml.html.HtmlElement, limit: int) -> list[Any]:
    """Up to ``limit`` elements before the heading inside ``root`` (nearest siblings first), in
    document order; a huge preceding block contributes only its first elements."""
    chunks: list[list[Any]] = []
    count = 0
    node = heading
    while node is not None and node is not root and count < limit:
        for sibling in node.itersiblings(preceding=True):
            chunk = list(islice(sibling.iter(lxml.etree.Element), limit - count))
            chunks.append(chunk)
            count += len(chunk)
            if count >= limit:
                break
        node = node.getparent()
    return [el for chunk in reversed(chunks) for el in chunk]


_ANY_LABEL_RE = re.compile(
    _DATE_LABEL_RE.pattern + "|" + AUTHOR_LABEL_RE.pattern + "|" + _PAYWALL_CLASS_RE.pattern, re.IGNORECASE
)
# The label patterns spelled without case folding, for ASCII labels lowered first: every pattern is
# written in lower case, and on ASCII text folding case and lowering the text give the same matches.
_ANY_LABEL_LOWER, _DATE_LOWER, _AUTHOR_LOWER, _PAYWALL_LOWER = (
    re.compile(p.pattern, p.flags & ~re.IGNORECASE)
    for p in (_ANY_LABEL_RE, _DATE_LABEL_RE, AUTHOR_LABEL_RE, _PAYWALL_CLASS_RE)
)
_SKIP_TAGS = frozenset(("script", "style", "meta", "link", "noscript", "svg", "path", "img", "source", "br"))

SEGMENT_SPLIT_RE = re.compile(r"\s*[·•|]\s*|\s+[–—]\s+")


def links_elsewhere(el: lxml.html.HtmlElement, page: Page) -> bool:
    """A date inside a link to another page is that page's date (a teaser), unless the link is this
    page's own permalink (blogs wrap their date in one)."""
    node = el
    for _ in range(4):
        if node is None:
            return False
        if node.tag == "a":
            href = node.get("href")
            if not href or href.startswith("#") or "bookmark" in (node.get("rel") or ""):
                return False
            return _elsewhere(href, page)
        node = node.getparent()
    return False


def _elsewhere(href: str, page: Page) -> bool:
    """Whether ``href`` leads off this page; each address is resolved once per page (the header lines,
    the byline scan and the htmldate clean-up ask about the same links)."""
    verdicts: dict[str, bool] | None = page.cache.get("elsewhere")
    if verdicts is None:
        verdicts = page.cache["elsewhere"] = {}
    verdict = verdicts.get(href)
    if verdict is None:
        # an absolute address keeps its host and path through ``urljoin``: only relative ones need it
        absolute = href.startswith(("http://", "https://")) and not href[-1:].isspace()
        target = url_key(href if absolute else page.absolute(href) or "")
        verdict = verdicts[href] = bool(target) and target not in _own_keys(page)
    return verdict


def _own_keys(page: Page) -> frozenset[str]:
    """The page's own addresses (its URL and canonical link), as ``url_key`` compares them."""
    own: frozenset[str] | None = page.cache.get("own_keys")
    if own is None:
        own = frozenset(url_key(u) for u in (page.url, page.absolute(page.canonical_href)) if u)
        page.cache["own_keys"] = own
    return own


def own_story(el: lxml.html.HtmlElement, region: Region, publication: bool = False) -> bool:
    """Outside other stories' blocks and inside the heading's ``<article>``, whose own side column
    (date, byline) counts as the story's; a date labelled as the publication may sit in a breadcrumb."""
    in_article = region.h1_article is not None and nearest_ancestor(el, "article") is region.h1_article
    if in_other_block(el, region.boundary, side_column=in_article, breadcrumb=publication):
        return False
    if not in_article and _in_site_header(el, region.boundary):
        return False
    return in_article or region.h1_article is None


def _in_site_header(el: lxml.html.HtmlElement, boundary: frozenset[Any]) -> bool:
    """Inside the page's own ``<header>`` (one in no ``<article>``, not around the story's heading): the
    masthead's date, a broadcast schedule or an audio launcher's stamp, printed before the story's own."""
    header = nearest_ancestor(el, "header")
    return header is not None and header not in boundary and nearest_ancestor(header, "article") is None
