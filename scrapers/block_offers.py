"""Paywall and subscription offers set as lines of the body: prices, periods and what access they buy.

With familiar names the offer box ("paywall", "subscription", "access-options") is cut as chrome; an
unseen template leaves its lines among the story's: "Buy single article", "Instant access to the full
article PDF.", "37,40 €", "Price includes VAT for Germany", "€ 9,99 / Monat", "Subscription will auto
renew annually." Their shape gives them away: a price alone on its line or a price per period, and the
offer's own words (access, VAT, renewal, a trial), several of them in a run of short lines. A story that
quotes a price says more around it, in sentences, and a single line about a subscription is left to the
call-to-action rules.
"""

from __future__ import annotations

import re

# An offer is a group of short lines holding at least this many offer lines, a price and a line in the
# offer's words among them, no more than ``OFFER_GAP`` other lines apart.
OFFER_MIN_LINES = 2
OFFER_GAP = 2
OFFER_LINE_MAX_CHARS = 200
# A short label over the offer ("Access options", "Unsere Angebote") goes with it.
OFFER_LABEL_MAX_CHARS = 40
# A price per period counts in a line this short ("ab 9,99 € im Monat"); a sentence quoting a fare does not.
PRICE_PERIOD_MAX_CHARS = 60

_CURRENCY = r"(?:[$€£¥]|\b(?:usd|eur|gbp|chf|euro?s?|dollars?)\b)"
_AMOUNT = r"\d{1,4}(?:[.,]\d{3})*(?:[.,]\d{1,2})?(?:[.,]-)?"
_PERIOD = (
    r"(?:(?:/|per|a|an|pro|im|par|al|por)\s*(?:month|mo|week|wk|year|yr|annum|monat|woche|jahr|"
    r"mois|semaine|an|année|mes|semana|año)\b|monthly|weekly|yearly|annually|monatlich|jährlich|"
    r"mensuel\w*|annuel\w*|mensual\w*|anual\w*)"
)
_PRICE = r"(?:" + _CURRENCY + r"\s?" + _AMOUNT + r"|" + _AMOUNT + r"\s?" + _CURRENCY + r")"
# A price with at most a short word or two and a period around it: "37,40 €", "$4.99/month",
# "ab 9,99 € im Monat", "Only $1 a week".
_PRICE_LINE = re.compile(
    r"(?i)^\W{0,3}(?:[^\W\d_]+\s+){0,2}" + _PRICE + r"\*?\s*(?:" + _PERIOD + r")?\s*\W{0,3}$"
)
_PRICE_PER_PERIOD = re.compile(r"(?i)" + _PRICE + r"\*?\s*" + _PERIOD)
_OFFER_WORDS = re.compile(
    r"(?i)\b(?:price includes (?:vat|tax)|incl(?:uding|\.)? (?:vat|tax)|inkl(?:usive|\.)? (?:mwst|ust)|"
    r"zzgl\.? (?:mwst|versand)|ttc\b|iva incluido|"
    r"(?:subscription|abo(?:nnement)?|suscripción) (?:will )?(?:auto[- ]?renews?|renews? automatically|"
    r"verlängert sich|se renouvelle|se renueva)|auto[- ]renew\w*|"
    r"buy (?:this|single|the)? ?(?:article|issue|access)|artikel kaufen|acheter (?:l'article|ce numéro)|"
    r"(?:instant|immediate|unlimited|full|digital|online) access to\b|unbegrenzte?r? zugriff|"
    r"accès (?:illimité|immédiat)|acceso ilimitado|"
    r"free trial|kostenlos testen|probeabo|gratis testen|essai gratuit|prueba gratuita|"
    r"billed (?:monthly|annually|yearly)|jederzeit kündbar|sans engagement|sin permanencia|"
    r"access options|zugangsoptionen|subscription options|abo-?angebote?)"
)
_SENTENCE_END = re.compile(r"[.!?…\"“”»)]\s*$")
_KEYS = ("$", "€", "£", "¥", "usd", "eur", "gbp", "chf", "dollar")


def _price_line(text: str) -> bool:
    low = text.casefold()
    if not any(key in low for key in _KEYS):
        return False
    if _PRICE_LINE.match(text) is not None:
        return True
    return len(text) <= PRICE_PERIOD_MAX_CHARS and _PRICE_PER_PERIOD.search(text) is not None


def _offer_line(text: str) -> int:
    """2 for a price line, 1 for a line in the offer's words, 0 for neither."""
    if len(text) > OFFER_LINE_MAX_CHARS:
        return 0
    if _price_line(text):
        return 2
    return 1 if _OFFER_WORDS.search(text) else 0


def _label(text: str) -> bool:
    return len(text) <= OFFER_LABEL_MAX_CHARS and _SENTENCE_END.search(text) is None


def _clusters(kinds: list[int], paragraphs: list[str]) -> list[list[int]]:
    """Offer lines grouped when at most ``OFFER_GAP`` short lines part them; a long paragraph ends a
    group."""
    groups: list[list[int]] = []
    current: list[int] = []
    for i, kind in enumerate(kinds):
        if len(paragraphs[i]) > OFFER_LINE_MAX_CHARS:
            current = []
            continue
        if not kind:
            continue
        if current and i - current[-1] - 1 > OFFER_GAP:
            current = []
        if not current:
            groups.append(current)
        current.append(i)
    return groups


def drop_offers(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without every offer: a group of short offer lines holding a price and a line in
    the offer's words, with the short lines between them and one label above."""
    page = "\n".join(paragraphs).casefold()
    if not any(key in page for key in _KEYS):
        return paragraphs  # no currency on the page, so no price line: most pages stop here
    kinds = [_offer_line(text) for text in paragraphs]
    if 2 not in kinds or 1 not in kinds:
        return paragraphs
    doomed: set[int] = set()
    for group in _clusters(kinds, paragraphs):
        found = {kinds[i] for i in group}
        if len(group) < OFFER_MIN_LINES or found != {1, 2}:
            continue
        first = group[0]
        if first > 0 and len(paragraphs[first - 1]) <= OFFER_LINE_MAX_CHARS and _label(paragraphs[first - 1]):
            first -= 1
        doomed.update(range(first, group[-1] + 1))
    return [text for i, text in enumerate(paragraphs) if i not in doomed]
