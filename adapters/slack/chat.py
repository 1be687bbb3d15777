"""The Slack chat port: the core's requests as Web API calls, paced and retried within Slack's limits."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator
from contextvars import ContextVar
from datetime import datetime

import aiohttp
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.chart import CardImage, chart_of
from adapters.recovery import MAX_PAGES, KeyedBoard, Lookup, Mark, RoundCard, RoundKind, read_from, subject_of
from adapters.slack.render import (
    QUESTION_EVENT, SlackMessage, chart_comment, read_board_key, read_tag, render, render_question,
)
from bot.cards import Card, FindableCard, LeaderboardCard, QuestionCard, Reaction
from bot.domain.model import ChannelAddress
from bot.ports import ChatError

log = logging.getLogger("prepbot.slack")

REACTION_NAMES = {Reaction.ACCEPTED: "white_check_mark", Reaction.LATE: "alarm_clock"}
AUTH_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed"})
GONE_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived", "account_inactive", "invalid_auth",
                         "token_revoked", "missing_scope", "restricted_action"})
# A call refused for going too fast: answered 429 "ratelimited", or (chat.postMessage) "rate_limited" when the app
# posted too many messages.
RATE_LIMITED_ERRORS = frozenset({"ratelimited", "rate_limited"})
USER_CACHE_SECONDS = 3600.0
HISTORY_PAGE = 200  # messages per conversations.history / conversations.replies page


@dataclass(frozen=True)
class BotIdentity:
    token: str
    user_id: str


class SlackTokens(Protocol):
    """Where a workspace's bot token comes from: one configured token, or the OAuth installations."""

    async def bot_for(self, team_id: str) -> BotIdentity | None:
        """The bot's token and user id in `team_id`, or None if prepbot is not installed there."""

    async def forget(self, team_id: str, *, removed_at: datetime | None = None) -> None:
        """Drops what is cached of `team_id`'s bot, so the next `bot_for` reads it afresh (Slack refused the token,
        say: a reinstall may have replaced it). With `removed_at`, the app was removed from the workspace at that
        moment: its installation is deleted too."""


class WorkspacePacer:
    """Paces one Web API method of one bot token (one workspace) under a limit Slack does not publish, such as
    chat.postMessage's workspace-wide limit. No pacing until Slack answers 429; from then on

    - every call of the method waits out the Retry-After (not only the call that was refused), and
    - calls are spaced at a pace learnt from the 429s: the first sets it a little under the rate that got through
      just before (a guess, made from a burst) and the pace then grows fast until the next 429; every later 429
      lowers it to a little under the rate that got through in the last seconds, by a third at most, and from then
      on it grows slowly (a share of itself, or a small step, per second), so a limit that rises is found again,
      and processes sharing one workspace's limit even out their shares.

    The pace grows only while calls queue for it (not while there is little to send), and it is forgotten after
    FORGET seconds without a 429. Callers take their turns in order. A 429 means Slack did nothing, so the refused
    call is simply made again at its next turn: nothing is dropped and nothing is sent twice."""

    RECENT = 2.0  # seconds of successes the rate that got through is measured over
    MARGIN = 0.95  # pace this far under the rate that got through
    FLOOR = 2 / 3  # a 429 lowers the pace by a third at most
    FAST_GROWTH = 1.0  # while the first guess is tested the pace grows e-fold per second...
    GROWTH = 0.01  # ...and after that by this share of itself per second,
    MIN_STEP = 0.2  # or by this many calls per second, per second, when that is more
    FORGET = 300.0  # seconds without a 429 after which calls go unpaced again

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self.rate: float | None = None  # calls per second; None until Slack first answers 429
        self._turns = asyncio.Lock()  # callers wait for their turn one after the other, in order
        self._last = float("-inf")  # the last turn given
        self._hold_until = 0.0  # the Retry-After: no call before this
        self._successes: deque[float] = deque()
        self._window_start = monotonic()  # successes before this moment (the end of the last hold) do not count
        self._cut_at = float("-inf")  # when the pace was last lowered
        self._limited_at = float("-inf")  # the last 429
        self._grown_at = 0.0  # the pace has grown for the time up to this moment
        self._fast = True

    def next_turn_at(self) -> float:
        """The earliest moment the next call may go, at the pace as it stands."""
        if self.rate is not None and self._monotonic() - self._limited_at > self.FORGET:
            self.rate = None
        if self.rate is None:
            return self._hold_until
        return max(self._hold_until, self._last + 1.0 / self.rate)

    def _grow(self, now: float) -> None:
        elapsed = now - max(self._grown_at, self._hold_until)
        if self.rate is not None and elapsed > 0:
            if self._fast:
                self.rate *= math.exp(self.FAST_GROWTH * elapsed)
            else:
                self.rate += max(self.GROWTH * self.rate, self.MIN_STEP) * elapsed
        self._grown_at = max(self._grown_at, now)

    async def turn(self) -> float:
        """Waits for this call's turn; returns the moment it was given (to pass to `limited`). The pace may change
        while a call waits (a 429, or the pace growing): each wait follows the pace of the moment."""
        async with self._turns:
            while True:
                now = self._monotonic()
                start = self.next_turn_at()
                if start <= now:
                    self._last = self._grown_at = now  # no growth for time nobody waited
                    return now
                await asyncio.sleep(start - now)
                self._grow(self._monotonic())  # calls queue for the pace: it may be too slow

    def succeeded(self) -> None:
        """A call got through (whatever Slack answered, other than 429)."""
        now = self._monotonic()
        self._successes.append(now)
        while self._successes[0] < now - self.RECENT:
            self._successes.popleft()

    def limited(self, retry_after: float, sent_at: float) -> None:
        """Slack answered 429 with `retry_after` seconds to a call whose turn came at `sent_at`."""
        now = self._monotonic()
        self._limited_at = now
        self._hold_until = max(self._hold_until, now + retry_after)
        if sent_at <= self._cut_at:
            return  # its turn came before the pace was last lowered: this 429 is already accounted for
        since = max(self._window_start, now - self.RECENT)
        got_through = sum(1 for moment in self._successes if moment >= since)
        measured = self.MARGIN * max(got_through, 1) / max(now - since, 1.0)
        if self.rate is None:
            self.rate, self._fast = measured, True
        else:
            self.rate, self._fast = min(self.rate, max(measured, self.FLOOR * self.rate)), False
        self._cut_at = now
        self._window_start = self._grown_at = self._hold_until


# The turn the call in progress was given (a call and its retries run in one context), so a 429 is matched to it.
_TURN: ContextVar[float] = ContextVar("slack_pacer_turn", default=float("-inf"))


def retry_after_seconds(response: Any) -> float:
    """A 429's Retry-After in seconds (1 when it has none, or it cannot be read)."""
    headers = getattr(response, "headers", None) or {}
    for name in headers:
        if str(name).lower() == "retry-after":
            value = headers[name]
            try:
                return max(float(value[0] if isinstance(value, list) else value), 0.0)
            except (TypeError, ValueError, IndexError):
                break
    return 1.0


def _method_of(request: Any) -> str:
    return str(getattr(request, "url", "")).rsplit("/", 1)[-1].split("?", 1)[0]


class CountedRateLimitRetries(AsyncRateLimitErrorRetryHandler):
    """Retries a 429 when its method's pacer gives the turn (after the Retry-After, at the learnt pace), and says so
    to `on_rate_limited` (the method's name). Without `pacer_for` it sleeps the Retry-After, like slack_sdk's own."""

    def __init__(self, max_retry_count: int, on_rate_limited: Callable[[str], None] | None,
                 pacer_for: Callable[[str], WorkspacePacer] | None = None) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._on_rate_limited = on_rate_limited
        self._pacer_for = pacer_for

    async def _can_retry_async(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        limited = await super()._can_retry_async(state=state, request=request, response=response, error=error)
        if limited and self._on_rate_limited is not None and response is not None:
            self._on_rate_limited(_method_of(request))
        return limited

    async def prepare_for_next_attempt_async(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> None:
        if self._pacer_for is None or response is None:
            await super().prepare_for_next_attempt_async(state=state, request=request, response=response,
                                                         error=error)
            return
        pacer = self._pacer_for(_method_of(request))
        pacer.limited(retry_after_seconds(response), _TURN.get())
        _TURN.set(await pacer.turn())
        state.next_attempt_requested = True
        state.increment_current_attempt()


class SlackClients:
    """One AsyncWebClient per token, all pointed at the configured API URL, sharing one pool of connections; 429s
    are retried at the pace of a WorkspacePacer per token and method."""

    def __init__(self, api_url: str, max_retries: int = 12,
                 on_rate_limited: Callable[[str], None] | None = None) -> None:
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self._max_retries = max_retries
        self._on_rate_limited = on_rate_limited
        self._clients: dict[str, AsyncWebClient] = {}
        self._pacers: dict[tuple[str, str], WorkspacePacer] = {}
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

    def pacer(self, token: str | None, method: str) -> WorkspacePacer:
        """The pacer of `method` for `token` (a bot token stands for one workspace)."""
        key = (token or "", method)
        pacer = self._pacers.get(key)
        if pacer is None:
            pacer = self._pacers[key] = WorkspacePacer()
        return pacer

    def for_token(self, token: str | None) -> AsyncWebClient:
        key = token or ""
        session = self.session()
        client = self._clients.get(key)
        if client is None:
            client = AsyncWebClient(token=token, base_url=self.api_url, session=session)
            client.retry_handlers.append(CountedRateLimitRetries(
                self._max_retries, self._on_rate_limited, lambda method: self.pacer(token, method)
            ))
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

    async def forget(self, team_id: str, *, removed_at: datetime | None = None) -> None:
        self._identity.pop(team_id, None)  # the configured token is the only one there is


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


class SlackMarkers:
    """How a Slack message, as conversations.history returns it, carries its marker: in its metadata."""

    def author(self, message: dict[str, Any]) -> str | None:
        user = message.get("user")
        return user if isinstance(user, str) else None

    def position(self, message: dict[str, Any]) -> float | None:
        ts = str(message.get("ts") or "")
        return float(ts) if ts else None

    def mark(self, message: dict[str, Any]) -> Mark | None:
        metadata = message.get("metadata")
        tag = read_tag(metadata)
        if tag is not None:
            kind = RoundKind.QUESTION if tag.event_type == QUESTION_EVENT else RoundKind.REVEAL
            return Mark(RoundCard(kind, tag.round_id), tag.part)
        key = read_board_key(metadata)
        return Mark(KeyedBoard(key)) if key is not None else None


SLACK_MARKERS = SlackMarkers()


def _unreadable(error: ChatError) -> bool:
    """Whether a history read failed because the bot may not read it (no history scope) or the thread is gone."""
    return str(error).endswith((": missing_scope", ": thread_not_found"))


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
        self._lookups: dict[tuple[str, str], asyncio.Future[dict[str, Any]]] = {}
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}

    async def _client(self, team_id: str) -> AsyncWebClient:
        identity = await self._tokens.bot_for(team_id)
        if identity is None:
            raise ChatError(f"prepbot is not installed in workspace {team_id}", gone=True)
        return self._clients.for_token(identity.token)

    async def _call(self, team_id: str, method: str, **kwargs: Any) -> dict[str, Any]:
        """Calls `method` with the workspace's bot token. When Slack refuses the token (revoked by an uninstall,
        say), the token is read again, and the call made once more if it changed (a reinstall through another
        replica). Raises ChatError when Slack refuses."""
        client = await self._client(team_id)
        try:
            return await self._call_with(client, team_id, method, **kwargs)
        except ChatError as error:
            if not str(error).endswith(tuple(f": {code}" for code in AUTH_ERRORS)):
                raise
            await self._tokens.forget(team_id)
            again = await self._tokens.bot_for(team_id)
            if again is None or again.token == client.token:
                raise
            log.info("workspace %s has a new bot token: %s made again with it", team_id, method)
            return await self._call_with(self._clients.for_token(again.token), team_id, method, **kwargs)

    async def _call_with(self, client: AsyncWebClient, team_id: str, method: str, **kwargs: Any) -> dict[str, Any]:
        pacer = self._clients.pacer(client.token, method)
        turn = _TURN.set(await pacer.turn())
        try:
            # The SDK's own method for each call, so each is encoded the way Slack expects (JSON or form); a 429 is
            # retried inside it, at the pacer's next turn.
            response = await getattr(client, method.replace(".", "_"))(**kwargs)
            pacer.succeeded()
        except SlackApiError as error:
            if error.response.status_code == 429:  # the retries ran out: Slack did nothing
                pacer.limited(retry_after_seconds(error.response), _TURN.get())
            else:
                pacer.succeeded()
            code = str(error.response.get("error", "unknown_error"))
            raise ChatError(f"Slack {method}: {code}", gone=code in GONE_ERRORS,
                            rate_limited=error.response.status_code == 429 or code in RATE_LIMITED_ERRORS) from None
        except (OSError, asyncio.TimeoutError) as error:
            raise ChatError(f"Slack {method}: {error.__class__.__name__}") from None
        finally:
            _TURN.reset(turn)
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def _post(self, channel: ChannelAddress, message: SlackMessage, thread_ts: str | None = None) -> str:
        args: dict[str, Any] = {"channel": channel.channel, "text": message.text, "blocks": message.blocks}
        if thread_ts:
            args["thread_ts"] = thread_ts
        if message.metadata:
            args["metadata"] = message.metadata
        response = await self._pacer.run(
            channel.channel, lambda: self._call(channel.workspace, "chat.postMessage", **args)
        )
        return str(response["ts"])

    async def _share_image(self, channel: ChannelAddress, image: CardImage, thread_ts: str, title: str) -> None:
        """Uploads `image` the way Slack asks (files.getUploadURLExternal, the bytes POSTed to the upload URL,
        files.completeUploadExternal) and shares it in the thread under `thread_ts`. Needs the files:write scope.
        Raises ChatError when a step fails."""
        ticket = await self._call(channel.workspace, "files.getUploadURLExternal", filename=image.filename,
                                  length=len(image.data), alt_txt=image.alt_text)
        upload_url, file_id = str(ticket.get("upload_url") or ""), str(ticket.get("file_id") or "")
        if not upload_url or not file_id:
            raise ChatError("Slack files.getUploadURLExternal: no upload URL in the response")
        try:
            async with self._clients.session().post(upload_url, data=image.data) as response:
                if response.status != 200:
                    raise ChatError(f"Slack file upload: HTTP {response.status}", rate_limited=response.status == 429)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise ChatError(f"Slack file upload: {error.__class__.__name__}") from None
        await self._pacer.run(channel.channel, lambda: self._call(
            channel.workspace, "files.completeUploadExternal", files=[{"id": file_id, "title": title}],
            channel_id=channel.channel, thread_ts=thread_ts, initial_comment=chart_comment(title),
        ))

    async def _post_card(self, channel: ChannelAddress, card: Card, thread_ts: str | None = None) -> str:
        """Posts the card's messages; a board's chart follows in the thread of the board's first message (or in the
        thread the card went to). The board counts as posted even if its chart fails: that is logged, not raised,
        so that the board is never posted twice."""
        messages = render(card)
        refs = [await self._post(channel, message, thread_ts) for message in messages]
        image = chart_of(card) if isinstance(card, LeaderboardCard) else None
        if image is not None:
            try:
                await self._share_image(channel, image, thread_ts or refs[0], messages[0].text)
            except ChatError as error:
                log.warning("the board in %s was posted without its chart: %s", channel.channel, error)
        return refs[0]

    async def post_question(self, channel: ChannelAddress, card: QuestionCard) -> str:
        return await self._post(channel, render_question(card))

    async def update_question(self, channel: ChannelAddress, message_ref: str, card: QuestionCard) -> None:
        message = render_question(card)
        await self._pacer.run(channel.channel, lambda: self._call(
            channel.workspace, "chat.update", channel=channel.channel, ts=message_ref, text=message.text,
            blocks=message.blocks,
        ))

    async def post_message(self, channel: ChannelAddress, card: Card) -> str:
        return await self._post_card(channel, card)

    async def reply_in_thread(self, channel: ChannelAddress, thread_ref: str, card: Card) -> str:
        return await self._post_card(channel, card, thread_ref)

    async def find_posted(
        self, channel: ChannelAddress, card: FindableCard, *, since: datetime,
        thread_ref: str | None = None,
    ) -> str | None:
        """Reads the channel's history (conversations.history), or the thread's (conversations.replies), from a
        little before `since`, for the bot's own messages whose metadata tags them as this card's round and kind,
        or as the board with this card's key; returns the ts of the first, or None. A board found is taken as it
        is: its chart, shared in its thread after it, is not looked for (a board may go without its chart, as when
        the upload fails; it is never posted twice). Says None, rather than failing, when the workspace has not
        granted the history scopes (an install older than them) or the thread is gone; a board without a key is
        None at once. Raises ChatError when Slack refuses otherwise."""
        subject = subject_of(card)
        if subject is None:
            return None
        identity = await self._tokens.bot_for(channel.workspace)
        if identity is None:
            raise ChatError(f"prepbot is not installed in workspace {channel.workspace}", gone=True)
        lookup = Lookup(subject, identity.user_id, SLACK_MARKERS)
        oldest = f"{read_from(since).timestamp():.6f}"
        try:
            async for message in self._history(channel, oldest, thread_ref):
                lookup.see(message)
        except ChatError as error:
            if _unreadable(error):
                log.warning("cannot look for %s's earlier posts in %s: %s", subject, channel.channel, error)
                return None
            raise
        if lookup.first is None:
            return None
        messages = render(card)
        for part in lookup.missing_parts(len(messages)):  # the rest of a card cut short
            await self._post(channel, messages[part - 1], thread_ref)
        return str(lookup.first["ts"])

    async def _history(self, channel: ChannelAddress, oldest: str, thread_ref: str | None
                       ) -> AsyncIterator[dict[str, Any]]:
        """The messages of the channel (or of the thread under `thread_ref`) after `oldest`, page after page, with
        their metadata. Raises ChatError when Slack refuses."""
        method = "conversations.replies" if thread_ref else "conversations.history"
        args: dict[str, Any] = {"channel": channel.channel, "oldest": oldest, "include_all_metadata": True,
                                "limit": HISTORY_PAGE}
        if thread_ref:
            args["ts"] = thread_ref
        for _ in range(MAX_PAGES):
            page = await self._call(channel.workspace, method, **args)
            for message in page.get("messages") or []:
                if isinstance(message, dict):
                    yield message
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not page.get("has_more") or not cursor:
                return
            args["cursor"] = cursor
        log.warning("%s of %s: stopped after %d pages", method, channel.channel, MAX_PAGES)

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

    async def publish_home(self, team_id: str, user_id: str, view: dict[str, Any]) -> None:
        """Shows `view` (a `home` view) as the member's App Home tab. Raises ChatError when Slack refuses."""
        await self._call(team_id, "views.publish", user_id=user_id, view=view)

    async def user(self, team_id: str, user_id: str) -> dict[str, Any]:
        """users.info's user object, cached for an hour; what was known before if Slack cannot say now, and empty
        if Slack does not know the user."""
        cached = self._users.get((team_id, user_id))
        if cached and time.monotonic() - cached[0] < USER_CACHE_SECONDS:
            return cached[1]
        try:
            user = (await self._call(team_id, "users.info", user=user_id)).get("user") or {}
        except ChatError as error:
            log.warning("users.info for %s failed: %s", user_id, error)
            return dict(cached[1]) if cached else {}
        self._users[(team_id, user_id)] = (time.monotonic(), user)
        return dict(user)

    async def display_name(self, team_id: str, user_id: str) -> str:
        user = await self.user(team_id, user_id)
        profile = user.get("profile") or {}
        return str(profile.get("display_name") or user.get("real_name") or user.get("name") or user_id)

    async def display_name_soon(self, team_id: str, user_id: str, wait: float = 0.5) -> str:
        """The display name, without holding up a response Slack is timing: when users.info has not answered
        within `wait` seconds (a rate limit, say), the user id now, and the name from the next time on."""
        user = await self.user_soon(team_id, user_id, wait)
        if not user:
            return user_id
        profile = user.get("profile") or {}
        return str(profile.get("display_name") or user.get("real_name") or user.get("name") or user_id)

    async def user_soon(self, team_id: str, user_id: str, wait: float = 0.5) -> dict[str, Any] | None:
        """users.info's user object as `user` gives it, without holding up a response Slack is timing: None when
        users.info has not answered within `wait` seconds (the look-up goes on, for the next time)."""
        cached = self._users.get((team_id, user_id))
        if cached and time.monotonic() - cached[0] < USER_CACHE_SECONDS:
            return dict(cached[1])
        key = (team_id, user_id)
        lookup = self._lookups.get(key)
        if lookup is None:
            lookup = self._lookups[key] = asyncio.ensure_future(self.user(team_id, user_id))
            lookup.add_done_callback(lambda _: self._lookups.pop(key, None))
        try:
            return await asyncio.wait_for(asyncio.shield(lookup), wait)
        except asyncio.TimeoutError:
            return None

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
