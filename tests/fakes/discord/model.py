"""What the fake Discord remembers: guilds, members, channels, threads, messages, interactions, sessions, calls."""

from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

from aiohttp import web

from tests.fakes.discord.protocol import I_MESSAGE_CONTENT, MSG_FLAG_EPHEMERAL
from tests.fakes.discord.spec import RouteSpec


@dataclass
class Role:
    id: str
    guild_id: str
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    bot_id: str | None = None
    color: int = 0


@dataclass
class User:
    id: str
    username: str
    global_name: str | None
    bot: bool = False


@dataclass
class Member:
    user_id: str
    guild_id: str
    roles: list[str]
    joined_at: str
    nick: str | None = None


@dataclass
class Guild:
    id: str
    name: str
    owner_id: str
    joined_at: str
    roles: dict[str, Role] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    channel_ids: list[str] = field(default_factory=list)


@dataclass
class Channel:
    id: str
    type: int  # 0 text, 1 DM, 11 public thread
    name: str
    guild_id: str | None
    position: int = 0
    parent_id: str | None = None
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    recipient_id: str | None = None  # DMs
    last_message_id: str | None = None
    deleted: bool = False


@dataclass
class Thread:
    id: str
    parent_id: str
    starter_message_id: str | None
    name: str
    auto_archive_duration: int
    owner_id: str
    guild_id: str = ""
    created_at: str = ""
    archived: bool = False
    locked: bool = False
    message_count: int = 0
    total_message_sent: int = 0
    member_ids: list[str] = field(default_factory=list)


@dataclass
class Msg:
    id: str
    channel_id: str
    author_id: str
    content: str
    embeds: list[dict[str, Any]]
    components: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    edited: bool = False
    deleted: bool = False
    thread_id: str | None = None  # set when a thread was started from this message
    guild_id: str | None = None
    flags: int = 0
    type: int = 0
    timestamp: str = ""
    edited_timestamp: str | None = None
    webhook_id: str | None = None  # interaction responses and follow-ups are webhook messages
    interaction_id: str | None = None
    ephemeral_user_id: str | None = None  # who can see an ephemeral message
    tts: bool = False
    nonce: str | int | None = None
    message_reference: dict[str, Any] | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # attachment id -> uploaded bytes

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MSG_FLAG_EPHEMERAL)


@dataclass
class Call:
    method: str
    path: str  # relative to /api/v10, decoded: "/channels/222/messages"
    route: str | None  # the spec template: "/channels/{channel_id}/messages"
    query: dict[str, str]
    body: Any  # JSON body, or multipart payload_json (files listed in `files`)
    files: list[tuple[str, str, int]]  # (form field, filename, size)
    status: int
    response: Any  # JSON answered, None for 204


@dataclass
class InteractionResponse:
    interaction_id: str
    kind: str  # "callback", "edit_original", "delete_original", "followup", "edit_followup", "delete_followup"
    type: int | None  # callback type (1, 4, 5, 6, 7, 8, 9) for kind == "callback"
    data: dict[str, Any]  # the callback's `data`, or the webhook body
    flags: int
    ephemeral: bool
    message_id: str | None = None
    after: float = 0.0  # seconds since the interaction was dispatched


@dataclass
class Interaction:
    id: str
    token: str
    type: int
    guild_id: str | None
    channel_id: str
    user_id: str
    data: dict[str, Any]
    created: float  # time.monotonic()
    message_id: str | None = None  # the message a component (or a modal opened from one) belongs to
    callback_type: int | None = None
    original_message_id: str | None = None
    modal: dict[str, Any] | None = None  # the modal shown by a type 9 callback
    modal_submitted: bool = False  # a modal closes once submitted
    source_id: str | None = None  # for a modal submit: the interaction that showed the modal
    late: bool = False


@dataclass
class GatewaySession:
    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    identify: dict[str, Any]
    ws: web.WebSocketResponse | None
    compress: Any = None  # zlib compressobj for zlib-stream
    seq: int = 0
    guild_ids: list[str] = field(default_factory=list)
    sent: collections.deque[dict[str, Any]] = field(default_factory=lambda: collections.deque(maxlen=1000))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    invalidated: bool = False  # the client closed with 1000/1001: the session cannot be resumed

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed

    @property
    def message_content_requested(self) -> bool:
        return bool(self.intents & I_MESSAGE_CONTENT)


@dataclass
class Dispatch:
    shard_id: int
    event: str
    seq: int
    data: dict[str, Any]


@dataclass
class _RateLimitRule:
    method: str
    prefix: str
    remaining: int
    retry_after: float
    global_: bool


@dataclass
class _ServerErrorRule:
    method: str
    prefix: str
    remaining: int
    status: int


@dataclass
class _Upload:
    field: str
    filename: str
    data: bytes
    content_type: str


@dataclass
class _Req:
    method: str
    path: str
    route: RouteSpec
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    uploads: list[_Upload]


Handler = Callable[[_Req], Awaitable[tuple[int, Any]]]


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="microseconds")
