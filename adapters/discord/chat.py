"""The Discord chat port: the core's requests as discord.py calls.

Message refs: a question is its message id (its thread has the same id); a message in a thread is
"THREAD_ID/MESSAGE_ID"; an answer given through the Answer form is the core's form answer ref of the interaction id.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import aiohttp
import discord

from adapters.discord.render import (
    QUESTION, REMINDER, REVEAL, DiscordMessage, RoundMarker, card_marker, question_messages, read_board_key, read_marker,
    render,
)
from adapters.recovery import MAX_PAGES, KeyedBoard, Lookup, Mark, RoundCard, RoundKind, read_from, subject_of
from bot.cards import Card, FindableCard, LeaderboardCard, QuestionCard, Reaction, ReminderCard, RevealCard
from bot.domain.model import ChannelAddress, is_form_answer_ref
from bot.ports import ChatError, PlatformUnavailable, ThreadGone
from bot.wording import ANSWER_BUTTON

log = logging.getLogger("prepbot.discord")

REACTIONS = {Reaction.ACCEPTED: "✅", Reaction.LATE: "⏰"}
ADMIN_CACHE_SECONDS = 60.0
MISSING_PERMISSIONS = 50013  # Discord's JSON error code for a permission the bot lacks
MAX_NONCE = 25  # characters
HAS_THREAD = 1 << 5  # the message flag of a message a thread was started from
UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
THREAD_ALREADY_STARTED = 160004
THREAD_RETRY_DELAYS = (30.0, 120.0, 600.0, 1800.0)  # seconds before each new try at a thread that did not start
HISTORY_PAGE = 100  # messages per GET /channels/{channel.id}/messages (Discord's most)
T = TypeVar("T")


def answer_button() -> discord.ui.View:
    """The question's "Answer" button, for members whose replies the bot cannot read."""
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label=ANSWER_BUTTON, style=discord.ButtonStyle.primary, custom_id="prep:answer"))
    return view


def thread_message_ref(thread_id: int | str, message_id: int | str) -> str:
    return f"{thread_id}/{message_id}"


NONCE_LETTERS = {QUESTION: "q", REVEAL: "r", REMINDER: "m"}


def round_nonce(marker: RoundMarker) -> str:
    """The nonce a message of a round's card is sent with ("prepbot-q42", "prepbot-r42.2", "prepbot-m42"): discord.py sends it with
    enforce_nonce, so Discord answers a send repeated within a few minutes with the message it already made. Without
    "prepbot-" for a round id too long for Discord's 25 characters."""
    nonce = f"{NONCE_LETTERS[marker.kind]}{marker.round_id}"
    if marker.part > 1:
        nonce += f".{marker.part}"
    return f"prepbot-{nonce}" if len(nonce) + len("prepbot-") <= MAX_NONCE else nonce


def board_nonce(key: str) -> str:
    """The nonce a board with a key is sent with ("prepbot-bweek:2026-11-30"), so Discord answers a send repeated
    within a few minutes with the message it already made; for a key too long for Discord's 25 characters, "b" and
    24 characters of the key's SHA-256."""
    nonce = f"prepbot-b{key}"
    return nonce if len(nonce) <= MAX_NONCE else "b" + hashlib.sha256(key.encode()).hexdigest()[:MAX_NONCE - 1]


def _card_nonces(card: Card, count: int) -> list[str | None]:
    """The nonces of a card's `count` messages when it is not a round's: a board with a key gets its nonce on its
    first message; anything else goes without."""
    first = board_nonce(card.key) if isinstance(card, LeaderboardCard) and card.key is not None else None
    return [first] + [None] * (count - 1)


def _nonces_for(card: Card, count: int) -> list[str | None]:
    """The nonces of a card's `count` messages: a reveal's or a reminder's are its round's, wherever it goes."""
    if isinstance(card, RevealCard | ReminderCard):
        return list(_nonces(card_marker(card).kind, card.round_id, count))
    return _card_nonces(card, count)


def _nonce_arg(nonce: str | None) -> dict[str, Any]:
    return {} if nonce is None else {"nonce": nonce}


def _nonces(kind: str, round_id: int, parts: int) -> list[str]:
    return [round_nonce(RoundMarker(kind, round_id, part, parts)) for part in range(1, parts + 1)]


_KINDS = {RoundKind.QUESTION: QUESTION, RoundKind.REVEAL: REVEAL, RoundKind.REMINDER: REMINDER}


class DiscordMarkers:
    """How a Discord message, as the API returns it, carries its marker: in the footer of one of its embeds."""

    def author(self, message: dict[str, Any]) -> str | None:
        author = message.get("author")
        return str(author.get("id")) if isinstance(author, dict) else None

    def position(self, message: dict[str, Any]) -> float | None:
        return int(message["id"])  # a snowflake: later messages have greater ones

    def mark(self, message: dict[str, Any]) -> Mark | None:
        marker = read_marker(message)
        if marker is not None:
            kind = {name: kind for kind, name in _KINDS.items()}[marker.kind]
            return Mark(RoundCard(kind, marker.round_id), marker.part)
        key = read_board_key(message)
        return Mark(KeyedBoard(key)) if key is not None else None


DISCORD_MARKERS = DiscordMarkers()


ArchiveMinutes = Literal[60, 1440, 4320, 10080]


def archive_minutes(seconds_open: float) -> ArchiveMinutes:
    """The shortest auto-archive that outlasts the answering window by an hour."""
    needed = seconds_open / 60 + 60
    for minutes in (60, 1440, 4320):
        if minutes >= needed:
            return minutes
    return 10080


UNREACHABLE = (discord.DiscordException, aiohttp.ClientError, OSError, asyncio.TimeoutError)


def _chat_error(what: str, error: discord.HTTPException) -> ChatError:
    if isinstance(error, discord.Forbidden):
        return ChatError(f"Discord {what}: missing permissions ({error.text})", gone=True)
    if isinstance(error, discord.NotFound):
        return ChatError(f"Discord {what}: not found ({error.text})", gone=error.code in {UNKNOWN_CHANNEL, 10004})
    return ChatError(f"Discord {what}: {error.status} {error.text}", rate_limited=error.status == 429)


async def _call(what: str, call: Callable[[], Awaitable[T]]) -> T:
    try:
        return await call()
    except UNREACHABLE as error:
        raise _failed(what, error) from None


def _failed(what: str, error: BaseException) -> ChatError:
    """A refusal (HTTPException) as `_chat_error`; anything else that stopped the call as PlatformUnavailable (rate
    limited when discord.py gave up waiting out a 429 longer than it may wait)."""
    if isinstance(error, discord.HTTPException):
        return _chat_error(what, error)
    return PlatformUnavailable(f"Discord {what}: {error or type(error).__name__}",
                               rate_limited=isinstance(error, discord.RateLimited))


def thread_name(round_id: int, level_label: str) -> str:
    """A question's thread is named after its round (and level, when known)."""
    return (f"Round {round_id} · {level_label}" if level_label else f"Round {round_id}")[:100]


@dataclass(frozen=True)
class _ThreadPlan:
    """A thread to start from a question: where, and with what name and auto-archive."""

    channel_id: int
    message_id: int
    name: str
    minutes: ArchiveMinutes


class DiscordChat:
    """ChatPort for Discord. A channel address is ("discord", guild id, channel id)."""

    def __init__(self, client: discord.Client, *,
                 thread_retry_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._client = client
        self._admins: dict[tuple[str, str], tuple[float, bool]] = {}
        self.thread_retry_delays: tuple[float, ...] = THREAD_RETRY_DELAYS
        self.thread_retry_sleep = thread_retry_sleep  # how a thread start waits for its next try
        self._retries: set[asyncio.Task[None]] = set()

    def stop_retries(self) -> None:
        """Drops the thread starts waiting for a later try (the process is stopping; the next start tries again)."""
        for task in list(self._retries):
            task.cancel()

    def use(self, client: discord.Client) -> None:
        """Talks through `client` from now on (after a reconnect with other intents)."""
        self._client = client

    def _messageable(self, channel_id: str | int) -> discord.PartialMessageable:
        return self._client.get_partial_messageable(int(channel_id))

    def _message(self, channel: ChannelAddress, ref: str) -> discord.PartialMessage:
        if "/" in ref:
            thread_id, message_id = ref.split("/", 1)
            return self._messageable(thread_id).get_partial_message(int(message_id))
        return self._messageable(channel.channel).get_partial_message(int(ref))

    async def _send(self, target: discord.abc.Messageable, message: DiscordMessage, **extra: Any) -> discord.Message:
        """Sends one message, with its picture as an attachment (files[0]) when it has one. Without the Attach Files
        permission the message goes out without the picture, rather than not at all. Raises what discord.py raises."""
        file = message.file()
        if file is None:
            return await target.send(content=message.content, embeds=message.embeds, **extra)
        try:
            return await target.send(content=message.content, embeds=message.embeds, file=file, **extra)
        except discord.Forbidden as error:
            if error.code != MISSING_PERMISSIONS:
                raise
            log.warning("sent without its picture (the bot may not attach files here): %s", error.text)
            plain = message.without_image()
            return await target.send(content=plain.content, embeds=plain.embeds, **extra)

    async def post_question(self, channel: ChannelAddress, card: QuestionCard) -> str:
        target = self._messageable(channel.channel)
        first, *rest = question_messages(card)  # more than one message only for a question over ~5,000 chars
        nonces = _nonces(QUESTION, card.round_id, 1 + len(rest))
        message = await _call("send", lambda: target.send(embeds=first.embeds, view=answer_button(),
                                                          nonce=nonces[0]))
        for more, nonce in zip(rest, nonces[1:], strict=True):
            await _call("send", lambda m=more, n=nonce: target.send(embeds=m.embeds, nonce=n))  # type: ignore[misc]
        if not message.flags.has_thread:  # it has one when Discord answered with the message it already made
            await self._start_thread(channel, card, message.id, message.created_at)
        return str(message.id)

    async def _start_thread(self, channel: ChannelAddress, card: QuestionCard, message_id: int,
                            posted_at: datetime) -> None:
        """Starts the question's thread, named after its round, open an hour longer than its answers. A failure is
        logged and the start retried later (THREAD_RETRY_DELAYS, then at the next new session and at the reveal),
        not raised: the question is posted whatever happens here, and must not be posted again."""
        open_for = (card.deadline_at - posted_at) / timedelta(seconds=1)
        plan = _ThreadPlan(int(channel.channel), message_id, thread_name(card.round_id, card.level_label),
                           archive_minutes(open_for))
        try:
            await self._open(plan)
        except Exception as error:  # whatever it is, the question stays posted
            log.warning("could not start the thread for round %s (retrying later): %s", card.round_id, error)
            self._retry_later(plan, 0)

    async def _open(self, plan: _ThreadPlan) -> None:
        await self._client.http.start_thread_with_message(
            plan.channel_id, plan.message_id, name=plan.name, auto_archive_duration=plan.minutes,
            rate_limit_per_user=None, reason=None,
        )

    def _retry_later(self, plan: _ThreadPlan, attempt: int) -> None:
        if attempt >= len(self.thread_retry_delays):
            log.warning("the thread of question %s is not started; the next new session or the reveal tries again",
                        plan.message_id)
            return
        task = asyncio.get_running_loop().create_task(self._retry(plan, attempt))
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)

    async def _retry(self, plan: _ThreadPlan, attempt: int) -> None:
        await self.thread_retry_sleep(self.thread_retry_delays[attempt])
        try:
            await self._open(plan)
        except Exception as error:
            if isinstance(error, discord.HTTPException) and error.code in {
                    THREAD_ALREADY_STARTED, UNKNOWN_MESSAGE, UNKNOWN_CHANNEL}:
                return  # started meanwhile, or nothing left to start it from
            log.warning("could not start the thread of question %s: %s", plan.message_id, error)
            self._retry_later(plan, attempt + 1)
        else:
            log.info("started the thread of question %s on a later try", plan.message_id)

    async def _thread_is_back(self, channel: ChannelAddress, question_ref: str) -> bool:
        """After Discord said a question's thread is unknown: starts it when it was never started (its start failed)
        and says True; False when the thread is gone for good (deleted, or its question deleted). Raises ChatError
        when the channel itself is lost, or Discord refuses otherwise."""
        try:
            data = await self._client.http.get_message(int(channel.channel), int(question_ref))
        except UNREACHABLE as error:
            if isinstance(error, discord.NotFound) and error.code == UNKNOWN_MESSAGE:
                return False
            raise _failed("read the question", error) from None
        if "thread" in data or int(data.get("flags") or 0) & HAS_THREAD:
            return False  # it had a thread, and that thread was deleted
        marker = read_marker(dict(data))
        title = str(((data.get("embeds") or [{}])[0] or {}).get("title") or "")
        round_id = marker.round_id if marker else 0
        plan = _ThreadPlan(int(channel.channel), int(question_ref),
                           thread_name(round_id, title.rsplit(" · ", 1)[-1] if " · " in title else ""), 1440)
        try:
            await self._open(plan)
        except UNREACHABLE as error:
            if not (isinstance(error, discord.HTTPException) and error.code == THREAD_ALREADY_STARTED):
                raise _failed("start thread", error) from None
        log.info("started the missing thread of question %s", question_ref)
        return True

    async def thread_missing(self, channel: ChannelAddress, question_ref: str, round_id: int) -> None:
        """Discord does not know the thread of an open round's question: it is started when it never was; a thread
        deleted stays deleted (the reveal then goes to the channel). Never raises."""
        try:
            await self._thread_is_back(channel, question_ref)
        except ChatError as error:
            log.warning("the thread of round %s cannot be started: %s", round_id, error)

    async def update_question(self, channel: ChannelAddress, message_ref: str, card: QuestionCard) -> None:
        """Replaces the question; one deleted meanwhile is left as it is (there is nothing left to update)."""
        message = self._message(channel, message_ref)
        view = None if card.closed else answer_button()
        first = question_messages(card)[0]
        try:
            await message.edit(embeds=first.embeds, view=view)
        except discord.NotFound as error:
            if error.code != UNKNOWN_MESSAGE:
                raise _failed("edit", error) from None
            log.warning("question %s was deleted: not marked closed", message_ref)
        except UNREACHABLE as error:
            raise _failed("edit", error) from None

    async def post_message(self, channel: ChannelAddress, card: Card) -> str:
        target = self._messageable(channel.channel)
        messages = render(card)
        nonces = _nonces_for(card, len(messages))
        refs = [str((await _call("send", lambda m=m, n=n: self._send(target, m, **_nonce_arg(n)))).id)  # type: ignore[misc]
                for m, n in zip(messages, nonces, strict=True)]
        return refs[0]

    async def reply_in_thread(self, channel: ChannelAddress, thread_ref: str, card: Card) -> str:
        """Posts in the question's thread; a thread never started (its start failed) is started first. Raises
        ThreadGone when the thread was deleted, or its question, while the channel is still there."""
        try:
            return await self._reply_in_thread(thread_ref, card)
        except UNREACHABLE as error:
            if not isinstance(error, discord.NotFound) or error.code != UNKNOWN_CHANNEL:
                raise _failed("send", error) from None
        if not await self._thread_is_back(channel, thread_ref):
            raise ThreadGone(f"the thread of question {thread_ref} was deleted")
        try:
            return await self._reply_in_thread(thread_ref, card)
        except UNREACHABLE as error:
            raise _failed("send", error) from None

    async def _reply_in_thread(self, thread_ref: str, card: Card) -> str:
        target = self._messageable(thread_ref)
        messages = render(card)
        nonces = _nonces_for(card, len(messages))
        refs = []
        for message, nonce in zip(messages, nonces, strict=True):
            sent = await self._send(target, message, **_nonce_arg(nonce))
            refs.append(thread_message_ref(thread_ref, sent.id))
        return refs[0]

    async def find_posted(
        self, channel: ChannelAddress, card: FindableCard, *, since: datetime,
        thread_ref: str | None = None,
    ) -> str | None:
        """Reads the channel's (or the thread's) messages from a little before `since` for the bot's own whose
        footer marks them as this card's round and kind, or as the board with this card's key (a nonce is not
        returned by a read); returns the ref of the first, or None. A question found without its thread gets it
        now; a board carries its chart in the same message, so one found is whole. Says None, rather than failing,
        when the bot may not read the history (no Read Message History), and at once for a board without a key.
        Raises ChatError when Discord refuses otherwise."""
        me = self._client.user
        subject = subject_of(card)
        if me is None or subject is None:
            return None
        where = thread_ref or channel.channel
        after = discord.utils.time_snowflake(read_from(since))
        try:
            history = await self._history(where, after)
        except UNREACHABLE as error:
            if thread_ref is None or not isinstance(error, discord.NotFound) or error.code != UNKNOWN_CHANNEL:
                raise _failed("read history", error) from None
            if not await self._thread_is_back(channel, thread_ref):
                raise ThreadGone(f"the thread of question {thread_ref} was deleted") from None
            return None  # a thread started just now holds nothing yet
        if history is None:
            return None
        lookup = Lookup(subject, str(me.id), DISCORD_MARKERS)
        lookup.see_all(history)
        first = lookup.first
        if first is None:
            return None
        parts = render(card)
        missing = lookup.missing_parts(len(parts))
        if missing and isinstance(subject, RoundCard):  # the rest of a card cut short
            nonces = _nonces(_KINDS[subject.kind], subject.round_id, len(parts))
            target = self._messageable(where)
            for part in missing:
                await _call("send", partial(self._send, target, parts[part - 1], nonce=nonces[part - 1]))
        if isinstance(card, QuestionCard):
            if "thread" not in first and not int(first.get("flags") or 0) & HAS_THREAD:
                await self._start_thread(channel, card, int(first["id"]), discord.utils.snowflake_time(int(first["id"])))
            return str(first["id"])
        if isinstance(card, RevealCard | ReminderCard) or thread_ref:
            return thread_message_ref(where, first["id"])
        return str(first["id"])

    async def _history(self, channel_id: str, after: int) -> list[dict[str, Any]] | None:
        """The messages of a channel or thread after the snowflake `after`, read page after page; None when the bot
        may not read them. Raises what discord.py raises otherwise."""
        messages: list[dict[str, Any]] = []
        try:
            for _ in range(MAX_PAGES):
                page = await self._client.http.logs_from(int(channel_id), HISTORY_PAGE, after=after)
                messages += [dict(m) for m in page]
                if len(page) < HISTORY_PAGE:
                    return messages
                after = max(int(m["id"]) for m in page)
        except discord.Forbidden as error:
            log.warning("cannot read the messages of %s (the bot may lack Read Message History): %s", channel_id,
                        error.text)
            return None
        log.warning("reading the messages of %s: stopped after %d pages", channel_id, MAX_PAGES)
        return messages

    async def react(self, channel: ChannelAddress, message_ref: str, reaction: Reaction) -> None:
        if is_form_answer_ref(message_ref):
            return  # answered through the form: the form's own reply is the acknowledgement
        message = self._message(channel, message_ref)
        await _call("react", lambda: message.add_reaction(REACTIONS[reaction]))

    async def tell_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        """Outside an interaction Discord has no ephemeral messages: the member gets a direct message."""
        await self.message_member(channel, member_ref, card)

    async def message_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        async def send() -> None:
            user = self._client.get_user(int(member_ref)) or await self._client.fetch_user(int(member_ref))
            dm = await user.create_dm()
            for message in render(card):
                await self._send(dm, message)

        await _call("direct message", send)

    def remember_permissions(self, guild_id: str, member_ref: str, manage_guild: bool) -> None:
        """What an interaction said about the member's permissions, trusted for a minute."""
        self._admins[(guild_id, member_ref)] = (time.monotonic(), manage_guild)

    async def is_admin(self, channel: ChannelAddress, member_ref: str) -> bool:
        cached = self._admins.get((channel.workspace, member_ref))
        if cached and time.monotonic() - cached[0] < ADMIN_CACHE_SECONDS:
            return cached[1]
        guild = self._client.get_guild(int(channel.workspace))
        if guild is None:
            return False
        try:
            member = guild.get_member(int(member_ref)) or await guild.fetch_member(int(member_ref))
        except discord.HTTPException:
            return False
        permissions = member.guild_permissions
        allowed = bool(permissions.manage_guild or permissions.administrator)
        self.remember_permissions(channel.workspace, member_ref, allowed)
        return allowed
