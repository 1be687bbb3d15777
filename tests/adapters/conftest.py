"""Fixtures of the adapter tests: the `platform` parameter and the whole days played once.

The `platform` fixture, with which a shared adapter test runs once on Slack and once on Discord, and the whole days
played once per session for the tests that read them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.adapters.platforms import DiscordPlatform, Platform, SlackPlatform
from tests.adapters.whole_day import PlayedDays
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


@pytest.fixture(scope="session")
def played_days(tmp_path_factory: pytest.TempPathFactory) -> PlayedDays:
    """Each platform's whole day, played the first time a test reads it (tests/adapters/whole_day.py)."""
    return PlayedDays(tmp_path_factory)
