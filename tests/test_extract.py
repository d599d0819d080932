"""Behaviour of ``extract()`` on bad input and on the body shapes the fixtures do not isolate."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

import pytest

from scrapers.encoding import decode_html
from scrapers.errors import ErrorKind, IngestError
from scrapers.extract import extract

SEED = Path(__file__).parent / "fixtures" / "pages" / "rferl-kerry-aleppo.html"

PROSE = (
    "The council voted on Tuesday to extend the programme for another three years, after a long debate "
    "in which several members questioned its cost, its reach and the way it had been evaluated so far."
)


def _page(body: str, head: str = "<title>A story</title>") -> str:
    nav = "<nav><ul>" + "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(8)) + "</ul></nav>"
    return f"<!doctype html><html><head>{head}</head><body><header>{nav}</header>{body}" \
           f"<footer><p>Copyright 2026 Example Media. All rights reserved.</p></footer></body></html>"


@pytest.mark.parametrize("value", ["", "   \n\t ", b"", b"  \r\n "])
def test_empty_input_is_empty(value: str | bytes) -> None:
    with pytest.raises(IngestError) as info:
        extract(value)
    assert info.value.kind is ErrorKind.EMPTY


@pytest.mark.parametrize("value", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
    b"\x1f\x8b\x08\x00" + bytes(200),
    bytes(range(32)) * 50,
])
def test_binary_input_is_an_encoding_error(value: bytes) -> None:
    with pytest.raises(IngestError) as info:
        extract(value)
    assert info.value.kind is ErrorKind.ENCODING


def test_random_garbage_only_raises_ingest_errors() -> None:
    rng = random.Random(7)
    seed = SEED.read_bytes()
    for _ in range(60):
        size = rng.randint(1, 3000)
        choice = rng.random()
        if choice < 0.3:
            data: bytes | str = bytes(rng.getrandbits(8) for _ in range(size))
        elif choice < 0.6:
            data = "".join(rng.choice("<>/=\"' abcdiv p&;#x\n") for _ in range(size))
        else:
            start = rng.randint(0, len(seed) - 1)
            data = seed[start:start + size * 4]
        with contextlib.suppress(IngestError):
            extract(data, "https://example.org/x")


def test_truncated_page_still_yields_its_beginning() -> None:
    seed = SEED.read_bytes()
    cut = seed.index(b"Kerry said hospitals")
    article = extract(seed[:cut])
    assert article.text.startswith("WASHINGTON -- U.S. Secretary of State")
    assert "Kerry said hospitals" not in article.text


@pytest.mark.parametrize("depth", [300, 5000, 100_000])
def test_huge_nesting_is_bounded(depth: int) -> None:
    html = "<div>" * depth + f"<p>{PROSE}</p>" + "</div>" * depth
    try:
        article = extract(_page(html))
    except IngestError as exc:
        assert exc.kind in (ErrorKind.PARSE, ErrorKind.NOT_AN_ARTICLE)
    else:
        assert PROSE in article.text or article.text == ""


def test_plain_text_that_is_not_a_page_is_not_an_article() -> None:
    with pytest.raises(IngestError) as info:
        extract("just a few words")
    assert info.value.kind is ErrorKind.NOT_AN_ARTICLE


def test_str_with_xml_encoding_declaration_is_parsed() -> None:
    body = f"<article><p>{PROSE}</p><p>Again: {PROSE}</p></article>"
    page = '<?xml version="1.0" encoding="iso-8859-1"?>\n' + _page(body)
    assert extract(page).text == f"{PROSE}\n\nAgain: {PROSE}"


def test_body_structure_is_kept_and_furniture_dropped() -> None:
    body = f"""
    <article><h1>Headline here</h1><p class="byline">By Ann Writer</p>
      <div class="article-body">
        <p>{PROSE}</p>
        <figure><img src="a.jpg" alt="A crowd outside the hall"><figcaption>A crowd outside the hall.
          Photo: Agency</figcaption></figure>
        <h2>What happens next</h2>
        <p>First line of an address<br>Second line of it<br><br>A new paragraph after a double break,
           long enough to be read as prose by anyone.</p>
        <blockquote><p>"We will keep going until the work is done," the mayor said after the vote.</p>
        </blockquote>
        <ul><li>Funding rises by 4 percent each year of the programme</li>
            <li>Two new centres open in the northern districts next spring</li></ul>
        <table><tr><th>Year</th><th>Budget</th></tr><tr><td>2025</td><td>1.2m</td></tr></table>
        <p>{PROSE}</p>
      </div>
      <div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
    </article>"""
    text = extract(_page(body)).text
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == PROSE
    assert "What happens next" in paragraphs
    assert "First line of an address\nSecond line of it" in paragraphs
    assert any(p.startswith("A new paragraph after a double break") for p in paragraphs)
    assert any(p.startswith('"We will keep going') for p in paragraphs)
    assert "Funding rises by 4 percent each year of the programme" in paragraphs
    assert "Year | Budget" in paragraphs and "2025 | 1.2m" in paragraphs
    for gone in ("Headline here", "By Ann Writer", "crowd outside", "Share on", "Section 3", "Copyright"):
        assert gone not in text


def test_body_split_by_embeds_is_the_union_of_its_parts() -> None:
    parts = [f"<p>Part {i}. {PROSE}</p>" for i in range(6)]
    embeds = [
        '<div class="embed embed--twitter"><blockquote class="twitter-tweet"><p>Quick reaction from the floor'
        ' of the chamber tonight, worth reading</p><a href="https://twitter.com/x/status/1">Jan 1</a>'
        "</blockquote></div>",
        '<div class="ad-slot" data-slot="mid">Advertisement</div>',
        '<div class="video-player"><p>Watch: the vote in two minutes</p></div>',
    ]
    body = "".join(p + (embeds[i % 3] if i < 5 else "") for i, p in enumerate(parts))
    items = "".join(f'<li><a href="/a{i}">Another headline {i} about something</a></li>' for i in range(6))
    sidebar = f'<aside class="sidebar"><h3>Most read</h3><ol>{items}</ol></aside>'
    text = extract(_page(f'<main><div class="story">{body}</div>{sidebar}</main>')).text
    assert [p[:6] for p in text.split("\n\n")] == [f"Part {i}" for i in range(6)]


def test_decode_html_prefers_valid_utf8_over_a_wrong_latin1_label() -> None:
    page = '<meta charset="iso-8859-1"><p>Grüße aus Köln</p>'.encode()
    assert "Grüße aus Köln" in decode_html(page)


def test_decode_html_uses_meta_http_equiv_charset() -> None:
    page = ('<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            "<p>Привет, мир</p>").encode("cp1251")
    assert "Привет, мир" in decode_html(page)
