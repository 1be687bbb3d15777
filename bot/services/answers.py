"""Answers: the rules of a reply in a round's thread, and the acknowledgement that follows once it is stored.

The rules say which round a reply belongs to, its limits, and what an edit does."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.cards import Reaction
from bot.domain.model import ChannelAddress, Round, RoundStatus, Speaker
from bot.messages import (
    AnswerAccepted,
    AnswerCommand,
    AnswerEdited,
    AnswerOutcome,
    AnswerPrivately,
    AnswersClosed,
    AnswerWithdrawn,
    EditAnswer,
    Ignored,
    SubmitAnswer,
    WithdrawAnswer,
)
from bot.ports import ChatError, ChatPort, Metrics, PlatformUnavailable
from bot.services.directory import Directory, Learned, LruCache
from bot.store.intake import Acknowledgement, Admitted, ArrivalsLane, ArrivingPart, Change
from bot.store.unit_of_work import Store, UnitOfWork
from bot.wording import answer_cut_notice, exposed_reply_notice

log = logging.getLogger("prepbot.answers")


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


def storable_speaker(speaker: Speaker) -> Speaker:
    """`speaker` with a storable name."""
    name = storable(speaker.name)
    return speaker if name is speaker.name else replace(speaker, name=name)


def storable_answer(command: AnswerCommand) -> AnswerCommand:
    """`command` with what the member wrote (the text, their name) made storable."""
    if isinstance(command, SubmitAnswer | AnswerPrivately):
        text, speaker = storable(command.text), storable_speaker(command.speaker)
        if text is command.text and speaker is command.speaker:
            return command
        return replace(command, text=text, speaker=speaker)
    if isinstance(command, EditAnswer):
        text = storable(command.text)
        return command if text is command.text else replace(command, text=text)
    return command


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """At most `limit` characters of `text`, and whether it was cut."""
    if len(text) <= limit:
        return text, False
    return text[:limit], True


@dataclass
class AnswerGroup:
    """What the rules found out while a group of arrivals was written: kept once it is committed."""

    learned: Learned = field(default_factory=Learned)
    rounds: list[tuple[tuple[int, str], Round]] = field(default_factory=list)


class AnswerRules:
    """Which round a reply belongs to, whether it is an answer, how much of it is kept, and what an edit or a
    deletion changes. Applied by the arrivals lane, in the transaction that stores the reply."""

    def __init__(self, answer_max_chars: int, directory: Directory) -> None:
        self._limit = answer_max_chars
        self._directory = directory
        self._rounds: LruCache[tuple[int, str], Round] = LruCache(10_000)  # (channel id, thread ref) -> Round
        self._private_rounds: LruCache[int, bool] = LruCache(10_000)  # ids of rounds answered privately seen here

    def new_group(self) -> AnswerGroup:
        return AnswerGroup()

    def committed(self, group: AnswerGroup) -> None:
        self._directory.remember(group.learned)
        for key, round_ in group.rounds:
            self._rounds.put(key, round_)

    async def admit(self, uow: UnitOfWork, command: SubmitAnswer, group: AnswerGroup) -> ArrivingPart | Ignored:
        if command.speaker.is_bot:
            return Ignored("written by a bot")
        channel_id = await self._directory.channel_id(uow, command.channel, group.learned)
        if channel_id is None:
            return Ignored("not a channel prepbot knows")
        round_ = await self._round(uow, channel_id, command.thread_ref, group)
        if round_ is None or round_.deadline_at is None or round_.status is RoundStatus.PENDING:
            return Ignored("not a round's thread")
        if not visible_text(command.text):
            return Ignored("empty reply")
        member = await self._directory.member(uow, command.channel, command.speaker, group.learned)
        text, cut = truncate(command.text.strip(), self._limit)
        on_time = round_.is_on_time(command.received_at)
        if round_.private:  # a round never changes its mode: remembered for the reply's acknowledgement
            self._private_rounds.put(round_.id, True)
        return ArrivingPart(round_.id, member.id, command.message_ref, text, text if on_time else "", on_time, cut,
                            command.received_at)

    async def change(self, uow: UnitOfWork, command: Change, group: AnswerGroup) -> AnswerOutcome:
        if isinstance(command, AnswerPrivately):
            return await self._answer_privately(uow, command, group)
        channel_id = await self._directory.channel_id(uow, command.channel, group.learned)
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

    async def _answer_privately(self, uow: UnitOfWork, command: AnswerPrivately, group: AnswerGroup
                                ) -> AnswerOutcome:
        """Stores a member's private answer to a round still open, replacing their earlier one; the same text given
        again (a form sent twice) changes nothing, and an empty one withdraws it. Stored acknowledged: the reply to
        the form is its acknowledgement, and no message in the chat is marked."""
        channel_id = await self._directory.channel_id(uow, command.channel, group.learned)
        if channel_id is None:
            return Ignored("not a channel prepbot knows")
        round_ = await self._round(uow, channel_id, command.thread_ref, group)
        if round_ is None or round_.deadline_at is None or round_.status is RoundStatus.PENDING:
            return Ignored("not a round's thread")
        if round_.status is RoundStatus.CLOSED or not round_.is_on_time(command.received_at):
            return AnswersClosed(round_.id)
        ref = command.message_ref
        existing = await uow.answers.in_round(round_.id, ref)
        if not visible_text(command.text):
            if existing is None or existing.withdrawn_at is not None:
                return Ignored("empty reply")
            await uow.answers.withdraw(existing.id, command.received_at)
            return AnswerWithdrawn(round_.id, ref)
        text, cut = truncate(command.text.strip(), self._limit)
        truncated_to = self._limit if cut else None
        if existing is None:
            member = await self._directory.member(uow, command.channel, command.speaker, group.learned)
            part = ArrivingPart(round_.id, member.id, ref, text, text, True, cut, command.received_at)
            if await uow.answers.add_many([part]):
                await uow.answers.mark_acknowledged([Acknowledgement(round_.id, ref)])
                return AnswerAccepted(round_.id, ref, True, truncated_to)
            existing = await uow.answers.in_round(round_.id, ref)  # stored meanwhile, by another process
            assert existing is not None
        if existing.text == text and existing.withdrawn_at is None:
            return AnswerAccepted(round_.id, ref, True, truncated_to, repeated=True)
        await uow.answers.replace(existing.id, text, cut, command.received_at)
        return AnswerEdited(round_.id, ref, True)

    async def _round(self, uow: UnitOfWork, channel_id: int, thread_ref: str, group: AnswerGroup) -> Round | None:
        key = (channel_id, thread_ref)
        round_ = self._rounds.get(key)
        if round_ is None:
            round_ = await uow.rounds.by_message(channel_id, thread_ref)
            if round_ is not None and round_.deadline_at is not None:
                group.rounds.append((key, round_))
        return round_

    def accepted(self, admitted: Admitted) -> AnswerAccepted:
        """What the member is told of a reply the lane stored."""
        part = admitted.part
        return AnswerAccepted(part.round_id, part.message_ref, part.on_time, self._limit if part.truncated else None,
                              repeated=not admitted.new,
                              exposed=self._private_rounds.get(part.round_id) is not None)


class Answers:
    """Replies, edits and deletions in a round's thread: stored through the arrivals lane by the rules, counted
    when the store accepts them, then acknowledged in the chat."""

    def __init__(self, lane: ArrivalsLane[Any], rules: AnswerRules, store: Store, chat: ChatPort,
                 metrics: Metrics) -> None:
        self._lane = lane
        self._rules = rules
        self._store = store
        self._chat = chat
        self._metrics = metrics

    async def take(self, command: AnswerCommand) -> AnswerOutcome:
        """Stores the command durably and returns what happened; raises if the database write failed."""
        command = storable_answer(command)
        outcome: AnswerOutcome
        if isinstance(command, SubmitAnswer):
            admitted = await self._lane.submit(command)
            if isinstance(admitted, Ignored):
                outcome = admitted
            else:
                outcome = self._rules.accepted(admitted)
                if admitted.new:
                    self._metrics.answer_accepted(command.channel.platform, outcome.on_time)
        else:
            outcome = await self._lane.change(command)
            if isinstance(command, AnswerPrivately) and isinstance(outcome, AnswerAccepted) and not outcome.repeated:
                self._metrics.answer_accepted(command.channel.platform, True)
        if log.isEnabledFor(logging.DEBUG):  # what members wrote is theirs: only at debug level
            text = command.text if isinstance(command, (SubmitAnswer, EditAnswer, AnswerPrivately)) else ""
            log.debug("%s: %s %r", type(command).__name__, type(outcome).__name__, text,
                      extra={"platform": command.channel.platform, "workspace": command.channel.workspace,
                             "channel": command.channel.channel, "round": getattr(outcome, "round_id", None),
                             "message_ref": command.message_ref})
        return outcome

    def follow_up(self, command: AnswerCommand, outcome: AnswerOutcome) -> Callable[[], Awaitable[None]] | None:
        """The acknowledgement a stored answer is owed in the chat, to run once its platform has had its response;
        None when it is owed none. A delivery of an answer stored before is not marked again: the first delivery's
        acknowledgement does that (or, if the process stopped first, the start-up's catch-up)."""
        if not isinstance(command, SubmitAnswer) or not isinstance(outcome, AnswerAccepted) or outcome.repeated:
            return None

        async def acknowledge() -> None:
            await self._acknowledge(command, outcome)

        return acknowledge

    async def _acknowledge(self, command: SubmitAnswer, outcome: AnswerAccepted) -> None:
        """Marks an accepted answer with a reaction and tells the member what they are owed (that the reply is
        public, that it was cut), then records that it did: a stop before the record leaves it for the start-up's
        catch-up, which owes the same. Failures of the platform are logged."""
        if not await self._react(command.channel, command.message_ref, outcome.on_time):
            return
        if outcome.exposed:
            await self._tell_exposed(command.channel, command.speaker.ref, command.message_ref)
        if outcome.truncated_to is not None:
            try:
                await self._chat.tell_member(command.channel, command.speaker.ref,
                                             answer_cut_notice(outcome.truncated_to))
            except ChatError as error:
                log.warning("could not tell the author of answer %s it was cut: %s", command.message_ref, error)
        await self._lane.record(Acknowledgement(outcome.round_id, command.message_ref))

    async def acknowledge_missed(self, since: datetime) -> int:
        """Acknowledges the answers stored since `since` whose reaction was never made (the process stopped
        between storing and acknowledging them), telling the authors of public replies to private questions what
        they were not told; returns how many."""
        async with self._store.unit_of_work() as uow:
            missed = await uow.answers.unacknowledged(since)
        for answer in missed:
            if not await self._react(answer.channel, answer.message_ref, answer.on_time):
                continue
            if answer.exposed:
                await self._tell_exposed(answer.channel, answer.author_ref, answer.message_ref)
            await self._lane.record(Acknowledgement(answer.round_id, answer.message_ref))
        return len(missed)

    async def _react(self, channel: ChannelAddress, message_ref: str, on_time: bool) -> bool:
        """Reacts to a stored reply; False when the platform is away and the reply is left for the next catch-up."""
        try:
            await self._chat.react(channel, message_ref, Reaction.ACCEPTED if on_time else Reaction.LATE)
        except PlatformUnavailable as error:  # left unmarked: the next catch-up acknowledges it
            log.warning("could not acknowledge answer %s yet: %s", message_ref, error)
            return False
        except ChatError as error:  # the message is gone, say: nothing more to do for it either way
            log.warning("could not acknowledge answer %s: %s", message_ref, error)
        return True

    async def _tell_exposed(self, channel: ChannelAddress, author_ref: str, message_ref: str) -> None:
        try:
            await self._chat.tell_member(channel, author_ref, exposed_reply_notice())
        except ChatError as error:
            log.warning("could not tell the author of answer %s it is public: %s", message_ref, error)
