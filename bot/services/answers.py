"""Answers: replies in a round's thread, stored in groups with one commit each and acknowledged after it."""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from bot.cards import Notice, Reaction
from bot.domain.model import ChannelAddress, Member, Round, RoundStatus, Speaker
from bot.messages import (
    AnswerAccepted,
    AnswerCommand,
    AnswerEdited,
    AnswerOutcome,
    AnswerWithdrawn,
    EditAnswer,
    Ignored,
    SubmitAnswer,
    WithdrawAnswer,
)
from bot.ports import ChatError, ChatPort
from bot.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("prepbot.answers")
MAX_BATCH = 500


def visible_text(text: str) -> str:
    """`text` without format characters such as zero-width spaces, stripped."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """At most `limit` characters of `text`, and whether it was cut."""
    if len(text) <= limit:
        return text, False
    return text[:limit], True


class _LruCache(OrderedDict[Any, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self._size = size

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self._size:
            self.popitem(last=False)


@dataclass
class _Pending:
    command: AnswerCommand
    future: asyncio.Future[AnswerOutcome]


class AnswerIngest:
    """Takes answer commands from any number of callers and writes them in order, many per transaction.

    `handle()` returns only after the command's transaction committed, then acknowledges the answer in the chat.
    """

    def __init__(self, store: Store, chat: ChatPort, answer_max_chars: int) -> None:
        self._store = store
        self._chat = chat
        self._limit = answer_max_chars
        self._queue: list[_Pending] = []
        self._writer: asyncio.Task[None] | None = None
        self._channels: _LruCache = _LruCache(10_000)  # ChannelAddress -> channel id
        self._rounds: _LruCache = _LruCache(10_000)  # (channel id, thread ref) -> Round
        self._members: _LruCache = _LruCache(100_000)  # (platform, workspace, ref) -> Member

    async def handle(self, command: AnswerCommand) -> AnswerOutcome:
        """Stores the command durably and returns what happened; raises if the database write failed."""
        future: asyncio.Future[AnswerOutcome] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(command, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        outcome = await future
        await self._acknowledge(command, outcome)
        return outcome

    async def _acknowledge(self, command: AnswerCommand, outcome: AnswerOutcome) -> None:
        if not isinstance(command, SubmitAnswer) or not isinstance(outcome, AnswerAccepted):
            return
        reaction = Reaction.ACCEPTED if outcome.on_time else Reaction.LATE
        try:
            await self._chat.react(command.channel, command.message_ref, reaction)
            if outcome.truncated_to is not None and not outcome.repeated:
                await self._chat.tell_member(command.channel, command.speaker.ref, Notice(
                    f"Your answer was {len(command.text):,} characters; I kept the first {outcome.truncated_to:,}."
                ))
        except ChatError as error:
            log.warning("could not acknowledge answer %s: %s", command.message_ref, error)

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                outcomes, learned = await self._write(batch)
            except Exception as error:  # the whole group rolled back: nothing in it was acknowledged
                log.exception("storing %d answer commands failed", len(batch))
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(error)
                continue
            for cache, key, value in learned:
                cache.put(key, value)
            for item, outcome in zip(batch, outcomes):
                if not item.future.done():
                    item.future.set_result(outcome)

    async def _write(self, batch: list[_Pending]) -> tuple[list[AnswerOutcome], list[tuple[_LruCache, Any, Any]]]:
        learned: list[tuple[_LruCache, Any, Any]] = []
        outcomes: list[AnswerOutcome | None] = [None] * len(batch)
        async with self._store.unit_of_work() as uow:
            rows: list[tuple[int, dict[str, Any], AnswerAccepted]] = []

            async def flush() -> None:
                new = await uow.answers.add_many([row for _, row, _ in rows])
                for index, row, accepted in rows:
                    repeated = f"{row['round_id']}:{row['message_ref']}" not in new
                    outcomes[index] = AnswerAccepted(accepted.round_id, accepted.message_ref, accepted.on_time,
                                                     accepted.truncated_to, repeated)
                rows.clear()

            for index, item in enumerate(batch):
                command = item.command
                if isinstance(command, SubmitAnswer):
                    result = await self._prepare(uow, command, learned)
                    if isinstance(result, Ignored):
                        outcomes[index] = result
                    else:
                        rows.append((index, *result))
                else:
                    await flush()
                    outcomes[index] = await self._change(uow, command, learned)
            await flush()
            await uow.commit()
        return [o if o is not None else Ignored("not processed") for o in outcomes], learned

    async def _channel_id(
        self, uow: UnitOfWork, address: ChannelAddress, learned: list[tuple[_LruCache, Any, Any]]
    ) -> int | None:
        channel_id: int | None = self._channels.get(address)
        if channel_id is None:
            channel = await uow.channels.find(address)
            if channel is None:
                return None
            channel_id = channel.id
            learned.append((self._channels, address, channel_id))
        return channel_id

    async def _round(
        self, uow: UnitOfWork, channel_id: int, thread_ref: str, learned: list[tuple[_LruCache, Any, Any]]
    ) -> Round | None:
        key = (channel_id, thread_ref)
        round_: Round | None = self._rounds.get(key)
        if round_ is None:
            round_ = await uow.rounds.by_message(channel_id, thread_ref)
            if round_ is not None and round_.deadline_at is not None:
                learned.append((self._rounds, key, round_))
        return round_

    async def _prepare(
        self, uow: UnitOfWork, command: SubmitAnswer, learned: list[tuple[_LruCache, Any, Any]]
    ) -> Ignored | tuple[dict[str, Any], AnswerAccepted]:
        if command.speaker.is_bot:
            return Ignored("written by a bot")
        channel_id = await self._channel_id(uow, command.channel, learned)
        if channel_id is None:
            return Ignored("not a channel prepbot knows")
        round_ = await self._round(uow, channel_id, command.thread_ref, learned)
        if round_ is None or round_.deadline_at is None or round_.status is RoundStatus.PENDING:
            return Ignored("not a round's thread")
        if not visible_text(command.text):
            return Ignored("empty reply")
        member = await self._member(uow, command.channel, command.speaker.ref, command.speaker.name, learned)
        text, cut = truncate(command.text.strip(), self._limit)
        on_time = round_.is_on_time(command.received_at)
        row = {
            "round_id": round_.id,
            "member_id": member.id,
            "message_ref": command.message_ref,
            "text": text,
            "scored_text": text if on_time else "",
            "on_time": on_time,
            "truncated": cut,
            "received_at": command.received_at,
        }
        return row, AnswerAccepted(round_.id, command.message_ref, on_time, self._limit if cut else None)

    async def _member(
        self, uow: UnitOfWork, channel: ChannelAddress, ref: str, name: str, learned: list[tuple[_LruCache, Any, Any]]
    ) -> Member:
        key = (channel.platform, channel.workspace, ref)
        member: Member | None = self._members.get(key)
        if member is None or member.display_name != name:
            member = await uow.members.upsert(channel.platform, channel.workspace, Speaker(ref, name))
            learned.append((self._members, key, member))
        return member

    async def _change(
        self, uow: UnitOfWork, command: EditAnswer | WithdrawAnswer, learned: list[tuple[_LruCache, Any, Any]]
    ) -> AnswerOutcome:
        channel_id = await self._channel_id(uow, command.channel, learned)
        if channel_id is None:
            return Ignored("not a channel prepbot knows")
        part = await uow.answers.by_message(channel_id, command.message_ref)
        if part is None:
            return Ignored("not an answer")
        round_ = await uow.rounds.get(part.round_id)
        if isinstance(command, WithdrawAnswer) or not visible_text(command.text):
            at = command.withdrawn_at if isinstance(command, WithdrawAnswer) else command.edited_at
            await uow.answers.withdraw(part.id, at)
            return AnswerWithdrawn(round_.id, command.message_ref)
        text, cut = truncate(command.text.strip(), self._limit)
        counts = part.on_time and round_.is_on_time(command.edited_at)
        await uow.answers.edit(part.id, text, text if counts else part.scored_text, cut, command.edited_at)
        return AnswerEdited(round_.id, command.message_ref, counts)
