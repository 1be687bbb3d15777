"""The whole core, started on a fresh SQLite file; by default at 07:00 Berlin time on Monday 2026-11-30."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from tests.services.team import MONDAY, Team, berlin

StartTeam = Callable[[datetime], Awaitable[Team]]


@pytest.fixture
async def start_team(tmp_path: Path) -> AsyncIterator[StartTeam]:
    """Starts a team whose clock begins at the given instant (one per test)."""
    started: list[Team] = []

    async def start(at: datetime) -> Team:
        team = Team(tmp_path / "t.db", FakeClock(at))
        await team.bot.start()
        started.append(team)
        return team

    yield start
    for team in started:
        await team.bot.close()


@pytest.fixture
async def team(start_team: StartTeam) -> Team:
    return await start_team(berlin(MONDAY, 7, 0))
