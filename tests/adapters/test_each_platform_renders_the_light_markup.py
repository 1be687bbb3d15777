"""Each renderer only converts the core's light markup.

Slack to mrkdwn, Discord to its markdown, the console to plain text with no markup character left."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from adapters.console import render as console
from adapters.discord import render as discord_render
from adapters.slack import render as slack
from bot.cards import (
    AnswerFeedback,
    AwardLine,
    BoardLine,
    Card,
    HelpCard,
    LeaderboardCard,
    Notice,
    NoticeKind,
    QuestionCard,
    RevealCard,
    StatsCard,
    Tally,
)
from bot.domain.matching import PointCoverage
from bot.wording import Moment, Rank, words

DEADLINE = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
STYLED = words("*bold* and _italic_ and `code` and *{name}*", name="R&D <team>")
ITEM = AnswerFeedback("ada", True, (PointCoverage("Profiles", True, "profiling"), PointCoverage("Batches", False, None)),
                      (AwardLine("participation", 10, "answered on time"),), note="kept as typed")
REVEAL = RevealCard(5, "q", "How?", "Profile first.", ("Profiles", "Batches"), (ITEM,), Tally(1, 1, 0, 0.5),
                    model_answer="Measure.")
CARDS: list[Card] = [
    QuestionCard(5, "q", "Behavioral", "Tell me.", DEADLINE, "Europe/Berlin", practice=True),
    REVEAL,
    LeaderboardCard("Leaderboard", "all time", (BoardLine(1, "ada", 40, 2), BoardLine(2, "ben", 30, 1))),
    StatsCard("eve", 44, (("participation", 10), ("coverage", 34)), 12, 3, 2, (("Behavioral", 0.5, 2),)),
    HelpCard(("behavioral", "scenario")),
    Notice("Nothing was changed.", NoticeKind.ERROR),
]


# ---- the console ----


def test_console_text_carries_no_markup_characters() -> None:
    assert console.text(STYLED) == "bold and italic and code and R&D <team>"
    for card in CARDS:
        shown = console.render(card)
        assert not re.search(r"[*_`]", shown), shown
        assert ":white_check_mark:" not in shown and "✅" not in shown and "🥇" not in shown


def test_the_console_shows_signs_in_ascii_places_as_numbers_and_times_in_the_channels_zone() -> None:
    shown = console.render(REVEAL)
    assert '[x] Profiles (said "profiling")' in shown and "[ ] Batches" in shown
    assert console.inline(Rank(1)) == "1."
    assert console.inline(Moment(DEADLINE, "Europe/Berlin")) == "Mon 30 Nov 17:00 Europe/Berlin"
    assert console.render(Notice("Nothing was changed.", NoticeKind.ERROR)) == "Nothing was changed."


def test_the_console_shows_a_practice_question_with_its_level_and_never_for_none() -> None:
    shown = console.render(CARDS[0])
    assert shown.startswith("Practice question · Behavioral (round 5)\n  Tell me.\n")
    assert "None" not in shown


# ---- Slack ----


def test_slack_gets_mrkdwn_with_member_text_escaped() -> None:
    assert slack.mrkdwn(STYLED) == "*bold* and _italic_ and `code` and *R&amp;D &lt;team&gt;*"


def test_slack_styles_each_line_of_a_styled_text_and_keeps_spaces_outside_the_markers() -> None:
    assert slack.mrkdwn(words("*{text}*", text="one \ntwo")) == "*one* \n*two*"


def test_slack_shows_signs_as_emoji_codes_medals_for_the_top_three_and_deadlines_as_dates() -> None:
    [message] = slack.render(CARDS[2])
    assert message.blocks[1]["text"]["text"].split("\n") == [":first_place_medal: *ada* · 40 pts (2 rounds)",
                                                              ":second_place_medal: *ben* · 30 pts (1 round)"]
    assert slack.inline(Rank(4)) == "4."
    assert slack.inline(Moment(DEADLINE, "Europe/Berlin")) == (
        f"<!date^{int(DEADLINE.timestamp())}^{{date_short_pretty}} at {{time}}|2026-11-30 16:00 UTC>")
    [notice] = slack.render(CARDS[-1])
    assert notice.blocks[0]["text"]["text"] == ":warning: Nothing was changed."


def test_slack_shows_the_help_in_mrkdwn_with_commands_as_code() -> None:
    [message] = slack.render(HelpCard(("behavioral",)))
    shown = message.blocks[0]["text"]["text"]
    assert shown.startswith("*prepbot*: a question of the day")
    assert "`/prep &lt;level&gt;` or `/prep random`: a practice question now (behavioral)" in shown
    assert message.text == "What prepbot can do"


# ---- Discord ----


def test_discord_gets_its_markdown() -> None:
    assert discord_render.markdown(STYLED) == "**bold** and *italic* and `code` and **R&D <team>**"


def test_discord_titles_and_footers_show_words_without_markdown() -> None:
    [message] = discord_render.render(REVEAL)
    titles = [embed.title for embed in message.embeds]
    assert titles[:2] == ["Hint and feedback", "ada (on time): covered 1 of 2 · 10 pts"]
    assert message.embeds[0].description == ("**Hint:** Profile first.\n\n**A model answer:** Measure.\n\n"
                                             "**A strong answer covers:**\n• Profiles\n• Batches")
    assert message.embeds[1].description == ('✅ Profiles *(said "profiling")*\n⬜ Batches\n'
                                             "+10 participation (answered on time)\n*kept as typed*")


def test_discord_shows_the_help_and_notices_as_content_with_its_own_commands() -> None:
    [message] = discord_render.render(HelpCard(("behavioral",)))
    assert message.embeds == [] and message.content is not None
    assert message.content.startswith("**prepbot**: a question of the day for the team, answered privately until "
                                      "the reveal, or in its thread, as the channel chooses.")
    assert "`/prep practice [level]`: a practice question now (behavioral)" in message.content
    assert "With Manage Server: `/prep-admin subscribe" in message.content
    [notice] = discord_render.render(CARDS[-1])
    assert notice.content == "⚠️ Nothing was changed."


def test_discord_shows_the_deadline_as_a_timestamp_and_how_to_answer_with_the_button() -> None:
    [message] = discord_render.render(CARDS[0])
    [embed] = message.embeds
    epoch = int(DEADLINE.timestamp())
    assert [(f.name, f.value) for f in embed.fields] == [("Answers close", f"<t:{epoch}:F> (<t:{epoch}:R>)")]
    assert embed.footer.text == ("Round 5 · Reply in this thread (or press Answer) before the deadline. Several "
                                 "replies add up; edit or delete them freely.")
