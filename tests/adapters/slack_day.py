"""One whole working day in a Berlin Slack workspace, played over HTTP or over Socket Mode.

ada has #general answer in threads and subscribes it; the question comes at 09:30; ben, cat, dan and eve answer,
edit, delete and vote in the thread; the reveal comes at 17:00; eve asks for her stats and the board; a week later the
weekly board arrives. `play_day` plays it and returns what the fake Slack holds after it; the helpers read the reveal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.domain.questions import Level, Question
from bot.questions import load_pack
from questions import SHIPPED_PACKS
from tests.adapters.slack_team import BERLIN, berlin, block_text, eventually, slack_team
from tests.fakes.slack import Call, FakeSlack, Message
from tests.grading.explained import explained_answer

CHANNEL = "C1"
BOT = "UBOT"
TALLY = re.compile(r"\d+ answers?: \d+ on time, \d+ late")
FEEDBACK = re.compile(r"^\*(\w+)\* \((on time|late)\): covered (\d+) of (\d+)(?: · \*(\d+) pts\*)?$", re.M)
BOARD_LINE = re.compile(r"^\S+ \*(\w+)\* · (\d+) pts", re.M)


def behavioral_hints() -> str:
    """A strong answer to any behavioral question of the shipped pack: it explains every one of their key points."""
    return explained_answer(q for q in load_pack(SHIPPED_PACKS / "ai-model-serving.yaml")
                            if q.level is Level.BEHAVIORAL)


@dataclass
class Day:
    """What the fake Slack holds after the day, plus a few things noted on the way."""

    mode: str
    slack: FakeSlack
    statuses: list[int]
    announcement: Message
    question: Question
    question_ts: str
    question_post: Call  # the chat.postMessage that posted the open question
    question_posts_before_reveal: int = 0  # chat.postMessage calls that posted a question, by 11:00
    answers: dict[str, str] = field(default_factory=dict)  # member -> ts of their reply in the thread
    reactions_before_reveal: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    late_ts: str = ""
    stats_ephemerals_before: int = 0
    leaderboard: Message | None = None

    def reveal_parts(self) -> list[Message]:
        """The bot's messages in the question's thread but the reminder posted there before the deadline."""
        return [m for m in self.slack.thread(CHANNEL, self.question_ts) if m.user == BOT
                and (m.metadata or {}).get("event_type") != "prepbot_reminder"]

    def reveal_text(self) -> str:
        return "\n".join(block_text(m) for m in self.reveal_parts())

    def top_level(self) -> list[Message]:
        return self.slack.top_level(CHANNEL)


async def play_day(tmp_path: Path, mode: str) -> Day:
    strong = behavioral_hints()
    async with slack_team(tmp_path, mode) as team:
        slack = team.slack

        def reacted(ts: str, name: str) -> bool:
            return (name, BOT) in slack.reactions(CHANNEL, ts)

        await team.command_and_wait("UADA", "config answers thread", lambda: len(slack.top_level(CHANNEL)) == 1)
        await team.command_and_wait("UADA", "subscribe 09:30 Europe/Berlin mon-fri 17:00 behavioral",
                                    lambda: len(slack.top_level(CHANNEL)) == 2)
        announcement = slack.top_level(CHANNEL)[-1]

        await team.until(berlin(2026, 11, 30, 9, 30))
        [question_message] = team.questions()
        question_ts = question_message.ts
        [post] = [c for c in slack.calls_to("chat.postMessage") if c.response.get("ts") == question_ts]
        bank = team.live.bot.bank
        [question] = [q for q in bank.all() if q.question in question_message.text]

        await team.until(berlin(2026, 11, 30, 10, 15))
        day = Day(mode, slack, team.statuses, announcement, question, question_ts, post)

        day.answers["ben"] = await team.reply("UBEN", question_ts, strong)
        await eventually(lambda: reacted(day.answers["ben"], "white_check_mark"))

        day.answers["cat"] = await team.reply("UCAT", question_ts, "Hmm, I would just do what they said?")
        await eventually(lambda: reacted(day.answers["cat"], "white_check_mark"))
        await team.until(berlin(2026, 11, 30, 11, 0))
        await team.edit("UCAT", day.answers["cat"], question_ts, strong)

        day.answers["dan"] = await team.reply("UDAN", question_ts, "Something I will take back.")
        await eventually(lambda: reacted(day.answers["dan"], "white_check_mark"))
        await team.delete("UDAN", day.answers["dan"], question_ts)
        # Slack removes a deleted reply from the thread; the fake leaves members' own messages to the test.
        slack.messages[CHANNEL] = [m for m in slack.messages[CHANNEL] if m.ts != day.answers["dan"]]

        day.answers["eve"] = await team.reply("UEVE", question_ts, strong)
        await eventually(lambda: reacted(day.answers["eve"], "white_check_mark"))
        await team.react("UBEN", day.answers["eve"], "UEVE")
        await team.react("UCAT", day.answers["eve"], "UEVE")
        await team.react("UEVE", day.answers["eve"], "UEVE")  # her own: must not count

        day.question_posts_before_reveal = sum(
            1 for c in slack.calls_to("chat.postMessage")
            if (c.args.get("blocks") or [{}])[0].get("type") == "header" and "Question" in c.args["text"]
        )
        day.reactions_before_reveal = {who: slack.reactions(CHANNEL, ts) for who, ts in day.answers.items()}

        await team.until(berlin(2026, 11, 30, 17, 0))
        await eventually(lambda: bool(day.reveal_parts()))

        await team.until(berlin(2026, 11, 30, 17, 5))
        day.late_ts = await team.reply("UDAN", question_ts, f"Sorry, I am late: {strong}")
        await eventually(lambda: reacted(day.late_ts, "alarm_clock"))

        day.stats_ephemerals_before = len(slack.ephemerals)
        await team.command_and_wait("UEVE", "stats", lambda: len(slack.ephemerals) > day.stats_ephemerals_before)

        before = len(slack.top_level(CHANNEL))
        await team.command_and_wait("UEVE", "leaderboard", lambda: len(slack.top_level(CHANNEL)) > before)
        day.leaderboard = slack.top_level(CHANNEL)[-1]

        await team.until(berlin(2026, 12, 7, 9, 5))
    return day


def blocks(message: Message) -> list[dict[str, Any]]:
    assert message.blocks is not None, f"{message.text!r} has no blocks"
    return message.blocks


def posted_at(message: Message) -> datetime:
    return datetime.fromtimestamp(float(message.ts), tz=BERLIN)


def feedback(day: Day) -> dict[str, tuple[str, int, int, int]]:
    """member -> (on time|late, covered, of, points) from the reveal."""
    return {name: (status, int(covered), int(total), int(points or 0))
            for name, status, covered, total, points in FEEDBACK.findall(day.reveal_text())}


def feedback_of(day: Day, member: str) -> str:
    """The lines of the reveal about one member's answer."""
    text = day.reveal_text()
    start = text.index(f"*{member}* (")
    following = [m.start() for m in FEEDBACK.finditer(text) if m.start() > start]
    end = min(following + [[m.start() for m in TALLY.finditer(text)][-1]])
    return text[start:end]
