"""Rounds: one daily round per channel and date, any number of practice rounds."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.model import ChannelAddress, RoundKind, RoundStatus
from bot.domain.questions import Level
from bot.store.unit_of_work import Store
from tests.store.queries import rounds_in_channel
from tests.store.records import MONDAY, NOW, a_channel, a_round


async def test_a_new_daily_round_is_pending_until_it_is_posted(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        round_ = await a_round(uow, channel, level=Level.ADVANCED, question_id="advanced-03")
        await uow.commit()
    assert round_.status is RoundStatus.PENDING
    assert (round_.question_id, round_.level, round_.kind, round_.local_date) == (
        "advanced-03", Level.ADVANCED, RoundKind.DAILY, MONDAY)
    assert round_.message_ref is None and round_.posted_at is None


async def test_a_second_daily_round_for_the_same_channel_and_date_is_refused(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        first = await a_round(uow, channel, question_id="beginner-01")
        await uow.commit()
    async with store.unit_of_work() as uow:
        second = await uow.rounds.create(channel.id, "beginner-02", Level.BEGINNER, RoundKind.DAILY, MONDAY, NOW)
        await uow.commit()
        daily = await uow.rounds.daily(channel.id, MONDAY)

    assert second is None
    assert daily is not None and daily.id == first.id and daily.question_id == "beginner-01"


async def test_the_next_date_and_another_channel_each_get_their_own_daily_round(store: Store) -> None:
    async with store.unit_of_work() as uow:
        general = await a_channel(uow)
        random = await a_channel(uow, ChannelAddress("console", "local", "random"))
        await a_round(uow, general)
        tuesday = await uow.rounds.create(
            general.id, "beginner-02", Level.BEGINNER, RoundKind.DAILY, MONDAY + timedelta(days=1), NOW)
        elsewhere = await uow.rounds.create(random.id, "beginner-01", Level.BEGINNER, RoundKind.DAILY, MONDAY, NOW)
        await uow.commit()
    assert tuesday is not None
    assert elsewhere is not None


async def test_practice_rounds_are_not_limited_per_channel_and_day(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        await a_round(uow, channel)  # the day's daily round does not stand in the way either
        practice = [
            await uow.rounds.create(channel.id, f"advanced-0{n}", Level.ADVANCED, RoundKind.PRACTICE, MONDAY, NOW)
            for n in range(1, 6)
        ]
        await uow.commit()
    everything = await rounds_in_channel(store, channel.id)

    assert all(r is not None for r in practice)
    assert len({r.id for r in practice if r is not None}) == 5
    assert len(everything) == 6
