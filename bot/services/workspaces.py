"""A workspace the bot was removed from: its channels' schedules stop, their history and points stay."""

from __future__ import annotations

import logging

from bot.domain.model import TaskKind
from bot.store.unit_of_work import Store

log = logging.getLogger("prepbot.workspaces")


async def stop_workspace(platform: str, workspace: str, *, store: Store) -> int:
    """Unsubscribes every channel of the workspace and cancels the questions and boards planned there. A round
    already open keeps its reveal: it is posted if the bot is back by then, and settled as a lost channel if not.
    Returns how many channels were subscribed."""
    async with store.unit_of_work() as uow:
        channels = await uow.channels.in_workspace(platform, workspace)
        for channel in channels:
            if channel.subscribed:
                await uow.channels.save(channel.id, channel.schedule, subscribed=False)
            await uow.tasks.cancel_pending(channel.id, [TaskKind.POST_DAILY, TaskKind.WEEKLY_BOARD])
        await uow.commit()
    stopped = sum(1 for channel in channels if channel.subscribed)
    if stopped:
        log.info("stopped the schedules of %d channels", stopped)
    return stopped
