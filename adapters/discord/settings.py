"""Discord's settings: DISCORD_* (or PREPBOT_DISCORD_*) variables over the TOML file, over defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.config import SettingsSource, secret_values, shown_settings

SECRET_FIELDS = frozenset({"discord_token"})


@dataclass(frozen=True)
class DiscordSettings:
    discord_token: str | None = None
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str | None = None  # by default the one the REST API names (GET /gateway/bot)
    discord_message_content: bool = True  # ask for the privileged intent; without it members use the Answer form
    discord_shard_count: int = 0  # 0: as many as Discord recommends
    discord_shard_ids: str = ""  # comma-separated shard ids this process runs; all when empty

    def secrets(self) -> list[str]:
        """The bot token when set, for redaction."""
        return secret_values(self, SECRET_FIELDS)

    def shown(self) -> dict[str, Any]:
        """Every setting, with the token replaced by whether it is set and passwords in URLs by ***."""
        return shown_settings(self, SECRET_FIELDS)


def discord_settings(source: SettingsSource) -> DiscordSettings:
    """Discord's settings from `source`; each may also come by its plain name (DISCORD_TOKEN ...).

    Raises ConfigError naming a setting that must be a number and is not.
    """
    return source.fill(DiscordSettings(), plain_names=True)
