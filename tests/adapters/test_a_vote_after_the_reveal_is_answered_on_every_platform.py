"""A vote after the reveal adds nothing, and only the voter is told so, on every platform.

A reaction on an answer after its round's reveal adds nothing, and the voter is told so where only they read it:
an ephemeral message on Slack, a direct message on Discord (a reaction is no interaction, so there is none to reply
to), a line for that member on the console."""

from __future__ import annotations

import io
import json
import time
from dataclasses import replace
from pathlib import Path

from adapters.console.chat import ConsoleChat
from adapters.console.session import CHANNEL as CONSOLE
from adapters.console.session import ConsoleSession
from bot.bootstrap import bootstrap
from bot.clock import FakeClock
from bot.config import Settings
from bot.domain.model import ChannelAddress
from tests.adapters import discord_team as discord
from tests.adapters import slack_team as slack
from tests.services.team import shipped_bank

CLOSED = "closed at the reveal; points are final"


def told(texts: list[str], round_id: int) -> list[str]:
    return [t for t in texts if f"Voting on round {round_id} {CLOSED}" in t]


async def test_slack_tells_a_late_voter_in_an_ephemeral_message_and_counts_nothing(tmp_path: Path) -> None:
    async with slack.slack_team(tmp_path, "http") as team:
        await team.command_and_wait("UADA", "subscribe 09:30 Europe/Berlin mon-fri 17:00",
                                    lambda: len(team.slack.top_level("C1")) == 1)
        await team.until(slack.berlin(2026, 11, 30, 9, 30))
        [question] = team.questions()
        answer = await team.reply("UBEN", question.ts, "I would measure first, then change one thing at a time.")
        await team.react("UCAT", answer, "UBEN")
        await team.until(slack.berlin(2026, 11, 30, 17, 0))
        thread = await team.live.bot.thread_of(ChannelAddress("slack", "T1", "C1"))
        assert thread is not None
        round_id = thread[0]

        await team.react("UDAN", answer, "UBEN")
        await team.react("UCAT", answer, "UBEN", added=False)

        await slack.eventually(lambda: len(told(team.ephemerals_for("UCAT"), round_id)) == 1)
        await slack.eventually(lambda: len(told(team.ephemerals_for("UDAN"), round_id)) == 1)
        async with team.live.bot.store.unit_of_work() as uow:
            assert list((await uow.votes.voters_by_author(round_id)).values()) == [1]
        assert told(team.ephemerals_for("UBEN"), round_id) == []


async def test_discord_tells_a_late_voter_in_a_direct_message_and_counts_nothing(tmp_path: Path) -> None:
    async with discord.discord_team(tmp_path) as team:
        await team.command_and_wait("ada", "prep-admin", "subscribe", {
            "time": "09:30", "timezone": "Europe/Berlin", "days": "mon-fri", "deadline": "17:00"})
        await team.until(discord.berlin(2026, 11, 30, 9, 30))
        [question] = team.questions()
        answer = await team.reply("ben", question.id, "I would measure first, then change one thing at a time.")
        await discord.eventually(lambda: team.acked(answer), what="ben's ✅")
        await team.until(discord.berlin(2026, 11, 30, 17, 0))
        round_id = (await team.round_of(question)).id

        await team.react("cat", answer)

        await discord.eventually(lambda: len(told(team.dms("cat"), round_id)) == 1, what="cat's direct message")
        assert await team.voters(question) == {}
        assert told(team.dms("ben"), round_id) == []


async def test_the_console_prints_a_line_for_a_late_voter_and_counts_nothing(tmp_path: Path) -> None:
    clock = FakeClock(slack.berlin(2026, 11, 30, 8, 0))
    out = io.StringIO()
    chat = ConsoleChat(clock=clock, tz="Europe/Berlin", out=out, as_json=True, charts_dir=tmp_path)
    settings = replace(Settings(), database_url=f"sqlite+aiosqlite:///{tmp_path / 'console.db'}")
    bot = bootstrap(settings, chat, clock, shipped_bank(), monotonic=time.monotonic)
    session = ConsoleSession(bot, chat, clock, "Europe/Berlin", "alice")
    await bot.start()
    try:
        await session.ensure_subscribed()
        for line in (":at 2026-11-30 09:31", "I would measure first, then change one thing at a time.",
                     ":at 2026-11-30 17:05", ":as bob", ":vote alice"):
            await session.handle_line(line)
        await bot.caught_up()
        thread = await bot.thread_of(CONSOLE)
        assert thread is not None
        async with bot.store.unit_of_work() as uow:
            votes = await uow.votes.voters_by_author(thread[0])
    finally:
        await bot.close()

    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["kind"] for r in records if r["kind"] == "hint"] == ["hint"]
    lines_for_bob = [str(r["text"]) for r in records if r.get("member") == "bob"]
    assert len(told(lines_for_bob, thread[0])) == 1
    assert votes == {}
