"""Readiness of each platform: checked at start and periodically, and reported to /readyz.

Whether a platform can serve: its own check (its auth call, and its connection's state; each platform's lives
with its adapter) at start and periodically, retried with back-off while it fails, reported to /readyz, the log and the
`prepbot_platform_ready` metric."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from adapters.metrics import PrometheusMetrics

log = logging.getLogger("prepbot.health")
CHECK_TIMEOUT = 10.0  # seconds one check may take before it counts as failed

Check = Callable[[], Awaitable[str | None]]  # None when the platform is fine, else what is wrong
Live = Callable[[], Awaitable[str | None]]


class PlatformHealth:
    """One platform's readiness. `check` runs at start and every `interval` seconds while it passes; while it fails,
    again after 1, 2, 4 ... up to `retry_max` seconds. The first failure is logged with its traceback when it raised,
    each later one in one line, and the recovery once. `live`, when given, is asked on every readiness probe (a
    connection's state, which changes between checks). A check that needs the connection (`after_connecting`) is
    started once the connection's first attempt has ended. While `connection_logs()` is true (a connection that is
    trying again and logs its own attempts) later failures are not logged again here."""

    def __init__(self, platform: str, check: Check, *, interval: float, retry_max: float, metrics: PrometheusMetrics,
                 live: Live | None = None, after_connecting: bool = False,
                 connection_logs: Callable[[], bool] | None = None,
                 on_recovered: Callable[[], Coroutine[Any, Any, object]] | None = None) -> None:
        self.platform = platform
        self._check = check
        self._live = live
        self.interval = interval
        self.retry_max = retry_max
        self._metrics = metrics
        self._on_recovered = on_recovered
        self._connection_logs = connection_logs
        self.after_connecting = after_connecting
        self.problem: str | None = "not checked yet"
        self.failures = 0
        self.checked = asyncio.Event()  # set after the first check
        self._task: asyncio.Task[None] | None = None
        self._followups: set[asyncio.Task[object]] = set()

    async def check_now(self) -> str | None:
        """Runs the check once; returns and records what is wrong (None: fine)."""
        error: BaseException | None = None
        try:
            problem = await asyncio.wait_for(self._check(), CHECK_TIMEOUT)
        except asyncio.TimeoutError:
            problem = f"no answer within {CHECK_TIMEOUT:.0f} s"
        except Exception as raised:  # whatever the platform's client raises: reported, retried
            error = raised
            problem = f"{type(raised).__name__}: {raised}"[:300]
        was_down = self.failures > 0
        self.problem = problem
        self.checked.set()
        self._metrics.platform_ready(self.platform, problem is None)
        if problem is None:
            if was_down:
                log.info("%s works again, after %d failed checks", self.platform, self.failures)
                self.failures = 0
                if self._on_recovered is not None:
                    task: asyncio.Task[object] = asyncio.create_task(self._on_recovered())
                    self._followups.add(task)
                    task.add_done_callback(self._followups.discard)
            return None
        self.failures += 1
        if self.failures == 1:
            log.error("%s is not ready: %s", self.platform, problem, exc_info=error)
        elif self._connection_logs is None or not self._connection_logs():
            log.warning("%s is still not ready (%d checks in a row): %s", self.platform, self.failures, problem)
        return problem

    async def current(self) -> str | None:
        """What is wrong now: the last check's result (it says why), else the connection's live state; before the
        first check, the connection's state when it says what is wrong."""
        if self._live is None:
            return self.problem
        if not self.checked.is_set():
            return await self._live() or self.problem
        return self.problem if self.problem is not None else await self._live()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self.platform} health")

    async def _run(self) -> None:
        pause = 1.0
        while True:
            if await self.check_now() is None:
                pause = 1.0
                await asyncio.sleep(self.interval)
            else:
                await asyncio.sleep(min(pause, self.retry_max))
                pause = min(pause * 2, self.retry_max)

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._followups) if t is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=2)
