"""A picture's credit set as a line of the body: "Photograph by NAME", or a caption closed by one.

With familiar names a figure's caption and credit sit in boxes the cleaner cuts ("caption", "credit");
``<figcaption>`` gives them away by tag. An unseen template sets them in plain ``<div>`` or ``<p>``
elements between the story's paragraphs, where they read as short lines of prose. Their words give them
away: a line that opens with the picture and its maker ("Photograph by", "Photo:", "Crédito:") and says
nothing else, or a short line that closes with one (", photo: Archives", "© Agency | NAME"). A sentence
of the story that mentions a photograph goes on after it, or ends as a sentence does, and stays.
"""

from __future__ import annotations

import re

# A credit line is at most this long; a caption closed by a credit at most ``CAPTION_MAX_CHARS``.
CREDIT_MAX_CHARS = 100
CAPTION_MAX_CHARS = 250

_PICTURE = (
    r"(?:photo(?:graph)?s?|pictures?|images?|imagen(?:es)?|imágenes|illustrations?|fotos?|fotografien?|bilder?|"
    r"crédits?(?: photos?)?|créditos?|credits?|photographie)"
)
# The whole line: the picture, its maker after "by"/"von"/"de" or a colon, and nothing that ends a
# sentence (a dot inside a name, "D.A.Press", does not).
_CREDIT_LINE = re.compile(
    r"(?i)^\W{0,2}" + _PICTURE + r"\s*(?:(?:by|von|de|por)\b|:)\s*[^\W_](?:[^.!?]|\.(?=\S))*$"
)
# The end of a caption: ", photo: NAME", "(credit: NAME)" or "© AGENCY | NAME".
_CREDIT_END = re.compile(
    r"(?i)(?:[,.;(]\s*|\s)" + _PICTURE + r"\s*:\s*[^\W_](?:[^.!?:]|\.(?=\S)){1,60}$|©\s*[^\W_][^©!?]{1,80}$"
)
# Stock and picture agencies, whose name closes a caption after a bar, a slash or a parenthesis
# ("Rep. Mark Meadows. | Alex Wong/Getty Images", "(mlharing / iStock.com)"), or makes a credit line
# with the photographer's name ("iStock/Gargonia"); "(Pic:PA)" and "(Symbolbild)" close a caption too.
_AGENCY = (
    r"(?:getty\s?images|istock(?:photo)?(?:\.com)?|shutterstock(?:\.com)?|adobe\s?stock|imago(?:\s?images)?|"
    r"picture[- ]alliance|unsplash(?:\.com)?|pixabay(?:\.com)?|fotolia|123rf(?:\.com)?|dreamstime|alamy)"
)
_AGENCY_END = re.compile(
    r"(?i)[|(/]\s*[^|()]{0,40}?" + _AGENCY + r"\s*\)?\.?$|"
    r"^\W{0,2}" + _AGENCY + r"\s*/\s*[^\W_][^.!?/]{0,40}$|"
    r"\((?:pics?|symbolbild|symbolfoto|archivbild|archivfoto)\b[^()]{0,60}\)\.?$"
)
_KEYS = (
    "photo",
    "pict",
    "image",
    "imág",
    "illustr",
    "foto",
    "bild",
    "créd",
    "cred",
    "©",
    "pic",
    "stock",
    "getty",
)
_AGENCY_KEYS = (
    "getty",
    "istock",
    "shutterstock",
    "stock",
    "imago",
    "alliance",
    "unsplash",
    "pixabay",
    "fotolia",
    "123rf",
    "dreamstime",
    "alamy",
    "pic",
    "symbol",
    "archiv",
)


# A wire photo's caption runs to a few sentences (who, where, when, and the news behind the picture) and
# closes with the photo's credit: "(AP Photo/Eric Risberg)", "(Alex Wong/Getty Images)", "Photograph by
# NAME / AFP.", "(Foto: dpa/NAME)". That credit ends no sentence of a story.
WIRE_CAPTION_MAX_CHARS = 800
_WIRE_AGENCY = r"(?:AP|AFP|EPA|Reuters|Getty Images|CP|PA|dpa|Bloomberg|Xinhua|ANSA|EFE|Keystone|APA)"
_WIRE_CREDIT_END = re.compile(
    r"\((?:" + _WIRE_AGENCY + r"\s+)?(?i:photos?|fotos?)\s*/\s*[^()]{2,80}\)\s*\.?$|"
    r"\((?:[^()/\s]+\s+){1,4}[^()/\s]+\s*/\s*" + _WIRE_AGENCY + r"(?:\s*/\s*[^()/]{2,40})?\)\s*\.?$|"
    r"(?i:photo(?:graph)?|foto|picture|bild)\s+(?i:by|von|par|por|de)\s+[^.!?()]{2,60}/\s*"
    + _WIRE_AGENCY
    + r"\.?$"
)


def wire_caption(text: str) -> bool:
    """A caption of a few sentences closed by a wire photo's credit."""
    if len(text) > WIRE_CAPTION_MAX_CHARS or "\n" in text or "/" not in text[-100:]:
        return False  # every such credit names its maker and its agency with a slash
    return _WIRE_CREDIT_END.search(text) is not None


def credit_line(text: str) -> bool:
    """A line that is a picture's credit, or a caption closed by one."""
    if len(text) > CAPTION_MAX_CHARS or "\n" in text:
        return wire_caption(text)
    if wire_caption(text):
        return True
    low = text.casefold()
    if not any(key in low for key in _KEYS):
        return False  # most lines hold none of the words every credit must contain
    if len(text) <= CREDIT_MAX_CHARS and _CREDIT_LINE.match(text):
        return True
    if _CREDIT_END.search(text) is not None:
        return True
    return any(key in low for key in _AGENCY_KEYS) and _AGENCY_END.search(text) is not None


def drop_credit_lines(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the lines that are a picture's credit or a caption closed by one."""
    if not any(credit_line(text) for text in paragraphs):
        return paragraphs
    return [text for text in paragraphs if not credit_line(text)]
