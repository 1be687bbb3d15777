"""The image's own commands work when run as the container runs them.

The image's own commands, run here as the container would run them: the ENTRYPOINT and CMD with the image's ENV,
the HEALTHCHECK, SIGTERM. Executables are the ones installed beside this Python, as /opt/prepbot/bin is in the image.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import aiohttp
import pytest

from tests.deploy import Dockerfile
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.slow

IMAGE = Dockerfile.read()
BIN = Path(sys.executable).parent


def installed(command: list[str]) -> list[str]:
    """The command with its program resolved in the bin folder of this Python's environment."""
    program = shutil.which(command[0], path=str(BIN))
    assert program, f"{command[0]} is not installed beside {sys.executable}"
    return [program, *command[1:]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def container_env(tmp_path: Path, port: int, **settings: str) -> dict[str, str]:
    """This machine's environment without prepbot's settings, then the image's ENV (its PATH names folders of the
    image: programs are resolved with `installed` instead), then what an operator passes with `docker run -e`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREPBOT_", "SLACK_", "DISCORD_"))}
    env.update({k: v for k, v in IMAGE.env().items() if k != "PATH"})
    env.update(PREPBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db", PREPBOT_HTTP_PORT=str(port), **settings)
    return env


async def health_check(env: dict[str, str]) -> int:
    """Runs the image's HEALTHCHECK command; its exit code."""
    options, command = IMAGE.healthcheck()
    timeout = float(options.get("timeout", "30s").rstrip("s"))
    check = await asyncio.create_subprocess_exec(*installed(command), env=env, stdout=asyncio.subprocess.DEVNULL,
                                                 stderr=asyncio.subprocess.DEVNULL)
    return await asyncio.wait_for(check.wait(), timeout=timeout + 5)


async def test_the_image_entry_command_works_when_run_directly_and_passes_its_own_health_check(
    tmp_path: Path,
) -> None:
    port = free_port()
    async with FakeSlack() as slack:
        slack.add_workspace("T1", name="Acme")
        env = container_env(tmp_path, port, SLACK_BOT_TOKEN="xoxb-T1", SLACK_SIGNING_SECRET=slack.signing_secret,
                            SLACK_API_URL=f"{slack.url}/api/", SLACK_MODE="http")
        upgrade = await asyncio.create_subprocess_exec(
            *installed(IMAGE.command_for(args=["db", "upgrade"])), cwd=tmp_path, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(upgrade.communicate(), timeout=30)
        assert upgrade.returncode == 0, err.decode()
        assert b"latest schema" in out

        process = await asyncio.create_subprocess_exec(
            *installed(IMAGE.command_for()), cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            async with aiohttp.ClientSession() as session:
                for _ in range(300):
                    if process.returncode is not None:
                        break
                    try:
                        async with session.get(f"http://127.0.0.1:{port}/healthz") as alive:
                            if alive.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.05)
                else:
                    raise AssertionError("the entry command never answered /healthz")
                assert process.returncode is None, "the entry command exited instead of serving"
                async with session.get(f"http://127.0.0.1:{port}/metrics") as metrics:
                    exposition = await metrics.text()
            assert "prepbot_database_errors_total 0.0" in exposition
            assert "_created" not in exposition, "the image's PROMETHEUS_DISABLE_CREATED_SERIES took effect"

            assert await health_check(env) == 0

            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), timeout=15)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        stderr = (await process.stderr.read()).decode() if process.stderr else ""
        assert code == 0, stderr
        assert "stopping" in stderr
    assert not list(tmp_path.glob("prepbot.db*")), "the database is the one PREPBOT_DATABASE_URL names"


class _Answers(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@contextmanager
def http_server(status: int) -> Iterator[int]:
    """A server on a free port whose /healthz answers `status`; yields the port."""
    handler = type("Answers", (_Answers,), {"status": status})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


async def test_the_health_check_fails_when_nothing_answers_or_healthz_reports_an_error(tmp_path: Path) -> None:
    assert await health_check(container_env(tmp_path, free_port())) != 0
    with http_server(503) as port:
        assert await health_check(container_env(tmp_path, port)) != 0
    with http_server(200) as port:
        assert await health_check(container_env(tmp_path, port)) == 0

