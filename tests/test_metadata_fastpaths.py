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

from scrapers.metadata import region
from scrapers.metadata.authors import _COPYRIGHT_XPATH, _MAILTO_XPATH, _YEAR_BY_XPATH
from scrapers.metadata.jsonld import _COMMENT_RE, _uncommented, load_json
from scrapers.metadata.page import _ITEMPROP_XPATH

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


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.lists(_LABEL_PIECES, min_size=1, max_size=6).map("".join), st.text(max_size=30)))
def test_header_label_kinds_are_the_case_folded_verdicts(label: str) -> None:
    assert region._part_kinds.__wrapped__(label) == _folded_part_kinds(label)
