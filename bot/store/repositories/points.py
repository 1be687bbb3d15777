"""Points awarded per round and member, and the boards ranked from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select, tuple_

from bot.domain.leaderboard import Standing
from bot.domain.model import Round, RoundKind
from bot.domain.questions import Level
from bot.domain.scoring import Award
from bot.store.repositories._base import Repository
from bot.store.tables import members, points


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
        conditions = [points.c.channel_id == channel_id]
        if first is not None and last is not None:
            conditions.append(points.c.local_date.between(first, last))
        if level is not None:
            conditions.append(points.c.level == level.value)
        total = func.sum(points.c.amount).label("total")
        coverage = func.sum(case((points.c.reason == "coverage", points.c.amount), else_=0)).label("coverage")
        # every answer that scored has exactly one participation award
        rounds_answered = func.sum(case((points.c.reason == "participation", 1), else_=0)).label("rounds")
        summed = (
            select(points.c.member_id, total, coverage, rounds_answered)
            .where(and_(*conditions))
            .group_by(points.c.member_id)
        )
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
            scores = summed.selected_columns
            return summed.order_by(scores.total.desc(), scores.coverage.desc(), scores.rounds.desc()).fetch(
                top, with_ties=True
            )
        sums = summed.cte("sums").prefix_with("MATERIALIZED")
        placed = tuple_(sums.c.total, sums.c.coverage, sums.c.rounds)
        last_place = (
            select(sums.c.total, sums.c.coverage, sums.c.rounds)
            .order_by(sums.c.total.desc(), sums.c.coverage.desc(), sums.c.rounds.desc())
            .offset(top - 1)
            .limit(1)
        )
        return select(sums).where(or_(~exists(last_place), placed >= last_place.scalar_subquery()))

    async def breakdown(
        self, channel_id: int, member_id: int, first: date | None = None, last: date | None = None
    ) -> dict[str, int]:
        conditions = [points.c.channel_id == channel_id, points.c.member_id == member_id]
        if first is not None and last is not None:
            conditions.append(points.c.local_date.between(first, last))
        rows = await self._c.execute(
            select(points.c.reason, func.sum(points.c.amount)).where(*conditions).group_by(points.c.reason)
        )
        return {reason: int(total) for reason, total in rows}

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
