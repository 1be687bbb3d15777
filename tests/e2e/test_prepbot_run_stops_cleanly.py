"""`prepbot run` as an operator runs it: it comes up on Slack, answers its probes, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.console import REPO
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.slow


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
            sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
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
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        stderr = (await process.stderr.read()).decode() if process.stderr else ""
        assert code == 0, stderr
        assert "prepbot is running on slack" in stderr and "stopping" in stderr
        assert "xoxb-T1" not in stderr, "a token was logged"
