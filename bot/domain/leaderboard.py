"""Ranking members by points with deterministic tie-breaks: the board's one tie rule."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Standing:
    member_id: int
    name: str
    total: int
    coverage: int
    rounds: int


@dataclass(frozen=True)
class RankedStanding:
    rank: int
    standing: Standing


def rank(standings: list[Standing]) -> list[RankedStanding]:
    """Most points first; ties go to more coverage points, then more rounds answered, then name, then join order.

    Members tied on every score share a rank number.
    """
    ordered = sorted(standings, key=lambda s: (-s.total, -s.coverage, -s.rounds, s.name.casefold(), s.member_id))
    ranked: list[RankedStanding] = []
    for position, standing in enumerate(ordered, start=1):
        previous = ranked[-1] if ranked else None
        same = previous is not None and (previous.standing.total, previous.standing.coverage, previous.standing.rounds) == (
            standing.total,
            standing.coverage,
            standing.rounds,
        )
        ranked.append(RankedStanding(previous.rank if same and previous else position, standing))
    return ranked


def top_places(standings: list[Standing], size: int) -> list[RankedStanding]:
    """The first `size` places of the ranking of `standings`, which must hold everyone placed within the first
    `size` by points, coverage and rounds, with everyone tied on those with the last of them (as the store's
    standings with `top` do): the name and join order among those tied at the cut are decided here."""
    return rank(standings)[:size]
