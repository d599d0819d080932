"""Pages whose bytes and labels disagree, fetched from 127.0.0.1 by the real fetcher: UTF-8 with
windows-1252 pieces pasted in, a UTF-8 page declaring Latin-1, a cp1251 page labelled UTF-8, noise."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from config.sources import Defaults
from scrapers.errors import ErrorKind, IngestError
from scrapers.fetch import Fetcher, FetchPolicy
from tests.hostile_servers import Route, RouteServer

POLICY = FetchPolicy.from_source(Defaults(), user_agent="wirefeed-test/0.1", min_delay_s=0.0, timeout_s=2.0)
HEAD = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Le marché</title></head><body>'


@pytest.fixture
def server() -> Iterator[RouteServer]:
    with RouteServer() as instance:
        yield instance


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(allow_private_hosts=["127.0.0.1"]) as instance:
        yield instance


def _text(fetcher: Fetcher, server: RouteServer, body: bytes, content_type: str) -> str:
    server.routes["/page.html"] = Route(body, content_type)
    return fetcher.fetch(server.base + "/page.html", POLICY).text or ""


def test_utf8_page_with_windows_1252_pieces_keeps_both_parts(fetcher: Fetcher, server: RouteServer) -> None:
    template = (
        HEAD + "<nav>Accueil · Économie · Société</nav><p>" + "Café crème à la carte. " * 8 + "</p>"
    ).encode()
    legacy = ("<p>" + "Prix : 5 €, déjà vu, l’élève « naïf ». " * 8 + "</p></body></html>").encode("cp1252")
    text = _text(fetcher, server, template + legacy, "text/html; charset=utf-8")
    assert "Économie · Société" in text and "Café crème à la carte." in text
    assert "Prix : 5 €, déjà vu, l’élève « naïf »." in text


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (  # a UTF-8 page whose meta says Latin-1, served without a charset
            (
                '<html><head><meta charset="iso-8859-1"></head><body><p>'
                + "Москва и Киев, новости дня. " * 20
            ).encode(),
            "text/html",
            "Москва и Киев, новости дня.",
        ),
        (  # a cp1251 page the header calls UTF-8
            ("<html><body><p>" + "Москва и Киев, новости дня. " * 20 + "</p></body></html>").encode("cp1251"),
            "text/html; charset=utf-8",
            "Москва и Киев, новости дня.",
        ),
        (  # a Latin-1 page the header calls UTF-8, its meta right
            ('<html><head><meta charset="iso-8859-1"></head><body><p>' + "Crème brûlée à Noël. " * 20).encode(
                "latin-1"
            ),
            "text/html; charset=UTF-8",
            "Crème brûlée à Noël.",
        ),
    ],
)
def test_labels_that_lie_are_overruled_by_the_bytes(
    fetcher: Fetcher, server: RouteServer, body: bytes, content_type: str, expected: str
) -> None:
    assert expected in _text(fetcher, server, body, content_type)


def test_noise_labelled_as_html_is_an_encoding_error(fetcher: Fetcher, server: RouteServer) -> None:
    noise = b"<html>" + random.Random(7).randbytes(20_000)
    server.routes["/noise.html"] = Route(noise, "text/html; charset=utf-8")
    with pytest.raises(IngestError) as caught:
        fetcher.fetch(server.base + "/noise.html", POLICY)
    assert caught.value.kind is ErrorKind.ENCODING
