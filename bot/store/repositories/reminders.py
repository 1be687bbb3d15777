"""Reminders: each channel's reminder setting, how far a round's reminder got, and who asked to be nudged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, select, update

from bot.domain.model import Member, Task
from bot.store.repositories._base import Repository, fenced
from bot.store.repositories.members import member_from_row
from bot.store.tables import answer_parts, channels, members, reminder_nudges, rounds


@dataclass(frozen=True)
class ReminderProgress:
    """How far a round's reminder got: when an attempt was about to post it, its message once recorded, and when
    the nudges went out (each None until then)."""

    started_at: datetime | None
    message_ref: str | None
    nudged_at: datetime | None


class ReminderRepository(Repository):
    async def minutes(self, channel_id: int) -> int:
        """How long before the deadline the channel's reminder is posted, in minutes; 0 when off."""
        return int((await self._c.execute(
            select(channels.c.reminder_minutes).where(channels.c.id == channel_id))).scalar_one())

    async def set_minutes(self, channel_id: int, minutes: int) -> None:
        await self._c.execute(update(channels).where(channels.c.id == channel_id).values(reminder_minutes=minutes))

    async def progress(self, round_id: int) -> ReminderProgress:
        row = (await self._c.execute(
            select(rounds.c.reminder_started_at, rounds.c.reminder_ref, rounds.c.nudged_at)
            .where(rounds.c.id == round_id))).one()
        return ReminderProgress(row.reminder_started_at, row.reminder_ref, row.nudged_at)

    async def mark_started(self, round_id: int, at: datetime, fence: Task | None = None) -> bool:
        """Records that an attempt is about to post the round's reminder (the first such moment is kept); with
        `fence`, only while that task's claim still holds. False when refused."""
        result = await self._c.execute(
            update(rounds).where(rounds.c.id == round_id, *fenced(fence))
            .values(reminder_started_at=func.coalesce(rounds.c.reminder_started_at, at)))
        return bool(result.rowcount == 1)

    async def mark_posted(self, round_id: int, message_ref: str, fence: Task | None = None) -> bool:
        """Records the round's reminder message; with `fence`, only while that task's claim still holds."""
        result = await self._c.execute(
            update(rounds).where(rounds.c.id == round_id, *fenced(fence)).values(reminder_ref=message_ref))
        return bool(result.rowcount == 1)

    async def mark_nudged(self, round_id: int, at: datetime, fence: Task | None = None) -> bool:
        """Records that the round's nudges go out now; False when they already went (or the claim was lost)."""
        result = await self._c.execute(
            update(rounds).where(rounds.c.id == round_id, rounds.c.nudged_at.is_(None), *fenced(fence))
            .values(nudged_at=at))
        return bool(result.rowcount == 1)

    async def answer_count(self, round_id: int) -> int:
        """How many members have an answer standing in the round (a reply not withdrawn)."""
        return int((await self._c.execute(
            select(func.count(func.distinct(answer_parts.c.member_id)))
            .where(answer_parts.c.round_id == round_id, answer_parts.c.withdrawn_at.is_(None)))).scalar_one())

    async def wants_nudge(self, channel_id: int, member_id: int) -> bool:
        row = (await self._c.execute(select(reminder_nudges.c.member_id).where(
            reminder_nudges.c.channel_id == channel_id, reminder_nudges.c.member_id == member_id))).first()
        return row is not None

    async def set_nudge(self, channel_id: int, member_id: int, wanted: bool, now: datetime) -> bool:
        """Records whether the member wants a nudge in the channel; True when that changed something."""
        if wanted:
            result = await self._c.execute(
                self._insert(reminder_nudges).values(channel_id=channel_id, member_id=member_id, created_at=now)
                .on_conflict_do_nothing())
        else:
            result = await self._c.execute(delete(reminder_nudges).where(
                reminder_nudges.c.channel_id == channel_id, reminder_nudges.c.member_id == member_id))
        return bool(result.rowcount == 1)

    async def to_nudge(self, channel_id: int, round_id: int) -> list[Member]:
        """The members who asked for a nudge in the channel and have no answer standing in the round, by id."""
        answered = exists().where(answer_parts.c.round_id == round_id, answer_parts.c.member_id == members.c.id,
                                  answer_parts.c.withdrawn_at.is_(None))
        rows = await self._c.execute(
            select(members)
            .select_from(members.join(reminder_nudges, and_(reminder_nudges.c.member_id == members.c.id,
                                                            reminder_nudges.c.channel_id == channel_id)))
            .where(~answered)
            .order_by(members.c.id))
        return [member_from_row(r) for r in rows]
