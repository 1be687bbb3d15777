"""A channel's welcome is claimed once, recorded when posted, and given back only while it was not posted."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.domain.model import ChannelAddress
from bot.store.unit_of_work import Store
from tests.store.queries import welcome_posted_at

GENERAL = ChannelAddress("slack", "T1", "C1")
NOON = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


async def test_a_welcome_is_claimed_once_per_channel(store: Store) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.welcomes.claim(GENERAL, NOON)
        assert not await uow.welcomes.claim(GENERAL, NOON)
        assert await uow.welcomes.claim(ChannelAddress("slack", "T1", "C2"), NOON)
        assert await uow.welcomes.claim(ChannelAddress("discord", "T1", "C1"), NOON)
        await uow.commit()


async def test_a_posted_welcome_is_kept_and_an_unposted_one_can_be_given_back(store: Store) -> None:
    later = NOON + timedelta(seconds=2)
    async with store.unit_of_work() as uow:
        await uow.welcomes.claim(GENERAL, NOON)
        await uow.welcomes.release(GENERAL)
        assert await uow.welcomes.claim(GENERAL, NOON)
        await uow.welcomes.posted(GENERAL, "1700000000.000100", later)
        await uow.welcomes.release(GENERAL)
        await uow.commit()
    assert await welcome_posted_at(store, GENERAL) == later
    async with store.unit_of_work() as uow:
        assert not await uow.welcomes.claim(GENERAL, later)
