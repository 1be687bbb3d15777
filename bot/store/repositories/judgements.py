"""The AI judge's records: judgements stored under their fingerprint, and its request count per UTC day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import judge_budget, judgements


@dataclass(frozen=True)
class StoredJudgement:
    """A judgement as stored: the model that gave it, its points (JSON) and its feedback."""

    key: str
    model: str
    points: str
    feedback: str


class JudgementRepository:
    """Judgements by key, and the daily request budget."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    def _insert(self, table: Any) -> Any:
        return postgresql.insert(table) if self._c.dialect.name == "postgresql" else sqlite.insert(table)

    async def find_many(self, keys: list[str]) -> dict[str, StoredJudgement]:
        if not keys:
            return {}
        rows = await self._c.execute(select(judgements).where(judgements.c.key.in_(keys)))
        return {r.key: StoredJudgement(r.key, r.model, r.points, r.feedback) for r in rows}

    async def save(self, key: str, model: str, points: str, feedback: str, at: datetime) -> None:
        """Stores a judgement; one already stored under `key` is kept (the same request, the same verdict)."""
        await self._c.execute(
            self._insert(judgements)
            .values(key=key, model=model, points=points, feedback=feedback, created_at=at)
            .on_conflict_do_nothing()
        )

    async def take_call(self, day: date, limit: int) -> bool:
        """Counts one request on `day` when fewer than `limit` were counted: True when it was (the budget allows
        it), False when the day's budget is spent. Atomic across processes."""
        if limit <= 0:
            return False
        await self._c.execute(self._insert(judge_budget).values(day=day, calls=0).on_conflict_do_nothing())
        counted = await self._c.execute(
            update(judge_budget)
            .where(judge_budget.c.day == day, judge_budget.c.calls < limit)
            .values(calls=judge_budget.c.calls + 1)
        )
        return bool(counted.rowcount)
