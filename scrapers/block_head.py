"""The head of the body: the byline, the dateline, the kicker and their kin set as lines above the story.

With familiar names the boxes holding "By JEFF KAROUB, AP Business Writer 47 minutes ago", "Freitag |
14. Juni 2019 | 15:49 VON Sina Giebel IN Fashion" or "8 minutos de lectura" are cut as byline, meta or
date boxes; an unseen template's names say nothing, and the line rules know only a bare "By NAME" or a
date alone. The metadata reader has already found who wrote the story and when (structured data first,
checked against the page): above the story's prose, a short line that holds those names, or that date,
and next to nothing else is that byline or dateline printed again. A line that merely mentions a date has
words of its own left once the date and the byline furniture are taken out, and stays; so does a
standfirst, which is prose. The same holds for the section label over the headline (the page names
its sections in its metadata and its URL's folders), labelled author or category fields, breadcrumb
trails through the home page, and the reading time or player label ("5 min read", "Listen to this
article"). Some templates set the writer's bio there too, under or instead of the byline ("Jacob Wade is
a personal finance expert who has covered ..."): above the story's prose, a paragraph that opens with
the byline's name and a bio verb is about the writer, not the story (``boilerplate.author_bio_text``
knows it under the story, once one has been told).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import unquote, urlsplit

from scrapers.article import Article
from scrapers.boilerplate import author_bio_text
from scrapers.boilerplate import credit_text as bp_credit
from scrapers.dates import is_month_name, parse_date

# A byline or dateline is a short line; the head ends with the story's second paragraph of prose (a
# standfirst may come before the byline).
HEAD_LINE_MAX_CHARS = 160
HEAD_PROSE_PARAGRAPHS = 2
# Words a byline may carry beside the names and the furniture ("AP Business Writer", "IN Fashion");
# a dateline has fewer ("Bonn", "Pressemitteilung vom", "Naturschutz, BUND").
BYLINE_OTHER_WORDS = 4
DATELINE_OTHER_WORDS = 3
# The date printed may be the local day of a UTC value: one day apart is the same date.
DATE_DAYS_APART = 1
# A story prints its dateline once or twice (published, updated); more lines of that date are a list.
DATELINES_MAX = 2

_DIGIT = re.compile(r"\d")
_PROSE_END = re.compile(r"[.!?…:;\"“”»'’)]\s*$")
# A word of two letters or more; in scripts written without spaces, each character counts as one.
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W\d_]{2,}")


def _vocabulary(words: str) -> frozenset[str]:
    return frozenset(words.split())


# What a byline or dateline holds besides the names and the date, in English, German, French and Spanish:
# the "by" and put-out labels, prepositions, relative-time units, weekdays.
_FURNITURE = _vocabulary(
    """
    by von par por de del el la le les am um on at in und and et y à vom du des from
    posted published updated created modified written filed last update edited
    veröffentlicht aktualisiert erstellt geändert geschrieben stand zuletzt
    publié mis jour modifié écrit publicado actualizado escrito actualización
    ago vor il hace seit
    minute minutes min mins hour hours hrs hr day days week weeks month months year years
    minuten minute stunde stunden tag tagen tage woche wochen monat monaten jahr jahren
    heure heures jour jours semaine semaines mois an ans
    minuto minutos hora horas día días semana semanas mes meses año años
    uhr am pm gmt utc cet cest est edt pst pdt bst ist et
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
    montag dienstag mittwoch donnerstag freitag samstag sonntag mo di mi do fr sa so
    lundi mardi mercredi jeudi vendredi samedi dimanche lun mar mer jeu ven sam dim
    lunes martes miércoles jueves viernes sábado domingo
    """
)
# A line of labels alone, its name or date in a box of its own: "By", "Publicado el", "Updated".
_LABEL_ONLY_MAX_CHARS = 30
_LABELS = _vocabulary(
    "by von par por posted published updated publicado actualizado publié veröffentlicht "
    "aktualisiert written geschrieben écrit escrito on am le el de"
)


def _other_words(text: str) -> int:
    """Words of ``text`` that are neither byline furniture nor month names."""
    count = 0
    for word in _WORD.findall(text):
        low = word.casefold()
        if low not in _FURNITURE and not (len(low) >= 3 and is_month_name(low)):
            count += 1
    return count


def _without_names(text: str, authors: Sequence[str]) -> str | None:
    """``text`` with every author's name taken out, or None when it names none of them."""
    found = False
    low = text.casefold()
    for name in authors:
        words = name.split()
        if len(words) < 2 or words[-1].casefold() not in low:
            continue  # a one-word value ("Columnists", "Staff") names no person; no surname, no match
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)
        text, hits = pattern.subn(" ", text)
        found = found or hits > 0
    return text if found else None


def _same_day(text: str, dates: Sequence[datetime]) -> bool:
    parsed = parse_date(text, epoch=False)
    if parsed is None:
        return False
    day = parsed.value.date()
    return any(abs((day - known.date()).days) <= DATE_DAYS_APART for known in dates)


# The reading time and the player's label: "5 min read", "Lesedauer: 8 Min.", "8 minutos de lectura",
# "Temps de lecture : 3 min", "Listen to this article", "Artikel anhören".
_READING = re.compile(
    r"(?i)^\W{0,3}(?:(?:ca\.?\s*)?\d+\s*(?:min(?:ute)?s?|minuten|minutos)\.?\s*"
    r"(?:read|reading time|de lectura|lesezeit|lesedauer|de lecture)|"
    r"(?:reading time|read time|lesedauer|lesezeit|temps de lecture|tiempo de lectura)\s*:?\s*"
    r"(?:ca\.?\s*)?\d+\s*(?:min(?:ute)?s?|minuten|minutos)\.?|"
    r"listen to (?:this |the )?(?:article|story)|(?:artikel|beitrag) (?:anhören|vorlesen)|"
    r"écouter (?:cet |l'|l’)article|escuchar (?:este |el )?(?:artículo|noticia))\W{0,3}$"
)
_READING_MAX_CHARS = 40
# A field of the page's furniture with its value: "Author : Fakir Balaji", "Filed Under: Sports",
# "Kategorie: Umwelt", "Rubrique : Sport". A fact box's "Deadline:" or "Ort:" is the story's own.
_FIELD = re.compile(
    r"(?i)^\W{0,3}(?:authors?|autor(?:in|en)?|auteure?s?|written by|categor(?:y|ies)|kategorien?|"
    r"catégories?|categorías?|filed (?:under|in)|posted (?:in|under)|rubri(?:k|que)|ressort|sección|"
    r"section|tags?|schlagw(?:örter|orte)|stichw(?:örter|orte)|etiquetas|mots[- ]clés)\s*:\s*\S"
)
FIELD_MAX_WORDS = 6
# A breadcrumb trail: parts split by arrows, bars or colons, one of them the site's home.
_CRUMB_SPLIT = re.compile(r"\s*(?:[|>»›/:]|&gt;)\s*")
_HOME = frozenset({"home", "startseite", "accueil", "inicio", "portada", "homepage"})
CRUMBS_MAX_CHARS = 100
# A kicker is a label of a few words; shorter keys ("de", "en", "p") name no section.
KICKER_MAX_CHARS = 40
KICKER_MIN_CHARS = 3
_KEY_WORD = re.compile(r"\w+")


def _label_only(text: str) -> bool:
    if len(text) > _LABEL_ONLY_MAX_CHARS or _DIGIT.search(text):
        return False
    words = [word.casefold() for word in _WORD.findall(text)]
    return bool(words) and all(word in _LABELS for word in words)


def field_line(text: str) -> bool:
    """A labelled author or category field ("Author : NAME", "Filed Under: Sports"), or a breadcrumb
    trail through the site's home page ("US World News | Home")."""
    if len(text) > CRUMBS_MAX_CHARS or "\n" in text:
        return False
    if _FIELD.match(text):
        return len(text.split()) <= FIELD_MAX_WORDS + 2
    parts = _CRUMB_SPLIT.split(text.strip())
    return len(parts) >= 2 and any(part.casefold() in _HOME for part in parts)


def _label_key(text: str) -> str:
    return " ".join(_KEY_WORD.findall(text.casefold()))


def section_labels(meta: Article) -> frozenset[str]:
    """What the page says its section and site are called: the metadata's section (each part of a
    "Unterhaltung > Promis" trail), the site's name, and the folders of its canonical URL's path."""
    names = [meta.section or "", meta.site_name or ""]
    names = [part for name in names for part in _CRUMB_SPLIT.split(name)]
    if meta.canonical_url:
        names += unquote(urlsplit(meta.canonical_url).path).replace("-", " ").replace("_", " ").split("/")
    keys = (_label_key(name) for name in names)
    return frozenset(key for key in keys if len(key) >= KICKER_MIN_CHARS)


def kicker_line(text: str, labels: frozenset[str]) -> bool:
    """A short line that is the page's section or site name: the kicker over the headline ("Promis")."""
    return len(text) <= KICKER_MAX_CHARS and _label_key(text) in labels


def byline_line(text: str, authors: Sequence[str]) -> bool:
    """A short line holding the story's author names and at most a few words besides, or a reading
    time, or a put-out label alone."""
    if len(text) > HEAD_LINE_MAX_CHARS:
        return False
    if (len(text) <= _READING_MAX_CHARS and _READING.match(text)) or _label_only(text) or field_line(text):
        return True
    rest = _without_names(text, authors)
    return rest is not None and _other_words(rest) <= BYLINE_OTHER_WORDS


def dateline(text: str, dates: Sequence[datetime]) -> bool:
    """A short line holding the story's date and at most a few words besides."""
    if len(text) > HEAD_LINE_MAX_CHARS or not dates or _DIGIT.search(text) is None:
        return False
    return _same_day(text, dates) and _other_words(text) <= DATELINE_OTHER_WORDS


# A staff line: the writer's desk or role, or the service that filed the story, beside the name and the
# date ("AP White House Correspondent", "Tom Jicha | TV and Radio Writer", "KEN WARREN, CanWest News
# Service", "BS Reporter / New Delhi January 9, 2008", "Special to The Star", "Redakteurin Politik").
STAFF_MAX_CHARS = 100
_ROLE_NOUNS = (
    r"(?:writers?|correspondents?|editors?|reporters?|columnists?|contributors?|critic|staff|"
    r"news service|newspapers|wire services?|bureau|"
    r"redakteur(?:in)?|korrespondent(?:in)?|reporter(?:in)?|redaktion|"
    r"rédact(?:eur|rice)|correspondante?|envoyée? spéciale?|journaliste|rédaction|"
    r"redactora?|corresponsal|enviad[oa] especial|periodista|redacción)"
)
_ROLE_PART = re.compile(
    r"^(?:(?:[A-Z0-9][\w.&'’-]*|and|und|et|y|de|&)\s+){0,4}(?i:" + _ROLE_NOUNS + r")$|"
    r"^(?i:special to|from (?:our )?correspondents? in|with files from|with reporting from)\s+\S.{0,40}$|"
    r"^(?i:redakteur(?:in)?|korrespondent(?:in)?|rédact(?:eur|rice)|redactora?)\s+[A-ZÀ-Ý]\S*(?:\s+\S+)?$",
)
_NAME_PART = re.compile(r"^(?:(?i:by|von|par|por)\s+)?(?:[A-ZÀ-Ý][\w'’.-]*\s+){0,3}[A-ZÀ-Ý][\w'’.-]*$")
_PART_SPLIT = re.compile(r"\s*[|/;]\s*|\s+-\s+")
_COMMA = re.compile(r"\s*,\s*")


def _staff_part(part: str, split: bool = True) -> int:
    """2 for a role or a credit, 1 for a name or a date, 0 for anything else; a part that is none of
    them whole is read comma by comma ("KEN WARREN, CanWest News Service")."""
    if _ROLE_PART.match(part) or bp_credit(part):
        return 2
    if _NAME_PART.match(part):
        return 1
    if _DIGIT.search(part) and parse_date(part, epoch=False) is not None and _other_words(part) <= 3:
        return 1
    if split and "," in part:
        kinds = [_staff_part(sub, split=False) for sub in _COMMA.split(part) if sub]
        return 0 if 0 in kinds or not kinds else max(kinds)
    return 0


def staff_line(text: str) -> bool:
    """A paragraph of byline parts, one of them the writer's role or the filing service."""
    if len(text) > STAFF_MAX_CHARS or (_PROSE_END.search(text) and not text.rstrip().endswith(")")):
        return False
    kinds = [
        _staff_part(part) for line in text.split("\n") for part in _PART_SPLIT.split(line.strip()) if part
    ]
    return bool(kinds) and 0 not in kinds and 2 in kinds


def _head_end(paragraphs: list[str]) -> int:
    """The index of the story's ``HEAD_PROSE_PARAGRAPHS``-th paragraph of prose (or the length)."""
    seen = 0
    for i, text in enumerate(paragraphs):
        if len(text) >= 80 and _PROSE_END.search(text):
            seen += 1
            if seen == HEAD_PROSE_PARAGRAPHS:
                return i
    return len(paragraphs)


def drop_head_furniture(paragraphs: list[str], meta: Article) -> list[str]:
    """``paragraphs`` without the furniture above the story's prose: bylines, datelines, reading times,
    author and category fields, breadcrumbs and kickers, known by what ``meta`` (the metadata reader's
    findings) says the page's authors, dates and sections are.

    A story's dateline is printed once: more than ``DATELINES_MAX`` lines of the story's date are a
    list (results of the day, a schedule), and stay.
    """
    authors = meta.authors
    known = [date for date in (meta.published_at, meta.modified_at) if date is not None]
    end = _head_end(paragraphs)
    # a one-word value ("Pakistan", "Staff") names no person: the lead opening with it is the story's
    people = tuple(name for name in authors if len(name.split()) >= 2)
    short = any(len(text) <= KICKER_MAX_CHARS for text in paragraphs[:end])
    labels = section_labels(meta) if short else frozenset()
    doomed = {
        i
        for i in range(end)
        if byline_line(paragraphs[i], authors)
        or kicker_line(paragraphs[i], labels)
        or staff_line(paragraphs[i])
        or author_bio_text(paragraphs[i], people)
    }
    datelines = {i for i in range(end) if i not in doomed and dateline(paragraphs[i], known)}
    if len(datelines) <= DATELINES_MAX:
        doomed |= datelines
    if not doomed:
        return paragraphs
    return [text for i, text in enumerate(paragraphs) if i not in doomed]
