"""The head of the body (issue 7, unseen templates): bylines, datelines and reading times above the story.

The fixture's boxes carry no class or id a rule could lean on: the lines are known by what the metadata
reader found (the author's name, the publication date) and by their own words.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scrapers.article import Article
from scrapers.block_head import byline_line, dateline, drop_head_furniture, staff_line
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"
AUTHORS = ["Maren Holloway"]
DATES = [datetime(2024, 1, 19, 13, 12, tzinfo=UTC)]


def head_furniture(text: str, authors: list[str], dates: list[datetime]) -> bool:
    """A byline or a dateline, as ``drop_head_furniture`` reads each line above the story's prose."""
    return byline_line(text, authors) or dateline(text, dates)


def test_byline_dateline_and_reading_time_in_unnamed_boxes_are_left_out() -> None:
    """A name over a role, a "Filed in PLACE on DATE" line, a reading time and a player's label, each in
    a plain ``<div>`` above the story: the metadata's author and date give the first two away. The story
    keeps every paragraph, the lead included."""
    article = extract(
        (BODY / "byline-dateline-unnamed-boxes.html").read_bytes(),
        "https://northshore.example/news/ferry-strike",
    )
    text = article.text
    assert text.startswith("Crews on the three lake ferries voted on Thursday to walk out for two days")
    assert text.endswith("run late on one day in five since the rota started.")
    assert len(text.split("\n\n")) == 6
    for furniture in ("Maren Holloway", "Transport Writer", "Filed in Lakeport", "Reading time", "Listen to"):
        assert furniture not in text


def test_a_head_line_goes_when_it_holds_the_names_or_the_date_and_little_else() -> None:
    assert head_furniture("By JEFF KAROUB, AP Business Writer 47 minutes ago", ["Jeff Karoub"], [])
    assert head_furniture("Freitag | 19. Januar 2024 | 15:49 VON Maren Holloway IN Verkehr", AUTHORS, [])
    assert head_furniture("Pressemitteilung vom 19.01.2024", [], DATES)
    assert head_furniture("miércoles, 19 de enero de 2024 - 3:40 a.m.", [], DATES)
    assert head_furniture("8 minutos de lectura", [], []) and head_furniture("Lesedauer: 8 Min.", [], [])
    assert head_furniture("Publicado el", [], [])
    # a sentence about the author, a date of the story's own, another day: story text
    assert not head_furniture(
        "Maren Holloway spent the winter on the early crossings with the crews.", AUTHORS, []
    )
    assert not head_furniture("Talks are set for Wednesday, 24.01.2024 at the town hall", [], DATES)
    assert not head_furniture("Lakeport, 12.03.2023", [], DATES)
    # a one-word author ("Staff", a bad metadata value) matches no line
    assert not head_furniture("Staff meeting notes", ["Staff"], [])


def test_only_the_head_is_read() -> None:
    """Below the story's second paragraph of prose a line naming the author is the story's own."""
    lead = "Crews on the three lake ferries voted on Thursday to walk out for two days next month, they said."
    second = "The union said 87 of the 104 crew members who took part backed the strike on the lake routes."
    paragraphs = ["Maren Holloway", lead, "Reading time: 4 minutes", second, "Maren Holloway"]
    meta = Article(authors=AUTHORS, published_at=DATES[0])
    assert drop_head_furniture(paragraphs, meta) == [lead, second, "Maren Holloway"]


def test_field_and_breadcrumb_lines_above_the_story_are_left_out() -> None:
    """A breadcrumb through the home page ("Startseite › Lokales › Umwelt"), a category and an author
    field in plain ``<div>`` boxes above the story go; a fact line of the story ("Ort: ...") stays."""
    text = extract(
        (BODY / "head-fields-breadcrumbs-de.html").read_bytes(), "https://lindenau.example/umwelt/baeume"
    ).text
    assert text.startswith("Die Stadt Lindenau lässt im März entlang der stillgelegten Bahntrasse")
    assert "Ort: Rathaus Lindenau, Zimmer 12" in text
    assert text.endswith("für heiße Getränke sorgt der Heimatverein.")
    for furniture in ("Startseite", "Kategorie:", "Autor:"):
        assert furniture not in text


def test_a_field_line_is_a_furniture_label_and_a_short_value() -> None:
    from scrapers.block_head import field_line

    assert field_line("Author : Fakir Balaji") and field_line("Filed Under: Sports")
    assert field_line("US World News | Home") and field_line("Accueil > Sport > Football")
    assert not field_line("Ort: Rathaus Lindenau, Zimmer 12")
    assert not field_line("Home")  # a word alone: no trail
    assert not field_line("Tags: " + "word, " * 12)  # a field that runs on is no label


def test_a_kicker_that_names_the_pages_section_is_left_out() -> None:
    """ "Islands" over the headline, a folder of the canonical URL's path: the section's label, not the
    story's. The standfirst stays, and so does the subheading inside the story."""
    paragraphs = extract(
        (BODY / "kicker-section-label.html").read_bytes(),
        "https://harbourtimes.example/travel/islands/slow-boat-outer-isles-back",
    ).text.split("\n\n")
    assert (
        paragraphs[0] == "After four years without a passenger service, the mail boat takes visitors again."
    )
    assert "Islands" not in paragraphs
    assert "The four islands" in paragraphs and len(paragraphs) == 6


def test_section_labels_come_from_the_section_site_name_and_url_folders() -> None:
    from scrapers.block_head import kicker_line, section_labels

    meta = Article(
        section="Unterhaltung > Promis",
        site_name="Harbour Times",
        canonical_url="https://example.org/reise/inseln-im-norden/ein-artikel",
    )
    labels = section_labels(meta)
    for kicker in ("Promis", "UNTERHALTUNG", "Harbour Times", "Inseln im Norden"):
        assert kicker_line(kicker, labels)
    assert not kicker_line("Die Inseln im Norden", labels)


def test_staff_lines_below_a_caption_are_left_out() -> None:
    """A writer's name over a desk title and a "NAME, Service; with files from ..." line, each in a plain
    ``<div>`` under a long photo caption (which reads as prose, so the line rules above the story's first
    paragraph no longer apply): their roles give them away; the story keeps every paragraph."""
    text = extract(
        (BODY / "staff-lines-below-caption.html").read_bytes(),
        "https://coastcourier.example/news/harbour-pilots",
    ).text
    assert "Harbour Writer" not in text and "Lena Marsh" not in text
    assert "Northern News Service" not in text
    assert "PORT MERROW — The harbour pilots and the port authority agreed on Thursday" in text
    assert text.endswith("whose members vote next week.")


def test_a_staff_line_is_byline_parts_one_of_them_a_role() -> None:
    for line in (
        "AP White House Correspondent",
        "Tom Jicha\nTV and Radio Writer",
        "BS Reporter / New Delhi January 9, 2008",
        "KEN WARREN, CanWest News Service",
        "From correspondents in Karachi, Pakistan",
        "Von Max Muster, Redakteur",
        "Par Jean Dupont, envoyé spécial",
        "Por Ana Pérez, corresponsal",
    ):
        assert staff_line(line), line
    for line in (
        "Letters to the editor",  # a heading of the story's own: lowercase words before the role
        "New rules for reporters",
        "Tom Jicha",  # a name alone is the byline rule's, known by the metadata's authors
        "The editor said the rota was fair.",
    ):
        assert not staff_line(line), line


def test_the_writers_bio_above_the_story_is_left_out() -> None:
    """The byline's bio set over the story in a plain box: it opens with the metadata's author and a bio
    verb, so it is about the writer; the story keeps its first paragraph."""
    text = extract(
        (BODY / "bio-above-story.html").read_bytes(),
        "https://ledgerlane.example/mortgages/fixed-or-variable",
    ).text
    assert "Nora Castell" not in text and "mortgage adviser" not in text
    assert "Borrowers coming to the end of a fixed deal this spring" in text
    assert text.endswith("one with savings to fall back on may prefer to wait.")


def test_a_bio_line_of_someone_else_above_the_story_stays() -> None:
    """Only the byline's own name opens a bio: a lead about another person is the story's."""
    meta = Article(authors=["Nora Castell"])
    lead = (
        "Ilse Marren is a ferry captain who has crossed the sound twice a day for thirty years, and on "
        "Monday she steered her last crossing before retiring."
    )
    paragraphs = [lead, "The harbour held a small party for her on the quay. " * 3]
    assert drop_head_furniture(paragraphs, meta) == paragraphs
    # a one-word author value (a country, a desk) names no person: a lead opening with it stays
    country = Article(authors=["Pakistan"])
    lead = "PAKISTAN has officially asked cricket's governing body to change the result of the Test."
    assert drop_head_furniture([lead, *paragraphs], country) == [lead, *paragraphs]
