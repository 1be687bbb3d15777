"""What a member earns for a round: each amount with the reason and detail shown to them."""

import pytest

from bot.domain.matching import Coverage, PointCoverage
from bot.domain.scoring import Award, Weights, answer_awards, streak_bonus, streak_length, vote_award


def coverage(covered: int, total: int) -> Coverage:
    return Coverage(tuple(PointCoverage(f"point {i}", i < covered, "term" if i < covered else None) for i in range(total)))


def test_an_on_time_answer_earns_participation_and_coverage_in_proportion_to_key_points_covered() -> None:
    assert answer_awards(coverage(2, 4), streak_days=1, weights=Weights()) == [
        Award("participation", 10, "answered on time"),
        Award("coverage", 15, "covered 2 of 4 key points"),
    ]


@pytest.mark.parametrize(("covered", "total", "points"), [(0, 3, 0), (1, 3, 10), (2, 3, 20), (3, 3, 30), (4, 4, 30)])
def test_coverage_points_are_the_coverage_weight_times_the_share_covered(covered: int, total: int, points: int) -> None:
    awards = answer_awards(coverage(covered, total), streak_days=0, weights=Weights())
    assert [(a.reason, a.amount) for a in awards] == [("participation", 10), ("coverage", points)]


def test_an_answer_covering_nothing_still_shows_a_coverage_line_of_zero() -> None:
    awards = answer_awards(coverage(0, 5), streak_days=0, weights=Weights())
    assert awards[1] == Award("coverage", 0, "covered 0 of 5 key points")


def test_a_streak_adds_a_bonus_line_naming_the_streak() -> None:
    awards = answer_awards(coverage(4, 4), streak_days=3, weights=Weights())
    assert awards[-1] == Award("streak", 4, "3-day streak")
    assert sum(a.amount for a in awards) == 10 + 30 + 4


def test_custom_weights_change_the_amounts() -> None:
    weights = Weights(participation=5, coverage=50, streak_per_day=3, max_streak_bonus=100)
    awards = answer_awards(coverage(1, 2), streak_days=4, weights=weights)
    assert [(a.reason, a.amount) for a in awards] == [("participation", 5), ("coverage", 25), ("streak", 9)]


@pytest.mark.parametrize(("days", "bonus"), [(0, 0), (1, 0), (2, 2), (3, 4), (6, 10), (7, 10), (100, 10)])
def test_the_streak_bonus_starts_on_the_second_day_and_is_capped(days: int, bonus: int) -> None:
    assert streak_bonus(days, Weights()) == bonus


def test_a_first_day_answer_has_no_streak_line() -> None:
    awards = answer_awards(coverage(1, 1), streak_days=1, weights=Weights())
    assert [a.reason for a in awards] == ["participation", "coverage"]


@pytest.mark.parametrize(
    ("voters", "amount", "detail"),
    [
        (0, 0, "0 teammate votes"),
        (1, 2, "1 teammate vote"),
        (3, 6, "3 teammate votes"),
        (5, 10, "5 teammate votes"),
        (7, 10, "7 teammate votes (capped at 5)"),
    ],
)
def test_votes_earn_points_per_distinct_voter_up_to_a_cap(voters: int, amount: int, detail: str) -> None:
    assert vote_award(voters, Weights()) == Award("votes", amount, detail)


@pytest.mark.parametrize(
    ("answered", "length"),
    [([], 0), ([False, True, True], 0), ([True], 1), ([True, True, False, True], 2), ([True] * 9, 9)],
)
def test_a_streak_is_the_run_of_answered_daily_rounds_counting_back_from_the_latest(answered: list[bool], length: int) -> None:
    assert streak_length(answered) == length
