"""Restarting: work missed while the bot was down is done once on start, within reason, and never twice."""

from __future__ import annotations

from bot.cards import Reaction
from bot.ports import NoMetrics, PlatformUnavailable
from bot.messages import AnswerAccepted, SubmitAnswer
from tests.services.team import ALICE, GENERAL, BERLIN, MONDAY, NOTHING, Team, berlin, covering, day, feedback_for


def posting_days(team: Team) -> list[object]:
    return [p.question.deadline_at.astimezone(BERLIN).date() for p in team.daily_questions()]


async def test_a_reveal_missed_while_down_is_made_once_on_start_and_the_question_is_not_posted_again(
    team: Team,
) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()
    await team.answer(question, covering(team.question_of(question), 0))

    await team.restart(at=berlin(MONDAY, 18, 0))

    assert len(team.questions()) == 1
    (reveal,) = team.reveals()
    assert reveal.thread_ref == question.ref
    assert feedback_for(reveal.reveal, "alice").covered[0].covered
    assert [ref for ref, _ in team.chat.updates] == [question.ref]

    await team.bot.run_due()
    await team.restart()
    await team.until(berlin(MONDAY, 23, 0))
    assert len(team.reveals()) == 1
    assert len(team.questions()) == 1
    assert (await team.stats(ALICE)).breakdown[0] == ("participation", 10)


async def test_after_a_restart_the_next_days_question_is_posted_as_usual(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))

    await team.restart(at=berlin(MONDAY, 18, 0))
    await team.until(berlin(day(1), 10, 0))

    assert posting_days(team) == [MONDAY, day(1)]


async def test_answers_keep_being_taken_after_a_restart_during_the_answer_window(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()

    await team.restart(at=berlin(MONDAY, 12, 0))
    outcome = await team.answer(question, NOTHING, ref="after-restart")
    await team.until(berlin(MONDAY, 17, 0))

    assert len(team.questions()) == 1
    assert isinstance(outcome, AnswerAccepted) and outcome.on_time
    assert ("after-restart", Reaction.ACCEPTED) in team.chat.reactions
    assert [f.member_name for f in team.reveal_of(question).feedback] == ["alice"]


async def test_a_post_missed_by_less_than_the_grace_window_is_made_up_on_start(team: Team) -> None:
    await team.subscribe()

    await team.restart(at=berlin(MONDAY, 10, 30))  # down over the 09:30 post, back an hour later

    (question,) = team.questions()
    assert question.question.deadline_at == berlin(MONDAY, 17, 0)
    await team.until(berlin(MONDAY, 17, 0))
    assert len(team.reveals(question)) == 1
    assert len(team.questions()) == 1


async def test_a_post_missed_by_more_than_the_grace_window_is_skipped_and_the_next_day_still_posts(
    team: Team,
) -> None:
    await team.subscribe()

    await team.restart(at=berlin(MONDAY, 12, 0))  # two and a half hours after the 09:30 post

    assert team.questions() == []
    await team.until(berlin(MONDAY, 23, 0))
    assert team.questions() == []
    await team.until(berlin(day(1), 9, 30))
    assert posting_days(team) == [day(1)]
    assert team.latest_question().question.deadline_at == berlin(day(1), 17, 0)


async def test_a_bot_down_for_days_skips_the_missed_days_and_resumes_with_the_next_post(team: Team) -> None:
    await team.subscribe()

    await team.restart(at=berlin(day(2), 12, 0))  # Monday to Wednesday noon
    await team.until(berlin(day(3), 10, 0))

    assert posting_days(team) == [day(3)]


async def test_an_answer_stored_just_before_a_stop_gets_its_reaction_when_the_bot_starts_again(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()
    # Stored and answered 200, then the process stopped before its reaction (which follows the response) was made.
    handled = await team.bot.handle_answer(SubmitAnswer(GENERAL, question.ref, "late-night", ALICE, "batching",
                                                        team.clock.now()))
    assert isinstance(handled.outcome, AnswerAccepted) and handled.follow_up is not None
    handled.follow_up().close()  # the process stops before the follow-up runs
    assert team.chat.reactions == []

    await team.restart(at=berlin(MONDAY, 10, 5))
    await team.bot.caught_up()  # the missed reactions are made in the background, after the start

    assert team.chat.reactions == [("late-night", Reaction.ACCEPTED)]


async def test_an_answer_already_acknowledged_is_not_marked_again_after_a_restart(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()
    await team.answer(question, "batching", ref="r1")

    await team.restart(at=berlin(MONDAY, 10, 5))
    await team.restart(at=berlin(MONDAY, 10, 6))
    await team.bot.caught_up()

    assert team.chat.reactions == [("r1", Reaction.ACCEPTED)]


class CountedAnswers(NoMetrics):
    def __init__(self) -> None:
        self.accepted: list[tuple[str, bool]] = []

    def answer_accepted(self, platform: str, on_time: bool) -> None:
        self.accepted.append((platform, on_time))


async def test_an_answer_acknowledged_again_at_start_up_is_counted_once(team: Team) -> None:
    counted = CountedAnswers()
    team.metrics = counted
    await team.restart()
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()
    team.chat.fail_next.append(PlatformUnavailable("Slack is away"))  # its reaction waits for the next start
    await team.answer(question, "batching", ref="r1")
    await team.answer(question, "and a canary", ref="r2")
    await team.answer(question, "and a canary", ref="r2")  # a retried delivery of it

    await team.restart(at=berlin(MONDAY, 10, 5))
    await team.bot.caught_up()

    assert team.chat.reactions == [("r2", Reaction.ACCEPTED), ("r1", Reaction.ACCEPTED)]
    assert counted.accepted == [(GENERAL.platform, True), (GENERAL.platform, True)]
