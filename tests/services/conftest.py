"""The whole core, started on a fresh SQLite file, at 07:00 Berlin time on Monday 2026-11-30."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from tests.services.team import MONDAY, Team, berlin


@pytest.fixture
async def team(tmp_path: Path) -> AsyncIterator[Team]:
    team = Team(tmp_path / "t.db", FakeClock(berlin(MONDAY, 7, 0)))
    await team.bot.start()
    yield team
    await team.bot.close()
