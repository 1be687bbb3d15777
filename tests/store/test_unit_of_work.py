"""A unit of work is one transaction: what it wrote is kept only when it commits."""

from __future__ import annotations

import pytest

from bot.domain.model import ChannelAddress
from bot.store.unit_of_work import Store
from tests.store.records import a_channel

RANDOM = ChannelAddress("console", "local", "random")


async def test_changes_are_thrown_away_when_the_unit_of_work_ends_without_commit(store: Store) -> None:
    async with store.unit_of_work() as uow:
        await a_channel(uow, RANDOM)
        assert await uow.channels.find(RANDOM) is not None  # visible inside its own transaction

    async with store.unit_of_work() as uow:
        assert await uow.channels.find(RANDOM) is None


async def test_committed_changes_are_seen_by_the_next_unit_of_work(store: Store) -> None:
    async with store.unit_of_work() as uow:
        await a_channel(uow, RANDOM)
        await uow.commit()

    async with store.unit_of_work() as uow:
        found = await uow.channels.find(RANDOM)
    assert found is not None and found.address == RANDOM


async def test_an_error_inside_a_unit_of_work_throws_away_its_changes(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.unit_of_work() as uow:
            await a_channel(uow, RANDOM)
            raise RuntimeError("the platform call failed half way")

    async with store.unit_of_work() as uow:
        assert await uow.channels.find(RANDOM) is None


async def test_changes_made_after_a_commit_are_thrown_away_without_a_second_commit(store: Store) -> None:
    other = ChannelAddress("console", "local", "other")
    async with store.unit_of_work() as uow:
        await a_channel(uow, RANDOM)
        await uow.commit()
        await a_channel(uow, other)

    async with store.unit_of_work() as uow:
        assert await uow.channels.find(RANDOM) is not None
        assert await uow.channels.find(other) is None
