"""One whole working day in a Berlin Slack workspace, over HTTP and over Socket Mode, as the members see it.

ada subscribes #general; the question comes at 09:30; ben, cat, dan and eve answer, edit, delete and vote in the
thread; the reveal comes at 17:00; eve asks for her stats and the board; a week later the weekly board arrives.
Each mode plays the day once (a module fixture) and the tests read what the fake Slack shows.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.render import escape
from bot.domain.questions import Level, Question
from bot.questions import load_pack
from questions import SHIPPED_PACKS
from tests.grading.explained import explained_answer
from tests.adapters.slack_team import BERLIN, berlin, block_text, eventually, slack_team
from tests.contract.charts import read_chart
from tests.fakes.slack import Call, FakeSlack, Message, SharedFile

CHANNEL = "C1"
BOT = "UBOT"
DATE_TOKEN = re.compile(r"<!date\^(\d+)\^[^|>]*\|[^>]+>")
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
        return [m for m in self.slack.thread(CHANNEL, self.question_ts) if m.user == BOT]

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

        await team.command_and_wait("UADA", "subscribe 09:30 Europe/Berlin mon-fri 17:00 behavioral",
                                    lambda: len(slack.top_level(CHANNEL)) == 1)
        announcement = slack.top_level(CHANNEL)[0]

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


@pytest.fixture(scope="module", params=["http", "socket"])
def day(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Day:
    mode = str(request.param)
    return asyncio.run(play_day(tmp_path_factory.mktemp(f"whole-day-{mode}"), mode))


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
    end = min(following + [text.rindex(" answer(s): ")])
    return text[start:end]


# ---- the morning ----


def test_an_admins_subscribe_command_is_announced_in_the_channel(day: Day) -> None:
    text = block_text(day.announcement)
    assert day.announcement.user == BOT and day.announcement.thread_ts is None
    assert text.startswith("ada subscribed this channel to a daily question")
    assert "mon-fri at 09:30 Europe/Berlin" in text and "17:00" in text and "behavioral" in text
    assert "next question Mon 30 Nov 09:30 Europe/Berlin" in text


def test_the_question_appears_once_at_half_past_nine_berlin_time_as_block_kit(day: Day) -> None:
    assert day.question_posts_before_reveal == 1
    question = next(m for m in day.top_level() if m.ts == day.question_ts)
    assert posted_at(question) == berlin(2026, 11, 30, 9, 30)
    blocks = day.question_post.args["blocks"]
    assert [b["type"] for b in blocks] == ["header", "section", "context"]
    assert blocks[0]["text"]["type"] == "plain_text"
    assert blocks[0]["text"]["text"] == "Question of the day · Behavioral"
    assert day.question.level.label == "Behavioral"
    assert blocks[1]["text"]["text"] == escape(day.question.question)
    assert day.question.question in day.question_post.args["text"]


def test_the_question_shows_the_deadline_as_a_slack_date_at_five_pm_berlin_time(day: Day) -> None:
    context = day.question_post.args["blocks"][2]["elements"][0]["text"]
    assert context.startswith("Answers close ")
    token = DATE_TOKEN.search(context)
    assert token is not None, context
    assert int(token.group(1)) == int(berlin(2026, 11, 30, 17, 0).timestamp())
    assert "Reply in this thread" in context


# ---- answers in the thread ----


def test_every_on_time_reply_gets_a_check_mark_from_the_bot(day: Day) -> None:
    for member in ("ben", "cat", "dan", "eve"):
        assert ("white_check_mark", BOT) in day.reactions_before_reveal[member], member
    for member in ("ben", "cat", "eve"):
        assert ("alarm_clock", BOT) not in day.slack.reactions(CHANNEL, day.answers[member]), member


def test_a_reply_after_five_pm_gets_an_alarm_clock_instead(day: Day) -> None:
    reactions = day.slack.reactions(CHANNEL, day.late_ts)
    assert ("alarm_clock", BOT) in reactions
    assert ("white_check_mark", BOT) not in reactions


# ---- the reveal at 17:00 ----


def test_the_reveal_arrives_in_the_questions_thread_at_five_pm(day: Day) -> None:
    parts = day.reveal_parts()
    assert len(parts) == 1
    assert posted_at(parts[0]) == berlin(2026, 11, 30, 17, 0)
    assert blocks(parts[0])[0] == {"type": "header", "text": {"type": "plain_text", "text": "Hint and feedback",
                                                              "emoji": True}}
    assert not any(m.user == BOT and "Hint and feedback" in m.text for m in day.top_level())


def test_the_reveal_shows_the_hint_and_the_checklist(day: Day) -> None:
    text = day.reveal_text()
    assert f"*Hint:* {escape(day.question.hint)}" in text
    checklist = "\n".join(f"• {escape(point.point)}" for point in day.question.key_points)
    assert f"*A strong answer covers:*\n{checklist}" in text


def test_the_reveal_gives_feedback_and_points_for_each_answer_not_withdrawn(day: Day) -> None:
    given = feedback(day)
    assert sorted(given) == ["ben", "cat", "eve"], day.reveal_text()
    assert "*dan*" not in day.reveal_text(), "a withdrawn answer must not be judged"
    total = len(day.question.key_points)
    for member in ("ben", "cat", "eve"):
        status, covered, of, points = given[member]
        assert (status, of) == ("on time", total)
        assert covered >= total - 1, f"{member}'s strong answer covered only {covered} of {total}"
        assert f"+10 participation (answered on time), +{points - 10 - (4 if member == 'eve' else 0)} coverage" \
            in feedback_of(day, member)
    assert given["ben"][3] == given["cat"][3], "cat's edit before the deadline is what was scored"
    assert given["eve"][3] == given["ben"][3] + 4


def test_teammates_reactions_count_as_votes_but_the_authors_own_does_not(day: Day) -> None:
    assert "+4 votes (2 teammate votes)" in feedback_of(day, "eve")
    assert "votes" not in feedback_of(day, "ben") and "votes" not in feedback_of(day, "cat")


def test_the_reveal_ends_with_the_tally(day: Day) -> None:
    last = blocks(day.reveal_parts()[-1])[-1]
    assert last["type"] == "context"
    assert last["elements"][0]["text"] == "3 answer(s): 3 on time, 0 late · average coverage " + \
        f"{sum(c / t for _, c, t, _ in feedback(day).values()) / 3:.0%}"


def test_the_question_is_updated_to_say_it_is_closed(day: Day) -> None:
    updates = [c for c in day.slack.calls_to("chat.update") if c.args.get("ts") == day.question_ts]
    assert len(updates) == 1 and updates[0].response["ok"] is True
    question = next(m for m in day.top_level() if m.ts == day.question_ts)
    assert question.edited
    assert blocks(question)[0]["text"]["text"] == "Closed: Behavioral question"
    assert question.text.startswith("Closed: Behavioral question")
    closing = blocks(question)[-1]["elements"][0]["text"]
    assert closing.startswith("Answers closed ")
    token = DATE_TOKEN.search(closing)
    assert token is not None and int(token.group(1)) == int(berlin(2026, 11, 30, 17, 0).timestamp())


# ---- commands after the reveal ----


def test_stats_are_shown_only_to_the_member_who_asked_with_the_reasons_for_the_points(day: Day) -> None:
    stats = day.slack.ephemerals[day.stats_ephemerals_before:]
    assert [(e.user, e.channel) for e in stats] == [("UEVE", CHANNEL)]
    text = block_text(stats[0])
    assert text.startswith("Stats for eve")
    points = feedback(day)["eve"][3]
    assert f"*{points} points* all time" in text
    parts = dict((reason, int(n)) for reason, n in re.findall(r"(participation|coverage|votes|streak) (\d+)", text))
    assert parts["votes"] == 4 and parts["participation"] == 10
    assert sum(parts.values()) == points
    assert "votes 4" in text
    assert not any("Stats for" in block_text(m) for m in day.slack.messages[CHANNEL])
    assert not any("Stats for" in block_text(e) for e in day.slack.ephemerals if e.user != "UEVE")


def test_the_leaderboard_command_posts_the_board_in_the_channel_for_everyone(day: Day) -> None:
    board = day.leaderboard
    assert board is not None and board.user == BOT and board.channel == CHANNEL and board.thread_ts is None
    assert blocks(board)[0]["text"]["text"] == "Leaderboard · week of 30 Nov 2026"
    ranking = BOARD_LINE.findall(block_text(board))
    assert [name for name, _ in ranking] == ["eve", "ben", "cat"]
    assert [int(points) for _, points in ranking] == [feedback(day)[name][3] for name in ("eve", "ben", "cat")]


# ---- the rest of the week ----


def test_a_question_is_posted_every_weekday_at_half_past_nine_and_closed_at_five(day: Day) -> None:
    questions = [m for m in day.top_level() if m.user == BOT and m.blocks and m.blocks[0]["type"] == "header"
                 and "question" in m.blocks[0]["text"]["text"]]
    weekdays = [berlin(2026, 11, 30, 9, 30)] + [berlin(2026, 12, d, 9, 30) for d in (1, 2, 3, 4)]
    assert [posted_at(q) for q in questions] == weekdays
    assert all(blocks(q)[0]["text"]["text"] == "Closed: Behavioral question" for q in questions)
    texts = [q.text for q in questions]
    assert len(set(texts)) == 5, "no question is asked twice in a week"
    for later in questions[1:]:
        replies = [block_text(m) for m in day.slack.thread(CHANNEL, later.ts) if m.user == BOT]
        assert len(replies) == 1 and "Nobody answered this one." in replies[0]


def test_the_weekly_board_comes_on_monday_at_nine_with_last_weeks_ranking(day: Day) -> None:
    boards = [m for m in day.top_level() if m.blocks and m.blocks[0]["text"]["text"].startswith("Weekly leaderboard")]
    assert len(boards) == 1
    board = boards[0]
    assert blocks(board)[0]["text"]["text"] == "Weekly leaderboard · week of 30 Nov 2026"
    assert posted_at(board) == berlin(2026, 12, 7, 9, 0)
    assert [name for name, _ in BOARD_LINE.findall(block_text(board))] == ["eve", "ben", "cat"]
    assert not any(posted_at(m) > berlin(2026, 12, 7, 9, 0) for m in day.top_level())


def charts_in_the_thread_of(day: Day, board: Message) -> list[SharedFile]:
    return [f for f in day.slack.files if f.thread_ts == board.ts and CHANNEL in f.channels]


def test_the_weekly_board_arrives_with_its_chart_in_its_thread(day: Day) -> None:
    [board] = [m for m in day.top_level() if m.blocks and m.blocks[0]["text"]["text"].startswith("Weekly leaderboard")]
    [chart] = charts_in_the_thread_of(day, board)
    assert chart.filename == "weekly-leaderboard-week-of-30-nov-2026.png" and chart.user == BOT
    seen = read_chart(chart.data)
    assert seen.names == [name for name, _ in BOARD_LINE.findall(block_text(board))] == ["eve", "ben", "cat"]
    assert len(seen.bars) == 3
    assert [m.files for m in day.slack.thread(CHANNEL, board.ts)] == [[chart.id]]


def test_the_leaderboard_command_posts_its_chart_in_the_boards_thread(day: Day) -> None:
    assert day.leaderboard is not None
    [chart] = charts_in_the_thread_of(day, day.leaderboard)
    assert read_chart(chart.data).names == ["eve", "ben", "cat"]


def test_slack_got_only_well_formed_calls_and_every_delivery_was_acknowledged(day: Day) -> None:
    assert day.statuses and all(status == 200 for status in day.statuses), day.statuses
    assert all(call.http_status == 200 and call.response.get("ok") for call in day.slack.calls), [
        (c.method, c.response) for c in day.slack.calls if not c.response.get("ok")
    ]
    assert day.slack.violations == []
