"""The extraction entry point: page bytes or text in, one ``Article`` out (or an ``IngestError``).

lxml does the heavy lifting because it parses a whole page in about a millisecond: metadata is read from
the untouched tree, the content finder picks the article region, and boilerplate is cut inside it. The
region's own lxml elements are then walked once to produce paragraph text (a BeautifulSoup re-parse of
the serialised region gave the same text on all 1,566 dev pages at a quarter of the whole cost).
"""

from __future__ import annotations

import gc
import html as html_lib
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from scrapers import (
    block_about,
    block_anchor,
    block_articles,
    block_bio,
    block_calendar,
    block_cards,
    block_colophon,
    block_comment_policy,
    block_consent,
    block_contacts,
    block_credits,
    block_dated,
    block_disclaimers,
    block_excerpts,
    block_head,
    block_leads,
    block_model,
    block_more,
    block_offers,
    block_photos,
    block_pitches,
    block_platform,
    block_prompts,
    block_replies,
    block_stamps,
    block_structure,
    limits,
)
from scrapers import boilerplate as bp
from scrapers.article import Article
from scrapers.content import (
    HEADINGS,
    INLINE_TAGS,
    Analysis,
    Region,
    analyse,
    densest_region,
    find_region,
    lead_blocks,
    prose_region,
    prune,
    reads_as_paragraph,
)
from scrapers.encoding import decode_html, is_unusable
from scrapers.errors import ErrorKind, IngestError
from scrapers.howto import howto_copy
from scrapers.metadata import PageMetadata, extract_metadata

# Below this much prose in the best region there is no story to store.
MIN_BODY_CHARS = 120
MIN_DECLARED_BODY_CHARS = 20
SHORT_BODY_CHARS = 400
# A line mostly made of link text is navigation ("Print | Share | Back"), even inside the body.
LINE_LINK_DENSITY = 0.5
# A story told in this much text ends where its comments or a list of other stories begins.
TAIL_AFTER_CHARS = 200
# Below a rule ("___") at most this much text is end notes; more is the story going on.
ENDNOTES_MAX_CHARS = 400
# Inputs beyond this are cut before parsing: no real article page comes close, and the bound keeps a
# hostile or broken page from costing unbounded time and memory.
MAX_INPUT_CHARS = 8_000_000

_ARTICLE_TYPES = ("article", "posting", "report", "blog", "liveblog", "news")
_LISTING_TYPES = ("listing", "collection", "searchresults", "itemlist", "profilepage", "category")
_DATA_TABLE_BLOCKERS = [
    "p",
    "div",
    "table",
    "ul",
    "ol",
    "dl",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "section",
    "article",
]


def _parser() -> lxml_html.HTMLParser:
    # collect_ids=False: nothing looks elements up by XML ID (XPath ``id()``), so the parser need not
    # hash every ``id`` attribute into a table that is then built and freed for nothing.
    parser = lxml_html.HTMLParser(
        remove_comments=True, remove_pis=True, encoding="utf-8", default_doctype=False, collect_ids=False
    )
    # Every element as a plain HtmlElement, chosen in C: lxml.html's default lookup calls a Python
    # method for every element object the readers touch (a tenth of extract()'s time), only to pick
    # form-field classes that nothing here uses.
    parser.set_element_class_lookup(_LOOKUP)
    return parser


_LOOKUP = etree.ElementDefaultClassLookup(element=lxml_html.HtmlElement)


_TITLE_OPEN_RE = re.compile(r"<title\b[^>]*>", re.IGNORECASE)
_TITLE_CLOSE_RE = re.compile(r"</title\s*>", re.IGNORECASE)


def _close_title(text: str) -> str:
    """Close a ``<title>`` that is never closed where its text ends, at the next tag.

    A title's text runs to ``</title>``; without one, parsers read the rest of the page as the title
    (libxml2) or put it inside the head (Python's parser), and the whole story is lost with it.
    """
    opened = _TITLE_OPEN_RE.search(text, 0, 200_000)
    if opened is None or _TITLE_CLOSE_RE.search(text, opened.end()) is not None:
        return text
    end = text.find("<", opened.end())
    return text if end < 0 else f"{text[:end]}</title>{text[end:]}"


def parse(text: str) -> HtmlElement:
    """Parse page text with lxml; IngestError(EMPTY or PARSE) when there is no document to speak of."""
    marks = limits.check_markup(text[:MAX_INPUT_CHARS])  # before any copy of a page that cannot pass
    data = _close_title(text[:MAX_INPUT_CHARS]).replace("\x00", "").encode("utf-8", errors="replace")
    parser = _parser()
    try:
        root = lxml_html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        if not re.search(r"<[a-zA-Z!?/]|\S", text):
            raise IngestError(ErrorKind.EMPTY, "no markup or text in the document") from exc
        raise IngestError(ErrorKind.PARSE, f"unparsable markup: {exc}") from exc
    if root is None or not isinstance(root.tag, str):
        raise IngestError(ErrorKind.PARSE, "markup parses to no document element")
    limits.check_parsed(root, parser, marks)
    return root


def _to_text(html: str | bytes) -> str:
    if isinstance(html, bytes | bytearray | memoryview):
        return decode_html(bytes(html))
    if not isinstance(html, str):
        raise IngestError(ErrorKind.PARSE, f"expected str or bytes, got {type(html).__name__}")
    if not html.strip():
        raise IngestError(ErrorKind.EMPTY, "empty document")
    if is_unusable(html):
        raise IngestError(ErrorKind.ENCODING, "text is mostly control or replacement characters")
    return html


def _page_type_says(page_type: object, kinds: tuple[str, ...]) -> bool:
    if not page_type:
        return False
    values = page_type if isinstance(page_type, list | tuple | set) else [page_type]
    return any(kind in str(value).lower().replace("_", "") for value in values for kind in kinds)


def _body_needed(page_type: object) -> int:
    """A page that declares itself a story may be a short one; anything else must show a real body."""
    return MIN_DECLARED_BODY_CHARS if _page_type_says(page_type, _ARTICLE_TYPES) else MIN_BODY_CHARS


def _check_is_article(region: Region | None, page_type: object) -> None:
    """Refuse index, section, tag and search pages: no substantial body, or a body made of teasers."""
    declared_article = _page_type_says(page_type, _ARTICLE_TYPES)
    if region is None or region.good_chars < _body_needed(page_type):
        raise IngestError(ErrorKind.NOT_AN_ARTICLE, "no substantial body text on the page")
    teasers = (region.linked_headings >= 4 and region.linked_headings * 2 >= max(region.paragraphs, 1)) or (
        region.title_links >= 6 and region.title_links >= region.paragraphs
    )
    if teasers and not declared_article:
        count = max(region.linked_headings, region.title_links)
        raise IngestError(ErrorKind.NOT_AN_ARTICLE, f"main region is a list of {count} teasers, not a story")
    if _page_type_says(page_type, _LISTING_TYPES) and not declared_article and region.paragraphs < 4:
        raise IngestError(ErrorKind.NOT_AN_ARTICLE, f"page declares itself a listing ({page_type})")


def _strip_region(
    analysis: Analysis, region: Region, parts: tuple[HtmlElement, ...] = (), *, link_lists: bool = True
) -> None:
    """Cut chrome inside the region (and the other ``parts`` of a split body): named chrome,
    link-dominated blocks, the title, lone timestamps. ``link_lists=False`` keeps teaser runs and
    link-dominated blocks: for a story that is a list of links (``_links_if_all_there_is``)."""
    roots = (region.element, *parts)
    for root in roots:  # first, while the signatures' date links are still there to be read
        _cut_comment_thread(analysis, root)
        for el in block_replies.reply_thread(analysis, root):
            bp.drop(el)
    inside = {el for root in roots for el in root.iter()}
    doomed: list[HtmlElement] = []
    if link_lists:
        doomed += [item for root in roots for item in block_structure.teaser_runs(analysis, root)]
        doomed += [card for root in roots for card in block_cards.teaser_cards(analysis, root)]
        doomed += [card for root in roots for card in block_articles.article_cards(analysis, root)]
        doomed += [item for root in roots for item in block_excerpts.excerpt_runs(analysis, root)]
        doomed += [item for root in roots for item in block_dated.dated_entry_runs(analysis, root)]
    doomed += [box for root in roots for box in block_photos.photo_boxes(analysis, root)]
    doomed += [table for root in roots for table in block_calendar.calendar_tables(analysis, root)]
    elements = analysis.elements
    for i in analysis.chrome_roots:
        if elements[i] in inside:
            doomed.append(elements[i])
    for i, el in enumerate(elements):
        if not analysis.is_block[i] or el not in inside or i == region.index or analysis.chrome[i]:
            continue
        if el.tag == "h1":
            doomed.append(el)
            continue
        total = analysis.agg_text[i] + analysis.agg_link[i]
        if link_lists and total and analysis.agg_paragraphs[i] == 0 and analysis.agg_link[i] > 0.5 * total:
            doomed.append(el)
    # A timestamp alone on its line ("11.42pm", "vor 2 Stunden") labels an entry; it is not prose.
    for el in (time for root in roots for time in root.iter("time")):
        up = el.getparent()
        if up is not None and " ".join(up.text_content().split()) == " ".join(el.text_content().split()):
            doomed.append(el)
    # Drop outermost first; descendants of a dropped element go with it.
    removed: set[HtmlElement] = set()
    for el in doomed:
        if any(anc in removed for anc in el.iterancestors()):
            continue
        removed.add(el)
    for el in removed:
        if el.getparent() is not None:
            bp.drop(el)


# A comment thread shows itself by its readers' signatures, whatever its boxes are named: this many lines of
# one signature shape, prose between them, after this much of the story.
THREAD_MIN_SIGNATURES = 3
THREAD_AFTER_CHARS = 400
# Undated signatures make a thread only when there are this many, each after prose of its own.
THREAD_MIN_UNDATED = 4
_SIGNATURE_INLINE = frozenset({"span", "cite", "small", "em", "i", "font", "address"})
_LAST_LINE_INLINE = frozenset({*_SIGNATURE_INLINE, "strong", "b"})


def _last_line(el: HtmlElement) -> bool:
    """An inline element set as its block's last line, after a ``<br>``: a comment signed inside its own
    paragraph. Nothing follows it, and text comes before the break."""
    if el.tag not in _LAST_LINE_INLINE or (el.tail or "").strip() or el.getnext() is not None:
        return False
    before = el.getprevious()
    while before is not None and before.tag == "br" and not (before.tail or "").strip():
        up = before.getprevious()
        if up is None or up.tag != "br":
            break
        before = up
    if before is None or before.tag != "br" or (before.tail or "").strip():
        return False
    parent = el.getparent()
    return parent is not None and parent.tag not in INLINE_TAGS and bool((parent.text or "").strip())


def _signature_lines(analysis: Analysis, root: HtmlElement) -> list[tuple[int, HtmlElement]]:
    """(shape, element) for every short line in ``root`` shaped like a reader's signature.

    A line is a block holding no other block, or an inline element set directly among blocks (a
    ``<span>`` with the author's name under the comment's paragraphs). Headings and lines wholly in bold
    are a story's subheads ("Rome, Italy"), never signatures.
    """
    found: list[tuple[int, HtmlElement]] = []
    index, text_chars, link_chars = analysis.index, analysis.text_chars, analysis.link_chars
    agg_text, agg_link, elements = analysis.agg_text, analysis.agg_link, analysis.elements
    last = root
    while len(last):
        last = last[-1]  # document order: the subtree is the run of elements up to its last descendant
    first, end = index.get(root, -1), index.get(last, -1)
    if first < 0 or end < 0:
        return found
    for i in range(first, end + 1):
        if analysis.chrome[i]:
            continue
        el = elements[i]
        if analysis.is_block[i]:
            if not agg_text[i] + agg_link[i] or el.tag in HEADINGS:
                continue
            own = text_chars[i] + link_chars[i]
            if not own or own > bp.SIGNATURE_MAX_CHARS or own != agg_text[i] + agg_link[i]:
                continue
            if len(el) == 1 and el[0].tag in ("strong", "b") and not (el.text or "").strip():
                continue
        elif _last_line(el):
            pass  # "...the comment's last sentence.<br><strong>- Louise, Lancaster</strong></p>"
        elif el.tag not in _SIGNATURE_INLINE:
            continue
        else:
            up = analysis.parent[i]
            if up < 0 or agg_text[up] + agg_link[up] == text_chars[up] + link_chars[up]:
                continue  # inside a line of its own block: that block is the line
        text = " ".join(el.text_content().split())
        shape = bp.signature_shape(text) if text else 0
        if shape:
            found.append((shape, el))
    return found


def _cut_comment_thread(analysis: Analysis, root: HtmlElement) -> None:
    """Cut a comment thread the names did not give away: the story's container holds it too.

    Its readers sign every comment the same way ("— Posted by Tom", "Blake B, los angeles,", "TonyZ (6
    days ago)"), with prose between the signatures. The thread starts at the box of the first signed
    comment, below the signatures' common container; when comments and signatures are sibling blocks
    there, the blocks just before the first signature that look like the thread's own prose (same tag
    and class) are its first comment. A page that is all thread (a forum) keeps it: the cut needs a
    story before it.
    """
    lines = _signature_lines(analysis, root)
    if len(lines) < THREAD_MIN_SIGNATURES:
        return
    shapes = Counter(shape for shape, _ in lines)
    shape, count = shapes.most_common(1)[0]
    if count < THREAD_MIN_SIGNATURES:
        return
    signed = [el for s, el in lines if s == shape]
    order = [analysis.index[el] for el in signed]
    good = [i for i in range(order[0], order[-1]) if analysis.good[i] and analysis.text_chars[i] >= MIN_PROSE]
    gaps = sum(any(a < i < b for i in good) for a, b in itertools.pairwise(order))
    if gaps < len(order) - 2:
        return  # signatures side by side: a list of names and places, not comments between them
    common = _common_ancestor(signed[0], signed[1])
    if common is None:
        return
    units = [_unit_below(el, common) for el in signed[:THREAD_MIN_SIGNATURES]]
    undated_thread = len(order) >= THREAD_MIN_UNDATED and gaps == len(order) - 1
    if not undated_thread and not all(bp.stamped_text(" ".join(unit.itertext())) for unit in units):
        return  # a few signed, undated lines: a listicle's credited entries or a book's testimonials
    after = sum(
        analysis.text_chars[analysis.index[el]]
        for el in root.iter()
        if analysis.index.get(el, -1) > order[-1] and analysis.good[analysis.index[el]]
    )
    if after > THREAD_AFTER_CHARS:
        return  # the story goes on after the last signature: quotes within it, not a thread below it
    start = _thread_start(analysis, units[0], signed[1])
    told = sum(
        analysis.text_chars[analysis.index[el]]
        for el in root.iter()
        if analysis.index.get(el, len(analysis.elements)) < analysis.index.get(start, 0)
        and analysis.good[analysis.index[el]]
    )
    if told < THREAD_AFTER_CHARS:
        return
    doomed = [start, *start.itersiblings()]
    for el in doomed:
        if isinstance(el.tag, str):
            bp.drop(el)


MIN_PROSE = 25


def _unit_below(el: HtmlElement, common: HtmlElement) -> HtmlElement:
    """``el``'s ancestor (or ``el``) that is a child of ``common``: one comment's box."""
    while (up := el.getparent()) is not None and up is not common:
        el = up
    return el


def _common_ancestor(a: HtmlElement, b: HtmlElement) -> HtmlElement | None:
    above = set(a.iterancestors())
    return next((el for el in b.iterancestors() if el in above), None)


def _thread_start(analysis: Analysis, unit: HtmlElement, second: HtmlElement) -> HtmlElement:
    """The first comment's first block: ``unit``, or the sibling blocks of the thread's kind just before it."""
    kinds = set()
    between = 0
    for sibling in unit.itersiblings():
        if second is sibling or any(a is sibling for a in second.iterancestors()):
            break
        i = analysis.index.get(sibling, -1)
        if i >= 0 and analysis.good[i] and sibling.get("class"):
            kinds.add((sibling.tag, sibling.get("class")))
            between += 1
    start = unit
    taken = 0
    for sibling in unit.itersiblings(preceding=True):
        i = analysis.index.get(sibling, -1)
        if i < 0:
            break
        if not analysis.agg_text[i] + analysis.agg_link[i]:
            start = sibling  # a spacer between comments
            continue
        if (sibling.tag, sibling.get("class")) not in kinds or taken >= between:
            break
        start = sibling
        taken += 1
    return start


def _data_tables(elements: list[HtmlElement]) -> set[HtmlElement]:
    """Tables whose cells hold only inline text: rendered as rows, unlike layout tables."""
    return {
        table
        for el in elements
        for table in el.iter("table")
        if next(table.iterdescendants(*_DATA_TABLE_BLOCKERS), None) is None
    }


_SPACES = re.compile(r"[^\S\n]+")


@dataclass(slots=True)
class Line:
    """One rendered line (a block, or a ``<br>``-separated part of one) and how much of it is link text."""

    text: str
    link_chars: int

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


@dataclass(slots=True)
class Paragraph:
    lines: list[Line]
    tag: str  # the block element it was rendered from


def render_paragraphs(fragment: str) -> list[Paragraph]:
    """Paragraphs of an HTML fragment as lines: blocks split paragraphs, ``<br>`` splits lines."""
    return (
        render_elements(
            list(lxml_html.fragments_fromstring(fragment, no_leading_text=False, parser=_parser()))
        )
        if fragment
        else []
    )


_END = object()
_END_LINK = object()


def _flush_lines(buf: list[tuple[str, bool]], block: str, paragraphs: list[Paragraph]) -> None:
    """Turn buffered text pieces (a lone newline marks a ``<br>``) into paragraphs of lines; empty ``buf``.

    An empty line (``<br><br>``) ends a paragraph; each line counts its linked characters, which
    ``_clean_paragraphs`` uses to drop link rows.
    """
    if not buf:
        return
    para: list[Line] = []
    pieces: list[str] = []
    link_chars = 0
    for piece, in_link in [*buf, ("\n", False)]:
        if piece != "\n":
            pieces.append(piece)
            if in_link:
                link_chars += len(piece.strip())
            continue
        text = " ".join("".join(pieces).split())
        pieces.clear()
        if text:
            para.append(Line(text, min(link_chars, len(text))))
        elif para:
            paragraphs.append(Paragraph(para.copy(), block))
            para.clear()
        link_chars = 0
    if para:
        paragraphs.append(Paragraph(para, block))
    buf.clear()


def render_elements(elements: list[Any]) -> list[Paragraph]:
    """Paragraphs of lxml elements as lines: blocks split paragraphs, ``<br>`` splits lines.

    Walks the region's own tree (text, children, tails in document order) with an explicit stack, so
    deep nesting costs no recursion, and no second parse of the region is needed.
    """
    data_tables = _data_tables([el for el in elements if not isinstance(el, str)])
    paragraphs: list[Paragraph] = []
    buf: list[tuple[str, bool]] = []
    blocks: list[str] = ["div"]
    link_depth = 0

    stack: list[Any] = list(reversed(elements))
    while stack:
        node = stack.pop()
        if node is _END:
            _flush_lines(buf, blocks[-1], paragraphs)
            blocks.pop()
            continue
        if node is _END_LINK:
            link_depth -= 1
            continue
        if isinstance(node, str):
            if link_depth:  # its length counts as link text: spaces squeezed as a reader sees them
                buf.append((_SPACES.sub(" ", node).replace("\n", " "), True))
            else:  # ``_flush_lines`` splits on any whitespace anyway; only a newline would read as <br>
                buf.append((node.replace("\n", " "), False))
            continue
        name = node.tag
        if not isinstance(name, str):  # a comment or processing instruction: its tail is pushed apart
            continue
        if name == "br":
            buf.append(("\n", False))
            continue
        table_cell = False
        if name == "a":
            link_depth += 1
            stack.append(_END_LINK)
        elif name in ("td", "th"):
            table = next(node.iterancestors("table"), None)
            if table is not None and table in data_tables:
                if any(piece.strip() for piece, _ in buf):
                    buf.append((" | ", False))
                table_cell = True
        if not table_cell and name not in INLINE_TAGS:
            _flush_lines(buf, blocks[-1], paragraphs)
            blocks.append(name)
            stack.append(_END)
        for child in reversed(node):
            tail = child.tail
            if tail:
                stack.append(tail)
            stack.append(child)
        if node.text:
            stack.append(node.text)
    _flush_lines(buf, blocks[-1], paragraphs)
    return paragraphs


def _clean_paragraphs(
    paragraphs: list[Paragraph],
    title: str | None,
    doc_title: str | None = None,
    authors: tuple[str, ...] = (),
    keep_links: bool = False,
) -> list[str]:
    """Drop lines that are chrome even inside the body: link rows (unless ``keep_links``), calls to
    action, bylines, the title.

    Then drop orphaned labels: a heading with nothing under it ("Tags", "Related", "About the author")
    is what is left of a box whose links were removed.
    """
    title_key = " ".join(title.split()).casefold() if title else None
    # the document's <title> as well: the metadata title can be a page heading ("Top Classifieds")
    headline_keys = tuple(" ".join(t.split()).casefold() for t in (title, doc_title) if t)
    kept: list[tuple[str, str]] = []
    seen: set[str] = set()
    told = 0
    started = False
    left = sum(len(line.text) for para in paragraphs for line in para.lines)
    for para in paragraphs:
        left -= sum(len(line.text) for line in para.lines)
        # Once a story has been told, a line opening comments or other stories ends it, and so does a
        # rule followed by no more than end notes (wire copy's contributors and "On the Net" links).
        if told >= TAIL_AFTER_CHARS and len(para.lines) == 1:
            first = para.lines[0].text
            if bp.tail_start_text(first) or (bp.separator_text(first) and left <= ENDNOTES_MAX_CHARS):
                break
            if block_more.ends_story(first, left):
                break
        lines = [
            line.text
            for line in para.lines
            if (keep_links or line.link_density <= LINE_LINK_DENSITY)
            and not bp.boilerplate_text(line.text)
            and not bp.byline_text(line.text)
            and not bp.tweet_signature_text(line.text)
            and not bp.dateline_text(line.text)
            and not bp.rights_text(line.text)
            and not bp.label_text(line.text)
            and not bp.cta_text(line.text)
            and not bp.follow_us_text(line.text)
            and not bp.disclosure_text(line.text)
            and not bp.caption_line_text(line.text)
            and not bp.filing_note_text(line.text)
            and not (para.tag != "tr" and bp.nav_row_text(line.text))
            and line.text.casefold() != title_key
            and (started or not _head_furniture(line.text, headline_keys))
            and (told < TAIL_AFTER_CHARS or not bp.endnote_text(line.text))
            and (
                told < TAIL_AFTER_CHARS
                or left > ENDNOTES_MAX_CHARS
                or not bp.author_bio_text(line.text, authors)
            )
        ]
        text = "\n".join(lines)
        if not text or (text in seen and len(text) > 1):
            continue
        seen.add(text)
        kept.append((text, para.tag))
        told += len(text)
        started = started or _reads_as_prose(text)
    while kept and _is_label(*kept[-1]) and not _signed_off(kept):
        kept.pop()
    # A heading directly followed by a heading of the same or a higher rank labels nothing, and
    # neither does an introducing line ("Weitere Informationen:") followed by another label.
    return [
        text
        for i, (text, tag) in enumerate(kept)
        if not (i + 1 < len(kept) and _orphaned(text, tag, *kept[i + 1]))
    ]


_SENTENCE_END = re.compile(r"[.!?…:;\"“”»'’)]\s*$")


def _reads_as_prose(text: str) -> bool:
    """A paragraph that opens the story proper: a sentence's worth of words, ended like one."""
    return len(text) >= 80 and _SENTENCE_END.search(text) is not None


def _head_furniture(text: str, headline_keys: tuple[str, ...]) -> bool:
    """Above the first paragraph of prose: the headline again, a date alone, a credit, an article tool.

    Templates that set the headline in a ``<div>`` or ``<h2>`` repeat it (sometimes with the site's
    name, which ``<title>`` adds) above the story, with the dateline and credit split over lines the
    line rules above do not catch when they stand alone.
    """
    if bp.date_only_text(text) or bp.credit_text(text) or bp.tool_text(text):
        return True
    if len(text) < 12:
        return False
    key = " ".join(text.split()).casefold()
    return any(
        key in title_key or (len(title_key) >= 12 and title_key in key and len(key) <= 1.5 * len(title_key))
        for title_key in headline_keys
    )


def _orphaned(text: str, tag: str, next_text: str, next_tag: str) -> bool:
    if tag in HEADINGS:
        # A standfirst set as a heading is a sentence or two, not a label that lost its box.
        return next_tag in HEADINGS and next_tag <= tag and not _reads_as_prose(text)
    return len(text) <= 60 and text.endswith(":") and _is_label(next_text, next_tag)


# A writer's closing words before their name: "x Franzi", "Euer HansEhrlich", "Deine Mady", "Love" over
# "Pamela". A heading is never one, and "Best" only with its comma ("Best Picks" labels a box).
_VALEDICTION = re.compile(
    r"^(?:x{1,3}|xo(?:xo)?|love|lots of love|cheers|yours(?: truly)?|warmly|best,|best wishes|"
    r"euer|eure|dein|deine|liebst|(?:liebe|viele|herzliche) grüße|lg|bis bald|"
    r"bises|bisous|gros bisous|besos|un abrazo|abrazos|saludos|ciao)"
    r"(?=[\s,!.]|$)[,!.]?",
    re.IGNORECASE,
)
# The name under it: one to three words, no digits, capitalised.
_SIGNER = re.compile(r"^[A-ZÀ-Þ][\w.'’-]*(?:\s+[A-ZÀ-Þ][\w.'’-]*){0,2}$")
SIGN_OFF_MAX_CHARS = 40


def _signed_off(kept: list[tuple[str, str]]) -> bool:
    """The story's last line is its writer's sign-off, not a label whose box was cut.

    Blog posts and letters end with a greeting and a name ("x Franzi", "Euer HansEhrlich", or "Love"
    above "Pamela"): short lines without a full stop, which the trailing-label rule took for a box's
    orphaned heading. Their words say otherwise: a valediction with a name after it or over it.
    """
    text, tag = kept[-1]
    if tag in HEADINGS or len(text) > SIGN_OFF_MAX_CHARS:
        return False
    opener = _VALEDICTION.match(text)
    if opener is not None:
        rest = text[opener.end() :].strip()
        if rest:
            return _SIGNER.match(rest) is not None
        return bool(opener.group(0).casefold().strip(",!.xo"))  # a bare "x" closes a pop-up, not a post
    if _SIGNER.match(text) is None or len(kept) < 2:
        return False
    above, above_tag = kept[-2]
    greeting = _VALEDICTION.match(above)
    return above_tag not in HEADINGS and greeting is not None and not above[greeting.end() :].strip()


_ROW_TAGS = frozenset({"li", "tr", "td", "th", "dd", "dt"})


def _is_label(text: str, tag: str) -> bool:
    """A heading, a short line introducing something ("Kontakt:"), or a short unpunctuated line. A
    paragraph set in a heading tag (``content.reads_as_paragraph``) labels nothing: it is the text."""
    if (tag in HEADINGS and not reads_as_paragraph(text)) or (len(text) <= 60 and text.endswith(":")):
        return True
    return tag not in _ROW_TAGS and len(text) <= 25 and text[-1] not in '.!?…"“”»«)'


def _metadata(root: HtmlElement, url: str | None) -> PageMetadata:
    """Page metadata; a failure there costs the record its metadata, not its body (and says so)."""
    try:
        return extract_metadata(root, url)
    except Exception as exc:  # a metadata bug on one page must not lose an otherwise good article
        return PageMetadata(warnings=[f"metadata extraction failed: {type(exc).__name__}: {exc}"])


def _article_from_metadata(meta: PageMetadata, url: str | None) -> Article:
    return meta.to_article(url)


def extract(html: str | bytes, url: str | None = None) -> Article:
    """Extract one article record, or raise IngestError: EMPTY, ENCODING, PARSE or NOT_AN_ARTICLE for bad
    input, INTERNAL (with the exception named) if the extractor itself fails on a page."""
    try:
        with _collector_paused():
            return _extract(html, url)
    except IngestError:
        raise
    except RecursionError as exc:
        raise IngestError(ErrorKind.PARSE, "markup nested too deeply to walk") from exc
    except (etree.LxmlError, ValueError, UnicodeError) as exc:
        raise IngestError(ErrorKind.PARSE, f"cannot process markup: {exc}") from exc
    except MemoryError as exc:
        raise IngestError(ErrorKind.PARSE, "document too large to process") from exc
    except Exception as exc:  # a bug on some page must not end the run; recorded as internal
        raise IngestError(ErrorKind.INTERNAL, f"extractor failed: {type(exc).__name__}: {exc}") from exc


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while one page is extracted.

    One page allocates thousands of short-lived tracked objects (element proxies, tuples, lines), and
    the collector ran every 700 of them, walking objects that reference counting frees a moment later:
    over a tenth of extract() (bench/extract_speed.py). Held off, what is freed is gone before the
    next collection looks; a page's cycles wait for it, bounded by the element limit. A collector the
    host turned off stays off; one left on is on again when the page is done, error or not.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _extract(html: str | bytes, url: str | None) -> Article:
    text = _to_text(html)
    root = parse(text)
    meta = _metadata(root, url)  # before the tree is cut: metadata reads the whole page
    article = _article_from_metadata(meta, url)

    try:
        paragraphs = _html_paragraphs(root, meta, article)
    except IngestError as exc:
        if exc.kind is not ErrorKind.NOT_AN_ARTICLE:
            raise
        paragraphs, article = _fallback_chain(text, url, meta, article, exc)
    else:
        paragraphs = _noscript_if_fuller(text, meta, article, paragraphs)
        paragraphs = _links_if_all_there_is(text, meta, article, paragraphs)
        structured = _structured_body(meta, paragraphs)
        if structured:
            paragraphs = structured
            article.warnings.append("body taken from structured data")
    body = _composed("\n\n".join(paragraphs))
    article.text = body
    if len(body) < SHORT_BODY_CHARS:
        article.warnings.append("short body")
    return article


def _noscript_if_fuller(text: str, meta: PageMetadata, article: Article, paragraphs: list[str]) -> list[str]:
    """A short body beside a ``<noscript>`` copy of the story: the page renders its story by script.

    Blogger-style templates put the story in a script template and again in ``<noscript>``; with both
    cut unread, the finder settles on a stray line ("Give us feedback in our forums"). The noscript
    version replaces it only when it shows a real body, clearly fuller than what was found.
    """
    found = _text_chars(paragraphs)
    if found >= SHORT_BODY_CHARS:
        return paragraphs
    unwrapped = _noscript_unwrapped(text)
    if unwrapped is None:
        return paragraphs
    try:
        fuller = _html_paragraphs(unwrapped, meta, Article())
    except IngestError:
        return paragraphs
    if _text_chars(fuller) < max(SHORT_BODY_CHARS, NOSCRIPT_FULLER_RATIO * found):
        return paragraphs
    article.warnings.append("body found in the page's <noscript> version")
    return fuller


# A <noscript> body replaces a short one when it is this many times as long.
NOSCRIPT_FULLER_RATIO = 2


def _links_if_all_there_is(
    text: str, meta: PageMetadata, article: Article, paragraphs: list[str]
) -> list[str]:
    """A story that is a list of links: a link round-up, a blog's bookmarks of the day, show notes.

    Link rows and runs of linked titles are cut from a body because beside a story they are other
    stories; in a round-up they are the story, and the cuts leave a line or two of it ("Posted from
    Diigo"). Only a body under ``MIN_BODY_CHARS`` is read again, keeping the links of the same region
    (named chrome still goes), and the links replace it only when they say clearly more: a page whose
    region was judged a story, yet holds little but its links.
    """
    found = _text_chars(paragraphs)
    if found >= MIN_BODY_CHARS:
        return paragraphs
    root = parse(text)
    doc_title = _doc_title(root)
    prune(root)
    analysis = analyse(root)
    region = find_region(analysis)
    if region is None:
        return paragraphs
    _strip_region(analysis, region, link_lists=False)
    linked = _render(analysis, region, meta, doc_title, keep_links=True)
    if _text_chars(linked) < max(MIN_BODY_CHARS, NOSCRIPT_FULLER_RATIO * found):
        return paragraphs
    article.warnings.append("body is a list of links")
    return linked


def _composed(text: str) -> str:
    """The text in composed form (NFC): "ä" as one character, not "a" and a combining diaeresis.

    Some CMSs store decomposed text (macOS editors write it); a reader sees the same letters, while a
    search for the word, or a comparison with a copy from elsewhere, finds nothing in the decomposed form.
    """
    if "\xad" in text:
        text = text.replace("\xad", "")  # soft hyphens: invisible break hints, they split words for search
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _fallback_chain(
    text: str, url: str | None, meta: PageMetadata, article: Article, refusal: IngestError
) -> tuple[list[str], Article]:
    """Before a page is refused as not an article: a tolerant parse, the densest prose, a structured copy.

    1. libxml2 gives up on some broken markup (an unclosed ``<title>``, a second ``<html>``, a start tag
       cut in half) and drops the rest of the page; Python's own HTML parser, through BeautifulSoup,
       keeps it. Tried only when the tree holds far fewer elements than the source has tags; the
       metadata is then read again from the repaired tree.
    2. The page's ``<noscript>`` version: some sites put the whole story there for readers without
       scripts, and what is never shown with scripts on is otherwise cut unread.
    3. The densest run of prose (``densest_region``), on a fresh tree: the region finder may refuse a
       story that shares its column with linked headlines, or that is set as one block of text.
    4. The region finder with no class name trusted (``_nameless_paragraphs``).
    5. A declared article's structured copy (JSON-LD ``articleBody``), when the HTML shows no story, or
       a HowTo or Recipe node's description and steps.
    6. The nameless look once more, counting the captions beside images as prose (a slideshow).
    Index, tag, video and error pages have no run of prose and no copy, and stay refused.
    """
    trees = [parse(text)]
    if _lost_markup(text, trees[0]):
        tolerant = _tolerant_parse(text)
        if tolerant is not None:
            meta = _metadata(tolerant, url)
            article = _article_from_metadata(meta, url)
            second = _tolerant_parse(text)  # metadata leaves the tree whole, the body finder cuts it
            try:
                paragraphs = _html_paragraphs(tolerant if second is None else second, meta, article)
            except IngestError:
                fresh = _tolerant_parse(text)
                if fresh is not None:
                    trees.insert(0, fresh)
            else:
                article.warnings.append("body found after re-parsing broken markup")
                return paragraphs, article
    unwrapped = _noscript_unwrapped(text)
    if unwrapped is not None:
        try:
            paragraphs = _html_paragraphs(unwrapped, meta, article)
        except IngestError:
            paragraphs = []
        # a one-line "please enable JavaScript" notice is what most <noscript> elements hold: no story
        if _text_chars(paragraphs) >= MIN_BODY_CHARS:
            article.warnings.append("body found in the page's <noscript> version")
            return paragraphs, article
    for root in trees:
        paragraphs = _dense_paragraphs(root, meta)
        if paragraphs:
            article.warnings.append("body found as the densest prose on the page")
            return paragraphs, article
    paragraphs = _nameless_paragraphs(parse(text), meta)
    if paragraphs:
        article.warnings.append("body found only when every class name was ignored")
        return paragraphs, article
    copy = _structured_copy(text, meta)
    if copy is not None:
        article.warnings.append(copy[1])
        return copy[0], article
    # A slideshow's story is its slide texts, each a short caption beside its image.
    paragraphs = _nameless_paragraphs(parse(text), meta, captions_as_prose=True)
    if _text_chars(paragraphs) >= MIN_STRUCTURED_RESCUE_CHARS:
        article.warnings.append("body found in the captions beside the page's images")
        return paragraphs, article
    raise refusal


def _structured_copy(text: str, meta: PageMetadata) -> tuple[list[str], str] | None:
    """A copy of the story outside the HTML body, with the warning that names it, or None.

    A script-rendered story page may hold nothing but chrome in its HTML: its declared article node is
    then the only copy of the story there is. A guide or recipe declares itself in its own schema node,
    whose description and steps are then the only copy of its text.
    """
    if _page_type_says(meta.page_type, _ARTICLE_TYPES):
        structured = _structured_body(meta, [])
        if structured:
            return structured, "body taken from structured data"
    howto = howto_copy(text)
    if howto is not None:
        structured = _structured_paragraphs(howto, meta.title)
        if _text_chars(structured) >= MIN_STRUCTURED_RESCUE_CHARS:
            return structured, "body taken from the page's HowTo or Recipe data"
    return None


_START_TAG_RE = re.compile(r"<[a-zA-Z]")
# A tree holding fewer elements than this share of the source's start tags lost part of the page.
LOST_MARKUP_SHARE = 0.5


def _lost_markup(text: str, root: HtmlElement) -> bool:
    elements = sum(1 for _ in root.iter())
    return elements < LOST_MARKUP_SHARE * len(_START_TAG_RE.findall(text, 0, MAX_INPUT_CHARS))


def _tolerant_parse(text: str) -> HtmlElement | None:
    from lxml.html import soupparser

    try:
        root = soupparser.fromstring(
            _close_title(text[:MAX_INPUT_CHARS]).replace("\x00", ""), features="html.parser"
        )
    except Exception:  # the tolerant parser is a second chance; its failure leaves the first refusal
        return None
    return root if isinstance(root, lxml_html.HtmlElement) else None


def _noscript_unwrapped(text: str) -> HtmlElement | None:
    """A fresh tree with every ``<noscript>`` replaced by its content, or None when there is none."""
    if "<noscript" not in text and "<NOSCRIPT" not in text:
        return None
    root = parse(text)
    found = list(root.iter("noscript"))
    for el in found:
        if el.getparent() is not None:
            el.drop_tag()
    return root if found else None


def _dense_paragraphs(root: HtmlElement, meta: PageMetadata) -> list[str]:
    doc_title = _doc_title(root)
    prune(root)
    for trust_names in (True, False):
        analysis = analyse(root, trust_names=trust_names)
        region = densest_region(analysis)
        if region is None:
            continue
        _strip_region(analysis, region)
        paragraphs = _render(analysis, region, meta, doc_title, leads=False)
        if _text_chars(paragraphs) >= MIN_BODY_CHARS:
            return paragraphs
        return []
    return []


def _nameless_paragraphs(root: HtmlElement, meta: PageMetadata, captions_as_prose: bool = False) -> list[str]:
    """The region finder again with no class or id name trusted, not even comment-thread names.

    Some stories live only in boxes named like comments or chrome: a forum thread's opening post, a
    live ticker's entries ("live-match-comment"), a slideshow's slide texts. Tags still count (nav,
    footer, aside), and a region made of teasers is still refused, so index pages stay refused; a page
    that declares itself a video keeps its refusal, since its comment thread is not its story.
    """
    if _page_type_says(meta.page_type, ("video",)):
        return []
    doc_title = _doc_title(root)
    prune(root)
    analysis = analyse(root, trust_names=False, trust_comments=False, mark_captions=not captions_as_prose)
    region = find_region(analysis)
    if region is None or region.good_chars < MIN_BODY_CHARS:
        region = prose_region(analysis)
    if region is None:
        return []
    region = _denser_elsewhere(analysis, region)
    try:
        _check_is_article(region, meta.page_type)
    except IngestError:
        return []
    _strip_region(analysis, region)
    paragraphs = _render(analysis, region, meta, doc_title)
    return paragraphs if _text_chars(paragraphs) >= MIN_BODY_CHARS else []


def _doc_title(root: HtmlElement) -> str | None:
    """The document's ``<title>``, read before pruning drops it."""
    el = next(root.iterdescendants("title"), None)  # ".//title" without ElementPath's machinery
    return el.text_content() if el is not None else None


def _render(
    analysis: Analysis,
    region: Region,
    meta: PageMetadata,
    doc_title: str | None,
    leads: bool = True,
    parts: tuple[HtmlElement, ...] = (),
    keep_links: bool = False,
) -> list[str]:
    chosen = lead_blocks(analysis, region, _described_lead(meta.description)) if leads else []
    body = sorted((region.element, *parts), key=lambda el: analysis.index[el]) if parts else [region.element]
    paragraphs = _clean_paragraphs(
        render_elements([*chosen, *body]), meta.title, doc_title, tuple(meta.authors), keep_links
    )
    paragraphs = block_head.drop_head_furniture(paragraphs, meta)
    paragraphs = block_comment_policy.cut_comment_policy(block_bio.drop_unnamed_bio(paragraphs))
    paragraphs = block_about.drop_about_boxes(paragraphs)
    paragraphs = block_credits.drop_credit_lines(block_stamps.drop_stamps(paragraphs))
    paragraphs = block_offers.drop_offers(
        block_contacts.cut_press_contacts(block_disclaimers.drop_disclaimers(paragraphs))
    )
    paragraphs = block_platform.drop_platform_lines(block_prompts.drop_prompts(paragraphs))
    paragraphs = block_pitches.drop_pitches(
        paragraphs, block_pitches.site_keys(meta.site_name, meta.canonical_url)
    )
    paragraphs = block_contacts.drop_address_lines(block_colophon.drop_colophon(paragraphs))
    return block_leads.drop_wire_leads(block_consent.drop_consent_lines(paragraphs))


def _described_lead(description: str | None) -> Callable[[HtmlElement], bool] | None:
    """A test for a standfirst in a box marked as chrome: prose ended like a sentence that opens with the
    page's description. A subtitle or kicker without a sentence's end stays out, as it does in the header.
    """
    opens = block_anchor.opens_like_description(description)
    if opens is None:
        return None
    return lambda el: _reads_as_prose(" ".join(el.text_content().split())) and opens(el)


def _split_parts(analysis: Analysis, region: Region) -> tuple[HtmlElement, ...]:
    """The other parts of a body split into sibling boxes of one kind ("div.the-content" between
    embeds, ad slots or column layouts): siblings with the region's tag and class that hold prose.

    Block-based CMSs (TYPO3 content elements, Drupal paragraphs) wrap each text block in a box of its
    own, so the region finder settles on the text of one box while the story goes on in its sibling
    boxes: the kind is then the one of a wrapper around the region (a box holding little prose beside
    it), up to ``SPLIT_MAX_LEVELS`` above. A region without a class has no kind to match, and chrome or
    link lists never qualify.
    """
    el = region.element
    own = analysis.agg_good[region.index]
    for _ in range(SPLIT_MAX_LEVELS + 1):
        parts = _parts_beside(analysis, el)
        if parts:
            return parts
        up = el.getparent()
        i = analysis.index.get(up, -1) if up is not None else -1
        if i < 0 or analysis.agg_good[i] > SPLIT_WRAPPER_SHARE * own:
            return ()  # the parent holds prose of its own: not a box around the region
        el = up
    return ()


def _parts_beside(analysis: Analysis, el: HtmlElement) -> tuple[HtmlElement, ...]:
    """Siblings of ``el`` with its tag and class that hold mostly unlinked prose."""
    kind = el.get("class")
    up = el.getparent()
    if not kind or up is None:
        return ()
    parts = []
    for sibling in up:
        if sibling is el or sibling.tag != el.tag or sibling.get("class") != kind:
            continue
        i = analysis.index.get(sibling, -1)
        if i < 0 or analysis.chrome[i] or analysis.agg_paragraphs[i] < 1:
            continue
        if analysis.agg_link[i] > MAX_PART_LINK_SHARE * (analysis.agg_text[i] + analysis.agg_link[i]):
            continue
        parts.append(sibling)
    return tuple(parts)


# How far above the region a box of a block-based CMS may sit, and how little prose it may add to the
# region's own for it to count as the region's box.
SPLIT_MAX_LEVELS = 3
SPLIT_WRAPPER_SHARE = 1.2

# A sibling part of a split body is mostly unlinked prose.
MAX_PART_LINK_SHARE = 0.3


# The densest run of prose replaces the chosen region (apart from it, or around it) when it holds this much
# more prose than the region's own; chosen out of fold by bench/extraction_folds.py.
DENSER_ELSEWHERE = 1.1


def _denser_elsewhere(analysis: Analysis, region: Region) -> Region:
    """The region finder sums scores, so a story container holding many short lines (labels, photo
    credits, link rows) can score below a compact box elsewhere (a comment, a "what is this?" blurb).
    The densest run of prose counts paragraphs only; when it is larger, and apart from the chosen
    region or around it (the box was one part of the story's container), it is the story."""
    dense = densest_region(analysis)
    if dense is None or analysis.dense_chars < DENSER_ELSEWHERE * region.good_chars:
        return region
    chosen, other = region.element, dense.element
    if chosen is other or any(a is chosen for a in other.iterancestors()):
        return region  # the chosen region already holds the run
    return dense


def _html_paragraphs(root: HtmlElement, meta: PageMetadata, article: Article) -> list[str]:
    """The story's paragraphs as the HTML shows them, or IngestError(NOT_AN_ARTICLE)."""
    doc_title = _doc_title(root)
    prune(root)
    analysis = analyse(root)
    region = find_region(analysis)
    if region is None or region.good_chars < _body_needed(meta.page_type):
        # Nothing left once furniture names are applied: this template may name its story wrapper
        # like furniture ("sidebar_content"). Look again trusting only tags and unambiguous names.
        second = analyse(root, trust_names=False)
        second_region = find_region(second)
        if second_region is not None and (region is None or second_region.good_chars > region.good_chars):
            analysis, region = second, second_region
            article.warnings.append("body found only when class names were ignored")
    if region is not None:
        region = _denser_elsewhere(analysis, region)
        analysis, region = _past_teaser_box(root, analysis, region, article)
        region = block_anchor.anchored_region(analysis, region, meta.description)
    _check_is_article(region, meta.page_type)
    if region is None:  # _check_is_article refuses that already; this keeps the type checker informed
        raise IngestError(ErrorKind.NOT_AN_ARTICLE, "no body region")
    parts = _split_parts(analysis, region)
    _strip_region(analysis, region, parts)
    if block_model.ENABLED:  # the learned block scorer (issue 7 item 5), off unless it beats the rules
        block_model.apply(analysis, region)
    paragraphs = _render(analysis, region, meta, doc_title, parts=parts)
    if len("\n\n".join(paragraphs)) < MIN_DECLARED_BODY_CHARS:
        raise IngestError(ErrorKind.NOT_AN_ARTICLE, "no body text left after removing boilerplate")
    return paragraphs


def _past_teaser_box(
    root: HtmlElement, analysis: Analysis, region: Region, article: Article
) -> tuple[Analysis, Region]:
    """The story beside a box of teasers that outweighs it ("Must read" over a five-paragraph report).

    When the region's prose is mostly teaser items, they are taken out and the region is looked for
    again; the new one counts only if it holds a story's worth of prose in paragraphs side by side,
    so a section page, which is all teasers, keeps its list and its refusal.
    """
    items = block_structure.teaser_box(analysis, region.element, region.good_chars)
    if not items:
        return analysis, region
    kept = {el: (el.getparent(), el.getparent().index(el)) for el in items if el.getparent() is not None}
    for el in kept:
        el.getparent().remove(el)
    second = analyse(root)
    found = find_region(second)
    if (
        found is not None
        and found.good_chars >= SHORT_BODY_CHARS
        and found.paragraphs >= TEASER_BOX_MIN_PARAGRAPHS
    ):
        article.warnings.append("a box of teasers outweighed the story")
        return second, _denser_elsewhere(second, found)
    for el, (parent, position) in sorted(kept.items(), key=lambda pair: pair[1][1]):
        parent.insert(position, el)
    return analysis, region


# The story found past a teaser box has at least this many long paragraphs.
TEASER_BOX_MIN_PARAGRAPHS = 2


# ------------------------------------------------------------------------------ structured-data body
# JSON-LD ``articleBody`` replaces the HTML body only when it is clearly the fuller copy of the same story:
# this much longer, this much longer in absolute terms, and holding most of what the HTML body says.
STRUCTURED_LENGTH_RATIO = 1.5
STRUCTURED_EXTRA_CHARS = 300
STRUCTURED_CONTAINMENT = 0.6
# A page whose HTML shows no story is rescued only by a structured body of at least this much prose.
MIN_STRUCTURED_RESCUE_CHARS = 400
# An HTML body under the short-body mark need not be contained in a structured body this long: see
# ``_prefer_structured``.
MIN_STRUCTURED_OVER_SHORT_CHARS = 1000
# An adapter's copy (the CMS's own paragraph list) replaces the visible body unless clearly shorter, and
# alone stands for a page whose HTML shows no story from this much prose.
ADAPTER_MIN_SHARE = 0.9
MIN_ADAPTER_RESCUE_CHARS = 200

_MARKUP_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]{0,500})?/?>")
_ESCAPED_MARKUP_RE = re.compile(r"&lt;/?[a-zA-Z][a-zA-Z0-9]*(?:\s|/?&gt;)")
_LINE_BREAK_RE = re.compile(r"(?i)<br\s*/?>")
_BLOCK_TAG_RE = re.compile(
    r"(?i)</?(?:p|div|h[1-6]|li|ul|ol|blockquote|section|article|figure|figcaption|table|tr|pre|hr)\b[^<>]*>"
)
_PARAGRAPH_BREAK_RE = re.compile(r"\n[^\S\n]*\n\s*")
# "…", "...", "[…]", "(...)" at the end: a teaser cut by the CMS, not a story.
_TRUNCATED_RE = re.compile(r"(?:\.\.\.|…)\s*[\])]?\s*$")
_WORD_RE = re.compile(r"\w+")
# Markdown, which some CMSs write into ``articleBody``: images go, links keep their text, emphasis and
# heading marks go, as the same story read from the HTML would show it.
_MD_IMAGE_RE = re.compile(r"!\[[^\[\]\n]{0,500}\]\([^()\s]{1,2000}(?:\s+\"[^\"\n]{0,300}\")?\)")
_MD_LINK_RE = re.compile(
    r"\[([^\[\]\n]{1,500})\]\((?:https?://|/)[^()\s]{0,2000}(?:\s+\"[^\"\n]{0,300}\")?\)"
)
_MD_STRONG_RE = re.compile(r"(\*\*|__)(?=\S)([^\n]{1,600}?)(?<=\S)\1")
_MD_HEADING_RE = re.compile(r"(?m)^[^\S\n]{0,3}#{1,6}[^\S\n]+")


def _plain_markdown(text: str) -> str:
    """``text`` without Markdown's link, image, strong and heading syntax; a text holding none of its
    link or strong forms is left alone (a lone "#" or "*" in prose is not Markdown)."""
    if "](" not in text and "**" not in text and "__" not in text:
        return text
    marked = _MD_LINK_RE.search(text) or _MD_STRONG_RE.search(text)
    if marked is None:
        return text
    text = _MD_IMAGE_RE.sub("", text)
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _MD_STRONG_RE.sub(r"\2", text)
    return _MD_HEADING_RE.sub("", text)


def _structured_paragraphs(raw: str, title: str | None) -> list[str]:
    """``articleBody`` as paragraphs: markup (even HTML-escaped) becomes breaks and text, and its blank
    lines, or failing those its line breaks, separate paragraphs. A body written as one line stays one
    paragraph: sentence boundaries do not say where the author's paragraphs were.

    The same line filters as the HTML body apply, since CMSs write bylines and "Read more" lines into
    the field. A truncated body (ending in an ellipsis) is no body at all: it is a teaser.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&lt;" in text and _ESCAPED_MARKUP_RE.search(text):
        text = html_lib.unescape(text)
    if "<" in text and _MARKUP_RE.search(text):
        text = limits.strip_invisible(text)  # linear: a backreference regex was quadratic
        text = _LINE_BREAK_RE.sub("\n", text)
        text = _BLOCK_TAG_RE.sub("\n\n", text)
        text = _MARKUP_RE.sub("", text)
    if "&" in text:
        text = html_lib.unescape(text)
    text = _plain_markdown(text).strip()
    if not text or _TRUNCATED_RE.search(text):
        return []
    chunks = _PARAGRAPH_BREAK_RE.split(text)
    if len(chunks) == 1:
        chunks = text.split("\n")
    paragraphs = [Paragraph([Line(line, 0)], "p") for chunk in chunks if (line := " ".join(chunk.split()))]
    return _clean_paragraphs(paragraphs, title)


def _structured_body(meta: PageMetadata, paragraphs: list[str]) -> list[str] | None:
    """The ``articleBody`` paragraphs when they should replace ``paragraphs`` (empty: the HTML showed no
    story), else None. The raw field's length bounds its text's, so most pages skip the parsing."""
    raw = meta.article_body
    html_chars = _text_chars(paragraphs)
    if not raw or len(raw) < max(
        html_chars * STRUCTURED_LENGTH_RATIO, html_chars + STRUCTURED_EXTRA_CHARS, MIN_STRUCTURED_RESCUE_CHARS
    ):
        return None
    structured = _structured_paragraphs(raw, meta.title)
    return structured if structured and prefer_copy(structured, paragraphs) else None


def _text_chars(paragraphs: list[str]) -> int:
    return sum(len(p) for p in paragraphs)


def _word_trigrams(text: str) -> set[tuple[str, ...]]:
    words = _WORD_RE.findall(text.casefold())
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return set(zip(words, words[1:], words[2:], strict=False))


def _truncated(paragraphs: list[str]) -> bool:
    return bool(paragraphs) and _TRUNCATED_RE.search(paragraphs[-1]) is not None


def copy_agrees(copy: list[str], visible: list[str]) -> bool:
    """Most of what the visible body says (or, for a cut copy, what the copy says) is in the other: the
    same story, not a stale or default one."""
    if _truncated(copy):
        copy, visible = visible, [_TRUNCATED_RE.sub("", p) for p in copy]
    visible_grams = _word_trigrams(" ".join(visible))
    if not visible_grams:
        return True
    shared = visible_grams & _word_trigrams(" ".join(copy))
    return len(shared) >= STRUCTURED_CONTAINMENT * len(visible_grams)


def prefer_copy(copy: list[str], visible: list[str], *, structured: bool = True) -> bool:
    """Whether an embedded copy of the story (JSON-LD ``articleBody``, an adapter's reading of the CMS's
    own record) should replace the body the page shows. The copy is a candidate, never a truth.

    A copy that is cut (ends in an ellipsis) never wins: CMSs fill these fields with teasers, and a
    stored fragment breaks both the record and dedup against full copies elsewhere. A copy must agree
    with the visible body (word trigrams of normalised text, so markup, punctuation and spacing do not
    count, while a stale or template copy about something else shares almost nothing) and be the fuller
    one. ``structured`` copies (free-form fields, often without paragraph breaks) must be clearly fuller;
    an adapter's copy, built from the CMS's own paragraph list, need only not be clearly shorter.

    Except when the visible body is short and the copy a full story: the content finder, shown a page
    whose story is rendered by script, settles on whatever prose is left (an author bio, a photo
    caption, a subscription pitch), which shares nothing with the story by nature. A real story that
    short rarely sits beside an embedded copy of its own page two and a half times its length.
    """
    if not copy or _truncated(copy):
        return False
    copy_chars = _text_chars(copy)
    visible_chars = _text_chars(visible)
    if not visible:
        return copy_chars >= (MIN_STRUCTURED_RESCUE_CHARS if structured else MIN_ADAPTER_RESCUE_CHARS)
    if structured:
        if (
            copy_chars < visible_chars * STRUCTURED_LENGTH_RATIO
            or copy_chars < visible_chars + STRUCTURED_EXTRA_CHARS
        ):
            return False
    elif copy_chars < ADAPTER_MIN_SHARE * visible_chars:
        return False
    if visible_chars < SHORT_BODY_CHARS and copy_chars >= MIN_STRUCTURED_OVER_SHORT_CHARS:
        return True
    return copy_agrees(copy, visible)
