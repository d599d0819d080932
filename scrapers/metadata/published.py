"""Publication and update dates: which source to believe, and how to read an ambiguous one.

Parsing a date string is ``scrapers.dates``'s job; this module decides which strings to parse (JSON-LD,
meta tags, microdata, then the header's printed dates, then the URL), in which day/month order, and
which of them are update stamps, forum clocks or comment dates rather than the publication.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from scrapers.dates import (
    DateOrder,
    ParsedDate,
    date_order_for_locale,
    infer_date_order,
    parse_date,
    parse_relative,
    to_aware,
)
from scrapers.metadata.blocks import in_foreign_scope, in_other_block, is_other_block, nearest_ancestor
from scrapers.metadata.jsonld import ld_text
from scrapers.metadata.lines import date_elsewhere, header_lines
from scrapers.metadata.own_teaser import stamp_or_teaser
from scrapers.metadata.region import DATE_ATTRS, MAX_CANDIDATES, SEGMENT_SPLIT_RE, own_story
from scrapers.metadata.text import clean_text, element_text

if TYPE_CHECKING:
    from scrapers.metadata.fields import PageMetadata
    from scrapers.metadata.page import Page


_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "published_time",
    "og:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "citation_publication_date",
    "citation_online_date",
    "citation_date",
    "dc.date",
    "dcterms.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "article.published",
    "article_date_original",
    "og:pubdate",
    "cxenseparse:recs:publishtime",
    "date",
    "originalpublicationdate",
    "publication_date",
    "date.available",
    "article.created",
    "creation_date",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "article:modified",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "modified_time",
    "last-modified",
    "lastmod",
    "article.updated",
    "cxenseparse:recs:articlemodifiedtime",
    "revised",
)

_PUBLISHED_WORDS = ("publish", "created", "pubdate", "posted")

_URL_DATE_RE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|\.html|$)"
)


@dataclass(slots=True)
class _DateSource:
    label: str
    raw: str
    printed: bool = False  # visible text, where a bare 10-digit number is not a timestamp
    opens: bool = False  # the date must open the text (within its first characters) to count
    publication: bool = False  # labelled as the publication ("Published:", class "published", pubdate)
    relative: bool = True  # may be read as "3 hours ago" against the fetch time


def find_dates(
    page: Page,
    article: dict[str, Any] | None,
    meta: PageMetadata,
    locale: str | None,
    fetched_at: datetime | None = None,
) -> None:
    """Structured dates first; the visible header is only searched (it costs most) when they fail.

    ``fetched_at`` (default: now) is the moment relative dates ("3 hours ago") count back from, and the
    limit beyond which a date is in the future."""
    published_sources, modified_sources = _structured_date_sources(page, article)
    visible: list[_DateSource] | None = None
    visible_updates: list[_DateSource] = []
    needs_order = any(_may_be_ambiguous(s.raw) for s in published_sources + modified_sources)
    if not published_sources or not modified_sources or needs_order:
        visible, visible_updates = _visible_date_sources(page)
    # another date on the page with a part above 12 settles the order; the locale only guesses it
    page_order = infer_date_order(_order_texts(page)) if visible else None
    order = page_order or date_order_for_locale(locale) or _tld_order(page.url)
    fallback_order = DateOrder.MDY if (meta.language or "en") == "en" else DateOrder.DMY
    now = fetched_at if fetched_at is not None else datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)

    published = _pick(published_sources, order, fallback_order, now, "published_at", meta.warnings)
    if published is not None:
        if visible is None:
            visible, visible_updates = _visible_date_sources(page)
        published = _checked_against_page(published, visible, order, fallback_order, now, meta.warnings)
    if published is None:
        if visible is None:
            visible, visible_updates = _visible_date_sources(page)
            order = infer_date_order(_order_texts(page)) or order
        published = _pick(visible, order, fallback_order, now, "published_at", meta.warnings)
        published = stamp_or_teaser(page, published, order, meta.warnings)
    if published is None:
        published = _fallbacks(page, order or fallback_order, now, meta.warnings)
    if published is None and visible_updates:
        published = _update_stands_in(visible_updates, order, fallback_order, now, meta.warnings)
    modified = _pick(
        modified_sources + visible_updates, order, fallback_order, now, "modified_at", meta.warnings
    )
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


def _fallbacks(page: Page, order: DateOrder, now: datetime, warnings: list[str]) -> ParsedDate | None:
    """With nothing printed around the heading: the one day the page's publication-classed elements
    print, then htmldate on the story's container, then the URL's path, each saying where it came from."""
    published = _labelled_in_page(page, order, now)
    if published is not None:
        warnings.append("published_at: the page's one publication-classed date, away from its heading")
        return published
    published = _htmldate(page, now)
    if published is not None:
        warnings.append("published_at found by htmldate (date only)")
        return published
    from_url = _url_date(page.url)
    if from_url is not None:
        warnings.append("published_at taken from the URL (date only)")
        return ParsedDate(from_url.replace(tzinfo=None), has_tz=False, has_time=False)
    return None


def _update_stands_in(
    updates: list[_DateSource],
    order: DateOrder | None,
    fallback_order: DateOrder,
    now: datetime,
    warnings: list[str],
) -> ParsedDate | None:
    """A page printing only an update stamp ("Zuletzt geändert am 06.11.2023", "Updated: Jan. 11, 2008"),
    with no publication date anywhere, not even in its address: the stamp's day stands in, since the
    story cannot have been published later, and most such stamps are set the day the story goes out.
    The stamp stays the update too (``modified_at``); the warning says the publication is inferred."""
    stamp = _pick(updates, order, fallback_order, now, "published_at", warnings)
    if stamp is not None:
        warnings.append("published_at: only an update stamp is printed; its date stands in")
    return stamp


# Elements named for a printed date anywhere in the page (not only near the heading)
_PAGE_DATED_LIMIT = 60
_PAGE_DATED_SKIP = frozenset(("script", "style", "a"))


def _page_dated_elements(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The body's first elements (scripts, styles and links aside) whose class or id holds "date" or
    "publish", any case, in document order. A Python walk: an XPath ``translate()`` lower-casing every
    element's label costs about three times as long."""
    bodies = list(islice(tree.iter("body"), 2))
    if len(bodies) != 1:  # no body, or a broken page with several: the XPath's own union, in one call
        return list(_PAGE_DATED_XPATH(tree))
    found: list[lxml.html.HtmlElement] = []
    elements = bodies[0].iter(lxml.etree.Element)
    next(elements)  # the body itself is not its own descendant
    for el in elements:
        if el.tag in _PAGE_DATED_SKIP:
            continue
        class_attr, id_attr = el.get("class"), el.get("id")
        if class_attr is None and id_attr is None:
            continue
        label = f"{class_attr or ''} {id_attr or ''}".lower()
        if "date" in label or "publish" in label:
            found.append(el)
            if len(found) >= _PAGE_DATED_LIMIT:
                break
    return found


_PAGE_DATED_XPATH = lxml.etree.XPath(
    "(//body//*[(@class or @id) and not(self::script or self::style or self::a)]"
    "[contains(translate(concat(@class, ' ', @id), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),"
    " 'date') or contains(translate(concat(@class, ' ', @id), 'PUBLISHED', 'published'), 'publish')])"
    f"[position() <= {_PAGE_DATED_LIMIT}]"
)


_PAGE_DATED_MAX = 80  # the element's text: a date line, not a block holding one


def _labelled_in_page(page: Page, order: DateOrder, now: datetime) -> ParsedDate | None:
    """The day printed by every date-classed element outside other stories' blocks, when they all agree.

    A heading set apart from its byline block (an ``<h1>`` moved into a share bar, a date in a side
    column outside the story's ``<article>``) leaves the story's own "article-timestamp-published" or
    ``<li class="date">`` out of the header's window; teasers, comments and the site's masthead are
    left out as everywhere, and two different days mean a list of other stories: no answer.
    """
    found: list[ParsedDate] = []
    for el in _page_dated_elements(page.tree):
        label = f"{el.get('class', '')} {el.get('id', '')}".lower()
        if _update_label(label) or any(w in label for w in ("validate", "mandate", "update")):
            continue
        text = clean_text(element_text(el, _PAGE_DATED_MAX + 1))
        if (
            not text
            or len(text) > _PAGE_DATED_MAX
            or _UPDATE_RE.search(text)
            or _NOT_PUBLICATION_RE.search(text)
        ):
            continue
        parsed = parse_date(text, order, epoch=False)
        if parsed is None or to_aware(parsed) > now + timedelta(days=2) or not _opens_with_date(text):
            continue
        if in_other_block(el) or in_foreign_scope(el) or date_elsewhere(el, page) or _in_masthead(el, page):
            continue
        found.append(parsed)
    days = {parsed.value.date() for parsed in found}
    if len(days) != 1:
        return None
    return max(found, key=lambda parsed: (parsed.has_time, parsed.has_tz))


def _in_masthead(el: lxml.html.HtmlElement, page: Page) -> bool:
    """Inside a ``<header>`` that does not hold the story's heading: the site's masthead ("Friday,
    April 29, 2022", today's date on every page)."""
    header = nearest_ancestor(el, "header")
    if header is None:
        return False
    headings = page.h1s()
    return not headings or not any(ancestor is header for ancestor in headings[0].iterancestors())


def _checked_against_page(
    structured: ParsedDate,
    visible: list[_DateSource],
    order: DateOrder | None,
    fallback_order: DateOrder,
    now: datetime,
    warnings: list[str],
) -> ParsedDate:
    """The structured publication date, unless the page's own header prints another one.

    JSON-LD copied from another story, or a template's default date, is contradicted by what the page
    shows. The printed date wins only when it is labelled (a ``<time>``, a date-classed element, a
    "Published:" line, not a bare date line), lies more than a day away (a zone can shift the day by
    one) and the structured day is printed nowhere in the header.
    """
    # a relative stamp is only as good as the fetch time it is read against: never enough to overrule
    labelled = [replace(s, relative=False) for s in visible if s.publication]
    printed = _pick(labelled, order, fallback_order, now, "printed", [])
    if printed is None or _days_apart(printed, structured) <= _CONTRADICTION_DAYS:
        return structured
    if (printed.value.day, printed.value.month) == (structured.value.month, structured.value.day):
        return structured  # the same date with day and month read the other way round: a guess, not news
    for source in visible[:MAX_CANDIDATES]:
        other = parse_date(source.raw, order or fallback_order, epoch=not source.printed)
        if other is not None and _days_apart(other, structured) <= 1:
            return structured
    warnings.append(
        f"published_at: structured date {structured.value.date().isoformat()} contradicts the printed "
        f"{printed.value.date().isoformat()}; the page's own is used"
    )
    return printed


_CONTRADICTION_DAYS = 2


def _days_apart(a: ParsedDate, b: ParsedDate) -> int:
    return abs((a.value.date() - b.value.date()).days)


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
        if parsed is None and source.printed and source.relative:
            parsed = parse_relative(source.raw, now)
            if parsed is not None:
                warnings.append(f"{name}: relative stamp {source.raw[:40]!r} read against the fetch time")
        if parsed is None or (source.opens and not _opens_with_date(source.raw)):
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


_DATE_START_RE = re.compile(r"\d|(?:ago|vor|il y a|hace)\b", re.IGNORECASE)


def _opens_with_date(raw: str) -> bool:
    """The first digit (or relative word) sits within the first characters: "Sunday, May 12, 2024",
    "BERN, 17.08.2007 -", not "Nach 17 Jahren im Amt ... 2007"."""
    match = _DATE_START_RE.search(raw)
    return match is not None and match.start() <= _UNLABELLED_START


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
    page: Page, article: dict[str, Any] | None
) -> tuple[list[_DateSource], list[_DateSource]]:
    published: list[_DateSource] = []
    modified: list[_DateSource] = []
    if article is not None:
        raw = ld_text(article.get("datePublished"))
        if raw:
            published.append(_DateSource("JSON-LD datePublished", raw))
        raw = ld_text(article.get("dateModified"))
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
            if in_other_block(el) or in_foreign_scope(el):
                continue
            raw = el.get("content") or el.get("datetime") or clean_text(element_text(el))
            if raw:
                target.append(_DateSource(f"microdata {prop}", raw))
                break
    # Creation and upload dates only stand in for a missing publication date.
    if article is not None:
        for key in ("dateCreated", "uploadDate"):
            raw = ld_text(article.get(key))
            if raw:
                published.append(_DateSource(f"JSON-LD {key}", raw))
    return published, modified


def _order_texts(page: Page) -> list[str]:
    """Every short date-like text of the header region, update stamps included: evidence of the site's
    day/month order even where it is not the publication date."""
    region = page.region()
    texts = [el.get("datetime") or clean_text(element_text(el)) for el in region.times]
    texts.extend(clean_text(element_text(el)) for el in region.dated)
    return [t for t in texts if t and len(t) <= 160]


def _visible_date_sources(page: Page) -> tuple[list[_DateSource], list[_DateSource]]:
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
        if not own_story(el, region) or date_elsewhere(el, page):
            continue
        if el.tag == "time":
            raw = el.get("datetime") or clean_text(element_text(el))
        else:
            raw = next((el.get(a) for a in DATE_ATTRS if el.get(a)), None)
        if not raw:
            continue
        label = " ".join(filter(None, (el.get("class"), el.get("itemprop"), el.get("id")))).lower()
        source = _DateSource(f"<{el.tag}>", raw, printed=el.tag == "time" and not el.get("datetime"))
        if el.get("pubdate") is not None or any(w in label for w in _PUBLISHED_WORDS):
            source.publication = True
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
        is_published = any(w in label for w in _PUBLISHED_WORDS)
        if any(w in label for w in ("validate", "mandate")) or not own_story(el, region, is_published):
            continue
        if date_elsewhere(el, page) or _teaser_list(el):
            continue
        text = _text_without_updates(el)
        if not text or len(text) > 160:
            continue
        source = _DateSource(f"<{el.tag} class={label.strip()!r}>", text, printed=True)
        if (not is_published and any(w in label for w in _UPDATED_WORDS)) or _UPDATE_RE.match(text):
            updated.append(source)
            continue
        if not _NOT_PUBLICATION_RE.search(text):
            # "Veröffentlicht: 26.12.2022" printed in a date element outranks a bare date beside it
            source.publication = is_published or bool(_PUBLISHED_LABEL_RE.match(text))
            (primary if source.publication and not is_published else sources).append(source)
        title = el.get("title") or el.get("content")
        if title and len(title) <= 80:  # <abbr class="published" title="2018-06-05T08:00:00-07:00">
            sources.append(_DateSource(f"<{el.tag} title>", title))
    # last: the printed lines around the heading (table layouts, bare templates, "Published: ..." lines)
    labelled, unlabelled, line_updates = _line_date_sources(page)
    updated.extend(line_updates)
    return primary + sources + labelled + unlabelled, updated


def _teaser_list(el: lxml.html.HtmlElement) -> bool:
    """A date-classed list ("link-list list-meta-info-bar") of several items: each is another story."""
    return el.tag in ("ul", "ol") and sum(1 for _ in islice(el.iterchildren("li"), 2)) >= 2


def _text_without_updates(el: lxml.html.HtmlElement) -> str:
    """The element's printed text without its update-stamp children, when a date is left without them:
    "Isabell Angele<span class='updated rich-snippet-hidden'>2022-12-07T10:10</span>25. Dezember 2022"
    prints the publication after the hidden stamp. Themes also class their only printed date "updated"
    (hAtom), so a stamp that is the element's one date stays."""
    whole = clean_text(element_text(el))
    # most date lines print one year: no second date for a stamp to hide, and no tree test needed
    if not len(el) or len(_YEAR_RE.findall(whole)) < 2 or not _HAS_UPDATE_CLASS(el):
        return whole
    stamps = [
        child
        for child in islice(el.iterdescendants(), 40)
        if child.get("class") and _update_label(child.get("class", "").lower())
    ]
    if not stamps:
        return whole
    rest = clean_text(" ".join(t for t in _texts_outside(el, frozenset(stamps)) if t.strip()))
    return rest if parse_date(rest, epoch=False) is not None else whole


_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ"
_HAS_UPDATE_CLASS = lxml.etree.XPath(
    "boolean((descendant::*)[position() <= 40][@class and ("
    + " or ".join(
        f"contains(translate(@class, '{_UPPER}', '{_UPPER.lower()}'), '{word}')"
        for word in (
            "updated",
            "modified",
            "aktualisiert",
            "last-mod",
            "lastmod",
            "geaendert",
            "geändert",
        )  # _UPDATED_WORDS
    )
    + ")])"
)


def _texts_outside(el: lxml.html.HtmlElement, skipped: frozenset[Any]) -> Iterator[str]:
    if el.text:
        yield el.text
    for child in el:
        if child not in skipped and isinstance(child.tag, str):
            yield from _texts_outside(child, skipped)
        if child.tail:
            yield child.tail


# "Published: Sunday, May 12, 2024", "Veröffentlicht am 12.05.2024", "Publié le 12 mai 2024 à 14h30",
# "Publicado el 12 de mayo de 2024": a publication label, a few words at most, then the date.
_PUBLISHED_LABEL_RE = re.compile(
    r"\b(?:(?:first\s+|originally\s+)?(?:published|posted|created|publication\s+date|released)|"
    r"ver[öo]ffentlicht|erschienen|erstellt|publiziert|publié(?:e|s)?|mis\s+en\s+ligne|publicad[oa]|"
    r"pubblicato|date|datum|fecha)\b\s*(?:on|am|le|el|il|:|\s)*",
    re.IGNORECASE,
)
_UPDATE_LABEL_RE = re.compile(
    r"\b(?:(?:last\s+)?updated|last\s+(?:modified|edited)|modified|revised|(?:zuletzt\s+)?aktualisiert|"
    r"zuletzt\s+geändert|geändert|zuletzt\s+bearbeitet|stand|mis\s+à\s+jour|modifié(?:e)?|actualizad[oa]|última\s+actualización|"
    r"aggiornato|atualizado)\b",
    re.IGNORECASE,
)
_LINE_EXCLUDED_RE = re.compile(
    r"©|\(c\)\s*\d{4}|copyright|all rights reserved|alle rechte|tous droits|derechos reservados|"
    r"aktuelle zeit|current time|it is currently",
    re.IGNORECASE,
)
_LINE_MAX = 160  # a header line; longer is prose, whose dates are the story's subject
_UNLABELLED_MAX = 90
_UNLABELLED_START = 40  # an unlabelled date opens its line (dateline, "Sunday, May 12, 2024 | By ...")
_UNLABELLED_BEFORE = 2  # lines above the heading: kicker and date only, not the masthead or a sidebar
_ANY_DIGIT_RE = re.compile(r"\d")
_UNLABELLED_LABEL = "line near heading"


def _line_date_sources(page: Page) -> tuple[list[_DateSource], list[_DateSource], list[_DateSource]]:
    """Dates printed on the lines around the heading: (labelled publication dates, unlabelled dates,
    update stamps), each nearest to the heading first, lines below the heading before lines above it.

    A line is read in segments ("Published: X | Updated: Y"); a segment after an update label is an
    update stamp, a copyright or forum-clock line is nothing, and a date deep inside a long line is the
    story's subject rather than its date.
    """
    labelled: list[_DateSource] = []
    unlabelled: list[_DateSource] = []
    updates: list[_DateSource] = []
    lines = sorted(header_lines(page), key=lambda line: (line.distance < 0, abs(line.distance)))
    for line in lines:
        text = line.text
        if len(text) > _LINE_MAX:
            dateline = _DATELINE_RE.match(text) if 0 < line.distance <= _DATELINE_AFTER else None
            if dateline:  # "06.11.23 - Sensation in ...", "BERN, 17.08.2007 - Der ...": the story's opening
                unlabelled.append(_DateSource("dateline", dateline[1], printed=True, opens=True))
            continue
        if not (_ANY_DIGIT_RE.search(text) or _RELATIVE_HINT_RE.search(text)):
            continue
        if _LINE_EXCLUDED_RE.search(text) or _NEAR_NOT_DATE_RE.search(text):
            continue
        for segment in SEGMENT_SPLIT_RE.split(text):
            # each label owns the text up to the next one: "Updated 4 Jun 2020, originally published 17 Jun"
            labels = sorted(
                [(m.start(), m.end(), True) for m in _UPDATE_LABEL_RE.finditer(segment)]
                + [(m.start(), m.end(), False) for m in _PUBLISHED_LABEL_RE.finditer(segment)]
            )
            if not labels:
                if _FIELD_LABEL_RE.match(segment):
                    continue  # "Termin: 21.02.2020", "Deadline: ...": another field's date
                if len(segment) <= _UNLABELLED_MAX and line.distance >= -_UNLABELLED_BEFORE and line.distance:
                    unlabelled.append(
                        _DateSource(
                            _UNLABELLED_LABEL, segment[: _UNLABELLED_START + 40], printed=True, opens=True
                        )
                    )
                continue
            lead = segment[: labels[0][0]]
            if (
                _ANY_DIGIT_RE.search(lead)
                and len(lead) <= _UNLABELLED_MAX
                and line.distance >= -_UNLABELLED_BEFORE
            ):
                # "Tuesday, January 8, 2008 - Updated 7d 0h ago": the date before the first label is the
                # line's own, unlabelled, and the label owns only what follows it
                unlabelled.append(_DateSource(_UNLABELLED_LABEL, lead, printed=True, opens=True))
            for index, (_start, end, is_update) in enumerate(labels):
                stop = labels[index + 1][0] if index + 1 < len(labels) else len(segment)
                owned = segment[end:stop][:80]
                if not (_ANY_DIGIT_RE.search(owned[:40]) or _RELATIVE_HINT_RE.search(owned)):
                    continue
                if is_update:
                    updates.append(_DateSource("updated line", owned, printed=True))
                else:
                    labelled.append(_DateSource("labelled line", owned, printed=True, publication=True))
    return labelled, unlabelled, updates


# A first paragraph opening with its dateline: a place and/or date, then a dash, then the story.
_DATELINE_RE = re.compile(
    r"^((?:[^\W\d_][\w.' -]{0,30},\s*)?\d[\d./ ]{4,12}\d|[^\W\d_]{3,20}\.? \d{1,2},? \d{4})\s*[-–—]\s"
)
_DATELINE_AFTER = 3  # lines below the heading: standfirst, byline, then the first paragraph


# A line naming its own field before the date ("Termin: 21.02.2020, 19 Uhr", "Event date: May 3"): the
# publication labels are read before this is asked, so what is left is an event, a deadline, a birth.
_FIELD_LABEL_RE = re.compile(r"^[^\W\d_]+(?:\s[^\W\d_]+)?\s*:\s*\d")
_RELATIVE_HINT_RE = re.compile(r"\b(?:ago|vor|il\s+y\s+a|hace|yesterday|gestern|ayer)\b", re.IGNORECASE)


def _lead_text(el: lxml.html.HtmlElement) -> str:
    """The words printed just before an element ("Updated: <time>"), from its parent or left sibling."""
    previous = el.getprevious()
    if previous is not None:
        return (previous.tail or "")[-40:]
    parent = el.getparent()
    return (parent.text or "")[-40:] if parent is not None else ""


_UPDATED_WORDS = ("updated", "modified", "aktualisiert", "last-mod", "lastmod", "geaendert", "geändert")
_UPDATE_RE = re.compile(
    r"\b(?:updated|last\s+(?:modified|edited)|aktualisiert|zuletzt\s+(?:geändert|bearbeitet)|mis à jour|"
    r"actualizado|aggiornato|atualizado|bijgewerkt|обновлено)\b",
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


def _htmldate(page: Page, now: datetime) -> ParsedDate | None:
    """htmldate's markup heuristics as the last reader of the page itself, called only when every reader
    here has found nothing (it costs a copy and several tree searches).

    It reads the story's own container first (the ``<article>``/``<main>`` around the heading), then the
    whole body, always with scripts, sidebars, comment threads, footers and teaser links removed: on the
    raw page its fast mode takes a comment's, a teaser's or a script variable's date as readily as the
    story's, but once those are gone a date printed beside a title-only ``<article>`` (or in a layout
    with no such container) is the story's. Without a heading there is no story to anchor to, and no
    answer beats a wrong one. The URL is left to ``_url_date``, which says where its date came from.
    """
    headings = page.h1s()
    if not headings:
        return None
    containers = [
        nearest_ancestor(headings[0], "article"),
        nearest_ancestor(headings[0], "main"),
        page.tree.find("body"),
    ]
    found = None
    tried: list[lxml.html.HtmlElement] = []
    for container in containers:
        if container is None or any(container is t for t in tried):
            continue
        tried.append(container)
        found = _htmldate_in(container, page, now, outer=container.tag == "body")
        if found:
            break
    if not found:
        return None
    try:
        day = datetime.strptime(found, "%Y-%m-%d")
    except ValueError:
        return None
    return ParsedDate(day, has_tz=False, has_time=False)


def _htmldate_in(container: lxml.html.HtmlElement, page: Page, now: datetime, outer: bool) -> str | None:
    """htmldate on a cleaned copy of ``container``, so the page itself is never altered. Reading the
    whole body (``outer``), the site's footer blocks and copyright lines go too ("© 2023 The Courier.
    Posted 01/02/2023"); a story's own footer, inside its article, is where blogs print the date."""
    story = copy.deepcopy(container)
    story.tail = None
    text = story.text_content().lower()
    # Most elements carry no class or id and no droppable tag: only words printed in them or just before
    # them could make them droppable, and on most stories no such words appear at all.
    worded = any(w in text for w in _UPDATE_WORDS) or (outer and any(w in text for w in _EXCLUDED_WORDS))
    # Without such words only droppable tags and labelled elements can go: libxml2 selects those, so the
    # many bare <p>/<span>/<div> of a long story never become Python objects.
    candidates = list(story.iter(lxml.etree.Element)) if worded else _DROP_CANDIDATES_XPATH(story)
    inside = _ALL_INSIDE_XPATH if worded else _CANDIDATES_INSIDE_XPATH
    index = 0
    while index < len(candidates):
        el = candidates[index]
        index += 1
        if el.getparent() is None:
            continue
        if _droppable(el, page, outer, worded):
            # the candidates inside it follow it in document order: gone with it, never asked about
            index += int(inside(el))
            el.drop_tree()
    shell = lxml.html.document_fromstring("<html><body></body></html>")
    shell.find("body").append(story)
    try:
        from htmldate import find_date

        return find_date(
            shell, extensive_search=False, original_date=True, url=_NO_URL, max_date=now.date().isoformat()
        )
    except Exception:  # a fallback's failure is no date, never a lost page
        return None


def _droppable(el: lxml.html.HtmlElement, page: Page, outer: bool, worded: bool) -> bool:
    """What htmldate must not see: scripts, other blocks, teaser links, the site's footer (reading the
    whole body) and update stamps, which it would read as readily as the publication."""
    tag = el.tag
    if tag in _HTMLDATE_DROP or is_other_block(el) or (tag == "a" and _dated_link(el, page)):
        return True
    class_attr, id_attr = el.get("class"), el.get("id")
    # (most elements are unnamed: no label to build and look up, only their words to read)
    label = f"{class_attr or ''} {id_attr or ''}".lower() if class_attr or id_attr else ""
    return (
        (outer and _site_footer(el, label, worded))
        or (bool(label) and _update_label(label))
        or (worded and _update_words(el))
    )


# every word ``_UPDATE_RE`` needs, on its own; and ``_LINE_EXCLUDED_RE``'s
_UPDATE_WORDS = (
    "updated",
    "modified",
    "aktualisiert",
    "geändert",
    "bearbeitet",
    "edited",
    "à jour",
    "actualizado",
    "aggiornato",
    "atualizado",
    "bijgewerkt",
    "обновлено",
)
_EXCLUDED_WORDS = ("©", "(c", "copyright", "rights", "rechte", "droits", "derechos", "zeit", "current")
# droppable whatever their class: scripts and frames, asides, navigation, footers, links to dated pages
_LABEL_FREE_DROPS = frozenset(
    ("script", "style", "noscript", "template", "iframe", "aside", "nav", "footer", "a")
)


_STORY_FOOTER_RE = re.compile(r"(?:article|entry|post)[-_]footer")  # the story's own: its date, tags


def _site_footer(el: lxml.html.HtmlElement, label: str, worded: bool) -> bool:
    if "footer" in label and not _STORY_FOOTER_RE.search(label) and el.find(".//h1") is None:
        return True
    return worded and bool(el.text and _LINE_EXCLUDED_RE.search(el.text))


_DROP_CANDIDATES_XPATH = lxml.etree.XPath(
    "descendant::*[@class or @id or " + " or ".join(f"self::{tag}" for tag in sorted(_LABEL_FREE_DROPS)) + "]"
)
_CANDIDATES_INSIDE_XPATH = lxml.etree.XPath(
    "count(descendant::*[@class or @id or "
    + " or ".join(f"self::{tag}" for tag in sorted(_LABEL_FREE_DROPS))
    + "])"
)
_ALL_INSIDE_XPATH = lxml.etree.XPath("count(descendant::*)")
_HTMLDATE_DROP = frozenset(("script", "style", "noscript", "template", "iframe"))


@lru_cache(maxsize=16384)
def _update_label(label: str) -> bool:
    """A class/id that names an update stamp (and not the publication: "published updated")."""
    return any(w in label for w in _UPDATED_WORDS) and not any(w in label for w in _PUBLISHED_WORDS)


def _update_words(el: lxml.html.HtmlElement) -> bool:
    """ "Updated: <time>": the words printed just before the element, or opening its own text."""
    return bool(_UPDATE_RE.search(_lead_text(el)) or _UPDATE_RE.match(el.text or ""))


def _dated_link(a: lxml.html.HtmlElement, page: Page) -> bool:
    # The digit test first: it is a string scan, while ``date_elsewhere`` resolves the link's target, and
    # most links of a page print no number at all.
    return any(map(str.isdigit, a.text_content()[:300])) and date_elsewhere(a, page)


_NO_URL = "about:blank"  # htmldate would otherwise read the canonical link's path for a date


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
