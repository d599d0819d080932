"""A publication stamp set as a paragraph of its own, wherever it sits: a label, a date, a time.

(and a clip's availability note, "Video verfügbar bis 28.02.2021", which is the same kind of line)

With familiar names the boxes holding "Article Launched: 01/18/2008 04:23:16 AM PST", "Last Edited:
Friday, 11 Jan 2008, 11:09 PM EST" or "3 days ago" are cut as date or meta boxes; an unseen template's
names say nothing, and the line rules know a date alone ("January 1, 2008") only above the story. The
line's text gives it away: nothing but a date or a time (absolute or "N hours ago"), with at most a
short label before it ("Created:", "Posted at:"). A sentence that mentions a date has words of its own
left once the date is taken out, and stays.

Two more shapes set the stamp beside the page's other record fields: the date and the section it was
filed in, split by a bar ("07.10.2016 | Politik", "2021-10-16 | Botschaft"), and the fields one after
the other with their labels ("News date : 04/21/2022 Category : Press Releases"). Each part is the date
or a label of a few words with no figure; a line with a second date, a figure, or a sentence in it is
the story's own ("Lakeport | 12.03.2023 | 14 dead" has a figure of its own, and stays).
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


# A date beside its section, split by a bar or a dot; record fields labelled one after another.
_BESIDE = re.compile(r"\s+[|·•]\s+")
_FIELD_LABEL = re.compile(r"(?:^|(?<=\s))((?:[^\W\d_][\w'-]*\s+)?[^\W\d_][\w'-]*)\s*:\s+")
_DATE_WORD = re.compile(r"(?i)\b(?:date|datum|fecha|dated)\b")
_PLAIN_WORDS = re.compile(r"^[^\W\d_][^\W\d_ &'’-]*(?:[ &'’-]+[^\W\d_]+)*$")
# A page's record is printed once or twice (over the headline, under the story).
RECORD_LINES_MAX = 2
# A label part: a few words, no figure.
LABEL_PART_WORDS = 3
LABEL_PART_MAX_CHARS = 30


def _label_part(part: str) -> bool:
    """A section's or category's name: a few plain words ("Politik", "Press Releases"); a title in
    quotes or brackets ("Salt （《Harbour》theme song）") is a work's, listed with its date."""
    return (
        _PLAIN_WORDS.match(part) is not None
        and len(part.split()) <= LABEL_PART_WORDS
        and len(part) <= LABEL_PART_MAX_CHARS
    )


def _date_beside_labels(text: str) -> bool:
    """ "07.10.2016 | Politik": one date, every other part a short label."""
    parts = [part.strip() for part in _BESIDE.split(text)]
    if len(parts) < 2:
        return False
    dates = [part for part in parts if date_only_text(part)]
    return len(dates) == 1 and all(part in dates or _label_part(part) for part in parts)


def _record_fields(text: str) -> bool:
    """ "News date : 04/21/2022 Category : Press Releases": labelled fields from the line's start, one of
    them the put-out date, the others short labels."""
    labels = list(_FIELD_LABEL.finditer(text))
    if len(labels) < 2 or labels[0].start() != 0:
        return False
    ends = [m.start() for m in labels[1:]] + [len(text)]
    fields = [(m.group(1), text[m.end() : end].strip()) for m, end in zip(labels, ends, strict=True)]
    dated = [
        value
        for label, value in fields
        if (_PUT_OUT.search(label) or _DATE_WORD.search(label)) and date_only_text(value)
    ]
    return len(dated) == 1 and all(value in dated or _label_part(value) for _, value in fields)


def record_line(text: str) -> bool:
    """A date beside the page's other record fields: its section, or labelled fields."""
    if len(text) > STAMP_MAX_CHARS or "\n" in text or _DIGIT.search(text) is None:
        return False
    return _date_beside_labels(text) or _record_fields(text)


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
    """``paragraphs`` without the lines that are only a labelled date or a relative time, or a date
    beside the page's record fields. A page prints its record once or twice: more such lines are a
    list of works or events with their dates ("Song title | 2012-10-26"), and stay."""
    stamps = {i for i, text in enumerate(paragraphs) if stamp_text(text)}
    records = {i for i, text in enumerate(paragraphs) if i not in stamps and record_line(text)}
    if len(records) > RECORD_LINES_MAX:
        records = set()
    if not stamps and not records:
        return paragraphs
    return [text for i, text in enumerate(paragraphs) if i not in stamps and i not in records]
