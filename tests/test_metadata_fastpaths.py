"""The metadata readers' shortcuts select exactly what the slower forms they replaced selected.

Each shortcut exists for speed only (bench/extract_profile.py), so the check is equality with the old
form on inputs built to reach its edges: wrappers at either end of a JSON-LD script, and more
microdata, mail links and footer lines than the readers' bounds.
"""

from __future__ import annotations

import lxml.etree
import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapers.metadata import authors, blocks, published, region, text
from scrapers.metadata.authors import _COPYRIGHT_XPATH, _MAILTO_XPATH, _YEAR_BY_XPATH
from scrapers.metadata.jsonld import _COMMENT_RE, _uncommented, load_json
from scrapers.metadata.page import _ITEMPROP_XPATH, Page

_PIECES = st.sampled_from(
    ["//", "<!", "<![CDATA[", "]]>", "-->", "<!--", " ", "\n", "\t", '{"a": 1}', "x", "/", "<", ">", "-", "]"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_uncommented_is_the_comment_regex(raw: str) -> None:
    text = raw.strip()
    assert _uncommented(text) == _COMMENT_RE.sub("", text)


def test_wrapped_json_ld_still_loads() -> None:
    assert load_json('//<![CDATA[\n{"@type": "NewsArticle"}\n//]]>') == {"@type": "NewsArticle"}
    assert load_json('<!-- {"@type": "NewsArticle"} -->') == {"@type": "NewsArticle"}
    assert load_json('{"@type": "NewsArticle", "headline": "a --> b"}') == {
        "@type": "NewsArticle",
        "headline": "a --> b",
    }


def _page(body: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><body>{body}</body></html>")


def _same(old: lxml.etree.XPath, new: lxml.etree.XPath, context: lxml.etree._Element) -> None:
    before, after = old(context), new(context)
    assert len(before) == len(after)
    for a, b in zip(before, after, strict=True):
        assert a == b
        if isinstance(a, str):  # text nodes: the same text or tail of the same element
            assert a.getparent() is b.getparent() and a.is_tail == b.is_tail


def test_itemprop_bound_keeps_the_first_500_in_document_order() -> None:
    nested = "".join(f'<div itemprop="p{i}"><span itemprop="q{i}">x</span></div>' for i in range(400))
    root = _page(nested)
    old = lxml.etree.XPath("(descendant-or-self::*[@itemprop])[position() <= 500]")
    _same(old, _ITEMPROP_XPATH, root)
    assert len(_ITEMPROP_XPATH(root)) == 500


def test_author_reader_bounds_select_as_before() -> None:
    links = "".join(f'<p><a href="mailto:a{i}@x.org">A {i}</a> by {i} © {i}</p>' for i in range(30))
    footer = _page(f"<footer><div>{links}</div>Copyright 2020 by Jane Roe</footer>").find(".//footer")
    pairs = [
        ("(.//a[starts-with(@href,'mailto:')])[position() <= 20]", _MAILTO_XPATH),
        ("(.//text()[contains(., '©') or contains(., 'opyright')])[position() <= 6]", _COPYRIGHT_XPATH),
        ("(.//text()[contains(., ' by') or contains(., ' von')])[position() <= 12]", _YEAR_BY_XPATH),
    ]
    for old, new in pairs:
        _same(lxml.etree.XPath(old), new, footer)


def _folded_part_kinds(label: str) -> tuple[bool, bool, bool, int]:
    """``region._part_kinds`` as it read before its ASCII shortcut: every pattern folding case."""
    spaces = label.count(" ")
    if len(label) < 4 or not region._ANY_LABEL_RE.search(label):
        return False, False, False, spaces
    return (
        bool(region._DATE_LABEL_RE.search(label)),
        bool(region.AUTHOR_LABEL_RE.search(label)),
        bool(region._PAYWALL_CLASS_RE.search(label)),
        spaces,
    )


# label words in every case, with letters whose case folds to ASCII ("ſ" long s, the Kelvin sign)
_LABEL_PIECES = st.sampled_from(
    ["Date", "PUBLISH", "byline", "Author", "payWall", "TIME", "timeline", "Meta", "ZEIT", "Premium-Content",
     "x", "-", "_", " ", "ſ", "\u212a", "ı", "İ", "é", "Writer", "posted", "2024", "s", "k"]
)  # fmt: skip

_LABELS = st.lists(
    st.sampled_from(["sidebar", "related-posts", "nav", "hentry", "tag-ads", "author", "post-12", "has-sidebar",
                     "comments", "meta", " ", "-", "x", "Footer", "ſ"]),
    min_size=1, max_size=5,
).map("".join)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.lists(_LABEL_PIECES, min_size=1, max_size=6).map("".join), st.text(max_size=30)))
def test_header_label_kinds_are_the_case_folded_verdicts(label: str) -> None:
    assert region._part_kinds.__wrapped__(label) == _folded_part_kinds(label)


def _pieces_text(el: lxml.etree._Element, limit: int) -> str:
    """``text.element_text`` as it read before its one-call-per-element walk: ``text_pieces`` joined
    until ``limit`` characters."""
    parts: list[str] = []
    size = 0
    for piece in text.text_pieces(el):
        parts.append(piece)
        size += len(piece)
        if size >= limit:
            break
    return "".join(parts)


# markup pieces: nested inline and block elements, skipped tags, comments and text of any length
_MARKUP_PIECES = st.sampled_from(
    ["<p>", "</p>", "<span>", "</span>", "<div class='byline'>", "</div>", "<script>var a = 1;</script>",
     "<style>p {}</style>", "<noscript>no</noscript>", "<!-- note -->", "<br>", "<b>", "</b>", "By ",
     "Jane Doe", " ", "\n", "12 May 2024", "é", "<svg><title>t</title></svg>", "x" * 40, "<em>", "</em>"]
)  # fmt: skip


@settings(max_examples=250, deadline=None)
@given(st.lists(_MARKUP_PIECES, max_size=30).map("".join), st.integers(min_value=0, max_value=120))
def test_element_text_reads_what_text_pieces_read(markup: str, limit: int) -> None:
    root = _page(f"<div id='x'>{markup}</div>")
    for el in root.iter():
        assert text.element_text(el, limit) == _pieces_text(el, limit)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.none() | _LABELS, st.none() | _LABELS), min_size=1, max_size=12))
def test_label_pair_verdicts_are_the_per_string_verdicts(pairs: list[tuple[str | None, str | None]]) -> None:
    # asked in any order and again: each pair keeps its own verdict, whatever was asked before it
    for class_attr, id_attr in pairs + pairs[::-1]:
        assert blocks._is_other_label(class_attr, id_attr) == _per_string_other(class_attr, id_attr)
        assert region._label_kinds(class_attr, id_attr) == region._label_kinds.__wrapped__(
            class_attr, id_attr
        )


def _per_string_other(class_attr: str | None, id_attr: str | None) -> bool:
    """``blocks._is_other_label`` as it read before the pair cache: each attribute's verdicts apart."""
    if not class_attr and not id_attr:
        return False
    by_class = blocks._label_verdicts.__wrapped__(class_attr) if class_attr else (False, False, False)
    by_id = blocks._label_verdicts.__wrapped__(id_attr) if id_attr else (False, False, False)
    if by_class[0] or by_id[0]:
        return by_class[2] or by_id[2]
    return by_class[1] or by_id[1]


def test_story_container_is_read_once_per_page() -> None:
    pages = [
        "<main><article><h1>Story title here</h1><p>Text.</p></article></main>",
        "<div><h1>Story title here</h1><p>Text.</p></div>",
        "<div><h1>Story title here</h1></div><main><p>Text.</p></main>",
        "<article><p>Teaser</p></article><div><h1>Story title here</h1></div>",
    ]
    for body in pages:
        root = lxml.html.document_fromstring(
            f"<html><head><title>Story title here</title></head><body>{body}</body></html>"
        )
        page = Page(root, "https://example.org/story")
        first = authors._story_container(page)
        assert first is authors._find_story_container(Page(root, "https://example.org/story"))
        assert authors._story_container(page) is first


def _droppable_as_before(el: lxml.html.HtmlElement, page: Page, outer: bool, worded: bool) -> bool:
    """``published._droppable`` as it read before unnamed elements skipped the label."""
    label = f"{el.get('class', '')} {el.get('id', '')}".lower()
    return (
        el.tag in published._HTMLDATE_DROP
        or blocks.is_other_block(el)
        or (el.tag == "a" and published._dated_link(el, page))
        or (outer and published._site_footer(el, label, worded))
        or published._update_label(label)
        or (worded and published._update_words(el))
    )


_CLEANED_PIECES = st.sampled_from(
    ["<div>", "</div>", "<div class=''>", "<div class='post-updated'>", "<span id='last-modified'>",
     "</span>", "<footer>", "</footer>", "<div class='site-footer'>", "<nav>", "</nav>", "<p>", "</p>",
     "<a href='/other/story-2'>", "<a href='https://example.org/story'>", "</a>", "<script>x</script>",
     "Updated: ", "© 2023 The Courier", "12 May 2024", "Published ", "text ", "<h1>Title</h1>"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_CLEANED_PIECES, max_size=30).map("".join), st.booleans(), st.booleans())
def test_htmldate_cleanup_drops_what_it_dropped(markup: str, outer: bool, worded: bool) -> None:
    root = lxml.html.document_fromstring(f"<html><body><article>{markup}</article></body></html>")
    page = Page(root, "https://example.org/story")
    for el in root.iter(lxml.etree.Element):
        assert published._droppable(el, page, outer, worded) == _droppable_as_before(el, page, outer, worded)
