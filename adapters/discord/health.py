"""Whether Discord can serve: the connection's login and gateway state."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from adapters.discord.connect import DiscordConnection
from adapters.health import PlatformHealth
from adapters.metrics import PrometheusMetrics


def discord_health(connection: DiscordConnection, *, interval: float, retry_max: float, metrics: PrometheusMetrics,
                   on_recovered: Callable[[], Coroutine[Any, Any, object]]) -> PlatformHealth:
    """Discord's readiness: the connection's login and gateway state (see PlatformHealth for `interval` and
    `retry_max`). The connection retries and logs its attempts itself, so the check only reads its state."""

    async def state() -> str | None:
        return connection.readiness_problem()

    return PlatformHealth("discord", state, interval=interval, retry_max=retry_max, metrics=metrics, passive=True,
                          log_each_failure=False, on_recovered=on_recovered)
