"""Property tests (hypothesis) over the two parsers that take input from anyone: ``scrapers.extract`` and
the JSON Lines item parser. Whatever the input, the answer is a record or an ``IngestError`` with a kind,
never another exception, and what is accepted respects every limit.

CI runs a bounded number of examples; run more by hand with
``WIREFEED_HYPOTHESIS_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_properties.py``.
"""

from __future__ import annotations

import io
import json
import os
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrapers.errors import ErrorKind, IngestError
from scrapers.extract import extract
from worker.items import ItemLimits, parse_item, read_lines

EXAMPLES = int(os.environ.get("WIREFEED_HYPOTHESIS_EXAMPLES", "60"))
PROFILE = settings(max_examples=EXAMPLES, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TAGS = ["p", "div", "article", "script", "style", "template", "noscript", "h1", "br", "table", "td", "a",
        "meta", "link", "title", "time", "span", "main", "section", "svg", "math", "iframe"]
PROSE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)


@st.composite
def markup(draw: st.DrawFn) -> str:
    """Documents built from real tags, attributes, JSON-LD, entities, stray brackets and any text."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 40))):
        choice = draw(st.integers(0, 7))
        tag = draw(st.sampled_from(TAGS))
        if choice == 0:
            attr = draw(st.sampled_from(["class", "id", "rel", "href", "content", "property", "datetime"]))
            parts.append(f'<{tag} {attr}="{draw(PROSE).replace(chr(34), "")}">')
        elif choice == 1:
            parts.append(f"</{tag}>")
        elif choice == 2:
            parts.append(draw(PROSE))
        elif choice == 3:
            parts.append(draw(st.sampled_from(["&amp;", "&#0;", "&#x110000;", "&nbsp;", "&lt;script&gt;",
                                               "<!--", "-->", "<![CDATA[", "<", ">", "\x00", "\ufeff"])))
        elif choice == 4:
            body = draw(st.one_of(PROSE, st.just("<script>x " * draw(st.integers(0, 50)))))
            data = {"@type": draw(st.sampled_from(["NewsArticle", "WebPage", "ItemList", 7, None])),
                    "headline": draw(PROSE), "articleBody": body,
                    "datePublished": draw(st.sampled_from(["2024-02-30", "yesterday", "2024-05-01T10:00Z"]))}
            parts.append(f'<script type="application/ld+json">{json.dumps(data)}</script>')
        elif choice == 5:
            parts.append(f"<p>{draw(PROSE)} {' '.join(['word'] * draw(st.integers(0, 60)))}</p>")
        elif choice == 6:
            depth = draw(st.integers(0, 300))
            parts.append("<div>" * depth + draw(PROSE) + "</div>" * draw(st.integers(0, depth)))
        else:
            parts.append(f'<meta property="og:{draw(st.sampled_from(["title", "url", "image"]))}" '
                         f'content="{draw(PROSE).replace(chr(34), "")}">')
    return "".join(parts)


@given(markup(), st.sampled_from([None, "https://news.example/a", "http://x.example/p?q=1"]),
       st.booleans())
@PROFILE
def test_extract_answers_a_record_or_a_kind(html: str, url: str | None, as_bytes: bool) -> None:
    page: str | bytes = html.encode("utf-8", "surrogatepass") if as_bytes else html
    try:
        article = extract(page, url)
    except IngestError as error:
        assert isinstance(error.kind, ErrorKind) and error.kind is not ErrorKind.INTERNAL, error
        return
    assert isinstance(article.text, str)


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | PROSE,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(PROSE, children, max_size=4),
    max_leaves=12,
)
FIELD_VALUES = {
    "url": st.one_of(st.sampled_from(["https://news.example/a", "file:///etc/passwd", "javascript:alert(1)",
                                      "data://x", "http://", "//news.example/a", "HTTPS://N.EXAMPLE/b"]),
                     PROSE, st.integers()),
    "title": st.one_of(PROSE, st.text(max_size=1_200), st.none(), st.integers()),
    "text": st.one_of(PROSE, st.just("word " * 30), st.just("word " * 3), st.none(), st.lists(PROSE)),
    "published_at": st.one_of(st.sampled_from(["2024-05-01T10:00:00", "2024-13-01", "", "now"]),
                              st.integers()),
    "authors": st.one_of(PROSE, st.lists(PROSE, max_size=60), st.integers()),
    "top_image": st.one_of(st.sampled_from(["https://img.example/a.jpg", "file:///x", "javascript:x"]),
                           PROSE),
    "canonical_url": st.one_of(st.sampled_from(["https://news.example/a", "file:///x"]), PROSE),
}
LIMITS = ItemLimits()


@given(st.one_of(
    st.fixed_dictionaries({}, optional=FIELD_VALUES),
    JSON_VALUE,
    st.binary(max_size=300),
))
@PROFILE
def test_item_parser_answers_an_item_or_a_kind(raw: object) -> None:
    line = raw if isinstance(raw, bytes) else json.dumps(raw)
    try:
        item = parse_item(line, LIMITS)
    except IngestError as error:
        assert error.kind in {ErrorKind.INVALID_ITEM, ErrorKind.TOO_LARGE, ErrorKind.NOT_AN_ARTICLE}
        return
    for value in (item.url, item.canonical_url, item.top_image):
        assert value is None or urlsplit(value).scheme.lower() in {"http", "https"}
    assert len(item.text.split()) >= LIMITS.min_words
    assert item.title is None or len(item.title) <= LIMITS.max_title_chars
    assert len(item.authors) <= LIMITS.max_authors


@given(st.lists(st.binary(max_size=120).map(lambda b: b.replace(b"\n", b"")), max_size=30),
       st.integers(8, 64), st.integers(1, 50))
@PROFILE
def test_line_reader_loses_nothing_and_holds_no_long_line(lines: list[bytes], cap: int, chunk: int) -> None:
    stream = io.BytesIO(b"\n".join(lines))
    seen = list(read_lines(stream, max_bytes=cap, chunk=chunk))
    expected = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    assert [line.number for line in seen] == [n for n, _ in expected]
    for got, (_, line) in zip(seen, expected, strict=True):
        if len(line) > cap:
            assert got.error is not None and got.error.kind is ErrorKind.TOO_LARGE and got.data == b""
        else:
            assert got.error is None and got.data == line
