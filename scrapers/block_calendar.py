"""Month calendars inside the story's box: a blog's archive calendar, a holiday let's availability grid.

Blog engines set a month's calendar beside the posts ("Monthly calendar with links to each day's posts"),
and booking pages one per month under the description; with familiar names the box is cut as a widget,
with unfamiliar ones its table is read as text ("Sun | Mon | Tue ...", "1 | 2 | 3 | 4 | 5 | 6 | 7").
Its cells give it away whatever the table is called: nothing but day numbers (and weekday headers), and
read row by row the numbers count on by one, 1, 2, 3 ... 30, 31, then 1 again for the next month. A story's
table of figures (scores, prices, results) does not count on by one cell after cell, so it stays.
"""

from __future__ import annotations

import itertools

from lxml.html import HtmlElement

from scrapers.content import Analysis

# A calendar shows at least two weeks of days, which make up this share of its non-empty cells (the rest
# are weekday headers and the month's name).
CALENDAR_MIN_DAYS = 14
CALENDAR_MIN_DAY_SHARE = 0.6
# Nearly every next day number is the one before plus one (a new month starts again at 1).
CALENDAR_MIN_STEP_SHARE = 0.9


def _day_number(text: str) -> int:
    """The cell's day of the month (1-31, "07" read as 7), or 0 when the cell holds anything else."""
    return int(text) if len(text) <= 2 and text.isdigit() and 1 <= int(text) <= 31 else 0


def is_calendar(table: HtmlElement) -> bool:
    """The table is a month's grid of day numbers counting on by one."""
    days: list[int] = []
    filled = 0
    for cell in table.iter("td", "th"):
        if next(cell.iterancestors("table")) is not table:
            continue  # a table nested in a cell is read by itself: a layout table is no calendar
        text = "".join(cell.itertext()).strip()
        if not text:
            continue
        filled += 1
        if day := _day_number(text):
            days.append(day)
    if len(days) < CALENDAR_MIN_DAYS or len(days) < CALENDAR_MIN_DAY_SHARE * filled:
        return False
    steps = sum(b == a + 1 or (b == 1 and a >= 28) for a, b in itertools.pairwise(days))
    return steps >= CALENDAR_MIN_STEP_SHARE * (len(days) - 1)


def calendar_tables(analysis: Analysis, root: HtmlElement) -> list[HtmlElement]:
    """The month calendars under ``root`` (a calendar nested in a layout table is found by itself, never
    the layout around it, whose own cells hold the page)."""
    top = analysis.index.get(root, -1)
    if top < 0:
        return []
    found: list[HtmlElement] = []
    for table in root.iter("table"):
        if table is root or any(anc in found for anc in table.iterancestors()):
            continue
        if is_calendar(table):
            found.append(table)
    return found
