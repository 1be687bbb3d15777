"""Commands acknowledged to a platform before they run: queued durably first, run after, never lost."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.cards import Card
from bot.messages import CommandReply, RunCommand
from bot.ports import ChatError, ChatPort
from bot.services.answers import AnswerIngest
from bot.store.unit_of_work import Store

log = logging.getLogger("prepbot.inbox")
LEASE = timedelta(minutes=2)

Runner = Callable[[RunCommand], Awaitable[CommandReply]]


async def enqueue_command(command: RunCommand, dedupe_key: str, *, intake: AnswerIngest, now: datetime) -> int | None:
    """Stores the command, held by this process for a lease; returns its inbox id, or None when the same delivery
    was queued already. Returns only after the commit (grouped with other arrivals), so the platform may then be
    told the command was received."""
    return await intake.queue_command(command, dedupe_key, now, now + LEASE)


async def run_queued(
    inbox_id: int, command: RunCommand, run: Runner, *, intake: AnswerIngest, chat: ChatPort,
    now: Callable[[], datetime], deliver: Callable[[Card], Awaitable[None]] | None = None,
) -> int:
    """Runs one queued command this process holds, gives the member the reply (through `deliver`, by default
    privately in the chat), and marks it done (in a commit shared with other arrivals). Returns how many cards the
    reply had."""
    cards = 0
    try:
        reply = await run(command)
        for card in reply.cards:
            if deliver is not None:
                await deliver(card)
            else:
                await chat.tell_member(command.channel, command.speaker.ref, card)
            cards += 1
    except ChatError as error:
        log.warning("could not reply to a /prep command: %s", error)
    await intake.complete_command(inbox_id, now())
    return cards


async def run_queued_commands(
    run: Runner, *, store: Store, intake: AnswerIngest, chat: ChatPort, clock: Callable[[], datetime],
    limit: int | None = None,
) -> int:
    """Runs queued commands that nobody holds (e.g. left by a crash), oldest first; returns how many ran."""
    ran = 0
    while limit is None or ran < limit:
        async with store.unit_of_work() as uow:
            claimed = await uow.inbox.claim_next(clock(), LEASE)
            await uow.commit()
        if claimed is None:
            break
        await run_queued(*claimed, run, intake=intake, chat=chat, now=clock)
        ran += 1
    return ran
