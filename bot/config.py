"""The core's settings, and how every section of settings is read.

Each section is read from environment variables (PREPBOT_*) over an optional TOML file, over defaults."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from bot.domain.questions import ALL_LEVELS
from bot.domain.schedule import Deadline, Schedule
from bot.domain.scoring import Weights
from bot.domain.timeparse import ParseError, parse_duration, parse_time_of_day, parse_weekdays, parse_zone

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

SECRET_FIELDS = frozenset({"judge_api_key"})  # the core's settings that are secrets


class ConfigError(ValueError):
    """A setting has a value that cannot work; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite+aiosqlite:///prepbot.db"
    questions_dir: str | None = None
    timezone: str = "UTC"
    post_time: str = "09:30"
    weekdays: str = "mon-fri"
    deadline: str = "17:00"
    board_weekday: str = "mon"
    board_time: str = "09:00"
    answer_max_chars: int = 4000
    practice_daily_cap: int = 3
    practice_window: str = "30m"
    grace: str = "2h"
    tick_seconds: float = 5.0
    claim_lease_seconds: float = 30.0  # a claim on due work or a queued command lapses this long after its renewal
    log_level: str = "INFO"
    log_format: str = "auto"  # json | console | auto: readable on a terminal, JSON lines otherwise
    weights: Weights = field(default_factory=Weights)
    http_host: str = "0.0.0.0"
    http_port: int = 3000
    # The AI judge (an OpenAI-compatible endpoint): off until both the base URL and the model are set.
    judge_base_url: str | None = None  # e.g. http://localhost:11434/v1 (Ollama), https://api.openai.com/v1
    judge_model: str | None = None
    judge_api_key: str | None = None
    judge_timeout_seconds: float = 30.0  # one request; a whole judgement is bounded by the caller's deadline
    judge_concurrency: int = 8  # requests in flight at once, per process
    judge_daily_budget: int = 1000  # requests a day; 0: none (the offline grader grades everything)
    judge_reveal_wait_seconds: float = 60.0  # how long a reveal waits for the judge before grading the rest offline
    health_check_seconds: float = 30.0  # how often each platform's auth call checks that it can serve
    retry_max_seconds: float = 30.0  # the longest pause between tries to reach a platform or the database

    def default_schedule(self, tz: str | None = None) -> Schedule:
        """The schedule a channel gets when it subscribes without arguments."""
        return Schedule(
            tz=tz or self.timezone,
            post_time=parse_time_of_day(self.post_time),
            weekdays=parse_weekdays(self.weekdays),
            deadline=Deadline.parse(self.deadline),
            levels=ALL_LEVELS,
            board_weekday=min(parse_weekdays(self.board_weekday)),
            board_time=parse_time_of_day(self.board_time),
        )

    @property
    def practice_window_delta(self) -> timedelta:
        return parse_duration(self.practice_window)

    @property
    def claim_lease(self) -> timedelta:
        return timedelta(seconds=self.claim_lease_seconds)

    @property
    def grace_delta(self) -> timedelta:
        return parse_duration(self.grace)

    def validate(self) -> "Settings":
        try:
            parse_zone(self.timezone)
            self.default_schedule().validate()
            parse_duration(self.practice_window)
            parse_duration(self.grace)
        except ParseError as error:
            raise ConfigError(f"configuration: {error}") from None
        if self.tick_seconds <= 0:
            raise ConfigError("configuration: tick_seconds must be positive")
        if self.claim_lease_seconds < 2 * self.tick_seconds:
            raise ConfigError("configuration: claim_lease_seconds must be at least twice tick_seconds (claims are "
                              "renewed on the ticks)")
        if self.answer_max_chars < 1:
            raise ConfigError("configuration: answer_max_chars must be at least 1")
        if self.practice_daily_cap < 0:
            raise ConfigError("configuration: practice_daily_cap cannot be negative")
        _ = self.judge  # raises ConfigError when the judge's settings cannot work
        if self.health_check_seconds <= 0 or self.retry_max_seconds <= 0:
            raise ConfigError("configuration: health_check_seconds and retry_max_seconds must be above 0")
        if self.log_format not in ("auto", "json", "console"):
            raise ConfigError(f"configuration: log_format must be auto, json or console, not {self.log_format!r}")
        return self

    @property
    def judge(self) -> JudgeSettings | None:
        """The AI judge's settings, or None when it is off (base URL or model not set)."""
        if not self.judge_base_url or not self.judge_model:
            return None
        if urlsplit(self.judge_base_url).scheme not in ("http", "https"):
            raise ConfigError("configuration: judge_base_url must be an http(s) URL, not "
                              f"{hide_password(self.judge_base_url)!r}")
        if self.judge_reveal_wait_seconds <= 0:
            raise ConfigError("configuration: judge_reveal_wait_seconds must be positive")
        if self.judge_timeout_seconds <= 0 or self.judge_concurrency < 1 or self.judge_daily_budget < 0:
            raise ConfigError("configuration: judge_timeout_seconds must be positive, judge_concurrency at least 1 "
                              "and judge_daily_budget not negative")
        return JudgeSettings(self.judge_base_url, self.judge_model, self.judge_api_key, self.judge_timeout_seconds,
                             self.judge_concurrency, self.judge_daily_budget)

    def secrets(self) -> list[str]:
        """The secret values set (the judge's API key, the passwords in the database's and the judge's URLs), for
        redaction."""
        passwords = [_password(url) for url in (self.database_url, self.judge_base_url)]
        return [v for v in [*secret_values(self, SECRET_FIELDS), *passwords] if v]

    def shown(self) -> dict[str, Any]:
        """Every setting, with secrets replaced by whether they are set and passwords in URLs by ***."""
        return shown_settings(self, SECRET_FIELDS)


@dataclass(frozen=True)
class JudgeSettings:
    """What the AI judge needs: its endpoint (OpenAI-compatible), model, API key (a secret), the timeout of one
    request, how many requests may be in flight, and how many requests a day it may make."""

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout_seconds: float = 30.0
    concurrency: int = 8
    daily_budget: int = 1000


def _password(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def hide_password(url: str) -> str:
    """`url` with the password of its user part, if any, shown as ***."""
    if not _password(url):
        return url
    parts = urlsplit(url)
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()


def secret_values(section: DataclassInstance, secret_fields: frozenset[str]) -> list[str]:
    """The values of `section`'s secret fields that are set, for redaction."""
    return [value for name in sorted(secret_fields) if (value := getattr(section, name))]


def shown_settings(section: DataclassInstance, secret_fields: frozenset[str]) -> dict[str, Any]:
    """Every setting of `section` (a dataclass of settings), with secrets replaced by whether they are set and
    passwords in URLs by ***."""
    out: dict[str, Any] = {}
    for f in fields(section):
        value = getattr(section, f.name)
        if f.name in secret_fields:
            value = "(set)" if value else "(not set)"
        elif isinstance(value, str) and "://" in value:
            value = hide_password(value)
        elif is_dataclass(value):
            value = {inner.name: getattr(value, inner.name) for inner in fields(value)}
        out[f.name] = value
    return out


def _coerce(name: str, raw: Any, current: Any) -> Any:
    try:
        if isinstance(current, bool):
            return raw if isinstance(raw, bool) else str(raw).lower() in {"1", "true", "yes", "on"}
        if isinstance(current, int):
            return int(raw)
        if isinstance(current, float):
            return float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"configuration: {name} must be a number, not {raw!r}") from None
    return str(raw)


Section = TypeVar("Section", bound="DataclassInstance")


@dataclass(frozen=True)
class SettingsSource:
    """Where settings are read from: the environment, and the values of the TOML file (none without a file)."""

    environ: Mapping[str, str]
    path: Path
    values: Mapping[str, Any]

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None, file: str | Path | None = None) -> SettingsSource:
        """The environment (os.environ by default) and `file` (or PREPBOT_CONFIG, or ./prepbot.toml if present).

        Raises ConfigError when the file is named but missing, or is not TOML.
        """
        env = os.environ if environ is None else environ
        path = Path(file or env.get("PREPBOT_CONFIG") or "prepbot.toml")
        values: dict[str, Any] = {}
        if path.is_file():
            try:
                values = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
                raise ConfigError(f"configuration file {path}: {error}") from None
        elif file or env.get("PREPBOT_CONFIG"):
            raise ConfigError(f"configuration file {path} does not exist")
        return cls(env, path, values)

    def refuse_unknown(self, *sections: type) -> None:
        """Raises ConfigError naming the first setting in the file that no section of `sections` has."""
        known = {f.name for section in sections for f in fields(section)}
        for key in self.values:
            if key not in known:
                raise ConfigError(f"configuration file {self.path}: unknown setting '{key}'")

    def fill(self, section: Section, *, plain_names: bool = False) -> Section:
        """`section` (a dataclass of settings) with each plain field set from PREPBOT_NAME, else (with
        `plain_names`) from NAME as the platform calls it (SLACK_BOT_TOKEN ...), else from the file; an empty
        variable counts as not set. Fields that are themselves dataclasses (the weights) are left to the caller.

        Raises ConfigError naming a setting whose value is not a number where a number is needed.
        """
        for f in fields(section):
            current = getattr(section, f.name)
            if is_dataclass(current):
                continue
            raw = self.environ.get(f"PREPBOT_{f.name.upper()}") or None
            if raw is None and plain_names:
                raw = self.environ.get(f.name.upper()) or None
            if raw is None:
                raw = self.values.get(f.name)
            if raw is not None and raw != "":
                section = replace(section, **{f.name: _coerce(f.name, raw, current)})
        return section


def core_settings(source: SettingsSource) -> Settings:
    """The core's settings from `source`, weights included (PREPBOT_WEIGHT_* over the file's [weights] table).

    Raises ConfigError naming the setting when a value is unusable.
    """
    weight_values = dict(source.values.get("weights", {}) or {})
    for key in weight_values:
        if key not in {f.name for f in fields(Weights)}:
            raise ConfigError(f"configuration file {source.path}: unknown weight '{key}'")
    settings = source.fill(Settings())
    weights = settings.weights
    for f in fields(Weights):
        raw = source.environ.get(f"PREPBOT_WEIGHT_{f.name.upper()}") or weight_values.get(f.name)
        if raw is not None:
            weights = replace(weights, **{f.name: _coerce(f"weights.{f.name}", raw, 0)})
    return replace(settings, weights=weights).validate()


def machine_timezone() -> str:
    """The machine's IANA zone name when it can be told, else UTC."""
    tz = os.environ.get("TZ")
    if tz and not tz.startswith(":"):
        try:
            parse_zone(tz)
            return tz
        except ParseError:
            pass
    link = Path("/etc/localtime")
    try:
        target = str(link.resolve())
        if "zoneinfo/" in target:
            name = target.split("zoneinfo/", 1)[1]
            parse_zone(name)
            return name
    except (OSError, ParseError):
        pass
    return "UTC"

