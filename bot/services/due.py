"""Running whatever work is due: claim each task atomically, run it, mark it done or hand it back."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta

from bot.config import Settings
from bot.domain.model import Task, TaskKind
from bot.ports import ChatPort, Metrics
from bot.questions import QuestionBank
from bot.services.boards import post_weekly_board
from bot.services.rounds import TaskResult, post_daily, reveal
from bot.store.unit_of_work import Store

log = logging.getLogger("prepbot.due")
LEASE = timedelta(minutes=2)
RETRY_AFTER_FAILURE = timedelta(minutes=1)


async def _run(
    task: Task, *, store: Store, chat: ChatPort, bank: QuestionBank, settings: Settings, now: datetime
) -> TaskResult:
    if task.kind is TaskKind.POST_DAILY:
        return await post_daily(task, store=store, chat=chat, bank=bank, settings=settings, now=now)
    if task.kind is TaskKind.REVEAL:
        return await reveal(task, store=store, chat=chat, bank=bank, settings=settings, now=now)
    return await post_weekly_board(task, store=store, chat=chat, now=now)


async def run_due_work(
    *, store: Store, chat: ChatPort, bank: QuestionBank, settings: Settings, now: datetime, batch: int = 200,
    concurrency: int = 32, metrics: Metrics | None = None,
) -> int:
    """Runs every task due at `now` that nobody else holds, up to `concurrency` at once (so a 09:00 fan-out to many
    channels waits on the platforms in parallel); returns how many were run."""
    token = uuid.uuid4().hex
    seen: set[int] = set()
    slots = asyncio.Semaphore(concurrency)

    async def run_one(task_id: int) -> bool:
        async with slots:
            async with store.unit_of_work() as uow:
                task = await uow.tasks.claim(task_id, now, LEASE, token)
                await uow.commit()
            if task is None:
                return False
            if metrics is not None:
                metrics.due_work_ran(task.kind.value, (now - task.due_at).total_seconds())
            try:
                result = await _run(task, store=store, chat=chat, bank=bank, settings=settings, now=now)
            except Exception:
                log.exception("%s task %s failed; it will be retried", task.kind.value, task.id)
                result = TaskResult("failed", done=False, retry_at=now + RETRY_AFTER_FAILURE)
            async with store.unit_of_work() as uow:
                if result.done:
                    await uow.tasks.complete(task, now, result.outcome)
                else:
                    await uow.tasks.release(task, result.retry_at or now + RETRY_AFTER_FAILURE)
                await uow.commit()
            log.info("%s task %s: %s", task.kind.value, task.id, result.outcome)
            return True

    ran = 0
    while True:
        async with store.unit_of_work() as uow:
            ids = [i for i in await uow.tasks.due_ids(now, batch) if i not in seen]
        if not ids:
            return ran
        seen.update(ids)
        ran += sum(await asyncio.gather(*(run_one(task_id) for task_id in ids)))


async def next_due_at(store: Store) -> datetime | None:
    """When the earliest pending task is due, or None when nothing is pending."""
    async with store.unit_of_work() as uow:
        return await uow.tasks.next_due()
