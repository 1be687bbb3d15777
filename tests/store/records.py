"""Small builders for rows the store tests need: a channel, a member, a round."""

from __future__ import annotations

from datetime import date, datetime, timezone

from bot.domain.model import Channel, ChannelAddress, Member, Round, RoundKind, Speaker
from bot.domain.questions import Level
from bot.domain.schedule import Schedule
from bot.store.unit_of_work import UnitOfWork

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)  # a Monday
MONDAY = date(2026, 11, 30)
GENERAL = ChannelAddress("console", "local", "general")


async def a_channel(uow: UnitOfWork, address: ChannelAddress = GENERAL) -> Channel:
    return await uow.channels.get_or_create(address, address.channel, Schedule(), NOW)


async def a_member(uow: UnitOfWork, ref: str, name: str | None = None) -> Member:
    return await uow.members.upsert("console", "local", Speaker(ref, name or ref))


async def a_round(
    uow: UnitOfWork,
    channel: Channel,
    *,
    kind: RoundKind = RoundKind.DAILY,
    day: date = MONDAY,
    level: Level = Level.BEGINNER,
    question_id: str = "beginner-01",
) -> Round:
    round_ = await uow.rounds.create(channel.id, question_id, level, kind, day, NOW)
    assert round_ is not None
    return round_
