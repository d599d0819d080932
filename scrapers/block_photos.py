"""A photo box set between the story's paragraphs: a picture and its caption, whatever the box is called.

With familiar names the caption's box is cut as chrome ("caption", "credit"), and ``<figure>`` gives
it away by tag. ``content`` marks a short text that shares a small box with an image, up to three levels
above it. Older and table-layout templates nest the picture deeper: a right-floated ``<table>`` whose
first row holds the image (in a ``<td>``, a ``<center>``) and whose second row holds the caption, or a
gallery widget whose "Click photo to enlarge" label, image frames and caption sit in nested ``<div>``s.
Under unfamiliar names the caption (a sentence or three about the picture) reads as a paragraph of
the story. The box's shape gives it away: it holds one real picture and a short text, no heading, and
its text is not set like the story's paragraphs (same tag and class) beside it; the story itself is
told outside it. A story of pictures (a gallery or a listicle, each item a photo and its text) has many
such boxes, or its texts set like its paragraphs, and keeps them.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from scrapers.content import HEADINGS, Analysis

# How far above the picture its box may be, how much text a caption holds (at least a phrase), and how
# much of the region's prose must lie outside the box for the story to be told elsewhere.
PHOTO_MAX_LEVELS = 6
CAPTION_MIN_CHARS = 20
CAPTION_MAX_CHARS = 500
STORY_OUTSIDE_SHARE = 3
# A caption is one block of text, with at most a label ("Click photo to enlarge") beside it.
CAPTION_MAX_BLOCKS = 2
# A region with more photo boxes than this is a story told in pictures: they stay.
PHOTO_MAX_BOXES = 3
# An image whose declared width or height is under this is an icon, a spacer or a tool's button.
ICON_MAX_PIXELS = 60
_LETTER = re.compile(r"[^\W\d_]")
_BOX_STOP = frozenset({"p", "li", "body", "html", "a"})


def _pixels(value: str | None) -> int | None:
    digits = (value or "").strip().removesuffix("px")
    return int(digits) if digits.isdigit() else None


def _photo(img: HtmlElement) -> bool:
    """A picture, not an icon: no declared side under ``ICON_MAX_PIXELS``."""
    sides = [_pixels(img.get("width")), _pixels(img.get("height"))]
    return all(side is None or side >= ICON_MAX_PIXELS for side in sides)


def _box_of(analysis: Analysis, img: HtmlElement, root: HtmlElement) -> HtmlElement | None:
    """The nearest element above ``img`` (below ``root``) that holds text: the picture's box."""
    el = img
    for _ in range(PHOTO_MAX_LEVELS):
        up = el.getparent()
        if up is None or up is root:
            return None
        el = up
        i = analysis.index.get(el, -1)
        if i < 0 or analysis.chrome[i]:
            return None
        if analysis.agg_text[i] + analysis.agg_link[i]:
            return el
    return None


def _text_blocks(analysis: Analysis, box: HtmlElement) -> int:
    """How many blocks and lines of text ``box`` holds."""
    index, is_block = analysis.index, analysis.is_block
    blocks = sum(
        1
        for el in box.iter()
        if (i := index.get(el, -1)) >= 0
        and is_block[i]
        and el.tag != "li"
        and analysis.text_chars[i] + analysis.link_chars[i]
    )
    # a line break, or a list item that says something (not a gallery pager's "«", "1", "»"), starts one more
    items = sum(1 for li in box.iter("li") if _LETTER.search(li.text_content()))
    return blocks + items + sum(1 for _ in box.iter("br"))


def _kinds(analysis: Analysis, elements: list[HtmlElement]) -> set[tuple[str, str | None]]:
    """(tag, class) of the blocks among ``elements`` that hold prose."""
    index, good = analysis.index, analysis.good
    return {(el.tag, el.get("class")) for el in elements if (i := index.get(el, -1)) >= 0 and good[i]}


def photo_boxes(analysis: Analysis, root: HtmlElement) -> list[HtmlElement]:
    """The boxes under ``root`` that hold a picture and its caption between the story's paragraphs."""
    top = analysis.index.get(root, -1)
    if top < 0:
        return []
    boxes: list[HtmlElement] = []
    for img in root.iter("img"):
        if not _photo(img):
            continue
        box = _box_of(analysis, img, root)
        if box is None or box.tag in _BOX_STOP or box.tag in HEADINGS or box in boxes:
            continue
        i = analysis.index[box]
        chars = analysis.agg_text[i] + analysis.agg_link[i]
        if not CAPTION_MIN_CHARS <= chars <= CAPTION_MAX_CHARS:
            continue
        if analysis.agg_good[top] - analysis.agg_good[i] < STORY_OUTSIDE_SHARE * chars:
            continue  # the box is much of the story: a lead photo beside a short text is that text
        if next(box.iter(*HEADINGS), None) is not None:
            continue  # a heading, a picture and a text: an item of a listicle
        if sum(_photo(other) for other in box.iter("img")) != 1:
            continue
        if _text_blocks(analysis, box) > CAPTION_MAX_BLOCKS:
            continue  # a fact box (lines of figures, a list) beside its picture: content, not a caption
        boxes.append(box)
    if not boxes or len(boxes) > PHOTO_MAX_BOXES:
        return []
    inside = {el for box in boxes for el in box.iter()}
    story = _kinds(analysis, [el for el in root.iter() if el not in inside])
    return [box for box in boxes if not _kinds(analysis, list(box.iter())) & story]
