"""The small time vocabulary members type: times of day, durations, weekdays, dates and IANA zones."""

from datetime import date, time, timedelta

import pytest

from bot.domain.timeparse import (
    ParseError,
    format_weekdays,
    looks_like_duration,
    looks_like_time,
    looks_like_weekdays,
    parse_date,
    parse_duration,
    parse_time_of_day,
    parse_weekdays,
    parse_zone,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:30", time(9, 30)), ("9:05", time(9, 5)), ("00:00", time(0, 0)), ("23:59", time(23, 59)), (" 17:00 ", time(17))],
)
def test_a_time_of_day_is_hours_and_minutes(text: str, expected: object) -> None:
    assert parse_time_of_day(text) == expected
    assert looks_like_time(text)


@pytest.mark.parametrize("text", ["24:00", "09:60", "0930", "9.30", "nine", "", "09:30pm"])
def test_something_that_is_not_a_time_of_day_is_rejected_naming_it(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_time_of_day(text)
    assert f"'{text}'" in str(caught.value)
    assert not looks_like_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("8h", timedelta(hours=8)),
        ("2d", timedelta(days=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d2h3m", timedelta(days=1, hours=2, minutes=3)),
        ("90M", timedelta(minutes=90)),
    ],
)
def test_a_duration_is_days_hours_and_minutes(text: str, expected: object) -> None:
    assert parse_duration(text) == expected
    assert looks_like_duration(text)


@pytest.mark.parametrize("text", ["0m", "0h0m", "abc", "", "8", "30s", "m", "1m1h", "-5m"])
def test_a_zero_or_malformed_duration_is_rejected_naming_it(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_duration(text)
    assert f"'{text}'" in str(caught.value)
    assert not looks_like_duration(text)


def test_a_duration_too_large_for_the_calendar_is_rejected_as_a_parse_error() -> None:
    with pytest.raises(ParseError) as caught:
        parse_duration("9999999999d")
    assert "'9999999999d'" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("daily", {0, 1, 2, 3, 4, 5, 6}),
        ("everyday", {0, 1, 2, 3, 4, 5, 6}),
        ("weekends", {5, 6}),
        ("mon,wed,fri", {0, 2, 4}),
        ("fri-mon", {4, 5, 6, 0}),
        ("sat-tue", {5, 6, 0, 1}),
        ("Monday,Thursday", {0, 3}),
        ("TUE", {1}),
        ("mon-wed,fri", {0, 1, 2, 4}),
    ],
)
def test_weekdays_are_ranges_names_or_lists_with_monday_as_zero(text: str, expected: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(expected)
    assert looks_like_weekdays(text)


@pytest.mark.parametrize("text", ["funday", "mo", "", "mon-funday", "mon,,fri", "1-5"])
def test_something_that_is_not_a_set_of_weekdays_is_rejected_naming_it(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_weekdays(text)
    assert f"'{text}'" in str(caught.value)
    assert not looks_like_weekdays(text)


def test_weekdays_are_shown_in_their_shortest_form() -> None:
    assert format_weekdays(frozenset(range(5))) == "mon-fri"
    assert format_weekdays(frozenset(range(7))) == "daily"
    assert format_weekdays(frozenset({4, 0, 2})) == "mon,wed,fri"


def test_a_date_is_year_month_day() -> None:
    assert parse_date("2026-12-24") == date(2026, 12, 24)


@pytest.mark.parametrize("text", ["2026-13-01", "24.12.2026", "tomorrow", "2026-02-30"])
def test_something_that_is_not_a_date_is_rejected_naming_it(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_date(text)
    assert f"'{text}'" in str(caught.value)


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"])
def test_an_iana_zone_name_is_accepted(name: str) -> None:
    assert parse_zone(name).key == name


@pytest.mark.parametrize("text", ["Mars/Base", "../etc/passwd", "", "/etc/localtime", "Europe/../UTC", "Berlin"])
def test_something_that_is_not_an_iana_zone_is_rejected_naming_the_text(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_zone(text)
    assert f"'{text}' is not an IANA time zone" in str(caught.value)
