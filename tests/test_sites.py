"""Site adapters on stored pages of their CMS: what they add over the generic extractor, and that they
fall back to it (never below it) where they know nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from typer.testing import CliRunner

from scrapers.errors import ErrorKind, IngestError
from scrapers.extract import extract
from scrapers.sites import (
    ADAPTERS,
    SiteAdapter,
    adapter_names,
    adapter_record,
    extractor_for,
    get_adapter,
    match_adapter,
)
from scrapers.sites.base import OVERRIDABLE, HtmlElement
from worker.cli import app

SITES = Path(__file__).parent / "fixtures" / "sites"
PAGES = Path(__file__).parent / "fixtures" / "pages"
PANGEA_URL = "https://www.rferl.org/a/steppe-towns-heating-pipes/33012345.html"
ARC_URL = "https://www.wire.example/markets/commodities/cocoa-growers-shift-harvest-2024-10-15/"


def page(name: str) -> str:
    return (SITES / name).read_text(encoding="utf-8")


def recorded_cases() -> list[Path]:
    """Every page recorded with ``wirefeed record``: ``sites/<adapter>/<case>.html``."""
    return sorted(SITES.glob("*/*.html"))


def test_every_adapter_is_registered_and_has_recorded_cases() -> None:
    """The registry is what the adapter modules define; each adapter has at least one recorded case."""
    assert adapter_names() == {path.parent.name for path in recorded_cases()}
    for name, adapter in ADAPTERS.items():
        assert get_adapter(name) is adapter and adapter.name == name and adapter.description
    with pytest.raises(KeyError, match=f"known: {', '.join(sorted(ADAPTERS))}"):
        get_adapter("no-such-cms")


def test_defining_an_adapter_registers_it() -> None:
    class _Blogware(SiteAdapter):
        name = "test-blogware"
        description = "a CMS defined by this test"

        def match(self, url: str | None, tree: HtmlElement) -> bool:
            return bool(tree.xpath("//meta[@name='generator'][@content='Blogware']"))

        def fields(self, tree: HtmlElement, url: str | None) -> dict[str, Any]:
            return {"authors": [a.text_content() for a in tree.xpath("//a[@rel='author']")]}

    html = GENERIC.replace("<head>", "<head><meta name='generator' content='Blogware'>")
    try:
        assert "test-blogware" in adapter_names()
        assert match_adapter("https://courier.example/news/x/", html) is get_adapter("test-blogware")
        assert match_adapter("https://courier.example/news/x/", GENERIC) is None
        with pytest.raises(TypeError, match="two site adapters are named"):
            type("Other", (SiteAdapter,), {"name": "test-blogware"})
    finally:
        del ADAPTERS["test-blogware"]
    assert "test-blogware" not in adapter_names()


def test_record_writes_every_stored_case_again(tmp_path: Path) -> None:
    """Every recorded case is what `wirefeed record` writes for its page today, byte for byte (the URL
    fetch and the refusals are tested in test_cli, on a real process)."""
    runner = CliRunner()
    for case in recorded_cases():
        expected = case.with_name(f"{case.stem}.expected.json")
        url = json.loads(expected.read_text(encoding="utf-8"))["url"]
        adapter, name, folder = case.parent.name, case.stem, tmp_path / "cases"
        args = ["record", str(case), "--adapter", adapter, "--case", name, "--fixtures", str(folder)]
        result = runner.invoke(app, [*args, *(["--url", url] if url else [])])
        assert result.exit_code == 0, result.output
        assert (folder / adapter / f"{name}.html").read_bytes() == case.read_bytes()
        assert (folder / adapter / f"{name}.expected.json").read_bytes() == expected.read_bytes()


@pytest.mark.parametrize("path", recorded_cases(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_adapter_on_every_recorded_case(path: Path) -> None:
    """Each page parsed once: every adapter's ``match`` and ``fields`` run on that tree (they must not
    change it, and may only name overridable fields), then the case's adapter gives its recorded record."""
    expected = json.loads(path.with_name(f"{path.stem}.expected.json").read_text(encoding="utf-8"))
    html, url = path.read_text(encoding="utf-8"), expected["url"]
    tree = lxml.html.fromstring(html)
    before = lxml.html.tostring(tree)
    for adapter in ADAPTERS.values():
        assert set(adapter.fields(tree, url)) <= set(OVERRIDABLE), adapter.name
    assert lxml.html.tostring(tree) == before
    assert adapter_record(expected["adapter"], html, url, tree) == expected
    matched = match_adapter(url, html)
    assert (matched.name if matched else None) == (expected["matched_by"] or [None])[0]


@pytest.mark.parametrize(
    ("name", "url", "expected"),
    [
        ("pangea/story.html", PANGEA_URL, "pangea"),
        ("pangea/story.html", "https://www.rferl.org/somewhere-else", "pangea"),  # template fingerprint
        ("pangea/section.html", "https://www.rferl.org/CentralAsia", "pangea"),
        ("arc/story.html", ARC_URL, "arc"),
    ],
)
def test_match_by_url_and_markup(name: str, url: str, expected: str) -> None:
    adapter = match_adapter(url, page(name))
    assert adapter is not None and adapter.name == expected


GENERIC = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Bridge repairs</title>
<link rel="stylesheet" href="/wp-content/themes/news/style.css"></head><body>
<article class="post"><h1 class="entry-title">Bridge repairs to close one lane</h1>
<div class="entry-content"><p>One lane of the bridge will close from Monday for repairs.</p></div></article>
</body></html>"""


def test_other_cms_pages_match_no_adapter() -> None:
    assert match_adapter("https://courier.example/news/bridge-repairs/", GENERIC) is None
    # A Pangea-like story URL alone is not enough: the page must carry the template too.
    assert match_adapter("https://courier.example/a/bridge-repairs/12345678.html", GENERIC) is None


def test_seed_page_of_the_pangea_family_matches() -> None:
    seed = PAGES / "rferl-kerry-aleppo.html"
    url = "https://www.rferl.org/a/kerry-aleppo/28000000.html"
    adapter = match_adapter(url, seed.read_bytes())
    assert adapter is not None and adapter.name == "pangea"
    expected = json.loads((PAGES / "rferl-kerry-aleppo.expected.json").read_text(encoding="utf-8"))
    article = extractor_for("pangea")(seed.read_bytes(), url)
    assert article.title == expected["title"]
    assert article.authors == expected["authors"]
    assert article.published_at == datetime.fromisoformat(expected["published_at"])
    for fragment in expected.get("must_not_contain", []):
        assert fragment not in article.text


def test_pangea_fields_from_the_template() -> None:
    tree = lxml.html.fromstring(page("pangea/story.html"))
    fields = get_adapter("pangea").fields(tree, PANGEA_URL)
    assert fields["title"] == "Steppe Towns Race To Replace Soviet-Era Heating Pipes Before Winter"
    assert fields["authors"] == ["Aigerim Sadykova", "Pavel Drozd"]
    assert fields["published_at"] == datetime(2024, 10, 14, 9, 5, tzinfo=timezone(timedelta(hours=5)))
    assert fields["modified_at"] > fields["published_at"]
    text = fields["text"]
    assert text.startswith("Municipal crews in three provinces")  # the intro is part of the story
    assert "Money from the capital" in text
    assert "teaser that belongs to another story" not in text  # embeds inside div.wsw are not prose
    assert "Residents Protest After Week Without Heating" not in text
    assert text.endswith("lives on the town's main street.")


def test_pangea_extractor_improves_on_generic() -> None:
    html = page("pangea/story.html")
    generic = extract(html, PANGEA_URL)
    adapted = extractor_for("pangea")(html, PANGEA_URL)
    assert adapted.authors == ["Aigerim Sadykova", "Pavel Drozd"]
    assert adapted.modified_at is not None and adapted.modified_at.astimezone(UTC).hour == 11
    assert adapted.title == generic.title
    assert adapted.published_at == generic.published_at
    assert len(adapted.text) >= 0.9 * len(generic.text)
    assert extractor_for(None)(html, PANGEA_URL).authors == adapted.authors  # picked by matching


def test_pangea_section_page_is_still_not_an_article() -> None:
    with pytest.raises(IngestError) as caught:
        extractor_for("pangea")(page("pangea/section.html"), "https://www.rferl.org/CentralAsia")
    assert caught.value.kind is ErrorKind.NOT_AN_ARTICLE


def test_arc_fields_from_ans() -> None:
    tree = lxml.html.fromstring(page("arc/story.html"))
    fields = get_adapter("arc").fields(tree, ARC_URL)
    assert fields["title"] == "Cocoa growers shift harvest as rains arrive late"
    assert fields["authors"] == ["Ama Owusu", "Jean-Luc Bamba"]
    assert fields["published_at"] == datetime(2024, 10, 15, 6, 12, tzinfo=UTC)
    assert fields["modified_at"] == datetime(2024, 10, 15, 9, 47, 31, 112000, tzinfo=UTC)
    assert fields["language"] == "en"
    paragraphs = fields["text"].split("\n\n")
    assert paragraphs[0].startswith("ABIDJAN, Oct 15 (Wire)")
    assert "dry harmattan winds earlier" in paragraphs[1]  # inline markup flattened
    assert "Prices near records" in paragraphs
    assert "Exporters expect the mid-crop to be larger than usual." in paragraphs
    assert paragraphs[-1].startswith("The regulator is expected")
    for noise in ("PHOTO CAPTION", "ADVERTISEMENT", "Read more: our earlier coverage", "Reporting by"):
        assert noise not in fields["text"]


def test_arc_extractor_fills_both_authors() -> None:
    html = page("arc/story.html")
    adapted = extractor_for("arc")(html, ARC_URL)
    assert adapted.authors == ["Ama Owusu", "Jean-Luc Bamba"]
    assert adapted.modified_at is not None
    assert extract(html, ARC_URL).text.split("\n\n")[0] == adapted.text.split("\n\n")[0]


def test_broken_ans_falls_back_to_generic() -> None:
    html = page("arc/story.html").replace("Fusion.globalContent={", "Fusion.globalContent={broken", 1)
    generic = extract(html, ARC_URL)
    adapted = extractor_for("arc")(html, ARC_URL)
    assert get_adapter("arc").fields(lxml.html.fromstring(html), ARC_URL) == {}
    assert (adapted.title, adapted.authors, adapted.text) == (generic.title, generic.authors, generic.text)


def test_named_adapter_on_a_foreign_page_changes_nothing() -> None:
    html = page("arc/story.html")
    assert extractor_for("pangea")(html, ARC_URL).to_dict() == extract(html, ARC_URL).to_dict()


def _stored_pages() -> list[Path]:
    return sorted(PAGES.glob("*.html")) + recorded_cases()


@pytest.mark.parametrize("path", _stored_pages(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_adapters_never_make_a_stored_page_worse(path: Path) -> None:
    """Whatever adapter matches (if any), the result keeps the generic title, date and body, and only adds."""
    expected_file = path.with_name(path.name.removesuffix(".html") + ".expected.json")
    url = json.loads(expected_file.read_text(encoding="utf-8")).get("url") if expected_file.exists() else None
    html = path.read_bytes()
    try:
        generic = extract(html, url)
    except IngestError as error:
        with pytest.raises(IngestError) as caught:
            extractor_for(None)(html, url)
        assert caught.value.kind is error.kind
        return
    adapted = extractor_for(None)(html, url)
    assert adapted.title == generic.title
    assert set(generic.authors) <= set(adapted.authors)
    assert adapted.published_at == generic.published_at
    assert len(adapted.text) >= 0.9 * len(generic.text)


# ------------------------------------------------------------- the CMS's own copy is a candidate, not a truth
NIGERIA_URL = "https://www.wire.example/world/africa/nigeria-central-bank-raises-rates-2024-03-04/"
NIGERIA_LAST = "The bank's next policy meeting is scheduled for May"


def _arc_text(name: str) -> list[str]:
    article = extractor_for("arc")(page(name), NIGERIA_URL)
    assert article.text is not None
    return article.text.split("\n\n")


def test_arc_teaser_copy_cut_with_an_ellipsis_never_replaces_the_visible_story() -> None:
    """The issue's defect: ``content_elements`` holds the first two paragraphs, the second cut with "…",
    while the page shows seven full paragraphs. Storing the two cut ones broke the record and dedup."""
    fields = get_adapter("arc").fields(lxml.html.fromstring(page("arc/truncated_story.html")), NIGERIA_URL)
    assert fields["text"].endswith("…")  # the copy really is the cut one
    paragraphs = _arc_text("arc/truncated_story.html")
    assert len(paragraphs) == 7
    assert paragraphs[-1].startswith(NIGERIA_LAST)
    assert not any(p.endswith("…") for p in paragraphs)
    assert extractor_for(None)(page("arc/truncated_story.html"), NIGERIA_URL).text == "\n\n".join(paragraphs)
    # the adapter's other fields still apply
    assert extractor_for("arc")(page("arc/truncated_story.html"), NIGERIA_URL).authors == ["Camillus Eboh"]


def test_arc_full_copy_replaces_a_visible_body_cut_by_a_sign_up_wall() -> None:
    generic = extract(page("arc/full_story.html"), NIGERIA_URL).text
    assert generic is not None and NIGERIA_LAST not in generic  # the page shows three paragraphs
    paragraphs = _arc_text("arc/full_story.html")
    assert len(paragraphs) == 7 and paragraphs[-1].startswith(NIGERIA_LAST)
    assert "Naira notes" not in "\n".join(paragraphs)  # the image element's caption is not body


def test_arc_stale_copy_of_another_story_never_replaces_the_visible_story() -> None:
    fields = get_adapter("arc").fields(lxml.html.fromstring(page("arc/stale_story.html")), NIGERIA_URL)
    assert "minimum wage" in fields["text"]  # a full, untruncated copy, but of another story
    paragraphs = _arc_text("arc/stale_story.html")
    assert len(paragraphs) == 7
    assert "minimum wage" not in "\n".join(paragraphs)
    assert paragraphs[-1].startswith(NIGERIA_LAST)


def test_arc_page_without_a_copy_keeps_the_visible_story() -> None:
    html = page("arc/truncated_story.html").replace("Fusion.globalContent=", "Fusion.otherContent=", 1)
    assert get_adapter("arc").fields(lxml.html.fromstring(html), NIGERIA_URL) == {}
    paragraphs = extractor_for("arc")(html, NIGERIA_URL).text.split("\n\n")
    assert len(paragraphs) == 7 and paragraphs[-1].startswith(NIGERIA_LAST)


def test_arc_copy_rescues_a_page_whose_html_shows_no_story() -> None:
    html = page("arc/full_story.html")
    tree = lxml.html.fromstring(html)
    for el in tree.xpath("//div[@data-testid='ArticleBody']"):
        el.getparent().remove(el)
    shell = lxml.html.tostring(tree, encoding="unicode")
    with pytest.raises(IngestError):
        extract(shell, NIGERIA_URL)
    article = extractor_for("arc")(shell, NIGERIA_URL)
    assert article.text is not None and len(article.text.split("\n\n")) == 7
    assert any("body from the arc adapter" in w for w in article.warnings)
