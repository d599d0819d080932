"""Metadata from realistic page snippets: each source of each field, its priority, and the traps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import pytest

from scrapers.metadata import PageMetadata, extract_metadata

SEED = Path(__file__).parent / "fixtures" / "pages"  # the worked example, copied from shared/


STORY_URL = "https://news.example.com/world/2024/story-123.html"


def meta_of(html: str, url: str | None = STORY_URL) -> PageMetadata:
    return extract_metadata(lxml.html.document_fromstring(html), url)


def page(head: str = "", body: str = "", lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{head}</head>'
        f"<body>{body}</body></html>"
    )


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# ------------------------------------------------------------------------------------------- the seed


def test_seed_page_matches_expected_metadata() -> None:
    expected = json.loads((SEED / "rferl-kerry-aleppo.expected.json").read_text())
    tree = lxml.html.document_fromstring((SEED / "rferl-kerry-aleppo.html").read_bytes())
    before = lxml.html.tostring(tree)
    meta = extract_metadata(tree, expected["url"])
    assert lxml.html.tostring(tree) == before, "the tree must not be mutated"
    for key in ("title", "authors", "language", "site_name", "top_image", "canonical_url"):
        assert getattr(meta, key) == expected[key], key
    assert meta.published_at is not None
    assert meta.published_at.isoformat() == expected["published_at"]
    assert meta.modified_at == datetime(2016, 10, 7, 19, 40, 21, tzinfo=UTC)
    assert meta.page_type == "article"
    assert meta.paywalled is False
    assert meta.warnings == []


def test_element_tree_or_subtree_reads_the_whole_page() -> None:
    html = page('<meta property="og:title" content="Harbour reopens">', "<article><p>x</p></article>")
    tree = lxml.html.document_fromstring(html)
    assert extract_metadata(tree.getroottree(), None).title == "Harbour reopens"
    assert extract_metadata(tree.find("body"), None).title == "Harbour reopens"


# ------------------------------------------------------------------------------------------- JSON-LD


def test_yoast_graph_with_id_references() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "https://blog.example.org/#website", "name": "Example Blog"},
            {
                "@type": "WebPage",
                "@id": "https://blog.example.org/post/#webpage",
                "url": "https://blog.example.org/post/",
                "name": "A post | Example Blog",
                "datePublished": "2021-05-01T08:00:00+00:00",
            },
            {
                "@type": "Article",
                "@id": "https://blog.example.org/post/#article",
                "isPartOf": {"@id": "https://blog.example.org/post/#webpage"},
                "author": {"@id": "https://blog.example.org/#/schema/person/abc"},
                "headline": "Why the river flooded twice",
                "datePublished": "2021-05-01T08:00:00+02:00",
                "dateModified": "2021-05-03T10:30:00+02:00",
                "inLanguage": "de-DE",
                "image": {"@id": "https://blog.example.org/post/#primaryimage"},
            },
            {
                "@type": "ImageObject",
                "@id": "https://blog.example.org/post/#primaryimage",
                "url": "https://blog.example.org/wp-content/flood.jpg",
            },
            {"@type": "Person", "@id": "https://blog.example.org/#/schema/person/abc", "name": "Anna Weber"},
        ],
    }
    meta = meta_of(page(ld(graph)), "https://blog.example.org/post/")
    assert meta.title == "Why the river flooded twice"
    assert meta.authors == ["Anna Weber"]
    assert meta.published_at == datetime(2021, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=2)))
    assert meta.modified_at == datetime(2021, 5, 3, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    assert meta.language == "de"
    assert meta.site_name == "Example Blog"
    assert meta.top_image == "https://blog.example.org/wp-content/flood.jpg"
    assert meta.page_type == "article"


def test_dangling_image_reference_falls_back_to_og_image() -> None:
    data = {
        "@type": "NewsArticle",
        "headline": "Ferry resumes",
        "image": {"@id": "https://gazette.example/2024/ferry/#primaryimage"},
    }
    head = ld(data) + '<meta property="og:image" content="https://gazette.example/uploads/ferry.jpg">'
    assert meta_of(page(head)).top_image == "https://gazette.example/uploads/ferry.jpg"


def test_main_entity_nested_in_webpage_and_related_items_ignored() -> None:
    data = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "mainEntity": {
            "@type": "NewsArticle",
            "headline": "Council approves new bridge",
            "datePublished": "2023-03-02T09:15:00Z",
            "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "John Roe"}],
        },
        "relatedLink": [
            {"@type": "NewsArticle", "headline": "Old bridge closed", "datePublished": "2019-01-01T00:00:00Z"}
        ],
    }
    related_list = {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "item": {
                    "@type": "NewsArticle",
                    "headline": "Elsewhere",
                    "datePublished": "2018-01-01T00:00:00Z",
                },
            }
        ],
    }
    meta = meta_of(page(ld(related_list) + ld(data)))
    assert meta.title == "Council approves new bridge"
    assert meta.authors == ["Jane Doe", "John Roe"]
    assert meta.published_at == datetime(2023, 3, 2, 9, 15, tzinfo=UTC)


def test_several_articles_pick_the_one_for_this_url() -> None:
    other = {
        "@type": "NewsArticle",
        "url": "https://news.example.com/other",
        "headline": "Other story",
        "datePublished": "2020-01-01T00:00:00Z",
    }
    own = {
        "@type": "NewsArticle",
        "url": "https://news.example.com/world/2024/story-123.html",
        "headline": "Own story",
        "datePublished": "2024-02-02T12:00:00Z",
    }
    meta = meta_of(page(ld([other, own])))
    assert meta.title == "Own story"
    assert meta.published_at == datetime(2024, 2, 2, 12, tzinfo=UTC)


def test_sloppy_json_ld_is_tolerated() -> None:
    sloppy = """<script type="application/ld+json">
    //<![CDATA[
    <!--
    {"@context": "https://schema.org", "@type": "BlogPosting",
     "headline": "Trailing commas everywhere",
     "author": {"@type": "Person", "name": "Sam Lee",},
     "description": "line one
line two",
     "datePublished": "2022-07-14 06:30:00Z",}
    -->
    //]]>
    </script>"""
    broken = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    meta = meta_of(page(broken + sloppy))
    assert meta.title == "Trailing commas everywhere"
    assert meta.authors == ["Sam Lee"]
    assert meta.published_at == datetime(2022, 7, 14, 6, 30, tzinfo=UTC)
    assert meta.description == "line one line two"
    assert "invalid JSON-LD block skipped" in meta.warnings


def test_placeholder_headline_loses_to_what_the_page_shows() -> None:
    head = (
        ld({"@type": "NewsArticle", "headline": "escenic", "datePublished": "2012-04-17T14:54:00Z"})
        + "<title>Plumber jailed after boiler death</title>"
        + '<meta property="og:title" content="Plumber jailed after boiler death">'
    )
    meta = meta_of(page(head, "<h1>Plumber jailed after boiler death</h1>"))
    assert meta.title == "Plumber jailed after boiler death"


def test_organisation_author_only_when_no_person() -> None:
    org_only = {
        "@type": "NewsArticle",
        "headline": "Markets fall",
        "author": {"@type": "Organization", "name": "Reuters"},
    }
    assert meta_of(page(ld(org_only))).authors == ["Reuters"]
    with_person = dict(
        org_only,
        author=[{"@type": "Organization", "name": "Reuters"}, {"@type": "Person", "name": "Ana Lima"}],
    )
    assert meta_of(page(ld(with_person))).authors == ["Ana Lima"]
    # the organisation gives way to a person named by a later source
    head = ld(org_only) + '<meta name="author" content="Ana Lima">'
    assert meta_of(page(head)).authors == ["Ana Lima"]


# ------------------------------------------------------------------------------------------- meta tags


def test_opengraph_and_meta_tags_when_no_json_ld() -> None:
    head = """
    <title>Storm hits the coast - The Daily Planet</title>
    <meta property="og:title" content="Storm hits the coast | The Daily Planet">
    <meta property="og:site_name" content="The Daily Planet">
    <meta property="og:type" content="article">
    <meta property="og:locale" content="en_GB">
    <meta property="og:image" content="/img/storm.jpg">
    <meta property="og:description" content="High winds and flooding.">
    <meta property="article:published_time" content="2024-01-05T07:00:00+00:00">
    <meta property="article:modified_time" content="2024-01-05T09:00:00+00:00">
    <meta property="article:author" content="https://www.facebook.com/some.profile">
    <meta name="author" content="Lois Lane">
    <link rel="canonical" href="/weather/storm-hits-the-coast">
    """
    meta = meta_of(page(head, lang=""), "https://www.dailyplanet.example/weather/storm-hits-the-coast?utm=x")
    assert meta.title == "Storm hits the coast"
    assert meta.site_name == "The Daily Planet"
    assert meta.authors == ["Lois Lane"]  # the profile URL is not a name
    assert meta.published_at == datetime(2024, 1, 5, 7, tzinfo=UTC)
    assert meta.modified_at == datetime(2024, 1, 5, 9, tzinfo=UTC)
    assert meta.language == "en"
    assert meta.canonical_url == "https://www.dailyplanet.example/weather/storm-hits-the-coast"
    assert meta.top_image == "https://www.dailyplanet.example/img/storm.jpg"
    assert meta.description == "High winds and flooding."
    assert meta.page_type == "article"


def test_base_href_resolves_relative_urls() -> None:
    head = (
        '<base href="https://cdn.example.net/site/"><meta property="og:image" content="pics/a.jpg">'
        '<link rel="canonical" href="article/42">'
    )
    meta = meta_of(page(head), "https://www.example.net/article/42")
    assert meta.top_image == "https://cdn.example.net/site/pics/a.jpg"
    assert meta.canonical_url == "https://cdn.example.net/site/article/42"


def test_canonical_to_site_root_is_ignored() -> None:
    meta = meta_of(page('<link rel="canonical" href="https://news.example.com/">'))
    assert meta.canonical_url is None
    assert any("canonical" in w for w in meta.warnings)


def test_analytics_and_dublin_core_tags() -> None:
    head = """
    <meta name="parsely-title" content="Rates held steady">
    <meta name="parsely-author" content="Kim Park">
    <meta name="parsely-pub-date" content="2023-09-20T18:00:00Z">
    <meta name="dc.language" content="fr">
    """
    meta = meta_of(page(head, lang=""))
    assert meta.title == "Rates held steady"
    assert meta.authors == ["Kim Park"]
    assert meta.published_at == datetime(2023, 9, 20, 18, tzinfo=UTC)
    assert meta.language == "fr"


def test_truncated_structured_headline_gives_way_to_the_full_one() -> None:
    full = (
        "Sanna Marin met Angela Merkel: Germany also wants to keep farm subsidies, "
        "says the largest net contributor"
    )
    cut = full[:100].rstrip()
    og = f'<meta property="og:title" content="{full} | Uusi">'
    head = ld({"@type": "NewsArticle", "headline": cut}) + og
    assert meta_of(page(head, f"<h1>{full}</h1>")).title == full
    # ... but a section name appended after a separator is not "the rest of the headline"
    og = f'<meta property="og:title" content="{full} | Sociedad">'
    head = ld({"@type": "NewsArticle", "headline": full}) + og
    assert meta_of(page(head)).title == full


def test_bibliographic_author_tags_in_last_first_order() -> None:
    head = (
        '<meta name="citation_author" content="Gibney, Elizabeth">'
        '<meta name="citation_author" content="van der Berg, Anna">'
    )
    assert meta_of(page(head)).authors == ["Elizabeth Gibney", "Anna van der Berg"]


def test_icon_titles_are_not_the_page_title() -> None:
    body = '<a href="/share"><svg viewBox="0 0 9 9"><title>Share on Facebook</title></svg></a><p>Text</p>'
    assert meta_of(f"<html><head></head><body>{body}</body></html>").title is None


def test_cjk_title_with_a_bare_pipe() -> None:
    head = (
        "<title>NEWS WEB EASY|子どもへの体罰を禁止する法律ができる</title>"
        '<meta name="application-name" content="NEWS WEB EASY">'
    )
    assert meta_of(page(head, lang="ja")).title == "子どもへの体罰を禁止する法律ができる"


def test_title_is_never_the_site_name_alone() -> None:
    head = '<title>The Daily Planet</title><meta property="og:site_name" content="The Daily Planet">'
    meta = meta_of(
        page(
            head,
            '<header><h1 class="site-logo">The Daily Planet</h1></header>'
            "<main><h1>Mayor resigns after vote</h1></main>",
        )
    )
    assert meta.title == "Mayor resigns after vote"


def test_h1_cleans_a_title_that_carries_the_site_name() -> None:
    head = "<title>Mayor resigns after vote: what happens next – Metro Herald</title>"
    meta = meta_of(
        page(head, "<article><h1>Mayor resigns after vote: what happens next</h1></article>"),
        "https://www.metroherald.example/politics/mayor",
    )
    assert meta.title == "Mayor resigns after vote: what happens next"


def test_site_name_tag_filled_with_the_page_title() -> None:
    """CMSs that put "Story | Site" in application-name, or the site name in og:title."""
    head = (
        "<title>Achtsam durch die Krise | Die FURCHE</title>"
        '<meta property="og:title" content="Achtsam durch die Krise">'
        '<meta name="application-name" content="Achtsam durch die Krise | Die FURCHE">'
    )
    meta = meta_of(page(head, lang="de"), "https://www.furche.at/gesellschaft/achtsam-2497954")
    assert meta.title == "Achtsam durch die Krise"
    assert meta.site_name == "Die FURCHE"
    head = (
        '<meta property="og:title" content="International Biathlon Union - IBU">'
        '<meta property="og:site_name" content="International Biathlon Union - IBU">'
    )
    meta = meta_of(page(head, "<h1>Peking 2022 – eine große Chance</h1>", lang="de"))
    assert meta.title == "Peking 2022 – eine große Chance"
    assert meta.site_name == "International Biathlon Union - IBU"


def test_site_name_from_publisher_when_no_og_site_name() -> None:
    data = {
        "@type": "NewsArticle",
        "headline": "X happened",
        "publisher": {"@type": "NewsMediaOrganization", "name": "Gazette Times"},
    }
    assert meta_of(page(ld(data))).site_name == "Gazette Times"


def test_publisher_credit_in_meta_author_is_not_a_person() -> None:
    head = (
        '<meta name="author" content="Olympia-Verlag GmbH, Nürnberg, Germany">'
        '<meta name="copyright" content="Olympia-Verlag GmbH, Nürnberg, Germany">'
    )
    meta = meta_of(page(head, '<h1>Skitouren im Test</h1><p class="byline">Von Maria Huber</p>', lang="de"))
    assert meta.authors == ["Maria Huber"]


# ------------------------------------------------------------------------------------------- bylines


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("By Jane Doe and John Roe, Reuters", ["Jane Doe", "John Roe"]),
        ("By JANE DOE", ["JANE DOE"]),
        ("Von Anna Müller und Jonas Beck", ["Anna Müller", "Jonas Beck"]),
        ("Par Claire Dubois et Luc Martin", ["Claire Dubois", "Luc Martin"]),
        ("By Jane Doe in London", ["Jane Doe"]),
        ("By Ursula von der Leyen", ["Ursula von der Leyen"]),
        ("Jane Doe, Senior Correspondent", ["Jane Doe"]),
        ("By Jane Doe & John Roe", ["Jane Doe", "John Roe"]),
        ("By Reuters", ["Reuters"]),
        ("Guardian staff and agencies", []),
        ("By Mary-Jane O'Neil, CNN", ["Mary-Jane O'Neil"]),
        ("Jane Doe (AFP)", ["Jane Doe"]),
        ("Kristen Falc'honKristen Falc'hon", ["Kristen Falc'hon"]),
        ("Eingestellt von Sandra Klein", ["Sandra Klein"]),
        ("By K. A.", []),
    ],
)
def test_visible_byline(byline: str, authors: list[str]) -> None:
    body = (
        f'<article><h1>Ceasefire talks resume</h1><div class="article-byline">{byline}</div>'
        "<p>Text.</p></article>"
    )
    assert meta_of(page("", body)).authors == authors


@pytest.mark.parametrize(
    ("markup", "authors"),
    [
        ("<p><strong>By Nada Tawfik, BBC News, New York</strong></p>", ["Nada Tawfik"]),
        (
            "<p>Von Roland Brockmann und Sebastian Drescher<br><br>\n\nKakuma / Kenia</p>",
            ["Roland Brockmann", "Sebastian Drescher"],
        ),
        ('<span>par <a href="/personne-jacques-munier.html">Jacques Munier</a></span>', ["Jacques Munier"]),
        ("<address>Claudia Lindner</address>", ["Claudia Lindner"]),
        ("<div><h5>Autor: </h5>Peter Maahn</div>", ["Peter Maahn"]),
        ('<div class="byline"><span>By</span><span>Alex Bozarjian</span></div>', ["Alex Bozarjian"]),
        ("<p>Von Vonnegut Kurt</p>", ["Vonnegut Kurt"]),
        ("<p>By 2030, the bridge will be replaced.</p>", []),
    ],
)
def test_unlabelled_byline_lines(markup: str, authors: list[str]) -> None:
    body = f"<article><h1>Water rights dispute in the camp</h1>{markup}<p>Story text.</p></article>"
    assert meta_of(page("", body)).authors == authors


def test_byline_links_inside_a_bio_box() -> None:
    bio = "She has covered energy markets for a decade, reporting from Houston, Riyadh and Moscow. " * 3
    body = f"""<article><h1>Oil prices jump</h1>
      <div class="author-box"><a rel="author" href="/people/maria-santos">Maria Santos</a>
      <p>{bio}</p></div></article>"""
    assert meta_of(page("", body)).authors == ["Maria Santos"]


def test_site_name_beside_a_person_is_the_publisher() -> None:
    head = (
        '<meta property="og:site_name" content="Unocero">'
        '<meta name="author" content="unocero - Alberto Ávila">'
    )
    assert meta_of(page(head)).authors == ["Alberto Ávila"]
    data = {
        "@type": "NewsArticle",
        "headline": "H",
        "author": [{"@type": "Person", "name": "Rob Picheta"}, {"@type": "Person", "name": "CNN"}],
    }
    assert meta_of(page(ld(data) + '<meta property="og:site_name" content="CNN">')).authors == ["Rob Picheta"]


def test_co_authors_as_author_page_links() -> None:
    body = """<article><h1>Session of parliament</h1>
      <div class="meta"><a href="/autor/yaima-puig/">Yaima Puig</a>,
      <a href="/autor/alina-perera/">Alina Perera</a>
      y <a href="/autor/rene-tamayo/">René Tamayo</a></div><p>Text</p></article>"""
    assert meta_of(page("", body, lang="es")).authors == ["Yaima Puig", "Alina Perera", "René Tamayo"]


def test_teaser_bylines_repeated_in_a_list_are_not_the_author() -> None:
    cards = "".join(
        f'<div class="card"><h3>Other story {i}</h3><span class="item__author">{name}</span></div>'
        for i, name in enumerate(("Elena Kuss", "Heidrun Mittler", "Jonas Weber"))
    )
    body = f"<h1>Olympic sponsor opens new plant</h1><p>Text of the story.</p><div>{cards}</div>"
    assert meta_of(page("", body, lang="de")).authors == []


def test_navigation_link_to_author_page_is_not_a_name() -> None:
    body = (
        '<article><h1>What is Rust</h1><p class="byline">By <a href="/author/jake/">Jake Goulding</a></p>'
        '<a href="/author/jake/">More Posts</a></article>'
    )
    assert meta_of(page("", body)).authors == ["Jake Goulding"]


def test_heading_matching_the_declared_title_anchors_the_byline_search() -> None:
    """Blogger-style themes: the site name is the <h1>, the story title an <h3>."""
    body = """<header><h1>Plenty of Life</h1></header>
      <div class="sidebar-widget"><span class="byline">By Someone Else</span></div>
      <div class="post"><h3 class="post-title">Strong and beautiful</h3>
        <div class="post-header"><span class="post-author">Posted by Sandra Klein</span>
        <abbr class="published" title="2017-05-10T08:00:00+02:00">08:00</abbr></div><p>Text</p></div>"""
    head = '<meta property="og:title" content="Strong and beautiful">'
    meta = meta_of(page(head, body), "https://plenty.example.org/2017/05/strong.html")
    assert meta.authors == ["Sandra Klein"]
    assert meta.published_at == datetime(2017, 5, 10, 8, tzinfo=timezone(timedelta(hours=2)))


def test_byline_box_marked_up_as_aside() -> None:
    """Some CMSs put the story's own byline and date in <aside class="meta">; a sidebar aside still isn't."""
    body = """<article><header><h1>Identity politics and its critics</h1></header>
      <aside class="teaser"><span class="author">Lisa Other</span>
        <time datetime="2023-01-01T00:00:00Z">1.1.</time></aside>
      <aside class="meta"><p class="authors">Von:<br>
        <i><a href="/autor/moritz-p-21589">Moritz Peters</a></i></p>
        <time datetime="2023-10-18T11:45:00+02:00">18. Okt 2023</time></aside>
      <p>Text</p></article>"""
    meta = meta_of(page("", body, lang="de"))
    assert meta.authors == ["Moritz Peters"]
    assert meta.published_at == datetime(2023, 10, 18, 11, 45, tzinfo=timezone(timedelta(hours=2)))


def test_handles_and_unfurl_labels() -> None:
    data = {
        "@type": "NewsArticle",
        "headline": "H",
        "author": {"@type": "Person", "name": "Williams Perdomo @wperdomod"},
    }
    assert meta_of(page(ld(data))).authors == ["Williams Perdomo"]
    head = '<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Kim Park">'
    assert meta_of(page(head)).authors == ["Kim Park"]


def test_byline_found_after_a_huge_navigation() -> None:
    menu = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(3000))
    body = (
        f"<div><ul>{menu}</ul></div><div><h1>Storm closes schools</h1>"
        '<p class="byline">By Ana Lima</p><time datetime="2024-01-09T06:00:00Z">9 Jan</time>'
        "<p>Text</p></div>"
    )
    meta = meta_of(page("", body))
    assert meta.authors == ["Ana Lima"]
    assert meta.published_at == datetime(2024, 1, 9, 6, tzinfo=UTC)


def test_author_names_deduplicated_in_order() -> None:
    data = {
        "@type": "NewsArticle",
        "headline": "H",
        "author": [
            {"@type": "Person", "name": "Jane Doe"},
            {"@type": "Person", "name": "John Roe"},
            {"@type": "Person", "name": "jane doe"},
        ],
    }
    assert meta_of(page(ld(data))).authors == ["Jane Doe", "John Roe"]


def test_microdata_author_and_date() -> None:
    body = """<div itemscope itemtype="https://schema.org/NewsArticle">
      <h1 itemprop="headline">Harbour reopens</h1>
      <span itemprop="author" itemscope itemtype="https://schema.org/Person">
        <span itemprop="name">Tom Berg</span></span>
      <meta itemprop="datePublished" content="2022-11-30T06:00:00+01:00">
      <div class="comments"><div itemscope itemtype="https://schema.org/Comment">
        <span itemprop="author">troll99</span><meta itemprop="datePublished" content="2023-01-01T00:00:00Z">
      </div></div></div>"""
    meta = meta_of(page("", body))
    assert meta.title == "Harbour reopens"
    assert meta.authors == ["Tom Berg"]
    assert meta.published_at == datetime(2022, 11, 30, 6, tzinfo=timezone(timedelta(hours=1)))


# ------------------------------------------------------------------------------------------- dates


def test_related_link_trap() -> None:
    """A <time> in an aside or a related-stories block belongs to another story."""
    body = """
    <aside class="sidebar"><h2>Most read</h2><time datetime="2024-06-01T10:00:00Z">1 June</time></aside>
    <article>
      <h1>Bridge reopens after repairs</h1>
      <div class="related-stories"><time datetime="2024-05-20T08:00:00Z">20 May</time></div>
      <div class="meta"><time datetime="2024-06-03T14:30:00+02:00">3 June 2024, 14:30</time></div>
      <p>The bridge reopened on Monday.</p>
    </article>"""
    meta = meta_of(page("", body))
    assert meta.published_at == datetime(2024, 6, 3, 14, 30, tzinfo=timezone(timedelta(hours=2)))


def test_teaser_cards_are_other_stories() -> None:
    """Dates inside nested <article> cards (teasers) are not the page's date."""
    body = """<main><article class="story">
      <h1>Lake levels at record low</h1>
      <section><article class="card"><time datetime="2020-01-01T00:00:00Z">Jan 1</time></article></section>
      <p class="dateline">Published 12 August 2022 09:05 CEST</p>
    </article></main>"""
    meta = meta_of(page("", body))
    assert meta.published_at == datetime(2022, 8, 12, 9, 5, tzinfo=timezone(timedelta(hours=2)))


def test_a_date_inside_a_link_to_another_page_is_that_pages_date() -> None:
    body = """<article><h1>Berlin confronts its colonial past</h1>
      <a href="https://other.example/story-9">
        <h2>Earlier: a museum debate <span class="date">11.07.2017</span></h2></a>
      <p>Text</p></article>"""
    assert meta_of(page("", body, lang="de"), "https://news.example.com/colonial").published_at is None
    # a blog's permalink around its own date is the page itself
    body = """<article><h1>Berlin confronts its colonial past</h1>
      <a href="/colonial" rel="bookmark"><time datetime="2020-01-19T10:00:00+01:00">19.01.2020</time></a>
      </article>"""
    assert meta_of(page("", body), "https://news.example.com/colonial").published_at == datetime(
        2020, 1, 19, 10, tzinfo=timezone(timedelta(hours=1))
    )


def test_comment_dates_are_not_taken() -> None:
    body = """<article><h1>Ask the expert</h1><p>Body</p></article>
    <section id="comments"><div class="comment">
      <time datetime="2024-02-02T02:02:02Z">2 Feb</time></div></section>"""
    meta = meta_of(page("", body), "https://blog.example.org/ask-the-expert")
    assert meta.published_at is None
    assert "no published date found" in meta.warnings


def test_visible_update_stamps_go_to_modified() -> None:
    body = """<article><h1>Ferry timetable changes</h1>
      <time class="entry-date published" datetime="2019-11-13T08:39:36+01:00">13.11.2019</time>
      <span>Updated: <time datetime="2019-11-14T10:00:00+01:00">14.11.2019</time></span>
      <p>Text</p></article>"""
    meta = meta_of(page("", body, lang="de"))
    assert meta.published_at == datetime(2019, 11, 13, 8, 39, 36, tzinfo=timezone(timedelta(hours=1)))
    assert meta.modified_at == datetime(2019, 11, 14, 10, tzinfo=timezone(timedelta(hours=1)))
    # WordPress marks a never-edited post "published updated" on one element: it is the publication
    body = """<article><h1>Ferry timetable changes</h1>
      <time class="entry-date published updated" datetime="2019-11-13T08:39:36+01:00">13.11.2019</time>
      </article>"""
    assert meta_of(page("", body, lang="de")).published_at == datetime(
        2019, 11, 13, 8, 39, 36, tzinfo=timezone(timedelta(hours=1))
    )


def test_an_update_stamp_alone_stands_in_for_the_publication_with_a_warning() -> None:
    """The stamp stays the update; with no publication date anywhere its day stands in for one (the
    story is no later than its last update), and the warning says so."""
    body = """<article><h1>Nicole wins the award</h1>
      <span class="date">Actualizado el:
        <time datetime="2022-04-19T21:12:57-06:00">19 abril 2022</time></span>
      <p>Text</p></article>"""
    meta = meta_of(page("", body, lang="es"), "https://example.com/nicole")
    assert meta.modified_at == datetime(2022, 4, 19, 21, 12, 57, tzinfo=timezone(timedelta(hours=-6)))
    assert meta.published_at == meta.modified_at
    assert "published_at: only an update stamp is printed; its date stands in" in meta.warnings


def test_table_layout_page_without_headings_or_classes() -> None:
    """1990s templates: the headline in <font><b>, date and byline on the bare line under it."""
    html = """<html><head>
      <title>Wochenblatt Talheim - Brücke am Mühlbach wird ab Montag gesperrt</title></head>
      <body><table><tr><td><a href="/">Startseite</a> | <a href="/lokales.php">Lokales</a></td></tr>
      <tr><td><font size="4"><b>Brücke am Mühlbach wird ab Montag gesperrt</b></font><br>
      <font size="2">14.03.2024, 10:25 Uhr &middot; Von Martina Kessler</font><br>
      <font size="2">TALHEIM. Die Brücke über den Mühlbach wird ab Montag, 18. März, voll gesperrt.</font>
      </td></tr><tr><td>Weitere Meldungen: <font size="1">12.03.2024 Gemeinderat tagt</font></td></tr>
      </table></body></html>"""
    meta = meta_of(html, "http://www.wochenblatt-talheim.de/artikel.php?id=8812")
    assert meta.title == "Brücke am Mühlbach wird ab Montag gesperrt"
    assert meta.authors == ["Martina Kessler"]
    assert meta.published_at == datetime(2024, 3, 14, 10, 25, tzinfo=UTC)
    assert meta.language == "de"


def test_comment_entries_under_the_heading_are_not_the_date() -> None:
    body = """<div><h2>Band 14 / Kapitel 121</h2><div>Links:</div>
      <div>#1 Kommentar von Naru-chan 26. März 2004, 16:19 Danke für dieses Kapitel</div></div>"""
    head = '<meta property="og:title" content="Band 14 / Kapitel 121">'
    assert meta_of(page(head, body, lang="de"), "https://example.ch/news/0409.html").published_at is None


def test_inline_script_text_is_not_read_as_a_date() -> None:
    body = """<article><h1>Voices of the city</h1>
      <div><script>var cached = "2019-01-01T10:00:00Z";</script></div><p>Story text here.</p></article>"""
    assert meta_of(page("", body), "https://example.com/local/c_1125597921.htm").published_at is None


def test_visible_date_in_russian() -> None:
    body = '<article><h1>Заголовок</h1><div class="article-date">7 октября 2016, 19:12</div></article>'
    meta = meta_of(page("", body, lang="ru"), "https://example.ru/news/1")
    assert meta.published_at == datetime(2016, 10, 7, 19, 12, tzinfo=UTC)
    assert any("no time zone" in w for w in meta.warnings)


def test_epoch_in_data_attribute() -> None:
    body = '<article><h1>Title here</h1><span data-timestamp="1475867520000">2h ago</span></article>'
    meta = meta_of(page("", body))
    assert meta.published_at == datetime(2016, 10, 7, 19, 12, tzinfo=UTC)


class TestAmbiguousNumericDates:
    body = '<article><h1>Budget passed</h1><span class="date">03/04/2024</span>{extra}</article>'

    def test_us_english_reads_month_first(self) -> None:
        meta = meta_of(page("", self.body.format(extra=""), lang="en-US"))
        assert meta.published_at == datetime(2024, 3, 4, tzinfo=UTC)
        assert not any("ambiguous" in w for w in meta.warnings)

    def test_british_english_reads_day_first(self) -> None:
        meta = meta_of(page("", self.body.format(extra=""), lang="en-GB"))
        assert meta.published_at == datetime(2024, 4, 3, tzinfo=UTC)

    def test_other_languages_read_day_first(self) -> None:
        meta = meta_of(page("", self.body.format(extra=""), lang="es"))
        assert meta.published_at == datetime(2024, 4, 3, tzinfo=UTC)

    def test_another_date_on_the_page_settles_it(self) -> None:
        extra = '<span class="date">Updated 25/04/2024</span>'
        meta = meta_of(page("", self.body.format(extra=extra), lang="en"), "https://example.com/budget")
        assert meta.published_at == datetime(2024, 4, 3, tzinfo=UTC)
        assert not any("ambiguous" in w for w in meta.warnings)

    def test_still_ambiguous_english_warns(self) -> None:
        meta = meta_of(page("", self.body.format(extra=""), lang="en"), "https://example.com/budget")
        assert meta.published_at == datetime(2024, 3, 4, tzinfo=UTC)
        assert any("ambiguous" in w for w in meta.warnings)

    def test_structured_iso_date_needs_no_guess(self) -> None:
        head = '<meta property="article:published_time" content="2024-04-03T10:00:00Z">'
        meta = meta_of(page(head, self.body.format(extra=""), lang="en"))
        assert meta.published_at == datetime(2024, 4, 3, 10, tzinfo=UTC)


def test_zone_less_structured_date_is_utc_with_a_warning() -> None:
    data = {"@type": "NewsArticle", "headline": "H", "datePublished": "2016-10-07T19:12:00"}
    meta = meta_of(page(ld(data)))
    assert meta.published_at == datetime(2016, 10, 7, 19, 12, tzinfo=UTC)
    assert any("published_at" in w and "UTC assumed" in w for w in meta.warnings)


def test_same_day_stated_more_precisely_elsewhere_wins() -> None:
    data = {"@type": "BlogPosting", "headline": "H", "datePublished": "2020-01-13"}
    head = ld(data) + '<meta property="article:published_time" content="2020-01-13T08:45:00+01:00">'
    meta = meta_of(page(head))
    assert meta.published_at == datetime(2020, 1, 13, 8, 45, tzinfo=timezone(timedelta(hours=1)))
    assert not any("published_at" in w for w in meta.warnings)
    # a different day elsewhere is a different claim, not more precision
    head = ld(data) + '<meta property="article:published_time" content="2020-01-12T08:45:00+01:00">'
    assert meta_of(page(head)).published_at == datetime(2020, 1, 13, tzinfo=UTC)


def test_modified_before_published_is_dropped() -> None:
    head = (
        '<meta property="article:published_time" content="2013-07-19T17:08:44+00:00">'
        '<meta property="article:modified_time" content="2013-07-19T13:08:57+00:00">'
    )
    meta = meta_of(page(head))
    assert meta.published_at == datetime(2013, 7, 19, 17, 8, 44, tzinfo=UTC)
    assert meta.modified_at is None
    assert meta.warnings == ["modified_at earlier than published_at; dropped"]


def test_future_date_is_skipped_for_the_next_source() -> None:
    future = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    head = (
        f'<meta property="article:published_time" content="{future}">'
        '<meta name="dc.date" content="2020-02-02T12:00:00Z">'
    )
    meta = meta_of(page(head))
    assert meta.published_at == datetime(2020, 2, 2, 12, tzinfo=UTC)
    assert any("future" in w for w in meta.warnings)


def test_date_from_url_as_last_resort() -> None:
    meta = meta_of(page("", "<h1>Headline</h1>"), "https://example.com/2019/03/14/pi-day/")
    assert meta.published_at == datetime(2019, 3, 14, tzinfo=UTC)
    assert any("URL" in w for w in meta.warnings)


# ------------------------------------------------------------------------------------------- paywall


@pytest.mark.parametrize(
    ("head", "body", "paywalled"),
    [
        (ld({"@type": "NewsArticle", "headline": "H", "isAccessibleForFree": False}), "", True),
        (ld({"@type": "NewsArticle", "headline": "H", "isAccessibleForFree": "False"}), "", True),
        (ld({"@type": "NewsArticle", "headline": "H", "isAccessibleForFree": True}), "", False),
        (
            ld(
                {
                    "@type": "NewsArticle",
                    "headline": "H",
                    "hasPart": {
                        "@type": "WebPageElement",
                        "isAccessibleForFree": "false",
                        "cssSelector": ".paid",
                    },
                }
            ),
            "",
            True,
        ),
        ('<meta name="article:content_tier" content="locked">', "", True),
        ('<meta property="article:content_tier" content="metered">', "", True),
        ('<meta property="article:content_tier" content="free">', "", False),
        ("", '<article><h1>Story</h1><div class="paywall">Subscribe to read</div></article>', True),
        ("", "<article><h1>Story</h1><p>All free.</p></article>", False),
    ],
)
def test_paywall(head: str, body: str, paywalled: bool) -> None:
    assert meta_of(page(head, body)).paywalled is paywalled


# ------------------------------------------------------------------------------------------- types, lang


@pytest.mark.parametrize(
    ("head", "page_type"),
    [
        (ld({"@type": "LiveBlogPosting", "headline": "Live: election night"}), "liveblog"),
        (ld({"@type": ["NewsArticle", "ReportageNewsArticle"], "headline": "H"}), "article"),
        (ld({"@type": "CollectionPage", "name": "World news"}), "listing"),
        ('<meta property="og:type" content="video.other">', "video"),
        ('<meta property="og:type" content="website">', "website"),
        ("", None),
    ],
)
def test_page_type(head: str, page_type: str | None) -> None:
    assert meta_of(page(head)).page_type == page_type


@pytest.mark.parametrize(
    ("html", "language"),
    [
        ('<html lang="de-DE"><head></head><body></body></html>', "de"),
        ('<html><head><meta property="og:locale" content="fr_FR"></head><body></body></html>', "fr"),
        ('<html><head><meta http-equiv="content-language" content="ru"></head><body></body></html>', "ru"),
        ('<html><head><meta name="language" content="Deutsch"></head><body></body></html>', "de"),
        ('<html lang="zh-Hans-CN"><head></head><body></body></html>', "zh"),
    ],
)
def test_language(html: str, language: str) -> None:
    assert meta_of(html).language == language


@pytest.mark.parametrize(
    ("paragraphs", "language"),
    [
        (
            "Die Stadt hat am Montag beschlossen, dass die Brücke nicht mehr für den Verkehr geöffnet wird. "
            "Es ist auch unklar, wann sie wieder aufgemacht werden kann.",
            "de",
        ),
        (
            "The council decided on Monday that the bridge will not be opened to traffic again this year, "
            "and it is not clear when work on it can start.",
            "en",
        ),
        (
            "Le conseil a décidé lundi que le pont ne sera pas rouvert à la circulation cette année, et il "
            "est pas encore clair quand les travaux pourront commencer.",
            "fr",
        ),
        ("市议会周一决定，这座桥今年将不再开放通行，目前还不清楚何时能够开始施工。", "zh"),
        ("Городской совет в понедельник решил, что мост не будет открыт для движения в этом году.", "ru"),
    ],
)
def test_language_guessed_from_text_when_undeclared(paragraphs: str, language: str) -> None:
    html = f"<html><head><title>T</title></head><body><h1>T</h1><p>{paragraphs}</p></body></html>"
    meta = meta_of(html)
    assert meta.language == language
    assert any("guessed" in w for w in meta.warnings)


def test_template_default_english_overruled_by_clearly_german_text() -> None:
    text = (
        "Die Stadt hat am Montag beschlossen, dass die Brücke nicht mehr für den Verkehr geöffnet wird. "
        "Es ist auch unklar, wann sie wieder aufgemacht werden kann, sagte der Bürgermeister, und die "
        "Anwohner sind mit dem Ergebnis nicht zufrieden, weil sie sich auf eine schnelle Lösung gefreut "
        "hatten. Die Bauarbeiten werden von einer Firma aus der Region übernommen, die auch im Sommer "
        "an der Straße gearbeitet hat."
    )
    body = f'<article><h1>Brücke gesperrt</h1><p>{text}</p><span class="date">03/04/2024</span></article>'
    meta = meta_of(page("", body, lang="en-US"), "https://example.com/bruecke")
    assert meta.language == "de"
    assert any("declared 'en'" in w for w in meta.warnings)
    assert meta.published_at == datetime(2024, 4, 3, tzinfo=UTC)  # German order once the language is known
    english = "The council said on Monday that the bridge will stay closed, and residents are not happy. " * 3
    body = f"<article><h1>Bridge closed</h1><p>{english} Das ist nicht gut, sagte er.</p></article>"
    assert meta_of(page("", body, lang="en-US")).language == "en"


def test_too_little_text_gives_no_language_guess() -> None:
    assert meta_of("<html><body><p>OK</p></body></html>").language is None


def test_empty_and_odd_pages_do_not_crash() -> None:
    odd = (
        "<html></html>",
        "<p>just text</p>",
        page(ld([]) + ld("x") + ld({"@graph": None}) + ld({"@type": ["NewsArticle"], "author": [[None]]})),
        page(
            ld(
                {
                    "@type": "NewsArticle",
                    "headline": {"@value": 3},
                    "datePublished": 20240101,
                    "image": [[]],
                    "inLanguage": {"name": None},
                    "isAccessibleForFree": None,
                }
            )
        ),
        page('<meta property="og:image" content="javascript:alert(1)"><link rel="canonical" href="">'),
    )
    for html in odd:
        meta = meta_of(html, None)
        assert isinstance(meta, PageMetadata)
        assert not [w for w in meta.warnings if w.startswith("metadata:")], meta.warnings
        assert meta.top_image is None and meta.canonical_url is None


# ------------------------------------------------------------------------- visible-only dates (issue 7)
FIXTURES = Path(__file__).parent / "fixtures" / "metadata"
VALLEY_URL = "http://www.valleycourier.example/news/water-rates.html"


def fixture_meta(name: str, url: str | None, **kwargs: object) -> PageMetadata:
    return extract_metadata(lxml.html.parse(str(FIXTURES / name)).getroot(), url, **kwargs)  # type: ignore[arg-type]


def test_table_layout_published_line_under_the_byline_is_the_date() -> None:
    """Issue 7: no JSON-LD, no meta, no class names; only "Published: Sunday, May 12, 2024" printed under
    the byline, with the masthead's, the sidebar teasers' and the copyright line's dates around it."""
    meta = fixture_meta("table_layout_published_line.html", VALLEY_URL)
    assert meta.published_at == datetime(2024, 5, 12, tzinfo=UTC)
    assert meta.title == "County board approves new water rates"
    assert meta.authors == ["Margaret Ellison"]


def _story(dateline: str, lang: str = "en", before: str = "") -> str:
    body = (
        f"<div class='story'>{before}<h1>Water rates rise for the first time in five years</h1>"
        f"<div>{dateline}</div><p>{'The county board voted on Thursday night. ' * 8}</p></div>"
        "<div class='footer'><p>© 2023 The Courier. Posted 01/02/2023</p></div>"
    )
    return page("<title>Water rates rise for the first time in five years</title>", body, lang)


@pytest.mark.parametrize(
    ("line", "lang", "expected"),
    [
        ("By Jane Doe<br>Published: Sunday, May 12, 2024", "en", datetime(2024, 5, 12, tzinfo=UTC)),
        ("12.05.2024, 14:30 Uhr", "de", datetime(2024, 5, 12, 14, 30, tzinfo=UTC)),
        ("Veröffentlicht am 12. Mai 2024, 14:30 Uhr", "de", datetime(2024, 5, 12, 14, 30, tzinfo=UTC)),
        ("Erschienen am 12.05.2024 · Von Martina Kessler", "de", datetime(2024, 5, 12, tzinfo=UTC)),
        ("May 12, 2024 at 3:04 p.m. ET", "en", datetime(2024, 5, 12, 19, 4, tzinfo=UTC)),
        ("Jane Doe | May 12, 2024 at 3:04 p.m. ET", "en", datetime(2024, 5, 12, 19, 4, tzinfo=UTC)),
        ("Publié le 12 mai 2024 à 14h30", "fr", datetime(2024, 5, 12, 14, 30, tzinfo=UTC)),
        ("le 12 mai 2024 à 14h30", "fr", datetime(2024, 5, 12, 14, 30, tzinfo=UTC)),
        ("Publicado el 12 de mayo de 2024", "es", datetime(2024, 5, 12, tzinfo=UTC)),
        ("domingo, 12 de mayo de 2024 - 14:30", "es", datetime(2024, 5, 12, 14, 30, tzinfo=UTC)),
    ],
)
def test_printed_header_dates_in_four_languages(line: str, lang: str, expected: datetime) -> None:
    meta = meta_of(_story(line, lang))
    assert meta.published_at == expected


def test_update_stamp_is_the_modified_date_not_the_publication() -> None:
    meta = meta_of(_story("Publié le 12 mai 2024 à 14h30 | Mis à jour le 13 mai 2024 à 09h05", "fr"))
    assert meta.published_at == datetime(2024, 5, 12, 14, 30, tzinfo=UTC)
    assert meta.modified_at == datetime(2024, 5, 13, 9, 5, tzinfo=UTC)


def test_relative_stamps_count_back_from_the_fetch_time() -> None:
    fetched = datetime(2024, 5, 12, 18, 0, tzinfo=UTC)
    html = _story("Posted 5 hours ago · Updated 3 hours ago")
    meta = extract_metadata(lxml.html.document_fromstring(html), STORY_URL, fetched_at=fetched)
    assert meta.published_at == datetime(2024, 5, 12, 13, 0, tzinfo=UTC)
    assert meta.modified_at == datetime(2024, 5, 12, 15, 0, tzinfo=UTC)
    german = _story("Veröffentlicht vor 2 Tagen", "de")
    meta = extract_metadata(lxml.html.document_fromstring(german), STORY_URL, fetched_at=fetched)
    assert meta.published_at == datetime(2024, 5, 10, tzinfo=UTC)


def test_dates_in_prose_copyright_and_above_the_masthead_are_not_the_publication() -> None:
    # a date deep inside a sentence is the story's subject; "©" and the footer are the site's
    prose = "The council first met on 12 March 2019 and has not raised rates since then, officials said."
    masthead = "<div>Tuesday, May 14, 2024</div><div>Weather: 21°C</div><div>Subscribe</div><div>Home</div>"
    meta = meta_of(_story(prose, before=masthead))
    assert meta.published_at is None


def _footer_dated_story(footer: str, after: str = "") -> str:
    # a long story: its footer is beyond every window our own readers scan around the heading
    paragraphs = "".join(f"<p>Paragraph {i} of the story, long enough to be read.</p>" for i in range(700))
    body = (
        f"<article><h1>Was das Christkind mit Sprachgeschichte zu tun hat</h1>{paragraphs}"
        f"<footer class='entry-footer'>{footer}</footer></article>{after}"
    )
    return page("<title>Was das Christkind mit Sprachgeschichte zu tun hat</title>", body, "de")


def test_htmldate_reads_the_story_container_when_our_readers_find_nothing() -> None:
    # the date sits in the article's footer, far below the heading's lines
    html = _footer_dated_story("<span class='posted-on'>14. November 2019</span>")
    meta = meta_of(html, "https://blog.example.org/christkind")
    assert meta.published_at == datetime(2019, 11, 14, tzinfo=UTC)
    assert "published_at found by htmldate (date only)" in meta.warnings


def test_htmldate_never_sees_comments_teasers_or_update_stamps() -> None:
    comments = (
        "<section class='comments'><div class='comment'><span class='date'>3. Dezember 2019</span>"
        "</div></section>"
    )
    teaser = "<a href='https://blog.example.org/other'><span class='date'>1. Oktober 2019</span></a>"
    html = _footer_dated_story(f"{teaser}<span class='updated'>2. Dezember 2019</span>", after=comments)
    assert meta_of(html, "https://blog.example.org/christkind").published_at is None


@pytest.mark.parametrize(
    ("line", "lang", "authors"),
    [
        ("April 12, 2020 by Jane Doe", "en", ["Jane Doe"]),
        ("By Rob Picheta, CNN<br>Updated 2010 GMT (0410 HKT) March 14, 2021", "en", ["Rob Picheta"]),
        ("12.05.2024 | Text: Martina Kessler", "de", ["Martina Kessler"]),
        ("Publié le 12 mai 2024 par Jacques Munier", "fr", ["Jacques Munier"]),
        ("Por Alex Durán<br>Publicado el 12 de mayo de 2024", "es", ["Alex Durán"]),
    ],
)
def test_plain_byline_lines_under_the_heading(line: str, lang: str, authors: list[str]) -> None:
    assert meta_of(_story(line, lang)).authors == authors


def test_a_sentence_that_mentions_by_is_not_a_byline() -> None:
    line = "The plan, backed by Mayor Dennis Hallorann and most of the board, passed on Thursday night."
    assert meta_of(_story(line)).authors == []


# -------------------------------------------------------- structured values checked against the page
def _structured_story(ld_date: str | None, ld_author: str | None, printed_date: str, byline: str) -> str:
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Harbour tunnel opens two years late",
    }
    if ld_date:
        data["datePublished"] = ld_date
    if ld_author:
        data["author"] = {"@type": "Person", "name": ld_author}
    printed = f"<p>Published: <time class='published'>{printed_date}</time></p>"
    body = (
        f"<article><h1>Harbour tunnel opens two years late</h1><p class='byline'>By {byline}</p>{printed}"
        f"<p>{'The tunnel opened to traffic on Monday morning. ' * 6}</p></article>"
    )
    return page(ld(data), body)


def test_structured_values_that_agree_with_the_page_are_kept_with_their_precision() -> None:
    meta = meta_of(_structured_story("2024-05-12T08:30:00+02:00", "Jane Doe", "May 12, 2024", "Jane Doe"))
    assert meta.published_at == datetime(2024, 5, 12, 8, 30, tzinfo=timezone(timedelta(hours=2)))
    assert meta.authors == ["Jane Doe"]
    assert not [w for w in meta.warnings if "contradict" in w]


def test_structured_values_of_another_story_lose_to_the_printed_ones() -> None:
    # JSON-LD left over from another story (or a template default): another date, another writer
    meta = meta_of(_structured_story("2019-01-01T00:00:00Z", "Site Admin Team", "May 12, 2024", "Jane Doe"))
    assert meta.published_at == datetime(2024, 5, 12, tzinfo=UTC)
    assert meta.authors == ["Jane Doe"]
    assert len([w for w in meta.warnings if "contradict" in w]) == 2


def test_a_zone_shift_or_a_day_month_reading_is_no_contradiction() -> None:
    # 23:30 UTC is already the next day in Berlin; 05/12 read the other way round is the same date
    meta = meta_of(_structured_story("2024-05-11T23:30:00Z", "Jane Doe", "12.05.2024", "Jane Doe"))
    assert meta.published_at == datetime(2024, 5, 11, 23, 30, tzinfo=UTC)
    meta = meta_of(_structured_story("2024-12-05T10:00:00Z", "Jane Doe", "05/12/2024", "Jane Doe"))
    assert meta.published_at == datetime(2024, 12, 5, 10, 0, tzinfo=UTC)


def test_visible_values_stand_in_when_structured_ones_are_absent() -> None:
    meta = meta_of(_structured_story(None, None, "May 12, 2024", "Jane Doe"))
    assert meta.published_at == datetime(2024, 5, 12, tzinfo=UTC)
    assert meta.authors == ["Jane Doe"]


def test_a_lone_word_in_the_byline_does_not_overrule_the_structured_author() -> None:
    meta = meta_of(_structured_story("2024-05-12T08:30:00Z", "Jane Doe", "May 12, 2024", "Bosch"))
    assert meta.authors == ["Jane Doe"]


def test_layout_wrappers_named_after_a_sidebar_still_hold_the_story() -> None:
    # "content-sidebar-wrap" holds the story and its sidebar; "sidebar-off" says the page has none. The
    # <title> words it differently, so only the <h1> outside "other" blocks can anchor the header
    for wrapper in ("content-sidebar-wrap", "post-wrap sidebar-off"):
        teaser = "<article class='card'><h2>Ferry fares</h2><p>Veröffentlicht am 01.01.2020</p></article>"
        body = (
            f"{teaser}<div class='{wrapper}'><main><article><header>"
            "<h1>Harbour tunnel opens two years late</h1><p>Veröffentlicht am 12.05.2024</p></header>"
            "<p>Text.</p></article></main></div>"
        )
        meta = meta_of(page("<title>Tunnel: two years late, finally open | Site</title>", body, "de"))
        assert meta.published_at == datetime(2024, 5, 12, tzinfo=UTC), wrapper


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("Author: Jacopo Cascioli Published: 03 December 2019", ["Jacopo Cascioli"]),
        ("Posted on 28 Juli 2019 <span class='author'>AuthorAndreas Kalt</span>", ["Andreas Kalt"]),
        ("<span class='kicker'>Eine Analyse von</span>", []),
        ("<div class='byline'><a href='/jacob-wade-5085380'>Full Bio</a></div>", []),
        ("<div class='author'><a href='/autoren/eva-roth'>Zur Biografie</a></div>", []),
        (
            "<div class='byline'><a class='byline-article-type' href='/features/'>Features</a> By "
            "<span class='author-name'>Tom Francis</span> published 9 August 2012</div>",
            ["Tom Francis"],
        ),
    ],
)
def test_byline_labels_glued_or_alone_are_not_names(line: str, authors: list[str]) -> None:
    assert meta_of(_story(line)).authors == authors


def test_an_unclosed_title_that_swallowed_the_head_keeps_only_its_words() -> None:
    html = (
        "<html><head><title>Gale to drive Nationwide car in 2008 <script>var OAS = {pos: 1};</script>"
        "<link rel='stylesheet' href='/a.css'></head><body><p>Gale will drive the car.</p></body></html>"
    )
    assert meta_of(html).title == "Gale to drive Nationwide car in 2008"


def test_a_date_linking_to_its_day_archive_is_the_story_date() -> None:
    """ "Mi, 18. Oktober 2023" linking to /archiv/2023/10/18 is the story's own date; the teasers below,
    whose links end in a story's slug, keep theirs."""
    meta = fixture_meta(
        "day_archive_date_link.html", "https://www.suedkurier-bote.example/lokales/studierende-suchen-zimmer"
    )
    assert meta.published_at == datetime(2023, 10, 18, 12, 50, tzinfo=UTC)
    assert meta.authors == ["Lisa Berger"]


def test_htmldate_reads_beyond_a_title_only_article_when_it_holds_no_date() -> None:
    """The <article> holds only the heading; the date is printed in a sibling block. htmldate, confined
    to the article first, then reads the cleaned body (footer, sidebars and teasers removed)."""
    url = "https://news.university.example/news/robot-draws-blood"
    meta = fixture_meta("date_outside_story_article.html", url)
    assert meta.published_at == datetime(2020, 2, 5, tzinfo=UTC)
    # the date is the page's one date-classed element, read before htmldate; without its class name
    # only htmldate finds it, beyond the title-only article
    page = (FIXTURES / "date_outside_story_article.html").read_text("utf-8")
    unnamed = page.replace('<p class="date">', "<p>").replace("date-wrapper", "wrapper")
    assert unnamed != page
    meta = extract_metadata(lxml.html.document_fromstring(unnamed), url)
    assert meta.published_at == datetime(2020, 2, 5, tzinfo=UTC)
    assert "published_at found by htmldate (date only)" in meta.warnings


def test_wordpress_term_classes_do_not_make_the_post_a_sidebar() -> None:
    """post_class() prints the post's tags as classes ("tag-insurance_health_social"): a topic word
    ("social") there says nothing about the block, which is the story itself, date included."""
    meta = fixture_meta("wordpress_term_classes.html", "https://www.digitale-praxis.example/ki-china-teil-2/")
    assert meta.published_at == datetime(2018, 10, 24, tzinfo=UTC)


def test_a_byline_and_date_in_the_story_footer_far_below_the_heading() -> None:
    """The <h1> sits deep in a hero block; the byline is an author-page link and the date a <time> in
    the story's own footer ("article-footer", no <article> around it), below the text."""
    meta = fixture_meta(
        "byline_far_from_heading.html", "https://strangemachines.example/articles/performant-python"
    )
    assert meta.authors == ["Jacopo Cascioli"]
    assert meta.published_at == datetime(2019, 12, 3, tzinfo=UTC)


def test_author_links_naming_many_people_are_a_list_not_a_byline() -> None:
    teasers = "".join(
        f"<li><a href='/other-story-{i}'>Story {i}</a> by <a href='/author/{n.lower()}'>{n} Doe</a></li>"
        for i, n in enumerate(("Jane", "John", "Mary", "Peter", "Anna"))
    )
    body = (
        "<div class='hero'><div><div><div><div><div><h1>Council approves the budget</h1>"
        "</div></div></div></div></div></div>"
        f"<div class='text'><p>{'The council voted on Thursday. ' * 12}</p></div>"
        f"<ul class='latest'>{teasers}</ul>"
    )
    meta = meta_of(page("<title>Council approves the budget</title>", body, "en"))
    assert meta.authors == []


def test_a_byline_box_with_share_buttons_in_a_wrapper_named_after_a_banner() -> None:
    """ "author-sharing-line" is the byline (its share buttons beside it), and "below-banner" names the
    wrapper's neighbour: neither makes the story's header a share bar or an ad banner."""
    meta = fixture_meta(
        "byline_beside_share_buttons.html",
        "https://www.fit-magazin.example/news/lebensmittel-soziale-aengste-531297.html",
    )
    assert meta.authors == ["Mathilda Trausch"]
    assert meta.published_at == datetime(2022, 12, 26, tzinfo=UTC)


def _widget(inner: str) -> str:
    """One page-builder widget: the four wrappers Elementor puts around every block."""
    return (
        "<div class='elementor-element elementor-widget'><div class='elementor-widget-container'>"
        f"<div class='elementor-text-editor'><div class='elementor-clearfix'>{inner}</div></div></div></div>"
    )


def test_a_byline_in_the_next_page_builder_widget_after_the_heading() -> None:
    """Page builders wrap every block in its own stack of <div>s: five levels above the heading is
    still the heading's wrapper, and the byline and date are the next widget's."""
    columns = (
        "<section class='elementor-section'><div class='elementor-container'>"
        f"<div class='elementor-column'><div class='elementor-column-wrap'>{_widget('<h1>Schnee ohne Fußabdruck</h1>')}"
        f"</div></div><div class='elementor-column'><div class='elementor-column-wrap'>"
        f"{_widget('<p>von Jennifer Koutni</p><p>Veröffentlicht am 12.01.2023</p>')}</div></div></div></section>"
        f"<section class='elementor-section'>{_widget('<p>' + 'Der Winter ist da. ' * 30 + '</p>')}</section>"
    )
    meta = meta_of(
        page("<title>Schnee ohne Fußabdruck</title>", columns, "de"), "https://magazin.example/schnee/"
    )
    assert meta.authors == ["Jennifer Koutni"]
    assert meta.published_at == datetime(2023, 1, 12, tzinfo=UTC)


def test_an_embedded_social_post_date_is_not_the_story_date() -> None:
    """An Instagram or Twitter embed prints its own post's author and date near the top of the story."""
    body = (
        "<article><h1>Adele zeigt sich schlanker denn je</h1>"
        "<blockquote class='instagram-media'><p>A post shared by Spice Girls (@spicegirls) on "
        "<time>Jun 16, 2019 at 7:30am PDT</time></p></blockquote>"
        "<p>" + "Die Sängerin feierte mit den Spice Girls. " * 20 + "</p>"
        "<div class='article-date'>20.06.2019</div></article>"
    )
    meta = meta_of(
        page("<title>Adele zeigt sich schlanker denn je</title>", body, "de"), "https://mag.example/adele"
    )
    assert meta.published_at == datetime(2019, 6, 20, tzinfo=UTC)


def test_a_date_in_the_story_s_own_side_column_inside_its_article() -> None:
    """Magazine layouts print the date in a side column of the story's own <article> ("Tech-Sidebar",
    ``<aside class="article-body__aside">``); a related-stories list there stays someone else's."""
    body = (
        "<article class='post-main'><h1>Las marcas que dificultan tus apps</h1>"
        "<div class='section'><div class='tech-sidebar'><div class='sticky'>"
        "<span class='tech-date'>27 de agosto 2019</span></div></div>"
        "<div class='content'><p>" + "Aunque muchas veces crees que el problema es tuyo. " * 15 + "</p></div>"
        "<aside class='related-stories'><span class='date'>3 de enero 2018</span></aside></div></article>"
    )
    meta = meta_of(
        page("<title>Las marcas que dificultan tus apps</title>", body, "es"), "https://tech.example/apps"
    )
    assert meta.published_at == datetime(2019, 8, 27, tzinfo=UTC)


def test_a_related_list_inside_the_article_is_still_another_story_s() -> None:
    body = (
        "<article><h1>Las marcas que dificultan tus apps</h1>"
        "<p>" + "Aunque muchas veces crees que el problema es tuyo. " * 15 + "</p>"
        "<aside class='sidebar-related'><span class='date'>3 de enero 2018</span></aside></article>"
    )
    meta = meta_of(
        page("<title>Las marcas que dificultan tus apps</title>", body, "es"), "https://tech.example/apps"
    )
    assert meta.published_at is None
