"""The chosen region of a hand-written page body, for the structural block rules' tests."""

from __future__ import annotations

from lxml.html import document_fromstring

from scrapers.content import Analysis, Region, analyse, find_region, prune


def region_of_body(body: str) -> tuple[Analysis, Region]:
    """``body`` set in a bare page, pruned and analysed as ``extract`` does, and the region it finds."""
    root = document_fromstring(f"<html><body>{body}</body></html>")
    prune(root)
    analysis = analyse(root)
    region = find_region(analysis)
    assert region is not None
    return analysis, region
