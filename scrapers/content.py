"""Find the main-content region of a page with lxml alone, before any BeautifulSoup work.

Text is attributed to the block it reads in (a ``<p>``, a ``<li>``, a ``<div>`` with loose text). A block
is *good* when it is long enough to be prose and not dominated by links, and it is not inside chrome
(navigation, sidebars, comments: see ``boilerplate.class_hint``). Every container then scores the good
text beneath it minus the link-heavy, short and chrome text beneath it, and the best-scoring container is
the article region. Because the score is a sum over all blocks below an element, a body split into many
siblings by embeds and ad slots is found as the union of those siblings (their common parent scores
higher than any single part), while a page-wide wrapper loses because it also collects the chrome.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from lxml import etree
from lxml.html import HtmlElement

from scrapers import block_forms
from scrapers import boilerplate as bp

INLINE_TAGS: frozenset[str] = frozenset(
    {
        "a",
        "abbr",
        "acronym",
        "b",
        "bdi",
        "bdo",
        "big",
        "br",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "img",
        "ins",
        "kbd",
        "label",
        "mark",
        "nobr",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
    }
)
# Blocks that hold text themselves; they are voted for, never chosen as the region.
LEAF_BLOCKS: frozenset[str] = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dt",
        "dd",
        "pre",
        "tr",
        "th",
        "ul",
        "ol",
        "dl",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "blockquote",
        "figure",
        "figcaption",
        "address",
        "caption",
        "summary",
        "hr",
        "html",
        "nav",
        "footer",
        "aside",
        "form",
        "menu",
        "header",
        "details",
    }
)
HEADINGS: frozenset[str] = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Link lists and link paragraphs inside a story (sources, "read more") are not teaser headlines.
_LIST_BLOCKS: frozenset[str] = frozenset({"li", "p", "td", "th", "dd", "dt", "tr", "ul", "ol"})

# Shortest block that counts as prose; CJK scripts pack a sentence into fewer characters.
MIN_PROSE_CHARS = 25
MAX_PROSE_LINK_DENSITY = 0.5
LONG_PARAGRAPH_CHARS = 80
MAX_CAPTION_CHARS = 250
# A lead is a few paragraphs between the headline and the body, under a common ancestor not far up.
LEAD_MAX_LEVELS = 7
LEAD_MIN_CHARS = 40
LEAD_MIN_DEK_CHARS = 60
LEAD_MAX_BLOCKS = 5
LEAD_MAX_CHARS = 1200
# A child holding this share of a region's prose replaces the region.
SHRINK_SHARE = 0.7


@dataclass(slots=True)
class Analysis:
    """Per-element figures of one page, indexed like ``elements`` (document order)."""

    elements: list[HtmlElement]
    parent: list[int]
    text_chars: list[int]  # text of the block itself (not its nested blocks), outside links
    link_chars: list[int]
    is_block: list[bool]
    good: list[bool]  # block is prose outside chrome
    chrome: list[bool]  # element or an ancestor is chrome
    chrome_roots: list[int]  # outermost chrome elements, for removal
    agg_text: list[int] = field(default_factory=list)  # aggregates over the subtree
    agg_link: list[int] = field(default_factory=list)
    agg_good: list[int] = field(default_factory=list)
    agg_paragraphs: list[int] = field(default_factory=list)
    score: list[float] = field(default_factory=list)
    linked_headings: list[int] = field(default_factory=list)
    index: dict[HtmlElement, int] = field(default_factory=dict)
    hint: list[int] = field(default_factory=list)
    paragraph_run: list[int] = field(default_factory=list)  # most one-paragraph children of one parent
    page_good: int = 0
    dense_chars: int = 0  # prose of the densest run, once ``densest_region`` has looked


@dataclass(slots=True)
class Region:
    """The chosen article container and what it says about the page."""

    element: HtmlElement
    index: int
    good_chars: int
    paragraphs: int
    page_good_chars: int
    linked_headings: int
    title_links: int


def _labels_section(el: HtmlElement) -> bool:
    """A header holding a subheading but no page title labels a section or a live-blog entry."""
    return el.find(".//h1") is None and next(el.iter("h2", "h3", "h4", "h5", "h6"), None) is not None


def _is_header(el: HtmlElement) -> bool:
    return el.tag == "header" or "header" in (el.get("class") or "").lower()


def _tag_hint(el: HtmlElement) -> int:
    tag = el.tag
    if tag in ("nav", "footer", "aside", "form", "fieldset", "menu", "figcaption", "figure", "dialog"):
        return bp.HARD
    if tag == "header":
        # A page or article header (title, byline, share bar) is furniture.
        return bp.SOFT
    if tag in ("article", "main"):
        return bp.POSITIVE
    return bp.NEUTRAL


def _mark_captions(
    elements: list[HtmlElement],
    index: dict[HtmlElement, int],
    parent: list[int],
    raw_good: list[int],
    raw_par: list[int],
    hint: list[int],
) -> None:
    """Short text sharing a small box with an image is its caption or credit, whatever the markup.

    ``<figure>`` captions are caught by tag; templates with generated class names put the caption in
    a plain ``<div>`` next to the image's own wrapper, which only this structural rule finds.
    """
    for img in elements[0].iter("img"):
        i = index.get(img, -1)
        for _ in range(3):
            i = parent[i] if i >= 0 else -1
            if i < 0:
                break
            el = elements[i]
            if el.tag in INLINE_TAGS:
                # an inline wrapper's own text is counted on its block, so its figures say nothing
                # of what it holds: ``<font>`` around a whole story and its photo is no caption box
                continue
            if raw_good[i]:
                if (
                    el.tag not in ("p", "li", "body", "html")
                    and raw_par[i] <= 1
                    and hint[i] == bp.NEUTRAL
                    and (
                        raw_good[i] < MAX_CAPTION_CHARS
                        or (
                            raw_good[i] <= LONG_CAPTION_PAGE_SHARE * raw_good[0]
                            and _repeats_image_text(img, el, raw_good[i])
                        )
                    )
                ):
                    hint[i] = bp.HARD
                break


# A caption longer than ``MAX_CAPTION_CHARS`` is still one when it repeats the image's own description
# (its ``alt`` or ``title``, or the title of the link around it), up to this length.
MAX_LONG_CAPTION_CHARS = 800
# ...and holding no more than this share of the page's prose: a short story's lead beside its photo is
# not its caption, even when the alt text repeats it.
LONG_CAPTION_PAGE_SHARE = 0.3
_CAPTION_KEY_CHARS = 40
_WORDS = re.compile(r"\w+")


def _caption_key(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def _repeats_image_text(img: HtmlElement, box: HtmlElement, chars: int) -> bool:
    """The box's text says what the image's own description says: a photo caption set beside it.

    Templates print the caption the CMS stored with the photo both as the image's ``alt``/``title`` and
    as the text under it; a story paragraph next to a lead image does not repeat its alt text.
    """
    if chars >= MAX_LONG_CAPTION_CHARS:
        return False
    link = next(img.iterancestors("a"), None)
    described = [img.get("alt"), img.get("title"), link.get("title") if link is not None else None]
    keys = [_caption_key(text)[:_CAPTION_KEY_CHARS] for text in described if text]
    keys = [key for key in keys if len(key) >= _CAPTION_KEY_CHARS]
    if not keys:
        return False
    own = _caption_key(box.text_content())
    return any(key in own for key in keys)


def _protected(hint: int, share: float, paragraphs: int, sibling_paragraphs: int, page_run: int) -> bool:
    """A chrome-named element that holds much of the page's prose is the story's wrapper, not chrome.

    Templates name wrappers after layout features ("has-sidebar", "modal-enabled"); the text they hold
    says more than their name. Comment threads and consent boxes get no such benefit of the doubt.
    """
    if hint == bp.ABSOLUTE:
        return share >= 0.9
    if hint == bp.HARD:
        # ...and only when that prose reads as one body (paragraphs side by side): a related-stories
        # box holds as much text, but as many small teasers. Holding the page's longest run of
        # paragraphs is enough even when a mega-menu outweighs everything else.
        return share >= 0.9 or (sibling_paragraphs >= 3 and (share >= 0.25 or sibling_paragraphs >= page_run))
    return share >= 0.3 or paragraphs >= 2


def _holds_the_page(el: HtmlElement) -> bool:
    """A ``<head>`` that libxml2 filled with the page: an unknown tag before ``<body>`` ("<mbox>") makes
    it put everything after into the head. Its own head elements still go, one by one."""
    return (
        el.tag == "head" and next(el.iter("p", "div", "table", "h1", "h2", "article", "br"), None) is not None
    )


def prune(root: HtmlElement) -> None:
    """Remove what is never prose (scripts, styles, forms' controls, media, AMP widgets) from the tree,
    once the boxes around typed fields are marked as forms (``block_forms``)."""
    block_forms.mark_form_boxes(root)
    # (``bp.is_junk_tag``'s set test inline: a call per node of the page was a tenth of this pass; only
    # an ``amp-`` name needs the full rule)
    junk, is_junk = bp.JUNK_TAGS, bp.is_junk_tag
    doomed = [
        el
        for el in root.iter()
        if not isinstance(tag := el.tag, str)
        or ((tag in junk or (tag[:4] == "amp-" and is_junk(tag))) and not _holds_the_page(el))
    ]
    for el in doomed:
        if el.getparent() is not None:
            bp.drop(el)


_Number = TypeVar("_Number", int, float)


def _sum_up(parent: list[int], *columns: list[_Number]) -> None:
    """Add each element's figures into its parent's, deepest first, so each holds its subtree's total.

    Document order puts every child after its parent, so one backward pass per column is enough.
    """
    last = len(parent) - 1
    for column in columns:
        for i in range(last, -1, -1):  # the same additions in the same order as ever: equal float sums
            p = parent[i]
            if p >= 0:
                column[p] += column[i]


def _sum_up_counts(parent: list[int], *columns: list[int]) -> None:
    """``_sum_up`` for whole-number columns, where most elements hold 0: adding nothing is skipped.

    (Scores stay with ``_sum_up``: a float -0.0 plus 0.0 is 0.0, so skipping could flip a zero's sign.)
    """
    # (no list of (child, parent) pairs: most values are 0 and are passed over before their parent is read)
    last = len(parent) - 1
    for column in columns:
        for i in range(last, -1, -1):
            value = column[i]
            if value:
                p = parent[i]
                if p >= 0:
                    column[p] += value


@dataclass(slots=True)
class _Blocks:
    """What the first pass learns: the tree, the text each block owns, and each element's name hint."""

    elements: list[HtmlElement]
    index: dict[HtmlElement, int]
    parent: list[int]
    is_block: list[bool]
    text_chars: list[int]
    link_chars: list[int]
    hint: list[int]


# Inline wrappers whose chrome-like name ("dateline", "highlight-box") does not take them out of the
# sentence they sit in.
_IN_SENTENCE: frozenset[str] = frozenset({"span", "strong", "b", "em", "i", "small", "time", "abbr"})


def _in_paragraph(el: HtmlElement) -> bool:
    """The inline element runs inside a paragraph, with the sentence going on after it (a tool link or
    "E-mail to a friend" tacked on at the end of a paragraph is not in the sentence)."""
    up = el.getparent()
    tail = el.tail
    return up is not None and up.tag == "p" and tail is not None and len(tail.strip()) >= MIN_PROSE_CHARS


# Where each attribute ``_markup_hint`` keys on sits in its key; the attributes ``bp.is_hidden`` reads.
_NAMING_SLOTS: dict[str, int] = {
    "class": 1,
    "id": 2,
    "role": 3,
    "itemprop": 4,
    "data-testid": 5,
    "data-component": 6,
}
_HIDING_ATTRIBUTES: frozenset[str] = frozenset({"hidden", "aria-hidden", "style"})


# ``_markup_hint``'s answer when the verdict also depends on where the element sits (an inline span in a
# sentence, a header over a section): the element is then judged in full.
_IN_CONTEXT = 99
_MARKUP_HINTS: dict[tuple[object, ...], int] = {}


def _markup_hint(el: HtmlElement, trust_names: bool, trust_comments: bool) -> int:
    """The hint that follows from the element's tag and naming attributes alone, before the hidden check.

    A page repeats a few combinations of tag and names hundreds of times, so one dictionary lookup per
    element replaces the name rules, the tag rules and the trust settings; only the rare names whose
    verdict depends on the element's place come back as ``_IN_CONTEXT``. The key holds every attribute
    ``class_hint`` reads, so the cached verdict is the one ``_hint_in_context`` would give.
    """
    get = el.get
    key = (
        el.tag,
        get("class"),
        get("id"),
        get("role"),
        get("itemprop"),
        get("data-testid"),
        get("data-component"),
        trust_names,
        trust_comments,
    )
    hint = _MARKUP_HINTS.get(key)
    if hint is None:
        if len(_MARKUP_HINTS) >= bp.HINTS_MAX:
            _MARKUP_HINTS.clear()  # a long-lived worker sees endless ids: bound the memory, keep the speed
        hint = _MARKUP_HINTS[key] = _hint_from_markup(el, trust_names, trust_comments)
    return hint


def _hint_from_markup(el: HtmlElement, trust_names: bool, trust_comments: bool) -> int:
    named = bp.class_hint(el)
    if not trust_names and named < bp.NEUTRAL and (named > bp.ABSOLUTE or not trust_comments):
        named = bp.NEUTRAL
    elif bp.ABSOLUTE < named < bp.NEUTRAL and el.tag in _IN_SENTENCE:
        return _IN_CONTEXT  # part of the sentence only inside a paragraph
    hint = min(named, _tag_hint(el)) if el.tag not in ("html", "body") else bp.NEUTRAL
    if hint == bp.SOFT and _is_header(el):
        return _IN_CONTEXT  # a section's header unless it holds the page title
    return hint


def _hint_in_context(el: HtmlElement, trust_names: bool, trust_comments: bool) -> int:
    """The full judgement: names, tag, the element's place, and whether it is hidden."""
    named = bp.class_hint(el)
    if not trust_names and named < bp.NEUTRAL and (named > bp.ABSOLUTE or not trust_comments):
        named = bp.NEUTRAL
    elif bp.ABSOLUTE < named < bp.NEUTRAL and el.tag in _IN_SENTENCE and _in_paragraph(el):
        named = bp.NEUTRAL  # "<p><span class=dateline>KOBE –</span> A total of ...": part of the sentence
    hint = min(named, _tag_hint(el)) if el.tag not in ("html", "body") else bp.NEUTRAL
    if hint == bp.SOFT and _is_header(el) and _labels_section(el):
        return bp.NEUTRAL  # ...but the header of a section or entry is part of the story
    if hint == bp.NEUTRAL and bp.is_hidden(el):
        return bp.HARD  # measured: treating hidden boxes as soft costs more than it saves
    return hint


def _attribute_text(root: HtmlElement, trust_names: bool, trust_comments: bool) -> _Blocks:
    """Credit every text and tail to the block that shows it, split into linked and plain characters."""
    elements: list[HtmlElement] = list(root.iter(etree.Element))  # elements only: no comments, no PIs
    n = len(elements)
    pos = {el: i for i, el in enumerate(elements)}
    parent = [-1] * n
    block = [0] * n
    in_link = [False] * n
    is_block = [False] * n
    text_chars = [0] * n
    link_chars = [0] * n
    hint = [0] * n
    neutral, is_hidden, cached, naming = bp.NEUTRAL, bp.is_hidden, _MARKUP_HINTS, _NAMING_SLOTS
    for i, el in enumerate(elements):
        pi = pos.get(el.getparent(), -1)  # None (the root's parent) is no key: -1
        parent[i] = pi
        tag = el.tag
        blockish = tag not in INLINE_TAGS or pi < 0
        is_block[i] = blockish
        b = i if blockish else block[pi]
        block[i] = b
        link = tag == "a" or (pi >= 0 and in_link[pi])
        in_link[i] = link
        # ``_markup_hint``'s key and cache, read from one ``items()`` call: one C call instead of the
        # seven ``get``s of the key and the three of the hidden check (a third of this pass before).
        key = [tag, None, None, None, None, None, None, trust_names, trust_comments]
        maybe_hidden = False
        for name, value in el.items():
            slot = naming.get(name)
            if slot is not None:
                if key[slot] is None:  # the first of a repeated attribute, as ``get`` reads it
                    key[slot] = value
            elif name in _HIDING_ATTRIBUTES:
                maybe_hidden = True
        frozen = tuple(key)
        h = cached.get(frozen)
        if h is None:  # a miss: judged and cached as ``_markup_hint`` does, on the key already read
            if len(cached) >= bp.HINTS_MAX:
                cached.clear()
            h = cached[frozen] = _hint_from_markup(el, trust_names, trust_comments)
        if h == _IN_CONTEXT:
            h = _hint_in_context(el, trust_names, trust_comments)
        elif h == neutral and maybe_hidden and is_hidden(el):
            h = bp.HARD
        elif h == bp.HARD and maybe_hidden and is_hidden(el):
            # named or marked as chrome (a ``role=dialog``) and kept out of sight: a pop-up's text, however
            # long, is the story only when it is nearly all the page's prose
            h = bp.ABSOLUTE
        hint[i] = h
        text = el.text
        if text:
            k = len(text.strip())
            if link:
                link_chars[b] += k
            else:
                text_chars[b] += k
        if pi >= 0:
            tail = el.tail
            if tail:
                k = len(tail.strip())
                if in_link[pi]:
                    link_chars[block[pi]] += k
                else:
                    text_chars[block[pi]] += k
    return _Blocks(elements, pos, parent, is_block, text_chars, link_chars, hint)


@dataclass(slots=True)
class _Prose:
    """Which blocks read as prose, before chrome is known; the sums cover each subtree."""

    good: list[bool]
    raw_good: list[int]
    raw_par: list[int]
    linked_heads: list[int]
    title_links: list[int]
    run_par: list[int]


def _find_prose(b: _Blocks) -> _Prose:
    """Mark prose blocks, linked headings and title links, and sum them per subtree."""
    n = len(b.elements)
    good = [False] * n
    raw_good = [0] * n
    raw_par = [0] * n
    linked_heads = [0] * n
    title_links = [0] * n
    elements, is_block, text_chars, link_chars = b.elements, b.is_block, b.text_chars, b.link_chars
    for i in range(n):
        if not is_block[i]:
            continue
        t, lk = text_chars[i], link_chars[i]
        total = t + lk
        if not total:
            continue
        tag = elements[i].tag
        if tag in HEADINGS and not _prose_heading(elements[i], t, lk):
            if lk >= 0.6 * total and total >= 12:
                linked_heads[i] = 1
            continue  # headings are neither prose nor chrome: they label whatever follows
        if _title_link(tag, lk, total):
            title_links[i] = 1
        # A paragraph element is prose at any length ("- Ok."); other blocks need a sentence's worth.
        if lk <= MAX_PROSE_LINK_DENSITY * total and (total >= MIN_PROSE_CHARS or tag == "p"):
            good[i] = True
            raw_good[i] = total
            if t >= LONG_PARAGRAPH_CHARS:
                raw_par[i] = 1
    _sum_up_counts(b.parent, raw_good, raw_par, linked_heads, title_links)
    run_par = _paragraph_runs(b.parent, raw_par, linked_heads, title_links)
    return _Prose(good, raw_good, raw_par, linked_heads, title_links, run_par)


# A heading this long, unlinked and holding more than one sentence is a paragraph set in a heading tag.
PROSE_HEADING_CHARS = 200
_SENTENCE_INSIDE = re.compile(r"\w[.!?][\"”»’)]?\s+\S")


def _prose_heading(el: HtmlElement, text_chars: int, link_chars: int) -> bool:
    """A heading tag around sentences of prose: some templates (and WYSIWYG editors' "Heading 2" button)
    set a whole paragraph, an about-us text or a standfirst, in ``<h2>`` for its size.

    A headline or subheading is a line: the longest run to a hundred-odd characters and never several
    sentences. Several sentences over ``PROSE_HEADING_CHARS`` read as a paragraph, whatever the tag; a
    linked one is a teaser's title and stays one.
    """
    if text_chars < PROSE_HEADING_CHARS or link_chars > MAX_PROSE_LINK_DENSITY * (text_chars + link_chars):
        return False
    return reads_as_paragraph(el.text_content())


def reads_as_paragraph(text: str) -> bool:
    """Text long enough, and of more than one sentence, to be a paragraph whatever tag holds it."""
    return len(text) >= PROSE_HEADING_CHARS and _SENTENCE_INSIDE.search(text) is not None


def _paragraph_runs(
    parent: list[int], raw_par: list[int], linked_heads: list[int], title_links: list[int]
) -> list[int]:
    """Most long paragraphs side by side under one parent, anywhere below.

    A story body puts its paragraphs next to each other, a list of teasers gives each excerpt a box
    of its own. A child counts if it is one paragraph, bare or in a wrapper of its own
    ("div.paragraph > p"), without a linked headline or title link (which would make it a teaser).
    """
    n = len(parent)
    run_par = [0] * n
    for i in range(1, n):
        if raw_par[i] == 1 and not linked_heads[i] and not title_links[i] and parent[i] >= 0:
            run_par[parent[i]] += 1
    for i in range(n - 1, 0, -1):
        pi = parent[i]
        if pi >= 0 and run_par[i] > run_par[pi]:
            run_par[pi] = run_par[i]
    return run_par


def _page_prose(b: _Blocks, prose: _Prose) -> tuple[int, int]:
    """The page's prose and its longest paragraph run, leaving out cookie and consent boxes.

    A wrapper is judged by its share of the page's prose; a cookie dialog spelling out every tracker
    in paragraphs is not the page's prose and must not shrink that share. (Comment threads stay in:
    on a forum page the thread is the story, and leaving it out protects its sidebars.)
    """
    n = len(b.elements)
    if not n:
        return 1, 0
    hint, parent = b.hint, b.parent
    outside = [True] * n
    cut = 0
    for i in range(1, n):
        pi = parent[i]
        if not outside[pi]:
            outside[i] = False
        elif hint[i] == bp.ABSOLUTE and bp.consent_named(b.elements[i]):
            outside[i] = False
            cut += prose.raw_good[i]
    if not cut:
        return prose.raw_good[0] or 1, prose.run_par[0]
    direct = [0] * n
    for i in range(1, n):
        if outside[i] and prose.raw_par[i] == 1 and not prose.linked_heads[i] and not prose.title_links[i]:
            direct[parent[i]] += 1
    return max(prose.raw_good[0] - cut, 1), max(direct)


def _mark_chrome(b: _Blocks, prose: _Prose) -> tuple[list[bool], list[int]]:
    """Chrome marks, and the outermost chrome elements (for removal).

    A wrapper holding most of the page's prose is not chrome whatever its name says ("has-sidebar"
    layouts), and an explicit article-body marker clears chrome inherited from above.
    """
    n = len(b.elements)
    page_raw, page_run = _page_prose(b, prose)
    whole_page = prose.raw_good[0] if n and prose.raw_good[0] else 1
    chrome = [False] * n
    chrome_roots: list[int] = []
    parent, hint, raw_good, raw_par, run_par = b.parent, b.hint, prose.raw_good, prose.raw_par, prose.run_par
    named: dict[int, bool] = {}  # element -> chrome by its own name, for the named elements only
    for i in range(n):
        h = hint[i]
        if h < bp.NEUTRAL:  # most elements are neutral: no share to weigh
            # a comment thread or consent box is measured against the whole page, itself included
            share = raw_good[i] / (whole_page if h == bp.ABSOLUTE else page_raw)
            named[i] = not _protected(h, share, raw_par[i], run_par[i], page_run)
    if named:
        _protect_kin(b, named, raw_par)
    for i in range(n):
        pi = parent[i]
        inherited = chrome[pi] if pi >= 0 else False
        h = hint[i]
        if h == bp.STRONG:
            chrome[i] = False
            continue
        own = named.get(i, False)
        if own and not inherited:
            chrome_roots.append(i)
        chrome[i] = inherited or own
    return chrome, chrome_roots


def _kind(el: HtmlElement) -> str:
    """A box's kind: its first class, the block name a template's modifiers ("part--verdict") extend."""
    names = (el.get("class") or "").split()
    return names[0] if names else ""


def _protect_kin(b: _Blocks, named: dict[int, bool], raw_par: list[int]) -> None:
    """A box named like furniture that holds prose is the story's when a sibling of its kind is.

    Templates name every section of a story alike, and sometimes after a layout feature ("section--ads",
    "has-sidebar"): the section holding most of the prose is protected by its share, while its sibling
    sections of one paragraph each would be cut as chrome, and the story with them. One name cannot be
    the story's box and furniture on one parent, so siblings of the protected box's tag, kind (first
    class) and soft hint that hold a long paragraph are kept as well (an id names one box, not a kind).
    Comment, consent and hard-named boxes get no such benefit: a long comment does not make its
    neighbours the story.
    """
    elements, parent, hint = b.elements, b.parent, b.hint
    kept = {
        (parent[i], elements[i].tag, _kind(elements[i]))
        for i, own in named.items()
        if not own and hint[i] == bp.SOFT and parent[i] >= 0 and elements[i].get("class")
    }
    for i, own in named.items():
        if own and hint[i] == bp.SOFT and raw_par[i] and _between_kin(b, elements[i], raw_par):
            named[i] = False
    if not kept:
        return
    for i, own in named.items():
        if (
            own
            and hint[i] == bp.SOFT
            and raw_par[i]
            and (parent[i], elements[i].tag, _kind(elements[i])) in kept
        ):
            named[i] = False


def _between_kin(b: _Blocks, el: HtmlElement, raw_par: list[int]) -> bool:
    """``el`` stands between two sibling sections of its own kind that no name marks and that hold
    prose: a block CMS's fact box named after its modifier ("paragraph--type--infobox") amid the story's
    text sections ("paragraph--type--text"), which the story goes on after. A box of that kind only
    before or after the story (a teaser, an ad) has no such section on one side.
    """
    kind = _kind(el)
    if not kind:
        return False

    def kin(sibling: HtmlElement) -> bool:
        j = b.index.get(sibling, -1)
        return (
            j >= 0
            and sibling.tag == el.tag
            and b.hint[j] == bp.NEUTRAL
            and raw_par[j] > 0
            and _kind(sibling) == kind
        )

    return any(kin(s) for s in el.itersiblings(preceding=True)) and any(kin(s) for s in el.itersiblings())


def _score_blocks(analysis: Analysis) -> None:
    """Per-block figures outside chrome, summed per subtree: prose scores, link-heavy blocks cost."""
    n = len(analysis.elements)
    good, chrome = analysis.good, analysis.chrome
    agg_text = [0] * n
    agg_link = [0] * n
    agg_good = [0] * n
    agg_par = [0] * n
    score = [0.0] * n
    is_block, text_chars, link_chars = analysis.is_block, analysis.text_chars, analysis.link_chars
    for i in range(n):
        if not is_block[i]:
            continue
        t, lk = text_chars[i], link_chars[i]
        agg_text[i] = t
        agg_link[i] = lk
        if chrome[i]:
            good[i] = False
            score[i] = -float(t + lk)
        elif good[i]:
            agg_good[i] = t + lk
            score[i] = t + 0.25 * lk
            if t >= LONG_PARAGRAPH_CHARS:
                agg_par[i] = 1
        elif analysis.elements[i].tag not in HEADINGS:
            score[i] = -float(lk) - 0.3 * t
    _sum_up_counts(analysis.parent, agg_text, agg_link, agg_good, agg_par)
    _sum_up(analysis.parent, score)
    analysis.agg_text = agg_text
    analysis.agg_link = agg_link
    analysis.agg_good = agg_good
    analysis.agg_paragraphs = agg_par
    analysis.score = score
    analysis.page_good = agg_good[0] if n else 0


def analyse(
    root: HtmlElement, trust_names: bool = True, *, trust_comments: bool = True, mark_captions: bool = True
) -> Analysis:
    """Attribute text to blocks, mark chrome, and aggregate per subtree (a few linear passes).

    ``trust_names=False`` ignores class and id names except the unambiguous ones (comments, consent):
    the second look for pages whose template names its story wrapper like furniture. With
    ``trust_comments=False`` as well, no name counts at all: the last look for pages whose only prose
    sits in boxes named like comments (a forum thread's posts, a live ticker's entries).
    ``mark_captions=False`` counts the short text beside each image as prose: a slideshow's slide texts.
    """
    b = _attribute_text(root, trust_names, trust_comments)
    prose = _find_prose(b)
    if b.elements and mark_captions:
        _mark_captions(b.elements, b.index, b.parent, prose.raw_good, prose.raw_par, b.hint)
    chrome, chrome_roots = _mark_chrome(b, prose)
    analysis = Analysis(
        b.elements, b.parent, b.text_chars, b.link_chars, b.is_block, prose.good, chrome, chrome_roots
    )
    analysis.linked_headings = prose.linked_heads
    analysis.index = b.index
    analysis.hint = b.hint
    analysis.paragraph_run = prose.run_par
    _score_blocks(analysis)
    _weigh_by_names(analysis)
    return analysis


def _weigh_by_names(analysis: Analysis) -> None:
    """Turn raw sums into candidate scores: markup that names the article body earns a bonus."""
    score = analysis.score
    hint = analysis.hint
    chrome = analysis.chrome
    for i, el in enumerate(analysis.elements):
        s = score[i]
        if s <= 0 or chrome[i]:
            continue
        h = hint[i]
        if h == bp.STRONG:
            score[i] = s * 1.5
        elif h == bp.POSITIVE:
            score[i] = s * 1.1
        if el.tag == "article":
            score[i] *= 1.15


def find_region(analysis: Analysis) -> Region | None:
    """The best-scoring container; failing that, the smallest one holding most of the prose.

    The fallback serves pages whose story is itself link-heavy (show notes, link round-ups): every
    container scores below zero there, yet the prose that exists still sits in one place.
    """
    elements = analysis.elements
    score = analysis.score
    chrome = analysis.chrome
    agg_good = analysis.agg_good
    best = -1
    best_score = 0.0
    for i, el in enumerate(elements):
        if chrome[i] or el.tag in LEAF_BLOCKS or el.tag in INLINE_TAGS:
            continue
        if score[i] >= best_score and agg_good[i] > 0:
            best, best_score = i, score[i]
    if best >= 0:
        best = _tighten(analysis, best)
    if best < 0:
        best = _prose_holder(analysis)
    return region_at(analysis, best) if best >= 0 else None


def _prose_holder(analysis: Analysis) -> int:
    """The smallest container holding most of the page's prose, or -1."""
    best = -1
    if not analysis.page_good:
        return best
    for i, el in enumerate(analysis.elements):  # document order: the last qualifying one is the deepest
        if analysis.chrome[i] or el.tag in LEAF_BLOCKS or el.tag in INLINE_TAGS:
            continue
        if analysis.agg_good[i] >= 0.8 * analysis.page_good:
            best = i
    return best


def prose_region(analysis: Analysis) -> Region | None:
    """The smallest container holding most of the page's prose, whatever the scores say.

    For the fallback chain: a story set as table rows (results, timetables) holds the page's prose,
    yet its many short cells cost it the score, and a single cell wins with a line of text.
    """
    best = _prose_holder(analysis)
    return region_at(analysis, best) if best >= 0 else None


def region_at(analysis: Analysis, best: int) -> Region:
    """The region at one element, with what it says about the page: the finder builds it, and so do the
    rules that move the region elsewhere (``block_anchor``), so both read the page alike."""
    elements = analysis.elements
    agg_good = analysis.agg_good
    headings, titles = _teaser_titles_in(analysis, best)
    return Region(
        element=elements[best],
        index=best,
        good_chars=agg_good[best],
        paragraphs=analysis.agg_paragraphs[best],
        page_good_chars=analysis.page_good,
        linked_headings=headings,
        title_links=titles,
    )


def _tighten(analysis: Analysis, best: int) -> int:
    """Descend while one child container holds nearly all the region's prose.

    Sums favour a wrapper that adds a caption, a standfirst or a sign-up blurb to the body; when a
    single child already holds the story, that child is the tighter, cleaner region. A body split
    into siblings by embeds has no such child, so it stays whole.
    """
    elements = analysis.elements
    index = analysis.index
    agg_good = analysis.agg_good
    paragraphs = analysis.agg_paragraphs
    while True:
        total = agg_good[best]
        child = -1
        for el in elements[best]:
            i = index.get(el, -1)
            # Only shed what is not body-like: no long paragraph may live outside the child.
            if i >= 0 and agg_good[i] >= SHRINK_SHARE * total and paragraphs[i] == paragraphs[best]:
                child = i
                break
        if child < 0:
            return best
        el = elements[child]
        if analysis.chrome[child] or el.tag in LEAF_BLOCKS or el.tag in INLINE_TAGS:
            return best
        best = child


def _teaser_titles_in(analysis: Analysis, root: int) -> tuple[int, int]:
    """Linked headlines and title links inside the region, chrome excluded: the shape of a listing.

    A linked headline is a heading that is mostly a link. A title link is a short block that is
    mostly one link, which teaser templates use instead of a heading; it is only counted where the
    region has no run of paragraphs side by side, as a story body would. Each headline names another
    story, so title links that repeat one text ("Download graphic" under every map, "Read the full
    report") are a tool's buttons and count once.
    """
    headings = 0
    titles: set[str] = set()
    count_titles = analysis.paragraph_run[root] <= 2
    for i in range(root, len(analysis.elements)):
        if i != root and not is_descendant(analysis, i, root):
            break
        if analysis.chrome[i]:
            continue
        el = analysis.elements[i]
        if el.tag in HEADINGS:
            headings += analysis.linked_headings[i]
            continue
        links, total = analysis.link_chars[i], analysis.link_chars[i] + analysis.text_chars[i]
        if count_titles and analysis.is_block[i] and _title_link(el.tag, links, total):
            titles.add(" ".join(el.text_content().split()).casefold())
    return headings, len(titles)


def _title_link(tag: str, link_chars: int, total: int) -> bool:
    """A short block that is mostly one link: a teaser's headline styled without a heading."""
    return tag not in _LIST_BLOCKS and link_chars >= 15 and total <= 150 and link_chars >= 0.6 * total


def is_descendant(analysis: Analysis, i: int, root: int) -> bool:
    """Whether element ``i`` lies inside ``root`` (or is it): elements are numbered in document order, so
    an ancestor always has the smaller number."""
    parent = analysis.parent
    while i > root:
        i = parent[i]
    return i == root


def lead_blocks(
    analysis: Analysis, region: Region, opens_story: Callable[[HtmlElement], bool] | None = None
) -> list[HtmlElement]:
    """Prose between the headline and the region: the standfirst or lead paragraph.

    Templates often keep the lead in the article header, apart from the body container; it belongs
    to the story. Only prose blocks qualify (a heading only if it reads as a sentence), outside any
    chrome but the header itself, so captions and share bars stay out; bylines and datelines in the
    same header are dropped later as lines. A block in chrome of any other kind is the lead only when
    ``opens_story`` says it opens the story (``block_anchor.opens_like_description``).
    """
    elements = analysis.elements
    parent = analysis.parent
    start = region.index
    headline = -1
    for i in range(start - 1, -1, -1):
        if elements[i].tag == "h1":
            headline = i
            break
    if headline < 0:
        return []
    depth_of: dict[int, int] = {}
    i, depth = start, 0
    while i >= 0 and depth <= LEAD_MAX_LEVELS:
        depth_of[i] = depth
        i, depth = parent[i], depth + 1
    chosen: list[int] = []
    total = 0
    for j in range(headline + 1, start):
        if j in depth_of or analysis.text_chars[j] < LEAD_MIN_CHARS:
            continue
        if (
            analysis.chrome[j]
            and not _only_header_chrome(analysis, j)
            and (opens_story is None or not opens_story(elements[j]))
        ):
            continue
        total_chars = analysis.text_chars[j] + analysis.link_chars[j]
        if analysis.link_chars[j] > MAX_PROSE_LINK_DENSITY * total_chars:
            continue
        # A standfirst set as a subheading reads as a sentence; kickers and section labels do not.
        if elements[j].tag in HEADINGS and analysis.text_chars[j] < LEAD_MIN_DEK_CHARS:
            continue
        if chosen and is_descendant(analysis, j, chosen[-1]):
            continue
        k = j
        while k >= 0 and k not in depth_of:
            k = parent[k]
        if k < 0:
            continue
        chosen.append(j)
        total += analysis.agg_text[j]
        if len(chosen) > LEAD_MAX_BLOCKS or total > LEAD_MAX_CHARS:
            return []  # that much text outside the region is another column, not a lead
    return [elements[j] for j in chosen]


def _only_header_chrome(analysis: Analysis, i: int) -> bool:
    """Chrome only by sitting in a page or article header: the lead often lives there.

    A header named as chrome, or taken for a caption box because it holds a small picture (an author
    photo) beside little text, is still the header: the headline's standfirst below it is the story's.
    """
    elements = analysis.elements
    while i >= 0 and analysis.chrome[i]:
        h = analysis.hint[i]
        if h < bp.NEUTRAL:
            return h >= bp.HARD and _is_header(elements[i]) and not analysis.chrome[analysis.parent[i]]
        i = analysis.parent[i]
    return False


# A story the region finder refused still shows itself as prose side by side: this many long
# paragraphs under one parent, or one block of this much unlinked text (a story set in one cell with
# line breaks). Teaser boxes do not count as paragraphs, so a listing never qualifies.
DENSE_MIN_PARAGRAPHS = 3
DENSE_MIN_BLOCK_CHARS = 500
DENSE_MIN_CHARS = 400


def densest_region(analysis: Analysis) -> Region | None:
    """The second link of the fallback chain: the densest run of prose, wherever it sits.

    The region finder weighs whole subtrees, so a page whose story shares its container with a column
    of linked headlines, or whose template names every wrapper like furniture, can leave it with
    nothing that passes as a story. Here only prose counts: each paragraph-like block (unlinked, not a
    teaser) votes for its parent, and the parent with the most such prose is the body; a single block
    long enough to be a story on its own (text broken only by ``<br>``) is the body itself.
    """
    elements = analysis.elements
    parent = analysis.parent
    n = len(elements)
    run_chars = [0] * n
    run_count = [0] * n
    holds_block = [False] * n  # a paragraph long enough to be a story alone votes here...
    paragraph_votes = [0] * n  # ...beside this many ``<p>`` (itself included)
    for i in range(1, n):
        if not analysis.good[i] or analysis.chrome[i] or analysis.linked_headings[i]:
            continue
        chars = analysis.text_chars[i]
        if chars < LONG_PARAGRAPH_CHARS:
            continue
        # the paragraph's voting parent: skip inline wrappers and one-child boxes ("div > p")
        p = parent[i]
        while p > 0 and (
            not analysis.is_block[p] or elements[p].tag in ("p", "font", "span") or len(elements[p]) == 1
        ):
            p = parent[p]
        if p < 0:
            continue
        run_chars[p] += chars
        run_count[p] += 1
        if elements[i].tag == "p":
            paragraph_votes[p] += 1
            holds_block[p] = holds_block[p] or chars >= DENSE_MIN_BLOCK_CHARS
    best, best_chars = -1, 0
    for i in range(n):
        if analysis.chrome[i]:
            continue
        chars = run_chars[i]
        # A long ``<p>`` is a story alone only when no other stands beside it: with one more, their
        # parent is the story, and the paragraph one part of it. (A block broken only by ``<br>``
        # stays alone: what stands beside it is the page's furniture.)
        if (
            run_count[i] >= DENSE_MIN_PARAGRAPHS
            or (holds_block[i] and paragraph_votes[i] >= 2)
            or (analysis.text_chars[i] >= DENSE_MIN_BLOCK_CHARS and analysis.good[i])
        ):
            chars = max(chars, analysis.text_chars[i] if analysis.good[i] else 0)
            if chars > best_chars:
                best, best_chars = i, chars
    if best < 0 or best_chars < DENSE_MIN_CHARS:
        return None
    analysis.dense_chars = best_chars
    return Region(
        element=elements[best],
        index=best,
        good_chars=analysis.agg_good[best],
        paragraphs=analysis.agg_paragraphs[best],
        page_good_chars=analysis.page_good,
        linked_headings=0,
        title_links=0,
    )
