"""Private practice reaches the member who asked alone, on every platform.

Private practice on the platforms: with `/prep config practice private`, a practice question and its hint go to
the member who asked alone (Slack: ephemeral messages in the channel; Discord: direct messages, as Discord has no
ephemeral messages outside an interaction), nothing is posted in the channel, and every call is one the platform's
published spec accepts.

Times are Europe/Berlin; 2026-11-30 is a Monday.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.discord_team import discord_team
from tests.adapters.discord_team import berlin as discord_berlin
from tests.adapters.slack_team import berlin, slack_team


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_on_slack_a_private_practice_question_and_its_hint_are_ephemeral_to_the_member(
    tmp_path: Path, mode: str
) -> None:
    async with slack_team(tmp_path, mode) as team:
        assert await team.command("UADA", "config practice private") == 200
        before = len(team.slack.top_level(team.channel))

        assert await team.command("UBEN", "beginner") == 200

        shown = team.ephemerals_for("UBEN")
        assert any("Practice question for ben" in text and "Only you see this question" in text for text in shown)
        assert any("only to you" in text and "no points" in text for text in shown)
        await team.until(berlin(2026, 11, 30, 8, 31))
        assert any("Hint for your practice question" in text for text in team.ephemerals_for("UBEN"))
        assert len(team.slack.top_level(team.channel)) == before  # the announcement only
        assert team.questions() == []
        assert team.ephemerals_for("UCAT") == []
        assert team.slack.violations == []


async def test_on_discord_a_private_practice_question_and_its_hint_are_direct_messages_to_the_member(
    tmp_path: Path,
) -> None:
    async with discord_team(tmp_path) as team:
        await team.command_and_wait("ada", "prep-admin", "config", {"setting": "practice", "value": "private"})
        before = len(team.bot_posts())

        iid = await team.command_and_wait("ben", "prep", "practice", {"level": "beginner"})

        assert any("only to you" in text and "no points" in text for text in team.replies(iid))
        assert any("Practice question for ben" in text and "Only you see this question" in text
                   for text in team.dms("ben"))
        await team.until(discord_berlin(2026, 11, 30, 8, 31))
        assert any("Hint for your practice question" in text for text in team.dms("ben"))
        assert len(team.bot_posts()) == before
        assert team.questions() == []
        assert team.fake.violations == []
