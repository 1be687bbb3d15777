"""The slot decision: a daily slot posts, recovers or skips.

When a daily slot falls due, the domain decides: a fresh slot posts, a slot whose round an earlier attempt left
pending recovers the post that attempt may have made, a slot already posted is left alone, and a slot that is off
(unsubscribed, paused, a day off, missed beyond the grace window) skips; every deadline is worked out the same way."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest

from bot.domain.model import Channel, ChannelAddress, Round, RoundKind, RoundStatus
from bot.domain.posting import AlreadyPosted, Post, Recover, Skip, decide
from bot.domain.questions import Level
from bot.domain.schedule import MIN_ANSWER_WINDOW, Deadline, Schedule, Slot

MONDAY = date(2026, 11, 30)
DUE = datetime(2026, 11, 30, 8, 30, tzinfo=timezone.utc)  # 09:30 in Berlin
SLOT = Slot(MONDAY, DUE)
GRACE = timedelta(hours=2)
FIVE_PM = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)  # 17:00 in Berlin
SCHEDULE = Schedule(tz="Europe/Berlin", post_time=time(9, 30), deadline=Deadline(at=time(17, 0)))
CHANNEL = Channel(1, ChannelAddress("slack", "T1", "C1"), "general", True, SCHEDULE)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def channel(**changes: Any) -> Channel:
    return replace(CHANNEL, schedule=replace(SCHEDULE, **changes))


def a_round(status: RoundStatus = RoundStatus.PENDING, deadline_at: datetime | None = FIVE_PM) -> Round:
    return Round(7, CHANNEL.id, "q-1", Level.BEGINNER, RoundKind.DAILY, MONDAY, status, None, None, None,
                 deadline_at, None, created_at=DUE)


# ---- a fresh slot ---------------------------------------------------------------------------------------------


def test_a_fresh_slot_on_time_posts_with_the_schedules_deadline() -> None:
    assert decide(SLOT, CHANNEL, None, DUE, GRACE) == Post(FIVE_PM)


def test_a_fresh_slot_still_posts_at_the_last_moment_of_the_grace_window() -> None:
    assert decide(SLOT, CHANNEL, None, DUE + GRACE, GRACE) == Post(FIVE_PM)


def test_a_deadline_after_a_duration_counts_from_when_the_question_is_posted_not_from_the_slot() -> None:
    late = DUE + minutes(40)
    assert decide(SLOT, channel(deadline=Deadline(after=timedelta(hours=8))), None, late, GRACE) == \
        Post(late + timedelta(hours=8))


def test_a_post_made_just_before_its_deadline_still_gets_the_minimum_answer_window() -> None:
    just_before = FIVE_PM - minutes(5)
    assert decide(SLOT, CHANNEL, None, just_before, timedelta(hours=9)) == Post(just_before + MIN_ANSWER_WINDOW)


# ---- a slot that is off ---------------------------------------------------------------------------------------


def test_a_slot_of_an_unsubscribed_channel_skips() -> None:
    assert decide(SLOT, replace(CHANNEL, subscribed=False), None, DUE, GRACE) == Skip("unsubscribed", DUE)


def test_a_slot_of_a_paused_channel_skips() -> None:
    assert decide(SLOT, channel(paused=True), None, DUE, GRACE) == Skip("paused", DUE)


def test_a_slot_on_a_holiday_the_admin_added_skips() -> None:
    assert decide(SLOT, channel(holiday_dates=frozenset({MONDAY})), None, DUE, GRACE) == Skip("holiday", DUE)


def test_a_slot_on_a_date_the_admin_skipped_skips() -> None:
    assert decide(SLOT, channel(skip_dates=frozenset({MONDAY})), None, DUE, GRACE) == Skip("skipped", DUE)


def test_a_slot_on_a_day_that_is_no_longer_a_posting_day_skips() -> None:
    assert decide(SLOT, channel(weekdays=frozenset({1, 2})), None, DUE, GRACE) == Skip("not a posting day", DUE)


def test_a_slot_on_a_public_holiday_of_the_channels_country_skips() -> None:
    christmas = Slot(date(2026, 12, 25), datetime(2026, 12, 25, 8, 30, tzinfo=timezone.utc))
    assert decide(christmas, channel(holiday_country="DE"), None, christmas.due_at, GRACE) == \
        Skip("public holiday", christmas.due_at)


def test_unsubscribed_is_the_reason_given_before_paused_and_paused_before_a_day_off() -> None:
    off = replace(CHANNEL, subscribed=False, schedule=replace(SCHEDULE, paused=True, skip_dates=frozenset({MONDAY})))
    assert decide(SLOT, off, None, DUE, GRACE) == Skip("unsubscribed", DUE)
    assert decide(SLOT, replace(off, subscribed=True), None, DUE, GRACE) == Skip("paused", DUE)


def test_a_slot_due_longer_ago_than_the_grace_window_is_missed_and_plans_on_from_the_window() -> None:
    now = DUE + GRACE + minutes(1)
    assert decide(SLOT, CHANNEL, None, now, GRACE) == Skip(
        "missed: due 2026-11-30 08:30 UTC, beyond the 2h grace window", resume_after=now - GRACE, missed=True
    )


def test_a_day_off_found_long_after_the_slot_is_given_as_the_day_off_and_plans_on_from_the_window() -> None:
    now = DUE + timedelta(days=3)
    assert decide(SLOT, channel(paused=True), None, now, GRACE) == Skip("paused", now - GRACE)


def test_a_skip_within_the_grace_window_plans_on_from_the_slot_itself() -> None:
    assert decide(SLOT, channel(paused=True), None, DUE + minutes(30), GRACE) == Skip("paused", DUE)


# ---- a slot an earlier attempt left pending -------------------------------------------------------------------


def test_a_pending_round_recovers_with_the_deadline_it_planned_else_posts_with_a_new_one() -> None:
    later = DUE + minutes(10)
    planned = a_round(deadline_at=DUE + timedelta(hours=8))
    eight_hours = channel(deadline=Deadline(after=timedelta(hours=8)))
    assert decide(SLOT, eight_hours, planned, later, GRACE) == \
        Recover(DUE + timedelta(hours=8), otherwise=Post(later + timedelta(hours=8)))


def test_a_pending_round_recorded_before_deadlines_were_planned_recovers_with_the_new_deadline() -> None:
    assert decide(SLOT, CHANNEL, a_round(deadline_at=None), DUE, GRACE) == Recover(FIVE_PM, otherwise=Post(FIVE_PM))


def test_a_pending_round_of_a_slot_that_is_off_by_now_is_still_looked_for_and_otherwise_skips() -> None:
    assert decide(SLOT, channel(paused=True), a_round(), DUE, GRACE) == \
        Recover(FIVE_PM, otherwise=Skip("paused", DUE))
    assert decide(SLOT, replace(CHANNEL, subscribed=False), a_round(), DUE, GRACE) == \
        Recover(FIVE_PM, otherwise=Skip("unsubscribed", DUE))


def test_a_pending_round_found_after_the_grace_window_is_still_looked_for_and_otherwise_is_missed() -> None:
    now = DUE + timedelta(hours=5)
    decision = decide(SLOT, CHANNEL, a_round(), now, GRACE)
    assert isinstance(decision, Recover) and decision.deadline == FIVE_PM
    assert isinstance(decision.otherwise, Skip) and decision.otherwise.missed
    assert decision.otherwise.resume_after == now - GRACE


# ---- a slot already posted ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [RoundStatus.OPEN, RoundStatus.CLOSED])
def test_a_slot_whose_question_is_posted_is_left_alone_even_when_the_channel_is_off_by_now(
    status: RoundStatus,
) -> None:
    posted = replace(a_round(status), message_ref="m-1", posted_at=DUE)
    assert decide(SLOT, CHANNEL, posted, DUE, GRACE) == AlreadyPosted()
    assert decide(SLOT, replace(CHANNEL, subscribed=False), posted, DUE + timedelta(days=1), GRACE) == AlreadyPosted()


# ---- one deadline for all -------------------------------------------------------------------------------------


@pytest.mark.parametrize("deadline", [Deadline(at=time(17, 0)), Deadline(after=timedelta(hours=3))])
@pytest.mark.parametrize("late", [timedelta(0), minutes(45), GRACE])
def test_a_fresh_post_and_a_repost_after_a_pending_round_get_the_same_deadline_the_schedule_gives(
    deadline: Deadline, late: timedelta,
) -> None:
    now = DUE + late
    schedule = replace(SCHEDULE, deadline=deadline)
    expected = schedule.deadline_for(SLOT, now)
    fresh = decide(SLOT, replace(CHANNEL, schedule=schedule), None, now, GRACE)
    retried = decide(SLOT, replace(CHANNEL, schedule=schedule), a_round(deadline_at=None), now, GRACE)
    assert fresh == Post(expected)
    assert retried == Recover(expected, otherwise=Post(expected))
