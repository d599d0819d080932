"""A desk's list of its latest reports beside the story, each a link and its filing stamp, found by shape."""

from __future__ import annotations

from pathlib import Path

from lxml.html import fromstring

from scrapers.block_dated import dated_entry_runs
from scrapers.content import analyse
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"
STORY = "<p>" + "A story paragraph that tells what happened, at some length and in sentences. " * 3 + "</p>"


def test_dated_report_links_after_the_story_are_left_out() -> None:
    text = extract(
        (BODY / "dated-entries-after-story.html").read_bytes(),
        "https://marketdesk.example/currencies/pound-slips-rate-cut-bets",
    ).text
    assert text.startswith("The pound fell half a cent against the dollar on Wednesday")
    assert text.endswith("would keep it cautious until the spring.")
    for leaked in ("Meeting Review", "Dec 13, 10:28 GMT", "Central Banks:", "View All"):
        assert leaked not in text


def _items(html: str) -> int:
    root = fromstring(html)
    analysis = analyse(root)
    return len(dated_entry_runs(analysis, root.find(".//div")))


def test_undated_items_and_dated_lists_within_the_story_stay() -> None:
    dated = '<li><a href="/report/{0}/">Quarterly report {0}</a> filed 12.0{0}.2023</li>'
    undated = '<li><a href="/report/{0}/">Quarterly report {0}</a> by the desk</li>'
    entries = "<ul>" + "".join(dated.format(n) for n in range(1, 4)) + "</ul>"
    plain = "<ul>" + "".join(undated.format(n) for n in range(1, 4)) + "</ul>"
    assert _items(f"<html><body><div>{STORY * 2}{entries}</div></body></html>") == 3
    assert _items(f"<html><body><div>{STORY * 2}{plain}</div></body></html>") == 0
    assert _items(f"<html><body><div>{STORY}{entries}{STORY}</div></body></html>") == 0
    # a story's timeline, told in sentences with a link each, is mostly words that link nowhere
    told = (
        "<li>On 12.0{0}.2023 the regulator opened its inquiry into the merger and asked both firms "
        'to hand over their pricing records, <a href="/r/{0}/">its notice</a> said.</li>'
    )
    timeline = "<ul>" + "".join(told.format(n) for n in range(1, 4)) + "</ul>"
    assert _items(f"<html><body><div>{STORY * 2}{timeline}</div></body></html>") == 0
