"""One whole working day in a Berlin Discord server, as the members see it in the fake Discord.

ada has #general answer in threads (/prep-admin config answers thread) and runs /prep-admin subscribe in it; the
question comes at 09:30 with an Answer button and its own thread; ben, cat, dan and eve answer, edit, delete and vote
in the thread, eve also through the Answer form; the reveal comes at 17:00 in the thread and the question says it is
closed; eve asks for her stats and the board; a week later the weekly board arrives. The day is played once
(tests/adapters/discord_day.py) and the tests read what the fake Discord holds; what holds on every platform is in
tests/adapters/test_every_platform_plays_a_whole_day.py.
"""

from __future__ import annotations

import pytest

from bot.domain.model import is_form_answer_ref
from tests.adapters.discord_day import BOARD_LINE, CHANNEL, Day, embed_titles, feedback, posted_at
from tests.adapters.discord_team import behavioral_hints, berlin, first_title, message_text
from tests.adapters.whole_day import PlayedDays
from tests.contract.charts import read_chart
from tests.fakes.discord import Msg


@pytest.fixture(scope="module")
def day(played_days: PlayedDays) -> Day:
    return played_days.discord()



# ---- the morning ----


def test_the_admins_subscribe_is_deferred_privately_and_announced_publicly(day: Day) -> None:
    callback, *followups = day.subscribe
    assert callback.kind == "callback" and callback.type == 5 and callback.ephemeral
    assert followups and all(r.kind == "followup" and r.ephemeral for r in followups)
    assert day.announcement.channel_id == CHANNEL and not day.announcement.ephemeral
    text = day.announcement.content
    assert text.startswith("ada subscribed this channel to a daily question")
    assert "mon-fri at 09:30 Europe/Berlin" in text and "17:00" in text and "behavioral" in text
    assert "next question Mon 30 Nov 09:30 Europe/Berlin" in text


def test_the_question_is_posted_once_at_half_past_nine_berlin_time(day: Day) -> None:
    assert len(day.question_posts_by_eleven) == 1
    assert day.question_posts_by_eleven[0].status == 200
    assert posted_at(day.question_message) == berlin(2026, 11, 30, 9, 30)
    [embed] = day.question_posts_by_eleven[0].body["embeds"]
    assert embed["title"] == "Question of the day · Behavioral"
    assert embed["description"] == day.question.question
    assert day.question.level.label == "Behavioral"


def test_the_question_shows_the_deadline_as_a_discord_timestamp_at_five_pm_berlin(day: Day) -> None:
    [embed] = day.question_posts_by_eleven[0].body["embeds"]
    epoch = int(berlin(2026, 11, 30, 17, 0).timestamp())
    assert any(f"<t:{epoch}:F>" in str(f.get("value")) for f in embed.get("fields", [])), embed


def test_the_question_has_an_answer_button(day: Day) -> None:
    components = day.question_posts_by_eleven[0].body["components"]
    buttons = [c for row in components for c in row.get("components", [])]
    assert [(b["type"], b["label"], b["custom_id"]) for b in buttons] == [(2, "Answer", "prep:answer")]


def test_a_public_thread_is_started_from_the_question_for_longer_than_the_window(day: Day) -> None:
    thread = day.fake.threads[day.thread_id]
    assert thread.id == day.question_message.id == day.question_message.thread_id
    assert thread.parent_id == CHANNEL and thread.owner_id == day.bot_user
    assert thread.auto_archive_duration >= 1440  # open 7.5 h: a 60-minute archive would hide it mid-day
    assert day.fake.channel(thread.id).type == 11


# ---- answers ----


def test_an_answer_through_the_form_is_saved_and_said_so_privately(day: Day) -> None:
    shown, deferred, saved = day.form[0], day.form[1], day.form[-1]
    assert shown.type == 9 and shown.data["custom_id"].startswith("prep:modal:")
    assert deferred.type == 5 and deferred.ephemeral
    assert saved.kind == "followup" and saved.ephemeral and "saved" in saved.data["content"]
    eve = [p for p in day.parts_before_reveal if is_form_answer_ref(p.message_ref)]
    assert len(eve) == 1 and eve[0].text == behavioral_hints() and eve[0].on_time


def test_the_stored_answers_follow_edits_and_deletions(day: Day) -> None:
    by_ref = {p.message_ref: p for p in day.parts_before_reveal}
    ref = {who: f"{day.thread_id}/{m.id}" for who, m in day.answers.items()}
    assert by_ref[ref["cat"]].text == behavioral_hints()
    assert by_ref[ref["dan"]].withdrawn_at is not None
    assert by_ref[ref["ben"]].withdrawn_at is None and by_ref[ref["eve"]].withdrawn_at is None


# ---- the reveal at 17:00 ----


def test_the_question_is_edited_to_say_it_is_closed_without_the_button(day: Day) -> None:
    edits = [c for c in day.fake.calls_to("PATCH", "/channels/{channel_id}/messages/{message_id}")
             if c.path == f"/channels/{CHANNEL}/messages/{day.thread_id}"]
    assert len(edits) == 1 and edits[0].status == 200
    question = day.fake.message(day.thread_id)
    assert question.edited and question.components == []
    [embed] = question.embeds
    assert embed["title"] == "Closed: Behavioral question"
    epoch = int(berlin(2026, 11, 30, 17, 0).timestamp())
    assert any(f["name"] == "Answers closed" and f"<t:{epoch}:F>" in f["value"] for f in embed["fields"])


# ---- commands after the reveal ----


def test_stats_are_shown_only_to_the_member_who_asked(day: Day) -> None:
    callback, *followups = day.stats
    assert callback.type == 5 and callback.ephemeral
    assert followups and all(r.ephemeral for r in followups)
    embeds = [e for r in followups for e in r.data.get("embeds") or []]
    assert [e["title"] for e in embeds] == ["Stats for eve"]
    text = embeds[0]["description"]
    points = feedback(day)["eve"][3]
    assert f"**{points} points** all time" in text
    assert "votes 4" in text and "participation 10" in text
    assert not any("Stats for" in " ".join(embed_titles([m])) for m in day.top_level())


def test_the_leaderboard_is_posted_in_the_channel_for_everyone(day: Day) -> None:
    board = day.board
    assert board is not None and board.channel_id == CHANNEL and not board.ephemeral and not board.webhook_id
    assert all(r.ephemeral for r in day.leaderboard)


# ---- the rest of the week ----


def test_a_question_is_posted_every_weekday_and_closed_at_five(day: Day) -> None:
    questions = [m for m in day.bot_top_level() if "uestion" in first_title(m.embeds)]
    weekdays = [berlin(2026, 11, 30, 9, 30)] + [berlin(2026, 12, d, 9, 30) for d in (1, 2, 3, 4)]
    assert [posted_at(q) for q in questions] == weekdays
    assert all(first_title(q.embeds) == "Closed: Behavioral question" and q.components == [] for q in questions)
    assert len({q.embeds[0]["description"] for q in questions}) == 5, "no question is asked twice in a week"
    for later in questions[1:]:
        assert later.thread_id == later.id
        texts = [message_text(m.content, m.embeds) for m in day.fake.messages[later.id]]
        assert len(texts) == 2 and "Nobody answered this one." in texts[1]
        assert "**Reminder:** 2 h left · no answers yet." in texts[0]


def the_chart_of(board: Msg) -> bytes:
    """The PNG attached to a board's message, which its embed shows."""
    [attachment] = board.attachments
    assert board.embeds[0]["image"]["url"] == f"attachment://{attachment['filename']}"
    return board.files[attachment["id"]]


def test_the_weekly_board_arrives_with_its_chart_attached(day: Day) -> None:
    [board] = [m for m in day.bot_top_level() if first_title(m.embeds).startswith("Weekly leaderboard")]
    assert board.attachments[0]["filename"] == "weekly-leaderboard-week-of-30-nov-2026.png"
    seen = read_chart(the_chart_of(board))
    assert seen.names == [name for name, _ in BOARD_LINE.findall(board.embeds[0]["description"])] == \
        ["eve", "ben", "cat"]
    assert len(seen.bars) == 3


def test_the_leaderboard_command_posts_the_board_with_its_chart_attached(day: Day) -> None:
    assert day.board is not None
    assert read_chart(the_chart_of(day.board)).names == ["eve", "ben", "cat"]


def test_discord_got_only_well_formed_calls(day: Day) -> None:
    assert day.fake.violations == []
    assert all(c.status < 400 for c in day.fake.calls), [(c.method, c.path, c.status, c.response)
                                                         for c in day.fake.calls if c.status >= 400]
