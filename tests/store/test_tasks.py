"""Tasks: scheduled once per piece of work, claimed by one worker at a time, completed only by the holder."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from bot.domain.model import Task, TaskKind
from bot.store.unit_of_work import Store
from tests.store.queries import due_task_ids, task_finished_at
from tests.store.records import NOW, a_channel

LEASE = timedelta(minutes=2)


async def _one_task(store: Store, due_offset: timedelta = timedelta(0), key: str = "post:1:2026-11-30") -> int:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        await uow.tasks.schedule(TaskKind.POST_DAILY, channel.id, NOW + due_offset, key, slot_date=date(2026, 11, 30))
        await uow.commit()
    ids = await due_task_ids(store, NOW + due_offset, 10)
    return ids[-1]


async def _claim(store: Store, task_id: int, at_offset: timedelta, token: str) -> Task | None:
    """Claims what is due at the offset, as the due-work runner does, one task at a time: the task when it was
    claimed, None when it was not (done, held by someone else, or not the earliest due)."""
    async with store.unit_of_work() as uow:
        claimed = await uow.tasks.claim_due(NOW + at_offset, NOW + at_offset, LEASE, token, 1)
        await uow.commit()
    return next((task for task in claimed if task.id == task_id), None)


async def _complete(store: Store, task: Task, at_offset: timedelta) -> bool:
    """Completes the task with this claim; True when that completion is the one recorded."""
    async with store.unit_of_work() as uow:
        await uow.tasks.complete_many([(task, "done")], NOW + at_offset)
        await uow.commit()
    return await task_finished_at(store, task.id) == NOW + at_offset


async def test_the_same_piece_of_work_is_scheduled_only_once(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        first = await uow.tasks.schedule(TaskKind.POST_DAILY, channel.id, NOW, "post:1:2026-11-30")
        second = await uow.tasks.schedule(TaskKind.POST_DAILY, channel.id, NOW + timedelta(hours=1), "post:1:2026-11-30")
        await uow.commit()
        pending = await uow.tasks.pending(channel.id, TaskKind.POST_DAILY)
    assert (first, second) == (True, False)
    assert pending == [NOW]


async def test_a_claimed_task_cannot_be_claimed_by_another_worker_while_the_lease_holds(store: Store) -> None:
    task_id = await _one_task(store)
    mine = await _claim(store, task_id, timedelta(0), "worker-a")
    theirs = await _claim(store, task_id, timedelta(minutes=1), "worker-b")
    assert mine is not None and mine.claim_token == "worker-a"
    assert theirs is None


async def test_a_claimed_task_is_not_listed_as_due_while_the_lease_holds(store: Store) -> None:
    task_id = await _one_task(store)
    await _claim(store, task_id, timedelta(0), "worker-a")
    during = await due_task_ids(store, NOW + timedelta(minutes=1), 10)
    after = await due_task_ids(store, NOW + LEASE + timedelta(seconds=1), 10)
    assert during == []
    assert after == [task_id]


async def test_another_worker_takes_over_a_task_once_the_lease_has_expired(store: Store) -> None:
    task_id = await _one_task(store)
    await _claim(store, task_id, timedelta(0), "worker-a")
    theirs = await _claim(store, task_id, LEASE + timedelta(seconds=1), "worker-b")
    assert theirs is not None and theirs.claim_token == "worker-b" and theirs.id == task_id


async def test_a_worker_whose_claim_was_taken_over_cannot_complete_the_task(store: Store) -> None:
    task_id = await _one_task(store)
    stale = await _claim(store, task_id, timedelta(0), "worker-a")
    current = await _claim(store, task_id, LEASE + timedelta(seconds=1), "worker-b")
    assert stale is not None and current is not None

    assert await _complete(store, stale, LEASE + timedelta(seconds=2)) is False
    assert await _complete(store, current, LEASE + timedelta(seconds=3)) is True
    assert await _complete(store, current, LEASE + timedelta(seconds=4)) is False  # already done


async def test_a_completed_task_is_never_claimed_or_due_again(store: Store) -> None:
    task_id = await _one_task(store)
    task = await _claim(store, task_id, timedelta(0), "worker-a")
    assert task is not None and await _complete(store, task, timedelta(seconds=1))

    assert await _claim(store, task_id, timedelta(hours=1), "worker-b") is None
    assert await due_task_ids(store, NOW + timedelta(days=1), 10) == []


async def test_two_workers_claiming_the_same_task_at_the_same_moment_get_it_only_once(store: Store) -> None:
    task_id = await _one_task(store)
    claims = await asyncio.gather(*(_claim(store, task_id, timedelta(0), f"worker-{n}") for n in range(5)))
    winners = [c for c in claims if c is not None]
    assert len(winners) == 1


async def test_next_due_is_the_earliest_task_not_yet_done(store: Store) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.tasks.next_due() is None
        channel = await a_channel(uow)
        await uow.tasks.schedule(TaskKind.REVEAL, channel.id, NOW + timedelta(hours=7), "reveal:1")
        await uow.tasks.schedule(TaskKind.POST_DAILY, channel.id, NOW + timedelta(hours=1), "post:1:2026-11-30")
        await uow.tasks.schedule(TaskKind.WEEKLY_BOARD, channel.id, NOW + timedelta(days=7), "board:1:2026-11-30")
        await uow.commit()
        earliest = await uow.tasks.next_due()
    first_id = (await due_task_ids(store, NOW + timedelta(hours=1), 10))[0]

    assert earliest == NOW + timedelta(hours=1)
    assert earliest is not None and earliest.tzinfo is not None and earliest.utcoffset() == timedelta(0)

    task = await _claim(store, first_id, timedelta(hours=1), "worker-a")
    assert task is not None and await _complete(store, task, timedelta(hours=1))
    async with store.unit_of_work() as uow:
        assert await uow.tasks.next_due() == NOW + timedelta(hours=7)


async def test_a_released_task_is_due_again_at_its_retry_time(store: Store) -> None:
    task_id = await _one_task(store)
    task = await _claim(store, task_id, timedelta(0), "worker-a")
    assert task is not None
    async with store.unit_of_work() as uow:
        await uow.tasks.release(task, NOW + timedelta(minutes=5))
        await uow.commit()
        assert await uow.tasks.next_due() == NOW + timedelta(minutes=5)
    assert await due_task_ids(store, NOW + timedelta(minutes=4), 10) == []
    assert await _claim(store, task_id, timedelta(minutes=5), "worker-b") is not None
