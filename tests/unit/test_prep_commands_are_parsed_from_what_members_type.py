"""`/prep ...` as typed becomes a command; anything unusable is a UsageError naming the word that was wrong."""

import itertools
import re
from datetime import date, time, timedelta

import pytest

from bot.cards import HelpCard
from bot.commands import USAGE, UsageError, parse_prep
from bot.wording import Paragraph, Part, Span, Surface, help_text
from bot.domain.questions import Level
from bot.domain.schedule import Deadline
from bot.messages import (
    SetConfig,
    SetHolidays,
    SetOptOut,
    SetPaused,
    ShowConfig,
    ShowHelp,
    ShowLeaderboard,
    ShowStats,
    SkipNext,
    StartPractice,
    Subscribe,
    Unsubscribe,
)


def usage_error(text: str) -> str:
    with pytest.raises(UsageError) as caught:
        parse_prep(text)
    return str(caught.value)


# ---- every form in the help text ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP", "?"])
def test_nothing_help_or_a_question_mark_shows_help(text: str) -> None:
    assert parse_prep(text) == ShowHelp()


@pytest.mark.parametrize("level", list(Level))
def test_a_level_name_starts_a_practice_question_at_that_level(level: Level) -> None:
    assert parse_prep(level.value) == StartPractice(level)
    assert parse_prep(level.value.upper()) == StartPractice(level)


@pytest.mark.parametrize(
    ("alias", "level"),
    [("scenario-based", Level.SCENARIO), ("tools", Level.WORKFLOW), ("behavioural", Level.BEHAVIORAL)],
)
def test_level_aliases_start_a_practice_question_too(alias: str, level: Level) -> None:
    assert parse_prep(alias) == StartPractice(level)


def test_random_starts_a_practice_question_at_any_level() -> None:
    assert parse_prep("random") == StartPractice(None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("leaderboard", ShowLeaderboard("week", None)),
        ("leaderboard month", ShowLeaderboard("month", None)),
        ("leaderboard all advanced", ShowLeaderboard("all", Level.ADVANCED)),
        ("leaderboard Scenario WEEK", ShowLeaderboard("week", Level.SCENARIO)),
        ("board month", ShowLeaderboard("month", None)),
        ("top beginner", ShowLeaderboard("week", Level.BEGINNER)),
    ],
)
def test_the_leaderboard_takes_an_optional_period_and_level_in_either_order(text: str, expected: object) -> None:
    assert parse_prep(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stats", ShowStats()),
        ("optout", SetOptOut(True)),
        ("optin", SetOptOut(False)),
        ("unsubscribe", Unsubscribe()),
        ("pause", SetPaused(True)),
        ("resume", SetPaused(False)),
        ("skip", SkipNext()),
        ("Stats", ShowStats()),
    ],
)
def test_commands_without_arguments(text: str, expected: object) -> None:
    assert parse_prep(text) == expected


def test_subscribe_alone_keeps_every_default() -> None:
    assert parse_prep("subscribe") == Subscribe()


SUBSCRIBE_ARGS = ["08:00", "Europe/Berlin", "mon,wed,fri", "8h", "beginner,advanced"]
SUBSCRIBED = Subscribe(
    post_time=time(8, 0),
    tz="Europe/Berlin",
    weekdays=frozenset({0, 2, 4}),
    deadline=Deadline(after=timedelta(hours=8)),
    levels=(Level.BEGINNER, Level.ADVANCED),
)


def test_subscribe_reads_time_zone_days_deadline_and_levels() -> None:
    assert parse_prep("subscribe " + " ".join(SUBSCRIBE_ARGS)) == SUBSCRIBED


@pytest.mark.parametrize("order", list(itertools.permutations(SUBSCRIBE_ARGS))[::7])
def test_subscribe_arguments_may_come_in_any_order(order: tuple[str, ...]) -> None:
    assert parse_prep("subscribe " + " ".join(order)) == SUBSCRIBED


def test_a_second_time_in_subscribe_is_the_deadline_time() -> None:
    assert parse_prep("subscribe 09:30 17:30 weekdays all") == Subscribe(
        post_time=time(9, 30),
        deadline=Deadline(at=time(17, 30)),
        weekdays=frozenset(range(5)),
        levels=tuple(Level),
    )


def test_subscribe_lists_a_repeated_level_once() -> None:
    assert parse_prep("subscribe beginner,beginner,tools") == Subscribe(levels=(Level.BEGINNER, Level.WORKFLOW))


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        ("config time 10:00", Subscribe(post_time=time(10, 0))),
        ("config tz America/New_York", Subscribe(tz="America/New_York")),
        ("config timezone UTC", Subscribe(tz="UTC")),
        ("config days weekends", Subscribe(weekdays=frozenset({5, 6}))),
        ("config deadline 18:15", Subscribe(deadline=Deadline(at=time(18, 15)))),
        ("config deadline 1h30m", Subscribe(deadline=Deadline(after=timedelta(hours=1, minutes=30)))),
        ("config levels scenario,workflow", Subscribe(levels=(Level.SCENARIO, Level.WORKFLOW))),
        ("config levels all", Subscribe(levels=tuple(Level))),
        ("CONFIG TIME 07:05", Subscribe(post_time=time(7, 5))),
    ],
)
def test_config_changes_one_setting(text: str, changes: Subscribe) -> None:
    assert parse_prep(text) == SetConfig(changes)


def test_config_alone_shows_the_configuration() -> None:
    assert parse_prep("config") == ShowConfig()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("holidays DE", SetHolidays(country="DE")),
        ("holidays none", SetHolidays(country="none")),
        ("holidays add 2026-12-24", SetHolidays(add=(date(2026, 12, 24),))),
        ("holidays add 2026-12-24 2026-12-31", SetHolidays(add=(date(2026, 12, 24), date(2026, 12, 31)))),
        ("holidays remove 2026-12-31", SetHolidays(remove=(date(2026, 12, 31),))),
        ("holidays ADD 2027-01-01", SetHolidays(add=(date(2027, 1, 1),))),
    ],
)
def test_holidays_take_a_country_none_or_dates_to_add_or_remove(text: str, expected: object) -> None:
    assert parse_prep(text) == expected


def test_every_command_the_help_text_mentions_parses() -> None:
    shown = help_text(HelpCard(("behavioral",)), Surface())
    typed = [piece.text for part in shown.parts if isinstance(part, Part) for block in part.blocks
             if isinstance(block, Paragraph) for line in block.lines for piece in line
             if isinstance(piece, Span) and piece.code]
    mentioned = ["random", "leaderboard", "stats", "optout", "optin", "subscribe", "unsubscribe", "pause", "resume",
                 "skip", "holidays DE", "config"]
    for text in mentioned:
        assert any(form.startswith(f"/prep {text.split()[0]}") for form in typed), text
        assert not isinstance(parse_prep(text), ShowHelp), text
    assert all(form.startswith("/prep ") for form in typed)


# ---- bad input ----------------------------------------------------------------------------------------------


def test_an_unknown_subcommand_is_named() -> None:
    message = usage_error("subcribe 09:00")
    assert "'subcribe' is not a /prep command or level" in message


def test_a_very_long_unknown_subcommand_is_named_shortened() -> None:
    message = usage_error("x" * 300)
    assert "'" + "x" * 40 + "…'" in message
    assert len(message) < 120


@pytest.mark.parametrize(
    ("text", "offending"),
    [
        ("leaderboard week expert", "expert"),
        ("config levels beginner,expert", "expert"),
        ("subscribe 09:00 expert", "expert"),
        ("expert", "expert"),
    ],
)
def test_an_unknown_level_is_named(text: str, offending: str) -> None:
    assert f"'{offending}'" in usage_error(text)


@pytest.mark.parametrize("text", ["subscribe Mars/Base", "config tz Mars/Base", "subscribe 09:00 Mars/Base mon-fri"])
def test_a_bad_time_zone_is_named(text: str) -> None:
    assert "'Mars/Base' is not an IANA time zone" in usage_error(text)


@pytest.mark.parametrize("text", ["holidays add 2026-13-01", "holidays remove 2026-12-24 24.12.2026"])
def test_a_bad_holiday_date_is_named_with_the_usage(text: str) -> None:
    message = usage_error(text)
    offending = text.split()[-1]
    assert f"'{offending}' is not a date" in message
    assert USAGE["holidays"] in message


@pytest.mark.parametrize(
    ("text", "offending"),
    [
        ("subscribe 25:00", "25:00"),
        ("subscribe 09:00 funday", "funday"),
        ("subscribe 09:00 0m", "0m"),
        ("config time 9am", "9am"),
        ("config days funday", "funday"),
        ("config deadline soon", "soon"),
        ("config colour red", "colour"),
        ("leaderboard year", "year"),
    ],
)
def test_a_bad_argument_is_named(text: str, offending: str) -> None:
    assert f"'{offending}" in usage_error(text)


@pytest.mark.parametrize(
    ("text", "extra"),
    [
        ("stats now", "now"),
        ("skip tomorrow", "tomorrow"),
        ("config time 10:00 11:00", "11:00"),
        ("beginner now", "now"),
        ("random now", "now"),
        ("holidays DE US", "US"),
    ],
)
def test_extra_arguments_are_named(text: str, extra: str) -> None:
    assert re.search(rf"\b{re.escape(extra)}\b", usage_error(text))


def test_random_with_extra_arguments_is_not_called_an_unknown_command() -> None:
    assert "is not a /prep command" not in usage_error("random beginner")


@pytest.mark.parametrize("text", ["holidays", "holidays add", "holidays remove", "config time"])
def test_a_missing_argument_is_a_usage_error_with_the_usage(text: str) -> None:
    message = usage_error(text)
    assert "Usage: /prep" in message


def test_a_huge_deadline_is_a_usage_error_not_a_crash() -> None:
    assert "'9999999999d'" in usage_error("config deadline 9999999999d")
    assert "'9999999999d'" in usage_error("subscribe 9999999999d")


def test_a_100000_character_command_is_refused_by_its_length_without_echoing_it() -> None:
    text = "subscribe " + "x" * 99_990
    assert len(text) == 100_000
    message = usage_error(text)
    assert "100000 characters" in message
    assert len(message) < 200


@pytest.mark.parametrize(("text", "usage"), [
    ("config time", "Usage: /prep config time HH:MM"),
    ("config timezone", "Usage: /prep config timezone Area/City"),
    ("config deadline", "Usage: /prep config deadline HH:MM|8h"),
    ("config grader", "Usage: /prep config grader ai|offline"),
])
def test_a_setting_without_its_value_is_said_to_miss_the_value_with_that_settings_usage(text: str, usage: str) -> None:
    message = usage_error(text)
    assert "is missing its value" in message and "not a setting" not in message
    assert message.endswith(usage)


def test_a_setting_given_two_values_names_them_with_that_settings_usage() -> None:
    assert usage_error("config time 10:00 11:00") == \
        "'time' takes one value, not '10:00 11:00'. Usage: /prep config time HH:MM"


def test_an_unknown_setting_is_named_with_the_usage_of_every_setting() -> None:
    assert usage_error("config colour red") == f"'colour' is not a setting I can change. Usage: {USAGE['config']}"
