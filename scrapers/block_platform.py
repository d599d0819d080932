"""What a blog platform prints around a post: its like and share widgets' labels and its post footer.

With familiar names the widgets' boxes ("sharedaddy", "jp-relatedposts", "post-footer") are cut as
chrome; an unseen template (or one whose names are generated) leaves their words as lines of the body:
"Gefällt mir:" over "Gefällt mir Wird geladen …", "Like this:" over "Like Loading...", "Mit Freunden
teilen", and Blogger's "Eingestellt von NAME um 21:11" ("Posted by NAME at 9:11 PM"). Each is a short
line in the platform's fixed words, in the site's language, with nothing of the story in it. A story
quoting such words sets them in a sentence, and a tutorial's "like this:" before an example is no
whole line with a loading note under it.
"""

from __future__ import annotations

import re

PLATFORM_LINE_MAX_CHARS = 80

_LIKE = r"(?:gefällt mir|liken|like|j['’]aime|me gusta|mi piace)"
_LOADING = r"(?:wird geladen|lade|loading|chargement|cargando|caricamento)"
_ELLIPSIS = r"\s*(?:\.{2,3}|…)"
# "Gefällt mir Wird geladen …", "Like Loading...", "J'aime chargement…": the like button as text.
_LIKE_LOADING = re.compile(r"(?i)^\W{0,3}" + _LIKE + r"\s+" + _LOADING + _ELLIPSIS + r"\W{0,3}$")
# "Wird geladen …", "Loading...": the widget's placeholder alone.
_LOADING_ALONE = re.compile(r"(?i)^\W{0,3}" + _LOADING + _ELLIPSIS + r"\W{0,3}$")
# "Gefällt mir:", "Like this:", "J'aime ça :", "Me gusta esto:": the label over the like button, which
# counts only over it (or as the body's last line), since "like this:" may introduce an example.
_LIKE_LABEL = re.compile(r"(?i)^\W{0,3}" + _LIKE + r"(?:\s+(?:this|das|ça|cela|esto))?\s*:\W{0,3}$")
# "Mit Freunden teilen", "Share with friends", "Partager avec vos amis", "Compartir con tus amigos".
_SHARE_LABEL = re.compile(
    r"(?i)^\W{0,3}(?:(?:mit (?:deinen |ihren )?freunden|auf \w+) teilen|teilen mit|"
    r"share (?:with (?:your )?friends|on \w+)|partager (?:avec (?:vos|tes) amis|sur \w+|ceci)|"
    r"compartir (?:con (?:tus |sus )?amigos|en \w+|esto))\s*:?\W{0,3}$"
)
# Blogger's post footer: "Eingestellt von der Michel um 21:11", "Posted by Anna at 9:11 PM", "Publié par
# Marie à 21:11", "Publicado por Juan a las 21:11".
_POSTED_AT = re.compile(
    r"(?i)^\W{0,3}(?:posted|eingestellt|veröffentlicht|publié|publicado|pubblicato)\s+"
    r"(?:by|von|par|por|da)\s+\S.{0,40}?\s+(?:at|um|à|a las|en|alle)\s+\d{1,2}[:.h]\d{2}"
    r"(?:\s*[ap]\.?\s?m\.?|\s*uhr)?\W{0,3}$"
)
_KEYS = (
    "gefällt",
    "like",
    "aime",
    "gusta",
    "piace",
    "geladen",
    "lade",
    "loading",
    "chargement",
    "cargando",
    "caricamento",
    "teilen",
    "share",
    "partager",
    "compartir",
    "posted",
    "eingestellt",
    "veröffentlicht",
    "publié",
    "publicado",
    "pubblicato",
)


def platform_line(text: str, next_text: str | None) -> bool:
    """``text`` is a like or share widget's line or the platform's post footer; ``next_text`` is the
    line under it (None at the body's end)."""
    if len(text) > PLATFORM_LINE_MAX_CHARS:
        return False
    if _LIKE_LOADING.match(text) or _LOADING_ALONE.match(text) or _SHARE_LABEL.match(text):
        return True
    if _POSTED_AT.match(text):
        return True
    if _LIKE_LABEL.match(text):
        return next_text is None or _LIKE_LOADING.match(next_text) is not None
    return False


def drop_platform_lines(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the platform's widget lines and post footer (a paragraph's lines are
    looked at one by one: a widget's label and button may share one)."""
    page = "\n".join(paragraphs).casefold()
    if not any(key in page for key in _KEYS):
        return paragraphs  # one look at the page's words before one per line
    lines = [line for text in paragraphs for line in text.split("\n")]
    doomed = {
        i
        for i, line in enumerate(lines)
        if platform_line(line.strip(), lines[i + 1].strip() if i + 1 < len(lines) else None)
    }
    if not doomed:
        return paragraphs
    kept: list[str] = []
    at = 0
    for text in paragraphs:
        count = text.count("\n") + 1
        left = [line for i, line in enumerate(text.split("\n"), at) if i not in doomed]
        at += count
        if left:
            kept.append("\n".join(left))
    return kept
