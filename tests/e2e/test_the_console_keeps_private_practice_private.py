"""The console keeps private practice private.

In the console, private practice prints the question and its hint as private lines for the member who asked,
and a plain line still answers the open daily question."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.e2e.console import run_console

pytestmark = pytest.mark.slow


def test_private_practice_prints_private_lines_and_replies_still_go_to_the_daily_question(tmp_path: Path) -> None:
    db = tmp_path / "practice.db"
    script = "\n".join([
        "/prep config practice private",
        ":as alice",
        ":at 2026-10-22 09:45",
        "/prep beginner",
        "I would profile first, then batch requests",
        ":at 2026-10-22 10:30",
        ":quit",
        "",
    ])

    run = run_console(tmp_path, db, script, "--tz", "Europe/Berlin", "--start", "2026-10-22T08:00")

    assert run.returncode == 0, run.stderr
    practice = [r for r in run.of_kind("question") if "Practice question for alice" in r["text"]]
    assert len(practice) == 1 and "only alice sees this" in practice[0]["text"]
    hints = [r for r in run.records if "Hint for your practice question" in r["text"]]
    assert len(hints) == 1 and "only alice sees this" in hints[0]["text"]
    assert len(run.of_kind("ack")) == 1
    with sqlite3.connect(db) as connection:
        ((daily_answers,),) = connection.execute(
            "select count(*) from answer_parts join rounds on rounds.id = answer_parts.round_id "
            "where rounds.kind = 'daily'").fetchall()
    assert daily_answers == 1
