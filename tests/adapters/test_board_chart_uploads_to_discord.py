"""A board's chart reaches Discord as an attachment of the board's message, shown by the board's embed.

DiscordChat talks through a real discord.py client to the fake Discord, which checks every call against the spec.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.chart import board_chart
from bot.cards import BoardLine, LeaderboardCard
from tests.contract.charts import read_chart
from tests.contract.harnesses import DiscordHarness
from tests.fakes.discord import P_ATTACH_FILES


@pytest.fixture
async def discord_chat() -> AsyncIterator[DiscordHarness]:
    harness = DiscordHarness()
    async with harness.running():
        yield harness
        assert harness.discord.violations == []


def weekly_board(*names: str) -> LeaderboardCard:
    lines = tuple(BoardLine(rank, name, 60 - 10 * rank, 2) for rank, name in enumerate(names, start=1))
    return LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026", lines, channel_name="general")


async def test_the_board_message_carries_the_chart_as_an_attachment_its_embed_shows(
    discord_chat: DiscordHarness,
) -> None:
    card = weekly_board("eve", "ben", "cat")
    image = board_chart(card)
    filename = "weekly-leaderboard-week-of-30-nov-2026.png"

    ref = await discord_chat.chat.post_message(discord_chat.channel, card)

    fake = discord_chat.discord
    [send] = [c for c in fake.calls if c.method == "POST" and c.path == "/channels/301/messages"]
    assert send.files == [("files[0]", filename, len(image.data))]
    [attachment] = send.body["attachments"]
    assert str(attachment["id"]) == "0" and attachment["filename"] == filename
    assert attachment["description"] == image.alt_text
    [embed] = send.body["embeds"]
    assert embed["image"]["url"] == f"attachment://{filename}"
    assert embed["title"] == "Weekly leaderboard · week of 30 Nov 2026"

    [message] = fake.messages["301"]
    assert message.id == ref
    [stored] = message.attachments
    assert stored["filename"] == filename and stored["content_type"] == "image/png"
    assert message.files[stored["id"]] == image.data
    assert read_chart(message.files[stored["id"]]).names == ["eve", "ben", "cat"]
    assert message.embeds[0]["image"]["url"] == f"attachment://{filename}"


async def test_a_board_without_a_chart_is_sent_without_an_attachment(discord_chat: DiscordHarness) -> None:
    await discord_chat.chat.post_message(discord_chat.channel, LeaderboardCard("Leaderboard", "all time", ()))

    [message] = discord_chat.discord.messages["301"]
    assert message.attachments == [] and "image" not in message.embeds[0]


async def test_without_the_attach_files_permission_the_board_goes_out_without_its_chart(
    discord_chat: DiscordHarness,
) -> None:
    fake = discord_chat.discord
    guild = fake.guild("111")
    for role in guild.roles.values():  # neither @everyone nor the bot's own role may attach files
        role.permissions &= ~P_ATTACH_FILES

    ref = await discord_chat.chat.post_message(discord_chat.channel, weekly_board("eve", "ben"))

    sends = [c for c in fake.calls if c.method == "POST" and c.path == "/channels/301/messages"]
    assert [c.status for c in sends] == [403, 200]
    [message] = fake.messages["301"]
    assert message.id == ref and message.attachments == []
    assert "image" not in message.embeds[0], "no embed points at a picture that is not there"
    assert "eve" in message.embeds[0]["description"]
