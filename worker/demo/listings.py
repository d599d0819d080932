"""The demo site's listings: feeds (RSS 2, Atom, RSS 1.0), sitemaps (index, news, gzipped) and section
pages, generated from the articles so their dates stay relative to now. One function per outlet, each
in the formats its CMS family publishes."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from worker.demo.hostile import HOSTILE, PRIVATE_PATH, XML_BOMB
from worker.demo.stories import DemoArticle, escape, zulu

Reply = tuple[bytes, str]  # body, Content-Type


@dataclass(frozen=True, slots=True)
class Listing:
    """One outlet as its listings see it."""

    base: str
    name: str  # the outlet's site name
    started: datetime  # the site's "now"
    articles: list[DemoArticle]  # newest first

    @property
    def fresh(self) -> list[DemoArticle]:
        """What a week-old news sitemap or feed still lists."""
        return [a for a in self.articles if self.started - a.published <= timedelta(days=7)]


def listing(outlet: str, ctx: Listing, path: str) -> Reply | None:
    """The listing at ``path`` of ``outlet``, or None when there is none."""
    return _OUTLETS[outlet](ctx, path)


def rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _northwind(ctx: Listing, path: str) -> Reply | None:
    """Pangea: an RSS 2 feed at an opaque /api/ path, a sitemap index of a news sitemap and a
    gzipped archive."""
    base, name, fresh = ctx.base, ctx.name, ctx.fresh
    everything = ctx.articles
    if path == "/api/zrqiteuuir":
        items = "".join(
            f"<item><title>{escape(a.title)}</title><link>{base}{a.path}?utm_source=rss&amp;utm_medium=feed</link>"
            f'<guid isPermaLink="false">{base}/a/{a.number}.html</guid>'
            f"<category>{escape(a.section)}</category>"
            f"<pubDate>{rfc822(a.published)}</pubDate><description>{escape(a.paragraphs[0])}</description></item>"
            for a in fresh[:6]
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(name)} - All News</title><link>{base}/</link>"
            "<description>Latest news</description>"
            f"<language>en</language>{items}</channel></rss>"
        )
        return body.encode(), "application/rss+xml; charset=utf-8"
    if path == "/sitemap.xml":
        return _sitemap_index(base, ["/sitemap-news.xml", "/sitemap-archive.xml.gz"], ctx.started), "text/xml"
    if path == "/sitemap-news.xml":
        return _news_sitemap(base, name, fresh), "application/xml; charset=utf-8"
    if path == "/sitemap-archive.xml.gz":
        urls = "".join(
            f"<url><loc>{base}{a.path}</loc><lastmod>{a.published.isoformat()}</lastmod></url>"
            for a in everything
        )
        xml = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        return gzip.compress(xml.encode()), "application/x-gzip"
    return None


def _harbor(ctx: Listing, path: str) -> Reply | None:
    """Arc: an Atom feed, a flat sitemap and section pages of story cards."""
    base, name, fresh = ctx.base, ctx.name, ctx.fresh
    if path == "/arc/outboundfeeds/atom/":
        entries = "".join(
            f'<entry><title>{escape(a.title)}</title><link rel="alternate" href="{base}{a.path}"/>'
            f"<id>{base}{a.path}</id><updated>{zulu(a.published)}</updated><published>{zulu(a.published)}</published>"
            f"<author><name>{escape(a.authors[0])}</name></author><summary>{escape(a.paragraphs[0])}</summary></entry>"
            for a in fresh[:3]
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(name)}</title><id>{base}/</id><updated>{zulu(ctx.started)}</updated>"
            f'<link rel="self" href="{base}/arc/outboundfeeds/atom/?outputType=xml"/>{entries}</feed>'
        )
        return body.encode(), "application/atom+xml; charset=utf-8"
    if path == "/arc/outboundfeeds/sitemap/":
        urls = "".join(
            f"<url><loc>{base}{a.path}</loc><lastmod>{zulu(a.published)}</lastmod></url>" for a in fresh
        )
        xml = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        return xml.encode(), "application/xml"
    if path in {"/business/", "/world/", "/technology/"}:
        links = "".join(
            f'<li class="story-card"><a href="{a.path}">{escape(a.title)}</a></li>'
            for a in fresh
            if a.path.startswith(path)
        )
        return _section_page(name, path, links), "text/html; charset=utf-8"
    return None


def _valley(ctx: Listing, path: str) -> Reply | None:
    """WordPress-like: an RSS 1.0 (RDF) feed, a feed URL that serves HTML, a sitemap index with a
    bomb, and a news page; its sitemap lists the hostile pages too."""
    base, name, fresh = ctx.base, ctx.name, ctx.fresh
    if path == "/feed/rdf/":
        chosen = [a for a in fresh if not a.special][:5]
        seq = "".join(f'<rdf:li rdf:resource="{base}{a.path}"/>' for a in chosen)
        items = "".join(
            f'<item rdf:about="{base}{a.path}"><title>{escape(a.title)}</title><link>{base}{a.path}</link>'
            f"<dc:date>{a.published.isoformat()}</dc:date><description>{escape(a.paragraphs[0])}</description></item>"
            for a in chosen
        )
        items += (
            f'<item rdf:about="{base}{PRIVATE_PATH}">'
            "<title>Members only: the budget, line by line</title>"
            f"<link>{base}{PRIVATE_PATH}</link><dc:date>{ctx.started.isoformat()}</dc:date></item>"
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="{base}/feed/rdf/"><title>{escape(name)}</title><link>{base}/</link>'
            "<description>News from the valley</description>"
            f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>"
            f"{items}</rdf:RDF>"
        )
        return body.encode(), "application/rdf+xml; charset=utf-8"
    if path == "/feed/html/":
        page = "<!DOCTYPE html><html><head><title>Valley Courier</title></head><body><h1>Valley Courier</h1>"
        page += "<p>Our feeds have moved. Visit the <a href='/news/'>news page</a>.</p></body></html>"
        return page.encode(), "text/html; charset=utf-8"
    if path == "/sitemap_index.xml":
        return _sitemap_index(
            base, ["/post-sitemap.xml", "/bomb-sitemap.xml"], ctx.started
        ), "application/xml"
    if path == "/post-sitemap.xml":
        extra = [
            DemoArticle(
                "valley",
                p.strip("/"),
                p.strip("/").replace("-", " "),
                ["x"],
                ctx.started,
                "Local",
                [],
                path=p,
            )
            for p in HOSTILE
        ]
        return _news_sitemap(base, name, [*fresh, *extra]), "application/xml; charset=utf-8"
    if path == "/bomb-sitemap.xml":
        return XML_BOMB, "application/xml"
    if path == "/news/":
        links = "".join(f'<li><a href="{a.path}">{escape(a.title)}</a></li>' for a in fresh)
        links += '<li><a href="/news/redirect-a/">Corrections and clarifications</a></li>'
        return _section_page(name, path, links), "text/html; charset=utf-8"
    return None


def _sitemap_index(base: str, paths: list[str], when: datetime) -> bytes:
    items = "".join(
        f"<sitemap><loc>{base}{p}</loc><lastmod>{when.isoformat()}</lastmod></sitemap>" for p in paths
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'
    ).encode()


def _news_sitemap(base: str, name: str, articles: list[DemoArticle]) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{a.path}</loc><news:news><news:publication><news:name>{escape(name)}</news:name>"
        f"<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
        f"<news:title>{escape(a.title)}</news:title></news:news></url>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    ).encode()


def _section_page(name: str, path: str, links: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>{escape(path.strip('/').title())} | {escape(name)}</title></head><body>"
        f"<header><a href='/'>{escape(name)}</a>"
        "<nav><a href='/world/'>World</a> <a href='/business/'>Business</a>"
        f" <a href='/about/'>About</a> <a href='/subscribe'>Subscribe</a></nav></header>"
        f"<main><h1>{escape(path.strip('/').title())}</h1><ul>{links}</ul></main>"
        f"<footer><a href='/privacy/'>Privacy</a> <a href='/private/'>Members</a></footer></body></html>"
    ).encode()


_OUTLETS: dict[str, Callable[[Listing, str], Reply | None]] = {
    "northwind": _northwind,
    "harbor": _harbor,
    "valley": _valley,
}
