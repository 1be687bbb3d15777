"""Streaks: answering on consecutive posting days earns a growing bonus; days without a question don't break it."""

from __future__ import annotations

from bot.domain.model import Speaker
from tests.services.team import ALICE, BOB, NOTHING, Team, awards_of, berlin, day, feedback_for


async def answer_on(team: Team, n: int, who: Speaker = ALICE) -> int:
    """Answers day n's question on time and returns the streak bonus the reveal awarded."""
    await team.until(berlin(day(n), 10, 0))
    question = team.latest_question()
    assert question.question.deadline_at == berlin(day(n), 17, 0), f"no question on day {n}"
    await team.answer(question, NOTHING, by=who)
    await team.until(berlin(day(n), 17, 0))
    return awards_of(feedback_for(team.reveal_of(question), who.name)).get("streak", 0)


async def test_answering_on_consecutive_posting_days_grows_the_streak_bonus_up_to_its_cap(team: Team) -> None:
    await team.subscribe()

    bonuses = [await answer_on(team, n) for n in (0, 1, 2, 3, 4, 7, 8)]  # Mon-Fri, then Mon-Tue after the weekend

    assert bonuses == [0, 2, 4, 6, 8, 10, 10]
    assert (await team.stats(ALICE)).streak_days == 7


async def test_a_paused_week_does_not_break_the_streak(team: Team) -> None:
    await team.subscribe()
    assert [await answer_on(team, n) for n in (0, 1)] == [0, 2]

    await team.prep("pause")
    await team.until(berlin(day(8), 18, 0))
    await team.prep("resume")

    assert await answer_on(team, 9) == 4
    assert (await team.stats(ALICE)).streak_days == 3


async def test_a_holiday_does_not_break_the_streak(team: Team) -> None:
    await team.subscribe()
    await team.prep("holidays add 2026-12-02")

    assert [await answer_on(team, n) for n in (0, 1, 3)] == [0, 2, 4]


async def test_a_posting_day_without_an_answer_breaks_the_streak(team: Team) -> None:
    await team.subscribe()
    assert [await answer_on(team, n) for n in (0, 1)] == [0, 2]
    await answer_on(team, 2, who=BOB)  # alice misses Wednesday

    assert await answer_on(team, 3) == 0
    assert (await team.stats(ALICE)).streak_days == 1


async def test_a_late_answer_breaks_the_streak(team: Team) -> None:
    await team.subscribe()
    assert [await answer_on(team, n) for n in (0, 1)] == [0, 2]
    await team.until(berlin(day(2), 17, 0))
    wednesday = team.latest_question()
    await team.until(berlin(day(2), 18, 0))
    await team.answer(wednesday, NOTHING)

    assert await answer_on(team, 3) == 0
