"""One whole working day, and what holds on every platform.

One whole working day in a Berlin team, on Slack (over HTTP and over Socket Mode) and on Discord: what holds on
every platform, read from each platform's day through the same view (tests/adapters/whole_day.py).

ada has #general answer in threads and subscribes it; the question comes at 09:30; ben, cat, dan and eve answer,
edit, delete and vote in the thread; the reveal comes at 17:00; eve asks for the board; a week later the weekly board
arrives. What each platform shows in its own way is in tests/adapters/test_slack_whole_day.py and
test_discord_whole_day.py.
"""

from __future__ import annotations

import pytest

from tests.adapters.slack_team import berlin
from tests.adapters.whole_day import DayView, DiscordDayView, PlayedDays, SlackDayView


@pytest.fixture(scope="module", params=["slack-http", "slack-socket", "discord"])
def day(request: pytest.FixtureRequest, played_days: PlayedDays) -> DayView:
    platform, _, mode = str(request.param).partition("-")
    if platform == "slack":
        return SlackDayView(played_days.slack(mode))
    return DiscordDayView(played_days.discord())


# ---- answers in the thread ----


def test_every_on_time_reply_gets_a_check_mark_from_the_bot(day: DayView) -> None:
    for member in ("ben", "cat", "dan", "eve"):
        assert (day.check_mark, day.bot) in day.reactions_before_reveal[member], member
    for member in ("ben", "cat", "eve"):
        assert (day.alarm_clock, day.bot) not in day.reactions_on_answer(member), member


def test_a_reply_after_five_pm_gets_an_alarm_clock_instead(day: DayView) -> None:
    reactions = day.reactions_on_late_reply()
    assert (day.alarm_clock, day.bot) in reactions
    assert (day.check_mark, day.bot) not in reactions


# ---- the reveal at 17:00 ----


def test_the_reveal_arrives_in_the_questions_thread_at_five_pm(day: DayView) -> None:
    posted = day.reveal_posted_at()
    assert posted and all(at == berlin(2026, 11, 30, 17, 0) for at in posted)
    assert day.reveal_heading() == "Hint and feedback"
    assert not day.channel_shows("Hint and feedback")


def test_the_reveal_shows_the_hint_and_the_checklist(day: DayView) -> None:
    text = day.reveal_text()
    assert f"{day.bold('Hint:')} {day.escape(day.question.hint)}" in text
    checklist = "\n".join(f"• {day.escape(point.point)}" for point in day.question.key_points)
    assert f"{day.bold('A strong answer covers:')}\n{checklist}" in text


def test_the_reveal_gives_feedback_and_points_for_each_answer_not_withdrawn(day: DayView) -> None:
    given = day.feedback()
    assert sorted(given) == ["ben", "cat", "eve"], day.reveal_text()
    assert not day.judges("dan"), "a withdrawn answer must not be judged"
    total = len(day.question.key_points)
    for member in ("ben", "cat", "eve"):
        status, covered, of, points = given[member]
        assert (status, of) == ("on time", total)
        assert covered >= total - 1, f"{member}'s strong answer covered only {covered} of {total}"
        assert f"+10 participation (answered on time), +{points - 10 - (4 if member == 'eve' else 0)} coverage" \
            in day.feedback_of(member)
    assert given["ben"][3] == given["cat"][3], "cat's edit before the deadline is what was scored"
    assert given["eve"][3] == given["ben"][3] + 4


def test_teammates_reactions_count_as_votes_but_the_authors_own_does_not(day: DayView) -> None:
    assert "+4 votes (2 teammate votes)" in day.feedback_of("eve")
    assert "votes" not in day.feedback_of("ben") and "votes" not in day.feedback_of("cat")


def test_the_reveal_ends_with_the_tally(day: DayView) -> None:
    average = sum(c / t for _, c, t, _ in day.feedback().values()) / 3
    assert day.tally() == f"3 answers: 3 on time, 0 late · average coverage {average:.0%}"


# ---- commands after the reveal ----


def test_the_leaderboard_command_ranks_the_day_as_the_reveal_scored_it(day: DayView) -> None:
    assert day.leaderboard_title() == "Leaderboard · week of 30 Nov 2026"
    ranking = day.leaderboard_ranking()
    assert [name for name, _ in ranking] == ["eve", "ben", "cat"]
    assert [int(points) for _, points in ranking] == [day.feedback()[name][3] for name in ("eve", "ben", "cat")]


# ---- the rest of the week ----


def test_the_weekly_board_comes_on_monday_at_nine_with_last_weeks_ranking(day: DayView) -> None:
    [(title, posted_at, names)] = day.weekly_boards()
    assert title == "Weekly leaderboard · week of 30 Nov 2026"
    assert posted_at == berlin(2026, 12, 7, 9, 0)
    assert names == ["eve", "ben", "cat"]
    assert not any(at > berlin(2026, 12, 7, 9, 0) for at in day.channel_posted_at())
