"""The body path's speed shortcuts give the verdicts of the slow readings they stand in for.

``boilerplate._names_hint`` reads a spelling of class and id names from each name's own findings
(cached per name) instead of running every pattern over the whole spelling: checked here against the
whole-spelling reading on the fixture pages' names and on names generated from the vocabulary the
patterns know. ``content._attribute_text`` reads the attributes behind each element's hint with one
``items()`` call instead of one ``get`` per attribute: checked against the hint the slow path gives
(``_markup_hint`` on its own key, ``_hint_in_context``, ``is_hidden``) for every element of every
fixture page. Speed itself is shown by bench/extract_speed.py and bench/extract_profile.py.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from scrapers import boilerplate as bp
from scrapers import encoding
from scrapers.extract import parse

content = importlib.import_module("scrapers.content")
PAGES = Path(__file__).parent / "fixtures" / "pages"


def _whole_spelling_hint(raw: str, content_tag: bool) -> int:
    """The reading ``_names_hint`` replaced: every pattern over the whole normalised spelling."""
    names = bp._normalise_names(raw)
    if bp._STRONG_POSITIVE.search(names):
        return bp.STRONG
    positive = bp._POSITIVE.search(names) is not None
    if content_tag:
        if bp._ABSOLUTE_NEGATIVE.search(names) or bp._HARD_NEGATIVE.search(names):
            return bp.ABSOLUTE if "comment" in names else bp.SOFT
        return bp.POSITIVE
    if bp._ABSOLUTE_NEGATIVE.search(names):
        return bp.ABSOLUTE
    if bp._HARD_NEGATIVE.search(names):
        mixed = any(bp._HARD_NEGATIVE.search(part) and bp._POSITIVE.search(part) for part in names.split())
        return bp.SOFT if positive and not mixed else bp.HARD
    if bp._NEGATIVE_TOKENS.intersection(re.split(r"[- ]", names)):
        return bp.NEUTRAL if positive else bp.SOFT
    return bp.POSITIVE if positive else bp.NEUTRAL


def _fixture_roots() -> list[etree._Element]:
    return [
        parse(path.read_bytes().decode("utf-8", errors="replace")) for path in sorted(PAGES.rglob("*.html"))
    ]


def _fixture_spellings() -> set[str]:
    spellings: set[str] = set()
    for root in _fixture_roots():
        for el in root.iter(etree.Element):
            raw = " ".join(v for v in (el.get("class"), el.get("id")) if v)
            if raw:
                spellings.add(bp._FIGURES.sub("0", raw))
    return spellings


def test_every_fixture_spelling_gets_the_whole_spelling_verdict() -> None:
    spellings = _fixture_spellings()
    assert len(spellings) > 300
    for raw in spellings:
        for content_tag in (True, False):
            assert bp._names_hint.__wrapped__(raw, content_tag) == _whole_spelling_hint(raw, content_tag), raw


# Words the patterns know, run together the ways templates spell names: so generated names hit chrome,
# content, feature-flag, taxonomy and token rules, alone and in every combination within and across names.
_WORDS = [
    "article", "body", "story", "content", "entry", "post", "main", "text", "comment", "comments",
    "cookie", "share", "related", "sidebar", "nav", "ad", "ads", "header", "footer", "meta", "byline",
    "has", "with", "no", "tag", "category", "widget", "modal", "promo", "menu", "box", "list", "wrapper",
    "rich", "social", "author", "bio", "date", "photo", "page", "column", "disqus", "newsletter", "0",
]  # fmt: skip
_name = st.builds(
    lambda words, seps, camel: "".join(
        (w.capitalize() if camel and k else w) + s for k, (w, s) in enumerate(zip(words, seps, strict=False))
    ),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4),
    st.lists(st.sampled_from(["-", "_", "", "--", "__", "-"]), min_size=4, max_size=4),
    st.booleans(),
)


@settings(max_examples=1500, deadline=None)
@given(names=st.lists(_name, min_size=1, max_size=5), content_tag=st.booleans())
def test_generated_spellings_get_the_whole_spelling_verdict(names: list[str], content_tag: bool) -> None:
    raw = " ".join(names)
    assert bp._names_hint.__wrapped__(raw, content_tag) == _whole_spelling_hint(raw, content_tag)


_FOLDED = {
    name: re.compile(getattr(bp, name).pattern, getattr(bp, name).flags | re.IGNORECASE)
    for name in ("_STRONG_POSITIVE", "_POSITIVE", "_ABSOLUTE_NEGATIVE", "_HARD_NEGATIVE")
}


def _folded_name_flags(part: str) -> int:
    """``_name_flags`` as it read before its shortcuts: the whole ``_normalise_names``, and every pattern
    matched ignoring case (the shipped ones match case-sensitively, on names already folded)."""
    names = bp._normalise_names(part)
    if not names:
        return 0
    hard = _FOLDED["_HARD_NEGATIVE"].search(names) is not None
    positive = _FOLDED["_POSITIVE"].search(names) is not None
    return (
        (bp._F_STRONG if _FOLDED["_STRONG_POSITIVE"].search(names) else 0)
        | (bp._F_POSITIVE if positive else 0)
        | (bp._F_ABSOLUTE if _FOLDED["_ABSOLUTE_NEGATIVE"].search(names) else 0)
        | (bp._F_HARD if hard else 0)
        | (bp._F_MIXED if hard and positive else 0)
        | (bp._F_COMMENT if "comment" in names else 0)
        | (bp._F_NEGATIVE_TOKEN if bp._NEGATIVE_TOKENS.intersection(names.split("-")) else 0)
    )


# capitals, letters whose case folds to ASCII ("ſ" long s, the Kelvin sign), accents and separators
_ODD_NAME = st.text(alphabet="aAsSkKeEıİſ\u212aßÉü-_.:/0123456789", min_size=1, max_size=14)


@settings(max_examples=1500, deadline=None)
@given(
    part=st.one_of(
        _name, _ODD_NAME, st.text(min_size=1, max_size=20).map(lambda t: "".join(t.split()) or "x")
    )
)
def test_each_name_gets_the_case_folded_verdict(part: str) -> None:
    assert bp._name_flags(part) == _folded_name_flags(part), part


def test_every_fixture_name_gets_the_case_folded_verdict() -> None:
    names = {part for raw in _fixture_spellings() for part in raw.split()}
    assert len(names) > 300
    for part in names:
        assert bp._name_flags(part) == _folded_name_flags(part), part


def _slow_hint(el: etree._Element, trust_names: bool, trust_comments: bool) -> int:
    hint = content._markup_hint(el, trust_names, trust_comments)
    if hint == content._IN_CONTEXT:
        return content._hint_in_context(el, trust_names, trust_comments)
    if hint == bp.NEUTRAL and bp.is_hidden(el):
        return bp.HARD
    if hint == bp.HARD and bp.is_hidden(el):
        return bp.ABSOLUTE  # chrome kept out of sight: a pop-up (content._attribute_text)
    return hint


@pytest.mark.parametrize(("trust_names", "trust_comments"), [(True, True), (False, True), (False, False)])
def test_the_one_call_attribute_reading_gives_every_elements_hint(
    trust_names: bool, trust_comments: bool
) -> None:
    checked = 0
    for root in _fixture_roots():
        content._MARKUP_HINTS.clear()
        blocks = content._attribute_text(root, trust_names, trust_comments)
        content._MARKUP_HINTS.clear()  # the slow path judges every element afresh
        slow = [_slow_hint(el, trust_names, trust_comments) for el in blocks.elements]
        assert blocks.hint == slow
        checked += len(slow)
    assert checked > 2000


# Elements alike but for one attribute the hint reads, each pair in both orders: a cache key missing any
# of them hands the verdict of whichever comes first to the other.
TWINS = [
    ('<div role="navigation"><p>one line of a menu</p></div>', "<div><p>one line of a menu</p></div>"),
    ('<main itemprop="articleBody"><p>a story paragraph</p></main>', "<main><p>a story paragraph</p></main>"),
    ('<div data-testid="related-stories"><p>a teaser</p></div>', "<div><p>a teaser</p></div>"),
    ('<div data-component="comments"><p>a comment</p></div>', "<div><p>a comment</p></div>"),
    ('<div id="sidebar"><p>a box</p></div>', "<div><p>a box</p></div>"),
    ('<div class="share"><p>share it</p></div>', "<div><p>share it</p></div>"),
    ("<div hidden><p>hidden</p></div>", "<div><p>hidden</p></div>"),
    ('<div aria-hidden="true"><p>hidden</p></div>', "<div><p>hidden</p></div>"),
    ('<div style="display: none"><p>hidden</p></div>', '<div style="color: red"><p>shown</p></div>'),
]
TWIN_HINTS = [
    (bp.HARD, bp.NEUTRAL),  # role
    (bp.POSITIVE, bp.NEUTRAL),  # itemprop on a <main>
    (bp.HARD, bp.NEUTRAL),  # data-testid
    (bp.ABSOLUTE, bp.NEUTRAL),  # data-component
    (bp.HARD, bp.NEUTRAL),  # id
    (bp.HARD, bp.NEUTRAL),  # class
    (bp.HARD, bp.NEUTRAL),  # hidden
    (bp.HARD, bp.NEUTRAL),  # aria-hidden
    (bp.HARD, bp.NEUTRAL),  # a style that hides, one that does not
]


@pytest.mark.parametrize("pair", range(len(TWINS)))
@pytest.mark.parametrize("swapped", [False, True])
def test_elements_differing_in_one_read_attribute_keep_their_own_hints(pair: int, swapped: bool) -> None:
    first, second = TWINS[pair][::-1] if swapped else TWINS[pair]
    root = parse(f"<html><body><article>{first}{second}</article></body></html>")
    content._MARKUP_HINTS.clear()
    blocks = content._attribute_text(root, True, True)
    content._MARKUP_HINTS.clear()
    assert blocks.hint == [_slow_hint(el, True, True) for el in blocks.elements]
    boxes = [h for el, h in zip(blocks.elements, blocks.hint, strict=True) if el.tag in ("div", "main")]
    assert boxes == list(TWIN_HINTS[pair][::-1] if swapped else TWIN_HINTS[pair])


def _counted_binary(data: bytes) -> bool:
    """``encoding.looks_binary`` as it read before it counted in C: a generator over the first 4 KB."""
    if data.startswith(encoding._BINARY_MAGIC):
        return True
    sample = data[:4096]
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in encoding._BOMS[1:]):
        return False
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return controls / len(sample) > 0.05


@settings(max_examples=500, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=6000),
        st.lists(st.sampled_from([0, 1, 9, 10, 12, 13, 27, 31, 32, 60, 200]), max_size=6000).map(bytes),
    )
)
def test_the_binary_check_counts_control_bytes_as_before(data: bytes) -> None:
    assert encoding.looks_binary(data) == _counted_binary(data)


def test_the_binary_check_on_the_fixture_pages_and_at_its_threshold() -> None:
    for path in sorted(PAGES.rglob("*.html")):
        assert not encoding.looks_binary(path.read_bytes()), path.name
    text = b"<p>" + b"x" * 1997
    assert not encoding.looks_binary(text[:1900] + b"\x01" * 100)  # 5% exactly: still text
    assert encoding.looks_binary(text[:1899] + b"\x01" * 101)
    assert not encoding.looks_binary(text[:1800] + b"\t\n\r\x0c\x1b" * 40)  # whitespace and ESC are text
