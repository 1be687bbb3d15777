"""A board's chart reaches Slack through the external upload flow and is shared in the board's thread.

SlackChat talks through the real Web API client to the fake Slack, which checks every call against Slack's spec.
A board without a chart, and a chart Slack refuses: test_board_chart_reaches_every_platform.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from adapters.chart import board_chart
from adapters.slack.app import BOT_SCOPES
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


def test_the_app_asks_for_files_write_in_the_code_and_in_the_manifest() -> None:
    manifest = yaml.safe_load((REPO / "deploy" / "slack" / "manifest.yml").read_text(encoding="utf-8"))
    assert "files:write" in BOT_SCOPES
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
