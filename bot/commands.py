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
    parse_duration,
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
    SetNudge,
    SetOptOut,
    SetPaused,
    SetPracticePrivacy,
    SetReminder,
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
              "grader ai|offline | practice private|public | reminder 2h|off | answers private|thread]",
    "nudge": "/prep nudge on|off",
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
                "levels": "levels", "grader": "grader", "practice": "practice", "reminder": "reminder",
                "answers": "answers"}
REMINDER_OFF = ("off", "none", "0")
GRADERS = ("ai", "offline")
PRACTICE_MODES = ("private", "public")
SETTING_VALUES = {"time": "HH:MM", "zone": "Area/City", "days": "mon-fri", "deadline": "HH:MM|8h",
                  "levels": "a,b", "grader": "ai|offline",
                  "practice": "private|public", "reminder": "2h|off", "answers": "private|thread"}
SETTING_NAMES = {"time": "post time", "zone": "time zone", "days": "days", "deadline": "deadline",
                 "levels": "levels", "grader": "grader",
                 "practice": "practice visibility", "reminder": "reminder offset",
                 "answers": "way to answer"}


def _parse_config(args: list[str]) -> PrepCommand:
    if not args:
        return ShowConfig()
    key = args[0].lower()
    if key not in _CONFIG_KEYS:
        raise UsageError(f"'{args[0]}' is not a setting I can change. Usage: {USAGE['config']}")
    kind = _CONFIG_KEYS[key]
    usage = f"/prep config {key} {SETTING_VALUES[kind]}"
    if len(args) == 1:
        raise UsageError(f"'config {key}' is missing its value, the new {SETTING_NAMES[kind]}. Usage: {usage}")
    if len(args) > 2:
        raise UsageError(f"'{key}' takes one value, not '{' '.join(args[1:])}'. Usage: {usage}")
    value = args[1]
    if kind == "grader":
        if value.lower() not in GRADERS:
            raise UsageError(f"'{value}' is not a grader: ai or offline. Usage: {usage}")
        return SetGrader(value.lower())
    if kind == "practice":
        if value.lower() not in PRACTICE_MODES:
            raise UsageError(f"'{value}' is not a practice mode: private or public. Usage: {usage}")
        return SetPracticePrivacy(value.lower() == "private")
    if kind == "answers":
        if value.lower() not in {mode.value for mode in AnswerMode}:
            raise UsageError(f"'{value}' is not a way to answer: private or thread. Usage: {usage}")
        return SetAnswerMode(AnswerMode(value.lower()))
    try:
        if kind == "reminder":
            if value.lower() in REMINDER_OFF:
                return SetReminder(0)
            return SetReminder(int(parse_duration(value).total_seconds() // 60))
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


def _parse_nudge(args: list[str]) -> PrepCommand:
    if not args:
        return SetNudge(None)
    if len(args) != 1 or args[0].lower() not in {"on", "off"}:
        raise UsageError(f"'{' '.join(args)}' is not on or off. Usage: {USAGE['nudge']}")
    return SetNudge(args[0].lower() == "on")


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
    if head == "nudge":
        return _parse_nudge(rest)
    shown = head if len(head) <= 40 else head[:40] + "…"
    raise UsageError(f"'{shown}' is not a /prep command or level. Try /prep help")
