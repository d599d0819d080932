"""Other stories' opening paragraphs set after the story, each under its own wire dateline.

A wire service's site closes a story with the leads of its latest others ("New Delhi, Jan 15 (ANI): The
Supreme Court today lifted the ban ..."), one paragraph each; with familiar names the box is cut as a
teaser list, with unfamiliar ones its paragraphs read as the story going on. The dateline gives them
away: a story prints its dateline once, over its first paragraph, so two or more paragraphs that each
open with one, closing the body, after a story told without any, are the leads of other stories. A news
digest opens every item with a dateline, its first one too, and a story's list of people ("NAME
(Country/Sport): ...") sits between paragraphs of its own; both keep their paragraphs.
"""

from __future__ import annotations

import re

# The story before the leads is at least this long, and longer than they are together.
LEADS_STORY_MIN_CHARS = 400
LEADS_MIN = 2

# "New Delhi, Jan 15 (ANI): ", "TAIPEI, Taiwan (AP) - ", "BERLIN (dpa) – ": a place, perhaps a region and
# a date, the agency in brackets, then a colon or a dash before the lead.
_DATELINE = re.compile(
    r"^[A-ZÀ-Ý][\w.'’ -]{1,40}(?:,[^(),:\n]{1,30}){0,2}\s*"
    r"\([A-Za-z][\w./-]{1,12}(?:[ /][A-Z][\w./-]{1,12}){0,2}\)\s*(?::|[-–—]{1,2})\s*\S"
)


def opens_with_dateline(text: str) -> bool:
    """The paragraph opens with a wire dateline: place, agency in brackets, a colon or a dash."""
    return "(" in text[:80] and _DATELINE.match(text) is not None


def drop_wire_leads(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the closing run of other stories' datelined leads."""
    start = len(paragraphs)
    while start > 0 and opens_with_dateline(paragraphs[start - 1]):
        start -= 1
    if len(paragraphs) - start < LEADS_MIN:
        return paragraphs
    if any(opens_with_dateline(text) for text in paragraphs[1:start]):
        return paragraphs  # datelines within the body: a digest's items or a story's list
    told = sum(len(text) for text in paragraphs[:start])
    leads = sum(len(text) for text in paragraphs[start:])
    if told < LEADS_STORY_MIN_CHARS or told <= leads:
        return paragraphs
    return paragraphs[:start]
