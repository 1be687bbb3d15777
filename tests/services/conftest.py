"""The whole core, started on a fresh database; by default at 07:00 Berlin time on Monday 2026-11-30.

Each test runs as [sqlite], on a file, and as [postgres], on a scratch database (see tests/databases.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from entrypoints.cli import main
from tests import databases
from tests.services.team import MONDAY, Team, berlin

StartTeam = Callable[[datetime], Awaitable[Team]]


def pytest_configure(config: pytest.Config) -> None:
    databases.register(config)  # the database_url fixture, the [sqlite]/[postgres] ids, the sqlite_only marker


@pytest.fixture
async def start_team(database_url: str) -> AsyncIterator[StartTeam]:
    """Starts a team whose clock begins at the given instant (one per test)."""
    started: list[Team] = []

    async def start(at: datetime) -> Team:
        team = Team(database_url, FakeClock(at))
        await team.bot.start()
        started.append(team)
        return team

    yield start
    for team in started:
        await team.bot.close()


@pytest.fixture
async def team(start_team: StartTeam) -> Team:
    return await start_team(berlin(MONDAY, 7, 0))


@dataclass
class Ran:
    """What an in-process `prepbot` command returned and printed."""

    code: int
    out: str
    err: str


@pytest.fixture
def prepbot(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> Any:
    """Runs `prepbot ARGS...` on the test's database and returns its exit code and output."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PREPBOT_CONFIG", "")
    monkeypatch.setenv("PREPBOT_DATABASE_URL", database_url)
    monkeypatch.delenv("PREPBOT_QUESTIONS_DIR", raising=False)

    async def run(*args: str) -> Ran:
        capsys.readouterr()
        code = await asyncio.to_thread(main, list(args))
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run
