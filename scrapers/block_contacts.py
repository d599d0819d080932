"""Press and media contacts under the story: a "Press contact" label and the lines it introduces.

With familiar names the contact box ("press-contact", "kontakt") is cut as chrome; an unseen template
sets it in plain boxes after the story, where its lines (a spokesperson's name, an address, "Tel.: ...
E-Mail: ...") read as short lines of the body, and the issuer's closing blurb and a donation line often
follow. Its label and its shape give it away: a short line naming the press or the media as the ones to
contact ("Pressekontakt", "Media contacts", "Contact presse", "Contacto de prensa"), after the story, with
a phone number or an e-mail address in the lines it introduces. A story that mentions a press office
goes on in sentences and has no contact details under it, so it stays.
"""

from __future__ import annotations

import re

# The story told before the label, and how much may follow it for everything after it to go; a longer
# tail loses only the label and the short lines under it.
CONTACT_STORY_MIN_CHARS = 400
CONTACT_AFTER_MAX_CHARS = 1000
CONTACT_LABEL_MAX_CHARS = 60
# The contact details sit within this many lines under the label, each line at most this long.
CONTACT_LINES = 4
CONTACT_LINE_MAX_CHARS = 200
# A line of its own that opens with the label and gives the details ("Media contact: Jane Roe, +1 ...").
CONTACT_INLINE_MAX_CHARS = 300

_LABEL = (
    r"(?:(?:press|media|news)[ -]?(?:contacts?|inquiries|enquiries|office|relations)|"
    r"(?:contacts?|enquiries|inquiries) for (?:the )?(?:press|media|journalists)|"
    r"for (?:media|press) (?:inquiries|enquiries|information)|"
    r"presse-?\s?kontakte?|medien-?\s?kontakte?|pressestelle|pressesprecher\w*|presseanfragen|"
    r"(?:kontakt|ansprechpartner\w*) für (?:die )?(?:presse|medien\w*|journalist\w*)|"
    r"contacts? (?:presse|médias?|pour la presse|pour les médias)|relations? (?:presse|médias)|"
    r"contactos? (?:de|para) (?:prensa|medios)|contacto con (?:la )?prensa|"
    r"(?:oficina|gabinete) de prensa)"
)
_LABEL_LINE = re.compile(r"(?i)^\W{0,3}" + _LABEL + r"\s*:?\s*$")
_LABEL_OPENS = re.compile(r"(?i)^\W{0,3}" + _LABEL + r"\s*:")
# An e-mail address, also spelled "[at]".
_EMAIL = re.compile(r"(?i)[\w.+-]+(?:@|\s?[\[(]at[\])]\s?)[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}")
# Contact details: an e-mail address, or a phone or fax number after its label or in international form.
_CONTACT = re.compile(
    _EMAIL.pattern + r"|\be-?mail\b\s*:|"
    r"\b(?:tel|telefon|telephone|téléphone|teléfono|phone|fon|fax|mobil|mobile|cell|tél)\b\.?\s*:?\s*\+?[\d(]"
    r"[\d ()/.-]{5,}|\+\d{1,3}[\d ()/.-]{7,}"
)
_KEYS = (
    "press",
    "media",
    "news",
    "medien",
    "contact",
    "kontakt",
    "ansprech",
    "prensa",
    "relation",
    "journalist",
)


def _label(text: str) -> bool:
    if len(text) > CONTACT_LABEL_MAX_CHARS:
        return False
    low = text.casefold()
    return any(key in low for key in _KEYS) and _LABEL_LINE.match(text) is not None


def _inline_contact(text: str) -> bool:
    """ "Media contact: Jane Roe, +1 202 555 0143, jane.roe@example.org" as one line."""
    if len(text) > CONTACT_INLINE_MAX_CHARS:
        return False
    low = text[:CONTACT_LABEL_MAX_CHARS].casefold()
    return (
        any(key in low for key in _KEYS)
        and _LABEL_OPENS.match(text) is not None
        and _CONTACT.search(text) is not None
    )


def _details_under(paragraphs: list[str], i: int) -> int:
    """Index one past the short lines under the label ``i``, or -1 when none of the first
    ``CONTACT_LINES`` gives a contact detail."""
    end = i + 1
    while end < len(paragraphs) and len(paragraphs[end]) <= CONTACT_LINE_MAX_CHARS:
        end += 1
    if not any(_CONTACT.search(text) for text in paragraphs[i + 1 : i + 1 + CONTACT_LINES]):
        return -1
    return end


def cut_press_contacts(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the press contact set after the story: from its label to the end when
    little follows it, else the label and its short lines; a one-line contact on its own goes too."""
    page = "\n".join(paragraphs).casefold()
    if not any(key in page for key in _KEYS):
        return paragraphs  # every label holds one of the words: most pages stop here
    told = 0
    total = sum(len(text) for text in paragraphs)
    for i, text in enumerate(paragraphs):
        if told >= CONTACT_STORY_MIN_CHARS:
            if _label(text):
                end = _details_under(paragraphs, i)
                if end > 0:
                    if total - told - len(text) <= CONTACT_AFTER_MAX_CHARS:
                        return paragraphs[:i]
                    return paragraphs[:i] + cut_press_contacts(paragraphs[end:])
            elif _inline_contact(text):
                return paragraphs[:i] + cut_press_contacts(paragraphs[i + 1 :])
        told += len(text)
    return paragraphs


# A line that is little more than an e-mail address: the writer's or the desk's address set under the
# story ("jbotchford@png.canwest.com", "Kontakt: d.toelle[at]rechtambild.de –", "Contact Star columnist
# David Lassen at dlassen@venturacountystar.com."). A sentence that gives an address says more around it.
ADDRESS_LINE_MAX_CHARS = 120
ADDRESS_LINE_MAX_WORDS = 8
# A writer signs once or twice; a run of addresses (a table of MPs and their e-mails) is the story's own
# list, and stays whole.
ADDRESS_LINES_MAX = 3
_WORDS = re.compile(r"[^\W\d_]+")


def address_line(text: str) -> bool:
    """A short line whose e-mail address is what it gives."""
    if len(text) > ADDRESS_LINE_MAX_CHARS or ("@" not in text and "at" not in text.casefold()):
        return False
    match = _EMAIL.search(text)
    if match is None:
        return False
    rest = text[: match.start()] + " " + text[match.end() :]
    return len(_WORDS.findall(rest)) <= ADDRESS_LINE_MAX_WORDS


def drop_address_lines(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the address lines set after the story's first ``CONTACT_STORY_MIN_CHARS``."""
    if not any("@" in text or "[at]" in text or "(at)" in text for text in paragraphs):
        return paragraphs  # no address on the page: most pages stop here
    doomed: list[int] = []
    told = 0
    for i, text in enumerate(paragraphs):
        if told >= CONTACT_STORY_MIN_CHARS and address_line(text):
            doomed.append(i)
        told += len(text)
    if not doomed or len(doomed) > ADDRESS_LINES_MAX:
        return paragraphs
    return [text for i, text in enumerate(paragraphs) if i not in doomed]
