"""A home page's story links on an outlet nobody described: its address scheme is unfamiliar (two-word
slugs, a hashed id), its home page has a story grid, a menu, a footer and topic links, and it announces no
feed. Read from a real-looking page (``tests/fixtures/home/kreisbote.html``), as served and with its
semantic tags stripped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scrapers.discover import story_links
from scrapers.story_links import headline_like, hints_article, looks_like_article, path_shape

HOMES = Path(__file__).parent / "fixtures" / "home"
BASE = "https://kreisbote.example/"
STORIES = [
    "/lokales/streit-ums-feuerholz",
    "/kultur/buehne-eroeffnet",
    "/sport/pokal-finale",
    "/wirtschaft/hafen-ausbau",
    "/r/7f3ac91e0b",
    "/meinung/zu-spaet-fuer-den-hafen",
]
# An outlet whose template is divs only (no nav, header or footer as served): a top bar of short labels
# on id addresses, a menu tree whose entries read like headlines on long slugs, a footer of labels on id
# addresses; a story grid with a three-word headline and a dated story under /archive/.
VALLEY_STORIES = [
    "/2024/05/12/harbour-vote-passes",
    "/local/council-resigns",
    "/sport/cup-final",
    "/business/harbour-expansion",
    "/culture/stage-reopens",
    "/a/8f2c91d07e",
    "/archive/2024/05/11/ferry-timetable-changes",
]
OUTLETS = {"kreisbote": STORIES, "valley-courier": VALLEY_STORIES}


def home_page(*, semantic: bool, outlet: str = "kreisbote") -> str:
    """The outlet's fixture as served, or with ``nav``, ``header`` and ``footer`` made ``div`` (a template
    of divs only: the rules must not lean on the tags)."""
    page = (HOMES / f"{outlet}.html").read_text("utf-8")
    return page if semantic else re.sub(r"<(/?)(?:nav|header|footer)\b", r"<\1div", page)


@pytest.mark.parametrize("semantic", [True, False], ids=["as-served", "no-semantic-tags"])
def test_a_home_page_gives_its_stories_not_its_sections_topics_or_footer(semantic: bool) -> None:
    found = story_links(home_page(semantic=semantic), BASE)
    # before (the address alone): the one four-word story, plus the four-word topic, service, privacy and
    # contact pages of its menu, topic list and footer; the grid's two-word slugs and hashed id missed
    assert [item.url.removeprefix(BASE.rstrip("/")) for item in found] == STORIES
    assert found[0].title == "Streit ums Feuerholz: Gemeinderat vertagt die Entscheidung erneut"


def test_a_div_only_template_s_menus_are_told_by_their_shape() -> None:
    """No nav, header or footer to lean on: the top bar and the footer are blocks of short labels (their
    addresses carry ids), the menu is a tree of links whose entries read like headlines."""
    found = story_links(home_page(semantic=True, outlet="valley-courier"), "https://valley.example/")
    # before: the 4 top-bar pages, the 7 menu-tree pages and 4 footer pages taken beside the stories (15
    # wasted fetches), while the three-word headline and the story under /archive/ were missed
    assert [item.url.removeprefix("https://valley.example") for item in found] == VALLEY_STORIES
    assert found[1].title == "Harbour council resigns"


def test_a_dated_story_under_an_archive_segment_is_a_story() -> None:
    # before: any /archive/ segment made the address a listing
    assert looks_like_article("/archive/2024/05/12/harbour-vote-passes")
    assert looks_like_article("/news/archives/2019/03/12/council-votes-budget")
    assert hints_article("/archives/1234")  # WordPress's numeric permalinks
    assert not looks_like_article("/archive/2024/05/") and not hints_article("/archive/2024/05/")
    assert not looks_like_article("/archives/2024") and not hints_article("/archives/2024")
    assert not looks_like_article("/tag/harbour/archive/2024/05/12/harbour-vote-passes")


def test_a_three_word_headline_reads_as_a_headline_and_a_three_word_label_stays_a_label() -> None:
    assert headline_like("Harbour council resigns")  # before: four words at least
    assert not headline_like("Terms of use") and not headline_like("Local news")


@pytest.mark.parametrize(
    "path",
    [
        "/?p=31228",  # WordPress without pretty links
        "/dettaglio.php?id=58354",
        "/spip.php?article8532",
        "/reviews/581cf1892ae760087cadbf17",  # an opaque id
        "/espectaculos/noticia/pelea-en-pasillos/I7QCHL6HAZCBBIROIOUNHFGB5I/",
        "/nacional/noticia/pelea-en-pasillos/QWERTYU7ASDFGHJKLZXCVBNMPO/",  # an Arc id with one digit
        "/2020/08/23646/",  # year and month, then an id
        "/blog/2023/buch-digitale-muendigkeit",  # a year, then a slug
    ],
)
def test_addresses_that_name_one_story_by_an_id_or_a_date(path: str) -> None:
    assert looks_like_article(path)  # before: all refused (no 6-digit id, no 4-word slug)


@pytest.mark.parametrize(
    "path",
    ["/?page=2", "/?cat=1234", "/news/?paged=120", "/tag/harbour-council-votes-on-it", "/2024/", "/politik/"],
)
def test_listings_paging_and_filters_are_not_stories(path: str) -> None:
    assert not looks_like_article(path)


def test_weaker_address_hints_and_headlines() -> None:
    assert hints_article("/europa/deutschland/ostfriesland/emden-21416")
    assert hints_article("/news,139377.html")
    assert hints_article("/rezepte/dresdner-stollenfest.html")
    assert hints_article("/de/artikel/anzahl-zugelassener-parteien")
    assert not hints_article("/drucker/")
    assert not hints_article("/index.html")
    assert not hints_article("/kindersitztest-2018/")  # a year, not an id
    assert headline_like("Land gibt zwölf Millionen Euro für den Hafen")
    assert headline_like("蔡健雅新專輯今日正式發行")  # no spaces between words: a run of characters
    assert not headline_like("Lokales") and not headline_like("Über uns")
    assert path_shape("/kultur/buehne-eroeffnet") == path_shape("/sport/pokal-finale") == ("w", "s")
    assert path_shape("/r/7f3ac91e0b?x=1") == ("w", "h", "?")
    assert path_shape("/kindersitztest2018/") == ("w",)  # a word and a year, not an opaque id


def test_a_link_farm_home_page_is_read_to_its_first_anchors_only() -> None:
    """A 10 MB page of anchors (within the fetch's byte limit) would cost seconds of canonicalising and
    shape reading per crawl; a home page's stories come long before its ten-thousandth anchor."""
    from scrapers.discover import MAX_PAGE_ANCHORS

    def page(anchors: int) -> str:
        farm = "".join(f'<p><a href="/s/{n}">Section {n}</a></p>' for n in range(anchors))
        late = '<h2><a href="/2024/05/12/harbour-council-votes">Harbour council votes on the budget</a></h2>'
        return f"<html><body>{farm}{late}</body></html>"

    assert story_links(page(MAX_PAGE_ANCHORS), BASE) == []
    assert [item.url for item in story_links(page(MAX_PAGE_ANCHORS - 1), BASE)] == [
        BASE + "2024/05/12/harbour-council-votes"
    ]


GAZETTE_STORIES = [
    "/2024/05/12/harbour-council-votes-on-the-ferry-budget/",
    "/2024/05/11/new-timetable-for-the-island-ferries/",
    "/?p=31228",
    "/?p=31230",
    "/2024/05/10/school-roof-repairs-finished-before-exams/",
]


def test_share_print_and_reply_addresses_of_a_story_and_its_files_are_not_fetched_again() -> None:
    """A WordPress home page whose cards carry share, print and reply buttons (the story's own address with
    a query naming no story) and a box of council papers in dated upload folders: before, each button was
    a story of its own (its path is dated) and each file too. A ``?p=`` id beside the home page stays."""
    html = (HOMES / "harbour-gazette.html").read_text("utf-8")
    found = [
        item.url.removeprefix("https://harbour-gazette.example")
        for item in story_links(html, "https://harbour-gazette.example/")
    ]
    assert found == GAZETTE_STORIES


CALENDARS = {
    # days in the query (``/events/?day=20240513``): a date there is no story's id (before, each day was
    # taken as one, and each day's page links the next month's days: a crawler trap); paging links are
    # listings; the dated stories are kept
    "valley-times-calendar": [
        "news/2024/05/12/bridge-reopens-after-repairs",
        "news/2024/05/11/farmers-market-moves-to-the-square",
        "news/2024/05/10/library-extends-opening-hours",
    ],
    # days as a path segment (``/events/2024-05-03/``, the day view of WordPress's most common events
    # plugin): a date with nothing after it names a day's listing, as ``/2024/05/12/`` does, and a date
    # followed by a slug stays a story (before, on main, each busy day was taken, the one with a
    # headline-like anchor too: 6 day pages beside the 3 stories)
    "riverside-post-events": [
        "2024/05/14/ferry-timetable-changes-for-summer/",
        "2024-05-13/school-board-approves-new-gym/",
        "2024/05/12/rowing-club-wins-regional-final/",
    ],
}


@pytest.mark.parametrize("home", CALENDARS)
def test_an_events_calendar_of_days_is_not_a_list_of_stories(home: str) -> None:
    html = (HOMES / f"{home}.html").read_text("utf-8")
    site = home.removesuffix("-calendar").removesuffix("-events")
    found = [item.url.split("/", 3)[3] for item in story_links(html, f"https://{site}.example/")]
    assert found == CALENDARS[home]
