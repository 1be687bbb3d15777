"""On Slack, the welcome in a channel and each member's Home tab.

On Slack: inviting the bot to a channel posts one welcome there, whatever Slack redelivers; opening the app's
Home tab shows the member their stats and each subscribed channel's schedule.

Times are Europe/Berlin; 2026-11-30 is a Monday. The team meets in #general (C1); #random (C2) is new.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.slack.app import BOT_SCOPES
from tests.adapters.slack_team import SlackTeam, berlin, block_text, slack_team
from tests.fakes.slack import Message

REPO = Path(__file__).resolve().parents[2]
SUBSCRIBE = "subscribe 09:30 Europe/Berlin mon-fri 17:00"


def welcomes(team: SlackTeam, channel: str) -> list[Message]:
    return [m for m in team.slack.top_level(channel) if m.user == team.bot_user and m.blocks
            and m.blocks[0].get("type") == "header" and "Hello" in m.blocks[0]["text"]["text"]]


def view_text(view: dict[str, Any]) -> str:
    return block_text(Message("", "", "", "", view["blocks"], None, False, ""))


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_inviting_the_bot_posts_one_welcome_that_says_how_an_admin_starts_it(tmp_path: Path, mode: str) -> None:
    async with slack_team(tmp_path, mode) as team:
        team.slack.add_channel("T1", "C2", "random", bot_member=False)
        invited = team.slack.invite_bot("C2", inviter="UADA")

        assert await team.deliver_event(invited) == 200
        assert await team.deliver_event(invited, retry_num=1) == 200  # Slack delivers it again

        (welcome,) = welcomes(team, "C2")
        text = block_text(welcome)
        assert "question of the day" in text
        assert "`/prep subscribe 09:30 Europe/Berlin mon-fri 17:00`" in text and "`/prep help`" in text
        assert "prepbot is here" in welcome.text
        assert team.slack.violations == []


async def test_a_channel_the_bot_leaves_and_rejoins_is_not_welcomed_again(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        team.slack.add_channel("T1", "C2", "random", bot_member=False)
        assert await team.deliver_event(team.slack.invite_bot("C2", inviter="UADA")) == 200
        team.slack.remove_bot_from("C2")

        assert await team.deliver_event(team.slack.invite_bot("C2", inviter="UBEN")) == 200

        assert len(welcomes(team, "C2")) == 1
        assert team.slack.violations == []


async def test_someone_else_joining_or_a_subscribed_channel_gets_no_welcome(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        await team.command_and_wait("UADA", SUBSCRIBE, lambda: len(team.slack.top_level(team.channel)) == 1)
        someone = team.slack.invite_bot(team.channel, inviter="UADA")
        someone["event"]["user"] = "UEVE"
        assert await team.deliver_event(someone) == 200
        assert await team.deliver_event(team.slack.invite_bot(team.channel, inviter="UADA")) == 200

        assert welcomes(team, team.channel) == []
        assert team.slack.violations == []


async def test_the_home_tab_shows_the_members_stats_and_each_subscribed_channels_schedule(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        await team.command_and_wait("UADA", SUBSCRIBE, lambda: len(team.slack.top_level(team.channel)) == 1)
        await team.until(berlin(2026, 11, 30, 10, 0))
        (question,) = team.questions()
        await team.reply("UBEN", question.ts, "I would save the model with its weights and version it.")
        await team.until(berlin(2026, 11, 30, 17, 30))

        assert await team.deliver_event(team.slack.open_home("T1", "UBEN")) == 200
        assert await team.deliver_event(team.slack.open_home("T1", "UCAT")) == 200

        ben, cat = team.slack.home_view("T1", "UBEN"), team.slack.home_view("T1", "UCAT")
        assert ben is not None and cat is not None and ben["type"] == "home"
        shown = view_text(ben)
        assert "*Your stats in* <#C1>" in shown and "points* all time" in shown
        assert "<#C1>: mon-fri at 09:30 Europe/Berlin, answers close at 17:00 · next question <!date^" in shown
        assert "Your stats in" not in view_text(cat) and "No points yet" in view_text(cat)
        assert "<#C1>: mon-fri at 09:30" in view_text(cat)
        assert team.slack.violations == []


def test_the_app_asks_for_the_events_and_scopes_the_welcome_and_the_home_tab_need() -> None:
    manifest = yaml.safe_load((REPO / "deploy" / "slack" / "manifest.yml").read_text(encoding="utf-8"))
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"member_joined_channel", "app_home_opened"} <= set(events)
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert {"channels:read", "groups:read"} <= set(BOT_SCOPES)  # what member_joined_channel needs
