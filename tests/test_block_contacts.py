"""The press contact under a story, found by its label and its details, not by its box's name."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_contacts import cut_press_contacts
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"
STORY = ["A story paragraph that tells what happened, at some length. " * 4] * 2


def test_a_press_contact_after_a_release_goes_with_what_little_follows_it() -> None:
    """A press release in boxes nothing names: "Pressekontakt", the spokesperson, an address, phone and
    e-mail, then the issuer's blurb and a donation line, all after the story."""
    text = extract(
        (BODY / "press-contact-after-release-de.html").read_bytes(),
        "https://lesefoerderung.example/presse/schulbibliotheken-nordstadt/",
    ).text
    assert "Der Stadtrat von Nordstadt hat am Dienstag beschlossen" in text
    assert text.endswith("Die ersten Schulen sollen noch vor den Sommerferien profitieren.")
    for leaked in ("Pressekontakt", "Jana Meurer", "presse@", "gemeinnütziger Verein", "Spende"):
        assert leaked not in text


def test_the_label_needs_contact_details_under_it() -> None:
    """A "Media relations" subheading over prose is the story's own section, not a contact box."""
    paragraphs = [*STORY, "Media relations", "The company's media relations team declined to comment."]
    assert cut_press_contacts(paragraphs) == paragraphs


def test_a_long_tail_keeps_what_follows_the_contact_lines() -> None:
    tail = ["A second story section that goes on for a long while. " * 10] * 3
    paragraphs = [*STORY, "Media contacts:", "Jane Roe", "+1 202 555 0143", *tail]
    assert cut_press_contacts(paragraphs) == [*STORY, *tail]


def test_a_one_line_contact_goes_and_a_sentence_about_the_press_office_stays() -> None:
    line = "Media contact: Jane Roe, +1 202 555 0143, jane.roe@harbour.example"
    sentence = "The press office said on Monday it had received more than 300 calls about the closure."
    assert cut_press_contacts([*STORY, line, STORY[0]]) == [*STORY, STORY[0]]
    assert cut_press_contacts([*STORY, sentence]) == [*STORY, sentence]


def test_nothing_goes_before_the_story_is_told() -> None:
    paragraphs = ["Pressekontakt", "Tel.: 030 123456", *STORY]
    assert cut_press_contacts(paragraphs) == paragraphs
