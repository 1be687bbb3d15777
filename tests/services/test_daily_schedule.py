"""When the daily question appears: at the channel's local time on posting days, once, and never on days off."""

from __future__ import annotations

from datetime import date, timedelta

from bot.cards import QuestionCard
from tests.services.conftest import StartTeam
from tests.services.team import BERLIN, MONDAY, Team, berlin, day


def posting_days(team: Team) -> list[date]:
    """The local dates of the daily questions posted so far (each closes at 17:00 on its own date)."""
    return [p.question.deadline_at.astimezone(BERLIN).date() for p in team.daily_questions()]


async def test_the_daily_question_appears_at_the_post_time_in_the_channels_time_zone(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 8h")

    await team.until(berlin(MONDAY, 9, 29))
    assert team.questions() == []

    await team.until(berlin(MONDAY, 9, 30))
    (posted,) = team.questions()
    card = posted.card
    assert isinstance(card, QuestionCard)
    assert posted.thread_ref is None and posted.private_to is None
    assert card.deadline_at == berlin(MONDAY, 17, 30)  # posted at 09:30 local, answers close 8h later
    assert card.tz == "Europe/Berlin"
    assert not card.practice and not card.closed and card.requested_by is None
    question = team.question_of(posted)
    assert (card.question, card.level_label) == (question.question, question.level.label)


async def test_answers_close_at_the_deadline_time_of_the_posting_day(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 17:00")
    await team.until(berlin(MONDAY, 12, 0))
    assert team.latest_question().question.deadline_at == berlin(MONDAY, 17, 0)


async def test_the_daily_question_is_posted_once_however_often_due_work_runs(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 9, 30))
    for _ in range(3):
        await team.bot.run_due()
    await team.until(berlin(MONDAY, 9, 30))
    await team.until(berlin(MONDAY, 16, 0))
    await team.bot.run_due()

    assert len(team.questions()) == 1


async def test_no_question_is_posted_on_saturday_or_sunday(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(day(7), 18, 0))
    assert posting_days(team) == [day(0), day(1), day(2), day(3), day(4), day(7)]


async def test_no_question_is_posted_on_a_holiday_the_admin_added(team: Team) -> None:
    await team.subscribe()
    await team.prep("holidays add 2026-12-02")
    assert "2026-12-02" in team.channel_notices()[-1].text

    await team.until(berlin(day(3), 18, 0))
    assert posting_days(team) == [day(0), day(1), day(3)]


async def test_a_holiday_added_after_the_next_post_was_planned_still_has_no_question(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 12, 0))  # Tuesday's post is planned by now
    await team.prep("holidays add 2026-12-01")

    await team.until(berlin(day(2), 18, 0))
    assert posting_days(team) == [day(0), day(2)]


async def test_skip_drops_only_the_next_question(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 12, 0))

    await team.prep("skip")
    assert "skipped the question of Tue 01 Dec" in team.channel_notices()[-1].text

    await team.until(berlin(day(3), 18, 0))
    assert posting_days(team) == [day(0), day(2), day(3)]


async def test_no_question_is_posted_while_paused_and_resume_brings_it_back(team: Team) -> None:
    await team.subscribe()
    await team.prep("pause")
    assert "paused" in team.channel_notices()[-1].text

    await team.until(berlin(day(2), 12, 0))
    assert team.questions() == []

    await team.prep("resume")
    await team.until(berlin(day(4), 18, 0))
    assert posting_days(team) == [day(3), day(4)]  # Wednesday's 09:30 had passed when the team resumed


async def test_a_new_post_time_applies_to_the_next_question_without_a_restart(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 7h")
    await team.until(berlin(MONDAY, 12, 0))
    await team.prep("config time 11:00")
    assert "next question Tue 01 Dec 11:00 Europe/Berlin" in team.channel_notices()[-1].text

    await team.until(berlin(day(1), 10, 59))
    assert len(team.questions()) == 1

    await team.until(berlin(day(1), 11, 0))
    assert len(team.questions()) == 2
    assert team.latest_question().question.deadline_at == berlin(day(1), 18, 0)  # posted 11:00, 7h to answer


async def test_a_new_post_time_later_today_does_not_post_a_second_question_today(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    await team.prep("config time 11:00 ")  # trailing space: typed as members type
    await team.until(berlin(MONDAY, 23, 0))
    assert posting_days(team) == [MONDAY]
    await team.until(berlin(day(1), 11, 0))
    assert posting_days(team) == [MONDAY, day(1)]
    assert team.latest_question().question.deadline_at - timedelta(hours=6) == berlin(day(1), 11, 0)


async def test_skip_before_the_days_post_skips_todays_question(team: Team) -> None:
    await team.subscribe()
    await team.prep("skip")
    assert "skipped the question of Mon 30 Nov" in team.channel_notices()[-1].text

    await team.until(berlin(day(1), 18, 0))
    assert posting_days(team) == [day(1)]


async def test_a_question_already_posted_is_still_revealed_after_the_channel_is_paused(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    await team.prep("pause")

    await team.until(berlin(day(2), 18, 0))

    assert posting_days(team) == [MONDAY]
    assert len(team.reveals(team.latest_question())) == 1


async def test_no_question_is_posted_on_a_public_holiday_of_the_channels_country(start_team: StartTeam) -> None:
    team = await start_team(berlin(date(2026, 12, 23), 7, 0))  # Wednesday before Christmas
    await team.subscribe()
    await team.prep("holidays DE")
    assert "DE public holidays" in team.channel_notices()[-1].text

    await team.until(berlin(date(2026, 12, 29), 12, 0))
    assert posting_days(team) == [date(2026, 12, 23), date(2026, 12, 24), date(2026, 12, 28), date(2026, 12, 29)]


async def test_the_post_time_stays_at_local_time_across_a_daylight_saving_change(start_team: StartTeam) -> None:
    team = await start_team(berlin(date(2027, 3, 26), 7, 0))  # Friday; clocks go forward on Sunday 28 March
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 8h")

    await team.until(berlin(date(2027, 3, 29), 12, 0))

    friday, monday = (p.question.deadline_at for p in team.daily_questions())
    assert friday == berlin(date(2027, 3, 26), 17, 30) and friday.utcoffset() is not None
    assert monday == berlin(date(2027, 3, 29), 17, 30)
    assert (friday.astimezone(BERLIN).utcoffset(), monday.astimezone(BERLIN).utcoffset()) == (
        timedelta(hours=1), timedelta(hours=2))
