"""Points awarded per round and member, and the boards ranked from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, case, func, select

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
        answered on time; with `top`, only the first `top` in board order (most points, then coverage, rounds,
        name). Aggregated per member first, then named.

        On PostgreSQL, with `top`, only the members placed within the first `top` on the sums alone (with everyone
        tied with the last of them, since the name decides among those) are joined to their names and ordered by
        them, rather than every member of the channel."""
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
        if top is not None and self._c.dialect.name == "postgresql":
            summed = summed.order_by(total.desc(), coverage.desc(), rounds_answered.desc()).fetch(top, with_ties=True)
        per_member = summed.subquery()
        query = select(per_member, members.c.display_name, members.c.opted_out).join(
            members, members.c.id == per_member.c.member_id
        )
        if top is not None:
            shown = case((members.c.opted_out.is_(True), "anonymous"), else_=members.c.display_name)
            query = query.order_by(
                per_member.c.total.desc(), per_member.c.coverage.desc(), per_member.c.rounds.desc(),
                func.lower(shown), per_member.c.member_id,
            ).limit(top)
        rows = await self._c.execute(query)
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
