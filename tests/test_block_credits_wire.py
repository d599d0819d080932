"""Wire photo captions (issue 7, unseen templates): a caption of a few sentences closed by a wire
photo's credit, in boxes nothing names; an extension of ``scrapers.block_credits``."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_credits import credit_line
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_long_captions_closed_by_a_wire_credit_are_left_out() -> None:
    """The lead photo's caption (two sentences, "(AP Photo/NAME)") above the story and a second caption
    ("(NAME/Reuters)") between its paragraphs: both are longer than a credit line, both go; the story
    keeps every paragraph."""
    text = extract(
        (BODY / "lead-caption-wire-credit.html").read_bytes(),
        "https://coastcourier.example/news/harbour-pilots",
    ).text
    assert text.startswith("PORT MERROW — The harbour pilots and the port authority agreed on Thursday")
    assert "Dana Whitlock" not in text and "AP Photo" not in text
    assert "A container ship waits off the breakwater" not in text
    assert text.endswith("whose members vote next week.")
    assert len(text.split("\n\n")) == 4


def test_a_wire_credit_closes_the_caption() -> None:
    caption = (
        "K.J. Choi of South Korea acknowledges the crowd after a birdie putt on the ninth green during the "
        "second round of the Sony Open in Honolulu, Friday, Jan. 11, 2008. Choi shot a 5-under-par 65 to "
        "finish at total 11-under-par. (AP Photo/Eric Risberg)"
    )
    assert credit_line(caption)
    assert credit_line("Fidel Edwards celebrates in Port Elizabeth. Photograph by Gianluigi Guercia / AFP.")
    assert credit_line("Isolating students peer out of their window on Monday. (Lee Hale/Getty Images)")
    # a story's sentence naming an agency, or a wire dateline, is no credit
    assert not credit_line("The minister said the vote would go ahead on Friday, as planned (Reuters).")
    assert not credit_line("WASHINGTON (AP) — The Senate voted on Tuesday to extend the program by a year.")
    assert not credit_line("He sold the picture to a wire service, he said, without naming it (AP/AFP).")
