"""The speed shortcuts on the body path give the verdicts of the slow path they stand in for.

A line rule's keyword test (``boilerplate.KeywordRegex``) may only rule out lines its regex cannot match:
checked on strings generated from each regex (hypothesis writes matches of the whole pattern, every
alternative included, in mixed case and with text around them), on every line of the fixture pages,
and on the characters IGNORECASE folds in ways ``str.lower()`` does not. The element count bound that
spares the parse guard its walk must hold on markup written to multiply elements. The garbage collector
is held off during one extraction and left as it was found. Speed itself is shown by
bench/extract_speed.py, never timed here.
"""

from __future__ import annotations

import gc
import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from scrapers import boilerplate as bp
from scrapers import limits
from scrapers.errors import ErrorKind, IngestError
from scrapers.extract import _parser, extract, parse, render_elements

PAGES = Path(__file__).parent / "fixtures" / "pages"
GATED = sorted(name for name, value in vars(bp).items() if isinstance(value, bp.KeywordRegex))


def test_the_line_rules_are_gated() -> None:
    assert {
        "_CTA",
        "_DISCLOSURE",
        "_ENDNOTE",
        "_FILING_NOTE",
        "_CHANNEL",
        "_RIGHTS",
        "_COMMENTS_START",
    } <= set(GATED)


@pytest.mark.parametrize("name", GATED)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_match_of_the_regex_is_ruled_out(name: str, data: st.DataObject) -> None:
    gate: bp.KeywordRegex = getattr(bp, name)
    text = data.draw(st.from_regex(gate.pattern))
    assert gate.pattern.search(text) is not None
    assert gate.may_match(text), f"{name}: {text!r} matches the regex but not one of its keywords"
    assert gate.search(text) is not None


def _fixture_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted(PAGES.rglob("*.html")):
        root = parse(path.read_bytes().decode("utf-8", errors="replace"))
        body = root.find("body")
        for paragraph in render_elements([body if body is not None else root]):
            lines.extend(line.text for line in paragraph.lines)
    return lines


def test_every_fixture_line_gets_the_regex_verdict() -> None:
    lines = _fixture_lines()
    assert len(lines) > 500
    for name in GATED:
        gate: bp.KeywordRegex = getattr(bp, name)
        for line in lines:
            slow, fast = gate.pattern.search(line), gate.search(line)
            assert (slow and slow.span()) == (fast and fast.span()), (name, line)
            assert gate.pattern.findall(line) == gate.findall(line), (name, line)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("_CTA", "ſubscribe to our newsletter"),  # long s: IGNORECASE reads it as "s", str.lower() does not
        ("_CTA", "SIGN UP for the Morning Briefing"),
        ("_CTA", "Sİgn up now"),  # dotted capital I lowers to two characters
        ("_DISCLOSURE", "We may earn a commıssıon"),  # dotless i
        ("_RIGHTS", "COPYRIGHT 2024 The Daily"),
        ("_COMMENTS_START", "Comments are closed."),
    ],
)
def test_odd_case_folds_still_reach_the_regex(name: str, text: str) -> None:
    gate: bp.KeywordRegex = getattr(bp, name)
    assert gate.pattern.search(text) is not None
    assert gate.search(text) is not None


def test_a_line_without_any_keyword_skips_the_regex() -> None:
    class Counting:
        calls = 0

        def search(self, text: str) -> None:
            Counting.calls += 1

    gate = bp.KeywordRegex(Counting(), "subscribe")  # type: ignore[arg-type]  # counts calls instead of matching
    assert gate.search("The council approved the budget on Tuesday.") is None
    assert Counting.calls == 0
    gate.search("Subscribe to our newsletter")
    assert Counting.calls == 1
    assert re.compile("x").search("x")  # the real Pattern type is what the module passes


# Markup written to make libxml2 build as many elements per "<" as it can: implied paragraphs for text
# and inline tags at the top level or in the head, unclosed list items, misnested formatting, tables.
MULTIPLYING_MARKUP = [
    "x</p>" * 2000,
    "a</html>b</head>c</body>d" * 500,
    "<b>x</b>y" * 2000,
    "<head>" + "t<meta>u" * 2000,
    "<b><i>x</b>y</i>" * 2000,
    "<table><tr><td>x<table>y</td></tr>" * 1000,
    "<li>a<li>b" * 1000,
    "<select><option>x<option>y" * 1000,
    "<frameset><frame>x" * 500,
    "<html>" + "<br>" * 3000,
]


@pytest.mark.parametrize("markup", MULTIPLYING_MARKUP, ids=range(len(MULTIPLYING_MARKUP)))
def test_the_markup_bounds_the_elements_parsed(markup: str) -> None:
    root = lxml_html.document_fromstring(
        markup.encode(), parser=_parser()
    )  # parse() may refuse it as too deep
    assert sum(1 for _ in root.iter()) <= limits.most_elements(markup.count("<"))


def test_the_fixture_pages_stay_within_the_bound() -> None:
    for path in sorted(PAGES.rglob("*.html")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        root = parse(text)
        assert sum(1 for _ in root.iter()) <= limits.most_elements(text.count("<")), path.name


def test_a_page_past_the_element_limit_is_still_refused() -> None:
    markup = "<html><body>" + "<br>" * (limits.MAX_ELEMENTS + 10) + "</body></html>"
    assert markup.count("<") <= limits.MAX_TAG_MARKS  # the walk, not the cheap count, must refuse it
    with pytest.raises(IngestError) as refused:
        parse(markup)
    assert refused.value.kind is ErrorKind.TOO_COMPLEX


def _big_fixture() -> bytes:
    return max((path.read_bytes() for path in PAGES.glob("*.html")), key=len)


def test_the_collector_is_held_off_while_a_page_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("scrapers.extract")  # the package re-exports extract() under this name
    states: list[bool] = []
    parse_page = module.parse

    def parse_watched(text: str) -> Any:
        states.append(gc.isenabled())
        return parse_page(text)

    monkeypatch.setattr(module, "parse", parse_watched)
    extract(_big_fixture(), "https://example.com/story")
    assert states and not any(states)  # off while the page is parsed and walked
    assert gc.isenabled()  # and on again once it is done


def test_the_collector_is_left_as_it_was_found() -> None:
    with pytest.raises(IngestError):
        extract(b"   ", "https://example.com/empty")  # a refusal re-enables it too
    assert gc.isenabled()
    gc.disable()
    try:
        extract(_big_fixture(), "https://example.com/story")
        assert not gc.isenabled()  # the host turned it off: extract() does not turn it on
    finally:
        gc.enable()


class _ReadRecorder:
    """An element stand-in that notes which attributes a judgement reads."""

    def __init__(self, tag: str, attributes: dict[str, str]) -> None:
        self.tag = tag
        self.attributes = attributes
        self.read: set[str] = set()

    def get(self, name: str, default: str | None = None) -> str | None:
        self.read.add(name)
        return self.attributes.get(name, default)


def _key_reads(judge: Any, element: _ReadRecorder) -> set[str]:
    judge(element)  # a miss: the verdict is computed and cached
    element.read.clear()
    judge(element)  # a hit: only the cache key is read
    return set(element.read)


def test_both_verdict_caches_key_on_every_attribute_the_verdict_reads() -> None:
    content = importlib.import_module("scrapers.content")
    # Every attribute either judgement could plausibly consult, so a new read shows up here.
    attributes = {
        name: "story-body"
        for name in (
            "class",
            "id",
            "role",
            "itemprop",
            "data-testid",
            "data-component",
            "aria-label",
            "title",
            "name",
            "data-module",
            "data-type",
            "hidden",
            "style",
            "aria-hidden",
            "type",
        )
    }
    verdict = _ReadRecorder("div", dict(attributes))
    bp._class_hint(verdict)  # duck-typed: only .tag and .get are used
    class_key = _key_reads(bp.class_hint, _ReadRecorder("div", dict(attributes)))
    markup_key = _key_reads(
        lambda el: content._markup_hint(el, True, True), _ReadRecorder("div", dict(attributes))
    )
    assert verdict.read <= class_key  # a cached verdict never ignores what the verdict read
    assert markup_key == class_key  # the content finder's cache keys on the same attributes
