"""Photo boxes set between a story's paragraphs under unseen names (issue 7): a picture nested deep in a
table or gallery widget and its caption; ``scrapers.block_photos``."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_photos import photo_boxes
from scrapers.extract import extract
from tests.block_support import STORY_PARAGRAPH, found_texts

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_captions_in_table_and_gallery_boxes_are_left_out() -> None:
    """A right-floated table (image row, caption row) and a gallery widget (label, nested image frames,
    caption) between the story's paragraphs: both captions go, the four paragraphs stay (fails on main:
    both captions and the widget's label are kept)."""
    text = extract(
        (BODY / "photo-boxes-table-layout.html").read_bytes(), "https://northgate.example/football/keeper"
    ).text
    assert text.startswith("United's goalkeeper watched Saturday's derby from the bench")
    assert text.endswith("whoever is in goal.")
    assert "Sidelined" not in text and "Supporters hold up scarves" not in text
    assert "Click photo to enlarge" not in text
    assert len(text.split("\n\n")) == 4


def _boxes(body: str) -> list[str]:
    return found_texts(body, photo_boxes)


def test_a_story_told_in_pictures_keeps_its_texts() -> None:
    """Four boxes of a picture and a text each: a gallery story, not captions beside one."""
    items = "".join(
        f"<div class='g'><div><img src='/{n}.jpg' width='400' height='300'></div>"
        f"<div class='t'>Item {n}: a walk along the cliff path from the harbour to the old lighthouse.</div></div>"
        for n in range(4)
    )
    assert _boxes(f"<div>{STORY_PARAGRAPH * 3}{items}</div>") == []


def test_a_text_set_like_the_story_beside_a_picture_stays() -> None:
    """A paragraph of the story's own kind next to an image in a box is the story, not a caption (the
    picture nested three frames deep, below the depth ``content`` looks at)."""
    frames = "<div><div><div><img src='/a.jpg' width='400' height='300'></div></div></div>"
    boxed = (
        f"<div class='w'>{frames}"
        "<p class='s'>Opening hours on weekdays stay as they are, the council said.</p></div>"
    )
    assert _boxes(f"<div>{STORY_PARAGRAPH * 2}{boxed}{STORY_PARAGRAPH * 2}</div>") == []
    caption = (
        f"<div class='w'>{frames}<div class='c'>Readers at the library's reopening in March.</div></div>"
    )
    assert _boxes(f"<div>{STORY_PARAGRAPH * 2}{caption}{STORY_PARAGRAPH * 2}</div>") == [
        "Readers at the library's reopening in March."
    ]


def test_a_fact_box_beside_its_picture_stays() -> None:
    """A product's figures set as lines (or list items) beside its photo are content, not a caption."""
    frames = "<div><div><div><img src='/rod.jpg' width='400' height='300'></div></div></div>"
    lines = (
        f"<div class='f'>{frames}<div class='k'>Length: 2.44 metres<br>Weight: 186 grams<br>"
        "Casting weight: 10 to 40 grams</div></div>"
    )
    assert _boxes(f"<div>{STORY_PARAGRAPH * 2}{lines}{STORY_PARAGRAPH * 2}</div>") == []
    items = (
        f"<div class='f'>{frames}<ul><li>Sleeps four</li><li>Two bedrooms</li><li>Garden with a barbecue</li>"
        "</ul></div>"
    )
    assert _boxes(f"<div>{STORY_PARAGRAPH * 2}{items}{STORY_PARAGRAPH * 2}</div>") == []
