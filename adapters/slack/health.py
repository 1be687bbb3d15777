"""Whether Slack can serve: its own auth call with the bot token, and in Socket Mode the socket's state."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.health import Check, Live, PlatformHealth
from adapters.metrics import PrometheusMetrics

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from adapters.slack.app import SlackParts


def slack_check(client: AsyncWebClient, *, has_token: bool) -> Check:
    """Slack's own answer: `auth.test` with the bot token (a revoked or invalid token is not ready), or, with
    tokens from installations, `api.test` (the API answers)."""

    async def check() -> str | None:
        try:
            if has_token:
                await client.auth_test()
            else:
                await client.api_test()
        except SlackApiError as error:
            code = error.response.get("error") if error.response is not None else None
            method = "auth.test" if has_token else "api.test"
            return f"{method} refused the bot token ({code or error})" if has_token else f"{method}: {code}"
        except (aiohttp.ClientError, OSError) as error:
            return f"Slack API unreachable ({type(error).__name__}: {error})"[:300]
        return None

    return check


def slack_health(slack: SlackParts, socket_handler: AsyncSocketModeHandler | None, *, interval: float,
                 retry_max: float, metrics: PrometheusMetrics,
                 on_recovered: Callable[[], Coroutine[Any, Any, object]]) -> PlatformHealth:
    """Slack's readiness: `auth.test` with the configured bot token (`api.test` with installations), and in Socket
    Mode the socket's state; checked every `interval` seconds (see PlatformHealth)."""
    settings = slack.settings
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=slack.clients.api_url,
                            session=slack.clients.session(), retry_handlers=[])  # one try a check: the loop retries
    live: Live | None = None
    if socket_handler is not None:
        handler = socket_handler

        async def socket_state() -> str | None:
            return None if await handler.client.is_connected() else "socket mode not connected"

        live = socket_state
    return PlatformHealth("slack", slack_check(client, has_token=bool(settings.slack_bot_token)),
                          interval=interval, retry_max=retry_max, metrics=metrics, live=live, on_recovered=on_recovered)
