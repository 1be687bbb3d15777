"""On Discord, `/prep help` is answered at once and privately, with the help the core gives.

The help comes from the core's help door: the commands as Discord spells them and the levels of the channel's question
bank."""

from __future__ import annotations

from pathlib import Path

from adapters.discord.render import render
from tests.adapters.discord_team import discord_team


async def test_prep_help_is_answered_at_once_with_the_cores_help_as_discord_spells_it(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        iid = await team.command("eve", "prep", "help")

        [answer] = [r for r in team.fake.responses_to(iid) if r.kind == "callback"]
        assert answer.type == 4 and answer.ephemeral  # a message at once, only to the member
        [expected] = render(team.live.bot.help_card())
        assert answer.data["content"] == expected.content
        assert "/prep practice [level]" in answer.data["content"]
        assert team.fake.violations == []
