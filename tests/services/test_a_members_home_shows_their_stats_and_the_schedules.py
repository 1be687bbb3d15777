"""A member's home page shows their stats and the channels' schedules.

A member's own page (Slack's App Home): their `/prep stats` in each channel they play in, and when each subscribed
channel of the workspace gets its question."""

from __future__ import annotations

from tests.services.team import ALICE, BOB, MONDAY, Team, berlin, covering, day, open_question


async def test_a_member_who_played_sees_the_stats_that_prep_stats_shows_and_the_channels_schedule(
        team: Team) -> None:
    question = await open_question(team)
    await team.answer(question, covering(team.question_of(question), 0, 1), by=ALICE)
    await team.until(berlin(MONDAY, 17, 30))

    home = await team.bot.home_for("console", "local", ALICE)

    assert home.member_name == "alice"
    (played,) = home.played
    assert (played.channel.ref, played.channel.name) == ("general", "general")
    assert played.stats == await team.stats(ALICE)
    (schedule,) = home.schedules
    assert (schedule.channel.ref, schedule.days, schedule.post_time, schedule.tz, schedule.deadline) == (
        "general", "mon-fri", "09:30", "Europe/Berlin", "at 17:00")
    assert not schedule.paused
    assert schedule.next_post_at == berlin(day(1), 9, 30)


async def test_a_member_who_never_played_sees_no_stats_but_the_schedules(team: Team) -> None:
    await team.subscribe()

    home = await team.bot.home_for("console", "local", BOB)

    assert home.member_name == "bob" and home.played == ()
    assert [s.channel.ref for s in home.schedules] == ["general"]


async def test_only_subscribed_channels_of_the_members_own_workspace_are_listed(team: Team) -> None:
    await team.subscribe()
    await team.prep("pause")

    elsewhere = await team.bot.home_for("console", "another", ALICE)
    here = await team.bot.home_for("console", "local", ALICE)

    assert elsewhere.schedules == () and elsewhere.played == ()
    (schedule,) = here.schedules
    assert schedule.paused and schedule.next_post_at is None
