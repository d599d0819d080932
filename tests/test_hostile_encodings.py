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


@pytest.mark.parametrize(
    ("codec", "meta", "story"),
    [
        (
            "gb2312",
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
            "河北省政府今天召开新闻发布会，介绍全省经济运行情况。今年前五个月，全省生产总值同比增长百分之八点五，工业增加值增长百分之九。",
        ),
        (
            "gb2312",
            "",
            "新华网石家庄6月4日电 记者从省教育厅获悉，今年全省普通高考报名人数为四十五万人，比去年减少两万人。",
        ),
        ("big5", "", "新聞報導：台灣經濟成長率今年預估將達百分之三，出口訂單持續增加。"),
        ("euc-kr", "", "한국 경제 뉴스와 서울 날씨 정보를 전해 드립니다. 수출이 늘었습니다."),
    ],
)
def test_double_byte_legacy_pages_are_not_read_as_utf8_with_stray_bytes(
    fetcher: Fetcher, server: RouteServer, codec: str, meta: str, story: str
) -> None:
    """Double-byte text pairs some bytes into well-formed UTF-8 by chance (a GB2312 news page of 38 KB
    holds 662 such pairs); read as UTF-8 with cp1252 pieces it came out as mojibake."""
    body = f"<html><head>{meta}<title>News</title></head><body><p>{story * 12}</p></body></html>"
    text = _text(fetcher, server, body.encode(codec), "text/html")
    assert story in text
