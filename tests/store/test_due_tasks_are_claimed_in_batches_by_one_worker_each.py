"""Due tasks are claimed in batches, each by one worker.

Due work is claimed several tasks to a statement: never more than asked for, earliest first, each task by one
worker only (even when workers claim at the same moment), and finished in one statement by whoever holds it."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from bot.domain.model import ChannelAddress, TaskKind
from bot.store.unit_of_work import Store
from tests.store.queries import due_task_ids
from tests.store.records import NOW, a_channel, a_round

LEASE = timedelta(minutes=2)
TASKS = 50


async def _many_tasks(store: Store, count: int = TASKS) -> list[int]:
    async with store.unit_of_work() as uow:
        for n in range(count):
            channel = await a_channel(uow, ChannelAddress("console", "local", f"c{n}"))
            await uow.tasks.schedule(TaskKind.POST_DAILY, channel.id, NOW + timedelta(seconds=count - n),
                                     f"post:{channel.id}:2026-11-30", slot_date=date(2026, 11, 30))
        await uow.commit()
    return await due_task_ids(store, NOW + timedelta(hours=1), count)


async def _claim_due(store: Store, token: str, limit: int, at: timedelta = timedelta(hours=1)) -> list[int]:
    async with store.unit_of_work() as uow:
        tasks = await uow.tasks.claim_due(NOW + timedelta(hours=1), NOW + at, LEASE, token, limit)
        await uow.commit()
    assert all(t.claim_token == token for t in tasks)
    return [t.id for t in tasks]


async def test_a_claim_takes_at_most_the_tasks_asked_for_earliest_due_first(store: Store) -> None:
    due_order = await _many_tasks(store)

    first = await _claim_due(store, "worker-a", 8)
    second = await _claim_due(store, "worker-b", 8)

    assert first == due_order[:8]
    assert second == due_order[8:16]


async def test_workers_claiming_at_the_same_moment_get_disjoint_tasks_and_every_task_once(store: Store) -> None:
    due_order = await _many_tasks(store)

    claims = await asyncio.gather(*(_claim_due(store, f"worker-{n}", 7) for n in range(10)))

    claimed = [task_id for claim in claims for task_id in claim]
    assert all(len(claim) <= 7 for claim in claims)
    assert sorted(claimed) == sorted(due_order)  # 50 tasks, 70 asked for: each handed out exactly once


async def test_claimed_tasks_wait_for_their_lease_to_expire_before_another_worker_takes_them(store: Store) -> None:
    await _many_tasks(store, 3)
    mine = await _claim_due(store, "worker-a", 10)

    assert await _claim_due(store, "worker-b", 10, at=timedelta(hours=1) + LEASE / 2) == []
    assert sorted(await _claim_due(store, "worker-b", 10, at=timedelta(hours=1) + LEASE * 2)) == sorted(mine)


async def test_finished_tasks_are_completed_together_and_only_under_the_claim_that_holds_them(store: Store) -> None:
    await _many_tasks(store, 4)
    async with store.unit_of_work() as uow:
        stale = await uow.tasks.claim_due(NOW + timedelta(hours=1), NOW, LEASE, "worker-a", 4)
        await uow.commit()
        current = await uow.tasks.claim_due(NOW + timedelta(hours=1), NOW + LEASE * 2, LEASE, "worker-b", 2)
        await uow.commit()
        await uow.tasks.complete_many([(task, f"done by a: {task.id}") for task in stale], NOW + LEASE * 2)
        await uow.commit()
    left = await due_task_ids(store, NOW + LEASE * 10, 10)

    taken_over = {t.id for t in current}
    assert sorted(left) == sorted(taken_over)  # worker-b holds those: worker-a's completion left them alone


async def test_a_post_is_planned_once_and_not_for_a_day_that_already_has_its_round(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        await a_round(uow, channel, day=date(2026, 12, 1))
        monday = await uow.tasks.schedule_post(channel.id, NOW, "post:1:2026-11-30", date(2026, 11, 30))
        again = await uow.tasks.schedule_post(channel.id, NOW, "post:1:2026-11-30", date(2026, 11, 30))
        tuesday = await uow.tasks.schedule_post(channel.id, NOW + timedelta(days=1), "post:1:2026-12-01",
                                                date(2026, 12, 1))
        await uow.commit()
        pending = await uow.tasks.pending(channel.id, TaskKind.POST_DAILY)

    assert (monday, again, tuesday) == (True, False, False)
    assert pending == [NOW]
