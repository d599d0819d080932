"""Disclaimers and legal lines set as paragraphs of the body: the site speaking about its own pages.

With familiar names these boxes ("disclaimer", "legal", "license") are cut as chrome; an unseen
template leaves them as the body's last lines. What they say gives them away, not where they sit: a line
opening with its label ("Disclaimer:", "Advertising Disclosure", "Haftungsausschluss:", "Aviso legal:"),
a note about the site's disclaimer ("The advertising disclaimer below does not apply to this article"),
the licence the site's texts are under ("Texte auf dieser Webseite stehen unter einer Creative Commons
... Lizenz"), whose views the piece gives ("The views expressed are the author's own") and the
corrections policy ("Corrections: If you are aware of an inaccuracy ...") and the reproduction terms
of wire copy ("Any copying, republication or redistribution of Reuters content ... is expressly
prohibited without the prior written consent of Reuters"), longer than the short rights lines the end
notes already drop. A story about a disclaimer, a licence, a correction or a copyright case reports on
someone else's, in the third person, and stays.
"""

from __future__ import annotations

import re

DISCLAIMER_MAX_CHARS = 700
_WORD = (
    r"(?:disclaimers?|disclosures?|haftungsausschlu(?:ss|ß)|rechtlicher hinweis|avertissement|"
    r"clause de non-responsabilité|aviso legal|descargo de responsabilidad|exención de responsabilidad)"
)
# The label opens the line: up to two words before it ("Editorial Disclaimer", "Advertising
# Disclosure"), then a colon, a bracketed aside, or nothing more.
_LABELLED = re.compile(
    r"(?i)^\W{0,3}(?:[^\W\d_]+\s+){0,2}" + _WORD + r"\s*(?:\([^()]{0,80}\)\s*)?(?::|[-–—]\s|$)"
)
# A line about the site's own disclaimer, its pages, or the piece.
_ABOUT_DISCLAIMER = re.compile(r"(?i)\b" + _WORD + r"\b")
_OWN_PAGES = re.compile(
    r"(?i)\b(?:this|the|our)\s+(?:article|story|post|site|website|page|blog|editorial|work|content)\b|"
    r"\b(?:diese[mnrs]?|unsere[mnrs]?)\s+(?:artikel|beitrag|seite|webseite|website|blog|texte?|werk|inhalte?)\b|"
    r"\b(?:cet|ce|cette|notre)\s+(?:article|site|blog|œuvre|contenu)\b|"
    r"\b(?:este|esta|nuestro)\s+(?:artículo|sitio|blog|obra|contenido)\b"
)
_LICENCE = re.compile(
    r"(?i)\bcreative[ -]commons\b|\bcc[ -]by(?:-[a-z]{2})*\b|\bgnu free documentation\b|\bopen[ -]content\b"
)
_LICENSED = re.compile(
    r"(?i)\b(?:licen[cs]ed|licen[cs]e|lizenz\w*|lizensiert|licence|licencia|licenciad[oa]s?|sous licence)\b"
)
_VIEWS = re.compile(
    r"(?i)\b(?:views|opinions) expressed\b.{0,120}\b(?:authors?|writers?|contributors?)\b|"
    r"\b(?:geäußerten?|wiedergegebenen?) (?:meinung|ansichten?)\b.{0,120}\b(?:autor\w*|verfasser\w*)\b|"
    r"\bopinions exprimées\b.{0,120}\bauteurs?\b|\bopiniones expresadas\b.{0,120}\bautor\w*\b"
)
_CORRECTIONS = re.compile(
    r"(?i)^\W{0,3}(?:corrections?|korrekturen|rectificatifs?|correcciones|fe de erratas)\s*:.{0,200}"
    r"\b(?:you|your|sie|vous|usted)\b"
)
# Reproduction terms: a copying verb and a prohibition, in the site's legal register ("expressly
# prohibited", "prior written consent"), about the site's content; or a rights notice that opens the line.
_COPYING = re.compile(
    r"(?i)\b(?:copying|republication|redistribution|reproduction|republished|redistributed|rewritten|"
    r"nachdruck|vervielfältigung|weiterverbreitung|reproducción|redistribución|rediffusion)\b"
)
_PROHIBITED = re.compile(
    r"(?i)\b(?:(?:expressly|strictly) prohibited|prior written (?:consent|permission|authority|agreement)|"
    r"may not be (?:re)?(?:published|reproduced|broadcast|redistributed)|without the written agreement|"
    r"nur mit (?:vorheriger )?(?:schriftlicher )?(?:genehmigung|zustimmung)|(?:ist )?untersagt|"
    r"(?:strictement |formellement )?interdite?s?|(?:queda )?(?:totalmente |expresamente )?prohibid[ao]s?)\b"
)
_OWNED = re.compile(
    r"(?i)\b(?:content|material|news|information|inhalte?|beiträge?|artikel|contenus?|contenidos?|"
    r"informaci[oó]n|verlag\w*|herausgeber\w*|redaktion|publisher|éditeur|editorial)\b"
)
_RIGHTS_OPENING = re.compile(
    r"(?i)^\W{0,3}(?:all content is )?(?:©|\(c\)|copyright\b).{0,120}\b(?:all rights reserved|"
    r"alle rechte vorbehalten|tous droits réservés|todos los derechos reservados)\b"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# Words every such line holds (casefolded: "geäußert" folds to "geäussert"); a page or a line without any
# is passed over before a regex runs.
_KEYS = (
    "disclaim",
    "disclos",
    "haftung",
    "hinweis",
    "avertissement",
    "responsabilit",
    "aviso",
    "descargo",
    "exenci",
    "commons",
    "cc by",
    "cc-by",
    "gnu",
    "open content",
    "open-content",
    "expressed",
    "geäu",
    "wiedergegeben",
    "exprimées",
    "expresadas",
    "correc",
    "korrektur",
    "rectificatif",
    "erratas",
)
# Words every reproduction term or rights notice holds. Such terms close wire copy, so the page's last
# ``TERMS_TAIL_CHARS`` are what is looked at for them.
TERMS_TAIL_CHARS = 3000
_TERMS_KEYS = (
    "copying",
    "republi",
    "redistribu",
    "reproduc",
    "rewritten",
    "nachdruck",
    "vervielf",
    "weiterverbreitung",
    "rediffusion",
    "rights reserved",
    "rechte vorbehalten",
    "droits réservés",
    "derechos reservados",
)


def disclaimer_line(text: str) -> bool:
    """A line that is the site's disclaimer, licence notice, views note or corrections policy."""
    if len(text) > DISCLAIMER_MAX_CHARS:
        return False
    low = text.casefold()
    if not any(key in low for key in _KEYS) and not any(key in low for key in _TERMS_KEYS):
        return False  # most lines hold none of the words every such line must contain
    if _LABELLED.match(text) or _VIEWS.search(text) or _CORRECTIONS.match(text):
        return True
    if _ABOUT_DISCLAIMER.search(text) and _OWN_PAGES.search(text):
        return True
    if _RIGHTS_OPENING.match(text) or _reproduction_terms(text):
        return True
    return bool(_LICENCE.search(text) and _LICENSED.search(text) and _OWN_PAGES.search(text))


def _reproduction_terms(text: str) -> bool:
    """A copying verb and the legal register's prohibition in one sentence about the site's content."""
    return any(
        _COPYING.search(part) and _PROHIBITED.search(part) and _OWNED.search(part)
        for part in _SENTENCE.split(text)
    )


def drop_disclaimers(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the site's disclaimers and legal lines."""
    page = "\n".join(paragraphs).casefold()
    tail = page[-TERMS_TAIL_CHARS:]
    if not any(key in page for key in _KEYS) and not any(key in tail for key in _TERMS_KEYS):
        return paragraphs  # one look at the page's words before one per line
    if not any(disclaimer_line(text) for text in paragraphs):
        return paragraphs
    return [text for text in paragraphs if not disclaimer_line(text)]
