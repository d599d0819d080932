"""Parsing the date strings that news pages carry, without guessing silently.

Pages state dates in a dozen shapes (ISO with a space and ``Z``, RFC 2822, epoch numbers in data
attributes, "October 07, 2016 19:12 GMT", "7. Oktober 2016", "7 октября 2016", "07.10.2016 19:12") and
the two mistakes users notice are a day/month swap and an invented time zone. So every parse reports
what it could *not* know: whether a zone was stated, whether a time was stated, and whether the
day/month order was guessed. The caller (``scrapers.metadata``) turns those flags into warnings.

Hand-written rather than ``dateutil.parser``: dateutil happily reads "03/04/2024" one way without telling
us it guessed and knows no German, French or Russian month names. Machine-written ISO 8601 (most
structured dates) takes the C fast path of ``datetime.fromisoformat``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DateOrder",
    "ParsedDate",
    "date_order_for_locale",
    "infer_date_order",
    "parse_date",
    "parse_epoch",
    "parse_relative",
    "relative_line",
    "to_aware",
]

# A publication date outside this window is a parsing accident (a product number, a birth date, 1970).
MIN_YEAR = 1990
MAX_YEAR = 2100
MAX_INPUT = 200  # date strings are short; anything longer is prose we should not scan


class DateOrder(StrEnum):
    """How to read an all-numeric date whose first two fields could both be day or month."""

    DMY = "dmy"
    MDY = "mdy"


@dataclass(slots=True, frozen=True)
class ParsedDate:
    """A parsed date and what the source left unsaid.

    ``value`` is timezone-aware exactly when ``has_tz``; ``ambiguous`` means the day/month order of an
    all-numeric date was neither evident nor given, so the order used is a guess.
    """

    value: datetime
    has_tz: bool
    has_time: bool
    ambiguous: bool = False


# --------------------------------------------------------------------------------------------- months
# Lower-case month names per language, nominative and genitive/declined forms and common abbreviations.
# Only forms that cannot be mistaken for another month in another language are listed together.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "januar",
        "jänner",
        "jaenner",
        "janvier",
        "janv",
        "enero",
        "ene",
        "gennaio",
        "gen",
        "janeiro",
        "januari",
        "январь",
        "января",
        "янв",
        "січня",
        "січень",
        "stycznia",
        "styczeń",
        "ocak",
        "ledna",
        "leden",
        "ιανουαρίου",
        "يناير",
        "كانون الثاني",
    ),
    2: (
        "february",
        "feb",
        "februar",
        "feber",
        "février",
        "fevrier",
        "févr",
        "fevr",
        "févr",
        "febrero",
        "febbraio",
        "fevereiro",
        "fev",
        "februari",
        "февраль",
        "февраля",
        "фев",
        "февр",
        "лютого",
        "лютий",
        "lutego",
        "luty",
        "şubat",
        "subat",
        "února",
        "únor",
        "φεβρουαρίου",
        "فبراير",
        "شباط",
    ),
    3: (
        "march",
        "mar",
        "märz",
        "maerz",
        "mrz",
        "mars",
        "marzo",
        "março",
        "marco",
        "maart",
        "март",
        "марта",
        "мар",
        "березня",
        "березень",
        "marca",
        "marzec",
        "mart",
        "března",
        "březen",
        "μαρτίου",
        "مارس",
        "آذار",
        "اذار",
    ),
    4: (
        "april",
        "apr",
        "avril",
        "avr",
        "abril",
        "abr",
        "aprile",
        "апрель",
        "апреля",
        "апр",
        "квітня",
        "квітень",
        "kwietnia",
        "kwiecień",
        "nisan",
        "dubna",
        "duben",
        "απριλίου",
        "أبريل",
        "ابريل",
        "إبريل",
        "نيسان",
    ),
    5: (
        "may",
        "mai",
        "mayo",
        "maggio",
        "mag",
        "maio",
        "mei",
        "maj",
        "май",
        "мая",
        "травня",
        "травень",
        "maja",
        "mayıs",
        "mayis",
        "května",
        "květen",
        "μαΐου",
        "مايو",
        "أيار",
        "ايار",
    ),
    6: (
        "june",
        "jun",
        "juni",
        "juin",
        "junio",
        "giugno",
        "giu",
        "junho",
        "июнь",
        "июня",
        "июн",
        "червня",
        "червень",
        "czerwca",
        "czerwiec",
        "haziran",
        "června",
        "červen",
        "ιουνίου",
        "يونيو",
        "يونية",
        "حزيران",
    ),
    7: (
        "july",
        "jul",
        "juli",
        "juillet",
        "juil",
        "julio",
        "luglio",
        "lug",
        "julho",
        "июль",
        "июля",
        "июл",
        "липня",
        "липень",
        "lipca",
        "lipiec",
        "temmuz",
        "července",
        "červenec",
        "ιουλίου",
        "يوليو",
        "يولية",
        "تموز",
    ),
    8: (
        "august",
        "aug",
        "août",
        "aout",
        "agosto",
        "ago",
        "augustus",
        "augusti",
        "август",
        "августа",
        "авг",
        "серпня",
        "серпень",
        "sierpnia",
        "sierpień",
        "ağustos",
        "agustos",
        "srpna",
        "srpen",
        "αυγούστου",
        "أغسطس",
        "اغسطس",
        "آب",
    ),
    9: (
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "set",
        "setembro",
        "сентябрь",
        "сентября",
        "сен",
        "сент",
        "вересня",
        "вересень",
        "września",
        "wrzesień",
        "eylül",
        "eylul",
        "září",
        "σεπτεμβρίου",
        "سبتمبر",
        "أيلول",
        "ايلول",
    ),
    10: (
        "october",
        "oct",
        "oktober",
        "okt",
        "octobre",
        "octubre",
        "ottobre",
        "ott",
        "outubro",
        "out",
        "октябрь",
        "октября",
        "окт",
        "жовтня",
        "жовтень",
        "października",
        "październik",
        "ekim",
        "října",
        "říjen",
        "οκτωβρίου",
        "أكتوبر",
        "اكتوبر",
        "تشرين الأول",
        "تشرين الاول",
    ),
    11: (
        "november",
        "nov",
        "novembre",
        "noviembre",
        "novembro",
        "ноябрь",
        "ноября",
        "ноя",
        "нояб",
        "листопада",
        "листопад",
        "listopada",
        "listopad",
        "kasım",
        "kasim",
        "listopadu",
        "νοεμβρίου",
        "نوفمبر",
        "تشرين الثاني",
    ),
    12: (
        "december",
        "dec",
        "dezember",
        "dez",
        "décembre",
        "decembre",
        "déc",
        "diciembre",
        "dic",
        "dicembre",
        "dezembro",
        "desember",
        "декабрь",
        "декабря",
        "дек",
        "грудня",
        "грудень",
        "grudnia",
        "grudzień",
        "aralık",
        "aralik",
        "prosince",
        "prosinec",
        "δεκεμβρίου",
        "ديسمبر",
        "كانون الأول",
        "كانون الاول",
    ),
}
# Romanian, Hungarian, Indonesian and Finnish (partitive) forms
_MORE_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("ianuarie", "január", "tammikuuta", "tammikuu"),
    2: ("februarie", "február", "helmikuuta", "helmikuu"),
    3: ("martie", "március", "maret", "maaliskuuta", "maaliskuu", "mrt"),
    4: ("aprilie", "április", "huhtikuuta", "huhtikuu"),
    5: ("május", "toukokuuta", "toukokuu"),
    6: ("iunie", "június", "kesäkuuta", "kesäkuu"),
    7: ("iulie", "július", "heinäkuuta", "heinäkuu"),
    8: ("augusztus", "agustus", "elokuuta", "elokuu"),
    9: ("septembrie", "szeptember", "syyskuuta", "syyskuu"),
    10: ("octombrie", "október", "lokakuuta", "lokakuu"),
    11: ("noiembrie", "nopember", "marraskuuta", "marraskuu"),
    12: ("decembrie", "desember", "joulukuuta", "joulukuu"),
}
_MONTHS: dict[str, int] = {}
for _table in (_MONTH_NAMES, _MORE_MONTH_NAMES):
    for _number, _names in _table.items():
        for _name in _names:
            _MONTHS.setdefault(_name, _number)
# "mar" is March in English and French abbreviations but Tuesday ("mar.") in French/Spanish weekday
# abbreviations; it is only ever read next to a day number and a year, where that cannot clash.
_MONTH_WORDS = frozenset(name.split()[0] for name in _MONTHS)


def is_month_name(word: str) -> bool:
    """A month's name or abbreviation, in any language the date reader knows (the one table it reads)."""
    return word.casefold().rstrip(".") in _MONTHS


_MONTH_ALT = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_MONTH = rf"(?<![^\W\d_])(?P<month>{_MONTH_ALT})(?![^\W\d_])\.?"

# ---------------------------------------------------------------------------------------- time zones
# Fixed offsets for the abbreviations news sites print. Ambiguous ones take their dominant news meaning
# (IST: India, CST: US Central); "ET"/"PT" without S/D are left out because the offset is unknowable.
_TZ_ABBREVIATIONS: dict[str, float] = {
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "ut": 0,
    "wet": 0,
    "bst": 1,
    "west": 1,
    "ist": 5.5,
    "cet": 1,
    "cest": 2,
    "mez": 1,
    "mesz": 2,
    "eet": 2,
    "eest": 3,
    "msk": 3,
    "est": -5,
    "edt": -4,
    "cst": -6,
    "cdt": -5,
    "mst": -7,
    "mdt": -6,
    "pst": -8,
    "pdt": -7,
    "akst": -9,
    "akdt": -8,
    "hst": -10,
    "jst": 9,
    "kst": 9,
    "hkt": 8,
    "sgt": 8,
    "pht": 8,
    "wib": 7,
    "aest": 10,
    "aedt": 11,
    "acst": 9.5,
    "awst": 8,
    "nzst": 12,
    "nzdt": 13,
    "sast": 2,
    "cat": 2,
    "eat": 3,
    "wat": 1,
    "pkt": 5,
    "trt": 3,
    "gst": 4,
}
# US papers print "7:12 p.m. ET": a region, whose offset depends on the date (daylight saving time).
_TZ_REGIONS: dict[str, str] = {
    "et": "America/New_York",
    "ct": "America/Chicago",
    "mt": "America/Denver",
    "pt": "America/Los_Angeles",
}
_TZ_ALT = "|".join(sorted([*_TZ_ABBREVIATIONS, *_TZ_REGIONS], key=len, reverse=True))
_TZ = (
    rf"(?P<tz>(?:(?:utc|gmt)\s*)?[+\-−]\s*\d{{1,2}}(?::?\d{{2}})?|(?<![a-zà-ÿ])(?:{_TZ_ALT})(?![a-zà-ÿ])"
    rf"(?:\s*[+\-−]\s*\d{{1,2}}(?::?\d{{2}})?)?)"
)

_TIME = (
    r"(?P<hour>\d{1,2})\s*[:h.]\s*(?P<minute>\d{2})(?:\s*:\s*(?P<second>\d{2})(?:[.,]\d+)?)?"
    r"(?:\s*(?P<ampm>[ap]\.?\s?m\.?)(?![a-z]))?"
)
# Words that may sit between a date and its time: "at", "um", "à", "в", "a las", "alle", "Uhr"-less.
_TIME_GLUE = r"(?:\s*(?:,|\||-|–|—|/|·|•|at|um|à|a\s+las|a\s+la|alle|às|om|kl\.?|в|saat)\s*|\s+|T)"

_ISO_RE = re.compile(
    r"(?P<year>\d{4})(?P<sep>[-/.])(?P<mon>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    r"(?:(?:T|\s+|\s*,\s*)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<frac>\d+))?)?)?"
    r"\s*(?P<tz>Z|(?:UTC|GMT)?\s*[+-]\d{2}(?::?\d{2})?|UTC|GMT)?(?![\d])",
    re.IGNORECASE,
)
_ISO_BASIC_RE = re.compile(
    r"^(?P<year>\d{4})(?P<mon>\d{2})(?P<day>\d{2})T(?P<hour>\d{2})(?P<minute>\d{2})(?P<second>\d{2})?"
    r"(?P<tz>Z|[+-]\d{4})?$",
    re.IGNORECASE,
)
_CJK_RE = re.compile(
    r"(?P<year>\d{4})\s*[年년]\s*(?P<mon>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})\s*[日일号]?"
    r"(?:\s*(?:[^\d\s]{0,6}\s*)?(?P<hour>\d{1,2})\s*[:時时시]\s*(?P<minute>\d{1,2}))?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|e|º|°|-?го|-?е)?"
_YEAR = r"(?P<year>\d{4})"
_TEXT_DMY_RE = re.compile(
    rf"(?<!\d){_DAY}\.?\s*(?:de\s+)?{_MONTH}\s*,?\s*(?:de\s+|del\s+)?{_YEAR}(?:\s*(?:г\.|года|r\.|yılı))?"
    rf"(?:{_TIME_GLUE}{_TIME})?(?:\s*(?:uhr|h|ч\.?))?(?:\s*\(?{_TZ}\)?)?",
    re.IGNORECASE,
)
_TEXT_MDY_RE = re.compile(
    rf"{_MONTH}\s*{_DAY}\s*,?\s*{_YEAR}(?:{_TIME_GLUE}{_TIME})?(?:\s*\(?{_TZ}\)?)?",
    re.IGNORECASE,
)
_ASCTIME_RE = re.compile(  # C asctime / Java Date.toString: "Tue Jan 28 15:28:56 CET 2020"
    rf"{_MONTH}\s+{_DAY}\s+{_TIME}\s+(?:{_TZ}\s+)?{_YEAR}(?!\d)",
    re.IGNORECASE,
)
_TEXT_YMD_RE = re.compile(  # "2016 Oct 07", "2016. október 7." style
    rf"{_YEAR}\.?\s+{_MONTH}\s+{_DAY}\.?(?:{_TIME_GLUE}{_TIME})?(?:\s*\(?{_TZ}\)?)?",
    re.IGNORECASE,
)
_NUMERIC_RE = re.compile(
    r"(?<![\d.])(?P<a>\d{1,2})(?P<sep>[./-])\s?(?P<b>\d{1,2})(?P=sep)\s?(?P<year>\d{4}|\d{2})(?![\d])"
    rf"(?:{_TIME_GLUE}{_TIME})?(?:\s*(?:uhr|h|ч\.?))?(?:\s*\(?{_TZ}\)?)?",
    re.IGNORECASE,
)
_LEADING_TIME_RE = re.compile(  # "19:12, 7 October 2016" / "19:12 Uhr, 07.10.2016": time, then date
    rf"(?<!\d){_TIME}(?:\s*(?:uhr|h))?\s*(?:{_TZ})?\s*[,|·•-]?\s*$", re.IGNORECASE
)
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_EPOCH_RE = re.compile(r"^\s*(\d{9,10}|\d{12,13})(?:\.\d+)?\s*$")
_ARABIC_DIGITS = str.maketrans(  # Arabic-Indic, Persian, Devanagari and Bengali digits
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९০১২৩৪৫৬৭৮৯", "0123456789" * 4
)


def parse_date(text: str | None, order: DateOrder | None = None, *, epoch: bool = True) -> ParsedDate | None:
    """Read the first date in a short string, or None.

    ``order`` says how to read an all-numeric "03/04/2024"; without it such a date is read day-first and
    flagged ``ambiguous`` (dotted dates "03.04.2024" are day-first everywhere they are written, and a
    field above 12 settles the order by itself). ``epoch=False`` refuses a bare 10- or 13-digit number,
    which in visible text is an order or phone number rather than a timestamp.
    """
    if not text:
        return None
    text = text.strip()[:MAX_INPUT].translate(_ARABIC_DIGITS).replace("\u00a0", " ").replace("\u202f", " ")
    if not text:
        return None
    if _EPOCH_RE.match(text):
        return parse_epoch(text) if epoch else None
    if len(text) >= 16 and text[4] == "-" and text[:4].isdigit():
        fast = _fast_iso(text)
        if fast is not None:
            return fast
    match = _ISO_BASIC_RE.match(text) or _ISO_RE.search(text)
    if match:
        return _from_groups(match.groupdict(), month=int(match["mon"]))
    match = _CJK_RE.search(text)
    if match:
        return _from_groups(match.groupdict(), month=int(match["mon"]))
    lowered = text.lower()
    # the month-name patterns are slow to scan; run them only when a month name is present
    has_words = any(word in _MONTH_WORDS for word in _LETTERS_RE.findall(lowered))
    for pattern in (_ASCTIME_RE, _TEXT_DMY_RE, _TEXT_MDY_RE, _TEXT_YMD_RE) if has_words else ():
        match = pattern.search(lowered)
        if match:
            found = _from_groups(match.groupdict(), month=_MONTHS[match["month"].rstrip(".")])
            return _leading_time(found, lowered[: match.start()])
    match = _NUMERIC_RE.search(lowered)
    if match:
        return _leading_time(_from_numeric(match, order), lowered[: match.start()])
    return None


# "3 hours ago", "vor 3 Stunden", "il y a 3 heures", "hace 3 horas": units in four languages, in seconds
_RELATIVE_UNITS: dict[str, int] = {
    **dict.fromkeys(
        (
            "second",
            "seconds",
            "sec",
            "secs",
            "sekunde",
            "sekunden",
            "seconde",
            "secondes",
            "segundo",
            "segundos",
        ),
        1,
    ),
    **dict.fromkeys(("minute", "minutes", "min", "mins", "minuten", "minuto", "minutos"), 60),
    **dict.fromkeys(
        ("hour", "hours", "hr", "hrs", "h", "stunde", "stunden", "std", "heure", "heures", "hora", "horas"),
        3600,
    ),
    **dict.fromkeys(
        ("day", "days", "d", "tag", "tagen", "tage", "jour", "jours", "día", "días", "dia", "dias"), 86400
    ),
    **dict.fromkeys(
        ("week", "weeks", "w", "woche", "wochen", "semaine", "semaines", "semana", "semanas"), 7 * 86400
    ),
}
_UNIT_ALT = "|".join(sorted(map(re.escape, _RELATIVE_UNITS), key=len, reverse=True))
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "einer": 1, "einem": 1, "un": 1, "une": 1, "una": 1, "uno": 1}
_COUNT = r"(?:\d{1,3}|an?|one|einer|einem|une?|una|uno)"
# one amount, or several ("7d 0h ago", "vor 1 Tag 3 Stunden"): each a count and its unit
_AMOUNT = rf"{_COUNT}\s*(?:{_UNIT_ALT})(?![^\W\d_])\.?"
_AMOUNTS = rf"(?P<amounts>{_AMOUNT}(?:\s*,?\s*{_AMOUNT})*)"
_RELATIVE_RES = (
    re.compile(rf"(?<![^\W\d_]){_AMOUNTS}\s+ago\b", re.IGNORECASE),
    re.compile(rf"\b(?:vor|il\s+y\s+a|hace|há)\s+{_AMOUNTS}", re.IGNORECASE),
)
_AMOUNT_RE = re.compile(rf"(?P<n>{_COUNT})\s*(?P<unit>{_UNIT_ALT})(?![^\W\d_])", re.IGNORECASE)
# "today, 14:30", "heute um 09:15": the clock time right after the word, never one further on
_CLOCK_AFTER_RE = re.compile(rf"\s*(?:,|\||-|–|at|um|à|a\s+las|a\s+la|alle)?\s*{_TIME}", re.IGNORECASE)
# (not French "hier": German "hier" is "here"); read only with a clock time after them, because "heute"
# and "today" are everyday words in prose
_YESTERDAY_RE = re.compile(r"\b(?:yesterday|gestern|ayer)\b", re.IGNORECASE)
_TODAY_RE = re.compile(r"\b(?:today|heute|aujourd['’]hui|hoy)\b", re.IGNORECASE)

# Months and years: a stamp's units too ("vor 2 Monaten", "il y a 3 ans"), but so coarse that they date
# nothing to the day; they only tell a line that is a relative stamp (``relative_line``).
_LONG_UNITS = frozenset(
    (
        *("month", "months", "monat", "monate", "monaten", "mois", "mes", "meses"),
        *("year", "years", "yr", "yrs", "jahr", "jahre", "jahren", "an", "ans", "año", "años", "ano", "anos"),
    )
)
_LINE_UNIT_ALT = "|".join(sorted(map(re.escape, {*_RELATIVE_UNITS, *_LONG_UNITS}), key=len, reverse=True))
_LINE_AMOUNT = rf"{_COUNT}\s*(?:{_LINE_UNIT_ALT})(?![^\W\d_])\.?"
_LINE_AMOUNTS = rf"{_LINE_AMOUNT}(?:\s*,?\s*{_LINE_AMOUNT})*"
# the whole line is the stamp, with at most a few marks around it ("• 3 hours ago", "(vor 2 Tagen)")
_RELATIVE_LINE_RE = re.compile(
    rf"^\W{{0,3}}(?:{_LINE_AMOUNTS}\s+ago|(?:vor|il\s+y\s+a|hace|há)\s+{_LINE_AMOUNTS})\W{{0,3}}$",
    re.IGNORECASE,
)


def relative_line(text: str) -> bool:
    """A line that is a relative stamp and nothing else: "3 days ago", "vor einer Stunde", "il y a 2 mois",
    "hace 1 año". The one definition of such a stamp: the body's stamp filter (``scrapers.block_stamps``)
    drops these lines with the same units, counts and words that ``parse_relative`` reads."""
    return len(text) <= MAX_INPUT and _RELATIVE_LINE_RE.match(text) is not None


def parse_relative(text: str | None, now: datetime) -> ParsedDate | None:
    """A date stated relative to when the page was read: "Updated 3 hours ago", "vor 2 Tagen",
    "il y a 5 minutes", "hace 1 hora", "yesterday, 14:30".

    ``now`` is the fetch time (aware). Units of a day or more keep only the date (the clock time of
    "3 days ago" is not stated); "yesterday"/"today" count only with the clock time that follows them.
    """
    if not text:
        return None
    text = text[:MAX_INPUT]
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    for pattern in _RELATIVE_RES:
        match = pattern.search(text)
        if match:
            seconds = _seconds(match["amounts"])
            moment = now - timedelta(seconds=seconds)
            if seconds >= 86400:
                day = moment.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
                return ParsedDate(day, has_tz=False, has_time=False)
            return ParsedDate(moment.replace(microsecond=0), has_tz=True, has_time=True)
    for pattern, days in ((_YESTERDAY_RE, 1), (_TODAY_RE, 0)):
        match = pattern.search(text)
        if match:
            day = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
            found = ParsedDate(day, has_tz=False, has_time=False)
            time_match = _CLOCK_AFTER_RE.match(text, match.end())
            if time_match is None:
                return None
            with_time = _with_time(found, time_match.groupdict())
            return with_time if with_time.has_time else None
    return None


def _seconds(amounts: str) -> int:
    """The seconds that "7d 0h", "3 hours" or "einer Stunde" add up to."""
    total = 0
    for amount in _AMOUNT_RE.finditer(amounts):
        raw = amount["n"].lower()
        count = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw, 1)
        total += count * _RELATIVE_UNITS[amount["unit"].lower()]
    return total


def _leading_time(found: ParsedDate | None, before: str) -> ParsedDate | None:
    """Pick up a time printed before its date ("19:12, 7 October 2016") when none followed it."""
    if found is None or found.has_time or not before.strip():
        return found
    match = _LEADING_TIME_RE.search(before)
    return _with_time(found, match.groupdict()) if match else found


def _fast_iso(text: str) -> ParsedDate | None:
    """Machine-written ISO 8601 with a time (most structured dates) via the C parser."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    return ParsedDate(value, has_tz=value.tzinfo is not None, has_time=True)


def parse_epoch(value: str | int | float) -> ParsedDate | None:
    """Seconds or milliseconds since 1970 (as found in ``data-timestamp`` attributes), always UTC."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number > 1e11:  # milliseconds
        number /= 1000
    try:
        moment = datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    return ParsedDate(moment, has_tz=True, has_time=True)


def to_aware(parsed: ParsedDate) -> datetime:
    """The datetime with a zone: a zone-less value is taken as UTC (callers warn that it was assumed)."""
    if parsed.value.tzinfo is None:
        return parsed.value.replace(tzinfo=UTC)
    return parsed.value


# Regions whose English writes the month first; every other locale we meet writes the day first,
# except the year-first East Asian ones, whose numeric dates our patterns read as ISO anyway.
_MONTH_FIRST_REGIONS = frozenset({"us", "ph", "fm", "mh", "pw", "as", "gu", "mp", "pr", "vi", "um"})


def date_order_for_locale(locale: str | None) -> DateOrder | None:
    """The numeric date order a locale implies, or None when the locale does not settle it.

    "en-US" → MDY; "en-GB", "de", "fr-CA", "ru" → DMY; bare "en" → None (both orders are written in
    English, so the page itself has to tell).
    """
    if not locale:
        return None
    parts = re.split(r"[-_]", locale.strip().lower())
    language = parts[0]
    region = next((p for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    if language == "en":
        if region is None:
            return None
        return DateOrder.MDY if region in _MONTH_FIRST_REGIONS else DateOrder.DMY
    if not language.isalpha() or not 2 <= len(language) <= 3:
        return None
    if region in _MONTH_FIRST_REGIONS:
        return DateOrder.MDY  # e.g. es-US
    return DateOrder.DMY


_SLASHED_RE = re.compile(r"(?<![\d./-])(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?![\d])")


def infer_date_order(texts: list[str]) -> DateOrder | None:
    """Settle day/month order from other dates on the same page: "25/12/2023" can only be day-first.

    Returns None when the texts hold no unambiguous slashed or dashed date, or contradict each other.
    """
    seen: set[DateOrder] = set()
    for text in texts:
        for a, _sep, b, _year in _SLASHED_RE.findall(text[: MAX_INPUT * 5]):
            first, second = int(a), int(b)
            if first > 12 >= second >= 1:
                seen.add(DateOrder.DMY)
            elif second > 12 >= first >= 1 and second <= 31:
                seen.add(DateOrder.MDY)
    return seen.pop() if len(seen) == 1 else None


# ------------------------------------------------------------------------------------------- helpers


def _from_numeric(match: re.Match[str], order: DateOrder | None) -> ParsedDate | None:
    first, second = int(match["a"]), int(match["b"])
    year_text = match["year"]
    if len(year_text) == 2:
        if match["sep"] != ".":
            return None  # "10/07/16" could be anything, including a version number
        year = 2000 + int(year_text)
    else:
        year = int(year_text)
    ambiguous = False
    if match["sep"] == ".":
        day, month = first, second  # dotted dates are day-first in every locale that uses them
    elif first > 12:
        day, month = first, second
    elif second > 12:
        day, month = second, first
    elif first == second:
        day, month = first, second
    elif order is DateOrder.MDY:
        day, month = second, first
    elif order is DateOrder.DMY:
        day, month = first, second
    else:
        day, month, ambiguous = first, second, True
    groups = match.groupdict()
    groups.update(year=str(year), day=str(day))
    parsed = _from_groups(groups, month=month)
    if parsed is not None and ambiguous:
        parsed = replace(parsed, ambiguous=True)
    return parsed


def _from_groups(groups: dict[str, str | None], month: int) -> ParsedDate | None:
    try:
        year = int(groups["year"] or 0)
        day = int(groups["day"] or 0)
    except ValueError:
        return None
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        base = datetime(year, month, day)
    except ValueError:
        return None
    parsed = ParsedDate(base, has_tz=False, has_time=False)
    if groups.get("hour") is not None:
        parsed = _with_time(parsed, groups)
    return parsed


def _with_time(parsed: ParsedDate, groups: dict[str, str | None]) -> ParsedDate:
    """Add the time and zone groups of a match; an impossible time keeps the date alone."""
    try:
        hour = int(groups["hour"] or 0)
        minute = int(groups["minute"] or 0)
        second = int(groups.get("second") or 0)
    except ValueError:
        return parsed
    ampm = (groups.get("ampm") or "").replace(".", "").replace(" ", "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return parsed
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour == 24 and minute == 0 and second == 0:
        hour = 23
        minute = second = 59
    if hour > 23 or minute > 59 or second > 60:
        return parsed
    second = min(second, 59)
    frac = groups.get("frac")
    micro = int((frac or "0")[:6].ljust(6, "0")) if frac else 0
    value = parsed.value.replace(hour=hour, minute=minute, second=second, microsecond=micro)
    zone = _regional_offset(groups.get("tz"), value) or _zone(groups.get("tz"))
    if zone is not None:
        return ParsedDate(value.replace(tzinfo=zone), has_tz=True, has_time=True, ambiguous=parsed.ambiguous)
    return ParsedDate(value, has_tz=False, has_time=True, ambiguous=parsed.ambiguous)


def _regional_offset(text: str | None, local: datetime) -> timezone | None:
    """The fixed offset a US time-zone region had at that local time; None if unknown or no tz data."""
    name = _TZ_REGIONS.get((text or "").strip().lower())
    if name is None:
        return None
    try:
        offset = local.replace(tzinfo=ZoneInfo(name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None  # no time-zone database on this machine: the value stays zone-less, and says so
    return timezone(offset) if offset is not None else None


_OFFSET_RE = re.compile(r"([+-])\s*(\d{1,2})(?::?(\d{2}))?$")


def _zone(text: str | None) -> timezone | None:
    """A fixed-offset zone from "Z", "+0000", "+02:00", "GMT+2", "CEST", "UTC-05:00"; None if unknown."""
    if not text:
        return None
    raw = text.strip().lower().replace("−", "-")
    offset_hours = 0.0
    match = _OFFSET_RE.search(raw)
    if match:
        hours, minutes = int(match[2]), int(match[3] or 0)
        if hours > 14 or minutes > 59:
            return None
        offset_hours = (hours + minutes / 60) * (1 if match[1] == "+" else -1)
        raw = raw[: match.start()].strip()
    if raw:
        base = _TZ_ABBREVIATIONS.get(raw)
        if base is None:
            return None
        offset_hours += base
    if abs(offset_hours) > 14:
        return None
    if offset_hours == 0:
        return UTC
    return timezone(timedelta(minutes=round(offset_hours * 60)))
