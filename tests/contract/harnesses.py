"""One harness per ChatPort implementation: builds it, and reads back what a person would see."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

import discord

from adapters.console.chat import ConsoleChat
from adapters.console.render import render
from adapters.discord.chat import REACTIONS, DiscordChat
from adapters.discord.connect import point_at
from adapters.discord.settings import DiscordSettings
from adapters.slack.chat import REACTION_NAMES, SingleWorkspaceTokens, SlackChat, SlackClients
from bot.cards import Reaction
from bot.clock import FakeClock
from bot.domain.model import ChannelAddress
from bot.ports import ChatPort
from tests.fakes.chat import FakeChat
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack


@dataclass(frozen=True)
class Seen:
    """A message as a person sees it: its text, the thread it is in, who alone may see it."""

    text: str
    thread: str | None = None
    private_to: str | None = None


@dataclass(frozen=True)
class Picture:
    """A picture as a person gets it: its bytes, its file name, and the thread it is in (None: the channel)."""

    data: bytes = field(repr=False)
    filename: str
    thread: str | None = None


class Harness(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def chat(self) -> ChatPort: ...

    @property
    def channel(self) -> ChannelAddress: ...

    @property
    def admin(self) -> str: ...

    @property
    def member(self) -> str: ...

    def messages(self) -> list[Seen]: ...

    def reactions_on(self, message_ref: str) -> list[Reaction]: ...

    def pictures(self) -> list[Picture]: ...

    def direct_messages(self, member: str) -> list[str]:
        """The texts sent to `member` directly, outside the channel."""
        ...


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

    def pictures(self) -> list[Picture]:
        return [Picture(image.data, image.filename, posted.thread_ref) for posted, image in self.chat.images()]

    def direct_messages(self, member: str) -> list[str]:
        return [render(card) for ref, card in self.chat.direct if ref == member]


@dataclass
class ConsoleHarness:
    name: str = "console"
    channel: ChannelAddress = ChannelAddress("console", "local", "console")
    admin: str = "anyone"
    member: str = "anyone"
    out: io.StringIO = field(default_factory=io.StringIO)
    charts_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="console-charts-")))
    chat: ConsoleChat = field(init=False)

    def __post_init__(self) -> None:
        clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc))
        self.chat = ConsoleChat(clock=clock, tz="UTC", out=self.out, as_json=True, charts_dir=self.charts_dir)

    def close(self) -> None:
        """Removes the folder the charts were written to."""
        shutil.rmtree(self.charts_dir, ignore_errors=True)

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
                             member))  # type: ignore[arg-type]  # a line shown to one member names them
        return seen

    def direct_messages(self, member: str) -> list[str]:
        prefix = f"(direct message to {member}) "
        return [str(r["text"]).removeprefix(prefix) for r in self._records()
                if r.get("member") == member and str(r["text"]).startswith(prefix)]

    def reactions_on(self, message_ref: str) -> list[Reaction]:
        marks = {"✅": Reaction.ACCEPTED, "⏰": Reaction.LATE}
        return [marks[str(r["text"])[0]] for r in self._records()
                if r["kind"] == "ack" and r.get("message") == message_ref]

    def pictures(self) -> list[Picture]:
        """The files the console wrote, read back from the paths it printed."""
        return [Picture(Path(str(r["chart"])).read_bytes(), Path(str(r["chart"])).name, r.get("thread"))  # type: ignore[arg-type]
                for r in self._records() if "chart" in r]


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

    def direct_messages(self, member: str) -> list[str]:
        return [slack_readable(m.text, m.blocks) for m in self.slack.direct_messages(self.channel.workspace, member)]

    def pictures(self) -> list[Picture]:
        """The files shared in the channel (uploaded through the fake's upload URL)."""
        return [Picture(f.data, f.filename, f.thread_ts) for f in self.slack.files if self.channel.channel in f.channels]


def discord_readable(content: str, embeds: list[dict[str, Any]]) -> str:
    """What a member reads in a Discord message: its content, then each embed's title, description and fields."""
    parts = [content]
    for embed in embeds:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
    return "\n".join(p for p in parts if p)


@dataclass
class DiscordHarness:
    """DiscordChat posting through a real discord.py client to a FakeDiscord guild; `running()` starts and stops it.

    A plain discord.Client, not PrepClient: the contract drives the ChatPort alone, with no core to hand events to.
    """

    name: str = "discord"
    channel: ChannelAddress = ChannelAddress("discord", "111", "301")
    admin: str = "201"
    member: str = "202"
    discord: FakeDiscord = field(default_factory=FakeDiscord)
    chat: DiscordChat = field(init=False)

    @asynccontextmanager
    async def running(self) -> AsyncIterator["DiscordHarness"]:
        async with self.discord as fake:
            fake.add_guild(self.channel.workspace, "Acme")
            fake.add_member(self.channel.workspace, self.admin, "ada", manage_guild=True)
            fake.add_member(self.channel.workspace, self.member, "ben")
            fake.add_channel(self.channel.workspace, self.channel.channel, "general")
            point_at(DiscordSettings(discord_token=fake.token, discord_api_url=fake.api_url,
                                     discord_gateway_url=fake.gateway_url))
            client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
            await client.login(fake.token)
            task = asyncio.create_task(client.connect(reconnect=False))
            try:
                await asyncio.wait_for(client.wait_until_ready(), 10)
                self.chat = DiscordChat(client)
                yield self
            finally:
                await client.close()
                with suppress(BaseException):
                    await asyncio.wait_for(task, 5)

    def messages(self) -> list[Seen]:
        fake, channel = self.discord, self.channel.channel
        seen = [Seen(discord_readable(m.content, m.embeds)) for m in fake.messages.get(channel, []) if not m.deleted]
        for thread in fake.threads.values():
            if thread.parent_id == channel:
                seen += [Seen(discord_readable(m.content, m.embeds), thread.id)
                         for m in fake.messages.get(thread.id, []) if not m.deleted]
        for user in (self.admin, self.member):  # no ephemeral messages outside interactions: a DM is private
            seen += [Seen(discord_readable(m.content, m.embeds), None, user)
                     for m in fake.messages.get(fake.dm_channel(user), [])]
        return seen

    def pictures(self) -> list[Picture]:
        """The attachments of the bot's messages in the channel and its threads, each shown by an embed of its
        message (`attachment://` its file name)."""
        fake, channel = self.discord, self.channel.channel
        places: list[tuple[str | None, str]] = [(None, channel)]
        places += [(thread.id, thread.id) for thread in fake.threads.values() if thread.parent_id == channel]
        found = []
        for thread, where in places:
            for message in fake.messages.get(where, []):
                if message.deleted:
                    continue
                shown = {str((embed.get("image") or {}).get("url") or "") for embed in message.embeds}
                for attachment in message.attachments:
                    assert f"attachment://{attachment['filename']}" in shown, (attachment, message.embeds)
                    found.append(Picture(message.files[attachment["id"]], attachment["filename"], thread))
        return found

    def direct_messages(self, member: str) -> list[str]:
        return [discord_readable(m.content, m.embeds) for m in self.discord.messages.get(
            self.discord.dm_channel(member), []) if not m.deleted]

    def reactions_on(self, message_ref: str) -> list[Reaction]:
        channel, _, message = message_ref.rpartition("/")
        by_emoji = {emoji: reaction for reaction, emoji in REACTIONS.items()}
        return [by_emoji[emoji] for emoji, user in self.discord.reactions(channel or self.channel.channel, message)
                if user == self.discord.bot_user_id and emoji in by_emoji]
