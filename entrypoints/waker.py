"""APScheduler wakes the core; what is due, and who runs it, lives in the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("prepbot.scheduler")
MAX_BACKOFF = 30.0  # seconds: the longest pause after failures (the database away) before trying again


class Waker:
    """Calls `run_due` every `interval` seconds, never two at once; missed wake-ups are merged into one. `run_due`
    is meant to return soon (PrepBot.tick claims work and lets it run in the background); `on_stop`, given the
    seconds it may take, stops the work under way when the waker stops.

    After a failure (typically: the database is away) it waits twice as long each time, up to MAX_BACKOFF, before
    trying again, and says so in one line rather than a traceback per wake-up.
    """

    def __init__(self, run_due: Callable[[], Awaitable[int]], interval: float,
                 on_stop: Callable[[float], Awaitable[None]] | None = None) -> None:
        self._run_due = run_due
        self._on_stop = on_stop
        self._interval = interval
        self._work: asyncio.Task[None] | None = None
        self._failures = 0
        self._resume_at = 0.0  # loop time before which wake-ups are skipped, after failures
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._scheduler.add_job(
            self._wake, "interval", seconds=interval, id="wake", max_instances=1, coalesce=True,
            misfire_grace_time=None,
        )

    async def _wake(self) -> None:
        """Starts a run unless one is in flight or the waker is backing off. The run is a task of its own, not part
        of this wake-up: stopping the scheduler cancels wake-ups in progress, and work in flight must not be cut
        off halfway (a post made but not recorded would be posted again)."""
        if self._work is not None and not self._work.done():
            return
        if asyncio.get_running_loop().time() < self._resume_at:
            return
        self._work = asyncio.create_task(self._run())

    async def _run(self) -> None:
        try:
            await self._run_due()
        except Exception as error:  # the next try runs it again; claims expire, so nothing is lost
            self._failures += 1
            pause = min(self._interval * 2 ** self._failures, max(MAX_BACKOFF, self._interval))
            self._resume_at = asyncio.get_running_loop().time() + pause
            if self._failures == 1:
                log.exception("running due work failed; trying again in %.1f s", pause)
            else:
                log.warning("running due work failed again (%d times in a row: %s); trying again in %.1f s",
                            self._failures, type(error).__name__, pause)
        else:
            if self._failures:
                log.info("running due work works again, after %d failures", self._failures)
            self._failures = 0
            self._resume_at = 0.0

    def start(self) -> None:
        self._scheduler.start()

    async def stop(self, timeout: float = 5.0) -> None:
        """Stops waking the core at once and waits (up to `timeout` seconds in all) for the work in flight to
        finish; work still running after that keeps its claim until the claim lapses (or a process started on this
        host takes it back), then another process takes it over."""
        loop = asyncio.get_running_loop()
        until = loop.time() + timeout
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        work = self._work
        if work is not None and not work.done():
            done, _ = await asyncio.wait({work}, timeout=timeout)
            if not done:
                log.warning("due work still running after %.0f s; its claims will lapse and be taken over", timeout)
        if self._on_stop is not None:
            await self._on_stop(max(0.0, until - loop.time()))
