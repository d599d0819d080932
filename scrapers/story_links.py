"""Which links of an outlet's home page lead to its stories, on a site nobody described.

Two signals, each measured out of fold in ``bench/crawl_autodiscover.py``:

- the address: a date followed by more, a numeric or hashed id, a query id, a slug of four words or more
  (``looks_like_article``), read after percent-decoding, so a slug in another script counts as one;
  weaker hints (a three-word slug, a slug ending in a short id, a ``.html`` page named by words, a
  segment such as ``/story/`` or ``/p/`` before a slug) count only beside the second signal;
- where the link sits on the page: its anchor text reads like a headline (several words, not a section
  name), it is outside the page's chrome, and its address has the shape most of the page's headline
  links share (the outlet's own article pattern, learned from that page alone). The chrome is the
  page's navigation, header and footer, and, told by structure alone for a template of plain ``div``s,
  a block of short labels that is mostly link text, and a tree of links (a list item with a link and a
  nested list of links: a menu's sections and their pages).

A slug-only address whose every anchor is a short label ("Local news", "About us") is a menu entry, not a
story, and is left. Nothing here depends on class names or on semantic tags being present: without
``<nav>``, ``<header>`` and ``<footer>`` the structure, text and shape signals still hold (the bench
measures both).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

# A date in the path followed by more (/2024/05/12/slug, /2024-05-12-slug, /20240512/slug; the date alone,
# /2024/05/12/ or an events calendar's /events/2024-05-12/, is a day's listing), a long numeric id
# (/a/33012345.html), or a slug of four words or more (/harbour-council-votes-on-the-budget). Listings and
# archives look otherwise, or sit under the names below.
_DATED_PATH = re.compile(
    r"/(?:19|20)\d\d(?:/[01]\d(?:/[0-3]\d)?/[^/?]*[^\W\d_][^/?]*|-[01]\d-[0-3]\d(?=[\-_.]|/[^/?])|[01]\d[0-3]\d(?=[\-_.]|/[^/?]))"
)
_LONG_ID = re.compile(r"(?:^|[/\-_.])\d{6,}(?=[/\-_.]|$)")
_LONG_SLUG = re.compile(r"/[^/]*[a-z\u00c0-\uffff][^/]*(?:[-_][^/\-_]+){3,}/?$", re.I)
LISTING_SEGMENTS = frozenset(
    {
        "tag",
        "tags",
        "category",
        "categories",
        "author",
        "authors",
        "topic",
        "topics",
        "search",
        "page",
        "section",
        "sections",
        "archive",
        "archives",
        "login",
        "account",
        "subscribe",
        "newsletter",
        "feed",
    }
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_LETTER = re.compile(r"[^\W\d_]")
_EXTENSION = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cfm|cms)$", re.I)
# An opaque id: ten or more letters and digits, the two mixed (a Mongo id, an Arc id such as
# DHCHJTT5TNETPCHCIYLXWMQOBA, a hash), unlike a word with a number after it (``vogeldesjahres2021``).
_HASH = re.compile(
    r"(?=[^\W_]{10,}$)(?![^\W\d_]+\d+$)(?!\d+[^\W\d_]+$)[^\W_]*?(?:[^\W\d_]\d|\d[^\W\d_])[^\W_]*"
)
# Query names that page, sort or filter a listing: their numbers are not a story's id (``nn``: the
# navigation node of Government Site Builder, the CMS of many public bodies' sites).
_LISTING_QUERY = frozenset(
    {"page", "paged", "pg", "cat", "category", "tag", "offset", "start", "limit", "sort", "order", "year"}
    | {"month", "m", "lang", "l", "s", "q", "search", "per_page", "view", "nn", "topic", "types[]", "type"}
)
# A segment naming the kind of page that follows it, in the languages most news is published in.
_STORY_MARKERS = frozenset(
    {"p", "a", "s", "story", "stories", "article", "articles", "artikel", "artikkel", "artykul", "post"}
    | {"posts", "entry", "item", "news", "noticia", "noticias", "nachricht", "nachrichten", "meldung"}
    | {"actualite", "actualites", "notizia", "notizie", "articolo", "artigo", "materia", "blog", "detail"}
)
HEADLINE_MIN_WORDS = 3  # "Harbour council resigns"; with 20 characters or more
LABEL_MAX_WORDS = 3  # "Local news", "Terms of use": a menu's label, even when it is also a headline
# Scripts written without spaces between words: a headline there is a run of characters.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _segments(path: str) -> list[str]:
    return [segment for segment in unquote(path.split("?", 1)[0]).split("/") if segment.strip()]


_ARCHIVES = frozenset({"archive", "archives"})


def is_listing(path: str) -> bool:
    """Under a tag, author, search, paging or account segment: a listing whatever else it looks like. An
    archive segment is one only when no story follows it: ``/archive/2024/05/12/harbour-vote`` and
    WordPress's numeric ``/archives/1234`` are stories, ``/archive/2024/05/`` is a month's listing."""
    bare = unquote(path.split("?", 1)[0])
    named = {segment.lower() for segment in bare.split("/")} & LISTING_SEGMENTS
    if not named <= _ARCHIVES:
        return True
    return bool(named) and not _archived_story(bare)


def _archived_story(bare: str) -> bool:
    """What follows the last archive segment names one story: a date then a slug, or a number alone."""
    rest = re.split(r"/archives?(?=/)", bare, flags=re.I)[-1]
    last = [segment for segment in rest.split("/") if segment]
    if len(last) == 1 and re.fullmatch(r"\d{2,}", last[0]):
        return not _YEAR.fullmatch(last[0])
    return bool(_DATED_PATH.search(rest) or _LONG_ID.search(rest))


# A file, not a page: a fetch of it is refused as ``not_html`` after its bytes are spent.
_DOWNLOAD = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|od[tsp]|rtf|csv|zip|rar|7z|t?gz|mp[34]|m4a|wav|ogg|avi|mov|webm"
    r"|jpe?g|png|gif|webp|svg|ics|vcf|epub|apk|exe|dmg)$",
    re.I,
)


def is_download(path: str) -> bool:
    """An address naming a document or media file (``/uploads/2023/03/report.pdf``): dated or long as its
    name may be, it is no story page."""
    return bool(_DOWNLOAD.search(unquote(path.split("?", 1)[0]).rstrip("/")))


def query_variants(paths: Sequence[str], own_path: str) -> list[bool]:
    """For each of a page's addresses, whether it is another address of the page itself or of one of its
    links with a query that names no story: a share button (``/2023/11/08/story/?share=facebook``), a
    comment form (``?replytocom=4411``), a print or sort view. One story, one fetch: the plain address is
    there already. A query carrying a story's id on an address that names no story by itself, ``/?p=123``
    beside ``/``, is a story of its own."""
    plain = {path for path in paths if "?" not in path} | {own_path.split("?", 1)[0]}
    variants = []
    for path in paths:
        bare, _, query = path.partition("?")
        named = bool(query) and bare in plain
        variants.append(named and (not _query_id(query) or looks_like_article(bare)))
    return variants


def _slug_words(segment: str) -> int:
    stem = _EXTENSION.sub("", segment)
    return len([word for word in re.split(r"[-_.,+]+", stem) if word]) if _LETTER.search(stem) else 0


def _dated_more(segments: list[str]) -> bool:
    """A year segment followed by an id or a slug (/2020/08/23646/, /blog/2023/digital-rights): what
    ``_DATED_PATH`` leaves when the next segment has no letter, or there is no month."""
    if not any(_YEAR.fullmatch(segment) for segment in segments[:-1]):
        return False
    last = segments[-1]
    return bool(re.fullmatch(r"\d{3,}", last)) or _slug_words(last) >= 2


# A day written as eight digits (``?day=20240513``): a calendar's day, not a story's number.
_DAY = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")


def _query_id(query: str) -> bool:
    """A query carrying a story's number (``?p=31228``, ``?id=58354``, ``?newsid=``, ``?article8532``),
    not a listing's page, category or filter, nor a calendar's day (``?day=20240513``)."""
    for part in query.split("&"):
        name, _, value = part.partition("=")
        name = unquote(name).lower()
        if not value and re.fullmatch(r"[a-z_]*[a-z]\d{3,}", name):
            return True
        if re.fullmatch(r"\d{3,}", value) and name not in _LISTING_QUERY and not _DAY.fullmatch(value):
            return True
    return False


def looks_like_article(path: str) -> bool:
    """An address that reads as one story's rather than a listing's, by its shape alone: the rule a source
    given only its home page finds its articles by, when it offers no feed and no sitemap."""
    if is_listing(path):
        return False
    bare, _, query = path.partition("?")
    decoded = unquote(bare)
    segments = _segments(path)
    return bool(
        _DATED_PATH.search(decoded)
        or _LONG_ID.search(decoded)
        or _LONG_SLUG.search(decoded)
        or _dated_more(segments)
        or any(_HASH.fullmatch(segment) for segment in segments[-2:])
        or (query and _query_id(query))
    )


def _slug_only(path: str) -> bool:
    """Taken by ``looks_like_article`` for its long slug alone, with no date or id to back it."""
    decoded = unquote(path.split("?", 1)[0])
    segments = _segments(path)
    return not (
        _DATED_PATH.search(decoded)
        or _LONG_ID.search(decoded)
        or _dated_more(segments)
        or any(_HASH.fullmatch(segment) for segment in segments[-2:])
        or "?" in path
    )


def hints_article(path: str) -> bool:
    """Weaker address evidence, enough beside a headline: a slug of three words, a slug ending in a short
    id (``emden-21416``, ``news,139377.html``, ``paxlovid-id212627``), a page named by words
    (``leadership-styles.html``), or a segment such as ``/story/`` or ``/artikel/`` before a slug or id."""
    if is_listing(path):
        return False
    segments = _segments(path)
    if not segments:
        return False
    last = segments[-1]
    if _slug_words(last) >= 3:
        return True
    number = re.search(r"(\d{4,})(?:\.[a-z]{2,5})?$", last, re.I)
    if number and not _YEAR.fullmatch(number.group(1)):
        return last != number.group(0) or (len(segments) >= 2 and bool(_LETTER.search(segments[-2])))
    if _EXTENSION.search(last) and _slug_words(last) >= 2:
        return _EXTENSION.sub("", last).lower() not in {"index", "default"}
    marked = any(segment.lower() in _STORY_MARKERS for segment in segments[:-1])
    return marked and (_slug_words(last) >= 2 or bool(re.search(r"\d{3,}", last)))


def headline_like(text: str) -> bool:
    """Anchor text that reads like a story's headline: several words (a run of characters in scripts
    without spaces), not a section's or a menu's one- or two-word label."""
    if _UNSPACED.search(text):
        return len(text) >= 10
    return len(text.split()) >= HEADLINE_MIN_WORDS and len(text) >= 20


def _label_like(text: str) -> bool:
    return 0 < len(text.split()) <= LABEL_MAX_WORDS and not _UNSPACED.search(text)


def _segment_class(segment: str) -> str:
    stem = _EXTENSION.sub("", segment)
    if _YEAR.fullmatch(stem):
        return "y"
    if stem.isdigit():
        return "n"
    if _HASH.fullmatch(stem):
        return "h"
    return "s" if _slug_words(stem) >= 2 else "w"


def path_shape(path: str) -> tuple[str, ...]:
    """An address's shape: a class per segment (year, number, hash, slug, word), and whether it has a
    query. ``/politics/harbour-vote-passes`` and ``/sport/cup-final-tonight`` share one."""
    shape = tuple(_segment_class(segment) for segment in _segments(path))
    return (*shape, "?") if "?" in path else shape


@dataclass(slots=True)
class PageLink:
    """One same-host address of a page, with every anchor text pointing to it (an image link and its
    headline link are one story) and whether any of its anchors sits in the page's chrome."""

    url: str
    path: str
    texts: list[str]
    in_chrome: bool
    variant: bool = False  # another address of the page with a query naming no story (``query_variants``)

    @property
    def text(self) -> str:
        return max(self.texts, key=len, default="")


def story_shape(links: Iterable[PageLink], *, min_links: int = 3) -> tuple[str, ...] | None:
    """The shape most of a page's headline links outside its chrome share: the outlet's article pattern,
    learned from the page alone. None when fewer than ``min_links`` share one, or when it is a single word
    (``/politics``: sections)."""
    shapes = Counter(
        path_shape(link.path)
        for link in links
        if not link.in_chrome and not is_listing(link.path) and headline_like(link.text)
    )
    if not shapes:
        return None
    shape, count = shapes.most_common(1)[0]
    return shape if count >= min_links and shape not in {(), ("w",)} else None


def takes(link: PageLink, shape: tuple[str, ...] | None) -> bool:
    """Whether a home page's link is followed as a story (the rules in the module's docstring)."""
    if link.in_chrome or link.variant or is_listing(link.path) or is_download(link.path):
        return False
    texts = [text for text in link.texts if text]
    if looks_like_article(link.path):
        return not (_slug_only(link.path) and texts and all(_label_like(text) for text in texts))
    if not headline_like(link.text):
        return False
    return hints_article(link.path) or (shape is not None and path_shape(link.path) == shape)


# The page's own chrome: navigation anywhere, and a header or footer that is not a story card's own.
_CHROME = "ancestor-or-self::nav or ancestor::*[@role='navigation']"
_PAGE_FRAME = "ancestor::header[not(ancestor::article)] or ancestor::footer[not(ancestor::article)]"


def in_chrome(anchor: Any) -> bool:
    """Inside the page's ``<nav>`` (or ``role=navigation``), or a ``<header>``/``<footer>`` that is not
    inside an ``<article>`` (a story card's own header holds its headline)."""
    return bool(anchor.xpath(f"boolean({_CHROME} or {_PAGE_FRAME})"))


# The chrome told by its structure alone, for a template of plain ``div``s and lists with no <nav>,
# <header> or <footer>. A short-label block: the smallest block holding MENU_MIN_LINKS links or more,
# whose links are mostly short labels and whose text is mostly link text (a story list has headlines, a
# teaser block summaries beside its links). A link tree: a list item with a link of its own and a nested
# list of links (a menu's section and its sub-pages, a mega-menu, a site map), however long its labels.
MENU_MIN_LINKS = 4
MENU_LABEL_SHARE = 0.75
MENU_LINK_DENSITY = 0.7
_LISTS = frozenset({"ul", "ol"})


def _words(node: Any) -> int:
    return sum(len(piece.split()) for piece in node.itertext())


def short_label_blocks(chains: Sequence[list[Any]], texts: Sequence[str]) -> list[bool]:
    """For each anchor (by its ancestors, nearest first, and its text), whether its block is a menu of
    short labels."""
    counts: Counter[Any] = Counter(node for chain in chains for node in chain)
    members: dict[Any, list[int]] = {}
    for index, chain in enumerate(chains):
        block = next((node for node in chain if counts[node] >= MENU_MIN_LINKS), None)
        if block is not None:
            members.setdefault(block, []).append(index)
    menu = [False] * len(chains)
    for block, indexes in members.items():
        named = [texts[index] for index in indexes if texts[index]]
        if not named or sum(map(_label_like, named)) < MENU_LABEL_SHARE * len(named):
            continue
        if sum(len(text.split()) for text in named) >= MENU_LINK_DENSITY * max(_words(block), 1):
            for index in indexes:
                text = texts[index]  # a long headline among labels: a featured story
                menu[index] = _label_like(text) or not headline_like(text)
    return menu


def link_tree_branches(chains: Sequence[list[Any]], hrefs: Sequence[str]) -> list[bool]:
    """For each anchor (by its ancestors, nearest first, and its address), whether it sits in a branch of
    a tree of links: a list item holding a link of its own (not inside a nested list) and a nested list
    with links. A dated address is a story whatever holds it (an archive widget's months and posts)."""
    own: set[Any] = set()  # list items with a link of their own
    nested: set[Any] = set()  # list items with a link inside a list of theirs
    for chain in chains:
        through_list = False
        for node in chain:
            if node.tag == "li":
                (nested if through_list else own).add(node)
            through_list = through_list or node.tag in _LISTS
    branches = own & nested
    return [
        bool(branches) and any(node in branches for node in chain) and not _dated(href)
        for chain, href in zip(chains, hrefs, strict=True)
    ]


def _dated(href: str) -> bool:
    """A date in the address (``/2024/05/12/slug``, ``/news/2020/2/13/id``): a year, then more."""
    bare = unquote(href.split("?", 1)[0])
    return bool(_DATED_PATH.search(bare)) or any(_YEAR.fullmatch(part) for part in bare.split("/")[:-1])


def menu_anchors(anchors: Sequence[Any], texts: Sequence[str]) -> list[bool]:
    """For each anchor of a page (in page order, with its whitespace-collapsed text), whether its place
    makes it the template's: a short-label block or a branch of a link tree."""
    chains = [list(anchor.iterancestors()) for anchor in anchors]
    blocks = short_label_blocks(chains, texts)
    branches = link_tree_branches(chains, [anchor.get("href") or "" for anchor in anchors])
    return [block or branch for block, branch in zip(blocks, branches, strict=True)]
