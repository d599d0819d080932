"""The story's anchor (issue 7, unseen templates): the page's description opens the story, so a region
chosen elsewhere on the page is the wrong block of text.

The fixture's boxes carry no class or id a rule could lean on: a short blog post beside a sidebar whose
long link disclaimer outweighs it.
"""

from __future__ import annotations

from pathlib import Path

from scrapers.block_anchor import _anchor_key, _opens_with, _words
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"
STANDFIRST_PAGE = """<html><head><title>Ferry crews walk out</title>
<meta name="description" content="Crews on the three lake ferries voted on Thursday to walk out for two days.">
</head><body><div><h1>Ferry crews walk out</h1>
<div><p>Crews on the three lake ferries voted on Thursday to walk out for two days.</p></div>
<div><p>{para} One.</p><p>{para} Two.</p><p>{para} Three.</p></div></div></body></html>"""
PARAGRAPH = (
    "The vote followed a year of talks over the winter rota, which the union says leaves crews with "
    "too little rest between the early and the late crossings"
)


def test_a_short_post_beats_a_longer_sidebar_box_when_the_description_opens_it() -> None:
    """The sidebar's disclaimer holds more prose than the post; the description names the post's first
    words, so the post is the region, whole, and the disclaimer stays out."""
    article = extract(
        (BODY / "short-post-long-sidebar-box.html").read_bytes(),
        "https://querfeldein.example/2024/01/07/nebel-hafen-2/",
    )
    text = article.text
    assert text.startswith("Der Hafen liegt still und grau im Morgennebel…")
    assert text.endswith("aber so hat es wenigstens etwas Leben.")
    assert "Mit der automatisch gewählten Empfindlichkeit von ISO 1600" in text
    assert "fremden Links" not in text
    assert "In diesem Blog gibt es hin und wieder Links" not in text


def test_a_standfirst_above_the_body_does_not_move_the_region() -> None:
    """The description is the standfirst, set in its own box above the body: the body stays the region
    and the standfirst joins it as the lead."""
    text = extract(STANDFIRST_PAGE.format(para=PARAGRAPH), "https://lakes.example/news/ferry").text
    assert text.startswith("Crews on the three lake ferries voted on Thursday")
    assert text.count(PARAGRAPH) == 3
    assert text.endswith("crossings Three.")


def test_the_key_is_a_sentence_and_the_paragraph_opens_with_it() -> None:
    assert _anchor_key("Home | News | Sport") is None  # a site's slogan or a trail, not a sentence
    key = _anchor_key("Der Hafen liegt still und grau im Morgennebel… Angefangen hat es")
    assert key is not None
    assert _opens_with(_words("Der Hafen liegt still und grau im Morgennebel"), key)
    # a dateline before the opening is allowed; the words somewhere in the middle are not an opening
    assert _opens_with(_words("Hamburg. Der Hafen liegt still und grau im Morgennebel, heute"), key)
    assert not _opens_with(
        _words("gestern schrieb ich dass es mir gefällt wenn der hafen liegt still und grau im morgennebel"),
        key,
    )
