"""A label over other pieces after the story ends it, with the teasers under it, when little follows.

With familiar names a "more of this" box is cut whole; an unseen template's box leaves its label
("Diese Beiträge solltest du nicht verpassen", ":: Relevantes aus dem gizmeo.eu-Archiv:", "Vorschau auf
den nächsten Artikel", "Don't miss", "Dans la même rubrique", "También te puede interesar") and the teasers
under it, which carry no heading and no link the structural rules can key on once their names say
nothing. The label's words say what follows: other pieces of the site (posts, articles, the archive, the
next piece). Set after the story with at most ``MORE_AFTER_MAX_CHARS`` under it, it ends the body; a
label with a long text under it is a section of the story ("Weitere Beiträge zur Debatte" introducing
an essay's second half) and only the label would go, which the line rules already handle. "À lire
aussi" is left to the line rules: a radio review programme sets its reading list under it, as content.
"""

from __future__ import annotations

import re

MORE_LABEL_MAX_CHARS = 80
MORE_AFTER_MAX_CHARS = 1500

_PIECES = (
    r"(?:beiträge|beitrag|artikel|posts?|stories|story|articles?|news|meldungen|nachrichten|geschichten|"
    r"videos|rezepte|tipps|billets?|notas|noticias|artículos?|publicaciones|entradas|contenus?)"
)
_MORE_LABEL = re.compile(
    r"(?i)^\W{0,3}(?:"
    # "Diese Beiträge solltest du nicht verpassen", "Don't miss", "No te pierdas", "À ne pas manquer"
    r"(?:(?:diese[ns]?|weitere|folgende)\s+)?(?:" + _PIECES + r"\s+)?(?:solltest du|sollten sie)\s+"
    r"(?:auch\s+)?nicht verpassen|nicht verpassen|don'?t miss(?: this| these| out)?|do not miss|"
    r"no te pierdas|à ne pas manquer|ne manquez pas|"
    # "Relevantes aus dem gizmeo.eu-Archiv", "From the archive", "Aus unserem Archiv", "Dans nos archives"
    r"(?:\w+\s+)?(?:aus (?:dem|unserem)|from (?:the|our)|dans (?:nos|les)|de (?:nuestro|el)) "
    r"[\w.-]*\s?-?archiv(?:es?|e)?|"
    # "Vorschau auf den nächsten Artikel", "Read next", "Up next", "Next article", "Article suivant"
    r"vorschau auf (?:den|die|das) (?:nächsten?|kommenden?) \w+|(?:nächste[rs]?|vorherige[rs]?) "
    + _PIECES
    + r"|"
    r"read (?:next|this next)|up next|(?:next|previous) "
    + _PIECES
    + r"|"
    + _PIECES
    + r" (?:suivante?s?|précédente?s?|"
    r"siguientes?|anteriores?)|"
    # "Ähnliche Beiträge", "Passende Artikel", "Das könnte Sie auch interessieren", "Also on SITE"
    r"(?:ähnliche|verwandte|passende|beliebte|empfohlene|neueste|aktuelle|relevante|beliebteste)\s+"
    + _PIECES
    + r"|(?:das|dies) (?:könnte|dürfte) (?:dich|sie|euch) (?:auch )?interessieren|"
    r"(?:you (?:may|might) (?:also )?(?:like|enjoy|have missed)|also on [\w.' -]{1,30}|keep reading|"
    r"recommended (?:reading|stories|articles)|popular (?:posts|stories|articles)|"
    r"dans la même rubrique|" + _PIECES + r" (?:similaires|liés|"
    r"associés|relacionad[oa]s|recomendad[oa]s)|(?:también |quizás )?te (?:puede|podría) interesar|"
    r"lo más (?:leído|visto)|más (?:leídas?|vistas?)))"
    r"(?:\s+[\w&'’.-]+){0,4}\W{0,3}$"
)
_KEYS = (
    "verpass",
    "miss",
    "pierdas",
    "manque",
    "archiv",
    "vorschau",
    "nächst",
    "vorherig",
    "next",
    "previous",
    "suivant",
    "précédent",
    "siguient",
    "anterior",
    "ähnlich",
    "verwandt",
    "passend",
    "beliebt",
    "empfohlen",
    "neueste",
    "aktuelle",
    "relevant",
    "interessier",
    "also",
    "keep reading",
    "recommended",
    "popular",
    "rubrique",
    "similaire",
    "lié",
    "associé",
    "relacionad",
    "recomendad",
    "interesar",
    "más",
)


def more_label(text: str) -> bool:
    """A short line heading a box of the site's other pieces."""
    if len(text) > MORE_LABEL_MAX_CHARS or text.rstrip()[-1:] in (".", "!", "?"):
        return False  # a label is no sentence
    low = text.casefold()
    if not any(key in low for key in _KEYS):
        return False  # most lines hold none of the words every such label must contain
    return _MORE_LABEL.match(text) is not None


def ends_story(text: str, left: int) -> bool:
    """``text`` heads other pieces and at most ``MORE_AFTER_MAX_CHARS`` follow it: the story is over."""
    return left <= MORE_AFTER_MAX_CHARS and more_label(text)
