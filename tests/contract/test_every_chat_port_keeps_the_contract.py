"""One contract for every ChatPort implementation: what the core posts is what members see, where they see it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from adapters.chart import board_chart
from bot.cards import (
    AnswerFeedback, BoardLine, LeaderboardCard, Notice, NudgeCard, QuestionCard, Reaction, ReminderCard, RevealCard,
    Tally, WelcomeCard,
)
from tests.contract.charts import read_chart
from tests.contract.harnesses import ConsoleHarness, DiscordHarness, FakeHarness, Harness, SlackHarness

HARNESSES: dict[str, Callable[[], Harness]] = {
    "fake": FakeHarness, "console": ConsoleHarness, "slack": SlackHarness, "discord": DiscordHarness,
}


@pytest.fixture(params=sorted(HARNESSES))
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    made = HARNESSES[request.param]()
    if isinstance(made, SlackHarness):  # a fake Slack on loopback: started for the test, checked and stopped after
        async with made.running():
            yield made
            assert made.slack.violations == []
    elif isinstance(made, DiscordHarness):  # a fake Discord on loopback, with a real discord.py client
        async with made.running():
            yield made
            assert made.discord.violations == []
    elif isinstance(made, ConsoleHarness):  # the console writes charts to a folder of its own, removed after
        try:
            yield made
        finally:
            made.close()
    else:
        yield made


def question(closed: bool = False, round_id: int = 7) -> QuestionCard:
    return QuestionCard(round_id, "beginner-01", "Beginner", "What is model serialization, and why does it matter?",
                        datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc), "Europe/Berlin", closed=closed)


def charted_board() -> LeaderboardCard:
    """A board with lines: every chat port posts it with its chart."""
    return LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026",
                           (BoardLine(1, "eve", 52, 3), BoardLine(2, "ben", 48, 3), BoardLine(3, "Иван", 40, 2)),
                           channel_name="general")


def reveal(round_id: int = 7) -> RevealCard:
    feedback = AnswerFeedback("alice", True, (), ())
    return RevealCard(round_id, "beginner-01", "What is model serialization?", "Explain saving a model to a file.",
                      ("Saves the model to a file",), (feedback,), Tally(1, 1, 0, 1.0))


async def test_a_posted_question_is_visible_in_the_channel_and_gets_its_own_ref(harness: Harness) -> None:
    first = await harness.chat.post_question(harness.channel, question())
    second = await harness.chat.post_question(harness.channel, question(round_id=8))
    assert first and second and first != second
    top_level = [m for m in harness.messages() if m.thread is None and m.private_to is None]
    assert sum("What is model serialization" in m.text for m in top_level) == 2


async def test_a_thread_reply_lands_in_the_questions_thread(harness: Harness) -> None:
    ref = await harness.chat.post_question(harness.channel, question())
    reply_ref = await harness.chat.reply_in_thread(harness.channel, ref, reveal())
    assert reply_ref and reply_ref != ref
    in_thread = [m for m in harness.messages() if m.thread == ref]
    assert len(in_thread) == 1 and "Explain saving a model to a file." in in_thread[0].text


async def test_updating_a_question_shows_it_closed(harness: Harness) -> None:
    ref = await harness.chat.post_question(harness.channel, question())
    await harness.chat.update_question(harness.channel, ref, question(closed=True))
    assert any("closed" in m.text.lower() and "model serialization" in m.text for m in harness.messages())


async def test_a_reaction_is_recorded_on_the_message_it_was_given_to(harness: Harness) -> None:
    # Reactions go on messages that exist: two replies in a question's thread, like two answers.
    thread = await harness.chat.post_question(harness.channel, question())
    first = await harness.chat.reply_in_thread(harness.channel, thread, Notice("first reply"))
    second = await harness.chat.reply_in_thread(harness.channel, thread, Notice("second reply"))
    await harness.chat.react(harness.channel, first, Reaction.ACCEPTED)
    await harness.chat.react(harness.channel, second, Reaction.LATE)
    assert harness.reactions_on(first) == [Reaction.ACCEPTED]
    assert harness.reactions_on(second) == [Reaction.LATE]
    assert harness.reactions_on(thread) == []


async def test_a_private_note_is_shown_to_that_member_only(harness: Harness) -> None:
    await harness.chat.tell_member(harness.channel, harness.member, Notice("Your answer was trimmed."))
    notes = [m for m in harness.messages() if "Your answer was trimmed." in m.text]
    assert len(notes) == 1 and notes[0].private_to == harness.member


async def test_a_channel_message_is_public(harness: Harness) -> None:
    ref = await harness.chat.post_message(harness.channel, Notice("alice subscribed this channel"))
    assert ref
    posted = [m for m in harness.messages() if "alice subscribed this channel" in m.text]
    assert len(posted) == 1 and posted[0].private_to is None and posted[0].thread is None


async def test_a_direct_message_reaches_that_member_alone_outside_the_channel(harness: Harness) -> None:
    card = NudgeCard(7, "What is model serialization?", datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc), "UTC",
                     timedelta(hours=2), "general")

    await harness.chat.message_member(harness.channel, harness.member, card)

    [sent] = harness.direct_messages(harness.member)
    assert "2 h left" in sent and "What is model serialization?" in sent
    assert not any("What is model serialization?" in m.text for m in harness.messages() if m.private_to is None)
    if harness.admin != harness.member:
        assert harness.direct_messages(harness.admin) == []


async def test_the_platforms_admins_are_admins(harness: Harness) -> None:
    assert await harness.chat.is_admin(harness.channel, harness.admin) is True


async def test_a_board_with_a_chart_is_posted_with_its_picture_in_the_channel(harness: Harness) -> None:
    card = charted_board()
    chart = board_chart(card)

    ref = await harness.chat.post_message(harness.channel, card)

    assert ref
    boards = [m for m in harness.messages() if "Weekly leaderboard" in m.text and "eve" in m.text]
    assert boards and boards[0].thread is None and boards[0].private_to is None
    [picture] = harness.pictures()
    assert picture.data == chart.data and picture.filename == chart.filename
    assert picture.thread in (None, ref), "with the board: in its message, or in the board's own thread"
    assert read_chart(picture.data).names == ["eve", "ben", "Иван"]


async def test_a_board_with_a_chart_in_a_thread_keeps_its_picture_in_that_thread(harness: Harness) -> None:
    thread = await harness.chat.post_question(harness.channel, question())
    card = charted_board()

    await harness.chat.reply_in_thread(harness.channel, thread, card)

    [picture] = harness.pictures()
    assert picture.data == board_chart(card).data and picture.thread == thread


async def test_a_board_without_a_chart_is_posted_without_a_picture(harness: Harness) -> None:
    await harness.chat.post_message(harness.channel, LeaderboardCard("Leaderboard", "all time", ()))
    assert any("Leaderboard" in m.text for m in harness.messages())
    assert harness.pictures() == []


async def test_a_question_and_its_reveal_the_bot_posted_are_found_again_by_their_round(harness: Harness) -> None:
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    other = await harness.chat.post_question(harness.channel, question(round_id=8))
    ref = await harness.chat.post_question(harness.channel, question())
    reveal_ref = await harness.chat.reply_in_thread(harness.channel, ref, reveal())
    await harness.chat.reply_in_thread(harness.channel, ref, Notice("Round 7, a note in the thread"))
    seen = len(harness.messages())

    assert await harness.chat.find_posted(harness.channel, question(), since=since) == ref
    assert await harness.chat.find_posted(harness.channel, question(round_id=8), since=since) == other
    assert await harness.chat.find_posted(harness.channel, reveal(), since=since, thread_ref=ref) == reveal_ref
    assert len(harness.messages()) == seen, "looking posts nothing"


async def test_a_round_the_bot_never_posted_is_not_found(harness: Harness) -> None:
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    ref = await harness.chat.post_question(harness.channel, question())
    other = await harness.chat.post_question(harness.channel, question(round_id=8))

    assert await harness.chat.find_posted(harness.channel, question(round_id=9), since=since) is None
    assert await harness.chat.find_posted(harness.channel, reveal(), since=since, thread_ref=ref) is None
    await harness.chat.reply_in_thread(harness.channel, other, reveal(round_id=8))
    assert await harness.chat.find_posted(harness.channel, reveal(), since=since, thread_ref=ref) is None


def keyed_board(key: str | None) -> LeaderboardCard:
    return replace(charted_board(), key=key)


async def test_a_board_the_bot_posted_is_found_again_by_its_key(harness: Harness) -> None:
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    other = await harness.chat.post_message(harness.channel, keyed_board("week:2026-11-23"))
    ref = await harness.chat.post_message(harness.channel, keyed_board("week:2026-11-30"))
    await harness.chat.post_message(harness.channel, keyed_board(None))
    seen = len(harness.messages())

    assert await harness.chat.find_posted(harness.channel, keyed_board("week:2026-11-30"), since=since) == ref
    assert await harness.chat.find_posted(harness.channel, keyed_board("week:2026-11-23"), since=since) == other
    assert len(harness.messages()) == seen, "looking posts nothing"


async def test_a_board_the_bot_never_posted_is_not_found(harness: Harness) -> None:
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    await harness.chat.post_message(harness.channel, keyed_board("week:2026-11-23"))
    await harness.chat.post_message(harness.channel, keyed_board(None))
    await harness.chat.post_question(harness.channel, question())

    assert await harness.chat.find_posted(harness.channel, keyed_board("week:2026-11-30"), since=since) is None
    assert await harness.chat.find_posted(harness.channel, keyed_board(None), since=since) is None


async def test_a_welcome_is_posted_in_the_channel_itself_and_says_how_to_subscribe(harness: Harness) -> None:
    ref = await harness.chat.post_message(harness.channel, WelcomeCard())

    assert ref
    (seen,) = harness.messages()
    assert seen.thread is None and seen.private_to is None
    assert "question of the day" in seen.text and "subscribe" in seen.text and "09:30" in seen.text


def reminder(round_id: int = 7) -> ReminderCard:
    return ReminderCard(round_id, datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc), "Europe/Berlin",
                        timedelta(hours=2), 3)


async def test_a_reminder_lands_in_the_questions_thread_and_is_found_again_apart_from_the_reveal(
    harness: Harness,
) -> None:
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    ref = await harness.chat.post_question(harness.channel, question())
    assert await harness.chat.find_posted(harness.channel, reminder(), since=since, thread_ref=ref) is None
    reminder_ref = await harness.chat.reply_in_thread(harness.channel, ref, reminder())
    reveal_ref = await harness.chat.reply_in_thread(harness.channel, ref, reveal())

    in_thread = [m for m in harness.messages() if m.thread == ref]
    assert any("2 h left · 3 answers so far" in m.text for m in in_thread)
    assert await harness.chat.find_posted(harness.channel, reminder(), since=since, thread_ref=ref) == reminder_ref
    assert await harness.chat.find_posted(harness.channel, reveal(), since=since, thread_ref=ref) == reveal_ref
    assert await harness.chat.find_posted(harness.channel, reminder(8), since=since, thread_ref=ref) is None
