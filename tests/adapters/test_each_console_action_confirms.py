"""Each console line that acts says what it did, and one that could not act says why.

What it did: a vote, a vote taken back, an edit, a deletion, a change of speaker, of time or of thread."""

from __future__ import annotations

import io
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.console.chat import ConsoleChat
from adapters.console.session import ConsoleSession
from bot.bootstrap import bootstrap
from bot.clock import FakeClock
from bot.config import Settings
from tests.services.team import shipped_bank

BERLIN = "Europe/Berlin"


class Console:
    def __init__(self, session: ConsoleSession, out: io.StringIO) -> None:
        self.session = session
        self.out = out

    async def lines(self, *lines: str) -> list[tuple[str, str]]:
        """Types the lines; returns (kind, text) of each private reply or error they printed."""
        start = len(self.out.getvalue())
        for line in lines:
            await self.session.handle_line(line)
        records = [json.loads(line) for line in self.out.getvalue()[start:].splitlines()]
        return [(r["kind"], r["text"]) for r in records if r["kind"] in {"reply", "error"}]


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    """A console channel subscribed with the default schedule, on Monday 30 November 2026 at 08:00 in Berlin."""
    out = io.StringIO()
    clock = FakeClock(datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo(BERLIN)))
    chat = ConsoleChat(clock=clock, tz=BERLIN, out=out, as_json=True, charts_dir=tmp_path)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'console.db'}")
    bot = bootstrap(settings, chat, clock, shipped_bank(), monotonic=time.monotonic)
    await bot.start()
    session = ConsoleSession(bot, chat, clock, BERLIN, "alice")
    await session.ensure_subscribed()
    try:
        yield Console(session, out)
    finally:
        await bot.close()


async def test_a_vote_and_a_vote_taken_back_say_how_many_teammates_voted_for_the_answer(console: Console) -> None:
    await console.lines(":at 2026-11-30 09:31", "A first answer.", ":as bob")

    assert await console.lines(":vote alice") == [
        ("reply", "Your vote for alice's answer counts: it has votes from 1 teammate now.")]
    assert await console.lines(":as carol", ":vote alice") == [
        ("reply", "You are carol now."),
        ("reply", "Your vote for alice's answer counts: it has votes from 2 teammates now.")]
    assert await console.lines(":unvote alice") == [
        ("reply", "Your vote for alice's answer is taken back: it has votes from 1 teammate now.")]
    assert await console.lines(":as bob", ":unvote alice") == [
        ("reply", "You are bob now."), ("reply", "Your vote for alice's answer is taken back: it has no votes now.")]


async def test_a_vote_given_twice_or_taken_back_twice_says_nothing_changed(console: Console) -> None:
    await console.lines(":at 2026-11-30 09:31", "A first answer.", ":as bob", ":vote alice")

    assert await console.lines(":vote alice") == [
        ("reply", "You already vote for alice's answer, so nothing changed: it has votes from 1 teammate.")]
    await console.lines(":unvote alice")
    assert await console.lines(":unvote alice") == [
        ("reply", "You had no vote to take back from alice's answer, so nothing changed: it has no votes.")]


async def test_a_vote_for_ones_own_answer_is_told_it_was_not_counted(console: Console) -> None:
    await console.lines(":at 2026-11-30 09:31", "A first answer.")

    assert await console.lines(":vote alice") == [("error", "Your vote was not counted: your own answer.")]


async def test_deleting_twice_deletes_the_reply_once_and_then_says_there_is_none_left(console: Console) -> None:
    await console.lines(":at 2026-11-30 09:31", "A first answer.")

    assert await console.lines(":delete") == [("reply", "Your reply was deleted; it no longer counts.")]
    assert await console.lines(":delete") == [("error", "You have no reply in the open thread to change.")]


async def test_an_edit_says_so_and_after_the_deadline_says_it_does_not_change_the_score(console: Console) -> None:
    await console.lines(":at 2026-11-30 09:31", "A first answer.")

    assert await console.lines(":edit A better answer.") == [("reply", "Your reply was edited.")]
    await console.lines(":at 2026-11-30 17:01")
    assert await console.lines(":edit An answer after the reveal.") == [
        ("reply", "Your reply was edited after the deadline, so the edit does not change your score.")]


async def test_changing_the_speaker_the_time_or_the_thread_says_what_it_is_now(console: Console) -> None:
    assert await console.lines(":as bob") == [("reply", "You are bob now.")]
    assert await console.lines(":at 2026-11-30 09:31") == [("reply", "It is Mon 30 Nov 2026 09:31 Europe/Berlin now.")]
    assert await console.lines(":advance 1d") == [("reply", "It is Tue 01 Dec 2026 09:31 Europe/Berlin now.")]
    assert await console.lines(":thread 1") == [("reply", "Replies go to round 1's thread now.")]


@pytest.mark.parametrize("typed", ["/prep config", "/prep nudge", "/prep nudge on", "/prep nudge off", "/prep help",
                                   "/prep config answers private", "/prep optout", "/prep optin", "/prep stats"])
async def test_no_reply_in_the_console_carries_markup(console: Console, typed: str) -> None:
    replies = await console.lines(typed)

    assert replies
    for _, text in replies:
        assert not any(mark in text for mark in ("`", "*", "<@", "<#", "&lt;")), text
