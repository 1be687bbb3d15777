"""The fake Slack's state and clock: what it holds, message timestamps, violations and reading it back."""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from pathlib import Path
from typing import Any, Callable

from aiohttp import web

from tests.fakes.slack.model import (
    Call,
    Channel,
    Ephemeral,
    Message,
    SharedFile,
    Workspace,
    _OAuthCode,
    _PendingAck,
    _ResponseUrl,
    _Upload,
)
from tests.fakes.slack.spec import SPECS_ROOT, load_spec


class SlackState:
    """Everything the fake holds, and the ways a test reads it."""

    def __init__(
        self,
        *,
        signing_secret: str = "fake-signing-secret",
        app_token: str = "xapp-1-fake",
        enforce_channel_pace: bool = False,
        workspace_rate: float | None = None,
        workspace_burst: int | None = None,
        specs_dir: Path | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.spec = load_spec((specs_dir or SPECS_ROOT).resolve())
        self._now = now  # message timestamps follow this clock (a test's fake clock)
        self.signing_secret = signing_secret
        self.app_token = app_token
        self.app_id = "AFAKEAPP01"
        self.enforce_channel_pace = enforce_channel_pace
        self.channel_pace_per_second = 1.0  # Slack: about one message per second per channel...
        self.channel_pace_burst = 3  # ...with short bursts allowed
        # Slack also keeps a workspace-wide limit on chat.postMessage per app, and does not publish its figure. With
        # `workspace_rate` (messages per second) each workspace gets a token bucket holding `workspace_burst`
        # (default: one second's worth); a post over it is answered 429 with Retry-After, as Slack does. That is not
        # a violation: a client cannot know the figure in advance, it has to slow down when told.
        self.workspace_rate = workspace_rate
        self.workspace_burst = max(1, math.ceil(workspace_rate or 1)) if workspace_burst is None else workspace_burst
        self.workspace_limited = 0  # 429s answered for the workspace limit

        self.messages: dict[str, list[Message]] = {}
        self.ephemerals: list[Ephemeral] = []
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.files: list[SharedFile] = []
        self.socket_acks: list[dict[str, Any]] = []
        self.response_url_posts: list[dict[str, Any]] = []
        self.views: list[Any] = []  # the modals the app opened (views.OpenedView)
        self.view_responses: list[dict[str, Any]] = []  # the app's responses to view_submission payloads
        self._triggers: dict[str, Any] = {}  # trigger id -> who it was issued to (views._Trigger)
        self._exchanged_triggers: set[str] = set()
        self.home_views: dict[tuple[str, str], dict[str, Any]] = {}  # (team, user) -> the Home tab published

        self._workspaces: dict[str, Workspace] = {}
        self._tokens: dict[str, str] = {}  # bot token -> team id, installed workspaces only
        self._revoked: set[str] = set()
        self._channels: dict[str, Channel] = {}
        self._reactions: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._rate_limits: dict[str, list[int]] = {}  # method -> [remaining, retry_after]
        self._refusals: dict[str, list[str]] = {}  # method -> the errors its next calls are answered with
        self._pace: dict[str, tuple[float, float]] = {}  # channel -> (tokens, monotonic time)
        self._workspace_pace: dict[str, tuple[float, float]] = {}  # team -> (tokens, monotonic time)
        self._oauth_codes: dict[str, _OAuthCode] = {}
        self._uploads: dict[str, _Upload] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._last_ts_us = 0
        self._ids = itertools.count(1)

        self._sockets: list[web.WebSocketResponse] = []
        self._socket_changed: asyncio.Event | None = None
        self._pending_acks: dict[str, _PendingAck] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started: await start() or use `async with FakeSlack()`")
        return f"http://127.0.0.1:{self._port}"

    def workspace(self, team_id: str) -> Workspace:
        try:
            return self._workspaces[team_id]
        except KeyError:
            raise KeyError(f"no workspace {team_id}: call add_workspace first") from None

    def _channel(self, channel_id: str) -> Channel:
        try:
            return self._channels[channel_id]
        except KeyError:
            raise KeyError(f"no channel {channel_id}: call add_channel first") from None

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        return [m for m in self.messages.get(channel, []) if m.thread_ts == thread_ts]

    def top_level(self, channel: str) -> list[Message]:
        return [m for m in self.messages.get(channel, []) if m.thread_ts is None]

    def reactions(self, channel: str, ts: str) -> list[tuple[str, str]]:
        return list(self._reactions.get((channel, ts), []))

    def home_view(self, team_id: str, user_id: str) -> dict[str, Any] | None:
        """The Home tab last published for the member, as views.publish took it."""
        return self.home_views.get((team_id, user_id))

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def _next_ts(self) -> str:
        us = int(self._now() * 1_000_000)
        if us <= self._last_ts_us:
            us = self._last_ts_us + 1
        self._last_ts_us = us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def _violation(self, where: str, problem: str) -> None:
        self.violations.append(f"{where}: {problem}")
