"""Connecting to Discord: REST and gateway URLs from the settings, shards, and the message-content fallback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl

from adapters.discord.chat import DiscordChat
from adapters.discord.client import PrepClient
from adapters.discord.settings import DiscordSettings
from bot.app import PrepBot

log = logging.getLogger("prepbot.discord")
READY_TIMEOUT = 60.0
TOKEN_REFUSED = "Discord refused the token (401: revoked or invalid; check DISCORD_TOKEN)"

INTENT_HELP = (
    "Discord did not grant the MESSAGE_CONTENT intent, so prepbot cannot read replies in threads. It keeps running: "
    "members answer with each question's Answer button. To read thread replies, open the Developer Portal, "
    "your application, Bot, and switch on 'Message Content Intent'."
)


def point_at(settings: DiscordSettings) -> None:
    """Sends discord.py's REST calls, and its gateway connections, to the configured URLs (Discord's by default).

    discord.py keeps both as class attributes, so this applies to every client in the process.
    """
    discord.http.Route.BASE = settings.discord_api_url.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def shard_options(settings: DiscordSettings) -> dict[str, Any]:
    ids = [int(i) for i in settings.discord_shard_ids.split(",") if i.strip()]
    options: dict[str, Any] = {}
    if settings.discord_shard_count:
        options["shard_count"] = settings.discord_shard_count
    if ids:
        options["shard_ids"] = ids
    return options


class NotConnected(discord.ClientException):
    """A call to Discord before the client logged in, or after it closed: nothing was sent."""


def new_client(settings: DiscordSettings, message_content: bool) -> PrepClient:
    client = PrepClient(message_content=message_content, **shard_options(settings))
    _refuse_calls_until_logged_in(client)
    return client


def _refuse_calls_until_logged_in(client: PrepClient) -> None:
    """discord.py fails a REST call made before `login()` with an AttributeError from its internals; this makes it
    a NotConnected instead, which the chat port reports as PlatformUnavailable (try again later)."""
    http = client.http
    request: Callable[..., Awaitable[Any]] = http.request

    async def request_when_logged_in(route: discord.http.Route, **kwargs: Any) -> Any:
        if http.token is None or client.is_closed():
            raise NotConnected(f"not connected to Discord ({route.method} {route.path} not sent)")
        return await request(route, **kwargs)

    http.request = request_when_logged_in  # type: ignore[method-assign]


class DiscordConnection:
    """The Discord client, kept connected: `start()` begins connecting in the background and returns; every failure
    (Discord unreachable, a refused token, a gateway that does not become ready) is retried with back-off, and
    `problem` says what is wrong meanwhile. discord.py itself resumes a gateway session that drops once connected."""

    def __init__(self, settings: DiscordSettings, chat: DiscordChat, client: PrepClient, *,
                 retry_max: float = 30.0) -> None:
        self.settings = settings
        self.chat = chat
        self.client = client
        self.retry_max = retry_max
        self._task: asyncio.Task[None] | None = None  # discord.py's connection, once logged in
        self._supervisor: asyncio.Task[None] | None = None
        self._tried = asyncio.Event()  # the first attempt ended: ready, or failed
        self.intent_granted = settings.discord_message_content
        self.problem: str | None = "connecting"
        self.failures = 0

    async def _login(self, client: PrepClient) -> None:
        await client.login(self.settings.discord_token or "")
        gateway = self.settings.discord_gateway_url
        if gateway:
            original: Callable[..., Awaitable[Any]] = client.http.get_bot_gateway

            async def configured_gateway(*args: Any, **kwargs: Any) -> Any:
                shards, _, limits = await original(*args, **kwargs)
                return shards, gateway, limits

            client.http.get_bot_gateway = configured_gateway  # type: ignore[method-assign]

    async def _connect(self, client: PrepClient) -> None:
        await self._login(client)
        self._task = asyncio.create_task(client.connect(reconnect=True))
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({self._task, ready}, timeout=READY_TIMEOUT,
                                     return_when=asyncio.FIRST_COMPLETED)
        if self._task in done:
            ready.cancel()
            self._task.result()  # raises what ended the connection
        if ready not in done:
            ready.cancel()
            raise TimeoutError("Discord did not become ready in time")

    async def _connect_once(self, core: PrepBot) -> None:
        """Logs in and connects every shard; returns once ready (falling back to the Answer form when Discord
        refuses the message-content intent)."""
        self.client.attach(core, self.chat)
        try:
            await self._connect(self.client)
        except discord.PrivilegedIntentsRequired:
            log.error(INTENT_HELP)
            await self._replace_client(core, message_content=False)
            self.intent_granted = False
            await self._connect(self.client)
        application = self.client.application
        flags = application.flags if application else None
        if self.client.message_content and flags is not None and not (
            flags.gateway_message_content or flags.gateway_message_content_limited
        ):
            self.intent_granted = False
            log.error(INTENT_HELP)

    async def _replace_client(self, core: PrepBot, *, message_content: bool) -> None:
        """A fresh client: discord.py's is not made to log in again after a failed start."""
        await self._close_client()
        self.client = new_client(self.settings, message_content)
        self.client.attach(core, self.chat)
        self.chat.use(self.client)

    async def start(self, core: PrepBot) -> None:
        """Starts connecting in the background; see `wait_first_attempt` and `problem`."""
        self.client.attach(core, self.chat)
        self._supervisor = asyncio.create_task(self._keep_connected(core), name="discord connection")

    async def wait_first_attempt(self, timeout: float) -> bool:
        """Waits up to `timeout` seconds for the first attempt to connect to end; True when connected."""
        try:
            await asyncio.wait_for(self._tried.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        return self.connected()

    async def _keep_connected(self, core: PrepBot) -> None:
        pause = 1.0
        message_content = self.settings.discord_message_content
        while True:
            try:
                await self._connect_once(core)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # anything: Discord unreachable, a refused token, a gateway that hangs
                self.failures += 1
                self.problem = _describe(error)
                self._tried.set()
                if self.failures == 1:
                    log.exception("could not connect to Discord (%s); not ready, trying again in %.1f s",
                                  self.problem, pause)
                else:
                    log.warning("could not connect to Discord (%s), %d times in a row; trying again in %.1f s",
                                self.problem, self.failures, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.retry_max)
                await self._replace_client(core, message_content=message_content and self.intent_granted)
                continue
            if self.failures:
                log.info("connected to Discord again, after %d failed attempts", self.failures)
            self.failures, self.problem, pause = 0, None, 1.0
            self._tried.set()
            assert self._task is not None
            try:
                await self._task  # discord.py reconnects by itself; this ends only on what it cannot get over
                self.problem = "the gateway connection ended"
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.problem = _describe(error)
                log.warning("the Discord connection ended (%s); connecting again", self.problem)
            self.failures = 1  # the next failure logs one line, not another traceback
            await self._replace_client(core, message_content=message_content and self.intent_granted)

    def connected(self) -> bool:
        return self.client.is_ready() and not self.client.is_closed()

    def readiness_problem(self) -> str | None:
        """None when the gateway is connected and ready, else what is wrong, for /readyz."""
        if self.connected():
            return None
        if self.problem is None:
            return "gateway disconnected, reconnecting"
        return self.problem if self.problem == "connecting" else f"not connected: {self.problem}"

    async def sync_commands(self, guild_id: int | None = None) -> int:
        """Registers /prep and /prep-admin globally, or for one guild; returns how many commands were registered."""
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            self.client.tree.copy_global_to(guild=guild)
        return len(await self.client.tree.sync(guild=guild))

    async def close(self, timeout: float = 3.0) -> None:
        """Stops connecting and closes the connection, within about `timeout` seconds."""
        if self._supervisor is not None:
            self._supervisor.cancel()
            await asyncio.wait({self._supervisor}, timeout=timeout)
        try:
            await asyncio.wait_for(self._close_client(), timeout)
        except asyncio.TimeoutError:
            log.warning("closing the Discord connection took over %.0f s; left behind", timeout)

    async def _close_client(self) -> None:
        await self.client.close()
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(task, timeout=3)
            except (asyncio.TimeoutError, asyncio.CancelledError, discord.DiscordException, OSError):
                pass


def _describe(error: BaseException) -> str:
    """A short reason for /readyz and the log: what failed, without a traceback."""
    if isinstance(error, discord.LoginFailure):
        return TOKEN_REFUSED
    if isinstance(error, discord.HTTPException):
        return f"Discord answered {error.status} {error.text or ''}".strip()
    if isinstance(error, (aiohttp.ClientConnectionError, OSError)):
        return f"Discord unreachable ({type(error).__name__}: {error})"[:300]
    if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        return f"Discord did not answer in time ({error or 'timeout'})"
    return f"{type(error).__name__}: {error}"[:300]
