"""Article metadata (title, authors, dates, language, site, image, paywall) from a whole HTML page.

Publishers state their metadata several times over: JSON-LD for search engines, OpenGraph for social
cards, Dublin Core / Parse.ly / Sailthru tags for their analytics, microdata left by the CMS, and the
visible byline. They disagree more often than one would hope, so every field reads its sources in a
fixed order of trust: structured data first (what the publisher wrote *for machines*), the visible page
last, and only from the article's own header area, never from a related-stories list, a sidebar or a
comment, whose dates and names belong to other stories.

Decisions worth knowing:
- Dates are always timezone-aware. A source without a zone is read as UTC and says so in ``warnings``;
  an all-numeric day/month order that neither the locale nor another date on the page settles is read
  as the language's custom (English month-first, others day-first) and also warned about.
- Authors are people. An Organization author (JSON-LD ``@type`` Organization, or a byline that is only
  a wire agency) is kept only when no person is named at all, because "Reuters" is then the best
  answer we have; a wire credit next to a person ("Jane Doe, Reuters") is dropped.
  A credit naming the site itself ("CNN" beside a reporter) is the publisher, not an author.
- The "header area" is a bounded window of elements around the heading that matches the declared title
  (og:title / JSON-LD headline / ``<title>``), inside that heading's container; blocks whose class names
  say related/sidebar/comments/navigation are skipped, and so are other ``<article>`` cards.
- ``language`` comes from declarations; only when none exists is it guessed from the text (script, then
  function words of nine common languages), with a warning.
- ``canonical_url`` is None when the page declares none; a canonical pointing at the site root from a
  deeper page is a common CMS mistake and is ignored with a warning.
- ``htmldate`` is not used: its fast mode falls back to any date in the page text (comment dates
  included), which is the mistake this module exists to avoid. ``bench/metadata_speed.py`` compares.
- The tree is only read, never changed: the body extractor receives the same tree afterwards.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from scrapers.dates import (
    DateOrder,
    ParsedDate,
    date_order_for_locale,
    infer_date_order,
    parse_date,
    to_aware,
)

__all__ = ["PageMetadata", "extract_metadata"]


@dataclass(slots=True)
class PageMetadata:
    canonical_url: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    top_image: str | None = None
    paywalled: bool = False
    page_type: str | None = None
    warnings: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ limits
MAX_JSONLD_CHARS = 500_000  # one script; beyond that it is a data dump, not page metadata
MAX_JSONLD_NODES = 2_000
MAX_JSONLD_DEPTH = 12
MAX_CANDIDATES = 30  # visible elements examined per lookup
MAX_FIELD_CHARS = 2_000

# ------------------------------------------------------------------------------------------ types
_ARTICLE_TYPES = frozenset(
    t.lower()
    for t in (
        "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
        "BackgroundNewsArticle", "ReviewNewsArticle", "AskPublicNewsArticle", "SatiricalArticle",
        "BlogPosting", "LiveBlogPosting", "SocialMediaPosting", "DiscussionForumPosting", "TechArticle",
        "ScholarlyArticle", "Report", "Review", "MedicalScholarlyArticle", "AdvertiserContentArticle",
    )
)
_PAGE_TYPES = frozenset(t.lower() for t in ("WebPage", "ItemPage", "AboutPage", "ContactPage"))
_LISTING_TYPES = frozenset(
    t.lower() for t in ("CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage", "Blog")
)
_VIDEO_TYPES = frozenset(("videoobject", "videogallery", "clip"))
_ORG_TYPES = frozenset(
    ("organization", "newsmediaorganization", "corporation", "ngo", "governmentorganization")
)
# Keys whose nested objects are other things (the publisher, a related story, a list item), never the
# page's own story: nodes reached through them are not candidates for the main article.
_MAIN_PATH_KEYS = frozenset(("@graph", "mainentity", "mainentityofpage"))

# ------------------------------------------------------------------------------------------ meta keys
_TITLE_META = ("og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title", "dcterms.title",
               "citation_title", "title", "headline")
_AUTHOR_META = ("article:author", "og:article:author", "author", "parsely-author", "sailthru.author",
                "dc.creator", "dcterms.creator", "citation_author", "byl", "byline", "cxenseparse:author",
                "article.author", "twitter:creator:name")
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "article:published", "published_time",
    "og:published_time", "datepublished", "parsely-pub-date", "sailthru.date", "dc.date.issued",
    "dcterms.issued", "dc.date.created", "dcterms.created", "citation_publication_date",
    "citation_online_date", "citation_date", "dc.date", "dcterms.date", "pubdate", "publishdate",
    "publish-date", "publish_date", "article.published", "article_date_original", "og:pubdate",
    "cxenseparse:recs:publishtime", "date", "originalpublicationdate", "publication_date",
    "date.available", "article.created", "creation_date",
)
_MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "article:modified",
    "datemodified", "dcterms.modified", "dc.date.modified", "modified_time", "last-modified",
    "lastmod", "article.updated", "cxenseparse:recs:articlemodifiedtime", "revised",
)
_DESCRIPTION_META = ("og:description", "description", "twitter:description", "dc.description",
                     "dcterms.abstract", "sailthru.description")
_IMAGE_META = ("og:image:secure_url", "og:image:url", "og:image", "twitter:image", "twitter:image:src",
               "parsely-image-url", "sailthru.image.full", "thumbnail", "thumbnailurl")
_SITE_META = ("og:site_name", "application-name", "apple-mobile-web-app-title", "al:ios:app_name",
              "twitter:app:name:iphone", "dc.publisher", "citation_publisher")
_LANGUAGE_META = ("content-language", "language", "dc.language", "dcterms.language", "lang")
_PAYWALL_META = ("article:content_tier", "og:article:content_tier", "content_tier", "article:access",
                 "paywall", "access", "isaccessibleforfree", "cxenseparse:paywall", "premium")

# ------------------------------------------------------------------------------------------ page areas
_TAGS_NEVER_ARTICLE = frozenset(("aside", "nav", "noscript", "template"))
# Class/id names of blocks that hold other stories, comments or site furniture, matched per class name
# with BEM modifiers ("block--variant") cut off. Distinctive words match as a name part
# ("relatedArticles", "c-sidebar"); short ones only as a whole part ("nav", "rail", "share").
# Not "widget" (page builders call every block one) nor a "footer" class (CMSs put the story's own
# date line in one); the <footer> tag outside an <article> still counts.
_OTHER_LONG = (
    r"related|sidebar|side-bar|testimonial|comment(?!ary)|kommentar|mostread|most-read|most-popular|most-viewed|popular|"
    r"trending|recommend|empfehl|outbrain|taboola|newsletter|carousel|breadcrumb|weitere|readmore|"
    r"read-more|also-read|more-stories|more-news|more-articles|more-from|teaser-list|teaserlist"
)
_OTHER_SHORT = (
    r"nav|navbar|navigation|menu|rail|aside|share|sharing|social|ticker|ad|ads|advert|"
    r"banner|tags|promo|sponsored|teasers|comments"
)
_OTHER_NAME_RE = re.compile(rf"(?:^|[-_])(?:{_OTHER_LONG}|(?:{_OTHER_SHORT})(?=$|[-_]))")
# State and layout modifiers say nothing about what a block holds ("has-sidebar", "with-comments").
_MODIFIER_RE = re.compile(r"^(?:has|with|no|show|hide|is|js|layout|page|template|body|l)[-_]")
_ANCESTOR_DEPTH = 14
_NOT_TEXT_TAGS = frozenset(("meta", "link", "script", "style", "img", "body", "html"))
_PUBLISHED_WORDS = ("publish", "created", "pubdate", "posted")
_FOREIGN_ITEMTYPES = ("comment", "review", "answer", "question", "listitem", "event")

_DATE_ATTRS = ("data-timestamp", "data-published", "data-publish-date", "data-published-at",
               "data-pubdate", "data-date", "data-time", "data-datetime", "data-epoch", "data-created")
# Class/id words that mark a byline, a printed date, or a paywall, matched on the header region only.
_AUTHOR_LABEL_RE = re.compile(r"byline|author|autor|auteur|verfasser|writer", re.IGNORECASE)
_DATE_LABEL_RE = re.compile(
    r"date|publish|datum|timestamp|dateline|fecha|meta|posted|created|(?<![a-z])time(?!line)|zeit",
    re.IGNORECASE,
)
# Links to an author page ("/autor/frank_g", "/people/jane-doe") carry the author's name as their text.
_AUTHOR_HREF_RE = re.compile(
    r"/(?:authors?|autor(?:en|in)?|auteurs?|autore|people|profiles?|journalists?|redakteur(?:e|in)?|periodistas?|"
    r"reporters?|staff|writers?|columnists?|mitarbeiter)/[^/?#]+/?(?:[?#]|$)",
    re.IGNORECASE,
)
# Region bounds: how far around the main <h1> bylines and printed dates are looked for.
_REGION_LEVELS = 5
_REGION_BEFORE = 150
_NEAR_ELEMENTS = 12
_REGION_AFTER = 600
_URL_DATE_RE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|\.html|$)"
)

# ------------------------------------------------------------------------------------------ authors
_BYLINE_PREFIX_RE = re.compile(
    r"^\s*(?:(?:written|posted|reported|text|story|words|photos?|fotos?|video|erstellt|geschrieben|"
    r"interview|kommentar|analyse|ein\s+kommentar|eine\s+analyse)\s*:?\s+)?"
    r"(?:by|von|vom|par|por|di|da|door|av|af|od|от|автор(?:ы)?|yazan|bởi|text|texto|autor(?:in|en)?|"
    r"escribe|escriben|scritto da|a cura di|eingestellt von|gepostet von|publicado por|postado por|"
    r"authors?|auteur(?:s)?|reporter|escrito por|publié par|verfasst von|geschrieben von)"
    r"\s*[:：\-–]?\s+"
    r"|^\s*(?:interview|text|texte|fotos?|photos?|kommentar|analyse|gastbeitrag|reportage|erstellt von|"
    r"geschrieben von|posted by|written by|recherche)\s*[:：]\s*",
    re.IGNORECASE,
)
_GLUED_PREFIX_RE = re.compile(r"^\s*(?:By|BY|Von|VON|Par|PAR|Por|POR)(?=[A-ZÀ-ÞА-Я][a-zà-ÿа-я])")
_BYLINE_WORD_RE = re.compile(
    r"^(?:by|von|par|por|di|door|av|af|od|от|autor(?:in)?|author|auteur|text|texto|escribe|escriben|"
    r"eingestellt von|gepostet von|posted by|publicado por|publié par)\s*:?$",
    re.IGNORECASE
)
_NAME_SPLIT_RE = re.compile(
    r"\s*(?:,|;|&|\s[-–—]\s|\+|\||/|·|•|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bi\b|\bи\b|"
    r"\ben\b|\bog\b|\boch\b|\bsowie\b|\bwith\b|\bmit\b|、|،|و(?=\s))\s*"
)
_AGENCIES = frozenset(
    a.lower()
    for a in (
        "Reuters", "Thomson Reuters", "AP", "Associated Press", "The Associated Press", "AFP",
        "Agence France-Presse", "Agence France Presse", "dpa", "Deutsche Presse-Agentur", "Bloomberg",
        "EFE", "Agencia EFE", "ANSA", "TASS", "ITAR-TASS", "Xinhua", "Kyodo", "Kyodo News", "PA",
        "PA Media", "Press Association", "UPI", "KNA", "epd", "APA", "SDA", "Keystone-SDA", "Belga",
        "ANP", "NTB", "TT", "Interfax", "RIA Novosti", "Yonhap", "Anadolu", "Anadolu Agency", "AAP",
        "CP", "The Canadian Press", "Canadian Press", "PTI", "IANS", "ANI", "Europa Press", "Lusa",
        "CTK", "PAP", "MTI", "AA", "WAFA", "SANA", "IRNA", "dpa-AFX", "Reuters Staff", "AP Staff",
    )
)
# Credits that name nobody: dropped outright rather than kept as an organisation.
_GENERIC_CREDIT_RE = re.compile(
    r"^(?:the\s+)?(?:editorial\s+)?(?:staff|team|desk|newsroom|redaktion|redacción|rédaction|redazione|"
    r"redação|editors?|editorial|admin|administrator|super\s+user|guest|anonymous|unknown|user|webmaster|"
    r"online|datum|date|quelle|source|fotos?|photos?|фото|bild|image|gesponserte?\s+inhalte|sponsored|"
    r"agencies|agenturen|agences|agencias|wires|news\s+agencies|"
    r"red\.?)(?:\s+(?:staff|team|desk|writer|reporter|online))?$",
    re.IGNORECASE,
)
# A credit naming a company or a web address is the publisher, not a person ("Verlag GmbH", "x.de").
_ORGANISATION_RE = re.compile(
    r"\b(?:gmbh|ag|inc|ltd|llc|plc|corp|e\.\s?v|s\.a|verlag|media|medien|group|gruppe|press|news|zeitung|"
    r"magazin|magazine|redaktion|redacción|rédaction|newsroom|online|tv|radio)\b\.?|\w\.(?:de|com|org|net|"
    r"ch|at|fr|es|it|uk)\b",
    re.IGNORECASE,
)
_ROLE_RE = re.compile(
    r"\b(?:correspondent|editor|reporter|writer|columnist|contributor|photographer|producer|"
    r"journalist|analyst|staff|chief|senior|deputy|bureau|editorial|korrespondent(?:in)?|"
    r"redakteur(?:in)?|chefredakteur(?:in)?|journalist(?:in)?|autor(?:in)?|rédacteur|rédactrice|"
    r"envoyé|envoyée|spécial|corresponsal|redactor|redattore|inviato|fotograf(?:in)?|"
    r"корреспондент|редактор|obozrevatel|ceo|cto|cfo|founder|gründer(?:in)?|president|präsident(?:in)?|"
    r"director|direktor(?:in)?|manager(?:in)?|head|leiter(?:in)?|sprecher(?:in)?|spokes\w*|"
    r"updated|aktualisiert|mis à jour|published|veröffentlicht|"
    r"min read|minutes?|read|follow|twitter|email|e-mail|more from|view all|posts by|articles)\b",
    re.IGNORECASE,
)
_NAME_PARTICLES = frozenset(
    ("van", "von", "de", "da", "der", "den", "del", "della", "di", "du", "la", "le", "zu", "bin", "al",
     "el", "ibn", "y", "e", "dos", "das", "do", "ter", "ten", "af", "st.", "mc", "ben", "abu", "op")
)
_HAS_LETTER_RE = re.compile(r"[^\W\d_]")
_NOT_IN_NAMES = frozenset('@_"“”„«»:;!?()[]{}|<>=#*+%$€/\\')
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Link texts of author pages that are not names ("More posts", "Archives", "Zur Artikelübersicht").
_NAVIGATION_RE = re.compile(
    r"\b(?:posts?|archives?|articles?|beiträge|artikel\w*|übersicht|more|mehr|alle|all|view|profile?|"
    r"homepage|website|kontakt|contact|folgen|abonnieren|subscribe|newsletter|login|anmelden)\b",
    re.IGNORECASE,
)
_PARAGRAPH_BREAK_RE = re.compile(r"\n\s*\n")
_CREDIT_TAIL_RE = re.compile(
    r"\s(?:Fotos?|Photos?|Bilder?|Illustrations?|Grafik|Video|Kamera|Camera)\s*:", re.IGNORECASE
)
_TAG_STRIP_RE = re.compile(r"\s+")

# ------------------------------------------------------------------------------------------ titles
_SEPARATOR = r"(?:\s+(?:-|–|—|::|·|»|«|/|:|•)\s+|\s*[|｜]\s*)"  # CJK titles often use a bare "|" / "｜"
_TITLE_SEPARATORS_RE = re.compile(_SEPARATOR)

# ------------------------------------------------------------------------------------------ paywall
_PAYWALL_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:paywall|paywalled|regwall|metered|premium-content|subscriber-only|subscribers-only|"
    r"piano-paywall|article-locked|locked-content|content-locked|plus-content|abo-content)(?:$|[\s_-])",
    re.IGNORECASE,
)


def extract_metadata(tree: lxml.html.HtmlElement, url: str | None = None) -> PageMetadata:
    """All metadata of one page; never raises on odd markup (problems become ``warnings``).

    Each field is read under its own guard: a bug met on one page's markup costs that field, recorded
    as a warning, instead of the whole article.
    """
    meta = PageMetadata()
    try:
        page = _Page(tree, url)
    except Exception as exc:  # unreadable tree: nothing to salvage, but no crash either
        meta.warnings.append(f"metadata: page unreadable ({type(exc).__name__})")
        return meta
    article = page.article_node
    locale: str | None = None

    def guarded(name: str, read: Callable[[], None]) -> None:
        try:
            read()
        except Exception as exc:
            meta.warnings.append(f"metadata: {name} failed ({type(exc).__name__}: {exc})"[:200])

    def read_language() -> None:
        nonlocal locale
        meta.language, locale = _language(page, article)
        if meta.language == "en":
            # "en"/"en-US" is the default of most CMS templates, left in place by sites writing German,
            # Spanish...: the text overrules it when it clearly reads otherwise
            read = _guess_language(page, strict=True)
            if read is not None and read != "en":
                meta.warnings.append(f"language declared 'en' but the text reads {read!r}; using {read!r}")
                meta.language = locale = read
        if meta.language is None:
            meta.language = _guess_language(page)
            if meta.language is not None:
                locale = meta.language
                meta.warnings.append(f"language not declared; guessed {meta.language!r} from the text")

    def read_description() -> None:
        meta.description = _first_text(
            [_ld_text(article.get("description")) if article else None]
            + [page.meta_value(k) for k in _DESCRIPTION_META]
        )

    guarded("page_type", lambda: setattr(meta, "page_type", _page_type(page, article)))
    guarded("site_name", lambda: setattr(meta, "site_name", _site_name(page, article)))
    guarded("canonical_url", lambda: setattr(meta, "canonical_url", _canonical(page, meta.warnings)))
    guarded("title", lambda: setattr(meta, "title", _title(page, article, meta.site_name)))
    guarded("authors", lambda: setattr(meta, "authors", _authors(page, article)))
    guarded("language", read_language)
    guarded("description", read_description)
    guarded("top_image", lambda: setattr(meta, "top_image", _top_image(page, article)))
    guarded("paywalled", lambda: setattr(meta, "paywalled", _paywalled(page, article)))
    guarded("dates", lambda: _dates(page, article, meta, locale))
    meta.warnings.extend(page.warnings)
    return meta


# ================================================================================================ page


class _Page:
    """The parts of the tree every field reads, each gathered once."""

    def __init__(self, tree: lxml.html.HtmlElement, url: str | None) -> None:
        if not hasattr(tree, "tag") and hasattr(tree, "getroot"):
            tree = tree.getroot()  # an ElementTree was passed, not its root element
        else:
            tree = tree.getroottree().getroot()  # metadata lives in the whole page, whatever was passed
        self.tree = tree
        self.url = url
        self.warnings: list[str] = []
        self.base = url
        self.meta: dict[str, list[str]] = {}
        self.canonical_href: str | None = None
        self.image_src: str | None = None
        self.title_text: str | None = None
        self.ld_scripts: list[str] = []
        base_href: str | None = None
        # One C-level pass over the few tags that carry page metadata, wherever the CMS put them.
        for el in tree.iter("meta", "link", "script", "title", "base"):
            tag = el.tag
            if tag == "meta":
                content = el.get("content")
                if content is None:
                    continue
                content = _clean(content)
                if not content:
                    continue
                for attr in ("property", "name", "http-equiv"):
                    key = el.get(attr)
                    if key:
                        self.meta.setdefault(key.strip().lower(), []).append(content)
            elif tag == "link":
                rel = (el.get("rel") or "").lower().split()
                if "canonical" in rel and self.canonical_href is None and el.get("href"):
                    self.canonical_href = el.get("href")
                elif "image_src" in rel and self.image_src is None:
                    self.image_src = el.get("href")
            elif tag == "script":
                if "ld+json" in (el.get("type") or "").lower() and el.text:
                    self.ld_scripts.append(el.text)
            elif tag == "title":
                # the document's title, not an icon's <svg><title>
                if self.title_text is None and not any("svg" in str(a.tag) for a in el.iterancestors()):
                    self.title_text = el.text_content()
            elif tag == "base" and base_href is None:
                base_href = el.get("href")
        if base_href and base_href.strip():
            self.base = urljoin(url or "", base_href.strip()) or url
        self.ld_nodes, self.ld_ids = self._jsonld()
        self.article_node = self._main_article()
        self._h1: list[lxml.html.HtmlElement] | None = None
        self._itemprops: dict[str, list[lxml.html.HtmlElement]] | None = None
        self._region: _Region | None = None
        self.site_names_cache: dict[str | None, set[str]] = {}

    def declared_titles(self) -> set[str]:
        """The page's own title as its tags declare it, normalised (never the site name's source)."""
        values = (self.meta_value("og:title"), self.meta_value("twitter:title"), self.title_text,
                  _ld_text(self.article_node.get("headline")) if self.article_node else None)
        titles = {_norm(v) for v in values if v}
        titles.discard("")
        # og:title equal to og:site_name is a template default naming the site, not the story
        titles.discard(_norm(self.meta_value("og:site_name")))
        return titles

    # ---------------------------------------------------------------------------------- meta tags
    def meta_value(self, key: str) -> str | None:
        values = self.meta.get(key)
        return values[0] if values else None

    def meta_values(self, key: str) -> list[str]:
        return self.meta.get(key, [])

    # ---------------------------------------------------------------------------------- json-ld
    def _jsonld(self) -> tuple[list[tuple[dict[str, Any], bool]], dict[str, dict[str, Any]]]:
        """Every typed JSON-LD node, flagged True when it may be the page's own main entity."""
        nodes: list[tuple[dict[str, Any], bool]] = []
        ids: dict[str, dict[str, Any]] = {}
        scripts = self.ld_scripts
        for raw in scripts:
            if not raw.strip():
                continue
            data = _load_json(raw[:MAX_JSONLD_CHARS])
            if data is None:
                self.warnings.append("invalid JSON-LD block skipped")
                continue
            for node, main in _walk_ld(data):
                if len(nodes) >= MAX_JSONLD_NODES:
                    break
                nodes.append((node, main))
                node_id = node.get("@id")
                if isinstance(node_id, str) and len(node) > 1:
                    ids.setdefault(node_id, node)
        return nodes, ids

    def resolve(self, value: Any) -> Any:
        """Follow an ``{"@id": ...}`` reference to its node in the same page (Yoast-style graphs)."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and isinstance(value.get("@id"), str):
            return self.ld_ids.get(value["@id"], value)
        return value

    def _main_article(self) -> dict[str, Any] | None:
        """The JSON-LD node that describes this page's story, if any.

        Candidates are article-typed nodes not reached through a list, a publisher or a related link.
        Several candidates (an article plus its syndicated copy, or a page listing teasers as top-level
        nodes) are decided by whose URL matches the page, then by document order.
        """
        candidates = [n for n, main in self.ld_nodes if main and _types(n) & _ARTICLE_TYPES]
        if not candidates:
            candidates = [
                n
                for n, main in self.ld_nodes
                if main
                and _types(n) & (_PAGE_TYPES | _VIDEO_TYPES)
                and ("headline" in n or "datePublished" in n or "uploadDate" in n)
            ]
        if not candidates:
            return None
        if len(candidates) > 1:
            page_keys = {_url_key(u) for u in (self.url, self.link_canonical()) if u}
            for node in candidates:
                for key in ("url", "@id", "mainEntityOfPage"):
                    ref = node.get(key)
                    if isinstance(ref, dict):
                        ref = ref.get("@id") or ref.get("url")
                    if isinstance(ref, str) and _url_key(urljoin(self.base or "", ref)) in page_keys:
                        return node
        return candidates[0]

    def ld_nodes_of(self, types: frozenset[str]) -> Iterator[dict[str, Any]]:
        for node, _main in self.ld_nodes:
            if _types(node) & types:
                yield node

    # ---------------------------------------------------------------------------------- page parts
    def link_canonical(self) -> str | None:
        return self.canonical_href

    def h1s(self) -> list[lxml.html.HtmlElement]:
        """Story headings, the one that anchors the byline/date search first.

        The anchor is the ``<h1>`` whose text matches the title the page declares (og:title, JSON-LD
        headline, ``<title>``), preferring one outside sidebars and related blocks; failing that the
        first such ``<h1>``, and on pages without a usable ``<h1>`` an ``<h2>``/``<h3>`` that matches
        the declared title (Blogger-style themes). Logos and screen-reader-only headings never count.
        """
        if self._h1 is not None:
            return self._h1
        hints = [t for t in (
            self.meta_value("og:title"), self.meta_value("twitter:title"),
            _ld_text(self.article_node.get("headline")) if self.article_node else None, self.title_text,
        ) if t]
        headings = []
        for h in self.tree.iter("h1"):
            if len(headings) >= 10:
                break
            if _is_decorative_heading(h):
                continue
            text = _clean(_text(h))
            if text:
                headings.append((h, text, not _in_other_block(h)))
        good = [h for h, _text, ok in headings if ok]
        matching = [(h, ok) for h, text, ok in headings if _matches_title(text, hints)]
        anchor = next((h for h, ok in matching if ok), None)
        if anchor is None and matching:
            anchor = matching[0][0]
        if anchor is None and hints:
            for count, h in enumerate(self.tree.iter("h2", "h3")):
                if count >= 40:
                    break
                if not _is_decorative_heading(h) and _matches_title(_clean(_text(h)), hints):
                    anchor = h
                    break
        if anchor is None:
            site = {_compact(n) for n in _site_names(self, self.meta_value("og:site_name"))}
            anchor = next((h for h, text, ok in headings if ok and _compact(text) not in site), None)
        if anchor is None and hints:
            anchor = self._styled_heading(hints)
        if anchor is None:
            self._h1 = []
        else:
            self._h1 = [anchor, *(h for h in good if h is not anchor)][:3]
        return self._h1

    def _styled_heading(self, hints: list[str]) -> lxml.html.HtmlElement | None:
        """Table-layout pages set the headline in ``<b>``/``<font>``/``<span>``: the first such element
        whose whole text is the declared title stands in for the ``<h1>``."""
        # the story part of each declared title: its longest segment ("Site - Story" → "Story")
        stories = {_compact(max(_TITLE_SEPARATORS_RE.split(_clean(h)), key=len)) for h in hints}
        stories = {s for s in stories if len(s) >= 10}
        if not stories:
            return None
        for count, el in enumerate(self.tree.iter(*_STYLED_HEADING_TAGS)):
            if count >= 3000:
                break
            if len(el) > 3 or not (el.text or (len(el) and el[0].text)):
                continue  # a headline is a short run of text, not a container of blocks
            text = _text(el, 300)
            if 10 <= len(text) <= 300 and _compact(text) in stories and not _in_other_block(el):
                return el
        return None

    def itemprops(self, name: str) -> list[lxml.html.HtmlElement]:
        """Microdata elements carrying ``itemprop=name`` (case-sensitive, as schema.org defines)."""
        if self._itemprops is None:
            self._itemprops = {}
            for el in self.tree.xpath("descendant-or-self::*[@itemprop]")[:500]:
                for prop in (el.get("itemprop") or "").split():
                    self._itemprops.setdefault(prop, []).append(el)
        return self._itemprops.get(name, [])

    def region(self) -> _Region:
        if self._region is None:
            self._region = _scan_region(self)
        return self._region

    def absolute(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if not href or href.startswith(("data:", "javascript:", "about:")):
            return None
        joined = urljoin(self.base or "", href)
        if joined.startswith("//"):
            joined = "https:" + joined
        return joined


@dataclass(slots=True)
class _Region:
    """Byline, date and paywall markers found around the story's heading."""

    authors: list[lxml.html.HtmlElement]
    prefixed: list[lxml.html.HtmlElement]  # unlabelled "By Jane Doe" lines, tried after labelled bylines
    near: list[str]  # short unlabelled lines right after the heading ("14.03.2024 · Von Martina Kessler")
    times: list[lxml.html.HtmlElement]
    dated: list[lxml.html.HtmlElement]
    paywall: bool
    h1_article: lxml.html.HtmlElement | None
    boundary: frozenset[Any]


def _scan_region(page: _Page) -> _Region:
    """Look for bylines and printed dates only near the main ``<h1>``.

    That is where a story prints its own byline and date; the same markup further away belongs to
    teasers, "most read" lists and comments. The window (a few ancestors up, a bounded number of
    elements before and after the heading) also keeps the cost flat on huge pages. Without an ``<h1>``
    the first ``<article>`` (or ``<main>``, or the body) is scanned from its start.
    """
    h1s = page.h1s()
    tree = page.tree
    h1_article = None
    boundary: frozenset[Any] = frozenset()
    near: list[str] = []
    if h1s:
        heading = h1s[0]
        h1_article = _nearest(heading, "article")
        boundary = frozenset((heading, *heading.iterancestors()))
        root = heading
        for _ in range(_REGION_LEVELS):
            parent = root.getparent()
            if parent is None:
                break
            root = parent
            if parent.tag in ("body", "html"):
                break
            if root.tag in ("article", "main"):
                break
        # Walk outwards from the heading, inside its container only: the cost is the window's, however
        # much navigation precedes the heading.
        window = _preceding_elements(heading, root, _REGION_BEFORE) + _following_elements(
            heading, root, _REGION_AFTER
        )
        for el in _following_elements(heading, root, _NEAR_ELEMENTS, own=False):
            if el.tag in _SKIP_TAGS or _in_other_block(el, boundary) or _links_elsewhere(el, page):
                continue
            text = _clean(_text(el, 200))
            # a child repeats part of its parent's line: keep the line, whose words say what it is
            if 6 <= len(text) <= 150 and not any(text in line for line in near):
                near.append(text)
    else:
        root = next(tree.iter("article"), None)
        if root is None:
            root = next(tree.iter("main"), None)
        if root is None:
            body = next(tree.iter("body"), None)
            root = body if body is not None else tree
        window = []
        for index, el in enumerate(root.iter(lxml.etree.Element)):
            if index >= _REGION_AFTER:
                break
            window.append(el)
    authors: list[lxml.html.HtmlElement] = []
    prefixed: list[lxml.html.HtmlElement] = []
    times: list[lxml.html.HtmlElement] = []
    dated: list[lxml.html.HtmlElement] = []
    paywall = False
    for el in window:
        tag = el.tag
        if tag in _SKIP_TAGS:
            continue
        if tag in _BYLINE_TAGS and len(prefixed) < 5:
            lead = el.text
            if tag == "address" or (lead and len(lead) <= 60 and _BYLINE_LEAD_RE.match(lead)):
                prefixed.append(el)
        keys = el.keys()
        if not keys:
            if tag == "time":
                times.append(el)
            continue
        if tag == "time" or not _DATE_ATTR_SET.isdisjoint(keys):
            times.append(el)
            is_time = True
        else:
            is_time = False
        if tag == "a" and (el.get("rel") == "author" or _AUTHOR_HREF_RE.search(el.get("href") or "")):
            authors.append(el)
            continue
        if "itemprop" in keys and "author" in (el.get("itemprop") or ""):
            authors.append(el)
            continue
        label = f"{el.get('class') or ''} {el.get('id') or ''}"
        if len(label) < 4 or not _ANY_LABEL_RE.search(label):
            continue  # most elements: one regex test and done
        if not is_time and _DATE_LABEL_RE.search(label):
            dated.append(el)
        # (a long class list is CMS taxonomy, "post tag-x autor-jane-doe", not a byline)
        if label.count(" ") <= 8 and _AUTHOR_LABEL_RE.search(label):
            authors.append(el)
        if not paywall and _PAYWALL_CLASS_RE.search(label):
            paywall = bool(_clean(_text(el))) and not _in_other_block(el, boundary)
    for el in (tree, next(tree.iter("body"), None)):
        if el is not None and _PAYWALL_CLASS_RE.search(el.get("class") or ""):
            paywall = True
    return _Region(authors[:MAX_CANDIDATES], prefixed, near[:8], times[:MAX_CANDIDATES],
                   dated[: MAX_CANDIDATES * 2], paywall, h1_article, boundary)


_BYLINE_TAGS = frozenset(("p", "span", "div", "li", "em", "strong", "small", "address", "b", "i", "dd", "td"))
# An element whose own text opens with a byline word: "par <a>Jacques Munier</a>", "By Jane Doe".
_BYLINE_LEAD_RE = re.compile(
    r"^\s*(?:by|von|par|por|di|door|av|af|od|от|written by|escrito por|texto de|text von|reportage von|"
    r"autor(?:in)?:|author:|auteur:|text:)"
    r"(?:\s*:)?(?:\s+\S|\s*$)",
    re.IGNORECASE,
)


_DATE_ATTR_SET = frozenset(_DATE_ATTRS)
def _following_elements(
    heading: lxml.html.HtmlElement, root: lxml.html.HtmlElement, limit: int, own: bool = True
) -> list[Any]:
    """The heading and its descendants (unless ``own`` is False), then what follows it inside ``root``,
    in document order."""
    found: list[Any] = []
    node = heading
    for el in heading.iter(lxml.etree.Element) if own else ():
        found.append(el)
        if len(found) >= limit:
            return found
    while node is not None and node is not root:
        for sibling in node.itersiblings():
            for el in sibling.iter(lxml.etree.Element):
                found.append(el)
                if len(found) >= limit:
                    return found
        node = node.getparent()
    return found


def _preceding_elements(heading: lxml.html.HtmlElement, root: lxml.html.HtmlElement, limit: int) -> list[Any]:
    """Up to ``limit`` elements before the heading inside ``root`` (nearest siblings first), in
    document order; a huge preceding block contributes only its first elements."""
    chunks: list[list[Any]] = []
    count = 0
    node = heading
    while node is not None and node is not root and count < limit:
        for sibling in node.itersiblings(preceding=True):
            chunk = list(islice(sibling.iter(lxml.etree.Element), limit - count))
            chunks.append(chunk)
            count += len(chunk)
            if count >= limit:
                break
        node = node.getparent()
    return [el for chunk in reversed(chunks) for el in chunk]


_ANY_LABEL_RE = re.compile(
    _DATE_LABEL_RE.pattern + "|" + _AUTHOR_LABEL_RE.pattern + "|" + _PAYWALL_CLASS_RE.pattern, re.IGNORECASE
)
_SKIP_TAGS = frozenset(("script", "style", "meta", "link", "noscript", "svg", "path", "img", "source", "br"))


# ================================================================================================ fields


def _page_type(page: _Page, article: dict[str, Any] | None) -> str | None:
    if article is not None:
        kind = _normalise_type(_types(article))
        if kind:
            return kind
    for node, main in page.ld_nodes:
        if main:
            kind = _normalise_type(_types(node))
            if kind and kind != "website":
                return kind
    og_type = (page.meta_value("og:type") or "").lower()
    if og_type:
        if og_type.startswith("video"):
            return "video"
        if "article" in og_type or og_type in ("blog", "news"):
            return "article"
        return og_type.split(".")[0] or None
    for node, main in page.ld_nodes:
        if main and _normalise_type(_types(node)) == "website":
            return "website"
    return None


def _normalise_type(types: set[str]) -> str | None:
    if "liveblogposting" in types:
        return "liveblog"
    if types & _ARTICLE_TYPES:
        return "article"
    if types & _VIDEO_TYPES:
        return "video"
    if types & _LISTING_TYPES:
        return "listing"
    if types & (_PAGE_TYPES | {"website"}):
        return "website"
    return None


def _site_name(page: _Page, article: dict[str, Any] | None) -> str | None:
    candidates: list[str | None] = [page.meta_value("og:site_name")]
    if article is not None:
        publisher = page.resolve(_first(article.get("publisher")))
        if isinstance(publisher, dict):
            candidates.append(_ld_text(publisher.get("name")))
    for node in page.ld_nodes_of(frozenset(("website",))):
        candidates.append(_ld_text(node.get("name")))
    candidates.extend(page.meta_value(k) for k in _SITE_META[1:])
    for node in page.ld_nodes_of(_ORG_TYPES):
        candidates.append(_ld_text(node.get("name")))
    titles = page.declared_titles()
    for candidate in candidates:
        if not candidate:
            continue
        if not _is_title_like(_norm(candidate), titles):
            return _first_text([candidate], max_len=120)
        # "Story title - Handball Schweiz": what is left beside the title names the site
        for part in _TITLE_SEPARATORS_RE.split(_clean(candidate)):
            short = 0 < len(part.split()) <= 6
            if short and _norm(part) not in titles and not _is_title_like(_norm(part), titles):
                return part
    return None


def _is_title_like(value: str, titles: set[str]) -> bool:
    """A "site name" that is really the story title: "Story | Site", or the story's long title itself.

    A short name equal to the title ("ICON Magazine" on both) stays a site name: site names are short.
    """
    for title in titles:
        if value == title:
            if len(value.split()) >= 5:
                return True
        elif len(title) >= 12 and title in value:
            return True
    return False


def _canonical(page: _Page, warnings: list[str]) -> str | None:
    for raw in (page.link_canonical(), page.meta_value("og:url")):
        absolute = page.absolute(raw)
        if not absolute or not absolute.startswith(("http://", "https://")):
            continue
        if page.url and _is_root(absolute) and not _is_root(page.url):
            warnings.append("canonical URL points to the site root; ignored")
            continue
        return absolute
    return None


def _title(page: _Page, article: dict[str, Any] | None, site_name: str | None) -> str | None:
    candidates: list[str] = []
    headings = page.h1s()[:3]
    h1_texts = [_clean(_text(h)) for h in headings]
    h1_texts = [t for t in h1_texts if t and len(t) <= 400]
    # a styled stand-in (<b>, <font>) anchors the byline search and cleans titles, but its text
    # (glued across <br>, links) is no better a title than the declared one
    heading_titles = [_clean(_text(h)) for h in headings if h.tag in ("h1", "h2", "h3")]
    heading_titles = [t for t in heading_titles if t and len(t) <= 400]
    meta_titles = [v for k in _TITLE_META for v in page.meta_values(k)[:1]]
    if article is not None:
        for key in ("headline", "name", "alternativeHeadline"):
            text = _ld_text(article.get(key))
            if text:
                # A template placeholder ("escenic", "Home") shares no word with what the page shows.
                others = [t for t in (*meta_titles[:1], *h1_texts[:1], page.title_text) if t]
                if len(others) < 2 or any(_shares_words(text, other) for other in others):
                    candidates.append(text)
                break
    candidates.extend(meta_titles)
    for headline in page.itemprops("headline")[:3]:
        if not _in_other_block(headline) and not _in_foreign_scope(headline):
            text = _clean(headline.get("content") or _text(headline))
            if text:
                candidates.append(text)
                break
    title_tag = page.title_text
    site_names = _site_names(page, site_name)
    for position, candidate in enumerate([*candidates, *heading_titles, _clean(title_tag or "")]):
        cleaned = _clean_title(candidate, site_names, h1_texts)
        if not cleaned or _norm(cleaned) in site_names:
            continue
        stem = cleaned.rstrip(".… ")
        if position < len(candidates) and (cleaned.endswith(("…", "...")) or len(stem) >= 60):
            # headlines cut to a length limit (schema.org advises 110 characters), with or without "…"
            for other in h1_texts + candidates:  # the visible heading rarely carries a site suffix
                longer = _clean_title(other, site_names, h1_texts) or ""
                if not longer.startswith(stem) or len(longer) <= len(stem) + 3:
                    continue
                # a cut mid-sentence, not a " | Section" or " - subtitle" appended after a separator
                if cleaned.endswith(("…", "...")) or not _TITLE_SEPARATORS_RE.match(longer[len(stem) :]):
                    cleaned = longer
                    break
        return cleaned[:MAX_FIELD_CHARS]
    return None


def _is_decorative_heading(h: lxml.html.HtmlElement) -> bool:
    label = f"{h.get('class', '')} {h.get('id', '')}".lower()
    return any(w in label for w in _DECORATIVE_HEADING_WORDS)


_STYLED_HEADING_TAGS = ("h4", "h5", "b", "strong", "font", "span", "p", "div", "td", "big")
_DECORATIVE_HEADING_WORDS = ("logo", "brand", "site-title", "site-name", "sitename", "visually-hidden",
                             "sr-only", "screen-reader", "visuallyhidden", "hidden-title")


def _matches_title(text: str, hints: list[str]) -> bool:
    """Whether a heading's text is the declared title (or its main part)."""
    compact = _compact(text)
    if len(compact) < 4:
        return False
    for hint in hints:
        hint_compact = _compact(hint)
        if compact == hint_compact or (compact in hint_compact and len(compact) >= 0.4 * len(hint_compact)):
            return True
        if hint_compact in compact and len(hint_compact) >= 0.6 * len(compact):
            return True
    return False


def _shares_words(a: str, b: str) -> bool:
    words_a = set(re.findall(r"\w{3,}", a.casefold())) or set(a.casefold())
    words_b = set(re.findall(r"\w{3,}", b.casefold())) or set(b.casefold())
    return bool(words_a & words_b)


def _site_names(page: _Page, site_name: str | None) -> set[str]:
    """Normalised spellings of the site's name, to strip from titles ("Story | Site").

    Some CMSs fill ``application-name`` or even ``og:site_name`` with the page title; a "site name"
    that is the story's title is not one.
    """
    cached = page.site_names_cache.get(site_name)
    if cached is not None:
        return cached
    titles = page.declared_titles()

    def is_title(value: str) -> bool:
        return _is_title_like(value, titles)

    names = set()
    for value in (site_name, *(page.meta_value(key) for key in _SITE_META)):
        if value and not is_title(_norm(value)):
            names.add(_norm(value))
    for name in list(names):
        # "Noticias de El Salvador - La Prensa Gráfica | Informate": each part names the site too
        names.update(_norm(part) for part in _TITLE_SEPARATORS_RE.split(name) if len(part) >= 3)
    for node in page.ld_nodes_of(_ORG_TYPES | {"website"}):
        value = _ld_text(node.get("name"))
        if value and not is_title(_norm(value)):
            names.add(_norm(value))
    host = urlsplit(page.url or page.link_canonical() or "").hostname or ""
    labels = [p for p in host.split(".") if p not in ("www", "m", "amp", "mobile", "edition")]
    if labels:
        # "www.rferl.org" → "rferl", "rferl.org"; "news.bbc.co.uk" → "bbc", "bbc news" handled by compaction
        names.add(_norm(".".join(labels)))
        core = max(labels[:-1] or labels, key=len)
        names.add(_norm(core))
    names.discard("")
    page.site_names_cache[site_name] = names
    return names


def _clean_title(title: str, site_names: set[str], h1_texts: list[str]) -> str | None:
    """Strip a " | Site Name" part, preferring the page's own ``<h1>`` when the title merely wraps it."""
    title = _clean(title)
    if not title:
        return None
    for h1 in h1_texts:
        if h1 and h1 != title and len(h1) >= 0.4 * len(title) and h1 in title:
            rest = title.replace(h1, " ").strip(" |-–—:·»«/•")
            if not rest or _norm(rest) in site_names or _looks_like_site(rest, site_names):
                return h1
    parts = _TITLE_SEPARATORS_RE.split(title)
    if len(parts) > 1:
        kept = [p for p in parts if not (_norm(p) in site_names or _looks_like_site(p, site_names)
                                         or _is_bare_date(p))]
        if kept and len(kept) < len(parts):
            # rejoin with the separators that were between kept parts
            return _rejoin_without(title, [p for p in parts if p not in kept])
    return title


def _is_bare_date(part: str) -> bool:
    """A title segment that is only a date ("Story | DW | 19.01.2020")."""
    return len(part) <= 30 and parse_date(part) is not None and not re.search(r"[^\W\d_]{4,}", part)


def _looks_like_site(part: str, site_names: set[str]) -> bool:
    compact = _compact(part)
    if not compact:
        return False
    for name in site_names:
        name_compact = _compact(name)
        if name_compact and (compact == name_compact or (len(compact) >= 4 and compact in name_compact)
                             or (len(name_compact) >= 4 and name_compact in compact and len(compact) <= 40
                                 and len(compact) <= 2 * len(name_compact) + 6)):
            return True
    return False


def _rejoin_without(title: str, drop: list[str]) -> str:
    result = title
    for part in drop:
        pattern = re.compile(f"{_SEPARATOR}?{re.escape(part)}{_SEPARATOR}?")
        result = pattern.sub(" | ", result, count=1)
    return result.strip(" |").strip()


# ---------------------------------------------------------------------------------------- authors


def _authors(page: _Page, article: dict[str, Any] | None) -> list[str]:
    """People first from each source in turn; an organisation only when no source names a person.

    A "person" whose name is the site's own name ("CNN" next to a reporter) is the publisher's credit.
    """
    site_names = {_compact(n) for n in _site_names(page, page.meta_value("og:site_name"))}
    organisations: list[str] = []

    def people_only(names: list[str]) -> list[str]:
        people = []
        for name in names:
            if _compact(name) in site_names:
                organisations.append(name)
            else:
                people.append(name)
        return _dedupe(people)

    if article is not None:
        for key in ("author", "creator"):
            found, orgs = _ld_people(page, article.get(key))
            organisations.extend(orgs)
            people = people_only(found)
            if people:
                return people
    publisher_credits = {_norm(v) for k in ("copyright", "publisher", "dc.publisher")
                         for v in page.meta_values(k)}
    for key in _AUTHOR_META:
        names: list[str] = []
        for value in page.meta_values(key):
            if _is_url(value):
                continue
            parts = [p for p in _NAME_SPLIT_RE.split(_BYLINE_PREFIX_RE.sub("", value)) if p.strip()]
            if not parts:
                continue
            if _norm(value) in publisher_credits or _ORGANISATION_RE.search(parts[0]):
                organisations.append(parts[0])  # "Verlag GmbH, Nürnberg, Germany": a company and its town
                continue
            if key in _BIBLIOGRAPHIC_AUTHOR_META and _LAST_FIRST_RE.match(value):
                # one author per tag, written "Last, First" (Highwire/Google Scholar convention)
                last, first = (p.strip() for p in value.split(",", 1))
                names.extend(_split_names(f"{first} {last}", organisations))
                continue
            own = [p for p in parts if _compact(p) in site_names]
            if own:  # "unocero - Alberto Ávila": the site's credit beside a person
                organisations.extend(own)
                value = ", ".join(p for p in parts if p not in own)
            names.extend(_split_names(value, organisations))
        people = people_only(names)
        if people:
            return people
    # Yoast/Slack unfurl tags: twitter:label1 "Written by" + twitter:data1 "Jane Doe"
    for index in ("1", "2"):
        label = (page.meta_value(f"twitter:label{index}") or "").lower()
        if label in _WRITTEN_BY_LABELS:
            people = people_only(_split_names(page.meta_value(f"twitter:data{index}") or "", organisations))
            if people:
                return people
    people = people_only(_visible_authors(page, organisations))
    if people:
        return people
    # Organisations as the last resort: short names only (a credit line, not a sentence).
    credits = [_clean(re.sub(r"\([^)]*\)", " ", o)) for o in organisations]
    return _dedupe([c for c in credits if c and len(c) <= 60 and len(c.split()) <= 6])[:3]


_BIBLIOGRAPHIC_AUTHOR_META = frozenset(("citation_author", "dc.creator", "dcterms.creator"))
_LAST_FIRST_RE = re.compile(r"^[^\W\d_][\w'’. -]*,\s*[^\W\d_][\w'’. -]*$")
_WRITTEN_BY_LABELS = frozenset(("written by", "verfasst von", "geschrieben von", "escrito por", "écrit par",
                                "scritto da", "autor", "author", "auteur", "von"))


def _ld_people(page: _Page, value: Any) -> tuple[list[str], list[str]]:
    people: list[str] = []
    orgs: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items[:20]:
        item = page.resolve(item)
        if isinstance(item, str):
            if not _is_url(item):
                people.extend(_split_names(item, orgs))
        elif isinstance(item, dict):
            types = _types(item)
            name = _ld_text(item.get("name"))
            if not name and (item.get("givenName") or item.get("familyName")):
                parts = (_ld_text(item.get("givenName")), _ld_text(item.get("familyName")))
                name = " ".join(p for p in parts if p)
            if not name or _is_url(name):
                continue
            if types & _ORG_TYPES:
                orgs.append(_clean(name))
            else:
                people.extend(_split_names(name, orgs))
    return people, orgs


def _visible_authors(page: _Page, organisations: list[str]) -> list[str]:
    """Names from byline elements near the heading, in page order, never from author bio boxes."""
    region = page.region()
    listed = _listed_classes(region.authors)
    for el in region.authors + region.prefixed:
        if el.tag in _NOT_TEXT_TAGS and el.tag != "meta":
            continue
        if el.get("class") in listed:
            continue
        if _in_other_block(el, region.boundary) or _in_foreign_scope(el):
            continue
        if el.tag == "meta":
            text = el.get("content") or ""
        elif el.tag == "a" or el.get("rel") == "author":
            text = _text(el)
        else:
            text = el.get("content") or _text(el)
        if not _clean(text):
            continue
        if len(_clean(text)) > 200:
            # a container (byline block with bio, date, share buttons): its author links are the names
            anchors = el.xpath(".//a[@rel='author' or contains(@href,'author') or contains(@href,'autor')]")
            links = [_clean(_text(a)) for a in anchors[:6]]
            names = [n for t in links if t for n in _split_names(t, organisations, visible=True)]
        else:
            names = _split_names(text, organisations, visible=True)
            if not names and el in region.prefixed and _BYLINE_WORD_RE.match(_clean(text)):
                # "<h5>Autor:</h5> Peter Maahn": the label alone, the name right after it
                following = el.tail or ""
                sibling = el.getnext()
                if not following.strip() and sibling is not None:
                    following = _text(sibling, 120)
                names = _split_names(following, organisations, visible=True)
        if names:
            if el.tag == "a":
                # co-authors printed as sibling links: "<a>Jane Doe</a>, <a>John Roe</a>"
                parent = el.getparent()
                for other in region.authors:
                    if other is not el and other.tag == "a" and other.getparent() is parent:
                        names.extend(_split_names(_text(other), organisations, visible=True))
            return names
    for text in region.near:
        for segment in _SEGMENT_SPLIT_RE.split(text):
            if _BYLINE_LEAD_RE.match(segment):
                names = _split_names(segment, organisations, visible=True)
                if names:
                    return names
    return []


_SEGMENT_SPLIT_RE = re.compile(r"\s*[·•|]\s*|\s+[–—]\s+")


def _listed_classes(elements: list[lxml.html.HtmlElement]) -> set[str | None]:
    """Byline classes repeated over several containers with different names: a list of teasers.

    Co-authors of one story share a container; teaser cards each have their own.
    """
    groups: dict[str | None, list[lxml.html.HtmlElement]] = {}
    for el in elements:
        groups.setdefault(el.get("class"), []).append(el)
    listed: set[str | None] = set()
    for cls, members in groups.items():
        if cls is None or len(members) < 3:
            continue  # class-less links are too common a shape to call a list
        texts = {_clean(_text(m)) for m in members}
        parents = {m.getparent() for m in members}  # proxies stay alive in the set, so identity holds
        if len(texts) >= 3 and len(parents) >= 3:
            listed.add(cls)
    return listed


def _split_names(text: str, organisations: list[str], visible: bool = False) -> list[str]:
    """"By Jane Doe and John Roe, Reuters" → ["Jane Doe", "John Roe"]; agencies go to ``organisations``.

    From visible text only wire agencies count as organisations: any other company-like string there
    is more likely a testimonial, a caption or a credit line than the story's author.
    """
    if not text:
        return []
    text = _PARAGRAPH_BREAK_RE.split(text.strip(), maxsplit=1)[0]  # "Von X\n\nKakuma / Kenia": a dateline
    text = _clean(text)
    if not text or len(text) > 300:
        return []
    text = re.sub(r"\S*https?://\S*|\([^)]*\)|\[[^\]]*\]|©|\(c\)|(?<!\S)@\w+", " ", text)
    text = _CREDIT_TAIL_RE.split(text, maxsplit=1)[0]  # "Jane Doe Foto: John Roe": the photographer
    text = _GLUED_PREFIX_RE.sub("", text)  # "ByAlex Bozarjian": label and name in adjacent elements
    previous = None
    while previous != text:
        previous = text
        text = _BYLINE_PREFIX_RE.sub("", text)
    people: list[str] = []
    after_organisation = False
    for part in _NAME_SPLIT_RE.split(text):
        # "By Nada Tawfik, BBC News, New York": what follows the outlet is its bureau's city
        if after_organisation:
            after_organisation = False
            continue
        part = part.strip(" .:-–—'\"“”„")
        part = re.sub(r"\s+(?:in|aus|en|à|a|из|в)\s+[A-ZÀ-ÝА-Я][\w\s.-]*$", "", part)  # "Jane Doe in London"
        part = _BYLINE_PREFIX_RE.sub("", part).strip(" .:-–—")
        if not part or _BYLINE_WORD_RE.match(part) or _GENERIC_CREDIT_RE.match(part):
            continue
        if part.lower().rstrip(".") in _AGENCIES:
            organisations.append(part)
            after_organisation = True
            continue
        if _ORGANISATION_RE.search(part):
            if not visible:
                organisations.append(part)
            after_organisation = True
            continue
        words = part.split()
        half = len(words) // 2
        if half >= 2 and len(words) % 2 == 0 and words[:half] == words[half:]:
            part = " ".join(words[:half])  # a name printed twice (visible and screen-reader copies)
        elif len(part) % 2 == 0 and len(part) >= 8 and part[: len(part) // 2] == part[len(part) // 2 :]:
            part = part[: len(part) // 2]  # ... or glued to itself: "Kristen Falc'honKristen Falc'hon"
        if _is_person_name(part):
            people.append(part)
    return people


def _is_person_name(text: str) -> bool:
    if len(text) < 2 or len(text) > 60 or not _HAS_LETTER_RE.search(text):
        return False
    if any(c.isdigit() or c in _NOT_IN_NAMES for c in text) or _is_url(text):
        return False
    if _ROLE_RE.search(text) or _NAVIGATION_RE.search(text):
        return False
    if _CJK_RE.search(text) and len(text) > 8:
        return False  # Chinese/Japanese/Korean personal names are a few characters
    words = text.split()
    if len(words) > 5 or not any(len(w.strip(".")) > 1 for w in words):
        return False  # a sentence, or bare initials ("K A")
    if len(words) == 1 and len(text) < 3:
        return False  # "Mi", "DT": a weekday or initials, not a byline
    if len(words) == 1 and "-" in text and text.lower() == text:
        return False  # a profile slug
    cased = [w for w in words if w[0].isalpha() and w[0].lower() != w[0].upper()]
    if cased:
        # Scripts with case: names are capitalised words, allowing particles ("Ursula von der Leyen")
        lower = [w for w in cased if w[0].islower() and w.lower() not in _NAME_PARTICLES]
        if lower:
            return False
        if all(w.lower() in _NAME_PARTICLES for w in cased) or cased[0][0].islower():
            return False  # "der Michel": a byline's grammar, not a name ("Ursula von ..." starts upper)
    elif len(text) > 30:
        return False  # caseless scripts (CJK, Arabic): a name is short
    return len(words) > 1 or not text.isupper()  # a lone all-caps word is an acronym ("AFP", "GESE")


# ---------------------------------------------------------------------------------------- language


# Some CMSs write the language's name instead of its code (``<meta name="language" content="Deutsch">``).
_LANGUAGE_NAMES = {
    "english": "en", "deutsch": "de", "german": "de", "français": "fr", "francais": "fr", "french": "fr",
    "español": "es", "espanol": "es", "spanish": "es", "italiano": "it", "italian": "it", "русский": "ru",
    "russian": "ru", "nederlands": "nl", "dutch": "nl", "português": "pt", "portuguese": "pt",
    "polski": "pl", "polish": "pl", "中文": "zh", "chinese": "zh", "العربية": "ar", "arabic": "ar",
    "türkçe": "tr", "turkish": "tr", "svenska": "sv", "dansk": "da", "norsk": "no", "suomi": "fi",
    "čeština": "cs", "magyar": "hu", "ελληνικά": "el", "українська": "uk", "日本語": "ja", "한국어": "ko",
}


def _language(page: _Page, article: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """The primary language tag, and the most specific locale seen (for reading numeric dates)."""
    candidates: list[str | None] = []
    if article is not None:
        value = article.get("inLanguage")
        value = page.resolve(_first(value))
        if isinstance(value, dict):
            value = value.get("alternateName") or value.get("name")
        candidates.append(value if isinstance(value, str) else None)
    root = page.tree.getroottree().getroot()
    candidates.append(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
                      or root.get("xml:lang"))
    candidates.append(page.meta_value("og:locale"))
    candidates.extend(page.meta_value(k) for k in _LANGUAGE_META)
    language = None
    locale = None
    for raw in candidates:
        if not raw:
            continue
        tag = raw.split(",")[0].split(";")[0].strip()
        named = _LANGUAGE_NAMES.get(tag.casefold())
        match = re.match(r"^([a-zA-Z]{2,3})(?:[-_](?:[a-zA-Z]{2}|\d{3}|[a-zA-Z]{4}))*$", tag)
        if named:
            primary = named
        elif match:
            primary = match.group(1).lower()
        else:
            continue
        if primary in ("und", "mul", "zxx", "xx"):
            continue
        if language is None:
            language = primary
        if locale is None and primary == language and re.search(r"[-_][a-zA-Z]{2}\b", tag):
            locale = tag
    return language, locale or language


# The most frequent function words of the languages most pages come in without a declared language.
# Enough to tell them apart on a few paragraphs; anything rarer stays None rather than a wrong guess.
_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to is in that for with was on are this it as by from have be not you at or",
        "de": "der die und das ist nicht mit von den zu sich auf für ein eine auch dem des im wird sie ich "
              "es werden bei nach wie",
        "fr": "le la les et des est une un du pour dans que qui pas sur au avec ce sont par il elle nous "
              "vous mais ou",
        "es": "el la los las y de que en un una por con para es del se no al como más pero sus su lo",
        "it": "il la di e che è un una per non con del della sono gli le si da al anche nel alla più",
        "pt": "o a os as e de que em um uma para com não do da dos das por se mais no na ao é",
        "nl": "de het een en van is dat op te in voor met niet zijn die ook aan er bij als naar maar",
        "sv": "och att det som en på är av för med till den har inte om ett var jag",
        "pl": "i w nie na się z że do to jest jak o po co ale od za",
    }.items()
}
_WORD_RE = re.compile(r"[^\W\d_]+")
_TEXT_TAGS = ("p", "td", "div", "font", "span", "b", "i", "em", "strong", "li", "a", "h1", "h2", "h3",
              "section")
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),  # kana first: Japanese text also uses Han characters
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
)


def _guess_language(page: _Page, strict: bool = False) -> str | None:
    """A cautious guess from the title, description and first paragraphs when no tag declares one.

    ``strict`` asks for a clear margin (twice the runner-up's function words, and English itself
    nearly absent), enough to overrule a template's default ``lang="en"``.
    """
    parts = [page.title_text or "", page.meta_value("og:description") or page.meta_value("description") or ""]
    size = 0
    for count, para in enumerate(page.tree.iter("p")):
        if count >= 40 or size > 3000:
            break
        text = para.text_content()
        size += len(text)
        parts.append(text)
    if size < 300:  # no paragraphs (table layouts, <font> soup): the body's first text instead
        body = next(page.tree.iter("body"), None)
        if body is not None:
            collected = 0
            for piece in body.itertext(*_TEXT_TAGS):
                parts.append(piece)
                collected += len(piece)
                if collected > 3000:
                    break
    text = " ".join(parts)[:4000]
    if len(text.strip()) < 20:
        return None
    letters = sum(1 for c in text if c.isalpha())
    for language, pattern in _SCRIPTS:
        found = len(pattern.findall(text))
        if letters and found / letters > 0.3:
            if language == "ru" and re.search(r"[іїєґ]", text):
                return "uk"
            return language
    counts = dict.fromkeys(_STOPWORDS, 0)
    words = _WORD_RE.findall(text.lower())
    for word in words:
        for language, stop in _STOPWORDS.items():
            if word in stop:
                counts[language] += 1
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    (best, best_count), (_second, second_count) = ranked[0], ranked[1]
    if strict:
        strong = best_count >= 15 and best_count >= 2 * second_count and counts["en"] * 4 <= best_count
        return best if strong else None
    if best_count >= 5 and best_count >= 1.25 * second_count and best_count >= 0.08 * len(words):
        return best
    return None


# ---------------------------------------------------------------------------------------- images


def _top_image(page: _Page, article: dict[str, Any] | None) -> str | None:
    candidates: list[str | None] = []
    if article is not None:
        candidates.append(_ld_image(page, article.get("image")))
        candidates.append(_ld_image(page, article.get("thumbnailUrl")))
    candidates.extend(page.meta_value(k) for k in _IMAGE_META)
    candidates.append(page.image_src)
    for raw in candidates:
        absolute = page.absolute(raw)
        if absolute and absolute.startswith(("http://", "https://")):
            return absolute
    return None


def _ld_image(page: _Page, value: Any) -> str | None:
    value = page.resolve(_first(value))
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        # an unresolved {"@id": "...#primaryimage"} names a node, not an image file
        for key in ("url", "contentUrl"):
            inner = _first(value.get(key))
            if isinstance(inner, str) and inner.strip():
                return inner
    return None


# ---------------------------------------------------------------------------------------- paywall


def _paywalled(page: _Page, article: dict[str, Any] | None) -> bool:
    declared: bool | None = None
    nodes = [article] if article is not None else [n for n, main in page.ld_nodes if main]
    for node in nodes:
        value = _access_flag(node.get("isAccessibleForFree"))
        parts = node.get("hasPart")
        for part in (parts if isinstance(parts, list) else [parts])[:20]:
            if isinstance(part, dict):
                flag = _access_flag(part.get("isAccessibleForFree"))
                if flag is False:
                    value = False
        if value is not None:
            declared = value if declared is None else (declared and value)
    if declared is not None:
        return not declared
    for key in _PAYWALL_META:
        for value in page.meta_values(key):
            lowered = value.lower()
            if key in ("isaccessibleforfree",):
                if _access_flag(lowered) is False:
                    return True
            elif lowered in ("locked", "metered", "premium", "subscriber", "subscription", "paid", "true",
                             "yes", "closed", "registered", "paywall"):
                return True
    return page.region().paywall


def _access_flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("false", "no", "0", "https://schema.org/false", "http://schema.org/false"):
            return False
        if lowered in ("true", "yes", "1", "https://schema.org/true", "http://schema.org/true"):
            return True
    return None


# ---------------------------------------------------------------------------------------- dates


@dataclass(slots=True)
class _DateSource:
    label: str
    raw: str
    printed: bool = False  # visible text, where a bare 10-digit number is not a timestamp


def _dates(page: _Page, article: dict[str, Any] | None, meta: PageMetadata, locale: str | None) -> None:
    """Structured dates first; the visible header is only searched (it costs most) when they fail."""
    published_sources, modified_sources = _structured_date_sources(page, article)
    visible: list[_DateSource] | None = None
    visible_updates: list[_DateSource] = []
    needs_order = any(_may_be_ambiguous(s.raw) for s in published_sources + modified_sources)
    if not published_sources or not modified_sources or needs_order:
        visible, visible_updates = _visible_date_sources(page)
    order = date_order_for_locale(locale) or _tld_order(page.url)
    if order is None and visible:
        order = infer_date_order(_order_texts(page))
    fallback_order = DateOrder.MDY if (meta.language or "en") == "en" else DateOrder.DMY
    now = datetime.now(UTC)

    published = _pick(published_sources, order, fallback_order, now, "published_at", meta.warnings)
    if published is None:
        if visible is None:
            visible, visible_updates = _visible_date_sources(page)
            if order is None:
                order = infer_date_order(_order_texts(page))
        published = _pick(visible, order, fallback_order, now, "published_at", meta.warnings)
    if published is None:
        from_url = _url_date(page.url)
        if from_url is not None:
            published = ParsedDate(from_url.replace(tzinfo=None), has_tz=False, has_time=False)
            meta.warnings.append("published_at taken from the URL (date only)")
    modified = _pick(modified_sources + visible_updates, order, fallback_order, now, "modified_at",
                     meta.warnings)
    # compared as stored: a consumer must never see an update stamp before the publication
    if modified is not None and published is not None and to_aware(modified) < to_aware(published):
        meta.warnings.append("modified_at earlier than published_at; dropped")
        modified = None
    if published is None:
        meta.warnings.append("no published date found")
    else:
        _warn_precision(published, "published_at", meta.warnings)
    if modified is not None:
        _warn_precision(modified, "modified_at", meta.warnings)
    meta.published_at = to_aware(published) if published is not None else None
    meta.modified_at = to_aware(modified) if modified is not None else None


_AMBIGUOUS_HINT_RE = re.compile(r"(?<!\d)(?:0?[1-9]|1[0-2])[/-](?:0?[1-9]|1[0-2])[/-]\d{4}")


def _may_be_ambiguous(raw: str) -> bool:
    return bool(_AMBIGUOUS_HINT_RE.search(raw))


def _pick(
    sources: list[_DateSource],
    order: DateOrder | None,
    fallback_order: DateOrder,
    now: datetime,
    name: str,
    warnings: list[str],
) -> ParsedDate | None:
    for index, source in enumerate(sources):
        parsed = parse_date(source.raw, order, epoch=not source.printed)
        if parsed is None:
            continue
        if parsed.ambiguous:
            parsed = parse_date(source.raw, fallback_order, epoch=not source.printed) or parsed
            warnings.append(
                f"{name}: ambiguous day/month order in {source.raw!r}, read as {fallback_order.value}"
            )
        if to_aware(parsed) > now + timedelta(days=2):
            warnings.append(f"{name}: {source.label} date {source.raw!r} is in the future; ignored")
            continue
        if not parsed.has_time or not parsed.has_tz:
            # a later source may state the same day more precisely ("2020-01-13" in JSON-LD,
            # "2020-01-13T08:45:00+01:00" in article:published_time): same fact, more of it
            parsed = _more_precise(parsed, sources[index + 1 :], order) or parsed
        return parsed
    return None


def _more_precise(parsed: ParsedDate, later: list[_DateSource], order: DateOrder | None) -> ParsedDate | None:
    for source in later[:MAX_CANDIDATES]:
        other = parse_date(source.raw, order, epoch=not source.printed)
        if other is None or other.ambiguous:
            continue
        if (other.has_time, other.has_tz) <= (parsed.has_time, parsed.has_tz):
            continue
        if other.value.date() == parsed.value.date():
            return other
    return None


def _warn_precision(parsed: ParsedDate, name: str, warnings: list[str]) -> None:
    if not parsed.has_time:
        warnings.append(f"{name}: date without time; 00:00 UTC assumed")
    elif not parsed.has_tz:
        warnings.append(f"{name}: no time zone in source; UTC assumed")


def _structured_date_sources(
    page: _Page, article: dict[str, Any] | None
) -> tuple[list[_DateSource], list[_DateSource]]:
    published: list[_DateSource] = []
    modified: list[_DateSource] = []
    if article is not None:
        raw = _ld_text(article.get("datePublished"))
        if raw:
            published.append(_DateSource("JSON-LD datePublished", raw))
        raw = _ld_text(article.get("dateModified"))
        if raw:
            modified.append(_DateSource("JSON-LD dateModified", raw))
    for key in _PUBLISHED_META:
        for raw in page.meta_values(key)[:1]:
            published.append(_DateSource(f"meta {key}", raw))
    for key in _MODIFIED_META:
        for raw in page.meta_values(key)[:1]:
            modified.append(_DateSource(f"meta {key}", raw))

    # Microdata: the first datePublished/dateModified outside comments and other stories.
    props = (("datePublished", published), ("dateModified", modified))
    for prop, target in props:
        for el in page.itemprops(prop)[:MAX_CANDIDATES]:
            if _in_other_block(el) or _in_foreign_scope(el):
                continue
            raw = el.get("content") or el.get("datetime") or _clean(_text(el))
            if raw:
                target.append(_DateSource(f"microdata {prop}", raw))
                break
    # Creation and upload dates only stand in for a missing publication date.
    if article is not None:
        for key in ("dateCreated", "uploadDate"):
            raw = _ld_text(article.get(key))
            if raw:
                published.append(_DateSource(f"JSON-LD {key}", raw))
    return published, modified


def _order_texts(page: _Page) -> list[str]:
    """Every short date-like text of the header region, update stamps included: evidence of the site's
    day/month order even where it is not the publication date."""
    region = page.region()
    texts = [el.get("datetime") or _clean(_text(el)) for el in region.times]
    texts.extend(_clean(_text(el)) for el in region.dated)
    return [t for t in texts if t and len(t) <= 160]


def _visible_date_sources(page: _Page) -> tuple[list[_DateSource], list[_DateSource]]:
    """Dates printed in the story's own header: ``<time>``, epoch data attributes, date-classed text;
    returned as (publication candidates, update candidates).

    A candidate must sit outside sidebars/related/comment blocks, and inside the same ``<article>`` as
    the page's ``<h1>`` (teaser cards of other stories are usually ``<article>`` elements of their own).
    An update stamp ("Updated 19:40", class "modified") is told apart by its class or the words before it.
    """
    region = page.region()
    sources: list[_DateSource] = []
    primary: list[_DateSource] = []
    updated: list[_DateSource] = []
    for el in region.times:
        if not _own_story(el, region) or _links_elsewhere(el, page):
            continue
        if el.tag == "time":
            raw = el.get("datetime") or _clean(_text(el))
        else:
            raw = next((el.get(a) for a in _DATE_ATTRS if el.get(a)), None)
        if not raw:
            continue
        label = " ".join(filter(None, (el.get("class"), el.get("itemprop"), el.get("id")))).lower()
        source = _DateSource(f"<{el.tag}>", raw, printed=el.tag == "time" and not el.get("datetime"))
        if el.get("pubdate") is not None or any(w in label for w in _PUBLISHED_WORDS):
            primary.append(source)  # WordPress marks an unedited post "entry-date published updated"
        elif any(w in label for w in _UPDATED_WORDS) or _UPDATE_RE.search(_lead_text(el)):
            updated.append(source)
        else:
            sources.append(source)
        if len(sources) + len(primary) >= 6:
            break
    for el in region.dated:
        if len(sources) >= 10:
            break
        label = f"{el.get('class', '')} {el.get('id', '')}".lower()
        if any(w in label for w in ("validate", "mandate")) or not _own_story(el, region):
            continue
        if _links_elsewhere(el, page):
            continue
        text = _clean(_text(el))
        if not text or len(text) > 160:
            continue
        source = _DateSource(f"<{el.tag} class={label.strip()!r}>", text, printed=True)
        is_published = any(w in label for w in _PUBLISHED_WORDS)
        if (not is_published and any(w in label for w in _UPDATED_WORDS)) or _UPDATE_RE.match(text):
            updated.append(source)
            continue
        if not _NOT_PUBLICATION_RE.search(text):
            sources.append(source)
        title = el.get("title") or el.get("content")
        if title and len(title) <= 80:  # <abbr class="published" title="2018-06-05T08:00:00-07:00">
            sources.append(_DateSource(f"<{el.tag} title>", title))
    # last: short unlabelled lines just under the heading (table layouts, bare templates)
    for text in region.near:
        for segment in _SEGMENT_SPLIT_RE.split(text):  # "Publicado: X | Actualizado: Y"
            # a dateline opens its line ("Bern, 17.08.2007 - Rede ..."); a date deep in a sentence
            # belongs to the story's text
            segment = segment[:50]
            if _NEAR_NOT_DATE_RE.search(segment):
                continue
            if _UPDATE_RE.search(segment):
                updated.append(_DateSource("line under heading", segment, printed=True))
            elif not _NOT_PUBLICATION_RE.search(segment):
                sources.append(_DateSource("line under heading", segment, printed=True))
    return primary + sources, updated


def _links_elsewhere(el: lxml.html.HtmlElement, page: _Page) -> bool:
    """A date inside a link to another page is that page's date (a teaser), unless the link is this
    page's own permalink (blogs wrap their date in one)."""
    node = el
    for _ in range(4):
        if node is None:
            return False
        if node.tag == "a":
            href = node.get("href")
            if not href or href.startswith("#") or "bookmark" in (node.get("rel") or ""):
                return False
            target = _url_key(page.absolute(href) or "")
            own = {_url_key(u) for u in (page.url, page.absolute(page.canonical_href)) if u}
            return bool(target) and target not in own
        node = node.getparent()
    return False


def _lead_text(el: lxml.html.HtmlElement) -> str:
    """The words printed just before an element ("Updated: <time>"), from its parent or left sibling."""
    previous = el.getprevious()
    if previous is not None:
        return (previous.tail or "")[-40:]
    parent = el.getparent()
    return (parent.text or "")[-40:] if parent is not None else ""


_UPDATED_WORDS = ("updated", "modified", "aktualisiert", "last-mod", "lastmod", "geaendert", "geändert")
_UPDATE_RE = re.compile(
    r"\b(?:updated|last\s+modified|aktualisiert|zuletzt\s+geändert|mis à jour|actualizado|aggiornato|"
    r"atualizado|bijgewerkt|обновлено)\b",
    re.IGNORECASE,
)


# Printed dates that are not the publication: the clock of a forum, an update stamp, a copyright line.
_NOT_PUBLICATION_RE = re.compile(
    r"aktuelle zeit|current time|it is currently|heure actuelle|letzter besuch|last visit|dernière visite|"
    r"updated|aktualisiert|mis à jour|actualizado|aggiornato|atualizado|bijgewerkt|обновлено|©|copyright",
    re.IGNORECASE,
)


# A comment entry ("#1 Kommentar von Naru-chan 26. März 2004"), not a comment count or an op-ed kicker.
_NEAR_NOT_DATE_RE = re.compile(
    r"(?:comment|kommentar|commentaire|comentario)\w*\s+(?:von|by|de|par|from)\b|\bantwort\b|"
    r"\brepl(?:y|ies)\b|^#\d",
    re.IGNORECASE,
)


def _url_date(url: str | None) -> datetime | None:
    if not url:
        return None
    match = _URL_DATE_RE.search(urlsplit(url).path)
    if not match:
        return None
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC)
    except ValueError:
        return None


_DAY_FIRST_TLDS = frozenset(("uk", "ie", "au", "nz", "in", "za", "sg", "my", "pk", "ng", "ke", "gh", "hk"))


def _tld_order(url: str | None) -> DateOrder | None:
    host = urlsplit(url or "").hostname or ""
    tld = host.rsplit(".", 1)[-1]
    if tld in _DAY_FIRST_TLDS:
        return DateOrder.DMY
    if tld == "us":
        return DateOrder.MDY
    return None


# ================================================================================================ helpers


def _own_story(el: lxml.html.HtmlElement, region: _Region) -> bool:
    if _in_other_block(el, region.boundary):
        return False
    if region.h1_article is not None:
        return _nearest(el, "article") is region.h1_article
    return True


def _nearest(el: lxml.html.HtmlElement, tag: str) -> lxml.html.HtmlElement | None:
    node = el
    for _ in range(40):
        if node is None:
            return None
        if node.tag == tag:
            return node
        node = node.getparent()
    return None


def _in_other_block(el: lxml.html.HtmlElement, boundary: frozenset[Any] = frozenset()) -> bool:
    """True when ``el`` sits in a sidebar, related-stories list, comment thread or site furniture.

    The walk up stops at ``boundary`` (the main heading's own ancestors): a block that also holds the
    story's heading is the story's container, whatever its class says.
    """
    node = el
    for _ in range(_ANCESTOR_DEPTH):
        if node is None or node.tag in ("body", "html") or node in boundary:
            return False
        tag = node.tag
        class_attr, id_attr = node.get("class"), node.get("id")
        if _is_other_label(class_attr, id_attr):
            return True
        if tag in _TAGS_NEVER_ARTICLE or (tag == "footer" and _nearest(node, "article") is None):
            # ... unless the CMS uses the tag for the story's own byline box (<aside class="meta">)
            label = f"{class_attr or ''} {id_attr or ''}"
            if tag == "nav" or not (_AUTHOR_LABEL_RE.search(label) or _META_BOX_RE.search(label)):
                return True
        node = node.getparent()
    return False


_META_BOX_RE = re.compile(
    r"(?:^|[\s_-])(?:meta|byline|dateline|info|details|article-meta|entry-meta)(?:$|[\s_-])", re.IGNORECASE
)


def _is_other_label(class_attr: str | None, id_attr: str | None) -> bool:
    if not class_attr and not id_attr:
        return False
    for name in f"{class_attr or ''} {id_attr or ''}".lower().split():
        name = name.split("--", 1)[0]
        if name and not _MODIFIER_RE.match(name) and _OTHER_NAME_RE.search(name):
            return True
    return False


def _in_foreign_scope(el: lxml.html.HtmlElement) -> bool:
    """Microdata of a comment, review or list item describes that item, not the page."""
    node = el.getparent()
    for _ in range(_ANCESTOR_DEPTH):
        if node is None:
            return False
        if node.get("itemscope") is not None:
            itemtype = (node.get("itemtype") or "").lower()
            return any(w in itemtype for w in _FOREIGN_ITEMTYPES)
        node = node.getparent()
    return False


def _walk_ld(data: Any) -> Iterator[tuple[dict[str, Any], bool]]:
    """Typed nodes of a JSON-LD document, each with whether it may be the page's main entity."""
    stack: list[tuple[Any, bool, int]] = [(data, True, 0)]
    visited = 0
    while stack and visited < MAX_JSONLD_NODES:
        value, main, depth = stack.pop()
        visited += 1
        if depth > MAX_JSONLD_DEPTH:
            continue
        if isinstance(value, list):
            stack.extend((item, main, depth + 1) for item in reversed(value[:200]))
            continue
        if not isinstance(value, dict):
            continue
        if "@type" in value:
            yield value, main
        children = []
        for key, child in value.items():
            if isinstance(child, dict | list):
                children.append((child, main and key.lower() in _MAIN_PATH_KEYS, depth + 1))
        stack.extend(reversed(children))


_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_COMMENT_RE = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$|^\s*<!--|-->\s*$")


def _load_json(raw: str) -> Any:
    """Parse a JSON-LD script as publishers actually write it: CDATA, comments, trailing commas,
    raw newlines inside strings, several objects back to back."""
    text = _COMMENT_RE.sub("", raw.strip()).strip()
    text = _COMMENT_RE.sub("", text).strip()
    if not text:
        return None
    for attempt in (text, _TRAILING_COMMA_RE.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            pass
    # Several top-level values in one script ("{...}{...}" or "{...},{...}")
    decoder = json.JSONDecoder(strict=False)
    fixed = _TRAILING_COMMA_RE.sub(r"\1", text)
    values = []
    index = 0
    while index < len(fixed):
        while index < len(fixed) and fixed[index] in " \t\r\n,;":
            index += 1
        if index >= len(fixed):
            break
        try:
            value, index = decoder.raw_decode(fixed, index)
        except ValueError:
            break
        values.append(value)
    return values or None


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    result = set()
    for value in values:
        if isinstance(value, str):
            result.add(value.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower())
    return result


def _ld_text(value: Any) -> str | None:
    """A plain string from a JSON-LD value that may be a string, a list, or a ``{"@value": ...}``."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        cleaned = _clean(_unhtml(value))
        return cleaned or None
    return None


def _unhtml(text: str) -> str:
    if "<" in text and ">" in text:
        text = re.sub(r"<[^>]{0,200}>", " ", text)
    if "&" in text:
        import html

        text = html.unescape(text)
    return text


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _first_text(candidates: Iterable[str | None], max_len: int = MAX_FIELD_CHARS) -> str | None:
    for candidate in candidates:
        if candidate:
            cleaned = _clean(_unhtml(candidate))
            if cleaned:
                return cleaned[:max_len]
    return None


def _text(el: lxml.html.HtmlElement, limit: int = 600) -> str:
    """An element's visible text, read only as far as ``limit`` characters: a "date" or "byline" class
    on a container holding the whole story must not cost a full text walk, and inline scripts are not
    text."""
    parts: list[str] = []
    size = 0
    for piece in _text_pieces(el):
        parts.append(piece)
        size += len(piece)
        if size >= limit:
            break
    return "".join(parts)


def _text_pieces(node: lxml.html.HtmlElement) -> Iterator[str]:
    """Text and tails in document order, as ``itertext`` but skipping scripts (comments' tails kept)."""
    if node.tag in _NO_TEXT_TAGS:
        return
    if node.text:
        yield node.text
    for child in node:
        if isinstance(child.tag, str):
            yield from _text_pieces(child)
        if child.tail:
            yield child.tail


_NO_TEXT_TAGS = frozenset(("script", "style", "noscript", "template", "svg"))


def _clean(text: str | None) -> str:
    if not text:
        return ""
    return _TAG_STRIP_RE.sub(" ", text).strip()


def _norm(text: str | None) -> str:
    return _clean(text).casefold()


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for name in names:
        key = _compact(name)
        if key and key not in seen:
            seen.add(key)
            result.append(name)
    return result


def _is_url(text: str) -> bool:
    lowered = text.strip().lower()
    return lowered.startswith(("http://", "https://", "www.", "//", "/")) or bool(
        re.match(r"^[\w.-]+\.(?:com|org|net|de|fr|uk|ru|io)(?:/|$)", lowered)
    )


def _is_root(url: str) -> bool:
    return urlsplit(url).path in ("", "/")


def _url_key(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"
