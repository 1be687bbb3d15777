"""One whole working day in a Berlin Slack workspace, over HTTP and over Socket Mode, as the members see it.

ada has #general answer in threads and subscribes it; the question comes at 09:30; ben, cat, dan and eve answer,
edit, delete and vote in the thread; the reveal comes at 17:00; eve asks for her stats and the board; a week later the
weekly board arrives. Each mode plays the day once (tests/adapters/slack_day.py) and the tests read what the fake Slack
shows; what holds on every platform is in tests/adapters/test_every_platform_plays_a_whole_day.py.
"""

from __future__ import annotations

import re

import pytest

from adapters.slack.render import escape
from tests.adapters.slack_day import BOARD_LINE, BOT, CHANNEL, Day, blocks, feedback, posted_at
from tests.adapters.slack_team import berlin, block_text
from tests.adapters.whole_day import PlayedDays
from tests.contract.charts import read_chart
from tests.fakes.slack import Message, SharedFile

DATE_TOKEN = re.compile(r"<!date\^(\d+)\^[^|>]*\|[^>]+>")


@pytest.fixture(scope="module", params=["http", "socket"])
def day(request: pytest.FixtureRequest, played_days: PlayedDays) -> Day:
    return played_days.slack(str(request.param))



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


# ---- the reveal at 17:00 ----


def test_the_reveal_is_one_message_under_a_block_kit_header(day: Day) -> None:
    parts = day.reveal_parts()
    assert len(parts) == 1
    assert posted_at(parts[0]) == berlin(2026, 11, 30, 17, 0)
    assert blocks(parts[0])[0] == {"type": "header", "text": {"type": "plain_text", "text": "Hint and feedback",
                                                              "emoji": True}}


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
        assert len(replies) == 2 and "Nobody answered this one." in replies[1]
        assert "*Reminder:* 2 h left · no answers yet." in replies[0]


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
