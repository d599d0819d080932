"""An article page of the demo site, in its outlet's template: Pangea (RFE/RL-like), Arc (an ANS JSON copy
in the page) or a generic WordPress-like page. Each outlet's own fields live in one function."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from dataclasses import dataclass
from string import Template

from worker.demo.stories import DATA_DIR, OUTLETS, VALLEY_TZ, DemoArticle, script_json, slug, zulu


def load_templates() -> dict[str, Template]:
    return {
        name: Template((DATA_DIR / "templates" / f"{name}.html").read_text(encoding="utf-8"))
        for name in ("pangea", "arc", "generic")
    }


@dataclass(frozen=True, slots=True)
class PageParts:
    """What one rendering needs besides the article: its current text and its neighbours."""

    article: DemoArticle
    paragraphs: list[str]
    base: str  # the outlet's base URL
    others: list[DemoArticle]  # related stories linked from the page
    year: int


def render(templates: dict[str, Template], parts: PageParts) -> str:
    article, paragraphs = parts.article, parts.paragraphs
    common = {
        "lang": "en",
        "title": html.escape(article.title),
        "canonical": parts.base + article.path,
        "site": OUTLETS[article.outlet].site,
        "section": html.escape(article.section),
        "year": str(parts.year),
        "description": html.escape(paragraphs[0][:160]),
    }
    template = OUTLETS[article.outlet].template
    return templates[template].substitute(common, **_FIELDS[template](parts))


def _pangea(parts: PageParts) -> dict[str, str]:
    article = parts.article
    authors = "\n".join(
        f'            <li class="links__item"><a class="links__item-link" '
        f'href="/author/{slug(name)}/{sum(map(ord, name))}.html" '
        f'title="{html.escape(name)}">'
        f"{html.escape(name)}</a></li>"
        for name in article.authors
    )
    jsonld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": article.published.isoformat(),
        "mainEntityOfPage": parts.base + article.path,
        "publisher": {"@type": "Organization", "name": OUTLETS[article.outlet].site},
    }
    return {
        "section_url": f"/z/{100 + len(article.section)}",
        "authors_html": authors,
        "published_iso": article.published.isoformat(),
        "published_human": f"{article.published:%B %d, %Y %H:%M} GMT",
        "body_html": "\n".join(f"          <p>{html.escape(p)}</p>" for p in parts.paragraphs),
        "jsonld": script_json(jsonld),
        "related_html": "\n".join(
            f'      <div class="media-block"><a href="{o.path}"><h4 class="media-block__title">'
            f"{html.escape(o.title)}</h4></a></div>"
            for o in parts.others
        ),
    }


def _ans(parts: PageParts) -> dict[str, object]:
    """The page's embedded Arc content JSON (ANS), as Arc sites ship it beside the visible text."""
    article, paragraphs = parts.article, parts.paragraphs
    return {
        "_id": hashlib.sha1(article.path.encode()).hexdigest()[:26].upper(),
        "type": "story",
        "version": "0.10.9",
        "canonical_url": article.path,
        "language": "en",
        "headlines": {"basic": article.title},
        "description": {"basic": paragraphs[0][:200]},
        "credits": {"by": [{"type": "author", "name": name, "byline": name} for name in article.authors]},
        "display_date": zulu(article.published),
        "first_publish_date": zulu(article.published),
        "publish_date": zulu(article.published),
        "last_updated_date": zulu(article.published),
        "taxonomy": {"primary_section": {"_id": f"/{article.section}", "name": article.section.title()}},
        "content_elements": [
            {"_id": f"P{i}", "type": "text", "content": html.escape(p, quote=False)}
            for i, p in enumerate(paragraphs)
        ],
    }


def _arc(parts: PageParts) -> dict[str, str]:
    article = parts.article
    return {
        "ans": script_json(_ans(parts)),
        "path": article.path,
        "section_label": article.section.title(),
        "published_iso": zulu(article.published),
        "published_human": f"{article.published:%B %d, %Y %I:%M %p} UTC",
        "body_html_arc": "\n".join(
            f'      <div data-testid="paragraph-{i}" class="article-body__paragraph">{html.escape(p)}</div>'
            for i, p in enumerate(parts.paragraphs)
        ),
        "authors_text": html.escape(" and ".join(article.authors)),
        "related_html": "\n".join(
            f'      <a class="media-story-card__heading" href="{o.path}">{html.escape(o.title)}</a>'
            for o in parts.others
        ),
    }


def _generic(parts: PageParts) -> dict[str, str]:
    article = parts.article
    local = article.published.astimezone(VALLEY_TZ)
    return {
        "charset": "windows-1252" if article.special == "mislabelled_charset" else "utf-8",
        "authors_text": html.escape(", ".join(article.authors)),
        "author_slug": slug(article.authors[0]),
        "section_slug": slug(article.section),
        "published_iso": local.isoformat(),
        "published_human": f"{local:%B %d, %Y at %I:%M %p}",
        "body_html": "\n".join(f"            <p>{html.escape(p)}</p>" for p in parts.paragraphs),
        "related_html": "\n".join(
            f'        <ul><li><a href="{o.path}">{html.escape(o.title)}</a></li></ul>' for o in parts.others
        ),
    }


_FIELDS: dict[str, Callable[[PageParts], dict[str, str]]] = {
    "pangea": _pangea,
    "arc": _arc,
    "generic": _generic,
}
