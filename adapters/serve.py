"""Running prepbot on the configured platforms: one core, one database, every platform's connection."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from adapters.metrics import CONTENT_TYPE, PrometheusMetrics
from bot.app import PrepBot
from bot.bootstrap import bootstrap
from bot.chat_router import ChatRouter
from bot.clock import SystemClock
from bot.config import Settings
from bot.ports import ChatPort, Clock
from bot.questions import QuestionBank
from bot.scheduler import Waker
from bot.store.engine import make_engine
from bot.store.unit_of_work import Store

log = logging.getLogger("prepbot")


class NothingToServe(ValueError):
    """No platform is configured."""


@dataclass
class Running:
    bot: PrepBot
    http_url: str
    platforms: list[str] = field(default_factory=list)
    discord: Any = None  # the DiscordConnection when Discord is configured
    slack: Any = None  # the SlackParts when Slack is configured


@asynccontextmanager
async def running(
    settings: Settings, clock: Clock | None = None, *, bank: QuestionBank | None = None, tick: bool = True
) -> AsyncIterator[Running]:
    """Starts the core and every configured platform; stops them all on exit.

    Raises NothingToServe when no platform is configured, SlackSettingsError when Slack is configured partly.
    """
    from adapters.slack.app import build_slack_app, build_slack_chat, http_routes, slack_configured, slack_mode

    clock = clock or SystemClock()
    store = Store(make_engine(settings.database_url))
    ports: dict[str, ChatPort] = {}
    metrics = PrometheusMetrics()
    slack = build_slack_chat(settings, store, clock, metrics) if slack_configured(settings) else None
    if slack is not None:
        ports["slack"] = slack.chat
    discord_connection = None
    if settings.discord_token:
        from adapters.discord.chat import DiscordChat
        from adapters.discord.connect import DiscordConnection, new_client, point_at

        point_at(settings)
        discord_client = new_client(settings, settings.discord_message_content)
        discord_chat = DiscordChat(discord_client)
        discord_connection = DiscordConnection(settings, discord_chat, discord_client)
        ports["discord"] = discord_chat
    if not ports:
        await store.close()
        raise NothingToServe("no platform is configured (SLACK_BOT_TOKEN, SLACK_APP_TOKEN, DISCORD_TOKEN)")
    bot = bootstrap(settings, ChatRouter(ports), clock, bank=bank, store=store, metrics=metrics)
    web_app = web.Application()
    health = web.RouteTableDef()

    @health.get("/healthz")
    async def healthz(_: web.Request) -> web.Response:
        """Alive: the process answers."""
        return web.json_response({"ok": True})

    @health.get("/metrics")
    async def metrics_page(_: web.Request) -> web.Response:
        """The counts in Prometheus' text format."""
        return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})

    @health.get("/readyz")
    async def readyz(_: web.Request) -> web.Response:
        """Ready: the database answers and every platform is connected; 503 naming what is not."""
        problems = [] if await store.ping() else ["database unreachable"]
        if not started:
            problems.append("starting: upgrading the schema and catching up on missed work")
        if socket_handler is not None and not await socket_handler.client.is_connected():
            problems.append("slack socket mode disconnected")
        if discord_connection is not None and not discord_connection.connected():
            problems.append("discord gateway disconnected")
        body = {"ready": not problems, "problems": problems}
        return web.json_response(body, status=200 if not problems else 503)

    web_app.add_routes(health)
    socket_handler = None
    waker = Waker(bot.tick, settings.tick_seconds, bot.stop_work) if tick else None
    runner = web.AppRunner(web_app, access_log=None)
    started = False
    try:
        if slack is not None:
            app = build_slack_app(slack, bot)
            if slack_mode(settings) == "http":
                web_app.add_routes(http_routes(app))
            else:
                from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

                socket_handler = AsyncSocketModeHandler(app, settings.slack_app_token)
        # The port opens first: /healthz says the process is alive while start-up (the schema, the catch-up on
        # work missed while down) runs, and /readyz says it is not ready until that is done.
        await runner.setup()
        site = web.TCPSite(runner, settings.http_host, settings.http_port)
        await site.start()
        port = settings.http_port
        for address in runner.addresses:  # the real port when the settings asked for any free one (0)
            port = address[1]
            break
        host = "127.0.0.1" if settings.http_host in {"0.0.0.0", "::"} else settings.http_host
        await bot.start()
        started = True
        if socket_handler is not None:
            await socket_handler.connect_async()  # type: ignore[no-untyped-call]
        if discord_connection is not None:
            await discord_connection.start(bot)
        if waker:
            waker.start()
        # What start-up loaded (libraries, the question bank, caches) lives as long as the process: keep it out of
        # the garbage collector's full passes, which would otherwise pause every request now and then.
        gc.freeze()
        yield Running(bot, f"http://{host}:{port}", sorted(ports), discord_connection, slack)
    finally:
        if waker:
            await waker.stop()
        if discord_connection is not None:
            await discord_connection.close()
        if socket_handler is not None:
            await socket_handler.close_async()  # type: ignore[no-untyped-call]
        await runner.cleanup()
        if slack is not None:
            await slack.close()
        await bot.close()


async def serve(settings: Settings) -> None:
    """Runs until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running(settings) as live:
        log.info("prepbot is running on %s; HTTP on %s", ", ".join(live.platforms), live.http_url)
        await stop.wait()
        log.info("stopping")
