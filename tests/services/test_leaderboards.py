"""Leaderboards: by week, month or all time, by level, in a fixed order, with opted-out members unnamed."""

from __future__ import annotations

from bot.cards import BoardLine, BoardPlace, LeaderboardCard, Notice
from bot.domain.model import Speaker
from bot.services.boards import BOARD_SIZE
from bot.wording import Paragraph, Part, board as board_words, plain
from tests.fakes.chat import Posted
from tests.services.conftest import StartTeam
from tests.services.team import ALICE, BOB, CAROL, DAVE, MONDAY, NOTHING, Team, berlin, covering, day, notice_at

AMY = Speaker("u10", "amy")
ZED = Speaker("u11", "zed")
ERIN = Speaker("u5", "erin")
# More members than a board has places: each covers a key point and scores more than LAST, who only answers.
LEADERS = [Speaker(f"u{20 + n}", f"leader{n:02d}") for n in range(BOARD_SIZE + 1)]
LAST = Speaker("u40", "last")


async def daily_answers(team: Team, n: int, answers: dict[Speaker, str]) -> Posted:
    """Day n's question, answered on time by each member with the given text, and revealed."""
    await team.until(berlin(day(n), 10, 0))
    question = team.latest_question()
    for member, text in answers.items():
        await team.answer(question, text, by=member)
    await team.until(berlin(day(n), 17, 0))
    return question


async def practice_answer(team: Team, level: str, member: Speaker) -> None:
    await team.prep(level, by=member)
    await team.answer(team.latest_question(), NOTHING, by=member)


def named(card: LeaderboardCard) -> dict[str, int]:
    return {line.name: line.total for line in card.lines}


async def test_the_board_ranks_this_weeks_points_by_default(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(day(1), 10, 0))
    tuesday = team.latest_question()
    asked = team.question_of(tuesday)
    await team.answer(tuesday, covering(asked, 0), by=ALICE)
    await team.answer(tuesday, NOTHING, by=BOB)
    await team.until(berlin(day(1), 18, 0))

    card = await team.board()

    assert card.title == "Leaderboard" and card.period == "week of 30 Nov 2026" and card.level_label is None
    coverage = round(30 * 1 / len(asked.key_points))
    assert card.lines == (BoardLine(1, "alice", 10 + coverage, 1), BoardLine(2, "bob", 10, 1))


async def test_week_month_and_all_time_boards_count_only_their_own_dates(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 17:00 beginner")
    await daily_answers(team, 0, {ALICE: NOTHING, BOB: NOTHING})  # Monday 30 November
    await daily_answers(team, 7, {BOB: NOTHING})  # Monday 7 December

    week = await team.board("week")
    month = await team.board("month")
    all_time = await team.board("all")

    assert week == await team.board()
    assert (week.period, named(week)) == ("week of 07 Dec 2026", {"bob": 10})
    assert (month.period, named(month)) == ("December 2026", {"bob": 10})
    assert all_time.period == "all time"
    assert all_time.lines == (BoardLine(1, "bob", 20, 2), BoardLine(2, "alice", 10, 1))


async def test_a_board_for_one_level_counts_only_rounds_of_that_level(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 17:00 beginner")
    await daily_answers(team, 0, {ALICE: NOTHING})
    await practice_answer(team, "behavioral", CAROL)
    await team.until(berlin(MONDAY, 18, 0))

    behavioral = await team.board("all behavioral")
    beginner = await team.board("beginner")
    advanced = await team.board("advanced")

    assert (behavioral.level_label, named(behavioral)) == ("Behavioral", {"carol": 10})
    assert (beginner.level_label, named(beginner)) == ("Beginner", {"alice": 10})
    assert advanced.lines == ()


async def test_members_tied_on_every_score_share_a_rank_and_are_listed_by_name(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()
    await team.answer(question, NOTHING, by=ZED)  # zed joins first
    await team.answer(question, NOTHING, by=AMY)
    await team.answer(question, NOTHING, by=Speaker("u12", "Bea"))
    await team.answer(question, covering(team.question_of(question), 0), by=DAVE)
    await team.until(berlin(MONDAY, 17, 0))

    first = await team.board()
    again = await team.board()

    assert [(line.rank, line.name) for line in first.lines] == [(1, "dave"), (2, "amy"), (2, "Bea"), (2, "zed")]
    assert again == first


async def test_a_member_who_opts_out_is_shown_as_anonymous_until_they_opt_back_in(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()
    await team.answer(question, covering(team.question_of(question), 0), by=ALICE)
    await team.answer(question, NOTHING, by=BOB)
    await team.until(berlin(MONDAY, 17, 0))

    out = await team.prep("optout", by=ALICE)
    hidden = await team.board()
    back = await team.prep("optin", by=ALICE)
    shown = await team.board()

    assert "anonymous" in notice_at(out).text
    assert [line.name for line in hidden.lines] == ["anonymous", "bob"]
    assert "name again" in notice_at(back).text
    assert [line.name for line in shown.lines] == ["alice", "bob"]


async def test_a_member_who_opted_out_before_the_reveal_is_anonymous_in_it(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()
    await team.answer(question, NOTHING, by=ALICE)
    await team.prep("optout", by=ALICE)
    await team.until(berlin(MONDAY, 17, 0))
    assert [f.member_name for f in team.reveal_of(question).feedback] == ["anonymous"]


async def test_the_weekly_board_is_posted_on_monday_at_0900_for_the_previous_monday_to_sunday(
    start_team: StartTeam,
) -> None:
    team = await start_team(berlin(day(-1), 20, 0))  # Sunday 29 November, 20:00
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 17:00 beginner")
    await practice_answer(team, "beginner", ERIN)  # Sunday before the week: not counted
    await daily_answers(team, 0, {ALICE: NOTHING, BOB: NOTHING})  # Monday 30 November
    await daily_answers(team, 4, {ALICE: NOTHING})  # Friday 4 December
    await team.until(berlin(day(6), 22, 0))
    await practice_answer(team, "beginner", CAROL)  # Sunday 6 December, 22:00: counted
    await team.until(berlin(day(7), 8, 0))
    await practice_answer(team, "beginner", DAVE)  # Monday 7 December, 08:00: next week

    await team.until(berlin(day(7), 8, 59))
    assert [b for b in team.boards() if b.title == "Weekly leaderboard"] == []
    await team.until(berlin(day(7), 9, 0))

    (weekly,) = [p for p in team.chat.posts if isinstance(p.card, LeaderboardCard)]
    assert weekly.thread_ref is None and weekly.private_to is None
    assert weekly.board.title == "Weekly leaderboard"
    assert weekly.board.period == "week of 30 Nov 2026"
    assert named(weekly.board) == {"alice": 20, "bob": 10, "carol": 10}
    assert [line.name for line in weekly.board.lines] == ["alice", "bob", "carol"]

    await team.until(berlin(day(14), 9, 0))
    assert [b.period for b in team.boards()] == ["week of 30 Nov 2026", "week of 07 Dec 2026"]


async def test_this_weeks_board_starts_at_midnight_on_monday_in_the_channels_time_zone(team: Team) -> None:
    await team.subscribe()
    await daily_answers(team, 4, {ALICE: NOTHING})  # Friday 4 December

    await team.until(berlin(day(7), 0, 30))  # Monday in Berlin, still Sunday 23:30 in UTC
    card = await team.board()

    assert card.period == "week of 07 Dec 2026"
    assert card.lines == ()


def worded(card: LeaderboardCard) -> list[str]:
    """The board's lines as members read them, without the rank each platform draws its own way."""
    return [plain(line) for part in board_words(card).parts if isinstance(part, Part)
            for block in part.blocks if isinstance(block, Paragraph) for line in block.lines]


async def a_week_with_more_members_than_places(team: Team) -> None:
    """Monday's question answered by every leader with a key point (10 points and coverage) and by LAST without one
    (10 points): the leaders share the first place, LAST is 12th of 12."""
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()
    for leader in LEADERS:
        await team.answer(question, covering(team.question_of(question), 0), by=leader)
    await team.answer(question, NOTHING, by=LAST)
    await team.until(berlin(MONDAY, 17, 0))


async def test_a_board_shows_its_first_places_and_says_how_many_more_members_it_ranks(team: Team) -> None:
    await a_week_with_more_members_than_places(team)

    card = await team.board(by=LEADERS[0])

    assert len(card.lines) == BOARD_SIZE == 10
    assert {line.rank for line in card.lines} == {1}
    assert card.more == 2  # the twelve ranked, less the ten shown
    assert worded(card)[-1] == "and 2 more"


async def test_a_board_with_room_for_everyone_says_no_more(team: Team) -> None:
    await team.subscribe()
    await daily_answers(team, 0, {ALICE: NOTHING, BOB: NOTHING})

    card = await team.board()

    assert (len(card.lines), card.more) == (2, 0)
    assert [line for line in worded(card) if "more" in line] == []


async def test_a_member_ranked_below_the_board_who_asks_for_it_is_told_their_place_privately(team: Team) -> None:
    await a_week_with_more_members_than_places(team)

    reply = await team.prep("leaderboard", by=LAST)

    (board,) = team.boards()
    assert board.more == 2 and "last" not in [line.name for line in board.lines]
    assert reply.cards == (Notice("You: #12 of 12 · 10 pts"),)


async def test_a_member_on_the_board_or_without_points_on_it_is_told_nothing_more(team: Team) -> None:
    await a_week_with_more_members_than_places(team)

    on_the_board = await team.prep("leaderboard", by=LEADERS[0])
    without_points = await team.prep("leaderboard", by=CAROL)

    assert on_the_board.cards == () and without_points.cards == ()
    assert [board.more for board in team.boards()] == [2, 2]


async def test_a_member_tied_on_a_place_the_board_cuts_at_their_name_is_told_that_place(team: Team) -> None:
    await a_week_with_more_members_than_places(team)

    reply = await team.prep("leaderboard", by=LEADERS[-1])  # tied first with ten others, and listed last by name

    (board,) = team.boards()
    assert [line.name for line in board.lines] == [leader.name for leader in LEADERS[:-1]]
    assert reply.cards == (Notice(f"You: #1 of 12 · {board.lines[0].total} pts"),)


async def test_stats_give_the_members_place_on_this_weeks_board_by_the_boards_own_tie_rule(team: Team) -> None:
    await a_week_with_more_members_than_places(team)
    await team.until(berlin(day(1), 8, 0))

    last = await team.stats(LAST)
    leader = await team.stats(LEADERS[-1])
    newcomer = await team.stats(CAROL)

    assert last.week_place == BoardPlace(12, 12, 10)
    assert leader.week_place is not None and (leader.week_place.rank, leader.week_place.of) == (1, 12)
    assert newcomer.week_place is None


async def test_last_weeks_place_is_not_this_weeks(team: Team) -> None:
    await a_week_with_more_members_than_places(team)
    await team.until(berlin(day(7), 8, 0))

    assert (await team.stats(LAST)).week_place is None
    assert (await team.prep("leaderboard", by=LAST)).cards == ()


async def test_the_weekly_board_says_how_many_more_it_ranks_and_tells_nobody_their_place(team: Team) -> None:
    await a_week_with_more_members_than_places(team)
    before = len(team.chat.posts)

    await team.until(berlin(day(7), 9, 0))

    (weekly,) = [p.card for p in team.chat.posts[before:] if isinstance(p.card, LeaderboardCard)]
    assert weekly.title == "Weekly leaderboard" and (len(weekly.lines), weekly.more) == (10, 2)
    assert [p for p in team.chat.posts[before:] if p.private_to is not None] == []
