"""The reveal teaches, and keeps a round's earlier scores.

The reveal teaches: the model answer after the hint, what each answer did well in the member's own words, the
point to study next with why it matters, and which grader scored the round. An answer that says nothing about the
question earns no participation points. A round scored before the grader changed keeps its scores and its reveal.

Times are Europe/Berlin; 2026-11-30 is a Monday.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import update

from bot.cards import AwardLine
from bot.clock import FakeClock
from bot.domain.matching import GRADER
from bot.domain.questions import KeyPoint, Level, Question
from bot.ports import ChatError
from bot.questions import QuestionBank
from bot.store.tables import results
from tests.services.team import ALICE, BOB, MONDAY, Team, berlin, feedback_for, open_question

MODEL_ANSWER = ("Profile first to find where the time goes, then quantize the weights to INT8, fuse kernels with "
                "TensorRT and lower the batch size so requests stop waiting in the queue.")
LATENCY = Question(
    "latency-01", Level.SCENARIO, "A model's p99 latency is 400 ms but must be under 100 ms. What do you do?",
    "Profile, then quantize, fuse kernels and adjust the batch size.",
    (
        KeyPoint("Profiles first", ("profile", "bottleneck"), why="Guessing wastes days on the wrong stage."),
        KeyPoint("Quantizes the model", ("quantize", "int8"), why="Lower precision cuts compute and memory."),
        KeyPoint("Fuses kernels", ("kernel fusion", "tensorrt"), why="Fewer kernel launches, less time."),
        KeyPoint("Adjusts the batch size", ("batch size", "smaller batches"), why="Big batches add queueing."),
    ),
    pack="team",
    model_answer=MODEL_ANSWER,
)
ALICE_SAYS = ("Honestly I would start by profiling the service, because the time may go into tokenization. "
              "After that I'd quantize the weights to INT8 and measure the accuracy again.")


@pytest.fixture
async def taught(database_url: str) -> AsyncIterator[Team]:
    team = Team(database_url, FakeClock(berlin(MONDAY, 7, 0)), bank=QuestionBank([LATENCY]))
    await team.bot.start()
    yield team
    await team.bot.close()


async def test_the_reveal_shows_the_model_answer_and_which_grader_scored_it(taught: Team) -> None:
    question = await open_question(taught)
    await taught.answer(question, ALICE_SAYS, by=ALICE)

    await taught.until(berlin(MONDAY, 17, 0))

    reveal = taught.reveal_of(question)
    assert reveal.model_answer == MODEL_ANSWER
    assert GRADER in reveal.graded_by


async def test_each_member_hears_what_they_did_well_in_their_own_words_and_what_to_study_next(taught: Team) -> None:
    question = await open_question(taught)
    await taught.answer(question, ALICE_SAYS, by=ALICE)

    await taught.until(berlin(MONDAY, 17, 0))

    alice = feedback_for(taught.reveal_of(question), "alice")
    assert [p.matched_term for p in alice.covered] == ["profiling", "quantize", None, None]
    assert alice.did_well == 'Did well: you explained Profiles first ("profiling"); Quantizes the model ("quantize").'
    assert alice.study_next == "Study next: Fuses kernels. Why it matters: Fewer kernel launches, less time."


async def test_a_list_of_terms_is_told_to_explain_what_it_named(taught: Team) -> None:
    question = await open_question(taught)
    await taught.answer(question, "profile quantize tensorrt batch size", by=ALICE)

    await taught.until(berlin(MONDAY, 17, 0))

    alice = feedback_for(taught.reveal_of(question), "alice")
    assert alice.covered_count == 0
    assert alice.study_next.startswith('Study next: Profiles first: you named "profile"; say what it does and why.')
    assert dict((a.reason, a.amount) for a in alice.awards) == {"participation": 10, "coverage": 8}


async def test_an_answer_that_says_nothing_about_the_question_is_shown_but_earns_no_participation(
    taught: Team,
) -> None:
    question = await open_question(taught)
    await taught.answer(question, "hello is anyone there", by=BOB)

    await taught.until(berlin(MONDAY, 17, 0))

    bob = feedback_for(taught.reveal_of(question), "bob")
    assert bob.on_time
    assert bob.awards == (AwardLine("coverage", 0, "covered 0 of 4 key points"),)
    assert "no participation points" in bob.did_well


async def test_a_round_scored_before_the_grader_changed_is_revealed_from_what_was_stored(taught: Team) -> None:
    question = await open_question(taught)
    await taught.answer(question, ALICE_SAYS, by=ALICE)
    await taught.until(berlin(MONDAY, 16, 0))  # after the reminder: the next post is the reveal
    taught.chat.fail_next.append(ChatError("Slack chat.postMessage: TimeoutError"))
    await taught.until(berlin(MONDAY, 17, 0))
    assert taught.reveals(question) == []
    round_id = question.question.round_id
    async with taught.bot.store.unit_of_work() as uow:
        [awarded] = (await uow.points.for_round(round_id)).values()
    scored = {a.reason: a.amount for a in awarded}
    async with taught.bot.store.engine.begin() as connection:  # as the word-prefix matcher left it: a count only
        await connection.execute(update(results).where(results.c.round_id == round_id)
                                 .values(grader=None, feedback=None, covered=3))

    await taught.until(berlin(MONDAY, 17, 5))

    reveal = taught.reveal_of(question)
    alice = feedback_for(reveal, "alice")
    assert {a.reason: a.amount for a in alice.awards} == scored
    assert alice.note == "covered 3 of 4 key points"
    assert [p.matched_term for p in alice.covered] == [None] * 4 and alice.did_well == ""
    assert reveal.graded_by.startswith("Scored by the earlier word matcher")
    assert reveal.tally.average_coverage == 0.75


async def test_an_answer_that_explains_another_approach_is_acknowledged(taught: Team) -> None:
    question = await open_question(taught)
    await taught.answer(question, "I'd move the heavy scoring off the request path: precompute the results every "
                                  "hour and serve them from Redis. Then the request only does a key lookup, which "
                                  "takes a few milliseconds.", by=ALICE)

    await taught.until(berlin(MONDAY, 17, 0))

    alice = feedback_for(taught.reveal_of(question), "alice")
    assert alice.covered_count == 0
    assert alice.did_well.startswith('You explained an approach of your own: "I\'d move the heavy scoring off the '
                                     'request path: precompute the results every hour…" It names none of the points')
    assert {a.reason: a.amount for a in alice.awards} == {"participation": 10, "coverage": 0}


async def test_what_an_answer_explains_beyond_the_checklist_is_acknowledged_in_its_own_words(taught: Team) -> None:
    question = await open_question(taught)
    await taught.answer(question, "I'd quantize the weights to INT8 first, since it halves the memory traffic. I would "
                                  "also cache the answers to frequent prompts in Redis, so repeated requests skip the "
                                  "model.", by=ALICE)

    await taught.until(berlin(MONDAY, 17, 0))

    alice = feedback_for(taught.reveal_of(question), "alice")
    assert alice.did_well == ('Did well: you explained Quantizes the model ("quantize"). Beyond the checklist you also '
                              'explained: "I would also cache the answers to frequent prompts in Redis, so repeated '
                              'requests…"')


async def test_a_round_whose_question_changed_before_its_reveal_was_posted_shows_what_was_scored(
    taught: Team,
) -> None:
    question = await open_question(taught)
    await taught.answer(question, ALICE_SAYS, by=ALICE)
    await taught.until(berlin(MONDAY, 16, 0))  # after the reminder: the next post is the reveal
    taught.chat.fail_next.append(ChatError("Slack chat.postMessage: TimeoutError"))
    await taught.until(berlin(MONDAY, 17, 0))
    assert taught.reveals(question) == []
    taught.bank = QuestionBank([replace(LATENCY, key_points=LATENCY.key_points[1:])])  # the pack was edited

    await taught.restart(at=berlin(MONDAY, 17, 5))
    await taught.until(berlin(MONDAY, 17, 10))

    alice = feedback_for(taught.reveal_of(question), "alice")
    assert alice.note == "covered 2 of 4 key points"
    assert {a.reason: a.amount for a in alice.awards} == {"participation": 10, "coverage": 15}
