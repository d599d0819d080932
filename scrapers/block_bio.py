"""The author's bio under the story when nothing names the author: a name, a bio verb and a role.

``boilerplate.author_bio_text`` knows a bio by the byline's name. When the page names its author only
in markup an unseen template spells its own way (a scrambled ``itemprop``, a byline in a box the
readers skip), the bio ("Jacob Wade is a personal finance writer who ...") stays in the body. Its text
gives it away: it closes the story, opens with a person's name and a bio verb, says what the person
does for a living (writer, reporter, professor), and the person appears nowhere in the story above.
A closing sentence about someone the story quoted ("Ms Lind is a professor at ...") names a person
the story has already named, and stays.

An author box set as lines splits the bio's opening: a label ("AUTOR", "About the author"), the name on
a line of its own, then the bio going on from it ("ist Gründungspartner der Kanzlei ..."). Read back
together, name and line open like a bio; under the label, or naming the trade, they are one, and go
with the label.
"""

from __future__ import annotations

import re

from scrapers.boilerplate import author_bio_text

# The bio closes the story: after it, at most this much text (end notes) may follow.
BIO_AFTER_MAX_CHARS = 400
# A story told before it: a bio alone on a page is that page's content.
BIO_STORY_MIN_CHARS = 400
# A contributor's note runs to a few sentences.
BIO_MAX_CHARS = 900

# A name of two or three capitalised words (or in capitals), then a verb a bio opens with.
_NAME = r"((?:[^\W\d_][\w'’.-]*\s+){1,2}[^\W\d_][\w'’-]+)"
_OPENING = re.compile(
    _NAME + r",?\s+(?:also\s+)?(?:is|was|has|writes|wrote|covers|joined|lives|works|teaches|spends|"
    r"ist|war|hat|schreibt|lebt|arbeitet|est|écrit|vit|travaille|escribe|vive|trabaja)\b"
)
# What the person does: the role nouns of a contributor's note, in the four languages of the dev sets.
_ROLE = re.compile(
    r"(?i)\b(?:writer|reporter|journalist|editor|author|columnist|correspondent|contributor|critic|"
    r"freelance|blogger|photographer|professor|lecturer|producer|novelist|poet|"
    r"autor(?:in)?|redakteur(?:in)?|journalist(?:in)?|schriftsteller(?:in)?|korrespondent(?:in)?|"
    r"journaliste|rédact(?:eur|rice)|écrivain|periodista|redactor(?:a)?|escritor(?:a)?)\b|"
    # or writing as the person's trade: "spends much of his time writing about film", "blogs at"
    r"writ(?:es|ing) (?:about|for|on)|blogs (?:at|on)|(?:first|latest|new) (?:book|novel)\b"
)


# The label over an author box: "Autor", "Author", "About the author", "Über die Autorin", "L'auteur".
_AUTHOR_LABEL = re.compile(
    r"(?i)^\W{0,3}(?:(?:about|über|ueber|à propos de|sobre)\s+(?:the|den|die|der|l'|l’|el|la)\s*)?"
    r"(?:the\s+)?(?:author|autor(?:in)?|auteure?|l['’]auteure?|el autor|la autora|verfasser(?:in)?)s?\W{0,3}$"
)
# A name alone on its line: two to four capitalised words, an academic title before them.
_NAME_LINE = re.compile(r"^(?:(?:Dr|Prof|Mag|Dipl)\.?\s+)*(?:[A-ZÀ-Ý][\w'’.-]*\s+){1,3}[A-ZÀ-Ý][\w'’-]+$")


def _split_bio(paragraphs: list[str], i: int) -> int:
    """How many paragraphs up to ``i`` make an author box whose bio ``paragraphs[i]`` goes on from a
    name line (with its label, when there is one), or 0."""
    if i < 1 or _NAME_LINE.match(paragraphs[i - 1]) is None:
        return 0
    name, text = paragraphs[i - 1], paragraphs[i]
    if text[:1].isupper() or not author_bio_text(f"{name} {text}", (name,)):
        return 0
    if i >= 2 and _AUTHOR_LABEL.match(paragraphs[i - 2]):
        return 3
    return 2 if _ROLE.search(text) else 0


def _capitalised(name: str) -> bool:
    return all(word[0].isupper() for word in name.split())


def _bio_opening_name(text: str) -> str | None:
    """The name a bio paragraph opens with, or None."""
    if len(text) > BIO_MAX_CHARS:
        return None
    match = _OPENING.match(text)  # anchored: fails at once on most paragraphs, before the role search
    if match is None or not _capitalised(match.group(1)) or _ROLE.search(text) is None:
        return None
    return match.group(1)


def drop_unnamed_bio(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without a closing bio of a person the story never names before it, or a closing
    author box whose bio goes on from a name line."""
    after = 0
    for i in range(len(paragraphs) - 1, 0, -1):
        text = paragraphs[i]
        box = _split_bio(paragraphs, i)
        if box and len("\n".join(paragraphs[: i + 1 - box])) >= BIO_STORY_MIN_CHARS:
            return paragraphs[: i + 1 - box] + paragraphs[i + 1 :]
        name = _bio_opening_name(text)
        if name is not None:
            before = "\n".join(paragraphs[:i])
            surname = name.split()[-1]
            named = re.search(rf"(?i)\b{re.escape(surname)}\b", before) is not None
            if not named and len(before) >= BIO_STORY_MIN_CHARS:
                return paragraphs[:i] + paragraphs[i + 1 :]
        after += len(text)
        if after > BIO_AFTER_MAX_CHARS:
            break
    return paragraphs
