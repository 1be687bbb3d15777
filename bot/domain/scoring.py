"""Points: what a member earns for a round, each amount with its reason."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.matching import Coverage


@dataclass(frozen=True)
class Weights:
    participation: int = 10
    coverage: int = 30
    per_vote: int = 2
    max_votes: int = 5
    streak_per_day: int = 2
    max_streak_bonus: int = 10


@dataclass(frozen=True)
class Award:
    reason: str  # participation | coverage | votes | streak
    amount: int
    detail: str


def answer_awards(coverage: Coverage, streak_days: int, weights: Weights) -> list[Award]:
    """Points for an on-time answer at the reveal: coverage and, for an attempt (an answer that says something about
    the question), participation and, in daily rounds, the streak."""
    awards = []
    if coverage.attempt:
        awards.append(Award("participation", weights.participation, "answered on time"))
    coverage_points = round(weights.coverage * coverage.ratio)
    detail = f"covered {coverage.covered} of {coverage.total} key points"
    if coverage.named:
        detail += f", named {coverage.named} more without explaining {'it' if coverage.named == 1 else 'them'}"
    awards.append(Award("coverage", coverage_points, detail))
    bonus = streak_bonus(streak_days, weights) if coverage.attempt else 0
    if bonus:
        awards.append(Award("streak", bonus, f"{streak_days}-day streak"))
    return awards


def streak_bonus(streak_days: int, weights: Weights) -> int:
    """Nothing for the first day; then per extra day, capped."""
    return min(max(streak_days - 1, 0) * weights.streak_per_day, weights.max_streak_bonus)


def vote_award(distinct_voters: int, weights: Weights) -> Award:
    counted = min(distinct_voters, weights.max_votes)
    detail = f"{distinct_voters} teammate vote{'s' if distinct_voters != 1 else ''}"
    if distinct_voters > counted:
        detail += f" (capped at {counted})"
    return Award("votes", counted * weights.per_vote, detail)


def streak_length(answered: list[bool]) -> int:
    """Consecutive answered daily rounds, counted back from the most recent (answered[0])."""
    count = 0
    for flag in answered:
        if not flag:
            break
        count += 1
    return count
