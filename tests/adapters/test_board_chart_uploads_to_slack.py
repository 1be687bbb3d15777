"""A board's chart reaches Slack through the external upload flow and is shared in the board's thread.

SlackChat talks through the real Web API client to the fake Slack, which checks every call against Slack's spec.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from adapters.chart import board_chart
from adapters.slack.app import BOT_SCOPES
from adapters.slack.chat import SingleWorkspaceTokens, SlackChat, SlackClients
from bot.cards import BoardLine, LeaderboardCard
from tests.contract.charts import read_chart
from tests.contract.harnesses import SlackHarness

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def slack() -> AsyncIterator[SlackHarness]:
    harness = SlackHarness()
    async with harness.running():
        yield harness


def weekly_board(*names: str) -> LeaderboardCard:
    lines = tuple(BoardLine(rank, name, 60 - 10 * rank, 2) for rank, name in enumerate(names, start=1))
    return LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026", lines, channel_name="general")


async def test_the_chart_is_uploaded_in_two_steps_and_shared_in_the_boards_thread(slack: SlackHarness) -> None:
    card = weekly_board("eve", "ben", "cat")
    image = board_chart(card)

    board_ts = await slack.chat.post_message(slack.channel, card)

    fake = slack.slack
    [ticket] = fake.calls_to("files.getUploadURLExternal")
    assert ticket.args["filename"] == "weekly-leaderboard-week-of-30-nov-2026.png"
    assert int(ticket.args["length"]) == len(image.data)
    assert ticket.args["alt_txt"] == image.alt_text
    [complete] = fake.calls_to("files.completeUploadExternal")
    assert complete.args["files"] == [{"id": ticket.response["file_id"],
                                       "title": "Weekly leaderboard · week of 30 Nov 2026"}]
    assert complete.args["channel_id"] == "C1" and complete.args["thread_ts"] == board_ts
    assert complete.args["initial_comment"] == "Weekly leaderboard · week of 30 Nov 2026, as a chart"
    methods = [c.method for c in fake.calls if c.method != "auth.test"]
    assert methods == ["chat.postMessage", "files.getUploadURLExternal", "files.completeUploadExternal"]

    [shared] = fake.files
    assert shared.id == ticket.response["file_id"]
    assert shared.data == image.data
    assert shared.channels == ["C1"] and shared.thread_ts == board_ts
    assert read_chart(shared.data).names == ["eve", "ben", "cat"]
    [message] = [m for m in fake.thread("C1", board_ts) if shared.id in m.files]
    assert message.user == fake.workspace("T1").bot_user_id
    assert [m.ts for m in fake.top_level("C1")] == [board_ts], "the board stays the one message in the channel"
    assert all(c.response.get("ok") for c in fake.calls) and fake.violations == []


async def test_a_chart_for_a_board_in_a_thread_is_shared_in_that_thread(slack: SlackHarness) -> None:
    thread_ts = await slack.chat.post_message(slack.channel, LeaderboardCard("Leaderboard", "all time", ()))

    await slack.chat.reply_in_thread(slack.channel, thread_ts, weekly_board("eve"))

    [shared] = slack.slack.files
    assert shared.thread_ts == thread_ts
    [complete] = slack.slack.calls_to("files.completeUploadExternal")
    assert complete.args["thread_ts"] == thread_ts


async def test_a_board_without_a_chart_uploads_nothing(slack: SlackHarness) -> None:
    await slack.chat.post_message(slack.channel, LeaderboardCard("Leaderboard", "all time", ()))
    assert slack.slack.calls_to("files.getUploadURLExternal") == [] and slack.slack.files == []


async def test_a_chart_slack_refuses_leaves_the_board_posted_once_and_raises_nothing(slack: SlackHarness) -> None:
    clients = SlackClients(f"{slack.slack.url}/api/", max_retries=0)  # a refusal is final: no retry after a 429
    chat = SlackChat(SingleWorkspaceTokens("xoxb-T1", clients), clients, channel_interval=0.0)
    slack.slack.rate_limit("files.getUploadURLExternal", 1, retry_after=0)

    try:
        board_ts = await chat.post_message(slack.channel, weekly_board("eve", "ben"))
    finally:
        await clients.close()

    [board] = slack.slack.top_level("C1")
    assert board.ts == board_ts and board.blocks and "eve" in str(board.blocks)
    assert [c.http_status for c in slack.slack.calls_to("files.getUploadURLExternal")] == [429]
    assert slack.slack.files == [] and slack.slack.calls_to("files.completeUploadExternal") == []


def test_the_app_asks_for_files_write_in_the_code_and_in_the_manifest() -> None:
    manifest = yaml.safe_load((REPO / "deploy" / "slack" / "manifest.yml").read_text(encoding="utf-8"))
    assert "files:write" in BOT_SCOPES
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
