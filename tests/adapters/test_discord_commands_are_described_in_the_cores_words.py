"""What Discord's command picker says of `/prep` and `/prep-admin` is the core's words, within Discord's limits.

A description of 1 to 100 characters for every group, command and option, and choice names of 1 to 100."""

from __future__ import annotations

import pytest
from discord import app_commands

from adapters.discord.client import PrepClient
from bot.wording import BOARD_PERIODS, COMMAND_GROUPS, COMMANDS

MAX_DESCRIPTION = 100  # Discord's limit for a command's, a group's and an option's description, and a choice's name
UNDESCRIBED = "…"  # what discord.py sends for an option nobody described


def core_descriptions() -> list[str]:
    return [*COMMAND_GROUPS.values(), *(words.description for words in COMMANDS.values()),
            *(text for words in COMMANDS.values() for _, text in words.options), *(name for name, _ in BOARD_PERIODS)]


@pytest.mark.parametrize("text", core_descriptions())
def test_every_description_the_core_gives_a_command_picker_fits_discords_limits(text: str) -> None:
    assert 1 <= len(text) <= MAX_DESCRIPTION, text
    assert text == text.strip() and "\n" not in text


async def test_the_discord_commands_say_what_the_core_says_of_each_command_and_option() -> None:
    client = PrepClient(message_content=False)
    groups = {group.name: group for group in client.tree.get_commands() if isinstance(group, app_commands.Group)}
    assert {name: group.description for name, group in groups.items()} == COMMAND_GROUPS
    commands = [command for group in groups.values() for command in group.commands]
    assert sorted(command.name for command in commands) == sorted(COMMANDS)
    for command in commands:
        assert isinstance(command, app_commands.Command)
        words = COMMANDS[command.name]
        assert command.description == words.description
        described = dict(words.options)
        assert set(described) <= {parameter.name for parameter in command.parameters}, command.name
        for parameter in command.parameters:
            assert parameter.description == described.get(parameter.name, UNDESCRIBED), (command.name, parameter)


async def test_the_board_periods_a_member_picks_from_are_the_cores() -> None:
    client = PrepClient(message_content=False)
    board = client.tree.get_command("prep")
    assert isinstance(board, app_commands.Group)
    leaderboard = board.get_command("leaderboard")
    assert isinstance(leaderboard, app_commands.Command)
    [period] = [parameter for parameter in leaderboard.parameters if parameter.name == "period"]
    assert [(choice.name, choice.value) for choice in period.choices] == list(BOARD_PERIODS)
