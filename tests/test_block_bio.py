"""The author's box under the story when its lines split the bio from the name (issue 7, unseen templates).

The fixture's boxes carry generated class names only: the box is known by its label, a name alone on its
line and a bio that goes on from that name.
"""

from __future__ import annotations

from pathlib import Path

from scrapers.block_bio import drop_unnamed_bio
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"
STORY = [
    "The county will close the old ferry pier for repairs from March, after divers found that two of "
    "its oak piles had rotted through below the waterline. The ferry will use the fishing harbour "
    "until the work is done, probably in the autumn.",
    "Passengers should allow ten more minutes for the walk from the bus station, the operator said.",
    "The pier was built in 1908 and last repaired in the 1970s, when its deck was replaced in concrete.",
]


def test_an_author_box_set_as_label_name_and_bio_lines_is_left_out() -> None:
    text = extract(
        (BODY / "author-box-name-line-de.html").read_bytes(),
        "https://rechtsblick.example/miete/nebenkostenabrechnung-pruefen",
    ).text
    assert text.startswith("Die Abrechnung der Nebenkosten kommt in diesen Wochen")
    assert text.endswith("bevor sie eine Nachzahlung leisten.")
    for words in ("AUTORIN", "Katrin Vollmer", "Partnerin der Kanzlei"):
        assert words not in text


def test_a_name_line_over_a_bio_naming_a_trade_goes_without_a_label() -> None:
    box = ["Mark Dunn", "is a freelance writer based in Leeds. He writes about science and the sea."]
    assert drop_unnamed_bio([*STORY, *box]) == STORY


def test_a_name_line_over_other_lines_stays() -> None:
    # a name heading over the story's own line about a place, and a bio line with nothing naming a trade
    place = [*STORY, "Harbour Road", "is closed to cars on the two Saturdays the cranes arrive."]
    assert drop_unnamed_bio(place) == place
    sentence = [*STORY, "Mark Dunn", "Is the pier worth saving? The council thinks so, at any price."]
    assert drop_unnamed_bio(sentence) == sentence
