"""The leaderboard: most points first, ties broken by coverage, rounds and name; full ties share a rank."""

from bot.domain.leaderboard import Standing, rank, top_places


def board(standings: list[Standing]) -> list[tuple[int, str]]:
    return [(r.rank, r.standing.name) for r in rank(standings)]


def test_more_points_rank_higher() -> None:
    assert board([Standing(1, "Ann", 50, 20, 3), Standing(2, "Bo", 90, 10, 3), Standing(3, "Cy", 70, 30, 9)]) == [
        (1, "Bo"),
        (2, "Cy"),
        (3, "Ann"),
    ]


def test_equal_points_go_to_more_coverage_then_more_rounds() -> None:
    assert board(
        [Standing(1, "Ann", 60, 20, 5), Standing(2, "Bo", 60, 30, 2), Standing(3, "Cy", 60, 20, 6)]
    ) == [(1, "Bo"), (2, "Cy"), (3, "Ann")]


def test_members_tied_on_every_score_share_a_rank_listed_by_name_and_the_next_rank_is_skipped() -> None:
    assert board(
        [
            Standing(1, "zed", 40, 10, 2),
            Standing(2, "Amy", 40, 10, 2),
            Standing(3, "bea", 40, 10, 2),
            Standing(4, "Top", 99, 10, 2),
            Standing(5, "Low", 10, 10, 2),
        ]
    ) == [(1, "Top"), (2, "Amy"), (2, "bea"), (2, "zed"), (5, "Low")]


def test_members_with_the_same_name_and_scores_are_listed_in_join_order() -> None:
    ranked = rank([Standing(9, "Sam", 10, 5, 1), Standing(4, "Sam", 10, 5, 1)])
    assert [(r.rank, r.standing.member_id) for r in ranked] == [(1, 4), (1, 9)]


def test_an_empty_board_has_no_ranks() -> None:
    assert rank([]) == []


def test_names_are_compared_casefolded_so_strasse_in_any_spelling_is_one_name_and_join_order_decides() -> None:
    ranked = rank([Standing(7, "STRASSE", 10, 5, 1), Standing(3, "Straße", 10, 5, 1), Standing(5, "strasse", 10, 5, 1)])
    assert [(r.rank, r.standing.member_id) for r in ranked] == [(1, 3), (1, 5), (1, 7)]


def test_names_beyond_plain_latin_letters_come_after_them_in_code_point_order() -> None:
    assert board([Standing(1, "Émile", 10, 5, 1), Standing(2, "zoe", 10, 5, 1), Standing(3, "éa", 10, 5, 1)]) == [
        (1, "zoe"),
        (1, "éa"),
        (1, "Émile"),
    ]


def test_a_boards_top_places_are_the_first_places_of_the_ranking_cut_among_members_tied_at_the_cut() -> None:
    standings = [Standing(1, "Cy", 40, 10, 2), Standing(2, "bo", 40, 10, 2), Standing(3, "Al", 40, 10, 2),
                 Standing(4, "Top", 90, 10, 2)]
    assert [(r.rank, r.standing.name) for r in top_places(standings, 3)] == [(1, "Top"), (2, "Al"), (2, "bo")]
    assert top_places(standings, 10) == rank(standings)
    assert top_places([], 3) == []
