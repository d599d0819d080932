"""The story's own teaser: a card elsewhere on its page (a "latest news" list, a carousel) that links back
to the page itself and prints the story's date as an absolute day.

A relative stamp ("Publiziert vor einer Stunde", "6 hours ago") is only right at the moment the page was
rendered: a cached or archived copy read later moves it by however long the copy waited. The site's own
card for the same story, printed in the same render, says the day outright. So when the two disagree by
more than a day, the card's day is the publication; when they agree, the stamp stays (it has the clock
time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from scrapers.dates import DateOrder, ParsedDate, parse_date, to_aware
from scrapers.metadata.text import clean_text

if TYPE_CHECKING:
    from scrapers.metadata.page import Page

_CARD_LEVELS = 4  # from the link up to the card holding it: link, text box, card, list item
_CARD_MAX = 400  # a teaser's text; longer is a section or the story itself
_DATE_PIECE_MAX = 40  # a text piece that is a date ("26.01.2022", "Jan. 26, 2022 | 14:00"), not prose
_LINKS_READ = 3000
_AGREEING_DAYS = 1  # a zone can move a day by one


def _page_key(url: str) -> str:
    """Host, path and query: a query often names the story ("article.php?id=123")."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}?{parts.query}"


def own_teaser_date(page: Page, order: DateOrder | None) -> ParsedDate | None:
    """The absolute day printed in a card that links to the page's own address, or None.

    Links to a part of the page ("#comments") and the front page are not the story's card. Every card
    that prints a date must print the same day; two days mean the links are something else (a
    pagination, an archive), and nothing is returned."""
    if not page.url or len(urlsplit(page.url).path.strip("/")) < 2:
        return None
    own = _page_key(page.url)
    days: dict[object, ParsedDate] = {}
    for index, a in enumerate(page.tree.iter("a")):
        if index >= _LINKS_READ:
            break
        href = (a.get("href") or "").strip()
        if not href or "#" in href or _page_key(urljoin(page.url, href)) != own:
            continue
        found = _card_date(a, order)
        if found is not None:
            days.setdefault(found.value.date(), found)
    return next(iter(days.values())) if len(days) == 1 else None


def _card_date(a: lxml.html.HtmlElement, order: DateOrder | None) -> ParsedDate | None:
    """The first short date piece in the smallest card around ``a`` that holds one."""
    card: lxml.html.HtmlElement | None = a
    for _ in range(_CARD_LEVELS):
        card = card.getparent() if card is not None else None
        if card is None or card.tag in ("body", "html"):
            return None
        if len(clean_text(" ".join(card.itertext()))) > _CARD_MAX:
            return None
        for el in card.iter(lxml.etree.Element):
            if el.tag in ("script", "style"):
                continue
            for piece in (el.text, el.tail if el is not card else None):
                text = clean_text(piece or "")
                if not text or len(text) > _DATE_PIECE_MAX or not text[0].isalnum():
                    continue
                parsed = parse_date(text, order, epoch=False)
                if parsed is not None and not parsed.ambiguous:
                    return parsed
    return None


def stamp_disagrees(stamp: ParsedDate, teaser: ParsedDate) -> bool:
    """The relative stamp's day lies more than a day from the card's: the page was read long after it
    was rendered."""
    return abs((to_aware(stamp).date() - to_aware(teaser).date()).days) > _AGREEING_DAYS


def stamp_or_teaser(
    page: Page, stamp: ParsedDate | None, order: DateOrder | None, warnings: list[str]
) -> ParsedDate | None:
    """``stamp``, read from a relative stamp (the last warning says so), unless the page's own teaser
    prints another day: then that day, with a warning in place of the stamp's."""
    if stamp is None or not warnings or not warnings[-1].startswith("published_at: relative stamp"):
        return stamp
    teaser = own_teaser_date(page, order)
    if teaser is None or not stamp_disagrees(stamp, teaser):
        return stamp
    stamp_raw = warnings.pop().split(": relative stamp ", 1)[1].split(" read against", 1)[0]
    warnings.append(
        f"published_at: the page's own teaser prints {teaser.value.date().isoformat()}; the relative "
        f"stamp {stamp_raw} disagrees with it (a copy read long after it was rendered)"
    )
    return teaser


__all__ = ["own_teaser_date", "stamp_or_teaser"]
