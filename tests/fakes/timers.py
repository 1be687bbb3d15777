"""A monotonic clock for tests that moves only when told.

Code under test reads it with `monotonic()` and waits on it with `sleep()`; the test moves it with `advance()`, which
wakes every sleeper that falls due, in order of its time, and lets the woken code run before moving on."""

from __future__ import annotations

import asyncio
import heapq
import itertools

SETTLE_ROUNDS = 50  # passes of the event loop given to woken code to run up to its next wait


class FakeTimers:
    """`monotonic` and `sleep` for code that takes them as arguments, on a clock that `advance` moves."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Returns once the clock has been advanced `seconds` past now (at once, after one pass of the event loop,
        for no time at all)."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), woken))
        await woken

    @property
    def sleeping(self) -> list[float]:
        """When each sleeper still waiting is due, soonest first."""
        return sorted(due for due, _, woken in self._sleepers if not woken.done())

    async def advance(self, seconds: float) -> None:
        """Moves the clock `seconds` on, stopping at each moment a sleeper is due to wake it (and any sleeper the
        woken code starts that falls due before the end), and lets the woken code run."""
        end = self.now + seconds
        await self.settle()
        while self._sleepers and self._sleepers[0][0] <= end:
            due, _, woken = heapq.heappop(self._sleepers)
            self.now = max(self.now, due)
            if not woken.done():  # a sleeper cancelled meanwhile stays cancelled
                woken.set_result(None)
                await self.settle()
        self.now = end
        await self.settle()

    @staticmethod
    async def settle() -> None:
        """Lets every task that can run do so, up to its next wait."""
        for _ in range(SETTLE_ROUNDS):
            await asyncio.sleep(0)
