"""Discord hears back from every interaction within its 3 seconds, and no member is left waiting.

Whatever is slow behind prepbot: with the SQLite file held by another process, the Answer button says privately that
prepbot is busy instead of leaving the member with Discord's failure, and opens the form once the store answers again; a
command or a form's answer the store fails to take (acknowledged "thinking" at once) is answered busy, privately, and
works when sent again.

Times are Europe/Berlin; 2026-11-30 is a Monday. The fake Discord counts an interaction not acknowledged within 3
seconds as a violation.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.adapters.discord_day import SUBSCRIBE
from tests.adapters.discord_team import DiscordTeam, berlin, discord_team, eventually, message_text
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


@contextmanager
def tables_taken_away(tmp_path: Path, *tables: str) -> Iterator[None]:
    """Another process renames `tables` for a while (as a botched restore would): every write there fails at once."""
    other = sqlite3.connect(tmp_path / "discord.db", isolation_level=None)
    for table in tables:
        other.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        yield
    finally:
        for table in tables:
            other.execute(f"ALTER TABLE {table}_away RENAME TO {table}")
        other.close()


async def test_a_command_and_a_form_the_store_fails_to_take_are_answered_busy_privately_and_work_when_sent_again(
    tmp_path: Path,
) -> None:
    async with discord_team(tmp_path) as team:
        question = await a_question(team)
        form = await click_answer(team, "ben", question)
        text_input = str(form.data["components"][0]["components"][0]["custom_id"])

        with tables_taken_away(tmp_path, "inbox", "answer_parts"):
            stats = await team.command_and_wait("cat", "prep", "stats")
            sent = await team.fake.submit_modal(team.guild, question.channel_id, team.user("ben"),
                                                form.data["custom_id"], {text_input: "Profile first, then batch."})
            await eventually(lambda: bool(team.followups(sent)), what="the form's reply")

        [busy] = team.replies(stats)
        assert "busy" in busy and "try again" in busy.lower()
        [unsaved] = team.replies(sent)
        assert "busy" in unsaved and "could not save your answer" in unsaved
        assert all(r.ephemeral for iid in (stats, sent) for r in team.fake.responses_to(iid))

        again = await team.command_and_wait("cat", "prep", "stats")  # the store works again
        assert team.replies(again)[0].startswith("Stats for cat")
        form = await click_answer(team, "ben", question)
        resent = await team.fake.submit_modal(team.guild, question.channel_id, team.user("ben"),
                                              form.data["custom_id"], {text_input: "Profile first, then batch."})
        await eventually(lambda: bool(team.followups(resent)), what="the form's reply")
        assert "saved" in team.replies(resent)[0]
        assert [p.text for p in await team.parts(question)] == ["Profile first, then batch."]
        assert len(team.replies(stats)) == 1, "the command answered busy never ran"
        assert team.fake.violations == []
