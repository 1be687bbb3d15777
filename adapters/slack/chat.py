"""The Slack chat port: the core's requests as Web API calls, paced and retried within Slack's limits."""

from __future__ import annotations

import asyncio
import logging

import time

import aiohttp
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import SlackMessage, render, render_question
from bot.cards import Card, QuestionCard, Reaction
from bot.domain.model import ChannelAddress
from bot.ports import ChatError

log = logging.getLogger("prepbot.slack")

REACTION_NAMES = {Reaction.ACCEPTED: "white_check_mark", Reaction.LATE: "alarm_clock"}
GONE_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived", "account_inactive", "invalid_auth",
                         "token_revoked", "missing_scope", "restricted_action"})
USER_CACHE_SECONDS = 3600.0


@dataclass(frozen=True)
class BotIdentity:
    token: str
    user_id: str


class SlackTokens(Protocol):
    """Where a workspace's bot token comes from: one configured token, or the OAuth installations."""

    async def bot_for(self, team_id: str) -> BotIdentity | None:
        """The bot's token and user id in `team_id`, or None if prepbot is not installed there."""


class CountedRateLimitRetries(AsyncRateLimitErrorRetryHandler):
    """Retries a 429 after its Retry-After, and says so to `on_rate_limited` (the method's URL)."""

    def __init__(self, max_retry_count: int, on_rate_limited: Callable[[str], None] | None) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._on_rate_limited = on_rate_limited

    async def _can_retry_async(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        limited = await super()._can_retry_async(state=state, request=request, response=response, error=error)
        if limited and self._on_rate_limited is not None and response is not None:
            self._on_rate_limited(str(getattr(request, "url", "")).rsplit("/", 1)[-1])
        return limited


class SlackClients:
    """One AsyncWebClient per token, all pointed at the configured API URL, sharing one pool of connections,
    and retrying 429s after their Retry-After."""

    def __init__(self, api_url: str, max_retries: int = 8,
                 on_rate_limited: Callable[[str], None] | None = None) -> None:
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self._max_retries = max_retries
        self._on_rate_limited = on_rate_limited
        self._clients: dict[str, AsyncWebClient] = {}
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The shared HTTP session (created on first use, inside the running event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100), timeout=aiohttp.ClientTimeout(total=30)
            )
            self._clients.clear()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def for_token(self, token: str | None) -> AsyncWebClient:
        key = token or ""
        session = self.session()
        client = self._clients.get(key)
        if client is None:
            client = AsyncWebClient(token=token, base_url=self.api_url, session=session)
            client.retry_handlers.append(CountedRateLimitRetries(self._max_retries, self._on_rate_limited))
            self._clients[key] = client
        return client


class SingleWorkspaceTokens:
    """A bot token from the settings; its user id is learned from auth.test once."""

    def __init__(self, token: str, clients: SlackClients) -> None:
        self._token = token
        self._clients = clients
        self._identity: dict[str, BotIdentity] = {}

    async def bot_for(self, team_id: str) -> BotIdentity | None:
        identity = self._identity.get(team_id)
        if identity is None:
            response = await self._clients.for_token(self._token).auth_test()
            if response.get("team_id") != team_id:
                return None
            identity = BotIdentity(self._token, str(response["user_id"]))
            self._identity[team_id] = identity
        return identity


class ChannelPacer:
    """At most one post per `interval` seconds in each channel, as Slack asks; other channels are not held up."""

    def __init__(self, interval: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._monotonic = monotonic
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def run(self, channel: str, call: Callable[[], Awaitable[Any]]) -> Any:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            wait = self._next.get(channel, 0.0) - self._monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await call()
            finally:
                self._next[channel] = self._monotonic() + self._interval


class SlackChat:
    """ChatPort for Slack. A channel address is ("slack", team id, channel id)."""

    def __init__(self, tokens: SlackTokens, clients: SlackClients, *, channel_interval: float = 1.0,
                 admin_users: frozenset[str] = frozenset(), admin_usergroup: str | None = None) -> None:
        self._tokens = tokens
        self._clients = clients
        self._pacer = ChannelPacer(channel_interval)
        self._admin_users = admin_users
        self._admin_usergroup = admin_usergroup
        self._users: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}

    async def _client(self, team_id: str) -> AsyncWebClient:
        identity = await self._tokens.bot_for(team_id)
        if identity is None:
            raise ChatError(f"prepbot is not installed in workspace {team_id}", gone=True)
        return self._clients.for_token(identity.token)

    async def _call(self, team_id: str, method: str, **kwargs: Any) -> dict[str, Any]:
        client = await self._client(team_id)
        try:
            # The SDK's own method for each call, so each is encoded the way Slack expects (JSON or form).
            response = await getattr(client, method.replace(".", "_"))(**kwargs)
        except SlackApiError as error:
            code = str(error.response.get("error", "unknown_error"))
            raise ChatError(f"Slack {method}: {code}", gone=code in GONE_ERRORS) from None
        except (OSError, asyncio.TimeoutError) as error:
            raise ChatError(f"Slack {method}: {error.__class__.__name__}") from None
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def _post(self, channel: ChannelAddress, message: SlackMessage, thread_ts: str | None = None) -> str:
        args: dict[str, Any] = {"channel": channel.channel, "text": message.text, "blocks": message.blocks}
        if thread_ts:
            args["thread_ts"] = thread_ts
        response = await self._pacer.run(
            channel.channel, lambda: self._call(channel.workspace, "chat.postMessage", **args)
        )
        return str(response["ts"])

    async def post_question(self, channel: ChannelAddress, card: QuestionCard) -> str:
        return await self._post(channel, render_question(card))

    async def update_question(self, channel: ChannelAddress, message_ref: str, card: QuestionCard) -> None:
        message = render_question(card)
        await self._pacer.run(channel.channel, lambda: self._call(
            channel.workspace, "chat.update", channel=channel.channel, ts=message_ref, text=message.text,
            blocks=message.blocks,
        ))

    async def post_message(self, channel: ChannelAddress, card: Card) -> str:
        refs = [await self._post(channel, message) for message in render(card)]
        return refs[0]

    async def reply_in_thread(self, channel: ChannelAddress, thread_ref: str, card: Card) -> str:
        refs = [await self._post(channel, message, thread_ref) for message in render(card)]
        return refs[0]

    async def react(self, channel: ChannelAddress, message_ref: str, reaction: Reaction) -> None:
        try:
            await self._call(channel.workspace, "reactions.add", channel=channel.channel, timestamp=message_ref,
                             name=REACTION_NAMES[reaction])
        except ChatError as error:
            if "already_reacted" not in str(error):  # a retried delivery: the reaction is already there
                raise

    async def tell_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        for message in render(card):
            await self._call(channel.workspace, "chat.postEphemeral", channel=channel.channel, user=member_ref,
                             text=message.text, blocks=message.blocks)

    async def message_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        for message in render(card):
            await self._call(channel.workspace, "chat.postMessage", channel=member_ref, text=message.text,
                             blocks=message.blocks)

    async def user(self, team_id: str, user_id: str) -> dict[str, Any]:
        """users.info's user object, cached for an hour; empty if Slack does not know the user."""
        cached = self._users.get((team_id, user_id))
        if cached and time.monotonic() - cached[0] < USER_CACHE_SECONDS:
            return cached[1]
        try:
            user = (await self._call(team_id, "users.info", user=user_id)).get("user") or {}
        except ChatError as error:
            log.warning("users.info for %s failed: %s", user_id, error)
            return {}
        self._users[(team_id, user_id)] = (time.monotonic(), user)
        return dict(user)

    async def display_name(self, team_id: str, user_id: str) -> str:
        user = await self.user(team_id, user_id)
        profile = user.get("profile") or {}
        return str(profile.get("display_name") or user.get("real_name") or user.get("name") or user_id)

    async def is_admin(self, channel: ChannelAddress, member_ref: str) -> bool:
        if member_ref in self._admin_users:
            return True
        user = await self.user(channel.workspace, member_ref)
        if user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"):
            return True
        if self._admin_usergroup:
            return member_ref in await self._usergroup(channel.workspace, self._admin_usergroup)
        return False

    async def _usergroup(self, team_id: str, group: str) -> frozenset[str]:
        cached = self._groups.get(team_id)
        if cached and time.monotonic() - cached[0] < 300:
            return cached[1]
        try:
            users = frozenset((await self._call(team_id, "usergroups.users.list", usergroup=group)).get("users", []))
        except ChatError as error:
            log.warning("usergroups.users.list for %s failed: %s", group, error)
            return frozenset()
        self._groups[team_id] = (time.monotonic(), users)
        return users
