"""Votes in the store.

Votes: each voter gives each reaction to an answer at most once; voters are counted per author; a vote and the
reveal's count of votes take turns, so a vote is either counted by the reveal or finds the round closed."""

from __future__ import annotations

import asyncio

from bot.domain.model import RoundStatus
from bot.store.unit_of_work import Store
from tests.store.records import NOW, a_channel, a_member, a_round


async def test_a_voter_gives_the_same_reaction_to_an_answer_only_once(store: Store) -> None:
    async with store.unit_of_work() as uow:
        round_ = await a_round(uow, await a_channel(uow))
        alice, bob = await a_member(uow, "u1"), await a_member(uow, "u2")
        first = await uow.votes.add(round_.id, "r1", alice.id, bob.id, "+1", NOW)
        repeated = await uow.votes.add(round_.id, "r1", alice.id, bob.id, "+1", NOW)
        another_reaction = await uow.votes.add(round_.id, "r1", alice.id, bob.id, "fire", NOW)
        await uow.commit()
    assert (first, repeated, another_reaction) == (True, False, True)


async def test_an_author_counts_each_voter_once_whatever_they_reacted_with(store: Store) -> None:
    async with store.unit_of_work() as uow:
        round_ = await a_round(uow, await a_channel(uow))
        alice, bob, carol, dave = [await a_member(uow, ref) for ref in ("u1", "u2", "u3", "u4")]
        await uow.votes.add(round_.id, "r1", alice.id, bob.id, "+1", NOW)
        await uow.votes.add(round_.id, "r1", alice.id, bob.id, "fire", NOW)
        await uow.votes.add(round_.id, "r2", alice.id, bob.id, "+1", NOW)  # alice's second reply
        await uow.votes.add(round_.id, "r1", alice.id, carol.id, "+1", NOW)
        await uow.votes.add(round_.id, "r3", dave.id, carol.id, "+1", NOW)
        await uow.commit()
        counts = await uow.votes.voters_by_author(round_.id)
    assert counts == {alice.id: 2, dave.id: 1}


async def test_a_removed_reaction_can_be_given_again_and_removing_it_twice_does_nothing(store: Store) -> None:
    async with store.unit_of_work() as uow:
        round_ = await a_round(uow, await a_channel(uow))
        alice, bob = await a_member(uow, "u1"), await a_member(uow, "u2")
        await uow.votes.add(round_.id, "r1", alice.id, bob.id, "+1", NOW)
        removed = await uow.votes.remove(round_.id, "r1", bob.id, "+1")
        removed_again = await uow.votes.remove(round_.id, "r1", bob.id, "+1")
        counts_after_removal = await uow.votes.voters_by_author(round_.id)
        given_again = await uow.votes.add(round_.id, "r1", alice.id, bob.id, "+1", NOW)
        await uow.commit()
    assert (removed, removed_again, given_again) == (True, False, True)
    assert counts_after_removal == {}


WAIT = 0.3  # seconds a transaction is given to show it is held up behind another


async def status_a_vote_finds(store: Store, round_id: int) -> RoundStatus:
    async with store.unit_of_work() as uow:
        return await uow.votes.hold_round(round_id)


async def votes_a_reveal_counts(store: Store, round_id: int) -> dict[int, int]:
    async with store.unit_of_work() as uow:
        return await uow.votes.voters_by_author(round_id)


async def test_a_vote_waits_while_the_reveal_counts_votes_and_then_finds_the_round_closed(store: Store) -> None:
    async with store.unit_of_work() as uow:
        round_ = await a_round(uow, await a_channel(uow))
        await uow.commit()

    async with store.unit_of_work() as reveal:
        await reveal.votes.voters_by_author(round_.id)
        vote = asyncio.ensure_future(status_a_vote_finds(store, round_.id))
        held_up, _ = await asyncio.wait({vote}, timeout=WAIT)
        await reveal.rounds.mark_closed(round_.id, NOW)
        await reveal.commit()

    assert not held_up
    assert await vote is RoundStatus.CLOSED


async def test_the_reveals_count_waits_for_a_vote_under_way_and_counts_it(store: Store) -> None:
    async with store.unit_of_work() as uow:
        round_ = await a_round(uow, await a_channel(uow))
        alice, bob = await a_member(uow, "u1"), await a_member(uow, "u2")
        await uow.commit()

    async with store.unit_of_work() as vote:
        assert await vote.votes.hold_round(round_.id) is RoundStatus.PENDING
        count = asyncio.ensure_future(votes_a_reveal_counts(store, round_.id))
        held_up, _ = await asyncio.wait({count}, timeout=WAIT)
        await vote.votes.add(round_.id, "r1", alice.id, bob.id, "+1", NOW)
        await vote.commit()

    assert not held_up
    assert await count == {alice.id: 1}
