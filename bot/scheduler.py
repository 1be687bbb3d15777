"""APScheduler wakes the core; what is due, and who runs it, lives in the database."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("prepbot.scheduler")


class Waker:
    """Calls `run_due` every `interval` seconds, never two at once; missed wake-ups are merged into one."""

    def __init__(self, run_due: Callable[[], Awaitable[int]], interval: float) -> None:
        self._run_due = run_due
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._scheduler.add_job(
            self._wake, "interval", seconds=interval, id="wake", max_instances=1, coalesce=True,
            misfire_grace_time=None,
        )

    async def _wake(self) -> None:
        try:
            await self._run_due()
        except Exception:  # the next wake-up tries again; claims expire, so nothing is lost
            log.exception("running due work failed")

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
