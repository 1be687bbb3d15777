"""One whole working day on each chat platform, and the same view of each.

Each day is played once per test session; the view is for the tests that hold on every platform
(tests/adapters/test_every_platform_plays_a_whole_day.py).

The days themselves are tests/adapters/slack_day.py (over HTTP and over Socket Mode) and discord_day.py.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Protocol

import pytest

from adapters.slack.render import escape
from bot.domain.questions import Question
from tests.adapters import discord_day, slack_day
from tests.adapters.discord_team import first_title
from tests.adapters.slack_team import block_text


class PlayedDays:
    """Plays each platform's day the first time a test asks for it, and keeps it for the rest of the session."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp_path_factory = tmp_path_factory
        self._slack: dict[str, slack_day.Day] = {}
        self._discord: discord_day.Day | None = None

    def slack(self, mode: str) -> slack_day.Day:
        if mode not in self._slack:
            self._slack[mode] = asyncio.run(
                slack_day.play_day(self._tmp_path_factory.mktemp(f"whole-day-{mode}"), mode))
        return self._slack[mode]

    def discord(self) -> discord_day.Day:
        if self._discord is None:
            self._discord = asyncio.run(discord_day.play_day(self._tmp_path_factory.mktemp("discord-whole-day")))
        return self._discord


class DayView(Protocol):
    """A day as the shared tests read it, whatever platform it was played on."""

    check_mark: str
    alarm_clock: str

    @property
    def bot(self) -> str: ...

    @property
    def question(self) -> Question: ...

    @property
    def reactions_before_reveal(self) -> dict[str, list[tuple[str, str]]]: ...

    def reactions_on_answer(self, member: str) -> list[tuple[str, str]]: ...

    def reactions_on_late_reply(self) -> list[tuple[str, str]]: ...

    def reveal_posted_at(self) -> list[datetime]:
        """When each message of the reveal was posted."""

    def reveal_heading(self) -> str:
        """The heading the reveal opens with."""

    def channel_shows(self, heading: str) -> bool:
        """Whether a message of the bot's in the channel itself (not a thread) carries `heading`."""

    def reveal_text(self) -> str: ...

    def bold(self, text: str) -> str: ...

    def escape(self, text: str) -> str:
        """`text` as the reveal shows text a pack wrote."""

    def feedback(self) -> dict[str, tuple[str, int, int, int]]:
        """member -> (on time|late, covered, of, points) from the reveal."""

    def feedback_of(self, member: str) -> str: ...

    def judges(self, member: str) -> bool:
        """Whether the reveal has feedback headed with `member`'s name."""

    def tally(self) -> str:
        """The line the reveal ends with."""

    def leaderboard_title(self) -> str: ...

    def leaderboard_ranking(self) -> list[tuple[str, str]]:
        """(name, points) of each line of the board the leaderboard command posted."""

    def weekly_boards(self) -> list[tuple[str, datetime, list[str]]]:
        """(title, posted at, names in ranking order) of each weekly board in the channel."""

    def channel_posted_at(self) -> list[datetime]:
        """When each message in the channel itself was posted."""


class SlackDayView:
    """The Slack day: Block Kit messages and reactions by name."""

    check_mark = "white_check_mark"
    alarm_clock = "alarm_clock"

    def __init__(self, day: slack_day.Day) -> None:
        self.day = day

    @property
    def bot(self) -> str:
        return slack_day.BOT

    @property
    def question(self) -> Question:
        return self.day.question

    @property
    def reactions_before_reveal(self) -> dict[str, list[tuple[str, str]]]:
        return self.day.reactions_before_reveal

    def reactions_on_answer(self, member: str) -> list[tuple[str, str]]:
        return self.day.slack.reactions(slack_day.CHANNEL, self.day.answers[member])

    def reactions_on_late_reply(self) -> list[tuple[str, str]]:
        return self.day.slack.reactions(slack_day.CHANNEL, self.day.late_ts)

    def reveal_posted_at(self) -> list[datetime]:
        return [slack_day.posted_at(m) for m in self.day.reveal_parts()]

    def reveal_heading(self) -> str:
        return str(slack_day.blocks(self.day.reveal_parts()[0])[0]["text"]["text"])

    def channel_shows(self, heading: str) -> bool:
        return any(m.user == slack_day.BOT and heading in m.text for m in self.day.top_level())

    def reveal_text(self) -> str:
        return self.day.reveal_text()

    def bold(self, text: str) -> str:
        return f"*{text}*"

    def escape(self, text: str) -> str:
        return escape(text)

    def feedback(self) -> dict[str, tuple[str, int, int, int]]:
        return slack_day.feedback(self.day)

    def feedback_of(self, member: str) -> str:
        return slack_day.feedback_of(self.day, member)

    def judges(self, member: str) -> bool:
        return f"*{member}*" in self.day.reveal_text()

    def tally(self) -> str:
        last = slack_day.blocks(self.day.reveal_parts()[-1])[-1]
        assert last["type"] == "context"
        return str(last["elements"][0]["text"])

    def leaderboard_title(self) -> str:
        assert self.day.leaderboard is not None
        return str(slack_day.blocks(self.day.leaderboard)[0]["text"]["text"])

    def leaderboard_ranking(self) -> list[tuple[str, str]]:
        assert self.day.leaderboard is not None
        return slack_day.BOARD_LINE.findall(block_text(self.day.leaderboard))

    def weekly_boards(self) -> list[tuple[str, datetime, list[str]]]:
        boards = [m for m in self.day.top_level()
                  if m.blocks and m.blocks[0]["text"]["text"].startswith("Weekly leaderboard")]
        return [(str(slack_day.blocks(board)[0]["text"]["text"]), slack_day.posted_at(board),
                 [name for name, _ in slack_day.BOARD_LINE.findall(block_text(board))]) for board in boards]

    def channel_posted_at(self) -> list[datetime]:
        return [slack_day.posted_at(m) for m in self.day.top_level()]


class DiscordDayView:
    """The Discord day: embeds, and reactions by emoji."""

    check_mark = "✅"
    alarm_clock = "⏰"

    def __init__(self, day: discord_day.Day) -> None:
        self.day = day

    @property
    def bot(self) -> str:
        return self.day.bot_user

    @property
    def question(self) -> Question:
        return self.day.question

    @property
    def reactions_before_reveal(self) -> dict[str, list[tuple[str, str]]]:
        return self.day.reactions_before_reveal

    def reactions_on_answer(self, member: str) -> list[tuple[str, str]]:
        return self.day.fake.reactions(self.day.thread_id, self.day.answers[member].id)

    def reactions_on_late_reply(self) -> list[tuple[str, str]]:
        assert self.day.late is not None
        return self.day.fake.reactions(self.day.thread_id, self.day.late.id)

    def reveal_posted_at(self) -> list[datetime]:
        return [discord_day.posted_at(m) for m in self.day.reveal_parts()]

    def reveal_heading(self) -> str:
        return str(self.day.reveal_parts()[0].embeds[0]["title"])

    def channel_shows(self, heading: str) -> bool:
        return any(heading in discord_day.embed_titles([m]) for m in self.day.top_level())

    def reveal_text(self) -> str:
        return self.day.reveal_text()

    def bold(self, text: str) -> str:
        return f"**{text}**"

    def escape(self, text: str) -> str:
        return text

    def feedback(self) -> dict[str, tuple[str, int, int, int]]:
        return discord_day.feedback(self.day)

    def feedback_of(self, member: str) -> str:
        return discord_day.feedback_of(self.day, member)

    def judges(self, member: str) -> bool:
        return member in " ".join(discord_day.embed_titles(self.day.reveal_parts()))

    def tally(self) -> str:
        return str(self.day.reveal_parts()[-1].embeds[-1]["description"])

    def leaderboard_title(self) -> str:
        assert self.day.board is not None
        [embed] = self.day.board.embeds
        return str(embed["title"])

    def leaderboard_ranking(self) -> list[tuple[str, str]]:
        assert self.day.board is not None
        [embed] = self.day.board.embeds
        return discord_day.BOARD_LINE.findall(embed["description"])

    def weekly_boards(self) -> list[tuple[str, datetime, list[str]]]:
        boards = [m for m in self.day.bot_top_level()
                  if first_title(m.embeds).startswith("Weekly leaderboard")]
        return [(str(board.embeds[0]["title"]), discord_day.posted_at(board),
                 [name for name, _ in discord_day.BOARD_LINE.findall(board.embeds[0]["description"])])
                for board in boards]

    def channel_posted_at(self) -> list[datetime]:
        return [discord_day.posted_at(m) for m in self.day.top_level()]
