"""The README's console tour pastes as is and does what it promises.

The README's console tour, taken from README.md word for word and pasted into `prepbot console`, does what it
promises: a question is posted, each private answer is acknowledged to its author alone and nobody reads it before
the reveal, a second answer replaces the first, the reveal shows every answer, and the boards appear."""

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

from bot.wording import PRIVATE_ANSWER_TERMS
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


def private_answers() -> list[str]:
    """The texts the tour answers with through `:answer`, in order."""
    return [line.removeprefix(":answer ") for line in block("text", tour_section()).splitlines()
            if line.startswith(":answer ")]


def test_the_question_of_the_day_is_posted_and_each_private_answer_is_acknowledged_to_its_author(
        tour: tuple[list[dict[str, Any]], Path]) -> None:
    records, _ = tour
    questions = of_kind(records, "question")
    assert questions and questions[0]["text"].startswith("Question of the day")
    assert "p99 latency" in questions[0]["text"]
    receipts = [(reply["member"], reply["text"].split(" " + PRIVATE_ANSWER_TERMS)[0])
                for reply in of_kind(records, "reply") if reply["text"].startswith("Your answer is")]
    assert receipts == [("alice", "Your answer is saved."), ("alice", "Your answer is replaced."),
                        ("bob", "Your answer is saved.")]
    assert of_kind(records, "ack") == []


def test_nobody_reads_an_answer_before_the_reveal_which_shows_each_final_answer(
        tour: tuple[list[dict[str, Any]], Path]) -> None:
    records, _ = tour
    first, alices, bobs = private_answers()
    kinds = [record["kind"] for record in records]
    before_the_reveal = records[:kinds.index("hint")]
    assert not [record for record in before_the_reveal for answer in (first, alices, bobs) if answer in record["text"]]
    reveal = of_kind(records, "hint")[0]["text"]
    assert f"Answer: {alices}" in reveal and f"Answer: {bobs}" in reveal and f"Answer: {first}" not in reveal


def test_the_answers_are_stored_on_time_and_alices_second_replaces_her_first(
        tour: tuple[list[dict[str, Any]], Path]) -> None:
    _, database = tour
    _, alices, bobs = private_answers()
    with sqlite3.connect(database) as connection:
        stored = connection.execute("select m.member_ref, a.text, a.on_time, a.withdrawn_at from answer_parts a "
                                    "join members m on m.id = a.member_id order by m.member_ref").fetchall()
    assert stored == [("alice", alices, 1, None), ("bob", bobs, 1, None)]


def test_only_the_line_the_tour_says_fails_fails(tour: tuple[list[dict[str, Any]], Path]) -> None:
    records, _ = tour
    errors = of_kind(records, "error")
    assert [error["member"] for error in errors] == ["carol"] and "no reply" in errors[0]["text"]


def test_the_reveal_the_stats_the_board_and_a_practice_question_follow(
        tour: tuple[list[dict[str, Any]], Path]) -> None:
    records, _ = tour
    kinds = [record["kind"] for record in records]
    reveal = of_kind(records, "hint")[0]
    assert kinds.index("hint") > max(i for i, record in enumerate(records)
                                     if record["kind"] == "reply" and record["text"].startswith("Your answer is"))
    assert "alice (on time)" in reveal["text"] and "bob (on time)" in reveal["text"]
    assert any(reply["member"] == "carol" and reply["text"].startswith("Stats for carol")
               for reply in of_kind(records, "reply"))
    boards = of_kind(records, "leaderboard")
    assert len(boards) == 2 and all("week of 19 Oct 2026" in board["text"] for board in boards)
    assert boards[1]["text"].startswith("Weekly leaderboard") and boards[1]["at"].startswith("2026-10-26")
    assert all("alice" in board["text"] and "bob" in board["text"] for board in boards)
    assert any(question["text"].startswith("Practice question for carol · Advanced")
               for question in of_kind(records, "question"))
