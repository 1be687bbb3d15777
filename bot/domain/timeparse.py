"""Parsing of the small time vocabulary members type: times of day, durations, weekdays, dates, zones."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_DURATION = timedelta(days=366)
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


class ParseError(ValueError):
    """The text is not of the expected form; the message says what was expected."""


def parse_time_of_day(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise ParseError(f"'{text}' is not a time of day; use HH:MM, e.g. 09:30")
    return time(int(match.group(1)), int(match.group(2)))


def looks_like_time(text: str) -> bool:
    return bool(_TIME.match(text.strip()))


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip().lower())
    if not text.strip() or not match or not any(match.groups()):
        raise ParseError(f"'{text}' is not a duration; use e.g. 30m, 8h, 2d or 1h30m")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    try:
        duration = timedelta(days=days, hours=hours, minutes=minutes)
    except OverflowError:
        raise ParseError(f"'{text}' is too long a duration") from None
    if duration > MAX_DURATION:
        raise ParseError(f"'{text}' is too long a duration; at most {MAX_DURATION.days} days")
    if duration <= timedelta(0):
        raise ParseError(f"'{text}' is not a positive duration")
    return duration


def format_duration(duration: timedelta) -> str:
    """`duration` the way members type one, to the minute: "1d2h30m", "8h", "0m"."""
    minutes = int(duration.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    return "".join(f"{v}{u}" for v, u in ((days, "d"), (hours, "h"), (mins, "m")) if v) or "0m"


def looks_like_duration(text: str) -> bool:
    try:
        parse_duration(text)
    except ParseError:
        return False
    return True


def parse_weekdays(text: str) -> frozenset[int]:
    """`mon-fri`, `weekdays`, `daily`, `weekends` or a comma list like `mon,wed,fri`; Monday is 0."""
    key = text.strip().lower()
    named = {"weekdays": "mon-fri", "daily": "mon-sun", "everyday": "mon-sun", "weekends": "sat-sun"}
    key = named.get(key, key)
    days: set[int] = set()
    for part in key.split(","):
        part = part.strip()
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _weekday(first, text), _weekday(last, text)
            span = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
            days.update(span)
        else:
            days.add(_weekday(part, text))
    return frozenset(days)


_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(name: str, whole: str) -> int:
    key = name.strip()
    for index, full in enumerate(_FULL_DAY_NAMES):
        if len(key) >= 3 and full.startswith(key):
            return index
    raise ParseError(f"'{whole}' is not a set of weekdays; use e.g. mon-fri, weekdays, daily or mon,wed,fri")


def looks_like_weekdays(text: str) -> bool:
    try:
        parse_weekdays(text)
    except ParseError:
        return False
    return True


def format_weekdays(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if ordered == list(range(5)):
        return "mon-fri"
    if ordered == list(range(7)):
        return "daily"
    return ",".join(WEEKDAY_NAMES[d] for d in ordered)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ParseError(f"'{text}' is not a date; use YYYY-MM-DD, e.g. 2026-12-24") from None


_ZONE_CACHE: dict[str, ZoneInfo] = {}
_KNOWN: dict[str, str] = {}


def canonical_zone(text: str) -> str:
    """The IANA name for `text`, whatever its capitalisation (`europe/berlin` -> `Europe/Berlin`).

    Raises ParseError naming the text when it is not a zone.
    """
    if not _KNOWN:
        _KNOWN.update({name.lower(): name for name in available_timezones()})
        _KNOWN["utc"] = "UTC"
    name = _KNOWN.get(text.strip().lower())
    if name is None:
        raise ParseError(f"'{text}' is not an IANA time zone; use e.g. Europe/Berlin, America/New_York or UTC")
    return name


def parse_zone(text: str) -> ZoneInfo:
    """The IANA zone named by `text`; raises ParseError naming the text when it is not one."""
    zone = _ZONE_CACHE.get(text)
    if zone is not None:
        return zone
    name = canonical_zone(text)
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParseError(f"'{text}' is not an IANA time zone; use e.g. Europe/Berlin or UTC") from None
    _ZONE_CACHE[text] = zone
    return zone


def looks_like_zone(text: str) -> bool:
    return "/" in text or text.upper() == "UTC"
