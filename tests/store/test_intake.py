"""The arrivals lane commits what arrives together, and fails alone what the store refuses.

The arrivals lane: answers, commands to queue, commands done and acknowledgements that arrive in the same moment
are committed together, each caller told its own outcome; an arrival the store refuses fails alone."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.domain.model import Round, Speaker
from bot.messages import AnswerOutcome, AnswerWithdrawn, Ignored, RunCommand, SubmitAnswer, WithdrawAnswer
from bot.store.intake import (
    Acknowledgement,
    Admitted,
    ArrivalsLane,
    ArrivingPart,
    Change,
    CommandToQueue,
    Completion,
)
from bot.store.unit_of_work import Store, UnitOfWork
from tests.store.records import GENERAL, NOW, a_channel, a_member, a_round

NOBODY = 999_999  # a member id no row has


class EveryReplyCounts:
    """Rules that take every reply as a part of one round by one member (by nobody when it says so), and keep the
    message refs of each group they saw committed."""

    def __init__(self, round_: Round, member_id: int) -> None:
        self.round_id = round_.id
        self.member_id = member_id
        self.committed_groups: list[list[str]] = []

    def new_group(self) -> list[str]:
        return []

    async def admit(self, uow: UnitOfWork, command: SubmitAnswer, group: list[str]) -> ArrivingPart | Ignored:
        group.append(command.message_ref)
        if not command.text:
            return Ignored("empty reply")
        member_id = NOBODY if "by nobody" in command.text else self.member_id
        return ArrivingPart(self.round_id, member_id, command.message_ref, command.text, command.text, True, False,
                            command.received_at)

    async def change(self, uow: UnitOfWork, command: Change, group: list[str]) -> AnswerOutcome:
        group.append(command.message_ref)
        part = next((p for p in await uow.answers.for_round(self.round_id) if p.message_ref == command.message_ref),
                    None)
        if part is None:
            return Ignored("not an answer")
        await uow.answers.withdraw(part.id, NOW)
        return AnswerWithdrawn(self.round_id, command.message_ref)

    def committed(self, group: list[str]) -> None:
        self.committed_groups.append(group)


def reply(ref: str, text: str = "batching") -> SubmitAnswer:
    return SubmitAnswer(GENERAL, "thread", ref, Speaker("u1", "alice"), text, NOW)


def stats_command(key: str) -> CommandToQueue:
    return CommandToQueue(RunCommand(GENERAL, Speaker("u1", "alice"), "stats", "general"), key, NOW,
                          NOW + timedelta(minutes=2))


async def a_lane(store: Store) -> tuple[ArrivalsLane[list[str]], EveryReplyCounts, Round]:
    async with store.unit_of_work() as uow:
        round_ = await a_round(uow, await a_channel(uow))
        alice = await a_member(uow, "u1", "alice")
        await uow.commit()
    rules = EveryReplyCounts(round_, alice.id)
    return ArrivalsLane(store, rules), rules, round_


async def test_answers_and_commands_arriving_together_are_committed_together(store: Store) -> None:
    lane, rules, round_ = await a_lane(store)

    first, second, empty, k1, k2 = await asyncio.gather(
        lane.submit(reply("r1", "batching")), lane.submit(reply("r2", "and canaries")), lane.submit(reply("r3", "")),
        lane.queue(stats_command("slack:t1")), lane.queue(stats_command("slack:t2")))

    assert isinstance(first, Admitted) and first.new and first.part.message_ref == "r1"
    assert isinstance(second, Admitted) and second.new
    assert empty == Ignored("empty reply")
    assert k1 is not None and k2 is not None and k1 != k2
    assert rules.committed_groups == [["r1", "r2", "r3"]]
    async with store.unit_of_work() as uow:
        assert [(p.message_ref, p.text) for p in await uow.answers.for_round(round_.id)] == [
            ("r1", "batching"), ("r2", "and canaries")]
        assert await uow.inbox.pending_count() == 2


async def test_a_delivery_seen_before_is_stored_once_and_not_reported_as_new(store: Store) -> None:
    lane, _, round_ = await a_lane(store)
    await lane.submit(reply("r1", "first"))
    assert await lane.queue(stats_command("k1")) is not None

    again, second, twice, k1 = await asyncio.gather(
        lane.submit(reply("r1", "first, again")), lane.submit(reply("r2", "second")),
        lane.submit(reply("r2", "second, twice in one group")), lane.queue(stats_command("k1")))

    assert isinstance(again, Admitted) and not again.new
    assert isinstance(second, Admitted) and second.new
    assert isinstance(twice, Admitted) and not twice.new
    assert k1 is None
    async with store.unit_of_work() as uow:
        assert [p.text for p in await uow.answers.for_round(round_.id)] == ["first", "second"]


async def test_a_change_sees_the_reply_that_arrived_just_before_it(store: Store) -> None:
    lane, _, round_ = await a_lane(store)

    stored, withdrawn = await asyncio.gather(lane.submit(reply("r1")), lane.change(WithdrawAnswer(GENERAL, "r1", NOW)))

    assert isinstance(stored, Admitted) and stored.new
    assert withdrawn == AnswerWithdrawn(round_.id, "r1")
    async with store.unit_of_work() as uow:
        assert [p.withdrawn_at is not None for p in await uow.answers.for_round(round_.id)] == [True]


async def test_commands_done_and_replies_acknowledged_are_recorded(store: Store) -> None:
    lane, _, round_ = await a_lane(store)
    k1, k2, _ = await asyncio.gather(lane.queue(stats_command("k1")), lane.queue(stats_command("k2")),
                                     lane.submit(reply("r1")))
    assert k1 is not None

    await asyncio.gather(lane.record(Completion(k1, NOW + timedelta(seconds=1))),
                         lane.record(Acknowledgement(round_.id, "r1")))

    async with store.unit_of_work() as uow:
        assert await uow.inbox.pending_count() == 1
        assert await uow.answers.unacknowledged(NOW - timedelta(days=1)) == []


async def test_an_arrival_the_store_refuses_fails_alone_and_the_others_are_kept(store: Store) -> None:
    lane, rules, round_ = await a_lane(store)

    results = await asyncio.gather(lane.submit(reply("r1", "fine")), lane.submit(reply("r2", "by nobody we know")),
                                   lane.queue(stats_command("k1")), return_exceptions=True)

    assert isinstance(results[0], Admitted) and isinstance(results[1], Exception) and isinstance(results[2], int)
    async with store.unit_of_work() as uow:
        assert [p.message_ref for p in await uow.answers.for_round(round_.id)] == ["r1"]
        assert await uow.inbox.pending_count() == 1
    assert ["r2"] not in rules.committed_groups, "what a refused group found out must not be kept"


async def test_a_repository_leaves_its_writes_to_the_unit_of_works_commit(store: Store) -> None:
    async with store.unit_of_work() as uow:
        round_ = await a_round(uow, await a_channel(uow))
        alice = await a_member(uow, "u1", "alice")
        await uow.commit()
    async with store.unit_of_work() as uow:
        await uow.answers.add_many([ArrivingPart(round_.id, alice.id, "r1", "not committed", "", True, False, NOW)])
        await uow.inbox.add_many([stats_command("k1")])

    async with store.unit_of_work() as uow:
        assert await uow.answers.for_round(round_.id) == []
        assert await uow.inbox.pending_count() == 0


@pytest.mark.parametrize("size", [2, 3])
async def test_a_burst_larger_than_a_group_is_written_in_several_commits_in_order(store: Store, size: int) -> None:
    _, rules, round_ = await a_lane(store)
    lane = ArrivalsLane(store, rules, max_batch=size)

    results = await asyncio.gather(*(lane.submit(reply(f"r{n}")) for n in range(5)))

    assert all(isinstance(r, Admitted) and r.new for r in results)
    assert [ref for group in rules.committed_groups for ref in group] == [f"r{n}" for n in range(5)]
    assert max(len(group) for group in rules.committed_groups) == size
    async with store.unit_of_work() as uow:
        assert [p.message_ref for p in await uow.answers.for_round(round_.id)] == [f"r{n}" for n in range(5)]
