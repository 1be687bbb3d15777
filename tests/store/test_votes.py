"""Votes: each voter gives each reaction to an answer at most once; voters are counted per author."""

from __future__ import annotations

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
