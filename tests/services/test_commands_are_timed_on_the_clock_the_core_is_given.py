"""The core reads no clock of its own: how long a command took is measured on the monotonic clock it is given."""

from __future__ import annotations

import itertools
from dataclasses import replace

from bot.bootstrap import bootstrap
from bot.config import Settings
from bot.ports import NoMetrics
from tests.services.team import Team, shipped_bank


class RecordedCommands(NoMetrics):
    """Metrics that keep how long each command took."""

    def __init__(self) -> None:
        self.took: list[tuple[str, float]] = []

    def command_ran(self, platform: str, seconds: float) -> None:
        self.took.append((platform, seconds))


async def test_a_command_is_timed_by_the_readings_of_the_given_clock(team: Team) -> None:
    await team.bot.close()
    readings = itertools.count(100.0, 2.5)  # each reading 2.5 s after the one before
    metrics = RecordedCommands()
    settings = replace(Settings(), database_url=team.database_url)
    team.bot = bootstrap(settings, team.chat, team.clock, shipped_bank(), metrics=metrics,
                         monotonic=lambda: next(readings))
    await team.bot.start()

    await team.prep("help")

    assert metrics.took == [("console", 2.5)]
