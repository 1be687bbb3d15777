"""What the core asks a chat platform to show. Adapters render these; they never compute them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from bot.domain.matching import PointCoverage


@dataclass(frozen=True)
class QuestionCard:
    round_id: int
    question_id: str
    level_label: str
    question: str
    deadline_at: datetime
    tz: str
    practice: bool = False
    requested_by: str | None = None
    closed: bool = False

    @property
    def how_to_answer(self) -> str:
        return "Reply in this thread before the deadline. Several replies add up; edit or delete them freely."


@dataclass(frozen=True)
class AwardLine:
    reason: str
    amount: int
    detail: str


@dataclass(frozen=True)
class AnswerFeedback:
    member_name: str
    on_time: bool
    covered: tuple[PointCoverage, ...]
    awards: tuple[AwardLine, ...]
    late_text: str = ""
    note: str = ""

    @property
    def covered_count(self) -> int:
        return sum(1 for p in self.covered if p.covered)

    @property
    def total_points(self) -> int:
        return sum(a.amount for a in self.awards)


@dataclass(frozen=True)
class Tally:
    answers: int
    on_time: int
    late: int
    average_coverage: float


@dataclass(frozen=True)
class RevealCard:
    round_id: int
    question_id: str
    question: str
    hint: str
    key_points: tuple[str, ...]
    feedback: tuple[AnswerFeedback, ...]
    tally: Tally
    note: str = ""  # shown first: why the reveal is not where members look for it


@dataclass(frozen=True)
class BoardLine:
    rank: int
    name: str
    total: int
    rounds: int


@dataclass(frozen=True)
class CardImage:
    """A picture that goes with a card: PNG bytes, the file name to give them, and a text alternative that says
    what the picture shows (for screen readers, and where the platform cannot show it)."""

    data: bytes = field(repr=False)
    filename: str
    alt_text: str
    media_type: str = "image/png"


@dataclass(frozen=True)
class LeaderboardCard:
    """A board of standings. `key` names a board that is posted once (the weekly board: "week:2026-11-30"), so the
    bot can find it again after a crash; None for a board shown on demand, which is never looked for."""

    title: str
    period: str
    lines: tuple[BoardLine, ...]
    level_label: str | None = None
    image: CardImage | None = None  # the board as a chart; None for an empty board
    key: str | None = None


# The cards ChatPort.find_posted can look for: a round's question or reveal, or a board with a key.
FindableCard = QuestionCard | RevealCard | LeaderboardCard


@dataclass(frozen=True)
class StatsCard:
    member_name: str
    total: int
    breakdown: tuple[tuple[str, int], ...]
    week_total: int
    streak_days: int
    rounds_answered: int
    coverage_by_level: tuple[tuple[str, float, int], ...] = field(default_factory=tuple)


class NoticeKind(str, Enum):
    INFO = "info"
    ERROR = "error"


@dataclass(frozen=True)
class Notice:
    text: str
    kind: NoticeKind = NoticeKind.INFO


Card = QuestionCard | RevealCard | LeaderboardCard | StatsCard | Notice


class Reaction(str, Enum):
    """How the core acknowledges a message; adapters pick the emoji."""

    ACCEPTED = "accepted"
    LATE = "late"
