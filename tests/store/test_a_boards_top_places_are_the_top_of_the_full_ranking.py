"""A board's top places are the top of the full ranking.

A board asks the store for its top places only: the store cuts by points alone and hands over everyone placed
within the cut, ties at the cut included, and the domain ranks them. The board's places must be exactly the first
places of the full ranking, with ties straddling the cut settled by coverage, rounds, name (an opted-out member
counting as "anonymous") and join order, as the ranking itself settles them, also for names SQL's lower() and
Python's casefold() disagree on ("Straße" and "STRASSE" are the same name to the ranking; "Émile" comes after every
name in plain Latin letters)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.leaderboard import Place, Standing, rank, top_places
from bot.domain.model import Channel
from bot.domain.scoring import Award
from bot.store.unit_of_work import Store, UnitOfWork
from tests.store.records import MONDAY, NOW, a_channel, a_member, a_round

SUNDAY = MONDAY + timedelta(days=6)
# (name, opted out, [(participation, coverage, votes) per round]), in join order
PEOPLE = [
    ("dora", False, [(10, 20, 0)]),  # 30, clear first
    ("Straße", False, [(10, 10, 0)]),  # 20 points, coverage 10, 1 round: tied on every score with the next six,
    ("Carl", False, [(10, 10, 0)]),  # which the name settles, then the join order ("Straße" before "STRASSE")
    ("bea", False, [(10, 10, 0)]),
    ("Émile", False, [(10, 10, 0)]),
    ("zed", True, [(10, 10, 0)]),
    ("STRASSE", False, [(10, 10, 0)]),
    ("ann", False, [(10, 10, 0)]),
    ("éa", False, [(10, 10, 0)]),
    ("eve", False, [(10, 0, 10)]),  # 20 points too, but less coverage: after all of those
    ("fay", False, [(10, 5, 0), (0, 0, 5)]),  # 20 points, coverage 5, 1 round
    ("gus", False, [(10, 0, 0)]),
]
FULL_RANKING = ["dora", "ann", "anonymous", "bea", "Carl", "Straße", "STRASSE", "éa", "Émile", "fay", "eve", "gus"]


async def people(uow: UnitOfWork) -> Channel:
    """A channel with PEOPLE's points in the week from MONDAY, committed."""
    channel = await a_channel(uow)
    rounds = [await a_round(uow, channel, day=MONDAY + timedelta(days=n)) for n in range(2)]
    for ref, (name, opted_out, scores) in enumerate(PEOPLE):
        member = await a_member(uow, f"u{ref}", name)
        if opted_out:
            await uow.members.set_opted_out(member.id, True)
        for round_, (participation, coverage, votes) in zip(rounds, scores):
            awards = [Award(reason, amount, "") for reason, amount in
                      (("participation", participation), ("coverage", coverage), ("votes", votes)) if amount]
            await uow.points.award(round_, member.id, awards, NOW)
    await uow.commit()
    return channel


async def board_of(store: Store) -> tuple[list[Standing], dict[int, list[Standing]]]:
    """Everyone's standings, and for each board size the standings the store hands over for a board that size."""
    async with store.unit_of_work() as uow:
        channel = await people(uow)
        everyone = await uow.points.standings(channel.id, MONDAY, SUNDAY, None)
        tops = {top: await uow.points.standings(channel.id, MONDAY, SUNDAY, None, top=top)
                for top in range(1, len(PEOPLE) + 2)}
    return everyone, tops


async def test_the_full_ranking_settles_ties_by_coverage_rounds_casefolded_name_and_join_order(store: Store) -> None:
    everyone, _ = await board_of(store)

    assert [r.standing.name for r in rank(everyone)] == FULL_RANKING
    assert [r.rank for r in rank(everyone)] == [1, 2, 2, 2, 2, 2, 2, 2, 2, 10, 11, 12]


async def test_a_boards_places_are_the_first_places_of_the_full_ranking_wherever_the_cut_falls(store: Store) -> None:
    everyone, tops = await board_of(store)

    full = rank(everyone)
    for top, standings in tops.items():
        assert top_places(standings, top) == full[:top], f"a board of {top}"


@pytest.mark.parametrize("top, handed_over", [
    (1, ["dora"]),
    (2, FULL_RANKING[:9]),  # the cut falls among the eight tied: all of them, and no one after
    (9, FULL_RANKING[:9]),
    (10, FULL_RANKING[:10]),
])
async def test_the_store_hands_over_everyone_placed_within_the_cut_by_points_and_no_one_after(
    store: Store, top: int, handed_over: list[str]
) -> None:
    _, tops = await board_of(store)

    assert sorted(s.name for s in tops[top]) == sorted(handed_over)


async def test_each_members_place_from_the_store_is_their_rank_in_the_full_ranking_among_everyone_ranked(
    store: Store,
) -> None:
    async with store.unit_of_work() as uow:
        channel = await people(uow)
        everyone = await uow.points.standings(channel.id, MONDAY, SUNDAY, None)
        counted = await uow.points.ranked_count(channel.id, MONDAY, SUNDAY, None)
        places = {s.member_id: await uow.points.place(channel.id, s.member_id, MONDAY, SUNDAY, None)
                  for s in everyone}

    assert counted == len(PEOPLE) == 12
    assert places == {r.standing.member_id: Place(r.rank, 12, r.standing) for r in rank(everyone)}


async def test_a_member_without_points_on_the_board_has_no_place_on_it(store: Store) -> None:
    async with store.unit_of_work() as uow:
        channel = await people(uow)
        newcomer = await a_member(uow, "u99", "newcomer")
        await uow.commit()
        place = await uow.points.place(channel.id, newcomer.id, MONDAY, SUNDAY, None)
        next_week = await uow.points.place(channel.id, 1, SUNDAY + timedelta(days=1), SUNDAY + timedelta(days=7),
                                           None)
        counted_next_week = await uow.points.ranked_count(channel.id, SUNDAY + timedelta(days=1),
                                                          SUNDAY + timedelta(days=7), None)

    assert place is None and next_week is None and counted_next_week == 0
