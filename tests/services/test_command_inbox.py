"""Commands a platform was told were received: queued durably, run once, even across a restart."""

from __future__ import annotations

from bot.cards import Notice, StatsCard
from bot.messages import RunCommand
from tests.services.team import ALICE, BOSS, GENERAL, WEEKDAYS_AT_0930, Team, berlin, day


async def test_a_queued_command_runs_and_its_member_is_told_the_reply_privately(team: Team) -> None:
    command = RunCommand(GENERAL, ALICE, "stats", "general")
    handled = await team.bot.handle_command(command, "delivery-1")
    assert handled.outcome is not None and handled.follow_up is not None
    await handled.follow_up()
    assert any(isinstance(p.card, StatsCard) and p.private_to == ALICE.ref for p in team.chat.posts)
    await team.restart(berlin(day(0), 7, 30))
    assert sum(isinstance(p.card, StatsCard) for p in team.chat.posts) == 1, "a command that ran must not run again"


async def test_the_same_delivery_queued_twice_runs_once(team: Team) -> None:
    command = RunCommand(GENERAL, BOSS, WEEKDAYS_AT_0930, "general")
    handled = await team.bot.handle_command(command, "delivery-1")
    assert handled.follow_up is not None
    again = await team.bot.handle_command(command, "delivery-1")
    assert again.outcome is None and again.follow_up is None
    await handled.follow_up()
    announcements = [n for n in team.channel_notices() if "subscribed this channel" in n.text]
    assert len(announcements) == 1


async def test_a_command_acknowledged_just_before_a_crash_runs_when_the_bot_starts_again(team: Team) -> None:
    handled = await team.bot.handle_command(RunCommand(GENERAL, BOSS, WEEKDAYS_AT_0930, "general"), "delivery-1")
    assert handled.follow_up is not None
    handled.follow_up().close()  # the process stops before the follow-up runs
    await team.restart(berlin(day(0), 7, 5))  # the lease of the crashed process has expired by then
    assert any("subscribed this channel" in n.text for n in team.channel_notices())
    await team.until(berlin(day(0), 9, 31))
    assert len(team.daily_questions()) == 1


async def test_a_queued_command_with_bad_arguments_tells_its_member_what_was_wrong(team: Team) -> None:
    command = RunCommand(GENERAL, ALICE, "leaderboard yesterday", "general")
    handled = await team.bot.handle_command(command, "delivery-1")
    assert handled.outcome is not None and handled.follow_up is not None
    await handled.follow_up()
    private = [p.card for p in team.chat.posts if p.private_to == ALICE.ref]
    assert len(private) == 1 and isinstance(private[0], Notice) and "'yesterday'" in private[0].text
