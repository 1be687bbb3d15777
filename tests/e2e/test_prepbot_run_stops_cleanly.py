"""`prepbot run` comes up, answers its probes, rides out failures and stops cleanly.

`prepbot run` as an operator runs it: it comes up on Slack, answers its probes, and stops cleanly on SIGTERM; with a
platform or the database down it stays up, not ready (503 naming what and why), retries with back-off, logs one line
per failure after the first, and still stops within seconds of SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.e2e.chaos_support import TcpProxy
from tests.e2e.console import REPO
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.slow
STOP_LIMIT = 10.0  # seconds SIGTERM may take, in every state


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_sigterm_stops_a_running_bot_within_seconds_and_it_says_so(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        slack.add_workspace("T1", name="Acme")
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREPBOT_", "SLACK_", "DISCORD_"))}
        env.update(PYTHONPATH=str(REPO), PREPBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/run.db",
                   PREPBOT_HTTP_HOST="127.0.0.1", PREPBOT_HTTP_PORT=str(port), SLACK_BOT_TOKEN="xoxb-T1",
                   SLACK_SIGNING_SECRET=slack.signing_secret, SLACK_API_URL=f"{slack.url}/api/", SLACK_MODE="http")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "entrypoints.cli", "run", cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            async with aiohttp.ClientSession() as session:
                for _ in range(300):
                    try:
                        async with session.get(f"http://127.0.0.1:{port}/readyz") as ready:
                            if ready.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.05)
                else:
                    raise AssertionError("prepbot run never became ready")
            began = time.monotonic()
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), timeout=30)
            took = time.monotonic() - began
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        stderr = (await process.stderr.read()).decode() if process.stderr else ""
        assert code == 0, stderr
        assert took < STOP_LIMIT, f"SIGTERM took {took:.1f} s"
        assert "prepbot is running on slack" in stderr and "stopping" in stderr
        assert "xoxb-T1" not in stderr, "a token was logged"


# ---- platform or database down: up, not ready, retrying, and SIGTERM heard in every state ----

def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: a platform or database that cannot be reached."""
    return free_port()


class Run:
    """A `prepbot run` process with its log in a file."""

    def __init__(self, tmp_path: Path, **settings: str) -> None:
        self.port = free_port()
        self.log = tmp_path / f"run-{self.port}.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PREPBOT_", "SLACK_", "DISCORD_"))}
        self.env.update(PYTHONPATH=str(REPO), PREPBOT_CONFIG="", PREPBOT_HTTP_HOST="127.0.0.1",
                        PREPBOT_HTTP_PORT=str(self.port), PREPBOT_LOG_FORMAT="json",
                        PREPBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/run.db",
                        PREPBOT_HEALTH_CHECK_SECONDS="0.2", PREPBOT_RETRY_MAX_SECONDS="0.4")
        self.env.update(settings)
        self.cwd = tmp_path
        self.process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> "Run":
        with self.log.open("wb") as sink:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "entrypoints.cli", "run", cwd=self.cwd, env=self.env, stdin=asyncio.subprocess.DEVNULL,
                stdout=sink, stderr=sink)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def get(self, path: str) -> tuple[int, str] | None:
        try:
            async with aiohttp.ClientSession() as session, session.get(
                    f"{self.url}{path}", timeout=aiohttp.ClientTimeout(total=2)) as response:
                return response.status, await response.text()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return None

    async def wait_for(self, path: str, predicate: Callable[[int, str], bool], timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.returncode is None, f"it exited:\n{self.text()[-3000:]}"
            last = await self.get(path)
            if last is not None and predicate(*last):
                return last[1]
            await asyncio.sleep(0.05)
        raise AssertionError(f"{path} never answered as expected (last: {last}):\n{self.text()[-3000:]}")

    async def terminate(self) -> tuple[int, float]:
        assert self.process is not None
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout=30)
        except asyncio.TimeoutError:
            raise AssertionError(f"SIGTERM did not stop it in 30 s:\n{self.text()[-3000:]}") from None
        return code, time.monotonic() - began

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def lines(self) -> list[dict[str, Any]]:
        found = []
        for line in self.text().splitlines():
            try:
                found.append(json.loads(line))
            except ValueError:
                found.append({"event": line, "level": "raw"})
        return found


def problems(body: str) -> list[str]:
    return list(json.loads(body)["problems"])


async def test_socket_mode_with_slack_unreachable_stays_up_not_ready_naming_slack_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    down = f"http://127.0.0.1:{closed_port()}/api/"
    async with Run(tmp_path, SLACK_MODE="socket", SLACK_BOT_TOKEN="xoxb-T1", SLACK_APP_TOKEN="xapp-1-A1-1-x",
                   SLACK_API_URL=down) as run:
        await run.wait_for("/healthz", lambda status, _: status == 200)
        body = await run.wait_for("/readyz", lambda status, body: status == 503 and any(
            p.startswith("slack: Slack API unreachable") for p in problems(body)))
        for _ in range(200):  # several checks fail meanwhile
            if sum(line.get("logger") == "prepbot.health" for line in run.lines()) >= 3:
                break
            await asyncio.sleep(0.05)
        metrics = await run.get("/metrics")
        assert metrics is not None and 'prepbot_platform_ready{platform="slack"} 0.0' in metrics[1]
        code, took = await run.terminate()
    assert took < STOP_LIMIT, f"SIGTERM took {took:.1f} s"
    assert code == 0, run.text()[-3000:]
    slack_failures = [line for line in run.lines() if line.get("logger") == "prepbot.health"]
    assert len(slack_failures) >= 3 and all("exception" not in line for line in slack_failures[1:]), (
        "one line per failure after the first"
    )


async def not_ready_until_stopped(tmp_path: Path, problem: str, **settings: str) -> None:
    """`prepbot run` with `settings` stays up and not ready, naming `problem`, and SIGTERM stops it in time."""
    async with Run(tmp_path, **settings) as run:
        await run.wait_for("/healthz", lambda status, _: status == 200)
        await run.wait_for("/readyz", lambda status, body: status == 503 and any(
            p.startswith(problem) for p in problems(body)))
        await asyncio.sleep(1.0)  # in the middle of its retries
        code, took = await run.terminate()
    assert took < STOP_LIMIT, f"SIGTERM took {took:.1f} s"
    assert code == 0, run.text()[-3000:]


async def test_slack_over_http_with_its_api_unreachable_stays_up_not_ready_naming_slack_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    await not_ready_until_stopped(tmp_path, "slack: Slack API unreachable", SLACK_MODE="http",
                                  SLACK_BOT_TOKEN="xoxb-T1", SLACK_SIGNING_SECRET="s3cret-signing",
                                  SLACK_API_URL=f"http://127.0.0.1:{closed_port()}/api/")


async def test_discord_unreachable_the_whole_time_still_stops_within_seconds_of_sigterm(tmp_path: Path) -> None:
    down = closed_port()
    await not_ready_until_stopped(tmp_path, "discord: not connected: Discord unreachable",
                                  DISCORD_TOKEN="fake-discord-token",
                                  DISCORD_API_URL=f"http://127.0.0.1:{down}/api/v10",
                                  DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{down}")


async def test_discord_with_its_api_unreachable_stays_up_not_ready_retrying_then_connects_when_it_returns(
    tmp_path: Path,
) -> None:
    async with FakeDiscord() as fake:
        fake.add_guild("111", "Acme")
        fake.add_channel("111", "301", "general")
        proxy = TcpProxy("127.0.0.1", int(fake.url.rsplit(":", 1)[1]))
        await proxy.start()
        await proxy.cut()  # Discord unreachable from the start
        through = f"http://127.0.0.1:{proxy.port}"
        try:
            async with Run(tmp_path, DISCORD_TOKEN=fake.token, DISCORD_API_URL=f"{through}/api/v10",
                           DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{proxy.port}") as run:
                await run.wait_for("/healthz", lambda status, _: status == 200)
                body = await run.wait_for("/readyz", lambda status, body: status == 503 and any(
                    p.startswith("discord: not connected: Discord unreachable") for p in problems(body)))
                await asyncio.sleep(2.0)  # retried with back-off meanwhile; the process must not exit
                assert run.process is not None and run.process.returncode is None, run.text()[-3000:]
                metrics = await run.get("/metrics")
                assert metrics is not None and 'prepbot_platform_ready{platform="discord"} 0.0' in metrics[1]
                await proxy.restore()
                await run.wait_for("/readyz", lambda status, _: status == 200, timeout=20)
                code, took = await run.terminate()
        finally:
            await proxy.close()
    assert took < STOP_LIMIT and code == 0, (took, code, run.text()[-3000:])
    attempts = [line for line in run.lines() if "could not connect to Discord" in str(line.get("event"))]
    assert len(attempts) >= 2, "retried"
    assert "exception" in attempts[0] and all("exception" not in line for line in attempts[1:]), (
        "a traceback for the first failure, then one line each"
    )
    assert len([line for line in run.lines() if "exception" in line]) == 1, "one traceback in all"
    assert fake.violations == []


async def test_a_database_down_at_start_leaves_run_up_and_not_ready_with_one_clear_line_and_sigterm_stops_it(
    tmp_path: Path,
) -> None:
    async with FakeSlack() as slack:
        slack.add_workspace("T1", name="Acme")
        url = f"postgresql+asyncpg://prepbot:hunter2-db@127.0.0.1:{closed_port()}/prepbot"
        async with Run(tmp_path, PREPBOT_DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-T1", SLACK_MODE="http",
                       SLACK_SIGNING_SECRET=slack.signing_secret, SLACK_API_URL=f"{slack.url}/api/") as run:
            await run.wait_for("/healthz", lambda status, _: status == 200)
            body = await run.wait_for("/readyz", lambda status, _: status == 503)
            assert problems(body)[:2] == ["database unreachable", "starting: upgrading the schema"]
            await asyncio.sleep(1.5)  # several tries meanwhile
            code, took = await run.terminate()
    assert took < STOP_LIMIT and code == 0, (took, code, run.text()[-3000:])
    text = run.text()
    assert "Traceback" not in text and "hunter2-db" not in text
    tries = [line for line in run.lines() if "database at" in str(line.get("event"))]
    assert len(tries) >= 2
    assert "PREPBOT_DATABASE_URL" in tries[0]["event"] and "ConnectionRefusedError" in tries[0]["event"]


async def test_db_upgrade_with_the_database_down_prints_one_line_saying_what_where_and_what_to_do(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREPBOT_", "SLACK_", "DISCORD_"))}
    env.update(PYTHONPATH=str(REPO), PREPBOT_CONFIG="",
               PREPBOT_DATABASE_URL=f"postgresql+asyncpg://prepbot:hunter2-db@127.0.0.1:{closed_port()}/prepbot")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "entrypoints.cli", "db", "upgrade", cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1, stderr.decode()
    [line] = lines
    assert line.startswith("prepbot: cannot use the database at postgresql+asyncpg://prepbot:***@127.0.0.1:")
    assert "ConnectionRefusedError" in line and "check PREPBOT_DATABASE_URL" in line
    assert "hunter2-db" not in line and stdout == b""
