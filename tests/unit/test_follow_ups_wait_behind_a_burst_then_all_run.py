"""Reactions and command replies follow the responses Slack times: they wait while arrivals keep coming, for a
bounded time, and then every one of them runs."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.followups import FollowUps


class Arrivals:
    """A counter standing in for answers and commands arriving."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> int:
        return self.count


async def keep_arriving(arrivals: Arrivals, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        arrivals.count += 1
        await asyncio.sleep(0.002)


async def test_follow_ups_wait_while_arrivals_keep_coming_and_run_once_they_pause() -> None:
    arrivals, done = Arrivals(), []
    lane = FollowUps(arrivals, quiet=0.05, max_delay=5.0)
    burst = asyncio.create_task(keep_arriving(arrivals, 0.3))

    async def react(n: int) -> None:
        done.append(n)

    for n in range(5):
        lane.start(react(n))
    await asyncio.sleep(0.15)
    assert done == []  # the burst is still on

    await burst
    assert await lane.drain(2.0)
    assert done == [0, 1, 2, 3, 4]


async def test_a_follow_up_that_waited_its_longest_runs_even_while_arrivals_continue() -> None:
    arrivals, done = Arrivals(), []
    lane = FollowUps(arrivals, quiet=0.2, max_delay=0.05)  # never quiet during the burst: only the wait counts
    burst = asyncio.create_task(keep_arriving(arrivals, 0.8))

    async def react() -> None:
        done.append(asyncio.get_running_loop().time())

    started = asyncio.get_running_loop().time()
    lane.start(react())
    assert await lane.drain(1.0)

    assert done and done[0] - started < 0.6 and not burst.done()
    await burst


async def test_no_more_than_the_allowed_number_run_at_once() -> None:
    arrivals = Arrivals()
    lane = FollowUps(arrivals, concurrency=2, quiet=0.001)
    running, most = 0, 0

    async def work() -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1

    for _ in range(8):
        lane.start(work())
    assert await lane.drain(2.0)
    assert most == 2 and lane.pending == 0


async def test_a_failing_follow_up_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    lane, done = FollowUps(Arrivals(), quiet=0.001), []

    async def fail() -> None:
        raise RuntimeError("the platform refused")

    async def react() -> None:
        done.append("ok")

    lane.start(fail())
    lane.start(react())
    with caplog.at_level(logging.ERROR, logger="prepbot.followups"):
        assert await lane.drain(1.0)

    assert done == ["ok"]
    assert any("follow-up work failed" in r.getMessage() for r in caplog.records)


async def test_closing_drops_what_could_not_run_in_time_without_leaving_it_dangling() -> None:
    arrivals = Arrivals()
    lane = FollowUps(arrivals, quiet=0.01, max_delay=60.0)
    burst = asyncio.create_task(keep_arriving(arrivals, 0.3))
    ran = []

    async def react() -> None:
        ran.append(1)

    work = react()
    lane.start(work)
    await lane.close(timeout=0.05)
    await burst

    assert ran == [] and lane.pending == 0
    assert work.cr_frame is None  # closed: it will never run, and Python will not warn that it was never awaited
