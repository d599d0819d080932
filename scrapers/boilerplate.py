"""Generic boilerplate rules: what a page's chrome looks like, independent of any one site.

Two uses share these rules. The content finder asks ``class_hint`` so text under navigation, sidebars or
comment threads does not vote for a region; once a region is chosen, ``strip_region`` removes the chrome
that lives *inside* article containers (share bars, inline "Read more" links, ad slots, author boxes,
captions). Every rule is about the shape or the vocabulary of page furniture in general, never about a site.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml.html import HtmlElement

# Characters that ``re.IGNORECASE`` reads as "i" or "s" while ``str.lower()`` keeps them apart: a text
# holding one skips the keyword test below and meets the regex itself.
_ODD_FOLDS = ("ı", "ſ", "İ")


class KeywordRegex:
    """A case-insensitive keyword regex behind a cheap test of the words its matches must contain.

    Line rules run on every line of every body and almost never fire. A regex alternation of many phrases
    under ``\\b`` and IGNORECASE is tried at every position of the line (a few microseconds per rule and
    line, a tenth of extract() in all), while a substring test on the lowered line rules nearly all lines
    out at once. ``needles`` must hold, in lower case, one piece of literal text from every alternative:
    a line without any of them cannot match, so the verdicts are the regex's own (tests/test_extract_speed.py
    checks it on strings generated from each pattern).
    """

    __slots__ = ("needles", "pattern")

    def __init__(self, pattern: re.Pattern[str], *needles: str) -> None:
        self.pattern = pattern
        self.needles = needles

    def may_match(self, text: str) -> bool:
        low = text.lower()
        for needle in self.needles:  # a plain loop: a fifth cheaper than any() over a generator
            if needle in low:
                return True
        # the odd folds are not ASCII, and ``isascii`` is a flag lookup: most lines skip the generator
        return not text.isascii() and any(odd in text for odd in _ODD_FOLDS)

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.may_match(text) else None

    def findall(self, text: str) -> list[str]:
        return self.pattern.findall(text) if self.may_match(text) else []


# Removed from the whole page before anything is measured: never visible prose.
JUNK_TAGS: frozenset[str] = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "canvas",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "picture",
        "source",
        "track",
        "map",
        "button",
        "select",
        "textarea",
        "input",
        "option",
        "optgroup",
        "datalist",
        "dialog",
        "head",
        "link",
        "meta",
        "title",
        "base",
        # ruby annotations: the reading aid printed above CJK characters (furigana), not the text itself
        "rt",
        "rp",
    }
)


# AMP components that carry text worth keeping; every other ``amp-*`` element is media, ads or widgets.
_AMP_TEXT_TAGS: frozenset[str] = frozenset({"amp-fit-text", "amp-accordion", "amp-selector", "amp-layout"})

# Tokens of class/id names. Hard: always chrome. Soft: usually chrome, but a page-sized wrapper that
# happens to carry the word (``has-sidebar``, ``layout-header-fixed``) is not discarded for it.
_HARD_NEGATIVE = re.compile(
    r"comment|disqus|cookie|consent|gdpr|dsgvo|rgpd|newsletter|subscribe|subscription|signup|sign-up|outbrain|taboola|"
    r"plista|sponsor|sponsored|advert|advertisement|advertising|adslot|ad-slot|adunit|ad-unit|dfp|"
    r"googlead|banner|breadcrumb|skip-?links?|skip-to|jump-?link|breaking|breaking-?news|ticker|"
    r"most-?popular|most-?read|most-?viewed|trending|recommend|recommended|recommendations|related|"
    r"share|sharing|shariff|social|follow-?us|popup|pop-up|popmake|dialog|toolbar|pagination|"
    r"pager|print-?link|print-?button|rail|login|register|registration|author-?bio|about-?the-?author|"
    r"author-?box|author-?info|byline|dateline|caption|credit|credits|copyright|sidebar|side-?bar|"
    r"promo|promotion|promoted|masthead|navbar|menu|navigation|topnav|subnav|footer|"
    r"site-?header|page-?header|header-?nav|tag|tag-?list|tag-?cloud|keywords|categories|"
    r"vote|poll|survey|reactions|emoji|bookmark|read-?more|more-?stories|also-?read|"
    r"see-?also|further-?reading|newsfeed|latest-?news|top-?stories|video-?player|playlist|"
    r"next-?article|prev-?article|post-?nav|entry-?meta|post-?meta|"
    r"article-?meta|meta-?data|metabar|timestamp|published|updated|post-?date|entry-?date|"
    r"article-?date|e-?mail-?link|whatsapp|facebook|twitter|linkedin|pinterest|telegram|rss|"
    r"visually-?hidden|sr-?only|screen-?reader|offscreen|is-?hidden|d-none",
    re.IGNORECASE,
)
# Names are matched as whole tokens, optionally plural or fused with a part word ("commentlist",
# "sharebar", "relatedposts"), never as a fragment inside an unrelated word ("pagerow", "bundestagswahl").
_NAME_SUFFIX = (
    r"(?:e?s)?(?:bar|box|list|links?|area|wrap|wrapper|container|block|section|module|widget|items?|"
    r"nav|menu|buttons?|icons?|tools?|text|content|title|header|holder|panel|inner|outer|posts?|"
    r"articles?|stories|news|teasers?|media|left|right|top|bottom|form|wall)?(?![a-z0-9])"
)
# Short words need whole-token matches: "ad" must not fire inside "header", "nav" not inside "canvas".
_NEGATIVE_TOKENS: frozenset[str] = frozenset(
    {
        "ad",
        "ads",
        "adv",
        "advt",
        "nav",
        "hdr",
        "ftr",
        "bio",
        "meta",
        "date",
        "time",
        "author",
        "authors",
        "header",
        "aside",
        "extra",
        "more",
        "links",
        "linklist",
        "shop",
        "embed",
        "embedded",
        "tweet",
        "instagram",
        "youtube",
        "sns",
        "byline",
        "kicker",
        "badge",
        "crumbs",
        "sitemap",
        "legal",
        "disclaimer",
        "photo",
        "img",
        "video",
        "audio",
        "podcast",
        "weather",
        "stock",
        "infobox",
        "factbox",
        "signature",
        "partner",
        "anzeige",
        "werbung",
        "teilen",
        "verwandte",
        "paywall",
        "print",
        "email",
        # feature names that page builders put on every block, content included: weak evidence only
        "widget",
        "widgets",
        "modal",
        "overlay",
        "lightbox",
        "slider",
        "carousel",
        "gallery",
        "slideshow",
        "tooltip",
        "rating",
        "feedback",
    }
)
_ABSOLUTE_NEGATIVE = re.compile(
    r"comment|disqus|cookie|consent|gdpr|dsgvo|rgpd|newsletter|outbrain|taboola|plista|breadcrumb|skip-?links?|"
    r"skip-?to|skip-?nav|popup|pop-up|popmake",
    re.IGNORECASE,
)
_CONSENT = re.compile(
    r"cookie|consent|gdpr|dsgvo|rgpd|cmp-|privacy-?(?:banner|notice|popup|overlay)", re.IGNORECASE
)


def consent_named(el: HtmlElement) -> bool:
    """A cookie or privacy-consent box, by its class or id: never the page's story, however long."""
    names = " ".join(v for v in (el.get("class"), el.get("id")) if v)
    return bool(names) and _CONSENT.search(names) is not None


_POSITIVE = re.compile(
    r"article|story|entry|post|body|content|text|main|blog|news|hentry|permalink|page|column|"
    r"artikel|inhalt|beitrag|contenu|contenido|articolo|corpo|testo|cuerpo",
    re.IGNORECASE,
)
# Explicit markers of the article body: a region carrying one is content even inside a negative wrapper.
_STRONG_POSITIVE = re.compile(
    r"(?:article|story|entry|post|news|blog|artikel|beitrag)[-_]?(?:body|content|text|inhalt|copy)|"
    r"articlebody|body-?text|bodytext|main-?text|story-?text|rich-?text|richtext|article__body|"
    r"entry__content|post__content",
    re.IGNORECASE,
)
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# Patterns match at the start of a name token only: "tags" must not fire inside "bundestagswahl".
_AT_TOKEN = r"(?<![a-z0-9])(?:"


def _anchored(pattern: re.Pattern[str], whole: bool) -> re.Pattern[str]:
    # Only ever searched in ``_normalise_names`` output (lower-case ASCII letters, digits, "-" and " ")
    # and spelled in lower case: ignoring case there changes no match, and cost 2-4x the search time.
    flags = pattern.flags & ~re.IGNORECASE
    return re.compile(_AT_TOKEN + pattern.pattern + ")" + (_NAME_SUFFIX if whole else ""), flags)


_HARD_NEGATIVE = _anchored(_HARD_NEGATIVE, whole=True)
_ABSOLUTE_NEGATIVE = _anchored(_ABSOLUTE_NEGATIVE, whole=True)
_POSITIVE = _anchored(_POSITIVE, whole=False)
_STRONG_POSITIVE = _anchored(_STRONG_POSITIVE, whole=False)


ABSOLUTE = -3  # comment threads, consent and newsletter boxes: chrome whatever they contain
HARD = -2
SOFT = -1
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
NEUTRAL = 0
POSITIVE = 1
STRONG = 2


# CMS taxonomy classes ("category-newsletter", "tag-comments", "format-gallery") name the story's topics
# and formats, not the element's role.
_TAXONOMY_CLASS = re.compile(
    r"^(?:category|categories|tag|tags|post_tag|post-tag|format|status|type|postid|post-\d|page-id|author|"
    r"topic|topics|series|genre|region|ressort|rubrik|section|keyword|label|taxonomy)[-_]",
    re.IGNORECASE,
)


# "has-sidebar", "withSidebar", "no-comments": what an element has (or lacks), not what it is.
_FEATURE_FLAG = re.compile(r"(?<![a-z0-9])(?:with|has|without|no|show|enable|enabled)-[a-z0-9]+")


def _normalise_names(value: str) -> str:
    """``articleBody main__text`` -> ``article-body main-text``: one spelling for every naming style."""
    names = " ".join(
        _TOKEN_SPLIT.sub("-", _CAMEL.sub("-", part).lower())
        for part in value.split()
        if not _TAXONOMY_CLASS.match(part)
    )
    return _FEATURE_FLAG.sub("", names)


_HINTS: dict[tuple[object, ...], int] = {}
HINTS_MAX = 65_536


def class_hint(el: HtmlElement) -> int:
    """How an element's own markup names it: STRONG/POSITIVE content, SOFT/HARD/ABSOLUTE chrome, or NEUTRAL.

    Vocabulary of ``class``, ``id``, ``role``, ``itemprop`` and ARIA labels, since those are what CMS
    templates use to name their parts; tags are judged separately. The verdict depends on those
    attributes and the tag only, and a template repeats the same few combinations hundreds of times a
    page: one dictionary lookup on them replaces the joins and regexes (a fifth of extract() before).
    """
    get = el.get
    key = (
        el.tag,
        get("class"),
        get("id"),
        get("role"),
        get("itemprop"),
        get("data-testid"),
        get("data-component"),
    )
    hint = _HINTS.get(key)
    if hint is None:
        if len(_HINTS) >= HINTS_MAX:
            _HINTS.clear()  # a long-lived worker sees endless ids: bound the memory, keep the speed
        hint = _HINTS[key] = _class_hint(el)
    return hint


def _class_hint(el: HtmlElement) -> int:
    get = el.get
    itemprop = get("itemprop")
    if itemprop and "articlebody" in itemprop.lower():
        return STRONG
    role = get("role")
    if role:
        role = role.lower()
        if role in (
            "navigation",
            "banner",
            "contentinfo",
            "complementary",
            "search",
            "menu",
            "menubar",
            "dialog",
            "alertdialog",
            "toolbar",
            "tablist",
            "alert",
        ):
            return HARD
        if role in ("main", "article"):
            return POSITIVE
    if el.tag == "blockquote" and "twitter-tweet" in (get("class") or ""):
        return NEUTRAL  # a tweet quoted in the story is one of its quotes, not a share button
    ident = get("id")
    if ident and (el.tag in _HEADING_TAGS or len(_TOKEN_SPLIT.split(ident.lower())) > 3):
        ident = None  # an anchor slug made from the heading's words ("nav_nur_die_folie"), not a role
    raw = " ".join(v for v in (get("class"), ident, get("data-testid"), get("data-component")) if v)
    if not raw:
        return NEUTRAL
    # Figures name an instance, not a part ("post-48213", "comment-7"): one cache entry for all of them.
    return _names_hint(_FIGURES.sub("0", raw), el.tag in ("article", "main"))


_FIGURES = re.compile(r"\d+")


@lru_cache(maxsize=16384)
def _names_hint(raw: str, content_tag: bool) -> int:
    """The verdict on one spelling of names; cached because templates repeat the same names a lot.

    Every pattern matches inside one name (none spans a space), so the verdict is read from each
    name's own findings (``_name_flags``), which sites share far more than whole spellings.
    """
    found = 0
    for part in raw.split():
        flags = _NAME_FLAGS.get(part)
        if flags is None:
            if len(_NAME_FLAGS) >= HINTS_MAX:
                _NAME_FLAGS.clear()  # bounded: a long-lived worker sees endless names
            flags = _NAME_FLAGS[part] = _name_flags(part)
        found |= flags
    if found & _F_STRONG:
        return STRONG
    positive = bool(found & _F_POSITIVE)
    if content_tag:
        # The tag says "content" more reliably than template class names; only comments stay chrome.
        if found & (_F_ABSOLUTE | _F_HARD):
            return ABSOLUTE if found & _F_COMMENT else SOFT
        return POSITIVE
    if found & _F_ABSOLUTE:
        return ABSOLUTE
    if found & _F_HARD:
        # "article modal-enabled", "entry-content has-share": a container naming itself content in one
        # class and a feature in another is only chrome if it is small. Within one name the chrome word
        # qualifies the content word ("related-posts", "sidebar-content"), and that is chrome.
        mixed = found & _F_MIXED
        return SOFT if positive and not mixed else HARD
    if found & _F_NEGATIVE_TOKEN:
        return NEUTRAL if positive else SOFT
    return POSITIVE if positive else NEUTRAL


# What one name says, as bits: ORed over a spelling's names they give ``_names_hint`` its verdict.
_F_STRONG = 1
_F_POSITIVE = 2
_F_ABSOLUTE = 4
_F_HARD = 8
_F_MIXED = 16  # chrome and content words in the same name ("related-posts")
_F_COMMENT = 32
_F_NEGATIVE_TOKEN = 64
_NAME_FLAGS: dict[str, int] = {}


def _name_flags(part: str) -> int:
    """What one class or id name (a whitespace-free part) says, as ``_F_*`` bits for ``_names_hint``."""
    # ``_normalise_names`` of one whitespace-free name, without its join; the camel-case split only where
    # a capital can be (most names are lower case already, and the split tests every position)
    if _TAXONOMY_CLASS.match(part):
        return 0
    names = _FEATURE_FLAG.sub(
        "", _TOKEN_SPLIT.sub("-", (part if part.islower() else _CAMEL.sub("-", part)).lower())
    )
    if not names:  # a feature flag
        return 0
    hard = _HARD_NEGATIVE.search(names) is not None
    positive = _POSITIVE.search(names) is not None
    return (
        (_F_STRONG if _STRONG_POSITIVE.search(names) else 0)
        | (_F_POSITIVE if positive else 0)
        | (_F_ABSOLUTE if _ABSOLUTE_NEGATIVE.search(names) else 0)
        | (_F_HARD if hard else 0)
        | (_F_MIXED if hard and positive else 0)
        | (_F_COMMENT if "comment" in names else 0)
        | (_F_NEGATIVE_TOKEN if _NEGATIVE_TOKENS.intersection(names.split("-")) else 0)
    )


def is_hidden(el: HtmlElement) -> bool:
    """Content a reader never sees: ``hidden``, ``aria-hidden`` or an inline ``display:none``."""
    if el.get("hidden") is not None:
        return True
    if el.get("aria-hidden", "").lower() == "true":
        return True
    style = el.get("style")
    if style:
        squashed = style.replace(" ", "").lower()
        if "display:none" in squashed or "visibility:hidden" in squashed:
            return True
    return False


def is_junk_tag(tag: str) -> bool:
    """Tags never carrying prose; ``amp-*`` media and ad components count too."""
    if tag in JUNK_TAGS:
        return True
    return tag.startswith("amp-") and tag not in _AMP_TEXT_TAGS


# Short blocks that are calls to action or navigation, in the languages news is commonly published in.
_BOILERPLATE_START = re.compile(
    r"^\W{0,3}(?:read more|read also|read next|more on this|more from|"
    r"related(?: articles?| stories| coverage)?|"
    r"see also|also read|recommended|advertisement|sponsored|share this|share on|share via|share|"
    r"follow us|follow on|sign up|subscribe|click here|tap here|watch:|listen:|"
    r"photo:|photos:|image:|picture:|credit:|image credit|photo credit|getty images|"
    r"lesen sie auch|lesen sie mehr|mehr zum thema|mehr dazu|auch interessant|das könnte sie|"
    r"weiterlesen|zum thema|anzeige|werbung|teilen|foto:|bild:|quelle:|beitragsbild|titelbild|bildquelle|"
    r"bildnachweis|fotonachweis|crédits? photos?|crédit photo|"
    r"lire aussi|à lire aussi|a lire aussi|voir aussi|publicité|"
    r"leggi anche|pubblicità|lee también|leer más|publicidad|"
    r"читайте также|читать далее|реклама|по теме|смотрите также)(?=\W|$)",
    re.IGNORECASE,
)
# The page's own address printed under the story for copying: a label, then the address alone.
_OWN_ADDRESS = re.compile(
    r"^\W{0,3}(?:permalink|permalien|enlace permanente|short-?url|kurz-?url|short-?link|kurz-?link)"
    r"\s*:?\s*(?:https?://|www\.)\S+\s*$",
    re.IGNORECASE,
)
# "By Jane Doe", "Von Martina Kessler und Tom Berg", "di Mario Rossi": the keyword, then only names.
_BYLINE = re.compile(
    r"^(?i:by|von|par|por|di|автор)\s+"
    r"(?:[A-ZÄÖÜÀ-ÝА-Я][\w'’.-]*,?\s*(?:(?i:and|und|et|y|e|&)\s+)?){1,6}$"
)


_DATE_TOKEN = re.compile(
    r"\b\d{1,2}[./]\s?\d{1,2}[./]\s?(?:\d{4}|\d{2})\b|\b\d{4}-\d{2}-\d{2}\b|"
    r"\b\d{1,2}(?:st|nd|rd|th)?\.?\s+[A-Za-zÄÖÜäöüéû]{3,}\.?\s+\d{4}\b|"
    r"\b[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b"
)
_TIME_TOKEN = re.compile(r"\b\d{1,2}[:.]\d{2}(?:\s?(?:uhr|h|am|pm|a\.m\.|p\.m\.))?|\buhr\b", re.IGNORECASE)
_BYLINE_WORD = re.compile(
    r"\b(?:by|von|par|por|di|updated|published|aktualisiert|veröffentlicht|stand|mis à jour|publié)\b",
    re.IGNORECASE,
)


_FIELD_LABEL = re.compile(r"^[^\W\d][\w ]{0,25}:")


def dateline_text(text: str) -> bool:
    """A short "14.03.2024, 10:25 Uhr · Von Jane Doe" line: publication furniture, not a sentence."""
    if len(text) > 100 or not _DATE_TOKEN.search(text):
        return False
    label = _FIELD_LABEL.match(text)
    if label and not _BYLINE_WORD.search(label.group(0)):
        return False  # "Termin: 29.02.2020, 19 Uhr" is a fact of the story, not its dateline
    undated = _DATE_TOKEN.sub(" ", text)
    if not (_TIME_TOKEN.search(undated) or _BYLINE_WORD.search(undated)):
        return False
    rest = _BYLINE_WORD.sub(" ", _TIME_TOKEN.sub(" ", undated))
    return len(re.findall(r"\w+", rest)) <= 5


_WEEKDAY_MONTH = re.compile(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\b\.?|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b\.?|"
    r"\b(?:updated|published|posted|last update|date|on|at|am|um|le|el)\b|\b(?:et|est|edt|gmt|utc|ist|cet)\b",
    re.IGNORECASE,
)


def date_only_text(text: str) -> bool:
    """A line that is only a date ("Friday, January 18, 2008", "[Jan. 06, 2008] |"), time and label at most."""
    if len(text) > 60 or not (_DATE_TOKEN.search(text) or _MONTH_YEAR.search(text)):
        return False
    rest = _WEEKDAY_MONTH.sub(" ", _TIME_TOKEN.sub(" ", _DATE_TOKEN.sub(" ", text)))
    return not re.search(r"[^\W\d_]{2,}", rest)


_MONTH_YEAR = re.compile(
    r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(?:\d{1,2},?\s+)?(?:19|20)\d\d\b"
)
# Article tools printed as lines of their own above a story.
_TOOL_LINE = re.compile(
    r"^\W{0,3}(?:print(?:er[- ]friendly)?|e-?mail|send|refer|share|save|bookmark|recommend)"
    r"(?: (?:this|the))?(?: (?:article|story|page|version|to a friend|a friend|link))?\W{0,3}$|"
    r"^\W{0,3}(?:text|font) size\b|^\W{0,3}font\W{0,3}$|"
    r"^\W{0,3}click (?:on )?(?:the )?(?:photo|image|picture) to enlarge\W{0,3}$",
    re.IGNORECASE,
)


def tool_text(text: str) -> bool:
    """An article tool as a line of its own ("Print article", "Refer to a friend", "Text size")."""
    return len(text) <= 40 and _TOOL_LINE.match(text) is not None


# Wire agencies and staff credits printed on their own line above a story.
_CREDIT = re.compile(
    r"\b(?:associated press|reuters|agence france|afp|press association|canadian press|dpa|apa|sda|"
    r"press trust of india|pti|ani|ians|upi|news service|news agency|agencies|staff writer|staff reporter|"
    r"sports? reporter|special correspondent|correspondent|bureau(?: chief| report)?|staff|"
    r"nachrichtenagentur|agences?|agencias?)\b|^\W*\(?(?:ap|afp|dpa|ap photo)\)?\W*$",
    re.IGNORECASE,
)


def credit_text(text: str) -> bool:
    """A short unpunctuated credit line ("The Associated Press", "Staff and agencies", "(AP)")."""
    return (
        len(text) <= 60
        and len(text.split()) <= 8
        and text.rstrip()[-1:] not in '.!?"”»'
        and _CREDIT.search(text) is not None
    )


_RIGHTS_RE = re.compile(
    r"©|\(c\)\s*\d{4}|\bcopyright\b|\bcopyrighted by\b|all rights reserved|alle rechte vorbehalten|"
    r"tous droits réservés|"
    r"todos los derechos reservados|tutti i diritti riservati|все права защищены|"
    r"vervielfältigung nur mit genehmigung",
    re.IGNORECASE,
)
_RIGHTS = KeywordRegex(
    _RIGHTS_RE,
    "©",
    "(c)",
    "copyright",
    "all rights reserved",
    "alle rechte",
    "droits réservés",
    "derechos reservados",
    "diritti riservati",
    "все права",
    "vervielfältigung",
)


def rights_text(text: str) -> bool:
    """A short copyright or rights-reserved notice."""
    return len(text) <= 160 and _RIGHTS.search(text) is not None


# Section labels that are whole lines: what remains of a box once its links are gone.
_LABEL_LINE = re.compile(
    r"^\W{0,3}(?:tags?|themen|schlagw(?:o|ö)rte(?:r)?|stichw(?:o|ö)rte(?:r)?|topics|kontakt|contact|"
    r"quellen(?:angaben)?|sources?|"
    r"weitere (?:informationen|infos|artikel|beiträge|themen|meldungen|nachrichten)|"
    r"more (?:information|stories|articles|on this story)|mehr (?:zum thema|infos?|informationen|dazu)|"
    r"zum weiterlesen|further reading|related(?: articles| posts| stories| content)?|"
    r"ähnliche (?:beiträge|artikel|themen)|das könnte (?:dich|sie) auch interessieren|"
    r"you (?:may|might) also like|share(?: this(?: article| story| post)?)?|teilen|artikel teilen|newsticker|"
    r"permalink|originalpublikation|externer inhalt|über (?:den|die) autor(?:in)?|about the author|"
    r"schon gelesen|lesen sie (?:auch|mehr)|auch interessant|empfehlungen|recommended|advertisement|"
    r"anzeige|werbung|sponsored|à lire aussi|lire aussi|sur le même sujet|leggi anche|lee también|"
    r"te puede interesar|читайте также|по теме)\W{0,3}$",
    re.IGNORECASE,
)


# Calls to action addressed to the reader: subscribe, sign up, support us, log in.
_CTA_RE = re.compile(
    r"\b(?:sign(?:ing)? up|subscribe to|subscribe now|register now|log in to|"
    r"create (?:a|your) (?:free )?account|"
    r"support (?:us|our)|donate now|newsletter today|jetzt (?:abonnieren|anmelden|registrieren|testen)|"
    r"abonnieren sie|melden sie sich|registrieren sie sich|unterstützen sie|newsletter abonnieren|"
    r"créez votre compte|abonnez-vous|inscrivez-vous|suscr[ií]bete|iscriviti|подпишитесь|"
    r"you (?:must|need to) (?:be )?(?:registered|logged in|a subscriber)|"
    r"to read (?:this|the) (?:full )?(?:article|story)"
    r"(?: in full)?,? (?:you )?(?:must|need|please)|to continue reading|click (?:here|below|the (?:below )?button)|"
    # membership and subscription pitches
    r"already an? (?:subscriber|member)|(?:first-time |new )?subscribers (?:also )?(?:get|receive)|"
    r"become an? (?:member|subscriber|supporter)|rely on (?:your|reader|readers') support|"
    r"cancel (?:at )?any ?time|hazte (?:miembro|socio|suscriptor)|cancela cuando quieras|"
    r"werden sie (?:mitglied|abonnent)|im abo\b|als e-paper|vorteile sichern|"
    r"abonnez-vous|devenez (?:abonné|membre)|"
    # informal sign-ups and notification prompts
    r"melde dich (?:hier |jetzt )?(?:an|für)|abonniere (?:jetzt |unseren )|benachrichtigung(?:en)? aktivieren|"
    r"(?:enable|turn on) (?:push )?notifications|pour lire la suite|stay up[- ]to[- ]date|"
    r"bleib(?:en sie)? (?:immer )?(?:auf dem laufenden|informiert)|restez informée?s?)\b",
    re.IGNORECASE,
)
_CTA = KeywordRegex(
    _CTA_RE,
    "sign",
    "subscribe",
    "register now",
    "log in to",
    "create",
    "support",
    "donate now",
    "newsletter",
    "jetzt",
    "abonniere",
    "melde",
    "registrieren",
    "unterstützen",
    "créez",
    "abonnez",
    "inscrivez",
    "suscr",
    "iscriviti",
    "подпишитесь",
    "you must",
    "you need to",
    "to read",
    "to continue reading",
    "click",
    "already",
    "become",
    "cancel",
    "hazte",
    "werden sie",
    "im abo",
    "e-paper",
    "vorteile sichern",
    "devenez",
    "benachrichtigung",
    "notifications",
    "lire la suite",
    "stay up",
    "bleib",
    "restez",
)


def cta_text(text: str) -> bool:
    """A short line asking the reader to subscribe, sign up or support the site."""
    return len(text) <= 200 and _CTA.search(text) is not None


# The signature under an embedded tweet: "— Jane Doe (@janedoe) July 3, 2019".
_TWEET_SIGNATURE = re.compile(r"^[—–-]\s*[^()]{0,60}\(@\w{1,30}\)(?:\s*\w+\.? \d{1,2}, \d{4})?\s*$")


def tweet_signature_text(text: str) -> bool:
    """The author and date line of an embedded tweet, kept out as a byline is."""
    return len(text) <= 120 and _TWEET_SIGNATURE.match(text) is not None


# How readers sign their comments, one shape per alternative: "Posted by: Tom | Jan 10, 2008 7:29 PM",
# "— Daniella C., Stanmore", "TonyZ (6 days ago)", "Frances McErlane, Mallorca, Spain". A story's own lines
# take these shapes once or twice (a byline, a dateline); a thread repeats one of them under every comment.
# A company's name ("About LG Electronics, Inc." over a press release's boilerplate) is no reader's.
_SIGNATURE_SHAPES: tuple[re.Pattern[str], ...] = (
    re.compile(r"^[—–-]{0,2}\s*(?:posted|submitted|written|commented) by:?\s+\S.{0,80}$", re.IGNORECASE),
    re.compile(r"^[—–-]{1,2}\s*[A-Z][\w.'’-]*(?:\s+[\w.'’&-]+){0,4}(?:,\s*[\w.'’ -]{1,30}){0,3},?$"),
    re.compile(r"^[\w.'’ @-]{1,40}\s*\((?:\d+\s+\w+\s+ago|[^()]{0,40}\d{4}[^()]{0,20})\)$"),
    re.compile(
        r"^[A-Z][\w.'’-]*(?:\s+[A-Za-z][\w.'’-]*){0,3},\s*(?!(?i:inc|ltd|llc|corp|co|plc|gmbh|ag|sa|nv)\b)"
        r"[A-Za-z][\w.'’ -]{1,30}"
        r"(?:,\s*[A-Za-z][\w.'’ -]{1,30})?,?$"
    ),
)
SIGNATURE_MAX_CHARS = 100


_AGO = re.compile(r"\b\d+\s+\w+\s+ago\b|\bvor\s+\d+\s+\w+|\bil y a\s+\d+|\bhace\s+\d+", re.IGNORECASE)


def stamped_text(text: str) -> bool:
    """The text carries a date, a clock time or a relative stamp ("6 days ago"): when it was written."""
    return bool(_DATE_TOKEN.search(text) or _TIME_TOKEN.search(text) or _AGO.search(text))


def signature_shape(text: str) -> int:
    """Which reader-signature shape a short line has (1-based), or 0 for none."""
    if len(text) > SIGNATURE_MAX_CHARS:
        return 0
    for shape, pattern in enumerate(_SIGNATURE_SHAPES, 1):
        if pattern.match(text) is not None:
            return shape
    return 0


# Where a publisher asks readers to follow it: social networks, messengers and app stores.
_CHANNEL_RE = re.compile(
    r"\b(?:facebook|twitter|instagram|telegram|whatsapp|youtube|tiktok|linkedin|snapchat|mastodon|"
    r"ios|android|app store|google play|itunes)\b",
    re.IGNORECASE,
)
_CHANNEL = KeywordRegex(
    _CHANNEL_RE,
    "facebook",
    "twitter",
    "instagram",
    "telegram",
    "whatsapp",
    "youtube",
    "tiktok",
    "linkedin",
    "snapchat",
    "mastodon",
    "ios",
    "android",
    "app store",
    "google play",
    "itunes",
)
_FOLLOW = re.compile(
    r"\b(?:follow|folgen sie|folge|s[ií]guenos|seguir a|suivez|download|herunterladen|descarg[ae]|"
    r"[úu]nete|join us|abonn\w*|subscribe|suscr[ií]b\w*|get the latest|our channel|nuestro canal|"
    r"unser(?:em)? kanal|notre cha[iî]ne)\b",
    re.IGNORECASE,
)
_ADDRESSED = re.compile(
    r"\b(?:you|your|sie|du|dich|usted|vous|nos|us|our|unser\w*|nuestr\w*|notre)\b", re.IGNORECASE
)


def follow_us_text(text: str) -> bool:
    """ "Follow The Gleaner on Twitter and Instagram", "Descarga nuestra app para iOS y Android": the
    publisher's channels offered to the reader, not the story's facts about them."""
    if len(text) > 250:
        return False
    channels = len({name.lower() for name in _CHANNEL.findall(text)})
    if not channels:
        return False
    return _FOLLOW.search(text) is not None or (channels >= 2 and _ADDRESSED.search(text) is not None)


def nav_row_text(text: str) -> bool:
    """ "Kommentarfeed | Kommentare geschlossen | Trackback-URL": short items in a pipe-separated row."""
    parts = text.split("|")
    return len(parts) >= 3 and len(text) <= 120 and all(len(part.split()) <= 4 for part in parts)


# "Weitere Artikel zum Thema", "Noch mehr Infos für dich", "Mehr zu Klima und Konsum", "More from Science":
# a few words after a "more of this" opener, with no sentence end, head a box of other pieces. "Weitere"
# must name pieces (articles, tips, videos), since "Weitere Zellprojekte im Aufbau" is a subheading.
_MORE_LABEL = re.compile(
    r"^\W{0,3}(?:(?:weitere|alle)(?:\s+\w+e[nrs]?)?\s+\w*(?:artikel|beiträge|themen|infos|informationen|"
    r"meldungen|nachrichten|geschichten|tipps|videos|links|rezepte|news|stories)|"
    r"noch mehr|mehr zu[mr]?|more (?:from|on|about)|(?:d')?autres (?:articles|contenus)|plus d'articles|"
    r"más (?:noticias|artículos))"
    r"(?:\s+[\w&'’-]+){0,6}\s*:?\s*$",
    re.IGNORECASE,
)


# What widgets print as lines of their own: a rating count, a show/hide toggle, a most-read box's name,
# a share or download tool.
_WIDGET_LINE = re.compile(
    r"^\W{0,3}(?:\(?(?:noch )?keine bewertungen\)?|\(?no (?:ratings|reviews|votes) yet\)?|"
    r"\(?\d+ (?:bewertungen|ratings|votes|stimmen)\)?|"
    r"(?:quellen|sources?|kommentare|comments) (?:ausblenden|einblenden|anzeigen|verbergen)|"
    r"(?:show|hide) (?:sources|comments)|"
    r"(?:meist(?:gelesen|kommentiert|geteilt)e?|kommentierte) (?:artikel|beiträge|news)|"
    r"(?:den |diesen )?(?:artikel|beitrag) (?:mit anderen )?teilen(?:/diskutieren)?|"
    r"(?:[\w-]+ ){0,3}(?:als )?pdf (?:herunterladen|downloaden)|download (?:as )?(?:a )?pdf)\W{0,3}$",
    re.IGNORECASE,
)


# What an ad slot leaves in the text once its script or frame is gone: its label, often drawn between
# rules ("--- advertisement ---", "- Anzeige -"), and the marker telling the reader the story goes on
# under it ("Story continues below advertisement", "Advertisement - Scroll to continue", "Continue
# reading the main story", "Artikel wird nach der Anzeige fortgesetzt", "La suite après cette publicité").
# A sentence of the story says more than these words: the whole line must be them.
_AD_WORD = (
    r"(?:advertisements?|advertising|advert|ads?|sponsored(?: content)?|anzeigen?|werbung|publicités?|"
    r"publicidad|pubblicità|reklame|annonce|anuncio)"
)
_GOES_ON = (
    r"(?:(?:the )?(?:story|article|text|content|post) continues (?:below|after (?:this |the )?"
    + _AD_WORD
    + r")(?: (?:this |the )?"
    + _AD_WORD
    + r")?|continue reading(?: below| the main story)?|scroll (?:down )?to continue(?: (?:with|reading) "
    r"(?:the )?(?:content|article|story))?|skip "
    + _AD_WORD
    + r"|weiterlesen nach der anzeige|(?:der )?artikel (?:wird )?(?:unter|nach) der anzeige fortgesetzt|"
    r"lesen sie nach der anzeige weiter|la suite (?:après|sous) (?:cette |la )?publicité|"
    r"(?:el )?art[ií]culo contin[úu]a (?:después|debajo) de(?: la| este)? (?:publicidad|anuncio))"
)
_AD_SLOT_LINE = re.compile(
    r"^[\W_]{0,8}(?:" + _AD_WORD + r"(?:[\W_]{1,8}" + _GOES_ON + r")?|" + _GOES_ON + r")[\W_]{0,8}$",
    re.IGNORECASE,
)


def label_text(text: str) -> bool:
    """A line that only names a box ("Tags", "Related articles:", "Über den Autor", "Weitere Tourentipps"),
    a widget's own line ("(Noch keine Bewertungen)", "Quellen ausblenden", "Als PDF herunterladen"), what
    an ad slot leaves ("--- advertisement ---", "Story continues below"), or an article tool left
    between paragraphs ("Font:", "Printer friendly page"), wherever it stands."""
    return len(text) <= 60 and (
        _LABEL_LINE.match(text) is not None
        or _MORE_LABEL.match(text) is not None
        or _WIDGET_LINE.match(text) is not None
        or _AD_SLOT_LINE.match(text) is not None
        or tool_text(text)
    )


# A figure's caption set as a line of the text: "Abbildung 4: ...", "Figure 2: ...", "Abb.: ...", or the
# zoom control's label run into it ("Vergrößern Eine kleine runde Aussparung ...").
_CAPTION_LINE = re.compile(
    r"^(?:(?:abbildung|abb\.|figure|fig\.|grafik|tabelle|table|bild|foto|photo)\s*\d{0,3}\s*:\s|"
    r"(?:vergrößern|enlarge|agrandir|ampliar|bild anzeigen)\s)",
    re.IGNORECASE,
)


def caption_line_text(text: str) -> bool:
    """A figure caption or a zoom label heading one, as a line of its own."""
    return len(text) <= 300 and _CAPTION_LINE.match(text) is not None


def boilerplate_text(text: str) -> bool:
    """A short block whose words mark it as chrome ("Read more: …", "Advertisement", "Photo: …"), or
    the page's own address under a label ("Permalink: https://…", "Short-URL: https://…")."""
    if len(text) > 160:
        return False
    return _BOILERPLATE_START.match(text) is not None or _OWN_ADDRESS.match(text) is not None


_BYLINE_START = re.compile(r"^(?i:by|von|par|por|di|автор)\s+[A-ZÄÖÜÀ-ÝА-Я]")


def byline_text(text: str) -> bool:
    """A short "By Name" line, alone or run together with its date; the authors live in metadata."""
    if len(text) <= 80 and _BYLINE.match(text) is not None:
        return True
    return len(text) <= 120 and _BYLINE_START.match(text) is not None and _DATE_TOKEN.search(text) is not None


def drop(el: HtmlElement) -> None:
    """Remove an element but keep its tail text, which belongs to the parent's flow."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


# Whole lines that open what follows a story: its comment thread, or a list of other stories. What
# comes after one of them, once a story has been told, is not that story.
_COMMENTS_START_RE = re.compile(
    r"^\W{0,3}(?:\d+\s+)?(?:(?:readers?'?|your|user|recent|latest|most recent|top|all|view|show|read)\s+)*"
    r"(?:comments?|reader comments?|responses?|reactions?)(?:\s*\(\d+\)|\s*:|\s+\d+)?\W{0,3}$|"
    r"^\W{0,3}(?:post|leave|add|write|submit|view|show|read)\s+(?:a|your|all|the)?\s*(?:\d+\s+)?"
    r"(?:comments?|reply|replies|responses?)\b.{0,40}$|"
    r"^\W{0,3}comments? (?:are|is) (?:now )?closed\b.{0,60}$|"
    r"^\W{0,3}(?:\d+|no) (?:comments?|responses?|replies|reactions?) (?:so far|yet|submitted|posted)\b.{0,30}$|"
    # the thread headings blog engines print in every language: "142 Antworten zu „...“", "5 thoughts on ..."
    r"^\W{0,3}(?:\d+|one|no|ein|eine|keine|un|une)\s+(?:thoughts?|responses?|replies|comments?|kommentare?|"
    r"antworten|gedanken?|réponses?|commentaires?|réflexions?|comentarios?|respuestas?)\s+(?:on|to|zu|auf|sur|à|"
    r"en|a|para)\s+[„“\"«»‘‚'].{1,150}$|"
    r"^\W{0,3}(?:die )?kommentar(?:funktion|e)? (?:ist|sind) (?:\w+ )?geschlossen\b.{0,40}$|"
    r"^\W{0,3}(?:vos (?:réactions|commentaires)|be part of the conversation|ihre meinung(?: zum thema)?|"
    r"deine meinung|tu opinión|su opinión)\W{0,3}$|"
    r"^\W{0,3}comments? (?:from|on|for) (?:this|these|our|[\w' ]{1,25}readers?)\b[^.!?]{0,30}$|"
    r"^\W{0,3}(?:have your say|join the (?:discussion|conversation|debate)|discuss this (?:story|article))"
    r"\W{0,3}$|"
    r"^\W{0,3}(?:\d+\s+)?(?:leser)?kommentare?(?:\s*\(\d+\))?\W{0,3}$|"
    r"^\W{0,3}(?:\d+\s+)?(?:commentaires?|réactions?|comentarios?|commenti)(?:\s*\(\d+\))?\W{0,3}$|"
    # the comment form's and the thread's buttons blog engines print in German, French and Spanish
    # ("Schreibe einen Kommentar", "Laisser un commentaire", "Deja un comentario", "Alle Kommentare anzeigen")
    r"^\W{0,3}(?:schreibe|schreiben sie|hinterlasse|hinterlassen sie|verfasse|verfassen sie)\s+"
    r"(?:einen|ihren|deinen)\s+kommentar\b.{0,40}$|"
    r"^\W{0,3}(?:(?:einen|ihren|deinen|neuen)\s+)?kommentar\s+(?:schreiben|verfassen|abgeben|hinterlassen)\W{0,3}$|"
    r"^\W{0,3}(?:\d+\s*)?(?:alle\s+)?(?:\d+\s+)?(?:leser)?kommentare?\s+(?:anzeigen|lesen|ansehen|einblenden)\W{0,3}$|"
    r"^\W{0,3}(?:laisser|laissez|écrire|écrivez|ajouter|ajoutez|rédiger|poster)\s+(?:un|votre)\s+commentaire\b.{0,40}$|"
    r"^\W{0,3}(?:deja|dejar|escribe|escribir|añade|añadir|publica|publicar)\s+(?:un|tu|su)\s+comentario\b.{0,40}$|"
    r"^\W{0,3}(?:deja|dejar)\s+una\s+respuesta\b.{0,40}$|^\W{0,3}hinterlasse\s+eine\s+antwort\b.{0,40}$|"
    # the sentences that open a comment section: an invitation, house rules, a closed thread, a post
    r"^\W{0,3}(?:do you have|have a view on this|thanks? (?:you )?for your) (?:comments?|feedback|story)\b|"
    r"^\W{0,3}(?:the following are|all|reader'?s?'?) comments? (?:from|subject to|are)\b|"
    r"^\W{0,3}comment (?:blog|rules|policy|guidelines)\b|"
    r"\bis pleased to let readers post comments\b|"
    r"^\W{0,3}posted by:? .{1,60}\b(?:on|at) .{0,30}\d{1,2}[:.]\d{2}\s*(?:am|pm)?\b",
    re.IGNORECASE,
)
_COMMENTS_START = KeywordRegex(
    _COMMENTS_START_RE,
    "comment",
    "respons",
    "reaction",
    "repl",
    "have your say",
    "join the",
    "discuss this",
    "kommentar",
    "réaction",
    "comentario",
    "thought",
    "antwort",
    "gedanke",
    "réponse",
    "réflexion",
    "respuesta",
    "conversation",
    "meinung",
    "opinión",
    "feedback",
    "story",
    "posted by",
)
_RELATED_START = re.compile(
    r"^\W{0,3}(?:related (?:stories|articles|news|links|content|posts|coverage|items)|"
    r"more (?:headlines|stories|news|top stories)(?: from [\w .'-]{1,30})?|[\w.' -]{0,20} headlines|"
    r"external links|most (?:read|popular|viewed|emailed|commented)|you (?:may|might) also like|"
    r"recommended for you|top stories|latest (?:news|stories|headlines)|in other news|"
    r"recent [\w ]{0,20} articles|other (?:stories|news|headlines)|"
    r"weitere (?:artikel|meldungen|nachrichten)|das könnte sie auch interessieren|"
    r"(?:à )?lire aussi|sur le même sujet|noticias relacionadas|te puede interesar|"
    r"also in [\w&' -]{1,30}|previously on [\w.' -]{1,30}|read on|latest updated [\w ]{1,20})\W{0,3}$",
    re.IGNORECASE,
)


# What follows a story's last sentence in wire and newspaper copy: contributor and contact notes,
# reproduction terms, the print edition it came from.
_ENDNOTE_START = re.compile(
    r"^\W{0,3}(?:\(?(?:writing|editing|compiled) by|"
    r"to contact the (?:reporter|writer|editor)|"
    r"write to [A-Z][\w.' -]{1,40} at|the full article contains \d+ words|(?:source|quelle|fuente): [\w.&' -]{1,40}$|"
    r"(?:redistribution|republication|reproduction)\b.{0,40}\b(?:prohibited|permission))",
    re.IGNORECASE,
)
_ENDNOTE_RE = re.compile(
    r"\bcontributed to this (?:report|story|article)\b|\bcan be (?:reached|contacted) at\b|"
    r"\bmay not be (?:re)?(?:published|reproduced|broadcast|redistributed)\b|"
    r"\b(?:was )?originally (?:published|appeared) (?:on page|in)\b|\bis a trade ?mark of\b|"
    r"\bnot responsible for the content\b|\bopinions expressed (?:in this|herein)\b|\bsourced direct from\b|"
    r"^\W{0,3}(?:©|\(c\)|copyright\b)|\ball rights reserved\b|"
    # citation suggestions, print-edition notes, letters to the editor
    r"^\W{0,3}(?:suggested citation|zitiervorschlag|zitierweise|cite (?:this|as)|pour citer cet article)\b|"
    r"\b(?:beitrag|artikel|text) (?:stammt|erschien) (?:aus|in) (?:der )?(?:ausgabe|heft)\b|"
    r"\b(?:appeared|appears) in the [\w ,.'-]{1,40} (?:print )?(?:issue|edition)\b|"
    r"\bletters? to the editor\b",
    re.IGNORECASE,
)
_ENDNOTE = KeywordRegex(
    _ENDNOTE_RE,
    "contributed to this",
    "can be",
    "may not be",
    "originally",
    "trade",
    "not responsible",
    "opinions expressed",
    "sourced direct",
    "©",
    "(c)",
    "copyright",
    "all rights reserved",
    "citation",
    "zitier",
    "cite",
    "stammt",
    "erschien",
    "appear",
    "to the editor",
)


# A line after the story that speaks to the reader about the piece itself: was it useful, share it,
# tell us what you think. The piece is named and the reader addressed (or asked).
_ABOUT_THE_PIECE = re.compile(
    r"\b(?:this|the|our|den|dieser|diesen|der|unser(?:en)?|cet|ce|notre|este|el)\s+"
    r"(?:article|story|post|piece|blog|magazine|artikel|beitrag|text|blog|magazin|klettermagazin|"
    r"site|newsletter|seite|artículo|nota|billet)\b",
    re.IGNORECASE,
)
_TO_THE_READER = re.compile(
    r"\?\s*$|\b(?:you|your|du|dir|dich|dein\w*|sie|ihnen|ihr|vous|votre|usted|tu)\b", re.IGNORECASE
)


def reader_prompt_text(text: str) -> bool:
    """ "War der Artikel nützlich?", "We want to hear what you think about this article."."""
    return (
        len(text) <= 100
        and _ABOUT_THE_PIECE.search(text) is not None
        and _TO_THE_READER.search(text) is not None
    )


# Disclosures set under (or over) a story: affiliate and advertiser notes, "the author's opinion, not the
# paper's", "no liability", medical review notes.
_DISCLOSURE_RE = re.compile(
    r"\b(?:(?:may|might|can) (?:receive|earn|get) (?:a )?(?:small )?(?:compensation|commission)|"
    r"affiliate[- ]links?|advertisers do not influence|independent review process|"
    r"(?:eine )?provision (?:erh[äa]lt|erhalten|bekommen)|provisions?-?links?|"
    r"do(?:es)? not necessarily (?:reflect|represent)|meinung des autors|"
    r"nicht (?:notwendigerweise|unbedingt) die (?:meinung )?der redaktion|"
    r"n'engagent que (?:leurs?|son|ses) auteurs?|no reflejan? necesariamente|"
    r"alle angaben ohne gew[äa]hr|ohne gew[äa]hr|"
    r"(?:von|by) (?:medizinern|(?:medical )?experts|(?:a )?doctors?) (?:geprüft|reviewed))",
    re.IGNORECASE,
)
_DISCLOSURE = KeywordRegex(
    _DISCLOSURE_RE,
    "compensation",
    "commission",
    "affiliate",
    "advertisers do not",
    "independent review",
    "provision",
    "not necessarily",
    "meinung des autors",
    "der redaktion",
    "n'engagent",
    "necesariamente",
    "ohne gew",
    "geprüft",
    "reviewed",
)


# The post's own filing note under a blog entry ("This entry was posted on ... and is filed under ...",
# "Der Beitrag wurde am ... veröffentlicht und wurde unter ... abgelegt"), and a server error printed into
# the page ("Warning: ... in /www/wp-includes/classes.php on line 407").
_FILING_NOTE_RE = re.compile(
    r"\b(?:posted|published|veröffentlicht|erstellt|geschrieben|publié|publicado)\b.{0,160}"
    r"\b(?:(?:is |was )?filed under|abgelegt|kategorisiert|classé dans|archivé dans|archivado en)\b|"
    r"\byou can follow any responses to this entry\b",
    re.IGNORECASE,
)
_FILING_NOTE = KeywordRegex(
    _FILING_NOTE_RE,
    "filed under",
    "abgelegt",
    "kategorisiert",
    "classé dans",
    "archivé dans",
    "archivado en",
    "you can follow any responses",
)
_SERVER_ERROR = re.compile(
    r"^(?:php )?(?:warning|notice|deprecated|fatal error|parse error|strict standards): .{1,300} on line \d+\s*$",
    re.IGNORECASE,
)


def filing_note_text(text: str) -> bool:
    """A blog post's "posted on ... filed under ..." note, or a PHP error line printed into the page."""
    return len(text) <= 400 and (
        _FILING_NOTE.search(text) is not None or _SERVER_ERROR.match(text) is not None
    )


def disclosure_text(text: str) -> bool:
    """An affiliate, opinion or liability disclosure as a line of its own."""
    return len(text) <= 300 and _DISCLOSURE.search(text) is not None


def endnote_text(text: str) -> bool:
    """A note after the story: who contributed or can be reached, reproduction terms, the print source.

    Only a line of its own: a credit run on at the end of the last paragraph stays with the paragraph.
    """
    return len(text) <= 300 and (
        _ENDNOTE_START.match(text) is not None
        or (len(text) <= 160 and _ENDNOTE.search(text) is not None)
        or reader_prompt_text(text)
    )


# The verb a third-person author bio opens with, after the author's name ("Martin has worked as ...",
# "TIM ANDERSON has done many amazing things", "Jana Weber ist Redakteurin ...").
_BIO_VERB = re.compile(
    r"^,?\s+(?:is|was|has|had|writes|wrote|covers|joined|lives|works|holds|studied|teaches|"
    r"ist|war|hat|schreibt|lebt|arbeitet|studierte|est|a|vit|travaille|écrit|es|ha|vive|trabaja|escribe)\b",
    re.IGNORECASE,
)
BIO_MAX_CHARS = 600


def author_bio_text(text: str, authors: tuple[str, ...]) -> bool:
    """A short paragraph that opens with the story's author (full, first or last name) and a bio verb."""
    if len(text) > BIO_MAX_CHARS or not authors:
        return False
    low = text.casefold()
    for name in authors:
        parts = name.split()
        for key in {name, parts[0], parts[-1]} if parts else ():
            if len(key) >= 3 and low.startswith(key.casefold()) and _BIO_VERB.match(text[len(key) :]):
                return True
    return False


_SPACED_LETTERS = re.compile(r"^(?:\w ){3,}\w$")
# A rule of underscores, dashes or equals signs: wire copy sets its end notes (contributors, "On the
# Net" links) apart with one. Asterisks are left alone: features use "* * *" between sections.
_SEPARATOR = re.compile(r"^[_=~-]{2,}$|^[_=]$")


def separator_text(text: str) -> bool:
    """A rule drawn with characters ("___", "-----", "=")."""
    return len(text) <= 160 and _SEPARATOR.match(text.replace(" ", "")) is not None


def tail_start_text(text: str) -> bool:
    """A line that opens a comment thread or a list of other stories ("Comments (12)", "B.C. Headlines")."""
    if len(text) > 160:
        return False
    if _SPACED_LETTERS.match(text):  # "R E A D E R C O M M E N T S": a heading set letter by letter
        return re.search(r"(?i)comment|kommentar|r[ée]action|respons", text.replace(" ", "")) is not None
    return (len(text) <= 80 and _RELATED_START.match(text) is not None) or _COMMENTS_START.search(
        text
    ) is not None
