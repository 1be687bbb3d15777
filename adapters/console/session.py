"""The console session: reads lines (interactive or a script), turns them into commands for the core."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from adapters.console.chat import ConsoleChat
from bot.app import PrepBot
from bot.cards import Card, Notice
from bot.domain.model import ChannelAddress, Speaker
from bot.domain.timeparse import ParseError, parse_duration
from bot.messages import (
    AnswerCommand,
    AnswerOutcome,
    AnswerPrivately,
    CastVote,
    EditAnswer,
    RetractVote,
    RunCommand,
    SubmitAnswer,
    VotingClosed,
    WithdrawAnswer,
)
from bot.ports import SettableClock
from bot.wording import (
    CONSOLE_HELP,
    console_clock_goes_forward,
    console_greeting,
    console_no_answer_by,
    console_no_question,
    console_no_reply_to_change,
    console_no_round,
    console_not_a_command,
    console_not_a_line,
    console_not_a_local_time,
    console_reply_receipt,
    console_speaker,
    console_thread_chosen,
    console_time,
    console_usage,
    private_answer_receipt,
    reply_change_reply,
    vote_reply,
)

CHANNEL = ChannelAddress("console", "local", "console")
CHANNEL_NAME = "console"


@dataclass
class _Reply:
    ref: str
    thread: str
    author: str


class ConsoleSession:
    def __init__(self, bot: PrepBot, chat: ConsoleChat, clock: SettableClock, tz: str, member: str) -> None:
        self.bot = bot
        self.chat = chat
        self.clock = clock
        self.tz = tz
        self.member = member
        self._replies: list[_Reply] = []
        self._pinned: tuple[int, str] | None = None
        self._pinned_behind: int | None = None

    @property
    def speaker(self) -> Speaker:
        return Speaker(self.member.lower(), self.member)

    def _tell(self, notice: Notice) -> None:
        """Shows the member speaking what the core's words say to them."""
        self.chat.show_private(self.speaker.ref, notice)

    async def ensure_subscribed(self) -> None:
        """A new console channel starts subscribed in the console's zone, as the core starts a new channel; the
        replies are printed."""
        speaker = self.speaker

        async def show(card: Card) -> None:
            self.chat.show_private(speaker.ref, card)

        await self.bot.start_new_channel(CHANNEL, speaker, CHANNEL_NAME, self.tz, show)

    async def _open_thread(self) -> tuple[int, str] | None:
        latest = await self.bot.thread_of(CHANNEL)
        if self._pinned is not None and latest is not None and latest[0] == self._pinned_behind:
            return self._pinned
        self._pinned = None
        return latest

    async def _command(self, text: str) -> None:
        """Queues the command like every platform's, and runs it at once: its reply is printed before the next
        line is read."""
        speaker = self.speaker

        async def show(card: Card) -> None:
            self.chat.show_private(speaker.ref, card)

        handled = await self.bot.handle_command(RunCommand(CHANNEL, speaker, text, CHANNEL_NAME), reply=show)
        if handled.follow_up is not None:
            await handled.follow_up()

    async def _answer(self, command: AnswerCommand) -> AnswerOutcome:
        handled = await self.bot.handle_answer(command)
        if handled.follow_up is not None:
            await handled.follow_up()
        return handled.outcome

    async def _reply(self, text: str, thread: tuple[int, str] | None) -> None:
        if thread is None:
            self._tell(console_no_question())
            return
        ref = self.chat.new_ref()
        self.chat.replies[ref] = (thread[1], self.member)
        self._replies.append(_Reply(ref, thread[1], self.member))
        outcome = await self._answer(SubmitAnswer(CHANNEL, thread[1], ref, self.speaker, text, self.clock.now()))
        receipt = console_reply_receipt(outcome)
        if receipt is not None:
            self._tell(receipt)

    def _last_reply(self, author: str, thread: str) -> _Reply | None:
        for reply in reversed(self._replies):
            if reply.author.lower() == author.lower() and reply.thread == thread:
                return reply
        return None

    async def _travel(self, target: datetime) -> None:
        if target < self.clock.now():
            self._tell(console_clock_goes_forward(self.now_text()))
            return
        await self.bot.run_until(target, self.clock)
        self._tell(console_time(self.now_text(), travelled=True))

    def now_text(self) -> str:
        return f"{self.clock.now().astimezone(ZoneInfo(self.tz)):%a %d %b %Y %H:%M} {self.tz}"

    async def handle_line(self, line: str) -> bool:
        """Handles one line; returns False when the session should end."""
        line = line.rstrip("\n")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return True
        if stripped.startswith("/prep"):
            await self._command(stripped[len("/prep"):].strip())
            return True
        if stripped.startswith("/"):
            self._tell(console_not_a_command(stripped.split()[0]))
            return True
        if not stripped.startswith(":"):
            await self._reply(line, await self._open_thread())
            return True
        word, _, rest = stripped.partition(" ")
        rest = rest.strip()
        return await self._console_command(word.lower(), rest)

    async def _console_command(self, word: str, rest: str) -> bool:
        if word == ":quit":
            return False
        if word == ":help":
            self._tell(Notice(CONSOLE_HELP))
        elif word == ":now":
            self._tell(console_time(self.now_text()))
        elif word == ":as":
            if not rest or len(rest) > 40:
                self._tell(console_usage(":as"))
            else:
                self.member = rest
                self._tell(console_speaker(rest))
        elif word == ":advance":
            try:
                await self._travel(self.clock.now() + parse_duration(rest))
            except ParseError as error:
                self._tell(console_usage(":advance", str(error)))
        elif word == ":at":
            try:
                target = datetime.strptime(rest, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(self.tz))
            except ValueError:
                self._tell(console_not_a_local_time(rest))
            else:
                await self._travel(target)
        elif word in {":vote", ":unvote"}:
            await self._vote(rest, word == ":vote")
        elif word == ":answer":
            await self._answer_privately(rest)
        elif word in {":edit", ":delete"}:
            await self._change(rest, word == ":delete")
        elif word == ":thread":
            await self._thread(rest)
        else:
            self._tell(console_not_a_line(word))
        return True

    async def _vote(self, name: str, cast: bool) -> None:
        thread = await self._open_thread()
        target = self._last_reply(name, thread[1]) if thread and name else None
        if target is None:
            self._tell(console_no_answer_by(name))
            return
        command_type = CastVote if cast else RetractVote
        handled = await self.bot.handle_vote(command_type(CHANNEL, target.ref, self.speaker, "+1", self.clock.now()))
        if handled.follow_up is not None:
            await handled.follow_up()  # a vote after the reveal: the voter is told so
        if not isinstance(handled.outcome, VotingClosed):
            self.chat.show_private(self.speaker.ref, vote_reply(handled.outcome, target.author, cast))

    async def _change(self, text: str, delete: bool) -> None:
        thread = await self._open_thread()
        target = self._last_reply(self.member, thread[1]) if thread else None
        if target is None:
            self._tell(console_no_reply_to_change())
            return
        if delete:
            outcome = await self._answer(WithdrawAnswer(CHANNEL, target.ref, self.clock.now()))
            self._replies.remove(target)
            self.chat.show_private(self.speaker.ref, reply_change_reply(outcome))
        elif not text:
            self._tell(console_usage(":edit"))
        else:
            outcome = await self._answer(EditAnswer(CHANNEL, target.ref, text, self.clock.now()))
            self.chat.show_private(self.speaker.ref, reply_change_reply(outcome))

    async def _answer_privately(self, text: str) -> None:
        """A private answer to the open question: only its author is told it was saved."""
        thread = await self._open_thread()
        if thread is None:
            self._tell(console_no_question())
            return
        if not text:
            self._tell(console_usage(":answer"))
            return
        outcome = await self._answer(AnswerPrivately(CHANNEL, thread[1], self.speaker, text, self.clock.now()))
        self.chat.show_private(self.speaker.ref, private_answer_receipt(outcome))

    async def _thread(self, rest: str) -> None:
        head, _, text = rest.partition(" ")
        if not head.isdigit():
            self._tell(console_usage(":thread"))
            return
        thread = await self.bot.thread_of(CHANNEL, int(head))
        if thread is None:
            self._tell(console_no_round(head))
            return
        if text.strip():
            await self._reply(text, thread)
        else:
            latest = await self.bot.thread_of(CHANNEL)
            self._pinned, self._pinned_behind = thread, latest[0] if latest else None
            self._tell(console_thread_chosen(head))

    async def run(self, source: TextIO, interactive: bool) -> None:
        if interactive:
            try:
                import readline  # noqa: F401  (line editing and history for input())
            except ImportError:
                pass
            self._tell(console_greeting(self.member, self.now_text()))
        while True:
            if interactive:
                try:
                    line = await asyncio.to_thread(input, f"{self.member}> ")
                except EOFError:
                    break
            else:
                line = await asyncio.to_thread(source.readline)
                if not line:
                    break
            if not await self.handle_line(line):
                break


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()
