"""Hand-written page bodies for the structural block rules' tests, read as ``extract`` reads a page."""

from __future__ import annotations

from collections.abc import Callable

from lxml.html import HtmlElement, document_fromstring

from scrapers.content import Analysis, Region, analyse, find_region, prune

# One paragraph of a story, to set the boxes under test between or after.
STORY_PARAGRAPH = (
    "<p class='s'>The council voted on Tuesday to keep the library open on Saturdays, after a petition "
    "signed by more than two thousand residents asked it to reverse the cut agreed in the spring.</p>"
)


def region_of_body(body: str) -> tuple[Analysis, Region]:
    """``body`` set in a bare page, pruned and analysed as ``extract`` does, and the region it finds."""
    root = document_fromstring(f"<html><body>{body}</body></html>")
    prune(root)
    analysis = analyse(root)
    region = find_region(analysis)
    assert region is not None
    return analysis, region


def found_texts(body: str, rule: Callable[[Analysis, HtmlElement], list[HtmlElement]]) -> list[str]:
    """The text of each box ``rule`` finds in the region of ``body``, spaces collapsed."""
    analysis, region = region_of_body(body)
    return [" ".join(box.text_content().split()) for box in rule(analysis, region.element)]
