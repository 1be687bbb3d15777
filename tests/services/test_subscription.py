"""Subscribing a channel: admins can, and everyone sees it; others are told no and nothing changes."""

from __future__ import annotations

from datetime import timedelta

from bot.cards import NoticeKind
from tests.services.team import ALICE, BOSS, MONDAY, Team, berlin, notice_at, only_notice


async def test_an_admin_subscribing_announces_the_schedule_and_the_first_question_to_the_channel(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 17:00")

    (announcement,) = team.channel_notices()
    assert "bea subscribed this channel" in announcement.text
    assert "mon-fri at 09:30 Europe/Berlin" in announcement.text
    assert "answers close at 17:00" in announcement.text
    assert "next question Mon 30 Nov 09:30 Europe/Berlin" in announcement.text
    assert await team.pending_posts() == [berlin(MONDAY, 9, 30)]


async def test_a_member_who_is_not_an_admin_cannot_subscribe_and_nothing_changes(team: Team) -> None:
    reply = await team.prep("subscribe 09:30 Europe/Berlin mon-fri 17:00", by=ALICE)

    notice = only_notice(reply)
    assert notice.kind is NoticeKind.ERROR
    assert "admins" in notice.text and "nothing was changed" in notice.text
    assert team.chat.posts == []
    assert await team.bot.next_due() is None

    config = await team.prep("config", by=BOSS)
    shown = only_notice(config)
    assert "not subscribed" in shown.text
    assert "no question is scheduled" in shown.text
    assert "Europe/Berlin" not in shown.text


async def test_a_member_who_is_not_an_admin_cannot_change_a_subscribed_channels_schedule(team: Team) -> None:
    await team.subscribe()
    before = (await team.prep("config")).cards

    reply = await team.prep("config time 11:00", by=ALICE)

    assert notice_at(reply).kind is NoticeKind.ERROR
    assert (await team.prep("config")).cards == before
    assert await team.pending_posts() == [berlin(MONDAY, 9, 30)]


async def test_nobody_hears_of_a_subscription_until_an_admin_makes_one(team: Team) -> None:
    await team.until(berlin(MONDAY, 18, 0))
    assert team.chat.posts == []


async def test_after_an_admin_unsubscribes_no_more_daily_questions_are_posted(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    await team.prep("unsubscribe")
    assert "unsubscribed" in team.channel_notices()[-1].text

    await team.until(berlin(MONDAY + timedelta(days=3), 18, 0))

    assert len(team.questions()) == 1
    assert len(team.reveals()) == 1  # the question already asked is still revealed


async def test_a_schedule_that_cannot_work_is_refused_with_a_reason_and_nothing_changes(team: Team) -> None:
    reply = await team.prep("subscribe 17:00 Europe/Berlin mon-fri 09:00")

    notice = only_notice(reply)
    assert notice.kind is NoticeKind.ERROR
    assert "deadline" in notice.text
    assert team.chat.posts == []
    assert await team.bot.next_due() is None
