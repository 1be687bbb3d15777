"""Replies state what applies and what is missing.

Replies say what really applies: the deadline in force when it differs from the one asked for, and which value
a setting is missing, with the usage for that setting."""

from __future__ import annotations

import pytest

from bot.cards import Notice, NoticeKind
from tests.services.team import MONDAY, Team, berlin


async def test_a_deadline_shorter_than_allowed_is_announced_as_the_shortest_allowed(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 2m")

    (announcement,) = team.channel_notices()
    assert "answers close after 15m (the shortest allowed; 2m was asked for)" in announcement.text
    await team.until(berlin(MONDAY, 9, 30))
    assert team.latest_question().question.deadline_at == berlin(MONDAY, 9, 45)


async def test_a_deadline_time_too_soon_after_the_post_is_shown_as_the_shortest_allowed(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 09:40")

    (shown,) = (await team.prep("config")).cards
    assert isinstance(shown, Notice)
    assert "answers close 15m after the post (the shortest allowed; 09:40 was asked for)" in shown.text
    await team.until(berlin(MONDAY, 9, 30))
    assert team.latest_question().question.deadline_at == berlin(MONDAY, 9, 45)


@pytest.mark.parametrize(("deadline", "said"), [("15m", "answers close after 15m;"),
                                                ("09:45", "answers close at 09:45;")])
async def test_a_deadline_that_is_allowed_is_stated_as_asked(team: Team, deadline: str, said: str) -> None:
    await team.subscribe(f"subscribe 09:30 Europe/Berlin mon-fri {deadline}")

    (announcement,) = team.channel_notices()
    assert said in announcement.text and "shortest" not in announcement.text


async def test_changing_the_deadline_to_less_than_allowed_announces_the_one_that_applies(team: Team) -> None:
    await team.subscribe()

    await team.prep("config deadline 5m")

    assert "answers close after 15m (the shortest allowed; 5m was asked for)" in team.channel_notices()[-1].text


@pytest.mark.parametrize(("setting", "missing", "usage"), [
    ("time", "post time", "/prep config time HH:MM"),
    ("tz", "time zone", "/prep config tz Area/City"),
    ("days", "days", "/prep config days mon-fri"),
    ("deadline", "deadline", "/prep config deadline HH:MM|8h"),
    ("levels", "levels", "/prep config levels a,b"),
    ("grader", "grader", "/prep config grader ai|offline"),
])
async def test_a_setting_without_a_value_is_told_the_value_is_missing_with_that_settings_usage(
        team: Team, setting: str, missing: str, usage: str) -> None:
    await team.subscribe()
    before = (await team.prep("config")).cards

    (notice,) = (await team.prep(f"config {setting}")).cards

    assert isinstance(notice, Notice) and notice.kind is NoticeKind.ERROR
    assert notice.text == f"'config {setting}' is missing its value, the new {missing}. Usage: {usage}"
    assert "not a setting" not in notice.text
    assert (await team.prep("config")).cards == before
