"""Running whatever work is due: claim tasks atomically as slots free, run them, mark them done or hand them back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.clock import one_loop_pass
from bot.config import Settings
from bot.domain.model import Task, TaskKind
from bot.judging import Judge
from bot.logs import log_context
from bot.ports import ChatPort, Metrics, NoMetrics
from bot.questions import QuestionBank
from bot.services.boards import post_weekly_board
from bot.services.claims import Claim, ClaimLost, ProcessIdentity
from bot.services.outcomes import TaskResult
from bot.services.posting import post_daily
from bot.services.reminders import remind
from bot.services.reveal import reveal
from bot.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("prepbot.due")
RETRY_AFTER_FAILURE = timedelta(minutes=1)


async def _run(task: Task, claim: Claim, *, store: Store, chat: ChatPort, bank: QuestionBank, settings: Settings,
               now: datetime, judge: Judge | None = None, metrics: Metrics | None = None) -> TaskResult:
    if task.kind is TaskKind.POST_DAILY:
        return await post_daily(task, store=store, chat=chat, bank=bank, settings=settings, now=now, claim=claim)
    if task.kind is TaskKind.REVEAL:
        return await reveal(task, store=store, chat=chat, bank=bank, settings=settings, now=now, claim=claim,
                            judge=judge, metrics=metrics)
    if task.kind is TaskKind.REMIND:
        return await remind(task, store=store, chat=chat, bank=bank, now=now, claim=claim)
    return await post_weekly_board(task, store=store, chat=chat, now=now, claim=claim)


async def _settle(uow: UnitOfWork, finished: list[tuple[Task, TaskResult]], now: datetime) -> None:
    """Marks the finished tasks done (all in one statement), or hands back those to retry; a task whose claim was
    lost is left to whoever holds it now (both statements compare the claim token)."""
    await uow.tasks.complete_many([(task, result.outcome) for task, result in finished if result.done], now)
    for task, result in finished:
        if not result.done:
            await uow.tasks.release(task, result.retry_at or now + RETRY_AFTER_FAILURE)


class DueWork:
    """This process's runner of due work.

    Each `step()` takes back the claims of dead processes of this host, renews the leases of the tasks running
    here, marks finished tasks done, and claims as many due tasks as there are free slots (at most `concurrency`
    running at once), each started at once and stamped with its own start time. Nothing waits for a whole batch: a
    slow task holds one slot, and the next step claims more as others free. The waker calls `step()` every tick,
    and a step follows each task's end; `drain()` steps until nothing due is left (start-up, the console, tests).

    `stop()` claims nothing more; a task that has not reached its platform call yet hands its claim back (another
    process takes it at once); the calls under way are let finish and recorded, for at most the timeout given.

    `clock` gives the instant work is stamped and decided by; `monotonic` gives seconds on a clock that never goes
    back, which bounds how long a stop waits (both come from outside: the core reads no clock).
    """

    def __init__(self, *, store: Store, chat: ChatPort, bank: QuestionBank, settings: Settings,
                 clock: Callable[[], datetime], monotonic: Callable[[], float], metrics: Metrics | None = None,
                 identity: ProcessIdentity | None = None, concurrency: int = 32, judge: Judge | None = None) -> None:
        self._store = store
        self._chat = chat
        self._bank = bank
        self._settings = settings
        self._clock = clock
        self._monotonic = monotonic
        self._metrics = metrics or NoMetrics()
        self.identity = identity or ProcessIdentity.current()
        self._concurrency = concurrency
        self._judge = judge
        self.lease = settings.claim_lease
        self._running: dict[asyncio.Task[None], Claim] = {}
        self._finished: list[tuple[Task, TaskResult]] = []
        self._lock = asyncio.Lock()
        self._stopping = False
        self._renewed_at: datetime | None = None
        self._pump: asyncio.Task[None] | None = None
        self.ran = 0

    async def step(self) -> int:
        """One pass (see the class); returns how many tasks it started."""
        async with self._lock:
            settling, self._finished = self._finished, []
            try:
                return await self._step(settling)
            except BaseException:
                self._finished[:0] = settling  # settled by the next step that works
                raise

    async def _step(self, settling: list[tuple[Task, TaskResult]]) -> int:
        now = self._clock()
        wanted = 0 if self._stopping else self._concurrency - len(self._running)
        check = self._renewed_at is None or now - self._renewed_at >= self.lease / 3
        renew = check and bool(self._running)
        async with self._store.unit_of_work() as uow:
            if check:
                await self._take_back_dead_claims(uow, now)
            if renew:
                tokens = sorted({claim.task.claim_token for claim in self._running.values()})
                held = await uow.tasks.renew(tokens, now + self.lease)
                for claim in self._running.values():
                    if claim.task.id not in held and not claim.lost:
                        claim.lost = True
                        log.warning("task %s was taken over by another process (its lease lapsed)", claim.task.id)
            if check:
                self._renewed_at = now
            await _settle(uow, settling, now)
            token = self.identity.new_token()
            claimed = await uow.tasks.claim_due(now, now, self.lease, token, wanted) if wanted > 0 else []
            await uow.commit()
        for task in claimed:
            claim = Claim(task, self._store, self._clock, self.lease, lambda: self._stopping)
            job = asyncio.create_task(self._run_one(claim))
            self._running[job] = claim
        self.ran += len(claimed)
        if claimed and (self._pump is None or self._pump.done()):
            self._pump = asyncio.create_task(self._follow())
        return len(claimed)

    async def _take_back_dead_claims(self, uow: UnitOfWork, now: datetime) -> None:
        dead = sorted(t for t in await uow.tasks.claim_tokens(now) if self.identity.held_by_the_dead(t))
        if dead:
            count = await uow.tasks.release_claims(dead)
            log.info("took back %d tasks held by processes of this host that are gone", count)

    async def _run_one(self, claim: Claim) -> None:
        task = claim.task
        now = self._clock()  # this task's own start: what it records and decides by
        # Every line logged for this task names it; the services add the channel and round once they know them.
        with log_context(task=task.id, kind=task.kind.value, round_id=task.round_id):
            try:
                result = await _run(task, claim, store=self._store, chat=self._chat, bank=self._bank,
                                    settings=self._settings, now=now, judge=self._judge, metrics=self._metrics)
            except ClaimLost as lost:
                log.warning("%s task %s: %s; not posted here", task.kind.value, task.id, lost)
                result = TaskResult(f"handed back: {lost}", done=False, retry_at=task.due_at)
            except Exception:
                log.exception("%s task %s failed; it will be retried", task.kind.value, task.id)
                result = TaskResult("failed", done=False, retry_at=now + RETRY_AFTER_FAILURE)
            else:
                if not result.skipped:  # a stale task skipped is no measure of how late work runs
                    self._metrics.due_work_ran(task.kind.value, (now - task.due_at).total_seconds())
            self._finished.append((task, result))
            log.info("%s task %s: %s", task.kind.value, task.id, result.outcome)
        job = asyncio.current_task()
        if job is not None:
            self._running.pop(job, None)

    async def _follow(self) -> None:
        """Steps after tasks end (settling them, claiming into the freed slots) until none runs; a failing store is
        left to the next tick, which reports it."""
        try:
            while self._running or self._finished:
                if self._running and not self._finished:
                    await asyncio.wait(set(self._running), return_when=asyncio.FIRST_COMPLETED)
                await one_loop_pass()  # the ends of the moment settle together
                await self.step()
        except Exception as error:
            log.debug("stepping after a task ended failed (the next tick tries again): %s", error)

    async def drain(self) -> int:
        """Runs everything due now, and what becomes due while it runs, until nothing due is left; returns how many
        tasks it started. Raises when the store fails (the tasks running end first)."""
        began = self.ran
        try:
            while True:
                started = await self.step()
                if not self._running and not self._finished and not started:
                    return self.ran - began
                if self._running and not self._finished:  # back at least every third of a lease, to renew
                    await asyncio.wait(set(self._running), timeout=self.lease.total_seconds() / 3,
                                       return_when=asyncio.FIRST_COMPLETED)
        finally:
            if self._running and not self._stopping:
                await asyncio.wait(set(self._running))

    async def stop(self, timeout: float) -> None:
        """Stops claiming at once, lets the platform calls under way finish (for at most `timeout` seconds), hands
        back the tasks that had not reached theirs, and records how each ended."""
        self._stopping = True
        until = self._monotonic() + timeout
        async with self._lock:
            pass  # a step under way has started what it claimed: those are waited for too
        while self._running and self._monotonic() < until:
            await asyncio.wait(set(self._running), timeout=until - self._monotonic())
        if self._running:
            log.warning("%d tasks still running after %.0f s; their claims lapse in %.0f s, or are taken back at "
                        "once by a process started on this host", len(self._running), timeout,
                        self.lease.total_seconds())
        pump = self._pump
        if pump is not None and not pump.done() and not self._running:
            # it settles what ended last; cancelling it halfway would lose that
            await asyncio.wait({pump}, timeout=max(0.5, until - self._monotonic()))
        try:
            async with self._lock:
                settling, self._finished = self._finished, []
                if settling:
                    async with self._store.unit_of_work() as uow:
                        await _settle(uow, settling, self._clock())
                        await uow.commit()
        except Exception as error:
            log.warning("could not record how the last tasks ended (their claims lapse): %s", error)


async def next_due_at(store: Store) -> datetime | None:
    """When the earliest pending task is due, or None when nothing is pending."""
    async with store.unit_of_work() as uow:
        return await uow.tasks.next_due()
