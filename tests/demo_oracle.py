"""What a correct crawl of the demo site must end with: the tests' oracle, computed from the site's own
stories so it stays right when they change. Kept with the tests, not the site: the demo serves pages,
the tests judge a crawl of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from scrapers.urls import canonicalize
from worker.demo import DemoSite
from worker.demo.hostile import HOSTILE, HOSTILE_DISCOVERY, PRIVATE_PATH


@dataclass(slots=True)
class Expected:
    """What a correct crawl of the demo site must end with (URLs are canonical)."""

    stored: set[str] = field(default_factory=set)  # unique stories: each stored exactly once
    # Each wire story's copies across outlets: exactly one is stored (whichever the crawl reaches first,
    # since outlets are crawled concurrently), every other one is recorded as its duplicate.
    syndicated: dict[str, set[str]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # URL -> ErrorKind value
    too_old: set[str] = field(default_factory=set)
    disallowed_paths: set[str] = field(default_factory=set)  # (outlet-relative) never to be requested


def expected_of(site: DemoSite) -> Expected:
    result = Expected()
    for article in site.articles:
        url = canonicalize(site.url(article.outlet, article.path))
        if site.started - article.published > timedelta(days=7):
            result.too_old.add(url)
        elif article.wire:
            result.syndicated.setdefault(article.wire, set()).add(url)
        else:
            result.stored.add(url)
    for path, (_, kind) in {**HOSTILE, **HOSTILE_DISCOVERY}.items():
        result.refused[canonicalize(site.url("valley", path))] = kind
    result.refused[canonicalize(site.url("valley", PRIVATE_PATH))] = "robots"
    result.disallowed_paths.add(PRIVATE_PATH)
    return result
