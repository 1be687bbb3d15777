"""The ports: what the core needs from outside (chat, clock, metrics).

What the core needs from outside. Adapters implement ChatPort; the outer ring (entrypoints/) picks the
implementations and hands them to bootstrap."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.cards import Card, FindableCard, QuestionCard, Reaction
from bot.domain.model import ChannelAddress


class ChatError(Exception):
    """A platform refused or failed a call. `gone` is True when the channel is lost to the bot for good;
    `rate_limited` is True when the platform refused it for going too fast (HTTP 429), asking prepbot to slow down."""

    def __init__(self, message: str, *, gone: bool = False, rate_limited: bool = False) -> None:
        super().__init__(message)
        self.gone = gone
        self.rate_limited = rate_limited


class PlatformUnavailable(ChatError):
    """The platform cannot be asked right now (not connected yet, unreachable): nothing was done; try again later."""


class ThreadGone(ChatError):
    """The thread under a question is gone (deleted, or its question deleted) while its channel is still there."""


class ChatPort(Protocol):
    """One chat platform (or several behind a router). Every method raises ChatError when the platform refuses."""

    async def post_question(self, channel: ChannelAddress, card: QuestionCard) -> str:
        """Posts a round's question as a new message that starts its thread; returns that message's ref."""

    async def update_question(self, channel: ChannelAddress, message_ref: str, card: QuestionCard) -> None:
        """Replaces the question message `message_ref` with `card` (e.g. marked closed)."""

    async def post_message(self, channel: ChannelAddress, card: Card) -> str:
        """Posts `card` to the channel itself (not in a thread); returns the new message's ref."""

    async def reply_in_thread(self, channel: ChannelAddress, thread_ref: str, card: Card) -> str:
        """Posts `card` in the thread under `thread_ref`; returns the reply's ref. Raises ThreadGone when that thread
        is gone but the channel is not."""

    async def find_posted(
        self, channel: ChannelAddress, card: FindableCard, *, since: datetime,
        thread_ref: str | None = None,
    ) -> str | None:
        """Looks for what this bot already posted for `card`: for a round's question or reveal, the same kind of
        card of the same round id; for a board, a board with the same `key` (a board without a key is never found:
        None, and the platform is not asked). It looks at or after `since`, in the channel itself or, with
        `thread_ref`, in that thread.

        Returns the ref that posting the card returned (its first message), or None when the bot posted no such
        message or the platform cannot tell (then posting is the only way on). When an earlier attempt posted only
        the first messages of a card that takes several, the missing ones are posted now, so the card is whole and
        nothing in it appears twice. Raises ChatError when the platform refuses."""

    async def react(self, channel: ChannelAddress, message_ref: str, reaction: Reaction) -> None:
        """Marks message `message_ref` with `reaction`."""

    async def tell_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        """Shows `card` to one member only (ephemeral where the platform has it)."""

    async def message_member(self, channel: ChannelAddress, member_ref: str, card: Card) -> None:
        """Sends `card` to the member directly (a direct message), outside the channel."""

    async def is_admin(self, channel: ChannelAddress, member_ref: str) -> bool:
        """Whether the member may change the channel's subscription, by the platform's roles."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""


class SettableClock(Clock, Protocol):
    """A clock that can be moved forward (the fake clock, the console's travel clock)."""

    def set(self, instant: datetime) -> None:
        """Moves the clock to `instant`; raises ValueError if that is in its past."""


class Metrics(Protocol):
    """What the core counts for operators. Every method returns at once and never raises."""

    def question_posted(self, platform: str, kind: str) -> None:
        """A daily or practice question was posted."""

    def answer_accepted(self, platform: str, on_time: bool) -> None:
        """An answer was stored (and is being acknowledged)."""

    def reveal_posted(self, platform: str) -> None:
        """A round's reveal was posted."""

    def command_ran(self, platform: str, seconds: float) -> None:
        """A /prep command ran, taking `seconds`."""

    def due_work_ran(self, kind: str, lateness_seconds: float) -> None:
        """A due task ran `lateness_seconds` after it was due."""

    def database_error(self) -> None:
        """A unit of work failed."""

    def platform_error(self, platform: str, method: str, rate_limited: bool) -> None:
        """A platform refused a call (`rate_limited`: it asked prepbot to slow down)."""

    def judge_called(self, seconds: float) -> None:
        """The AI judge's endpoint answered one request (any status) after `seconds`."""

    def judge_failed(self, reason: str) -> None:
        """One request to the AI judge failed: `reason` is timeout, connection, rate_limited, server_error, refused,
        invalid_reply or format_unsupported; a retried request counts once per failure."""


class NoMetrics:
    """Counts nothing: for the console and tests that do not look."""

    def question_posted(self, platform: str, kind: str) -> None:
        pass

    def answer_accepted(self, platform: str, on_time: bool) -> None:
        pass

    def reveal_posted(self, platform: str) -> None:
        pass

    def command_ran(self, platform: str, seconds: float) -> None:
        pass

    def due_work_ran(self, kind: str, lateness_seconds: float) -> None:
        pass

    def database_error(self) -> None:
        pass

    def platform_error(self, platform: str, method: str, rate_limited: bool) -> None:
        pass

    def judge_called(self, seconds: float) -> None:
        pass

    def judge_failed(self, reason: str) -> None:
        pass
