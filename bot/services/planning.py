"""Planning: a channel's schedule turned into due tasks.

The tasks are the next daily post, the next weekly board, and a posted round's reminder."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.model import Channel, Round, TaskKind
from bot.domain.reminders import reminder_due, reminder_offset
from bot.domain.schedule import week_bounds
from bot.store.unit_of_work import UnitOfWork


def post_key(channel_id: int, slot_date: object) -> str:
    return f"post:{channel_id}:{slot_date}"


def board_key(channel_id: int, week_start: object) -> str:
    return f"board:{channel_id}:{week_start}"


def remind_key(round_id: int) -> str:
    return f"remind:{round_id}"


async def plan_reminder(uow: UnitOfWork, round_: Round, channel: Channel, posted_at: datetime,
                        deadline_at: datetime) -> datetime | None:
    """Schedules the reminder of a round whose question was just posted, when the channel has reminders and the
    round is a daily one whose deadline is more than the reminder's offset away; returns when it is due."""
    offset = reminder_offset(await uow.reminders.minutes(channel.id))
    due = reminder_due(round_.kind, posted_at, deadline_at, offset)
    if due is None:
        return None
    await uow.tasks.schedule(TaskKind.REMIND, channel.id, due, remind_key(round_.id), round_id=round_.id)
    return due


async def plan_next_post(uow: UnitOfWork, channel: Channel, after: datetime) -> datetime | None:
    """Schedules the channel's first posting slot after `after` that has no round yet; returns when it is due."""
    if not channel.subscribed:
        return None
    cursor = after
    for _ in range(30):
        slot = channel.schedule.next_slot(cursor)
        if slot is None:
            return None
        # one statement: added unless the day already has its round or its task
        if await uow.tasks.schedule_post(channel.id, slot.due_at, post_key(channel.id, slot.local_date),
                                         slot.local_date):
            return slot.due_at
        cursor = slot.due_at
    return None


async def plan_next_board(uow: UnitOfWork, channel: Channel, after: datetime) -> datetime | None:
    """Schedules the channel's next weekly board (for the week before it is due); returns when it is due."""
    if not channel.subscribed:
        return None
    cursor = after
    for _ in range(8):
        due = channel.schedule.next_board(cursor)
        past_week_start, _ = week_bounds(channel.schedule.local_date(due) - timedelta(days=7))
        key = board_key(channel.id, past_week_start)
        if await uow.tasks.schedule(TaskKind.WEEKLY_BOARD, channel.id, due, key, slot_date=past_week_start):
            return due
        cursor = due
    return None


async def replan(uow: UnitOfWork, channel: Channel, now: datetime) -> None:
    """Drops the channel's pending posts and boards and plans them again from its current schedule."""
    await uow.tasks.cancel_pending(channel.id, [TaskKind.POST_DAILY, TaskKind.WEEKLY_BOARD])
    await plan_next_post(uow, channel, now)
    await plan_next_board(uow, channel, now)


async def repair_plans(uow: UnitOfWork, now: datetime) -> int:
    """Plans work for subscribed channels that have none pending (e.g. after an upgrade); returns how many."""
    repaired = 0
    pending = await uow.tasks.pending_kinds()
    for channel in await uow.channels.all():
        if not channel.subscribed:
            continue
        kinds = pending.get(channel.id, set())
        if TaskKind.POST_DAILY not in kinds:
            if await plan_next_post(uow, channel, now):
                repaired += 1
        if TaskKind.WEEKLY_BOARD not in kinds:
            await plan_next_board(uow, channel, now)
    return repaired
