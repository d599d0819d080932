"""The story's authors: people from structured data, meta tags, then the visible byline.

Bylines mix people with agencies, the outlet's own name, roles, datelines and navigation links; most
of this module is the vocabulary that tells a person's name from everything printed beside it.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import chain, islice
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from scrapers.dates import parse_date
from scrapers.metadata.blocks import in_foreign_scope, in_other_block, is_other_block, nearest_ancestor
from scrapers.metadata.jsonld import ORG_TYPES, ld_text, ld_types
from scrapers.metadata.lines import header_lines
from scrapers.metadata.region import BYLINE_LEAD_RE, SEGMENT_SPLIT_RE, author_href
from scrapers.metadata.site import site_spellings
from scrapers.metadata.text import clean_text, compact_text, element_text, norm_text, text_pieces

if TYPE_CHECKING:
    from scrapers.metadata.page import Page
    from scrapers.metadata.region import Region


_AUTHOR_META = (
    "article:author",
    "og:article:author",
    "author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "citation_author",
    "byl",
    "byline",
    "cxenseparse:author",
    "article.author",
    "twitter:creator:name",
)

_NOT_TEXT_TAGS = frozenset(("meta", "link", "script", "style", "img", "body", "html"))

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
_GLUED_PREFIX_RE = re.compile(
    r"^\s*(?:By|BY|Von|VON|Par|PAR|Por|POR|Author|AUTHOR|Autor|AUTOR|Auteur)(?=[A-ZÀ-ÞА-Я][a-zà-ÿа-я])"
)
_BYLINE_WORD_RE = re.compile(
    r"^(?:by|von|par|por|di|door|av|af|od|от|autor(?:in)?|author|auteur|text|texto|escribe|escriben|"
    r"eingestellt von|gepostet von|posted by|publicado por|publié par)\s*:?$",
    re.IGNORECASE,
)
_NAME_SPLIT_RE = re.compile(
    r"\s*(?:,|;|&|\s[-–—]\s|\+|\||/|·|•|\b(?i:and|und)\b|\bet\b|\by\b|\be\b|\bi\b|\bи\b|"
    r"\ben\b|\bog\b|\boch\b|\bsowie\b|\bwith\b|\bmit\b|、|،|و(?=\s))\s*"
)
_AGENCIES = frozenset(
    a.lower()
    for a in (
        "Reuters",
        "Thomson Reuters",
        "AP",
        "Associated Press",
        "The Associated Press",
        "AFP",
        "Agence France-Presse",
        "Agence France Presse",
        "dpa",
        "Deutsche Presse-Agentur",
        "Bloomberg",
        "EFE",
        "Agencia EFE",
        "ANSA",
        "TASS",
        "ITAR-TASS",
        "Xinhua",
        "Kyodo",
        "Kyodo News",
        "PA",
        "PA Media",
        "Press Association",
        "UPI",
        "KNA",
        "epd",
        "APA",
        "SDA",
        "Keystone-SDA",
        "Belga",
        "ANP",
        "NTB",
        "TT",
        "Interfax",
        "RIA Novosti",
        "Yonhap",
        "Anadolu",
        "Anadolu Agency",
        "AAP",
        "CP",
        "The Canadian Press",
        "Canadian Press",
        "PTI",
        "IANS",
        "ANI",
        "Europa Press",
        "Lusa",
        "CTK",
        "PAP",
        "MTI",
        "AA",
        "WAFA",
        "SANA",
        "IRNA",
        "dpa-AFX",
        "Reuters Staff",
        "AP Staff",
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
    r"magazin|magazine|redaktion|redacción|rédaction|newsroom|online|tv|radio|program|programme|programm|"
    r"university|universität|universidad|université|institute|institut|instituto|foundation|stiftung|"
    r"fundación|association|verband|department|ministry|ministerium|ministerio)\b\.?|\w\.(?:de|com|org|net|"
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
    r"aktualisierung|actualización|min read|minutes?|read|follow|twitter|email|e-mail|more from|view all|"
    r"posts by|articles)\b",
    re.IGNORECASE,
)
_NAME_PARTICLES = frozenset(
    (
        "van",
        "von",
        "de",
        "da",
        "der",
        "den",
        "del",
        "della",
        "di",
        "du",
        "la",
        "le",
        "zu",
        "bin",
        "al",
        "el",
        "ibn",
        "y",
        "e",
        "dos",
        "das",
        "do",
        "ter",
        "ten",
        "af",
        "st.",
        "mc",
        "ben",
        "abu",
        "op",
    )
)
_HAS_LETTER_RE = re.compile(r"[^\W\d_]")
_NOT_IN_NAMES = frozenset('@_"“”„«»:;!?()[]{}|<>=#*+%$€/\\')
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Link texts of author pages that are not names ("More posts", "Archives", "Zur Artikelübersicht").
_NAVIGATION_RE = re.compile(
    r"\b(?:posts?|archives?|articles?|beiträge|artikel\w*|übersicht|more|mehr|alles?|all|view|profile?|tous|todos|"
    r"homepage|website|kontakt|contact|folgen|abonnieren|subscribe|newsletter|login|anmelden|seguir|suivre|"
    r"sign\s+(?:in|out|up)|log\s+(?:in|out)|"
    r"social|links|navigation|bio|biogra(?:phy|fie|phie|fía))\b",
    re.IGNORECASE,
)
_PARAGRAPH_BREAK_RE = re.compile(r"\n\s*\n")
_CREDIT_TAIL_RE = re.compile(
    r"\s(?:Fotos?|Photos?|Bilder?|Illustrations?|Grafik|Video|Kamera|Camera)\s*:", re.IGNORECASE
)


def find_authors(page: Page, article: dict[str, Any] | None) -> list[str]:
    """People first from each source in turn; an organisation only when no source names a person.

    A "person" whose name is the site's own name ("CNN" next to a reporter) is the publisher's credit.
    Structured names are checked against the visible byline: see ``_checked_against_page``.
    """
    names, structured = _ordered_authors(page, article)
    if structured:
        return _checked_against_page(page, names)
    return names


def _checked_against_page(page: Page, structured: list[str]) -> list[str]:
    """Structured authors, unless the page's own byline names other people.

    JSON-LD copied from another story, or a CMS default ("admin", the site's founder), names someone the
    page does not show. The visible byline wins only when it names people, none of whom shares a name
    with the structured ones, and no structured name is printed in the header at all; and the visible
    names must look like full names, because the byline readers are noisier than the publisher's tags.
    """
    # a structured name printed in the header agrees with the page: asked first, as it is the common
    # case and costs a string search where the byline readers cost a walk of the header region
    header = " ".join(line.text for line in header_lines(page)).casefold()
    if any(name.casefold() in header for name in structured):
        return structured
    visible = _visible_authors(page, [])
    if not visible or not all(2 <= len(name.split()) <= 4 for name in visible):
        return structured  # a lone word ("Bosch", "Basel") is as likely a stray label as a byline
    visible_words = {w for name in visible for w in _name_words(name)}
    if any(_name_words(name) & visible_words for name in structured):
        return structured
    page.warnings.append(
        f"authors: structured {structured[:3]!r} contradict the byline {visible[:3]!r}; "
        "the page's own is used"
    )
    return visible


def _name_words(name: str) -> set[str]:
    return {w for w in re.findall(r"\w{3,}", name.casefold())}


def _ordered_authors(page: Page, article: dict[str, Any] | None) -> tuple[list[str], bool]:
    """The first source's people, and whether that source is structured data."""
    site_names = {compact_text(n) for n in site_spellings(page, page.meta_value("og:site_name"))}
    organisations: list[str] = []

    def people_only(names: list[str]) -> list[str]:
        people = []
        for name in names:
            if compact_text(name) in site_names:
                organisations.append(name)
            else:
                people.append(_without_site_tail(name, site_names))
        return _dedupe(people)

    if article is not None:
        for key in ("author", "creator"):
            found, orgs = _ld_people(page, article.get(key))
            organisations.extend(orgs)
            people = people_only(found)
            if people:
                return people, True
    publisher_credits = {
        norm_text(v) for k in ("copyright", "publisher", "dc.publisher") for v in page.meta_values(k)
    }
    for key in _AUTHOR_META:
        names: list[str] = []
        for value in page.meta_values(key):
            if _is_url(value):
                continue
            parts = [p for p in _NAME_SPLIT_RE.split(_BYLINE_PREFIX_RE.sub("", value)) if p.strip()]
            if not parts:
                continue
            if norm_text(value) in publisher_credits or _ORGANISATION_RE.search(parts[0]):
                organisations.append(parts[0])  # "Verlag GmbH, Nürnberg, Germany": a company and its town
                continue
            if key in _BIBLIOGRAPHIC_AUTHOR_META and _LAST_FIRST_RE.match(value):
                # one author per tag, written "Last, First" (Highwire/Google Scholar convention)
                last, first = (p.strip() for p in value.split(",", 1))
                names.extend(_split_names(f"{first} {last}", organisations))
                continue
            own = [p for p in parts if compact_text(p) in site_names]
            if own:  # "unocero - Alberto Ávila": the site's credit beside a person
                organisations.extend(own)
                value = ", ".join(p for p in parts if p not in own)
            names.extend(_split_names(value, organisations))
        people = people_only(names)
        if people:
            return people, True
    # Yoast/Slack unfurl tags: twitter:label1 "Written by" + twitter:data1 "Jane Doe"
    for index in ("1", "2"):
        label = (page.meta_value(f"twitter:label{index}") or "").lower()
        if label in _WRITTEN_BY_LABELS:
            people = people_only(_split_names(page.meta_value(f"twitter:data{index}") or "", organisations))
            if people:
                return people, True
    people = people_only(_visible_authors(page, organisations))
    if people:
        return people, False
    # Organisations as the last resort: short names only (a credit line, not a sentence).
    credits = [clean_text(re.sub(r"\([^)]*\)", " ", o)) for o in organisations]
    return _dedupe([c for c in credits if c and len(c) <= 60 and len(c.split()) <= 6])[:3], False


def _without_site_tail(name: str, site_names: set[str]) -> str:
    """A full name with the site's name glued after it ("Sarah Schnieder Reiterrevue International",
    "Jane Doe CNN"): the publisher's credit printed on the byline's line, cut off."""
    words = name.split()
    for index in range(2, len(words)):
        if compact_text(words[index]) in site_names or compact_text(" ".join(words[index:])) in site_names:
            # "Bund der Energieverbraucher" on energieverbraucher.de is the site's own name, not a person's
            # with the site after it: what stays must read as a name, every word capitalised
            head = words[:index]
            return " ".join(head) if all(word[:1].isupper() for word in head) else name
    return name


_BIBLIOGRAPHIC_AUTHOR_META = frozenset(("citation_author", "dc.creator", "dcterms.creator"))
_LAST_FIRST_RE = re.compile(r"^[^\W\d_][\w'’. -]*,\s*[^\W\d_][\w'’. -]*$")
_WRITTEN_BY_LABELS = frozenset(
    (
        "written by",
        "verfasst von",
        "geschrieben von",
        "escrito por",
        "écrit par",
        "scritto da",
        "autor",
        "author",
        "auteur",
        "von",
    )
)


def _ld_people(page: Page, value: Any) -> tuple[list[str], list[str]]:
    people: list[str] = []
    orgs: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items[:20]:
        item = page.resolve(item)
        if isinstance(item, str):
            if not _is_url(item):
                people.extend(_split_names(item, orgs))
        elif isinstance(item, dict):
            types = ld_types(item)
            name = ld_text(item.get("name"))
            if not name and (item.get("givenName") or item.get("familyName")):
                parts = (ld_text(item.get("givenName")), ld_text(item.get("familyName")))
                name = " ".join(p for p in parts if p)
            if not name or _is_url(name):
                continue
            if types & ORG_TYPES:
                orgs.append(clean_text(name))
            else:
                people.extend(_split_names(name, orgs))
    return people, orgs


def _visible_authors(page: Page, organisations: list[str]) -> list[str]:
    """Names from byline elements near the heading, in page order, never from author bio boxes.

    Full names beat lone words: a byline class also marks category lines ("Wein & Geschmack") and a
    kicker ("Disko"), so a reading that names only single words is kept as the last resort while a
    later reader may still find a full name.
    """
    region = page.region()
    listed = _listed_classes(region.authors)
    lone: list[str] = []
    candidates = region.authors + region.prefixed
    for index, el in enumerate(candidates):
        if (el.tag in _NOT_TEXT_TAGS and el.tag != "meta") or el.get("class") in listed:
            continue
        in_article = region.h1_article is not None and nearest_ancestor(el, "article") is region.h1_article
        if in_foreign_scope(el) or in_other_block(
            el, region.boundary, side_column=in_article, share_bar=True
        ):
            continue
        if (not len(el) and _PHOTO_CREDIT_RE.match(el.text or "")) or _other_role_box(el):
            continue  # "Foto: Ingo Schneider" in a caption's credit class names the photographer
        names = _without_lone_words(_element_byline(el, region, organisations))
        if names and not _full_names(names):
            lone = lone or names
        elif names:
            return _fuller_inside(el, names, candidates[index + 1 :], region, organisations)
    readers = (
        _near_byline,
        _line_authors,
        _linked_authors,
        _mailto_authors,
        _closing_credit,
        _name_by_date_line,
    )
    for reader in readers:
        names = _without_lone_words(reader(page, organisations))
        if names and (_full_names(names) or not lone):
            return names
    return (
        lone
        or _copyright_person(page, organisations, _footer_tags(page))
        or _dated_credit_person(page)
        or _contact_linked_holder(page)
    )


# A caption's credit opens with its label: "Foto: Ingo Schneider", "Photo : AFP", "Bild: dpa"
_PHOTO_CREDIT_RE = re.compile(
    r"^\s*(?:fotos?|photos?|bild(?:er)?|crédits?(?:\s+photos?)?|credits?|foto\s+de|photo\s+by|foto\s+von)"
    r"\s*[:：]",
    re.IGNORECASE,
)
_NESTED_MAX = 12
# A credit box named for another role than writing: the reviewer's, fact-checker's or translator's
_OTHER_ROLE_CLASS_RE = re.compile(r"reviewer|fact-?check|verifi|translat|übersetz", re.IGNORECASE)
_ROLE_LEVELS = 8


def _other_role_box(el: lxml.html.HtmlElement) -> bool:
    """``el`` sits in a box named for reviewing, fact-checking or translating ("bylines__group--
    compliance_reviewer"): the people credited there checked the story, they did not write it."""
    node: lxml.html.HtmlElement | None = el
    for _ in range(_ROLE_LEVELS):
        if node is None:
            return False
        label = f"{node.get('class') or ''} {node.get('id') or ''}"
        if label.strip() and _OTHER_ROLE_CLASS_RE.search(label):
            return True
        node = node.getparent()
    return False


def _fuller_inside(
    el: lxml.html.HtmlElement,
    names: list[str],
    later: list[lxml.html.HtmlElement],
    region: Region,
    organisations: list[str],
) -> list[str]:
    """The names of a byline element nested in ``el`` when they add to ``el``'s own: an outer box read
    as one glued text ("By David Brand and Ramsey KhalifehPublished Nov 8") can lose a co-author that
    its inner byline line ("By <a>David Brand</a> and <a>Ramsey Khalifeh</a>") names."""
    best = set(names)
    for other in later[:_NESTED_MAX]:
        if not any(ancestor is el for ancestor in other.iterancestors()):
            continue
        found = _without_lone_words(_element_byline(other, region, organisations))
        if best < set(found) and _full_names(found):
            names, best = found, set(found)
    return names


# the copyright line's words around its holder: the sign, years, "All rights reserved"
_COPYRIGHT_NOISE_RE = re.compile(
    r"©|\(c\)|copyrights?|(?<!\d)(?:19|20)\d{2}(?!\d)|all rights reserved|alle rechte vorbehalten|"
    r"tous droits réservés|todos los derechos reservados",
    re.IGNORECASE,
)
# "© 2019 nh24 by Alexander Wittke": the site's name, then its holder after "by"/"von"
_COPYRIGHT_PART_RE = re.compile(r"\s[-–|·•]\s|[|·•,]|\s[-–]|[-–]\s|\.\s|(?:^|\s)(?i:by|von|par|por)\s")
# read inside the page's <footer> elements only: a text search over the whole page costs milliseconds
_COPYRIGHT_XPATH = lxml.etree.XPath(
    "descendant::text()[contains(., '©') or contains(., 'opyright')][position() <= 6]"  # as _MAILTO_XPATH
)
_FOOTERS_READ = 3
# a company or a title: "John Smith Photography", "The Courier", "Die Tagespost"
_NOT_A_HOLDER_RE = re.compile(
    r"\b(?:photography|fotografie|design|studio|consulting|solutions|shop|foundation|stiftung|privacy|policy|"
    r"datenschutz|impressum|imprint)\b|^(?:the|die|der|das|le|la|les|el|los|las)\s",
    re.IGNORECASE,
)


_FOOTER_LABEL_RE = re.compile(r"footer|copyright|colophon", re.IGNORECASE)


def _in_site_footer(el: lxml.html.HtmlElement) -> bool:
    node: lxml.html.HtmlElement | None = el
    for _ in range(10):
        if node is None or node.tag in ("body", "html"):
            return False
        if node.tag == "footer" or _FOOTER_LABEL_RE.search(f"{node.get('class', '')} {node.get('id', '')}"):
            return True
        node = node.getparent()
    return False


def _footer_tags(page: Page) -> list[lxml.html.HtmlElement]:
    return list(page.tree.iter("footer"))[-_FOOTERS_READ:]


def _copyright_person(
    page: Page, organisations: list[str], footers: list[lxml.html.HtmlElement]
) -> list[str]:
    """The person a personal site's copyright line names ("© 2009-2012 Jonathan Krase", "Copyright ©
    2020 by Paul Sippel - Alle Rechte vorbehalten"), the last resort when the page prints no byline at
    all: on a one-person site the holder is its author, while a publication's line names a company,
    which is not a person's name. Read from the page's last such line (the site footer) backwards."""
    site, host = _site_names(page)
    for node in reversed([n for footer in footers for n in _COPYRIGHT_XPATH(footer)]):
        owner = _footer_line_owner(node)
        if owner is None:
            continue  # "© Lisa Niekel" under a photo is its credit; the site's line sits in its footer
        text = clean_text(element_text(owner, 200))
        text = _COPYRIGHT_NOISE_RE.sub(" ", text.rsplit("©", 1)[-1])  # the holder follows the sign
        for part in _COPYRIGHT_PART_RE.split(text):
            names = _one_holder(part, site, host)
            if names:
                page.warnings.append(f"authors: no byline; the site's copyright holder {names[0]!r} is named")
                return names
    return []


def _footer_line_owner(node: Any) -> lxml.html.HtmlElement | None:
    """The element printing a footer credit's text node, or None when it is not the site footer's own line
    (a script's text, a credit under a photo)."""
    owner = node.getparent()
    if owner is not None and getattr(node, "is_tail", False):
        owner = owner.getparent()
    if owner is None or owner.tag in ("script", "style", "noscript", "title") or not _in_site_footer(owner):
        return None
    return owner


def _one_holder(part: str, site: set[str], host: str) -> list[str]:
    """The one full name a credit names, unless it is the site's own or a company's: on a one-person site
    that name is the author; two names, or none, leave the credit unread."""
    names = [n for n in _split_names(part, [], visible=True) if " " in n]
    holder = compact_text(names[0]) if len(names) == 1 else ""
    if holder and holder not in site and host not in holder and not _NOT_A_HOLDER_RE.search(names[0]):
        return names
    return []


def _site_names(page: Page) -> tuple[set[str], str]:
    """The site's own names and its host's first label, compacted: a footer credit naming either is the
    publisher's ("Internetchemie ChemLin" on internetchemie.info), never an author."""
    site = {compact_text(n) for n in site_spellings(page, page.meta_value("og:site_name"))}
    host = compact_text((urlsplit(page.url or "").hostname or "").removeprefix("www.").split(".")[0]) or "\0"
    return site, host


# "– 2009-2020 by Florian Posdziech –": a year (or span) then "by"/"von" and the holder, with no sign
# (the years open the credit: "founded in 2014 by X" is a sentence about the site, not a credit line)
_YEAR_BY_RE = re.compile(r"(?:^|[-–—|·•]\s*)(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)\d{2})?\s+(?i:by|von)\s+")
_YEAR_BY_XPATH = lxml.etree.XPath(
    "descendant::text()[contains(., ' by') or contains(., ' von')][position() <= 12]"
)


def _dated_credit_person(page: Page) -> list[str]:
    """The person a personal site's footer credits with its years but no copyright sign ("2009-2020 by
    Florian Posdziech"), after ``_copyright_person`` found no signed line: the same last resort, read the
    same way (one full name, not the site's, not a company). "Theme by X", "Powered by X" name no year
    before "by" and are never read."""
    site, host = _site_names(page)
    footers = list(page.tree.iter("footer"))[-_FOOTERS_READ:]
    for node in reversed([n for footer in footers for n in _YEAR_BY_XPATH(footer)]):
        if not _YEAR_BY_RE.search(str(node)):
            continue
        owner = _footer_line_owner(node)
        if owner is None:
            continue
        text = clean_text(element_text(owner, 400))
        credits = list(_YEAR_BY_RE.finditer(text))
        if not credits:
            continue
        part = _COPYRIGHT_PART_RE.split(text[credits[-1].end() :], maxsplit=1)[0]
        names = _one_holder(part, site, host)
        if names:
            page.warnings.append(f"authors: no byline; the site's footer credits {names[0]!r}")
            return names
    return []


# the holder's link goes to the site's own page about its person: contact, about, imprint, profile
_CONTACT_PATH_RE = re.compile(
    r"kontakt|contact|about|[uü]ber-?(?:mich|uns)|impressum|imprint|mentions-legales|aviso-legal|"
    r"qui-suis-je|sobre-mi|autor|author|profil",
    re.IGNORECASE,
)


def _contact_linked_holder(page: Page) -> list[str]:
    """The person a site footer's copyright line names through a link to the site's own contact or
    about page ("© 2004 - 2020 <a href="/kontakt/">Nala Löwenkönigin</a>"), when the page prints no byline
    and no ``<footer>`` element: a footer built of ``<div>``s is read only through such a link, since the
    plain text of those footers names publishers and sister titles as often as people. The link says the
    name is the site's person to write to; the usual holder tests (one full name, not the site's own, not
    a company) still apply."""
    # a walk over the links, not an XPath text search: the whole page's text costs milliseconds
    for a in page.tree.iter("a"):
        if not _signed_just_before(a):
            continue
        path = urlsplit(urljoin(page.url or "", a.get("href") or "")).path
        if not _CONTACT_PATH_RE.search(path) or not _in_site_footer(a):
            continue
        names = _one_holder(clean_text(a.text_content()), *_site_names(page))
        if names:
            page.warnings.append(f"authors: no byline; the site's copyright holder {names[0]!r} is named")
            return names
    return []


_SIGN_RE = re.compile(r"©|\(c\)|copyright", re.IGNORECASE)


def _signed_just_before(a: lxml.html.HtmlElement) -> bool:
    """The text right before the link is the sign and its years alone ("© 2004 - 2020 "): the link is
    the line's holder, not one of the footer's other links ("Copyright | About Us | Permission Rules")."""
    previous = a.getprevious()
    parent = a.getparent()
    before = previous.tail if previous is not None else parent.text if parent is not None else None
    if not before or not _SIGN_RE.search(before):
        return False
    return not re.sub(r"[\W\d_]|\b(?i:by|von|par|por)\b", "", _COPYRIGHT_NOISE_RE.sub("", before))


def _name_by_date_line(page: Page, organisations: list[str]) -> list[str]:
    """A line holding only a full name beside a line holding only a date, next to the heading ("Bianca
    Praetorius" over "2. Okt. 2022" above a blog post's title): a byline and its date set as two blocks,
    with no byline word. Read as one line, "Name | date", so the name passes the same test as a name printed
    beside its date on one line (``_name_beside_date``)."""
    lines = {line.distance: line.text for line in header_lines(page) if 0 < abs(line.distance) <= _PAIR_REACH}
    for distance in sorted(lines, key=lambda d: (d < 0, abs(d))):
        following = lines.get(distance + 1)
        if following is None or distance + 1 == 0 or len(lines[distance]) > 60 or len(following) > 60:
            continue
        for name, date in ((lines[distance], following), (following, lines[distance])):
            if _DATE_ONLY_RE.match(date) and parse_date(date, epoch=False) is not None:
                names = _name_beside_date(f"{name} | {date}", organisations)
                if names and not _printed_as_label(page, name):
                    return names
    return []


def _printed_as_label(page: Page, text: str) -> bool:
    """The line is printed by a link to another kind of page or by a tag/section element: "Digital Life"
    linking to ``/digital-life``, "Olympische Winterspiele" in a "StoryTags" box are the story's section,
    which reads like a name. A name is plain text, or links to its author page."""
    for el in _EXACT_TEXT_XPATH(page.tree, text=text)[:5]:
        node = el
        for _ in range(3):
            if node is None:
                break
            href = node.get("href")
            if node.tag == "a" and href and not author_href(href):
                return True
            if _SECTION_LABEL_RE.search(f"{node.get('class', '')} {node.get('id', '')}"):
                return True
            node = node.getparent()
    return False


_EXACT_TEXT_XPATH = lxml.etree.XPath("//body//*[normalize-space(text()) = $text]")
_SECTION_LABEL_RE = re.compile(r"tag|categor|kicker|rubri|section|topic|ressort|breadcrumb", re.IGNORECASE)


_PAIR_REACH = 3  # lines from the heading: the byline block, not the story's prose or the masthead
# "2. Okt. 2022", "06.11.2023", "May 12, 2024", "12 mai 2024": a date and nothing else on its line
_DATE_ONLY_RE = re.compile(
    r"^\W*(?:\d{1,4}[.\s/-]*(?:de\s+)?[^\W\d_]{0,12}\.?[\s/.-]*(?:de\s+)?\d{1,4}(?:[.\s/-]+\d{2,4})?|"
    r"[^\W\d_]{3,12}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})\W*$"
)


def _full_names(names: list[str]) -> bool:
    return any(len(name.split()) >= 2 for name in names)


def _without_lone_words(names: list[str]) -> list[str]:
    """Full names only, when a byline gives both: the lone word beside them ("Umwelt", "Ingo Arzt") is
    the section or kicker printed in the same line, or a first-name handle among people's names."""
    if _full_names(names):
        return [name for name in names if len(name.split()) >= 2]
    return names


def _element_byline(el: lxml.html.HtmlElement, region: Region, organisations: list[str]) -> list[str]:
    """The names one byline element states: its whole text, the name after a kicker's byline word,
    the name after a label printed alone, or (failing those) its separate text pieces."""
    if el.tag == "meta":
        text = el.get("content") or ""
    elif el.tag == "a" or el.get("rel") == "author":
        text = element_text(el)
    else:
        text = el.get("content") or element_text(el)
    cleaned = clean_text(text)
    if not cleaned:
        return []
    if len(cleaned) > 200:
        # a container (byline block with bio, date, share buttons): its author links are the names
        anchors = el.xpath(".//a[@rel='author' or contains(@href,'author') or contains(@href,'autor')]")
        links = [clean_text(element_text(a)) for a in anchors[:6]]
        return [n for t in links if t for n in _split_names(t, organisations, visible=True)]
    names = _split_names(text, organisations, visible=True)
    if not _full_names(names) and len(cleaned) <= _LINE_BYLINE_MAX:
        # a kicker before the byline word ("Disko Von Ernst Lohoff"); a byline opening the element is
        # read line by line elsewhere, since its element text glues the name to the next line
        names = _byline_in_line(cleaned, organisations, after_lead=True) or names
    if not names and el in region.prefixed and _BYLINE_WORD_RE.match(cleaned):
        # "<h5>Autor:</h5> Peter Maahn": the label alone, the name right after it
        following = el.tail or ""
        sibling = el.getnext()
        if not following.strip() and sibling is not None:
            following = element_text(sibling, 120)
        names = _split_names(following, organisations, visible=True)
    if el.tag != "meta" and (not names or (len(cleaned) <= _BOX_MAX and _PARAGRAPH_BREAK_RE.search(text))):
        # a short box of several lines: the names its pieces give, when they add to the first line's
        pieces = _names_by_piece(el, organisations)
        if set(names) < set(pieces) or not names:
            names = pieces
    if names and el.tag == "a":
        # co-authors printed as sibling links: "<a>Jane Doe</a>, <a>John Roe</a>"
        parent = el.getparent()
        for other in region.authors:
            if other is not el and other.tag == "a" and other.getparent() is parent:
                names.extend(_split_names(element_text(other), organisations, visible=True))
    return names


_PIECES_MAX = 12
_BOX_MAX = 80  # a byline box of a few names; longer holds a bio, links, a contact form
_CREDIT_LABEL_RE = re.compile(r"(?:fotos?|photos?|bild(?:er)?|credits?)\s*:?$", re.IGNORECASE)


def _names_by_piece(el: lxml.html.HtmlElement, organisations: list[str]) -> list[str]:
    """A byline box whose text glues a name to its role and date ("Jeff Latzke AP Sports Writer
    Dec. 31, 2007", "Michael CockerillJanuary 17, 2008", "LP Luana Patriolino RF Raphael Felice"): each
    text piece read on its own, only full names counted, a photo credit's name left out, nothing read
    after another label ("Search for this author in:")."""
    names: list[str] = []
    after_credit = False
    pieces = (clean_text(raw) for raw in text_pieces(el) if not raw.isspace())
    for piece in islice(pieces, _PIECES_MAX):
        if not piece:
            continue
        if after_credit:  # the photographer named after "Foto:"
            after_credit = False
            continue
        if _CREDIT_LABEL_RE.search(piece):
            after_credit = True
            continue
        if piece.endswith(":") and not _BYLINE_WORD_RE.match(piece):
            break  # "Search for this author in:", "Kontakt:": what follows is not the byline
        if len(piece) <= 60 and 2 <= len(piece.split()) <= 4:
            names.extend(n for n in _split_names(piece, organisations, visible=True) if " " in n)
    return _dedupe(names)


# "Johnny Castro johnnycastro@example.net": a name with its e-mail address is a byline
_NAME_EMAIL_RE = re.compile(
    r"^([^\W\d_][\w'’-]*\.?(?:\s+[^\W\d_][\w'’-]*\.?){1,3})(?:\s*[,:|(<-]\s*|\s+)[\w.+-]+@[\w-]+\.\w"
)


def _near_byline(page: Page, organisations: list[str]) -> list[str]:
    """Short lines right after the heading that open with a byline word or give a name and e-mail."""
    for text in page.region().near:
        for segment in SEGMENT_SPLIT_RE.split(text):
            if BYLINE_LEAD_RE.match(segment):
                # blocks glued into one line: "By / Todd Bates / Date / February 5, 2020"
                byline = _NEAR_BYLINE_END_RE.split(segment, maxsplit=1)[0]
                names = _split_names(byline, organisations, visible=True)
            else:
                match = _NAME_EMAIL_RE.match(segment)
                names = _split_names(match[1], organisations, visible=True) if match else []
            if names:
                return names
        names = _name_beside_date(text, organisations)
        if names:
            return names
    return []


# where a byline glued to the next field's label ends: "By Todd Bates Date February 5, 2020"
_NEAR_BYLINE_END_RE = re.compile(
    r"\s(?:Date|Datum|Fecha|Published|Posted|Updated|Veröffentlicht|Aktualisiert|Publié|Publicado|"
    r"Actualizado)\b"
)


# "Swantje Schemmerling | 06.11.23", "1. Februar 2022 , Daniel Dillenburg": a header line of two parts,
# a date and a full name, is the story's byline without a byline word.
_NAME_DATE_SPLIT_RE = re.compile(r"\s*[·•|,]\s*|\s+[–—-]\s+")
_NAME_THEN_DATE_RE = re.compile(r"^([^\W\d_][^\d]{3,50}?)\s+(\d{1,2}\.?\s*[^\W\d_]*\.?\s*\d{2,4}\b.{0,20})$")
_DATE_PART_RE = re.compile(r"^\W*\d|\d{4}\W*$|\d{1,2}[.:]\d{2}\W*$")
# a date's label between the name and the date: it says what the date is, and is no part of the name
_DATE_LABEL_BEFORE_DATE_RE = re.compile(
    r"\s+(?:(?:zuletzt\s+)?(?:geändert|aktualisiert|veröffentlicht)|(?:last\s+)?updated|published|posted|"
    r"publié|mis\s+à\s+jour|publicado|actualizado)(?:\s+(?:am|on|le|el))?\s*:?\s+(?=\d)",
    re.IGNORECASE,
)


def _name_beside_date(text: str, organisations: list[str]) -> list[str]:
    """The name of a line made of a date and one full name, nothing else ("Name | 06.11.23", "Christoph
    von Ritter 24. April 2020 08:30 Uhr"). Kicker lines ("Politik | 06.11.23") fail the full-name test;
    a sentence has more parts or words."""
    unlabelled = _DATE_LABEL_BEFORE_DATE_RE.sub(" | ", text)  # "Jane Doe Zuletzt geändert am 06.11.2023"
    # ... but "País ERBOL Publicado el ...": a section and an agency's acronym, no person
    if unlabelled != text and any(len(w) >= 3 and w.isupper() for w in unlabelled.split()):
        return []
    text = unlabelled
    parts = [p for p in _NAME_DATE_SPLIT_RE.split(text) if p]
    if len(parts) == 1:
        glued = _NAME_THEN_DATE_RE.match(text)
        parts = [glued[1], glued[2]] if glued else parts
    if not 2 <= len(parts) <= 3 or len(text) > 80:
        return []
    dated = [p for p in parts if _DATE_PART_RE.search(p) and parse_date(p, epoch=False) is not None]
    others = [p for p in parts if p not in dated and not _DATE_PART_RE.search(p)]
    if not dated or len(others) != 1:
        return []
    names = _split_names(others[0], organisations, visible=True)
    if len(names) == 1 and names[0] == others[0].strip() and 2 <= len(names[0].split()) <= 4:
        return names
    return []


_LINKED_MAX = 3  # more distinct names behind author links is a list of other stories' bylines


def _linked_authors(page: Page, organisations: list[str]) -> list[str]:
    """Links to author pages anywhere, and author boxes' name elements in the story's container, outside
    sidebars, comments and the site footer, read when no byline was found near the heading (its region
    can miss a byline printed below the story or in a layout far from the ``<h1>``). A page naming more
    than a few people this way is listing other stories' authors, and says nothing about its own."""
    names: list[str] = []
    links = (a for a in page.tree.iter("a") if a.get("rel") == "author" or author_href(a.get("href") or ""))
    story = _story_container(page)
    found = _AUTHOR_NAME_XPATH(story) if story is not None else []
    boxes = (el for el in found if _AUTHOR_NAME_CLASS_RE.search(el.get("class") or ""))
    for a in chain(links, boxes):
        text = clean_text(element_text(a))
        if not text or len(text) > 60 or in_other_block(a, share_bar=True) or in_foreign_scope(a):
            continue
        names.extend(_split_names(text, organisations, visible=True))
        if len({compact_text(n) for n in names}) > _LINKED_MAX:
            return []
    return _dedupe(names)


# The story's last lines credit its author: "Posted by Alex Durán, AMP Project Marketing, Google",
# "– Nadja Podbregar", "Texte : Jeanne Roe", "Escrito por Ana Ruiz"
_CLOSING_CREDIT_RE = re.compile(
    r"^\s*(?:(?:posted|written|reported|geschrieben|verfasst|publié|écrit|escrito|publicado)\s+(?:by|von|par|por)|"
    r"text|texte|texto|autor(?:in)?|auteur|author)\s*[:：]?\s+(?=[A-ZÀ-Þ])|^\s*[-–—]\s*(?=[A-ZÀ-Þ])",
    re.IGNORECASE,
)
_CLOSING_LINES = 4  # the story's last paragraphs read
_CLOSING_MAX = 90


def _closing_credit(page: Page, organisations: list[str]) -> list[str]:
    """The author credited on one of the story's last lines ("Posted by X, role, company", "– X"): blogs
    and science news print the byline under the text, where the header readers never look. Only the
    name before the first comma counts: what follows is the role and the employer."""
    story = _story_container(page)
    if story is None:
        return []
    paragraphs = [p for p in story.iter("p") if not in_other_block(p)][-_CLOSING_LINES:]
    # (a quotation's attribution, "— Albert Einstein", names who is quoted, not who wrote)
    for paragraph in reversed(paragraphs):
        text = clean_text(element_text(paragraph, _CLOSING_MAX + 1))
        match = _CLOSING_CREDIT_RE.match(text)
        if match is None or len(text) > _CLOSING_MAX or _quoted(paragraph):
            continue
        names = _split_names(text[match.end() :].split(",", 1)[0], organisations, visible=True)
        if names and len(names) <= _LINKED_MAX and all(len(name.split()) >= 2 for name in names):
            return names
    return []


_NOT_CREDIT_TAGS = frozenset(("blockquote", "figure", "q", "cite", "form"))
_FORM_CONTROLS_XPATH = lxml.etree.XPath("boolean(.//select or .//input or .//option or .//button)")


def _quoted(el: lxml.html.HtmlElement) -> bool:
    """A quotation (its attribution names who is quoted) or a form ("- Select Visibility -")."""
    return any(a.tag in _NOT_CREDIT_TAGS for a in el.iterancestors()) or bool(_FORM_CONTROLS_XPATH(el))


# (``descendant::x[...][position() <= n]`` selects what ``(.//x[...])[position() <= n]`` does from one
# context node, without libxml2 gathering and sorting the whole set before the bound: 25-45% less time)
_MAILTO_XPATH = lxml.etree.XPath("descendant::a[starts-with(@href,'mailto:')][position() <= 20]")
_CAPITALISED_RUN_RE = re.compile(r"[A-ZÀ-ÞА-Я][\w'’-]+(?:\s+[A-ZÀ-ÞА-Я][\w'’-]+){1,3}")


def _mailto_authors(page: Page, organisations: list[str]) -> list[str]:
    """A name printed beside a mail link whose address spells it ("Tapio Nurminen" next to
    ``mailto:tapio.nurminen@...``), in the story's container outside sidebars and the site footer: the
    address confirms the printed words are a person's name, whatever the markup calls them."""
    story = _story_container(page)
    if story is None:
        return []
    names: list[str] = []
    for a in _MAILTO_XPATH(story):
        local = (a.get("href") or "")[7:].split("@", 1)[0].split("?", 1)[0]
        spelled = _ascii_key(local)
        parent = a.getparent()
        if len(spelled) < 5 or not re.search(r"[._-]", local) or parent is None or _in_block_below(a, story):
            continue
        runs = (run for piece in islice(parent.itertext(), 20) for run in _CAPITALISED_RUN_RE.findall(piece))
        for run in runs:
            if _ascii_key(run) == spelled:
                names.extend(_split_names(run, organisations, visible=True))
                break
    distinct = _dedupe(names)
    return distinct if len(distinct) <= _LINKED_MAX else []


def _in_block_below(el: lxml.html.HtmlElement, story: lxml.html.HtmlElement) -> bool:
    """A sidebar, teaser list or comment between ``el`` and the story's container; the story's own
    ``<footer>`` (its author and contact line, inside ``<main>``) is not one."""
    for node in el.iterancestors():
        if node is story:
            return False
        if node.tag != "footer" and is_other_block(node):
            return True
    return True


def _ascii_key(text: str) -> str:
    """Letters only, accents and case dropped: "Sylvia Torres-Guillén" and "sylvia.torres-guillen" agree."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c))


# An author box's name element ("elementor-author-box__name", "author-name", "authorName"), which the
# links above miss when the name is not a link; matched in libxml2 inside the story's container only
# (over a whole page the attribute search costs milliseconds), its class checked here.
_AUTHOR_NAME_XPATH = lxml.etree.XPath(
    "descendant::*[contains(@class,'uthor') and contains(@class,'ame')][position() <= 20]"  # as _MAILTO_XPATH
)


def _story_container(page: Page) -> lxml.html.HtmlElement | None:
    """The heading's ``<article>`` or ``<main>``, else the page's first ``<article>``; on a page built
    without either (page builders stack ``<div>``s), its body, when it has a heading to be a story.
    Kept per page: three readers ask, and on a page without ``<article>`` each asking walked the whole tree."""
    if "story_container" in page.cache:
        found: lxml.html.HtmlElement | None = page.cache["story_container"]
        return found
    found = page.cache["story_container"] = _find_story_container(page)
    return found


def _find_story_container(page: Page) -> lxml.html.HtmlElement | None:
    headings = page.h1s()
    for tag in ("article", "main"):
        found = nearest_ancestor(headings[0], tag) if headings else None
        if found is not None:
            return found
    first = next(page.tree.iter("article"), None)
    if first is None and headings and next(page.tree.iter("main"), None) is None:
        return page.tree.find("body")
    return first


_AUTHOR_NAME_CLASS_RE = re.compile(r"author[-_]*(?:box[-_]*)?name|authorname", re.IGNORECASE)


# "By Rob Picheta, CNN", "12/04/2020 by Kay", "Ein Interview von Eugen Zentner": a byline word followed by
# a capitalised word, no further into its line than a date or a short label.
_LINE_BYLINE_RE = re.compile(
    r"(?:^|(?<=\s))(?:by|von|par|por|door|di|written\s+by|escrito\s+por|publié\s+par|text:|autor(?:in)?:|"
    r"author:|auteur\s*:)\s+(?=[A-ZÀ-ÞА-Я])",
    re.IGNORECASE,
)
# where a byline printed on one line with its date ends: "Author: Jane Doe Published: 3 December 2019"
_LINE_BYLINE_END_RE = re.compile(
    r"\d|\b(?:published|posted|updated|veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|"
    r"am|on|le|el)\b",
    re.IGNORECASE,
)
# A participle naming another role just before the byline word: edited, translated, photographed...
_OTHER_ROLE_RE = re.compile(
    r"\b(?:herausgegeben|edited|translated|übersetzt|traduit|traducido|traducida|illustrated|illustriert|"
    r"photographed|fotografiert|produced|produziert|sponsored|gesponsert|presented|präsentiert|powered|"
    r"designed|gestaltet|hosted|reviewed|geprüft|überprüft|verified|vérifié|checked)\s*$",
    re.IGNORECASE,
)
_LINE_BYLINE_MAX = 100  # a byline line; longer is a sentence that merely contains "by"
_BYLINE_LEAD_MAX = 30  # what may precede the byline word on its line (a date, "Ein Interview")
_LINES_AFTER = 10
_LINES_BEFORE = 4


def _line_authors(page: Page, organisations: list[str]) -> list[str]:
    """Bylines printed as plain lines around the heading, as ``lines.header_lines`` rebuilds them: table
    layouts and bare templates mark neither the byline's element nor its class."""
    lines = [
        line
        for line in header_lines(page)
        if -_LINES_BEFORE <= line.distance <= _LINES_AFTER and line.distance != 0
    ]
    lines.sort(key=lambda line: (line.distance < 0, abs(line.distance)))
    by_distance = {line.distance: line.text for line in lines}
    for line in lines:
        if len(line.text) > 2 * _LINE_BYLINE_MAX:
            continue
        if _BYLINE_WORD_RE.match(line.text):
            # "By" set on its own line, the name on the next: read them as one line
            following = by_distance.get(line.distance + 1, "")
            names = _byline_in_line(f"{line.text} {following}", organisations) if following else []
            if names:
                return names
            continue
        for segment in SEGMENT_SPLIT_RE.split(line.text):
            if len(segment) > _LINE_BYLINE_MAX:
                continue
            names = _byline_in_line(segment, organisations)
            if names:
                return names
    return []


def _byline_in_line(segment: str, organisations: list[str], after_lead: bool = False) -> list[str]:
    """ "Features By Tom Francis published 9 August 2012" → ["Tom Francis"]: the byline word after at
    most a kicker or a date (``after_lead``: only there), the name up to the date or the next label."""
    match = _LINE_BYLINE_RE.search(segment)
    if match is None or match.start() > _BYLINE_LEAD_MAX or (after_lead and not match.start()):
        return []
    lead = segment[: match.start()]
    words = lead.split()
    if len(words) > 2 and not any(c.isdigit() for c in lead):
        return []  # "The plan, backed by Mayor ...": a sentence, not a date or a label before it
    if len(words) == 2 and words[0][0].islower():
        return []  # "nur mithilfe von LEDs ...": a sentence carrying on, not a kicker or a label
    if _OTHER_ROLE_RE.search(lead):
        return []  # "Herausgegeben von ...", "Translated by ...": the masthead's editors, a translator
    byline = _LINE_BYLINE_END_RE.split(segment[match.end() :], maxsplit=1)[0]
    return _split_names("By " + byline, organisations, visible=True)


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
        texts = {clean_text(element_text(m)) for m in members}
        parents = {m.getparent() for m in members}  # proxies stay alive in the set, so identity holds
        if len(texts) >= 3 and len(parents) >= 3:
            listed.add(cls)
    return listed


def _split_names(text: str, organisations: list[str], visible: bool = False) -> list[str]:
    """ "By Jane Doe and John Roe, Reuters" → ["Jane Doe", "John Roe"]; agencies go to ``organisations``.

    From visible text only wire agencies count as organisations: any other company-like string there
    is more likely a testimonial, a caption or a credit line than the story's author.
    """
    if not text:
        return []
    text = _PARAGRAPH_BREAK_RE.split(text.strip(), maxsplit=1)[0]  # "Von X\n\nKakuma / Kenia": a dateline
    text = clean_text(text)
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
    pieces = _NAME_SPLIT_KEEP_RE.split(text)
    for part, separator in zip(pieces[0::2], ["", *pieces[1::2]], strict=True):
        # "By Nada Tawfik, BBC News, New York": what follows the outlet is its bureau's city; but after
        # "ACLU Racial Justice Program & Sylvia Torres-Guillén" the conjunction names the next author
        if after_organisation:
            after_organisation = False
            if not _CONJUNCTION_RE.fullmatch(separator.strip()):
                continue
        part = part.strip(" .:-–—'\"“”„")
        part = re.sub(r"\s+(?:in|aus|en|à|a|из|в)\s+[A-ZÀ-ÝА-Я][\w\s.-]*$", "", part)  # "Jane Doe in London"
        part = _FOR_OUTLET_RE.sub("", part)  # "Glen Owen For The Mail On Sunday": the outlet it wrote for
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
        if len(words) >= 3 and words[0] == "".join(w[0] for w in words[1:]).upper():
            words = words[1:]  # "LP Luana Patriolino": the avatar's initials, then the name
            part = " ".join(words)
        half = len(words) // 2
        if half >= 2 and len(words) % 2 == 0 and words[:half] == words[half:]:
            part = " ".join(words[:half])  # a name printed twice (visible and screen-reader copies)
        elif len(part) % 2 == 0 and len(part) >= 8 and part[: len(part) // 2] == part[len(part) // 2 :]:
            part = part[: len(part) // 2]  # ... or glued to itself: "Kristen Falc'honKristen Falc'hon"
        if _is_person_name(part) and not _TRAILING_BYLINE_WORD_RE.search(part):
            people.append(part)  # ("Eine Analyse von": the label whose name follows elsewhere)
    return people


_NAME_SPLIT_KEEP_RE = re.compile(f"({_NAME_SPLIT_RE.pattern})")
_CONJUNCTION_RE = re.compile(r"&|\+|(?i:and|und|et|y|e|i|и|en|og|och|sowie)")
_FOR_OUTLET_RE = re.compile(r"\s+(?i:for|für|pour|para)\s+(?:(?i:the|der|die|das|le|la|el)\s+)?[A-ZÀ-Ý].*$")
_TRAILING_BYLINE_WORD_RE = re.compile(r"\s(?:by|von|par|por|door)$", re.IGNORECASE)


_MID_BYLINE_WORDS = frozenset(("By", "BY", "Von", "VON", "Par", "PAR", "Por", "POR"))
_GLUED_WORDS_RE = re.compile(r"(?<=[a-zß-ÿ])(?=[A-ZÀ-Þ][a-zß-ÿ])")


def _is_person_name(text: str) -> bool:
    if len(text) < 2 or len(text) > 60 or not _HAS_LETTER_RE.search(text):
        return False
    if any(c.isdigit() or c in _NOT_IN_NAMES for c in text) or _is_url(text):
        return False
    if _ROLE_RE.search(text) or _NAVIGATION_RE.search(text):
        return False
    unglued = _GLUED_WORDS_RE.sub(" ", text)  # "Ingo ArztRedakteur": a name glued to its role
    if unglued != text and _ROLE_RE.search(unglued):
        return False
    if _CJK_RE.search(text) and len(text) > 8:
        return False  # Chinese/Japanese/Korean personal names are a few characters
    words = text.split()
    if any(w in _MID_BYLINE_WORDS for w in words[1:-1]):
        return False  # "Disko Von Ernst Lohoff": a kicker, the byline word, then the name
    if len(words) > 1 and words[-1].lower() in _NAME_PARTICLES:
        return False  # "Publicado el": a label's grammar; a name never ends in a particle
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


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for name in names:
        key = compact_text(name)
        if key and key not in seen:
            seen.add(key)
            result.append(name)
    return result


def _is_url(text: str) -> bool:
    lowered = text.strip().lower()
    return lowered.startswith(("http://", "https://", "www.", "//", "/")) or bool(
        re.match(r"^[\w.-]+\.(?:com|org|net|de|fr|uk|ru|io)(?:/|$)", lowered)
    )
