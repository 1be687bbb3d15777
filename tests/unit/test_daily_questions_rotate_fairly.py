"""Which question a daily round asks: no repeats until every question has been asked, ties broken by a seed."""

import pytest

from bot.domain.questions import KeyPoint, Level, Question
from bot.domain.rotation import pick_daily


def questions(count: int) -> list[Question]:
    return [
        Question(f"q-{n:02d}", Level.BEGINNER, f"Question {n}?", "A hint.", (KeyPoint("A point", ("term",)),))
        for n in range(1, count + 1)
    ]


def test_two_full_cycles_of_daily_picks_ask_every_question_exactly_once_per_cycle() -> None:
    bank = questions(7)
    times_used: dict[str, int] = {}
    picked: list[str] = []
    for day in range(2 * len(bank)):
        question = pick_daily(bank, times_used, seed=f"channel-1:2026-10-{day + 1:02d}")
        times_used[question.id] = times_used.get(question.id, 0) + 1
        picked.append(question.id)
    every_id = sorted(q.id for q in bank)
    first_cycle, second_cycle = picked[: len(bank)], picked[len(bank) :]
    assert sorted(first_cycle) == every_id
    assert sorted(second_cycle) == every_id


def test_a_daily_pick_is_always_one_of_the_least_used_questions() -> None:
    bank = questions(4)
    times_used = {"q-01": 2, "q-02": 1, "q-03": 2, "q-04": 1}
    picks = {pick_daily(bank, times_used, seed=f"s{n}").id for n in range(30)}
    assert picks == {"q-02", "q-04"}


def test_the_same_seed_always_picks_the_same_question() -> None:
    bank = questions(10)
    first = pick_daily(bank, {}, seed="channel-1:2026-10-26")
    again = pick_daily(list(bank), {}, seed="channel-1:2026-10-26")
    assert first == again


def test_different_seeds_spread_the_picks_over_the_tied_questions() -> None:
    bank = questions(10)
    assert len({pick_daily(bank, {}, seed=f"day-{n}").id for n in range(40)}) > 3


def test_picking_from_no_questions_is_an_error() -> None:
    with pytest.raises(ValueError):
        pick_daily([], {}, seed="x")

