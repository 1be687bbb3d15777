"""Clocks: the system's for production, a fake one that only moves when told for tests and the console."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FakeClock:
    """A clock that stands still until `advance()` or `set()` moves it; it never goes backwards."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware start time")
        self._now = start.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        instant = instant.astimezone(timezone.utc)
        if instant < self._now:
            raise ValueError(f"the clock does not go back: it is {self._now:%Y-%m-%d %H:%M} already")
        self._now = instant

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("the clock only advances")
        self._now += delta


class TravelClock:
    """The system's clock shifted by an offset that only grows: live time, with time travel for the console."""

    def __init__(self, base: SystemClock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return self._base.now() + self._offset

    def set(self, instant: datetime) -> None:
        delta = instant.astimezone(timezone.utc) - self.now()
        if delta < timedelta(0):
            raise ValueError(f"the clock does not go back: it is {self.now():%Y-%m-%d %H:%M} already")
        self._offset += delta

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("the clock only advances")
        self._offset += delta


async def one_loop_pass() -> None:
    """Returns after the callbacks the event loop already has ready have run: no clock is read and no time passes,
    so what arrived in the same moment is handled together."""
    loop = asyncio.get_running_loop()
    passed = loop.create_future()
    loop.call_soon(passed.set_result, None)
    await passed
