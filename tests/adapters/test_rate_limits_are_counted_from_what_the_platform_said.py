"""Rate limits are counted from what the platform said, not from the error's text.

A call the platform refused for going too fast is counted as a rate limit because the platform said so (Slack or
Discord answered 429, or Slack said the app posted too many messages), not because the error's text happens to
mention 429 or a rate: every other refusal is counted as a plain platform error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest

from adapters.slack.chat import SingleWorkspaceTokens, SlackChat, SlackClients
from bot.cards import Card, LeaderboardCard, QuestionCard
from bot.domain.model import ChannelAddress
from bot.metrics import CountingChat
from bot.ports import ChatError, NoMetrics, PlatformUnavailable
from tests.contract.harnesses import DiscordHarness, SlackHarness
from tests.fakes.chat import FakeChat
from tests.fakes.discord import P_SEND_MESSAGES

DEADLINE = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
BOARD = LeaderboardCard("Leaderboard", "all time", ())


@dataclass
class CountedErrors(NoMetrics):
    errors: list[tuple[str, str, bool]] = field(default_factory=list)

    def platform_error(self, platform: str, method: str, rate_limited: bool) -> None:
        self.errors.append((platform, method, rate_limited))


def question() -> QuestionCard:
    return QuestionCard(7, "beginner-01", "Beginner", "What is model serialization?", DEADLINE, "UTC")


@pytest.fixture
async def slack() -> AsyncIterator[SlackHarness]:
    harness = SlackHarness()
    async with harness.running():
        yield harness
        assert harness.slack.violations == []


@pytest.fixture
async def discord() -> AsyncIterator[DiscordHarness]:
    harness = DiscordHarness()
    async with harness.running():
        yield harness
        assert harness.discord.violations == []


async def refused(chat: CountingChat, channel: ChannelAddress, card: Card) -> ChatError:
    with pytest.raises(ChatError) as raised:
        await chat.post_message(channel, card)
    return raised.value


async def test_a_slack_429_the_retries_did_not_get_past_is_counted_as_a_rate_limit(slack: SlackHarness) -> None:
    clients = SlackClients(f"{slack.slack.url}/api/", max_retries=0)  # the 429 is final
    metrics = CountedErrors()
    chat = CountingChat(SlackChat(SingleWorkspaceTokens("xoxb-T1", clients), clients, channel_interval=0.0), metrics)
    slack.slack.rate_limit("chat.postMessage", 1, retry_after=0)
    try:
        error = await refused(chat, slack.channel, BOARD)
    finally:
        await clients.close()

    assert error.rate_limited
    assert [c.http_status for c in slack.slack.calls_to("chat.postMessage")] == [429]
    assert metrics.errors == [("slack", "post_message", True)]


async def test_slack_saying_the_app_posted_too_many_messages_is_counted_as_a_rate_limit(slack: SlackHarness) -> None:
    metrics = CountedErrors()
    chat = CountingChat(slack.chat, metrics)
    slack.slack.refuse("chat.postMessage", "rate_limited")

    assert (await refused(chat, slack.channel, BOARD)).rate_limited
    assert metrics.errors == [("slack", "post_message", True)]


async def test_any_other_slack_refusal_is_a_plain_platform_error(slack: SlackHarness) -> None:
    metrics = CountedErrors()
    chat = CountingChat(slack.chat, metrics)
    slack.slack.refuse("chat.postMessage", "channel_not_found")

    assert not (await refused(chat, slack.channel, BOARD)).rate_limited
    assert metrics.errors == [("slack", "post_message", False)]


async def test_a_discord_429_that_discord_py_gave_up_retrying_is_counted_as_a_rate_limit(
    discord: DiscordHarness,
) -> None:
    metrics = CountedErrors()
    chat = CountingChat(discord.chat, metrics)
    discord.discord.rate_limit("POST", "/channels/301/messages", 5, retry_after=0)  # as many as discord.py tries

    error = await refused(chat, discord.channel, BOARD)

    assert error.rate_limited and not isinstance(error, PlatformUnavailable)
    assert [c.status for c in discord.discord.calls_to("POST", "/channels/{channel_id}/messages")] == [429] * 5
    assert metrics.errors == [("discord", "post_message", True)]


async def test_any_other_discord_refusal_is_a_plain_platform_error(discord: DiscordHarness) -> None:
    metrics = CountedErrors()
    chat = CountingChat(discord.chat, metrics)
    discord.discord.deny_bot_permissions("301", P_SEND_MESSAGES)

    error = await refused(chat, discord.channel, BOARD)

    assert error.gone and not error.rate_limited
    assert metrics.errors == [("discord", "post_message", False)]


@pytest.mark.parametrize("text", [
    "Discord send: 400 Invalid Form Body (In embeds.0.description: 4290 characters)",
    "Slack chat.postMessage: HTTP 429 in a channel topic",
    "Discord send: 403 Missing Permissions (a moderated channel)",
    "Discord send: 503 upstream connect error (rate of retries exceeded)",
])
async def test_an_error_whose_text_mentions_429_or_a_rate_is_not_a_rate_limit(text: str) -> None:
    inner, metrics = FakeChat(), CountedErrors()
    inner.fail_next.append(ChatError(text))
    chat = CountingChat(inner, metrics)

    assert not (await refused(chat, ChannelAddress("slack", "T1", "C1"), BOARD)).rate_limited
    assert metrics.errors == [("slack", "post_message", False)]
