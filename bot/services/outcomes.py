"""How a piece of due work ends, and how it ends when the platform refuses it: the channel lost, or a retry."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.model import Channel, TaskKind
from bot.ports import ChatError, ChatPort
from bot.store.unit_of_work import Store
from bot.wording import lost_channel_notice

log = logging.getLogger("prepbot.rounds")  # where operators have always found lost channels and retries
RETRY_AFTER_REFUSAL = timedelta(minutes=1)


@dataclass(frozen=True)
class TaskResult:
    """How a task ended: `done` with an outcome, or handed back to retry at `retry_at`."""

    outcome: str
    done: bool = True
    retry_at: datetime | None = None

    @property
    def skipped(self) -> bool:
        """Nothing was due any more (missed, paused, unsubscribed, an empty week): no work ran."""
        return self.outcome.startswith("skipped")


async def settle(error: ChatError, channel: Channel, *, store: Store, chat: ChatPort, now: datetime) -> TaskResult:
    """How work the platform refused in `channel` ends: when the channel is lost to the bot, its schedule is stopped
    and the task is done; otherwise the task is handed back to retry in a minute."""
    if error.gone:
        await stop_lost_channel(store, chat, channel, str(error))
        return TaskResult(f"channel gone: {error}")
    log.warning("channel %s refused the call, retrying: %s", channel.id, error)
    return TaskResult(f"retry: {error}", done=False, retry_at=now + RETRY_AFTER_REFUSAL)


async def stop_lost_channel(store: Store, chat: ChatPort, channel: Channel, why: str) -> None:
    """The platform says the bot can no longer post here: stop the schedule instead of failing every day,
    and tell whoever subscribed the channel."""
    log.warning("channel %s lost (%s): its schedule is stopped", channel.id, why)
    async with store.unit_of_work() as uow:
        await uow.channels.save(channel.id, channel.schedule, subscribed=False)
        await uow.tasks.cancel_pending(channel.id, [TaskKind.POST_DAILY, TaskKind.WEEKLY_BOARD])
        await uow.commit()
    if channel.subscribed_by:
        try:
            await chat.message_member(channel.address, channel.subscribed_by, lost_channel_notice(channel.name, why))
        except ChatError as error:
            log.warning("could not tell %s that channel %s was lost: %s", channel.subscribed_by, channel.id, error)
