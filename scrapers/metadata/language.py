"""The page's language: declared tags first, a cautious guess from the text only when none exists.

The locale found here also decides how all-numeric dates are read, so it is returned beside the
language rather than re-derived by the date reader.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from scrapers.metadata.jsonld import first_value

if TYPE_CHECKING:
    from scrapers.metadata.page import Page


_LANGUAGE_META = ("content-language", "language", "dc.language", "dcterms.language", "lang")

# Some CMSs write the language's name instead of its code (``<meta name="language" content="Deutsch">``).
_LANGUAGE_NAMES = {
    "english": "en",
    "deutsch": "de",
    "german": "de",
    "français": "fr",
    "francais": "fr",
    "french": "fr",
    "español": "es",
    "espanol": "es",
    "spanish": "es",
    "italiano": "it",
    "italian": "it",
    "русский": "ru",
    "russian": "ru",
    "nederlands": "nl",
    "dutch": "nl",
    "português": "pt",
    "portuguese": "pt",
    "polski": "pl",
    "polish": "pl",
    "中文": "zh",
    "chinese": "zh",
    "العربية": "ar",
    "arabic": "ar",
    "türkçe": "tr",
    "turkish": "tr",
    "svenska": "sv",
    "dansk": "da",
    "norsk": "no",
    "suomi": "fi",
    "čeština": "cs",
    "magyar": "hu",
    "ελληνικά": "el",
    "українська": "uk",
    "日本語": "ja",
    "한국어": "ko",
}


def find_language(page: Page, article: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """The primary language tag, and the most specific locale seen (for reading numeric dates)."""
    candidates: list[str | None] = []
    if article is not None:
        value = article.get("inLanguage")
        value = page.resolve(first_value(value))
        if isinstance(value, dict):
            value = value.get("alternateName") or value.get("name")
        candidates.append(value if isinstance(value, str) else None)
    root = page.tree.getroottree().getroot()
    candidates.append(
        root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or root.get("xml:lang")
    )
    candidates.append(page.meta_value("og:locale"))
    candidates.extend(page.meta_value(k) for k in _LANGUAGE_META)
    language = None
    locale = None
    for raw in candidates:
        if not raw:
            continue
        tag = raw.split(",")[0].split(";")[0].strip()
        named = _LANGUAGE_NAMES.get(tag.casefold())
        match = re.match(r"^([a-zA-Z]{2,3})(?:[-_](?:[a-zA-Z]{2}|\d{3}|[a-zA-Z]{4}))*$", tag)
        if named:
            primary = named
        elif match:
            primary = match.group(1).lower()
        else:
            continue
        if primary in ("und", "mul", "zxx", "xx"):
            continue
        if language is None:
            language = primary
        if locale is None and primary == language and re.search(r"[-_][a-zA-Z]{2}\b", tag):
            locale = tag
    return language, locale or language


# The most frequent function words of the languages most pages come in without a declared language.
# Enough to tell them apart on a few paragraphs; anything rarer stays None rather than a wrong guess.
_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to is in that for with was on are this it as by from have be not you at or",
        "de": "der die und das ist nicht mit von den zu sich auf für ein eine auch dem des im wird sie ich "
        "es werden bei nach wie",
        "fr": "le la les et des est une un du pour dans que qui pas sur au avec ce sont par il elle nous "
        "vous mais ou",
        "es": "el la los las y de que en un una por con para es del se no al como más pero sus su lo",
        "it": "il la di e che è un una per non con del della sono gli le si da al anche nel alla più",
        "pt": "o a os as e de que em um uma para com não do da dos das por se mais no na ao é",
        "nl": "de het een en van is dat op te in voor met niet zijn die ook aan er bij als naar maar",
        "sv": "och att det som en på är av för med till den har inte om ett var jag",
        "pl": "i w nie na się z że do to jest jak o po co ale od za",
    }.items()
}
_WORD_RE = re.compile(r"[^\W\d_]+")
_TEXT_TAGS = (
    "p",
    "td",
    "div",
    "font",
    "span",
    "b",
    "i",
    "em",
    "strong",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "section",
)
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),  # kana first: Japanese text also uses Han characters
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
)


_ANY_SCRIPT_RE = re.compile("|".join(pattern.pattern for _, pattern in _SCRIPTS))


# word -> the languages whose function words include it, built once from ``_STOPWORDS``
_WORD_LANGUAGES: dict[str, tuple[str, ...]] = {}
for _language, _stop in _STOPWORDS.items():
    for _word in _stop:
        _WORD_LANGUAGES[_word] = (*_WORD_LANGUAGES.get(_word, ()), _language)


def guess_language(page: Page, strict: bool = False) -> str | None:
    """A cautious guess from the title, description and first paragraphs when no tag declares one.

    ``strict`` asks for a clear margin (twice the runner-up's function words, and English itself
    nearly absent), enough to overrule a template's default ``lang="en"``.
    """
    parts = [page.title_text or "", page.meta_value("og:description") or page.meta_value("description") or ""]
    size = 0
    for count, para in enumerate(page.tree.iter("p")):
        if count >= 40 or size > 3000:
            break
        text = para.text_content()
        size += len(text)
        parts.append(text)
    if size < 300:  # no paragraphs (table layouts, <font> soup): the body's first text instead
        body = next(page.tree.iter("body"), None)
        if body is not None:
            collected = 0
            for piece in body.itertext(*_TEXT_TAGS):
                parts.append(piece)
                collected += len(piece)
                if collected > 3000:
                    break
    text = " ".join(parts)[:4000]
    if len(text.strip()) < 20:
        return None
    # Most pages hold no character of any script below: one scan for all of them spares counting the
    # letters and a scan per script.
    scripts = _SCRIPTS if _ANY_SCRIPT_RE.search(text) else ()
    letters = sum(map(str.isalpha, text)) if scripts else 0
    for language, pattern in scripts:
        found = len(pattern.findall(text))
        if letters and found / letters > 0.3:
            if language == "ru" and re.search(r"[іїєґ]", text):
                return "uk"
            return language
    counts = dict.fromkeys(_STOPWORDS, 0)
    words = _WORD_RE.findall(text.lower())
    for word, times in Counter(words).items():  # each distinct word looked up once
        for language in _WORD_LANGUAGES.get(word, ()):
            counts[language] += times
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    (best, best_count), (_second, second_count) = ranked[0], ranked[1]
    if strict:
        strong = best_count >= 15 and best_count >= 2 * second_count and counts["en"] * 4 <= best_count
        return best if strong else None
    if best_count >= 5 and best_count >= 1.25 * second_count and best_count >= 0.08 * len(words):
        return best
    return None
