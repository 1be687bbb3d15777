"""A channel is welcomed once when the bot is added to it.

When the bot is added to a channel, one short card says what prepbot does and how an admin starts it: once per
channel, whatever the platform repeats, on every replica and across restarts; a subscribed channel needs none."""

from __future__ import annotations

import asyncio

from bot.cards import WelcomeCard
from bot.domain.model import ChannelAddress
from bot.messages import Ignored
from bot.ports import ChatError
from bot.services.welcome import WelcomeClaimed
from bot.wording import Surface, plain, welcome
from tests.services.team import GENERAL, Team
from tests.store.queries import welcome_posted_at

RANDOM = ChannelAddress("console", "local", "random")


async def welcomed(team: Team, channel: ChannelAddress = GENERAL) -> str | None:
    """Tells the core the bot was added to `channel`, runs what follows, and returns the welcome's ref, if any."""
    handled = await team.bot.welcome(channel)
    if handled.follow_up is None:
        return None
    return await handled.follow_up()


def welcomes(team: Team, channel: ChannelAddress = GENERAL) -> list[str]:
    return [p.ref for p in team.chat.posts if isinstance(p.card, WelcomeCard) and p.channel == channel
            and p.thread_ref is None and p.private_to is None]


async def test_a_channel_the_bot_is_added_to_gets_one_card_saying_what_prepbot_does_and_how_to_start(
        team: Team) -> None:
    ref = await welcomed(team)

    assert welcomes(team) == [ref] and ref is not None
    text = " ".join(plain(line) for part in welcome(WelcomeCard(), Surface()).parts
                    for block in getattr(part, "blocks", ()) for line in block.lines)
    assert "question of the day" in text
    assert "/prep subscribe 09:30 Europe/Berlin mon-fri 17:00" in text
    assert "/prep help" in text
    assert await welcome_posted_at(team.bot.store, GENERAL) == team.now()


async def test_a_second_report_of_the_same_join_posts_nothing_more(team: Team) -> None:
    await welcomed(team)
    again = await team.bot.welcome(GENERAL)

    assert again.outcome == Ignored("the channel was welcomed before") and again.follow_up is None
    assert len(welcomes(team)) == 1


async def test_the_same_join_delivered_twice_at_once_is_welcomed_once(team: Team) -> None:
    first, second = await asyncio.gather(team.bot.welcome(GENERAL), team.bot.welcome(GENERAL))

    assert sorted(isinstance(h.outcome, WelcomeClaimed) for h in (first, second)) == [False, True]
    for handled in (first, second):
        if handled.follow_up is not None:
            await handled.follow_up()
    assert len(welcomes(team)) == 1


async def test_another_replica_and_a_restart_never_welcome_a_channel_again(team: Team) -> None:
    await welcomed(team)
    replica = Team(team.database_url, team.clock, chat=team.chat)
    await replica.bot.start()
    try:
        assert await welcomed(replica) is None
    finally:
        await replica.bot.close()
    await team.restart()

    assert await welcomed(team) is None
    assert len(welcomes(team)) == 1


async def test_each_channel_is_welcomed_on_its_own(team: Team) -> None:
    await welcomed(team)
    await welcomed(team, RANDOM)

    assert len(welcomes(team)) == 1 and len(welcomes(team, RANDOM)) == 1


async def test_a_channel_already_subscribed_gets_no_welcome(team: Team) -> None:
    await team.subscribe()
    before = len(team.chat.posts)

    handled = await team.bot.welcome(GENERAL)

    assert handled.outcome == Ignored("the channel is subscribed already") and handled.follow_up is None
    assert team.chat.posts[before:] == []


async def test_a_channel_unsubscribed_before_it_was_ever_welcomed_is_welcomed_when_the_bot_comes_back(
        team: Team) -> None:
    await team.subscribe()
    await team.prep("unsubscribe")

    assert await welcomed(team) is not None
    assert len(welcomes(team)) == 1


async def test_a_welcome_the_platform_refused_is_tried_again_the_next_time_the_bot_is_added(team: Team) -> None:
    team.chat.fail_next.append(ChatError("Slack chat.postMessage: not_in_channel", gone=True))

    assert await welcomed(team) is None
    assert welcomes(team) == []
    assert await welcome_posted_at(team.bot.store, GENERAL) is None

    assert await welcomed(team) is not None
    assert len(welcomes(team)) == 1
