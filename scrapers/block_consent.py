"""Consent lines set in the body: the cookie notice and the "load external content" placeholder.

With familiar names the consent banner is cut by its box ("cookie", "consent", "cmp-"); an unseen
template's banner, or an embed's placeholder asking to load a video or a map, leaves its lines between
the story's paragraphs. They speak to the reader about the site's own use of cookies or its external
content, and ask for consent: the site's voice ("we use cookies", "verwenden wir Cookies"), the
reader addressed ("you", "Sie"), and a consent or loading word. A story about cookie rules reports
what others must ask, in the third person, and stays.
"""

from __future__ import annotations

import re

CONSENT_MAX_CHARS = 400

_SUBJECT = re.compile(
    r"(?i)\bcookies?\b|\b(?:externe[nr]?|external|externos?|externes?)\s+(?:\w+\s+)?"
    r"(?:inhalte?|content|contenus?|contenidos?|medien|media)\b|"
    # "den Inhalt von www.komoot.de", "content from twitter.com": a host's content held back
    r"\b(?:inhalte?|content) (?:von|from) (?:www\.)?[\w-]+\.[a-z]{2,}\b"
)
_ASKS = re.compile(
    r"(?i)\b(?:akzeptier\w*|accept\w*|zustimm\w*|stimmen sie|einverstanden|agree\w*|consent\w*|"
    r"einwillig\w*|erlaubnis|laden|load\w*|anzeigen|entsperren|unblock|aceptar?|acepto|accepter|"
    r"autoris\w+|charger|cargar)\b"
)
# The site speaking to its reader: "we", "our", "you", "Sie", "Ihr", and their kin.
_ADDRESS = re.compile(
    r"(?i)\b(?:we|our|you|your|wir|unsere?[mnrs]?|sie|ihre?[mnrs]?|du|dein\w*|nous|notre|vous|votre|"
    r"usted|nosotros|nuestr\w+|klicken|click|klick)\b"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_KEYS = ("cookie", "extern", "inhalt", "content")


def consent_line(text: str) -> bool:
    """A line asking the reader to accept cookies or to load external content."""
    if len(text) > CONSENT_MAX_CHARS:
        return False
    low = text.casefold()
    if not any(key in low for key in _KEYS):
        return False  # most lines hold none of the words every consent line must contain
    if _ADDRESS.search(text) is None:
        return False
    # the ask and its subject in one sentence: a privacy statement's "Cookies finden keine Anwendung"
    # beside a sentence about loading fonts asks nothing
    return any(_SUBJECT.search(part) and _ASKS.search(part) for part in _SENTENCE.split(text))


def drop_consent_lines(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the lines asking for consent to cookies or external content."""
    if not any(consent_line(text) for text in paragraphs):
        return paragraphs
    return [text for text in paragraphs if not consent_line(text)]
