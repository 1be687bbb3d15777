"""Channels: found or created by address, and their schedules stored without loss."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from bot.domain.model import ChannelAddress
from bot.domain.questions import Level
from bot.domain.schedule import Deadline, Schedule
from bot.store.unit_of_work import Store
from tests.store.records import GENERAL, NOW


async def test_seeing_a_channel_again_returns_the_same_channel_with_its_first_settings(store: Store) -> None:
    first_default = Schedule(tz="Europe/Berlin", post_time=time(9, 30))
    later_default = Schedule(tz="America/New_York", post_time=time(11, 0))
    async with store.unit_of_work() as uow:
        first = await uow.channels.get_or_create(GENERAL, "general", first_default, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        again = await uow.channels.get_or_create(GENERAL, "renamed", later_default, NOW + timedelta(days=1))
        everything = await uow.channels.all()
        await uow.commit()

    assert again == first
    assert again.schedule == first_default
    assert not again.subscribed
    assert [c.id for c in everything] == [first.id]


async def test_the_same_channel_id_in_another_workspace_is_another_channel(store: Store) -> None:
    elsewhere = ChannelAddress("console", "other-team", "general")
    async with store.unit_of_work() as uow:
        here = await uow.channels.get_or_create(GENERAL, "general", Schedule(), NOW)
        there = await uow.channels.get_or_create(elsewhere, "general", Schedule(), NOW)
        await uow.commit()
    assert here.id != there.id
    assert there.address == elsewhere


@pytest.mark.parametrize(
    "deadline",
    [Deadline(after=timedelta(hours=8)), Deadline(after=timedelta(hours=1, minutes=30)),
     Deadline(after=timedelta(days=2)), Deadline(at=time(17, 45))],
    ids=["8h", "1h30m", "2d", "17:45"],
)
async def test_a_saved_schedule_reads_back_exactly_as_it_was_saved(store: Store, deadline: Deadline) -> None:
    schedule = Schedule(
        tz="Asia/Kolkata",
        post_time=time(10, 15),
        weekdays=frozenset({0, 2, 4}),
        deadline=deadline,
        levels=(Level.BEHAVIORAL, Level.ADVANCED),
        paused=True,
        skip_dates=frozenset({date(2026, 12, 2), date(2026, 12, 9)}),
        holiday_country="DE",
        holiday_dates=frozenset({date(2026, 12, 24), date(2026, 12, 31)}),
        board_weekday=4,
        board_time=time(16, 30),
    )
    async with store.unit_of_work() as uow:
        channel = await uow.channels.get_or_create(GENERAL, "general", Schedule(), NOW)
        await uow.channels.save(channel.id, schedule, subscribed=True)
        await uow.commit()

    async with store.unit_of_work() as uow:
        stored = await uow.channels.get(channel.id)
    assert stored.subscribed
    assert stored.schedule == schedule


async def test_clearing_the_holiday_country_and_dates_is_stored_too(store: Store) -> None:
    with_holidays = Schedule(holiday_country="US", holiday_dates=frozenset({date(2026, 12, 24)}))
    async with store.unit_of_work() as uow:
        channel = await uow.channels.get_or_create(GENERAL, "general", with_holidays, NOW)
        await uow.channels.save(channel.id, Schedule(), subscribed=False)
        await uow.commit()

    async with store.unit_of_work() as uow:
        stored = await uow.channels.get(channel.id)
    assert stored.schedule.holiday_country is None
    assert stored.schedule.holiday_dates == frozenset()
    assert stored.schedule == Schedule()
