"""The "About NAME" box under the story, and the blogger's "Hi, I'm NAME" note, whatever their boxes say.

With familiar names the author box ("author-bio", "about-author") is cut as chrome; ``block_bio`` knows
an unnamed bio that opens with the author's name and a bio verb. Two other shapes close a story on an
unseen template: a short label "About NAME" ("Über Luis Holuch 257 Artikel", "À propos de Marie") over
one paragraph about that person or series (not a press release's "About COMPANY", its own), and a
blogger's self-introduction ("Hallo, ich bin Foodbloggerin ...", "I'm Amy and I'm so glad you've stopped
by!", or by the job: "Als Content Marketing Managerin betreue ich den Blog rund um ...", "As the editor,
I run this blog ..."). Both come after the story, with little after them; a page that is its own "About" text has no
story before it, and keeps it.
"""

from __future__ import annotations

import re

# A story at least this long is told before the box, and at most this much follows the box's paragraph.
ABOUT_STORY_MIN_CHARS = 400
ABOUT_AFTER_MAX_CHARS = 600
# The label is a short line; the paragraph under it a few sentences.
ABOUT_LABEL_MAX_CHARS = 60
ABOUT_TEXT_MAX_CHARS = 900

# "About NAME" in the four languages of the dev sets: a capitalised word or two after it, and at most a
# count of the person's articles ("257 Artikel", "12 posts").
_LABEL = re.compile(
    r"^\W{0,3}(?:about|über|ueber|à propos de|a propos de|sobre|acerca de)\s+"
    r"(?:[A-ZÄÖÜÀ-Ý][\w.'’-]*|diese[nrm]?|this|the|den|die|der|cette|ce|este|esta|el|la)"
    r"(?:\s+[A-ZÄÖÜÀ-Ý\w][\w.'’-]*){0,3}(?:\s+\d+\s+\w+)?\W{0,3}$",
    re.IGNORECASE,
)
# A blogger introducing themself: a greeting, then "I am", or "I'm NAME and".
_SELF_INTRO = re.compile(
    r"^\W{0,3}(?:(?:hi|hallo|hello|hey|hola|salut|bonjour|servus|moin)\s*[,!.]?\s*"
    r"(?:ich bin|i'm|i’m|i am|je suis|soy|me llamo|my name is|mein name ist)\b|"
    r"(?:i'm|i’m|ich bin|je suis|soy)\s+[A-ZÄÖÜ][\w'’-]+\s+(?:and|und|et|y)\b)",
    re.IGNORECASE,
)
# Or the job first: "As ROLE, I run / write / edit this blog (site, magazine, podcast)".
_ROLE_INTRO = re.compile(
    r"^\W{0,3}(?:als|as an?|as the|en tant que|como)\s+(?:[\w’'-]+,?\s+){1,5}?(?:(?:i|je|yo)\s+)?"
    r"(?:betreue|schreibe|leite|verantworte|manage|run|write|edit|curate|gère|écris|anime|dirijo|escribo|"
    r"gestiono)\s+(?:ich\s+)?(?:den|diesen|unseren|das|dieses|unser|the|this|our|ce|le|notre|este|el|nuestro)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:blog|magazin|magazine|website|webseite|site|podcast|newsletter|revista)\b",
    re.IGNORECASE,
)
SELF_INTRO_MAX_CHARS = 700
_LABEL_WORD = re.compile(
    r"^\W{0,3}(?:about|über|ueber|à propos de|a propos de|sobre|acerca de)\s+", re.IGNORECASE
)


def _about_label(text: str, under: str) -> bool:
    """``text`` labels an "About" box over ``under``. A press release's "About Logitech" over "Logitech
    is a world leader in ..." is the release's own closing section (the issuer's boilerplate is part of
    what it sends out), and is not a box: its paragraph opens with the label's whole name. A writer's
    box ("About Dana Whitlow" over "Dana has covered ...") names the writer more briefly."""
    if len(text) > ABOUT_LABEL_MAX_CHARS or _LABEL.match(text) is None:
        return False
    name = " ".join(_LABEL_WORD.sub("", text, count=1).strip(" \t:.-–—").split())
    return not name or not under.casefold().startswith(name.casefold())


def _self_intro(text: str) -> bool:
    if len(text) > SELF_INTRO_MAX_CHARS:
        return False
    return _SELF_INTRO.match(text) is not None or _ROLE_INTRO.match(text) is not None


def drop_about_boxes(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without an "About NAME" label and its paragraph, or a blogger's self-introduction,
    set after the story with little after them."""
    lengths = [len(text) for text in paragraphs]
    total = sum(lengths)
    told = 0
    for i, text in enumerate(paragraphs):
        if told >= ABOUT_STORY_MIN_CHARS:
            if (
                i + 1 < len(paragraphs)
                and lengths[i + 1] <= ABOUT_TEXT_MAX_CHARS
                and _about_label(text, paragraphs[i + 1])
            ):
                after = total - told - lengths[i] - lengths[i + 1]
                if after <= ABOUT_AFTER_MAX_CHARS:
                    return paragraphs[:i] + paragraphs[i + 2 :]
            elif _self_intro(text) and total - told - lengths[i] <= ABOUT_AFTER_MAX_CHARS:
                return paragraphs[:i] + paragraphs[i + 1 :]
        told += lengths[i]
    return paragraphs
