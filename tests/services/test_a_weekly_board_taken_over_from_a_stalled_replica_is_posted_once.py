"""A weekly board taken over from a stalled replica is posted once.

A weekly board whose task a stalled replica held past its lease is posted once, by the replica that took it over,
and what that replica recorded stands when the stalled one wakes.

Times are Europe/Berlin; 2026-11-30 is a Monday, and its week's board is due on Monday 7 December at 09:00.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select

from bot.app import PrepBot
from bot.bootstrap import bootstrap
from bot.cards import Card, FindableCard, LeaderboardCard
from bot.config import Settings
from bot.domain.model import ChannelAddress, TaskKind
from bot.ports import ChatError
from bot.services.claims import ProcessIdentity
from bot.services.planning import board_key
from bot.store.tables import tasks
from tests.fakes.chat import FakeChat, Posted
from tests.services.team import ALICE, GENERAL, MONDAY, NOTHING, Team, berlin, day, open_question, shipped_bank


@dataclass
class Stalling(FakeChat):
    """A chat that holds one of its calls until `go` is set, and sets `waiting` when the call is held."""

    go: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: asyncio.Event = field(default_factory=asyncio.Event)

    async def stall(self) -> None:
        self.waiting.set()
        await self.go.wait()


@dataclass
class SlowLookups(Stalling):
    """A chat whose answer to "was this board posted?" reaches the bot only once `go` is set: a replica stalled
    while it asks."""

    async def find_posted(self, channel: ChannelAddress, card: FindableCard, *, since: datetime,
                          thread_ref: str | None = None) -> str | None:
        found = await super().find_posted(channel, card, since=since, thread_ref=thread_ref)
        await self.stall()
        return found


@dataclass
class SlowBoardPosts(Stalling):
    """A chat that takes a board only once `go` is set: a replica stalled in the middle of posting it."""

    async def post_message(self, channel: ChannelAddress, card: Card) -> str:
        if isinstance(card, LeaderboardCard):
            await self.stall()
        return await super().post_message(channel, card)


def replica(team: Team, chat: FakeChat, host: str) -> PrepBot:
    """Another process on the team's database and clock, posting through `chat`, on a host of its own."""
    bot = bootstrap(replace(Settings(), database_url=team.database_url), chat, team.clock, shipped_bank(),
                    monotonic=time.monotonic)
    bot.due.identity = ProcessIdentity(1, host, "i1")
    return bot


def weekly_boards(chat: FakeChat) -> list[Posted]:
    return [p for p in chat.posts if isinstance(p.card, LeaderboardCard) and p.card.title == "Weekly leaderboard"]


async def board_record(bot: PrepBot, week_start: date) -> tuple[datetime | None, str | None]:
    """When the board task of the week starting on `week_start` was marked done, and how it ended."""
    channel = await bot.find_channel(GENERAL)
    assert channel is not None
    async with bot.store.engine.connect() as connection:
        row = (await connection.execute(select(tasks.c.done_at, tasks.c.outcome)
                                        .where(tasks.c.dedupe_key == board_key(channel.id, week_start)))).one()
    return row.done_at, row.outcome


async def boards_planned(bot: PrepBot) -> list[datetime]:
    async with bot.store.unit_of_work() as uow:
        channel = await uow.channels.find(GENERAL)
        assert channel is not None
        return await uow.tasks.pending(channel.id, TaskKind.WEEKLY_BOARD)


async def two_replicas_before_the_board(team: Team, stalling: FakeChat) -> tuple[PrepBot, PrepBot]:
    """A week with one answered round, then two replicas started a minute before its board: the first posts through
    `stalling`, the other through the team's chat."""
    question = await open_question(team)
    await team.answer(question, NOTHING, by=ALICE)
    await team.until(berlin(day(7), 8, 59))
    await team.bot.close()
    stalled, taker = replica(team, stalling, "host-a"), replica(team, team.chat, "host-b")
    await stalled.start()
    await taker.start()
    return stalled, taker


async def stall_past_the_lease(team: Team, stalled: PrepBot, taker: PrepBot, slow: Stalling,
                               began: datetime) -> tuple[datetime | None, str | None]:
    """`stalled` runs the board's task from `began` and is held in `slow` while the clock passes its lease; `taker`
    takes the task over and records it; then `stalled` wakes and carries on. Returns the taker's record."""
    team.clock.set(began)
    first = asyncio.create_task(stalled.due.drain())
    await asyncio.wait_for(slow.waiting.wait(), 10)  # its claim held when it was stalled
    team.clock.set(berlin(day(7), 9, 5))  # far past its lease
    await taker.due.drain()
    recorded = await board_record(taker, MONDAY)
    team.clock.set(berlin(day(7), 9, 10))
    slow.go.set()
    await asyncio.wait_for(first, 10)  # it wakes with what it was holding and carries on
    await stalled.due.drain()
    return recorded


async def stop_both(team: Team, stalled: PrepBot, taker: PrepBot) -> None:
    """Stops both replicas and leaves the team with a bot of its own on the same database."""
    await stalled.close()
    await taker.close()
    team.bot = replica(team, team.chat, "host-c")
    await team.bot.start()


async def test_a_replica_stalled_past_its_lease_does_not_post_the_weekly_board_again_nor_overwrite_the_takers_record(
    team: Team,
) -> None:
    slow = SlowLookups()
    stalled, taker = await two_replicas_before_the_board(team, slow)
    try:
        # The stalled replica's first attempt is refused, so its retry a minute later asks whether the board went
        # out; the answer ("no") reaches it only after its stall, when the other replica has posted the board.
        slow.fail_next.append(ChatError("Slack chat.postMessage: internal_error"))
        team.clock.set(berlin(day(7), 9, 0))
        await stalled.due.drain()
        recorded = await stall_past_the_lease(team, stalled, taker, slow, berlin(day(7), 9, 1))
    finally:
        await stop_both(team, stalled, taker)

    assert [p.board.period for p in weekly_boards(team.chat) + weekly_boards(slow)] == ["week of 30 Nov 2026"]
    assert recorded == (berlin(day(7), 9, 5), "posted weekly board for 2026-11-30")
    assert await board_record(team.bot, MONDAY) == recorded
    assert await boards_planned(team.bot) == [berlin(day(14), 9, 0)]


async def test_a_replica_stalled_past_its_lease_while_posting_the_weekly_board_does_not_overwrite_the_takers_record(
    team: Team,
) -> None:
    slow = SlowBoardPosts()
    stalled, taker = await two_replicas_before_the_board(team, slow)
    try:  # the platform takes its board at last, and it goes on to record it
        recorded = await stall_past_the_lease(team, stalled, taker, slow, berlin(day(7), 9, 0))
    finally:
        await stop_both(team, stalled, taker)

    assert [p.board.period for p in weekly_boards(team.chat)] == ["week of 30 Nov 2026"]
    assert recorded == (berlin(day(7), 9, 5), "posted weekly board for 2026-11-30")
    assert await board_record(team.bot, MONDAY) == recorded
    assert await boards_planned(team.bot) == [berlin(day(14), 9, 0)]
