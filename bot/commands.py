"""Parsing `/prep ...` text into commands. An unusable command raises UsageError with one line of usage."""

from __future__ import annotations

from datetime import date

from bot.domain.model import AnswerMode
from bot.domain.questions import Level
from bot.domain.schedule import Deadline
from bot.domain.timeparse import (
    ParseError,
    looks_like_duration,
    looks_like_time,
    looks_like_weekdays,
    looks_like_zone,
    parse_date,
    parse_time_of_day,
    parse_weekdays,
    canonical_zone,
)
from bot.messages import (
    PrepCommand,
    SetAnswerMode,
    SetConfig,
    SetGrader,
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

MAX_COMMAND_LENGTH = 500

USAGE = {
    "leaderboard": "/prep leaderboard [week|month|all] [level]",
    "subscribe": "/prep subscribe [HH:MM] [Area/City] [mon-fri] [deadline HH:MM or 8h] [level,level]",
    "holidays": "/prep holidays <country code> | none | add YYYY-MM-DD ... | remove YYYY-MM-DD ...",
    "config": "/prep config [time HH:MM | tz Area/City | days mon-fri | deadline HH:MM|8h | levels a,b | "
              "grader ai|offline | answers private|thread]",
}

class UsageError(ValueError):
    """The command cannot be run as typed. The message is one line naming what was wrong and the usage."""


def _levels(text: str) -> tuple[Level, ...]:
    if text.lower() == "all":
        return tuple(Level)
    found: list[Level] = []
    for name in text.split(","):
        level = Level.parse(name)
        if level is None:
            known = ", ".join(level.value for level in Level)
            raise ParseError(f"'{name}' is not a level ({known})")
        if level not in found:
            found.append(level)
    return tuple(found)


def _looks_like_levels(text: str) -> bool:
    return text.lower() == "all" or all(Level.parse(part) is not None for part in text.split(","))


def parse_schedule_args(args: list[str], usage: str) -> Subscribe:
    """Schedule words in any order: the first HH:MM is the post time, a second one (or a duration) the deadline."""
    values: dict[str, object] = {}
    try:
        for arg in args:
            if looks_like_time(arg):
                key = "post_time" if "post_time" not in values else "deadline"
                values[key] = parse_time_of_day(arg) if key == "post_time" else Deadline.parse(arg)
            elif looks_like_duration(arg):
                values["deadline"] = Deadline.parse(arg)
            elif looks_like_zone(arg):
                values["tz"] = canonical_zone(arg)
            elif _looks_like_levels(arg):
                values["levels"] = _levels(arg)
            elif looks_like_weekdays(arg):
                values["weekdays"] = parse_weekdays(arg)
            else:
                raise ParseError(f"'{arg}' is not a time, time zone, set of days, deadline or level")
    except ParseError as error:
        raise UsageError(f"{error}. Usage: {usage}") from None
    return Subscribe(**values)  # type: ignore[arg-type]


_CONFIG_KEYS = {"time": "time", "tz": "zone", "timezone": "zone", "days": "days", "deadline": "deadline",
                "levels": "levels", "grader": "grader", "answers": "answers"}
GRADERS = ("ai", "offline")


def _parse_config(args: list[str]) -> PrepCommand:
    if not args:
        return ShowConfig()
    usage = USAGE["config"]
    key = args[0].lower()
    if key not in _CONFIG_KEYS or len(args) != 2:
        raise UsageError(f"'{' '.join(args)}' is not a setting I can change. Usage: {usage}")
    value = args[1]
    kind = _CONFIG_KEYS[key]
    if kind == "grader":
        if value.lower() not in GRADERS:
            raise UsageError(f"'{value}' is not a grader: ai or offline. Usage: {usage}")
        return SetGrader(value.lower())
    if kind == "answers":
        if value.lower() not in {mode.value for mode in AnswerMode}:
            raise UsageError(f"'{value}' is not a way to answer: private or thread. Usage: {usage}")
        return SetAnswerMode(AnswerMode(value.lower()))
    try:
        if kind == "time":
            return SetConfig(Subscribe(post_time=parse_time_of_day(value)))
        if kind == "zone":
            return SetConfig(Subscribe(tz=canonical_zone(value)))
        if kind == "days":
            return SetConfig(Subscribe(weekdays=parse_weekdays(value)))
        if kind == "deadline":
            return SetConfig(Subscribe(deadline=Deadline.parse(value)))
        return SetConfig(Subscribe(levels=_levels(value)))
    except ParseError as error:
        raise UsageError(f"{error}. Usage: {usage}") from None


def _parse_holidays(args: list[str]) -> PrepCommand:
    usage = USAGE["holidays"]
    if not args:
        raise UsageError(f"say which holidays. Usage: {usage}")
    head = args[0].lower()
    try:
        if head in {"add", "remove"}:
            if len(args) < 2:
                raise UsageError(f"give at least one date to {head}. Usage: {usage}")
            dates: tuple[date, ...] = tuple(parse_date(a) for a in args[1:])
            return SetHolidays(add=dates) if head == "add" else SetHolidays(remove=dates)
    except ParseError as error:
        raise UsageError(f"{error}. Usage: {usage}") from None
    if len(args) != 1:
        raise UsageError(f"give one country code, not '{' '.join(args[1:])}' too. Usage: {usage}")
    return SetHolidays(country=args[0])


def parse_prep(text: str) -> PrepCommand:
    """The command typed after `/prep`; raises UsageError naming what was wrong."""
    if len(text) > MAX_COMMAND_LENGTH:
        raise UsageError(f"that command is {len(text)} characters long; /prep commands are short. Try /prep help")
    args = text.split()
    if not args or args[0].lower() in {"help", "?"}:
        return ShowHelp()
    head, rest = args[0].lower(), args[1:]
    level = Level.parse(head)
    if level is not None or head == "random":
        if rest:
            raise UsageError(f"'/prep {head}' takes nothing more; got '{' '.join(rest)}'. Usage: /prep <level>")
        return StartPractice(level)
    if head in {"leaderboard", "board", "top"}:
        period, board_level = "week", None
        for arg in rest:
            if arg.lower() in {"week", "month", "all"}:
                period = arg.lower()
            elif Level.parse(arg) is not None:
                board_level = Level.parse(arg)
            else:
                raise UsageError(f"'{arg}' is not a period or a level. Usage: {USAGE['leaderboard']}")
        return ShowLeaderboard(period, board_level)
    simple: dict[str, PrepCommand] = {
        "stats": ShowStats(),
        "optout": SetOptOut(True),
        "optin": SetOptOut(False),
        "unsubscribe": Unsubscribe(),
        "pause": SetPaused(True),
        "resume": SetPaused(False),
        "skip": SkipNext(),
    }
    if head in simple:
        if rest:
            raise UsageError(f"'/prep {head}' takes no arguments; got '{' '.join(rest)}'")
        return simple[head]
    if head == "subscribe":
        return parse_schedule_args(rest, USAGE["subscribe"])
    if head == "holidays":
        return _parse_holidays(rest)
    if head == "config":
        return _parse_config(rest)
    shown = head if len(head) <= 40 else head[:40] + "…"
    raise UsageError(f"'{shown}' is not a /prep command or level. Try /prep help")
