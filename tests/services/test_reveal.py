"""The reveal at the deadline: the checklist, feedback for every answer, the tally, and the points behind it."""

from __future__ import annotations

import pytest

from bot.cards import AwardLine, QuestionCard, RevealCard
from bot.clock import FakeClock
from bot.domain.model import ChannelAddress
from bot.ports import ChatError
from tests.fakes.chat import FakeChat
from tests.services.team import ALICE, BOB, BOSS, MONDAY, NOTHING, Team, berlin, covering, day, feedback_for, \
    first_term, open_question


async def test_the_reveal_is_posted_in_the_questions_thread_when_answers_close(team: Team) -> None:
    question = await open_question(team)
    await team.answer(question, NOTHING)

    await team.until(berlin(MONDAY, 16, 59))
    assert team.reveals() == []

    await team.until(berlin(MONDAY, 17, 0))
    (posted,) = team.reveals()
    assert posted.thread_ref == question.ref and posted.private_to is None
    reveal = posted.card
    assert isinstance(reveal, RevealCard)
    asked = team.question_of(question)
    assert (reveal.round_id, reveal.question_id) == (question.question.round_id, asked.id)
    assert reveal.question == asked.question and reveal.hint == asked.hint
    assert reveal.key_points == tuple(k.point for k in asked.key_points)


async def test_each_answer_gets_feedback_naming_the_key_points_it_covered_and_the_term_that_matched(
    team: Team,
) -> None:
    question = await open_question(team)
    asked = team.question_of(question)
    total = len(asked.key_points)
    await team.answer(question, covering(asked, 0, 2), by=ALICE)
    await team.answer(question, NOTHING, by=BOB)

    await team.until(berlin(MONDAY, 17, 0))

    reveal = team.reveal_of(question)
    assert [f.member_name for f in reveal.feedback] == ["alice", "bob"]
    alice = feedback_for(reveal, "alice")
    assert [p.point for p in alice.covered] == [k.point for k in asked.key_points]
    assert [p.covered for p in alice.covered] == [i in (0, 2) for i in range(total)]
    assert [p.matched_term for p in alice.covered] == [
        first_term(asked, i) if i in (0, 2) else None for i in range(total)]
    assert alice.covered_count == 2
    bob = feedback_for(reveal, "bob")
    assert bob.covered_count == 0 and bob.on_time
    assert (reveal.tally.answers, reveal.tally.on_time, reveal.tally.late) == (2, 2, 0)
    assert reveal.tally.average_coverage == pytest.approx((2 / total + 0) / 2)


async def test_the_feedback_shows_the_points_awarded_with_their_reasons(team: Team) -> None:
    question = await open_question(team)
    asked = team.question_of(question)
    total = len(asked.key_points)
    await team.answer(question, covering(asked, 0, 1))

    await team.until(berlin(MONDAY, 17, 0))

    alice = feedback_for(team.reveal_of(question), "alice")
    assert alice.awards == (
        AwardLine("participation", 10, "answered on time"),
        AwardLine("coverage", round(30 * 2 / total), f"covered 2 of {total} key points"),
    )
    assert alice.total_points == 10 + round(30 * 2 / total)


async def test_the_question_is_marked_closed_once_revealed(team: Team) -> None:
    question = await open_question(team)

    await team.until(berlin(MONDAY, 16, 59))
    assert team.chat.updates == []
    await team.until(berlin(MONDAY, 17, 0))

    ((ref, card),) = team.chat.updates
    assert ref == question.ref
    assert card.closed
    assert (card.round_id, card.question_id, card.question) == (
        question.question.round_id, question.question.question_id, question.question.question)


async def test_a_question_nobody_answered_is_still_revealed_with_an_empty_tally(team: Team) -> None:
    question = await open_question(team)
    await team.until(berlin(MONDAY, 17, 0))
    reveal = team.reveal_of(question)
    assert reveal.feedback == ()
    assert (reveal.tally.answers, reveal.tally.on_time, reveal.tally.late) == (0, 0, 0)


async def test_stats_break_the_points_down_into_participation_coverage_votes_and_streak(team: Team) -> None:
    monday = await open_question(team)
    asked_monday = team.question_of(monday)
    ref = await team.reply_ref(monday, covering(asked_monday, 0))
    await team.vote(ref, BOB)
    await team.until(berlin(day(1), 10, 0))
    tuesday = team.latest_question()
    asked_tuesday = team.question_of(tuesday)
    await team.answer(tuesday, covering(asked_tuesday, 0, 1))
    await team.until(berlin(day(1), 17, 0))

    stats = await team.stats(ALICE)

    coverage = round(30 * 1 / len(asked_monday.key_points)) + round(30 * 2 / len(asked_tuesday.key_points))
    assert stats.breakdown == (("participation", 20), ("coverage", coverage), ("votes", 2), ("streak", 2))
    assert stats.total == 20 + coverage + 2 + 2
    assert stats.week_total == stats.total
    assert stats.streak_days == 2
    assert stats.rounds_answered == 2
    assert stats.member_name == "alice"
    tuesday_lines = feedback_for(team.reveal_of(tuesday), "alice").awards
    assert AwardLine("streak", 2, "2-day streak") in tuesday_lines
    monday_lines = feedback_for(team.reveal_of(monday), "alice").awards
    assert AwardLine("votes", 2, "1 teammate vote") in monday_lines


class ClosingFailsOnce(FakeChat):
    """A chat platform that times out the first time the bot marks a question closed."""

    failed = False

    async def update_question(self, channel: ChannelAddress, message_ref: str, card: QuestionCard) -> None:
        if not self.failed:
            self.failed = True
            raise ChatError("timed out")
        await super().update_question(channel, message_ref, card)


async def test_the_reveal_is_posted_once_even_when_marking_the_question_closed_has_to_be_retried(
    database_url: str,
) -> None:
    team = Team(database_url, FakeClock(berlin(MONDAY, 7, 0)), chat=ClosingFailsOnce(admins={BOSS.ref}))
    await team.bot.start()
    try:
        question = await open_question(team)
        await team.until(berlin(MONDAY, 18, 0))

        assert [ref for ref, card in team.chat.updates if card.closed] == [question.ref]
        assert len(team.reveals(question)) == 1
    finally:
        await team.bot.close()
