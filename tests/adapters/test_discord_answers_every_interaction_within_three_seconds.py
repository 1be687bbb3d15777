"""Discord hears back from every interaction within its 3 seconds whatever is slow behind prepbot: with the SQLite
file held by another process, the Answer button says privately that prepbot is busy instead of leaving the member
with Discord's failure, and opens the form once the store answers again.

Times are Europe/Berlin; 2026-11-30 is a Monday. The fake Discord counts an interaction not acknowledged within 3
seconds as a violation.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.adapters.discord_day import SUBSCRIBE
from tests.adapters.discord_team import DiscordTeam, berlin, discord_team, message_text
from tests.fakes.discord import InteractionResponse, Msg


@contextmanager
def held_by_another_process(tmp_path: Path) -> Iterator[None]:
    """Another process's write transaction on prepbot's SQLite file: nobody else may use it until it ends."""
    holder = sqlite3.connect(tmp_path / "discord.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


async def a_question(team: DiscordTeam) -> Msg:
    await team.command_and_wait("ada", "prep-admin", "subscribe", SUBSCRIBE)
    await team.until(berlin(2026, 11, 30, 9, 30))
    [question] = team.questions()
    return question


async def click_answer(team: DiscordTeam, who: str, question: Msg) -> InteractionResponse:
    iid = await team.fake.click_button(team.guild_of(question), question.channel_id, question.id, team.user(who),
                                       "prep:answer")
    return await team.fake.wait_for_interaction_response(iid, timeout=4)


async def test_the_answer_button_while_another_process_holds_the_database_says_busy_in_time_then_opens_the_form(
    tmp_path: Path,
) -> None:
    async with discord_team(tmp_path) as team:
        question = await a_question(team)

        with held_by_another_process(tmp_path):
            busy = await click_answer(team, "ben", question)

        assert busy.type == 4 and busy.ephemeral, "a message only ben sees, not a form"
        said = message_text(busy.data.get("content"), busy.data.get("embeds"))
        assert "busy" in said and "try again" in said.lower()
        assert team.fake.violations == []  # acknowledged within 3 seconds

        shown = await click_answer(team, "ben", question)  # the store answers again
        assert shown.type == 9 and shown.data["custom_id"] == f"prep:private:{question.id}"
        assert team.fake.violations == []

