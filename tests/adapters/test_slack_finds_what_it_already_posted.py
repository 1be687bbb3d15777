"""SlackChat finds the question, reveal or board it already posted, by message metadata.

Slack has no idempotency key, so SlackChat tags a round's question and reveal, and a weekly board, with message metadata and finds them
again in the channel's history (or the thread's) when the core asks whether they were already posted. Without the
history scope, and for a board without a key, it does as every platform does:
test_every_platform_finds_what_it_already_posted.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import BOT_SCOPES
from adapters.recovery import LOOKBACK_MARGIN
from adapters.slack.render import render_reveal
from bot.cards import (
    AnswerFeedback, BoardLine, LeaderboardCard, NudgeCard, QuestionCard, ReminderCard, RevealCard, Tally,
)
from tests.contract.harnesses import SlackHarness
from tests.fakes.slack import FakeSlack

REPO = Path(__file__).resolve().parents[2]
DEADLINE = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)


@pytest.fixture
async def slack() -> AsyncIterator[SlackHarness]:
    made = SlackHarness()
    async with made.running():
        yield made
        assert made.slack.violations == []


def question(round_id: int = 7) -> QuestionCard:
    return QuestionCard(round_id, "beginner-01", "Beginner", "What is model serialization?", DEADLINE, "UTC")


def reveal(round_id: int = 7, answers: int = 1) -> RevealCard:
    feedback = tuple(AnswerFeedback(f"member{n}", True, (), ()) for n in range(answers))
    return RevealCard(round_id, "beginner-01", "What is model serialization?", "Saving a model to a file.",
                      ("Saves the model to a file",), feedback, Tally(answers, answers, 0, 1.0))


def an_hour_ago() -> datetime:
    return datetime.now(timezone.utc) - timedelta(hours=1)


async def test_a_question_and_each_part_of_a_reveal_carry_their_round_in_their_metadata(
    slack: SlackHarness,
) -> None:
    ref = await slack.chat.post_question(slack.channel, question())
    await slack.chat.reply_in_thread(slack.channel, ref, reveal(answers=60))

    posted = [c.args.get("metadata") for c in slack.slack.calls_to("chat.postMessage")]
    assert posted == [
        {"event_type": "prepbot_question", "event_payload": {"round_id": 7}},
        {"event_type": "prepbot_reveal", "event_payload": {"round_id": 7, "part": 1, "parts": 2}},
        {"event_type": "prepbot_reveal", "event_payload": {"round_id": 7, "part": 2, "parts": 2}},
    ]


async def test_the_look_up_reads_history_from_a_little_before_it_was_asked_to_with_metadata(
    slack: SlackHarness,
) -> None:
    since = an_hour_ago()
    ref = await slack.chat.post_question(slack.channel, question())
    await slack.chat.reply_in_thread(slack.channel, ref, reveal())

    assert await slack.chat.find_posted(slack.channel, question(), since=since) == ref
    assert await slack.chat.find_posted(slack.channel, reveal(), since=since, thread_ref=ref) is not None

    [history] = slack.slack.calls_to("conversations.history")
    [replies] = slack.slack.calls_to("conversations.replies")
    assert history.http_method == replies.http_method == "GET"
    assert float(history.args["oldest"]) == pytest.approx((since - LOOKBACK_MARGIN).timestamp())
    assert history.args["include_all_metadata"] in ("1", "true") and history.args["channel"] == "C1"
    assert replies.args["ts"] == ref and replies.args["include_all_metadata"] in ("1", "true")


async def test_only_the_bots_own_messages_tagged_with_the_round_count(slack: SlackHarness) -> None:
    since = an_hour_ago()
    copied = slack.slack.add_user_message("C1", slack.member, "Question of the day · Beginner (copied)")
    copied.metadata = {"event_type": "prepbot_question", "event_payload": {"round_id": 7}}
    bot = AsyncWebClient(token="xoxb-T1", base_url=f"{slack.slack.url}/api/")
    await bot.chat_postMessage(channel="C1", text="Question of the day · Beginner, untagged")
    await slack.chat.post_question(slack.channel, question(round_id=8))

    assert await slack.chat.find_posted(slack.channel, question(), since=since) is None


async def test_a_busy_channel_is_read_page_after_page(slack: SlackHarness) -> None:
    since = an_hour_ago()
    ref = await slack.chat.post_question(slack.channel, question())
    for n in range(450):
        slack.slack.add_user_message("C1", slack.member, f"chatter {n}")

    assert await slack.chat.find_posted(slack.channel, question(), since=since) == ref
    pages = slack.slack.calls_to("conversations.history")
    assert len(pages) == 3 and "cursor" not in pages[0].args and all("cursor" in p.args for p in pages[1:])


async def test_a_reveal_cut_short_after_its_first_message_is_completed_and_not_repeated(
    slack: SlackHarness,
) -> None:
    since = an_hour_ago()
    card = reveal(answers=60)
    thread = await slack.chat.post_question(slack.channel, question())
    first, second = render_reveal(card)
    client = AsyncWebClient(token="xoxb-T1", base_url=f"{slack.slack.url}/api/")
    posted = await client.chat_postMessage(channel="C1", thread_ts=thread, text=first.text, blocks=first.blocks,
                                           metadata=first.metadata)  # then the process died

    assert await slack.chat.find_posted(slack.channel, card, since=since, thread_ref=thread) == posted["ts"]

    in_thread = slack.slack.thread("C1", thread)
    assert [m.text for m in in_thread] == [first.text, second.text]
    assert await slack.chat.find_posted(slack.channel, card, since=since, thread_ref=thread) == posted["ts"]
    assert len(slack.slack.thread("C1", thread)) == 2


def test_the_scopes_the_history_look_ups_need_are_requested() -> None:
    spec = FakeSlack().spec.official["paths"]
    manifest = yaml.safe_load((REPO / "deploy" / "slack" / "manifest.yml").read_text(encoding="utf-8"))
    requested = set(manifest["oauth_config"]["scopes"]["bot"])
    assert requested == set(BOT_SCOPES)
    for method in ("/conversations.history", "/conversations.replies"):
        [operation] = spec[method].values()
        [needs] = [s["slackAuth"] for s in operation["security"]]
        assert {"channels:history", "groups:history"} <= set(needs) & requested, method


def board(key: str | None) -> LeaderboardCard:
    return LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026", (BoardLine(1, "eve", 52, 3),), key=key)


async def test_a_weekly_board_carries_its_key_in_its_metadata_and_is_found_by_it(slack: SlackHarness) -> None:
    since = an_hour_ago()
    ref = await slack.chat.post_message(slack.channel, board("week:2026-11-30"))
    await slack.chat.post_message(slack.channel, board(None))
    copied = slack.slack.add_user_message("C1", slack.member, "Weekly leaderboard (copied)")
    copied.metadata = {"event_type": "prepbot_board", "event_payload": {"key": "week:2026-12-07"}}

    posted = [c.args.get("metadata") for c in slack.slack.calls_to("chat.postMessage")]
    assert posted == [{"event_type": "prepbot_board", "event_payload": {"key": "week:2026-11-30"}}, None]
    assert await slack.chat.find_posted(slack.channel, board("week:2026-11-30"), since=since) == ref
    assert await slack.chat.find_posted(slack.channel, board("week:2026-12-07"), since=since) is None
    [history, _] = slack.slack.calls_to("conversations.history")
    assert float(history.args["oldest"]) == pytest.approx((since - LOOKBACK_MARGIN).timestamp())
    assert history.args["include_all_metadata"] in ("1", "true")


def reminder(round_id: int = 7) -> ReminderCard:
    return ReminderCard(round_id, DEADLINE, "UTC", timedelta(hours=2), 3)


async def test_a_reminder_carries_its_round_in_its_metadata_and_is_found_in_the_thread_apart_from_the_reveal(
    slack: SlackHarness,
) -> None:
    since = an_hour_ago()
    ref = await slack.chat.post_question(slack.channel, question())
    reminder_ref = await slack.chat.reply_in_thread(slack.channel, ref, reminder())
    assert await slack.chat.find_posted(slack.channel, reveal(), since=since, thread_ref=ref) is None
    reveal_ref = await slack.chat.reply_in_thread(slack.channel, ref, reveal())

    posted = [c.args.get("metadata") for c in slack.slack.calls_to("chat.postMessage")]
    assert posted[1] == {"event_type": "prepbot_reminder", "event_payload": {"round_id": 7}}
    assert await slack.chat.find_posted(slack.channel, reminder(), since=since, thread_ref=ref) == reminder_ref
    assert await slack.chat.find_posted(slack.channel, reveal(), since=since, thread_ref=ref) == reveal_ref
    assert await slack.chat.find_posted(slack.channel, reminder(8), since=since, thread_ref=ref) is None
    [text] = [c.args["text"] for c in slack.slack.calls_to("chat.postMessage") if c.args.get("metadata", {})
              .get("event_type") == "prepbot_reminder"]
    assert text == "Reminder: 2 h left · 3 answers so far"


async def test_a_nudge_is_a_direct_message_to_the_member(slack: SlackHarness) -> None:
    card = NudgeCard(7, "What is model serialization?", DEADLINE, "UTC", timedelta(hours=2), "general")
    await slack.chat.message_member(slack.channel, slack.member, card)

    [sent] = slack.slack.calls_to("chat.postMessage")
    assert sent.args["channel"] == slack.member and "metadata" not in sent.args
    assert sent.args["text"] == "2 h left to answer the question of the day"
