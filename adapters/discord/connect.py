"""Connecting to Discord: REST and gateway URLs from the settings, shards, and the message-content fallback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl

from adapters.discord.chat import DiscordChat
from adapters.discord.client import PrepClient
from bot.app import PrepBot
from bot.config import Settings

log = logging.getLogger("prepbot.discord")
READY_TIMEOUT = 60.0

INTENT_HELP = (
    "Discord did not grant the MESSAGE_CONTENT intent, so prepbot cannot read replies in threads. It keeps running: "
    "members answer with each question's Answer button. To read thread replies, open the Developer Portal, "
    "your application, Bot, and switch on 'Message Content Intent'."
)


def point_at(settings: Settings) -> None:
    """Sends discord.py's REST calls, and its gateway connections, to the configured URLs (Discord's by default).

    discord.py keeps both as class attributes, so this applies to every client in the process.
    """
    discord.http.Route.BASE = settings.discord_api_url.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def shard_options(settings: Settings) -> dict[str, Any]:
    ids = [int(i) for i in settings.discord_shard_ids.split(",") if i.strip()]
    options: dict[str, Any] = {}
    if settings.discord_shard_count:
        options["shard_count"] = settings.discord_shard_count
    if ids:
        options["shard_ids"] = ids
    return options


def new_client(settings: Settings, message_content: bool) -> PrepClient:
    return PrepClient(message_content=message_content, **shard_options(settings))


class DiscordConnection:
    """A running Discord client; `start()` returns once every shard of this process is ready."""

    def __init__(self, settings: Settings, chat: DiscordChat, client: PrepClient) -> None:
        self.settings = settings
        self.chat = chat
        self.client = client
        self._task: asyncio.Task[None] | None = None
        self.intent_granted = settings.discord_message_content

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

    async def start(self, core: PrepBot) -> None:
        self.client.attach(core, self.chat)
        try:
            await self._connect(self.client)
        except discord.PrivilegedIntentsRequired:
            log.error(INTENT_HELP)
            await self.client.close()
            self.intent_granted = False
            self.client = new_client(self.settings, message_content=False)
            self.client.attach(core, self.chat)
            self.chat.use(self.client)
            await self._connect(self.client)
        application = self.client.application
        flags = application.flags if application else None
        if self.client.message_content and flags is not None and not (
            flags.gateway_message_content or flags.gateway_message_content_limited
        ):
            self.intent_granted = False
            log.error(INTENT_HELP)

    def connected(self) -> bool:
        return self.client.is_ready() and not self.client.is_closed()

    async def sync_commands(self, guild_id: int | None = None) -> int:
        """Registers /prep and /prep-admin globally, or for one guild; returns how many commands were registered."""
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            self.client.tree.copy_global_to(guild=guild)
        return len(await self.client.tree.sync(guild=guild))

    async def close(self) -> None:
        await self.client.close()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except (asyncio.TimeoutError, asyncio.CancelledError, discord.DiscordException):
                pass
