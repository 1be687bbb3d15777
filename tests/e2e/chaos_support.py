"""What the chaos and database-outage tests share.

Real `prepbot run` processes on a FakeSlack, a TCP proxy that can take the database away, a load generator that sends
answers the way Slack does, and readers of what happened.

- `Fleet` runs P process slots of `prepbot run` (Slack over HTTP). Each start of a slot is an `Incarnation` with its
  own bot token, so the fake can tell which process posted a message (`TracingSlack.posted_with`). `Fleet.kill` sends
  SIGKILL and then lets the dead process's task claims expire (they name its pid: see bot/services/claims.py), as
  their lease would; nothing else about the bot's time is touched. (A process started again on this host takes them
  back at once anyway.) `Fleet.pause` and `resume` stall a process (SIGSTOP) and wake it.
- `TracingSlack.hold` keeps one process's calls to a method waiting (before they are served, or served with their
  answers held), so a test can stop or stall a process at a known point of its work.
- `TcpProxy` sits between the bot and PostgreSQL: `cut()` drops every connection and refuses new ones, `restore()`
  lets them through again, as a PostgreSQL restart would look to the bot, without disturbing the server.
- `AnswerLoad` posts signed `message` events to the bots' /slack/events. An answer is acknowledged when a bot
  answered 200; one that was not is sent again with X-Slack-Retry-Num, like Slack does (Slack gives up after three
  retries; the load generator keeps going until every answer is acknowledged, so that the test can ask for all of
  them to be stored, and it counts the attempts).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import sys
import time
import uuid
from urllib.parse import urlencode
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from sqlalchemy import select, update
from aiohttp import web
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.domain.model import ChannelAddress, TaskKind
from bot.services.planning import post_key
from bot.store import tables
from bot.store.engine import make_engine, upgrade
from bot.store.unit_of_work import Store
from tests import databases
from tests.e2e.console import REPO
from tests.fakes.slack import FakeSlack, Message

TEAM = "T1"
BOT_USER = "UBOT"  # FakeSlack's default bot user
REVEAL_TEXT = "Hint and feedback"  # how a reveal reply's notification text begins (adapters/slack/render.py)
LISTENING = re.compile(r"HTTP on (http://[0-9A-Za-z.:\[\]-]+)")  # in plain or JSON log lines


def chaos_seed() -> int:
    """PREPBOT_CHAOS_SEED when set (to replay a run), else a fresh one."""
    raw = os.environ.get("PREPBOT_CHAOS_SEED", "").strip()
    return int(raw) if raw else random.SystemRandom().randrange(1, 10**9)


def chaos_rounds() -> int:
    """PREPBOT_CHAOS_ROUNDS: how many rounds of fan-out, answers and reveals (1 by default)."""
    raw = os.environ.get("PREPBOT_CHAOS_ROUNDS", "").strip()
    return max(1, int(raw)) if raw else 1


# ---- databases ----

def skip_unless_postgres() -> None:
    """Skips (locally) or fails (CI=true, or PREPBOT_TEST_DATABASES names postgres) when PostgreSQL is not usable,
    as tests/databases.py does for the store and service suites. Call it outside the event loop."""
    wanted, named = databases.wanted_backends()
    if "postgres" not in wanted:
        pytest.skip(f"PREPBOT_TEST_DATABASES={os.environ.get('PREPBOT_TEST_DATABASES')} leaves PostgreSQL out")
    problem = databases.postgres_problem()
    if problem is not None:
        where = databases.admin_url().render_as_string(hide_password=True)
        if databases.in_ci() or named:
            pytest.fail(f"PostgreSQL is not reachable at {where}: {problem}")
        pytest.skip(f"PostgreSQL is not reachable at {where}: {problem}")


def asyncpg_dsn(url: URL) -> str:
    """A SQLAlchemy postgresql+asyncpg URL as a DSN asyncpg itself takes."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def scratch_database(backend: str, folder: Path) -> AsyncIterator[str]:
    """A new, empty database for one test, as a SQLAlchemy URL: a file in `folder` on SQLite, a scratch database
    `prepbot_chaos_<random>` on PostgreSQL, dropped afterwards (WITH FORCE: a killed process may leave a session)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{folder}/chaos.db"
        return
    name = f"prepbot_chaos_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(asyncpg_dsn(databases.admin_url()))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield databases.postgres_url(name)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def prepared_engine(url: str) -> AsyncEngine:
    """The test's own engine on the bot's database, with the schema brought up to date."""
    engine = make_engine(url)
    await upgrade(engine)
    return engine


async def subscribe_channels(engine: AsyncEngine, refs: Iterable[str], due_at: datetime) -> None:
    """Subscribes the channels (daily, UTC) and schedules each one's daily post at `due_at`, in one transaction, so
    that a process starting in between never plans them otherwise."""
    store = Store(engine)
    schedule = Settings(weekdays="daily").default_schedule("UTC")
    now = datetime.now(timezone.utc)
    async with store.unit_of_work() as uow:
        for ref in refs:
            channel = await uow.channels.get_or_create(ChannelAddress("slack", TEAM, ref), ref.lower(), schedule, now)
            await uow.channels.save(channel.id, schedule, True, subscribed_by="UADMIN")
            await uow.tasks.schedule(TaskKind.POST_DAILY, channel.id, due_at, post_key(channel.id, due_at.date()),
                                     slot_date=due_at.date())
        await uow.commit()


@dataclass(frozen=True)
class RoundRow:
    channel: str
    round_id: int
    status: str
    message_ref: str | None
    reveal_ref: str | None


async def rounds_in(engine: AsyncEngine, refs: Iterable[str]) -> dict[str, RoundRow]:
    """The daily round of each of the channels that has one, by channel id."""
    wanted = list(refs)
    query = (
        select(tables.channels.c.channel_ref, tables.rounds.c.id, tables.rounds.c.status, tables.rounds.c.message_ref,
               tables.rounds.c.reveal_ref)
        .join(tables.rounds, tables.rounds.c.channel_id == tables.channels.c.id)
        .where(tables.channels.c.channel_ref.in_(wanted))
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return {ref: RoundRow(ref, round_id, status, message_ref, reveal_ref)
            for ref, round_id, status, message_ref, reveal_ref in rows}


async def pending_tasks(engine: AsyncEngine, refs: Iterable[str], kind: TaskKind, until: datetime) -> int:
    """How many tasks of `kind` due by `until` in the channels are not done."""
    query = (
        select(tables.tasks.c.id)
        .join(tables.channels, tables.channels.c.id == tables.tasks.c.channel_id)
        .where(tables.channels.c.channel_ref.in_(list(refs)), tables.tasks.c.kind == kind.value,
               tables.tasks.c.done_at.is_(None), tables.tasks.c.due_at <= until)
    )
    async with engine.connect() as connection:
        return len((await connection.execute(query)).all())


async def reveals_fall_due(engine: AsyncEngine, round_ids: list[int], first: datetime, spread: float) -> None:
    """Brings the rounds' deadlines (and their reveal tasks) forward to between `first` and `first + spread`
    seconds: the bot's clock is real time, and a daily round stays open at least 15 minutes."""
    async with engine.begin() as connection:
        for index, round_id in enumerate(round_ids):
            at = first + timedelta(seconds=spread * index / max(1, len(round_ids) - 1))
            await connection.execute(update(tables.rounds).where(tables.rounds.c.id == round_id)
                                     .values(deadline_at=at))
            await connection.execute(update(tables.tasks).where(tables.tasks.c.round_id == round_id,
                                                                tables.tasks.c.kind == TaskKind.REVEAL.value)
                                     .values(due_at=at))


async def stored_answers(engine: AsyncEngine, round_ids: Iterable[int]) -> list[tuple[int, str]]:
    """(round id, message ts) of every stored answer part in the rounds."""
    query = select(tables.answer_parts.c.round_id, tables.answer_parts.c.message_ref).where(
        tables.answer_parts.c.round_id.in_(list(round_ids)))
    async with engine.connect() as connection:
        return [(round_id, ref) for round_id, ref in (await connection.execute(query)).all()]


async def claims_held(engine: AsyncEngine, pid: int) -> int:
    """How many tasks not done are still claimed by process `pid` (an expired claim counts too)."""
    query = select(tables.tasks.c.id).where(tables.tasks.c.done_at.is_(None),
                                            tables.tasks.c.claim_token.like(f"{pid}-%"))
    async with engine.connect() as connection:
        return len((await connection.execute(query)).all())


async def expire_claims_of(engine: AsyncEngine, pid: int) -> int:
    """Lets the task claims of process `pid` expire now, as they would once their lease lapsed; returns how many there
    were."""
    past = datetime.now(timezone.utc) - timedelta(seconds=1)
    async with engine.begin() as connection:
        result = await connection.execute(
            update(tables.tasks)
            .where(tables.tasks.c.done_at.is_(None), tables.tasks.c.claim_token.like(f"{pid}-%"),
                   tables.tasks.c.claimed_until > past)
            .values(claimed_until=past))
    return int(result.rowcount)


# ---- the fake's side ----

class TracingSlack(FakeSlack):
    """FakeSlack that accepts one bot token per process for the same workspace and remembers which token posted
    each message, so a test running several processes can tell which one posted what."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.posted_with: dict[tuple[str, str], str] = {}  # (channel, ts) -> the bot token that posted it
        self.called_with: list[tuple[str, str | None, dict[str, Any]]] = []  # (method, token, args) of every call
        self._holds: dict[tuple[str, str], tuple[bool, asyncio.Event]] = {}  # (token, method or "*") -> hold
        self.held: list[tuple[str, str]] = []  # (token, method) of the calls a hold is keeping
        self.response_urls_held = False
        self._response_gate = asyncio.Event()
        self.slow_posts: dict[str, float] = {}  # channel -> seconds each chat.postMessage there takes

    def hold(self, token: str, method: str = "*", *, answered: bool = False) -> None:
        """Keeps the calls of `token` to `method` (every method: "*") waiting until `release()`. Held before they are
        served (nothing happens until then), or with `answered`, served at once and their answers held: what the
        process reads was true when it asked, and is stale by the time it gets it."""
        self._holds[(token, method)] = (answered, asyncio.Event())

    def release(self) -> None:
        """Lets every held call go on."""
        for _, gate in self._holds.values():
            gate.set()
        self._holds.clear()
        self._response_gate.set()
        self.response_urls_held = False

    async def _serve_response_url(self, request: web.Request) -> web.Response:
        if self.response_urls_held:
            self.held.append(("response_url", "*"))
            await self._response_gate.wait()
        return await super()._serve_response_url(request)

    async def __aenter__(self) -> TracingSlack:
        await self.start()
        return self

    def add_process_token(self, team_id: str, token: str) -> None:
        self.workspace(team_id)
        self._tokens[token] = team_id

    async def _dispatch(
        self, method: str, args: dict[str, Any], token: str | None, basic: tuple[str, str] | None
    ) -> dict[str, Any]:
        self.called_with.append((method, token, dict(args)))
        hold = self._holds.get((token or "", method)) or self._holds.get((token or "", "*"))
        if hold is not None and not hold[0]:
            self.held.append((token or "", method))
            await hold[1].wait()
        if method == "chat.postMessage" and str(args.get("channel")) in self.slow_posts:
            await asyncio.sleep(self.slow_posts[str(args.get("channel"))])
        body = await super()._dispatch(method, args, token, basic)
        if method == "chat.postMessage" and body.get("ok") and token:
            self.posted_with[(str(body["channel"]), str(body["ts"]))] = token
        if hold is not None and hold[0]:
            self.held.append((token or "", method))
            await hold[1].wait()
        return body

    def calls_by(self, token: str, method: str) -> list[dict[str, Any]]:
        """The arguments of the calls `token` made to `method`."""
        return [args for called, by, args in self.called_with if called == method and by == token]

    def questions(self, channel: str) -> list[Message]:
        """The bot's top-level messages in the channel: its questions."""
        return [m for m in self.top_level(channel) if m.user == BOT_USER]

    def reveals(self, channel: str, thread_ts: str) -> list[Message]:
        """The bot's reveal replies in a question's thread."""
        return [m for m in self.thread(channel, thread_ts) if m.user == BOT_USER and m.text.startswith(REVEAL_TEXT)]


async def send_command(slack: FakeSlack, url: str, channel: str, user: str, text: str) -> int:
    """Sends a signed `/prep` slash command to a bot over HTTP, as Slack does; returns the HTTP status."""
    body = urlencode(slack.slash_command(TEAM, channel, user, text))
    status, _ = await slack.send_signed(f"{url}/slack/events", body, "application/x-www-form-urlencoded")
    return status


def ts_time(ts: str) -> float:
    return float(ts)


# ---- processes ----

@dataclass
class Incarnation:
    """One start of one process slot."""

    name: str  # "p1.2": slot 1, its second start
    token: str
    pid: int = 0
    url: str = ""
    started_at: float = 0.0
    killed_at: float | None = None  # when it got SIGKILL
    stopped_at: float | None = None  # when it exited after SIGTERM
    log: Path = Path()


class Fleet:
    """`size` slots of `prepbot run` on one database and one FakeSlack; `lease`: the claim lease in seconds (the
    bot's default when None); `extra_env`: more settings for every process."""

    def __init__(self, slack: TracingSlack, database_url: str, engine: AsyncEngine, workdir: Path, size: int,
                 *, tick: float = 0.2, lease: float | None = None, extra_env: dict[str, str] | None = None) -> None:
        self.lease = lease
        self.extra_env = dict(extra_env or {})
        self.slack = slack
        self.database_url = database_url
        self.engine = engine
        self.workdir = workdir
        self.size = size
        self.tick = tick
        self.incarnations: list[Incarnation] = []
        self._live: dict[int, tuple[Incarnation, asyncio.subprocess.Process]] = {}
        self._starts = [0] * size

    def env(self, token: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREPBOT_", "SLACK_", "DISCORD_"))}
        env.update(PYTHONPATH=str(REPO), PREPBOT_CONFIG="", PREPBOT_DATABASE_URL=self.database_url,
                   PREPBOT_HTTP_HOST="127.0.0.1", PREPBOT_HTTP_PORT="0", PREPBOT_TICK_SECONDS=str(self.tick),
                   SLACK_BOT_TOKEN=token, SLACK_SIGNING_SECRET=self.slack.signing_secret,
                   SLACK_API_URL=f"{self.slack.url}/api/", SLACK_MODE="http", SLACK_CHANNEL_INTERVAL="0")
        if self.lease is not None:
            env["PREPBOT_CLAIM_LEASE_SECONDS"] = str(self.lease)
        env.update(self.extra_env)
        return env

    async def start(self, slot: int, timeout: float = 30.0) -> Incarnation:
        """Starts the slot's process and returns once it serves HTTP (its waker is started by then), or once it was
        killed while starting."""
        assert slot not in self._live, f"slot {slot} is running"
        self._starts[slot] += 1
        name = f"p{slot}.{self._starts[slot]}"
        token = f"xoxb-{TEAM}-{name}"
        self.slack.add_process_token(TEAM, token)
        log = self.workdir / f"{name}.log"
        with log.open("wb") as sink:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "entrypoints.cli", "run", cwd=self.workdir, env=self.env(token),
                stdin=asyncio.subprocess.DEVNULL, stdout=sink, stderr=sink)
        incarnation = Incarnation(name, token, process.pid, started_at=time.time(), log=log)
        self.incarnations.append(incarnation)
        self._live[slot] = (incarnation, process)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if incarnation.killed_at is not None:
                return incarnation
            found = LISTENING.search(log.read_text(errors="replace"))
            if found:
                incarnation.url = found.group(1)
                return incarnation
            if process.returncode is not None:
                break
            await asyncio.sleep(0.02)
        raise AssertionError(f"{name} did not start:\n{log.read_text(errors='replace')[-3000:]}")

    async def start_all(self) -> None:
        await asyncio.gather(*(self.start(slot) for slot in range(self.size)))

    def live_slots(self) -> list[int]:
        """The slots whose process serves HTTP."""
        return sorted(slot for slot, (inc, _) in self._live.items() if inc.url)

    def running_slots(self) -> list[int]:
        """The slots with a process, serving or still starting (it catches up on due work before it serves)."""
        return sorted(self._live)

    def targets(self) -> list[tuple[str, str]]:
        """(name, URL) of every process up."""
        return [(self._live[slot][0].name, self._live[slot][0].url) for slot in self.live_slots()]

    def process(self, slot: int) -> asyncio.subprocess.Process:
        return self._live[slot][1]

    async def kill(self, slot: int, *, expire: bool = True) -> Incarnation:
        """SIGKILL; then (with `expire`) the dead process's claims expire (see the module docstring)."""
        incarnation, process = self._live.pop(slot)
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        incarnation.killed_at = time.time()
        await process.wait()
        if expire:
            await expire_claims_of(self.engine, incarnation.pid)
        return incarnation

    def pause(self, slot: int) -> None:
        """SIGSTOP: the process stalls where it is, holding whatever it holds."""
        self._live[slot][1].send_signal(signal.SIGSTOP)

    def resume(self, slot: int) -> None:
        """SIGCONT."""
        self._live[slot][1].send_signal(signal.SIGCONT)

    async def terminate(self, slot: int, bound: float) -> tuple[Incarnation, float, int | None]:
        """SIGTERM; returns the incarnation, how long it took to exit (at most `bound`: after that it is killed)
        and its exit code (None when it had to be killed)."""
        incarnation, process = self._live.pop(slot)
        began = time.monotonic()
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code: int | None
        try:
            code = await asyncio.wait_for(process.wait(), bound)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()
            code = None
        incarnation.stopped_at = time.time()
        return incarnation, time.monotonic() - began, code

    async def close(self) -> None:
        """Stops every live process (SIGTERM, then SIGKILL after 30 s)."""
        self.slack.release()
        for slot in list(self._live):
            self.resume(slot)
            await self.terminate(slot, 30.0)

    def by_token(self, token: str | None) -> Incarnation | None:
        return next((i for i in self.incarnations if i.token == token), None)

    def by_name(self, name: str) -> Incarnation | None:
        return next((i for i in self.incarnations if i.name == name), None)


# ---- the database behind a proxy ----

class TcpProxy:
    """A TCP proxy on 127.0.0.1 in front of `target`: `cut()` drops every connection through it and refuses new ones
    (the listening socket is closed), `restore()` listens again on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()
        self.connections = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._pipes.update((client_writer, server_writer))

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.transport.abort()

        try:
            await asyncio.gather(pump(client_reader, server_writer), pump(server_reader, client_writer))
        finally:
            self._pipes.difference_update((client_writer, server_writer))

    async def cut(self) -> None:
        """Every connection dropped (reset), new ones refused."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._pipes):
            writer.transport.abort()
        self._pipes.clear()

    async def restore(self) -> None:
        await self.start()

    async def close(self) -> None:
        await self.cut()


# ---- answers, as Slack delivers them ----

@dataclass
class AnswerEvent:
    channel: str
    thread_ts: str
    ts: str
    user: str
    body: str
    attempts: int = 0
    statuses: list[str] = field(default_factory=list)
    acked_at: float | None = None
    acked_by: str = ""  # the name of the process that answered 200


class AnswerLoad:
    """Sends answer events to whichever bots are up, each until one answers 200."""

    def __init__(self, slack: FakeSlack, targets: Callable[[], list[tuple[str, str]]], rng: random.Random, *,
                 concurrency: int = 16, timeout: float = 3.0) -> None:
        self.slack = slack
        self.targets = targets  # (name, URL) of the bots up
        self.rng = rng
        self.concurrency = concurrency
        self.timeout = timeout  # Slack waits 3 seconds for a response
        self.events: list[AnswerEvent] = []

    def answer(self, channel: str, thread_ts: str, user: str, text: str) -> AnswerEvent:
        """A member's reply in the thread (made in the fake, as the member would) and the event Slack sends for it."""
        message = self.slack.add_user_message(channel, user, text, thread_ts=thread_ts)
        event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": message.ts,
                 "thread_ts": thread_ts, "channel_type": "channel", "team": TEAM}
        answer = AnswerEvent(channel, thread_ts, message.ts, user, json.dumps(self.slack.event_callback(TEAM, event)))
        self.events.append(answer)
        return answer

    async def send_once(self, session: aiohttp.ClientSession, url: str, answer: AnswerEvent) -> int | None:
        """One delivery attempt; the HTTP status, or None when the connection failed or timed out."""
        stamp = int(time.time())
        headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(stamp),
                   "X-Slack-Signature": self.slack.sign(answer.body, stamp)}
        if answer.attempts:
            headers["X-Slack-Retry-Num"] = str(answer.attempts)
            headers["X-Slack-Retry-Reason"] = "http_timeout" if answer.statuses[-1] == "timeout" else "http_error"
        answer.attempts += 1
        try:
            async with session.post(f"{url}/slack/events", data=answer.body.encode(), headers=headers,
                                    timeout=aiohttp.ClientTimeout(total=self.timeout)) as response:
                await response.read()
                answer.statuses.append(str(response.status))
                return response.status
        except asyncio.TimeoutError:
            answer.statuses.append("timeout")
        except aiohttp.ClientError as error:
            answer.statuses.append(type(error).__name__)
        return None

    async def deliver(self, answers: list[AnswerEvent], deadline: float,
                      on_ack: Callable[[AnswerEvent], Awaitable[None]] | None = None) -> None:
        """Sends every answer until it is acknowledged (retrying like Slack); fails past `deadline` (monotonic)."""
        slots = asyncio.Semaphore(self.concurrency)

        async def one(session: aiohttp.ClientSession, answer: AnswerEvent) -> None:
            async with slots:
                while answer.acked_at is None:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"answer {answer.ts} never acknowledged: {answer.statuses}")
                    targets = self.targets()
                    if not targets:
                        await asyncio.sleep(0.05)
                        continue
                    name, url = self.rng.choice(targets)
                    if await self.send_once(session, url, answer) == 200:
                        answer.acked_at = time.time()
                        answer.acked_by = name
                        if on_ack is not None:
                            await on_ack(answer)
                    else:
                        await asyncio.sleep(min(1.0, 0.1 * answer.attempts))

        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(one(session, answer) for answer in answers))


# ---- waiting ----

async def wait_until(condition: Callable[[], Awaitable[bool]], timeout: float, what: str,
                     every: float = 0.02) -> float:
    """Waits until `condition()` holds; returns how long it took; fails naming `what` after `timeout` seconds."""
    began = time.monotonic()
    while not await condition():
        if time.monotonic() - began > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(every)
    return time.monotonic() - began


async def http_status(session: aiohttp.ClientSession, url: str, timeout: float = 5.0) -> int | None:
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            await response.read()
            return response.status
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return None
