"""Which daily question comes next: none repeats until every question of the channel's levels was asked."""

from __future__ import annotations

from bot.domain.questions import Level
from tests.services.team import MONDAY, Team, berlin, day


async def test_no_daily_question_repeats_until_every_question_of_the_levels_was_asked(team: Team) -> None:
    behavioral = {q.id for q in team.bot.bank.at_levels([Level.BEHAVIORAL])}
    assert len(behavioral) == 5
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 17:00 behavioral")

    await team.until(berlin(day(11), 18, 0))  # two full weeks: ten posting days

    asked = [p.question.question_id for p in team.daily_questions()]
    assert len(asked) == 10
    assert set(asked[:5]) == behavioral
    assert set(asked[5:]) == behavioral


async def test_daily_questions_come_only_from_the_channels_levels(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 17:00 beginner,behavioral")
    await team.until(berlin(day(4), 18, 0))

    levels = {team.question_of(p).level for p in team.daily_questions()}
    assert len(team.daily_questions()) == 5
    assert levels <= {Level.BEGINNER, Level.BEHAVIORAL}


async def test_changing_the_levels_applies_to_the_next_daily_question(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 17:00 beginner")
    await team.until(berlin(MONDAY, 12, 0))
    await team.prep("config levels advanced")
    await team.until(berlin(day(2), 12, 0))

    first, *later = [team.question_of(p).level for p in team.daily_questions()]
    assert first is Level.BEGINNER
    assert later == [Level.ADVANCED, Level.ADVANCED]
