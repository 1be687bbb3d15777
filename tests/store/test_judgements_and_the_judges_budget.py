"""The AI judge's records: a judgement stored once under its key, and a daily budget that no two workers overspend."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

from bot.store.unit_of_work import Store
from tests.store.queries import judge_calls_on

DAY = date(2026, 11, 30)
AT = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)


async def take(store: Store, day: date, limit: int) -> bool:
    async with store.unit_of_work() as uow:
        allowed = await uow.judgements.take_call(day, limit)
        await uow.commit()
    return allowed


async def test_workers_taking_calls_at_once_never_count_more_than_the_days_budget(store: Store) -> None:
    taken = await asyncio.gather(*(take(store, DAY, 5) for _ in range(12)))

    assert sum(taken) == 5
    assert await take(store, date(2026, 12, 1), 5), "a new UTC day has a new budget"
    assert await judge_calls_on(store, DAY) == 5


async def test_a_budget_of_zero_allows_no_call(store: Store) -> None:
    assert not await take(store, DAY, 0)


async def test_a_judgement_stored_twice_under_one_key_keeps_the_first(store: Store) -> None:
    async with store.unit_of_work() as uow:
        await uow.judgements.save("k" * 64, "model-a", '[{"covered": true, "quote": "x"}]', "first", AT)
        await uow.judgements.save("k" * 64, "model-a", "[]", "second", AT)
        await uow.commit()
    async with store.unit_of_work() as uow:
        found = await uow.judgements.find_many(["k" * 64, "missing"])
    assert list(found) == ["k" * 64] and found["k" * 64].feedback == "first"
