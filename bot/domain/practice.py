"""Practice on demand: which question a member practises next, and whether their request can still score today."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from bot.domain.questions import Question

NEVER = datetime.min.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Practised:
    """How often a question was given to the member as practice, and when last."""

    times: int
    last_at: datetime


@dataclass(frozen=True)
class PracticeHistory:
    """What the member has done: the practice questions they were given, and their best share of key points covered
    per question they answered anywhere (daily or practice)."""

    practised: Mapping[str, Practised] = field(default_factory=dict)
    best_coverage: Mapping[str, float] = field(default_factory=dict)

    def seen(self, question_id: str) -> bool:
        return question_id in self.practised or question_id in self.best_coverage


def choose_practice(
    candidates: Sequence[Question], history: PracticeHistory, *, withheld: Collection[str], member_id: int,
    now: datetime,
) -> Question | None:
    """The member's next practice question among `candidates` (their choice of levels), never one in `withheld`
    (the channel's open daily question and today's). None when every candidate is withheld.

    No question repeats until every candidate was practised as often: the fewest times practised first. Among those,
    questions the member has never seen (never practised nor answered) come first, then their weakest (lowest best
    coverage; a question practised but never answered counts as 0), then the least recently practised. Remaining ties
    are broken by a draw seeded by the member and `now`, so two members do not walk the bank in the same order."""
    pool = [q for q in candidates if q.id not in withheld]
    if not pool:
        return None
    draw = random.Random(f"{member_id}:{now.isoformat()}")
    order = {q.id: draw.random() for q in pool}

    def rank(question: Question) -> tuple[int, bool, float, datetime, float]:
        practised = history.practised.get(question.id)
        return (
            practised.times if practised else 0,
            history.seen(question.id),
            history.best_coverage.get(question.id, 0.0),
            practised.last_at if practised else NEVER,
            order[question.id],
        )

    return min(pool, key=rank)


@dataclass(frozen=True)
class PracticeAllowance:
    """Where a practice request stands against the daily cap on scored practice rounds, when it is made.

    `ordinal` is this question's place among the member's practice questions that can still score today (the ones
    already scored, the open ones, then this one); `cap` the most that score a day."""

    ordinal: int
    cap: int
    scored: int

    @property
    def scores(self) -> bool:
        """Whether this question scores when answered on time, even if every open one is answered too."""
        return self.ordinal <= self.cap

    @property
    def cannot_score(self) -> bool:
        """Whether this question can no longer score, whatever happens to the open ones."""
        return self.scored >= self.cap


def practice_allowance(scored_today: int, open_today: int, cap: int) -> PracticeAllowance:
    """Where a new practice request stands: `scored_today` practice rounds already earned the member points today,
    `open_today` are open and may yet, and `cap` is the most that score a day."""
    return PracticeAllowance(ordinal=scored_today + open_today + 1, cap=cap, scored=scored_today)
