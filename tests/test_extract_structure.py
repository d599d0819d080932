"""Structural rules for unseen templates: boxes told by their shape and place, with no name to go on.

The fixtures under ``fixtures/pages/body/`` name their boxes with hashes, as an unfamiliar or generated
template does, so only the page's structure and text can separate the story from what surrounds it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers.errors import ErrorKind, IngestError
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def _extract(name: str, url: str | None = None) -> str:
    return extract((BODY / name).read_bytes(), url).text


def test_runs_of_headline_teasers_before_and_after_the_story_are_left_out() -> None:
    """Sibling boxes of one kind, each a headline link and a short line, before the first paragraph or
    after the last: lists of other stories. The story's own list of sources, inside its run of prose,
    stays."""
    text = _extract("teaser-run-after-story.html", "https://courier.example/2024/05/14/night-ferry-trial")
    assert text.startswith("The harbour council voted on Tuesday")
    assert text.endswith("leave the old quay at 11pm on 6 June.")
    assert "Night transport demand survey for the harbour district, published by the council" in text
    assert "Safe routes home for shift workers and students" in text
    for teaser in (
        "Bridge repairs close",
        "Quay market returns",
        "rowing regatta",
        "lighthouse",
        "roof",
        "path",
    ):
        assert teaser not in text
    assert "twenty minutes at peak times" not in text
    assert "Today's Courier" not in text


def test_a_long_photo_caption_that_repeats_the_images_own_description_is_left_out() -> None:
    """The caption is longer than a short credit line, but it says what the photo link's ``title`` says:
    it describes the photo, and the story starts below it."""
    text = _extract("long-caption-repeats-alt.html", "https://sport.example/football/riverside-cup-final")
    assert text.startswith("Riverside will play in their first cup final for eleven years")
    assert text.endswith("at the national stadium on 25 May.")
    assert "celebrates with team-mates" not in text
    assert len(text.split("\n\n")) == 5


def test_poll_and_sign_up_boxes_are_told_by_their_fields_not_their_names() -> None:
    """A poll whose choices hold more prose than a four-paragraph story, and an e-mail sign-up: their
    boxes carry fields to type in or choose from, which a story never holds."""
    text = _extract("poll-and-signup-boxes.html", "https://star.example/news/mayor-handgun-ban")
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("The mayor renewed his call for a national ban on handguns")
    assert (
        paragraphs[-1]
        == "The federal justice minister said a ban was not on the table but promised tougher sentences."
    )
    assert len(paragraphs) == 4
    assert "buy-back programme" not in text
    assert "morning briefing" not in text


def test_a_thread_of_comments_signed_inside_their_own_paragraphs_ends_the_story() -> None:
    """Readers' views printed under the story, each paragraph ending in a bold "- Name, Place" line after a
    break: four signatures of one shape, each after prose of its own, are a thread even without dates."""
    text = _extract("thread-signed-in-paragraphs.html", "https://courier.example/tv/reality-show-late-slot")
    assert text.startswith("The reality show that launched three pop careers")
    assert "move their spending to the channel's new Saturday quiz." in text
    for reader in ("Daniella", "Covent Garden", "Lancaster", "Marcus Bell"):
        assert reader not in text
    assert "hidden away at the wrong time of day" not in text


def test_a_box_of_teasers_longer_than_a_short_story_does_not_take_its_place() -> None:
    """A "Must Read" list of five headlines with excerpts holds more prose than the three-paragraph
    report beside it; its items are teasers (a headline link, then a short excerpt), so the story is
    looked for past them."""
    article = extract(
        (BODY / "must-read-box-outweighs-story.html").read_bytes(),
        "https://sport.example/football/striker-last-club",
    )
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("The striker made his debut for Chelsea yesterday")
    assert paragraphs[-1].startswith('"I have moved a lot in my career')
    assert len(paragraphs) == 3
    assert "a box of teasers outweighed the story" in article.warnings


def test_a_section_page_of_teasers_stays_a_list() -> None:
    """With no story beside the teasers, taking them out leaves nothing: the page is still refused."""
    page = (BODY / "must-read-box-outweighs-story.html").read_text("utf-8")
    start, end = page.index('<div class="c4">'), page.index('<div class="c6">')
    with pytest.raises(IngestError) as refused:
        extract(page[:start] + page[end:], "https://sport.example/football/")
    assert refused.value.kind is ErrorKind.NOT_AN_ARTICLE


def test_one_or_two_teaser_cards_after_the_story_are_left_out() -> None:
    """Two cards of other stories under the story, each a linked headline, a date line and an excerpt,
    each with a class of its own (a post id): no run of one kind, and no name that gives them away. A
    story's own list of linked sources is inside its prose and stays (the test above)."""
    text = _extract("teaser-cards-after-story.html", "https://weserblick.example/2024/01/12/nachtbus-hafen/")
    assert text.startswith("Der Stadtrat hat am Dienstagabend mit großer Mehrheit beschlossen")
    assert text.endswith("will der Rat im Herbst anhand der Fahrgastzahlen entscheiden.")
    assert "Hafenfähre in der Werft" not in text
    assert "Radweg" not in text
    assert "zwölf Parkplätze" not in text


def test_a_run_of_teaser_cards_with_long_excerpts_after_the_story_is_left_out() -> None:
    """Three sibling cards under "Keep reading", each a linked headline, a paragraph-long excerpt and a
    "Read more" link: each card is longer than a lone card may be, but side by side, one tag, one linked
    heading each, after the story's last paragraph, they are a list of other posts."""
    text = _extract("teaser-cards-long-excerpts.html", "https://notes.example/2024/02/monday-cache")
    assert text.startswith("For three months our continuous integration ran twice as long")
    assert text.endswith("put nothing in a cache key that can change without the content changing.")
    assert "table-locking" not in text and "I maintain an internal service" not in text
    assert "memory chart" not in text and "packet captures" not in text
    assert "Keep reading" not in text and "Read more" not in text


def test_a_comment_thread_found_by_its_reply_buttons_after_the_story_is_left_out() -> None:
    """Comments signed "NAME says:" over a date link, a reply nested under the first, each with a
    "Reply" link, in the story's own box: no signature line the thread rule knows, no name that gives
    the box away. Every comment goes, the short "Thanks!" too; the story stays whole."""
    text = _extract("thread-reply-buttons.html", "https://courier.example/local/night-buses")
    assert text.startswith("EASTPORT — The city council voted on Tuesday")
    assert text.endswith("extend them to the northern suburbs.")
    assert len(text.split("\n\n")) == 5
    for comment in ("taxi home", "late rota", "other two thirds", "Thanks!", "Reply", "says:"):
        assert comment not in text


def test_a_forum_thread_whose_first_post_has_a_reply_button_keeps_every_post() -> None:
    """On a forum page the question has its own "Reply": no story is told before the first one, so the
    posts are the page's content."""
    text = _extract("forum-thread-reply-buttons.html", "https://allotments.example/forum/t/seed-potatoes")
    assert "paper sacks, or is a crate with newspaper between the layers better?" in text
    assert "Crates every time." in text
    assert "An old fridge that no longer works" in text


def test_a_reply_control_is_a_link_or_button_saying_reply_and_nothing_more() -> None:
    from lxml.html import fragment_fromstring

    from scrapers.block_replies import reply_control

    def control(markup: str) -> bool:
        return reply_control(fragment_fromstring(markup))

    assert control('<a href="?replytocom=4#respond">Reply</a>')
    assert control("<button>Antworten ↓</button>")
    assert control('<a href="#" aria-label="Antworte auf Rafael"><svg></svg></a>')
    assert control('<a href="#r" aria-label="Reply to Sue">↩</a>')
    assert not control('<a href="/faq/replies">How to reply to a reader</a>')
    assert not control('<a href="#" aria-label="Share on Facebook">Share</a>')
    assert not control('<a href="/2024/answers">Antworten auf die zehn wichtigsten Fragen</a>')


def test_a_sign_up_box_around_an_email_form_inside_the_story_is_left_out() -> None:
    """A newsletter box set between two paragraphs in plain ``<div>`` elements: the form holds only the
    e-mail field, and its name, pitch, thanks, error and privacy lines sit around it. They go with it;
    the paragraphs on both sides stay."""
    text = _extract("signup-form-inside-story.html", "https://coastweekly.example/news/north-point")
    assert text.startswith("The three keepers' cottages beside the North Point lighthouse")
    assert text.endswith("will close during the breeding season.")
    assert len(text.split("\n\n")) == 4
    for line in ("Newsletter", "Sign up", "Thank you for signing up", "There was a problem", "No spam"):
        assert line not in text


def test_only_a_sign_up_form_widens_its_box_beyond_the_form() -> None:
    """A sign-up form's box takes in the lines around the form; a comment or rating form is a box of its
    own, and the text beside it (which may be a short story's) is left to the content finder."""
    from lxml.html import fragment_fromstring

    from scrapers.block_forms import mark_form_boxes

    beside = "<p>Get the week's best stories from the coast in your inbox every Friday.</p>"
    forms = {
        '<form><input type="email" name="e"><input type="submit"></form>': True,
        '<form><input type="text" name="n"><input type="email" name="e"><textarea></textarea></form>': False,
        '<form>Rate it: <input type="radio" name="r"><input type="radio" name="r"></form>': False,
    }
    for form, widened in forms.items():
        root = fragment_fromstring(f"<div><div><div>{beside}<div>{form}</div></div></div></div>")
        mark_form_boxes(root)
        marked = [el for el in root.iter("form") if "in your inbox" in el.text_content()]
        assert bool(marked) is widened
