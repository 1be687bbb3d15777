"""Answer replies: a reply delivered twice is stored once, and only new replies are reported as new."""

from __future__ import annotations

from bot.domain.model import Round, RoundKind
from bot.store.intake import ArrivingPart
from bot.store.unit_of_work import Store
from tests.store.records import NOW, a_channel, a_member, a_round


def reply(round_: Round, member_id: int, message_ref: str, text: str) -> ArrivingPart:
    return ArrivingPart(round_.id, member_id, message_ref, text, text, True, False, NOW)


async def test_a_reply_delivered_again_is_not_stored_twice_and_is_not_reported_as_new(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        alice = await a_member(uow, "u1", "alice")
        round_ = await a_round(uow, channel)
        first = await uow.answers.add_many([reply(round_, alice.id, "r1", "first"),
                                            reply(round_, alice.id, "r2", "second")])
        await uow.commit()
    async with store.unit_of_work() as uow:
        again = await uow.answers.add_many([reply(round_, alice.id, "r2", "second, redelivered and changed"),
                                            reply(round_, alice.id, "r3", "third")])
        await uow.commit()
        stored = await uow.answers.for_round(round_.id)

    assert first == {(round_.id, "r1"), (round_.id, "r2")}
    assert again == {(round_.id, "r3")}
    assert [(p.message_ref, p.text) for p in stored] == [("r1", "first"), ("r2", "second"), ("r3", "third")]


async def test_a_reply_repeated_within_one_batch_is_stored_once(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        alice = await a_member(uow, "u1", "alice")
        round_ = await a_round(uow, channel)
        new = await uow.answers.add_many([reply(round_, alice.id, "r1", "once"),
                                          reply(round_, alice.id, "r1", "twice")])
        await uow.commit()
        stored = await uow.answers.for_round(round_.id)

    assert new == {(round_.id, "r1")}
    assert [p.text for p in stored] == ["once"]


async def test_the_same_message_ref_in_another_round_is_another_reply(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        alice = await a_member(uow, "u1", "alice")
        monday = await a_round(uow, channel)
        practice = await uow.rounds.create(channel.id, "advanced-01", monday.level, RoundKind.PRACTICE,
                                           monday.local_date, NOW)
        assert practice is not None
        new = await uow.answers.add_many([reply(monday, alice.id, "r1", "daily"),
                                          reply(practice, alice.id, "r1", "practice")])
        await uow.commit()
    assert new == {(monday.id, "r1"), (practice.id, "r1")}


async def test_storing_no_replies_reports_nothing_new(store: Store) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.answers.add_many([]) == set()
