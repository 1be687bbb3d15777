"""Commands a platform was told were received: queued durably, run once, even across a restart."""

from __future__ import annotations

import time
from dataclasses import replace

from bot.app import PrepBot
from bot.bootstrap import bootstrap
from bot.cards import Notice, StatsCard
from bot.config import Settings
from bot.messages import RunCommand
from bot.services.claims import ProcessIdentity
from tests.services.team import ALICE, BOSS, GENERAL, WEEKDAYS_AT_0930, Team, berlin, day, shipped_bank


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


def replica(team: Team, host: str) -> PrepBot:
    """Another process on the team's database and clock, on a host of its own."""
    bot = bootstrap(replace(Settings(), database_url=team.database_url), team.chat, team.clock, shipped_bank(),
                    monotonic=time.monotonic)
    bot.due.identity = bot.inbox.identity = ProcessIdentity(1, host, "i1")
    return bot


async def test_a_command_queued_but_not_begun_when_its_process_stops_is_run_by_another_at_once(team: Team) -> None:
    await team.bot.close()
    stopping, other = replica(team, "host-a"), replica(team, "host-b")
    await stopping.start()
    await other.start()
    try:
        handled = await stopping.handle_command(RunCommand(GENERAL, BOSS, WEEKDAYS_AT_0930, "general"), "delivery-1")
        assert handled.follow_up is not None
        follow_up = handled.follow_up()  # acknowledged; its run has not begun when SIGTERM comes

        await stopping.stop_work()
        assert await other.inbox.run_unheld() == 1  # at once: no lease had to lapse
        await follow_up  # the stopping process's own run, had it still started, leaves the command alone
    finally:
        await stopping.close()
        await other.close()
        team.bot = replica(team, "host-c")
        await team.bot.start()

    assert len([n for n in team.channel_notices() if "subscribed this channel" in n.text]) == 1
