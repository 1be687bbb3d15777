"""Teammates' votes on an answer.

Teammates' reactions on an answer: each teammate counts once, up to a cap; own and bots' reactions never; votes close
at the reveal, whose points are final."""

from __future__ import annotations

from bot.cards import QuestionCard
from bot.domain.model import Speaker
from bot.domain.scoring import Weights
from bot.messages import Ignored, VoteCounted, VotingClosed
from tests.fakes.chat import Posted
from tests.services.team import ALICE, BOB, BOSS, CAROL, DAVE, HELPER_BOT, MONDAY, NOTHING, TEAMMATES, Team, \
    awards_of, berlin, feedback_for, open_question


async def thread_question(team: Team) -> Posted:
    """Monday's question in a channel whose admin chose thread answers: votes are reactions to thread replies."""
    await team.prep("config answers thread")
    return await open_question(team)


async def vote_points(team: Team, who: Speaker = ALICE) -> int:
    return dict((await team.stats(who)).breakdown)["votes"]


async def test_each_teammate_who_reacts_adds_vote_points_once_whatever_and_wherever_they_react(team: Team) -> None:
    question = await thread_question(team)
    first = await team.reply_ref(question, NOTHING)
    second = await team.reply_ref(question, "and another thought")
    await team.vote(first, BOB, "+1")
    await team.vote(first, BOB, "fire")
    await team.vote(second, BOB, "+1")
    counted = await team.vote(first, CAROL, "+1")

    await team.until(berlin(MONDAY, 17, 0))

    assert isinstance(counted, VoteCounted) and counted.voters == 2
    alice = feedback_for(team.reveal_of(question), "alice")
    assert awards_of(alice)["votes"] == 4
    assert await vote_points(team) == 4


async def test_reacting_to_your_own_answer_does_not_count(team: Team) -> None:
    question = await thread_question(team)
    ref = await team.reply_ref(question, NOTHING)

    own = await team.vote(ref, ALICE)
    await team.until(berlin(MONDAY, 17, 0))

    assert isinstance(own, Ignored)
    assert "votes" not in awards_of(feedback_for(team.reveal_of(question), "alice"))
    assert await vote_points(team) == 0


async def test_a_bots_reaction_does_not_count(team: Team) -> None:
    question = await thread_question(team)
    ref = await team.reply_ref(question, NOTHING)

    from_bot = await team.vote(ref, HELPER_BOT)
    await team.until(berlin(MONDAY, 17, 0))

    assert isinstance(from_bot, Ignored)
    assert "votes" not in awards_of(feedback_for(team.reveal_of(question), "alice"))


async def test_vote_points_stop_growing_at_the_cap(team: Team) -> None:
    question = await thread_question(team)
    ref = await team.reply_ref(question, NOTHING)
    for teammate in TEAMMATES:
        await team.vote(ref, teammate)

    await team.until(berlin(MONDAY, 17, 0))

    weights = Weights()
    assert len(TEAMMATES) > weights.max_votes
    (line,) = [a for a in feedback_for(team.reveal_of(question), "alice").awards if a.reason == "votes"]
    assert line.amount == weights.max_votes * weights.per_vote
    assert f"{len(TEAMMATES)} teammate votes (capped at {weights.max_votes})" == line.detail
    assert await vote_points(team) == weights.max_votes * weights.per_vote


def round_id_of(question: Posted) -> int:
    assert isinstance(question.card, QuestionCard)
    return question.card.round_id


async def alice_on_the_board(team: Team) -> int:
    (line,) = [line for line in (await team.board(by=BOSS)).lines if line.name == "alice"]
    return line.total


async def test_a_vote_after_the_reveal_adds_no_points_and_the_voter_is_told_the_points_are_final(team: Team) -> None:
    question = await thread_question(team)
    ref = await team.reply_ref(question, NOTHING)
    await team.vote(ref, BOB)
    await team.until(berlin(MONDAY, 17, 0))
    revealed = feedback_for(team.reveal_of(question), "alice").total_points
    assert awards_of(feedback_for(team.reveal_of(question), "alice"))["votes"] == 2

    await team.until(berlin(MONDAY, 18, 0))
    late_vote = await team.vote(ref, CAROL)

    assert late_vote == VotingClosed(round_id_of(question), cast=True)
    assert (await team.stats(ALICE)).total == revealed == 10 + 2
    assert await vote_points(team) == 2
    assert await alice_on_the_board(team) == revealed
    assert [n.text for n in team.private_notices(CAROL)] == [
        f"Voting on round {round_id_of(question)} closed at the reveal; points are final, so your reaction adds no "
        "points."]
    assert team.private_notices(ALICE) == [] and team.private_notices(BOB) == []


async def test_taking_a_vote_back_after_the_reveal_takes_no_points_away_and_the_voter_is_told(team: Team) -> None:
    question = await thread_question(team)
    ref = await team.reply_ref(question, NOTHING)
    await team.vote(ref, BOB)
    await team.vote(ref, CAROL)
    await team.until(berlin(MONDAY, 17, 0))
    revealed = feedback_for(team.reveal_of(question), "alice").total_points

    await team.until(berlin(MONDAY, 18, 0))
    retracted = await team.retract(ref, BOB)
    given_again = await team.vote(ref, BOB)

    assert retracted == VotingClosed(round_id_of(question), cast=False)
    assert given_again == VotingClosed(round_id_of(question), cast=True)
    assert await vote_points(team) == 4
    assert (await team.stats(ALICE)).total == revealed == 10 + 4
    assert await alice_on_the_board(team) == revealed
    assert [n.text for n in team.private_notices(BOB)] == [
        f"Voting on round {round_id_of(question)} closed at the reveal; points are final, so taking your reaction "
        "back takes no points away.",
        f"Voting on round {round_id_of(question)} closed at the reveal; points are final, so your reaction adds no "
        "points.",
    ]


async def test_a_vote_after_the_deadline_counts_while_the_reveal_has_not_run_yet(team: Team) -> None:
    question = await thread_question(team)
    ref = await team.reply_ref(question, NOTHING)
    team.clock.set(berlin(MONDAY, 17, 5))  # the reveal is due, but has not run

    counted = await team.vote(ref, BOB)
    await team.bot.run_due()

    assert isinstance(counted, VoteCounted) and counted.voters == 1
    assert awards_of(feedback_for(team.reveal_of(question), "alice"))["votes"] == 2
    assert await vote_points(team) == 2 and team.private_notices(BOB) == []


async def test_own_and_bots_reactions_after_the_reveal_are_ignored_without_a_word(team: Team) -> None:
    question = await thread_question(team)
    ref = await team.reply_ref(question, NOTHING)
    await team.until(berlin(MONDAY, 18, 0))

    own = await team.vote(ref, ALICE)
    from_bot = await team.vote(ref, HELPER_BOT)

    assert isinstance(own, Ignored) and isinstance(from_bot, Ignored)
    assert team.private_notices(ALICE) == [] and team.private_notices(HELPER_BOT) == []


async def test_retracting_before_the_reveal_leaves_only_the_remaining_voters(team: Team) -> None:
    question = await thread_question(team)
    ref = await team.reply_ref(question, NOTHING)
    await team.vote(ref, BOB)
    await team.vote(ref, CAROL)
    await team.vote(ref, DAVE)
    await team.retract(ref, CAROL)

    await team.until(berlin(MONDAY, 17, 0))

    assert awards_of(feedback_for(team.reveal_of(question), "alice"))["votes"] == 4


async def test_votes_on_a_late_answer_earn_nothing(team: Team) -> None:
    question = await thread_question(team)
    team.clock.set(berlin(MONDAY, 17, 30))
    ref = await team.reply_ref(question, NOTHING)
    await team.vote(ref, BOB)
    await team.bot.run_due()
    await team.vote(ref, CAROL)

    assert (await team.stats(ALICE)).total == 0
