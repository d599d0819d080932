"""The site pitching its own newsletter, app or forums, found by whose product it is and whom it addresses."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_pitches import drop_pitches, pitch_line, site_keys
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_pitches_after_a_story_with_generated_names_are_left_out() -> None:
    text = extract(
        (BODY / "site-pitches-after-story.html").read_bytes(),
        "https://www.tidewatercourier.example/news/harbour-ferry-fares-rise",
    ).text
    assert text.startswith("Fares on the harbour ferry will rise by 8% from March 1")
    assert text.endswith("The council will discuss the fares at its meeting on February 12.")
    # the authority's app is the story's, not the site's, and stays
    assert "ferry tracker app will show the changes" in text
    for words in ("E-Newsletter", "our Forums", "on your phone", "Tidewater Courier app"):
        assert words not in text


def test_pitches_in_four_languages() -> None:
    assert pitch_line("Keep up to date with the news. Receive our free E-Newsletter")
    assert pitch_line(
        "Sie möchten wöchentliche Produktvorstellungen? Schauen Sie mal in unseren Musiknewsletter!"
    )
    assert pitch_line("Recevez chaque matin notre newsletter dans votre boîte mail.")
    assert pitch_line("Descarga nuestra app y recibe las noticias en tu móvil.")
    keys = site_keys("VI Consortium", "https://viconsortium.com/vi-crime/story")
    assert pitch_line("Get the latest news straight to your phone with the VI Consortium app.", keys)


def test_a_story_about_apps_or_newsletters_stays() -> None:
    keys = site_keys("Tidewater Courier", "https://www.tidewatercourier.example/news/x")
    assert not pitch_line(
        "The bank said its app would be offline on Sunday, and customers should use the website.", keys
    )
    assert not pitch_line(
        '"Download our app and you will never miss a ferry," the port authority said.', keys
    )
    assert not pitch_line("Die Stadt hat ihren Newsletter eingestellt, weil ihn kaum jemand las.", keys)


def test_a_page_about_the_sites_own_apps_keeps_its_lines() -> None:
    story = ["An app maker's privacy policy: " + "x" * 400]
    lines = [
        f"Some of our apps may use permission {n} to read your contacts when you request." for n in range(5)
    ]
    assert drop_pitches(story + lines) == story + lines


def test_a_line_under_a_sign_up_heading_that_speaks_as_the_site_is_a_pitch() -> None:
    """A sign-up box named only in its heading ("NEWS / LETTERS") over a line in the site's voice, after
    the story; the story's own subhead over a line addressing the reader about someone else's app stays."""
    text = extract(
        (BODY / "pitch-under-sign-up-heading.html").read_bytes(),
        "https://www.greenwayweekly.example/gardens/leave-one-corner-wild",
    ).text
    assert text.startswith("The county wildlife trust has asked gardeners")
    assert text.endswith("when the patches can be cut again.")
    assert "The app\n\nYou can log each visit with the trust's free recording app" in text
    assert "LETTERS" not in text and "we have plenty" not in text
