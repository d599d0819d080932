"""The site's colophon under the story: who publishes it, its masthead, and the site talking about itself.

With familiar names the colophon box ("site-info", "masthead", "publisher-box") is cut as chrome; an
unseen template leaves its lines after the story: "A publication by the Path Publishing Group.", "Darren
Totem, Publisher" over "Andrew Derringer, Editor", "Our online news publishes a local news story
regularly.", "Come see us again.", "For complete area coverage pick up a newspaper copy at a store near
you.", "Have a story tip? Contact us." Each is the site speaking of itself: who publishes it, who edits
it, what it is ("our newspaper", "unsere Redaktion"), how to reach it with a tip, where to buy its print
copy, an invitation to come back. A story reports on other people's newspapers and tips in the third
person; its own last line names no publisher of the page. Some of these shapes could close a story (an
editor quoted by name and title, "our paper" in an editorial), so those count only beside another
colophon line after the story; the site's masthead and its "publication by" line count alone.
"""

from __future__ import annotations

import re

# A story this long is told before a colophon line counts: the head of a page is another rule's business.
COLOPHON_STORY_MIN_CHARS = 400
COLOPHON_LINE_MAX_CHARS = 250
# A short label right over a colophon line ("Local News Leader") is its box's name.
COLOPHON_LABEL_MAX_CHARS = 40

_ROLE = (
    r"(?:publisher|(?:managing |executive |news |senior )?editor(?:[- ]in[- ]chief)?|herausgeber(?:in)?|"
    r"chefredakt(?:eur|eurin|ion)|redaktionsleitung|rédact(?:eur|rice) en chef|directeur de (?:la )?publication|"
    r"editora?|editor(?:a)? jefe)"
)
# "A publication by the Path Publishing Group.", "Ein Angebot der Mediengruppe X", "Une publication du
# groupe X", "Una publicación de Grupo X": the page's own publisher.
_PUBLISHED_BY = re.compile(
    r"(?i)^\W{0,3}(?:(?:a|an) (?:publication|service|product|website|property|member) (?:of|by|from)|"
    r"(?:ein|eine) (?:publikation|angebot|service|produkt|website|internetangebot) (?:der|des|von)|"
    r"une? (?:publication|service|site|produit) (?:de|du|des)|"
    r"una? (?:publicación|servicio|sitio|producto) (?:de|del))\b"
)
# The masthead: "Darren Totem, Publisher", "Editor: Lu Hui", "Herausgeber: Jan Weber".
_MASTHEAD = re.compile(
    r"(?:^[A-ZÄÖÜ][\w.'’-]*(?:\s+[A-ZÄÖÜ][\w.'’-]*){1,3},\s*(?i:" + _ROLE + r")\.?$|"
    r"^(?i:" + _ROLE + r")\s*:\s*[A-ZÄÖÜ][\w.'’-]*(?:\s+[A-ZÄÖÜ][\w.'’-]*){1,3}\.?$)"
)
# The site in its own voice: "Our online news publishes ...", "unsere Redaktion", "notre rédaction".
_OWN_SITE = re.compile(
    r"(?i)\b(?:our|unser\w*|notre|nuestr[oa]) (?:online |local |daily |weekly )?(?:news(?:paper)?|paper|"
    r"site|website|publication|newsroom|zeitung|redaktion|journal|rédaction|périodique|periódico|diario|"
    r"redacción)\b"
)
# How to reach it with a story: "Have a story tip?", "news tips that you would like us to follow up on",
# "Hinweise an die Redaktion", "Vous avez une info ?", "¿Tienes una noticia?".
_TIPS = re.compile(
    r"(?i)\b(?:(?:news|story) tips?|tip us|submit (?:a|your) (?:story|news)|story to submit|"
    r"hinweise? an (?:die|unsere) redaktion|themenvorschläge?|vous avez une info|"
    r"tienes una (?:noticia|historia|denuncia)|envíanos tu (?:noticia|historia|denuncia))\b"
)
# Where to buy its print copy: "pick up a newspaper copy at a store near you".
_PRINT_COPY = re.compile(
    r"(?i)\b(?:pick up|buy|grab|get) (?:a|the|your|today's) (?:\w+ )?(?:newspaper|paper|print edition)\b|"
    r"\b(?:newspaper|print) copy\b|\bam kiosk\b|\ben kiosque\b|\ben (?:tu|su) quiosco\b"
)
# An invitation to come back: "Come see us again.", "Besuchen Sie uns bald wieder!".
_COME_BACK = re.compile(
    r"(?i)^\W{0,3}(?:come (?:see|visit|back to) us (?:again|soon)|please come (?:back|again)|"
    r"besuchen sie uns (?:bald )?wieder|besuch(?:e|t) uns (?:bald )?wieder|revenez nous voir|"
    r"vuelve pronto|visítanos (?:de nuevo|pronto))\W{0,3}$"
)
_SENTENCE_END = re.compile(r"[.!?…:]\s*$")
_KEYS = (
    "publication",
    "publikation",
    "publicación",
    "service",
    "servicio",
    "product",
    "produkt",
    "website",
    "angebot",
    "publisher",
    "editor",
    "herausgeber",
    "chefredakt",
    "rédact",
    "director",
    "our ",
    "unser",
    "notre",
    "nuestr",
    "tip",
    "submit",
    "hinweis",
    "themenvorschl",
    "info",
    "noticia",
    "historia",
    "paper",
    "print",
    "kiosk",
    "kiosque",
    "quiosco",
    "again",
    "wieder",
    "revenez",
    "vuelve",
    "visítanos",
    "redaktion",
    "property",
    "member",
    "site",
    "sitio",
    "denuncia",
    "come back",
    "soon",
)


def colophon_strength(text: str) -> int:
    """2 for a line that is the site's colophon on its own (its publisher, its masthead), 1 for one that
    is only beside another (the site's own voice, a tip line, its print copy, an invitation back), 0 for
    none. A paragraph's lines count one by one: a masthead sets a name and a role a line."""
    if len(text) > COLOPHON_LINE_MAX_CHARS:
        return 0
    low = text.casefold()
    if not any(key in low for key in _KEYS):
        return 0  # most short lines hold none of the words every colophon line must contain
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if _PUBLISHED_BY.match(text) or any(_MASTHEAD.match(line) for line in lines):
        return 2
    if _OWN_SITE.search(text) or _TIPS.search(text) or _PRINT_COPY.search(text) or _COME_BACK.match(text):
        return 1
    return 0


def _label(text: str) -> bool:
    return len(text) <= COLOPHON_LABEL_MAX_CHARS and _SENTENCE_END.search(text) is None


def drop_colophon(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the site's colophon lines set after the story, and a label right over one.

    A colophon closes the body: only its closing run of short lines is read, so a page pays for the few
    lines after its last paragraph of prose, not for every line."""
    closing = len(paragraphs)
    while closing > 0 and len(paragraphs[closing - 1]) <= COLOPHON_LINE_MAX_CHARS:
        closing -= 1
    told = sum(len(text) for text in paragraphs[:closing])
    strength: dict[int, int] = {}
    for i in range(closing, len(paragraphs)):
        if told >= COLOPHON_STORY_MIN_CHARS:
            found = colophon_strength(paragraphs[i])
            if found:
                strength[i] = found
        told += len(paragraphs[i])
    if not strength or (len(strength) == 1 and 2 not in strength.values()):
        return paragraphs
    doomed = set(strength)
    doomed.update(i - 1 for i in strength if i > 0 and i - 1 not in strength and _label(paragraphs[i - 1]))
    return [text for i, text in enumerate(paragraphs) if i not in doomed]
