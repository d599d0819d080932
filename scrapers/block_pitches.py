"""The site pitching its own newsletter, app, forums or print issue to the reader, set as a line of the body.

With familiar names these boxes ("newsletter-promo", "app-teaser", "forum-cta") are cut as chrome; an
unseen template leaves their lines after the story: "Keep up to date with the news. Receive our free
E-Newsletter", "Have your say on the latest news and sport in our Forums", "Get the latest news straight
to your phone with the VI Consortium app.", "Sie möchten wöchentliche Produktvorstellungen? Schauen Sie
mal in unseren Musiknewsletter!" Three things together give them away: one of the site's products (a
newsletter, an app, its forums, a widget, an issue of its magazine), named as the site's own ("our",
"unser", "notre", "nuestro", or the site's name before it), and the reader addressed ("you", "Sie",
"vous") or told to act ("Receive", "Get", "Join"). A story about an app names someone else's, in the
third person; a quoted pitch is reported speech; both stay. A short label right over a pitch that names
the product or the site ("Tipp: Die Sport-App von BILD") goes with it.

A sign-up box often names its product only in its heading: "Newsletter" (or "NEWS / LETTERS" set over two
lines) over "News, tips and trends: we have plenty for you!" The line under such a heading, the
subscription's name alone, is a pitch when it addresses the reader in the site's own voice ("we",
"wir", "nous"): a story's subhead over a paragraph addressing the reader ("The app" over "You can turn it
off in the settings") speaks of someone else's product, not as its maker.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scrapers.metadata.text import compact_text

# A story this long is told before a pitch counts: the head of a page is another rule's business.
PITCH_STORY_MIN_CHARS = 400
PITCH_MAX_CHARS = 400
PITCH_LABEL_MAX_CHARS = 60
# A pitch is said once or twice; a page naming "our apps" in line after line (an app maker's privacy
# policy, a forum's own rules) is about those products, and keeps every line.
PITCH_MAX_PER_PAGE = 3

_PRODUCT = (
    r"(?:[\w-]*newsletter\w*|e-?mail (?:alerts?|updates?|briefing)|(?:morning |daily |evening )?briefing|"
    r"[\w-]*-app|apps?|appli(?:cation)?|aplicación|forums?|foren|foros?|widgets?|"
    r"[\w-]*-?ausgabe|heft|print (?:issue|edition)|magazine|magazin|revista|numéro|bolet[ií]n)"
)
_PRODUCT_RE = re.compile(r"(?i)\b" + _PRODUCT + r"\b")
# The site's own: "our free E-Newsletter", "unseren Musiknewsletter", "notre appli", "nuestro boletín".
_OWN_PRODUCT = re.compile(
    r"(?i)\b(?:our|unser\w*|notre|nos|nuestr[oa]s?)\s+(?:[\w'’-]+\s+){0,3}?" + _PRODUCT + r"\b"
)
_READER = re.compile(
    r"(?i)\b(?:you|your|sie|ihnen|ihre?[mnrs]?|du|dich|dir|dein\w*|vous|votre|vos|tu|usted)\b|"
    r"(?:^|[.!?]\s+)(?:get|receive|download|join|sign up|subscribe|keep up|stay|read|try|listen|"
    r"check out|hol dir|lade|abonnier\w*|schau\w*|melde|lies|recevez|téléchargez|inscrivez|abonnez|"
    r"rejoignez|descarga|recibe|suscríbete|únete|lee)\b"
)
# The site speaking for itself: "we", "our", "wir", "unser", "nous", "notre", "nosotros", "nuestro".
_OWN_VOICE = re.compile(r"(?i)\b(?:we|our|wir|uns|unser\w*|nous|notre|nos|nosotros|nuestr[oa]s?)\b")
# A sign-up box's heading: the subscription's name alone.
_SIGN_UP_LABEL = re.compile(
    r"(?i)^\W{0,3}(?:[\w-]*newsletter\w*|e-?mail[- ](?:alerts?|updates?|briefing)|"
    r"(?:morning |daily |evening )?briefing)\W{0,3}$"
)
_QUOTED = re.compile(r"[\"“”„«»]")
_SENTENCE_END = re.compile(r"[.!?…]\s*$")
_WORD = re.compile(r"\w+")
_KEYS = (
    "newsletter",
    "mail",
    "briefing",
    "app",
    "forum",
    "foren",
    "foro",
    "widget",
    "ausgabe",
    "heft",
    "print",
    "magazin",
    "revista",
    "numéro",
    "bolet",
)


def site_keys(site_name: str | None, url: str | None) -> frozenset[str]:
    """The site's name squeezed to letters and digits ("VI Consortium" -> "viconsortium"), from its
    declared name and from its host's registrable label, so a line can be matched against either."""
    keys: set[str] = set()
    if site_name:
        keys.add(compact_text(re.sub(r"(?i)\.[a-z]{2,6}$", "", site_name.strip())))
    host = urlsplit(url).hostname if url else None
    if host:
        labels = [label for label in host.lower().split(".") if label != "www"]
        if len(labels) >= 2:
            keys.add(compact_text(labels[-2] if len(labels[-2]) > 3 or len(labels) == 2 else labels[-3]))
    return frozenset(key for key in keys if len(key) >= 3)


def _site_product(text: str, keys: frozenset[str]) -> bool:
    """The site's name stands right before one of its products ("with the VI Consortium app")."""
    if not keys:
        return False
    for match in _PRODUCT_RE.finditer(text):
        words = _WORD.findall(text[: match.start()])[-4:]
        if any(compact_text("".join(words[i:])) in keys for i in range(len(words))):
            return True
    return False


def pitch_line(text: str, keys: frozenset[str] = frozenset()) -> bool:
    """A line pitching the site's own newsletter, app, forums or issue to the reader."""
    if len(text) > PITCH_MAX_CHARS or _QUOTED.search(text):
        return False
    low = text.casefold()
    if not any(key in low for key in _KEYS):
        return False  # most lines name none of the products
    if _READER.search(text) is None:
        return False
    return _OWN_PRODUCT.search(text) is not None or _site_product(text, keys)


def _label_over(text: str, keys: frozenset[str]) -> bool:
    """A short label that names a product or the site, with no sentence end."""
    if len(text) > PITCH_LABEL_MAX_CHARS or _SENTENCE_END.search(text):
        return False
    return _PRODUCT_RE.search(text) is not None or any(key in compact_text(text) for key in keys)


def _pitch_under(label: str, text: str) -> bool:
    """``text`` pitches the subscription the ``label`` over it names: it addresses the reader in the
    site's voice."""
    if len(label) > PITCH_LABEL_MAX_CHARS or _SIGN_UP_LABEL.match(label.replace("\n", "")) is None:
        return False
    if len(text) > PITCH_MAX_CHARS or _QUOTED.search(text) or _READER.search(text) is None:
        return False
    return _OWN_VOICE.search(text) is not None


def drop_pitches(paragraphs: list[str], keys: frozenset[str] = frozenset()) -> list[str]:
    """``paragraphs`` without the site's pitches set after the story's first ``PITCH_STORY_MIN_CHARS``
    characters, with a label right over one."""
    page = "".join(paragraphs).casefold()  # joined without a break: a heading set over two lines
    if not any(key in page for key in _KEYS):
        return paragraphs  # one look at the page's words before one per line
    pitches: list[int] = []
    under: list[int] = []
    told = 0
    for i, text in enumerate(paragraphs):
        if told >= PITCH_STORY_MIN_CHARS:
            if pitch_line(text, keys):
                pitches.append(i)
            elif i > 0 and _pitch_under(paragraphs[i - 1], text):
                under.append(i)
        told += len(text)
    if not (pitches or under) or len(pitches) > PITCH_MAX_PER_PAGE or len(under) > PITCH_MAX_PER_PAGE:
        return paragraphs
    doomed = {*pitches, *under, *(i - 1 for i in under)}
    doomed.update(i - 1 for i in pitches if i > 0 and _label_over(paragraphs[i - 1], keys))
    return [text for i, text in enumerate(paragraphs) if i not in doomed]
