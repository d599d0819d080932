"""Month calendars in the story's box, found by their day numbers counting on by one, whatever their names."""

from __future__ import annotations

from pathlib import Path

from lxml.html import fragment_fromstring

from scrapers.block_calendar import is_calendar
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_an_archive_calendar_beside_a_post_is_left_out_and_its_figures_table_stays() -> None:
    text = extract(
        (BODY / "archive-calendar-beside-post.html").read_bytes(),
        "https://greenfield-notes.example/2024/03/allotment-waiting-list/",
    ).text
    assert text.startswith("There are now 412 names on the town's allotment waiting list")
    for leaked in ("March 2024", "Sun | Mon", "17 | 18", "24 | 25 | 26"):
        assert leaked not in text
    # the story's own table of figures is no calendar
    assert "Year | Plots | New names" in text
    assert "2023 | 23 | 29" in text


def _table(rows: list[list[str]]) -> str:
    return (
        "<table>"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
        + "</table>"
    )


def test_day_numbers_must_count_on_by_one() -> None:
    # a month starting on a Wednesday, and the next month going on from its 1st, zero-padded
    june = [[""] * 3 + [str(d) for d in range(1, 5)]] + [
        [str(d) for d in range(start, min(start + 7, 31))] for start in range(5, 31, 7)
    ]
    july = [[f"{d:02d}" for d in range(start, min(start + 7, 32))] for start in range(1, 32, 7)]
    assert is_calendar(
        fragment_fromstring(_table([["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"], *june, *july]))
    )
    # league points and goals: small numbers, but not a count
    table = [["Team", "P", "W", "D", "L", "Pts"]] + [
        [name, "12", str(w), str(d), str(12 - w - d), str(3 * w + d)]
        for name, w, d in (
            ("Ashford", 9, 2),
            ("Barnet", 7, 3),
            ("Crewe", 6, 1),
            ("Dover", 4, 5),
            ("Exeter", 2, 2),
        )
    ]
    assert not is_calendar(fragment_fromstring(_table(table)))
    # a numbered list of twenty entries: the count is there, but half the cells are names
    ranks = [[str(n), f"Runner number {n}"] for n in range(1, 21)]
    assert not is_calendar(fragment_fromstring(_table(ranks)))


def test_a_layout_table_holding_a_calendar_is_not_one() -> None:
    month = _table([[str(d) for d in range(start, min(start + 7, 32))] for start in range(1, 32, 7)])
    layout = (
        f"<table><tr><td>A story told in the left column of an old layout.</td><td>{month}</td></tr></table>"
    )
    outer = fragment_fromstring(layout)
    assert not is_calendar(outer)
    assert is_calendar(next(outer.iterdescendants("table")))
