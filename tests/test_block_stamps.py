"""A publication stamp set beside the page's other record fields (issue 7, unseen templates).

The fixture's boxes carry generated class names only: the date and section over the headline, and the
news date and category under the story, are known by their shape alone.
"""

from __future__ import annotations

from pathlib import Path

from scrapers.block_stamps import drop_stamps, record_line
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_the_date_beside_its_section_and_labelled_record_fields_are_left_out() -> None:
    text = extract(
        (BODY / "record-fields-lines.html").read_bytes(),
        "https://harbournotes.example/news/island-clinic-x-ray-room",
    ).text
    assert text.startswith("The island's only clinic opened a new x-ray room on Monday")
    assert text.endswith("the mainland hospital will read the images within the hour.")
    assert "2024-03-11" not in text and "News date" not in text and "Category" not in text


def test_a_date_and_labels_make_a_stamp_and_a_figure_or_a_second_date_does_not() -> None:
    assert record_line("07.10.2016 | Politik")
    assert record_line("Botschaft · 2021-10-16")
    assert record_line("News date : 04/21/2022 Category : Press Releases")
    assert not record_line("Lakeport | 12.03.2023 | 14 dead")
    assert not record_line("12.03.2023 | 12.04.2023")
    assert not record_line("Termine | 12.03.2023 | Die Stadt lädt ein zum Sommerfest am Hafen")
    assert not record_line("Deadline: 12.03.2023 Ort: Berlin")
    assert not record_line("Harbour Lights (theme song of “Salt”) | 2012-10-26")


def test_a_list_of_titles_with_their_dates_stays() -> None:
    """Three or more lines of a title beside a date are a list of works or events, not the page's record."""
    songs = ["Harbour Lights | 2012-10-26", "Salt and Rope | 2014-03-02", "The Long Quay | 2017-07-14"]
    story = ["The singer's first three records, all made on the island, are reissued this spring."]
    assert drop_stamps(story + songs) == story + songs
    assert drop_stamps(["07.10.2016 | Politik", *story]) == story
