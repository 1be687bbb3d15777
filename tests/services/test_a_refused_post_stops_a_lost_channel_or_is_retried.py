"""A refused post stops a channel lost to the bot, or is tried again.

When the platform refuses a daily question, a reveal or a weekly board because the channel is lost to the bot
(removed, deleted, archived), the channel's schedule stops and whoever subscribed it is told, whichever of them found
out; any other refusal is tried again a minute later.

Times are Europe/Berlin; 2026-11-30 is a Monday.
"""

from __future__ import annotations

from bot.cards import LeaderboardCard, Notice
from bot.domain.model import TaskKind
from bot.ports import ChatError
from tests.services.team import BOSS, GENERAL, MONDAY, NOTHING, Team, berlin, day, open_question


def gone() -> ChatError:
    return ChatError("Slack chat.postMessage: channel_not_found", gone=True)


async def assert_stopped_and_told(team: Team) -> None:
    async with team.bot.store.unit_of_work() as uow:
        channel = await uow.channels.find(GENERAL)
        assert channel is not None and not channel.subscribed
        assert await uow.tasks.pending(channel.id, TaskKind.POST_DAILY) == []
        assert await uow.tasks.pending(channel.id, TaskKind.WEEKLY_BOARD) == []
    [(to, notice)] = team.chat.direct
    assert to == BOSS.ref and isinstance(notice, Notice)
    assert "I can no longer post in #general (Slack chat.postMessage: channel_not_found)" in notice.text


def weekly_boards(team: Team) -> list[LeaderboardCard]:
    return [card for card in team.boards() if card.title == "Weekly leaderboard"]


async def test_a_daily_question_refused_as_the_channel_is_gone_stops_the_schedule_and_tells_who_subscribed(
    team: Team,
) -> None:
    await team.subscribe()
    team.chat.fail_next.append(gone())

    await team.until(berlin(day(1), 10, 0))

    assert team.daily_questions() == []
    await assert_stopped_and_told(team)


async def test_a_reveal_refused_as_the_channel_is_gone_stops_the_schedule_and_tells_who_subscribed(
    team: Team,
) -> None:
    question = await open_question(team)
    await team.answer(question, NOTHING)
    await team.until(berlin(MONDAY, 16, 0))  # after the reminder: the next post is the reveal
    team.chat.fail_next.append(gone())

    await team.until(berlin(day(1), 10, 0))

    assert team.reveals() == [] and len(team.daily_questions()) == 1
    await assert_stopped_and_told(team)


async def test_a_weekly_board_refused_as_the_channel_is_gone_stops_the_schedule_and_tells_who_subscribed(
    team: Team,
) -> None:
    question = await open_question(team)
    await team.answer(question, NOTHING)
    await team.until(berlin(day(7), 8, 59))
    team.chat.fail_next.append(gone())

    await team.until(berlin(day(8), 10, 0))

    assert weekly_boards(team) == [] and len(team.daily_questions()) == 5
    await assert_stopped_and_told(team)


async def test_a_daily_question_refused_for_another_reason_is_posted_a_minute_later(team: Team) -> None:
    await team.subscribe()
    team.chat.fail_next.append(ChatError("Slack chat.postMessage: internal_error"))

    await team.until(berlin(MONDAY, 9, 30))
    assert team.daily_questions() == []
    await team.until(berlin(MONDAY, 9, 31))

    assert len(team.daily_questions()) == 1 and team.chat.direct == []


async def test_a_reveal_refused_for_another_reason_is_posted_a_minute_later(team: Team) -> None:
    question = await open_question(team)
    await team.answer(question, NOTHING)
    await team.until(berlin(MONDAY, 16, 0))  # after the reminder: the next post is the reveal
    team.chat.fail_next.append(ChatError("Slack chat.postMessage: internal_error"))

    await team.until(berlin(MONDAY, 17, 0))
    assert team.reveals() == []
    await team.until(berlin(MONDAY, 17, 1))

    assert len(team.reveals(question)) == 1 and team.chat.direct == []


async def test_a_weekly_board_refused_for_another_reason_is_posted_a_minute_later(team: Team) -> None:
    question = await open_question(team)
    await team.answer(question, NOTHING)
    await team.until(berlin(day(7), 8, 59))
    team.chat.fail_next.append(ChatError("Slack chat.postMessage: internal_error"))

    await team.until(berlin(day(7), 9, 0))
    assert weekly_boards(team) == []
    await team.until(berlin(day(7), 9, 1))

    assert len(weekly_boards(team)) == 1 and team.chat.direct == []
