"""URL canonicalisation: one document, one key, whatever link led to it."""

from __future__ import annotations

import pytest

from scrapers.urls import InvalidURL, canonicalize, host_key, origin, try_canonicalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM/a/b", "http://example.com/a/b"),
        ("https://www.example.org:443/story", "https://www.example.org/story"),
        ("http://example.org:80/story", "http://example.org/story"),
        ("http://example.org:8080/story", "http://example.org:8080/story"),
        ("https://example.org/story#comments", "https://example.org/story"),
        ("https://example.org/s?utm_source=rss&utm_medium=feed&id=7", "https://example.org/s?id=7"),
        ("https://example.org/s?fbclid=abc&gclid=def&msclkid=x", "https://example.org/s"),
        ("https://example.org/s?b=2&a=1", "https://example.org/s?a=1&b=2"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/a%7eb", "https://example.org/a~b"),
        ("https://example.org./story", "https://example.org/story"),
    ],
)
def test_canonical_forms(raw: str, expected: str) -> None:
    assert canonicalize(raw) == expected


def test_variants_of_one_story_share_a_key() -> None:
    variants = [
        "https://www.rferl.org/a/some-story/33100101.html",
        "HTTPS://WWW.RFERL.ORG:443/a/some-story/33100101.html?utm_source=rss&utm_campaign=x",
        "https://www.rferl.org/a/some-story/33100101.html#comments",
        "https://www.rferl.org/a/some-story/33100101.html?fbclid=IwAR0",
    ]
    assert len({canonicalize(v) for v in variants}) == 1


def test_meaningful_query_parameters_are_kept() -> None:
    assert canonicalize("https://example.org/view?id=12&page=2") != canonicalize(
        "https://example.org/view?id=13"
    )


def test_relative_links_resolve_against_base() -> None:
    assert canonicalize("../b/c?gclid=1", "https://example.org/a/x/index.html") == "https://example.org/a/b/c"


@pytest.mark.parametrize(
    "raw", ["mailto:desk@example.org", "javascript:void(0)", "ftp://example.org/f", "not a url"]
)
def test_non_http_links_are_refused(raw: str) -> None:
    with pytest.raises(InvalidURL):
        canonicalize(raw)
    assert try_canonicalize(raw) is None


def test_host_key_is_scheme_name_and_port() -> None:
    assert host_key("https://Example.org/a") == "https://example.org:443"
    assert host_key("http://example.org/a") == "http://example.org:80"
    assert host_key("http://127.0.0.1:8731/x") == "http://127.0.0.1:8731"
    assert host_key("http://127.0.0.1:8731/x") != host_key("http://127.0.0.1:8732/x")
    assert host_key("https://[::1]:8443/") == "https://[::1]:8443"


def test_origin_omits_default_port() -> None:
    assert origin("https://example.org:443/a/b?c=1") == "https://example.org"
    assert origin("http://127.0.0.1:8731/a") == "http://127.0.0.1:8731"
