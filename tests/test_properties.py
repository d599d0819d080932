"""Property tests (hypothesis) over the two parsers that take input from anyone: ``scrapers.extract`` and
the JSON Lines item parser. Whatever the input, the answer is a record or an ``IngestError`` with a kind,
never another exception, and what is accepted respects every limit; and a generated stream of items
through the pipeline stores each story once, logs each copy once and leaves one error row per failure.

CI runs a bounded number of examples; run more by hand with
``WIREFEED_HYPOTHESIS_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_properties.py``.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from scrapers.errors import ErrorKind, IngestError
from scrapers.extract import extract
from tests.celery_support import story
from worker.items import ItemLimits, parse_item, read_lines
from worker.models import ArticleRecord, DuplicateRecord, IngestErrorRecord
from worker.pipeline import Outcome, Pipeline
from worker.store import Store

EXAMPLES = int(os.environ.get("WIREFEED_HYPOTHESIS_EXAMPLES", "60"))
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TAGS = [
    "p",
    "div",
    "article",
    "script",
    "style",
    "template",
    "noscript",
    "h1",
    "br",
    "table",
    "td",
    "a",
    "meta",
    "link",
    "title",
    "time",
    "span",
    "main",
    "section",
    "svg",
    "math",
    "iframe",
]
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
            parts.append(
                draw(
                    st.sampled_from(
                        [
                            "&amp;",
                            "&#0;",
                            "&#x110000;",
                            "&nbsp;",
                            "&lt;script&gt;",
                            "<!--",
                            "-->",
                            "<![CDATA[",
                            "<",
                            ">",
                            "\x00",
                            "\ufeff",
                        ]
                    )
                )
            )
        elif choice == 4:
            body = draw(st.one_of(PROSE, st.just("<script>x " * draw(st.integers(0, 50)))))
            data = {
                "@type": draw(st.sampled_from(["NewsArticle", "WebPage", "ItemList", 7, None])),
                "headline": draw(PROSE),
                "articleBody": body,
                "datePublished": draw(st.sampled_from(["2024-02-30", "yesterday", "2024-05-01T10:00Z"])),
            }
            parts.append(f'<script type="application/ld+json">{json.dumps(data)}</script>')
        elif choice == 5:
            parts.append(f"<p>{draw(PROSE)} {' '.join(['word'] * draw(st.integers(0, 60)))}</p>")
        elif choice == 6:
            depth = draw(st.integers(0, 300))
            parts.append("<div>" * depth + draw(PROSE) + "</div>" * draw(st.integers(0, depth)))
        else:
            parts.append(
                f'<meta property="og:{draw(st.sampled_from(["title", "url", "image"]))}" '
                f'content="{draw(PROSE).replace(chr(34), "")}">'
            )
    return "".join(parts)


@given(markup(), st.sampled_from([None, "https://news.example/a", "http://x.example/p?q=1"]), st.booleans())
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
    "url": st.one_of(
        st.sampled_from(
            [
                "https://news.example/a",
                "file:///etc/passwd",
                "javascript:alert(1)",
                "data://x",
                "http://",
                "//news.example/a",
                "HTTPS://N.EXAMPLE/b",
            ]
        ),
        PROSE,
        st.integers(),
    ),
    "title": st.one_of(PROSE, st.text(max_size=1_200), st.none(), st.integers()),
    "text": st.one_of(PROSE, st.just("word " * 30), st.just("word " * 3), st.none(), st.lists(PROSE)),
    "published_at": st.one_of(
        st.sampled_from(["2024-05-01T10:00:00", "2024-13-01", "", "now"]), st.integers()
    ),
    "authors": st.one_of(PROSE, st.lists(PROSE, max_size=60), st.integers()),
    "top_image": st.one_of(
        st.sampled_from(["https://img.example/a.jpg", "file:///x", "javascript:x"]), PROSE
    ),
    "canonical_url": st.one_of(st.sampled_from(["https://news.example/a", "file:///x"]), PROSE),
}
LIMITS = ItemLimits()


@given(
    st.one_of(
        st.fixed_dictionaries({}, optional=FIELD_VALUES),
        JSON_VALUE,
        st.binary(max_size=300),
    )
)
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


def _line_variants(raw: object) -> list[bytes]:
    """A line as a producer may send it: as JSON, padded, with a BOM, in UTF-16, or cut short."""
    if isinstance(raw, bytes):
        return [raw]
    line = json.dumps(raw, ensure_ascii=False)
    return [
        line.encode(),
        f"  {line} ".encode(),
        b"\xef\xbb\xbf" + line.encode(),
        line.encode("utf-16-le"),
        line.encode()[:-1],
        line.encode().replace(b"e", b"\xed\xa0\x80", 1),  # a lone surrogate, as json.loads(bytes) allows
    ]


@given(st.one_of(st.fixed_dictionaries({}, optional=FIELD_VALUES), JSON_VALUE, st.binary(max_size=300)))
@PROFILE
def test_a_line_decoded_once_is_read_as_the_item_parser_reads_it(raw: object) -> None:
    """A batch decodes each line's JSON once for its error row and its validation: whatever the line, it
    keeps the URL, id and copy ``item_fields`` finds, and is accepted or refused as ``parse_item`` says."""
    from worker import logs

    pipeline = Pipeline.__new__(Pipeline)
    pipeline._item_limits = LIMITS
    for line in _line_variants(raw):
        prepared = pipeline._prepare_item(line, None)
        fields = logs.item_fields(line)
        assert prepared.context == {
            name: fields[name] for name in ("item_id", "payload") if fields.get(name) is not None
        }
        try:
            expected: object = parse_item(line, LIMITS).to_article().text
        except IngestError as error:
            expected = (error.kind, error.message)
        got = (prepared.error.kind, prepared.error.message) if prepared.error else prepared.article
        assert got == expected if prepared.error else getattr(got, "text", None) == expected


@given(
    st.lists(st.binary(max_size=120).map(lambda b: b.replace(b"\n", b"")), max_size=30),
    st.integers(8, 64),
    st.integers(1, 50),
)
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


# -- the stream as stored ----------------------------------------------------------------------------------
_RUN = itertools.count()


@st.composite
def item_stream(draw: st.DrawFn) -> list[tuple[str, dict[str, object] | str]]:
    """(role, item) pairs: new stories, re-sends of one, copies under another URL, and bad items."""
    run = next(_RUN)
    rng = random.Random(f"{run}-{draw(st.integers(0, 2**32))}")  # never a story of an earlier example
    stream: list[tuple[str, dict[str, object] | str]] = []
    originals: list[dict[str, object]] = []
    for number in range(draw(st.integers(1, 12))):
        role = draw(st.sampled_from(["new", "new", "resend", "copy", "bad"]))
        if role in {"resend", "copy"} and not originals:
            role = "new"
        if role == "new":
            item: dict[str, object] | str = {
                "url": f"https://p.example/{run}/{number}",
                "title": "T",
                "text": story(rng),
            }
            originals.append(item)
        elif role == "resend":
            item = dict(draw(st.sampled_from(originals)))
        elif role == "copy":
            item = {**draw(st.sampled_from(originals)), "url": f"https://copy.example/{run}/{number}"}
        else:
            item = draw(
                st.one_of(
                    st.fixed_dictionaries(
                        {"url": st.just(f"file:///{run}/{number}"), "text": st.just("w " * 40)}
                    ),
                    st.fixed_dictionaries(
                        {
                            "url": st.just(f"https://p.example/bad/{run}/{number}"),
                            "text": st.sampled_from(["", "two words", "x" * 600_000]),
                        }
                    ),
                    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
                )
            )
        stream.append((role, item))
    return stream


def _counts(store: Store) -> tuple[int, int, int]:
    with store.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[return-value]
            for model in (ArticleRecord, DuplicateRecord, IngestErrorRecord)
        )


@given(item_stream())
@settings(
    max_examples=max(10, EXAMPLES // 4),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_item_stream_stores_each_story_once_and_each_failure_once(
    store: Store, stream: list[tuple[str, dict[str, object] | str]]
) -> None:
    pipeline = Pipeline(store)
    before = _counts(store)
    outcomes = [pipeline.ingest_item(item).outcome for _, item in stream]
    after = _counts(store)
    roles = [role for role, _ in stream]
    assert after[0] - before[0] == roles.count("new")  # every unique story stored exactly once
    assert after[1] - before[1] == roles.count("copy")  # every copy logged once as a duplicate
    assert after[2] - before[2] == roles.count("bad")  # every failure one error row
    for role, outcome in zip(roles, outcomes, strict=True):
        expected = {
            "new": Outcome.STORED,
            "resend": Outcome.UNCHANGED,
            "copy": Outcome.DUPLICATE,
            "bad": Outcome.REJECTED,
        }[role]
        assert outcome is expected, (role, outcome)
