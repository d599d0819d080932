"""The demo site's content: its outlets (each with the template and robots.txt of a CMS family) and its
stories, read from ``data/stories.yaml``, with the paths each outlet serves them under."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"
VALLEY_TZ = timezone(timedelta(hours=-5))


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    site: str
    template: str
    robots: str


OUTLETS: dict[str, Outlet] = {
    "northwind": Outlet(
        "northwind",
        "Northwind Radio",
        "pangea",
        "User-agent: *\nDisallow: /s/\nDisallow: /private/\n\nSitemap: {base}/sitemap.xml\n",
    ),
    "harbor": Outlet(
        "harbor",
        "Harbor Wire",
        "arc",
        "User-agent: *\nCrawl-delay: 0.3\nDisallow: /pf/api/\nDisallow: /subscribe\n",
    ),
    "valley": Outlet(
        "valley",
        "Valley Courier",
        "generic",
        "User-agent: *\nDisallow: /private/\nDisallow: /wp-admin/\n\nSitemap: {base}/sitemap_index.xml\n",
    ),
}


@dataclass(slots=True)
class DemoArticle:
    outlet: str
    slug: str
    title: str
    authors: list[str]
    published: datetime
    section: str
    paragraphs: list[str]
    number: int | None = None
    special: str | None = None
    wire: str | None = None
    original: bool = True  # False for a syndicated copy of a wire story
    path: str = ""


def load_articles(now: datetime) -> list[DemoArticle]:
    """The stories of ``data/stories.yaml``, dated relative to ``now`` so the site is always fresh; each
    wire story becomes one article per outlet copy (trimmed or with a tagline where the file says)."""
    data = yaml.safe_load((DATA_DIR / "stories.yaml").read_text(encoding="utf-8"))
    articles: list[DemoArticle] = []

    def make(entry: dict[str, Any], paragraphs: list[str], wire: str | None, original: bool) -> DemoArticle:
        return DemoArticle(
            outlet=entry["outlet"],
            slug=entry["slug"],
            title=entry["title"],
            authors=list(entry["authors"]),
            published=now - timedelta(hours=float(entry["age_hours"])),
            section=entry["section"],
            paragraphs=paragraphs,
            number=entry.get("number"),
            special=entry.get("special"),
            wire=wire,
            original=original,
        )

    for entry in data["articles"]:
        articles.append(make(entry, list(entry["paragraphs"]), None, True))
    for story in data["wire"]:
        for index, copy in enumerate(story["copies"]):
            paragraphs = list(story["paragraphs"])
            if copy.get("trim"):
                paragraphs = paragraphs[: -int(copy["trim"])]
            if copy.get("tagline"):
                paragraphs.append(copy["tagline"])
            articles.append(make(copy, paragraphs, story["id"], index == 0))
    for article in articles:
        article.path = article_path(article)
    return articles


def article_path(article: DemoArticle) -> str:
    """Each outlet's URL scheme, as its CMS family writes it."""
    if article.outlet == "northwind":
        return f"/a/{article.slug}/{article.number}.html"
    if article.outlet == "harbor":
        day = article.published
        return f"/{article.section}/{day:%Y/%m/%d}/{article.slug}/"
    return f"/news/{article.slug}/"


def slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def zulu(moment: datetime) -> str:
    """An instant as Arc and Atom feeds print it: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def escape(text: str) -> str:
    return html.escape(text, quote=True)
