"""What the core asks a chat platform to show. Adapters render these; they never compute them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from bot.domain.matching import EXPLANATION_GRADERS, LEGACY_GRADER, PointCoverage, PointStatus


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
    personal: bool = False  # a practice question shown only to the member who asked
    private: bool = False  # answered privately (the platform offers its private path), shown at the reveal


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
    did_well: str = ""  # what the answer did well, in the member's own words
    study_next: str = ""  # the point to study next, with why it matters
    judge_says: str = ""  # the AI judge's feedback for this answer, framed, when the judge graded it
    answer_text: str = ""  # the answer itself, shown where the thread never showed it (a round answered privately)

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
    model_answer: str = ""  # shown after the hint when the pack has one
    graded_by: str = ""  # which grader scored the round, in words
    note: str = ""  # shown first: why the reveal is not where members look for it
    personal: bool = False  # the reveal of a private practice question, shown only to the member who asked


def point_remark(point: PointCoverage) -> str:
    """What the reveal says next to a key point about one answer, quoting the member's words."""
    if point.matched_term is None:
        return ""
    if point.status is PointStatus.NAMED:
        return f'named "{point.matched_term}" without explaining it'
    if point.status is PointStatus.NEGATED:
        return f'ruled out "{point.matched_term}"'
    return f'said "{point.matched_term}"'


def teaching(points: tuple[PointCoverage, ...], attempt: bool = True, explanations: int = 0,
             approach: str = "") -> tuple[str, str]:
    """What an answer did well and which point to study next (with why it matters), for its feedback. What an
    answer explains beyond the checklist (`approach`: its first such sentence, as the member wrote it) is
    acknowledged in the member's own words."""
    explained = [p for p in points if p.status is PointStatus.EXPLAINED]
    beyond = f' Beyond the checklist you also explained: "{approach}"' if approach else ""
    if explained:
        quoted = "; ".join(f'{p.point.rstrip(".")} ("{p.matched_term}")' for p in explained[:2])
        more = f", and {len(explained) - 2} more" if len(explained) > 2 else ""
        did_well = f"Did well: you explained {quoted}{more}.{beyond}"
    elif not attempt:
        did_well = "This answer says nothing about the question yet, so it earns no participation points."
    elif approach and explanations >= 2:
        did_well = (f'You explained an approach of your own: "{approach}" It names none of the points below: '
                    "compare it with the model answer and the checklist, and say how yours covers them.")
    elif explanations >= 2:
        did_well = (f"You explained your own approach in {explanations} sentences. It names none of the points "
                    "below: compare it with the model answer and the checklist, and say how yours covers them.")
    else:
        did_well = ""
    missing = next((p for p in points if p.status is PointStatus.NAMED), None) \
        or next((p for p in points if p.status is not PointStatus.EXPLAINED), None)
    if missing is None:
        return did_well, ""
    if missing.status is PointStatus.NAMED:
        study = f'Study next: {missing.point.rstrip(".")}: you named "{missing.matched_term}"; say what it does ' \
                "and why."
    else:
        study = f"Study next: {missing.point.rstrip('.')}."
    if missing.why:
        study += f" Why it matters: {missing.why}"
    return did_well, study


def grader_words(grader: str | None) -> str:
    """Which grader scored a round, as the reveal says it."""
    if grader is not None and grader.startswith(EXPLANATION_GRADERS):
        return (f"Scored offline by the explanation grader ({grader}): a key point counts when your answer says "
                "something about it; naming it in a list earns a quarter; a negated mention earns nothing.")
    if grader in (None, LEGACY_GRADER):
        return "Scored by the earlier word matcher, before answers were graded on their explanations."
    return f"Scored by {grader}."


FALLBACK_WORDS = {
    "late": "the judge did not answer in time",
    "failed": "the judge failed or its reply did not validate",
    "budget": "the AI judge's daily request budget was spent",
    "instructed": "instructions to the grader were found in the answer",
    "off": "no AI judge is configured",
}


def judge_says(feedback: str) -> str:
    """How the reveal frames the AI judge's feedback for one answer."""
    return f"The AI judge says: {feedback}" if feedback else ""


def judged_words(models: dict[str, int], fallbacks: dict[str, int]) -> str:
    """Which grader scored a round's answers when its channel is graded by the AI judge: how many answers the judge
    graded (per model), how many the offline grader graded instead, and why."""
    parts = [f"AI judge (model {model}): {count} answer{'s' if count != 1 else ''}"
             for model, count in sorted(models.items())]
    offline = sum(fallbacks.values())
    if offline:
        why = "; ".join(FALLBACK_WORDS.get(reason, reason) for reason in sorted(fallbacks))
        parts.append(f"offline grader: {offline} answer{'s' if offline != 1 else ''} ({why})")
    rule = " A key point counts only where the judge quoted your answer's own words for it." if models else ""
    return "Graded by " + "; ".join(parts) + "." + rule


@dataclass(frozen=True)
class BoardLine:
    rank: int
    name: str
    total: int
    rounds: int


@dataclass(frozen=True)
class LeaderboardCard:
    """A board of standings. `key` names a board that is posted once (the weekly board: "week:2026-11-30"), so the
    bot can find it again after a crash; None for a board shown on demand, which is never looked for. A board with
    lines goes out with its chart, which the platform's adapter draws from the card (its lines, title, period,
    level and `channel_name`). `more` counts the members the board ranks below its lines."""

    title: str
    period: str
    lines: tuple[BoardLine, ...]
    level_label: str | None = None
    key: str | None = None
    channel_name: str = ""  # the channel's name as the platform shows it, for the chart's title
    more: int = 0


@dataclass(frozen=True)
class BoardPlace:
    """A member's place on a board: their rank (shared with everyone tied with them on every score), how many
    members the board ranks, and their points on it."""

    rank: int
    of: int
    total: int


@dataclass(frozen=True)
class ReminderCard:
    """A daily round's reminder in its question's thread: `left` before the deadline, `answers` so far (members
    with an answer standing), and whether the round is answered privately."""

    round_id: int
    deadline_at: datetime
    tz: str
    left: timedelta
    answers: int
    private: bool = False


@dataclass(frozen=True)
class NudgeCard:
    """A private nudge to a member who asked for one and has not answered the round yet."""

    round_id: int
    question: str
    deadline_at: datetime
    tz: str
    left: timedelta
    channel_name: str = ""


# The cards ChatPort.find_posted can look for: a round's question, reveal or reminder, or a board with a key.
FindableCard = QuestionCard | RevealCard | LeaderboardCard | ReminderCard


@dataclass(frozen=True)
class StatsCard:
    member_name: str
    total: int
    breakdown: tuple[tuple[str, int], ...]
    week_total: int
    streak_days: int
    rounds_answered: int
    coverage_by_level: tuple[tuple[str, float, int], ...] = field(default_factory=tuple)
    week_place: BoardPlace | None = None  # on this week's board; None without points this week


class NoticeKind(str, Enum):
    INFO = "info"
    ERROR = "error"


@dataclass(frozen=True)
class Notice:
    text: str
    kind: NoticeKind = NoticeKind.INFO


@dataclass(frozen=True)
class HelpCard:
    """What prepbot can do, for a member who asked: the levels a practice question can be at."""

    levels: tuple[str, ...]


@dataclass(frozen=True)
class WelcomeCard:
    """What prepbot does and how an admin starts it: posted once where the bot was added."""


Card = (QuestionCard | RevealCard | LeaderboardCard | StatsCard | HelpCard | Notice | WelcomeCard | ReminderCard
        | NudgeCard)


class Reaction(str, Enum):
    """How the core acknowledges a message; adapters pick the emoji."""

    ACCEPTED = "accepted"
    LATE = "late"


@dataclass(frozen=True)
class ChannelLabel:
    """A channel as a card names it: its platform ref (for a link where the platform has them) and its name."""

    ref: str
    name: str


@dataclass(frozen=True)
class ChannelStats:
    """A member's stats in one channel they play in."""

    channel: ChannelLabel
    stats: StatsCard


@dataclass(frozen=True)
class ChannelSchedule:
    """When a subscribed channel's question of the day comes: `days` and `deadline` in words ("mon-fri",
    "at 17:00" or "after 8h"), the next question's instant (None when none is planned)."""

    channel: ChannelLabel
    days: str
    post_time: str
    tz: str
    deadline: str
    paused: bool
    next_post_at: datetime | None


@dataclass(frozen=True)
class HomeCard:
    """A member's own page (Slack's App Home): their stats in the channels they play in, the one they last scored
    in first, and the schedule of each subscribed channel of the workspace; `more_*` count those left out."""

    member_name: str
    played: tuple[ChannelStats, ...]
    schedules: tuple[ChannelSchedule, ...]
    more_played: int = 0
    more_schedules: int = 0
