"""Follow-ups wait behind a burst of arrivals, then all run.

Reactions and command replies follow the responses Slack times: they wait while arrivals keep coming, for a
bounded time, and then every one of them runs.

The lane runs on a fake clock: time passes only when a test advances it, so the waits are exact and take no time.
"""

from __future__ import annotations

import asyncio
import inspect
import logging

import pytest

from adapters.followups import FollowUps
from tests.fakes.timers import FakeTimers


class Arrivals:
    """A counter standing in for answers and commands arriving."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> int:
        return self.count


async def keep_arriving(arrivals: Arrivals, timers: FakeTimers, seconds: float, every: float = 0.5) -> None:
    """One arrival every `every` seconds for `seconds` seconds, the clock moving on between them."""
    end = timers.now + seconds
    while timers.now < end:
        arrivals.count += 1
        await timers.advance(every)


def lane_on(timers: FakeTimers, arrivals: Arrivals, *, quiet: float, max_delay: float = 3.0,
            concurrency: int = 4) -> FollowUps:
    return FollowUps(arrivals, concurrency=concurrency, quiet=quiet, max_delay=max_delay,
                     monotonic=timers.monotonic, sleep=timers.sleep)


async def test_follow_ups_wait_while_arrivals_keep_coming_and_run_once_they_pause() -> None:
    timers, arrivals, done = FakeTimers(), Arrivals(), []
    lane = lane_on(timers, arrivals, quiet=1.0, max_delay=60.0)

    async def react(n: int) -> None:
        done.append(n)

    for n in range(5):
        lane.start(react(n))
    await keep_arriving(arrivals, timers, 10.0)
    assert done == [] and lane.pending == 5  # ten quiet periods long, but never quiet

    await timers.advance(2.0)  # within two quiet periods of the last arrival
    assert done == [0, 1, 2, 3, 4] and lane.pending == 0


async def test_a_follow_up_that_waited_its_longest_runs_even_while_arrivals_continue() -> None:
    timers, arrivals, done = FakeTimers(), Arrivals(), []
    lane = lane_on(timers, arrivals, quiet=1.0, max_delay=3.0)

    async def react() -> None:
        done.append(timers.now)

    lane.start(react())
    await keep_arriving(arrivals, timers, 2.5)
    assert done == []

    await keep_arriving(arrivals, timers, 5.0)
    assert done == [3.0]  # at its longest wait, with arrivals going on


async def test_no_more_than_the_allowed_number_run_at_once() -> None:
    timers, arrivals = FakeTimers(), Arrivals()
    lane = lane_on(timers, arrivals, concurrency=2, quiet=1.0)
    running, most = 0, 0

    async def work() -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await timers.sleep(1.0)
        running -= 1

    for _ in range(8):
        lane.start(work())
    await timers.advance(1.0)
    assert running == 2 and lane.pending == 8  # quiet: two started, six wait for a slot

    await timers.advance(4.0)  # four rounds of two
    assert most == 2 and running == 0 and lane.pending == 0


async def test_a_failing_follow_up_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    timers, done = FakeTimers(), []
    lane = lane_on(timers, Arrivals(), quiet=1.0)

    async def fail() -> None:
        raise RuntimeError("the platform refused")

    async def react() -> None:
        done.append("ok")

    lane.start(fail())
    lane.start(react())
    with caplog.at_level(logging.ERROR, logger="prepbot.followups"):
        await timers.advance(1.0)

    assert done == ["ok"] and lane.pending == 0
    assert any("follow-up work failed" in r.getMessage() for r in caplog.records)


async def test_closing_drops_what_could_not_run_in_time_without_leaving_it_dangling() -> None:
    timers, arrivals, ran = FakeTimers(), Arrivals(), []
    lane = lane_on(timers, arrivals, quiet=1.0, max_delay=60.0)

    async def react() -> None:
        ran.append(1)

    work = react()
    lane.start(work)
    closing = asyncio.create_task(lane.close(timeout=2.0))
    await keep_arriving(arrivals, timers, 3.0)

    assert closing.done() and ran == [] and lane.pending == 0
    # closed: it will never run, and Python will not warn that it was never awaited
    assert inspect.getcoroutinestate(work) == inspect.CORO_CLOSED
