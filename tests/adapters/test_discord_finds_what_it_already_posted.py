"""DiscordChat finds the question, reveal or board it already posted, by nonce and embed footer.

DiscordChat sends a round's question and reveal with a nonce of the round (Discord returns the first message when
a send is repeated within a few minutes) and marks them in an embed footer, by which it finds them again in the
channel or the thread when the core asks whether they were already posted (a read returns no nonce). A weekly board
goes the same way, with a nonce and a footer made from its key. Without leave to read the history the look-up says
it cannot tell, as on every platform: test_every_platform_finds_what_it_already_posted.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import discord
import pytest

from adapters.discord.chat import MAX_NONCE, board_nonce
from adapters.discord.render import question_messages, reveal_messages
from adapters.recovery import LOOKBACK_MARGIN
from bot.cards import (
    AnswerFeedback, BoardLine, LeaderboardCard, NudgeCard, QuestionCard, ReminderCard, RevealCard, Tally,
)
from tests.contract.harnesses import DiscordHarness
from tests.fakes.discord import Msg

DEADLINE = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
SEND = "/channels/{channel_id}/messages"


@pytest.fixture
async def harness() -> AsyncIterator[DiscordHarness]:
    made = DiscordHarness()
    async with made.running():
        yield made
        assert made.discord.violations == []


def question(round_id: int = 7) -> QuestionCard:
    return QuestionCard(round_id, "beginner-01", "Beginner", "What is model serialization?", DEADLINE, "UTC")


def reveal(round_id: int = 7, answers: int = 1) -> RevealCard:
    feedback = tuple(AnswerFeedback(f"member{n}", True, (), ()) for n in range(answers))
    return RevealCard(round_id, "beginner-01", "What is model serialization?", "Saving a model to a file.",
                      ("Saves the model to a file",), feedback, Tally(answers, answers, 0, 1.0))


def an_hour_ago() -> datetime:
    return datetime.now(timezone.utc) - timedelta(hours=1)


def bot_messages(harness: DiscordHarness, channel: str) -> list[Msg]:
    fake = harness.discord
    return [m for m in fake.messages.get(channel, []) if m.author_id == fake.bot_user_id and not m.deleted]


def footers(message: Msg) -> list[str]:
    return [str((e.get("footer") or {}).get("text") or "") for e in message.embeds]


async def test_a_question_and_each_part_of_a_reveal_go_with_their_rounds_nonce_and_footer(
    harness: DiscordHarness,
) -> None:
    ref = await harness.chat.post_question(harness.channel, question())
    await harness.chat.reply_in_thread(harness.channel, ref, reveal(answers=12))

    sent = [(c.body["nonce"], c.body["enforce_nonce"]) for c in harness.discord.calls_to("POST", SEND)]
    assert sent == [("prepbot-q7", True), ("prepbot-r7", True), ("prepbot-r7.2", True)]
    [asked] = bot_messages(harness, "301")
    assert footers(asked)[-1].startswith("Round 7 · Reply in this thread (or press Answer)")
    parts = bot_messages(harness, ref)
    assert [footers(m)[-1] for m in parts] == ["Round 7 · hint and feedback, part 1 of 2",
                                               "Round 7 · hint and feedback, part 2 of 2"]


async def test_the_same_question_sent_again_within_minutes_is_the_first_message(harness: DiscordHarness) -> None:
    first = await harness.chat.post_question(harness.channel, question())
    again = await harness.chat.post_question(harness.channel, question())

    assert again == first
    assert len(bot_messages(harness, "301")) == 1


async def test_the_look_up_reads_after_a_snowflake_a_little_before_it_was_asked_to(harness: DiscordHarness) -> None:
    since = an_hour_ago()
    ref = await harness.chat.post_question(harness.channel, question())
    reveal_ref = await harness.chat.reply_in_thread(harness.channel, ref, reveal())

    assert await harness.chat.find_posted(harness.channel, question(), since=since) == ref
    assert await harness.chat.find_posted(harness.channel, reveal(), since=since, thread_ref=ref) == reveal_ref

    reads = harness.discord.calls_to("GET", SEND)
    assert [c.path for c in reads] == ["/channels/301/messages", f"/channels/{ref}/messages"]
    assert {c.query["after"] for c in reads} == {str(discord.utils.time_snowflake(since - LOOKBACK_MARGIN))}
    assert all("nonce" not in m for c in reads for m in c.response), "a read returns no nonce"


async def test_a_question_found_without_its_thread_gets_its_thread(harness: DiscordHarness) -> None:
    since = an_hour_ago()
    card = question()
    channel = harness.chat._messageable(harness.channel.channel)
    sent = await channel.send(embeds=question_messages(card)[0].embeds)  # then the process died

    assert await harness.chat.find_posted(harness.channel, card, since=since) == str(sent.id)

    thread = harness.discord.threads[str(sent.id)]
    assert thread.parent_id == "301" and thread.name == "Round 7 · Beginner"
    assert len(bot_messages(harness, "301")) == 1


async def test_a_reveal_cut_short_after_its_first_message_is_completed_and_not_repeated(
    harness: DiscordHarness,
) -> None:
    since = an_hour_ago()
    card = reveal(answers=12)
    ref = await harness.chat.post_question(harness.channel, question())
    first, second = reveal_messages(card)
    sent = await harness.chat._messageable(ref).send(embeds=first.embeds)  # then the process died

    found = await harness.chat.find_posted(harness.channel, card, since=since, thread_ref=ref)

    assert found == f"{ref}/{sent.id}"
    assert [footers(m)[-1] for m in bot_messages(harness, ref)] == [first.embeds[-1].footer.text,
                                                                    second.embeds[-1].footer.text]
    assert await harness.chat.find_posted(harness.channel, card, since=since, thread_ref=ref) == found
    assert len(bot_messages(harness, ref)) == 2


async def test_only_the_bots_own_marked_messages_of_that_round_count(harness: DiscordHarness) -> None:
    since = an_hour_ago()
    ref = await harness.chat.post_question(harness.channel, question(round_id=8))
    await harness.chat.reply_in_thread(harness.channel, ref, reveal(round_id=8))

    assert await harness.chat.find_posted(harness.channel, question(), since=since) is None
    assert await harness.chat.find_posted(harness.channel, reveal(), since=since, thread_ref=ref) is None


def board(key: str | None) -> LeaderboardCard:
    return LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026", (BoardLine(1, "eve", 52, 3),), key=key)


async def test_a_weekly_board_goes_with_a_nonce_and_a_footer_of_its_key_and_is_found_by_the_footer(
    harness: DiscordHarness,
) -> None:
    since = an_hour_ago()
    ref = await harness.chat.post_message(harness.channel, board("week:2026-11-30"))
    again = await harness.chat.post_message(harness.channel, board("week:2026-11-30"))
    await harness.chat.post_message(harness.channel, board(None))

    sent = [c.body.get("nonce") for c in harness.discord.calls_to("POST", SEND)]
    assert sent[:2] == ["prepbot-bweek:2026-11-30", "prepbot-bweek:2026-11-30"]
    assert not str(sent[2]).startswith("prepbot-"), "a board without a key goes with discord.py's own nonce"
    assert again == ref, "Discord answers the repeated send with the board it already made"
    assert [footers(m) for m in bot_messages(harness, "301")] == [["Board week:2026-11-30"], [""]]
    assert await harness.chat.find_posted(harness.channel, board("week:2026-11-30"), since=since) == ref
    assert await harness.chat.find_posted(harness.channel, board("week:2026-12-07"), since=since) is None
    assert await harness.chat.find_posted(harness.channel, board(None), since=since) is None
    assert len(harness.discord.calls_to("GET", SEND)) == 2, "a board without a key is never looked for"


def test_a_board_key_too_long_for_a_nonce_gets_a_short_one_of_its_own() -> None:
    long_key = "week:2026-11-30:" + "x" * 40
    assert len(board_nonce(long_key)) == MAX_NONCE
    assert board_nonce(long_key) != board_nonce(long_key + "y")


def reminder(round_id: int = 7) -> ReminderCard:
    return ReminderCard(round_id, DEADLINE, "UTC", timedelta(hours=2), 1)


async def test_a_reminder_goes_with_a_nonce_and_a_footer_of_its_own_and_is_found_apart_from_the_reveal(
    harness: DiscordHarness,
) -> None:
    since = an_hour_ago()
    ref = await harness.chat.post_question(harness.channel, question())
    reminder_ref = await harness.chat.reply_in_thread(harness.channel, ref, reminder())
    assert await harness.chat.find_posted(harness.channel, reveal(), since=since, thread_ref=ref) is None
    reveal_ref = await harness.chat.reply_in_thread(harness.channel, ref, reveal())

    sent = [c.body["nonce"] for c in harness.discord.calls_to("POST", SEND)]
    assert sent == ["prepbot-q7", "prepbot-m7", "prepbot-r7"]
    first, _ = bot_messages(harness, ref)
    assert footers(first)[-1] == "Round 7 · reminder"
    assert "2 h left · 1 answer so far" in str(first.embeds[0].get("description"))
    assert await harness.chat.find_posted(harness.channel, reminder(), since=since, thread_ref=ref) == reminder_ref
    assert await harness.chat.find_posted(harness.channel, reveal(), since=since, thread_ref=ref) == reveal_ref
    assert await harness.chat.find_posted(harness.channel, reminder(8), since=since, thread_ref=ref) is None


async def test_a_nudge_is_a_direct_message_without_a_round_marker(harness: DiscordHarness) -> None:
    card = NudgeCard(7, "What is model serialization?", DEADLINE, "UTC", timedelta(hours=2), "general")
    await harness.chat.message_member(harness.channel, harness.member, card)

    [sent] = harness.discord.messages[harness.discord.dm_channel(harness.member)]
    assert "2 h left" in sent.content and "#general" in sent.content and sent.embeds == []
