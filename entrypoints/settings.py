"""Every setting of a prepbot process, read once.

The core's, Slack's and Discord's settings, from one environment and one TOML file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from adapters.discord import settings as discord
from adapters.discord.settings import DiscordSettings, discord_settings
from adapters.slack import settings as slack
from adapters.slack.settings import SlackSettings, slack_settings
from bot import config as core
from bot.config import Settings, SettingsSource, core_settings

SECRET_FIELDS = core.SECRET_FIELDS | slack.SECRET_FIELDS | discord.SECRET_FIELDS


@dataclass(frozen=True)
class Configuration:
    """The settings of each part: `core` goes to the core, `slack` and `discord` to their adapters."""

    core: Settings = field(default_factory=Settings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)

    def replace(self, **values: Any) -> Configuration:
        """A copy with each of `values` set in the part whose setting it is (`database_url` in the core's,
        `slack_bot_token` in Slack's ...). Raises TypeError for a name no part has."""
        parts: dict[str, Any] = {"core": self.core, "slack": self.slack, "discord": self.discord}
        for name, part in parts.items():
            own = {key: value for key, value in values.items() if key in {f.name for f in fields(part)}}
            parts[name] = replace(part, **own)
            values = {key: value for key, value in values.items() if key not in own}
        if values:
            raise TypeError(f"no such setting: {', '.join(sorted(values))}")
        return Configuration(**parts)

    def secrets(self) -> list[str]:
        """Every secret value set (tokens, signing and client secrets, API keys, the database password), for
        redaction."""
        return [*self.core.secrets(), *self.slack.secrets(), *self.discord.secrets()]

    def shown(self) -> dict[str, Any]:
        """Every setting of every part, with secrets replaced by whether they are set and passwords in URLs by ***."""
        return {**self.core.shown(), **self.slack.shown(), **self.discord.shown()}


def configured(**values: Any) -> Configuration:
    """The defaults with `values` set (see Configuration.replace); not validated."""
    return Configuration().replace(**values)


def load_settings(environ: Mapping[str, str] | None = None, file: str | Path | None = None) -> Configuration:
    """Every part's settings from `file` (or PREPBOT_CONFIG, or ./prepbot.toml if present), then the environment
    (PREPBOT_* variables; Slack's and Discord's also by their plain names, SLACK_BOT_TOKEN ...) on top.

    Raises ConfigError naming the setting when a value is unusable, or a setting in the file that no part has.
    """
    source = SettingsSource.read(environ, file)
    source.refuse_unknown(Settings, SlackSettings, DiscordSettings)
    return Configuration(core_settings(source), slack_settings(source), discord_settings(source))
