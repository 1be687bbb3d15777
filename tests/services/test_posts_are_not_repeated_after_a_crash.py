"""A question or reveal the platform took but prepbot never recorded (the answer was lost, or the process died
before its commit) is found on the platform by the next attempt and recorded, never posted twice.

Times are Europe/Berlin; 2026-11-30 is a Monday.
"""

from __future__ import annotations

from bot.cards import QuestionCard, RevealCard
from bot.domain.model import Round
from bot.ports import ChatError
from tests.services.team import ALICE, MONDAY, NOTHING, Team, berlin, day, open_question


class Killed(Exception):
    """The process died right after the platform took the post (its task is picked up again a minute later)."""


async def round_of(team: Team, round_id: int) -> Round:
    async with team.bot.store.unit_of_work() as uow:
        return await uow.rounds.get(round_id)


async def test_a_daily_question_whose_answer_was_lost_is_recorded_not_posted_again(team: Team) -> None:
    await team.subscribe()
    team.chat.lose_next_post.append(ChatError("Slack chat.postMessage: TimeoutError"))

    await team.until(berlin(MONDAY, 9, 45))

    (question,) = team.daily_questions()
    assert isinstance(question.card, QuestionCard)
    stored = await round_of(team, question.card.round_id)
    assert stored.message_ref == question.ref and stored.deadline_at == question.card.deadline_at
    [lookup] = team.chat.lookups
    assert (lookup.kind, lookup.round_id, lookup.found, lookup.since) == (
        "question", question.card.round_id, question.ref, berlin(MONDAY, 9, 30))
    await team.answer(question, NOTHING)
    await team.until(berlin(MONDAY, 17, 0))
    assert len(team.reveals(question)) == 1 and len(team.daily_questions()) == 1


async def test_a_question_posted_just_before_a_crash_keeps_the_deadline_its_card_showed_after_the_restart(
    team: Team,
) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 8h")  # the deadline depends on when it is posted
    team.chat.lose_next_post.append(Killed("SIGKILL"))
    await team.until(berlin(MONDAY, 9, 30))

    await team.restart(at=berlin(MONDAY, 10, 10))

    (question,) = team.daily_questions()
    assert isinstance(question.card, QuestionCard) and question.card.deadline_at == berlin(MONDAY, 17, 30)
    stored = await round_of(team, question.card.round_id)
    assert stored.message_ref == question.ref and stored.deadline_at == berlin(MONDAY, 17, 30)
    await team.until(berlin(MONDAY, 17, 30))
    assert len(team.reveals(question)) == 1


async def test_a_reveal_whose_answer_was_lost_is_recorded_not_posted_again(team: Team) -> None:
    question = await open_question(team)
    await team.answer(question, NOTHING, by=ALICE)
    team.chat.lose_next_post.append(ChatError("Slack chat.postMessage: TimeoutError"))

    await team.until(berlin(MONDAY, 17, 15))

    (reveal,) = team.reveals(question)
    assert isinstance(reveal.card, RevealCard)
    stored = await round_of(team, reveal.card.round_id)
    assert stored.reveal_ref == reveal.ref
    assert [ref for ref, card in team.chat.updates if card.closed] == [question.ref]
    [lookup] = team.chat.lookups
    assert (lookup.kind, lookup.thread_ref, lookup.found, lookup.since) == (
        "reveal", question.ref, reveal.ref, berlin(MONDAY, 17, 0))


async def test_a_reveal_posted_just_before_a_crash_is_recorded_after_the_restart(team: Team) -> None:
    question = await open_question(team)
    await team.answer(question, NOTHING, by=ALICE)
    team.chat.lose_next_post.append(Killed("SIGKILL"))
    await team.until(berlin(MONDAY, 17, 0))

    await team.restart(at=berlin(MONDAY, 18, 0))
    await team.until(berlin(day(1), 8, 0))

    (reveal,) = team.reveals(question)
    assert isinstance(reveal.card, RevealCard)
    assert (await round_of(team, reveal.card.round_id)).reveal_ref == reveal.ref
    assert [ref for ref, card in team.chat.updates if card.closed] == [question.ref]


async def test_a_question_found_after_its_slot_was_missed_is_recorded_and_revealed(team: Team) -> None:
    await team.subscribe()
    team.chat.lose_next_post.append(Killed("SIGKILL"))
    await team.until(berlin(MONDAY, 9, 30))

    await team.restart(at=berlin(MONDAY, 13, 0))  # down for longer than the two-hour grace window
    await team.until(berlin(MONDAY, 17, 0))

    (question,) = team.daily_questions()
    assert isinstance(question.card, QuestionCard)
    assert (await round_of(team, question.card.round_id)).message_ref == question.ref
    assert len(team.reveals(question)) == 1


async def test_a_retry_after_a_refused_post_finds_nothing_and_posts_with_a_deadline_of_its_own(team: Team) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 8h")
    team.chat.fail_next.append(ChatError("Slack chat.postMessage: internal_error"))

    await team.until(berlin(MONDAY, 9, 45))

    (question,) = team.daily_questions()
    assert isinstance(question.card, QuestionCard)
    assert question.card.deadline_at == berlin(MONDAY, 17, 31)  # posted on the retry, a minute later
    stored = await round_of(team, question.card.round_id)
    assert stored.message_ref == question.ref and stored.deadline_at == question.card.deadline_at
    assert [(lookup.kind, lookup.found) for lookup in team.chat.lookups] == [("question", None)]


async def test_a_first_attempt_posts_without_looking(team: Team) -> None:
    question = await open_question(team)
    await team.answer(question, NOTHING)

    await team.until(berlin(day(1), 17, 0))

    assert len(team.daily_questions()) == 2 and len(team.reveals()) == 2
    assert team.chat.lookups == []
