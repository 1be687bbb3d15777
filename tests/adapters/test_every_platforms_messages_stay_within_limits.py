"""What every platform's renderer makes of a card with nothing to show: it says so, within the platform's limits.

How each renderer splits long content and escapes what members wrote is its own
(tests/adapters/test_slack_messages_stay_within_limits.py and _discord_...); these hold on both.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.cards import LeaderboardCard
from tests.adapters.long_cards import points, reveal
from tests.adapters.renderings import DiscordRendering, Rendering, SlackRendering


@pytest.fixture(params=[SlackRendering, DiscordRendering], ids=["slack", "discord"])
def platform(request: pytest.FixtureRequest) -> Rendering[Any]:
    made: Rendering[Any] = request.param()
    return made


def test_a_reveal_nobody_answered_says_so(platform: Rendering[Any]) -> None:
    [part] = platform.render(reveal((), points(2, 30)))
    platform.assert_within_limits(part)
    assert "Nobody answered this one." in platform.readable(part)


def test_an_empty_leaderboard_invites_members_to_answer(platform: Rendering[Any]) -> None:
    [message] = platform.render(LeaderboardCard("Leaderboard", "all time", ()))
    platform.assert_within_limits(message)
    assert "No points yet" in platform.board_body(message)
