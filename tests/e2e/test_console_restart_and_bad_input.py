"""The console process killed between a post and its reveal, and bad input at the edges."""

from __future__ import annotations

import json
import sys
import signal
import subprocess
import sqlite3
from pathlib import Path

import pytest

from bot.wording import answer_cut_words
from tests.e2e.console import REPO, console_command, console_env, run_console

pytestmark = pytest.mark.slow


def test_a_bot_killed_after_posting_reveals_once_on_restart_and_never_posts_twice(tmp_path: Path) -> None:
    db = tmp_path / "kill.db"
    first = subprocess.Popen(
        console_command(db, "--tz", "Europe/Berlin", "--start", "2026-10-22T08:00"),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env=console_env(tmp_path),
    )
    assert first.stdin and first.stdout
    first.stdin.write(":as alice\n:at 2026-10-22 09:45\nMy answer, before the crash.\n")
    first.stdin.flush()
    seen = []
    for line in first.stdout:
        seen.append(json.loads(line))
        if seen[-1]["kind"] == "ack":
            break
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert [r["kind"] for r in seen].count("question") == 1

    second = run_console(tmp_path, db, ":as alice\n:quit\n", "--tz", "Europe/Berlin", "--start", "2026-10-22T18:00")
    assert second.returncode == 0, second.stderr
    assert second.of_kind("question") == []
    hints = second.of_kind("hint")
    assert len(hints) == 1 and "alice (on time)" in hints[0]["text"]

    third = run_console(tmp_path, db, ":quit\n", "--tz", "Europe/Berlin", "--start", "2026-10-22T19:00")
    assert third.of_kind("question") == [] and third.of_kind("hint") == []
    with sqlite3.connect(db) as connection:
        assert connection.execute("select count(*) from rounds").fetchone() == (1,)
        assert connection.execute("select count(*) from answer_parts").fetchone() == (1,)


def test_a_100000_character_answer_is_kept_up_to_the_limit_and_its_author_told(tmp_path: Path) -> None:
    huge = "canary " * (100_000 // 7)
    script = f":as alice\n:at 2026-10-22 09:45\n{huge}\n:at 2026-10-22 17:30\n:quit\n"
    transcript = run_console(tmp_path, tmp_path / "huge.db", script, "--tz", "Europe/Berlin",
                             "--start", "2026-10-22T08:00")
    assert transcript.returncode == 0, transcript.stderr
    assert [a["on_time"] for a in transcript.of_kind("ack")] == [True]
    told = [r["text"] for r in transcript.of_kind("reply") if "I kept the first 4,000" in r["text"]]
    assert told == [f"(only alice sees this) {answer_cut_words(4000)}"]
    assert "alice (on time)" in transcript.of_kind("hint")[0]["text"]
    with sqlite3.connect(tmp_path / "huge.db") as connection:
        (stored,) = connection.execute("select length(text) from answer_parts").fetchone()
    assert stored == 4000


def test_emoji_are_answers_but_zero_width_characters_alone_are_not(tmp_path: Path) -> None:
    script = ":as alice\n:at 2026-10-22 09:45\n🚀 ship it 🚀\n:as bob\n\u200b\u200d\u2060\n:quit\n"
    transcript = run_console(tmp_path, tmp_path / "emoji.db", script, "--tz", "Europe/Berlin",
                             "--start", "2026-10-22T08:00")
    assert [a["member"] for a in transcript.of_kind("ack")] == ["alice"]
    assert any("empty reply" in e["text"] for e in transcript.of_kind("error"))
    with sqlite3.connect(tmp_path / "emoji.db") as connection:
        assert connection.execute("select text from answer_parts").fetchall() == [("🚀 ship it 🚀",)]


def test_an_unknown_time_zone_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    transcript = run_console(tmp_path, tmp_path / "tz.db", ":quit\n", "--tz", "Mars/Olympus_Mons")
    assert transcript.returncode == 2
    assert "'Mars/Olympus_Mons' is not an IANA time zone" in transcript.stderr
    assert not (tmp_path / "tz.db").exists()


def test_bad_commands_get_one_line_of_usage_and_change_nothing(tmp_path: Path) -> None:
    script = (":as alice\n/prep subscribe 25:99\n/prep subscribe 09:00 Mars/Base\n/prep holidays add 2026-13-45\n"
              "/prep frobnicate\n/prep leaderboard yesterday\n/prep config\n:quit\n")
    transcript = run_console(tmp_path, tmp_path / "bad.db", script, "--tz", "Europe/Berlin",
                             "--start", "2026-10-22T08:00")
    errors = [e["text"] for e in transcript.of_kind("error")]
    assert len(errors) == 5 and all("\n" not in e for e in errors)
    assert "'25:99'" in errors[0] and "'Mars/Base'" in errors[1] and "'2026-13-45'" in errors[2]
    assert "'frobnicate'" in errors[3] and "'yesterday'" in errors[4]
    config = [r["text"] for r in transcript.of_kind("reply") if r["text"].startswith("This channel is")]
    assert "mon-fri at 09:30 Europe/Berlin" in config[0] and "holidays: none" in config[0]


def test_questions_validate_names_the_file_the_question_and_the_field(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "pack: broken\nquestions:\n"
        "  - {id: a-01, level: beginner, question: 'Q?', hint: 'H', key_points: [{point: P, terms: [p]}, "
        "{point: R, terms: [r]}, {point: S, terms: [s]}]}\n"
        "  - {id: a-01, level: beginner, question: 'Q?', hint: 'H', key_points: [{point: P, terms: [p]}, "
        "{point: R, terms: [r]}, {point: S, terms: [s]}]}\n",
        encoding="utf-8",
    )
    env = console_env(tmp_path)
    result = subprocess.run([sys.executable, "-m", "entrypoints.cli", "questions", "validate", str(broken)], capture_output=True,
                            text=True, cwd=REPO, env=env)
    assert result.returncode == 1
    assert f"{broken}: question 'a-01': id: is used twice" in result.stderr

    shipped = subprocess.run([sys.executable, "-m", "entrypoints.cli", "questions", "validate"], capture_output=True, text=True,
                             cwd=tmp_path, env=env)
    assert shipped.returncode == 0, shipped.stderr
    assert shipped.stdout.startswith("OK: 50 questions")
