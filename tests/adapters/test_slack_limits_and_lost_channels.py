"""Slack's rate limits, lost channels and partial configuration.

Slack's rate limits cost nothing but time; a channel the bot lost stops its schedule and whoever subscribed it
hears why; a partial Slack configuration stops `prepbot run` with what is missing.

Times are Europe/Berlin; 2026-11-30 is a Monday.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.slack.settings import SlackSettings, SlackSettingsError, slack_mode
from bot.domain.model import ChannelAddress, TaskKind
from tests.adapters.slack_team import SlackTeam, berlin, block_text, eventually, slack_team
from tests.fakes.slack import Message

SUBSCRIBE = "subscribe 09:30 Europe/Berlin mon-fri 17:00"


def questions_in(team: SlackTeam, channel: str) -> list[Message]:
    return [m for m in team.slack.top_level(channel) if m.user == team.bot_user and m.blocks
            and m.blocks[0]["text"]["text"].startswith("Question of the day")]


def posts_to(team: SlackTeam, channel: str) -> list[str]:
    """How every chat.postMessage prepbot sent to `channel` went: "ok" or Slack's error."""
    return [c.response.get("error", "ok") for c in team.slack.calls_to("chat.postMessage")
            if c.args.get("channel") == channel]


async def subscribe(team: SlackTeam, channel: str) -> None:
    assert await team.command("UADA", SUBSCRIBE, channel=channel) == 200
    await eventually(lambda: len(team.slack.top_level(channel)) == 1)


async def test_a_burst_of_rate_limits_at_post_time_loses_and_doubles_no_question(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        channels = ["C1", "C2", "C3"]
        team.slack.add_channel("T1", "C2", "random")
        team.slack.add_channel("T1", "C3", "ml-team")
        for channel in channels:
            await subscribe(team, channel)
        team.slack.rate_limit("chat.postMessage", 3, retry_after=0)

        await team.until(berlin(2026, 11, 30, 9, 31))

        assert {channel: len(questions_in(team, channel)) for channel in channels} == {"C1": 1, "C2": 1, "C3": 1}
        statuses = [c.http_status for c in team.slack.calls_to("chat.postMessage")]
        assert statuses.count(429) == 3
        await team.until(berlin(2026, 11, 30, 12, 0))
        assert {channel: len(questions_in(team, channel)) for channel in channels} == {"C1": 1, "C2": 1, "C3": 1}
        assert team.slack.violations == []


async def test_a_rate_limited_reaction_still_ends_with_one_reaction(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        await subscribe(team, "C1")
        await team.until(berlin(2026, 11, 30, 9, 31))
        question = questions_in(team, "C1")[0]
        team.slack.rate_limit("reactions.add", 1, retry_after=0)

        ts = await team.reply("UBEN", question.ts, "Pickle the model and version it.")

        assert [c.http_status for c in team.slack.calls_to("reactions.add")] == [429, 200]
        assert team.slack.reactions("C1", ts) == [("white_check_mark", "UBOT")]
        assert team.slack.violations == []


async def lost_at_post_time(tmp_path: Path, lose: str) -> None:
    async with slack_team(tmp_path, "http") as team:
        await subscribe(team, "C1")
        lost = {"removed": (team.slack.remove_bot_from, "not_in_channel"),
                "deleted": (team.slack.delete_channel, "channel_not_found"),
                "archived": (team.slack.archive_channel, "is_archived")}
        lose_it, error = lost[lose]
        lose_it("C1")

        await team.until(berlin(2026, 11, 30, 9, 31))

        assert posts_to(team, "C1") == ["ok", error]  # the subscription notice, then the question Slack refused
        direct = [block_text(m) for m in team.slack.messages.get("DUADA", [])]
        assert len(direct) == 1
        assert "I can no longer post in #general" in direct[0]
        assert "daily question is stopped" in direct[0] and "subscribe the channel again" in direct[0]
        channel = await team.live.bot.find_channel(ChannelAddress("slack", "T1", "C1"))
        assert channel is not None and not channel.subscribed
        async with team.live.bot.store.unit_of_work() as uow:
            assert await uow.tasks.pending(channel.id, TaskKind.POST_DAILY) == []
            assert await uow.tasks.pending(channel.id, TaskKind.WEEKLY_BOARD) == []

        await team.until(berlin(2026, 12, 8, 10, 0))  # a week and a day later: no attempt, no second message
        assert posts_to(team, "C1") == ["ok", error]
        assert len(team.slack.messages.get("DUADA", [])) == 1
        assert questions_in(team, "C1") == []
        assert team.slack.violations == []


async def test_a_channel_the_bot_was_removed_from_stops_its_schedule_and_tells_who_subscribed(tmp_path: Path) -> None:
    await lost_at_post_time(tmp_path, "removed")


async def test_a_deleted_channel_stops_its_schedule_and_tells_who_subscribed(tmp_path: Path) -> None:
    await lost_at_post_time(tmp_path, "deleted")


async def test_an_archived_channel_stops_its_schedule_and_tells_who_subscribed(tmp_path: Path) -> None:
    await lost_at_post_time(tmp_path, "archived")


def test_socket_mode_without_a_bot_token_names_slack_bot_token() -> None:
    with pytest.raises(SlackSettingsError, match="SLACK_BOT_TOKEN") as caught:
        slack_mode(SlackSettings(slack_app_token="xapp-1-only"))
    assert "SLACK_APP_TOKEN" not in str(caught.value)


def test_http_without_a_signing_secret_names_slack_signing_secret() -> None:
    with pytest.raises(SlackSettingsError, match="SLACK_SIGNING_SECRET"):
        slack_mode(SlackSettings(slack_bot_token="xoxb-T1", slack_mode="http"))
    with pytest.raises(SlackSettingsError, match="SLACK_SIGNING_SECRET"):
        slack_mode(SlackSettings(slack_bot_token="xoxb-T1"))


def test_http_with_neither_a_bot_token_nor_oauth_names_both_ways() -> None:
    with pytest.raises(SlackSettingsError) as caught:
        slack_mode(SlackSettings(slack_signing_secret="secret"))
    assert "SLACK_BOT_TOKEN" in str(caught.value) and "SLACK_CLIENT_ID" in str(caught.value)


def test_complete_settings_pick_their_mode() -> None:
    assert slack_mode(SlackSettings(slack_app_token="xapp-1", slack_bot_token="xoxb-T1")) == "socket"
    assert slack_mode(SlackSettings(slack_bot_token="xoxb-T1", slack_signing_secret="secret")) == "http"
    assert slack_mode(SlackSettings(slack_client_id="cid", slack_client_secret="cs", slack_signing_secret="s")) == "http"


def test_prepbot_run_with_only_an_app_token_exits_2_saying_what_is_missing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREPBOT_", "SLACK_", "DISCORD_"))}
    env.update(SLACK_APP_TOKEN="xapp-1-only", PREPBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'run.db'}")

    done = subprocess.run([sys.executable, "-m", "entrypoints.cli", "run"], env=env, cwd=tmp_path,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)

    assert done.returncode == 2, done.stderr
    assert "SLACK_BOT_TOKEN" in done.stderr
    assert "Traceback" not in done.stderr
    assert "xapp-1-only" not in done.stderr + done.stdout  # the token itself is never printed
