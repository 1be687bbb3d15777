"""A burst of arrivals written at once: answers, commands to queue and commands that ran, committed together or not
at all."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.domain.model import ChannelAddress, Round, Speaker
from bot.messages import RunCommand
from bot.store.unit_of_work import Store
from tests.store.records import GENERAL, NOW, a_channel, a_member, a_round


def reply(round_: Round, member_id: int, message_ref: str, text: str) -> dict[str, Any]:
    return {
        "round_id": round_.id, "member_id": member_id, "message_ref": message_ref, "text": text,
        "scored_text": text, "on_time": True, "truncated": False, "received_at": NOW,
    }


def stats_command(key: str) -> tuple[RunCommand, str, Any, Any, None]:
    return (RunCommand(GENERAL, Speaker("u1", "alice"), "stats", "general"), key, NOW, NOW + timedelta(minutes=2), None)


async def test_answers_and_queued_commands_are_stored_and_committed_together(store: Store) -> None:
    async with store.unit_of_work() as uow:
        round_ = await a_round(uow, await a_channel(uow))
        alice = await a_member(uow, "u1", "alice")
        await uow.commit()
    async with store.unit_of_work() as uow:
        new, ids = await uow.intake.write_and_commit(
            [reply(round_, alice.id, "r1", "batching"), reply(round_, alice.id, "r2", "and canaries")],
            [stats_command("slack:t1"), stats_command("slack:t2")],
            [],
        )

    async with store.unit_of_work() as uow:
        stored = await uow.answers.for_round(round_.id)
        pending = await uow.inbox.pending_count()
    assert new == {f"{round_.id}:r1", f"{round_.id}:r2"}
    assert set(ids) == {"slack:t1", "slack:t2"} and len(set(ids.values())) == 2
    assert [(p.message_ref, p.text) for p in stored] == [("r1", "batching"), ("r2", "and canaries")]
    assert pending == 2


async def test_a_delivery_seen_before_is_neither_stored_again_nor_reported_as_new(store: Store) -> None:
    async with store.unit_of_work() as uow:
        round_ = await a_round(uow, await a_channel(uow))
        alice = await a_member(uow, "u1", "alice")
        await uow.intake.write_and_commit([reply(round_, alice.id, "r1", "first")], [stats_command("k1")], [])
    async with store.unit_of_work() as uow:
        new, ids = await uow.intake.write_and_commit(
            [reply(round_, alice.id, "r1", "first, again"), reply(round_, alice.id, "r2", "second")],
            [stats_command("k1"), stats_command("k2")], [],
        )
        stored = await uow.answers.for_round(round_.id)

    assert new == {f"{round_.id}:r2"} and set(ids) == {"k2"}
    assert [p.text for p in stored] == ["first", "second"]


async def test_commands_that_ran_are_marked_done(store: Store) -> None:
    async with store.unit_of_work() as uow:
        await a_channel(uow)
        _, ids = await uow.intake.write_and_commit([], [stats_command("k1"), stats_command("k2")], [])
    async with store.unit_of_work() as uow:
        await uow.intake.write_and_commit([], [], [(ids["k1"], NOW + timedelta(seconds=1))])
    async with store.unit_of_work() as uow:
        assert await uow.inbox.pending_count() == 1


async def test_what_the_unit_of_work_wrote_before_is_committed_with_the_burst(store: Store) -> None:
    other = ChannelAddress("console", "local", "random")
    async with store.unit_of_work() as uow:
        round_ = await a_round(uow, await a_channel(uow))
        await uow.commit()
    async with store.unit_of_work() as uow:
        bob = await a_member(uow, "u2", "bob")  # a new member, written first in the same transaction
        await a_channel(uow, other)
        await uow.intake.write_and_commit([reply(round_, bob.id, "r1", "mine")], [], [])

    async with store.unit_of_work() as uow:
        assert await uow.members.find(GENERAL.platform, GENERAL.workspace, "u2") is not None
        assert await uow.channels.find(other) is not None
        assert [p.message_ref for p in await uow.answers.for_round(round_.id)] == ["r1"]


async def test_a_burst_with_one_bad_row_keeps_nothing_of_it(store: Store) -> None:
    async with store.unit_of_work() as uow:
        round_ = await a_round(uow, await a_channel(uow))
        alice = await a_member(uow, "u1", "alice")
        await uow.commit()
    async with store.unit_of_work() as uow:
        with pytest.raises(Exception):
            await uow.intake.write_and_commit(
                [reply(round_, alice.id, "r1", "fine"), reply(round_, 999_999, "r2", "by nobody we know")],
                [stats_command("k1")], [],
            )

    async with store.unit_of_work() as uow:
        assert await uow.answers.for_round(round_.id) == []
        assert await uow.inbox.pending_count() == 0


async def test_replies_added_without_the_burst_path_still_wait_for_the_commit(store: Store) -> None:
    async with store.unit_of_work() as uow:
        round_ = await a_round(uow, await a_channel(uow))
        alice = await a_member(uow, "u1", "alice")
        await uow.commit()
    async with store.unit_of_work() as uow:
        await uow.answers.add_many([reply(round_, alice.id, "r1", "not committed")])
        await uow.inbox.add_many([stats_command("k1")])

    async with store.unit_of_work() as uow:
        assert await uow.answers.for_round(round_.id) == []
        assert await uow.inbox.pending_count() == 0
