"""Commands into the core (imperative) and events out of it (past tense). Plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from bot.cards import Card
from bot.domain.model import AnswerMode, ChannelAddress, Speaker, private_answer_ref
from bot.domain.questions import Level
from bot.domain.schedule import Deadline

# ---- what platforms report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitAnswer:
    """A reply in a thread; it is an answer when the thread is a round's."""

    channel: ChannelAddress
    thread_ref: str
    message_ref: str
    speaker: Speaker
    text: str
    received_at: datetime


@dataclass(frozen=True)
class EditAnswer:
    channel: ChannelAddress
    message_ref: str
    text: str
    edited_at: datetime


@dataclass(frozen=True)
class WithdrawAnswer:
    channel: ChannelAddress
    message_ref: str
    withdrawn_at: datetime


@dataclass(frozen=True)
class AnswerPrivately:
    """A member's answer given through the platform's private path (a form) for the round whose question started
    the thread `thread_ref`: it replaces their earlier private answer to that round, and nobody else reads it before
    the reveal. Taken only before the deadline."""

    channel: ChannelAddress
    thread_ref: str
    speaker: Speaker
    text: str
    received_at: datetime

    @property
    def message_ref(self) -> str:
        """The ref the answer is stored under: one per member and round."""
        return private_answer_ref(self.speaker.ref)


@dataclass(frozen=True)
class CastVote:
    channel: ChannelAddress
    message_ref: str
    voter: Speaker
    reaction: str
    at: datetime


@dataclass(frozen=True)
class RetractVote:
    channel: ChannelAddress
    message_ref: str
    voter: Speaker
    reaction: str
    at: datetime


@dataclass(frozen=True)
class RunCommand:
    """`/prep ...` as typed; `text` is what follows `/prep`. `retried` when an earlier run may have stopped part-way
    (its process died): what it changed may be stored already, so a change is announced again, not called a no-op."""

    channel: ChannelAddress
    speaker: Speaker
    text: str
    channel_name: str = ""
    retried: bool = False


AnswerCommand = SubmitAnswer | EditAnswer | WithdrawAnswer | AnswerPrivately


# ---- events ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerAccepted:
    round_id: int
    message_ref: str
    on_time: bool
    truncated_to: int | None = None
    repeated: bool = False
    # A reply in the thread of a round answered privately: kept as the answer, and its author is told everyone
    # can read it there.
    exposed: bool = False


@dataclass(frozen=True)
class AnswerEdited:
    round_id: int
    message_ref: str
    counts_for_score: bool


@dataclass(frozen=True)
class AnswerWithdrawn:
    round_id: int
    message_ref: str


@dataclass(frozen=True)
class AnswersClosed:
    """A private answer came after the round's deadline: nothing was stored."""

    round_id: int


@dataclass(frozen=True)
class Ignored:
    """Nothing was stored; `reason` says why (not a round's thread, a bot, empty text, ...)."""

    reason: str


@dataclass(frozen=True)
class VoteCounted:
    """A reaction counted for (or taken back from) an answer before the reveal; `changed` False when the voter had
    already voted so (or had no such vote to take back), and `voters` is the answer's count of voters now."""

    round_id: int
    author_id: int
    voters: int
    changed: bool = True


@dataclass(frozen=True)
class VotingClosed:
    """A reaction added to (`cast`) or taken back from an answer after its round was revealed: nothing was stored,
    the reveal's points stand, and the voter is told so."""

    round_id: int
    cast: bool


VoteOutcome = VoteCounted | VotingClosed | Ignored

AnswerOutcome = AnswerAccepted | AnswerEdited | AnswerWithdrawn | AnswersClosed | Ignored


@dataclass(frozen=True)
class CommandReply:
    """What the member who ran a command should see privately."""

    cards: tuple[Card, ...] = ()


# ---- the /prep commands, parsed ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShowHelp:
    pass


@dataclass(frozen=True)
class StartPractice:
    level: Level | None  # None: any level


@dataclass(frozen=True)
class ShowLeaderboard:
    period: str  # week | month | all
    level: Level | None = None


@dataclass(frozen=True)
class ShowStats:
    pass


@dataclass(frozen=True)
class SetOptOut:
    opted_out: bool


@dataclass(frozen=True)
class Subscribe:
    post_time: time | None = None
    tz: str | None = None
    weekdays: frozenset[int] | None = None
    deadline: Deadline | None = None
    levels: tuple[Level, ...] | None = None


@dataclass(frozen=True)
class Unsubscribe:
    pass


@dataclass(frozen=True)
class SetPaused:
    paused: bool


@dataclass(frozen=True)
class SkipNext:
    pass


@dataclass(frozen=True)
class SetHolidays:
    country: str | None = None  # a country code, or "none" to clear
    add: tuple[date, ...] = ()
    remove: tuple[date, ...] = ()


@dataclass(frozen=True)
class ShowConfig:
    pass


@dataclass(frozen=True)
class SetConfig:
    changes: Subscribe


@dataclass(frozen=True)
class SetGrader:
    grader: str  # offline | ai


@dataclass(frozen=True)
class SetPracticePrivacy:
    private: bool  # practice questions and their hints shown only to the member who asked


@dataclass(frozen=True)
class SetReminder:
    minutes: int  # how long before the deadline the reminder is posted; 0: no reminder


@dataclass(frozen=True)
class SetNudge:
    wanted: bool | None  # None: say whether the member gets nudges


@dataclass(frozen=True)
class SetAnswerMode:
    mode: AnswerMode


PrepCommand = (
    ShowHelp
    | StartPractice
    | ShowLeaderboard
    | ShowStats
    | SetOptOut
    | Subscribe
    | Unsubscribe
    | SetPaused
    | SkipNext
    | SetHolidays
    | ShowConfig
    | SetConfig
    | SetGrader
    | SetPracticePrivacy
    | SetReminder
    | SetNudge
    | SetAnswerMode
)

ADMIN_COMMANDS = (Subscribe, Unsubscribe, SetPaused, SkipNext, SetHolidays, ShowConfig, SetConfig, SetGrader,
                  SetPracticePrivacy, SetReminder, SetAnswerMode)

