"""What the fake Slack remembers: workspaces, users, channels, messages, files, calls and pending acks."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Message:
    ts: str
    channel: str
    user: str
    text: str
    blocks: list[Any] | None
    thread_ts: str | None
    edited: bool
    team_id: str
    files: list[str] = field(default_factory=list)  # file ids shared with this message
    metadata: dict[str, Any] | None = None  # the message metadata it was posted with (event_type, event_payload)


@dataclass
class Ephemeral:
    channel: str
    user: str
    text: str
    blocks: list[Any] | None
    message_ts: str = ""
    thread_ts: str | None = None
    team_id: str = ""


@dataclass
class Call:
    method: str
    args: dict[str, Any]  # without `token`; JSON-string arguments (blocks, files, ...) decoded
    team_id: str | None  # the workspace of the token, None when the token is unknown, missing or the app token
    http_status: int
    response: dict[str, Any]
    http_method: str = "POST"


@dataclass
class SharedFile:
    id: str
    team_id: str
    user: str
    filename: str
    title: str
    data: bytes
    channels: list[str]
    initial_comment: str | None
    thread_ts: str | None
    created: int


@dataclass
class User:
    id: str
    team_id: str
    name: str
    real_name: str
    display_name: str
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    is_bot: bool = False
    bot_id: str | None = None
    tz: str = "UTC"


@dataclass
class Channel:
    id: str
    team_id: str
    name: str
    bot_member: bool = True
    archived: bool = False
    deleted: bool = False
    im_user: str | None = None  # set for direct message channels
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass
class Workspace:
    team_id: str
    name: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    app_id: str
    installed: bool = True
    users: dict[str, User] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        return re.sub(r"[^a-z0-9-]+", "-", (self.name or self.team_id).lower()).strip("-") or "workspace"


@dataclass
class _OAuthCode:
    team_id: str
    client_id: str
    client_secret: str
    scope: str
    installer_user_id: str


@dataclass
class _Upload:
    file_id: str
    team_id: str
    user: str
    filename: str
    length: int
    data: bytes | None = None


@dataclass
class _PendingAck:
    future: asyncio.Future[dict[str, Any]]
    started: float
    type: str
    accepts_payload: bool
    payload: dict[str, Any]


@dataclass
class _ResponseUrl:
    team_id: str
    channel: str
    user: str


def _ident(prefix: str, seed: str, width: int = 10) -> str:
    """A Slack-looking id (prefix + at least `width` of A-Z0-9) derived from `seed`, distinct per seed."""
    body = re.sub(r"[^A-Z0-9]", "", seed.upper())
    if len(body) < width or body != seed:
        body = (body + hashlib.sha1(seed.encode()).hexdigest().upper())[: max(width, len(body))]
    return prefix + body
