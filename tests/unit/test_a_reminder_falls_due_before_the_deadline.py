"""A reminder falls due before the deadline.

A daily round's reminder falls due its channel's offset before the deadline, only when that is after the post, and
says how long is left and how many answered, in words that read right for one and for many."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.cards import NudgeCard, ReminderCard
from bot.commands import UsageError, parse_prep
from bot.domain.model import Round, RoundKind, RoundStatus
from bot.domain.questions import Level
from bot.domain.reminders import NoReminder, Remind, decide_reminder, reminder_due, reminder_offset
from bot.messages import SetNudge, SetReminder
from bot.wording import Surface, answers_so_far, document, nudge, plain, reminder, time_left

POSTED = datetime(2026, 11, 30, 8, 30, tzinfo=timezone.utc)
DEADLINE = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
TWO_HOURS = timedelta(hours=2)


def open_round(kind: RoundKind = RoundKind.DAILY, status: RoundStatus = RoundStatus.OPEN) -> Round:
    return Round(7, 1, "beginner-01", Level.BEGINNER, kind, date(2026, 11, 30), status, "m1", None, POSTED,
                 DEADLINE, None)


def test_a_daily_rounds_reminder_is_due_the_offset_before_its_deadline() -> None:
    assert reminder_due(RoundKind.DAILY, POSTED, DEADLINE, TWO_HOURS) == datetime(2026, 11, 30, 14, 0,
                                                                                  tzinfo=timezone.utc)


def test_a_deadline_sooner_than_the_offset_after_posting_has_no_reminder() -> None:
    assert reminder_due(RoundKind.DAILY, POSTED, POSTED + TWO_HOURS, TWO_HOURS) is None
    assert reminder_due(RoundKind.DAILY, POSTED, POSTED + timedelta(minutes=90), TWO_HOURS) is None
    assert reminder_due(RoundKind.DAILY, POSTED, POSTED + TWO_HOURS + timedelta(minutes=1), TWO_HOURS) \
        == POSTED + timedelta(minutes=1)


def test_practice_rounds_and_channels_with_reminders_off_have_no_reminder() -> None:
    assert reminder_due(RoundKind.PRACTICE, POSTED, DEADLINE, TWO_HOURS) is None
    assert reminder_due(RoundKind.DAILY, POSTED, DEADLINE, None) is None
    assert reminder_offset(0) is None and reminder_offset(120) == TWO_HOURS


def test_a_reminder_falling_due_says_how_long_is_left() -> None:
    assert decide_reminder(open_round(), DEADLINE - TWO_HOURS, TWO_HOURS) == Remind(TWO_HOURS)


@pytest.mark.parametrize("round_, now, offset, reason", [
    (open_round(), DEADLINE, TWO_HOURS, "the deadline passed"),
    (open_round(), DEADLINE + timedelta(minutes=5), TWO_HOURS, "the deadline passed"),
    (open_round(status=RoundStatus.CLOSED), DEADLINE - TWO_HOURS, TWO_HOURS, "the round is not open"),
    (open_round(kind=RoundKind.PRACTICE), DEADLINE - TWO_HOURS, TWO_HOURS, "a practice round"),
    (open_round(), DEADLINE - TWO_HOURS, None, "reminders are off"),
])
def test_no_reminder_is_posted_after_the_deadline_for_practice_or_when_turned_off(
    round_: Round, now: datetime, offset: timedelta | None, reason: str,
) -> None:
    assert decide_reminder(round_, now, offset) == NoReminder(reason)


@pytest.mark.parametrize("left, said", [
    (timedelta(hours=2), "2 h"), (timedelta(hours=1, minutes=59, seconds=50), "2 h"),
    (timedelta(hours=1, minutes=30), "1 h 30 min"), (timedelta(minutes=45), "45 min"),
    (timedelta(seconds=20), "less than a minute"),
])
def test_the_time_left_is_said_to_the_nearest_minute(left: timedelta, said: str) -> None:
    assert time_left(left) == said


def test_the_answers_so_far_read_right_for_none_one_and_many() -> None:
    assert [answers_so_far(n) for n in (0, 1, 3)] == ["no answers yet", "1 answer so far", "3 answers so far"]


def test_the_reminder_says_the_time_left_and_the_answers_so_far_and_names_its_round() -> None:
    card = ReminderCard(7, DEADLINE, "Europe/Berlin", TWO_HOURS, 3)
    doc = reminder(card, Surface())
    assert doc.summary == "Reminder: 2 h left · 3 answers so far"
    assert doc.label == "round 7"
    assert "Reply in this thread" in plain(doc.parts[0].blocks[0].lines[0])  # type: ignore[union-attr]
    assert [f.name for f in doc.fields] == ["Answers close"]
    one = reminder(replace(card, answers=1, left=timedelta(minutes=30)), Surface(threads=False))
    assert one.summary == "Reminder: 30 min left · 1 answer so far"
    assert "on the next line(s)" in plain(one.parts[0].blocks[0].lines[0])  # type: ignore[union-attr]


def test_the_nudge_names_the_channel_the_question_and_how_to_stop_it() -> None:
    card = NudgeCard(7, "What is *batching*?", DEADLINE, "UTC", TWO_HOURS, "general")
    doc = document(card, Surface())
    assert doc == nudge(card, Surface())
    lines = [plain(line) for line in doc.parts[0].blocks[0].lines]  # type: ignore[union-attr]
    assert lines[0] == "2 h left to answer the question of the day in #general: What is *batching*?"
    assert "/prep nudge off" in lines[-1]


@pytest.mark.parametrize("typed, parsed", [
    ("config reminder 2h", SetReminder(120)), ("config reminder 1h30m", SetReminder(90)),
    ("config reminder 45m", SetReminder(45)), ("config reminder off", SetReminder(0)),
    ("config reminder none", SetReminder(0)),
    ("nudge on", SetNudge(True)), ("nudge OFF", SetNudge(False)), ("nudge", SetNudge(None)),
])
def test_members_set_the_reminder_and_their_nudge_as_they_type_them(typed: str, parsed: object) -> None:
    assert parse_prep(typed) == parsed


@pytest.mark.parametrize("typed, says", [
    ("config reminder soon", "not a duration"), ("nudge maybe", "/prep nudge on|off"),
    ("nudge on off", "/prep nudge on|off"),
])
def test_a_reminder_or_nudge_that_cannot_be_read_says_the_usage(typed: str, says: str) -> None:
    with pytest.raises(UsageError, match=says.replace("|", r"\|")):
        parse_prep(typed)
