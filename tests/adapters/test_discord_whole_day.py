"""One whole working day in a Berlin Discord server, as the members see it in the fake Discord.

ada runs /prep-admin subscribe in #general; the question comes at 09:30 with an Answer button and its own thread;
ben, cat, dan and eve answer, edit, delete and vote in the thread, eve also through the Answer form; the reveal comes
at 17:00 in the thread and the question says it is closed; eve asks for her stats and the board; a week later the
weekly board arrives. The day is played once (a module fixture) and the tests read what the fake Discord holds.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from bot.domain.model import AnswerPart
from bot.domain.questions import Question
from tests.adapters.discord_team import BERLIN, berlin, behavioral_hints, discord_team, eventually, first_title, \
    message_text
from tests.contract.charts import read_chart
from tests.fakes.discord import Call, FakeDiscord, InteractionResponse, Msg

CHANNEL = "301"
FEEDBACK = re.compile(r"^(\w+) \((on time|late)\): covered (\d+) of (\d+)(?: · (\d+) pts)?$", re.M)
BOARD_LINE = re.compile(r"^\S+ \*\*(\w+)\*\* · (\d+) pts", re.M)
SUBSCRIBE = {"time": "09:30", "timezone": "Europe/Berlin", "days": "mon-fri", "deadline": "17:00",
             "levels": "behavioral"}
EPHEMERAL = 1 << 6


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
        return [m for m in self.fake.messages[self.thread_id] if m.author_id == self.bot_user]

    def reveal_text(self) -> str:
        return "\n".join(message_text(m.content, m.embeds) for m in self.reveal_parts())


async def play_day(tmp_path: Path) -> Day:
    strong = behavioral_hints()
    async with discord_team(tmp_path) as team:
        fake = team.fake
        iid = await team.command_and_wait("ada", "prep-admin", "subscribe", SUBSCRIBE)
        await eventually(lambda: len(team.bot_posts()) == 1, what="the announcement")
        [announcement] = team.bot_posts()

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


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Day:
    return asyncio.run(play_day(tmp_path_factory.mktemp("discord-whole-day")))


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
        if e.get("title") or "answer(s):" in str(e.get("description", "")):
            break
        text.append(str(e.get("description", "")))
    return "\n".join(text)


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


def test_every_on_time_reply_gets_a_check_mark_from_the_bot(day: Day) -> None:
    for member in ("ben", "cat", "dan", "eve"):
        assert ("✅", day.bot_user) in day.reactions_before_reveal[member], member
    for member in ("ben", "cat", "eve"):
        assert ("⏰", day.bot_user) not in day.fake.reactions(day.thread_id, day.answers[member].id), member


def test_an_answer_through_the_form_is_saved_and_said_so_privately(day: Day) -> None:
    shown, deferred, saved = day.form[0], day.form[1], day.form[-1]
    assert shown.type == 9 and shown.data["custom_id"].startswith("prep:modal:")
    assert deferred.type == 5 and deferred.ephemeral
    assert saved.kind == "followup" and saved.ephemeral and "saved" in saved.data["content"]
    eve = [p for p in day.parts_before_reveal if p.message_ref.startswith("modal:")]
    assert len(eve) == 1 and eve[0].text == behavioral_hints() and eve[0].on_time


def test_the_stored_answers_follow_edits_and_deletions(day: Day) -> None:
    by_ref = {p.message_ref: p for p in day.parts_before_reveal}
    ref = {who: f"{day.thread_id}/{m.id}" for who, m in day.answers.items()}
    assert by_ref[ref["cat"]].text == behavioral_hints()
    assert by_ref[ref["dan"]].withdrawn_at is not None
    assert by_ref[ref["ben"]].withdrawn_at is None and by_ref[ref["eve"]].withdrawn_at is None


def test_a_reply_after_five_pm_gets_an_alarm_clock_instead(day: Day) -> None:
    assert day.late is not None
    reactions = day.fake.reactions(day.thread_id, day.late.id)
    assert ("⏰", day.bot_user) in reactions and ("✅", day.bot_user) not in reactions


# ---- the reveal at 17:00 ----


def test_the_reveal_arrives_in_the_questions_thread_at_five_pm(day: Day) -> None:
    parts = day.reveal_parts()
    assert parts and all(posted_at(m) == berlin(2026, 11, 30, 17, 0) for m in parts)
    assert parts[0].embeds[0]["title"] == "Hint and feedback"
    assert not any("Hint and feedback" in embed_titles([m]) for m in day.top_level())


def test_the_reveal_shows_the_hint_and_the_checklist(day: Day) -> None:
    text = day.reveal_text()
    assert f"**Hint:** {day.question.hint}" in text
    checklist = "\n".join(f"• {point.point}" for point in day.question.key_points)
    assert f"**A strong answer covers:**\n{checklist}" in text


def test_the_reveal_gives_feedback_for_each_answer_not_withdrawn(day: Day) -> None:
    given = feedback(day)
    assert sorted(given) == ["ben", "cat", "eve"], day.reveal_text()
    assert "dan" not in " ".join(embed_titles(day.reveal_parts())), "a withdrawn answer must not be judged"
    total = len(day.question.key_points)
    for member in ("ben", "cat", "eve"):
        status, covered, of, points = given[member]
        assert (status, of) == ("on time", total)
        assert covered >= total - 1, f"{member}'s strong answer covered only {covered} of {total}"
        assert "+10 participation (answered on time)" in feedback_of(day, member)
    assert given["ben"][3] == given["cat"][3], "cat's edit before the deadline is what was scored"
    assert given["eve"][3] == given["ben"][3] + 4


def test_teammates_reactions_count_as_votes_but_the_authors_own_does_not(day: Day) -> None:
    assert "+4 votes (2 teammate votes)" in feedback_of(day, "eve")
    assert "votes" not in feedback_of(day, "ben") and "votes" not in feedback_of(day, "cat")


def test_the_reveal_ends_with_the_tally(day: Day) -> None:
    last = day.reveal_parts()[-1].embeds[-1]
    average = sum(c / t for _, c, t, _ in feedback(day).values()) / 3
    assert last["description"] == f"3 answer(s): 3 on time, 0 late · average coverage {average:.0%}"


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
    [embed] = board.embeds
    assert embed["title"] == "Leaderboard · week of 30 Nov 2026"
    ranking = BOARD_LINE.findall(embed["description"])
    assert [name for name, _ in ranking] == ["eve", "ben", "cat"]
    assert [int(points) for _, points in ranking] == [feedback(day)[name][3] for name in ("eve", "ben", "cat")]
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
        assert len(texts) == 1 and "Nobody answered this one." in texts[0]


def test_the_weekly_board_comes_on_monday_at_nine(day: Day) -> None:
    boards = [m for m in day.bot_top_level() if first_title(m.embeds).startswith("Weekly leaderboard")]
    assert len(boards) == 1
    board = boards[0]
    assert board.embeds[0]["title"] == "Weekly leaderboard · week of 30 Nov 2026"
    assert posted_at(board) == berlin(2026, 12, 7, 9, 0)
    assert [name for name, _ in BOARD_LINE.findall(board.embeds[0]["description"])] == ["eve", "ben", "cat"]
    assert not any(posted_at(m) > berlin(2026, 12, 7, 9, 0) for m in day.top_level())


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
