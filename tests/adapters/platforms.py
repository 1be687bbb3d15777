"""One small harness per chat platform for the adapter tests that hold on Slack and Discord alike.

A shared test takes the `platform` fixture (tests/adapters/conftest.py), runs once on each platform, and asks the
harness only for what differs: how the platform is told to refuse something, and what the platform then holds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from adapters.slack.chat import SingleWorkspaceTokens, SlackChat, SlackClients
from bot.domain.model import ChannelAddress
from bot.ports import ChatPort
from tests.contract.harnesses import DiscordHarness, SlackHarness
from tests.fakes.discord import P_ATTACH_FILES, P_READ_MESSAGE_HISTORY


class Platform(Protocol):
    name: str

    @property
    def chat(self) -> ChatPort: ...

    @property
    def channel(self) -> ChannelAddress: ...

    @property
    def violations(self) -> list[str]: ...

    def assert_no_chart_sent(self) -> None:
        """Nothing of a chart reached the platform."""

    def refusing_charts(self) -> AbstractAsyncContextManager[ChatPort]:
        """A chat whose board charts the platform refuses (used as `async with`)."""

    def assert_the_board_alone_without_its_chart(self, board_ref: str, shows: str) -> None:
        """The board `board_ref`, showing `shows`, is the one message in the channel, and no chart went with it."""

    def deny_reading_history(self) -> None:
        """The bot may no longer read the channel's history."""

    def history_reads(self) -> list[object]:
        """The calls that read the channel's history."""


class SlackPlatform:
    """SlackChat on the fake Slack: charts go through the external upload flow, history through conversations.*."""

    name = "slack"

    def __init__(self, harness: SlackHarness) -> None:
        self.harness = harness

    @property
    def chat(self) -> ChatPort:
        return self.harness.chat

    @property
    def channel(self) -> ChannelAddress:
        return self.harness.channel

    @property
    def violations(self) -> list[str]:
        return self.harness.slack.violations

    def assert_no_chart_sent(self) -> None:
        slack = self.harness
        assert slack.slack.calls_to("files.getUploadURLExternal") == [] and slack.slack.files == []

    @asynccontextmanager
    async def refusing_charts(self) -> AsyncIterator[ChatPort]:
        slack = self.harness
        clients = SlackClients(f"{slack.slack.url}/api/", max_retries=0)  # a refusal is final: no retry after a 429
        chat = SlackChat(SingleWorkspaceTokens("xoxb-T1", clients), clients, channel_interval=0.0)
        slack.slack.rate_limit("files.getUploadURLExternal", 1, retry_after=0)
        try:
            yield chat
        finally:
            await clients.close()

    def assert_the_board_alone_without_its_chart(self, board_ref: str, shows: str) -> None:
        slack = self.harness
        [board] = slack.slack.top_level("C1")
        assert board.ts == board_ref and board.blocks and shows in str(board.blocks)
        assert [c.http_status for c in slack.slack.calls_to("files.getUploadURLExternal")] == [429]
        assert slack.slack.files == [] and slack.slack.calls_to("files.completeUploadExternal") == []

    def deny_reading_history(self) -> None:
        self.harness.slack.refuse("conversations.history", "missing_scope")

    def history_reads(self) -> list[object]:
        return list(self.harness.slack.calls_to("conversations.history"))


class DiscordPlatform:
    """DiscordChat on the fake Discord: charts go as attachments of the board's message, history by reading it."""

    name = "discord"

    def __init__(self, harness: DiscordHarness) -> None:
        self.harness = harness

    @property
    def chat(self) -> ChatPort:
        return self.harness.chat

    @property
    def channel(self) -> ChannelAddress:
        return self.harness.channel

    @property
    def violations(self) -> list[str]:
        return self.harness.discord.violations

    def assert_no_chart_sent(self) -> None:
        [message] = self.harness.discord.messages["301"]
        assert message.attachments == [] and "image" not in message.embeds[0]

    @asynccontextmanager
    async def refusing_charts(self) -> AsyncIterator[ChatPort]:
        guild = self.harness.discord.guild("111")
        for role in guild.roles.values():  # neither @everyone nor the bot's own role may attach files
            role.permissions &= ~P_ATTACH_FILES
        yield self.harness.chat

    def assert_the_board_alone_without_its_chart(self, board_ref: str, shows: str) -> None:
        fake = self.harness.discord
        sends = [c for c in fake.calls if c.method == "POST" and c.path == "/channels/301/messages"]
        assert [c.status for c in sends] == [403, 200]
        [message] = fake.messages["301"]
        assert message.id == board_ref and message.attachments == []
        assert "image" not in message.embeds[0], "no embed points at a picture that is not there"
        assert shows in message.embeds[0]["description"]

    def deny_reading_history(self) -> None:
        self.harness.discord.deny_bot_permissions("301", P_READ_MESSAGE_HISTORY)

    def history_reads(self) -> list[object]:
        return list(self.harness.discord.calls_to("GET", "/channels/{channel_id}/messages"))
