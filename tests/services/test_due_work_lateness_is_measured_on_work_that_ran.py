"""The scheduler-lag histogram measures how late work ran: a stale task that was skipped is no lag at all."""

from __future__ import annotations

import time
from dataclasses import replace

from bot.bootstrap import bootstrap
from bot.config import Settings
from bot.ports import NoMetrics
from tests.services.team import Team, berlin, day, shipped_bank


class RecordedLateness(NoMetrics):
    """Metrics that keep the lateness of every due task measured."""

    def __init__(self) -> None:
        self.lateness: list[tuple[str, float]] = []

    def due_work_ran(self, kind: str, lateness_seconds: float) -> None:
        self.lateness.append((kind, lateness_seconds))


async def test_a_post_skipped_after_days_down_is_not_recorded_as_days_of_lag(team: Team) -> None:
    await team.subscribe()
    await team.bot.close()
    team.clock.set(berlin(day(2), 12, 0))  # down from Monday 07:00 to Wednesday noon: two posts missed
    metrics = RecordedLateness()
    settings = replace(Settings(), database_url=team.database_url)
    team.bot = bootstrap(settings, team.chat, team.clock, shipped_bank(), metrics=metrics, monotonic=time.monotonic)
    await team.bot.start()
    await team.until(berlin(day(3), 10, 0))

    assert [p.question.deadline_at.date() for p in team.daily_questions()] == [day(3)]
    assert metrics.lateness == [("post_daily", 0.0)]
