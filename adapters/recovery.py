"""Finding what the bot already posted, so that a post made just before a crash is recorded rather than repeated.

A platform reads back the channel's (or the thread's) recent messages; the look-up here picks out the bot's own
messages whose marker says they are the card sought, whatever the platform: a round's question, reveal or reminder
(every message of such a card carries its round, its kind and which part of the card it is), or a board with a key
(its first message carries the key). Each platform only says how its messages carry that marker (a `MarkerReader`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from bot.cards import FindableCard, LeaderboardCard, QuestionCard, ReminderCard

LOOKBACK_MARGIN = timedelta(minutes=5)  # a look-up starts this long before it is asked to: clocks differ
MAX_PAGES = 100  # a look-up reads at most this many pages of history

Message = TypeVar("Message")
Message_contra = TypeVar("Message_contra", contravariant=True)


class RoundKind(enum.Enum):
    """Which of a round's cards a message belongs to."""

    QUESTION = "question"
    REVEAL = "reveal"
    REMINDER = "reminder"


@dataclass(frozen=True)
class RoundCard:
    """A round's question, reveal or reminder."""

    kind: RoundKind
    round_id: int

    def __str__(self) -> str:
        return f"round {self.round_id}'s {self.kind.value}"


@dataclass(frozen=True)
class KeyedBoard:
    """The board with a key (the weekly board, say)."""

    key: str

    def __str__(self) -> str:
        return f"the board {self.key}"


Subject = RoundCard | KeyedBoard


@dataclass(frozen=True)
class Mark:
    """What a message's marker says it is: part `part` (1 for the first) of the card `subject`."""

    subject: Subject
    part: int = 1


class MarkerReader(Protocol[Message_contra]):
    """How one platform's messages, as its history read returns them, carry who wrote them and their marker."""

    def author(self, message: Message_contra) -> str | None:
        """The id of the user who posted the message, or None when it does not say."""

    def position(self, message: Message_contra) -> float | None:
        """Where the message stands in its channel: an older message is lower; None when it cannot be placed."""

    def mark(self, message: Message_contra) -> Mark | None:
        """The message's marker, or None for a message without one."""


def subject_of(card: FindableCard) -> Subject | None:
    """What the look-up for `card` seeks; None for a board without a key, which is never looked for."""
    if isinstance(card, LeaderboardCard):
        return KeyedBoard(card.key) if card.key is not None else None
    if isinstance(card, QuestionCard):
        return RoundCard(RoundKind.QUESTION, card.round_id)
    if isinstance(card, ReminderCard):
        return RoundCard(RoundKind.REMINDER, card.round_id)
    return RoundCard(RoundKind.REVEAL, card.round_id)


def read_from(since: datetime) -> datetime:
    """The moment a look-up asked to look at or after `since` starts reading from."""
    return since - LOOKBACK_MARGIN


class Lookup(Generic[Message]):
    """Goes through messages read back from a channel or a thread, in any order, and keeps the oldest of the bot's
    own messages marked as each part of `subject`."""

    def __init__(self, subject: Subject, bot_user_id: str, reader: MarkerReader[Message]) -> None:
        self.subject = subject
        self._bot_user_id = bot_user_id
        self._reader = reader
        self._parts: dict[int, tuple[float, Message]] = {}  # part -> the oldest message marked with it

    def see(self, message: Message) -> None:
        """Takes `message` into account."""
        mark = self._reader.mark(message)
        if mark is None or mark.subject != self.subject or self._reader.author(message) != self._bot_user_id:
            return
        position = self._reader.position(message)
        if position is None:
            return
        kept = self._parts.get(mark.part)
        if kept is None or position < kept[0]:
            self._parts[mark.part] = (position, message)

    def see_all(self, messages: Iterable[Message]) -> None:
        """Takes each of `messages` into account."""
        for message in messages:
            self.see(message)

    @property
    def first(self) -> Message | None:
        """The card's first message as posted, or None when the bot has not posted the card."""
        kept = self._parts.get(1)
        return kept[1] if kept is not None else None

    def missing_parts(self, parts: int) -> list[int]:
        """The parts (2 to `parts`) of a card of `parts` messages that are still to be posted, when its first was
        posted and the rest were cut short. None for a card not posted at all (posting it is the way on), nor for a
        board: only a board's first message carries its key, so a board found is taken as it is."""
        if isinstance(self.subject, KeyedBoard) or self.first is None:
            return []
        return [part for part in range(2, parts + 1) if part not in self._parts]
