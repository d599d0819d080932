"""The fallback chain before ``not_an_article``: a page that carries a story never comes out empty.

Order: the region finder; on refusal a tolerant re-parse when libxml2 dropped part of a broken page;
the densest run of prose; a declared article's structured copy (tested in test_extract.py). Index,
tag and error pages have none of these and stay refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers.errors import ErrorKind, IngestError
from scrapers.extract import extract

FALLBACK = Path(__file__).parent / "fixtures" / "pages" / "fallback"
PAGES = Path(__file__).parent / "fixtures" / "pages"


def _page(name: str) -> bytes:
    return (FALLBACK / name).read_bytes()


def test_story_after_an_unclosed_title_is_not_swallowed_by_it() -> None:
    """Unrepaired, libxml2 reads the whole page into an unclosed ``<title>``, Python's parser into <head>."""
    article = extract(
        _page("broken-title-table-layout.html"), "https://harbourtimes.example/news/view.asp?id=20418"
    )
    paragraphs = article.text.split("\n\n")
    assert paragraphs[-4].startswith("PORT ELLIS _ The island ferry operator will add two extra sailings")
    assert paragraphs[-1].endswith("keep the extra sailings next winter.")
    for chrome in ("Latest news", "Port workers vote", "All rights reserved", "About us", "National"):
        assert chrome not in article.text


def test_story_after_a_start_tag_cut_in_half_survives_a_tolerant_re_parse() -> None:
    """libxml2 gives up on the document at the broken tag; Python's own parser keeps the page."""
    article = extract(_page("cut-start-tag-wire.html"), "https://wiredesk.example/news/88120/")
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("SANTIAGO, Chile (AP) - Rescue teams on Monday reached eleven workers")
    assert paragraphs[-1].startswith("Doctors said the men were cold and hungry")
    assert "body found after re-parsing broken markup" in article.warnings
    for chrome in ("Print article", "Submit a release", "Politics", "Disclaimer"):
        assert chrome not in article.text


def test_story_sharing_its_column_with_headline_teasers_is_found_as_the_densest_prose() -> None:
    article = extract(
        _page("story-beside-headline-teasers.html"), "https://courier.example/news/library-hours/"
    )
    paragraphs = article.text.split("\n\n")
    assert [p.split()[1] for p in paragraphs] == ["central", "longer", "Ruth"]
    assert paragraphs[-1].endswith("repeating it during the winter exams.")
    assert "body found as the densest prose on the page" in article.warnings
    for teaser in ("Bus lane plan", "Residents have six weeks", "Market hall traders", "Contact us"):
        assert teaser not in article.text


def test_a_long_paragraph_beside_another_is_read_with_it_not_alone() -> None:
    """The story's box also holds five linked headlines, so the finder refuses it as a list; the
    densest prose then took the one paragraph of 500 characters alone and lost the lead beside it."""
    article = extract(
        _page("story-paragraphs-beside-linked-headlines.html"),
        "https://rural.example/news/volunteer-forum-closes",
    )
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("Volunteers who run fire brigades, sports clubs and village shops")
    assert paragraphs[1].startswith("The minister opened the forum on Tuesday morning.")
    assert paragraphs[1].endswith("before the summer.")
    assert "body found as the densest prose on the page" in article.warnings
    for teaser in ("advice line", "Village shops survey", "Broadband", "bus lines", "Imprint"):
        assert teaser not in article.text


def test_the_index_page_is_still_refused_after_every_fallback() -> None:
    with pytest.raises(IngestError) as info:
        extract((PAGES / "index-section-business.html").read_bytes(), "https://news.example/business/")
    assert info.value.kind is ErrorKind.NOT_AN_ARTICLE


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><h1>Page not found</h1><p>Sorry, we could not find that page.</p>"
        "<ul><li><a href='/'>Home</a></li><li><a href='/news/'>News</a></li></ul></body></html>",
        "<html><body><h1>Tag: harbour</h1>"
        + "".join(
            f"<div class='teaser'><h2><a href='/n/{i}'>Harbour story number {i} about the ferry</a></h2>"
            f"<p>A short excerpt of harbour story {i}, long enough to be read as a teaser's prose line.</p></div>"
            for i in range(8)
        )
        + "</body></html>",
    ],
)
def test_error_and_tag_pages_have_no_run_of_prose_and_stay_refused(html: str) -> None:
    with pytest.raises(IngestError) as info:
        extract(html)
    assert info.value.kind is ErrorKind.NOT_AN_ARTICLE


def test_story_only_in_the_noscript_version_of_the_page_is_found() -> None:
    story = "".join(
        f"<p>Paragraph {i}: rangers counted nine breeding female bears in the park this year, the highest "
        f"figure in fourteen years of monitoring, and sixteen cubs among them.</p>"
        for i in range(4)
    )
    html = (
        "<html><body><div id='app'></div><noscript><div class='page'><h1>Record year for bears</h1>"
        f"<div class='text'>{story}</div></div></noscript><script>render()</script></body></html>"
    )
    article = extract(html)
    assert article.text.split("\n\n")[0].startswith("Paragraph 0: rangers counted")
    assert len(article.text.split("\n\n")) == 4
    assert "body found in the page's <noscript> version" in article.warnings


def test_forum_thread_whose_posts_are_named_like_comments_gives_its_posts() -> None:
    """Every post sits in a ``comment`` box: with all names trusted the page has no story at all."""
    article = extract(_page("forum-thread-posts.html"), "https://energyforum.example/forum/t/20871")
    assert "starts and stops every six to eight minutes" in article.text
    assert "Has anyone found a setting that brings the long cycles back?" in article.text
    assert "body found only when every class name was ignored" in article.warnings
    for chrome in ("Latest threads", "Solar diverter", "All rights reserved", "Privacy"):
        assert chrome not in article.text


def test_live_ticker_whose_entries_are_named_like_comments_gives_its_entries() -> None:
    article = extract(_page("live-ticker-match.html"), "https://sportsdesk.example/live/2230")
    assert "Full time at the Harbour Road ground!" in article.text
    assert "Goal for City! Reyes cuts in from the right" in article.text
    for chrome in ("Other matches", "Northfield", "All sports", "Contact"):
        assert chrome not in article.text


def test_video_page_with_a_comment_thread_stays_refused() -> None:
    """The comments under a video are not its story: the nameless last look skips declared videos."""
    comments = "".join(
        f"<div class='comment'><p>Comment {i}: what a fantastic clip, I have watched it three times "
        f"now and still notice something new in the background every single time.</p></div>"
        for i in range(5)
    )
    html = (
        "<html><head><meta property='og:type' content='video.other'></head><body><h1>Harbour at dawn</h1>"
        "<div class='player'><video src='/v/1.mp4'></video></div>"
        f"<section class='comments'>{comments}</section></body></html>"
    )
    with pytest.raises(IngestError) as info:
        extract(html)
    assert info.value.kind is ErrorKind.NOT_AN_ARTICLE


def test_guide_whose_text_is_only_in_its_howto_node_gives_description_and_steps() -> None:
    article = extract(_page("howto-only-in-jsonld.html"), "https://greenhouse.example/guides/repot-orchid")
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("Orchids do not grow in soil")
    assert paragraphs[-1].startswith("Hold the plant in place and pour fresh orchid bark")
    assert "Cut away every root that is brown" in article.text
    assert "body taken from the page's HowTo or Recipe data" in article.warnings
    for chrome in ("Please enable JavaScript", "Privacy", "Sterile scissors"):
        assert chrome not in article.text


def test_a_please_enable_javascript_notice_is_not_the_story() -> None:
    html = (
        "<html><head><meta property='og:type' content='article'><title>Budget vote</title></head><body>"
        "<div id='app'></div><noscript><p>Please enable JavaScript to read the stories on this site.</p>"
        "</noscript></body></html>"
    )
    with pytest.raises(IngestError) as info:
        extract(html)
    assert info.value.kind is ErrorKind.NOT_AN_ARTICLE


def test_results_set_as_table_rows_are_the_body_of_a_results_post() -> None:
    """Many short cells cost the results container its score, and one cell wins with a line of text;
    the last look takes the smallest container holding most of the page's prose instead."""
    article = extract(_page("results-table-post.html"), "https://la-ostalb.example/2007/05/20/ergebnisse-rm/")
    assert "3. | Schlumberger, Lea | 1993 | SV Ellwangen" in article.text
    assert "Schülerinnen A – Speerwurf" in article.text
    assert article.text.count(" | LG Staufen | ") == 12
    for chrome in ("LA-Kreis Ulm/Alb-Donau", "LAC Essingen", "Impressum", "Termine"):
        assert chrome not in article.text


def test_slideshow_whose_story_is_its_slide_captions_gives_the_captions() -> None:
    """Each slide's text is a short box beside an image, which every other look reads as a caption."""
    article = extract(_page("slideshow-captions.html"), "https://techdaily.example/slideshow/budget-phone/")
    assert "body found in the captions beside the page's images" in article.warnings
    assert article.text.count("\n\n") >= 4
    assert "keeps the small screen and the home button" in article.text
    assert "which is why analysts expect it to sell strongly" in article.text
    for chrome in ("More slideshows", "Best laptops", "Privacy policy", "Laptops"):
        assert chrome not in article.text
