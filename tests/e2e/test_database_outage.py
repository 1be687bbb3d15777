"""`prepbot run` through a database outage.

A database that goes away: `prepbot run` on PostgreSQL behind a TCP proxy that drops every connection and refuses
new ones for OUTAGE seconds, as a restart of the server looks to the bot (the server itself is not touched).

While the database is away the process stays up and says so: /healthz answers 200, /readyz 503; an answer that
arrives gets a non-200, so Slack sends it again; the waker backs off instead of failing every tick; the log shows each
kind of failure's traceback once, then a short line per failure. Once the
database is back: /readyz is 200 again, the answer Slack retries is stored, the question that fell due during the
outage is posted exactly once, and the answer acknowledged before the outage is still there.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import random
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from tests import databases
from tests.e2e.chaos_support import (
    TEAM,
    AnswerLoad,
    Fleet,
    TcpProxy,
    TracingSlack,
    http_status,
    prepared_engine,
    rounds_in,
    scratch_database,
    skip_unless_postgres,
    stored_answers,
    subscribe_channels,
    wait_until,
)

pytestmark = pytest.mark.slow

OUTAGE = 4.0  # seconds without a database
TICK = 0.2  # the waker's interval in the bot under test
RETRIES_DURING = 5  # further deliveries of the same answer while the database is away
DUE_WORK_BACK = 35.0  # seconds for due work to run after the database returns (the longest back-off is 30 s)


def traceback_kinds(log: str) -> Counter[str]:
    """How often each kind of failure (its exception type and the innermost line that raised it) was logged with
    its traceback, from the bot's JSON log."""
    kinds: Counter[str] = Counter()
    for line in log.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        text = record.get("exception") if isinstance(record, dict) else None
        if not text:
            continue
        frames = re.findall(r'File "([^"]+)", line (\d+)', text)
        last_line = text.strip().splitlines()[-1]
        exception_type = last_line.split(":", 1)[0]
        innermost = f"{frames[-1][0]}:{frames[-1][1]}" if frames else "?"
        kinds[f"{exception_type} at {innermost}"] += 1
    return kinds


def failures_logged(log: str) -> int:
    """Log records at warning level or above: every failure the bot reported, with a traceback or without."""
    count = 0
    for line in log.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("level") in ("warning", "error", "critical"):
            count += 1
    return count


@pytest.fixture
def postgres_reachable() -> None:
    skip_unless_postgres()


@asynccontextmanager
async def a_bot_behind_a_proxy(tmp_path: Path, channels: list[str]) -> AsyncIterator[
        tuple[TcpProxy, TracingSlack, AsyncEngine, Fleet]]:
    """A fleet of one `prepbot run` on a scratch PostgreSQL database reached through a TCP proxy the test can cut, and a
    Slack workspace with `channels` and the member UANN; the process is started by the test."""
    admin = databases.admin_url()
    proxy = TcpProxy(admin.host or "127.0.0.1", admin.port or 5432)
    await proxy.start()
    try:
        async with scratch_database("postgres", tmp_path) as url, TracingSlack() as slack:
            engine = await prepared_engine(url)
            through_proxy = make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
            slack.add_workspace(TEAM, name="Acme")
            slack.add_user(TEAM, "UANN", "ann")
            for ref in channels:
                slack.add_channel(TEAM, ref, ref.lower())
            fleet = Fleet(slack, through_proxy, engine, tmp_path, 1, tick=TICK)
            try:
                yield proxy, slack, engine, fleet
            finally:
                await fleet.close()
                await engine.dispose()
    finally:
        await proxy.close()


async def test_while_the_database_is_away_the_bot_stays_up_refuses_answers_and_catches_up_once_it_is_back(
    postgres_reachable: None, tmp_path: Path
) -> None:
    async with a_bot_behind_a_proxy(tmp_path, ["C1", "C2"]) as (proxy, slack, engine, fleet):
        load = AnswerLoad(slack, fleet.targets, random.Random(0))
        await subscribe_channels(engine, ["C1"], datetime.now(timezone.utc))
        bot = await fleet.start(0)

        async def c1_posted() -> bool:
            rows = await rounds_in(engine, ["C1"])
            return "C1" in rows and rows["C1"].message_ref is not None

        await wait_until(c1_posted, 30, "the first question posted", every=0.05)
        thread = (await rounds_in(engine, ["C1"]))["C1"].message_ref
        assert thread is not None
        before = load.answer("C1", thread, "UANN", "Before the outage: batching and a KV cache.")
        await load.deliver([before], time.monotonic() + 10)
        round_id = (await rounds_in(engine, ["C1"]))["C1"].round_id
        assert await stored_answers(engine, [round_id]) == [(round_id, before.ts)]

        async with aiohttp.ClientSession() as session:
            # C2's question falls due one second into the outage.
            await subscribe_channels(engine, ["C2"], datetime.now(timezone.utc) + timedelta(seconds=1))
            await proxy.cut()
            cut_at = time.monotonic()

            async def not_ready() -> bool:
                return await http_status(session, f"{bot.url}/readyz") == 503

            noticed = await wait_until(not_ready, 5, "/readyz to answer 503", every=0.1)
            during = load.answer("C1", thread, "UANN", "During the outage: quantization and a p99 budget.")
            refused = await load.send_once(session, bot.url, during)
            for _ in range(RETRIES_DURING):  # Slack's retries, each refused while the database is away
                assert await load.send_once(session, bot.url, during) != 200
            health = []
            while time.monotonic() - cut_at < OUTAGE:
                health.append(await http_status(session, f"{bot.url}/healthz", timeout=2))
                assert await http_status(session, f"{bot.url}/readyz", timeout=2) == 503
                await asyncio.sleep(0.25)
            assert fleet.process(0).returncode is None, "the bot died while the database was away"
            assert slack.questions("C2") == [], "C2's question was posted without a database to record it"
            await proxy.restore()

            async def ready() -> bool:
                return await http_status(session, f"{bot.url}/readyz") == 200

            back = await wait_until(ready, 10, "/readyz to answer 200 again", every=0.1)
            await load.deliver([during], time.monotonic() + 10)  # Slack's retry, X-Slack-Retry-Num: 1 and on

            async def c2_posted() -> bool:
                rows = await rounds_in(engine, ["C2"])
                return "C2" in rows and rows["C2"].message_ref is not None

            caught_up = await wait_until(c2_posted, DUE_WORK_BACK, "C2's question after the outage", every=0.1)
            await asyncio.sleep(1.0)  # a second post would have come by now

        log = bot.log.read_text(errors="replace")
        failures = log.count("running due work failed")
        print(f"outage: /readyz 503 after {noticed:.2f} s, 200 again {back:.2f} s after the database returned; "
              f"the answer sent during it got {refused} and was stored on attempt {during.attempts} "
              f"({during.statuses}); C2 posted {caught_up:.2f} s after the return; "
              f"{failures} failed runs of due work logged in {OUTAGE:.0f} s")
        assert set(health) == {200}
        assert refused is not None and refused != 200, during.statuses
        assert during.attempts >= 2 and during.statuses[-1] == "200"
        assert sorted(await stored_answers(engine, [round_id])) == sorted([(round_id, before.ts),
                                                                           (round_id, during.ts)])
        rows = await rounds_in(engine, ["C1", "C2"])
        assert [m.ts for m in slack.questions("C1")] == [thread]
        assert [m.ts for m in slack.questions("C2")] == [rows["C2"].message_ref]
        # Backing off: each failure doubles the pause, so an outage of OUTAGE seconds is tried about
        # log2(OUTAGE / TICK) times, where a fixed tick would have tried OUTAGE / TICK = 20 times.
        assert 1 <= failures <= math.ceil(math.log2(OUTAGE / TICK)) + 2, failures
        assert "running due work works again" in log
        # A failure that repeats shows its traceback once, then one short line per failure: not one or two
        # tracebacks of several KB for every refused request. How many kinds of failure an outage shows (a
        # refused connection, one closed mid-query, ...) depends on what was running when it began.
        kinds = traceback_kinds(log)
        reported = failures_logged(log)
        assert kinds, "no traceback at all: the first failure of each kind should show one"
        assert all(count == 1 for count in kinds.values()), kinds
        assert reported >= RETRIES_DURING + 1 + failures, reported
        assert sum(kinds.values()) <= reported // 2, (reported, kinds)
        assert "answer commands failed" in log
        assert fleet.process(0).returncode is None
        assert slack.violations == []
        _, took, code = await fleet.terminate(0, 30)
        assert took < 10, f"SIGTERM took {took:.1f} s"
        assert code == 0, log[-3000:]


async def test_sigterm_while_the_database_is_away_stops_the_bot_within_seconds(
    postgres_reachable: None, tmp_path: Path
) -> None:
    async with a_bot_behind_a_proxy(tmp_path, ["C1"]) as (proxy, _, engine, fleet):
        await subscribe_channels(engine, ["C1"], datetime.now(timezone.utc) + timedelta(seconds=1))
        bot = await fleet.start(0)
        async with aiohttp.ClientSession() as session:
            async def ready() -> bool:
                return await http_status(session, f"{bot.url}/readyz") == 200

            async def not_ready() -> bool:
                return await http_status(session, f"{bot.url}/readyz") == 503

            await wait_until(ready, 30, "/readyz to answer 200", every=0.05)
            await proxy.cut()
            await wait_until(not_ready, 5, "/readyz to answer 503", every=0.1)
            await asyncio.sleep(1.5)  # due work fails and backs off meanwhile
        _, took, code = await fleet.terminate(0, 30)
        assert took < 10, f"SIGTERM took {took:.1f} s"
        assert code == 0, bot.log.read_text(errors="replace")[-3000:]
