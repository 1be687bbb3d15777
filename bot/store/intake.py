"""The arrivals lane: what arrives at once is written in groups, one commit each.

What arrives: answers, commands to queue, commands done and acknowledgements (group commit).

Whatever arrives while a group is being written waits for the next group, so a burst costs a few commits instead of
one per arrival, and a lone arrival is written at once. Every caller returns only after its arrival was committed
(or raises when it was not).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Generic, NamedTuple, Protocol, TypeVar

from bot.clock import one_loop_pass
from bot.domain.model import ChannelAddress
from bot.logs import error_line
from bot.messages import AnswerOutcome, AnswerPrivately, EditAnswer, Ignored, RunCommand, SubmitAnswer, WithdrawAnswer
from bot.store.engine import store_unavailable

if TYPE_CHECKING:  # the repositories store this module's rows
    from bot.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("prepbot.answers")
MAX_BATCH = 500


class ArrivingPart(NamedTuple):
    """A reply admitted as part of a member's answer, as it is stored."""

    round_id: int
    member_id: int
    message_ref: str
    text: str
    scored_text: str  # what counts for the score: the text when on time, else nothing
    on_time: bool
    truncated: bool
    received_at: datetime


class CommandToQueue(NamedTuple):
    """A slash command to keep in the inbox until it has run, held by the claim token `holder` until `held_until`;
    `dedupe_key` names the platform's delivery, so a retried delivery is queued once."""

    command: RunCommand
    dedupe_key: str
    at: datetime
    held_until: datetime
    holder: str | None = None


class Completion(NamedTuple):
    """A queued command that has run (or will not)."""

    inbox_id: int
    at: datetime


class Acknowledgement(NamedTuple):
    """A stored reply that was acknowledged in the chat."""

    round_id: int
    message_ref: str


class MissedAcknowledgement(NamedTuple):
    """A stored reply whose acknowledgement was never made (its process stopped first), with what it is owed."""

    channel: ChannelAddress
    round_id: int
    message_ref: str
    on_time: bool
    author_ref: str
    exposed: bool  # a thread reply to a question answered privately: its author is told it is public


class Admitted(NamedTuple):
    """A reply the lane stored, and whether it was new (False: a retried delivery of one stored before)."""

    part: ArrivingPart
    new: bool


Group = TypeVar("Group")
Change = EditAnswer | WithdrawAnswer | AnswerPrivately  # what changes a stored answer rather than adding a reply


class AnswerRules(Protocol[Group]):
    """What the answer service decides as each answer arrives, in the transaction of the group it arrived with.

    A group's work (what it looked up, the members it created) is collected in a `Group` of the rules' own, and
    kept only once the group is committed."""

    def new_group(self) -> Group: ...

    async def admit(self, uow: UnitOfWork, command: SubmitAnswer, group: Group) -> ArrivingPart | Ignored:
        """The part to store for a reply, or why it is not one."""
        ...

    async def change(self, uow: UnitOfWork, command: Change, group: Group) -> AnswerOutcome:
        """Applies an edit or a withdrawal of a stored reply, or a member's private answer, which replaces their
        earlier one (it sees the replies arrived before it)."""
        ...

    def committed(self, group: Group) -> None:
        """The group's transaction was committed."""
        ...


@dataclass(slots=True)
class _Submitted:
    command: SubmitAnswer
    future: asyncio.Future[Admitted | Ignored]


@dataclass(slots=True)
class _Changed:
    command: Change
    future: asyncio.Future[AnswerOutcome]


@dataclass(slots=True)
class _Queued:
    row: CommandToQueue
    future: asyncio.Future[int | None]


@dataclass(slots=True)
class _Done:
    row: Completion | Acknowledgement
    future: asyncio.Future[None]


_Arrival = _Submitted | _Changed | _Queued | _Done



class ArrivalsLane(Generic[Group]):
    """Takes arrivals from any number of callers and writes them in order, up to `max_batch` per transaction."""

    def __init__(self, store: Store, rules: AnswerRules[Group], max_batch: int = MAX_BATCH) -> None:
        self._store = store
        self._rules = rules
        self._max_batch = max_batch
        self._waiting: list[_Arrival] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, command: SubmitAnswer) -> Admitted | Ignored:
        """Stores a reply if the rules admit it; returns after the commit."""
        future: asyncio.Future[Admitted | Ignored] = asyncio.get_running_loop().create_future()
        self._arrive(_Submitted(command, future))
        return await future

    async def change(self, command: Change) -> AnswerOutcome:
        """Edits or withdraws a stored reply, or stores a member's private answer, by the rules; returns after the
        commit."""
        future: asyncio.Future[AnswerOutcome] = asyncio.get_running_loop().create_future()
        self._arrive(_Changed(command, future))
        return await future

    async def queue(self, row: CommandToQueue) -> int | None:
        """Queues a slash command; its inbox id, or None when the same delivery was queued before. Returns after the
        commit."""
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._arrive(_Queued(row, future))
        return await future

    async def record(self, row: Completion | Acknowledgement) -> None:
        """Records that a queued command is done, or that a reply was acknowledged; returns after the commit."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._arrive(_Done(row, future))
        await future

    def _arrive(self, arrival: _Arrival) -> None:
        self._waiting.append(arrival)
        if self._writer is None or self._writer.done():
            # A context of its own: its log lines are about the group, not about whoever happened to start it.
            self._writer = asyncio.create_task(self._drain(), context=contextvars.Context())

    async def _drain(self) -> None:
        while self._waiting:
            if len(self._waiting) < self._max_batch:
                # One pass of the event loop first: the arrivals it is reading right now join this commit instead
                # of waiting for the next one (fewer, larger commits under load; no wait worth measuring when idle).
                await one_loop_pass()
            group, self._waiting = self._waiting[:self._max_batch], self._waiting[self._max_batch:]
            await self._write_apart(group)

    async def _write_apart(self, group: list[_Arrival]) -> Exception | None:
        """Writes `group` in one commit. If the store refuses it, each half is written on its own, and so on, so
        that only the arrivals the store refuses by themselves fail, not those that came with them (a few more
        commits, in order). When the store itself cannot take writes now, nothing more is tried: every arrival
        left fails, and the error is returned."""
        try:
            await self._write(group)
        except Exception as error:  # the whole group rolled back: nothing in it was stored
            if store_unavailable(error):
                self._fail(group, error)
                return error
            if len(group) == 1:
                self._fail(group, error)
                return None
            log.warning("storing %d arrivals together failed (%s); storing them apart", len(group),
                        type(error).__name__)
            middle = len(group) // 2
            unavailable = await self._write_apart(group[:middle])
            if unavailable is not None:
                self._fail(group[middle:], unavailable)
                return unavailable
            return await self._write_apart(group[middle:])
        return None

    async def _write(self, group: list[_Arrival]) -> None:
        """Writes `group` in one transaction, then resolves each arrival; raises, with nothing resolved, if it
        failed."""
        work = self._rules.new_group()
        admitted: list[tuple[_Submitted, Admitted | Ignored]] = []
        changed: list[tuple[_Changed, AnswerOutcome]] = []
        parts: list[tuple[_Submitted, ArrivingPart]] = []
        queued: list[_Queued] = []
        done: list[_Done] = []
        async with self._store.unit_of_work() as uow:
            for arrival in group:
                if isinstance(arrival, _Submitted):
                    part = await self._rules.admit(uow, arrival.command, work)
                    if isinstance(part, Ignored):
                        admitted.append((arrival, part))
                    else:
                        parts.append((arrival, part))
                elif isinstance(arrival, _Changed):
                    await _store_parts(uow, parts, admitted)  # a change may be to a reply that came just before
                    changed.append((arrival, await self._rules.change(uow, arrival.command, work)))
                elif isinstance(arrival, _Queued):
                    queued.append(arrival)
                else:
                    done.append(arrival)
            # Answers and slash commands never depend on each other: the rest of the group is written in one go.
            await _store_parts(uow, parts, admitted)
            ids = await uow.inbox.add_many([arrival.row for arrival in queued])
            completions = [arrival.row for arrival in done if isinstance(arrival.row, Completion)]
            for at in {row.at for row in completions}:
                await uow.inbox.complete_many([row.inbox_id for row in completions if row.at == at], at)
            await uow.answers.mark_acknowledged([row for arrival in done if isinstance(row := arrival.row,
                                                                                        Acknowledgement)])
            await uow.commit()
        self._rules.committed(work)
        for submitted, result in admitted:
            _resolve(submitted.future, result)
        for change, outcome in changed:
            _resolve(change.future, outcome)
        for arrival in queued:
            _resolve(arrival.future, ids.pop(arrival.row.dedupe_key, None))
        for arrival in done:
            _resolve(arrival.future, None)

    @staticmethod
    def _fail(group: Sequence[_Arrival], error: Exception) -> None:
        """Each arrival of `group` raises `error` to its caller: nothing of it was stored (an answer's platform is
        told so, and delivers it again)."""
        refs = [arrival.command.message_ref if isinstance(arrival, (_Submitted, _Changed)) else type(arrival.row).__name__
                for arrival in group]
        log.error("storing %d answer commands failed (%s): %s: %s", len(group),
                  ", ".join(refs[:5]) + (" ..." if len(refs) > 5 else ""), type(error).__name__, error_line(error))
        for arrival in group:
            if not arrival.future.done():
                arrival.future.set_exception(error)


async def _store_parts(uow: UnitOfWork, parts: list[tuple[_Submitted, ArrivingPart]],
                       admitted: list[tuple[_Submitted, Admitted | Ignored]]) -> None:
    """Stores the parts collected so far in one statement and moves them to `admitted`, each marked new unless it
    was stored before (a retried delivery, or one earlier in the group)."""
    if not parts:
        return
    new = await uow.answers.add_many([part for _, part in parts])
    for submitted, part in parts:
        key = (part.round_id, part.message_ref)
        admitted.append((submitted, Admitted(part, key in new)))
        new.discard(key)
    parts.clear()


T = TypeVar("T")


def _resolve(future: asyncio.Future[T], result: T) -> None:
    if not future.done():  # a caller that gave up waiting (cancelled) is not told
        future.set_result(result)
