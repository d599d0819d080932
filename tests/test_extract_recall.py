"""What the body loses on unseen templates (issue 7): story text the region finder or the cuts leave out.

Each fixture is a page shaped like a real template whose story the extractor on main cut short; the
tests say which of its parts belong to the story and which do not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers.errors import ErrorKind, IngestError
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def _extract(name: str, url: str | None = None) -> str:
    return extract((BODY / name).read_bytes(), url).text


def test_story_sections_named_like_ad_slots_are_kept_beside_the_one_that_holds_most_prose() -> None:
    """Every section of the review carries the template's "--ads" modifier: the long one was kept for
    its share of the prose, its one-paragraph siblings of the same kind were cut as chrome."""
    text = _extract("review-sections-named-like-ads.html", "https://bench.example/kitchen/kettle-grill-test")
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Verdict"
    assert paragraphs[1].startswith("For its price the kettle grill is hard to beat")
    assert "The grill arrives fully assembled with a cast grate" in text
    assert "six slices of toast across the grate" in text
    assert text.endswith("the inside of the lid still looked new.")
    for chrome in ("Most read", "espresso machines", "All rights reserved", "window.slots"):
        assert chrome not in text


STANDFIRST_URL = "https://greenplot.example/vegetables/parsnip-harvest-tips"
STANDFIRST = (
    "Sweet roots in the middle of winter are possible: the frost turns the parsnip's starch to sugar. "
    "Here are three tips for lifting them without damage."
)


def test_standfirst_beside_the_authors_photo_opens_the_story_when_the_description_says_so() -> None:
    """The standfirst sits in a box under the headline with the author's photo and name: a small box of
    short text beside an image reads as a caption, so the lead was cut as chrome. The page's description
    opens with its words, so it is the story's opening; the photo's own caption stays out."""
    text = _extract("standfirst-beside-author-photo.html", STANDFIRST_URL)
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == STANDFIRST
    assert paragraphs[1].startswith("Parsnips are sown in spring")
    assert text.endswith("the bed is the best store you have.")
    for chrome in ("A bed of parsnips in January.", "Mara Quint", "Popular now", "All rights reserved"):
        assert chrome not in text


def test_box_beside_the_authors_photo_stays_out_when_the_description_is_another_text() -> None:
    """Without the description's words the same box is what it looks like, a caption beside a picture:
    the rule reads the page's own statement of its opening, not the box's shape."""
    page = (BODY / "standfirst-beside-author-photo.html").read_bytes()
    page = page.replace(
        b'content="Sweet roots in the middle of winter are possible',
        b'content="Green Plot is a magazine for people who grow their own food in small gardens',
    )
    text = extract(page, STANDFIRST_URL).text
    assert STANDFIRST not in text
    assert text.startswith("Parsnips are sown in spring")


SIGNED_URL = "https://threadbare.example/mending/wool-jumper"


def test_a_blog_posts_sign_off_ends_the_story_and_the_label_after_it_goes() -> None:
    """A greeting over a name ("Love" over "Lotte"): short lines without a full stop, like a box's
    heading whose links were cut. The trailing-label rule took them, and the writer's sign-off was
    lost. It is the story's end; the "More from the blog:" label after it still goes."""
    text = _extract("blog-post-signed-off.html", SIGNED_URL)
    assert text.endswith("it will probably outlast the rest of the sleeve.\n\nLove\n\nLotte")
    assert "More from the blog" not in text
    assert "Visible patches on jeans" not in text


def test_a_greeting_and_a_name_on_one_line_end_the_story() -> None:
    page = (BODY / "blog-post-signed-off.html").read_bytes().replace(b"<p>Love</p>\n", b"")
    page = page.replace(b"<p>Lotte</p>", b"<p>x Lotte</p>")
    text = extract(page, SIGNED_URL).text
    assert text.endswith("the rest of the sleeve.\n\nx Lotte")


def test_a_name_alone_after_the_story_is_still_a_label() -> None:
    """Without a greeting above it a short capitalised line may be a box's name ("Downloads"): it goes
    as it did."""
    page = (BODY / "blog-post-signed-off.html").read_bytes().replace(b"<p>Love</p>\n", b"")
    text = extract(page, SIGNED_URL).text
    assert text.endswith("it will probably outlast the rest of the sleeve.")


def test_a_lone_x_after_the_story_is_a_close_button_not_a_kiss() -> None:
    page = (BODY / "blog-post-signed-off.html").read_bytes().replace(b"<p>Love</p>\n", b"")
    text = extract(page.replace(b"<p>Lotte</p>", b"<p>x</p>"), SIGNED_URL).text
    assert text.endswith("it will probably outlast the rest of the sleeve.")


FACT_BOX = (
    "Ein junger Mauersegler, der das Nest verlassen hat, landet oft erst nach zwei bis drei Jahren wieder"
)


def test_a_fact_box_between_the_storys_text_sections_is_kept() -> None:
    """A block CMS sets the story as sections of one kind ("block block--text") and a fact box of the
    same kind named after its modifier ("block--factbox"), which reads as furniture: the box was cut,
    though the story goes on after it in a section of its own kind."""
    text = _extract("fact-box-between-text-sections.html", "https://naturnotizen.example/voegel/mauersegler")
    assert FACT_BOX in text
    assert text.index("braucht deshalb oft Hilfe") < text.index(FACT_BOX) < text.index("Wer einen gelandeten")
    assert text.endswith("ohne ein einziges Mal zu landen.")
    assert "Warum Amseln im Winter singen" not in text


def test_a_box_of_the_storys_kind_after_its_last_section_stays_out() -> None:
    """The same box after the story's last section has no section of its kind after it: furniture."""
    page = (BODY / "fact-box-between-text-sections.html").read_text("utf-8")
    start = page.index('<div class="block block--factbox">')
    end = page.index('<div class="block block--text">', start)
    box = page[start:end]
    page = page[:start] + page[end:]
    page = page.replace("      </div>\n    </article>", f"{box}      </div>\n    </article>", 1)
    assert page.index("Im August ziehen") < page.index(FACT_BOX)
    text = extract(page, "https://naturnotizen.example/voegel/mauersegler").text
    assert FACT_BOX not in text
    assert text.endswith("ohne ein einziges Mal zu landen.")


HEADING_STORY_URL = "http://www.riversidetenants.example/news.php?id=88"


def test_a_story_set_in_heading_tags_is_read_as_paragraphs() -> None:
    """An old table-layout site sets each paragraph of its story in ``<h2>`` for its size. Headings were
    never prose, so the page held no story and was refused; and the paragraphs, once found, were cut as
    trailing labels. Several sentences over two hundred characters are a paragraph, whatever the tag."""
    text = _extract("story-set-in-heading-tags.html", HEADING_STORY_URL)
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("Tenants in the four towers on Mill Road have now withheld rent")
    assert paragraphs[1].endswith("held by the union.")
    for chrome in ("Rent strike enters its third week", "Monthly general meeting", "Dock Street", "RSS"):
        assert chrome not in text


def test_a_long_headline_of_one_sentence_is_still_a_heading() -> None:
    """A headline runs long on some sites, but it is one line of one sentence: it stays a label and out
    of the body, while the paragraphs set in ``<h2>`` beside it are read."""
    page = (BODY / "story-set-in-heading-tags.html").read_text("utf-8")
    headline = (
        "Rent strike enters its third week as the landlord refuses for a second time to repair the lifts "
        "that have stood still since January in all four towers on Mill Road, the union said late on Tuesday night"
    )
    assert len(headline) > 200
    page = page.replace("<h3>Get involved</h3>", f"<h2>{headline}</h2>")
    text = extract(page, HEADING_STORY_URL).text
    assert headline not in text
    assert text.startswith("Tenants in the four towers on Mill Road")


MAP_STORY_URL = "https://atlasblatt.example/karten/sonstige-parteien"


def test_a_short_story_with_a_download_button_under_each_map_is_not_a_list_of_teasers() -> None:
    """A map story of a standfirst and two paragraphs, with "Grafik herunterladen" under each of its
    seven maps: short blocks that are all link read as teaser titles, seven of them outnumbered the
    paragraphs, and the page was refused as a list of teasers. The same words under every map name
    no other story: a tool's button counts once."""
    text = _extract("map-story-download-buttons.html", MAP_STORY_URL)
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("Nach einer Wahl werden meist nur die Ergebnisse")
    assert paragraphs[1].startswith("Weil es zu viele sind")
    assert paragraphs[2].endswith("auf mehr als jede fünfte Stimme.")
    for chrome in ("Grafik herunterladen", "Jana Reuter", "Impressum", "Wie stark sind die Sonstigen?"):
        assert chrome not in text


def test_the_same_page_with_a_headline_under_each_map_is_still_a_list_of_teasers() -> None:
    """Seven different link titles of the same shape are seven other stories (a state's map each): the
    page reads as a listing and keeps its refusal."""
    page = (BODY / "map-story-download-buttons.html").read_text("utf-8")
    for n, state in enumerate(("Bayern", "Berlin", "Bremen", "Hamburg", "Hessen", "Sachsen", "Thüringen")):
        page = page.replace(">Grafik herunterladen<", f">Sonstige in {state}<", 1)
        assert f"Sonstige in {state}<" in page, n
    with pytest.raises(IngestError) as refused:
        extract(page, MAP_STORY_URL)
    assert refused.value.kind is ErrorKind.NOT_AN_ARTICLE


ROUNDUP_URL = "https://marginnotes.example/2024/03/14/links-for-14-march/"


def test_a_link_round_up_keeps_its_links() -> None:
    """A blog's daily bookmarks post is a list of linked titles with their sources: the link rows were
    cut as other stories, and the post came out as its one closing line. Its region holds nothing but
    links, so the links are the story; the sidebar's recent posts stay out."""
    article = extract((BODY / "link-roundup-post.html").read_bytes(), ROUNDUP_URL)
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == "Island ferry timetable cut to three sailings a day"
    assert paragraphs[1] == "via Harbour Post https://harbourpost.example/"
    assert "Printer maker locks cartridges when an ink plan is cancelled" in paragraphs
    assert "body is a list of links" in article.warnings
    for chrome in ("Recent posts", "Links for 13 March", "Proudly powered", "Archive"):
        assert chrome not in article.text


def test_a_story_with_links_after_it_keeps_its_link_rows_out() -> None:
    """Where the region tells a story of its own, its link rows are other stories and still go: the
    links are read again only when what is left is under a story's minimum."""
    page = (BODY / "link-roundup-post.html").read_text("utf-8")
    story = (
        "<p>The ferry operator confirmed on Wednesday that the winter timetable stays in force until May, "
        "with three sailings a day instead of five, after two of its crews were moved to the mainland "
        "route. Islanders say the first boat now leaves too late for the morning shift.</p>"
    )
    page = page.replace('<ul class="linkroll">', story + '<ul class="linkroll">', 1)
    article = extract(page, ROUNDUP_URL)
    assert article.text.startswith("The ferry operator confirmed on Wednesday")
    assert "Island ferry timetable cut to three sailings a day" not in article.text
    assert "body is a list of links" not in article.warnings
