"""The real `prepbot export` process reads a database the bot wrote and prints the answers and points."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.clock import FakeClock
from tests.e2e.console import console_env
from tests.services.team import ALICE, BOB, MONDAY, NOTHING, Team, berlin, covering

pytestmark = pytest.mark.slow


def prepbot(tmp_path: Path, database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = console_env(tmp_path) | {"PREPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    return subprocess.run([sys.executable, "-m", "entrypoints.cli", *args], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=120)


async def test_prepbot_export_prints_a_days_answers_and_points(tmp_path: Path) -> None:
    database = tmp_path / "team.db"
    team = Team(f"sqlite+aiosqlite:///{database}", FakeClock(berlin(MONDAY, 7, 0)))
    await team.bot.start()
    try:
        await team.subscribe()
        await team.until(berlin(MONDAY, 10, 0))
        question = team.latest_question()
        strong = covering(team.question_of(question), 0, 1)
        alice = await team.reply_ref(question, strong, by=ALICE)
        await team.answer(question, NOTHING, by=BOB)
        await team.vote(alice, BOB)
        await team.until(berlin(MONDAY, 18, 0))
    finally:
        await team.bot.close()

    as_json = prepbot(tmp_path, database, "export", "--channel", "general", "--from", "2026-11-30", "--to",
                      "2026-11-30", "--format", "json")
    as_csv = prepbot(tmp_path, database, "export", "--channel", "general", "--from", "2026-11-30", "--to",
                     "2026-11-30", "--format", "csv")
    unknown = prepbot(tmp_path, database, "export", "--channel", "nowhere", "--format", "csv")

    assert (as_json.returncode, as_csv.returncode) == (0, 0), as_json.stderr + as_csv.stderr
    (round_,) = json.loads(as_json.stdout)["rounds"]
    assert [(a["member"], a["text"], a["on_time"]) for a in round_["answers"]] == [
        ("alice", strong, True), ("bob", NOTHING, True)]
    alice_points = {p["reason"]: p["points"] for p in round_["points"] if p["member"] == "alice"}
    assert set(alice_points) == {"participation", "coverage", "votes"} and alice_points["votes"] == 2
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(row["member"], int(row["points"])) for row in rows] == [
        ("alice", sum(alice_points.values())), ("bob", 10)]
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert unknown.stderr == "prepbot: no channel 'nowhere'; known channels: console:local:general (#general)\n"
