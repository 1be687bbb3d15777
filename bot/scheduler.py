"""APScheduler wakes the core; what is due, and who runs it, lives in the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("prepbot.scheduler")


class Waker:
    """Calls `run_due` every `interval` seconds, never two at once; missed wake-ups are merged into one."""

    def __init__(self, run_due: Callable[[], Awaitable[int]], interval: float) -> None:
        self._run_due = run_due
        self._running = asyncio.Lock()
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._scheduler.add_job(
            self._wake, "interval", seconds=interval, id="wake", max_instances=1, coalesce=True,
            misfire_grace_time=None,
        )

    async def _wake(self) -> None:
        async with self._running:
            try:
                await self._run_due()
            except Exception:  # the next wake-up tries again; claims expire, so nothing is lost
                log.exception("running due work failed")

    def start(self) -> None:
        self._scheduler.start()

    async def stop(self, timeout: float = 30.0) -> None:
        """Stops waking the core and waits (up to `timeout` seconds) for the work in flight to finish; work still
        running after that keeps its claim until the claim expires, then another process takes it over."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        try:
            await asyncio.wait_for(self._running.acquire(), timeout)
        except asyncio.TimeoutError:
            log.warning("due work still running after %.0f s; its claims will expire and be taken over", timeout)
        else:
            self._running.release()
