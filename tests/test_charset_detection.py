"""Legacy single-byte pages that name no charset, or name the wrong one: the detector's first choice among
the Latin codecs is a coin toss on short pages (a French windows-1252 page read as cp1257 gave "aprčs"
and "Déją"; a Polish windows-1250 page read as windows-1252 gave "W³adze"), so its candidates are
checked against the words they produce. The pages are short news items in their own language."""

from __future__ import annotations

import pytest

from config.sources import Defaults
from scrapers.encoding import decode_document
from scrapers.fetch import Fetcher, FetchPolicy
from tests.hostile_servers import Route, RouteServer

STORIES: dict[str, tuple[str, str]] = {
    "french": (
        "cp1252",
        "<title>Après la pluie, la rentrée</title><h1>Après la pluie, la rentrée</h1><p>Déjà, après la "
        "réunion du conseil municipal, le maire a déclaré qu'il était très satisfait des résultats obtenus "
        "cette année. Les élèves ont présenté leurs travaux à la bibliothèque, où les parents sont venus "
        "nombreux malgré la grève des transports.</p>",
    ),
    "spanish": (
        "cp1252",
        "<title>La ciudad celebra</title><h1>La ciudad celebra</h1><p>El alcalde anunció el miércoles que "
        "la reunión con los vecinos se celebrará en el ayuntamiento. «Es una decisión difícil», dijo, "
        "¿pero quién podría negarse? Los niños recibirán útiles escolares en otoño.</p>",
    ),
    "german": (
        "cp1252",
        "<title>Neue Brücke</title><h1>Neue Brücke für München</h1><p>Die Bürgermeisterin äußerte sich am "
        "Dienstag über die Pläne für die neue Brücke. „Wir wollen schöne Straßen“, sagte sie. Die "
        "Grünen begrüßten den Beschluss, die Gebühren für Anwohner bleiben gleich.</p>",
    ),
    "polish": (
        "cp1250",
        "<title>Nowy most</title><h1>Nowy most w mieście</h1><p>Władze miasta ogłosiły, że nowy most "
        "zostanie otwarty w przyszłym tygodniu. Mieszkańcy są zadowoleni z decyzji rządu, choć część z "
        "nich narzeka na korki. Prace trwały dłużej, niż zakładano.</p>",
    ),
    "czech": (
        "cp1250",
        "<title>Nový most</title><h1>Nový most</h1><p>Představitelé města oznámili, že nový most bude "
        "otevřen příští týden. Obyvatelé jsou spokojeni s rozhodnutím vlády, i když stavba trvala déle, "
        "než se čekalo. Řidiči se dočkají úlevy.</p>",
    ),
    "lithuanian": (
        "cp1257",
        "<title>Naujas tiltas</title><h1>Naujas tiltas</h1><p>Lietuvos vyriausybė paskelbė, kad naujasis "
        "tiltas bus atidarytas kitą savaitę. Gyventojai džiaugiasi šiuo sprendimu, nors statybos "
        "užtruko ilgiau, nei buvo žadėta.</p>",
    ),
    "russian": (
        "cp1251",
        "<title>Новый мост</title><h1>Новый мост</h1><p>Власти города объявили, что новый мост будет "
        "открыт на следующей неделе. Жители довольны решением правительства, хотя строительство "
        "заняло больше времени, чем ожидалось.</p>",
    ),
}


def _page(body: str) -> str:
    return f"<!DOCTYPE html><html><head></head><body>{body}</body></html>"


@pytest.mark.parametrize("language", sorted(STORIES))
def test_a_legacy_page_that_names_no_charset_reads_as_its_own_language(language: str) -> None:
    codec, body = STORIES[language]
    page = _page(body)
    decoded = decode_document(page.encode(codec))
    assert decoded.text == page, decoded.encoding


@pytest.mark.parametrize("language", ["french", "polish", "german"])
def test_a_header_that_says_utf8_over_legacy_bytes_is_overruled_by_the_words(language: str) -> None:
    codec, body = STORIES[language]
    page = _page(body)
    server = RouteServer()
    with server, Fetcher(allow_private_hosts=["127.0.0.1"]) as fetcher:
        server.routes["/story.html"] = Route(page.encode(codec), "text/html; charset=utf-8")
        policy = FetchPolicy.from_source(
            Defaults(), user_agent="wirefeed-test/0.1", min_delay_s=0.0, timeout_s=2.0
        )
        fetched = fetcher.fetch(server.base + "/story.html", policy)
    assert fetched.text == page
