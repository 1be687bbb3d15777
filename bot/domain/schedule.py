"""A channel's schedule: when its daily question is posted, when answers close, and which days are off."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.domain.questions import ALL_LEVELS, Level
from bot.domain.timeparse import (
    ParseError,
    format_duration,
    format_weekdays,
    parse_duration,
    parse_time_of_day,
    parse_zone,
)

MIN_ANSWER_WINDOW = timedelta(minutes=15)


def _wall_gap(start: time, end: time) -> timedelta:
    """How long from `start` to `end` on a clock on the wall, the same day."""
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


@dataclass(frozen=True)
class Deadline:
    """Either a local time of day on the post's date, or a duration after the post."""

    at: time | None = None
    after: timedelta | None = None

    @classmethod
    def parse(cls, text: str) -> "Deadline":
        text = text.strip()
        if ":" in text:
            return cls(at=parse_time_of_day(text))
        return cls(after=parse_duration(text))

    def render(self) -> str:
        if self.at is not None:
            return self.at.strftime("%H:%M")
        assert self.after is not None
        return format_duration(self.after)


SHORTEST = Deadline(after=MIN_ANSWER_WINDOW).render()


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant of local wall time `at` on `day`; a time skipped by a DST change lands just after the change."""
    # For a wall time skipped by spring-forward, fold=0 applies the offset from before the change (PEP 495),
    # which lands the same distance after the change: 02:30 on a 02:00->03:00 night becomes 03:30.
    return datetime.combine(day, at, tzinfo=zone).astimezone(timezone.utc)


@lru_cache(maxsize=256)
def _country_holidays(country: str, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, years=year).keys())


def check_country(country: str) -> str:
    """The upper-cased ISO country code if the `holidays` package knows it; raises ParseError otherwise."""
    import holidays

    code = country.strip().upper()
    if code not in holidays.list_supported_countries():
        raise ParseError(f"'{country}' is not a country code the holiday calendar knows; use e.g. DE, US, GB")
    return code


@dataclass(frozen=True)
class Slot:
    """One scheduled daily post: the channel-local date and the instant it is due."""

    local_date: date
    due_at: datetime


@dataclass(frozen=True)
class Schedule:
    tz: str = "UTC"
    post_time: time = time(9, 30)
    weekdays: frozenset[int] = frozenset(range(5))
    deadline: Deadline = field(default_factory=lambda: Deadline(at=time(17, 0)))
    levels: tuple[Level, ...] = ALL_LEVELS
    paused: bool = False
    skip_dates: frozenset[date] = frozenset()
    holiday_country: str | None = None
    holiday_dates: frozenset[date] = frozenset()
    board_weekday: int = 0
    board_time: time = time(9, 0)

    @property
    def zone(self) -> ZoneInfo:
        return parse_zone(self.tz)

    def validate(self) -> None:
        """Raises ParseError when the schedule cannot work (e.g. a deadline not after the post time)."""
        parse_zone(self.tz)
        if not self.weekdays:
            raise ParseError("a schedule needs at least one weekday")
        if not self.levels:
            raise ParseError("a schedule needs at least one level")
        if self.deadline.at is not None and self.deadline.at <= self.post_time:
            raise ParseError(
                f"the deadline {self.deadline.render()} must be later in the day than the post time "
                f"{self.post_time:%H:%M}; or give a duration such as 8h"
            )

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def off_reason(self, day: date) -> str | None:
        """Why `day` has no daily question (not a weekday, skipped, a holiday), or None if it is a posting day."""
        if day.weekday() not in self.weekdays:
            return "not a posting day"
        if day in self.skip_dates:
            return "skipped"
        if day in self.holiday_dates:
            return "holiday"
        if self.holiday_country and day in _country_holidays(self.holiday_country, day.year):
            return "public holiday"
        return None

    def next_slot(self, after: datetime) -> Slot | None:
        """The first posting slot strictly after `after`, or None while paused."""
        if self.paused or not self.weekdays:
            return None
        zone = self.zone
        day = after.astimezone(zone).date() - timedelta(days=1)
        for _ in range(3 * 366):
            if self.off_reason(day) is None:
                due = local_to_utc(day, self.post_time, zone)
                if due > after:
                    return Slot(day, due)
            day += timedelta(days=1)
        return None

    def deadline_for(self, slot: Slot, posted_at: datetime) -> datetime:
        """When answers to the question of `slot`, posted at `posted_at`, close; always some time after the post."""
        if self.deadline.at is not None:
            scheduled = local_to_utc(slot.local_date, self.deadline.at, self.zone)
        else:
            assert self.deadline.after is not None
            scheduled = posted_at + self.deadline.after
        return max(scheduled, posted_at + MIN_ANSWER_WINDOW)

    def next_board(self, after: datetime) -> datetime:
        """The first weekly-board instant strictly after `after`."""
        zone = self.zone
        day = after.astimezone(zone).date() - timedelta(days=1)
        while True:
            if day.weekday() == self.board_weekday:
                due = local_to_utc(day, self.board_time, zone)
                if due > after:
                    return due
            day += timedelta(days=1)

    def skipping_next(self, now: datetime) -> tuple["Schedule", Slot | None]:
        """This schedule with its next slot after `now` skipped, and that slot (None when nothing is scheduled)."""
        slot = self.next_slot(now)
        if slot is None:
            return self, None
        return replace(self, skip_dates=self.skip_dates | {slot.local_date}), slot

    def closing(self) -> str:
        """When answers close, in words; when the deadline asked for leaves less than MIN_ANSWER_WINDOW after the
        post, the deadline that applies instead, saying so."""
        asked = self.deadline.render()
        if self.deadline.after is not None:
            if self.deadline.after >= MIN_ANSWER_WINDOW:
                return f"answers close after {asked}"
            return f"answers close after {SHORTEST} (the shortest allowed; {asked} was asked for)"
        assert self.deadline.at is not None
        if _wall_gap(self.post_time, self.deadline.at) >= MIN_ANSWER_WINDOW:
            return f"answers close at {asked}"
        return f"answers close {SHORTEST} after the post (the shortest allowed; {asked} was asked for)"

    def describe(self) -> str:
        holidays = []
        if self.holiday_country:
            holidays.append(f"{self.holiday_country} public holidays")
        if self.holiday_dates:
            holidays.append(", ".join(d.isoformat() for d in sorted(self.holiday_dates)))
        return (
            f"{format_weekdays(self.weekdays)} at {self.post_time:%H:%M} {self.tz}, "
            f"{self.closing()}; "
            f"levels: {', '.join(level.value for level in self.levels)}; "
            f"holidays: {'; '.join(holidays) or 'none'}"
            + ("; paused" if self.paused else "")
        )


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    next_first = (first + timedelta(days=32)).replace(day=1)
    return first, next_first - timedelta(days=1)
