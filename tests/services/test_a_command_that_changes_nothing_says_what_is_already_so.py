"""A command that would change nothing says what is already so, privately, and announces nothing to the channel."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.cards import Card, Notice, NoticeKind
from bot.domain.model import ChannelAddress, Speaker
from bot.messages import RunCommand
from tests.services.team import ALICE, BOSS, GENERAL, MONDAY, Team, berlin, day


async def told(team: Team, command: str, by: Speaker = BOSS) -> str:
    """What `command` told its speaker, checking that it told only them, as information, and that nothing was
    posted or planned differently."""
    posts, planned = len(team.chat.posts), await team.pending_posts()
    reply = await team.prep(command, by=by)
    (notice,) = reply.cards
    assert isinstance(notice, Notice) and notice.kind is NoticeKind.INFO, notice
    assert len(team.chat.posts) == posts
    assert await team.pending_posts() == planned
    return notice.text


async def test_a_second_unsubscribe_says_the_channel_is_not_subscribed(team: Team) -> None:
    await team.subscribe()
    await team.prep("unsubscribe")

    assert await told(team, "unsubscribe") == "This channel is not subscribed, so there is nothing to unsubscribe."


@pytest.mark.parametrize("command", ["pause", "resume", "skip"])
async def test_pause_resume_or_skip_on_a_channel_never_subscribed_says_it_is_not_subscribed(
        team: Team, command: str) -> None:
    assert await told(team, command) == f"This channel is not subscribed, so there is nothing to {command}."


async def test_pausing_a_paused_channel_says_it_is_already_paused(team: Team) -> None:
    await team.subscribe()
    await team.prep("pause")

    assert await told(team, "pause") == "The daily question is already paused in this channel."


async def test_resuming_a_channel_that_is_not_paused_says_there_is_nothing_to_resume(team: Team) -> None:
    await team.subscribe()

    assert await told(team, "resume") == \
        "The daily question is not paused in this channel, so there is nothing to resume."


async def test_skipping_while_paused_says_there_is_no_question_to_skip(team: Team) -> None:
    await team.subscribe()
    await team.prep("pause")

    assert await told(team, "skip") == "The daily question is paused in this channel, so there is no question to skip."


async def test_removing_a_holiday_that_was_never_added_says_so(team: Team) -> None:
    await team.subscribe()

    assert await told(team, "holidays remove 2026-12-24") == \
        "2026-12-24 is not one of this channel's holidays, so there is nothing to remove."
    assert await told(team, "holidays remove 2026-12-24 2026-12-31") == \
        "2026-12-24 and 2026-12-31 are not any of this channel's holidays, so there is nothing to remove."


async def test_adding_a_holiday_already_there_says_so(team: Team) -> None:
    await team.subscribe()
    await team.prep("holidays add 2026-12-02")

    assert await told(team, "holidays add 2026-12-02") == "2026-12-02 is already one of this channel's holidays."


async def test_adding_holidays_of_which_one_is_already_there_adds_the_others_and_says_which_was(team: Team) -> None:
    await team.subscribe()
    await team.prep("holidays add 2026-12-02")

    reply = await team.prep("holidays add 2026-12-02 2026-12-03")

    assert [card.text for card in reply.cards if isinstance(card, Notice)] == \
        ["2026-12-02 is already one of this channel's holidays."]
    assert "2026-12-02, 2026-12-03" in team.channel_notices()[-1].text
    await team.until(berlin(day(4), 18, 0))
    assert [q.question.deadline_at.date() for q in team.questions()] == [MONDAY, day(1), day(4)]


async def test_following_the_country_already_followed_says_so(team: Team) -> None:
    await team.subscribe()
    assert await told(team, "holidays none") == \
        "This channel follows no country's public holidays, so there are none to turn off."
    await team.prep("holidays DE")

    assert await told(team, "holidays de") == "This channel already follows DE public holidays."


async def test_subscribing_again_to_the_same_schedule_says_it_is_already_subscribed(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 17:00")

    text = await told(team, "subscribe Europe/Berlin 09:30 17:00")

    assert text.startswith("This channel is already subscribed to this schedule: mon-fri at 09:30 Europe/Berlin")
    assert text.endswith("next question Mon 30 Nov 09:30 Europe/Berlin.")


async def test_subscribing_a_paused_channel_again_resumes_it(team: Team) -> None:
    await team.subscribe()
    await team.prep("pause")

    await team.subscribe()

    assert "bea subscribed this channel" in team.channel_notices()[-1].text
    assert await team.pending_posts() == [berlin(MONDAY, 9, 30)]


async def test_setting_a_value_the_schedule_already_has_says_nothing_changes(team: Team) -> None:
    await team.subscribe()

    assert (await told(team, "config time 09:30")).startswith(
        "Nothing to change: the schedule already reads mon-fri at 09:30 Europe/Berlin, answers close at 17:00")


async def test_opting_out_twice_says_the_member_is_already_anonymous(team: Team) -> None:
    await team.prep("optout", by=ALICE)

    assert await told(team, "optout", by=ALICE) == \
        "You are already shown as 'anonymous' on boards and reveals; /prep optin shows your name again."


async def test_opting_in_when_not_opted_out_says_the_name_already_shows(team: Team) -> None:
    assert await told(team, "optin", by=ALICE) == "Boards and reveals already show your name; /prep optout hides it."

    await team.prep("optout", by=ALICE)
    reply = await team.prep("optin", by=ALICE)
    assert [card.text for card in reply.cards if isinstance(card, Notice)] == \
        ["Done: boards and reveals show your name again."]


async def test_a_second_skip_skips_the_question_after_the_skipped_one(team: Team) -> None:
    await team.subscribe()
    await team.prep("skip")
    await team.prep("skip")

    assert "skipped the question of Tue 01 Dec" in team.channel_notices()[-1].text
    assert await team.pending_posts() == [berlin(MONDAY + timedelta(days=2), 9, 30)]


async def test_a_change_stored_before_a_crash_is_announced_when_the_command_runs_again(team: Team) -> None:
    await team.subscribe()
    handled = await team.bot.handle_command(RunCommand(GENERAL, BOSS, "pause", "general"), "delivery-1")
    assert handled.follow_up is not None
    announcing = asyncio.Event()

    async def hang(channel: ChannelAddress, card: Card) -> str:
        announcing.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    team.chat.post_message = hang  # type: ignore[method-assign]
    first_run = asyncio.create_task(handled.follow_up())
    await announcing.wait()  # the pause is stored; the process dies before the channel hears of it
    first_run.cancel()
    del team.chat.post_message
    await team.restart(berlin(MONDAY, 7, 5))

    assert "bea paused the daily question" in team.channel_notices()[-1].text
    assert team.private_notices(BOSS) == []
