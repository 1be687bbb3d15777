"""Read-only queries that only the tests need, run on their own connection beside the units of work."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, or_, select

from bot.domain.model import ChannelAddress, Round
from bot.store.repositories import round_from_row
from bot.store.tables import judge_budget, rounds, tasks, welcomes
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


async def welcome_posted_at(store: Store, address: ChannelAddress) -> datetime | None:
    """When the channel's welcome was posted; None when it was not (yet)."""
    async with store.engine.connect() as connection:
        posted: datetime | None = (
            await connection.execute(
                select(welcomes.c.posted_at).where(and_(welcomes.c.platform == address.platform,
                                                        welcomes.c.workspace == address.workspace,
                                                        welcomes.c.channel_ref == address.channel))
            )
        ).scalar()
        return posted


async def judge_calls_on(store: Store, day: date) -> int:
    """How many requests the AI judge's daily budget counted on `day` (UTC)."""
    async with store.engine.connect() as connection:
        calls = (await connection.execute(select(judge_budget.c.calls).where(judge_budget.c.day == day))).scalar()
        return int(calls or 0)
