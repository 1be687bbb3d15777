"""Commands a platform was told were received: queued durably, run once, even across a restart."""

from __future__ import annotations

from bot.cards import Notice, StatsCard
from bot.messages import RunCommand
from tests.services.team import ALICE, BOSS, GENERAL, WEEKDAYS_AT_0930, Team, berlin, day


async def test_a_queued_command_runs_and_its_member_is_told_the_reply_privately(team: Team) -> None:
    command = RunCommand(GENERAL, ALICE, "stats", "general")
    inbox_id = await team.bot.enqueue_command(command, "delivery-1")
    assert inbox_id is not None
    await team.bot.run_queued(inbox_id, command)
    assert any(isinstance(p.card, StatsCard) and p.private_to == ALICE.ref for p in team.chat.posts)
    await team.restart(berlin(day(0), 7, 30))
    assert sum(isinstance(p.card, StatsCard) for p in team.chat.posts) == 1, "a command that ran must not run again"


async def test_the_same_delivery_queued_twice_runs_once(team: Team) -> None:
    command = RunCommand(GENERAL, BOSS, WEEKDAYS_AT_0930, "general")
    inbox_id = await team.bot.enqueue_command(command, "delivery-1")
    assert inbox_id is not None
    assert await team.bot.enqueue_command(command, "delivery-1") is None
    await team.bot.run_queued(inbox_id, command)
    announcements = [n for n in team.channel_notices() if "subscribed this channel" in n.text]
    assert len(announcements) == 1


async def test_a_command_acknowledged_just_before_a_crash_runs_when_the_bot_starts_again(team: Team) -> None:
    await team.bot.enqueue_command(RunCommand(GENERAL, BOSS, WEEKDAYS_AT_0930, "general"), "delivery-1")
    await team.restart(berlin(day(0), 7, 5))  # the lease of the crashed process has expired by then
    assert any("subscribed this channel" in n.text for n in team.channel_notices())
    await team.until(berlin(day(0), 9, 31))
    assert len(team.daily_questions()) == 1


async def test_a_queued_command_with_bad_arguments_tells_its_member_what_was_wrong(team: Team) -> None:
    command = RunCommand(GENERAL, ALICE, "leaderboard yesterday", "general")
    inbox_id = await team.bot.enqueue_command(command, "delivery-1")
    assert inbox_id is not None
    await team.bot.run_queued(inbox_id, command)
    private = [p.card for p in team.chat.posts if p.private_to == ALICE.ref]
    assert len(private) == 1 and isinstance(private[0], Notice) and "'yesterday'" in private[0].text
