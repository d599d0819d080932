"""Visible-only metadata (issue 7 item 4): bylines and dates a page prints with no structured copy.

Every page here carries no JSON-LD, no ``<meta>`` author or date and no ``<time datetime>``: what the
reader sees is all there is, as ``bench/metadata_eval.py`` measures on the dev sets.
"""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html

from scrapers.metadata import PageMetadata, extract_metadata

URL = "https://news.example.org/politik/wasserpreise-steigen-123.html"
TITLE = "Wasserpreise steigen zum ersten Mal seit fünf Jahren"
PARAGRAPHS = "<p>" + "Der Kreistag hat am Donnerstagabend neue Gebühren beschlossen. " * 8 + "</p>"


def meta_of(header: str, title: str = TITLE, url: str | None = URL, after: str = "") -> PageMetadata:
    html = (
        f"<!doctype html><html lang='de'><head><title>{title} | Kreisbote</title></head><body>"
        "<nav class='main-nav'><a href='/'>Start</a><a href='/politik/'>Politik</a></nav>"
        f"<article class='story'><h1>{title}</h1>{header}{PARAGRAPHS}{after}</article>"
        "<footer class='site-footer'><p>© 2024 Kreisbote Verlag</p></footer></body></html>"
    )
    return extract_metadata(lxml.html.document_fromstring(html), url)


def test_byline_inside_the_share_bar_is_the_story_byline() -> None:
    header = (
        "<div class='metadata'><div class='social_icons'><a class='facebook' href='#'></a>"
        "<div class='author_date'><span class='author'><a rel='author' href='/my,9980.html'>Christian Kahle"
        "</a>, </span><a class='date' href='/archiv/2023/11/03/'>03.11.2023 15:32 Uhr</a></div></div></div>"
    )
    assert meta_of(header).authors == ["Christian Kahle"]


def test_byline_in_the_story_side_column_is_the_story_byline() -> None:
    header = (
        "<div class='Tech-Sidebar col_1_4'><div class='sticky'><span class='Tech-Author'>"
        "<a href='/autor/alberto-avila/'>Alberto Ávila</a></span></div></div>"
    )
    assert meta_of(header).authors == ["Alberto Ávila"]


def test_byline_box_gluing_name_role_and_date_gives_the_name() -> None:
    """Each text piece of a byline box read apart: "Jeff Latzke AP Sports Writer Dec. 31, 2007"."""
    header = (
        "<p class='story' id='mainByline'><strong>Jeff Latzke</strong><br>AP Sports Writer<br>"
        "Dec. 31, 2007 11:14 AM</p>"
    )
    assert meta_of(header).authors == ["Jeff Latzke"]
    avatars = (
        "<div class='autor'>\n <div class='item'>\n  <span class='avatar'>LP</span>\n  <div class='name'>"
        "Luana Patriolino</div>\n </div>\n <div class='item'>\n  <span class='avatar'>RF</span>\n  "
        "<div class='name'>Raphael Felice</div>\n </div>\n</div>"
    )
    assert meta_of(avatars).authors == ["Luana Patriolino", "Raphael Felice"]
    glued = "<div class='author-box'><b>Christoph Hein</b><i>Chefredakteur</i><span>12.01.2022</span></div>"
    assert meta_of(glued).authors == ["Christoph Hein"]


def test_photo_credit_and_links_after_a_label_in_a_byline_box_are_not_authors() -> None:
    header = (
        "<div class='byline'><span>Foto:</span> <b>Anna Roe</b><span>Jane Doe</span><br>Redakteurin</div>"
    )
    assert meta_of(header).authors == ["Jane Doe"]
    search = (
        "<div class='author-box'>\n<h3>Elizabeth Gibney</h3>\n<p>Search for this author in:</p>\n"
        "<a href='https://pubmed.example/'>Pub Med</a>\n<a href='https://scholar.example/'>Google Scholar</a></div>"
    )
    assert meta_of(search).authors == ["Elizabeth Gibney"]


def test_kicker_before_the_byline_word_is_not_a_name_but_a_particle_is() -> None:
    kicker = (
        "<div class='autor-wrapper'>Disko <span class='autor'>Von <a href='/autor/el'>Ernst Lohoff</a></span>"
        "</div>"
    )
    assert meta_of(kicker).authors == ["Ernst Lohoff"]
    particle = "<div class='byline'><span class='author'>Christoph von Eichhorn</span></div>"
    assert meta_of(particle).authors == ["Christoph von Eichhorn"]


def test_a_full_name_beats_a_category_printed_in_a_byline_class() -> None:
    header = (
        "<div class='byline byline-2'><div class='byline-part cats'>Wein &amp; Geschmack</div>"
        "<span class='byline-part date'>14. Oktober 2021</span></div>"
        "<div class='saboxplugin-authorname'><a class='vcard author' href='/author/sb/'>Susanne Börsch</a></div>"
    )
    assert meta_of(header).authors == ["Susanne Börsch"]


def test_name_with_its_email_address_is_a_byline() -> None:
    header = "<p class='is-size-7'><b><a>Johnny Castro</a></b> johnny.castro@example.net | Viernes 22 abril, 2022</p>"
    assert meta_of(header).authors == ["Johnny Castro"]


def test_outlet_after_for_and_a_capitalised_and_split_the_names() -> None:
    header = "<p class='byline'>By Glen Owen And Brendan Carlin For The Mail On Sunday</p>"
    assert meta_of(header).authors == ["Glen Owen", "Brendan Carlin"]


def test_labels_and_glued_roles_are_not_names() -> None:
    header = (
        "<div class='author-info'><a href='/logout'>Sign Out</a><span>Publicado el</span>"
        "<span>Ingo ArztRedakteur</span></div>"
    )
    assert meta_of(header).authors == []


def test_published_line_still_read_beside_the_new_byline_readers() -> None:
    meta = meta_of(
        "<p class='story' id='mainByline'><strong>Jeff Latzke</strong><br>Dec. 31, 2007 11:14 AM</p>"
    )
    assert meta.published_at == datetime(2007, 12, 31, 11, 14, tzinfo=UTC)


def test_a_labelled_publication_in_a_date_element_beats_a_bare_date_beside_it() -> None:
    """A bare "02.01.23 09:51" (the last edit) printed before "Veröffentlicht: 26.12.2022"."""
    header = (
        "<div class='article-info'><span class='date'>02.01.23</span> <span class='time'>09:51</span>"
        "<span class='date'>Veröffentlicht: 26.12.2022</span></div>"
    )
    assert meta_of(header).published_at == datetime(2022, 12, 26, tzinfo=UTC)


def test_a_line_naming_another_field_before_its_date_is_not_the_publication() -> None:
    """An event page: "Termin: 21.02.2020, 19 Uhr" is the event, not when the page was published."""
    header = "<p>Termin: 21.02.2020, 19 Uhr<br>Ort: Rosis Bar, Halle</p>"
    assert meta_of(header).published_at is None
    labelled = "<p>Datum: 12.05.2024</p>"
    assert meta_of(labelled).published_at == datetime(2024, 5, 12, tzinfo=UTC)


def test_a_wrapper_named_for_its_sidebar_position_is_layout_not_a_sidebar() -> None:
    html = (
        "<html><head><title>Fünf Frauen aus der Sportwelt | Magazin</title></head><body>"
        "<header class='page-title'><h1>Fünf Frauen aus der Sportwelt</h1></header>"
        "<div class='vw-page-wrapper clearfix vw-sidebar-position-right'><div class='vw-page-content'>"
        "<article class='post type-post'><div class='vw-post-meta'>"
        "<a class='author-name author' href='/ueber-uns/cs/'>Carolin Schäufele</a></div>"
        f"{PARAGRAPHS}</article></div><aside class='sidebar'><a href='/autor/x'>Ola Nordmann</a></aside>"
        "</div></body></html>"
    )
    assert extract_metadata(lxml.html.document_fromstring(html), URL).authors == ["Carolin Schäufele"]


def test_author_box_name_far_below_the_heading_when_no_byline_is_printed_above() -> None:
    """Past the header region's window (a long story): the author box's name element still names her."""
    story = (
        "<p>Die <b>Drohne</b> kam dem <i>Flugzeugträger</i> nahe, <a href='/thema/iran'>Iran</a>.</p>" * 250
    )
    box = (
        "<div class='elementor-author-box'><div class='elementor-author-box__text'><div>"
        "<h4 class='elementor-author-box__name'> Heinz Steiner </h4></div>"
        "<div class='elementor-author-box__bio'>Schreibt über Sicherheitspolitik.</div></div></div>"
    )
    assert meta_of("", after=story + box).authors == ["Heinz Steiner"]


def _personal_site(footer: str, figure: str = "") -> PageMetadata:
    html = (
        "<html><head><title>Kleine Schafskunde</title></head><body><div id='page' class='hfeed'>"
        f"<div id='main'><h1>Kleine Schafskunde</h1>{figure}{PARAGRAPHS}</div>"
        f"<footer id='colophon'><div id='site-generator'>{footer}</div></footer></div></body></html>"
    )
    return extract_metadata(lxml.html.document_fromstring(html), "http://www.schafe.example/kunde/")


def test_a_personal_sites_copyright_holder_is_the_author_when_no_byline_is_printed() -> None:
    meta = _personal_site(
        "© 2009-2012 Jonathan Krase. <a href='/impressum'>Impressum</a> Proudly powered by WordPress"
    )
    assert meta.authors == ["Jonathan Krase"]
    assert any("copyright holder" in w for w in meta.warnings)
    by = _personal_site(
        "Webdesign und alle Inhalte © by <a href='mailto:r@example.org'>Ralf Glaser</a> | Impressum"
    )
    assert by.authors == ["Ralf Glaser"]
    # the site's name, then its holder: "© 2019 nh24 by Alexander Wittke"
    assert _personal_site("© 2019 nh24 by <a target='_blank'>Alexander Wittke</a>").authors == [
        "Alexander Wittke"
    ]


def test_a_photo_credit_or_a_company_in_the_copyright_line_is_not_the_author() -> None:
    credit = "<figure><img src='/schaf.jpg'><figcaption>Ein Schaf. © Lisa Niekel</figcaption></figure>"
    assert _personal_site("Kontakt | Impressum", figure=credit).authors == []
    assert _personal_site("© 2024 The Valley Courier. All rights reserved.").authors == []
    assert _personal_site("Copyright © 2020 John Smith Photography").authors == []


def test_full_name_beside_the_date_is_the_byline_without_a_byline_word() -> None:
    """ "Swantje Schemmerling | 06.11.23" under the heading names the author; a section name beside the
    date ("Politik | 06.11.23") is a kicker, not a person."""
    named = meta_of("<div class='article-detailed--date'> Swantje Schemmerling | 06.11.23</div>")
    assert named.authors == ["Swantje Schemmerling"]
    assert meta_of("<div class='article-date'>1. Februar 2022 , Daniel Dillenburg</div>").authors == [
        "Daniel Dillenburg"
    ]
    assert meta_of("<div class='article-detailed--date'>Politik | 06.11.23</div>").authors == []


def test_dateline_opening_the_first_paragraph_is_the_published_date() -> None:
    """A long first paragraph that opens "06.11.23 - Sensation ..." carries the story's date; a dash
    after words ("Nach 17 Jahren - ...") is prose."""
    story = "Sensation in der schwarzen Hochburg bei Fulda! Aus dem Stand heraus wird die Kandidatin " * 3
    found = meta_of(f"<p>06.11.23 - {story}</p>")
    assert found.published_at is not None and found.published_at.date().isoformat() == "2023-11-06"
    assert meta_of(f"<p>Nach 17 Jahren - {story}</p>").published_at is None


def test_date_in_the_breadcrumb_just_above_the_heading_is_the_story_date() -> None:
    """ "AI & Machine Learning • October 18, 2019" printed in a breadcrumb right above the heading: a
    breadcrumb elsewhere is skipped, but the line that introduces the heading is the story's."""
    html = (
        "<!doctype html><html lang='en'><head><title>Hospitals already use AI | Blog</title></head><body>"
        "<div class='blog-content'><div class='blog_breadcrumb'><a href='/blog'>Blog Home</a> "
        "<a href='/category/ai/'>AI &amp; Machine Learning</a> <span> • </span><span>October 18, 2019</span>"
        "</div><div class='blog_title'><h1>Hospitals already use AI</h1></div>"
        f"<div class='entry'>{PARAGRAPHS}</div></div></body></html>"
    )
    found = extract_metadata(lxml.html.document_fromstring(html), "https://blog.example.com/ai-hospitals/")
    assert found.published_at is not None and found.published_at.date().isoformat() == "2019-10-18"


def test_name_printed_straight_before_its_date_is_the_byline() -> None:
    """ "Christoph von Ritter 24. April 2020 08:30 Uhr" under the heading: the name, then the date, no
    separator; a sentence before a date ("Die Stadt hat am 24. April 2020") names nobody."""
    assert meta_of("<p>Christoph von Ritter 24. April 2020 08:30 Uhr</p>").authors == ["Christoph von Ritter"]
    assert meta_of("<p>Die Stadt hat am 24. April 2020</p>").authors == []


def test_section_word_beside_a_full_name_is_not_an_author() -> None:
    """An author link list giving "Umwelt" (the section) beside "Ingo Arzt": the full name is the byline."""
    after = (
        "<p class='links'><a href='/autor/umwelt/'>Umwelt</a> <a href='/autor/ingo-arzt/'>Ingo Arzt</a></p>"
    )
    assert meta_of("", after=after).authors == ["Ingo Arzt"]


def test_caption_carrying_on_a_sentence_with_von_is_not_a_byline() -> None:
    """ "... nur mithilfe von LEDs und einem Katalysator. © Brandon Martin/ Rice University": a caption's
    sentence, whose "von" is a preposition, and whose credit is a university."""
    header = (
        "<p>28. November 2022</p><figure><figcaption>nur mithilfe von LEDs und einem Kupfer-Eisen-Katalysator."
        " © Brandon Martin/ Rice University</figcaption></figure>"
    )
    assert meta_of(header).authors == []


def test_link_to_a_spanish_or_german_profile_page_names_the_author() -> None:
    """A link to ``/perfil/713-mariano-martin`` far below the heading: a profile page is an author page
    in Spanish ("perfil") and German/French ("profil")."""
    body = "<p>Texto de la nota, con muchos detalles sobre la negociación salarial.</p>" * 40
    after = "<div class='person'><a href='/perfil/713-mariano-martin'>Mariano Martín</a></div>"
    assert meta_of("", after=body + after).authors == ["Mariano Martín"]


def test_reporter_class_marks_a_byline() -> None:
    assert meta_of("<p class='newsReporter'>Gil Taylor</p>").authors == ["Gil Taylor"]


def test_name_beside_a_mail_link_that_spells_it_is_the_author() -> None:
    """ "Tapio Nurminen" in the story's footer with ``mailto:tapio.nurminen@...`` beside it: the address
    spells the printed name. A mail link to anyone else names nobody."""
    html = (
        "<!doctype html><html><head><title>Marin tapasi Merkelin | Uusi</title></head><body><main>"
        f"<h1>Marin tapasi Merkelin</h1>{PARAGRAPHS}<footer><ul><li><div><div>Tapio Nurminen</div>"
        "<a href='mailto:tapio.nurminen@example.fi'>Ota yhteyttä</a></div></li></ul></footer></main></body></html>"
    )
    found = extract_metadata(lxml.html.document_fromstring(html), "https://uusi.example.fi/uutiset/marin/")
    assert found.authors == ["Tapio Nurminen"]
    other = html.replace("tapio.nurminen@", "toimitus.uutiset@")
    assert extract_metadata(lxml.html.document_fromstring(other), "https://uusi.example.fi/a/").authors == []


def test_hidden_update_stamp_inside_the_date_line_does_not_hide_the_publication() -> None:
    """ "Isabell Angele<span class='updated'>2022-12-07T10:10</span>25. Dezember 2022": the printed day
    after the stamp is the publication; a theme's only date classed "updated" still counts."""
    glued = (
        "<div class='fusion-meta-info'>Isabell Angele<span class='updated rich-snippet-hidden'>"
        "2022-12-07T10:10:52+01:00</span>25. Dezember 2022</div>"
    )
    found = meta_of(glued, url=None)
    assert found.published_at is not None and found.published_at.date().isoformat() == "2022-12-25"
    only = (
        "<p class='entry-meta'>Luis Holuch <span class='entry-meta-date updated'>1. Februar 2022</span></p>"
    )
    found = meta_of(only, url=None)
    assert found.published_at is not None and found.published_at.date().isoformat() == "2022-02-01"


def test_date_classed_list_of_teasers_is_not_the_story_date() -> None:
    """A "meta-info" list of the newest stories, each with its date, printed above the story's own."""
    teasers = (
        "<ul class='link-list list-meta-info-bar'><li><a href='/a'>Titelschutz 14.02.2022</a></li>"
        "<li><a href='/b'>Duzen unter Parteifreunden 30.01.2022</a></li></ul><p>Serie 06.02.2022</p>"
    )
    found = meta_of(teasers, url=None)
    assert found.published_at is not None and found.published_at.date().isoformat() == "2022-02-06"


def test_author_box_name_on_a_page_built_without_article_or_main() -> None:
    """A page builder's stack of ``<div>``s, no ``<article>``/``<main>``: the body is the story's
    container, so its author box still names the author (a sidebar's box still does not)."""
    story = "<p>Die Drohne kam dem Flugzeugträger nahe.</p>" * 700
    box = (
        "<div class='elementor-author-box'><h4 class='elementor-author-box__name'> Heinz Steiner </h4></div>"
    )
    html = (
        "<!doctype html><html><head><title>Drohne | Report</title></head><body><div class='e-con'>"
        f"<div class='widget'><h1>Drohne</h1></div><div class='widget'>{story}</div>"
        f"<div class='widget'>{box}</div></div></body></html>"
    )
    assert extract_metadata(lxml.html.document_fromstring(html), URL).authors == ["Heinz Steiner"]
    sidebar = html.replace(
        "<div class='widget'><div class='elementor-author-box'>",
        "<div class='sidebar'><div class='elementor-author-box'>",
    )
    assert extract_metadata(lxml.html.document_fromstring(sidebar), URL).authors == []


def _page(body: str, title: str = TITLE) -> PageMetadata:
    html = (
        f"<!doctype html><html lang='de'><head><title>{title} | Kreisbote</title></head>"
        f"<body>{body}</body></html>"
    )
    return extract_metadata(lxml.html.document_fromstring(html), URL)


def test_only_heading_inside_a_layout_named_sidebar_anchors_the_header() -> None:
    """The page's one <h1>, set inside the layout's "st-sidebar__container" (the story beside its side
    column), with a reworded headline: it is still the story's heading, and the date under it counts."""
    body = (
        "<div class='st-sidebar__container'><h1 class='sht__title'>Neue Gebühren: Kreistag stimmt zu</h1>"
        "<div class='st-sidebar__content'><div class='st-sidebar__main'><div class='s-aut'>"
        f"<time>07/05/2022 20H06</time></div>{PARAGRAPHS}</div></div></div>"
    )
    assert _page(body).published_at == datetime(2022, 5, 7, 20, 6, tzinfo=UTC)


def test_post_class_taxonomy_terms_say_nothing_about_the_block() -> None:
    """WordPress plugins add taxonomies to post_class() beside "hentry" ("internal_cat-sponsored-paid",
    "location-steiermark"): the story's terms, not an advert block."""
    article = (
        "<article class='post-11633 post type-post hentry category-urlaub internal_cat-sponsored-paid "
        "location-steiermark'><header><h1>Sechs Wellnessoasen im Vulkanland</h1>"
        "<div class='byline'>Evgenia Karp · 06.11.2023</div></header>"
        f"{PARAGRAPHS}</article>"
    )
    meta = _page(article, "Sechs schöne Wellnessoasen im Thermenland")
    assert meta.published_at == datetime(2023, 11, 6, tzinfo=UTC)
    assert meta.authors == ["Evgenia Karp"]


def test_all_posts_by_link_is_navigation_not_a_second_author() -> None:
    """No byline by the heading: the author-page links below the story name the author, and "Alles von
    Martin Junker" ("everything by") is the link to the archive, not a second name."""
    after = (
        "<div class='author-bio'><p><a href='/author/martin'>Martin Junker</a> ist Finanzierungsberater."
        "</p><p><a href='/author/martin'>Alles von Martin Junker</a><br><a href='#'>Kontakt</a></p></div>"
    )
    assert meta_of("<div class='entry-meta'><span>7. Oktober 2019</span></div>", after=after).authors == [
        "Martin Junker"
    ]


def test_byline_in_the_story_meta_line_beside_comment_and_share_buttons() -> None:
    """ "entry-meta nyo-social-comments": the story's meta line, named also after the comment-count and
    share buttons it holds; a comment thread's byline stays out."""
    header = (
        "<div class='entry-meta nyo-social-comments nyo-social-comments-above'>By <span class='author'>"
        "<a rel='author' class='url fn n' href='/author/alexandra-tremayne-pengelly/'>Alexandra "
        "Tremayne-Pengelly</a></span> • <span class='entry-date'>11/08/23 5:19pm</span></div>"
    )
    assert meta_of(header).authors == ["Alexandra Tremayne-Pengelly"]
    comments = (
        "<section class='comments'><div class='comment'><div class='entry-meta'>By <span class='author'>"
        "<a rel='author' href='/author/troll/'>Carl Commenter</a></span></div></div></section>"
    )
    assert meta_of("", after=comments).authors == []


def test_name_beside_a_labelled_date_is_the_byline() -> None:
    """ "Evgenia Karp Zuletzt geändert am 06.11.2023": a full name, the date's label, the date."""
    assert meta_of("<div class='meta'>Evgenia Karp Zuletzt geändert am 06.11.2023</div>").authors == [
        "Evgenia Karp"
    ]
    assert meta_of("<div>Jane Doe Published on 12 May 2024</div>", title=TITLE).authors == ["Jane Doe"]


def test_section_and_agency_before_a_labelled_date_are_no_byline() -> None:
    """ "País ERBOL Publicado el 03/05/2022": a section word and a news agency's acronym."""
    assert (
        meta_of("<div class='subsection'>País ERBOL Publicado el 03/05/2022 a las 22h03</div>").authors == []
    )


def test_the_story_side_column_holds_its_date_and_byline() -> None:
    """A side column named after the story ("article-sidebar-wrapper", "c-article-body__aside"), beside
    its body and outside any <article>: the story's date and byline, printed as separate labelled blocks,
    not glued into "Todd Bates Date"."""
    column = (
        "<div class='article-sidebar-wrapper'>\n<div class='full-name-wrapper'>\n<p class='label'><strong>By"
        "</strong></p>\n<p class='full-name'>Todd Bates</p>\n</div>\n<div class='date-wrapper'>\n"
        "<p class='label'><strong>Date</strong></p>\n<p class='date'>February 5, 2020</p>\n</div>\n</div>"
    )
    body = (
        f"<div class='content-top'><h1>{TITLE}</h1></div><div class='content-main'>{column}{PARAGRAPHS}</div>"
    )
    meta = _page(body)
    assert meta.published_at == datetime(2020, 2, 5, tzinfo=UTC)
    assert meta.authors == ["Todd Bates"]
    aside = (
        f"<section class='o-section-intro'><header><h1>{TITLE}</h1></header><div class='c-article-body'>"
        "<aside class='c-article-body__aside'><div class='c-article-meta'><date class='c-article-meta__date'>"
        f"3rd August 2017</date></div></aside>{PARAGRAPHS}</div></section>"
    )
    assert _page(aside).published_at == datetime(2017, 8, 3, tzinfo=UTC)


def test_site_header_stamp_before_the_story_is_not_its_date() -> None:
    """An audio launcher in the site's <header> ("Diffusion en français 11/11/2021") prints its date
    before the story's own; a date labelled published inside the breadcrumb is the story's."""
    launcher = (
        "<header class='l-grid'><div class='b-015__launcher'><ul><li>Diffusion en français</li>"
        "<li class='b-015__launcher-info-timing'><span class='b-015__launcher-info-timing-timespan'>11/11/2021"
        "</span></li></ul><a href='/une-demi-heure-en-tchequie-11112021'>Play</a></div></header>"
    )
    body = (
        f"{launcher}<div class='main'><h1>{TITLE}</h1><div class='node-block node-block--date'>23/10/2020"
        f"</div>{PARAGRAPHS}</div>"
    )
    assert _page(body).published_at == datetime(2020, 10, 23, tzinfo=UTC)
    crumbs = (
        "<header class='header-content'><p class='dateTime'>Miércoles, 04 de Mayo de 2022</p></header>"
        f"<div class='entry-head'><div class='breadcrumb'><a href='/politica/'>Política</a>"
        "<span class='publishedDate'>03/05/2022 22:46</span></div>"
        f"<h1>{TITLE}</h1></div>{PARAGRAPHS}"
    )
    assert _page(crumbs).published_at == datetime(2022, 5, 3, 22, 46, tzinfo=UTC)


def test_author_after_an_organisation_and_a_conjunction_is_kept() -> None:
    """ "Sarah Hinger, Staff Attorney, ACLU Racial Justice Program & Sylvia Torres-Guillén, Director...":
    after an outlet a comma leads to its bureau's city, but "&" to the next author."""
    header = (
        "<div class='blog-author'>Sarah Hinger, Staff Attorney, ACLU Racial Justice Program & Sylvia "
        "Torres-Guillén, Director of Education Equity, ACLU Foundations of California</div>"
    )
    assert meta_of(header).authors == ["Sarah Hinger", "Sylvia Torres-Guillén"]
    assert meta_of("<div class='byline'>By Nada Tawfik, BBC News, New York</div>").authors == ["Nada Tawfik"]


def test_layout_prefixed_sidebar_wrapper_is_the_page_layout() -> None:
    """ "lay-sidebar" names the layout that sets the story beside a sidebar, not a sidebar: the date in
    its "sidebar__main" column is the story's."""
    body = (
        f"<main class='content'><div class='header'><h1>{TITLE}</h1></div><div class='lay-sidebar'>"
        "<div class='sidebar__main'><div class='row'><span class='mod-date'><time class='com-date'>3 de mayo "
        f"de 2022</time></span></div>{PARAGRAPHS}</div><div class='sidebar__aside'><a href='/otra'>Otra nota"
        "</a></div></div></main>"
    )
    assert _page(body).published_at == datetime(2022, 5, 3, tzinfo=UTC)


def test_a_date_before_an_update_label_on_its_line_is_the_publication() -> None:
    """ "Tuesday, January 8, 2008 - Updated 7d 0h ago": the update label owns what follows it, and the
    date printed before it on the same line is the story's own."""
    english = (
        "<div id='bylineArea'>By Associated Press<br>Tuesday, January 8, 2008 - "
        "<span class='bylineUpdated'>Updated 7d 0h ago</span></div>"
    )
    assert meta_of(english).published_at == datetime(2008, 1, 8, tzinfo=UTC)
    german = "<p>Montag, 13. Mai 2024 - Aktualisiert: 14.05.2024, 09:12 Uhr</p>"
    meta = meta_of(german)
    assert meta.published_at == datetime(2024, 5, 13, tzinfo=UTC)
    assert meta.modified_at == datetime(2024, 5, 14, 9, 12, tzinfo=UTC)


def test_a_block_named_for_having_no_share_buttons_is_not_a_share_bar() -> None:
    """ "af-no-social-network" says the header has no share buttons: the date line inside is the story's."""
    header = (
        "<div class='af-infos'><div class='af-infos-left af-no-social-network'><span class='af-date'>"
        "<time>Erstellt am 01.01.23 um 08:35</time>, <time>geändert am 01.01.23 um 08:35</time></span>"
        "</div></div>"
    )
    assert meta_of(header).published_at == datetime(2023, 1, 1, 8, 35, tzinfo=UTC)
    shared = "<div class='af-social-network'><span class='date'>02.01.23</span></div>"
    assert meta_of(shared).published_at is None


def test_a_meta_box_in_a_bare_aside_of_the_story_is_the_storys() -> None:
    """<aside><section class="meta"><time>: the story's own side column holds its date; a bare <aside>
    holding no meta box is still another block."""
    meta_box = (
        "<aside><section class='meta'><time>24. April 2020 <br> 08:30 Uhr</time></section>"
        "<a href='/autor/cvr'>Christoph von Ritter</a></aside>"
    )
    assert meta_of(meta_box).published_at == datetime(2020, 4, 24, 8, 30, tzinfo=UTC)
    teaser = "<aside><p>Lesen Sie auch</p><span class='date'>01.05.2020</span></aside>"
    assert meta_of(teaser).published_at is None


def test_an_inner_byline_line_naming_a_co_author_beats_its_glued_outer_box() -> None:
    """The outer byline box reads as one glued text ("... Ramsey KhalifehPublished Nov 8, 2023") and
    loses the second name; the byline line inside it names both."""
    header = (
        "<div class='byline'><div class='author-images'><a href='/staff/david-brand'><img src='/d.jpg'></a>"
        "<a href='/staff/ramsey-khalifeh'><img src='/r.jpg'></a></div><div class='v-byline'>By "
        "<div class='v-byline-unit'><a href='/staff/david-brand'>David Brand</a></div>"
        "<span class='v-byline-concat'> and </span><div class='v-byline-unit'>"
        "<a href='/staff/ramsey-khalifeh'>Ramsey Khalifeh</a></div></div>"
        "<div class='date-published'>Published Nov 8, 2023</div></div>"
    )
    assert meta_of(header).authors == ["David Brand", "Ramsey Khalifeh"]
    glued = (
        "<div class='ContentHeaderByline'><p class='byline bylines__byline'><span class='byline__name'>"
        "<span class='byline__preamble'>Von </span><a href='/author/fiona-b'>Fiona Bornhöft</a></span>"
        "<span class='byline__name'> und <a href='/author/mariam-h'>Mariam Hofbeck</a></span></p>"
        "<time>1. Januar 2023</time></div>"
    )
    assert meta_of(glued).authors == ["Fiona Bornhöft", "Mariam Hofbeck"]


def test_a_photo_credit_in_a_credit_class_is_not_the_byline() -> None:
    """ "Foto: Ingo Schneider" under the lead picture (class "...--autor") credits the photographer."""
    header = (
        "<figure><img src='/wohnung.jpg'><span class='media-box__item--BU--autor'>Foto:\u00a0Ingo\u00a0Schneider"
        "</span></figure><p class='article__header__info-area__txt'>Von <a href='/lisa-petrich'>Lisa Petrich"
        "</a></p>"
    )
    assert meta_of(header).authors == ["Lisa Petrich"]


def test_the_mastheads_editors_are_not_the_storys_byline() -> None:
    """ "Herausgegeben von ..." (the paper's editors), "Translated by ...": another role's names; the
    story's author links still name its authors."""
    masthead = "<p>Herausgegeben von Gerald Braunberger, Werner D’Inka, Jürgen Kaube</p>"
    assert meta_of(masthead).authors == []
    assert meta_of(masthead + "<p>Von Benjamin Fischer und Marcus Theurer</p>").authors == [
        "Benjamin Fischer",
        "Marcus Theurer",
    ]
    assert meta_of("<p>Translated by Elisabeth Kochan</p>").authors == []


def test_the_sites_name_glued_after_a_bylines_name_is_cut_off() -> None:
    """ "von Sarah Schnieder Reiterrevue International" on reiterrevue.de: the outlet's credit."""
    html = (
        "<html lang='de'><head><title>Heulage: Besser als ihr Ruf?</title></head><body><article>"
        "<h1>Heulage: Besser als ihr Ruf?</h1><p>Veröffentlicht am 03.02.2022 von Sarah Schnieder "
        f"Reiterrevue International</p>{PARAGRAPHS}</article></body></html>"
    )
    url = "https://www.reiterrevue.de/fuetterung/heulage-12842649.html"
    assert extract_metadata(lxml.html.document_fromstring(html), url).authors == ["Sarah Schnieder"]


def test_a_byline_word_on_its_own_line_names_the_next_line() -> None:
    """A table layout sets "By" in one row and the name in the next: the two lines are one byline."""
    table = (
        "<table><tr><td><font size='2'>By</font></td></tr><tr><td><font size='2'>Jacob Wade</font></td>"
        "</tr></table>"
    )
    assert meta_of(table).authors == ["Jacob Wade"]
    boxes = "<div class='meta'><span>By</span></div><div class='meta'><b>Jacob Wade</b></div>"
    assert meta_of(boxes).authors == ["Jacob Wade"]


def test_reviewers_and_fact_checkers_are_not_authors() -> None:
    """ "Verified by Marisa Figat", the reviewer's box ("bylines__group--compliance_reviewer") and "Fact
    checked by ..." credit people who checked the story, not its author."""
    assert meta_of("<p>Verified by Marisa Figat</p>").authors == []
    reviewer = (
        "<div class='bylines__group--compliance_reviewer'><div class='tooltip__top'>"
        "<div class='author-tooltip__name'>Marisa Figat</div></div></div>"
    )
    assert meta_of(reviewer).authors == []
    assert meta_of(reviewer + "<p>By</p><p>Jacob Wade</p>").authors == ["Jacob Wade"]


def test_another_date_on_the_page_settles_the_day_month_order_before_the_language() -> None:
    """A German page printing "05/08/2019" beside its update stamp "11/14/2019": the stamp can only be
    month-first, so the publication is 8 May, whatever German usually writes."""
    header = (
        "<div class='article-header-intro'><span class='date'>05/08/2019</span></div>"
        "<p class='article-meta-date'>Aktualisiert: 11/14/2019, 5:30</p>"
    )
    meta = meta_of(header)
    assert meta.published_at == datetime(2019, 5, 8, tzinfo=UTC)
    alone = meta_of("<div class='article-header-intro'><span class='date'>05/08/2019</span></div>")
    assert alone.published_at == datetime(2019, 8, 5, tzinfo=UTC)  # no evidence: the language's order


def test_a_most_viewed_list_inside_the_story_holds_other_stories_dates() -> None:
    """ "article-mostviewed" teasers (no links around their dates) inside the story's <article>; the
    story's only printed stamp is "zuletzt bearbeitet" (last edited), an update."""
    header = (
        "<p>von tennisnet.com</p><p>zuletzt bearbeitet: 04.02.2022, 08:27 Uhr</p>"
        "<div class='article-mostviewed'><h3>Meistgelesen</h3><div class='article'>"
        "<span class='timestamp'>01.02.2022</span> WTA: Tochter gewinnt zwei Turniere</div></div>"
    )
    meta = meta_of(header)
    # the page's one printed stamp is an update: it stands in for the publication, never a teaser's day
    assert meta.published_at == datetime(2022, 2, 4, 8, 27, tzinfo=UTC)
    assert meta.modified_at == datetime(2022, 2, 4, 8, 27, tzinfo=UTC)
    assert "published_at: only an update stamp is printed; its date stands in" in meta.warnings


def test_a_lone_update_stamp_stands_in_for_the_publication() -> None:
    """A blog post printing "Evgenia Karp Zuletzt geändert am 06.11.2023" under its heading and a
    football report printing only "Updated: Jan. 11, 2008" above it: no publication date anywhere, so the
    update's day is the best answer (the story is no later), said in a warning; the stamp stays the update."""
    german = meta_of(
        "<div class='flex text-sm'><span class='block font-bold'>Evgenia Karp</span>"
        "<span class='block'> <span class='whitespace-nowrap'>Zuletzt geändert am 06.11.2023</span></span></div>"
    )
    assert german.published_at == datetime(2023, 11, 6, tzinfo=UTC)
    assert german.modified_at == datetime(2023, 11, 6, tzinfo=UTC)
    assert "published_at: only an update stamp is printed; its date stands in" in german.warnings
    english = meta_of(
        "<p>Premier League: Scores | Fixtures | Tables</p>",
        title="Speculation mounts after Redknapp stays silent",
        url="https://soccer.example.com/news/story?id=1",
    )
    assert english.published_at is None  # nothing printed at all: no answer
    html = (
        "<!doctype html><html lang='en'><head><title>Speculation mounts</title></head><body>"
        "<div id='story'><p class='crumbs'>Premier League: Scores | Fixtures</p><p>Updated: Jan. 11, 2008</p>"
        "<h1>Speculation mounts after Redknapp stays silent</h1>" + PARAGRAPHS + "</div></body></html>"
    )
    stamp = extract_metadata(
        lxml.html.document_fromstring(html), "https://soccer.example.com/news/story?id=1"
    )
    assert stamp.published_at == datetime(2008, 1, 11, tzinfo=UTC)
    # a publication date printed beside the stamp is the publication, as before
    both = meta_of("<p>Veröffentlicht am 02.11.2023 · Zuletzt geändert am 06.11.2023</p>")
    assert both.published_at == datetime(2023, 11, 2, tzinfo=UTC)
    assert both.modified_at == datetime(2023, 11, 6, tzinfo=UTC)


def test_the_pages_one_publication_classed_date_away_from_its_heading() -> None:
    """The headline <h1> repeated in the share bar under the story anchors the header there, far from
    the byline block; the page's one publication-classed date is the story's. Two different days in
    date-classed elements are a list of other stories, and the masthead's date is today's."""
    story = (
        "<div class='article-text'><h2>Jamie's war on toxic US food: chefs lead plea to ministers</h2>"
        "<p class='byline-section'><span class='article-timestamp article-timestamp-published'>"
        "<span class='article-timestamp-label'>Published:</span> <time> 22:00 GMT, 26 September 2020 </time>"
        "</span></p><div class='article-body'>"
        + "<p class='mol-para'>Ministers <b>must</b> listen to the <i>farmers</i>.</p>"
        * 80
        + "</div><div class='column-content'><div class='shareArticles'><h3>Share or comment on this "
        f"article:</h3><h1>{TITLE}</h1></div></div></div>"
    )
    assert _page(story).published_at == datetime(2020, 9, 26, 22, 0, tzinfo=UTC)
    teasers = (
        f"<article><div class='shareArticles'><h1>{TITLE}</h1></div>{PARAGRAPHS}</article>"
        "<section class='liste'><div class='eintrag'><span class='date'>12.01.2020</span> Eins</div>"
        "<div class='eintrag'><span class='date'>14.01.2020</span> Zwei</div></section>"
    )
    # (htmldate, the next reader, may still pick one of them: a guess it is warned about)
    assert not any("publication-classed" in w for w in _page(teasers).warnings)
    masthead = (
        "<header class='site-header'><span class='td-date'>Friday, April 29, 2022</span></header>"
        f"<div class='shareArticles'><h1>{TITLE}</h1></div>{PARAGRAPHS}"
    )
    assert not any("publication-classed" in w for w in _page(masthead).warnings)


def test_a_credit_on_the_storys_last_line_names_its_author() -> None:
    """ "Posted by Alex Durán, AMP Project Marketing, Google" and "– Nadja Podbregar" under the text: the
    byline printed below the story, its role and employer left out; a quotation's attribution is not."""
    # a long story: its last lines lie beyond the header's window
    story = (
        "<p>Die <b>Drohne</b> kam dem <i>Flugzeugträger</i> nahe, <a href='/thema/iran'>Iran</a>.</p>" * 250
    )
    posted = "<p><em>Posted by Alex Durán, AMP Project Marketing, Google</em></p>"
    assert meta_of("", after=story + posted).authors == ["Alex Durán"]
    dashed = "<span class='entry-meta'>28. November 2022</span><p class='entry-meta'> - Nadja Podbregar</p>"
    assert meta_of("", after=story + dashed).authors == ["Nadja Podbregar"]
    quote = "<blockquote><p>Imagination is more important than knowledge.</p><p>— Albert Einstein</p></blockquote>"
    assert meta_of("", after=story + quote).authors == []


def test_a_site_named_like_a_person_is_not_cut_and_a_forms_option_is_no_credit() -> None:
    """On energieverbraucher.de "Bund der Energieverbraucher" is the site's own name: cutting the site's
    word off would leave "Bund der". A form's "- Select Visibility -" under the story credits nobody."""
    html = (
        "<html lang='de'><head><title>Strompreise steigen</title></head><body><article>"
        "<h1>Strompreise steigen</h1><p class='byline'>Von Bund der Energieverbraucher</p>"
        f"{PARAGRAPHS}</article></body></html>"
    )
    url = "https://www.energieverbraucher.de/de/preise__312/NewsDetail__18725/"
    assert extract_metadata(lxml.html.document_fromstring(html), url).authors == [
        "Bund der Energieverbraucher"
    ]
    story = (
        "<p>Die <b>Drohne</b> kam dem <i>Flugzeugträger</i> nahe, <a href='/thema/iran'>Iran</a>.</p>" * 250
    )
    form = (
        "<form><p class='input_field'><select name='visibility'><option>- Select Visibility -</option>"
        "<option>Public</option><option>Private</option></select></p></form>"
    )
    assert meta_of("", after=story + form).authors == []


def test_a_name_line_beside_a_date_line_at_the_heading_is_the_byline() -> None:
    """A blog builder sets "Bianca Praetorius" and "2. Okt. 2022" as two blocks over the title, with no
    byline word: the name beside a line holding only a date is the byline. A kicker word beside the
    date ("Politik") is no name, and a name beside a line of prose is nobody's byline."""
    html = (
        "<!doctype html><html lang='de'><head><title>Das Dating-Dilemma</title></head><body>"
        "<div class='post-header'><div class='meta'><span class='avatar'></span>"
        "<div><span>Bianca Praetorius</span></div><div><span>2. Okt. 2022</span></div></div>"
        "<h1 class='blog-post-title'>Das Dating-Dilemma erfolgreicher Frauen</h1></div>"
        "<div class='post-content'>" + PARAGRAPHS + "</div></body></html>"
    )
    url = "https://blog.example.de/post/das-dating-dilemma"
    meta = extract_metadata(lxml.html.document_fromstring(html), url)
    assert meta.authors == ["Bianca Praetorius"]
    assert meta.published_at == datetime(2022, 10, 2, tzinfo=UTC)
    kicker = html.replace("Bianca Praetorius", "Politik")
    assert extract_metadata(lxml.html.document_fromstring(kicker), url).authors == []
    prose = html.replace("2. Okt. 2022", "Warum haben es erfolgreiche Frauen schwerer?")
    assert extract_metadata(lxml.html.document_fromstring(prose), url).authors == []
    # the story's section, linked or in a tags box, reads like a name: "Digital Life" | "05/08/2019"
    section = html.replace("<span>Bianca Praetorius</span>", "<a href='/digital-life'>Digital Life</a>")
    assert extract_metadata(lxml.html.document_fromstring(section), url).authors == []
    tags = html.replace("<div><span>Bianca", "<div class='StoryTags'><span>Bianca")
    assert extract_metadata(lxml.html.document_fromstring(tags), url).authors == []


def test_a_personal_sites_footer_credit_with_its_years_names_the_author() -> None:
    """ "– 2009-2020 by Florian Posdziech –" in a personal blog's site footer, with no byline and no ©
    sign: its holder is the author (with a warning). "Theme by Peter Amende" and "Powered by Nikola"
    print no year before "by" and name nobody's story."""

    def page(footer: str) -> PageMetadata:
        html = (
            "<!doctype html><html lang='en'><head><title>Copy &amp; paste from tmux</title></head><body>"
            "<article><h1 class='entry-title'>Copy &amp; paste from tmux to system clipboard</h1>"
            "<p>2020-01-16</p>" + PARAGRAPHS + "</article>"
            f"<footer id='footer'><a href='/archive.html'>Archive</a> – <a href='/rss.xml'>RSS</a>{footer}"
            " – Powered by <a href='https://getnikola.com'>Nikola</a></footer></body></html>"
        )
        return extract_metadata(lxml.html.document_fromstring(html), "https://flowfx.example/blog/tmux/")

    credited = page(" – 2009-2020 by <a href='/contact/'>Florian Posdziech</a>")
    assert credited.authors == ["Florian Posdziech"]
    assert "authors: no byline; the site's footer credits 'Florian Posdziech'" in credited.warnings
    assert page(" – Theme by <a href='http://peteramende.de/'>Peter Amende</a>").authors == []
    assert page("<p>The Consortium was founded in 2014 by Ernice Gilbert.</p>").authors == []  # its founder
    assert page(" – 2009-2020 by <a href='/contact/'>Flowfx Media</a>").authors == []


def test_a_heading_that_only_links_to_the_front_page_is_the_masthead() -> None:
    """ "<h1><a href='https://site.com' class='cssLogo'>Business Jargons <small>A Business
    Encyclopedia</small></a></h1>" tops every page of the site: its name, not the story's heading, so the
    title and the byline's anchor are the story's own ``<h1>`` further down. A heading linking to the
    story's own address stays a heading."""
    html = (
        "<!doctype html><html lang='en'><head><title>What are Leadership Styles? definition and meaning"
        "</title></head><body><div id='gk-top'><h1><a href='https://jargons.example.com' class='cssLogo'>"
        "Business Jargons <small>A Business Encyclopedia</small></a></h1></div>"
        "<article><header><h1>Leadership Styles</h1><p class='byline'>By Megha Malhotra</p></header>"
        + PARAGRAPHS
        + "</article></body></html>"
    )
    url = "https://jargons.example.com/leadership-styles.html"
    meta = extract_metadata(lxml.html.document_fromstring(html), url)
    assert meta.title == "Leadership Styles"
    assert meta.authors == ["Megha Malhotra"]
    linked = html.replace("<h1>Leadership Styles</h1>", f"<h1><a href='{url}'>Leadership Styles</a></h1>")
    assert extract_metadata(lxml.html.document_fromstring(linked), url).title == "Leadership Styles"


def test_a_side_column_named_a_meta_box_is_the_storys_own() -> None:
    """A theme sets the story's date and categories in ``<section id="sidebar" class="meta">`` beside
    the text: a side column that names itself the meta box is the story's, not another story's sidebar.
    A plain sidebar's date is still another story's."""

    def page(column: str) -> PageMetadata:
        html = (
            "<!doctype html><html lang='de'><head><title>Volksbegehren zum Grundeinkommen</title></head><body>"
            "<div id='main'><div class='post'><h2 class='post-title'>Volksbegehren zum Grundeinkommen</h2>"
            + PARAGRAPHS
            + f"</div>{column}<nav class='post-nav'><a href='/next/'>Nächste</a></nav>"
            "<aside class='post-info'><span class='post-date'>17.11.19</span></aside></section></div>"
            "</body></html>"
        )
        return extract_metadata(
            lxml.html.document_fromstring(html), "https://partei.example.at/volksbegehren/"
        )

    assert page("<section id='sidebar' class='meta'>").published_at == datetime(2019, 11, 17, tzinfo=UTC)
    assert page("<section id='sidebar' class='widgets'>").published_at is None


def test_a_short_label_beside_the_printed_heading_in_the_title_is_not_the_title() -> None:
    """ "icScotland - Ryan dismayed by Gloucester" in ``<title>``, the heading printing "Ryan dismayed by
    Gloucester", no og:site_name and no URL to spell the site with: the short label set off by a
    separator is the site's, and the title is the heading. A longer part beside the heading (a subtitle)
    is left to the rules that know the site."""

    def title_of(document_title: str) -> str | None:
        html = (
            f"<!doctype html><html><head><title>{document_title}</title></head><body>"
            "<table><tr><td><font size='4'><b>Ryan dismayed by Gloucester</b></font><br>"
            + PARAGRAPHS
            + "</td></tr></table></body></html>"
        )
        return extract_metadata(lxml.html.document_fromstring(html), None).title

    assert title_of("icScotland - Ryan dismayed by Gloucester") == "Ryan dismayed by Gloucester"
    assert title_of("Ryan dismayed by Gloucester | Deccan Herald") == "Ryan dismayed by Gloucester"
    subtitle = "Ryan dismayed by Gloucester - Edinburgh coach says his side were second best all night"
    assert title_of(subtitle) == subtitle


def test_a_relative_stamp_the_pages_own_teaser_contradicts_gives_way_to_the_teasers_day() -> None:
    """ "Publiziert vor einer Stunde" under the heading, and the site's "Neueste" list further down
    holding the story's own card, which links back to the page and prints "26.01.2022". Read soon after
    rendering, both say the same day and the stamp (with its clock time) stays; read long after (a cached
    or archived copy), the stamp would move with the reading time, so the card's printed day is used.
    A card linking elsewhere, or to a part of the page, is another story's."""
    url = "https://www.bike.example.de/mtb_news/szene_news/strava-update-poi-bei-routen"

    def page(own_href: str, fetched: datetime) -> PageMetadata:
        card = (
            "<li class='teaser'><div class='text'><div class='topline'>Strava-Update</div>"
            f"<a href='{own_href}' title='Strava-Karten ab sofort mit mehr Infos'></a>"
            "<div class='title'>Strava-Karten ab sofort mit mehr Infos</div><p><span class='date'>26.01.2022"
            "</span>Strava wertet mit einem Update sein Routen-Tool auf.</p></div></li>"
        )
        other = (
            "<li class='teaser'><div class='text'><a href='/fitness/training/jolt-massagepistolen'>"
            "Regenerations-Booster Massagepistole</a><p><span class='date'>24.01.2022</span>Entspannung "
            "gehört zum Training.</p></div></li>"
        )
        html = (
            "<!doctype html><html lang='de'><head><title>Strava-Update</title></head><body><main>"
            "<h1>Strava-Karten ab sofort mit mehr Infos</h1><div class='meta'>Stefan Loibl • Publiziert "
            f"vor einer Stunde</div>{PARAGRAPHS}</main><section class='latest'><h2>Neueste</h2><ul>{other}"
            f"{card}</ul></section></body></html>"
        )
        return extract_metadata(lxml.html.document_fromstring(html), url, fetched_at=fetched)

    later = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert page("/mtb_news/szene_news/strava-update-poi-bei-routen", later).published_at == datetime(
        2022, 1, 26, tzinfo=UTC
    )
    soon = datetime(2022, 1, 26, 13, 0, tzinfo=UTC)
    assert page("/mtb_news/szene_news/strava-update-poi-bei-routen", soon).published_at == datetime(
        2022, 1, 26, 12, 0, tzinfo=UTC
    )
    assert page("/mtb_news/szene_news/anderes-thema", later).published_at == datetime(
        2024, 5, 1, 11, 0, tzinfo=UTC
    )
    assert page("#kommentare", later).published_at == datetime(2024, 5, 1, 11, 0, tzinfo=UTC)


def test_a_div_footers_copyright_holder_linked_to_the_contact_page_names_the_author() -> None:
    """A personal site with no byline and no ``<footer>`` element: its ``<div id="PageFooter">`` prints
    "© 2004 - 2020 <a href="/kontakt/">Nala Löwenkönigin</a>". The link to the site's own contact page
    says the name is the site's person; the same line naming a publisher, or a holder linked to the
    front page, names no author (a ``<div>`` footer's plain text names publishers as often as people)."""

    def authors_of(holder: str) -> list[str]:
        html = (
            "<!doctype html><html lang='de'><head><title>Lexikon - M</title></head><body>"
            "<div id='PageWrapper'><div id='PageContent'><h1>Lexikon - M</h1>"
            + PARAGRAPHS
            + "</div><div id='PageFooter'><p class='Copyrights'>© 2004 - 2020 "
            + holder
            + "</p><ul><li><a href='/'>Home</a></li></ul></div></div></body></html>"
        )
        page_url = "http://www.loewenseiten.example.info/loewen-lexikon/?letter=M"
        return extract_metadata(lxml.html.document_fromstring(html), page_url).authors

    assert authors_of("<a href='/pfotenabdruck/kontakt/'>Nala Löwenkönigin</a>") == ["Nala Löwenkönigin"]
    assert authors_of("<a href='/impressum/'>Kreisbote Verlag GmbH</a>") == []
    assert authors_of("<a href='/'>Nala Löwenkönigin</a>") == []
    assert authors_of("Nala Löwenkönigin") == []


def test_a_kicker_or_subtitle_inside_the_heading_is_cut_where_the_document_title_names_the_rest() -> None:
    """ "<h1><span class='kicker'>Immobilienkrise</span> Rene Benko-Firma Signa in Sorge</h1>" and
    ``<title>Rene Benko-Firma Signa in Sorge | Finanzmarktwelt</title>``: the kicker is an element of its
    own and the browser's title spells the story's title without it. A heading the ``<title>`` holds whole
    is kept, and so is one whose leftover words are not an element of their own."""

    def title_of(heading: str, document_title: str) -> str | None:
        html = (
            f"<!doctype html><html lang='de'><head><title>{document_title}</title></head><body><article>"
            f"<h1>{heading}</h1>{PARAGRAPHS}</article></body></html>"
        )
        return extract_metadata(
            lxml.html.document_fromstring(html), "https://www.finanzmarktwelt.example/signa-289554/"
        ).title

    story = "Rene Benko-Firma Signa in Sorge"
    kicker = f"<span class='kicker'>Immobilienkrise</span> <span>{story}</span>"
    assert title_of(kicker, f"{story} | Finanzmarktwelt") == story
    subtitle = f"{story} <small>Finanzdaten werden geprüft</small>"
    assert title_of(subtitle, f"{story} | Finanzmarktwelt") == story
    assert title_of(kicker, f"Immobilienkrise {story} | Finanzmarktwelt") == f"Immobilienkrise {story}"
    assert title_of(f"Immobilienkrise {story}", f"{story} | Finanzmarktwelt") == f"Immobilienkrise {story}"
