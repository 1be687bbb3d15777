"""`/prep help` has a door of its own in the core.

A platform that answers it at once instead of queueing it (Discord) uses the door: it gives the card the help command
gives, and the adapter reads nothing else of the core."""

from __future__ import annotations

from bot.cards import HelpCard
from bot.domain.model import ChannelAddress
from bot.messages import RunCommand
from tests.services.team import BOSS, Team, run_prep

ELSEWHERE = ChannelAddress("discord", "g1", "c1")


async def test_the_help_door_gives_the_card_the_help_command_gives(team: Team) -> None:
    reply = await run_prep(team.bot, RunCommand(ELSEWHERE, BOSS, "help", "elsewhere"))

    card = team.bot.help_card()
    assert isinstance(card, HelpCard) and card.levels
    assert reply.cards == (card,)
