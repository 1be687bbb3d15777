"""Running whatever work is due: claim tasks atomically, run them, mark them done or hand them back."""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from datetime import datetime, timedelta

from bot.config import Settings
from bot.domain.model import Task, TaskKind
from bot.logs import log_context
from bot.ports import ChatPort, Metrics
from bot.questions import QuestionBank
from bot.services.boards import post_weekly_board
from bot.services.rounds import TaskResult, post_daily, reveal
from bot.store.unit_of_work import Store, UnitOfWork

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


async def _settle(uow: UnitOfWork, finished: list[tuple[Task, TaskResult]], now: datetime) -> None:
    """Marks the finished tasks done (all in one statement), or hands back those to retry."""
    await uow.tasks.complete_many([(task, result.outcome) for task, result in finished if result.done], now)
    for task, result in finished:
        if not result.done:
            await uow.tasks.release(task, result.retry_at or now + RETRY_AFTER_FAILURE)


def claim_token() -> str:
    """A run's claim token: it names the process (`<pid>-<random>`), so whose claim a task is under can be told."""
    return f"{os.getpid()}-{uuid.uuid4().hex[:24]}"


async def run_due_work(
    *, store: Store, chat: ChatPort, bank: QuestionBank, settings: Settings, now: datetime, batch: int = 200,
    concurrency: int = 32, metrics: Metrics | None = None,
) -> int:
    """Runs every task due at `now` that nobody else holds, up to `concurrency` at once (so a 09:00 fan-out to many
    channels waits on the platforms in parallel); returns how many were run.

    Tasks are claimed several at a time, in one statement, as slots free up (at most `batch` at once), and the
    tasks that finished meanwhile are marked done in the same transaction: a handful of statements per batch rather
    than two transactions per task. A task finished but not yet marked done is still held by this run's claim, and
    running it again would find its work already done (its round posted, its reveal stored), so nothing repeats.
    A claim's lease runs from when it is made, however long the run has been going."""
    token = claim_token()
    began = time.monotonic()

    def current() -> datetime:
        """`now`, moved on by the time this run has taken so far."""
        return now + timedelta(seconds=time.monotonic() - began)

    refill = max(1, concurrency // 4)  # claim again once this many slots are free
    running: set[asyncio.Task[None]] = set()
    finished: list[tuple[Task, TaskResult]] = []

    async def run_one(task: Task) -> None:
        if metrics is not None:
            metrics.due_work_ran(task.kind.value, (now - task.due_at).total_seconds())
        # Every line logged for this task names it; the services add the channel and round once they know them.
        with log_context(task=task.id, kind=task.kind.value, round_id=task.round_id):
            try:
                result = await _run(task, store=store, chat=chat, bank=bank, settings=settings, now=now)
            except Exception:
                log.exception("%s task %s failed; it will be retried", task.kind.value, task.id)
                result = TaskResult("failed", done=False, retry_at=now + RETRY_AFTER_FAILURE)
            finished.append((task, result))
            log.info("%s task %s: %s", task.kind.value, task.id, result.outcome)

    ran = 0
    try:
        while True:
            settling = list(finished)
            finished.clear()
            wanted = min(concurrency - len(running), batch)
            async with store.unit_of_work() as uow:
                await _settle(uow, settling, now)
                claimed = await uow.tasks.claim_due(now, current(), LEASE, token, wanted) if wanted > 0 else []
                await uow.commit()
            for task in claimed:
                job = asyncio.create_task(run_one(task))
                running.add(job)
                job.add_done_callback(running.discard)
            ran += len(claimed)
            if not running:
                if finished:
                    continue  # settle the last ones
                return ran
            if len(claimed) < wanted:
                # Nothing else is due for now: let what runs finish (it may plan more work that is due already).
                await asyncio.wait(set(running))
            else:
                while concurrency - len(running) < refill:
                    await asyncio.wait(set(running), return_when=asyncio.FIRST_COMPLETED)
    finally:
        if running:  # the store failed under us: let the tasks in flight end; their claims expire unmarked
            await asyncio.wait(set(running))


async def next_due_at(store: Store) -> datetime | None:
    """When the earliest pending task is due, or None when nothing is pending."""
    async with store.unit_of_work() as uow:
        return await uow.tasks.next_due()
