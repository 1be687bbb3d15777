"""The board chart goes out with the boards the core posts.

The boards the core posts go out with their chart: the weekly board and `/prep leaderboard`, never an empty one.
The core's board carries what the picture needs (its lines, title, period and the channel's name); the chat port
draws it, as every chat adapter does.

The whole core on a SQLite file with the recording FakeChat and a fake clock (2026-11-30 is a Monday, in Berlin).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.chart import board_chart
from bot.cards import LeaderboardCard
from bot.clock import FakeClock
from bot.domain.model import Speaker
from bot.wording import plural
from tests.contract.charts import read_chart
from tests.services.team import ALICE, BOB, CAROL, MONDAY, NOTHING, Team, berlin, day


@pytest.fixture
async def team(tmp_path: Path) -> AsyncIterator[Team]:
    started = Team(f"sqlite+aiosqlite:///{tmp_path / 'prepbot.db'}", FakeClock(berlin(MONDAY, 7, 0)))
    await started.bot.start()
    yield started
    await started.bot.close()


async def answer_on(team: Team, n: int, *members: Speaker) -> None:
    """Day n's question, answered on time by `members`, then revealed."""
    await team.until(berlin(day(n), 10, 0))
    question = team.latest_question()
    for member in members:
        await team.answer(question, NOTHING, by=member)
    await team.until(berlin(day(n), 17, 0))


def weekly_boards(team: Team) -> list[LeaderboardCard]:
    return [card for card in team.boards() if card.title == "Weekly leaderboard"]


async def test_the_weekly_board_is_posted_with_a_chart_of_every_ranked_member(team: Team) -> None:
    await team.subscribe()
    await answer_on(team, 0, ALICE, BOB)
    await answer_on(team, 1, ALICE, CAROL)

    await team.until(berlin(day(7), 9, 0))

    [weekly] = [p for p in team.chat.posts if isinstance(p.card, LeaderboardCard)]
    assert weekly.thread_ref is None and weekly.private_to is None
    card, image = weekly.card, weekly.image
    assert isinstance(card, LeaderboardCard) and image is not None
    assert team.chat.images() == [(weekly, image)]
    seen = read_chart(image.data)
    assert seen.names == [line.name for line in card.lines] == ["alice", "bob", "carol"]
    assert len(seen.bars) == 3
    assert seen.title == "Weekly leaderboard · #general (week of 30 Nov 2026)"
    assert image.filename == "weekly-leaderboard-week-of-30-nov-2026.png"
    ranking = "; ".join(f"{line.rank}. {line.name}, {plural(line.total, 'point')}" for line in card.lines)
    assert image.alt_text == f"Bar chart of the Weekly leaderboard · #general, week of 30 Nov 2026: {ranking}."


async def test_the_chart_is_drawn_from_the_board_it_goes_with(team: Team) -> None:
    await team.subscribe()
    await answer_on(team, 0, ALICE, BOB)
    await team.until(berlin(day(7), 9, 0))

    [weekly] = [p for p in team.chat.posts if isinstance(p.card, LeaderboardCard)]
    card = weekly.card
    assert isinstance(card, LeaderboardCard) and card.channel_name == "general"
    bare = LeaderboardCard(card.title, card.period, card.lines, card.level_label, channel_name="general")
    assert weekly.image == board_chart(bare)


async def test_a_week_without_rounds_gets_no_board_and_no_chart(team: Team) -> None:
    await team.subscribe()
    await team.prep("pause")  # before Monday's 09:30: no round at all this week

    await team.until(berlin(day(7), 9, 30))

    assert weekly_boards(team) == []
    assert team.chat.images() == []


async def test_a_week_whose_rounds_nobody_answered_gets_its_board_without_a_chart(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(day(7), 9, 0))

    [card] = weekly_boards(team)
    assert card.lines == ()
    assert team.chat.images() == []


async def test_the_leaderboard_command_posts_the_board_with_its_chart(team: Team) -> None:
    await team.subscribe()
    await answer_on(team, 0, BOB, ALICE)

    card = await team.board()

    [(posted, image)] = team.chat.images()
    assert posted.card == card
    assert read_chart(image.data).names == [line.name for line in card.lines]
    assert image.filename == "leaderboard-week-of-30-nov-2026.png"


async def test_the_leaderboard_command_posts_an_empty_board_without_a_chart(team: Team) -> None:
    await team.subscribe()

    card = await team.board("month")

    assert card.lines == ()
    assert team.chat.images() == []
