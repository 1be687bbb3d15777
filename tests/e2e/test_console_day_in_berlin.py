"""A scripted console session: a Berlin team across the October daylight-saving change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from questions import SHIPPED_PACKS
from tests.e2e.console import Transcript, run_console

pytestmark = pytest.mark.slow


def behavioral_hints() -> str:
    pack = yaml.safe_load((SHIPPED_PACKS / "ai-model-serving.yaml").read_text(encoding="utf-8"))
    return " ".join(q["hint"] for q in pack["questions"] if q["level"] == "behavioral")


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Transcript:
    tmp_path = tmp_path_factory.mktemp("berlin")
    strong = behavioral_hints()
    script = f"""\
:as alice
/prep subscribe 09:30 Europe/Berlin mon-fri 17:00 behavioral
:at 2026-10-22 09:31
{strong}
:as bob
I am not sure yet.
:edit {strong}
:as carol
Something I will take back.
:delete
:as dave
I would tell the story of a bug I chased.
:vote alice
:as bob
:vote alice
:as alice
:vote alice
:at 2026-10-22 17:05
:as erin
Sorry, I am late: {strong}
:at 2026-10-23 09:31
:as alice
{strong}
:at 2026-10-26 09:31
/prep stats
/prep leaderboard all
:quit
"""
    transcript = run_console(tmp_path, tmp_path / "berlin.db", script, "--tz", "Europe/Berlin",
                             "--start", "2026-10-22T08:00")
    assert transcript.returncode == 0, transcript.stderr
    return transcript


def test_daily_questions_are_posted_at_half_past_nine_berlin_time_on_both_sides_of_the_dst_change(
    session: Transcript,
) -> None:
    posted = [(q["at"], q["deadline"]) for q in session.of_kind("question")]
    assert posted == [
        ("2026-10-22T07:30:00+00:00", "2026-10-22T15:00:00+00:00"),  # CEST, UTC+2
        ("2026-10-23T07:30:00+00:00", "2026-10-23T15:00:00+00:00"),
        ("2026-10-26T08:30:00+00:00", "2026-10-26T16:00:00+00:00"),  # CET, UTC+1, after 25 Oct
    ]
    assert all("Answers close" in q["text"] and "17:00 Europe/Berlin" in q["text"] for q in session.of_kind("question"))


def test_only_behavioral_questions_are_asked_and_none_twice(session: Transcript) -> None:
    ids = [q["question_id"] for q in session.of_kind("question")]
    assert all(i.startswith("behavioral-") for i in ids)
    assert len(set(ids)) == len(ids)


def test_every_on_time_answer_is_acknowledged_and_the_late_one_is_marked_late(session: Transcript) -> None:
    acks = [(a["member"], a["on_time"]) for a in session.of_kind("ack")]
    assert acks == [("alice", True), ("bob", True), ("carol", True), ("dave", True), ("erin", False), ("alice", True)]


def first_reveal(session: Transcript) -> str:
    hints = session.of_kind("hint")
    assert hints, "no reveal was posted"
    assert hints[0]["round_id"] == session.of_kind("question")[0]["round_id"]
    return str(hints[0]["text"])


def test_the_reveal_gives_feedback_on_each_answer_that_was_not_withdrawn(session: Transcript) -> None:
    reveal = first_reveal(session)
    assert "A strong answer covers:" in reveal
    assert re.search(r"^\s*alice \(on time\): covered [1-9]", reveal, re.M)
    assert re.search(r"^\s*dave \(on time\): covered \d", reveal, re.M)
    assert "carol" not in reveal, "a withdrawn answer must not be judged"
    assert "3 answers: 3 on time, 0 late" in reveal


def test_an_edit_before_the_deadline_is_what_gets_scored(session: Transcript) -> None:
    reveal = first_reveal(session)
    bob = re.search(r"bob \(on time\): covered (\d+) of (\d+)", reveal)
    assert bob and int(bob.group(1)) >= 2, reveal


def test_teammates_votes_count_but_not_the_authors_own(session: Transcript) -> None:
    reveal = first_reveal(session)
    alice_block = reveal.split("alice (on time)")[1].split("bob (on time)")[0]
    assert "+4 votes (2 teammate votes)" in alice_block


def test_the_reveal_closes_the_question(session: Transcript) -> None:
    updates = session.of_kind("update")
    assert updates[0]["closed"] is True and updates[0]["round_id"] == session.of_kind("question")[0]["round_id"]
    assert updates[0]["at"] == "2026-10-22T15:00:00+00:00"


def test_the_weekly_board_is_posted_on_monday_at_nine_berlin_time_with_last_weeks_points(session: Transcript) -> None:
    boards = [b for b in session.of_kind("leaderboard") if b["text"].startswith("Weekly leaderboard")]
    assert len(boards) == 1
    board = boards[0]
    assert board["at"] == "2026-10-26T08:00:00+00:00"
    assert "week of 19 Oct 2026" in board["text"]
    ranking = re.findall(r"^\s+\d+\. (\w+)", board["text"], re.M)
    assert ranking[0] == "alice" and set(ranking) == {"alice", "bob", "dave"}


def test_stats_explain_points_with_their_reasons_and_the_streak(session: Transcript) -> None:
    stats = [r for r in session.of_kind("reply") if r["text"].startswith("Stats for alice")]
    assert len(stats) == 1
    text = stats[0]["text"]
    total = int(re.search(r"Stats for alice\n\s*(\d+) points all time", text).group(1))  # type: ignore[union-attr]
    parts = dict((k, int(v)) for k, v in re.findall(r"(participation|coverage|votes|streak) (\d+)", text))
    assert sum(parts.values()) == total
    assert parts["participation"] == 20 and parts["votes"] == 4 and parts["streak"] == 2
    assert "Streak: 2 days" in text
