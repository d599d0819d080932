"""Date strings as news pages print them, and the two mistakes we must not make: swapping day and month,
and inventing a time zone without saying so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scrapers.dates import (
    DateOrder,
    date_order_for_locale,
    infer_date_order,
    parse_date,
    parse_epoch,
    parse_relative,
    relative_line,
    to_aware,
)

KERRY = datetime(2016, 10, 7, 19, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2016-10-07 19:12:00Z",
        "2016-10-07T19:12:00+0000",
        "2016-10-07T19:12:00+00:00",
        "2016-10-07T21:12:00+02:00",
        "2016-10-07T15:12:00-04:00",
        "Fri, 07 Oct 2016 19:12:00 GMT",
        "Fri, 07 Oct 2016 19:12:00 +0000",
        "October 07, 2016 19:12 GMT",
        "Oct. 7, 2016, 7:12 p.m. UTC",
        "20161007T191200Z",
        "Freitag, 7. Oktober 2016, 21:12 Uhr MESZ",
        "7 October 2016 at 20:12 BST",
        "1475867520",
        "1475867520000",
        "Updated: 2016-10-07T19:12:00Z",
        "Fri Oct 07 21:12:00 CEST 2016",  # Java Date.toString in a CMS's JSON-LD
        "২০১৬-১০-০৭T১৯:১২:০০+০০:০০",  # Bengali digits
    ],
)
def test_zoned_formats_give_the_same_instant(text: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None, text
    assert parsed.has_tz and parsed.has_time
    assert parsed.value == KERRY
    assert not parsed.ambiguous


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7. Oktober 2016", datetime(2016, 10, 7)),
        ("7 октября 2016", datetime(2016, 10, 7)),
        ("7 октября 2016 г.", datetime(2016, 10, 7)),
        ("7 octobre 2016", datetime(2016, 10, 7)),
        ("1er février 2021", datetime(2021, 2, 1)),
        ("7 de octubre de 2016", datetime(2016, 10, 7)),
        ("7 ottobre 2016", datetime(2016, 10, 7)),
        ("7 oktober 2016", datetime(2016, 10, 7)),
        ("7 października 2016", datetime(2016, 10, 7)),
        ("7 أكتوبر ٢٠١٦", datetime(2016, 10, 7)),
        ("2 كانون الثاني 2020", datetime(2020, 1, 2)),
        ("Stand: 07.10.2016", datetime(2016, 10, 7)),
        ("2016. október 7.", datetime(2016, 10, 7)),
        ("7 octombrie 2016", datetime(2016, 10, 7)),
        ("7. lokakuuta 2016", datetime(2016, 10, 7)),
        ("7 de outubro de 2016", datetime(2016, 10, 7)),
        ("2016年10月7日", datetime(2016, 10, 7)),
        ("3. März 2020", datetime(2020, 3, 3)),
        ("March 3rd, 2020", datetime(2020, 3, 3)),
    ],
)
def test_month_names_in_several_languages(text: str, expected: datetime) -> None:
    parsed = parse_date(text)
    assert parsed is not None, text
    assert parsed.value == expected
    assert not parsed.has_time and not parsed.has_tz


def test_local_time_without_zone_is_reported_not_invented() -> None:
    parsed = parse_date("07.10.2016 19:12")
    assert parsed is not None
    assert parsed.value == datetime(2016, 10, 7, 19, 12)
    assert parsed.value.tzinfo is None
    assert parsed.has_time and not parsed.has_tz
    assert to_aware(parsed) == datetime(2016, 10, 7, 19, 12, tzinfo=UTC)


def test_time_printed_before_the_date() -> None:
    parsed = parse_date("19:12, 7 October 2016")
    assert parsed is not None and parsed.value == datetime(2016, 10, 7, 19, 12)
    parsed = parse_date("21:12 Uhr, 07.10.2016")
    assert parsed is not None and parsed.value == datetime(2016, 10, 7, 21, 12)


def test_twelve_hour_clock() -> None:
    assert parse_date("Oct 7, 2016 12:05 am EDT").value == datetime(  # type: ignore[union-attr]
        2016, 10, 7, 0, 5, tzinfo=timezone(timedelta(hours=-4))
    )
    assert parse_date("Oct 7, 2016 12:05 PM").value == datetime(2016, 10, 7, 12, 5)  # type: ignore[union-attr]


def test_us_region_zones_follow_daylight_saving() -> None:
    summer = parse_date("Oct. 7, 2016, 7:12 p.m. ET")
    winter = parse_date("January 7, 2016 7:12 PM ET")
    assert summer is not None and summer.value.utcoffset() == timedelta(hours=-4)
    assert winter is not None and winter.value.utcoffset() == timedelta(hours=-5)
    assert parse_date("Oct 7, 2016 10:00 PT").value.utcoffset() == timedelta(hours=-7)  # type: ignore[union-attr]


def test_offset_is_kept_not_converted_away() -> None:
    parsed = parse_date("2016-10-07T21:12:00+02:00")
    assert parsed is not None
    assert parsed.value.utcoffset() == timedelta(hours=2)


class TestDayMonthOrder:
    def test_ambiguous_numeric_date_is_flagged(self) -> None:
        parsed = parse_date("03/04/2024")
        assert parsed is not None and parsed.ambiguous

    def test_order_given_by_caller(self) -> None:
        assert parse_date("03/04/2024", DateOrder.MDY).value == datetime(2024, 3, 4)  # type: ignore[union-attr]
        assert parse_date("03/04/2024", DateOrder.DMY).value == datetime(2024, 4, 3)  # type: ignore[union-attr]
        assert not parse_date("03/04/2024", DateOrder.MDY).ambiguous  # type: ignore[union-attr]

    def test_a_field_above_twelve_settles_it_whatever_the_locale(self) -> None:
        assert parse_date("13/04/2024", DateOrder.MDY).value == datetime(2024, 4, 13)  # type: ignore[union-attr]
        assert parse_date("04/13/2024", DateOrder.DMY).value == datetime(2024, 4, 13)  # type: ignore[union-attr]

    def test_dotted_dates_are_day_first(self) -> None:
        parsed = parse_date("03.04.2024", DateOrder.MDY)
        assert parsed is not None and parsed.value == datetime(2024, 4, 3) and not parsed.ambiguous

    @pytest.mark.parametrize(
        ("locale", "order"),
        [
            ("en-US", DateOrder.MDY),
            ("en_US", DateOrder.MDY),
            ("en-GB", DateOrder.DMY),
            ("en-IN", DateOrder.DMY),
            ("de", DateOrder.DMY),
            ("fr-CA", DateOrder.DMY),
            ("ru-RU", DateOrder.DMY),
            ("es-US", DateOrder.MDY),
            ("en", None),
            (None, None),
        ],
    )
    def test_locale(self, locale: str | None, order: DateOrder | None) -> None:
        assert date_order_for_locale(locale) is order

    def test_inferred_from_other_dates_on_the_page(self) -> None:
        assert infer_date_order(["Posted 03/04/2024", "Comment 25/03/2024"]) is DateOrder.DMY
        assert infer_date_order(["03/04/2024", "12/25/2023 10:00"]) is DateOrder.MDY
        assert infer_date_order(["03/04/2024"]) is None
        assert infer_date_order(["25/03/2024", "12/25/2023"]) is None  # contradictory page: no verdict


@pytest.mark.parametrize(
    "text",
    ["", "hello world", "10/07/16", "31/02/2016", "2016-13-45", "Version 1.2.3", "0", "1234", "12:30"],
)
def test_garbage_and_impossible_dates_give_none(text: str) -> None:
    assert parse_date(text) is None


def test_years_outside_the_news_window_are_rejected() -> None:
    assert parse_date("1066-10-14") is None
    assert parse_epoch(0) is None
    assert parse_epoch("not a number") is None


def test_epoch_milliseconds_and_seconds() -> None:
    assert parse_epoch(1475867520) == parse_epoch("1475867520000")
    assert parse_epoch(1475867520).value == KERRY  # type: ignore[union-attr]


FETCHED = datetime(2024, 5, 12, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected", "has_time"),
    [
        ("Updated 3 hours ago", datetime(2024, 5, 12, 15, 0, tzinfo=UTC), True),
        ("an hour ago", datetime(2024, 5, 12, 17, 0, tzinfo=UTC), True),
        ("Aktualisiert vor einer Stunde", datetime(2024, 5, 12, 17, 0, tzinfo=UTC), True),
        ("vor 2 Tagen", datetime(2024, 5, 10), False),
        ("il y a 5 minutes", datetime(2024, 5, 12, 17, 55, tzinfo=UTC), True),
        ("hace 1 hora", datetime(2024, 5, 12, 17, 0, tzinfo=UTC), True),
        ("yesterday, 14:30", datetime(2024, 5, 11, 14, 30), True),
        ("heute, 09:15 Uhr", datetime(2024, 5, 12, 9, 15), True),
        # a compound amount counts whole: "7d 0h ago" is a week back, not "0h ago"
        ("Updated 7d 0h ago", datetime(2024, 5, 5), False),
        ("vor 1 Tag 3 Stunden", datetime(2024, 5, 11), False),
        ("2h 30min ago", datetime(2024, 5, 12, 15, 30, tzinfo=UTC), True),
    ],
)
def test_relative_dates_count_back_from_the_fetch_time(text: str, expected: datetime, has_time: bool) -> None:
    parsed = parse_relative(text, FETCHED)
    assert parsed is not None, text
    assert parsed.value == expected
    assert parsed.has_time is has_time


@pytest.mark.parametrize(
    "text",
    [
        "Hier finden Sie alles",
        "Heute im Programm",
        "May 12, 2024",
        "vor Ort",
        # opening hours: the clock time does not follow the word, so it is not today's stamp
        "Heute erreichbar: 9:00 - 18:00 Uhr",
    ],
)
def test_everyday_words_are_not_relative_dates(text: str) -> None:
    assert parse_relative(text, FETCHED) is None


@pytest.mark.parametrize(
    "line",
    [
        "3 days ago",
        "• 6 hours ago",
        "an hour ago",
        "3h ago",
        "2 months ago",
        "vor 3 Stunden",
        "vor einer Stunde",
        "(vor 2 Jahren)",
        "il y a 5 minutes",
        "il y a un an",
        "hace una hora",
        "hace 2 meses",
        "7d 0h ago",
    ],
)
def test_a_line_that_is_only_a_relative_stamp_is_one_for_the_date_reader_and_the_body_alike(
    line: str,
) -> None:
    """One definition (``scrapers.dates``): the body's stamp filter drops exactly the lines the date reader
    knows as relative stamps, in the same words and units. Before, the filter kept its own pattern and let
    "vor einer Stunde", "3h ago" and "hace una hora" through into the story's text."""
    from scrapers.block_stamps import stamp_text

    assert relative_line(line)
    assert stamp_text(line)


@pytest.mark.parametrize(
    "line",
    [
        "Vor 3 Tagen wurde er gewählt",
        "3 answers ago",
        "Two years ago, the council voted no.",
        "vor Ort",
        "hace frío",
    ],
)
def test_a_sentence_with_a_relative_time_is_no_stamp_line(line: str) -> None:
    from scrapers.block_stamps import stamp_text

    assert not relative_line(line)
    assert not stamp_text(line)
