"""Whether Discord can serve: its own authenticated call with the bot token, and the connection's gateway state."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import discord.http

from adapters.discord.client import PrepClient
from adapters.discord.connect import TOKEN_REFUSED, DiscordConnection
from adapters.health import Check, PlatformHealth
from adapters.metrics import PrometheusMetrics

AUTH_CALL = "GET /users/@me"


async def ask_who_the_bot_is(client: PrepClient) -> str | None:
    """Discord's answer to the bot token: `GET /users/@me`, tried once (the health loop retries, where discord.py's
    own requests would retry a 5xx for half a minute), through the client's connections. None when Discord answers
    200; "rate limited" (429) when it would not say."""
    http = client.http
    headers = {"User-Agent": http.user_agent, "Authorization": f"Bot {http.token}"}
    traces = [http.http_trace] if http.http_trace is not None else None
    try:
        async with aiohttp.ClientSession(connector=http.connector, connector_owner=False, trace_configs=traces,
                                         cookie_jar=aiohttp.DummyCookieJar()) as session:
            async with session.get(discord.http.Route("GET", "/users/@me").url, headers=headers, proxy=http.proxy,
                                   proxy_auth=http.proxy_auth) as response:
                status = response.status
                await response.read()
    except (aiohttp.ClientError, OSError) as error:
        return f"Discord unreachable ({type(error).__name__}: {error})"[:300]
    if 200 <= status < 300:
        return None
    if status == 401:
        return TOKEN_REFUSED
    if status == 429:
        return "rate limited"
    if status >= 500:
        return f"Discord's API is failing ({AUTH_CALL} answered {status})"
    return f"{AUTH_CALL} answered {status}"


def discord_check(connection: DiscordConnection) -> Check:
    """Discord's readiness now: the connection's state, then, once connected, Discord's own answer to the bot token.
    A token revoked while the gateway stays connected is caught here. A 429 says nothing either way: the last
    answer stands."""
    last: str | None = None

    async def check() -> str | None:
        nonlocal last
        state = connection.readiness_problem()
        if state is not None:
            return state
        problem = await ask_who_the_bot_is(connection.client)
        if problem != "rate limited":
            last = problem
        return last

    return check


def discord_health(connection: DiscordConnection, *, interval: float, retry_max: float, metrics: PrometheusMetrics,
                   on_recovered: Callable[[], Coroutine[Any, Any, object]]) -> PlatformHealth:
    """Discord's readiness: `GET /users/@me` with the bot token every `interval` seconds (see PlatformHealth for
    `retry_max`), and the connection's login and gateway state on every probe. The check starts once the first
    attempt to connect has ended; while the connection is trying again it logs its own attempts."""

    async def state() -> str | None:
        return connection.readiness_problem()

    return PlatformHealth("discord", discord_check(connection), interval=interval, retry_max=retry_max,
                          metrics=metrics, live=state, after_connecting=True,
                          connection_logs=lambda: not connection.connected(), on_recovered=on_recovered)
