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
from bot.cards import Card, Notice, NoticeKind
from bot.domain.model import ChannelAddress, Speaker
from bot.domain.timeparse import ParseError, parse_duration
from bot.messages import (
    AnswerCommand,
    AnswerOutcome,
    AnswerPrivately,
    CastVote,
    EditAnswer,
    Ignored,
    RetractVote,
    RunCommand,
    SubmitAnswer,
    VotingClosed,
    WithdrawAnswer,
)
from bot.ports import SettableClock
from bot.wording import private_answer_receipt, reply_change_reply, vote_reply

CHANNEL = ChannelAddress("console", "local", "console")
CHANNEL_NAME = "console"

CONSOLE_HELP = """\
Console lines:
  :as NAME              speak as member NAME from now on
  :advance DURATION     let time pass (30m, 8h, 2d); everything due in between happens, in order
  :at YYYY-MM-DD HH:MM  jump to that local time
  :vote NAME            react to NAME's answer in the open thread (:unvote NAME takes it back)
  :answer TEXT          answer the open question privately (again: replace your private answer)
  :edit TEXT            replace your last reply in the open thread
  :delete               delete your last reply in the open thread
  :thread ROUND [TEXT]  reply in another round's thread (without TEXT: make it the open thread)
  :now                  show the time;  :help  this text;  :quit  leave
  # ...                 a comment: skipped (for scripts and pasted tours)
  /prep ...             a prepbot command (/prep help lists them)
  anything else         a reply in the open thread: the most recent question's"""


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

    def _error(self, text: str) -> None:
        self.chat.show_private(self.speaker.ref, Notice(text, NoticeKind.ERROR))

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
            self._error("There is no question to answer yet: try /prep random, or :advance until the next one.")
            return
        ref = self.chat.new_ref()
        self.chat.replies[ref] = (thread[1], self.member)
        self._replies.append(_Reply(ref, thread[1], self.member))
        outcome = await self._answer(SubmitAnswer(CHANNEL, thread[1], ref, self.speaker, text, self.clock.now()))
        if isinstance(outcome, Ignored):
            self._error(f"Not counted as an answer: {outcome.reason}.")

    def _last_reply(self, author: str, thread: str) -> _Reply | None:
        for reply in reversed(self._replies):
            if reply.author.lower() == author.lower() and reply.thread == thread:
                return reply
        return None

    async def _travel(self, target: datetime) -> None:
        if target < self.clock.now():
            self._error(f"The clock does not go back: it is {self.now_text()} already.")
            return
        await self.bot.run_until(target, self.clock)
        self.chat.show_private(self.speaker.ref, Notice(f"It is {self.now_text()} now."))

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
            self._error(f"'{stripped.split()[0]}' is not a command here; commands start with /prep.")
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
            self.chat.show_private(self.speaker.ref, Notice(CONSOLE_HELP))
        elif word == ":now":
            self.chat.show_private(self.speaker.ref, Notice(f"It is {self.now_text()}."))
        elif word == ":as":
            if not rest or len(rest) > 40:
                self._error("Usage: :as NAME (a name up to 40 characters)")
            else:
                self.member = rest
                self.chat.show_private(self.speaker.ref, Notice(f"You are {rest} now."))
        elif word == ":advance":
            try:
                await self._travel(self.clock.now() + parse_duration(rest))
            except ParseError as error:
                self._error(f"{error}. Usage: :advance DURATION")
        elif word == ":at":
            try:
                target = datetime.strptime(rest, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(self.tz))
            except ValueError:
                self._error(f"'{rest}' is not a local time. Usage: :at YYYY-MM-DD HH:MM")
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
            self._error(f"'{word}' is not a console line. :help lists them.")
        return True

    async def _vote(self, name: str, cast: bool) -> None:
        thread = await self._open_thread()
        target = self._last_reply(name, thread[1]) if thread and name else None
        if target is None:
            self._error(f"No answer by '{name}' in the open thread to react to.")
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
            self._error("You have no reply in the open thread to change.")
            return
        if delete:
            outcome = await self._answer(WithdrawAnswer(CHANNEL, target.ref, self.clock.now()))
            self._replies.remove(target)
            self.chat.show_private(self.speaker.ref, reply_change_reply(outcome))
        elif not text:
            self._error("Usage: :edit TEXT")
        else:
            outcome = await self._answer(EditAnswer(CHANNEL, target.ref, text, self.clock.now()))
            self.chat.show_private(self.speaker.ref, reply_change_reply(outcome))

    async def _answer_privately(self, text: str) -> None:
        """A private answer to the open question: only its author is told it was saved."""
        thread = await self._open_thread()
        if thread is None:
            self._error("There is no question to answer yet: try /prep random, or :advance until the next one.")
            return
        if not text:
            self._error("Usage: :answer TEXT")
            return
        outcome = await self._answer(AnswerPrivately(CHANNEL, thread[1], self.speaker, text, self.clock.now()))
        self.chat.show_private(self.speaker.ref, private_answer_receipt(outcome))

    async def _thread(self, rest: str) -> None:
        head, _, text = rest.partition(" ")
        if not head.isdigit():
            self._error("Usage: :thread ROUND_ID [TEXT]")
            return
        thread = await self.bot.thread_of(CHANNEL, int(head))
        if thread is None:
            self._error(f"There is no posted round {head} in this channel.")
            return
        if text.strip():
            await self._reply(text, thread)
        else:
            latest = await self.bot.thread_of(CHANNEL)
            self._pinned, self._pinned_behind = thread, latest[0] if latest else None
            self.chat.show_private(self.speaker.ref, Notice(f"Replies go to round {head}'s thread now."))

    async def run(self, source: TextIO, interactive: bool) -> None:
        if interactive:
            try:
                import readline  # noqa: F401  (line editing and history for input())
            except ImportError:
                pass
            self.chat.show_private(self.speaker.ref, Notice(
                f"prepbot console: you are '{self.member}', it is {self.now_text()}. :help lists what you can type."
            ))
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
