"""Crash safety, proven: real `prepbot run` processes killed at random moments lose no work and repeat none.

One round of chaos, on new channels each time:

1. **Fan-out**: the daily questions of CHANNELS channels fall due at once. SIGKILL lands on a process when a seeded
   number of them have been posted; it is started again after a seeded pause (a later kill may land while it is
   still starting: a process catches up on due work before it serves HTTP).
2. **Answer burst**: ANSWERS_PER_CHANNEL signed `message` events per channel are sent to the processes'
   /slack/events, 16 at a time. An answer is acknowledged when a process answered 200; the others are sent again
   with X-Slack-Retry-Num, as Slack does. SIGKILL lands when a seeded number of answers were acknowledged.
3. **Reveals**: the rounds' deadlines are brought forward to the next few seconds (a daily round stays open at least
   15 minutes and the bot's clock is real time), and SIGKILL lands when a seeded number of reveals were posted.

A killed process's task claims would be taken over once their lease lapsed (or at once by a process started again on
this host); the test lets them expire at once (claims name their process: see bot/services/claims.py), which changes
nothing else.

Then the fake's record and the database must show: every channel's question posted once, every round revealed once in
its thread (and its question marked closed), every acknowledged answer stored, each once, and reacted to (unless the
process that acknowledged it was killed before the reaction, which follows the 200: those are counted), and Slack's
API used within its spec.

Nothing is posted twice. Slack has no idempotency key, so a process killed between Slack accepting a post and the
commit that records it leaves a message the database does not know of; whoever takes the work over finds the round
still pending (or scored without its reveal recorded), reads the channel's history (or the thread's) for the
message tagged with that round, and records it instead of posting again (bot/services/posting.py, find_posted in
adapters/slack/chat.py). Every question and every reveal must be there exactly once, the recorded copy. The one
window the design leaves is a post still on its way when the next attempt looks: a process stalled in a post (after
it extended its claim, right before the call) for longer than the claim's lease, while another takes the task over. A SIGKILLed process sends nothing more,
and whatever it sent before it died reaches the fake before the next attempt looks (that attempt starts only once
the kill is over and its claims have expired), so here no double is allowed. Every copy of a double is printed, with
who posted it and when that process was killed, to tell what went wrong.

Runs on SQLite with one process and on PostgreSQL with three. Seeded: the seed is printed; PREPBOT_CHAOS_SEED=N
replays the same plan (which process is killed, at what point of which phase, how long it stays down); the operating
system's timing still varies from run to run. PREPBOT_CHAOS_ROUNDS=N runs N rounds (1 by default, about 15 s per
store); later rounds kill one to three times per phase.

`test_sigterm_during_a_fan_out...` stops a process with SIGTERM in the middle of a fan-out instead: it must exit
cleanly within STOP_BOUND, leave no claim behind, and after a restart every question is posted exactly once.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.model import TaskKind
from tests.e2e.chaos_support import (
    TEAM,
    AnswerEvent,
    AnswerLoad,
    Fleet,
    Incarnation,
    TracingSlack,
    chaos_rounds,
    chaos_seed,
    claims_held,
    pending_tasks,
    prepared_engine,
    reveals_fall_due,
    rounds_in,
    scratch_database,
    skip_unless_postgres,
    stored_answers,
    subscribe_channels,
    ts_time,
    wait_until,
)

pytestmark = pytest.mark.slow

CHANNELS = 60
ANSWERS_PER_CHANNEL = 3
MEMBERS = [f"UM{i:02d}" for i in range(1, 7)]
PHASES = ("fan-out", "answers", "reveals")
PHASE_TIMEOUT = 60.0  # seconds for one phase to finish, restarts included
STOP_BOUND = 10.0  # seconds from SIGTERM to exit, with a fan-out in flight (the waker itself waits at most 30 s)


@dataclass(frozen=True)
class Kill:
    phase: str
    after: int  # SIGKILL once this many of the phase's items are done
    slot: int
    down_for: float  # seconds before the slot is started again


def plan_round(rng: random.Random, round_no: int, slots: int, totals: dict[str, int]) -> list[Kill]:
    """The seeded kills of one round: one per phase in the first round, one to three in later ones."""
    kills = []
    for phase in PHASES:
        count = 1 if round_no == 1 else rng.randint(1, 3)
        points = sorted(rng.sample(range(1, totals[phase]), count))
        kills += [Kill(phase, after, rng.randrange(slots), round(rng.uniform(0.0, 0.6), 2)) for after in points]
    return kills


async def _at_least(progress: Callable[[], Awaitable[int]], point: int) -> bool:
    return await progress() >= point


@dataclass
class Chaos:
    """One chaos run: the processes, the plan, and what happened."""

    fleet: Fleet
    slack: TracingSlack
    rng: random.Random
    restarts: list[asyncio.Task[Incarnation]] = field(default_factory=list)

    def say(self, line: str) -> None:
        print(line, flush=True)

    async def monkey(self, kills: list[Kill], progress: Callable[[], Awaitable[int]], total: int) -> None:
        """Carries out one phase's kills as its progress passes their points."""
        for kill in kills:
            await wait_until(lambda: _at_least(progress, kill.after), PHASE_TIMEOUT, f"{kill.phase} progress",
                             every=0.002)
            await wait_until(self._slot_running(kill.slot), PHASE_TIMEOUT, f"slot {kill.slot} started again")
            starting = kill.slot not in self.fleet.live_slots()
            dead = await self.fleet.kill(kill.slot)
            done = await progress()
            late = " (the phase was over)" if done >= total else " (while it was starting)" if starting else ""
            self.say(f"  {kill.phase}: SIGKILL {dead.name} (pid {dead.pid}) at {done}/{total}{late} (planned at "
                     f"{kill.after}); down {kill.down_for:.2f} s")
            self.restarts.append(asyncio.create_task(self._restart(kill.slot, kill.down_for)))

    def _slot_running(self, slot: int) -> Callable[[], Awaitable[bool]]:
        async def running() -> bool:
            return slot in self.fleet.running_slots()  # a process still starting may be killed too
        return running

    async def _restart(self, slot: int, after: float) -> Incarnation:
        await asyncio.sleep(after)
        return await self.fleet.start(slot)

    async def settle(self) -> None:
        """Waits for every restart planned so far."""
        await asyncio.gather(*self.restarts)
        self.restarts.clear()


@dataclass
class RoundResult:
    planned_kills: int = 0
    questions: int = 0
    reveals: int = 0
    answers: int = 0
    attempts: int = 0
    retried: int = 0
    reactions_lost: int = 0
    doubles: int = 0
    failures: list[str] = field(default_factory=list)


def describe_copies(chaos: Chaos, kind: str, channel: str, copies: list[str], recorded: str | None) -> str:
    """What each copy of a question or reveal posted more than once is: who posted it, and when that process was
    killed, if it was."""
    parts = []
    for ts in copies:
        poster = chaos.fleet.by_token(chaos.slack.posted_with.get((channel, ts)))
        name = poster.name if poster else "an unknown poster"
        if ts == recorded:
            parts.append(f"{ts} by {name} (recorded)")
        elif poster is None or poster.killed_at is None:
            parts.append(f"{ts} by {name}, never killed")
        else:
            parts.append(f"{ts} by {name}, SIGKILLed {poster.killed_at - ts_time(ts):+.3f} s after it was accepted")
    return f"{kind} in {channel} posted {len(copies)} times: " + "; ".join(parts)


async def run_round(chaos: Chaos, engine: AsyncEngine, round_no: int, load: AnswerLoad) -> RoundResult:
    slack, fleet, rng = chaos.slack, chaos.fleet, chaos.rng
    refs = [f"C{round_no:02d}{i:03d}" for i in range(CHANNELS)]
    for ref in refs:
        slack.add_channel(TEAM, ref, ref.lower())
    totals = {"fan-out": CHANNELS, "answers": CHANNELS * ANSWERS_PER_CHANNEL, "reveals": CHANNELS}
    kills = plan_round(rng, round_no, fleet.size, totals)
    by_phase = {phase: [k for k in kills if k.phase == phase] for phase in PHASES}
    result = RoundResult(planned_kills=len(kills))
    chaos.say(f"round {round_no}: {CHANNELS} channels, {totals['answers']} answers, "
              f"{len(kills)} kills planned: " + ", ".join(f"{k.phase}@{k.after}->p{k.slot}" for k in kills))

    # 1. the fan-out
    began = time.monotonic()
    await subscribe_channels(engine, refs, datetime.now(timezone.utc) + timedelta(seconds=0.5))

    async def posted() -> int:
        return sum(1 for ref in refs if slack.questions(ref))

    async def fan_out_done() -> bool:
        rows = await rounds_in(engine, refs)
        return (len(rows) == len(refs) and all(r.message_ref for r in rows.values())
                and await pending_tasks(engine, refs, TaskKind.POST_DAILY, datetime.now(timezone.utc)) == 0)

    await chaos.monkey(by_phase["fan-out"], posted, CHANNELS)
    await wait_until(fan_out_done, PHASE_TIMEOUT, "every question posted and recorded", every=0.1)
    await chaos.settle()
    chaos.say(f"  fan-out done in {time.monotonic() - began:.1f} s")

    # 2. the answer burst
    began = time.monotonic()
    rows = await rounds_in(engine, refs)
    answers: list[AnswerEvent] = []
    for ref in refs:
        thread = rows[ref].message_ref
        assert thread is not None
        for user in rng.sample(MEMBERS, ANSWERS_PER_CHANNEL):
            answers.append(load.answer(ref, thread, user, f"{user} in {ref}: batching, quantization, KV cache "
                                                          f"and a p99 budget ({rng.randrange(10**6)})"))
    rng.shuffle(answers)

    async def acked() -> int:
        return sum(1 for a in answers if a.acked_at is not None)

    await asyncio.gather(load.deliver(answers, time.monotonic() + PHASE_TIMEOUT),
                         chaos.monkey(by_phase["answers"], acked, len(answers)))
    await chaos.settle()
    result.attempts = sum(a.attempts for a in answers)
    result.retried = sum(1 for a in answers if a.attempts > 1)
    chaos.say(f"  answers done in {time.monotonic() - began:.1f} s: {len(answers)} acknowledged after "
              f"{result.attempts} deliveries ({result.retried} retried)")

    # 3. the reveals
    began = time.monotonic()
    round_ids = [rows[ref].round_id for ref in refs]
    rng.shuffle(round_ids)
    await reveals_fall_due(engine, round_ids, datetime.now(timezone.utc) + timedelta(seconds=0.5), spread=1.0)

    async def revealed() -> int:
        return sum(1 for ref in refs if slack.reveals(ref, rows[ref].message_ref or ""))

    async def reveals_done() -> bool:
        now = datetime.now(timezone.utc)
        current = await rounds_in(engine, refs)
        return (all(r.status == "closed" and r.reveal_ref for r in current.values())
                and await pending_tasks(engine, refs, TaskKind.REVEAL, now + timedelta(days=1)) == 0)

    await chaos.monkey(by_phase["reveals"], revealed, CHANNELS)
    await wait_until(reveals_done, PHASE_TIMEOUT, "every round revealed and recorded", every=0.1)
    await chaos.settle()
    await asyncio.sleep(1.0)  # a process that would post something twice has had time to
    chaos.say(f"  reveals done in {time.monotonic() - began:.1f} s")

    # what the fake and the database say
    rows = await rounds_in(engine, refs)
    stored = await stored_answers(engine, [r.round_id for r in rows.values()])
    stored_set = set(stored)
    for ref in refs:
        row = rows[ref]
        questions = [m.ts for m in slack.questions(ref)]
        result.questions += len(questions)
        if len(questions) != 1:
            result.doubles += len(questions) > 1
            result.failures.append(describe_copies(chaos, "question", ref, questions, row.message_ref))
        elif questions != [row.message_ref]:
            result.failures.append(f"{ref}: the question {questions[0]} is not the one recorded ({row.message_ref})")
        for ts in questions:
            reveals = [m.ts for m in slack.reveals(ref, ts)]
            if ts != row.message_ref:
                if reveals:
                    result.failures.append(f"{ref}: a reveal in the thread of an unrecorded question {ts}")
                continue
            result.reveals += len(reveals)
            if len(reveals) != 1:
                result.doubles += len(reveals) > 1
                result.failures.append(describe_copies(chaos, "reveal", ref, reveals, row.reveal_ref))
            elif reveals != [row.reveal_ref]:
                result.failures.append(f"{ref}: the reveal {reveals[0]} is not the one recorded ({row.reveal_ref})")
            closed = next(m for m in slack.questions(ref) if m.ts == ts)
            if not closed.text.startswith("Closed:"):
                result.failures.append(f"{ref}: the question was not marked closed: {closed.text[:60]!r}")
    for answer in answers:
        if (rows[answer.channel].round_id, answer.ts) not in stored_set:
            result.failures.append(f"answer {answer.ts} in {answer.channel} acknowledged ({answer.statuses}) "
                                   "but not stored")
        elif ("white_check_mark", "UBOT") not in slack.reactions(answer.channel, answer.ts):
            acker = chaos.fleet.by_name(answer.acked_by)
            if acker is not None and acker.killed_at is not None:
                result.reactions_lost += 1  # it would have reacted after the 200, but was killed first
            else:
                result.failures.append(f"answer {answer.ts} in {answer.channel} stored but not reacted to")
    result.answers = len(stored)
    if len(stored) != len(answers) or len(stored_set) != len(stored):
        result.failures.append(f"{len(stored)} answer parts stored for {len(answers)} answers sent")
    chaos.say(f"  questions posted {result.questions} for {CHANNELS} channels, reveals {result.reveals}, "
              f"answers stored {result.answers} of {len(answers)} acknowledged ({result.reactions_lost} not reacted to: "
              f"acknowledged by a process killed before its follow-ups ran); doubles {result.doubles}")
    return result


@pytest.fixture(params=[("sqlite", 1), ("postgres", 3)], ids=["sqlite-1-process", "postgres-3-processes"])
def store_and_processes(request: pytest.FixtureRequest) -> tuple[str, int]:
    backend, processes = request.param
    if backend == "postgres":
        skip_unless_postgres()
    return backend, processes


async def test_processes_killed_during_fan_out_answers_and_reveals_lose_nothing_and_repeat_nothing(
    store_and_processes: tuple[str, int], tmp_path: Path
) -> None:
    backend, size = store_and_processes
    seed, rounds = chaos_seed(), chaos_rounds()
    began = time.monotonic()
    async with scratch_database(backend, tmp_path) as url:
        engine = await prepared_engine(url)
        async with TracingSlack() as slack:
            slack.add_workspace(TEAM, name="Acme")
            for member in MEMBERS:
                slack.add_user(TEAM, member, member.lower())
            fleet = Fleet(slack, url, engine, tmp_path, size)
            chaos = Chaos(fleet, slack, random.Random(seed))
            chaos.say(f"chaos: seed {seed} (replay with PREPBOT_CHAOS_SEED={seed}), {backend}, {size} process(es), "
                      f"{rounds} round(s)")
            load = AnswerLoad(slack, fleet.targets, random.Random(seed + 1))
            results = []
            try:
                await fleet.start_all()
                for round_no in range(1, rounds + 1):
                    results.append(await run_round(chaos, engine, round_no, load))
            finally:
                for task in chaos.restarts:
                    task.cancel()
                await fleet.close()
                await engine.dispose()
            kills = sum(1 for i in fleet.incarnations if i.killed_at is not None)
            chaos.say(f"chaos: {kills} SIGKILLs, {len(fleet.incarnations)} process starts, "
                      f"{sum(r.doubles for r in results)} doubles, {len(slack.calls_to('conversations.history'))} "
                      f"channel and {len(slack.calls_to('conversations.replies'))} thread look-ups for posts not "
                      f"recorded, took {time.monotonic() - began:.1f} s")
            failures = [f for r in results for f in r.failures]
            assert failures == [], f"seed {seed}: " + "\n".join(failures)
            assert slack.violations == []
            assert kills == sum(r.planned_kills for r in results), "a planned kill did not happen"


async def test_sigterm_during_a_fan_out_stops_within_its_bound_and_a_restart_posts_the_rest_exactly_once(
    tmp_path: Path
) -> None:
    seed = chaos_seed()
    rng = random.Random(seed)
    channels = 100
    refs = [f"CT{i:03d}" for i in range(channels)]
    async with scratch_database("sqlite", tmp_path) as url:
        engine = await prepared_engine(url)
        async with TracingSlack() as slack:
            slack.add_workspace(TEAM, name="Acme")
            for ref in refs:
                slack.add_channel(TEAM, ref, ref.lower())
            fleet = Fleet(slack, url, engine, tmp_path, 1)
            try:
                first = await fleet.start(0)
                await subscribe_channels(engine, refs, datetime.now(timezone.utc) + timedelta(seconds=0.3))
                point = rng.randrange(5, channels // 2)

                async def posted() -> int:
                    return sum(1 for ref in refs if slack.questions(ref))

                await wait_until(lambda: _at_least(posted, point), PHASE_TIMEOUT, "the fan-out under way", every=0.002)
                at_signal = await posted()
                _, took, code = await fleet.terminate(0, 40.0)
                at_exit = await posted()
                left = await claims_held(engine, first.pid)
                print(f"sigterm: seed {seed}; SIGTERM at {at_signal}/{channels} posted (planned at {point}), exited "
                      f"with {code} after {took:.2f} s with {at_exit}/{channels} posted, {left} claims left")
                assert at_signal < channels, "the fan-out was over before SIGTERM: nothing was in flight"
                assert code == 0, first.log.read_text()[-3000:]
                assert took <= STOP_BOUND
                assert left == 0, "a stopped process left work claimed"

                await fleet.start(0)

                async def all_posted() -> bool:
                    rows = await rounds_in(engine, refs)
                    return len(rows) == channels and all(r.message_ref for r in rows.values())

                await wait_until(all_posted, PHASE_TIMEOUT, "every question posted", every=0.1)
                await asyncio.sleep(1.0)
                rows = await rounds_in(engine, refs)
                counts = {ref: [m.ts for m in slack.questions(ref)] for ref in refs}
                print(f"sigterm: after the restart {sum(map(len, counts.values()))} questions in {channels} channels")
                assert {ref: len(ts) for ref, ts in counts.items()} == {ref: 1 for ref in refs}
                assert all(counts[ref] == [rows[ref].message_ref] for ref in refs)
                assert slack.violations == []
            finally:
                await fleet.close()
                await engine.dispose()
