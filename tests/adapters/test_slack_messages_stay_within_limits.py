"""What prepbot shows in Slack always fits Slack's limits.

Long content is split across sections and messages, never cut, and text members wrote cannot turn into Slack markup.

Most tests render cards (bot/cards.py) directly with adapters/slack/render.py and check the Block Kit with the fake
Slack's own checks (tests/adapters/renderings.py); the last one lets 80 members answer a question and reads the
reveal in the thread. What every platform's renderer does alike: test_every_platforms_messages_stay_within_limits.py.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.render import MAX_SECTION, SlackMessage, escape, render, render_reveal
from bot.cards import (
    BoardLine,
    LeaderboardCard,
    Notice,
    NoticeKind,
    QuestionCard,
    RevealCard,
    StatsCard,
    judge_says,
    judged_words,
)
from bot.domain.judging import clean_feedback
from bot.domain.questions import KeyPoint, Level, Question
from bot.questions import QuestionBank
from tests.adapters.long_cards import feedback_for, points, reveal
from tests.adapters.renderings import assert_within_slack_limits, texts
from tests.adapters.slack_team import block_text, berlin, eventually, slack_team
from tests.fakes.slack import MAX_BLOCKS as SLACK_MAX_BLOCKS

DEADLINE = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)  # 17:00 in Berlin
ENTITY = re.compile(r"&(amp|lt|gt);")


# ---- helpers ----


def section_texts(messages: list[SlackMessage]) -> list[str]:
    return [b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section"]


def assert_no_raw_markup(text: str) -> None:
    """No Slack control character outside an escape: `<`, `>` and a bare `&` would start Slack markup."""
    assert "<" not in text and ">" not in text, text
    assert ENTITY.sub("", text).count("&") == 0, text


# ---- a reveal too long for one message ----


@pytest.fixture(scope="module")
def crowded_reveal() -> tuple[RevealCard, list[SlackMessage]]:
    key_points = points(8, 240)
    names = tuple(f"Member number {i:03d} of the interview prep crowd" for i in range(1, 121))
    card = reveal(tuple(feedback_for(name, key_points) for name in names), key_points)
    return card, render(card)


def test_a_reveal_with_120_answers_is_split_over_several_messages(
    crowded_reveal: tuple[RevealCard, list[SlackMessage]],
) -> None:
    _, parts = crowded_reveal
    assert len(parts) >= 3


def test_each_part_of_a_long_reveal_stays_within_slacks_block_and_text_limits(
    crowded_reveal: tuple[RevealCard, list[SlackMessage]],
) -> None:
    _, parts = crowded_reveal
    for part in parts:
        assert_within_slack_limits(part)


def test_no_member_and_no_checklist_line_is_cut_from_a_long_reveal(
    crowded_reveal: tuple[RevealCard, list[SlackMessage]],
) -> None:
    card, parts = crowded_reveal
    everything = "\n".join(t for part in parts for t in texts(part.blocks))
    for line in card.key_points:
        assert f"• {escape(line)}" in everything
    for item in card.feedback:
        assert everything.count(f"*{escape(item.member_name)}* (on time): covered 4 of 8 · *25 pts*") == 1
    marks = everything.count(":white_check_mark: ") + everything.count(":white_large_square: ")
    assert marks == sum(len(item.covered) for item in card.feedback)
    assert everything.count("+10 participation (answered on time), +15 coverage (covered 4 of 8 key points)") == 120
    assert parts[-1].blocks[-1]["elements"][0]["text"].startswith("120 answers: 120 on time, 0 late")


def test_a_long_reveal_keeps_each_members_feedback_in_order(
    crowded_reveal: tuple[RevealCard, list[SlackMessage]],
) -> None:
    card, parts = crowded_reveal
    everything = "\n".join(t for part in parts for t in texts(part.blocks))
    positions = [everything.index(f"*{escape(item.member_name)}*") for item in card.feedback]
    assert positions == sorted(positions)
    assert parts[0].blocks[0]["type"] == "header"


def test_each_part_of_a_long_reveal_says_which_part_it_is(
    crowded_reveal: tuple[RevealCard, list[SlackMessage]],
) -> None:
    _, parts = crowded_reveal
    n = len(parts)
    expected = [f"Hint and feedback for round 7 (part {i} of {n})" for i in range(1, n + 1)]
    assert [part.text for part in parts] == expected


def test_a_short_reveal_is_one_message_without_part_numbers() -> None:
    key_points = points(3, 40)
    parts = render(reveal((feedback_for("ben", key_points), feedback_for("cat", key_points)), key_points))
    assert len(parts) == 1
    assert parts[0].text == "Hint and feedback for round 7"
    assert_within_slack_limits(parts[0])


# ---- one answer longer than a section ----


def test_one_answers_feedback_longer_than_a_section_continues_in_the_next_section_line_by_line() -> None:
    key_points = points(30, 180)
    item = feedback_for("ben", key_points)
    [part] = render_reveal(reveal((item,), key_points[:2]))
    assert_within_slack_limits(part)
    sections = [t for t in section_texts([part]) if "ben" in t or ":white_" in t or "+10 participation" in t]
    assert len(sections) >= 2
    assert all(len(t) <= MAX_SECTION for t in sections)
    joined = "\n".join(sections)
    lines = joined.split("\n")
    assert lines[0] == "*ben* (on time): covered 15 of 30 · *25 pts*"
    assert lines[1:-1] == [
        (":white_check_mark: " if c.covered else ":white_large_square: ") + escape(c.point)
        + (' _(said "trade-off")_' if c.matched_term else "") for c in item.covered
    ]
    assert lines[-1] == "+10 participation (answered on time), +15 coverage (covered 15 of 30 key points)"
    assert len(joined) > MAX_SECTION


def test_a_single_line_longer_than_a_section_is_split_without_losing_a_character() -> None:
    long_point = "Covers " + " ".join(f"step-{i:04d}" for i in range(900))  # about 9,000 characters, one line
    item = feedback_for("cat", (long_point,))
    [part] = render_reveal(reveal((item,), ("short checklist line",)))
    assert_within_slack_limits(part)
    pieces = section_texts([part])[2:]  # after the hint and the checklist
    assert len(pieces) >= 4
    assert all(len(piece) <= MAX_SECTION for piece in pieces)
    expected = "\n".join(["*cat* (on time): covered 1 of 1 · *25 pts*",
                          f':white_check_mark: {long_point} _(said "trade-off")_',
                          "+10 participation (answered on time), +15 coverage (covered 1 of 1 key points)"])
    assert "".join(pieces).replace("\n", "") == expected.replace("\n", "")


def test_a_hint_longer_than_a_section_is_split_without_cutting_an_escaped_character_in_half() -> None:
    # Packs put no limit on a hint's length, and a hint is one line: a long one full of "&" must survive the split.
    # Lead-ins of 0-7 characters move the split point across every position of "R&amp;D ".
    cut = []
    for lead in range(8):
        hint = "x" * lead + "R&D " * 700  # 5,600 escaped characters on one line
        [part] = render_reveal(reveal((), ("short checklist line",), hint=hint))
        assert_within_slack_limits(part)
        pieces = [t for t in section_texts([part]) if not t.startswith("*A strong answer") and "Nobody" not in t]
        assert len(pieces) >= 2
        assert "".join(pieces) == f"*Hint:* {escape(hint)}"
        cut += [(lead, i, left[-8:], right[:8]) for i, (left, right) in enumerate(zip(pieces, pieces[1:]), start=1)
                if re.search(r"&[a-z]{0,3}$", left)]
    assert cut == [], f"sections end inside an escape (lead-in, section, its end, next start): {cut}"


# ---- text members wrote ----


def test_member_names_with_slack_control_characters_are_escaped_in_the_reveal() -> None:
    names = ("<!channel>", "R&D <@UADA>", "a > b", "&amp; already")
    key_points = ("Uses <b>tags</b> & entities",)
    card = reveal(tuple(feedback_for(n, key_points, note="kept <as> typed & all") for n in names), key_points,
                  hint="Compare p50 < p99 & explain")
    [part] = render(card)
    assert_within_slack_limits(part)
    for text in texts(part.blocks):
        assert_no_raw_markup(text)
    shown = block_text(part)
    assert "*&lt;!channel&gt;*" in shown
    assert "*R&amp;D &lt;@UADA&gt;*" in shown
    assert "*a &gt; b*" in shown
    assert "*&amp;amp; already*" in shown
    assert "_kept &lt;as&gt; typed &amp; all_" in shown
    assert "*Hint:* Compare p50 &lt; p99 &amp; explain" in shown
    assert "• Uses &lt;b&gt;tags&lt;/b&gt; &amp; entities" in shown


def test_member_names_with_slack_control_characters_are_escaped_on_the_board() -> None:
    card = LeaderboardCard("Leaderboard", "week of 30 Nov 2026",
                           (BoardLine(1, "<!here>", 40, 1), BoardLine(2, "Tom & Jerry", 30, 1)))
    [message] = render(card)
    assert_within_slack_limits(message)
    body = message.blocks[1]["text"]["text"]
    assert_no_raw_markup(body)
    assert "*&lt;!here&gt;* · 40 pts (1 round)" in body and "*Tom &amp; Jerry* · 30 pts" in body


def test_a_notice_shows_member_typed_markup_as_text() -> None:
    [message] = render(Notice("'<!everyone>' & '<https://evil.example|click>' are not commands.", NoticeKind.ERROR))
    assert_within_slack_limits(message)
    body = message.blocks[0]["text"]["text"]
    assert body == ":warning: '&lt;!everyone&gt;' &amp; '&lt;https://evil.example|click&gt;' are not commands."


# ---- every card as Block Kit ----


def question_card(**changes: Any) -> QuestionCard:
    values: dict[str, Any] = dict(round_id=3, question_id="behavioral-01", level_label="Behavioral",
                                  question="Tell me about a time you disagreed & how <you> handled it.",
                                  deadline_at=DEADLINE, tz="Europe/Berlin")
    values.update(changes)
    return QuestionCard(**values)


@pytest.mark.parametrize("changes, title", [
    ({}, "Question of the day · Behavioral"),
    ({"practice": True, "requested_by": "ben"}, "Practice question for ben · Behavioral"),
    ({"practice": True}, "Practice question · Behavioral"),
    ({"closed": True}, "Closed: Behavioral question"),
])
def test_question_cards_are_valid_block_kit_with_the_deadline_as_a_slack_date(changes: dict[str, Any],
                                                                              title: str) -> None:
    [message] = render(question_card(**changes))
    assert_within_slack_limits(message)
    assert message.blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}}
    assert "Tell me about a time you disagreed &amp; how &lt;you&gt; handled it." in message.blocks[1]["text"]["text"]
    context = message.blocks[-1]["elements"][0]["text"]
    assert f"<!date^{int(DEADLINE.timestamp())}^" in context and "|2026-11-30 16:00 UTC>" in context


def test_a_question_longer_than_a_section_is_split_into_several_sections() -> None:
    long_question = "\n".join(f"Part {i}: " + "why would latency regress under load? " * 20 for i in range(8))
    [message] = render(question_card(question=long_question))
    assert_within_slack_limits(message)
    assert len([b for b in message.blocks if b["type"] == "section"]) >= 2


def test_a_full_leaderboard_is_valid_block_kit() -> None:
    lines = tuple(BoardLine(i, f"member-{i:02d}", 100 - i, 5) for i in range(1, 11))
    [message] = render(LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026", lines, "Behavioral"))
    assert_within_slack_limits(message)
    assert message.blocks[0]["text"]["text"] == "Weekly leaderboard · week of 30 Nov 2026 · Behavioral"
    body = message.blocks[1]["text"]["text"]
    assert body.startswith(":first_place_medal: *member-01* · 99 pts (5 rounds)")
    assert "10. *member-10* · 90 pts (5 rounds)" in body


def test_stats_are_valid_block_kit_with_the_breakdown() -> None:
    card = StatsCard("eve", 44, (("participation", 10), ("coverage", 30), ("votes", 4), ("streak", 0)), 44, 1, 1,
                     ((Level.BEHAVIORAL.label, 1.0, 1), (Level.SCENARIO.label, 0.5, 2)))
    [message] = render(card)
    assert_within_slack_limits(message)
    assert message.blocks[0]["text"]["text"] == "Stats for eve"
    body = message.blocks[1]["text"]["text"]
    assert "*44 points* all time (participation 10 · coverage 30 · votes 4 · streak 0)" in body
    assert "Scenario-based: 50% of key points over 2 rounds" in body


def test_an_error_notice_is_valid_block_kit_with_a_warning_sign() -> None:
    [message] = render(Notice("Only this channel's admins can change its schedule; nothing was changed.",
                              NoticeKind.ERROR))
    assert_within_slack_limits(message)
    shown = ":warning: Only this channel's admins can change its schedule; nothing was changed."
    assert message.blocks == [{"type": "section", "text": {"type": "mrkdwn", "text": shown}}]
    [info] = render(Notice("Done."))
    assert_within_slack_limits(info)
    assert info.blocks[0]["text"]["text"] == "Done."


# ---- end to end: 80 answers, one reveal in several messages ----


CROWD = 80


CROWD_TERMS = ("p99 latency", "throughput", "dynamic batching", "autoscaling", "response caching", "quantization",
               "error rate alerts", "rollback")


def crowd_bank() -> QuestionBank:
    key_points = tuple(KeyPoint(f"Names the {term} and why it matters for a model server under real traffic", (term,))
                       for term in CROWD_TERMS)
    return QuestionBank([Question("crowd-01", Level.SCENARIO, "Your model server is slow. What do you check?",
                                  "Walk from the request to the GPU and back.", key_points)])


async def test_when_80_members_answer_the_reveal_arrives_in_the_thread_as_several_messages(tmp_path: Path) -> None:
    answer = " ".join(f"I would check the {term} first, because it shows where the time goes." for term in CROWD_TERMS)
    async with slack_team(tmp_path, "http", bank=crowd_bank()) as team:
        slack = team.slack
        members = [(f"UCROWD{i:03d}", f"crowd-member-{i:03d}") for i in range(CROWD)]
        for user, name in members:
            slack.add_user(team.team_id, user, name)
        await team.command_and_wait("UADA", "subscribe 09:30 Europe/Berlin mon-fri 17:00 scenario",
                                    lambda: len(slack.top_level(team.channel)) == 1)
        await team.until(berlin(2026, 11, 30, 9, 30))
        [question] = team.questions()
        await team.until(berlin(2026, 11, 30, 10, 0))
        replies = [await team.reply(user, question.ts, answer) for user, _ in members]
        await eventually(lambda: all(("white_check_mark", "UBOT") in slack.reactions(team.channel, ts)
                                     for ts in replies))

        await team.until(berlin(2026, 11, 30, 17, 0))

        reminder, *parts = [m for m in slack.thread(team.channel, question.ts) if m.user == "UBOT"]
        assert reminder.text == f"Reminder: 2 h left · {CROWD} answers so far"
        n = len(parts)
        assert n >= 2
        assert [p.text for p in parts] == [f"Hint and feedback for round 1 (part {i} of {n})" for i in range(1, n + 1)]
        assert [p.ts for p in parts] == sorted(p.ts for p in parts)
        assert all(p.thread_ts == question.ts for p in parts)
        posts = [c for c in slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == question.ts
                 and c.args.get("metadata", {}).get("event_type") == "prepbot_reveal"]
        assert len(posts) == n and all(len(c.args["blocks"]) <= SLACK_MAX_BLOCKS for c in posts)
        shown = "\n".join(block_text(p) for p in parts)
        for _, name in members:
            assert shown.count(f"*{name}* (on time): covered 8 of 8 · *40 pts*") == 1, name
        assert f"{CROWD} answers: {CROWD} on time, 0 late · average coverage 100%" in shown
        closed = next(m for m in slack.top_level(team.channel) if m.ts == question.ts)
        assert closed.blocks and closed.blocks[0]["text"]["text"] == "Closed: Scenario-based question"
        assert all(status == 200 for status in team.statuses)
        assert slack.violations == []


# ---- a reveal that teaches ----


def test_a_teaching_reveal_shows_the_model_answer_after_the_hint_and_every_members_advice_within_the_limits() -> None:
    key_points = points(6, 120)
    model_answer = " ".join(["Profile first, then quantize <and> fuse kernels & measure again."] * 100)
    items = tuple(replace(feedback_for(f"member {i:03d}", key_points),
                          did_well=f'Did well: you explained Point 01 ("<b>{i}")',
                          study_next="Study next: Point 02. Why it matters: " + "queueing adds up " * 20)
                  for i in range(120))
    card = replace(reveal(items, key_points), model_answer=model_answer,
                   graded_by="Scored offline by the explanation grader (explanations-1).")

    parts = render(card)

    for part in parts:
        assert_within_slack_limits(part)
        for text in texts(part.blocks):
            assert_no_raw_markup(text)
    everything = "\n".join(t for part in parts for t in texts(part.blocks))
    assert everything.index("*Hint:*") < everything.index("*A model answer:*") < everything.index("*A strong answer")
    assert everything.replace("\n", "").count("Profile first, then quantize &lt;and&gt; fuse kernels &amp; measure") \
        == 100
    for i in range(120):
        assert everything.count(f'Did well: you explained Point 01 ("&lt;b&gt;{i}")') == 1
    assert everything.count("Study next: Point 02. Why it matters:") == 120
    assert parts[-1].blocks[-2]["elements"][0]["text"] == "Scored offline by the explanation grader (explanations-1)."
    assert parts[-1].blocks[-1]["elements"][0]["text"].startswith("120 answers:")


def test_the_ai_judges_feedback_for_every_member_is_shown_escaped_within_the_limits() -> None:
    key_points = points(6, 120)
    said = clean_feedback("You explained <@U123> profiling & queues well <!here>; " + "next, measure the tail. " * 40)
    items = tuple(replace(feedback_for(f"member {i:03d}", key_points), judge_says=judge_says(f"{i}: {said}"))
                  for i in range(120))
    card = replace(reveal(items, key_points), graded_by=judged_words({"fake-judge-1": 118}, {"late": 2}))

    parts = render(card)

    for part in parts:
        assert_within_slack_limits(part)
        for text in texts(part.blocks):
            assert_no_raw_markup(text)
    everything = "\n".join(t for part in parts for t in texts(part.blocks))
    assert len(said) <= 600 and "<@U123>" not in said and "<!here>" not in said
    for i in range(120):
        assert everything.count(f"The AI judge says: {i}: You explained profiling &amp; queues well") == 1
    assert parts[-1].blocks[-2]["elements"][0]["text"] == (
        "Graded by AI judge (model fake-judge-1): 118 answers; offline grader: 2 answers (the judge did not answer "
        "in time). A key point counts only where the judge quoted your answer's own words for it.")
