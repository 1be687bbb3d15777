"""Benchmark: many channels' daily questions due at the same minute, posted by real processes.

A fan-out: N subscribed Slack channels whose daily questions all fall due at the same minute, posted by real
`prepbot run` processes through a local fake Slack that enforces Slack's limits.

    python bench/fanout.py [--channels 10000] [--store sqlite|postgres|both] [--replicas N]
                           [--workspaces 10] [--workspace-rate 10] [--postgres URL]

By default it runs two configurations one after the other: one process on SQLite, and three processes sharing one
PostgreSQL (a scratch database, dropped afterwards). The fake Slack runs in a process of its own and answers 429
with Retry-After, as Slack does, to

- a second message in one channel within about a second (one message per second per channel, bursts of 3), and
- chat.postMessage over `--workspace-rate` messages per second in one workspace (a token bucket holding one
  second's worth). Slack keeps such a workspace-wide limit without publishing its figure; 10 a second (600 a
  minute) is the assumption here. The channels are spread over `--workspaces` workspaces (installed through OAuth,
  so every process finds each workspace's bot token in the database), so no schedule can beat
  channels / (workspaces x rate) seconds: the floor printed.

For each configuration it prints the time from the due minute to the last post, that floor, each post's lateness
(the moment the fake Slack accepted it, minus the due time) at p50 and p99, the duplicates and the missing posts
(both must be 0), the 429s the fake answered, and the resident memory of the prepbot processes (VmRSS from
/proc/<pid>/status): idle after start-up with every channel subscribed and its next post planned in the database
(a process keeps schedules in the database, not in memory), and after the fan-out (with the peak, VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SETUP_BATCH = 500  # channels subscribed per transaction
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def team_of(index: int, workspaces: int) -> str:
    return f"T{index % workspaces + 1}"


def channel_ref(index: int) -> str:
    return f"C{index:05d}"


# ---- the fake Slack, in a process of its own ----

def _fake_slack(args: dict[str, Any], url_out: Any, progress: Any, stop: Any, result_out: Any) -> None:
    from tests.fakes.slack import FakeSlack

    async def main() -> None:
        channels, workspaces = args["channels"], args["workspaces"]
        refs = [channel_ref(i) for i in range(channels)]
        async with FakeSlack(enforce_channel_pace=True, workspace_rate=args["workspace_rate"]) as slack:
            for w in range(workspaces):
                slack.add_workspace(team_of(w, workspaces), name=f"Bench {w + 1}")
            for i, ref in enumerate(refs):
                slack.add_channel(team_of(i, workspaces), ref, f"team-{i}")
            url_out.send((slack.url, slack.signing_secret, slack.workspace_burst))
            while not stop.is_set():
                progress.value = sum(1 for ref in refs if slack.messages[ref])
                await asyncio.sleep(0.2)
            posts = [[float(m.ts) for m in slack.top_level(ref)] for ref in refs]
            posting = slack.calls_to("chat.postMessage")
            result_out.send({
                "posts": posts,
                "rate_limited": sum(1 for c in posting if c.http_status == 429),
                "workspace_limited": slack.workspace_limited,
                "other_calls": len(slack.calls) - len(posting),
                "violations": slack.violations[:5],
                "violation_count": len(slack.violations),
            })

    asyncio.run(main())


@dataclass
class FakeSlackProcess:
    process: Any
    url: str
    signing_secret: str
    burst: int
    progress: Any
    stop: Any
    results: Any

    def posted(self) -> int:
        return int(self.progress.value)

    def finish(self) -> dict[str, Any]:
        self.stop.set()
        result: dict[str, Any] = self.results.recv()
        self.process.join(timeout=30)
        return result


def start_fake_slack(channels: int, workspaces: int, rate: float) -> FakeSlackProcess:
    url_in, url_out = multiprocessing.Pipe(duplex=False)
    results_in, results_out = multiprocessing.Pipe(duplex=False)
    progress = multiprocessing.Value("i", 0)
    stop = multiprocessing.Event()
    args = {"channels": channels, "workspaces": workspaces, "workspace_rate": rate}
    process = multiprocessing.Process(target=_fake_slack, args=(args, url_out, progress, stop, results_out),
                                      daemon=True)
    process.start()
    url, secret, burst = url_in.recv()
    return FakeSlackProcess(process, url, secret, burst, progress, stop, results_in)


# ---- the database ----

@asynccontextmanager
async def scratch_database(store: str, folder: Path, admin_url: str) -> AsyncIterator[str]:
    """A database for one configuration: a SQLite file in `folder`, or a PostgreSQL database dropped on exit."""
    if store == "sqlite":
        yield f"sqlite+aiosqlite:///{folder}/fanout.db"
        return
    import asyncpg

    admin = await asyncpg.connect(admin_url)
    name = f"prepbot_fanout_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def subscribe_all(url: str, channels: int, workspaces: int) -> float:
    """Installs the bot in every workspace and subscribes every channel, its next post planned for tomorrow (so a
    starting process finds nothing to repair and nothing due); returns the seconds it took."""
    from bot.config import Settings
    from bot.domain.model import ChannelAddress
    from bot.services.planning import replan
    from bot.store.engine import make_engine, upgrade
    from bot.store.unit_of_work import Store

    store = Store(make_engine(url))
    try:
        await upgrade(store.engine)
        now = datetime.now(timezone.utc)
        began = time.perf_counter()
        later = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
        schedule = replace(Settings().default_schedule("UTC"), post_time=later, weekdays=frozenset(range(7)))
        async with store.unit_of_work() as uow:
            for w in range(workspaces):
                team = team_of(w, workspaces)
                await uow.installations.save("slack", "", team, f"xoxb-{team}", "UBOT",
                                             json.dumps({"app_id": "AFAKEAPP01", "bot_scopes": "chat:write"}), now)
            await uow.commit()
        for start in range(0, channels, SETUP_BATCH):
            async with store.unit_of_work() as uow:
                for i in range(start, min(start + SETUP_BATCH, channels)):
                    address = ChannelAddress("slack", team_of(i, workspaces), channel_ref(i))
                    channel = await uow.channels.get_or_create(address, f"team-{i}", schedule, now)
                    await uow.channels.save(channel.id, schedule, True, subscribed_by="UADMIN")
                    await replan(uow, await uow.channels.get(channel.id), now)
                await uow.commit()
        return time.perf_counter() - began
    finally:
        await store.close()


async def move_posts_to(url: str, channels: int, due: datetime) -> float:
    """Every channel's schedule changes to post daily at `due`'s minute (UTC), as `/prep config time` would do:
    its planned work is dropped and planned again, so every next post falls due at `due`. Returns the seconds."""
    from bot.domain.schedule import Deadline
    from bot.services.planning import replan
    from bot.store.engine import make_engine
    from bot.store.unit_of_work import Store

    store = Store(make_engine(url))
    try:
        began = time.perf_counter()
        answer_window = Deadline(after=timedelta(hours=8))
        async with store.unit_of_work() as uow:
            every = await uow.channels.all()
        for start in range(0, len(every), SETUP_BATCH):
            async with store.unit_of_work() as uow:
                for channel in every[start:start + SETUP_BATCH]:
                    schedule = replace(channel.schedule, post_time=due.time(), deadline=answer_window)
                    await uow.channels.save(channel.id, schedule, True)
                    await replan(uow, replace(channel, schedule=schedule), datetime.now(timezone.utc))
                await uow.commit()
        async with store.unit_of_work() as uow:
            first = await uow.tasks.next_due()
        assert first == due and len(every) == channels, (first, due, len(every))
        return time.perf_counter() - began
    finally:
        await store.close()


async def posts_by_process(url: str) -> dict[int, int]:
    """How many daily posts each process ran, by pid (a claim token starts with its process's pid)."""
    from sqlalchemy import func, select

    from bot.store.engine import make_engine
    from bot.store.tables import tasks

    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(tasks.c.claim_token, func.count()).where(tasks.c.kind == "post_daily",
                                                                tasks.c.done_at.is_not(None))
                .group_by(tasks.c.claim_token))
            counts: dict[int, int] = {}
            for token, count in rows:
                pid = int(str(token).split("-", 1)[0])
                counts[pid] = counts.get(pid, 0) + int(count)
            return counts
    finally:
        await engine.dispose()


# ---- the prepbot processes ----

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User and system CPU time process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(values) / os.sysconf("SC_CLK_TCK")
    idle = (values[3] + values[4]) / os.sysconf("SC_CLK_TCK")
    return total - idle, total


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of process `pid`, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


@dataclass
class Replica:
    process: asyncio.subprocess.Process
    port: int
    log: Path


async def start_replicas(count: int, database_url: str, slack: FakeSlackProcess, workspaces: int, folder: Path,
                         tick: float) -> list[Replica]:
    import aiohttp

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREPBOT_", "SLACK_", "DISCORD_"))}
    env.update(PYTHONPATH=str(REPO), PREPBOT_CONFIG="", PREPBOT_DATABASE_URL=database_url,
               PREPBOT_HTTP_HOST="127.0.0.1", PREPBOT_TICK_SECONDS=str(tick), PREPBOT_LOG_LEVEL="WARNING",
               SLACK_SIGNING_SECRET=slack.signing_secret, SLACK_API_URL=f"{slack.url}/api/", SLACK_MODE="http")
    if workspaces == 1:
        env["SLACK_BOT_TOKEN"] = f"xoxb-{team_of(0, 1)}"
    else:  # many workspaces: each bot token comes from the installations in the database
        env.update(SLACK_CLIENT_ID="bench.client", SLACK_CLIENT_SECRET="bench-secret")
    replicas = []
    for n in range(count):
        port = free_port()
        log = folder / f"prepbot-{n + 1}.log"
        with log.open("wb") as sink:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "entrypoints.cli", "run", cwd=folder, env={**env, "PREPBOT_HTTP_PORT": str(port)},
                stdin=asyncio.subprocess.DEVNULL, stdout=sink, stderr=sink)
        replicas.append(Replica(process, port, log))
    async with aiohttp.ClientSession() as session:
        for replica in replicas:
            deadline = time.monotonic() + 300
            while True:
                if replica.process.returncode is not None:
                    raise RuntimeError(f"prepbot exited at start:\n{replica.log.read_text()[-3000:]}")
                try:
                    async with session.get(f"http://127.0.0.1:{replica.port}/readyz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"prepbot not ready after 300 s:\n{replica.log.read_text()[-3000:]}")
                await asyncio.sleep(0.2)
    return replicas


async def stop_replicas(replicas: list[Replica]) -> None:
    for replica in replicas:
        if replica.process.returncode is None:
            replica.process.send_signal(signal.SIGTERM)
    for replica in replicas:
        try:
            await asyncio.wait_for(replica.process.wait(), timeout=60)
        except asyncio.TimeoutError:
            replica.process.kill()
            await replica.process.wait()


# ---- one configuration ----

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(len(ordered) * share) - 1, 0)] if ordered else float("nan")


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


async def run_configuration(store: str, replica_count: int, args: argparse.Namespace) -> None:
    channels, workspaces, rate = args.channels, args.workspaces, args.workspace_rate
    title = f"{store}, {replica_count} process{'es' if replica_count > 1 else ''}"
    print(f"\n== {title}: {channels:,} channels in {workspaces} workspace(s), Slack limits 1 message/s per channel "
          f"and {rate:g} messages/s per workspace", flush=True)
    slack = start_fake_slack(channels, workspaces, rate)
    replicas: list[Replica] = []
    with tempfile.TemporaryDirectory(prefix="prepbot-fanout-") as name:
        folder = Path(name)
        try:
            async with scratch_database(store, folder, args.postgres) as url:
                took = await subscribe_all(url, channels, workspaces)
                print(f"subscribed in {took:.0f} s", flush=True)
                replicas = await start_replicas(replica_count, url, slack, workspaces, folder, args.tick)
                idle = [memory_kib(r.process.pid) for r in replicas]
                # Leave time to plan every post again (about as long as subscribing took), then the next full minute.
                due = datetime.now(timezone.utc) + timedelta(seconds=1.5 * took + 10)
                due = due.replace(second=0, microsecond=0) + timedelta(minutes=1)
                moved = await move_posts_to(url, channels, due)
                left = (due - datetime.now(timezone.utc)).total_seconds()
                print(f"every post planned for {due:%H:%M:%S} UTC in {moved:.0f} s; {left:.0f} s to go", flush=True)
                if left < 0:
                    print("  (planning ran past the due time: lateness includes that)")
                due_ts = due.timestamp()
                await asyncio.sleep(max(due_ts - time.time(), 0.0))
                cpu_before = [cpu_seconds(r.process.pid) for r in replicas] + [cpu_seconds(slack.process.pid)]
                busy_before = machine_busy()
                limit = max(600.0, 5 * channels / (workspaces * rate))
                while slack.posted() < channels and time.time() - due_ts < limit:
                    await asyncio.sleep(0.5)
                cpu_used = [cpu_seconds(r.process.pid) - used
                            for r, used in zip([*replicas, slack], cpu_before)]
                busy_after = machine_busy()
                machine = (busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1])
                await asyncio.sleep(2.0)  # time for anything posted twice to show
                after = [memory_kib(r.process.pid) for r in replicas]
                await stop_replicas(replicas)
                codes = [r.process.returncode for r in replicas]
                shares = await posts_by_process(url)
        finally:
            await stop_replicas(replicas)
            result = slack.finish()
        for replica in replicas:
            if replica.process.returncode != 0:
                print(f"  a process exited with {replica.process.returncode}:\n{replica.log.read_text()[-2000:]}")
        errors = [line for r in replicas for line in r.log.read_text().splitlines()
                  if '"level": "error"' in line or '"level": "critical"' in line]
    posts = result["posts"]
    firsts = [p[0] for p in posts if p]
    lateness = [t - due_ts for t in firsts]
    duplicates = sum(len(p) - 1 for p in posts if len(p) > 1)
    missing = sum(1 for p in posts if not p)
    burst = slack.burst
    floor = max(channels - workspaces * burst, 0) / (workspaces * rate)
    elapsed = max(firsts) - due_ts if firsts else float("nan")
    print(f"posted {len(firsts):,} of {channels:,} in {elapsed:.1f} s after the due minute; floor set by the limits "
          f"{floor:.1f} s ({channels:,} posts at {workspaces} x {rate:g}/s, less a first burst of {burst} per "
          f"workspace)")
    print(f"lateness: p50 {statistics.median(lateness):.1f} s, p99 {percentile(lateness, 0.99):.1f} s, "
          f"max {max(lateness):.1f} s")
    print(f"duplicates: {duplicates}, missing: {missing}; 429s answered: {result['rate_limited']:,} "
          f"({result['workspace_limited']:,} for the workspace limit); spec violations: {result['violation_count']} "
          f"{result['violations']}; errors logged: {len(errors)}; exit codes {codes}")
    for line in errors[:3]:
        try:
            record = json.loads(line)
        except ValueError:
            record = {"event": line}
        why = str(record.get("exception", "")).strip().splitlines()[-1:]
        print(f"  {record.get('timestamp', '')} {record.get('event', '')} {' '.join(why)}"[:400])
    print(f"CPU during the fan-out: machine {machine:.0%} busy ({os.cpu_count()} cores); fake Slack "
          f"{cpu_used[-1]:.1f} s")
    for n, (replica, before, peak) in enumerate(zip(replicas, idle, after), start=1):
        print(f"process {n}: posted {shares.get(replica.process.pid, 0):,} using {cpu_used[n - 1]:.1f} s of CPU; "
              f"memory idle after start-up {mib(before['VmRSS'])}, after the fan-out {mib(peak['VmRSS'])} "
              f"(peak {mib(peak['VmHWM'])})")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--replicas", type=int, default=None,
                        help="prepbot processes (default: 1 on SQLite, 3 on PostgreSQL)")
    parser.add_argument("--workspaces", type=int, default=10, help="workspaces the channels are spread over")
    parser.add_argument("--workspace-rate", type=float, default=10.0,
                        help="chat.postMessage per second per workspace before Slack answers 429 (default 10)")
    parser.add_argument("--tick", type=float, default=1.0, help="PREPBOT_TICK_SECONDS of the processes")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES,
                        help="an admin connection; a scratch database is created and dropped")
    args = parser.parse_args()
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    for store in stores:
        await run_configuration(store, args.replicas or (1 if store == "sqlite" else 3), args)


if __name__ == "__main__":
    asyncio.run(main())
