"""Slack's settings, read from the environment and the TOML file, and the mode they configure.

Slack's settings: SLACK_* (or PREPBOT_SLACK_*) variables over the TOML file, over defaults, and which mode they
configure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.config import SettingsSource, secret_values, shown_settings

SECRET_FIELDS = frozenset({"slack_bot_token", "slack_app_token", "slack_signing_secret", "slack_client_secret"})


class SlackSettingsError(ValueError):
    """Slack is configured partly; the message says what is missing."""


@dataclass(frozen=True)
class SlackSettings:
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_mode: str | None = None  # socket | http; by default socket when an app token is set
    slack_admin_users: str = ""  # comma-separated Slack user ids who are admins everywhere
    slack_admin_usergroup: str | None = None  # a Slack user group whose members are admins
    slack_channel_interval: float = 1.0  # seconds between two posts in one channel

    def secrets(self) -> list[str]:
        """The tokens and secrets set, for redaction."""
        return secret_values(self, SECRET_FIELDS)

    def shown(self) -> dict[str, Any]:
        """Every setting, with secrets replaced by whether they are set and passwords in URLs by ***."""
        return shown_settings(self, SECRET_FIELDS)


def slack_settings(source: SettingsSource) -> SlackSettings:
    """Slack's settings from `source`; each may also come by the name Slack gives it (SLACK_BOT_TOKEN ...).

    Raises ConfigError naming a setting that must be a number and is not.
    """
    return source.fill(SlackSettings(), plain_names=True)


def slack_configured(settings: SlackSettings) -> bool:
    return any([settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret,
                settings.slack_client_id])


def slack_mode(settings: SlackSettings) -> str:
    """'socket' or 'http', or raises SlackSettingsError naming what is missing."""
    mode = settings.slack_mode or ("socket" if settings.slack_app_token else "http")
    if mode == "socket":
        missing = [name for name, value in (("SLACK_APP_TOKEN", settings.slack_app_token),
                                            ("SLACK_BOT_TOKEN", settings.slack_bot_token)) if not value]
        if missing:
            raise SlackSettingsError(f"Slack Socket Mode needs {' and '.join(missing)}")
        return mode
    if mode != "http":
        raise SlackSettingsError(f"SLACK_MODE must be 'socket' or 'http', not '{mode}'")
    if not settings.slack_signing_secret:
        raise SlackSettingsError("Slack over HTTP needs SLACK_SIGNING_SECRET")
    if not settings.slack_bot_token and not (settings.slack_client_id and settings.slack_client_secret):
        raise SlackSettingsError(
            "Slack over HTTP needs SLACK_BOT_TOKEN for one workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "to install in many"
        )
    return mode
