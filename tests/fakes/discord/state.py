"""The fake Discord's state: what it holds, ids and time, violations, lookups and reading it back."""

from __future__ import annotations

import asyncio
import collections
import time
from pathlib import Path
from typing import Any, Callable

from aiohttp import web

from tests.fakes.discord.errors import UNKNOWN_CHANNEL, UNKNOWN_GUILD, UNKNOWN_MESSAGE, _not_found
from tests.fakes.discord.model import (
    Call,
    Channel,
    Dispatch,
    GatewaySession,
    Guild,
    Interaction,
    InteractionResponse,
    Msg,
    Thread,
    User,
    _RateLimitRule,
    _ServerErrorRule,
)
from tests.fakes.discord.protocol import (
    API_PREFIX,
    APP_FLAG_APPLICATION_COMMAND_BADGE,
    APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED,
    DISCORD_EPOCH_MS,
    GLOBAL_RATE_LIMIT,
    I_MESSAGE_CONTENT,
    INTERACTION_ACK_DEADLINE,
)
from tests.fakes.discord.spec import SPECS_ROOT, load_spec


class DiscordState:
    """Everything the fake holds, and the ways a test reads it."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        application_id: str = "900000000000000001",
        bot_user_id: str = "900000000000000002",
        bot_name: str = "prepbot",
        message_content_intent: bool = True,
        close_on_disallowed_intents: bool = False,
        recommended_shards: int = 1,
        compress_gateway: bool = True,
        specs_dir: Path | None = None,
        now: Callable[[], float] = time.time,
        global_rate_limit: int | None = GLOBAL_RATE_LIMIT,
    ) -> None:
        self.spec = load_spec((specs_dir or SPECS_ROOT).resolve())
        self.token = token
        self._revoked_token: str | None = None  # the token `revoke_token` took away
        self.application_id = application_id
        self.bot_user_id = bot_user_id
        self.message_content_intent = message_content_intent
        # Discord closes the gateway with 4014 when IDENTIFY asks for a privileged intent the app lacks; by default
        # the fake keeps the session and blanks content instead (close_on_disallowed_intents=True: as Discord).
        self.close_on_disallowed_intents = close_on_disallowed_intents
        self.recommended_shards = recommended_shards
        self.compress_gateway = compress_gateway
        self.ack_deadline = INTERACTION_ACK_DEADLINE
        self._now = now
        # Discord's global limit: this many requests per second per bot, interaction endpoints aside. Measured on the
        # real clock (requests arrive in real time whatever the scene's clock says); None: no global limit.
        self.global_rate_limit = global_rate_limit
        self._global_window: collections.deque[float] = collections.deque()
        self._identify_gate: asyncio.Event | None = None

        self.messages: dict[str, list[Msg]] = {}
        self.threads: dict[str, Thread] = {}
        self.interaction_responses: list[InteractionResponse] = []
        self.interactions: dict[str, Interaction] = {}
        self.registered_commands: dict[str | None, list[dict[str, Any]]] = {}
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.identified: list[dict[str, Any]] = []
        self.sessions: list[GatewaySession] = []
        self.events: list[Dispatch] = []
        self.presence_updates: list[dict[str, Any]] = []

        self.guilds: dict[str, Guild] = {}
        self.users: dict[str, User] = {bot_user_id: User(bot_user_id, bot_name, None, bot=True)}
        self._channels: dict[str, Channel] = {}
        self._all_messages: dict[str, Msg] = {}  # every message by id, ephemeral ones included
        self._reactions: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._dm_by_user: dict[str, str] = {}
        self._rate_limits: list[_RateLimitRule] = []
        self._server_errors: list[_ServerErrorRule] = []
        self._command_ids: dict[tuple[str | None, int, str], str] = {}
        self._tokens: dict[str, str] = {}  # interaction token -> interaction id
        self._waiters: dict[str, list[asyncio.Future[InteractionResponse]]] = {}
        self._ready_events: dict[int, asyncio.Event] = {}
        self._ack_timers: dict[str, asyncio.TimerHandle] = {}
        # scene changes made while clients are connected (add_guild, add_channel, ...) become gateway events,
        # dispatched in order before anything else the fake sends
        self._scene_queue: list[tuple[str, Any, str | None, int | None]] = []
        self._scene_lock = asyncio.Lock()
        self._scene_task: asyncio.Task[None] | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._session_start_remaining = 1000
        self._last_snowflake = 0

        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started: await start() or use `async with FakeDiscord()`")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}" if self._port is not None else self.url

    def guild(self, guild_id: str) -> Guild:
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise KeyError(f"no guild {guild_id}: call add_guild first") from None

    def channel(self, channel_id: str) -> Channel:
        try:
            return self._channels[channel_id]
        except KeyError:
            raise KeyError(f"no channel {channel_id}: call add_channel first") from None

    def reactions(self, channel_id: str, message_id: str) -> list[tuple[str, str]]:
        return list(self._reactions.get((channel_id, message_id), []))

    def message(self, message_id: str) -> Msg:
        """Any message by id, ephemeral interaction responses included."""
        return self._all_messages[message_id]

    def calls_to(self, method: str, route: str) -> list[Call]:
        return [c for c in self.calls if c.method == method.upper() and c.route == route]

    def responses_to(self, interaction_id: str) -> list[InteractionResponse]:
        return [r for r in self.interaction_responses if r.interaction_id == interaction_id]

    @property
    def message_content_requested(self) -> bool:
        """Whether the latest IDENTIFY asked for the privileged message content intent (1 << 15)."""
        return bool(self.identified) and bool(int(self.identified[-1].get("intents") or 0) & I_MESSAGE_CONTENT)

    @property
    def application_flags(self) -> int:
        flags = APP_FLAG_APPLICATION_COMMAND_BADGE
        if self.message_content_intent:
            flags |= APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED
        return flags

    def _snowflake(self) -> str:
        ms = max(int(self._now() * 1000) - DISCORD_EPOCH_MS, 0)
        value = (ms << 22) | (1 << 17) | (1 << 12)
        if value <= self._last_snowflake:
            value = self._last_snowflake + 1
        self._last_snowflake = value
        return str(value)

    def _violation(self, where: str, problem: str) -> None:
        self.violations.append(f"{where}: {problem}")

    def _live_channel_or_raise(self, channel_id: str) -> Channel:
        ch = self.channel(channel_id)
        if ch.deleted:
            raise KeyError(f"channel {channel_id} was deleted")
        return ch

    def _require_author(self, ch: Channel, user_id: str) -> None:
        if ch.guild_id is None:
            if user_id != ch.recipient_id:
                raise ValueError(f"{user_id} is not the recipient of DM channel {ch.id}")
        elif user_id not in self.guilds[ch.guild_id].members:
            raise KeyError(f"{user_id} is not a member of guild {ch.guild_id}: call add_member first")

    def _user_message_or_raise(self, channel_id: str, message_id: str) -> Msg:
        msg = self._all_messages.get(message_id)
        if msg is None or msg.channel_id != channel_id or msg.deleted:
            raise KeyError(f"no message {message_id} in channel {channel_id}")
        if msg.author_id == self.bot_user_id:
            raise ValueError(f"message {message_id} is the bot's; user_edit/user_delete act for members")
        return msg

    def _store(self, msg: Msg) -> Msg:
        self._all_messages[msg.id] = msg
        if not msg.ephemeral:
            self.messages.setdefault(msg.channel_id, []).append(msg)
            ch = self._channels.get(msg.channel_id)
            if ch is not None:
                ch.last_message_id = msg.id
                t = self.threads.get(ch.id)
                if t is not None:
                    t.message_count += 1
                    t.total_message_sent += 1
                    if msg.author_id not in t.member_ids:
                        t.member_ids.append(msg.author_id)
        return msg

    def _channel_or_404(self, channel_id: str) -> Channel:
        ch = self._channels.get(channel_id)
        if ch is None or ch.deleted:
            raise _not_found(*UNKNOWN_CHANNEL)
        return ch

    def _message_or_404(self, ch: Channel, message_id: str) -> Msg:
        msg = self._all_messages.get(message_id)
        if msg is None or msg.channel_id != ch.id or msg.deleted or msg.ephemeral:
            raise _not_found(*UNKNOWN_MESSAGE)
        return msg

    def _guild_or_404(self, guild_id: str) -> Guild:
        g = self.guilds.get(guild_id)
        if g is None:
            raise _not_found(*UNKNOWN_GUILD)
        return g
