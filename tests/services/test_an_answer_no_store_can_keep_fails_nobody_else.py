"""An answer no store can keep fails nobody else.

Bad bytes from one member never cost anyone else their answer: what members write is made storable before it
reaches the store (NUL removed, lone surrogates replaced), and a row the store still refuses fails alone, not the
answers committed with it."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.cards import Reaction
from bot.domain.model import Speaker
from bot.messages import AnswerAccepted, RunCommand
from bot.store import engine
from tests.services.conftest import StartTeam
from tests.services.team import ALICE, BOB, CAROL, GENERAL, MONDAY, Team, berlin, open_question

REPLACEMENT = "\ufffd"


async def texts_of(team: Team, round_id: int) -> dict[str, str]:
    async with team.bot.store.unit_of_work() as uow:
        return {part.message_ref: part.text for part in await uow.answers.for_round(round_id)}


async def test_an_answer_with_a_nul_character_is_kept_without_it_and_the_answers_beside_it_are_kept_too(
    team: Team,
) -> None:
    question = await open_question(team)

    outcomes = await asyncio.gather(  # arriving together: one group commit
        team.answer(question, "batching and caching", by=ALICE, ref="r1"),
        team.answer(question, "canary\x00 releases", by=BOB, ref="r2"),
        team.answer(question, "a rollback plan", by=CAROL, ref="r3"),
    )

    assert all(isinstance(outcome, AnswerAccepted) for outcome in outcomes)
    assert await texts_of(team, question.card.round_id) == {  # type: ignore[union-attr]
        "r1": "batching and caching", "r2": "canary releases", "r3": "a rollback plan"}
    assert sorted(team.chat.reactions) == [("r1", Reaction.ACCEPTED), ("r2", Reaction.ACCEPTED),
                                           ("r3", Reaction.ACCEPTED)]


async def test_an_answer_and_a_name_with_lone_surrogates_are_kept_with_replacement_characters(team: Team) -> None:
    question = await open_question(team)
    broken_name = Speaker("u9", "zo\ud800e")

    outcomes = await asyncio.gather(
        team.answer(question, "batching and caching", by=ALICE, ref="r1"),
        team.answer(question, "quantization \udc00 and \ud83d\ude00", by=broken_name, ref="r2"),
        team.answer(question, "a rollback plan", by=CAROL, ref="r3"),
    )

    assert all(isinstance(outcome, AnswerAccepted) for outcome in outcomes)
    texts = await texts_of(team, question.card.round_id)  # type: ignore[union-attr]
    assert texts["r2"] == f"quantization {REPLACEMENT} and \U0001F600"  # a pair written as two halves is joined
    assert texts["r1"] == "batching and caching" and texts["r3"] == "a rollback plan"
    async with team.bot.store.unit_of_work() as uow:
        member = await uow.members.find(GENERAL.platform, GENERAL.workspace, "u9")
    assert member is not None and member.display_name == f"zo{REPLACEMENT}e"


async def test_an_edit_with_bad_bytes_is_kept_cleaned(team: Team) -> None:
    question = await open_question(team)
    await team.answer(question, "batching", ref="r1")

    await team.edit("r1", "batching\x00 and \ud800caching")

    assert (await texts_of(team, question.card.round_id))["r1"] == f"batching and {REPLACEMENT}caching"  # type: ignore[union-attr]


async def test_a_command_with_bad_bytes_is_queued_cleaned_beside_the_commands_queued_with_it(team: Team) -> None:
    commands = [
        RunCommand(GENERAL, ALICE, "stats", "general"),
        RunCommand(GENERAL, Speaker("u9", "zo\ud800e"), "stats \x00\udfff", "gen\x00eral"),
        RunCommand(GENERAL, BOB, "stats", "general"),
    ]

    handled = await asyncio.gather(*(team.bot.handle_command(c, f"key{n}") for n, c in enumerate(commands)))

    assert all(h.outcome is not None for h in handled)
    for h in handled:
        assert h.follow_up is not None
        h.follow_up().close()  # not run: the test claims them as another process would
    async with team.bot.store.unit_of_work() as uow:
        claimed = [await uow.inbox.claim_next(team.clock.now().replace(year=2027), timedelta(minutes=2)) for _ in commands]
    queued = {command.speaker.ref: command for _, command in filter(None, claimed)}
    assert queued["u9"].text == f"stats {REPLACEMENT}"
    assert queued["u9"].speaker.name == f"zo{REPLACEMENT}e" and queued["u9"].channel_name == "general"
    assert set(queued) == {"u1", "u2", "u9"}


async def refuse_rows_saying(team: Team, word: str) -> None:
    """Makes the database itself refuse any answer whose text contains `word` (a fault no cleaning can prevent)."""
    async with team.bot.store.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text(
                "CREATE FUNCTION refuse_word() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.text LIKE '%{word}%' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ "
                "LANGUAGE plpgsql"))
            await connection.execute(text(
                "CREATE TRIGGER refuse_word BEFORE INSERT ON answer_parts FOR EACH ROW EXECUTE FUNCTION refuse_word()"))
        else:
            await connection.execute(text(
                f"CREATE TRIGGER refuse_word BEFORE INSERT ON answer_parts WHEN NEW.text LIKE '%{word}%' "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"))


async def test_an_answer_the_store_refuses_fails_alone_and_the_answers_committed_with_it_are_kept(team: Team) -> None:
    question = await open_question(team)
    await refuse_rows_saying(team, "poison")

    outcomes = await asyncio.gather(
        team.answer(question, "batching and caching", by=ALICE, ref="r1"),
        team.answer(question, "poison", by=BOB, ref="r2"),
        team.answer(question, "a rollback plan", by=CAROL, ref="r3"),
        return_exceptions=True,
    )

    assert isinstance(outcomes[0], AnswerAccepted) and isinstance(outcomes[2], AnswerAccepted)
    assert isinstance(outcomes[1], Exception)  # its platform hears it failed (and may deliver it again)
    assert await texts_of(team, question.card.round_id) == {  # type: ignore[union-attr]
        "r1": "batching and caching", "r3": "a rollback plan"}
    assert sorted(team.chat.reactions) == [("r1", Reaction.ACCEPTED), ("r3", Reaction.ACCEPTED)]

    again = await team.answer(question, "an antidote", by=BOB, ref="r4")  # the lane goes on as before
    assert isinstance(again, AnswerAccepted)



@pytest.mark.sqlite_only
async def test_answers_that_meet_a_database_held_by_another_process_fail_together_without_a_retry_each(
    start_team: StartTeam, database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(engine, "SQLITE_LOCK_WAIT", 0.2)  # seconds a write waits for another process's lock
    team = await start_team(berlin(MONDAY, 7, 0))
    question = await open_question(team)
    holder = sqlite3.connect(database_url.partition(":///")[2], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        outcomes = await asyncio.gather(*(team.answer(question, f"answer {n}", by=by, ref=f"r{n}")
                                          for n, by in enumerate((ALICE, BOB, CAROL))), return_exceptions=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert all(isinstance(outcome, Exception) for outcome in outcomes)  # their platform delivers them again
    assert not [r for r in caplog.records if "apart" in r.getMessage()]  # the store was busy: no row was bad
    assert team.chat.reactions == []


async def test_in_a_burst_of_forty_answers_only_the_three_the_store_refuses_fail(team: Team) -> None:
    question = await open_question(team)
    await refuse_rows_saying(team, "poison")
    poisoned = {5, 6, 31}
    teammates = [Speaker(f"m{n}", f"member{n}") for n in range(40)]

    outcomes = await asyncio.gather(*(
        team.answer(question, "poison" if n in poisoned else f"answer {n}", by=teammates[n], ref=f"r{n}")
        for n in range(40)), return_exceptions=True)

    assert {n for n, outcome in enumerate(outcomes) if isinstance(outcome, Exception)} == poisoned
    assert set(await texts_of(team, question.card.round_id)) == {  # type: ignore[union-attr]
        f"r{n}" for n in range(40) if n not in poisoned}
