"""Placeholder until the extractor lands (being written now)."""

from __future__ import annotations

from scrapers.article import Article


def extract(html: str | bytes, url: str | None = None) -> Article:
    raise NotImplementedError
