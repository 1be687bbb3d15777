"""A board's words say how many more it ranks and where a member stands.

A board's words: after its lines, how many more members it ranks (also on the operator's command line); a
member's own place, in their stats and in the private line that goes with a board they asked for."""

from __future__ import annotations

from dataclasses import replace

from bot.admin.reports import board_text
from bot.cards import BoardLine, BoardPlace, LeaderboardCard, Notice, StatsCard
from bot.domain.model import Channel, ChannelAddress
from bot.domain.schedule import Schedule
from bot.wording import Part, Span, board, own_place, plain, stats


def body_of(card: LeaderboardCard) -> list[str]:
    part = board(card).parts[0]
    assert isinstance(part, Part)
    return [plain(line) for block in part.blocks for line in getattr(block, "lines", ())]


def test_a_board_that_ranks_more_members_than_it_shows_ends_with_how_many_more() -> None:
    card = LeaderboardCard("Leaderboard", "all time", (BoardLine(1, "ada", 40, 2), BoardLine(2, "ben", 5, 1)),
                           more=20)
    lines = body_of(card)
    assert len(lines) == 3 and lines[:2] == body_of(replace(card, more=0))
    assert lines[-1] == "and 20 more"


def test_a_board_that_shows_everyone_it_ranks_says_nothing_more() -> None:
    card = LeaderboardCard("Leaderboard", "all time", (BoardLine(1, "ada", 40, 2),))
    assert body_of(card) == [" ada · 40 pts (2 rounds)"]  # after the rank, which each platform draws


def test_stats_end_with_the_members_place_on_this_weeks_board() -> None:
    card = StatsCard("eve", 120, (("participation", 120),), 40, 0, 12, week_place=BoardPlace(14, 32, 40))
    footer = stats(card).footer
    assert plain(footer) == "#14 of 32 on this week's board"
    assert footer[0] == Span("#14", bold=True)


def test_stats_of_a_member_without_points_this_week_say_they_are_not_on_its_board_yet() -> None:
    card = StatsCard("eve", 120, (("participation", 120),), 0, 0, 12)
    assert plain(stats(card).footer) == "Not on this week's board yet"


def test_a_member_below_the_board_they_asked_for_is_told_their_place_and_points() -> None:
    assert own_place(BoardPlace(14, 32, 120)) == Notice("You: #14 of 32 · 120 pts")
    assert own_place(BoardPlace(3, 3, 1)) == Notice("You: #3 of 3 · 1 pt")


def test_the_operators_board_says_how_many_more_members_it_ranks_too() -> None:
    channel = Channel(1, ChannelAddress("console", "local", "console"), "console", True, Schedule())
    card = LeaderboardCard("Leaderboard", "all time", (BoardLine(1, "ada", 40, 2),), more=31)
    assert board_text(card, channel).splitlines()[-2:] == ["  1. ada     40 points    2 rounds", "     and 31 more"]
    assert "more" not in board_text(replace(card, more=0), channel)
