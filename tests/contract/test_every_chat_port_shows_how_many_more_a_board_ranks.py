"""Every chat port shows how many more members a board ranks.

On every chat port, a board that ranks more members than it shows says how many more, in its text and in its
picture, and the picture keeps names in any script; a member's own place reaches that member alone."""

from __future__ import annotations

from adapters.chart import board_chart
from bot.cards import BoardLine, BoardPlace, LeaderboardCard
from bot.wording import own_place
from tests.contract.charts import read_chart
from tests.contract.harnesses import Harness
from tests.contract.test_every_chat_port_keeps_the_contract import harness  # noqa: F401  (the fixture)

NAMES = ("Zoë", "Łukasz", "Юлия", "山田")


def a_long_board() -> LeaderboardCard:
    lines = tuple(BoardLine(rank, name, 60 - rank, 3) for rank, name in enumerate(NAMES, start=1))
    return LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026", lines, channel_name="general", more=20)


async def test_a_board_says_how_many_more_members_it_ranks_in_its_text_and_its_picture(harness: Harness) -> None:
    card = a_long_board()

    await harness.chat.post_message(harness.channel, card)

    [board] = [m for m in harness.messages() if "and 20 more" in m.text]
    assert "Weekly leaderboard" in board.text and all(name in board.text for name in NAMES)
    assert board.private_to is None
    [picture] = harness.pictures()
    seen = read_chart(picture.data)
    assert picture.data == board_chart(card).data
    assert seen.names == list(NAMES) and seen.description.endswith("; and 20 more.")


async def test_a_members_own_place_is_shown_to_that_member_only(harness: Harness) -> None:
    await harness.chat.tell_member(harness.channel, harness.member, own_place(BoardPlace(14, 32, 120)))

    [note] = [m for m in harness.messages() if "#14 of 32" in m.text]
    assert "You: #14 of 32 · 120 pts" in note.text and note.private_to == harness.member
