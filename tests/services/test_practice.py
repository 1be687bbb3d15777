"""Practice questions on demand: posted at once in the channel, revealed after the practice window, capped per day."""

from __future__ import annotations

from datetime import timedelta

from bot.cards import QuestionCard
from bot.domain.model import Speaker
from bot.domain.questions import Level
from bot.messages import AnswerAccepted, CommandReply
from tests.fakes.chat import Posted
from tests.services.team import ALICE, BOB, MONDAY, NOTHING, Team, awards_of, berlin, covering, day, \
    feedback_for

WINDOW = timedelta(minutes=30)


async def practise(team: Team, level: str, who: Speaker = ALICE) -> Posted:
    before = len(team.questions())
    reply = await team.prep(level, by=who)
    assert reply == CommandReply(), reply
    assert len(team.questions()) == before + 1
    return team.latest_question()


async def test_asking_for_an_advanced_question_posts_one_in_the_channel_with_its_own_thread(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    daily = team.latest_question()

    practice = await practise(team, "advanced")

    card = practice.card
    assert isinstance(card, QuestionCard)
    assert card.practice and card.requested_by == "alice"
    assert card.level_label == "Advanced" and team.question_of(practice).level is Level.ADVANCED
    assert card.deadline_at == berlin(MONDAY, 10, 0) + WINDOW
    assert practice.thread_ref is None and practice.ref != daily.ref
    assert card.round_id != daily.question.round_id


async def test_a_practice_question_is_revealed_in_its_thread_when_the_practice_window_ends(team: Team) -> None:
    await team.until(berlin(MONDAY, 14, 0))
    practice = await practise(team, "advanced")
    asked = team.question_of(practice)
    outcome = await team.answer(practice, covering(asked, 0))
    assert isinstance(outcome, AnswerAccepted) and outcome.on_time

    await team.until(berlin(MONDAY, 14, 29))
    assert team.reveals() == []
    await team.until(berlin(MONDAY, 14, 30))

    reveal = team.reveal_of(practice)
    alice = feedback_for(reveal, "alice")
    assert alice.covered[0].covered
    assert set(awards_of(alice)) == {"participation", "coverage"}  # no streak for practice
    ((ref, closed),) = team.chat.updates
    assert ref == practice.ref and closed.closed and closed.practice


async def test_practice_offers_questions_the_member_has_not_answered_before_any_repeat(team: Team) -> None:
    beginner = [q.id for q in team.bot.bank.at_levels([Level.BEGINNER])]
    assert len(beginner) == 5
    asked: list[str] = []
    for n in range(5):
        practice = await practise(team, "beginner")
        question = team.question_of(practice)
        asked.append(question.id)
        # every answer covers all key points except the third one, which is answered with nothing
        text = NOTHING if n == 2 else covering(question, *range(len(question.key_points)))
        await team.answer(practice, text)
        await team.until(team.now() + WINDOW)

    assert sorted(asked) == sorted(beginner)
    sixth = await practise(team, "beginner")
    assert sixth.question.question_id == asked[2]  # the one she covered worst


async def test_another_member_is_offered_questions_regardless_of_what_others_answered(team: Team) -> None:
    first = await practise(team, "beginner", who=ALICE)
    await team.answer(first, NOTHING, by=ALICE)
    await team.until(team.now() + WINDOW)
    seen_by_bob = []
    for _ in range(5):
        practice = await practise(team, "beginner", who=BOB)
        seen_by_bob.append(practice.question.question_id)
        await team.answer(practice, NOTHING, by=BOB)
        await team.until(team.now() + WINDOW)
    assert len(set(seen_by_bob)) == 5


async def test_the_fourth_scored_practice_round_of_a_day_earns_nothing_and_the_reveal_says_so(team: Team) -> None:
    await team.until(berlin(MONDAY, 12, 0))
    totals = []
    notes = []
    for _ in range(4):
        practice = await practise(team, "intermediate")
        await team.answer(practice, NOTHING)
        await team.until(team.now() + WINDOW)
        alice = feedback_for(team.reveal_of(practice), "alice")
        totals.append(alice.total_points)
        notes.append(alice.note)

    assert totals == [10, 10, 10, 0]
    assert notes[:3] == ["", "", ""]
    assert "practice cap reached" in notes[3] and "3" in notes[3]
    assert (await team.stats(ALICE)).total == 30


async def test_the_practice_cap_is_counted_per_member_and_starts_again_the_next_day(team: Team) -> None:
    await team.until(berlin(MONDAY, 12, 0))
    for _ in range(3):
        practice = await practise(team, "intermediate")
        await team.answer(practice, NOTHING)
        await team.until(team.now() + WINDOW)

    fourth = await practise(team, "intermediate")
    await team.answer(fourth, NOTHING, by=ALICE)
    await team.answer(fourth, NOTHING, by=BOB)
    await team.until(team.now() + WINDOW)
    reveal = team.reveal_of(fourth)
    assert feedback_for(reveal, "alice").total_points == 0
    assert feedback_for(reveal, "bob").total_points == 10

    await team.until(berlin(day(1), 12, 0))
    tomorrow = await practise(team, "intermediate")
    await team.answer(tomorrow, NOTHING)
    await team.until(team.now() + WINDOW)
    assert feedback_for(team.reveal_of(tomorrow), "alice").total_points == 10


async def test_a_practice_answer_does_not_count_towards_the_daily_streak(team: Team) -> None:
    await team.subscribe()
    await team.until(berlin(MONDAY, 10, 0))
    await team.answer(team.latest_question(), NOTHING)
    await team.until(berlin(MONDAY, 17, 0))
    await team.until(berlin(day(1), 8, 0))
    practice = await practise(team, "beginner")
    await team.answer(practice, NOTHING)
    await team.until(berlin(day(1), 10, 0))  # Tuesday's question is posted; alice skips it
    await team.until(berlin(day(2), 10, 0))
    await team.answer(team.latest_question(), NOTHING)
    await team.until(berlin(day(2), 17, 0))

    assert "streak" not in awards_of(feedback_for(team.reveal_of(team.latest_question()), "alice"))


async def test_practice_rounds_left_unanswered_do_not_use_up_the_daily_cap(team: Team) -> None:
    await team.until(berlin(MONDAY, 12, 0))
    for _ in range(3):
        await practise(team, "intermediate")  # asked for, never answered
        await team.until(team.now() + WINDOW)
    for _ in range(3):
        practice = await practise(team, "intermediate")
        await team.answer(practice, NOTHING)
        await team.until(team.now() + WINDOW)

    assert (await team.stats(ALICE)).total == 30


async def test_the_practice_day_is_the_channels_local_day(team: Team) -> None:
    await team.subscribe()  # the channel's time zone is Europe/Berlin
    await team.until(berlin(MONDAY, 22, 30))
    for _ in range(3):
        practice = await practise(team, "intermediate")
        await team.answer(practice, NOTHING)
        await team.until(team.now() + timedelta(minutes=29))

    await team.until(berlin(day(1), 0, 5))  # Tuesday in Berlin, still Monday 23:05 in UTC
    fourth = await practise(team, "intermediate")
    await team.answer(fourth, NOTHING)
    await team.until(team.now() + WINDOW)

    assert feedback_for(team.reveal_of(fourth), "alice").total_points == 10
