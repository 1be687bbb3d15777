"""Due work and queued commands under process faults.

With real `prepbot run` processes on a FakeSlack: a crash right after a command was acknowledged, a restart after a
crash, a replica stalled past its lease (SIGSTOP), a stop (SIGTERM) in the middle of a fan-out, one slow post among
many.

The processes run with short claim leases (PREPBOT_CLAIM_LEASE_SECONDS) where a test waits for a lease to lapse, and
with long ones where it must not have to: a test that passes with a 60-second lease and finishes in a few seconds
shows the work was not waiting for that lease.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.domain.model import ChannelAddress, RoundKind, TaskKind
from bot.domain.schedule import Slot
from bot.questions import load_bank
from bot.services.planning import post_key
from bot.store import tables
from bot.store.unit_of_work import Store
from questions import SHIPPED_PACKS
from tests.e2e.chaos_support import (
    BOT_USER,
    TEAM,
    AnswerLoad,
    Fleet,
    TracingSlack,
    claims_held,
    expire_claims_of,
    pending_tasks,
    prepared_engine,
    rounds_in,
    scratch_database,
    send_command,
    skip_unless_postgres,
    subscribe_channels,
    wait_until,
)

pytestmark = pytest.mark.slow

ADMIN = "UADMIN"
LONG_LEASE = 60.0  # seconds: far longer than any of these tests waits
STOP_BOUND = 10.0


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        skip_unless_postgres()
    return str(request.param)


def token_of(slot: int, start: int) -> str:
    """The bot token Fleet gives the `start`-th start of `slot` (so a hold can be set before it starts)."""
    return f"xoxb-{TEAM}-p{slot}.{start}"


async def subscribed(engine: AsyncEngine, ref: str) -> bool:
    async with engine.connect() as connection:
        value = (await connection.execute(select(tables.channels.c.subscribed)
                                          .where(tables.channels.c.channel_ref == ref))).scalar()
    return bool(value)


async def pending_rounds_due(engine: AsyncEngine, refs: list[str], due_at: datetime) -> None:
    """Subscribed channels whose daily round an earlier attempt created and never posted (as a process killed
    between the two leaves it), with their daily posts due at `due_at`."""
    store = Store(engine)
    schedule = Settings(weekdays="daily").default_schedule("UTC")
    question = load_bank([SHIPPED_PACKS]).all()[0]
    now = datetime.now(timezone.utc)
    async with store.unit_of_work() as uow:
        for ref in refs:
            channel = await uow.channels.get_or_create(ChannelAddress("slack", TEAM, ref), ref.lower(), schedule, now)
            await uow.channels.save(channel.id, schedule, True, subscribed_by=ADMIN)
            await uow.rounds.create(channel.id, question.id, question.level, RoundKind.DAILY, due_at.date(),
                                    now - timedelta(minutes=1),
                                    deadline_at=schedule.deadline_for(Slot(due_at.date(), due_at), due_at))
            await uow.tasks.schedule(TaskKind.POST_DAILY, channel.id, due_at, post_key(channel.id, due_at.date()),
                                     slot_date=due_at.date())
        await uow.commit()


def announced(slack: TracingSlack, channel: str, token: str) -> bool:
    """Whether the process with `token` posted the subscription's announcement (what `/prep subscribe` answers, for
    the channel to see) in `channel`."""
    return any(slack.posted_with.get((channel, m.ts)) == token and "subscribed this channel" in m.text
               for m in slack.top_level(channel))


def workspace(slack: TracingSlack, refs: list[str]) -> None:
    slack.add_workspace(TEAM, name="Acme")
    slack.add_user(TEAM, ADMIN, "ada", is_admin=True)
    for ref in refs:
        slack.add_channel(TEAM, ref, ref.lower())


async def test_a_command_acknowledged_just_before_a_crash_runs_as_soon_as_the_process_is_back(tmp_path: Path) -> None:
    async with scratch_database("sqlite", tmp_path) as url:
        engine = await prepared_engine(url)
        async with TracingSlack() as slack:
            workspace(slack, ["CGEN"])
            fleet = Fleet(slack, url, engine, tmp_path, 1, lease=LONG_LEASE)
            try:
                first = await fleet.start(0)
                for method in ("chat.postMessage", "chat.postEphemeral"):  # it dies before it can announce or reply
                    slack.hold(first.token, method)
                slack.response_urls_held = True
                assert await send_command(slack, first.url, "CGEN", ADMIN, "subscribe") == 200

                async def stuck() -> bool:
                    return bool(slack.held)

                await wait_until(stuck, 10, "the command under way")
                await fleet.kill(0, expire=False)
                began = time.monotonic()
                second = await fleet.start(0)

                async def replied() -> bool:
                    return announced(slack, "CGEN", second.token)

                await wait_until(replied, 15, "the subscription announced by the restarted process", every=0.05)
                took = time.monotonic() - began
                print(f"the command ran {took:.1f} s after the restart began")
                assert await subscribed(engine, "CGEN")
                assert took < 10
            finally:
                await fleet.close()
                await engine.dispose()


async def test_a_command_acknowledged_by_a_replica_that_crashed_is_run_by_another(backend: str, tmp_path: Path) -> None:
    async with scratch_database(backend, tmp_path) as url:
        engine = await prepared_engine(url)
        async with TracingSlack() as slack:
            workspace(slack, ["CGEN"])
            fleet = Fleet(slack, url, engine, tmp_path, 2, lease=2.0)
            try:
                await fleet.start_all()
                first, second = fleet.incarnations
                for method in ("chat.postMessage", "chat.postEphemeral"):
                    slack.hold(first.token, method)
                slack.response_urls_held = True
                assert await send_command(slack, first.url, "CGEN", ADMIN, "subscribe") == 200

                async def stuck() -> bool:
                    return bool(slack.held)

                await wait_until(stuck, 10, "the command under way")
                await fleet.kill(0, expire=False)

                async def replied() -> bool:
                    return announced(slack, "CGEN", second.token)

                took = await wait_until(replied, 15, "the subscription announced by the surviving replica", every=0.05)
                print(f"the surviving replica ran the command {took:.1f} s after the crash")
                assert await subscribed(engine, "CGEN")
            finally:
                await fleet.close()
                await engine.dispose()


async def test_a_process_restarted_after_a_crash_takes_its_own_claims_back_at_once(tmp_path: Path) -> None:
    refs = [f"CR{i:02d}" for i in range(20)]
    async with scratch_database("sqlite", tmp_path) as url:
        engine = await prepared_engine(url)
        async with TracingSlack() as slack:
            workspace(slack, refs)
            fleet = Fleet(slack, url, engine, tmp_path, 1, lease=LONG_LEASE)
            try:
                first = await fleet.start(0)
                slack.hold(first.token, "chat.postMessage")  # it claims the fan-out, and dies before any post
                await subscribe_channels(engine, refs, datetime.now(timezone.utc) + timedelta(seconds=0.3))

                async def all_claimed() -> bool:
                    return len(slack.held) == len(refs)

                await wait_until(all_claimed, 15, "every post under way")
                await fleet.kill(0, expire=False)
                assert await claims_held(engine, first.pid) == len(refs)
                began = time.monotonic()
                await fleet.start(0)

                async def all_posted() -> bool:
                    rows = await rounds_in(engine, refs)
                    return len(rows) == len(refs) and all(r.message_ref for r in rows.values())

                await wait_until(all_posted, 20, "every question posted after the restart", every=0.05)
                took = time.monotonic() - began
                print(f"every question posted {took:.1f} s after the restart began (lease {LONG_LEASE:.0f} s)")
                assert took < 10
                assert {ref: len(slack.questions(ref)) for ref in refs} == {ref: 1 for ref in refs}
            finally:
                await fleet.close()
                await engine.dispose()


async def test_a_replica_stalled_past_its_lease_does_not_post_again_nor_overwrite_the_takers_record(
    backend: str, tmp_path: Path
) -> None:
    refs = [f"CS{i:02d}" for i in range(6)]
    async with scratch_database(backend, tmp_path) as url:
        engine = await prepared_engine(url)
        async with TracingSlack() as slack:
            workspace(slack, refs)
            fleet = Fleet(slack, url, engine, tmp_path, 2, lease=2.0)
            try:
                stalled = await fleet.start(0)
                # It asks whether an earlier attempt posted the questions; the answer ("no") reaches it only after
                # its stall, when another replica has posted them.
                slack.hold(stalled.token, "conversations.history", answered=True)
                await pending_rounds_due(engine, refs, datetime.now(timezone.utc) + timedelta(seconds=0.3))

                async def asking() -> bool:
                    return len(slack.held) == len(refs)

                await wait_until(asking, 15, "the stalling replica asking about every channel")
                fleet.pause(0)
                paused = time.monotonic()
                await expire_claims_of(engine, stalled.pid)  # as a stall longer than any lease would
                taker = await fleet.start(1)

                async def taken_over() -> bool:
                    return await pending_tasks(engine, refs, TaskKind.POST_DAILY, datetime.now(timezone.utc)) == 0

                await wait_until(taken_over, 20, "the other replica posting every question", every=0.05)
                print(f"the other replica took the work over and posted it {time.monotonic() - paused:.1f} s after "
                      "the stall began")
                recorded = await rounds_in(engine, refs)
                slack.release()
                fleet.resume(0)
                await asyncio.sleep(3.0)  # the stalled replica wakes with its stale answers and carries on

                rows = await rounds_in(engine, refs)
                questions = {ref: slack.questions(ref) for ref in refs}
                doubles = {ref: [(m.ts, slack.posted_with.get((ref, m.ts))) for m in found]
                           for ref, found in questions.items() if len(found) != 1}
                assert doubles == {}, f"posted again after the stall: {doubles}"
                assert all(slack.posted_with[(ref, questions[ref][0].ts)] == taker.token for ref in refs)
                assert {ref: rows[ref].message_ref for ref in refs} == {ref: recorded[ref].message_ref for ref in refs}
                assert {ref: rows[ref].message_ref for ref in refs} == {ref: questions[ref][0].ts for ref in refs}
                assert "taken over" in stalled.log.read_text()
            finally:
                await fleet.close()
                await engine.dispose()


async def test_sigterm_stops_claiming_at_once_and_hands_back_what_it_had_not_posted(tmp_path: Path) -> None:
    refs = [f"CT{i:02d}" for i in range(80)]
    async with scratch_database("sqlite", tmp_path) as url:
        engine = await prepared_engine(url)
        async with TracingSlack() as slack:
            workspace(slack, refs)
            for ref in refs:
                slack.slow_posts[ref] = 1.0
            fleet = Fleet(slack, url, engine, tmp_path, 1, lease=LONG_LEASE)
            try:
                first = await fleet.start(0)
                await subscribe_channels(engine, refs, datetime.now(timezone.utc) + timedelta(seconds=0.3))

                async def posting() -> bool:
                    return bool(slack.calls_by(first.token, "chat.postMessage"))

                await wait_until(posting, 15, "the fan-out under way", every=0.005)
                _, took, code = await fleet.terminate(0, 30.0)
                by_first = len(slack.calls_by(first.token, "chat.postMessage"))
                left = await claims_held(engine, first.pid)
                print(f"SIGTERM: exited with {code} after {took:.2f} s, having posted {by_first}/{len(refs)}; "
                      f"{left} claims left")
                assert code == 0, first.log.read_text()[-3000:]
                assert took <= STOP_BOUND
                assert by_first <= 32, "it went on claiming after SIGTERM"
                assert left == 0, "a stopped process left work claimed"

                began = time.monotonic()
                await fleet.start(0)

                async def all_posted() -> bool:
                    rows = await rounds_in(engine, refs)
                    return len(rows) == len(refs) and all(r.message_ref for r in rows.values())

                await wait_until(all_posted, 30, "every question posted", every=0.05)
                print(f"the rest was posted {time.monotonic() - began:.1f} s after the next start "
                      f"(lease {LONG_LEASE:.0f} s)")
                assert {ref: len(slack.questions(ref)) for ref in refs} == {ref: 1 for ref in refs}
            finally:
                await fleet.close()
                await engine.dispose()


async def test_one_slow_post_does_not_hold_back_work_that_falls_due_meanwhile(tmp_path: Path) -> None:
    async with scratch_database("sqlite", tmp_path) as url:
        engine = await prepared_engine(url)
        async with TracingSlack() as slack:
            workspace(slack, ["CSLOW", "CFAST"])
            slack.slow_posts["CSLOW"] = 12.0
            fleet = Fleet(slack, url, engine, tmp_path, 1, lease=LONG_LEASE)
            try:
                await fleet.start(0)
                now = datetime.now(timezone.utc)
                await subscribe_channels(engine, ["CSLOW"], now + timedelta(seconds=0.3))
                fast_due = now + timedelta(seconds=2.0)
                await subscribe_channels(engine, ["CFAST"], fast_due)

                async def fast_posted() -> bool:
                    return bool(slack.questions("CFAST"))

                await wait_until(fast_posted, 20, "the question in the fast channel")
                late = float(slack.questions("CFAST")[0].ts) - fast_due.timestamp()
                rows = await rounds_in(engine, ["CFAST"])
                async with engine.connect() as connection:
                    posted_at = (await connection.execute(select(tables.rounds.c.posted_at).where(
                        tables.rounds.c.id == rows["CFAST"].round_id))).scalar_one()
                print(f"the fast channel's question came {late:.2f} s after it was due; still slow: "
                      f"{not slack.questions('CSLOW')}")
                assert not slack.questions("CSLOW"), "the slow post was over before: nothing was held back"
                assert late < 3.0
                assert abs(posted_at.timestamp() - fast_due.timestamp()) < 3.0, "stamped with another time"
            finally:
                await fleet.close()
                await engine.dispose()


async def test_a_start_does_not_wait_for_the_reactions_missed_before_it(tmp_path: Path) -> None:
    members = [f"UM{i:02d}" for i in range(20)]
    async with scratch_database("sqlite", tmp_path) as url:
        engine = await prepared_engine(url)
        async with TracingSlack() as slack:
            workspace(slack, ["CGEN"])
            for member in members:
                slack.add_user(TEAM, member, member.lower())
            fleet = Fleet(slack, url, engine, tmp_path, 1)
            try:
                first = await fleet.start(0)
                await subscribe_channels(engine, ["CGEN"], datetime.now(timezone.utc) + timedelta(seconds=0.2))

                async def posted() -> bool:
                    return bool(slack.questions("CGEN"))

                await wait_until(posted, 15, "the question")
                question = slack.questions("CGEN")[0].ts
                # Every answer is stored and answered 200, and the process dies before any reaction is made; the
                # next start finds them all without their reaction, and Slack is slow to take reactions.
                slack.hold(first.token, "reactions.add")
                slack.hold(token_of(0, 2), "reactions.add")
                load = AnswerLoad(slack, fleet.targets, random.Random(7))
                answers = [load.answer("CGEN", question, member, "batching and caching") for member in members]
                await load.deliver(answers, time.monotonic() + 30)
                await fleet.kill(0)

                began = time.monotonic()
                await fleet.start(0)  # returns once it serves HTTP: after its start-up
                took = time.monotonic() - began
                print(f"started in {took:.1f} s with {len(answers)} reactions waiting on Slack")
                assert took < 10
                slack.release()

                async def all_reacted() -> bool:
                    return all(any(user == BOT_USER for _, user in slack.reactions("CGEN", a.ts)) for a in answers)

                await wait_until(all_reacted, 20, "every answer's reaction", every=0.05)
            finally:
                await fleet.close()
                await engine.dispose()
