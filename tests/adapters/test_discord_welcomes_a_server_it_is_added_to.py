"""On Discord, a server the bot is added to gets one welcome.

On Discord: added to a server, the bot posts one welcome, in the system channel or else the first text channel it
may post in, saying what prepbot does and how a member with Manage Server starts it; never again after a restart.

The team's guild (111, #general 301) is there from the start; the Beta server (112) adds the bot during the test.
"""

from __future__ import annotations

from pathlib import Path

from tests.adapters.discord_team import DiscordTeam, discord_team, message_text
from tests.fakes.discord.permissions import P_SEND_MESSAGES

BETA = "112"
ANNOUNCEMENTS = "401"
LOBBY = "402"


def welcomes(team: DiscordTeam, channel: str) -> list[str]:
    return [message_text(m.content, m.embeds) for m in team.bot_posts(channel) if "Hello, I'm prepbot" in
            message_text(m.content, m.embeds)]


async def test_a_server_that_adds_the_bot_is_welcomed_once_in_its_system_channel(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        team.fake.add_guild(BETA, "Beta")
        team.fake.add_channel(BETA, ANNOUNCEMENTS, "announcements")  # the system channel
        team.fake.add_channel(BETA, LOBBY, "lobby")
        await team.eventually(lambda: bool(welcomes(team, ANNOUNCEMENTS)), what="the welcome")

        (welcome,) = welcomes(team, ANNOUNCEMENTS)
        assert "question of the day" in welcome
        assert "/prep-admin subscribe time:09:30 timezone:Europe/Berlin days:mon-fri deadline:17:00" in welcome
        assert "/prep help" in welcome
        assert welcomes(team, LOBBY) == [] and welcomes(team, team.channel) == []

        await team.restart()  # the servers come back as they were: no join, no welcome
        await team.until(team.clock.now())
        assert len(welcomes(team, ANNOUNCEMENTS)) == 1
        assert team.fake.violations == []


async def test_where_the_bot_may_not_post_in_the_system_channel_it_welcomes_in_the_first_channel_it_may(
        tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        team.fake.add_guild(BETA, "Beta")
        team.fake.add_channel(BETA, ANNOUNCEMENTS, "announcements")
        team.fake.add_channel(BETA, LOBBY, "lobby")
        team.fake.deny_bot_permissions(ANNOUNCEMENTS, P_SEND_MESSAGES)
        await team.eventually(lambda: bool(welcomes(team, LOBBY)), what="the welcome")

        assert len(welcomes(team, LOBBY)) == 1 and welcomes(team, ANNOUNCEMENTS) == []
        assert team.fake.violations == []
