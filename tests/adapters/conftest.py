"""The `platform` fixture: a shared adapter test runs once on Slack and once on Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.adapters.platforms import DiscordPlatform, Platform, SlackPlatform
from tests.contract.harnesses import DiscordHarness, SlackHarness


@pytest.fixture(params=["slack", "discord"])
async def platform(request: pytest.FixtureRequest) -> AsyncIterator[Platform]:
    """The platform's chat adapter on its fake; whatever the test did, the fake saw only calls its spec allows."""
    made: Platform
    if request.param == "slack":
        slack = SlackHarness()
        async with slack.running():
            made = SlackPlatform(slack)
            yield made
            assert made.violations == []
    else:
        discord = DiscordHarness()
        async with discord.running():
            made = DiscordPlatform(discord)
            yield made
            assert made.violations == []
