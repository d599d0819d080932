"""A publication stamp set as a paragraph of its own, wherever it sits: a label, a date, a time.

(and a clip's availability note, "Video verfügbar bis 28.02.2021", which is the same kind of line)

With familiar names the boxes holding "Article Launched: 01/18/2008 04:23:16 AM PST", "Last Edited:
Friday, 11 Jan 2008, 11:09 PM EST" or "3 days ago" are cut as date or meta boxes; an unseen template's
names say nothing, and the line rules know a date alone ("January 1, 2008") only above the story. The
line's text gives it away: nothing but a date or a time (absolute or "N hours ago"), with at most a
short label before it ("Created:", "Posted at:"). A sentence that mentions a date has words of its own
left once the date is taken out, and stays.
"""

from __future__ import annotations

import re

from scrapers.boilerplate import date_only_text
from scrapers.dates import relative_line

STAMP_MAX_CHARS = 80

# A label of one to three words closed by a colon that says the page was put out or changed ("Article
# Launched:", "Last Edited:", "Posted at:"); a fact box's "Deadline:" or "Termin:" is the story's own.
_LABEL = re.compile(r"^\W{0,3}(?:[^\W\d_][\w.'-]*\s+){0,2}[^\W\d_][\w.'-]*\s*:\s*")
_PUT_OUT = re.compile(
    r"(?i)\b(?:launched|published|posted|updated|created|edited|modified|released|"
    r"veröffentlicht|aktualisiert|erstellt|geändert|publié|mis à jour|modifié|publicado|actualizado)\b"
)
# A broadcaster's availability note over a clip: "Video verfügbar bis 28.02.2021", "Available until 3 May".
_AVAILABLE = re.compile(
    r"(?i)^\W{0,3}(?:[^\W\d_]+\s+)?(?:verfügbar|available|disponible)\s+"
    r"(?:bis|until|till|jusqu'(?:au|à)|hasta(?: el)?)\s+"
)
_DIGIT = re.compile(r"\d")
# Seconds and a zone abbreviation the date reader does not list ("04:23:16 AM PST").
_SECONDS = re.compile(r"\b(\d{1,2}:\d{2}):\d{2}\b")
_ZONE = re.compile(r"\s+\(?[A-Z]{2,4}\)?$")


def stamp_text(text: str) -> bool:
    """A line that is a date or time, with at most a short label before it."""
    if len(text) > STAMP_MAX_CHARS or "\n" in text:
        return False
    if relative_line(text):  # "3 days ago", "vor einer Stunde": the date reader's own definition
        return True
    if _DIGIT.search(text) is None:
        return False  # every other stamp holds a figure
    available = _AVAILABLE.match(text)
    if available is not None:
        return date_only_text(text[available.end() :])
    label = _LABEL.match(text)
    if label is None or label.end() == len(text) or _PUT_OUT.search(label.group()) is None:
        return False
    return date_only_text(_ZONE.sub("", _SECONDS.sub(r"\1", text[label.end() :])))


def drop_stamps(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the lines that are only a labelled date or a relative time."""
    if not any(stamp_text(text) for text in paragraphs):
        return paragraphs
    return [text for text in paragraphs if not stamp_text(text)]
