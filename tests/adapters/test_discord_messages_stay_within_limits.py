"""What prepbot shows in Discord always fits Discord's documented limits.

Long content is split across embeds and messages, never cut.

The cards (bot/cards.py) are rendered with adapters/discord/render.py and each message is checked with the fake
Discord's own limit checks (`message_problems`, `embed_problems`), on the JSON discord.py would send
(tests/adapters/renderings.py). What every platform's renderer does alike:
test_every_platforms_messages_stay_within_limits.py.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import discord
import pytest

from adapters.discord.render import MAX_CONTENT, MAX_DESCRIPTION, DiscordMessage, render
from bot.cards import (
    AnswerFeedback,
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
from bot.domain.questions import Level
from tests.adapters.long_cards import feedback_for, points, reveal
from tests.adapters.renderings import assert_within_discord_limits, everything

DEADLINE = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)  # 17:00 in Berlin
WHITESPACE = re.compile(r"\s+")


# ---- helpers ----


def embeds_of(messages: list[DiscordMessage]) -> list[discord.Embed]:
    return [e for m in messages for e in m.embeds]


def squeezed(text: str) -> str:
    """`text` without whitespace: what must survive a split at line ends or spaces."""
    return WHITESPACE.sub("", text.replace("\u200b", ""))


def feedback_lines(item: AnswerFeedback) -> list[str]:
    """The lines a member's feedback shows, as render.py words them."""
    lines = [f"{'✅' if c.covered else '⬜'} {c.point}" + (f' *(said "{c.matched_term}")*' if c.matched_term else "")
             for c in item.covered]
    if item.awards:
        lines.append(", ".join(f"+{a.amount} {a.reason} ({a.detail})" for a in item.awards))
    if item.note:
        lines.append(f"*{item.note}*")
    return lines


# ---- a reveal with 120 answers ----


@pytest.fixture(scope="module")
def crowded_reveal() -> tuple[RevealCard, list[DiscordMessage]]:
    key_points = points(8, 240)
    names = tuple(f"Member {i:03d} of the prep crowd" for i in range(1, 121))
    card = reveal(tuple(feedback_for(name, key_points, note="Strong start." if i % 10 == 0 else "")
                        for i, name in enumerate(names)), key_points)
    return card, render(card)


def test_a_reveal_with_120_answers_is_split_over_several_messages(
    crowded_reveal: tuple[RevealCard, list[DiscordMessage]],
) -> None:
    _, parts = crowded_reveal
    assert len(parts) >= 13  # at least 122 embeds at 10 a message


def test_each_message_of_a_long_reveal_stays_within_discords_limits(
    crowded_reveal: tuple[RevealCard, list[DiscordMessage]],
) -> None:
    _, parts = crowded_reveal
    for part in parts:
        assert_within_discord_limits(part)
        assert part.content is None or part.content == ""


def test_no_member_and_no_checklist_line_is_lost_from_a_long_reveal(
    crowded_reveal: tuple[RevealCard, list[DiscordMessage]],
) -> None:
    card, parts = crowded_reveal
    text = everything(parts)
    for line in card.key_points:
        assert f"• {line}" in text
    titles = [e.title for e in embeds_of(parts) if e.title]
    for item in card.feedback:
        assert titles.count(f"{item.member_name} (on time): covered 4 of 8 · 25 pts") == 1, item.member_name
        for line in feedback_lines(item):
            assert line in text
    assert text.count("+10 participation (answered on time), +15 coverage (covered 4 of 8 key points)") == 120
    assert text.count("*Strong start.*") == 12
    assert (embeds_of(parts)[-1].description or "").startswith("120 answers: 120 on time, 0 late")


def test_a_long_reveal_keeps_the_hint_first_and_the_members_in_order(
    crowded_reveal: tuple[RevealCard, list[DiscordMessage]],
) -> None:
    card, parts = crowded_reveal
    embeds = embeds_of(parts)
    assert embeds[0].title == "Hint and feedback"
    assert [e.title for e in embeds].count("Hint and feedback") == 1
    assert embeds[0].description is not None and embeds[0].description.startswith("**Hint:** Think aloud.")
    titles = [e.title for e in embeds if e.title and e.title != "Hint and feedback"]
    assert [t.split(" (")[0] for t in titles] == [item.member_name for item in card.feedback]


def test_a_short_reveal_is_one_message() -> None:
    key_points = points(3, 40)
    parts = render(reveal((feedback_for("ben", key_points), feedback_for("cat", key_points)), key_points))
    assert len(parts) == 1
    assert_within_discord_limits(parts[0])
    assert [e.title for e in parts[0].embeds] == [
        "Hint and feedback", "ben (on time): covered 2 of 3 · 25 pts", "cat (on time): covered 2 of 3 · 25 pts", None]


# ---- one answer's feedback longer than a description ----


def test_one_answers_feedback_longer_than_a_description_continues_in_the_next_embed_line_by_line() -> None:
    key_points = points(40, 180)
    item = feedback_for("ben", key_points)
    parts = render(reveal((item,), key_points[:2]))
    for part in parts:
        assert_within_discord_limits(part)
    embeds = embeds_of(parts)
    start = next(i for i, e in enumerate(embeds) if e.title == "ben (on time): covered 20 of 40 · 25 pts")
    pieces = [e.description or "" for e in embeds[start:-1]]  # up to the tally
    assert len(pieces) >= 2
    assert all(e.title is None for e in embeds[start + 1:-1]), "only the first piece repeats no heading"
    assert all(len(p) <= MAX_DESCRIPTION for p in pieces)
    assert "\n".join(pieces) == "\n".join(feedback_lines(item))  # split between lines: no character lost
    assert len("\n".join(pieces)) > MAX_DESCRIPTION


def test_a_single_line_longer_than_a_description_is_split_without_losing_a_character() -> None:
    long_point = "Covers " + " ".join(f"step-{i:04d}" for i in range(900))  # about 9,000 characters, one line
    item = feedback_for("cat", (long_point,))
    parts = render(reveal((item,), ("short checklist line",)))
    for part in parts:
        assert_within_discord_limits(part)
    embeds = embeds_of(parts)
    start = next(i for i, e in enumerate(embeds) if (e.title or "").startswith("cat (on time)"))
    pieces = [e.description or "" for e in embeds[start:-1]]
    assert len(pieces) >= 3
    assert all(len(p) <= MAX_DESCRIPTION for p in pieces)
    expected = "\n".join(feedback_lines(item))
    assert "".join(pieces).replace("\n", "") == expected.replace("\n", "")


def test_a_hint_longer_than_a_description_is_split_without_losing_a_character() -> None:
    hint = "Walk from the request to the GPU and back, naming every queue on the way. " * 120  # ~9,000 characters
    key_points = points(3, 60)
    parts = render(reveal((feedback_for("ben", key_points),), key_points, hint=hint))
    for part in parts:
        assert_within_discord_limits(part)
    embeds = embeds_of(parts)
    assert embeds[0].title == "Hint and feedback"
    head = [e.description or "" for e in embeds[: next(i for i, e in enumerate(embeds) if (e.title or "")
                                                       .startswith("ben ("))]]
    assert len(head) >= 3
    checklist = "\n".join(f"• {p}" for p in key_points)
    assert squeezed("".join(head)) == squeezed(f"**Hint:** {hint}\n\n**A strong answer covers:**\n{checklist}")


# ---- notices ----


def test_a_notice_longer_than_2000_characters_is_split_into_several_messages_line_by_line() -> None:
    text = "\n".join(f"Line {i:03d}: " + "the schedule says what it does. " * 3 for i in range(60))
    assert len(text) > 2 * MAX_CONTENT
    parts = render(Notice(text))
    assert len(parts) >= 3
    for part in parts:
        assert_within_discord_limits(part)
        assert part.embeds == []
    assert "\n".join(part.content or "" for part in parts) == text


def test_a_notice_of_one_long_line_is_split_at_spaces_without_losing_a_character() -> None:
    text = " ".join(f"word{i:04d}" for i in range(600))  # about 5,400 characters, one line
    parts = render(Notice(text, NoticeKind.ERROR))
    assert len(parts) >= 3
    for part in parts:
        assert_within_discord_limits(part)
    assert "".join(part.content or "" for part in parts) == f"⚠️ {text}"


def test_a_short_error_notice_is_one_message_with_a_warning_sign() -> None:
    [part] = render(Notice("Only this channel's admins can change its schedule; nothing was changed.",
                           NoticeKind.ERROR))
    assert_within_discord_limits(part)
    assert part.content == "⚠️ Only this channel's admins can change its schedule; nothing was changed."
    [info] = render(Notice("Done."))
    assert info.content == "Done." and info.embeds == []


# ---- every other card ----


def question_card(**changes: Any) -> QuestionCard:
    values: dict[str, Any] = dict(round_id=3, question_id="behavioral-01", level_label="Behavioral",
                                  question="Tell me about a time you disagreed and how you handled it.",
                                  deadline_at=DEADLINE, tz="Europe/Berlin")
    values.update(changes)
    return QuestionCard(**values)


@pytest.mark.parametrize("changes, title", [
    ({}, "Question of the day · Behavioral"),
    ({"practice": True, "requested_by": "ben"}, "Practice question for ben · Behavioral"),
    ({"practice": True}, "Practice question · Behavioral"),
    ({"closed": True}, "Closed: Behavioral question"),
])
def test_question_cards_are_valid_embeds_with_the_deadline_as_a_discord_timestamp(changes: dict[str, Any],
                                                                                 title: str) -> None:
    [message] = render(question_card(**changes))
    assert_within_discord_limits(message)
    [embed] = message.embeds
    assert embed.title == title
    assert embed.description == "Tell me about a time you disagreed and how you handled it."
    assert any(f"<t:{int(DEADLINE.timestamp())}:F>" in str(f.value) for f in embed.fields)


def test_a_question_longer_than_a_description_is_shown_whole() -> None:
    # Packs put no limit on a question's length; the Slack adapter splits a long one over several sections.
    long_question = "\n".join(f"Part {i}: " + "why would latency regress under load? " * 20 for i in range(8))
    assert len(long_question) > MAX_DESCRIPTION
    messages = render(question_card(question=long_question))
    for message in messages:
        assert_within_discord_limits(message)
    shown = "".join(e.description or "" for e in embeds_of(messages))
    assert squeezed(long_question) in squeezed(shown), "the question was cut"


def test_a_full_leaderboard_is_a_valid_embed() -> None:
    lines = tuple(BoardLine(i, f"member-with-a-long-display-name-{i:02d}", 100 - i, 5) for i in range(1, 11))
    [message] = render(LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026", lines, "Behavioral"))
    assert_within_discord_limits(message)
    [embed] = message.embeds
    assert embed.title == "Weekly leaderboard · week of 30 Nov 2026 · Behavioral"
    assert embed.description is not None
    assert embed.description.startswith("🥇 **member-with-a-long-display-name-01** · 99 pts (5 rounds)")
    assert "10. **member-with-a-long-display-name-10** · 90 pts (5 rounds)" in embed.description


def test_stats_are_a_valid_embed_with_the_breakdown() -> None:
    card = StatsCard("eve", 44, (("participation", 10), ("coverage", 30), ("votes", 4), ("streak", 0)), 44, 1, 1,
                     tuple((level.label, 0.5, 2) for level in Level))
    [message] = render(card)
    assert_within_discord_limits(message)
    [embed] = message.embeds
    assert embed.title == "Stats for eve"
    assert "**44 points** all time (participation 10 · coverage 30 · votes 4 · streak 0)" in (embed.description or "")
    assert "Scenario-based: 50% of key points over 2 rounds" in (embed.description or "")


# ---- a reveal that teaches ----


def test_a_teaching_reveal_shows_the_model_answer_after_the_hint_and_every_members_advice_within_the_limits() -> None:
    key_points = points(6, 120)
    model_answer = " ".join(["Profile first, then quantize and fuse kernels, then measure again."] * 100)
    items = tuple(replace(feedback_for(f"member {i:03d}", key_points),
                          did_well=f'Did well: you explained Point 01 ("{i}")',
                          study_next="Study next: Point 02. Why it matters: " + "queueing adds up " * 20)
                  for i in range(120))
    card = replace(reveal(items, key_points), model_answer=model_answer,
                   graded_by="Scored offline by the explanation grader (explanations-1).")

    messages = render(card)

    for message in messages:
        assert_within_discord_limits(message)
    everything = "\n".join(e.description or "" for e in embeds_of(messages))
    assert everything.index("**Hint:**") < everything.index("**A model answer:**") < everything.index(
        "**A strong answer covers:**")
    assert everything.replace("\n", "").count("Profile first, then quantize and fuse kernels, then measure") == 100
    for i in range(120):
        assert everything.count(f'Did well: you explained Point 01 ("{i}")') == 1
    assert everything.count("Study next: Point 02. Why it matters:") == 120
    assert everything.endswith("Scored offline by the explanation grader (explanations-1).\n120 answers: 120 on time, "
                               "0 late · average coverage 50%")


def test_the_ai_judges_feedback_for_every_member_is_shown_within_the_limits() -> None:
    key_points = points(6, 120)
    said = clean_feedback("You explained profiling well <@123> @everyone; " + "next, measure the tail. " * 40)
    items = tuple(replace(feedback_for(f"member {i:03d}", key_points), judge_says=judge_says(f"{i}: {said}"))
                  for i in range(120))
    card = replace(reveal(items, key_points), graded_by=judged_words({"fake-judge-1": 118}, {"late": 2}))

    messages = render(card)

    for message in messages:
        assert_within_discord_limits(message)
    everything = "\n".join(e.description or "" for e in embeds_of(messages))
    assert len(said) <= 600 and "<@123>" not in said and "@everyone" not in said
    for i in range(120):
        assert everything.count(f"The AI judge says: {i}: You explained profiling well") == 1
    assert "Graded by AI judge (model fake-judge-1): 118 answers; offline grader: 2 answers" in everything
