"""The README's console tour, taken from README.md word for word and pasted into `prepbot console`, does what it
promises: a question is posted, the answers are acknowledged, a vote counts, the reveal and the boards appear."""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.console import REPO, console_env

pytestmark = pytest.mark.slow


def tour_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("## A two-minute console tour")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def block(language: str, text: str) -> str:
    found = re.search(rf"^```{language}\n(.*?)^```$", text, re.M | re.S)
    assert found, f"the tour has a {language} block"
    return found.group(1)


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], Path]:
    tmp_path = tmp_path_factory.mktemp("tour")
    section = tour_section()
    (command,) = block("sh", section).splitlines()
    program, *args = shlex.split(command)
    assert program == "prepbot" and args[0] == "console"
    done = subprocess.run([sys.executable, "-m", "entrypoints.cli", *args, "--json"], input=block("text", section),
                          capture_output=True, text=True, cwd=tmp_path, env=console_env(tmp_path), timeout=120)
    assert done.returncode == 0, done.stderr
    database = tmp_path / args[args.index("--db") + 1]
    assert f"the channel is kept in {database}" in done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()], database


def of_kind(records: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [record for record in records if record["kind"] == kind]


def test_the_tour_is_pasted_without_a_prompt_or_a_trailing_comment() -> None:
    lines = block("text", tour_section()).splitlines()
    assert not [line for line in lines if re.match(r"^\w+> ", line)], "no prompts to paste"
    assert not [line for line in lines if not line.startswith("#") and " # " in line], "comments on their own lines"


def test_the_question_of_the_day_is_posted_and_both_answers_are_acknowledged(
        tour: tuple[list[dict[str, Any]], Path]) -> None:
    records, _ = tour
    questions = of_kind(records, "question")
    assert questions and questions[0]["text"].startswith("Question of the day")
    assert "p99 latency" in questions[0]["text"]
    assert [(ack["member"], ack["on_time"]) for ack in of_kind(records, "ack")] == [("alice", True), ("bob", True)]


def test_only_the_line_the_tour_says_fails_fails(tour: tuple[list[dict[str, Any]], Path]) -> None:
    records, _ = tour
    errors = of_kind(records, "error")
    assert [error["member"] for error in errors] == ["carol"] and "no reply" in errors[0]["text"]


def test_bobs_vote_counts_for_alice(tour: tuple[list[dict[str, Any]], Path]) -> None:
    _, database = tour
    with sqlite3.connect(database) as connection:
        votes = connection.execute("select m.member_ref, p.amount from points p join members m on m.id = p.member_id "
                                   "where p.reason = 'votes'").fetchall()
    assert votes == [("alice", 2)]


def test_the_reveal_the_stats_the_board_and_a_practice_question_follow(
        tour: tuple[list[dict[str, Any]], Path]) -> None:
    records, _ = tour
    kinds = [record["kind"] for record in records]
    reveal = of_kind(records, "hint")[0]
    assert kinds.index("hint") > max(i for i, kind in enumerate(kinds) if kind == "ack")
    assert "alice" in reveal["text"] and "bob" in reveal["text"]
    assert any(reply["member"] == "carol" and reply["text"].startswith("Stats for carol")
               for reply in of_kind(records, "reply"))
    boards = of_kind(records, "leaderboard")
    assert len(boards) == 2 and all("week of 19 Oct 2026" in board["text"] for board in boards)
    assert boards[1]["text"].startswith("Weekly leaderboard") and boards[1]["at"].startswith("2026-10-26")
    assert all("alice" in board["text"] and "bob" in board["text"] for board in boards)
    assert any(question["text"].startswith("Practice question for carol · Advanced")
               for question in of_kind(records, "question"))
