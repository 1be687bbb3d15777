"""The look-up of what the bot already posted, where every platform behaves the same.

What the look-up of what the bot already posted does on every chat platform when it cannot read the history, and
for a board without a key.

How each platform marks and finds a round's messages and a weekly board is its own
(tests/adapters/test_slack_finds_what_it_already_posted.py and _discord_...); these hold on both.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.cards import BoardLine, LeaderboardCard, QuestionCard
from tests.adapters.platforms import Platform

DEADLINE = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)


def question(round_id: int = 7) -> QuestionCard:
    return QuestionCard(round_id, "beginner-01", "Beginner", "What is model serialization?", DEADLINE, "UTC")


def an_hour_ago() -> datetime:
    return datetime.now(timezone.utc) - timedelta(hours=1)


def board(key: str | None) -> LeaderboardCard:
    return LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026", (BoardLine(1, "eve", 52, 3),), key=key)


async def test_without_leave_to_read_the_history_the_look_up_says_it_cannot_tell(platform: Platform) -> None:
    since = an_hour_ago()
    await platform.chat.post_question(platform.channel, question())
    platform.deny_reading_history()

    assert await platform.chat.find_posted(platform.channel, question(), since=since) is None


async def test_a_board_without_a_key_is_never_looked_for(platform: Platform) -> None:
    await platform.chat.post_message(platform.channel, board(None))

    assert await platform.chat.find_posted(platform.channel, board(None), since=an_hour_ago()) is None
    assert platform.history_reads() == []
