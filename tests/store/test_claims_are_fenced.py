"""Claims on due work are fenced.

Claims are fenced: a worker whose claim was taken over can neither keep it alive nor record anything under it,
and what the worker that took the task over recorded stands."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.model import Speaker, Task, TaskKind
from bot.messages import RunCommand
from bot.store.intake import CommandToQueue
from bot.store.unit_of_work import Store
from tests.store.queries import due_task_ids, task_outcome
from tests.store.records import GENERAL, NOW, a_channel, a_round

LEASE = timedelta(seconds=30)


async def _task_with_round(store: Store) -> tuple[int, int]:
    """A daily post task due at NOW and its pending round: (task id, round id)."""
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        round_ = await a_round(uow, channel)
        await uow.tasks.schedule(TaskKind.POST_DAILY, channel.id, NOW, "post:1:2026-11-30", round_id=round_.id,
                                 slot_date=date(2026, 11, 30))
        await uow.commit()
    return (await _due(store))[0], round_.id


async def _due(store: Store) -> list[int]:
    return await due_task_ids(store, NOW + timedelta(days=1), 10)


async def _claim(store: Store, at: timedelta, token: str) -> Task:
    async with store.unit_of_work() as uow:
        claimed = await uow.tasks.claim_due(NOW, NOW + at, LEASE, token, 1)
        await uow.commit()
    assert len(claimed) == 1
    return claimed[0]


async def _taken_over(store: Store) -> tuple[Task, Task, int]:
    """Worker a claims the task, stalls past its lease, and worker b takes the task over: (a's, b's, round id)."""
    _, round_id = await _task_with_round(store)
    stale = await _claim(store, timedelta(0), "worker-a")
    current = await _claim(store, LEASE + timedelta(seconds=1), "worker-b")
    return stale, current, round_id


async def test_the_holder_keeps_its_claim_by_extending_it_and_nobody_takes_it_meanwhile(store: Store) -> None:
    await _task_with_round(store)
    mine = await _claim(store, timedelta(0), "worker-a")
    async with store.unit_of_work() as uow:
        assert await uow.tasks.extend(mine, NOW + LEASE * 2) is True
        await uow.commit()
    async with store.unit_of_work() as uow:
        theirs = await uow.tasks.claim_due(NOW, NOW + LEASE + timedelta(seconds=1), LEASE, "worker-b", 1)
        await uow.commit()
    assert theirs == []


async def test_a_worker_whose_claim_was_taken_over_cannot_extend_it(store: Store) -> None:
    stale, current, _ = await _taken_over(store)
    async with store.unit_of_work() as uow:
        assert await uow.tasks.extend(stale, NOW + LEASE * 3) is False
        assert await uow.tasks.renew([stale.claim_token], NOW + LEASE * 3) == set()
        assert await uow.tasks.renew([current.claim_token], NOW + LEASE * 3) == {current.id}
        await uow.commit()


async def test_the_late_record_of_a_worker_that_lost_its_claim_is_refused_and_the_takers_record_stands(
    store: Store
) -> None:
    stale, current, round_id = await _taken_over(store)
    async with store.unit_of_work() as uow:
        assert await uow.rounds.mark_posted(round_id, "taker-ts", NOW + LEASE, NOW + timedelta(hours=8),
                                            fence=current) is True
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.rounds.mark_posted(round_id, "stale-ts", NOW + LEASE * 2, NOW + timedelta(hours=9),
                                            fence=stale) is False
        assert await uow.rounds.mark_reveal_posted(round_id, "stale-reveal", fence=stale) is False
        await uow.commit()
        round_ = await uow.rounds.get(round_id)
    assert (round_.message_ref, round_.deadline_at, round_.reveal_ref) == ("taker-ts", NOW + timedelta(hours=8), None)


async def test_a_weekly_board_recorded_late_by_a_worker_that_lost_its_claim_leaves_the_takers_record_alone(
    store: Store
) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        await uow.tasks.schedule(TaskKind.WEEKLY_BOARD, channel.id, NOW, "board:1:2026-11-23",
                                 slot_date=date(2026, 11, 23))
        await uow.commit()
    stale = await _claim(store, timedelta(0), "worker-a")
    current = await _claim(store, LEASE + timedelta(seconds=1), "worker-b")
    async with store.unit_of_work() as uow:
        await uow.tasks.complete_many([(current, "posted weekly board for 2026-11-23")], NOW + LEASE * 2)
        await uow.commit()
    async with store.unit_of_work() as uow:
        await uow.tasks.complete_many([(stale, "posted weekly board for 2026-11-23, late")], NOW + LEASE * 3)
        await uow.tasks.release(stale, NOW + LEASE * 3)
        await uow.commit()
    assert await task_outcome(store, current.id) == (NOW + LEASE * 2, "posted weekly board for 2026-11-23")
    assert await _due(store) == []


async def test_a_worker_that_lost_its_claim_cannot_hand_the_task_back_from_under_the_taker(store: Store) -> None:
    stale, current, _ = await _taken_over(store)
    async with store.unit_of_work() as uow:
        await uow.tasks.release(stale, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.tasks.claim_due(NOW, NOW + LEASE + timedelta(seconds=2), LEASE, "worker-c", 1) == []
        assert await uow.tasks.extend(current, NOW + LEASE * 2) is True
        await uow.commit()


async def test_the_claims_of_a_dead_worker_are_freed_at_once_and_no_one_elses(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        for n in range(4):
            await uow.tasks.schedule(TaskKind.REVEAL, channel.id, NOW, f"reveal:{n}")
        await uow.commit()
        dead = await uow.tasks.claim_due(NOW, NOW, LEASE, "dead-worker", 3)
        alive = await uow.tasks.claim_due(NOW, NOW, LEASE, "live-worker", 3)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.tasks.claim_tokens(NOW) == {"dead-worker", "live-worker"}
        assert await uow.tasks.release_claims(["dead-worker"]) == 3
        await uow.commit()
    async with store.unit_of_work() as uow:
        again = await uow.tasks.claim_due(NOW, NOW + timedelta(seconds=1), LEASE, "restarted", 10)
        await uow.commit()
    assert sorted(t.id for t in again) == sorted(t.id for t in dead)
    assert len(alive) == 1


async def test_a_queued_command_names_its_holder_whose_hold_is_renewed_or_freed(store: Store) -> None:
    command = RunCommand(GENERAL, Speaker("u1", "alice"), "stats", "general")
    async with store.unit_of_work() as uow:
        ids = await uow.inbox.add_many([CommandToQueue(command, "k1", NOW, NOW + LEASE, "dead-worker")])
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.inbox.claim_tokens(NOW) == {"dead-worker"}
        assert await uow.inbox.claim_next(NOW + timedelta(seconds=1), LEASE, "other") is None  # held
        await uow.inbox.renew([ids["k1"]], NOW + LEASE * 2)
        assert await uow.inbox.claim_next(NOW + LEASE + timedelta(seconds=1), LEASE, "other") is None  # renewed
        assert await uow.inbox.release_claims(["dead-worker"]) == 1
        claimed = await uow.inbox.claim_next(NOW + timedelta(seconds=2), LEASE, "restarted")
        await uow.commit()
        assert await uow.inbox.claim_tokens(NOW + timedelta(seconds=2)) == {"restarted"}
    assert claimed is not None and claimed[0] == ids["k1"] and claimed[1] == command
