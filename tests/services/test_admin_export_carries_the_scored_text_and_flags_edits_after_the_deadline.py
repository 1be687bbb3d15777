"""`prepbot export` carries the text that was scored and flags later edits.

`prepbot export` puts each answer's points next to the text they were given for: the answer as it stood at the
deadline. An edit or deletion after the deadline is flagged, and how the answer reads now has a column of its own."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.cards import QuestionCard
from tests.services.team import ALICE, BOB, CAROL, DAVE, MONDAY, NOTHING, Team, awards_of, berlin, covering, \
    feedback_for

LATE_WORDS = "Also, I forgot: we would roll it out slowly."


async def play_a_day_with_changes_after_the_deadline(team: Team) -> dict[str, tuple[str, bool, bool, bool, str]]:
    """Monday's round, and per member what the export should say: (text scored, on time, withdrawn, edited after
    the deadline, text now)."""
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()
    asked = team.question_of(question)
    alice = await team.reply_ref(question, covering(asked, 0), by=ALICE)
    bob = await team.reply_ref(question, NOTHING, by=BOB)
    await team.answer(question, covering(asked, 2), by=CAROL)
    dave = await team.reply_ref(question, covering(asked, 1), by=DAVE)
    await team.edit(dave, covering(asked, 0, 1))  # before the deadline: this is what counts

    team.clock.set(berlin(MONDAY, 17, 5))  # past the deadline; the reveal has not run yet
    await team.edit(alice, covering(asked, 0, 1, 2))
    await team.bot.run_due()
    await team.until(berlin(MONDAY, 18, 0))
    await team.edit(bob, covering(asked, 0, 1))
    await team.answer(question, LATE_WORDS, by=CAROL)
    await team.withdraw(dave)
    await team.until(berlin(MONDAY, 19, 0))
    return {
        "alice": (covering(asked, 0), True, False, True, covering(asked, 0, 1, 2)),
        "bob": (NOTHING, True, False, True, covering(asked, 0, 1)),
        "carol": (covering(asked, 2), True, False, False, covering(asked, 2) + "\n" + LATE_WORDS),
        "dave": (covering(asked, 0, 1), True, True, True, ""),
    }


async def test_the_json_export_scores_the_text_of_the_deadline_and_flags_what_changed_after_it(
    team: Team, prepbot: Any,
) -> None:
    expected = await play_a_day_with_changes_after_the_deadline(team)

    ran = await prepbot("export", "--channel", "general", "--from", "2026-11-30", "--to", "2026-11-30",
                        "--format", "json")

    assert (ran.code, ran.err) == (0, "")
    (round_,) = json.loads(ran.out)["rounds"]
    exported = {a["member"]: (a["text"], a["on_time"], a["withdrawn"], a["edited_after_deadline"], a["text_now"])
                for a in round_["answers"]}
    assert exported == expected
    reveal = team.reveal_of(team.latest_question())
    for member in ("alice", "bob", "carol", "dave"):
        points = {p["reason"]: p["points"] for p in round_["points"] if p["member"] == member}
        assert points == awards_of(feedback_for(reveal, member)), member
    coverage = {p["member"]: p["points"] for p in round_["points"] if p["reason"] == "coverage"}
    assert coverage["alice"] == coverage["carol"] < coverage["dave"], "one key point by the deadline, and two"
    assert coverage.get("bob", 0) == 0, "NOTHING was his answer at the deadline"


async def test_the_csv_export_has_the_flag_and_the_text_now_in_columns_of_their_own(team: Team, prepbot: Any) -> None:
    expected = await play_a_day_with_changes_after_the_deadline(team)

    ran = await prepbot("export", "--channel", "general", "--from", "2026-11-30", "--to", "2026-11-30",
                        "--format", "csv")

    assert (ran.code, ran.err) == (0, "")
    reader = csv.DictReader(io.StringIO(ran.out))
    assert reader.fieldnames is not None
    assert reader.fieldnames[-2:] == ["edited_after_deadline", "answer_now"]
    exported = {row["member"]: (row["answer"], row["on_time"] == "true", row["withdrawn"] == "true",
                                row["edited_after_deadline"] == "true", row["answer_now"]) for row in reader}
    assert exported == expected


async def test_an_answer_left_alone_after_the_deadline_is_not_flagged(team: Team, prepbot: Any) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()
    assert isinstance(question.card, QuestionCard)
    ref = await team.reply_ref(question, NOTHING, by=ALICE)
    await team.edit(ref, covering(team.question_of(question), 0))
    await team.until(berlin(MONDAY, 18, 0))

    ran = await prepbot("export", "--channel", "general", "--from", "2026-11-30", "--format", "json")

    (answer,) = json.loads(ran.out)["rounds"][0]["answers"]
    assert (answer["text"], answer["edited_after_deadline"], answer["text_now"]) == (
        covering(team.question_of(question), 0), False, "")
