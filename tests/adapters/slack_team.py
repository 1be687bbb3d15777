"""A Slack workspace in a test: the fake Slack, the real prepbot (bolt app, Web API client) and a fake clock."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.clock import FakeClock
from bot.questions import QuestionBank
from entrypoints.serve import Running, running
from entrypoints.settings import Configuration, configured
from tests.adapters import slack_payloads as payloads
from tests.fakes.slack import FakeSlack, Message

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


async def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Waits until `check()` holds (what an asynchronous listener does takes a moment), or fails."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError("the expected outcome did not happen in time")
        await asyncio.sleep(0.01)


@dataclass
class SlackTeam:
    slack: FakeSlack
    live: Running
    clock: FakeClock
    team_id: str
    channel: str
    mode: str  # http | socket
    bot_user: str = "UBOT"
    statuses: list[int] = field(default_factory=list)

    # ---- delivering what members do ----

    def ts(self) -> str:
        return self.slack._next_ts()

    async def deliver_event(self, body: dict[str, Any], retry_num: int | None = None) -> int:
        """Delivers an Events API payload the way the mode does; returns the HTTP status (200 for a socket ack)."""
        if self.mode == "http":
            status, _ = await self.slack.send_signed(f"{self.live.http_url}/slack/events", json.dumps(body),
                                                     "application/json", retry_num=retry_num,
                                                     retry_reason="timeout" if retry_num else None)
        else:
            await self.slack.push_socket("events_api", body, retry_attempt=retry_num or 0)
            status = 200
        self.statuses.append(status)
        await self.settled()
        return status

    async def settled(self) -> None:
        """Waits for what follows a response (reactions, command replies) to be done, including follow-ups a
        listener still running after its ack (Socket Mode) is about to start."""
        lane = self.live.slack.followups
        while True:
            assert await lane.drain(10.0), "follow-up work did not finish"
            await asyncio.sleep(0.02)
            if lane.pending == 0:
                return

    async def command(self, user: str, text: str, channel: str | None = None, *, settle: bool = True) -> int:
        """Sends `/prep text` as `user`; returns the HTTP status (200 for a socket ack). With `settle`, returns only
        once the command's work, which follows the response, is done too."""
        channel = channel or self.channel
        name = self.slack.workspace(self.team_id).users[user].name
        response_url = self.slack.slash_command(self.team_id, channel, user, text)["response_url"]
        body = payloads.slash_command(self.team_id, channel, "general", user, name, text, response_url)
        if self.mode == "http":
            status, _ = await self.slack.send_signed(f"{self.live.http_url}/slack/events", urlencode(body),
                                                     "application/x-www-form-urlencoded")
        else:
            await self.slack.push_socket("slash_commands", body)
            status = 200
        if settle:
            await self.settled()
        return status

    async def command_and_wait(self, user: str, text: str, check: Callable[[], bool]) -> None:
        assert await self.command(user, text) == 200
        await eventually(check)

    async def reply(self, user: str, thread_ts: str, text: str) -> str:
        message = self.slack.add_user_message(self.channel, user, text, thread_ts=thread_ts)
        body = payloads.thread_reply(self.team_id, self.bot_user, self.channel, user, text, message.ts, thread_ts)
        assert await self.deliver_event(body) == 200
        return message.ts

    async def edit(self, user: str, ts: str, thread_ts: str, text: str) -> None:
        body = payloads.edited_reply(self.team_id, self.bot_user, self.channel, user, text, ts, thread_ts, self.ts())
        assert await self.deliver_event(body) == 200

    async def delete(self, user: str, ts: str, thread_ts: str) -> None:
        body = payloads.deleted_reply(self.team_id, self.bot_user, self.channel, user, ts, thread_ts, self.ts())
        assert await self.deliver_event(body) == 200

    async def react(self, user: str, ts: str, author: str, name: str = "+1", added: bool = True) -> None:
        if added:
            self.slack.add_reaction(self.channel, ts, name, user)
        body = payloads.reaction(self.team_id, self.bot_user, self.channel, user, ts, author, name, self.ts(), added)
        assert await self.deliver_event(body) == 200

    async def until(self, when: datetime) -> None:
        await self.settled()  # nothing that follows a response may straddle the clock's jump
        await self.live.bot.run_until(when, self.clock)

    # ---- what members see ----

    def questions(self) -> list[Message]:
        return [m for m in self.slack.top_level(self.channel) if m.user == self.bot_user and m.blocks
                and m.blocks[0].get("type") == "header" and "uestion" in m.blocks[0]["text"]["text"]]

    def thread_texts(self, thread_ts: str) -> list[str]:
        return [block_text(m) for m in self.slack.thread(self.channel, thread_ts)]

    def ephemerals_for(self, user: str) -> list[str]:
        return [block_text(e) for e in self.slack.ephemerals if e.user == user]


def block_text(message: Any) -> str:
    """All the text a member reads in a message's blocks."""
    parts: list[str] = []
    for block in message.blocks or []:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(str(text.get("text", "")))
        for element in block.get("elements", []) or []:
            if isinstance(element, dict) and "text" in element:
                parts.append(str(element["text"]))
    return "\n".join(parts) or str(message.text)


def slack_settings(slack: FakeSlack, db: Path, team_id: str, mode: str, **extra: Any) -> Configuration:
    base = configured(
        database_url=f"sqlite+aiosqlite:///{db}",
        slack_api_url=f"{slack.url}/api/",
        slack_signing_secret=slack.signing_secret,
        slack_bot_token=f"xoxb-{team_id}",
        slack_app_token=slack.app_token if mode == "socket" else None,
        slack_mode=mode,
        slack_channel_interval=0.0,
        http_host="127.0.0.1",
        http_port=0,
    )
    return base.replace(**extra)


@asynccontextmanager
async def slack_team(tmp_path: Path, mode: str, bank: QuestionBank | None = None,
                     start: datetime | None = None, **settings: Any) -> AsyncIterator[SlackTeam]:
    clock = FakeClock(start or berlin(2026, 11, 30, 8, 0))
    async with FakeSlack(now=lambda: clock.now().timestamp()) as slack:
        slack.add_workspace("T1", name="Acme")
        slack.add_user("T1", "UADA", "ada", is_admin=True)
        for user, name in (("UBEN", "ben"), ("UCAT", "cat"), ("UDAN", "dan"), ("UEVE", "eve")):
            slack.add_user("T1", user, name)
        slack.add_channel("T1", "C1", "general")
        async with running(slack_settings(slack, tmp_path / "slack.db", "T1", mode, **settings), clock,
                           bank=bank, tick=False) as live:
            if mode == "socket":
                await slack.wait_for_socket_client()
            yield SlackTeam(slack, live, clock, "T1", "C1", mode)


