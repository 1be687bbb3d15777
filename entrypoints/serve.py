"""Running prepbot on the configured platforms: one core, one database, every platform's connection."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from adapters.health import PlatformHealth
from adapters.judge.openai import judge_from
from adapters.metrics import CONTENT_TYPE, PrometheusMetrics
from adapters.slack.settings import slack_configured, slack_mode
from bot.app import PrepBot
from bot.bootstrap import bootstrap
from bot.clock import SystemClock
from bot.config import Settings, hide_password
from bot.ports import ChatPort, Clock
from bot.questions import QuestionBank
from bot.store.engine import database_problem, make_engine
from bot.store.unit_of_work import Store
from entrypoints.chat_router import ChatRouter
from entrypoints.settings import Configuration
from entrypoints.waker import Waker

log = logging.getLogger("prepbot")


class NothingToServe(ValueError):
    """No platform is configured."""


NOTHING_TO_SERVE = (
    "no platform is configured: set SLACK_APP_TOKEN and SLACK_BOT_TOKEN (Slack in Socket Mode), SLACK_SIGNING_SECRET "
    "with SLACK_BOT_TOKEN or with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (Slack over HTTP), or DISCORD_TOKEN "
    "(Discord); to try prepbot locally without tokens, run `prepbot console`"
)


@dataclass
class Running:
    """What `running` started: the core, the URL of its HTTP port, the platforms it serves and their connections."""

    bot: PrepBot
    http_url: str
    platforms: list[str] = field(default_factory=list)
    discord: Any = None  # the DiscordConnection when Discord is configured
    slack: Any = None  # the SlackParts when Slack is configured


STOP_WITHIN = 8.0  # seconds from SIGTERM to exit, in every state (the platforms allow 10)
PLATFORM_WAIT = 30.0  # seconds start-up waits for the platforms' first connection before catching up without them


@asynccontextmanager
async def running(
    configuration: Configuration, clock: Clock | None = None, *, bank: QuestionBank | None = None, tick: bool = True
) -> AsyncIterator[Running]:
    """Starts the core and every configured platform; stops them all on exit.

    The order: the HTTP port opens first (/healthz alive, /readyz 503 "starting"); the platforms start connecting,
    each watched by its own auth check; the schema is upgraded (retried while the database is away); start-up waits
    for the platforms' first connection (at most PLATFORM_WAIT seconds), then catches up on what was missed while
    down, which talks to them; then the waker starts and /readyz can say ready. A platform that is down never stops
    start-up: it stays not ready, retried with back-off, and its calls fail as PlatformUnavailable meanwhile.

    Raises NothingToServe when no platform is configured, SlackSettingsError when Slack is configured partly.
    """
    from adapters.slack.app import build_slack_app, build_slack_chat, http_routes
    from adapters.slack.health import slack_health

    settings, slack_settings, discord_settings = configuration.core, configuration.slack, configuration.discord
    if not slack_configured(slack_settings) and not discord_settings.discord_token:
        raise NothingToServe(NOTHING_TO_SERVE)  # before the database is touched: nothing is created or upgraded
    clock = clock or SystemClock()
    store = Store(make_engine(settings.database_url))
    ports: dict[str, ChatPort] = {}
    metrics = PrometheusMetrics()
    slack = build_slack_chat(slack_settings, store, clock, metrics) if slack_configured(slack_settings) else None
    if slack is not None:
        ports["slack"] = slack.chat
    discord_connection = None
    if discord_settings.discord_token:
        from adapters.discord.chat import DiscordChat
        from adapters.discord.connect import DiscordConnection, new_client, point_at

        point_at(discord_settings)
        discord_client = new_client(discord_settings, discord_settings.discord_message_content)
        discord_chat = DiscordChat(discord_client)
        discord_connection = DiscordConnection(discord_settings, discord_chat, discord_client,
                                               retry_max=settings.retry_max_seconds)
        ports["discord"] = discord_chat
    judge = judge_from(settings, metrics)
    bot = bootstrap(settings, ChatRouter(ports), clock, bank=bank, store=store, metrics=metrics, judge=judge,
                    monotonic=time.monotonic)
    web_app = web.Application()
    health = web.RouteTableDef()
    checks: list[PlatformHealth] = []
    stage = "starting: opening the HTTP port"

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
        """Ready: started, the database answers and every platform can serve; 503 naming what cannot, and why."""
        problems = [] if await store.ping() else ["database unreachable"]
        if not started:
            problems.append(stage)
        for check in checks:
            problem = await check.current()
            if problem is not None:
                problems.append(f"{check.platform}: {problem}")
        body = {"ready": not problems, "problems": problems}
        return web.json_response(body, status=200 if not problems else 503)

    web_app.add_routes(health)
    socket_handler = None
    socket_task: asyncio.Task[None] | None = None
    waker = Waker(bot.tick, settings.tick_seconds, bot.stop_work) if tick else None
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=2.0)
    started = False
    try:
        if slack is not None:
            app = build_slack_app(slack, bot)
            if slack_mode(slack_settings) == "http":
                web_app.add_routes(http_routes(app))
            else:
                from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

                socket_handler = AsyncSocketModeHandler(app, slack_settings.slack_app_token)
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

        stage = "starting: connecting to the platforms"
        if slack is not None:
            if socket_handler is not None:
                # Connecting retries by itself until Slack answers: in the background, so that start-up goes on
                # and SIGTERM is heard.
                socket_task = asyncio.create_task(socket_handler.connect_async(),  # type: ignore[no-untyped-call]
                                                  name="slack socket mode")
            checks.append(slack_health(slack, socket_handler, interval=settings.health_check_seconds,
                                       retry_max=settings.retry_max_seconds, metrics=metrics,
                                       on_recovered=bot.acknowledge_missed))
        if discord_connection is not None:
            from adapters.discord.health import discord_health

            await discord_connection.start(bot)
            checks.append(discord_health(discord_connection, interval=settings.health_check_seconds,
                                         retry_max=settings.retry_max_seconds, metrics=metrics,
                                         on_recovered=bot.acknowledge_missed))
        # A check of a connection's state starts once its first attempt to connect has ended.
        watched_at_once = [check for check in checks if not check.after_connecting]
        for check in watched_at_once:
            check.start()

        stage = "starting: upgrading the schema"
        await _prepare(bot, settings)

        stage = "starting: waiting for the platforms' first connection"
        await _first_connections(watched_at_once, socket_handler, discord_connection)
        for check in checks:
            if check not in watched_at_once:
                check.start()

        stage = "starting: catching up on missed work"
        if discord_connection is not None:  # replies made while down count before due reveals close their rounds
            await _uncut(discord_connection.client.read_back_missed(), "reading back missed Discord replies")
        await _uncut(bot.catch_up(), "catching up on missed work")
        started = True
        if waker:
            waker.start()
        # What start-up loaded (libraries, the question bank, caches) lives as long as the process: keep it out of
        # the garbage collector's full passes, which would otherwise pause every request now and then.
        gc.freeze()
        yield Running(bot, f"http://{host}:{port}", sorted(ports), discord_connection, slack)
    finally:
        if waker:
            await waker.stop(timeout=STOP_WITHIN / 2)
        for check in checks:
            await check.stop()
        if discord_connection is not None:
            await discord_connection.close(timeout=2.0)
        if socket_task is not None:
            socket_task.cancel()
            await asyncio.wait({socket_task}, timeout=1.0)
        if socket_handler is not None:
            await asyncio.wait({asyncio.ensure_future(socket_handler.close_async())}, timeout=1.0)  # type: ignore[no-untyped-call]
        await runner.cleanup()
        if slack is not None:
            await slack.close()
        await bot.close()
        if judge is not None:
            await judge.close()


async def _uncut(work: Coroutine[Any, Any, object], what: str) -> None:
    """Runs `work`; a stop that comes meanwhile lets it finish for up to half of STOP_WITHIN first, as the waker does
    with due work in flight (a post made but not yet recorded must not be cut off)."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        done, _ = await asyncio.wait({task}, timeout=STOP_WITHIN / 2)
        if not done:
            log.warning("stopping while %s: work in flight keeps its claims until they expire", what)
            task.cancel()
        raise


async def _prepare(bot: PrepBot, settings: Settings) -> None:
    """Upgrades the schema and plans missing work; while the database cannot be reached, says so in one line (not
    ready) and tries again with back-off, rather than exiting into a restart loop."""
    pause, failures = 1.0, 0
    while True:
        try:
            await bot.prepare()
        except Exception as error:
            problem = database_problem(error)
            if problem is None:
                raise
            failures += 1
            where = hide_password(settings.database_url)
            if failures == 1:
                log.error("cannot use the database at %s (%s): not ready; trying again in %.0f s (check "
                          "PREPBOT_DATABASE_URL and that the server accepts connections)", where, problem, pause)
            else:
                log.warning("the database at %s still cannot be used (%d tries: %s); trying again in %.0f s",
                            where, failures, problem, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, settings.retry_max_seconds)
            continue
        if failures:
            log.info("the database answers again, after %d failed tries", failures)
        return


async def _first_connections(checks: list[PlatformHealth], socket_handler: Any, discord_connection: Any) -> None:
    """Waits (at most PLATFORM_WAIT seconds) until each platform has connected or failed its first try."""
    waits: list[Awaitable[object]] = [check.checked.wait() for check in checks]
    if discord_connection is not None:
        waits.append(discord_connection.wait_first_attempt(PLATFORM_WAIT))
    if socket_handler is not None:
        async def socket_connected() -> None:
            while not await socket_handler.client.is_connected():
                if any(c.platform == "slack" and c.problem and c.problem != "not checked yet" for c in checks):
                    return  # Slack itself is down: no use waiting for its socket
                await asyncio.sleep(0.05)

        waits.append(socket_connected())
    try:
        await asyncio.wait_for(asyncio.gather(*waits), PLATFORM_WAIT)
    except asyncio.TimeoutError:
        log.warning("the platforms did not all connect within %.0f s; catching up without them", PLATFORM_WAIT)


async def serve(configuration: Configuration) -> None:
    """Runs until SIGINT or SIGTERM, which stop it within STOP_WITHIN seconds whatever it is doing (starting,
    connecting, running, waiting for the database)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    up = asyncio.Event()

    async def lifetime() -> None:
        async with running(configuration) as live:
            up.set()
            log.info("prepbot is running on %s; HTTP on %s", ", ".join(live.platforms), live.http_url)
            await stop.wait()
            log.info("stopping")

    task = asyncio.create_task(lifetime(), name="prepbot")
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if not task.done():
        if not up.is_set():
            log.info("stopping while starting")
            task.cancel()
        done, _ = await asyncio.wait({task}, timeout=STOP_WITHIN)
        if not done:
            log.error("stopping took over %.0f s; exiting anyway", STOP_WITHIN)
            task.cancel()
            await asyncio.wait({task}, timeout=1.0)
            return
    stopping.cancel()
    if not task.cancelled():
        task.result()  # what ended it, if it failed
