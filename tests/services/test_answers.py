"""Answering in a question's thread: what is kept, how it is acknowledged, and what counts for the score."""

from __future__ import annotations

import asyncio

import pytest

from bot.cards import Reaction
from bot.domain.model import Speaker
from bot.messages import AnswerAccepted, AnswerEdited, AnswerWithdrawn, Ignored
from bot.wording import answer_cut_words
from tests.fakes.chat import Posted
from tests.services.team import ALICE, BOB, HELPER_BOT, MONDAY, NOTHING, Team, awards_of, berlin, covering, \
    feedback_for
from tests.services.team import open_question as open_question_in_a_new_channel


async def open_question(team: Team) -> Posted:
    """Monday's question in a channel whose admin chose thread answers: these are the rules of thread replies (a
    new channel answers privately; see test_private_answers.py)."""
    await team.prep("config answers thread")
    return await open_question_in_a_new_channel(team)


async def test_an_answer_before_the_deadline_is_stored_then_marked_accepted(team: Team) -> None:
    question = await open_question(team)

    outcome = await team.answer(question, "batching and caching", ref="r1")

    assert outcome == AnswerAccepted(question.question.round_id, "r1", on_time=True)
    assert team.chat.reactions == [("r1", Reaction.ACCEPTED)]
    (stored,) = await team.stored_answers(question)  # read back in a new transaction: it was committed
    assert stored.on_time_text == "batching and caching"


async def test_a_reply_delivered_twice_is_kept_once_and_reported_as_a_repeat(team: Team) -> None:
    question = await open_question(team)
    await team.answer(question, "first delivery", ref="r1")

    again = await team.answer(question, "first delivery", ref="r1")

    assert isinstance(again, AnswerAccepted) and again.repeated
    (stored,) = await team.stored_answers(question)
    assert len(stored.parts) == 1


async def test_a_late_answer_is_marked_late_shown_as_late_in_the_reveal_and_scores_nothing(team: Team) -> None:
    question = await open_question(team)
    everything = covering(team.question_of(question), *range(len(team.question_of(question).key_points)))
    await team.answer(question, NOTHING, by=BOB, ref="r1")

    team.clock.set(berlin(MONDAY, 17, 5))  # past the deadline, before the reveal has run
    outcome = await team.answer(question, everything, by=ALICE, ref="r2")
    await team.bot.run_due()

    assert isinstance(outcome, AnswerAccepted) and not outcome.on_time
    assert ("r2", Reaction.LATE) in team.chat.reactions
    assert ("r2", Reaction.ACCEPTED) not in team.chat.reactions
    reveal = team.reveal_of(question)
    late = feedback_for(reveal, "alice")
    assert not late.on_time
    assert late.awards == () and late.total_points == 0
    assert "after the deadline" in late.note
    assert late.late_text == everything
    assert (reveal.tally.answers, reveal.tally.on_time, reveal.tally.late) == (2, 1, 1)
    assert (await team.stats(ALICE)).total == 0
    assert (await team.stats(BOB)).total == 10


async def test_a_reply_written_by_a_bot_is_ignored_and_not_acknowledged(team: Team) -> None:
    question = await open_question(team)

    outcome = await team.answer(question, "caching batching quantization", by=HELPER_BOT)
    await team.until(berlin(MONDAY, 17, 0))

    assert isinstance(outcome, Ignored)
    assert team.chat.reactions == []
    assert await team.stored_answers(question) == []
    assert team.reveal_of(question).feedback == ()


@pytest.mark.parametrize("text", ["", "   \n\t", "\u200b", "\u200b\u200c\u200d", "\ufeff \u2060\u200b"],
                         ids=["empty", "whitespace", "zero-width-space", "zero-width-run", "mixed-invisible"])
async def test_a_reply_with_nothing_visible_in_it_is_ignored_and_not_acknowledged(team: Team, text: str) -> None:
    question = await open_question(team)

    outcome = await team.answer(question, text)

    assert isinstance(outcome, Ignored)
    assert team.chat.reactions == []
    assert await team.stored_answers(question) == []


async def test_a_reply_in_a_thread_that_is_not_a_questions_is_ignored(team: Team) -> None:
    question = await open_question(team)
    announcement = team.chat.posts[0]  # the subscription notice, not a question
    assert announcement.ref != question.ref

    elsewhere = await team.answer(Posted(question.channel, "some-other-thread", question.card), "caching")
    under_notice = await team.answer(Posted(question.channel, announcement.ref, question.card), "caching")

    assert isinstance(elsewhere, Ignored) and isinstance(under_notice, Ignored)
    assert team.chat.reactions == []
    assert await team.stored_answers(question) == []


async def test_two_replies_by_one_member_make_one_answer_that_joins_both(team: Team) -> None:
    question = await open_question(team)
    asked = team.question_of(question)
    first, second = covering(asked, 0), covering(asked, 1)

    await team.answer(question, first)
    await team.until(berlin(MONDAY, 11, 0))
    await team.answer(question, second)
    await team.until(berlin(MONDAY, 17, 0))

    (stored,) = await team.stored_answers(question)
    assert stored.on_time_text == f"{first}\n{second}"
    reveal = team.reveal_of(question)
    assert len(reveal.feedback) == 1
    feedback = feedback_for(reveal, "alice")
    assert [p.covered for p in feedback.covered][:2] == [True, True]
    assert feedback.covered_count == 2
    assert reveal.tally.answers == 1


async def test_an_edit_before_the_deadline_changes_what_is_scored(team: Team) -> None:
    question = await open_question(team)
    asked = team.question_of(question)
    everything = covering(asked, *range(len(asked.key_points)))
    ref = await team.reply_ref(question, NOTHING)

    await team.until(berlin(MONDAY, 16, 0))
    edited = await team.edit(ref, everything)
    await team.until(berlin(MONDAY, 17, 0))

    assert edited == AnswerEdited(question.question.round_id, ref, counts_for_score=True)
    feedback = feedback_for(team.reveal_of(question), "alice")
    assert feedback.covered_count == len(asked.key_points)
    assert awards_of(feedback)["coverage"] == 30


async def test_an_edit_after_the_deadline_does_not_change_the_score(team: Team) -> None:
    question = await open_question(team)
    asked = team.question_of(question)
    one_point = covering(asked, 0)
    ref = await team.reply_ref(question, one_point)

    team.clock.set(berlin(MONDAY, 17, 1))  # after the deadline, the reveal not yet run
    edited = await team.edit(ref, covering(asked, *range(len(asked.key_points))))
    await team.bot.run_due()

    assert isinstance(edited, AnswerEdited) and not edited.counts_for_score
    feedback = feedback_for(team.reveal_of(question), "alice")
    assert feedback.on_time
    assert feedback.covered_count == 1
    expected_coverage = round(30 * 1 / len(asked.key_points))
    assert awards_of(feedback)["coverage"] == expected_coverage

    await team.until(berlin(MONDAY, 18, 0))
    await team.edit(ref, covering(asked, *range(len(asked.key_points))))  # and after the reveal
    assert (await team.stats(ALICE)).total == 10 + expected_coverage


async def test_deleting_a_reply_withdraws_the_answer_from_the_reveal_and_the_points(team: Team) -> None:
    question = await open_question(team)
    asked = team.question_of(question)
    ref = await team.reply_ref(question, covering(asked, 0, 1))
    await team.answer(question, NOTHING, by=BOB)

    withdrawn = await team.withdraw(ref)
    await team.until(berlin(MONDAY, 17, 0))

    assert withdrawn == AnswerWithdrawn(question.question.round_id, ref)
    reveal = team.reveal_of(question)
    assert [f.member_name for f in reveal.feedback] == ["bob"]
    assert reveal.tally.answers == 1
    stats = await team.stats(ALICE)
    assert stats.total == 0 and stats.rounds_answered == 0


async def test_editing_a_reply_to_nothing_visible_withdraws_it(team: Team) -> None:
    question = await open_question(team)
    ref = await team.reply_ref(question, "caching")

    outcome = await team.edit(ref, "\u200b ")
    await team.until(berlin(MONDAY, 17, 0))

    assert isinstance(outcome, AnswerWithdrawn)
    assert team.reveal_of(question).feedback == ()


async def test_a_huge_answer_is_kept_cut_to_4000_characters_and_the_member_is_told_privately(team: Team) -> None:
    question = await open_question(team)
    asked = team.question_of(question)
    opening = covering(asked, 0) + " "
    text = opening + "z" * (100_000 - len(opening))
    assert len(text) == 100_000

    outcome = await team.answer(question, text, ref="r-huge")
    await team.until(berlin(MONDAY, 17, 0))

    assert isinstance(outcome, AnswerAccepted) and outcome.truncated_to == 4000
    assert team.chat.reactions == [("r-huge", Reaction.ACCEPTED)]
    (notice,) = team.private_notices(ALICE)
    assert notice.text == answer_cut_words(4000) == "Your answer was long: I kept the first 4,000 characters."
    (stored,) = await team.stored_answers(question)
    (part,) = stored.parts
    assert part.truncated
    assert part.text == text[:4000] and part.scored_text == text[:4000]
    feedback = feedback_for(team.reveal_of(question), "alice")
    assert feedback.on_time and feedback.covered[0].covered
    assert awards_of(feedback)["participation"] == 10


async def test_emoji_and_zero_width_characters_in_an_answer_are_kept_exactly(team: Team) -> None:
    question = await open_question(team)
    asked = team.question_of(question)
    text = f"👩🏽‍💻 {covering(asked, 0)} 🚀\u200b caf\u0065\u0301 zero\u200dwidth\u2060joiner \ufeff🇩🇪 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"

    outcome = await team.answer(question, text)
    await team.until(berlin(MONDAY, 17, 0))

    assert isinstance(outcome, AnswerAccepted) and outcome.truncated_to is None
    (stored,) = await team.stored_answers(question)
    assert stored.parts[0].text == text
    assert stored.on_time_text == text
    assert feedback_for(team.reveal_of(question), "alice").covered[0].covered


async def test_an_answer_cut_at_the_limit_keeps_every_character_before_the_cut(team: Team) -> None:
    question = await open_question(team)
    text = "🚀\u200b" * 3000  # 6000 characters of emoji and zero-width spaces

    await team.answer(question, text)

    (stored,) = await team.stored_answers(question)
    assert stored.parts[0].text == text[:4000]


async def test_many_teammates_answering_at_the_same_moment_are_all_stored_and_acknowledged(team: Team) -> None:
    question = await open_question(team)
    members = [Speaker(f"m{n}", f"member{n:02d}") for n in range(40)]

    outcomes = await asyncio.gather(*(team.answer(question, NOTHING, by=m, ref=f"r{n}") for n, m in enumerate(members)))
    await team.until(berlin(MONDAY, 17, 0))

    assert all(isinstance(o, AnswerAccepted) and o.on_time and not o.repeated for o in outcomes)
    assert sorted(team.chat.reactions) == sorted((f"r{n}", Reaction.ACCEPTED) for n in range(40))
    assert len(await team.stored_answers(question)) == 40
    assert team.reveal_of(question).tally.answers == 40
