"""`/prep` answers the member even where the bot is not a member of the conversation.

`/prep` in a channel the bot was not invited to, or in a direct message between members, still answers the member
who ran it (through the command's response_url, which needs no membership), and `/prep subscribe` there is refused
with a clear message instead of storing a subscription that could post nothing.

Times are Europe/Berlin; 2026-11-30 is a Monday. #random (C2) exists without the bot.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.adapters.slack_team import SlackTeam, berlin, slack_team

SUBSCRIBE = "subscribe 09:30 Europe/Berlin mon-fri 17:00"
DM = "D0UBENUCAT"  # a direct message between ben and cat: the bot is not in it


def without_the_bot(team: SlackTeam) -> str:
    team.slack.add_channel(team.team_id, "C2", "random", bot_member=False)
    return "C2"


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_stats_in_a_channel_the_bot_was_not_invited_to_reach_the_member(tmp_path: Path, mode: str) -> None:
    async with slack_team(tmp_path, mode) as team:
        channel = without_the_bot(team)

        assert await team.command("UBEN", "stats", channel) == 200

        [shown] = team.ephemerals_for("UBEN")
        assert "ben" in shown and "points" in shown.lower()
        assert len(team.slack.response_url_posts) == 1
        assert team.slack.violations == []


async def test_help_in_a_direct_message_between_members_reaches_the_member(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        assert await team.command("UBEN", "help", DM) == 200

        [shown] = team.ephemerals_for("UBEN")
        assert "/prep" in shown
        assert team.slack.violations == []


@pytest.mark.parametrize("where", ["not invited", "direct message"])
async def test_subscribing_where_the_bot_cannot_post_is_refused_with_what_to_do_and_changes_nothing(
    tmp_path: Path, where: str
) -> None:
    async with slack_team(tmp_path, "http") as team:
        channel = without_the_bot(team) if where == "not invited" else DM

        assert await team.command("UADA", SUBSCRIBE, channel) == 200

        [shown] = team.ephemerals_for("UADA")
        assert "invite me" in shown and "Nothing was changed" in shown
        with sqlite3.connect(tmp_path / "slack.db") as db:
            assert db.execute("SELECT count(*) FROM channels WHERE subscribed").fetchone()[0] == 0
            assert db.execute("SELECT count(*) FROM tasks WHERE done_at IS NULL").fetchone()[0] == 0
        posts_before = len(team.slack.calls_to("chat.postMessage"))
        await team.until(berlin(2026, 11, 30, 9, 31))
        assert len(team.slack.calls_to("chat.postMessage")) == posts_before  # no question tried at 09:30
        assert team.slack.violations == []


async def test_a_board_asked_for_where_the_bot_cannot_post_tells_the_member_to_invite_it(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        channel = without_the_bot(team)

        assert await team.command("UBEN", "leaderboard", channel) == 200

        [shown] = team.ephemerals_for("UBEN")
        assert "cannot post in this channel" in shown and "invite me" in shown
        assert team.slack.violations == []

