"""Private answers, through the core.

Private answers: in a channel that answers privately, members answer through a private path, nobody reads
another's answer before the reveal, and the reveal shows every answer with its feedback."""

from __future__ import annotations

import pytest

from bot.cards import Notice, QuestionCard, Reaction
from bot.domain.model import AnswerMode, Speaker, private_answer_ref
from bot.messages import AnswerAccepted, AnswerEdited, AnswerOutcome, AnswerPrivately, AnswersClosed, AnswerWithdrawn, \
    Ignored, SubmitAnswer
from bot.wording import exposed_reply_notice
from tests.fakes.chat import Posted
from tests.services.team import ALICE, BOB, BOSS, GENERAL, MONDAY, NOTHING, Team, berlin, covering, day, \
    feedback_for, hand_in, open_question


async def answer_privately(team: Team, question: Posted, text: str, by: Speaker = ALICE) -> AnswerOutcome:
    return await hand_in(team.bot, AnswerPrivately(GENERAL, question.ref, by, text, team.now()))


async def private_question(team: Team) -> Posted:
    question = await open_question(team)
    assert question.question.private
    return question


async def test_a_channel_prepbot_sees_for_the_first_time_answers_privately_and_config_says_so(team: Team) -> None:
    question = await private_question(team)

    (reply,) = (await team.prep("config")).cards
    assert isinstance(reply, Notice) and "Answers: private" in reply.text
    assert question.question.private


async def test_a_private_answer_is_stored_at_once_and_nobody_else_sees_it_before_the_reveal(team: Team) -> None:
    question = await private_question(team)
    posts_before = len(team.chat.posts)

    outcome = await answer_privately(team, question, "Profile first, then quantize the model.")

    assert isinstance(outcome, AnswerAccepted) and outcome.on_time and not outcome.repeated
    (answer,) = await team.stored_answers(question)
    assert answer.on_time_text == "Profile first, then quantize the model."
    assert team.chat.posts[posts_before:] == []  # nothing in the channel, the thread, or to anyone
    assert team.chat.reactions == []


async def test_the_reveal_shows_every_answer_with_its_feedback(team: Team) -> None:
    question = await private_question(team)
    asked = team.question_of(question)
    await answer_privately(team, question, covering(asked, 0), by=ALICE)
    await answer_privately(team, question, NOTHING, by=BOB)

    await team.until(berlin(MONDAY, 17, 0))

    reveal = team.reveal_of(question)
    alice, bob = feedback_for(reveal, "alice"), feedback_for(reveal, "bob")
    assert alice.answer_text == covering(asked, 0) and alice.covered_count == 1 and alice.awards
    assert bob.answer_text == NOTHING
    (posted,) = team.reveals(question)
    assert posted.thread_ref == question.ref and posted.private_to is None


async def test_a_member_changes_a_private_answer_before_the_deadline_and_the_form_shows_it(team: Team) -> None:
    question = await private_question(team)
    asked = team.question_of(question)
    await answer_privately(team, question, NOTHING)

    form = await team.bot.answer_form(GENERAL, question.ref, ALICE.ref)
    assert form is not None and form.private and form.open and form.current == NOTHING
    outcome = await answer_privately(team, question, covering(asked, 0, 1))

    assert isinstance(outcome, AnswerEdited) and outcome.counts_for_score
    (answer,) = await team.stored_answers(question)
    assert len(answer.parts) == 1 and answer.on_time_text == covering(asked, 0, 1)
    await team.until(berlin(MONDAY, 17, 0))
    assert feedback_for(team.reveal_of(question), "alice").covered_count == 2


async def test_the_same_form_sent_twice_is_stored_once(team: Team) -> None:
    question = await private_question(team)

    first = await answer_privately(team, question, NOTHING)
    again = await answer_privately(team, question, NOTHING)

    assert isinstance(first, AnswerAccepted) and not first.repeated
    assert isinstance(again, AnswerAccepted) and again.repeated
    (answer,) = await team.stored_answers(question)
    assert [p.message_ref for p in answer.parts] == [private_answer_ref(ALICE.ref)]


async def test_forms_sent_at_the_same_moment_by_one_member_leave_one_answer(team: Team) -> None:
    import asyncio

    question = await private_question(team)
    outcomes = await asyncio.gather(*(answer_privately(team, question, f"{NOTHING} Take {n}.") for n in range(5)))

    assert sum(isinstance(o, AnswerAccepted) and not o.repeated for o in outcomes) == 1
    (answer,) = await team.stored_answers(question)
    assert len(answer.parts) == 1


async def test_after_the_deadline_the_private_path_says_the_round_is_closed_and_stores_nothing(team: Team) -> None:
    question = await private_question(team)
    await answer_privately(team, question, NOTHING)

    await team.until(berlin(MONDAY, 17, 0))
    form = await team.bot.answer_form(GENERAL, question.ref, ALICE.ref)
    outcome = await answer_privately(team, question, "A better answer, too late.")

    assert form is not None and not form.open
    assert isinstance(outcome, AnswersClosed)
    (answer,) = await team.stored_answers(question)
    assert answer.on_time_text == NOTHING


async def test_a_thread_reply_in_a_private_round_is_kept_and_its_author_is_told_it_is_public(team: Team) -> None:
    question = await private_question(team)

    outcome = await team.answer(question, NOTHING, by=BOB)

    assert isinstance(outcome, AnswerAccepted) and outcome.exposed
    assert team.private_notices(BOB) == [exposed_reply_notice()]
    assert len(team.chat.reactions) == 1
    await team.until(berlin(MONDAY, 17, 0))
    assert feedback_for(team.reveal_of(question), "bob").answer_text == NOTHING


async def test_the_author_of_a_public_reply_stored_just_before_a_stop_is_told_once_after_the_restart(
        team: Team) -> None:
    question = await private_question(team)
    handled = await team.bot.handle_answer(SubmitAnswer(GENERAL, question.ref, "in-the-thread", BOB, NOTHING,
                                                        team.now()))
    assert isinstance(handled.outcome, AnswerAccepted) and handled.outcome.exposed
    assert handled.follow_up is not None
    handled.follow_up().close()  # the process stops before the follow-up runs

    await team.restart()
    await team.bot.caught_up()
    await team.restart()
    await team.bot.caught_up()

    assert team.private_notices(BOB) == [exposed_reply_notice()]
    assert team.chat.reactions == [("in-the-thread", Reaction.ACCEPTED)]


async def test_a_thread_reply_in_a_thread_round_is_not_called_public_after_a_restart(team: Team) -> None:
    await team.subscribe()
    assert (await team.prep("config answers thread")).cards == ()
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()
    assert isinstance(question.card, QuestionCard) and not question.card.private
    handled = await team.bot.handle_answer(SubmitAnswer(GENERAL, question.ref, "in-the-thread", BOB, NOTHING,
                                                        team.now()))
    assert handled.follow_up is not None
    handled.follow_up().close()

    await team.restart()
    await team.bot.caught_up()

    assert team.private_notices(BOB) == []
    assert team.chat.reactions == [("in-the-thread", Reaction.ACCEPTED)]


async def test_an_empty_form_withdraws_a_private_answer(team: Team) -> None:
    question = await private_question(team)
    await answer_privately(team, question, NOTHING)

    outcome = await answer_privately(team, question, "   ")

    assert isinstance(outcome, AnswerWithdrawn)
    assert all(a.withdrawn for a in await team.stored_answers(question))
    assert isinstance(await answer_privately(team, question, " ", by=BOB), Ignored)


async def test_an_admin_switches_to_thread_answers_from_the_next_question_on(team: Team) -> None:
    question = await private_question(team)

    assert (await team.prep("config answers thread")).cards == ()
    (announcement,) = [n for n in team.channel_notices() if "switched answers to the thread" in n.text]
    assert "bea" in announcement.text
    outcome = await team.answer(question, NOTHING, by=BOB)  # the open question keeps its mode
    assert isinstance(outcome, AnswerAccepted) and outcome.exposed

    await team.until(berlin(day(1), 10, 0))
    tuesday = team.latest_question()
    assert isinstance(tuesday.card, QuestionCard) and not tuesday.card.private
    reply = await team.answer(tuesday, NOTHING, by=BOB)
    assert isinstance(reply, AnswerAccepted) and not reply.exposed
    async with team.bot.store.unit_of_work() as uow:
        channel = await uow.channels.find(GENERAL)
    assert channel is not None and channel.answer_mode is AnswerMode.THREAD


async def test_thread_answers_are_not_repeated_in_the_reveal(team: Team) -> None:
    await team.subscribe()
    await team.prep("config answers thread")
    await team.until(berlin(MONDAY, 10, 0))
    question = team.latest_question()
    await team.answer(question, NOTHING)

    await team.until(berlin(MONDAY, 17, 0))

    assert feedback_for(team.reveal_of(question), "alice").answer_text == ""


@pytest.mark.parametrize("typed", ["answers", "answers public", "answers private thread"])
async def test_config_answers_needs_private_or_thread(team: Team, typed: str) -> None:
    (reply,) = (await team.prep(f"config {typed}")).cards
    assert isinstance(reply, Notice) and reply.kind.value == "error"


async def test_only_admins_switch_the_answer_mode(team: Team) -> None:
    await team.subscribe()

    (reply,) = (await team.prep("config answers thread", by=ALICE)).cards

    assert isinstance(reply, Notice) and "Only this channel's admins" in reply.text
    (again,) = (await team.prep("config answers private", by=BOSS)).cards
    assert isinstance(again, Notice) and again.text.startswith("Nothing to change")
