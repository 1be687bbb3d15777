"""Ranking members by points with deterministic tie-breaks: the board's one tie rule."""

from __future__ import annotations

from dataclasses import dataclass

# The scores that place a member, compared in this order, more first. Members equal on all of them share a place;
# within a place the name (casefolded), then the join order, decide who is listed first.
SCORES = ("total", "coverage", "rounds")


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


@dataclass(frozen=True)
class Place:
    """A member's place in a ranking: their rank number, as `rank` numbers them, among `of` ranked members."""

    rank: int
    of: int
    standing: Standing


def scores(standing: Standing) -> tuple[int, ...]:
    """The standing's SCORES, in order: what places it."""
    return tuple(getattr(standing, name) for name in SCORES)


def rank(standings: list[Standing]) -> list[RankedStanding]:
    """Most points first; ties go to more coverage points, then more rounds answered, then name, then join order.

    Members tied on every score share a rank number: one more than the number of members who score more.
    """
    ordered = sorted(standings, key=lambda s: (*(-score for score in scores(s)), s.name.casefold(), s.member_id))
    ranked: list[RankedStanding] = []
    for position, standing in enumerate(ordered, start=1):
        previous = ranked[-1] if ranked else None
        same = previous is not None and scores(previous.standing) == scores(standing)
        ranked.append(RankedStanding(previous.rank if same and previous else position, standing))
    return ranked


def top_places(standings: list[Standing], size: int) -> list[RankedStanding]:
    """The first `size` places of the ranking of `standings`, which must hold everyone placed within the first
    `size` by points, coverage and rounds, with everyone tied on those with the last of them (as the store's
    standings with `top` do): the name and join order among those tied at the cut are decided here."""
    return rank(standings)[:size]


def place(standing: Standing, ahead: int, of: int) -> Place:
    """The place of `standing` among `of` ranked members, `ahead` of whom score more by SCORES (compared in order):
    the rank number `rank` gives it, without ranking everyone."""
    return Place(ahead + 1, of, standing)
