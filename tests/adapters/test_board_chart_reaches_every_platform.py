"""What a board's chart does on every chat platform when there is none, and when the platform refuses it.

How the chart travels is each platform's own (tests/adapters/test_board_chart_uploads_to_slack.py and _discord.py);
these hold on both: each adapter talks through its real client to its fake, which checks every call against the spec.
"""

from __future__ import annotations

from bot.cards import BoardLine, LeaderboardCard
from tests.adapters.platforms import Platform


def weekly_board(*names: str) -> LeaderboardCard:
    lines = tuple(BoardLine(rank, name, 60 - 10 * rank, 2) for rank, name in enumerate(names, start=1))
    return LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026", lines, channel_name="general")


async def test_a_board_without_a_chart_sends_no_chart(platform: Platform) -> None:
    await platform.chat.post_message(platform.channel, LeaderboardCard("Leaderboard", "all time", ()))

    platform.assert_no_chart_sent()


async def test_a_chart_the_platform_refuses_leaves_the_board_posted_once_without_it_and_raises_nothing(
    platform: Platform,
) -> None:
    async with platform.refusing_charts() as chat:
        board_ref = await chat.post_message(platform.channel, weekly_board("eve", "ben"))

    platform.assert_the_board_alone_without_its_chart(board_ref, "eve")
