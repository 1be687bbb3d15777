"""Read-only queries that only the tests need, run on their own connection beside the units of work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from bot.domain.model import Round
from bot.store.repositories import round_from_row
from bot.store.tables import rounds, tasks
from bot.store.unit_of_work import Store


async def due_task_ids(store: Store, now: datetime, limit: int) -> list[int]:
    """Tasks not done and not held by anyone at `now`, earliest due first."""
    async with store.engine.connect() as connection:
        rows = await connection.execute(
            select(tasks.c.id)
            .where(
                tasks.c.done_at.is_(None),
                tasks.c.due_at <= now,
                or_(tasks.c.claimed_until.is_(None), tasks.c.claimed_until < now),
            )
            .order_by(tasks.c.due_at, tasks.c.id)
            .limit(limit)
        )
        return list(rows.scalars())


async def task_finished_at(store: Store, task_id: int) -> datetime | None:
    """When the task was marked done, or None while it is not."""
    async with store.engine.connect() as connection:
        finished: datetime | None = (
            await connection.execute(select(tasks.c.done_at).where(tasks.c.id == task_id))
        ).scalar_one()
        return finished


async def task_outcome(store: Store, task_id: int) -> tuple[datetime | None, str | None]:
    """When the task was marked done and how it ended (None, None while it is not done)."""
    async with store.engine.connect() as connection:
        row = (await connection.execute(select(tasks.c.done_at, tasks.c.outcome).where(tasks.c.id == task_id))).one()
        return row.done_at, row.outcome


async def rounds_in_channel(store: Store, channel_id: int) -> list[Round]:
    """Every round of the channel, newest first."""
    async with store.engine.connect() as connection:
        rows = await connection.execute(
            select(rounds).where(rounds.c.channel_id == channel_id).order_by(rounds.c.id.desc())
        )
        return [round_from_row(row) for row in rows]
