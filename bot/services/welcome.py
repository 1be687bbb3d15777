"""The welcome: one short card where the bot was added, saying what prepbot does and how an admin starts it.

A channel is welcomed at most once, whatever the platform reports: the welcome is claimed in the store (one row per
channel, unique) and committed before anything is posted, so a second delivery of the same event, another replica
or a later restart finds it claimed and posts nothing. A channel already subscribed gets no welcome: its team knows
prepbot, and the next question speaks for itself. When the platform refuses the card the claim is given up, so that
the next time the bot is added there it tries again; a process that dies between the claim and the post leaves the
channel unwelcomed rather than risk welcoming it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.cards import WelcomeCard
from bot.domain.model import ChannelAddress
from bot.messages import Ignored
from bot.ports import ChatError, ChatPort
from bot.store.unit_of_work import Store

log = logging.getLogger("prepbot.welcome")


@dataclass(frozen=True)
class WelcomeClaimed:
    """The channel's welcome was claimed (committed); its card is posted next."""

    channel: ChannelAddress


WelcomeOutcome = WelcomeClaimed | Ignored


async def claim_welcome(channel: ChannelAddress, *, store: Store, now: datetime) -> WelcomeOutcome:
    """Claims the welcome of `channel`, unless it was claimed before or the channel is subscribed already."""
    async with store.unit_of_work() as uow:
        known = await uow.channels.find(channel)
        if known is not None and known.subscribed:
            return Ignored("the channel is subscribed already")
        if not await uow.welcomes.claim(channel, now):
            return Ignored("the channel was welcomed before")
        await uow.commit()
    return WelcomeClaimed(channel)


async def post_welcome(channel: ChannelAddress, *, store: Store, chat: ChatPort,
                       clock: Callable[[], datetime]) -> str | None:
    """Posts the claimed welcome and records it; returns its message ref, or None when the platform refused it (the
    claim is then given up). Never raises for the platform."""
    try:
        ref = await chat.post_message(channel, WelcomeCard())
    except ChatError as error:
        log.warning("the welcome was not posted: %s", error)
        async with store.unit_of_work() as uow:
            await uow.welcomes.release(channel)
            await uow.commit()
        return None
    async with store.unit_of_work() as uow:
        await uow.welcomes.posted(channel, ref, clock())
        await uow.commit()
    log.info("welcomed the channel")
    return ref
