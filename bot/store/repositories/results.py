"""Graded results per answer, as the reveal showed them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from bot.domain.model import Round
from bot.store.repositories._base import Repository
from bot.store.tables import results


class ResultRepository(Repository):
    """How each member did in each revealed round: on time or not, key points covered."""

    async def record(
        self, round_: Round, member_id: int, on_time: bool, covered: int, total: int, grader: str | None = None,
        feedback: str | None = None,
    ) -> None:
        await self._c.execute(
            self._insert(results)
            .values(
                channel_id=round_.channel_id,
                round_id=round_.id,
                member_id=member_id,
                question_id=round_.question_id,
                level=round_.level.value,
                kind=round_.kind.value,
                local_date=round_.local_date,
                on_time=on_time,
                covered=covered,
                total=total,
                grader=grader,
                feedback=feedback,
            )
            .on_conflict_do_nothing()
        )

    async def for_round(self, round_id: int) -> dict[int, tuple[int, int, str | None, str | None]]:
        """Per member of a revealed round: (covered, total, grader, feedback) as recorded."""
        rows = await self._c.execute(
            select(results.c.member_id, results.c.covered, results.c.total, results.c.grader, results.c.feedback)
            .where(results.c.round_id == round_id)
        )
        return {r.member_id: (r.covered, r.total, r.grader, r.feedback) for r in rows}

    async def answered_on_time(self, member_id: int, round_ids: Sequence[int]) -> set[int]:
        if not round_ids:
            return set()
        rows = await self._c.execute(
            select(results.c.round_id).where(
                results.c.member_id == member_id, results.c.round_id.in_(round_ids), results.c.on_time.is_(True)
            )
        )
        return set(rows.scalars())

    async def best_coverage(self, member_id: int) -> dict[str, float]:
        """Per question the member answered anywhere: their best share of key points covered."""
        ratio = func.max(results.c.covered * 1.0 / func.nullif(results.c.total, 0))
        rows = await self._c.execute(
            select(results.c.question_id, ratio).where(results.c.member_id == member_id).group_by(results.c.question_id)
        )
        return {question_id: float(value or 0.0) for question_id, value in rows}

    async def coverage_by_level(self, channel_id: int, member_id: int) -> list[tuple[str, float, int]]:
        rows = await self._c.execute(
            select(
                results.c.level,
                func.sum(results.c.covered),
                func.sum(results.c.total),
                func.count(),
            )
            .where(results.c.channel_id == channel_id, results.c.member_id == member_id)
            .group_by(results.c.level)
        )
        return [(level, (covered / total) if total else 0.0, count) for level, covered, total, count in rows]
