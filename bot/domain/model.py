"""Channels, members, rounds and answers as the core sees them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from bot.domain.questions import Level
from bot.domain.schedule import Schedule


@dataclass(frozen=True)
class ChannelAddress:
    """Where a channel lives: the platform, the workspace or guild, and the platform's channel id."""

    platform: str
    workspace: str
    channel: str


@dataclass(frozen=True)
class Speaker:
    """Who wrote a message or ran a command, as the platform names them."""

    ref: str
    name: str
    is_bot: bool = False


class AnswerMode(str, Enum):
    """How members answer a channel's questions: in the question's thread, where everyone reads every answer at
    once, or privately (a form), each answer shown to the others only at the reveal."""

    THREAD = "thread"
    PRIVATE = "private"


# What a channel prepbot sees for the first time answers with: nobody reads another's answer before the reveal.
# Channels stored before answer modes existed keep answering in threads (the schema's default).
NEW_CHANNEL_ANSWER_MODE = AnswerMode.PRIVATE
PRIVATE_REF_PREFIX = "private:"  # the message ref of a member's private answer: "private:" and their member ref


def private_answer_ref(member_ref: str) -> str:
    """The message ref a member's private answer is stored under in a round (one per member and round)."""
    ref = PRIVATE_REF_PREFIX + member_ref
    if len(ref) <= 64:
        return ref
    return PRIVATE_REF_PREFIX + hashlib.sha256(member_ref.encode()).hexdigest()[:48]


def is_private_ref(message_ref: str) -> bool:
    """Whether `message_ref` names a private answer rather than a message in a thread."""
    return message_ref.startswith(PRIVATE_REF_PREFIX)


FORM_REF_PREFIX = "modal:"  # the message ref of an answer sent from a form that counts as a reply: "modal:" and an id


def form_answer_ref(submission_id: str) -> str:
    """The message ref an answer sent from a form (not a message in the thread) is stored under: one per
    submission, `submission_id` being the platform's id for it."""
    return FORM_REF_PREFIX + submission_id


def is_form_answer_ref(message_ref: str) -> bool:
    """Whether `message_ref` names an answer sent from a form, which has no message to react to or to delete."""
    return message_ref.startswith(FORM_REF_PREFIX)


@dataclass(frozen=True)
class Channel:
    id: int
    address: ChannelAddress
    name: str
    subscribed: bool
    schedule: Schedule
    subscribed_by: str | None = None
    grader: str = "offline"  # who grades its answers at the reveal: offline | ai
    practice_private: bool = False  # practice questions shown only to the member who asked
    answer_mode: AnswerMode = AnswerMode.THREAD  # how its next questions are answered


@dataclass(frozen=True)
class Member:
    id: int
    ref: str
    display_name: str
    opted_out: bool

    @property
    def shown_name(self) -> str:
        return "anonymous" if self.opted_out else self.display_name


class RoundKind(str, Enum):
    DAILY = "daily"
    PRACTICE = "practice"


class RoundStatus(str, Enum):
    PENDING = "pending"  # claimed, question chosen, not yet posted
    OPEN = "open"  # posted, taking answers
    CLOSED = "closed"  # revealed


@dataclass(frozen=True)
class Round:
    id: int
    channel_id: int
    question_id: str
    level: Level
    kind: RoundKind
    local_date: date
    status: RoundStatus
    message_ref: str | None
    requested_by: int | None
    posted_at: datetime | None
    # Pending: the deadline its question is being posted with (the card says it); None for an older round.
    deadline_at: datetime | None
    revealed_at: datetime | None
    reveal_ref: str | None = None
    created_at: datetime | None = None  # when its question was chosen: no post of it can be older
    personal: bool = False  # a practice question shown only to the member who asked: no thread, a private reveal
    answer_mode: AnswerMode = AnswerMode.THREAD  # its channel's mode when its question was chosen; kept to the end

    @property
    def private(self) -> bool:
        """Whether its answers are given privately and shown to the others only at the reveal."""
        return self.answer_mode is AnswerMode.PRIVATE

    def is_on_time(self, at: datetime) -> bool:
        """Whether a reply received at `at` is before the deadline."""
        return self.deadline_at is not None and at < self.deadline_at


@dataclass(frozen=True)
class AnswerPart:
    """One reply in a round's thread; a member's answer is all their replies that were not withdrawn."""

    id: int
    round_id: int
    member_id: int
    message_ref: str
    text: str
    scored_text: str
    on_time: bool
    truncated: bool
    received_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class MemberAnswer:
    """A member's whole answer to a round, assembled from their replies in the order they were posted."""

    member_id: int
    parts: tuple[AnswerPart, ...]

    @property
    def live_parts(self) -> tuple[AnswerPart, ...]:
        return tuple(p for p in self.parts if p.withdrawn_at is None)

    @property
    def withdrawn(self) -> bool:
        return not self.live_parts

    @property
    def on_time_text(self) -> str:
        return "\n".join(p.scored_text for p in self.live_parts if p.on_time)

    @property
    def late_text(self) -> str:
        return "\n".join(p.text for p in self.live_parts if not p.on_time)

    @property
    def on_time(self) -> bool:
        return bool(self.on_time_text.strip())


def assemble_answers(parts: list[AnswerPart]) -> list[MemberAnswer]:
    """Group replies by member, members in the order of their first reply."""
    by_member: dict[int, list[AnswerPart]] = {}
    for part in sorted(parts, key=lambda p: (p.received_at, p.id)):
        by_member.setdefault(part.member_id, []).append(part)
    return [MemberAnswer(member_id, tuple(ps)) for member_id, ps in by_member.items()]


class TaskKind(str, Enum):
    POST_DAILY = "post_daily"
    REVEAL = "reveal"
    WEEKLY_BOARD = "weekly_board"
    REMIND = "remind"  # a daily round's reminder in its thread, with the private nudges


@dataclass(frozen=True)
class Task:
    """A piece of due work, claimed atomically by whoever runs it."""

    id: int
    kind: TaskKind
    channel_id: int
    round_id: int | None
    slot_date: date | None
    due_at: datetime
    claim_token: str
