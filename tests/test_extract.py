"""Behaviour of ``extract()`` on bad input and on the body shapes the fixtures do not isolate."""

from __future__ import annotations

import contextlib
import importlib
import random
from pathlib import Path

import pytest

from scrapers import boilerplate as bp
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
    return (
        f"<!doctype html><html><head>{head}</head><body><header>{nav}</header>{body}"
        f"<footer><p>Copyright 2026 Example Media. All rights reserved.</p></footer></body></html>"
    )


@pytest.mark.parametrize("value", ["", "   \n\t ", b"", b"  \r\n "])
def test_empty_input_is_empty(value: str | bytes) -> None:
    with pytest.raises(IngestError) as info:
        extract(value)
    assert info.value.kind is ErrorKind.EMPTY


@pytest.mark.parametrize(
    "value",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x1f\x8b\x08\x00" + bytes(200),
        bytes(range(32)) * 50,
    ],
)
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
            data = seed[start : start + size * 4]
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
        assert exc.kind in (ErrorKind.PARSE, ErrorKind.NOT_AN_ARTICLE, ErrorKind.TOO_COMPLEX)
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
    page = (
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><p>Привет, мир</p>'
    ).encode("cp1251")
    assert "Привет, мир" in decode_html(page)


def _teasers(count: int, heading: str = "h3") -> str:
    return "".join(
        f'<div class="item"><{heading}><a href="/story/{i}">Headline number {i} about a local matter</a>'
        f"</{heading}><p>Summary {i}: {PROSE[:110]}</p></div>"
        for i in range(count)
    )


def test_listing_of_teasers_is_not_an_article_even_without_page_type() -> None:
    with pytest.raises(IngestError) as info:
        extract(_page(f'<main><h1>Politics</h1><div class="list">{_teasers(8)}</div></main>'))
    assert info.value.kind is ErrorKind.NOT_AN_ARTICLE


def test_declared_listing_with_little_prose_is_not_an_article() -> None:
    head = (
        '<title>Search</title><script type="application/ld+json">{"@context":"https://schema.org",'
        '"@type":"SearchResultsPage","name":"Search results"}</script>'
    )
    body = f"<main><p>{PROSE}</p><p>Results for your query are listed below.</p></main>"
    with pytest.raises(IngestError) as info:
        extract(_page(body, head=head))
    assert info.value.kind is ErrorKind.NOT_AN_ARTICLE


def test_short_story_that_declares_itself_an_article_is_kept() -> None:
    head = '<title>Brief</title><meta property="og:type" content="article">'
    body = "<article><p>Road reopened.</p><p>Police said all lanes were clear.</p></article>"
    article = extract(_page(body, head=head))
    assert article.text == "Road reopened.\n\nPolice said all lanes were clear."
    assert "short body" in article.warnings


def test_short_undeclared_page_is_not_an_article() -> None:
    with pytest.raises(IngestError) as info:
        extract(_page("<div><p>Opening hours: 9 to 5.</p></div>"))
    assert info.value.kind is ErrorKind.NOT_AN_ARTICLE


def test_comment_thread_longer_than_the_story_stays_out() -> None:
    comments = "".join(
        f'<li class="comment"><div class="comment-author">Reader {i}</div><p>I think {PROSE} {PROSE}</p></li>'
        for i in range(10)
    )
    story = f"<p>Story one. {PROSE}</p><p>Story two. {PROSE}</p>"
    body = (
        f'<article class="post"><div class="entry-content">{story}</div></article>'
        f'<section id="comments" class="comments-area"><ol>{comments}</ol></section>'
    )
    text = extract(_page(body)).text
    assert text.startswith("Story one.") and "Story two." in text
    assert "I think" not in text and "Reader" not in text


def test_related_box_larger_than_the_story_stays_out() -> None:
    story = f"<p>Story one. {PROSE}</p><p>Story two. {PROSE}</p>"
    related = f'<section class="related-posts"><h2>Related</h2>{_teasers(6, "h4")}</section>'
    body = f'<div class="content"><article><div class="text">{story}</div></article>{related}</div>'
    text = extract(_page(body)).text
    assert text == f"Story one. {PROSE}\n\nStory two. {PROSE}"


def test_chrome_named_layout_wrapper_does_not_hide_the_story() -> None:
    paragraphs = "".join(f"<p>Paragraph {i}. {PROSE}</p>" for i in range(5))
    menu = "".join(f'<li><a href="/m{i}">Menu entry number {i} with words</a></li>' for i in range(40))
    body = (
        f'<div class="mega-menu"><ul>{menu}</ul></div><div class="layout with-sidebar-right">'
        f'<div class="main-col">{paragraphs}</div><div class="sidebar"><p>Ad</p></div></div>'
    )
    text = extract(_page(body)).text
    assert [p.split(".")[0] for p in text.split("\n\n")] == [f"Paragraph {i}" for i in range(5)]


def test_str_and_bytes_input_give_the_same_article() -> None:
    raw = SEED.read_bytes()
    assert (
        extract(raw, "https://x.test/a").to_dict()
        == extract(raw.decode("utf-8"), "https://x.test/a").to_dict()
    )


def test_lead_paragraph_above_the_body_is_kept_byline_and_caption_are_not() -> None:
    body = (
        f'<article><div class="article-head"><h1>Title</h1><p class="intro">The lead: {PROSE}</p>'
        '<p class="meta">14.03.2024, 10:25 Uhr · Von Jane Doe</p>'
        '<div class="pic"><div><img src="x.jpg"></div><div>The harbour at dawn. (Photo: Agency)</div>'
        "</div>"
        f'</div><div class="article-text"><p>Body one. {PROSE}</p><p>Body two. {PROSE}</p>'
        f"<p>Body three. {PROSE}</p></div></article>"
    )
    text = extract(_page(body)).text
    assert text.split("\n\n")[0] == f"The lead: {PROSE}"
    assert "Jane Doe" not in text and "harbour at dawn" not in text


def test_random_tag_soup_never_raises_an_internal_error() -> None:
    rng = random.Random(3)
    tags = [
        "div",
        "p",
        "a",
        "span",
        "article",
        "main",
        "nav",
        "table",
        "tr",
        "td",
        "ul",
        "li",
        "br",
        "h1",
        "h2",
        "figure",
        "header",
        "footer",
        "time",
        "script",
        "amp-img",
        "form",
        "b",
    ]
    attrs = [
        'class="content"',
        'class="sidebar"',
        'id="comments"',
        'itemprop="articleBody"',
        "hidden",
        'class="related-posts"',
        'role="main"',
        "",
    ]
    words = ["lorem", "ipsum", "dolor", "sit", "amet,", "consectetur.", "Adipiscing", "elit;", "«incididunt»"]
    outcomes = set()
    for _ in range(150):
        parts = []
        for _ in range(rng.randint(1, 200)):
            roll = rng.random()
            if roll < 0.4:
                parts.append(f"<{rng.choice(tags)} {rng.choice(attrs)}>")
            elif roll < 0.6:
                parts.append(f"</{rng.choice(tags)}>")
            else:
                parts.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))))
        try:
            extract("".join(parts))
            outcomes.add("article")
        except IngestError as exc:
            assert exc.kind is not ErrorKind.INTERNAL, exc
            outcomes.add(exc.kind.value)
    assert outcomes == {"article", "not_an_article"}


def test_utf16_with_bom_and_undeclared_legacy_bytes_decode() -> None:
    page = _page(f"<article><p>Grüße aus Köln. {PROSE}</p></article>")
    assert "Grüße aus Köln" in extract(page.encode("utf-16")).text
    sentence = "Строители завершили монтаж последнего пролёта нового моста. "
    russian = f"<html><body><article><p>{sentence * 4}</p></article></body></html>"
    assert "Строители завершили" in decode_html(russian.encode("cp1251"))


def test_a_metadata_failure_keeps_the_body_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    extract_module = importlib.import_module("scrapers.extract")  # the package re-exports the function

    def broken(tree: object, url: object) -> object:
        raise KeyError("boom")

    monkeypatch.setattr(extract_module, "extract_metadata", broken)
    article = extract(SEED.read_bytes(), "https://x.test/a")
    assert article.text.startswith("WASHINGTON -- U.S. Secretary of State")
    assert article.title is None and article.canonical_url == "https://x.test/a"
    assert any("metadata extraction failed" in w for w in article.warnings)


def test_listing_whose_headlines_are_plain_links_is_not_an_article() -> None:
    items = "".join(
        f'<div class="item"><a class="title" href="/s/{i}">Headline number {i} about a local matter here</a>'
        f'<div class="sum">Summary {i}: {PROSE[:140]}</div><span>2 hours ago</span></div>'
        for i in range(8)
    )
    with pytest.raises(IngestError) as info:
        extract(_page(f'<main><h1>Politics</h1><div class="list">{items}</div></main>'))
    assert info.value.kind is ErrorKind.NOT_AN_ARTICLE


def test_story_with_a_few_read_more_links_is_still_an_article() -> None:
    body = "".join(
        f'<p>Paragraph {i}. {PROSE}</p><div><a href="/r{i}">Another story about the council</a></div>'
        for i in range(4)
    )
    assert extract(_page(f"<main><h1>Council</h1><div>{body}</div></main>")).text.startswith("Paragraph 0.")


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("By Jane Doe", True),
        ("Von Martina Kessler und Tom Berg", True),
        ("By Lucia Ferreira and Tom WhitcombeUpdated August 19, 2023 at 7:05 p.m. PDT", True),
        ("Di recente, il governo ha deciso di cambiare la legge.", False),
        ("By the time the ferry arrived, the crowd had gone home.", False),
    ],
)
def test_byline_lines(line: str, byline: bool) -> None:
    page = _page(f"<article><p>{PROSE}</p><p>{line}</p><p>Again: {PROSE}</p></article>")
    assert (line in extract(page).text) is not byline


def test_story_in_a_wrapper_named_like_furniture_is_found_on_a_second_look() -> None:
    head = '<title>Hunter found</title><meta property="og:type" content="article">'
    body = f'<div class="sidebar_content"><p>First. {PROSE}</p><p>Second. {PROSE}</p></div>'
    article = extract(_page(body, head=head))
    assert article.text == f"First. {PROSE}\n\nSecond. {PROSE}"
    assert "body found only when class names were ignored" in article.warnings


def test_latin1_bytes_behind_a_wrong_utf8_declaration_are_recovered() -> None:
    page = (
        '<meta charset="utf-8"><p>Die Brücke über den Mühlbach wird gesperrt. Für Fußgänger gibt es '
        "einen Steg, sagte der Bürgermeister am Dienstag in Talheim.</p>"
    ).encode("cp1252")
    assert "Die Brücke über den Mühlbach" in decode_html(page)


def test_a_truncated_utf8_page_keeps_its_text() -> None:
    page = '<meta charset="utf-8"><p>Grüße aus Köln</p>'.encode()
    assert "Grüße aus Köln" in decode_html(page + "é".encode()[:1])


# ------------------------------------------------------------------------- body from JSON-LD articleBody
_STORY = [
    "The regional water authority announced on Monday that reservoir levels had fallen to their lowest "
    "point in two decades, prompting emergency restrictions across four districts.",
    "Officials said the restrictions would ban garden irrigation and car washing with hoses, and that "
    "fines would follow repeated breaches after a two-week grace period for households and businesses.",
    "Farmers' groups warned that the measures came too late for this season's crops, arguing that the "
    "authority had ignored forecasts of a dry spring published by the national weather service in March.",
    "The authority's director rejected that criticism, saying the winter rainfall had been close to normal "
    "and that nobody could have predicted how quickly demand would rise during the April heatwave.",
    "A review of the district pipelines, many of which lose a fifth of their water to leaks, is expected "
    "to be published before the end of the summer, together with a ten-year investment plan.",
    "Residents can check which district they live in on the authority's website, where the rules will "
    "also be published in full, along with advice on saving water at home and in the garden.",
]


def _script_rendered_page(article_body: object, html_body: str, ld_type: str = "NewsArticle") -> str:
    """A page as React/Next/Arc templates serve it: the story in JSON-LD, the HTML a shell around it."""
    import json

    ld = {
        "@context": "https://schema.org",
        "@type": ld_type,
        "headline": "Reservoirs at a twenty-year low",
        "datePublished": "2026-05-04T08:00:00Z",
        "articleBody": article_body,
    }
    head = (
        "<title>Reservoirs at a twenty-year low | Example Courier</title>"
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    )
    return _page(html_body, head=head)


def _teaser_shell(paragraphs: list[str]) -> str:
    related = "".join(f'<li><a href="/news/other-{i}">Another story number {i}</a></li>' for i in range(6))
    return (
        "<main><article><h1>Reservoirs at a twenty-year low</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + '<div id="root" data-hydrate="true"></div></article>'
        f"<aside><h2>Most read</h2><ul>{related}</ul></aside>"
        '<div class="newsletter"><p>Sign up for our newsletter</p></div></main>'
    )


def test_full_story_in_article_body_replaces_a_teaser_region() -> None:
    page = _script_rendered_page("\n\n".join(_STORY), _teaser_shell(_STORY[:1]))
    article = extract(page)
    assert article.text is not None
    assert article.text.split("\n\n") == _STORY
    assert "body taken from structured data" in article.warnings
    assert "Most read" not in article.text and "Another story" not in article.text


def test_article_body_written_as_escaped_html_is_unescaped_into_paragraphs() -> None:
    escaped = "".join("&lt;p&gt;" + p.replace("'", "&amp;#39;") + "&lt;/p&gt;" for p in _STORY)
    article = extract(_script_rendered_page(escaped, _teaser_shell(_STORY[:1])))
    assert article.text is not None
    assert article.text.split("\n\n") == _STORY
    assert "<p>" not in article.text and "&lt;" not in article.text


def test_story_only_in_article_body_is_rescued_when_the_page_declares_an_article() -> None:
    page = _script_rendered_page("\n".join(_STORY), _teaser_shell([]))
    article = extract(page)
    assert article.text is not None
    assert article.text.split("\n\n") == _STORY
    assert "body taken from structured data" in article.warnings


def test_article_body_does_not_rescue_a_page_that_is_not_declared_an_article() -> None:
    page = _script_rendered_page("\n\n".join(_STORY), _teaser_shell([]), ld_type="WebPage")
    with pytest.raises(IngestError) as info:
        extract(page)
    assert info.value.kind is ErrorKind.NOT_AN_ARTICLE


def test_short_article_body_does_not_rescue_an_empty_page() -> None:
    with pytest.raises(IngestError) as info:
        extract(_script_rendered_page(_STORY[0], _teaser_shell([])))
    assert info.value.kind is ErrorKind.NOT_AN_ARTICLE


@pytest.mark.parametrize(
    "article_body",
    [
        _STORY[0],  # shorter than the HTML body
        "\n\n".join(_STORY[:2]) + " The authority added that …",  # truncated teaser
        "\n\n".join(_STORY * 3)[:2600].rsplit(" ", 1)[0] + "...",  # long enough, but cut off
    ],
)
def test_shorter_truncated_or_unrelated_article_body_never_replaces_a_good_html_body(
    article_body: str,
) -> None:
    html_story = _STORY[:4] if "…" not in article_body and "..." not in article_body else _STORY
    page = _script_rendered_page(article_body, _teaser_shell(html_story))
    article = extract(page)
    assert article.text is not None
    assert article.text.split("\n\n") == html_story
    assert "body taken from structured data" not in article.warnings


def test_unrelated_longer_article_body_does_not_replace_the_html_story() -> None:
    other = [
        "Quarterly earnings at the shipping group beat analysts' expectations, helped by higher freight "
        "rates on Asian routes and a one-off gain from the sale of two older container vessels.",
    ] * 6
    page = _script_rendered_page(
        "\n\n".join(f"{p} ({i})" for i, p in enumerate(other)), _teaser_shell(_STORY[:3])
    )
    article = extract(page)
    assert article.text is not None
    assert article.text.split("\n\n") == _STORY[:3]
    assert "body taken from structured data" not in article.warnings


def test_full_article_body_replaces_a_short_stray_text_picked_from_a_script_rendered_page() -> None:
    """With the story unrendered, the best prose left in the HTML is the author's bio box."""
    bio = (
        '<div class="author-card"><p>Jo Example has covered regional politics and the environment '
        "for the paper since 2011, after ten years as a local radio reporter.</p></div>"
    )
    page = _script_rendered_page("\n\n".join(_STORY), bio + _teaser_shell([]))
    article = extract(page)
    assert article.text is not None
    assert article.text.split("\n\n") == _STORY
    assert "body taken from structured data" in article.warnings


def test_inline_wrapper_around_story_and_photo_is_not_taken_for_a_caption_box() -> None:
    """Old templates wrap the whole story, loose text and ``<br>`` lines, in one ``<font>`` beside a photo."""
    story = (
        "Roger Federer said on Saturday he was still hungry for titles after a season in which he "
        "won three of the four majors.<br><br>The Swiss begins his defence in Melbourne next week and "
        "said his preparation had gone well despite a stomach bug over Christmas.<br><br>He will "
        "play an exhibition match in Kooyong on Tuesday before the draw is made."
    )
    html = (
        "<html><body><div id='item'><font size='2'><h1>Federer aiming for more titles</h1>"
        "<div><i>Saturday, 05 Jan 2008 20:43 GMT</i></div>"
        "<div><a href='/print?id=7'><img src='/printer.gif'>Printer friendly version</a></div>"
        f"{story}</font></div></body></html>"
    )
    article = extract(html)
    assert article.text.split("\n\n")[0].startswith("Roger Federer said on Saturday")
    assert article.text.endswith("before the draw is made.")
    assert "Printer friendly" not in article.text


_TOLD = (
    "<p>The council approved the new cycle lanes on Tuesday after a two-hour debate in which residents "
    "from both sides of the river spoke for and against the plan.</p>"
    "<p>Work on the first stretch, along the embankment, will start in March and take about ten weeks, "
    "the transport committee said.</p>"
)


@pytest.mark.parametrize(
    "tail",
    [
        "<h3>Comments (3)</h3><p>Dave, Leeds: About time too, the embankment is a death trap for anyone on a "
        "bike at rush hour.</p><p>Sue: Another waste of money while the potholes on my street go unfixed.</p>",
        "<p><b>Regional Headlines</b></p><p>A new bakery has opened on the high street, the first in the town "
        "centre for more than a decade, its owners said.</p><p>The swimming pool will close for repairs in "
        "February, the leisure trust announced on Monday.</p>",
    ],
)
def test_unnamed_comment_thread_or_headline_list_after_the_story_stays_out(tail: str) -> None:
    """No class names to go by: the line that opens the thread or the list ends the story."""
    article = extract(f"<html><body><div><h1>Cycle lanes approved</h1>{_TOLD}{tail}</div></body></html>")
    assert article.text.split("\n\n")[-1].startswith("Work on the first stretch")
    assert len(article.text.split("\n\n")) == 2


def test_a_comments_heading_before_any_story_does_not_empty_the_page() -> None:
    article = extract(f"<html><body><div><h2>Comments</h2>{_TOLD}</div></body></html>")
    assert article.text.split("\n\n")[-1].startswith("Work on the first stretch")


def test_story_among_link_rows_beats_a_compact_blurb_elsewhere() -> None:
    """Summed scores sink a story container full of link rows; its run of paragraphs still wins."""
    paragraphs = [
        f"Paragraph {i} of the match report: the home side pressed high from the start and forced "
        f"a string of corners before the break, while the visitors defended deep and waited for a chance "
        f"on the counter that finally came in the {60 + i}th minute."
        for i in range(8)
    ]
    rows = "".join(
        f"<div><a href='/team/{i}'>Squad list, fixtures and results of club number {i} this "
        f"season in the league and cups</a></div>"
        for i in range(18)
    )
    story = "".join(f"<p>{p}</p>{rows if i == 2 else ''}" for i, p in enumerate(paragraphs))
    blurb = (
        "<div id='whatthis'><p>" + "At the bottom of all articles you will see links to six sites. "
        "These sites, commonly called social bookmarking sites, let you save and share pages. "
        * 4
        + "</p></div>"
    )
    nav = "".join(
        f"<div><a href='/s/{i}'>Section number {i} with its own long list of stories and results</a></div>"
        for i in range(10)
    )
    table = f"<table><tr><td><div>{story}</div></td><td>{blurb}</td></tr></table>"
    html = f"<html><body>{nav}{table}</body></html>"
    article = extract(html)
    assert article.text.startswith("Paragraph 0 of the match report")
    assert "social bookmarking" not in article.text


def test_story_container_wins_over_a_compact_box_inside_it() -> None:
    """The same sunk container, holding the blurb itself: the run around the box is the story."""
    paragraphs = [
        f"Paragraph {i} of the match report: the home side pressed high from the start and forced "
        f"a string of corners before the break, while the visitors defended deep and waited for a chance "
        f"on the counter that finally came in the {60 + i}th minute."
        for i in range(8)
    ]
    rows = "".join(
        f"<div><a href='/team/{i}'>Squad list, fixtures and results of club number {i} this "
        f"season in the league and cups</a></div>"
        for i in range(30)
    )
    blurb = (
        "<div class='entry'><p>" + "I agree with the last reader, every story here gets turned into "
        "a row about the manager, if only they knew the half of it. " * 4 + "</p></div>"
    )
    story = "".join(f"<p>{p}</p>{rows if i == 2 else ''}" for i, p in enumerate(paragraphs))
    nav = "".join(
        f"<div><a href='/s/{i}'>Section number {i} with its own long list of stories and results</a></div>"
        for i in range(10)
    )
    article = extract(f"<html><body>{nav}<div class='main'>{story}{blurb}</div></body></html>")
    assert article.text.startswith("Paragraph 0 of the match report")
    assert "Paragraph 7 of the match report" in article.text


@pytest.mark.parametrize(
    ("text", "date_only", "credit"),
    [
        ("Friday, January 18, 2008", True, False),
        ("[January 05, 2008] |", True, False),
        ("Tuesday 8th January 2008", True, False),
        ("Jan. 06, 2008", True, False),
        ("29 December, 2007", True, False),
        ("Staff and agencies", False, True),
        ("The Associated Press", False, True),
        ("(AP)", False, True),
        ("Tim Shufelt, Canwest News Service; Ottawa Citizen", False, True),
        ("The flood of January 18, 2008 closed the bridge", False, False),
        ("He told The Associated Press.", False, False),
        ("Reporters were kept away from the site for most of Tuesday while police searched it", False, False),
    ],
)
def test_head_furniture_lines(text: str, date_only: bool, credit: bool) -> None:
    """Lines dropped above a story's first paragraph: a date alone, an agency or staff credit."""
    assert bp.date_only_text(text) is date_only
    assert bp.credit_text(text) is credit


@pytest.mark.parametrize(
    ("text", "tail_start"),
    [
        ("Do you have comments on this story?", True),
        ("Thanks for your comments - this feedback is now closed", True),
        (
            "The following are comments from the readers. In no way do they represent the view of the paper.",
            True,
        ),
        ("Comment Blog - Note: All Comments Subject To Approval", True),
        ("Posted by: tom3465, farnworth on 8:21pm Tue 1 Jan 08", True),
        ("R E A D E R C O M M E N T S", True),
        ("Also in UK News", True),
        ("A spokesman declined to comment.", False),
        ("The comments came after a week of talks.", False),
        ("Posted by the agency on its website, the notice gave no reason.", False),
    ],
)
def test_lines_that_open_a_comment_thread_or_other_stories(text: str, tail_start: bool) -> None:
    assert bp.tail_start_text(text) is tail_start


@pytest.mark.parametrize(
    ("text", "endnote"),
    [
        ("Associated Press writer Dana Holt in Los Angeles contributed to this report.", True),
        ("(Writing by Gene Cherry; Editing by Peter Rutherford)", True),
        ("To contact the reporter on this story: Don Jeffrey in New York at djeffrey1@bloomberg.net", True),
        ("This material may not be published, broadcast, rewritten or redistributed.", True),
        ("Staff writer Elizabeth Mullener can be reached at emullener@timespicayune.com.", True),
        # a credit run on at the end of the story's last paragraph stays with it
        (
            "The Australian Open runs from Jan. 14-27. (Writing by Greg Stutchbury; Editing by John O'Brien)",
            False,
        ),
        ("Editing the film took the director two years, she said.", False),
        (
            "(© 2008 The Associated Press. All Rights Reserved. In the interest of timeliness, this story is fed.)",
            True,
        ),
        (
            "These news feeds are provided by a third party and the site is not responsible for the content.",
            True,
        ),
    ],
)
def test_end_notes_after_a_story(text: str, endnote: bool) -> None:
    assert bp.endnote_text(text) is endnote


def test_a_rule_ends_the_story_only_when_no_more_than_end_notes_follow() -> None:
    story = "".join(
        f"<p>Paragraph {i} of the council's budget story, with enough words in it to read as real prose here.</p>"
        for i in range(4)
    )
    more = "".join(
        f"<p>Part two, paragraph {i}: the second half of the feature goes on well past the rule, at length.</p>"
        for i in range(6)
    )
    kept = extract(f"<html><body><article>{story}<p>------</p>{more}</article></body></html>")
    assert "Part two, paragraph 5" in kept.text
    cut = extract(
        f"<html><body><article>{story}<p>___</p><p>On the Net:</p><p>budget.example.gov</p></article></body></html>"
    )
    assert cut.text.endswith("read as real prose here.")
    assert "On the Net" not in cut.text and "budget.example.gov" not in cut.text


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("Print article", True),
        ("Refer to a friend", True),
        ("Click photo to enlarge", True),
        ("text size", True),
        ("Share prices fell sharply on Monday", False),
        ("Print works by the artist are on show", False),
    ],
)
def test_article_tool_lines(text: str, tool: bool) -> None:
    assert bp.tool_text(text) is tool


def test_registration_prompts_are_calls_to_action() -> None:
    assert bp.cta_text("To read this article in full you must be registered with the site.")
    assert bp.cta_text("You need to be logged in to continue reading.")
    assert bp.cta_text("News Alerts by Email click here )")
    assert bp.cta_text("Your account has been frozen. For your available options click the below button.")
    assert not bp.cta_text("Voters must be registered by Friday to take part in the primary.")


def test_story_that_libxml2_puts_into_head_after_an_unknown_tag_is_kept() -> None:
    """A page with no ``</head>`` or ``<body>`` and an unknown element in the head: libxml2 keeps the
    whole page in ``<head>``, which pruning used to drop with everything in it."""
    story = "".join(
        f"<p>Paragraph {i}: the ferry operator will add two sailings a day from March, after a winter in "
        f"which queues at the harbour reached three hours on busy weekends.</p>"
        for i in range(4)
    )
    html = (
        "<html><head><title>Ferry adds sailings</title><meta name='robots' content='all'><mbox>"
        f"<script>var x = 1;</script><table><tr><td><h1>Ferry adds sailings</h1>{story}</td></tr></table></html>"
    )
    article = extract(html)
    assert article.text.startswith("Paragraph 0: the ferry operator")
    assert len(article.text.split("\n\n")) == 4
    assert "var x" not in article.text


@pytest.mark.parametrize(
    ("text", "prompt"),
    [
        ("War der Artikel nützlich?", True),
        ("Möchten Sie den Artikel teilen?", True),
        ("We want to hear what you think about this article.", True),
        ("The article was first published in 1987, the court heard.", False),
        ("Did they know the driver?", False),
    ],
)
def test_prompts_to_the_reader_about_the_piece(text: str, prompt: bool) -> None:
    assert bp.reader_prompt_text(text) is prompt


def test_headline_repeated_above_the_story_is_dropped_when_only_the_document_title_names_it() -> None:
    """A site-wide ``og:title`` ("Latest News") names nothing; the document's ``<title>`` still does."""
    story = "".join(
        f"<p>Paragraph {i}: the county will reopen the river path in April after repairs to the flood "
        f"wall, which was undermined by the winter storms, officials said on Monday.</p>"
        for i in range(3)
    )
    html = (
        "<html><head><title>River path to reopen in April - County Courier</title>"
        "<meta property='og:title' content='Latest News'></head><body><div class='main'>"
        f"<div class='headline'><b>River path to reopen in April</b></div>{story}</div></body></html>"
    )
    article = extract(html)
    assert article.text.startswith("Paragraph 0: the county will reopen")


def test_article_body_written_as_markdown_is_kept_as_plain_text() -> None:
    """Some CMSs write the JSON-LD copy in Markdown: when that copy is the fuller one, its link, image,
    strong and heading marks must not reach the stored text (they did: "**…**" and "[text](url)")."""
    marked = [
        f"**{_STORY[0]}**",
        _STORY[1].replace("fines", "[fines](https://example.com/rules/fines)", 1),
        "![A dry reservoir bed](https://img.example.com/reservoir.jpg)",
        "## What comes next",
        *_STORY[2:],
    ]
    page = _script_rendered_page("\n\n".join(marked), _teaser_shell(_STORY[:1]))
    article = extract(page)
    assert article.text is not None
    assert "body taken from structured data" in article.warnings
    assert article.text.split("\n\n") == [*_STORY[:2], "What comes next", *_STORY[2:]]


def test_prose_with_stray_asterisks_and_brackets_is_not_read_as_markdown() -> None:
    prose = [
        _STORY[0] + " Rates rose 5*3 [sic] percent (provisional figures).",
        *_STORY[1:],
    ]
    page = _script_rendered_page("\n\n".join(prose), _teaser_shell(_STORY[:1]))
    article = extract(page)
    assert article.text is not None
    assert article.text.split("\n\n") == prose
