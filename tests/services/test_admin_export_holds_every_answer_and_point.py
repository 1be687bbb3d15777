"""`prepbot export` holds every answer and point.

`prepbot export`: a week of rounds played through the core comes out as JSON and CSV with every answer, member and
point reason, and the totals match the board.

The command runs in-process (`entrypoints.cli.main`) on the test's database, in a worker thread because it runs its own event
loop, as it does when an operator types it.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.admin.export import default_range
from bot.cards import QuestionCard, RevealCard
from bot.services.boards import leaderboard
from entrypoints.cli import main
from tests.services.team import (
    ALICE, BOB, CAROL, DAVE, GENERAL, MONDAY, NOTHING, Team, berlin, covering, day,
)


@dataclass
class Week:
    """What the team did, as the export should show it: per (round id, member shown): the answer's text, on time,
    withdrawn."""

    answers: dict[tuple[int, str], tuple[str, bool, bool]]
    practice_round: int


def round_of(posted: Any) -> int:
    assert isinstance(posted.card, QuestionCard)
    return posted.card.round_id


async def play_a_week(team: Team) -> Week:
    """Monday to Friday of the week of 30 November 2026: answers in one or several replies, an edit, a withdrawn
    answer, a late one, votes, a member who opts out, and a practice round."""
    answers: dict[tuple[int, str], tuple[str, bool, bool]] = {}
    await team.subscribe()

    await team.until(berlin(day(0), 10, 0))
    monday = team.latest_question()
    asked = team.question_of(monday)
    alice = await team.reply_ref(monday, covering(asked, 0, 1), by=ALICE)
    await team.answer(monday, NOTHING, by=BOB)
    await team.answer(monday, covering(asked, 2), by=CAROL)
    await team.vote(alice, BOB)
    await team.vote(alice, CAROL)
    answers[round_of(monday), "alice"] = (covering(asked, 0, 1), True, False)
    answers[round_of(monday), "bob"] = (NOTHING, True, False)
    answers[round_of(monday), "carol"] = (covering(asked, 2), True, False)

    await team.until(berlin(day(1), 10, 0))
    tuesday = team.latest_question()
    asked = team.question_of(tuesday)
    await team.answer(tuesday, covering(asked, 0), by=ALICE)
    await team.answer(tuesday, covering(asked, 1), by=ALICE, at=berlin(day(1), 11, 0))
    bob = await team.reply_ref(tuesday, NOTHING, by=BOB)
    await team.edit(bob, covering(asked, 0))
    carol = await team.reply_ref(tuesday, covering(asked, 0), by=CAROL)
    await team.withdraw(carol)
    await team.until(berlin(day(1), 17, 30))
    await team.answer(tuesday, "late, but " + covering(asked, 1), by=DAVE)
    answers[round_of(tuesday), "alice"] = (covering(asked, 0) + "\n" + covering(asked, 1), True, False)
    answers[round_of(tuesday), "bob"] = (covering(asked, 0), True, False)
    answers[round_of(tuesday), "carol"] = ("", False, True)
    answers[round_of(tuesday), "anonymous"] = ("late, but " + covering(asked, 1), False, False)  # dave opts out

    await team.prep("optout", by=DAVE)
    await team.until(berlin(day(2), 10, 0))
    wednesday = team.latest_question()
    asked = team.question_of(wednesday)
    await team.answer(wednesday, covering(asked, 0), by=ALICE)
    dave = await team.reply_ref(wednesday, covering(asked, 1, 2), by=DAVE)
    await team.vote(dave, ALICE)
    answers[round_of(wednesday), "alice"] = (covering(asked, 0), True, False)
    answers[round_of(wednesday), "anonymous"] = (covering(asked, 1, 2), True, False)

    await team.until(berlin(day(3), 10, 0))
    thursday = team.latest_question()
    asked = team.question_of(thursday)
    await team.answer(thursday, covering(asked, 1), by=ALICE)
    await team.answer(thursday, NOTHING, by=BOB)
    await team.prep("beginner", by=CAROL)
    practice = team.latest_question()
    practiced = team.question_of(practice)
    await team.answer(practice, covering(practiced, 0), by=CAROL)
    answers[round_of(thursday), "alice"] = (covering(asked, 1), True, False)
    answers[round_of(thursday), "bob"] = (NOTHING, True, False)
    answers[round_of(practice), "carol"] = (covering(practiced, 0), True, False)

    await team.until(berlin(day(4), 10, 0))
    friday = team.latest_question()
    asked = team.question_of(friday)
    await team.answer(friday, covering(asked, 0, 1, 2), by=ALICE)
    answers[round_of(friday), "alice"] = (covering(asked, 0, 1, 2), True, False)

    await team.until(berlin(day(5), 12, 0))
    return Week(answers, round_of(practice))


def revealed_points(team: Team) -> dict[tuple[int, str, str], int]:
    """Every award the reveals showed: (round id, member shown, reason) -> points."""
    shown = {}
    for posted in team.reveals():
        card = posted.card
        assert isinstance(card, RevealCard)
        for feedback in card.feedback:
            for award in feedback.awards:
                shown[card.round_id, feedback.member_name, award.reason] = award.amount
    return shown


async def board_totals(team: Team) -> dict[str, int]:
    channel = await team.bot.find_channel(GENERAL)
    assert channel is not None
    card = await leaderboard(channel, "week", None, store=team.bot.store, now=team.now())
    assert card.period == "week of 30 Nov 2026"
    return {line.name: line.total for line in card.lines}


async def test_a_weeks_export_as_json_holds_every_answer_member_and_point(team: Team, prepbot: Any) -> None:
    week = await play_a_week(team)

    ran = await prepbot("export", "--channel", "general", "--from", "2026-11-30", "--to", "2026-12-06",
                        "--format", "json")

    assert (ran.code, ran.err) == (0, "")
    document = json.loads(ran.out)
    assert {k: document[k] for k in ("channel", "channel_name", "time_zone", "from", "to")} == {
        "channel": "console:local:general", "channel_name": "general", "time_zone": "Europe/Berlin",
        "from": "2026-11-30", "to": "2026-12-06",
    }
    rounds = document["rounds"]
    assert [(r["local_date"], r["kind"], r["state"]) for r in rounds] == [
        ("2026-11-30", "daily", "revealed"), ("2026-12-01", "daily", "revealed"), ("2026-12-02", "daily", "revealed"),
        ("2026-12-03", "daily", "revealed"), ("2026-12-03", "practice", "revealed"),
        ("2026-12-04", "daily", "revealed"),
    ]
    assert rounds[4]["id"] == week.practice_round and rounds[4]["level"] == "beginner"
    for r in rounds:
        question = team.bot.bank.get(r["question_id"])
        assert question is not None and r["question"] == question.question
    exported = {(r["id"], a["member"]): (a["text"], a["on_time"], a["withdrawn"]) for r in rounds for a in r["answers"]}
    assert exported == week.answers
    first_reply = {(r["id"], a["member"]): a["answered_at"] for r in rounds for a in r["answers"]}
    assert first_reply[rounds[1]["id"], "alice"] == "2026-12-01T10:00:00+01:00"
    assert first_reply[rounds[1]["id"], "anonymous"] == "2026-12-01T17:30:00+01:00"

    points = {(r["id"], p["member"], p["reason"]): p["points"] for r in rounds for p in r["points"]}
    assert points == revealed_points(team)
    assert {reason for _, _, reason in points} == {"participation", "coverage", "votes", "streak"}
    assert {p["detail"] for r in rounds for p in r["points"] if p["reason"] == "votes"} == \
        {"1 teammate vote", "2 teammate votes"}
    totals: dict[str, int] = defaultdict(int)
    for (_, member, _), amount in points.items():
        totals[member] += amount
    assert dict(totals) == await board_totals(team)
    ids = {a["member"]: a["member_id"] for r in rounds for a in r["answers"]}
    assert len(set(ids.values())) == len(ids) == 4


async def test_a_weeks_export_as_csv_has_a_row_per_answer_with_its_points_and_reasons(
    team: Team, prepbot: Any, tmp_path: Path,
) -> None:
    week = await play_a_week(team)
    output = tmp_path / "exports" / "week.csv"

    ran = await prepbot("export", "--channel", "console:local:general", "--from", "2026-11-30", "--to",
                        "2026-12-06", "--format", "csv", "--output", str(output))

    assert (ran.code, ran.out) == (0, "")
    assert ran.err == f"prepbot: wrote 13 answers in 6 rounds (2026-11-30 to 2026-12-06) to {output}\n"
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert {(int(row["round_id"]), row["member"]): (row["answer"], row["on_time"] == "true",
                                                     row["withdrawn"] == "true") for row in rows} == week.answers
    assert len(rows) == len(week.answers)
    reasons: dict[tuple[int, str, str], int] = {}
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        awarded = dict(part.split("=") for part in row["reasons"].split("; ")) if row["reasons"] else {}
        assert int(row["points"]) == sum(int(v) for v in awarded.values())
        reasons.update({(int(row["round_id"]), row["member"], reason): int(v) for reason, v in awarded.items()})
        totals[row["member"]] += int(row["points"])
    assert reasons == revealed_points(team)
    assert {k: v for k, v in totals.items() if v} == await board_totals(team)


async def test_the_export_covers_the_days_asked_for_and_by_default_the_last_seven(team: Team, prepbot: Any) -> None:
    await play_a_week(team)
    channel = await team.bot.find_channel(GENERAL)
    assert channel is not None

    ran = await prepbot("export", "--channel", "#general", "--from", "2026-12-02", "--to", "2026-12-03",
                        "--format", "json")

    assert [r["local_date"] for r in json.loads(ran.out)["rounds"]] == ["2026-12-02", "2026-12-03", "2026-12-03"]
    assert default_range(channel, berlin(day(6), 23, 30)) == (MONDAY, day(6))
    # 23:30 UTC on Sunday is already Monday in Berlin: the channel's day counts
    assert default_range(channel, datetime(2026, 12, 6, 23, 30, tzinfo=timezone.utc)) == (day(1), day(7))
    assert default_range(channel, berlin(day(6), 12, 0), first=day(3)) == (day(3), day(6))
    assert default_range(channel, berlin(day(6), 12, 0), last=day(4)) == (day(-2), day(4))
    backwards = await prepbot("export", "--channel", "general", "--from", "2026-12-03", "--to", "2026-12-02",
                              "--format", "csv")
    assert (backwards.code, backwards.out, backwards.err) == (2, "", "prepbot: --from 2026-12-03 is after --to "
                                                                     "2026-12-02\n")
    not_a_date = await prepbot("export", "--channel", "general", "--from", "2026-13-01", "--format", "csv")
    assert (not_a_date.code, not_a_date.err) == (2, "prepbot: --from '2026-13-01' is not a date; use YYYY-MM-DD\n")
