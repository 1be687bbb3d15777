"""The core as adapters see it: one object whose methods take commands and return events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot.cards import HelpCard, HomeCard
from bot.config import Settings
from bot.domain.model import Channel, ChannelAddress, Speaker, is_private_ref
from bot.judging import Judge
from bot.messages import AnswerCommand, AnswerOutcome, CastVote, CommandReply, RetractVote, RunCommand, VoteOutcome, \
    VotingClosed
from bot.logs import log_context
from bot.ports import ChatPort, Clock, Metrics, NoMetrics, SettableClock
from bot.questions import QuestionBank
from bot.services.answers import Answers
from bot.services.commands import help_card as help_card_of, run_command
from bot.services.directory import Directory
from bot.services.claims import ProcessIdentity
from bot.services.inbox import CommandInbox, Deliver
from bot.services.due import DueWork, next_due_at
from bot.services.home import home_for
from bot.services.planning import repair_plans
from bot.services.private_answers import AnswerForm, answer_form
from bot.services.votes import record_vote, tell_voter
from bot.services.welcome import WelcomeClaimed, WelcomeOutcome, claim_welcome, post_welcome
from bot.services.workspaces import stop_workspace
from bot.store.engine import upgrade
from bot.store.intake import ArrivalsLane
from bot.store.unit_of_work import Store

log = logging.getLogger("prepbot")
MISSED_ACKNOWLEDGEMENTS = timedelta(days=1)  # how far back start-up looks for answers left without their reaction
STOP_TIMEOUT = 5.0  # seconds a stop lets the platform calls under way finish

Outcome = TypeVar("Outcome", covariant=True)
Result = TypeVar("Result", covariant=True)


@dataclass(frozen=True)
class Handled(Generic[Outcome, Result]):
    """What the core did with what a platform reported (`outcome`, committed before the platform is answered),
    and the work that follows once the platform has had its response: `follow_up`, None when nothing follows.
    Every platform runs the follow-up; one that answers within a deadline may defer it behind a burst."""

    outcome: Outcome
    follow_up: Callable[[], Coroutine[Any, Any, Result]] | None = None


@dataclass(frozen=True)
class OpenThread:
    """A round still taking answers: where its thread is, and the replies already stored from it."""

    channel: ChannelAddress
    round_id: int
    thread_ref: str
    stored: frozenset[str]  # message refs of the replies already stored (withdrawn ones included)
    kept: Mapping[str, str] = field(default_factory=dict)  # message ref -> text, of the stored replies not withdrawn


@dataclass
class PrepBot:
    """Everything wired: bootstrap builds it, adapters and the scheduler call it."""

    store: Store
    chat: ChatPort
    clock: Clock
    bank: QuestionBank
    settings: Settings
    answers: Answers
    lane: ArrivalsLane[Any]  # the arrivals lane the answers and the command inbox write through
    directory: Directory
    monotonic: Callable[[], float]  # seconds on a clock that never goes back (the outer ring's), to time and bound work
    metrics: Metrics = field(default_factory=NoMetrics)
    identity: ProcessIdentity = field(default_factory=ProcessIdentity.current)
    judge: Judge | None = None  # the AI judge, when one is configured
    due: DueWork = field(init=False)
    inbox: CommandInbox = field(init=False)
    _background: set[asyncio.Task[None]] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.due = DueWork(store=self.store, chat=self.chat, bank=self.bank, settings=self.settings,
                           clock=self.clock.now, monotonic=self.monotonic, metrics=self.metrics,
                           identity=self.identity, judge=self.judge)
        self.inbox = CommandInbox(self._run_command, store=self.store, lane=self.lane, chat=self.chat,
                                  clock=self.clock.now, lease=self.settings.claim_lease, identity=self.identity)

    async def start(self) -> None:
        """Upgrades the schema, plans any missing work, runs the commands queued before a stop and what became due
        while the bot was down (taking back at once what a crashed incarnation of this process held). Answers left
        without their reaction are acknowledged afterwards, in the background: that may take minutes under the
        platform's rate limits, and nothing waits for it."""
        await self.prepare()
        await self.catch_up()

    async def prepare(self) -> None:
        """Upgrades the schema and plans any missing work: what must be done before anything is served. Talks to no
        platform."""
        await upgrade(self.store.engine)
        async with self.store.unit_of_work() as uow:
            repaired = await repair_plans(uow, self.clock.now())
            await uow.commit()
        if repaired:
            log.info("planned work for %d channels", repaired)

    async def catch_up(self) -> None:
        """Runs what was left when the bot stopped: queued commands, due work, and in the background the answers
        left without their acknowledgement. Call it once the platforms are connected: it talks to them."""
        await self.inbox.take_back()  # what a crashed incarnation of this process held
        await self.run_queued_commands()  # acknowledged before a stop, not yet run
        self._in_background(self._acknowledge_missed())
        await self.run_due()

    async def acknowledge_missed(self) -> None:
        """Acknowledges the answers of the last day stored without their reaction (the process stopped, or the
        platform was away, in between)."""
        await self._acknowledge_missed()

    def _in_background(self, work: Awaitable[None]) -> None:
        job = asyncio.ensure_future(work)
        self._background.add(job)
        job.add_done_callback(self._background.discard)

    async def _acknowledge_missed(self) -> None:
        try:
            missed = await self.answers.acknowledge_missed(self.clock.now() - MISSED_ACKNOWLEDGEMENTS)
        except Exception:
            log.exception("acknowledging the answers stored before a stop failed; the next start tries again")
            return
        if missed:
            log.info("acknowledged %d answers stored before a stop", missed)

    async def caught_up(self) -> None:
        """Waits for the catch-up that `start` left running in the background (answers' missed reactions)."""
        if self._background:
            await asyncio.wait(set(self._background))

    async def tick(self) -> int:
        """What the waker calls every tick: renews this process's claims, takes back those of dead processes of
        this host, claims due work into the free slots, and runs the queued commands nobody holds. Returns at once
        (the work runs in the background); raises when the store fails."""
        try:
            started = await self.due.step()
            await self.inbox.sweep()
        except SQLAlchemyError:
            self.metrics.database_error()
            raise
        return started

    async def stop_work(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stops claiming at once: due work not yet at its platform call is handed back to other processes, calls
        under way finish (for at most `timeout` seconds) and are recorded; no more queued commands start."""
        await asyncio.gather(self.due.stop(timeout), self.inbox.stop(timeout))

    async def close(self) -> None:
        jobs = list(self._background)
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)  # each lets go of its connection before the store closes
        await self.store.close()

    async def handle_answer(self, command: AnswerCommand) -> Handled[AnswerOutcome, None]:
        """A reply, edit or deletion in a thread: returns once it is committed, with what happened and, for an
        accepted answer, its acknowledgement in the chat to follow (a reaction; it never raises for a platform's
        refusal). Raises if the database write failed."""
        try:
            outcome = await self.answers.take(command)  # the hot path: its one log line names the channel itself
        except SQLAlchemyError:
            self.metrics.database_error()
            raise
        acknowledge = self.answers.follow_up(command, outcome)
        if acknowledge is None:
            return Handled(outcome)

        async def follow_up() -> None:
            with log_context(command.channel, round_id=getattr(outcome, "round_id", None)):
                await acknowledge()

        return Handled(outcome, follow_up)

    async def answer_form(self, address: ChannelAddress, thread_ref: str, member_ref: str) -> AnswerForm | None:
        """What the private path of the round whose question started `thread_ref` shows member `member_ref` now:
        whether it is still open, and their private answer so far; None when the thread is not a round's. Answers
        given there go to `handle_answer` as AnswerPrivately."""
        return await answer_form(self.store, address, thread_ref, member_ref, self.clock.now())

    async def handle_vote(self, command: CastVote | RetractVote) -> Handled[VoteOutcome, None]:
        """A reaction added to or taken back from an answer; returns after it is committed. A voter whose round was
        already revealed is told so by the follow-up."""
        with log_context(command.channel):
            outcome = await record_vote(command, store=self.store)
        if not isinstance(outcome, VotingClosed):
            return Handled(outcome)
        closed = outcome

        async def follow_up() -> None:
            with log_context(command.channel):
                await tell_voter(self.chat, command, closed)

        return Handled(outcome, follow_up)

    async def handle_command(
        self, command: RunCommand, delivery: str | None = None, reply: Deliver | None = None
    ) -> Handled[int | None, int]:
        """A `/prep` command: queued durably first (returns after the commit, so the platform may then be told it
        was received), with its inbox id, or None when this delivery (`delivery`, the platform's id for it; None
        when the platform never delivers twice) was queued before. Its follow-up runs it and gives the member the
        reply, through `reply` or privately in the chat, returning how many cards the reply had."""
        inbox_id = await self.inbox.enqueue(command, delivery)
        if inbox_id is None:
            return Handled(None)

        async def follow_up() -> int:
            with log_context(command.channel):
                return await self.inbox.run_queued(inbox_id, command, reply)

        return Handled(inbox_id, follow_up)

    def help_card(self) -> HelpCard:
        """What `/prep help` shows, for a platform that answers it at once rather than queueing it: it reads and
        changes nothing."""
        return help_card_of(self.bank)

    async def drop_command(self, inbox_id: int) -> None:
        """Marks a queued command done without running it (its member was told to try again)."""
        await self.inbox.drop(inbox_id)

    async def _run_command(self, command: RunCommand) -> CommandReply:
        """Runs a queued command: what the inbox calls."""
        began = self.monotonic()
        try:
            with log_context(command.channel, command=command.text.split(" ", 1)[0] or "help"):
                return await run_command(command, store=self.store, chat=self.chat, bank=self.bank,
                                         settings=self.settings, now=self.clock.now(), directory=self.directory,
                                         judge=self.judge)
        except SQLAlchemyError:
            self.metrics.database_error()
            raise
        finally:
            self.metrics.command_ran(command.channel.platform, self.monotonic() - began)

    async def start_new_channel(self, address: ChannelAddress, speaker: Speaker, channel_name: str, tz: str,
                                reply: Deliver) -> bool:
        """Subscribes a channel the core does not know yet, as `speaker` would by commands: the default schedule in
        zone `tz` and, when an AI judge is configured, graded by it. Each command is queued and run like any other,
        its reply given through `reply`. Returns False, doing nothing, for a channel it knows."""
        if await self.find_channel(address) is not None:
            return False
        texts = [f"subscribe {tz}"] + (["config grader ai"] if self.judge is not None else [])
        for text in texts:
            handled = await self.handle_command(RunCommand(address, speaker, text, channel_name), reply=reply)
            if handled.follow_up is not None:
                await handled.follow_up()
        return True

    async def find_channel(self, address: ChannelAddress) -> Channel | None:
        async with self.store.unit_of_work() as uow:
            return await uow.channels.find(address)

    async def thread_of(self, address: ChannelAddress, round_id: int | None = None) -> tuple[int, str] | None:
        """The round id and question message of round `round_id` in the channel (the latest posted when None)."""
        async with self.store.unit_of_work() as uow:
            channel = await uow.channels.find(address)
            if channel is None:
                return None
            round_ = await (uow.rounds.find(round_id) if round_id is not None else uow.rounds.latest_posted(channel.id))
        if round_ is None or round_.channel_id != channel.id or round_.message_ref is None:
            return None
        return round_.id, round_.message_ref

    async def open_threads(self, platform: str) -> list[OpenThread]:
        """The threads of the rounds on `platform` still taking answers, each with the replies already stored: what
        an adapter reads again after it could not listen (a restart, a lost session), to hand on what it missed.
        Private answers, which have no message in the thread, are left out."""
        async with self.store.unit_of_work() as uow:
            found = []
            for address, round_ in await uow.rounds.open_on(platform):
                assert round_.message_ref is not None
                parts = [p for p in await uow.answers.for_round(round_.id) if not is_private_ref(p.message_ref)]
                found.append(OpenThread(address, round_.id, round_.message_ref,
                                        frozenset(p.message_ref for p in parts),
                                        {p.message_ref: p.text for p in parts if p.withdrawn_at is None}))
        return found

    async def workspace_removed(self, platform: str, workspace: str) -> int:
        """The bot was removed from a workspace: every channel's schedule there stops (history and points are
        kept). Returns how many channels were subscribed."""
        with log_context(platform=platform, workspace=workspace):
            return await stop_workspace(platform, workspace, store=self.store)

    async def welcome(self, channel: ChannelAddress) -> Handled[WelcomeOutcome, str | None]:
        """The bot was added to `channel` (on Slack, invited to it; on Discord, added to a server, `channel` being
        where it speaks there). Returns once the welcome is claimed (committed), with the card's post to follow;
        a channel welcomed before, or subscribed already, gets none (Ignored, nothing follows). The follow-up
        returns the card's message ref, or None when the platform refused it (the next time the bot is added
        there tries again). A channel is never welcomed twice. Raises if the database write failed."""
        with log_context(channel):
            try:
                outcome = await claim_welcome(channel, store=self.store, now=self.clock.now())
            except SQLAlchemyError:
                self.metrics.database_error()
                raise
        if not isinstance(outcome, WelcomeClaimed):
            return Handled(outcome)

        async def follow_up() -> str | None:
            with log_context(channel):
                return await post_welcome(channel, store=self.store, chat=self.chat, clock=self.clock.now)

        return Handled(outcome, follow_up)

    async def home_for(self, platform: str, workspace: str, member: Speaker) -> HomeCard:
        """The member's own page in `workspace`: their stats in the channels they play in, and each subscribed
        channel's schedule there."""
        with log_context(platform=platform, workspace=workspace):
            return await home_for(platform, workspace, member, store=self.store, now=self.clock.now())

    async def run_queued_commands(self, limit: int | None = None) -> int:
        """Runs queued commands and tells each member the reply privately; returns how many ran."""
        return await self.inbox.run_unheld(limit)

    async def run_due(self) -> int:
        """Runs all work due now (and what falls due meanwhile), until none is left; returns how many tasks ran."""
        try:
            return await self.due.drain()
        except SQLAlchemyError:
            self.metrics.database_error()
            raise

    async def next_due(self) -> datetime | None:
        return await next_due_at(self.store)

    async def run_until(self, target: datetime, clock: SettableClock) -> int:
        """Moves `clock` to `target`, running everything that comes due on the way, in order."""
        ran = 0
        while True:
            due = await self.next_due()
            if due is None or due > target:
                break
            clock.set(max(due, clock.now()))
            count = await self.run_due()
            ran += count
            if count == 0 and due <= clock.now():
                # Something due is held by another worker's claim; step past it rather than spin.
                clock.set(min(target, clock.now() + timedelta(minutes=1)))
                if clock.now() >= target:
                    break
        clock.set(max(target, clock.now()))
        return ran + await self.run_due()
