"""Each platform's renderer with the fake platform's own limit checks.

For the tests of what renderers make of cards: the Block Kit of adapters/slack/render.py against the fake Slack's
limits, the embeds of adapters/discord/render.py against the fake Discord's."""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

from adapters.discord.render import (
    MAX_CONTENT,
    MAX_DESCRIPTION,
    MAX_EMBED_TOTAL,
    MAX_EMBEDS,
    MAX_TITLE,
    DiscordMessage,
)
from adapters.discord.render import render as render_for_discord
from adapters.slack.render import MAX_BLOCKS, MAX_HEADER, MAX_MESSAGE, MAX_SECTION, SlackMessage
from adapters.slack.render import render as render_for_slack
from bot.cards import Card
from tests.adapters.slack_team import block_text
from tests.fakes import discord as fake_discord
from tests.fakes.discord import embed_problems
from tests.fakes.discord import message_problems as discord_message_problems
from tests.fakes.slack import MAX_BLOCKS as SLACK_MAX_BLOCKS
from tests.fakes.slack import MAX_HEADER_TEXT, MAX_SECTION_TEXT, MAX_TEXT, block_problems, message_problems


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every text string a member reads in the blocks, block by block."""
    found: list[str] = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            found.append(block["text"]["text"])
        for element in block.get("elements", []) or []:
            if isinstance(element, dict) and "text" in element:
                found.append(element["text"])
    return found


def assert_within_slack_limits(message: SlackMessage) -> None:
    """The checks Slack applies to chat.postMessage, plus the per-block limits spelled out."""
    assert message_problems({"text": message.text, "blocks": message.blocks}) == []
    assert block_problems(message.blocks) == []
    assert 0 < len(message.blocks) <= MAX_BLOCKS == SLACK_MAX_BLOCKS
    for block in message.blocks:
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= MAX_SECTION == MAX_SECTION_TEXT
        if block["type"] == "header":
            assert 0 < len(block["text"]["text"]) <= MAX_HEADER == MAX_HEADER_TEXT
    assert sum(len(t) for t in texts(message.blocks)) <= MAX_MESSAGE == MAX_TEXT
    assert 0 < len(message.text) <= MAX_TEXT


def body(message: DiscordMessage) -> dict[str, Any]:
    """The message as discord.py sends it: content and embeds as JSON."""
    out: dict[str, Any] = {"embeds": [e.to_dict() for e in message.embeds]}
    if message.content is not None:
        out["content"] = message.content
    return out


def assert_within_discord_limits(message: DiscordMessage) -> None:
    """The fake Discord's checks for a message body, plus each documented limit spelled out."""
    sent = body(message)
    assert discord_message_problems(sent) == [], discord_message_problems(sent)
    assert embed_problems(sent["embeds"]) == []
    assert message.content or message.embeds, "an empty message"
    assert len(message.embeds) <= MAX_EMBEDS == fake_discord.MAX_EMBEDS
    assert sum(len(e) for e in message.embeds) <= MAX_EMBED_TOTAL == fake_discord.MAX_EMBED_TOTAL
    for embed in sent["embeds"]:
        assert len(embed.get("title") or "") <= MAX_TITLE == fake_discord.MAX_EMBED_TITLE
        assert len(embed.get("description") or "") <= MAX_DESCRIPTION == fake_discord.MAX_EMBED_DESCRIPTION
    assert len(message.content or "") <= MAX_CONTENT == fake_discord.MAX_CONTENT


def everything(messages: list[DiscordMessage]) -> str:
    """All a member reads, message after message: content, then each embed's title and description."""
    parts: list[str] = []
    for m in messages:
        parts.append(m.content or "")
        for e in m.embeds:
            parts += [e.title or "", e.description or ""]
            parts += [f"{f.name}\n{f.value}" for f in e.fields]
    return "\n".join(p for p in parts if p)


Message = TypeVar("Message")


class Rendering(Protocol, Generic[Message]):
    """One platform's renderer, its limits, and what a member reads."""

    name: str

    def render(self, card: Card) -> list[Message]: ...

    def assert_within_limits(self, message: Message) -> None: ...

    def readable(self, message: Message) -> str:
        """All the text a member reads in the message."""

    def board_body(self, message: Message) -> str:
        """The lines of a board."""


class SlackRendering:
    name = "slack"

    def render(self, card: Card) -> list[SlackMessage]:
        return render_for_slack(card)

    def assert_within_limits(self, message: SlackMessage) -> None:
        assert_within_slack_limits(message)

    def readable(self, message: SlackMessage) -> str:
        return block_text(message)

    def board_body(self, message: SlackMessage) -> str:
        return str(message.blocks[1]["text"]["text"])


class DiscordRendering:
    name = "discord"

    def render(self, card: Card) -> list[DiscordMessage]:
        return render_for_discord(card)

    def assert_within_limits(self, message: DiscordMessage) -> None:
        assert_within_discord_limits(message)

    def readable(self, message: DiscordMessage) -> str:
        return everything([message])

    def board_body(self, message: DiscordMessage) -> str:
        return message.embeds[0].description or ""
