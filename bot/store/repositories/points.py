"""Points awarded per round and member, and the boards ranked from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select, true, tuple_

from bot.domain.leaderboard import SCORES, Place, Standing, place
from bot.domain.model import Round, RoundKind
from bot.domain.questions import Level
from bot.domain.scoring import Award
from bot.store.repositories._base import Repository
from bot.store.tables import members, points


def _board_conditions(
    channel_id: int, first: date | None, last: date | None, level: Level | None
) -> list[ColumnElement[bool]]:
    """The points a board counts: the channel's, in the period and level when given."""
    conditions = [points.c.channel_id == channel_id]
    if first is not None and last is not None:
        conditions.append(points.c.local_date.between(first, last))
    if level is not None:
        conditions.append(points.c.level == level.value)
    return conditions


def _summed(conditions: list[ColumnElement[bool]]) -> Select[Any]:
    """One row per member with points matching `conditions`: their total, coverage points and rounds answered."""
    total = func.sum(points.c.amount).label("total")
    coverage = func.sum(case((points.c.reason == "coverage", points.c.amount), else_=0)).label("coverage")
    # every answer that scored has exactly one participation award
    rounds_answered = func.sum(case((points.c.reason == "participation", 1), else_=0)).label("rounds")
    return (
        select(points.c.member_id, total, coverage, rounds_answered)
        .where(and_(*conditions))
        .group_by(points.c.member_id)
    )


class PointRepository(Repository):
    async def award(self, round_: Round, member_id: int, awards: Sequence[Award], at: datetime) -> None:
        """Stores each award with its reason; an award for the same round, member and reason is replaced."""
        for award in awards:
            statement = self._insert(points).values(
                channel_id=round_.channel_id,
                round_id=round_.id,
                member_id=member_id,
                level=round_.level.value,
                kind=round_.kind.value,
                local_date=round_.local_date,
                reason=award.reason,
                amount=award.amount,
                detail=award.detail,
                awarded_at=at,
            )
            statement = statement.on_conflict_do_update(
                index_elements=["round_id", "member_id", "reason"],
                set_={"amount": statement.excluded.amount, "detail": statement.excluded.detail},
            )
            await self._c.execute(statement)

    async def standings(
        self, channel_id: int, first: date | None, last: date | None, level: Level | None, top: int | None = None
    ) -> list[Standing]:
        """Members with points in the channel (in the period and level when given): totals, coverage points, rounds
        answered on time, in no particular order. Aggregated per member first, then named.

        With `top`, only the members placed within the first `top` by their scores alone (most points, then
        coverage, then rounds), with everyone tied on all three with the last of them: among those the name and the
        join order decide, and that is the ranking's to do (`bot.domain.leaderboard.top_places`), so that the
        board's places are always the first places of the full ranking. Only those members are joined to their
        names, rather than every member of the channel."""
        summed = _summed(_board_conditions(channel_id, first, last, level))
        if top is not None:
            summed = self._placed_within(summed, top)
        per_member = summed.subquery()
        rows = await self._c.execute(
            select(per_member.c.member_id, per_member.c.total, per_member.c.coverage, per_member.c.rounds,
                   members.c.display_name, members.c.opted_out)
            .join(members, members.c.id == per_member.c.member_id)
        )
        return [
            Standing(
                member_id=r.member_id,
                name="anonymous" if r.opted_out else r.display_name,
                total=int(r.total),
                coverage=int(r.coverage),
                rounds=int(r.rounds),
            )
            for r in rows
        ]

    def _placed_within(self, summed: Select[Any], top: int) -> Select[Any]:
        """`summed` (one row per member: total, coverage, rounds) cut to the members placed within the first `top`
        by those scores, ties at the cut included. PostgreSQL has FETCH FIRST ... WITH TIES (a top-N sort of the
        sums); elsewhere (SQLite) the sums are computed once into a CTE, the `top`-th member's scores read from it by
        a top-N sort, and everyone scoring at least as much kept: a rank over every member's sums would sort them
        all."""
        if self._c.dialect.name == "postgresql":
            scores = [summed.selected_columns[name] for name in SCORES]
            return summed.order_by(*(score.desc() for score in scores)).fetch(top, with_ties=True)
        sums = summed.cte("sums").prefix_with("MATERIALIZED")
        scores = [sums.c[name] for name in SCORES]
        last_place = select(*scores).order_by(*(score.desc() for score in scores)).offset(top - 1).limit(1)
        return select(sums).where(or_(~exists(last_place), tuple_(*scores) >= last_place.scalar_subquery()))

    async def ranked_count(self, channel_id: int, first: date | None, last: date | None, level: Level | None) -> int:
        """How many members the board ranks: those with points in the channel (in the period and level when given).
        Counted without summing or naming them."""
        ranked = (
            select(points.c.member_id)
            .where(and_(*_board_conditions(channel_id, first, last, level)))
            .group_by(points.c.member_id)
            .subquery()
        )
        return int((await self._c.execute(select(func.count()).select_from(ranked))).scalar_one())

    async def place(
        self, channel_id: int, member_id: int, first: date | None, last: date | None, level: Level | None
    ) -> Place | None:
        """The member's place on the board (the channel's, in the period and level when given), or None when they
        have no points on it. The board's sums are computed once (a materialized CTE), and one pass over them counts
        the members ranked and those who score more than the member by the ranking's scores
        (`bot.domain.leaderboard.SCORES`), without sorting anyone: the rank number is the ranking's to give."""
        sums = _summed(_board_conditions(channel_id, first, last, level)).cte("sums").prefix_with("MATERIALIZED")
        mine = select(sums).where(sums.c.member_id == member_id).subquery("mine")
        ahead = case((tuple_(*(sums.c[n] for n in SCORES)) > tuple_(*(mine.c[n] for n in SCORES)), 1), else_=0)
        row = (
            await self._c.execute(
                select(mine.c.total, mine.c.coverage, mine.c.rounds, members.c.display_name, members.c.opted_out,
                       func.count().label("ranked"), func.sum(ahead).label("ahead"))
                .select_from(mine.join(members, members.c.id == mine.c.member_id).join(sums, true()))
                .group_by(mine.c.total, mine.c.coverage, mine.c.rounds, members.c.display_name,
                          members.c.opted_out)
            )
        ).one_or_none()
        if row is None:
            return None
        standing = Standing(member_id, "anonymous" if row.opted_out else row.display_name, int(row.total),
                            int(row.coverage), int(row.rounds))
        return place(standing, int(row.ahead), int(row.ranked))

    async def totals(self, channel_id: int, member_id: int, first: date, last: date) -> tuple[dict[str, int], int]:
        """The member's all-time points by reason in the channel, and their total between `first` and `last`."""
        in_range = case((points.c.local_date.between(first, last), points.c.amount), else_=0)
        rows = await self._c.execute(
            select(points.c.reason, func.sum(points.c.amount), func.sum(in_range))
            .where(points.c.channel_id == channel_id, points.c.member_id == member_id)
            .group_by(points.c.reason)
        )
        by_reason: dict[str, int] = {}
        in_period = 0
        for reason, total, period in rows:
            by_reason[reason] = int(total)
            in_period += int(period)
        return by_reason, in_period

    async def for_round(self, round_id: int) -> dict[int, list[Award]]:
        rows = await self._c.execute(
            select(points.c.member_id, points.c.reason, points.c.amount, points.c.detail)
            .where(points.c.round_id == round_id)
            .order_by(points.c.id)
        )
        by_member: dict[int, list[Award]] = {}
        for r in rows:
            by_member.setdefault(r.member_id, []).append(Award(r.reason, r.amount, r.detail))
        return by_member

    async def scored_practice_count(self, channel_id: int, member_id: int, local_date: date) -> int:
        """Practice rounds on `local_date` that already earned the member points (for the daily cap)."""
        return int(
            (
                await self._c.execute(
                    select(func.count(points.c.round_id.distinct())).where(
                        points.c.channel_id == channel_id,
                        points.c.member_id == member_id,
                        points.c.kind == RoundKind.PRACTICE.value,
                        points.c.local_date == local_date,
                        points.c.reason == "participation",
                    )
                )
            ).scalar_one()
        )

    async def in_channel_between(self, channel_id: int, first: date, last: date) -> list[tuple[int, int, Award]]:
        """Every award in the channel dated from `first` to `last`, as (round id, member id, award), in the order
        they were first awarded."""
        rows = await self._c.execute(
            select(points.c.round_id, points.c.member_id, points.c.reason, points.c.amount, points.c.detail)
            .where(points.c.channel_id == channel_id, points.c.local_date.between(first, last))
            .order_by(points.c.id)
        )
        return [(r.round_id, r.member_id, Award(r.reason, r.amount, r.detail)) for r in rows]

    async def channels_of(self, member_id: int) -> list[int]:
        """The channels the member has points in, the one they last scored in first."""
        rows = await self._c.execute(
            select(points.c.channel_id).where(points.c.member_id == member_id)
            .group_by(points.c.channel_id).order_by(func.max(points.c.awarded_at).desc(), points.c.channel_id)
        )
        return [row.channel_id for row in rows]
