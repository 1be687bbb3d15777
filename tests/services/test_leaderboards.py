"""Leaderboards: by week, month or all time, by level, in a fixed order, with opted-out members unnamed."""

from __future__ import annotations

from bot.cards import BoardLine, LeaderboardCard
from bot.domain.model import Speaker
from tests.fakes.chat import Posted
from tests.services.conftest import StartTeam
from tests.services.team import ALICE, BOB, CAROL, DAVE, MONDAY, NOTHING, Team, berlin, covering, day, notice_at

AMY = Speaker("u10", "amy")
ZED = Speaker("u11", "zed")
ERIN = Speaker("u5", "erin")


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
