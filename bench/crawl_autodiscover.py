"""How well ``looks_like_article`` tells an article's address from a listing's, on pages nobody tuned it on.

A source given only its home page, with no feed and no sitemap, finds its articles by the shape of their
addresses (``scrapers.discover.looks_like_article``). Nothing here was fitted to this corpus: the rule was
written from how news CMSes build URLs, then measured once on the pages of the extraction-dev corpus
(``../shared/extraction-dev``: one real content page each, from 400+ hosts), split by host into folds so a
site with many pages counts once per fold:

- recall: the share of the corpus pages' own URLs (content pages: articles, posts, press releases) that
  the rule takes for articles;
- template links: same-host links inside the pages' ``<nav>``, ``<header>``, ``<footer>`` or
  ``role=navigation`` (sections, tags, about and login pages: seldom an article; some are a featured
  story, so this share is an upper bound on mistakes), and the share of them the rule takes for articles.

Baseline, in the same run: every same-host link (a crawl with ``link_pattern: .``, Scrapy's LinkExtractor
with no ``allow``): recall and template-link share 100% by construction.

    .venv/bin/python bench/crawl_autodiscover.py
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lxml.html

from scrapers.discover import looks_like_article
from scrapers.urls import try_canonicalize

DEV = Path(__file__).resolve().parents[2] / "shared" / "extraction-dev"
FOLDS = 5
# Links in the page's template: navigation, header and footer (section, tag, about and login pages).
TEMPLATE = "//nav//a[@href] | //header//a[@href] | //footer//a[@href] | //*[@role='navigation']//a[@href]"


def _fold(host: str) -> int:
    return int(hashlib.sha256(host.encode()).hexdigest(), 16) % FOLDS


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def main() -> None:
    segments: dict[str, dict[str, str]] = json.loads((DEV / "segments.json").read_text("utf-8"))
    pages: dict[int, list[str]] = defaultdict(list)
    links: dict[str, Counter[str]] = defaultdict(Counter)  # host -> link path -> pages it appears on
    for url, info in segments.items():
        if not url.startswith(("http://", "https://")):
            continue  # the corpus's "hard::" pages carry no address
        host = urlsplit(url).netloc
        pages[_fold(host)].append(url)
        try:
            tree = lxml.html.fromstring(gzip.decompress((DEV / info["file"]).read_bytes()))
        except (OSError, ValueError, lxml.etree.ParserError):
            continue
        seen: set[str] = set()
        for anchor in tree.xpath(TEMPLATE):
            target = try_canonicalize(anchor.get("href") or "", url) if anchor.get("href") else None
            if target and urlsplit(target).netloc == host and target != try_canonicalize(url):
                seen.add(_path(target))
        links[host].update(seen)
    print(f"{'fold':>4} {'pages':>6} {'recall':>7} {'template links':>15} {'taken':>6}   baseline")
    totals = Counter[str]()
    for fold in range(FOLDS):
        urls = pages[fold]
        hit = sum(looks_like_article(_path(url)) for url in urls)
        template = [
            path for host, counts in links.items() if _fold(host) == fold for path, n in counts.items()
        ]
        taken = sum(looks_like_article(path) for path in template)
        totals.update(pages=len(urls), hit=hit, template=len(template), taken=taken)
        print(
            f"{fold:>4} {len(urls):>6} {hit / max(len(urls), 1):>7.1%} {len(template):>15} "
            f"{taken / max(len(template), 1):>6.1%}   100% / 100%"
        )
    print(
        f"{'all':>4} {totals['pages']:>6} {totals['hit'] / totals['pages']:>7.1%} {totals['template']:>15} "
        f"{totals['taken'] / max(totals['template'], 1):>6.1%}   100% / 100%"
    )


if __name__ == "__main__":
    main()
