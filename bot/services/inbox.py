"""Commands acknowledged to a platform before they run: queued durably first, run after, never lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.cards import Card
from bot.messages import CommandReply, RunCommand
from bot.ports import ChatError, ChatPort
from bot.services.answers import storable, storable_speaker
from bot.services.claims import ProcessIdentity
from bot.store.intake import ArrivalsLane, CommandToQueue, Completion
from bot.store.unit_of_work import Store
from bot.wording import cannot_post_notice

log = logging.getLogger("prepbot.inbox")

Runner = Callable[[RunCommand], Awaitable[CommandReply]]
Deliver = Callable[[Card], Awaitable[None]]


def storable_run(command: RunCommand) -> RunCommand:
    """`command` with what the member wrote (the text, their name, the channel's name) made storable."""
    text, speaker, name = storable(command.text), storable_speaker(command.speaker), storable(command.channel_name)
    if text is command.text and speaker is command.speaker and name is command.channel_name:
        return command
    return replace(command, text=text, speaker=speaker, channel_name=name)


async def run_queued(
    inbox_id: int, command: RunCommand, run: Runner, *, lane: ArrivalsLane[Any], chat: ChatPort,
    now: Callable[[], datetime], deliver: Deliver | None = None,
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
        if error.gone and deliver is not None:  # `deliver` may still reach the member where the bot cannot post
            try:
                await deliver(cannot_post_notice())
            except ChatError as again:
                log.warning("could not tell the member either: %s", again)
    await lane.record(Completion(inbox_id, now()))
    return cards


class CommandInbox:
    """This process's side of the command inbox.

    A command is queued held by this process (its claim token, for a lease) and run right after the platform was
    answered. While it runs, its hold is renewed on every tick (`sweep`). Every tick also takes back the holds of
    dead processes of this host (a restart takes its crashed incarnation's commands at once) and runs, in the
    background, the commands nobody holds: those whose holder died elsewhere, once their lease lapsed.
    """

    def __init__(self, run: Runner, *, store: Store, lane: ArrivalsLane[Any], chat: ChatPort,
                 clock: Callable[[], datetime], lease: timedelta, identity: ProcessIdentity) -> None:
        self._run = run
        self._store = store
        self._lane = lane
        self._chat = chat
        self._clock = clock
        self.lease = lease
        self.identity = identity
        self._held: set[int] = set()  # commands this process is running
        self._renewed_at: datetime | None = None
        self._sweeper: asyncio.Task[int] | None = None
        self._stopping = False

    async def enqueue(self, command: RunCommand, dedupe_key: str | None) -> int | None:
        """Stores the command, held by this process for a lease; returns its inbox id, or None when the same
        delivery (`dedupe_key`) was queued already; a command no platform delivers twice has no key. Returns only
        after the commit (grouped with other arrivals), so the platform may then be told the command was received.
        Run it with `run_queued`."""
        now = self._clock()
        token = self.identity.new_token()
        return await self._lane.queue(CommandToQueue(storable_run(command), dedupe_key or f"once:{token}", now,
                                                     now + self.lease, token))

    async def run_queued(self, inbox_id: int, command: RunCommand, deliver: Deliver | None = None) -> int:
        """Runs a command this process queued, gives the member the reply (through `deliver`, by default privately
        in the chat) and marks it done; returns how many cards the reply had."""
        if self._stopping and inbox_id not in self._held:
            log.info("a /prep command is left to another process: this one is stopping", extra={"inbox": inbox_id})
            await self.hand_back()  # it may have been claimed here after the stop handed back the rest
            return 0
        self._held.add(inbox_id)
        try:
            return await run_queued(inbox_id, command, self._run, lane=self._lane, chat=self._chat,
                                    now=self._clock, deliver=deliver)
        finally:
            self._held.discard(inbox_id)

    async def drop(self, inbox_id: int) -> None:
        """Marks a queued command done without running it (its member was told to try again)."""
        await self._lane.record(Completion(inbox_id, self._clock()))

    async def sweep(self) -> None:
        """Renews the holds of the commands running here (every third of a lease), takes back the holds of dead
        processes of this host, and starts running the commands nobody holds, unless a run of them is under way."""
        now = self._clock()
        if self._renewed_at is None or now - self._renewed_at >= self.lease / 3:
            await self.take_back()
        if not self._stopping and (self._sweeper is None or self._sweeper.done()):
            if self._sweeper is not None and not self._sweeper.cancelled() and self._sweeper.exception():
                log.warning("running queued commands failed: %s", self._sweeper.exception())
            self._sweeper = asyncio.create_task(self.run_unheld())

    async def take_back(self) -> None:
        """Renews the holds of the commands running here and frees those of dead processes of this host."""
        now = self._clock()
        async with self._store.unit_of_work() as uow:
            await uow.inbox.renew(sorted(self._held), now + self.lease)
            dead = sorted(t for t in await uow.inbox.claim_tokens(now) if self.identity.held_by_the_dead(t))
            freed = await uow.inbox.release_claims(dead)
            await uow.commit()
        self._renewed_at = now
        if freed:
            log.info("took back %d queued commands held by processes of this host that are gone", freed)

    async def run_unheld(self, limit: int | None = None) -> int:
        """Runs queued commands that nobody holds (e.g. left by a crash), oldest first, telling each member the
        reply privately; returns how many ran."""
        ran = 0
        while (limit is None or ran < limit) and not self._stopping:
            token = self.identity.new_token()
            async with self._store.unit_of_work() as uow:
                claimed = await uow.inbox.claim_next(self._clock(), self.lease, token)
                await uow.commit()
            if claimed is None:
                break
            inbox_id, command = claimed
            log.info("running a /prep command queued before a stop", extra={"inbox": inbox_id})
            await self.run_queued(inbox_id, replace(command, retried=True))
            ran += 1
        return ran

    async def stop(self, timeout: float) -> None:
        """Starts no more queued commands and hands back at once those this process queued and has not begun, so
        another process runs them on its next tick; lets the ones under way finish (for at most `timeout` seconds)."""
        self._stopping = True
        try:
            await self.hand_back()
        except Exception as error:  # the database is away, say: the holds lapse with their lease instead
            log.warning("could not hand back the queued commands not begun here: %s", error)
        if self._sweeper is not None and not self._sweeper.done():
            await asyncio.wait({self._sweeper}, timeout=timeout)

    async def hand_back(self) -> int:
        """Frees this process's holds on queued commands it is not running; returns how many."""
        now = self._clock()
        async with self._store.unit_of_work() as uow:
            mine = sorted(t for t in await uow.inbox.claim_tokens(now) if self.identity.made(t))
            freed = await uow.inbox.release_claims(mine, keep=sorted(self._held))
            await uow.commit()
        if freed:
            log.info("handed back %d queued /prep commands not begun here", freed)
        return freed
