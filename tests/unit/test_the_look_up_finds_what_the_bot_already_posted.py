"""The look-up finds what the bot already posted.

After a crash between posting a card and recording it, the look-up finds the card among the messages read back,
whatever the platform: the bot's own messages whose marker names the card, the oldest of each part, and the parts
a card cut short still lacks. Each platform only reads its own marker (Slack: message metadata; Discord: an embed
footer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from adapters.discord.chat import DISCORD_MARKERS
from adapters.discord.render import question_messages, reveal_messages
from adapters.discord.render import render as render_for_discord
from adapters.recovery import KeyedBoard, Lookup, Mark, RoundCard, RoundKind, read_from, subject_of
from adapters.slack.chat import SLACK_MARKERS
from adapters.slack.render import render as render_for_slack
from adapters.slack.render import render_question, render_reveal
from bot.cards import AnswerFeedback, BoardLine, LeaderboardCard, QuestionCard, RevealCard, Tally

BOT = "UBOT"
DEADLINE = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
QUESTION_7 = RoundCard(RoundKind.QUESTION, 7)
REVEAL_7 = RoundCard(RoundKind.REVEAL, 7)


@dataclass(frozen=True)
class Seen:
    """A message as a platform read it back: who posted it, where it stands, and its marker."""

    ref: str
    author: str | None
    position: float | None
    mark: Mark | None


class SeenMarkers:
    def author(self, message: Seen) -> str | None:
        return message.author

    def position(self, message: Seen) -> float | None:
        return message.position

    def mark(self, message: Seen) -> Mark | None:
        return message.mark


def lookup(subject: RoundCard | KeyedBoard, *messages: Seen) -> Lookup[Seen]:
    found = Lookup(subject, BOT, SeenMarkers())
    found.see_all(messages)
    return found


def question(round_id: int = 7) -> QuestionCard:
    return QuestionCard(round_id, "beginner-01", "Beginner", "What is model serialization?", DEADLINE, "UTC")


def reveal(round_id: int = 7, answers: int = 1) -> RevealCard:
    feedback = tuple(AnswerFeedback(f"member{n}", True, (), ()) for n in range(answers))
    return RevealCard(round_id, "beginner-01", "What is model serialization?", "Saving a model to a file.",
                      ("Saves the model to a file",), feedback, Tally(answers, answers, 0, 1.0))


def board(key: str | None) -> LeaderboardCard:
    return LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026", (BoardLine(1, "eve", 52, 3),), key=key)


def test_a_round_card_is_sought_by_its_kind_and_round_and_a_board_by_its_key() -> None:
    assert subject_of(question(7)) == QUESTION_7
    assert subject_of(reveal(7)) == REVEAL_7
    assert subject_of(board("week:2026-11-30")) == KeyedBoard("week:2026-11-30")


def test_a_board_without_a_key_is_never_sought() -> None:
    assert subject_of(board(None)) is None


def test_the_look_up_reads_from_five_minutes_before_it_was_asked_to() -> None:
    since = datetime(2026, 11, 30, 9, 30, tzinfo=timezone.utc)
    assert read_from(since) == since - timedelta(minutes=5)


def test_only_the_bots_own_messages_marked_as_the_card_count() -> None:
    found = lookup(
        QUESTION_7,
        Seen("copied by a member", "UBEN", 1.0, Mark(QUESTION_7)),
        Seen("unmarked", BOT, 2.0, None),
        Seen("another round", BOT, 3.0, Mark(RoundCard(RoundKind.QUESTION, 8))),
        Seen("the reveal", BOT, 4.0, Mark(REVEAL_7)),
        Seen("a board", BOT, 5.0, Mark(KeyedBoard("7"))),
        Seen("no author", None, 6.0, Mark(QUESTION_7)),
    )
    assert found.first is None and found.missing_parts(1) == []

    found.see(Seen("the question", BOT, 7.0, Mark(QUESTION_7)))
    assert found.first is not None and found.first.ref == "the question"


def test_the_oldest_of_the_bots_messages_is_the_card_whatever_order_they_are_read_in() -> None:
    found = lookup(
        REVEAL_7,
        Seen("later", BOT, 30.0, Mark(REVEAL_7)),
        Seen("first", BOT, 10.0, Mark(REVEAL_7)),
        Seen("between", BOT, 20.0, Mark(REVEAL_7)),
    )
    assert found.first is not None and found.first.ref == "first"


def test_a_message_that_cannot_be_placed_is_passed_over() -> None:
    assert lookup(QUESTION_7, Seen("no ts", BOT, None, Mark(QUESTION_7))).first is None


def test_a_card_cut_short_lacks_the_parts_not_posted_and_a_whole_one_lacks_none() -> None:
    cut_short = lookup(REVEAL_7, Seen("part 1", BOT, 1.0, Mark(REVEAL_7, 1)),
                       Seen("part 3", BOT, 2.0, Mark(REVEAL_7, 3)))
    assert cut_short.missing_parts(4) == [2, 4]

    whole = lookup(REVEAL_7, *(Seen(f"part {n}", BOT, float(n), Mark(REVEAL_7, n)) for n in (1, 2, 3)))
    assert whole.missing_parts(3) == []


def test_a_card_whose_first_message_is_missing_is_not_found_and_nothing_is_completed() -> None:
    found = lookup(REVEAL_7, Seen("part 2", BOT, 1.0, Mark(REVEAL_7, 2)))
    assert found.first is None and found.missing_parts(2) == []


def test_a_board_found_is_taken_as_it_is() -> None:
    week = KeyedBoard("week:2026-11-30")
    found = lookup(week, Seen("the board", BOT, 1.0, Mark(week)), Seen("next week's", BOT, 2.0, Mark(KeyedBoard("x"))))
    assert found.first is not None and found.first.ref == "the board"
    assert found.missing_parts(3) == []


# ---- each platform's marker ----


def slack_history_message(ts: str, metadata: dict[str, Any] | None, user: str = BOT) -> dict[str, Any]:
    """A message as conversations.history returns it with include_all_metadata."""
    message: dict[str, Any] = {"type": "message", "user": user, "text": "…", "ts": ts, "team": "T1"}
    if metadata is not None:
        message["metadata"] = metadata
    return message


def test_slack_reads_the_marker_from_the_message_metadata() -> None:
    parts = render_reveal(reveal(answers=60))
    [weekly] = [m for m in render_for_slack(board("week:2026-11-30")) if m.metadata]

    assert SLACK_MARKERS.mark(slack_history_message("1.0", render_question(question()).metadata)) == Mark(QUESTION_7)
    assert [SLACK_MARKERS.mark(slack_history_message("1.0", part.metadata)) for part in parts] == [
        Mark(REVEAL_7, 1), Mark(REVEAL_7, 2)]
    assert SLACK_MARKERS.mark(slack_history_message("1.0", weekly.metadata)) == Mark(KeyedBoard("week:2026-11-30"))
    assert SLACK_MARKERS.mark(slack_history_message("1.0", None)) is None
    assert SLACK_MARKERS.author(slack_history_message("1.0", None, user="UBEN")) == "UBEN"
    assert SLACK_MARKERS.position(slack_history_message("1700000000.000200", None)) == 1700000000.0002
    assert SLACK_MARKERS.position(slack_history_message("", None)) is None


def discord_api_message(message_id: int, embeds: list[dict[str, Any]], author: str = "900") -> dict[str, Any]:
    """A message as GET /channels/{channel.id}/messages returns it."""
    return {"id": str(message_id), "channel_id": "301", "author": {"id": author, "username": "prepbot", "bot": True},
            "content": "", "embeds": embeds, "flags": 0, "type": 0}


def test_discord_reads_the_marker_from_an_embed_footer() -> None:
    asked = question_messages(question())[0]
    parts = reveal_messages(reveal(answers=12))
    weekly = render_for_discord(board("week:2026-11-30"))[0]

    def read(embeds: list[Any]) -> Mark | None:
        return DISCORD_MARKERS.mark(discord_api_message(1, [e.to_dict() for e in embeds]))

    assert read(asked.embeds) == Mark(QUESTION_7)
    assert [read(part.embeds) for part in parts] == [Mark(REVEAL_7, 1), Mark(REVEAL_7, 2)]
    assert read(weekly.embeds) == Mark(KeyedBoard("week:2026-11-30"))
    assert DISCORD_MARKERS.mark(discord_api_message(1, [{"title": "chatter"}])) is None
    assert DISCORD_MARKERS.author(discord_api_message(1, [], author="202")) == "202"
    snowflake = 1312345678901234567
    assert DISCORD_MARKERS.position(discord_api_message(snowflake, [])) == snowflake
