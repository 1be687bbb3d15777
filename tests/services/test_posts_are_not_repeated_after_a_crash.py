"""Posts are not repeated after a crash.

A question, reveal or weekly board the platform took but prepbot never recorded (the answer was lost, or the process died
before its commit) is found on the platform by the next attempt and recorded, never posted twice.

Times are Europe/Berlin; 2026-11-30 is a Monday.
"""

from __future__ import annotations

from bot.cards import LeaderboardCard, QuestionCard, RevealCard
from tests.fakes.chat import Posted
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
    await team.until(berlin(MONDAY, 16, 0))  # after the reminder: the next post is the reveal
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


def weekly_boards(team: Team) -> list[Posted]:
    return [p for p in team.chat.posts if isinstance(p.card, LeaderboardCard) and p.card.title == "Weekly leaderboard"]


async def a_week_with_a_round(team: Team) -> None:
    """A channel with one answered round in the week of Monday 30 November, just before its board is due."""
    question = await open_question(team)
    await team.answer(question, NOTHING)
    await team.until(berlin(day(7), 8, 59))


async def test_a_weekly_board_whose_answer_was_lost_is_not_posted_again_when_its_task_runs_again(team: Team) -> None:
    await a_week_with_a_round(team)
    team.chat.lose_next_post.append(ChatError("Slack chat.postMessage: TimeoutError"))

    await team.until(berlin(day(7), 9, 15))

    (board,) = weekly_boards(team)
    assert isinstance(board.card, LeaderboardCard) and board.card.key == "week:2026-11-30"
    [lookup] = [lookup for lookup in team.chat.lookups if lookup.kind == "board"]
    assert (lookup.key, lookup.found, lookup.since) == ("week:2026-11-30", board.ref, berlin(day(7), 0, 0))
    await team.until(berlin(day(14), 9, 0))
    assert [p.card.period for p in weekly_boards(team) if isinstance(p.card, LeaderboardCard)] == [
        "week of 30 Nov 2026", "week of 07 Dec 2026"]


async def test_a_weekly_board_posted_just_before_a_crash_is_not_posted_again_after_the_restart(team: Team) -> None:
    await a_week_with_a_round(team)
    team.chat.lose_next_post.append(Killed("SIGKILL"))
    await team.until(berlin(day(7), 9, 0))

    await team.restart(at=berlin(day(7), 9, 10))
    await team.until(berlin(day(7), 9, 20))

    (board,) = weekly_boards(team)
    assert [(lookup.kind, lookup.found) for lookup in team.chat.lookups] == [("board", board.ref)]


async def test_a_retried_weekly_board_the_platform_refused_is_looked_for_and_posted(team: Team) -> None:
    await a_week_with_a_round(team)
    team.chat.fail_next.append(ChatError("Slack chat.postMessage: internal_error"))

    await team.until(berlin(day(7), 9, 15))

    assert len(weekly_boards(team)) == 1
    assert [(lookup.kind, lookup.found) for lookup in team.chat.lookups] == [("board", None)]


async def test_a_first_weekly_board_is_posted_without_looking(team: Team) -> None:
    await a_week_with_a_round(team)

    await team.until(berlin(day(7), 9, 15))

    (board,) = weekly_boards(team)
    assert isinstance(board.card, LeaderboardCard) and board.card.key == "week:2026-11-30"
    assert team.chat.lookups == []
