"""A board's chart reaches Discord as an attachment of the board's message, shown by the board's embed.

DiscordChat talks through a real discord.py client to the fake Discord, which checks every call against the spec.
A board without a chart, and a chart Discord refuses: test_board_chart_reaches_every_platform.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.chart import board_chart
from bot.cards import BoardLine, LeaderboardCard
from tests.contract.charts import read_chart
from tests.contract.harnesses import DiscordHarness


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
