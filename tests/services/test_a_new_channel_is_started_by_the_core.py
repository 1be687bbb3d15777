"""The core decides how a channel it does not know yet starts.

The console's channel starts at its first line: subscribed with the default schedule in the given zone and, when an AI
judge is configured, graded by it; a known channel is left as it is. The commands run like any member's, and their
replies reach the caller.

Times are Europe/Berlin; 2026-11-30 is a Monday.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.cards import Card
from bot.clock import FakeClock
from bot.domain.model import ChannelAddress
from bot.judging import Judge, JudgeRequest, Judgement, RequestBudget
from bot.messages import RunCommand
from tests.services.team import BOSS, MONDAY, Team, berlin, run_prep

FRESH = ChannelAddress("console", "local", "fresh")


class IdleJudge:
    """An AI judge that is configured but never asked: the channel only has to be able to choose it."""

    model = "idle-judge-1"
    revision = "r1"

    async def judge(self, request: JudgeRequest, *, spend: RequestBudget | None = None) -> Judgement:
        raise AssertionError("no answer is judged here")


@pytest.fixture
async def judged_team(database_url: str) -> AsyncIterator[Team]:
    judge: Judge = IdleJudge()
    team = Team(database_url, FakeClock(berlin(MONDAY, 7, 0)), judge=judge)
    await team.bot.start()
    yield team
    await team.bot.close()


async def start(team: Team, tz: str = "Asia/Tokyo") -> tuple[bool, list[Card]]:
    replies: list[Card] = []

    async def keep(card: Card) -> None:
        replies.append(card)

    started = await team.bot.start_new_channel(FRESH, BOSS, "fresh", tz, keep)
    return started, replies


async def test_a_new_channel_starts_subscribed_in_the_given_zone_and_graded_offline_without_a_judge(
        team: Team) -> None:
    started, replies = await start(team)

    channel = await team.bot.find_channel(FRESH)
    assert started and channel is not None and channel.subscribed
    assert channel.schedule.tz == "Asia/Tokyo" and channel.grader == "offline"
    assert [post.card for post in team.chat.posts if post.channel == FRESH and post.private_to is None], \
        "the subscription is announced in the channel, as a member's is"
    assert replies == []  # a subscription has no private reply


async def test_a_new_channel_is_graded_by_the_ai_judge_when_one_is_configured(judged_team: Team) -> None:
    started, _ = await start(judged_team)

    channel = await judged_team.bot.find_channel(FRESH)
    assert started and channel is not None and channel.subscribed and channel.grader == "ai"


async def test_a_channel_the_core_knows_is_left_as_it_is(judged_team: Team) -> None:
    await run_prep(judged_team.bot, RunCommand(FRESH, BOSS, "subscribe Europe/Berlin", "fresh"))

    started, replies = await start(judged_team)

    channel = await judged_team.bot.find_channel(FRESH)
    assert not started and replies == []
    assert channel is not None and channel.schedule.tz == "Europe/Berlin" and channel.grader == "offline"
