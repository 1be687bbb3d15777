"""Work that continues after a platform got its response: reactions on answers and the replies to slash commands.

Slack times the response (3 seconds, then it retries and shows the member an error); it does not time a reaction
or a command's reply. So while answers and commands are arriving, follow-ups wait: they start once arrivals have
paused for a moment (`quiet`), or once the oldest has waited `max_delay` (3 seconds: about as long as Slack gives a
response), whichever comes first. In a steady trickle they run at once; only a burst that keeps the process busy
delays them, by a bounded time, and then they catch up. Everything they need is
already committed (the answer, the queued command), so a crash while one waits loses nothing that was acknowledged:
queued commands run again on start; only a reaction can go missing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

log = logging.getLogger("prepbot.followups")

Work = Coroutine[Any, Any, object]


class FollowUps:
    """A lane for follow-up work, behind the arrivals counted by `arrivals()`.

    `start()` returns at once. At most `concurrency` pieces run at a time, oldest first. Time is read from
    `monotonic` and waited out with `sleep` (by default the event loop's clock and `asyncio.sleep`).
    """

    def __init__(
        self, arrivals: Callable[[], int], *, concurrency: int = 4, quiet: float = 0.02, max_delay: float = 3.0,
        monotonic: Callable[[], float] | None = None, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._arrivals = arrivals
        self._monotonic = monotonic or (lambda: asyncio.get_running_loop().time())
        self._sleep = sleep
        self._quiet = quiet
        self._max_delay = max_delay
        self._slots = asyncio.Semaphore(concurrency)
        self._waiting: deque[tuple[float, Work]] = deque()
        self._running: set[asyncio.Task[None]] = set()
        self._pump: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def start(self, work: Work) -> None:
        """Runs `work` soon, after the arrivals in progress; failures are logged."""
        self._waiting.append((self._monotonic(), work))
        self._wake.set()
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._run_pump())

    @property
    def pending(self) -> int:
        """Pieces waiting or running."""
        return len(self._waiting) + len(self._running)

    async def _run_pump(self) -> None:
        while self._waiting:
            seen = self._arrivals()
            await self._sleep(self._quiet)
            overdue = self._monotonic() - self._waiting[0][0] >= self._max_delay
            if self._arrivals() != seen and not overdue:
                continue  # a burst is on: let it through first
            # Quiet (or overdue): start pieces while nothing new arrives, and the overdue ones regardless.
            while self._waiting and (self._arrivals() == seen
                                     or self._monotonic() - self._waiting[0][0] >= self._max_delay):
                await self._slots.acquire()
                _, work = self._waiting.popleft()
                task = asyncio.create_task(self._guarded(work))
                self._running.add(task)
                task.add_done_callback(self._running.discard)

    async def _guarded(self, work: Work) -> None:
        try:
            await work
        except Exception:
            log.exception("follow-up work failed after its request was answered")
        finally:
            self._slots.release()

    async def drain(self, timeout: float = 20.0) -> bool:
        """Waits until every piece started so far has run, at most `timeout` seconds; True when all did."""
        deadline = self._monotonic() + timeout
        while self._waiting or self._running:
            remaining = deadline - self._monotonic()
            if remaining <= 0:
                return False
            if self._running:
                await asyncio.wait(set(self._running), timeout=min(remaining, 0.05))
            else:
                await self._sleep(min(remaining, 0.01))
        return True

    async def close(self, timeout: float = 20.0) -> None:
        """Drains, then drops what could not run in time (closing its coroutines) so nothing is left dangling."""
        if not await self.drain(timeout):
            log.warning("%d follow-ups did not finish before shutdown", self.pending)
        while self._waiting:
            self._waiting.popleft()[1].close()
        if self._pump is not None:
            self._pump.cancel()
