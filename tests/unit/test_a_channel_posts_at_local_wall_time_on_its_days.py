"""A channel's schedule: the daily question comes at the same local wall time on posting days, across DST changes."""

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import (
    MIN_ANSWER_WINDOW,
    Deadline,
    Schedule,
    Slot,
    local_to_utc,
    month_bounds,
    week_bounds,
)
from bot.domain.timeparse import ParseError

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)


def berlin(**changes: Any) -> Schedule:
    return replace(Schedule(tz=BERLIN, post_time=time(9, 30)), **changes)


# ---- DST ----------------------------------------------------------------------------------------------------


def test_a_berlin_post_at_0930_is_0730_utc_in_summer_time_before_the_october_change() -> None:
    slot = berlin().next_slot(utc(2026, 10, 23, 6, 0))  # Friday 23 October 2026, 08:00 CEST
    assert slot == Slot(date(2026, 10, 23), utc(2026, 10, 23, 7, 30))


def test_a_berlin_post_at_0930_is_0830_utc_in_winter_time_after_the_october_change() -> None:
    slot = berlin().next_slot(utc(2026, 10, 23, 8, 0))  # after Friday's post; the clocks go back on Sunday 25th
    assert slot == Slot(date(2026, 10, 26), utc(2026, 10, 26, 8, 30))


def test_on_the_day_of_the_october_change_itself_the_post_is_at_0930_winter_time() -> None:
    daily = berlin(weekdays=frozenset(range(7)))
    slot = daily.next_slot(utc(2026, 10, 24, 8, 0))
    assert slot == Slot(date(2026, 10, 25), utc(2026, 10, 25, 8, 30))
    assert slot.due_at.astimezone(ZoneInfo(BERLIN)).time() == time(9, 30)


def test_a_new_york_post_at_0930_moves_from_1430_to_1330_utc_over_the_march_change() -> None:
    schedule = Schedule(tz=NEW_YORK, post_time=time(9, 30))
    before = schedule.next_slot(utc(2026, 3, 6, 12, 0))  # Friday 6 March 2026, EST
    assert before is not None
    after = schedule.next_slot(before.due_at)  # the clocks go forward on Sunday 8 March
    assert before == Slot(date(2026, 3, 6), utc(2026, 3, 6, 14, 30))
    assert after == Slot(date(2026, 3, 9), utc(2026, 3, 9, 13, 30))


def test_a_post_time_skipped_by_spring_forward_lands_just_after_the_change() -> None:
    # Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC); 02:30 does not exist that night.
    assert local_to_utc(date(2026, 3, 29), time(2, 30), ZoneInfo(BERLIN)) == utc(2026, 3, 29, 1, 30)


def test_a_post_time_that_happens_twice_at_fall_back_is_the_first_occurrence() -> None:
    # Berlin, 25 October 2026: 02:30 happens in CEST (00:30 UTC) and again in CET (01:30 UTC).
    assert local_to_utc(date(2026, 10, 25), time(2, 30), ZoneInfo(BERLIN)) == utc(2026, 10, 25, 0, 30)


def test_an_ordinary_local_time_converts_with_the_offset_of_its_day() -> None:
    assert local_to_utc(date(2026, 7, 1), time(9, 30), ZoneInfo(BERLIN)) == utc(2026, 7, 1, 7, 30)
    assert local_to_utc(date(2026, 1, 5), time(9, 30), ZoneInfo(NEW_YORK)) == utc(2026, 1, 5, 14, 30)


# ---- which days ---------------------------------------------------------------------------------------------


def test_the_next_slot_is_strictly_after_the_given_instant() -> None:
    schedule = berlin()
    due = utc(2026, 10, 21, 7, 30)  # Wednesday
    assert schedule.next_slot(due - timedelta(seconds=1)) == Slot(date(2026, 10, 21), due)
    assert schedule.next_slot(due) == Slot(date(2026, 10, 22), utc(2026, 10, 22, 7, 30))


def test_only_the_schedules_weekdays_get_a_post() -> None:
    mon_wed_fri = berlin(weekdays=frozenset({0, 2, 4}))
    found = []
    after = utc(2026, 10, 11, 12, 0)  # Sunday
    for _ in range(4):
        slot = mon_wed_fri.next_slot(after)
        assert slot is not None
        found.append(slot.local_date)
        after = slot.due_at
    assert found == [date(2026, 10, 12), date(2026, 10, 14), date(2026, 10, 16), date(2026, 10, 19)]


def test_a_slot_is_dated_by_the_channels_local_day_not_the_utc_day() -> None:
    tokyo = Schedule(tz="Asia/Tokyo", post_time=time(8, 0), weekdays=frozenset(range(7)))
    slot = tokyo.next_slot(utc(2026, 6, 1, 22, 0))  # already 2 June 07:00 in Tokyo
    assert slot == Slot(date(2026, 6, 2), utc(2026, 6, 1, 23, 0))


def test_a_paused_channel_has_no_next_slot() -> None:
    assert berlin(paused=True).next_slot(utc(2026, 10, 21)) is None


def test_a_skipped_date_gets_no_post() -> None:
    schedule = berlin(skip_dates=frozenset({date(2026, 10, 22)}))
    slot = schedule.next_slot(utc(2026, 10, 21, 8, 0))
    assert slot is not None and slot.local_date == date(2026, 10, 23)
    assert schedule.off_reason(date(2026, 10, 22)) == "skipped"


def test_a_holiday_date_of_the_channel_gets_no_post() -> None:
    schedule = berlin(holiday_dates=frozenset({date(2026, 10, 22), date(2026, 10, 23)}))
    assert schedule.next_slot(utc(2026, 10, 21, 8, 0)) == Slot(date(2026, 10, 26), utc(2026, 10, 26, 8, 30))
    assert schedule.off_reason(date(2026, 10, 23)) == "holiday"


def test_a_public_holiday_of_the_channels_country_gets_no_post() -> None:
    # Christmas Day 2026 is a Friday; the 26th and 27th are the weekend.
    after = utc(2026, 12, 24, 12, 0)
    slot = berlin().next_slot(after)
    assert slot is not None and slot.local_date == date(2026, 12, 25)
    with_germany = berlin(holiday_country="DE")
    assert with_germany.next_slot(after) == Slot(date(2026, 12, 28), utc(2026, 12, 28, 8, 30))
    assert with_germany.off_reason(date(2026, 12, 25)) == "public holiday"


def test_a_posting_day_has_no_off_reason_and_a_weekend_is_not_a_posting_day() -> None:
    assert berlin(holiday_country="DE").off_reason(date(2026, 12, 23)) is None
    assert berlin().off_reason(date(2026, 12, 26)) == "not a posting day"


def test_skipping_the_next_post_skips_exactly_that_day() -> None:
    schedule = berlin()
    now = utc(2026, 10, 23, 6, 0)
    skipped, slot = schedule.skipping_next(now)
    assert slot == Slot(date(2026, 10, 23), utc(2026, 10, 23, 7, 30))
    assert skipped.skip_dates == frozenset({date(2026, 10, 23)})
    assert skipped.next_slot(now) == Slot(date(2026, 10, 26), utc(2026, 10, 26, 8, 30))
    assert schedule.skip_dates == frozenset()


def test_skipping_while_paused_changes_nothing() -> None:
    paused = berlin(paused=True)
    assert paused.skipping_next(utc(2026, 10, 23)) == (paused, None)


# ---- deadlines ----------------------------------------------------------------------------------------------


def test_a_time_of_day_deadline_closes_answers_at_that_local_time_on_the_posts_day() -> None:
    schedule = berlin(deadline=Deadline(at=time(17, 0)))
    slot = schedule.next_slot(utc(2026, 10, 26, 0, 0))
    assert slot is not None
    assert schedule.deadline_for(slot, slot.due_at) == utc(2026, 10, 26, 16, 0)  # 17:00 CET


def test_a_duration_deadline_closes_answers_that_long_after_the_actual_post() -> None:
    schedule = berlin(deadline=Deadline(after=timedelta(hours=8)))
    slot = schedule.next_slot(utc(2026, 10, 26, 0, 0))
    assert slot is not None
    posted_late = slot.due_at + timedelta(hours=1)
    assert schedule.deadline_for(slot, posted_late) == utc(2026, 10, 26, 17, 30)


def test_a_post_made_just_before_its_time_of_day_deadline_still_gets_the_minimum_answer_window() -> None:
    schedule = berlin(deadline=Deadline(at=time(17, 0)))
    slot = schedule.next_slot(utc(2026, 10, 26, 0, 0))
    assert slot is not None
    posted = utc(2026, 10, 26, 15, 55)  # 16:55 CET, five minutes before 17:00
    assert MIN_ANSWER_WINDOW == timedelta(minutes=15)
    assert schedule.deadline_for(slot, posted) == utc(2026, 10, 26, 16, 10)


def test_a_post_made_after_its_deadline_has_passed_still_gets_the_minimum_answer_window() -> None:
    schedule = berlin(deadline=Deadline(at=time(17, 0)))
    slot = schedule.next_slot(utc(2026, 10, 26, 0, 0))
    assert slot is not None
    posted = utc(2026, 10, 26, 19, 0)
    assert schedule.deadline_for(slot, posted) == utc(2026, 10, 26, 19, 15)


def test_a_duration_deadline_shorter_than_the_minimum_window_is_stretched_to_it() -> None:
    schedule = berlin(deadline=Deadline(after=timedelta(minutes=5)))
    slot = schedule.next_slot(utc(2026, 10, 26, 0, 0))
    assert slot is not None
    assert schedule.deadline_for(slot, slot.due_at) == slot.due_at + timedelta(minutes=15)


@pytest.mark.parametrize("at", [time(9, 0), time(9, 30)])
def test_a_schedule_whose_deadline_is_not_after_the_post_time_is_rejected(at: time) -> None:
    with pytest.raises(ParseError) as caught:
        berlin(deadline=Deadline(at=at)).validate()
    assert f"{at:%H:%M}" in str(caught.value)
    assert "09:30" in str(caught.value)


def test_a_schedule_with_a_later_deadline_or_a_duration_is_valid() -> None:
    berlin(deadline=Deadline(at=time(9, 31))).validate()
    berlin(deadline=Deadline(after=timedelta(hours=1))).validate()


def test_a_schedule_without_weekdays_is_rejected() -> None:
    with pytest.raises(ParseError, match="weekday"):
        berlin(weekdays=frozenset()).validate()


def test_deadlines_parse_from_a_time_or_a_duration_and_render_back() -> None:
    assert Deadline.parse("18:00") == Deadline(at=time(18, 0))
    assert Deadline.parse("1h30m") == Deadline(after=timedelta(hours=1, minutes=30))
    assert Deadline.parse("18:00").render() == "18:00"
    assert Deadline.parse("1d2h").render() == "1d2h"
    assert Deadline.parse("90m").render() == "1h30m"


# ---- the weekly board and calendar bounds -------------------------------------------------------------------


def test_the_weekly_board_comes_on_monday_at_0900_local_time() -> None:
    schedule = berlin()
    assert schedule.next_board(utc(2026, 10, 21, 12, 0)) == utc(2026, 10, 26, 8, 0)  # Monday 09:00 CET
    assert schedule.next_board(utc(2026, 10, 12, 7, 0)) == utc(2026, 10, 19, 7, 0)  # exactly at 09:00 CEST: next week


def test_a_week_runs_from_monday_to_sunday() -> None:
    assert week_bounds(date(2026, 10, 25)) == (date(2026, 10, 19), date(2026, 10, 25))
    assert week_bounds(date(2026, 10, 19)) == (date(2026, 10, 19), date(2026, 10, 25))
    assert week_bounds(date(2026, 12, 31)) == (date(2026, 12, 28), date(2027, 1, 3))


def test_a_month_runs_from_its_first_to_its_last_day() -> None:
    assert month_bounds(date(2026, 10, 25)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert month_bounds(date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert month_bounds(date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert month_bounds(date(2026, 1, 31)) == (date(2026, 1, 1), date(2026, 1, 31))
