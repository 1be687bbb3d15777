"""Teammates' reactions on an answer: each teammate counts once, up to a cap; own and bots' reactions never."""

from __future__ import annotations

from bot.domain.model import Speaker
from bot.domain.scoring import Weights
from bot.messages import Ignored, VoteCounted
from tests.services.team import ALICE, BOB, CAROL, DAVE, HELPER_BOT, MONDAY, NOTHING, TEAMMATES, Team, awards_of, \
    berlin, feedback_for, open_question


async def vote_points(team: Team, who: Speaker = ALICE) -> int:
    return dict((await team.stats(who)).breakdown)["votes"]


async def test_each_teammate_who_reacts_adds_vote_points_once_whatever_and_wherever_they_react(team: Team) -> None:
    question = await open_question(team)
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
    question = await open_question(team)
    ref = await team.reply_ref(question, NOTHING)

    own = await team.vote(ref, ALICE)
    await team.until(berlin(MONDAY, 17, 0))

    assert isinstance(own, Ignored)
    assert "votes" not in awards_of(feedback_for(team.reveal_of(question), "alice"))
    assert await vote_points(team) == 0


async def test_a_bots_reaction_does_not_count(team: Team) -> None:
    question = await open_question(team)
    ref = await team.reply_ref(question, NOTHING)

    from_bot = await team.vote(ref, HELPER_BOT)
    await team.until(berlin(MONDAY, 17, 0))

    assert isinstance(from_bot, Ignored)
    assert "votes" not in awards_of(feedback_for(team.reveal_of(question), "alice"))


async def test_vote_points_stop_growing_at_the_cap(team: Team) -> None:
    question = await open_question(team)
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


async def test_a_vote_after_the_reveal_adds_vote_points_and_retracting_takes_them_away(team: Team) -> None:
    question = await open_question(team)
    ref = await team.reply_ref(question, NOTHING)
    await team.until(berlin(MONDAY, 17, 0))
    assert await vote_points(team) == 0

    await team.until(berlin(MONDAY, 18, 0))
    await team.vote(ref, BOB)
    await team.vote(ref, CAROL)
    assert await vote_points(team) == 4

    retracted = await team.retract(ref, BOB)
    assert isinstance(retracted, VoteCounted) and retracted.voters == 1
    assert await vote_points(team) == 2
    assert (await team.stats(ALICE)).total == 10 + 0 + 2


async def test_retracting_before_the_reveal_leaves_only_the_remaining_voters(team: Team) -> None:
    question = await open_question(team)
    ref = await team.reply_ref(question, NOTHING)
    await team.vote(ref, BOB)
    await team.vote(ref, CAROL)
    await team.vote(ref, DAVE)
    await team.retract(ref, CAROL)

    await team.until(berlin(MONDAY, 17, 0))

    assert awards_of(feedback_for(team.reveal_of(question), "alice"))["votes"] == 4


async def test_votes_on_a_late_answer_earn_nothing(team: Team) -> None:
    question = await open_question(team)
    team.clock.set(berlin(MONDAY, 17, 30))
    ref = await team.reply_ref(question, NOTHING)
    await team.vote(ref, BOB)
    await team.bot.run_due()
    await team.vote(ref, CAROL)

    assert (await team.stats(ALICE)).total == 0
