"""One harness per ChatPort implementation: builds it, and reads back what a person would see."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

from adapters.console.chat import ConsoleChat
from adapters.console.render import render
from adapters.slack.chat import REACTION_NAMES, SingleWorkspaceTokens, SlackChat, SlackClients
from bot.cards import Reaction
from bot.clock import FakeClock
from bot.domain.model import ChannelAddress
from bot.ports import ChatPort
from tests.fakes.chat import FakeChat
from tests.fakes.slack import FakeSlack


@dataclass(frozen=True)
class Seen:
    """A message as a person sees it: its text, the thread it is in, who alone may see it."""

    text: str
    thread: str | None = None
    private_to: str | None = None


class Harness(Protocol):
    name: str
    chat: ChatPort
    channel: ChannelAddress
    admin: str
    member: str

    def messages(self) -> list[Seen]: ...

    def reactions_on(self, message_ref: str) -> list[Reaction]: ...


@dataclass
class FakeHarness:
    name: str = "fake"
    channel: ChannelAddress = ChannelAddress("fake", "w1", "c1")
    admin: str = "u-admin"
    member: str = "u-member"
    chat: FakeChat = field(default_factory=FakeChat)

    def __post_init__(self) -> None:
        self.chat.admins.add(self.admin)

    def messages(self) -> list[Seen]:
        latest = {ref: card for ref, card in self.chat.updates}
        return [Seen(render(latest.get(p.ref, p.card)), p.thread_ref, p.private_to) for p in self.chat.posts]

    def reactions_on(self, message_ref: str) -> list[Reaction]:
        return [r for ref, r in self.chat.reactions if ref == message_ref]


@dataclass
class ConsoleHarness:
    name: str = "console"
    channel: ChannelAddress = ChannelAddress("console", "local", "console")
    admin: str = "anyone"
    member: str = "anyone"
    out: io.StringIO = field(default_factory=io.StringIO)
    chat: ConsoleChat = field(init=False)

    def __post_init__(self) -> None:
        clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc))
        self.chat = ConsoleChat(clock=clock, tz="UTC", out=self.out, as_json=True)

    def _records(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.out.getvalue().splitlines()]

    def messages(self) -> list[Seen]:
        seen = []
        for record in self._records():
            if record["kind"] == "ack":
                continue
            text = str(record["text"])
            member = record.get("member")
            seen.append(Seen(text, record.get("thread") if record["kind"] != "question" else None,  # type: ignore[arg-type]
                             member if record["kind"] in {"reply", "error"} else None))  # type: ignore[arg-type]
        return seen

    def reactions_on(self, message_ref: str) -> list[Reaction]:
        marks = {"✅": Reaction.ACCEPTED, "⏰": Reaction.LATE}
        return [marks[str(r["text"])[0]] for r in self._records()
                if r["kind"] == "ack" and r.get("message") == message_ref]


def slack_readable(text: str, blocks: list[Any] | None) -> str:
    """What a member reads in a Slack message: the text of its blocks, or its plain text when it has none."""
    parts: list[str] = []
    for block in blocks or []:
        if isinstance(block.get("text"), dict):
            parts.append(str(block["text"].get("text", "")))
        for element in block.get("elements", []) or []:
            if isinstance(element, dict) and "text" in element:
                parts.append(str(element["text"]))
    return "\n".join(parts) or text


@dataclass
class SlackHarness:
    """SlackChat posting through the real Web API client to a FakeSlack workspace; `running()` starts and stops it."""

    name: str = "slack"
    channel: ChannelAddress = ChannelAddress("slack", "T1", "C1")
    admin: str = "UADA"
    member: str = "UBEN"
    slack: FakeSlack = field(default_factory=FakeSlack)
    chat: SlackChat = field(init=False)

    @asynccontextmanager
    async def running(self) -> AsyncIterator["SlackHarness"]:
        async with self.slack:
            self.slack.add_workspace("T1", name="Acme")
            self.slack.add_user("T1", self.admin, "ada", is_admin=True)
            self.slack.add_user("T1", self.member, "ben")
            self.slack.add_channel("T1", self.channel.channel, "general")
            clients = SlackClients(f"{self.slack.url}/api/")
            self.chat = SlackChat(SingleWorkspaceTokens("xoxb-T1", clients), clients, channel_interval=0.0)
            yield self

    def messages(self) -> list[Seen]:
        posted = [Seen(slack_readable(m.text, m.blocks), m.thread_ts, None)
                  for m in self.slack.messages.get(self.channel.channel, [])]
        private = [Seen(slack_readable(e.text, e.blocks), e.thread_ts, e.user)
                   for e in self.slack.ephemerals if e.channel == self.channel.channel]
        return posted + private

    def reactions_on(self, message_ref: str) -> list[Reaction]:
        by_name = {name: reaction for reaction, name in REACTION_NAMES.items()}
        bot = self.slack.workspace(self.channel.workspace).bot_user_id
        return [by_name[name] for name, user in self.slack.reactions(self.channel.channel, message_ref)
                if user == bot and name in by_name]
