"""A member's place is their rank, found without ranking everyone.

A member's place on a board is the rank the ranking gives them, found from how many members score more: the tie
rule is the ranking's, whether the board is ranked whole or a member's place is counted."""

from __future__ import annotations

import random

from bot.domain.leaderboard import SCORES, Place, Standing, place, rank, scores


def counted_place(standing: Standing, everyone: list[Standing]) -> Place:
    """The place as the store finds it: the members ahead of `standing` by SCORES, compared in order."""
    return place(standing, sum(scores(other) > scores(standing) for other in everyone), len(everyone))


def test_the_scores_that_place_a_member_are_points_then_coverage_then_rounds() -> None:
    assert SCORES == ("total", "coverage", "rounds")
    assert scores(Standing(1, "ann", 40, 10, 2)) == (40, 10, 2)


def test_each_members_counted_place_is_their_rank_in_the_full_ranking() -> None:
    shuffle = random.Random(14)
    for _ in range(200):
        everyone = [Standing(n, shuffle.choice(["ann", "Bo", "cy"]), shuffle.randint(0, 4) * 10,
                             shuffle.randint(0, 2) * 5, shuffle.randint(0, 2)) for n in range(shuffle.randint(1, 15))]
        ranked = rank(everyone)
        assert [counted_place(r.standing, everyone) for r in ranked] == [
            Place(r.rank, len(everyone), r.standing) for r in ranked]


def test_members_tied_on_every_score_share_a_place_and_the_next_one_is_skipped() -> None:
    everyone = [Standing(1, "Top", 90, 10, 2), Standing(2, "amy", 40, 10, 2), Standing(3, "zed", 40, 10, 2),
                Standing(4, "Low", 40, 10, 1)]
    assert [counted_place(s, everyone).rank for s in everyone] == [1, 2, 2, 4]
