"""One whole working day in a Berlin Discord server, played against the fake Discord.

ada has #general answer in threads (/prep-admin config answers thread) and runs /prep-admin subscribe in it; the
question comes at 09:30 with an Answer button and its own thread; ben, cat, dan and eve answer, edit, delete and vote
in the thread, eve also through the Answer form; the reveal comes at 17:00 in the thread and the question says it is
closed; eve asks for her stats and the board; a week later the weekly board arrives. `play_day` plays it and returns
what the fake Discord holds after it; the helpers read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.domain.model import AnswerPart
from bot.domain.questions import Question
from tests.adapters.discord_team import BERLIN, berlin, behavioral_hints, discord_team, eventually, first_title, \
    message_text
from tests.fakes.discord import Call, FakeDiscord, InteractionResponse, Msg

CHANNEL = "301"
FEEDBACK = re.compile(r"^(\w+) \((on time|late)\): covered (\d+) of (\d+)(?: · (\d+) pts)?$", re.M)
BOARD_LINE = re.compile(r"^\S+ \*\*(\w+)\*\* · (\d+) pts", re.M)
SUBSCRIBE = {"time": "09:30", "timezone": "Europe/Berlin", "days": "mon-fri", "deadline": "17:00",
             "levels": "behavioral"}


@dataclass
class Day:
    """What the fake Discord holds after the day, plus a few things noted on the way."""

    fake: FakeDiscord
    bot_user: str
    ids: dict[str, str]
    subscribe: list[InteractionResponse]
    announcement: Msg
    question: Question
    question_message: Msg
    question_posts_by_eleven: list[Call] = field(default_factory=list)
    answers: dict[str, Msg] = field(default_factory=dict)  # member -> their reply in the thread
    reactions_before_reveal: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    form: list[InteractionResponse] = field(default_factory=list)  # the Answer button's click and the submit
    parts_before_reveal: list[AnswerPart] = field(default_factory=list)
    late: Msg | None = None
    stats: list[InteractionResponse] = field(default_factory=list)
    leaderboard: list[InteractionResponse] = field(default_factory=list)
    board: Msg | None = None

    @property
    def thread_id(self) -> str:
        return self.question_message.id

    def top_level(self) -> list[Msg]:
        return [m for m in self.fake.messages[CHANNEL] if not m.deleted]

    def bot_top_level(self) -> list[Msg]:
        return [m for m in self.top_level() if m.author_id == self.bot_user and not m.webhook_id]

    def reveal_parts(self) -> list[Msg]:
        """The bot's messages in the question's thread but the reminder posted there before the deadline."""
        return [m for m in self.fake.messages[self.thread_id] if m.author_id == self.bot_user
                and not any(str((e.get("footer") or {}).get("text") or "").endswith(" · reminder") for e in m.embeds)]

    def reveal_text(self) -> str:
        return "\n".join(message_text(m.content, m.embeds) for m in self.reveal_parts())


async def play_day(tmp_path: Path) -> Day:
    strong = behavioral_hints()
    async with discord_team(tmp_path) as team:
        fake = team.fake
        await team.command_and_wait("ada", "prep-admin", "config", {"setting": "answers", "value": "thread"})
        await eventually(lambda: len(team.bot_posts()) == 1, what="the switch to thread answers")
        iid = await team.command_and_wait("ada", "prep-admin", "subscribe", SUBSCRIBE)
        await eventually(lambda: len(team.bot_posts()) == 2, what="the announcement")
        announcement = team.bot_posts()[-1]

        await team.until(berlin(2026, 11, 30, 9, 30))
        [question_message] = team.questions()
        [question] = [q for q in team.live.bot.bank.all() if q.question == question_message.embeds[0]["description"]]
        day = Day(fake, team.bot_user, dict(team.ids), fake.responses_to(iid), announcement, question,
                  question_message)
        thread = question_message.id

        await team.until(berlin(2026, 11, 30, 10, 15))
        day.answers["ben"] = await team.reply("ben", thread, strong)
        await eventually(lambda: team.acked(day.answers["ben"]), what="ben's ✅")

        day.answers["cat"] = await team.reply("cat", thread, "Hmm, I would just do what they said?")
        await eventually(lambda: team.acked(day.answers["cat"]), what="cat's ✅")
        await team.until(berlin(2026, 11, 30, 11, 0))
        await team.edit(day.answers["cat"], strong)

        async def cats_edit_stored() -> bool:
            return any(p.text == strong and p.message_ref.endswith(day.answers["cat"].id)
                       for p in await team.parts(question_message))

        await eventually(cats_edit_stored, what="cat's edit")

        day.answers["dan"] = await team.reply("dan", thread, "Something I will take back.")
        await eventually(lambda: team.acked(day.answers["dan"]), what="dan's ✅")
        await team.delete(day.answers["dan"])

        async def dans_answer_withdrawn() -> bool:
            return any(p.withdrawn_at is not None and p.message_ref.endswith(day.answers["dan"].id)
                       for p in await team.parts(question_message))

        await eventually(dans_answer_withdrawn, what="dan's withdrawal")

        submit = await team.answer_with_form("eve", question_message, strong)
        await eventually(lambda: bool(team.followups(submit)), what="the form's follow-up")
        day.form = [r for r in fake.interaction_responses
                    if r.interaction_id in {submit, fake.interactions[submit].source_id}]
        day.answers["eve"] = await team.reply("eve", thread, "And afterwards we wrote down what we learned.")
        await eventually(lambda: team.acked(day.answers["eve"]), what="eve's ✅")
        await team.react("eve", day.answers["eve"])  # her own: must not count
        await team.react("ben", day.answers["eve"])
        await team.react("cat", day.answers["eve"])

        async def two_votes() -> bool:
            return 2 in (await team.voters(question_message)).values()

        await eventually(two_votes, what="ben's and cat's votes")
        day.question_posts_by_eleven = [
            c for c in fake.calls_to("POST", "/channels/{channel_id}/messages")
            if c.path == f"/channels/{CHANNEL}/messages" and "uestion" in first_title((c.body or {}).get("embeds"))
        ]
        day.reactions_before_reveal = {who: team.reactions(m) for who, m in day.answers.items()}
        day.parts_before_reveal = await team.parts(question_message)

        await team.until(berlin(2026, 11, 30, 17, 0))
        await eventually(lambda: bool(day.reveal_parts()), what="the reveal")

        await team.until(berlin(2026, 11, 30, 17, 5))
        day.late = await team.reply("dan", thread, f"Sorry, I am late: {strong}")
        await eventually(lambda: day.late is not None and team.bot_reacted(day.late, "⏰"), what="dan's ⏰")

        stats = await team.command_and_wait("eve", "prep", "stats")
        day.stats = fake.responses_to(stats)

        before = len(team.bot_posts())
        board = await team.command_and_wait("eve", "prep", "leaderboard")
        await eventually(lambda: len(team.bot_posts()) > before, what="the board")
        day.leaderboard = fake.responses_to(board)
        day.board = team.bot_posts()[-1]

        await team.until(berlin(2026, 12, 7, 9, 5))
    return day


def posted_at(message: Msg) -> datetime:
    return datetime.fromisoformat(message.timestamp).astimezone(BERLIN)


def embed_titles(messages: list[Msg]) -> list[str]:
    return [str(e.get("title")) for m in messages for e in m.embeds if e.get("title")]


def feedback(day: Day) -> dict[str, tuple[str, int, int, int]]:
    """member -> (on time|late, covered, of, points) from the reveal's feedback titles."""
    found = {}
    for title in embed_titles(day.reveal_parts()):
        match = FEEDBACK.match(title)
        if match:
            name, status, covered, total, points = match.groups()
            found[name] = (status, int(covered), int(total), int(points or 0))
    return found


def feedback_of(day: Day, member: str) -> str:
    """The text of the reveal's embeds about one member's answer."""
    embeds = [e for m in day.reveal_parts() for e in m.embeds]
    start = next(i for i, e in enumerate(embeds) if str(e.get("title", "")).startswith(f"{member} ("))
    text = [str(embeds[start].get("description", ""))]
    for e in embeds[start + 1:]:
        if e.get("title") or re.match(r"\d+ answers?: ", str(e.get("description", ""))):
            break
        text.append(str(e.get("description", "")))
    return "\n".join(text)
