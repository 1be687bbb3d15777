"""A board asks the store for its top places only: they must be exactly the first places of the full ranking, with
ties straddling the last place settled by coverage, rounds, name (an opted-out member counting as "anonymous") and
join order, as the ranking itself settles them."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.leaderboard import rank
from bot.domain.scoring import Award
from bot.store.unit_of_work import Store
from tests.store.records import MONDAY, NOW, a_channel, a_member, a_round

TOP = 4


async def test_the_top_places_are_the_first_places_of_the_full_ranking_ties_included(store: Store) -> None:
    # (name, opted out, [(participation, coverage, votes) per round])
    people = [
        ("dora", False, [(10, 20, 0)]),  # 30, clear first
        ("Carl", False, [(10, 10, 0)]),  # 20 points, coverage 10, 1 round: tied on every score...
        ("bea", False, [(10, 10, 0)]),  # ...with bea and ann, and zed (anonymous): by name, then join order
        ("zed", True, [(10, 10, 0)]),
        ("ann", False, [(10, 10, 0)]),
        ("eve", False, [(10, 0, 10)]),  # 20 points too, but less coverage: after all of those
        ("fay", False, [(10, 5, 0), (0, 0, 5)]),  # 20 points, coverage 5, 1 round
        ("gus", False, [(10, 0, 0)]),
    ]
    async with store.unit_of_work() as uow:
        channel = await a_channel(uow)
        rounds = [await a_round(uow, channel, day=MONDAY + timedelta(days=n)) for n in range(2)]
        for ref, (name, opted_out, scores) in enumerate(people):
            member = await a_member(uow, f"u{ref}", name)
            if opted_out:
                await uow.members.set_opted_out(member.id, True)
            for round_, (participation, coverage, votes) in zip(rounds, scores):
                awards = [Award(reason, amount, "") for reason, amount in
                          (("participation", participation), ("coverage", coverage), ("votes", votes)) if amount]
                await uow.points.award(round_, member.id, awards, NOW)
        await uow.commit()
        everyone = await uow.points.standings(channel.id, MONDAY, MONDAY + timedelta(days=6), None)
        top = await uow.points.standings(channel.id, MONDAY, MONDAY + timedelta(days=6), None, top=TOP)

    full = [r.standing for r in rank(everyone)]
    assert [s.name for s in full][:6] == ["dora", "ann", "anonymous", "bea", "Carl", "fay"]
    assert top == full[:TOP]
    assert [r.standing for r in rank(top)] == full[:TOP]
