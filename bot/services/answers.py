"""Answers: replies in a round's thread, stored in groups with one commit each and acknowledged after it."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any


from bot.cards import Notice, Reaction
from bot.clock import one_loop_pass
from bot.domain.model import ChannelAddress, Round, RoundStatus
from bot.messages import (
    AnswerAccepted,
    AnswerCommand,
    AnswerEdited,
    AnswerOutcome,
    AnswerWithdrawn,
    EditAnswer,
    Ignored,
    RunCommand,
    SubmitAnswer,
    WithdrawAnswer,
)
from bot.ports import ChatError, ChatPort, PlatformUnavailable
from bot.services.directory import Directory, Learned, LruCache
from bot.domain.model import Speaker
from bot.store.engine import store_unavailable
from bot.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("prepbot.answers")
MAX_BATCH = 500


def visible_text(text: str) -> str:
    """`text` without format characters such as zero-width spaces, stripped."""
    if text.isascii():  # no format characters there
        return text.strip()
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()


def storable(text: str) -> str:
    """`text` as every store can keep it: NUL characters removed (PostgreSQL refuses them) and lone surrogates
    (no encoding can hold them) replaced by U+FFFD; a surrogate pair written as two characters is joined."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text.replace("\x00", "") if "\x00" in text else text


def _storable_speaker(speaker: Speaker) -> Speaker:
    name = storable(speaker.name)
    return speaker if name is speaker.name else replace(speaker, name=name)


def storable_answer(command: AnswerCommand) -> AnswerCommand:
    """`command` with what the member wrote (the text, their name) made storable."""
    if isinstance(command, SubmitAnswer):
        text, speaker = storable(command.text), _storable_speaker(command.speaker)
        if text is command.text and speaker is command.speaker:
            return command
        return replace(command, text=text, speaker=speaker)
    if isinstance(command, EditAnswer):
        text = storable(command.text)
        return command if text is command.text else replace(command, text=text)
    return command


def storable_run(command: RunCommand) -> RunCommand:
    """`command` with what the member wrote (the text, their name, the channel's name) made storable."""
    text, speaker, name = storable(command.text), _storable_speaker(command.speaker), storable(command.channel_name)
    if text is command.text and speaker is command.speaker and name is command.channel_name:
        return command
    return replace(command, text=text, speaker=speaker, channel_name=name)


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """At most `limit` characters of `text`, and whether it was cut."""
    if len(text) <= limit:
        return text, False
    return text[:limit], True


@dataclass(frozen=True)
class _QueueCommand:
    command: RunCommand
    dedupe_key: str
    at: datetime
    held_until: datetime
    holder: str | None = None


@dataclass(frozen=True)
class _CommandQueued:
    inbox_id: int | None


@dataclass(frozen=True)
class _CompleteCommand:
    inbox_id: int
    at: datetime


@dataclass(frozen=True)
class _CommandCompleted:
    inbox_id: int


@dataclass(frozen=True)
class _MarkAcknowledged:
    round_id: int
    message_ref: str


@dataclass(frozen=True)
class _Marked:
    pass


_Intake = AnswerCommand | _QueueCommand | _CompleteCommand | _MarkAcknowledged
_IntakeOutcome = AnswerOutcome | _CommandQueued | _CommandCompleted | _Marked


@dataclass
class _Pending:
    command: _Intake
    future: asyncio.Future[_IntakeOutcome]


def _short(error: BaseException) -> str:
    """The first line of an error's message, without the SQL and its parameters (what members wrote)."""
    message = str(getattr(error, "orig", None) or error)
    return message.split("\n", 1)[0][:200]


class AnswerIngest:
    """Takes answer commands (and slash commands to queue) from any number of callers and writes them in order,
    many per transaction.

    `handle()` returns only after the command's transaction committed, then acknowledges the answer in the chat;
    `store()` returns after the commit and leaves the acknowledgement to the caller (`acknowledge()`).
    """

    def __init__(self, store: Store, chat: ChatPort, answer_max_chars: int, directory: Directory) -> None:
        self._store = store
        self._chat = chat
        self._limit = answer_max_chars
        self._directory = directory
        self._queue: list[_Pending] = []
        self._writer: asyncio.Task[None] | None = None
        self._rounds: LruCache[tuple[int, str], Round] = LruCache(10_000)  # (channel id, thread ref) -> Round
        self._arrivals = 0

    @property
    def arrivals(self) -> int:
        """How many answers and commands have arrived so far: work that waits can tell a burst is on."""
        return self._arrivals

    async def handle(self, command: AnswerCommand) -> AnswerOutcome:
        """Stores the command durably, acknowledges an accepted answer in the chat, and returns what happened;
        raises if the database write failed."""
        outcome = await self.store(command)
        await self.acknowledge(command, outcome)
        return outcome

    async def store(self, command: AnswerCommand) -> AnswerOutcome:
        """Stores the command durably and returns what happened, without acknowledging it in the chat; raises if
        the database write failed."""
        self._arrivals += 1
        outcome = await self._submit(storable_answer(command))
        assert not isinstance(outcome, (_CommandQueued, _CommandCompleted, _Marked))
        if log.isEnabledFor(logging.DEBUG):  # what members wrote is theirs: only at debug level
            text = command.text if isinstance(command, (SubmitAnswer, EditAnswer)) else ""
            log.debug("%s: %s %r", type(command).__name__, type(outcome).__name__, text,
                      extra={"platform": command.channel.platform, "workspace": command.channel.workspace,
                             "channel": command.channel.channel, "round": getattr(outcome, "round_id", None),
                             "message_ref": command.message_ref})
        return outcome

    async def queue_command(self, command: RunCommand, dedupe_key: str, at: datetime, held_until: datetime,
                            holder: str | None = None) -> int | None:
        """Stores a slash command in the inbox, held by the claim token `holder` until `held_until`; its id, or None
        if queued before."""
        self._arrivals += 1
        outcome = await self._submit(_QueueCommand(storable_run(command), dedupe_key, at, held_until, holder))
        assert isinstance(outcome, _CommandQueued)
        return outcome.inbox_id

    async def complete_command(self, inbox_id: int, at: datetime) -> None:
        """Marks a queued command done, in a commit shared with other arrivals; returns after the commit."""
        outcome = await self._submit(_CompleteCommand(inbox_id, at))
        assert isinstance(outcome, _CommandCompleted)

    async def _submit(self, item: _Intake) -> _IntakeOutcome:
        future: asyncio.Future[_IntakeOutcome] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(item, future))
        if self._writer is None or self._writer.done():
            # A context of its own: its log lines are about the batch, not about whoever happened to start it.
            self._writer = asyncio.create_task(self._drain(), context=contextvars.Context())
        return await future

    async def acknowledge(self, command: AnswerCommand, outcome: AnswerOutcome) -> None:
        """Marks an accepted answer with a reaction (and tells the member if it was cut), then records that it did;
        failures of the platform are logged. A delivery of an answer stored before is not marked again: the first
        delivery's acknowledgement does that (or, if the process stopped first, the start-up's catch-up)."""
        if not isinstance(command, SubmitAnswer) or not isinstance(outcome, AnswerAccepted) or outcome.repeated:
            return
        await self._react(command.channel, outcome.round_id, command.message_ref, outcome.on_time)
        if outcome.truncated_to is not None and not outcome.repeated:
            try:
                await self._chat.tell_member(command.channel, command.speaker.ref, Notice(
                    f"Your answer was {len(command.text):,} characters; I kept the first {outcome.truncated_to:,}."
                ))
            except ChatError as error:
                log.warning("could not tell the author of answer %s it was cut: %s", command.message_ref, error)

    async def acknowledge_missed(self, since: datetime) -> int:
        """Acknowledges the answers stored since `since` whose reaction was never made (the process stopped
        between storing and acknowledging them); returns how many."""
        async with self._store.unit_of_work() as uow:
            missed = await uow.answers.unacknowledged(since)
        for channel, round_id, message_ref, on_time in missed:
            await self._react(channel, round_id, message_ref, on_time)
        return len(missed)

    async def _react(self, channel: ChannelAddress, round_id: int, message_ref: str, on_time: bool) -> None:
        try:
            await self._chat.react(channel, message_ref, Reaction.ACCEPTED if on_time else Reaction.LATE)
        except PlatformUnavailable as error:  # left unmarked: the next catch-up acknowledges it
            log.warning("could not acknowledge answer %s yet: %s", message_ref, error)
            return
        except ChatError as error:  # the message is gone, say: nothing more to do for it either way
            log.warning("could not acknowledge answer %s: %s", message_ref, error)
        await self._submit(_MarkAcknowledged(round_id, message_ref))

    async def _drain(self) -> None:
        while self._queue:
            if len(self._queue) < MAX_BATCH:
                # One pass of the event loop first: the arrivals it is reading right now join this commit instead
                # of waiting for the next one (fewer, larger commits under load; no wait worth measuring when idle).
                await one_loop_pass()
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            await self._store_apart(batch)

    async def _store_apart(self, batch: list[_Pending]) -> Exception | None:
        """Writes `batch` in one commit. If the store refuses it, each half is written on its own, and so on, so
        that only the arrivals the store refuses by themselves fail, not those that came with them (a few more
        commits, in order). When the store itself cannot take writes now, nothing more is tried: every arrival
        left fails, and the error is returned."""
        try:
            await self._commit(batch)
        except Exception as error:  # the whole group rolled back: nothing in it was stored
            if store_unavailable(error):
                self._fail(batch, error)
                return error
            if len(batch) == 1:
                self._fail(batch, error)
                return None
            log.warning("storing %d arrivals together failed (%s); storing them apart", len(batch),
                        type(error).__name__)
            middle = len(batch) // 2
            unavailable = await self._store_apart(batch[:middle])
            if unavailable is not None:
                self._fail(batch[middle:], unavailable)
                return unavailable
            return await self._store_apart(batch[middle:])
        return None

    async def _commit(self, batch: list[_Pending]) -> None:
        """Writes `batch` in one transaction and resolves its futures; raises, with nothing resolved, if it
        failed."""
        learned = Learned()
        outcomes, rounds = await self._write(batch, learned)
        self._directory.remember(learned)
        for key, round_ in rounds:
            self._rounds.put(key, round_)
        for item, outcome in zip(batch, outcomes):
            if not item.future.done():
                item.future.set_result(outcome)

    @staticmethod
    def _fail(items: list[_Pending], error: Exception) -> None:
        """Each of `items` raises `error` to its caller: nothing of it was stored (an answer's platform is told
        so, and delivers it again)."""
        refs = [getattr(item.command, "message_ref", None) or type(item.command).__name__ for item in items]
        log.error("storing %d answer commands failed (%s): %s: %s", len(items),
                  ", ".join(map(str, refs[:5])) + (" ..." if len(refs) > 5 else ""), type(error).__name__,
                  _short(error))
        for item in items:
            if not item.future.done():
                item.future.set_exception(error)

    async def _write(
        self, batch: list[_Pending], learned: Learned
    ) -> tuple[list[_IntakeOutcome], list[tuple[tuple[int, str], Round]]]:
        rounds: list[tuple[tuple[int, str], Round]] = []
        outcomes: list[_IntakeOutcome | None] = [None] * len(batch)
        async with self._store.unit_of_work() as uow:
            rows: list[tuple[int, dict[str, Any], AnswerAccepted]] = []
            queued: list[tuple[int, _QueueCommand]] = []
            completed: list[tuple[int, _CompleteCommand]] = []
            marked: list[tuple[int, _MarkAcknowledged]] = []

            async def flush() -> None:
                new = await uow.answers.add_many([row for _, row, _ in rows])
                for index, row, accepted in rows:
                    key = f"{row['round_id']}:{row['message_ref']}"
                    repeated = key not in new  # a retried delivery: stored before, or earlier in this batch
                    new.discard(key)
                    outcomes[index] = AnswerAccepted(accepted.round_id, accepted.message_ref, accepted.on_time,
                                                     accepted.truncated_to, repeated)
                rows.clear()

            for index, item in enumerate(batch):
                command = item.command
                if isinstance(command, SubmitAnswer):
                    result = await self._prepare(uow, command, learned, rounds)
                    if isinstance(result, Ignored):
                        outcomes[index] = result
                    else:
                        rows.append((index, *result))
                elif isinstance(command, _QueueCommand):
                    queued.append((index, command))
                elif isinstance(command, _CompleteCommand):
                    completed.append((index, command))
                elif isinstance(command, _MarkAcknowledged):
                    marked.append((index, command))
                else:
                    await flush()
                    outcomes[index] = await self._change(uow, command, learned)
            # Slash commands and answers never depend on each other: the rest of the batch is written in one go.
            new, ids = await uow.intake.write_and_commit(
                [row for _, row, _ in rows],
                [(q.command, q.dedupe_key, q.at, q.held_until, q.holder) for _, q in queued],
                [(c.inbox_id, c.at) for _, c in completed],
                [(m.round_id, m.message_ref) for _, m in marked],
            )
            for index, row, accepted in rows:
                key = f"{row['round_id']}:{row['message_ref']}"
                repeated = key not in new  # a retried delivery: stored before, or earlier in this batch
                new.discard(key)
                outcomes[index] = AnswerAccepted(accepted.round_id, accepted.message_ref, accepted.on_time,
                                                 accepted.truncated_to, repeated)
            for index, q in queued:
                outcomes[index] = _CommandQueued(ids.pop(q.dedupe_key, None))
            for index, c in completed:
                outcomes[index] = _CommandCompleted(c.inbox_id)
            for index, _ in marked:
                outcomes[index] = _Marked()
        return [o if o is not None else Ignored("not processed") for o in outcomes], rounds

    async def _round(
        self, uow: UnitOfWork, channel_id: int, thread_ref: str, rounds: list[tuple[tuple[int, str], Round]]
    ) -> Round | None:
        key = (channel_id, thread_ref)
        round_ = self._rounds.get(key)
        if round_ is None:
            round_ = await uow.rounds.by_message(channel_id, thread_ref)
            if round_ is not None and round_.deadline_at is not None:
                rounds.append((key, round_))
        return round_

    async def _prepare(
        self, uow: UnitOfWork, command: SubmitAnswer, learned: Learned, rounds: list[tuple[tuple[int, str], Round]]
    ) -> Ignored | tuple[dict[str, Any], AnswerAccepted]:
        if command.speaker.is_bot:
            return Ignored("written by a bot")
        channel_id = await self._directory.channel_id(uow, command.channel, learned)
        if channel_id is None:
            return Ignored("not a channel prepbot knows")
        round_ = await self._round(uow, channel_id, command.thread_ref, rounds)
        if round_ is None or round_.deadline_at is None or round_.status is RoundStatus.PENDING:
            return Ignored("not a round's thread")
        if not visible_text(command.text):
            return Ignored("empty reply")
        member = await self._directory.member(uow, command.channel, command.speaker, learned)
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

    async def _change(self, uow: UnitOfWork, command: EditAnswer | WithdrawAnswer, learned: Learned) -> AnswerOutcome:
        channel_id = await self._directory.channel_id(uow, command.channel, learned)
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
