"""What Slack sends becomes the core's commands: replies are answers, edits and deletions change them, reactions vote.

Payloads are the real samples from the platform specs (tests/adapters/slack_payloads.py), filled in for each case.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from adapters.slack.events import answer_command, slack_time, team_of, vote_command
from bot.domain.model import ChannelAddress, Speaker
from bot.messages import CastVote, EditAnswer, RetractVote, SubmitAnswer, WithdrawAnswer
from tests.adapters import slack_payloads as payloads

TEAM = "T0ACME0001"
BOT = "U0PREPBOT1"
CHANNEL = "C0GENERAL1"
BEN = "U0000BEN01"
QUESTION_TS = "1796030000.000100"  # the question's message: the thread every answer is in
REPLY_TS = "1796031000.000200"
LATER_TS = "1796032000.000300"
NOW = datetime(2026, 11, 30, 15, 0, tzinfo=timezone.utc)  # after every ts above
GENERAL = ChannelAddress("slack", TEAM, CHANNEL)


def at(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), tz=timezone.utc)


def reply(text: str = "Pickle the model, then version it.", ts: str = REPLY_TS,
          thread_ts: str = QUESTION_TS, user: str = BEN) -> dict[str, Any]:
    return payloads.thread_reply(TEAM, BOT, CHANNEL, user, text, ts, thread_ts)


def test_a_reply_in_a_questions_thread_is_an_answer_with_where_who_what_and_when() -> None:
    command = answer_command(reply(), "ben", BOT, NOW)

    assert command == SubmitAnswer(
        channel=GENERAL,
        thread_ref=QUESTION_TS,
        message_ref=REPLY_TS,
        speaker=Speaker(BEN, "ben", is_bot=False),
        text="Pickle the model, then version it.",
        received_at=at(REPLY_TS),
    )


def test_a_reply_broadcast_to_the_channel_is_still_an_answer() -> None:
    body = reply()
    body["event"]["subtype"] = "thread_broadcast"

    command = answer_command(body, "ben", BOT, NOW)

    assert isinstance(command, SubmitAnswer) and command.message_ref == REPLY_TS


def test_a_message_in_the_channel_itself_is_not_an_answer() -> None:
    top_level = reply()
    del top_level["event"]["thread_ts"]
    del top_level["event"]["parent_user_id"]
    assert answer_command(top_level, "ben", BOT, NOW) is None


def test_the_questions_own_message_is_not_an_answer_to_itself() -> None:
    parent = reply(ts=QUESTION_TS, thread_ts=QUESTION_TS)
    assert answer_command(parent, "ben", BOT, NOW) is None


def test_another_apps_reply_is_marked_as_written_by_a_bot() -> None:
    body = payloads.bot_reply(TEAM, BOT, CHANNEL, "I am a helpful bot", REPLY_TS, QUESTION_TS)

    command = answer_command(body, "UOTHERBOT", BOT, NOW)

    assert isinstance(command, SubmitAnswer)
    assert command.speaker.is_bot is True


def test_prepbots_own_reply_is_marked_as_written_by_a_bot() -> None:
    command = answer_command(reply("Hint and feedback", user=BOT), "prepbot", BOT, NOW)

    assert isinstance(command, SubmitAnswer)
    assert command.speaker == Speaker(BOT, "prepbot", is_bot=True)


def test_an_edited_reply_edits_the_answer_at_the_time_of_the_edit() -> None:
    body = payloads.edited_reply(TEAM, BOT, CHANNEL, BEN, "Pickle it, version it, test loading it.", REPLY_TS,
                                 QUESTION_TS, LATER_TS)

    command = answer_command(body, "ben", BOT, NOW)

    assert command == EditAnswer(GENERAL, REPLY_TS, "Pickle it, version it, test loading it.", at(LATER_TS))


def test_a_deleted_reply_withdraws_the_answer() -> None:
    body = payloads.deleted_reply(TEAM, BOT, CHANNEL, BEN, REPLY_TS, QUESTION_TS, LATER_TS)

    command = answer_command(body, "ben", BOT, NOW)

    assert command == WithdrawAnswer(GENERAL, REPLY_TS, at(LATER_TS))


def test_an_added_reaction_is_a_vote_and_a_removed_one_takes_it_back() -> None:
    added = payloads.reaction(TEAM, BOT, CHANNEL, "U0000CAT01", REPLY_TS, BEN, "+1", LATER_TS, added=True)
    removed = payloads.reaction(TEAM, BOT, CHANNEL, "U0000CAT01", REPLY_TS, BEN, "+1", LATER_TS, added=False)
    cat = Speaker("U0000CAT01", "cat", is_bot=False)

    assert vote_command(added, "cat", False, NOW) == CastVote(GENERAL, REPLY_TS, cat, "+1", at(LATER_TS))
    assert vote_command(removed, "cat", False, NOW) == RetractVote(GENERAL, REPLY_TS, cat, "+1", at(LATER_TS))


def test_a_reaction_by_a_bot_carries_that_it_is_a_bot() -> None:
    body = payloads.reaction(TEAM, BOT, CHANNEL, BOT, REPLY_TS, BEN, "white_check_mark", LATER_TS)

    command = vote_command(body, "prepbot", True, NOW)

    assert isinstance(command, CastVote) and command.voter.is_bot is True


def test_a_reaction_on_a_file_is_not_a_vote() -> None:
    body = payloads.reaction(TEAM, BOT, CHANNEL, "U0000CAT01", REPLY_TS, BEN, "+1", LATER_TS)
    body["event"]["item"] = {"type": "file", "file": "F0000FILE1"}

    assert vote_command(body, "cat", False, NOW) is None


def test_an_unreadable_timestamp_falls_back_to_now() -> None:
    assert slack_time("not-a-timestamp", NOW) == NOW
    assert slack_time(None, NOW) == NOW
    assert slack_time("", NOW) == NOW
    assert slack_time("inf", NOW) == NOW

    answer = answer_command(reply(ts="yesterday-ish"), "ben", BOT, NOW)
    assert isinstance(answer, SubmitAnswer) and answer.received_at == NOW

    edited = payloads.edited_reply(TEAM, BOT, CHANNEL, BEN, "new text", REPLY_TS, QUESTION_TS, LATER_TS)
    edited["event"]["event_ts"] = "garbled"
    edit = answer_command(edited, "ben", BOT, NOW)
    assert isinstance(edit, EditAnswer) and edit.edited_at == NOW

    vote = payloads.reaction(TEAM, BOT, CHANNEL, "U0000CAT01", REPLY_TS, BEN, "+1", "garbled")
    cast = vote_command(vote, "cat", False, NOW)
    assert isinstance(cast, CastVote) and cast.at == NOW


def test_a_reply_stamped_in_the_future_counts_as_received_now() -> None:
    future = "1900000000.000100"  # 2030: a clock-skewed ts cannot move an answer past the deadline's check

    command = answer_command(reply(ts=future), "ben", BOT, NOW)

    assert isinstance(command, SubmitAnswer) and command.received_at == NOW


def test_the_workspace_comes_from_the_envelope() -> None:
    assert team_of(reply()) == TEAM
    body = reply()
    body["team_id"] = None
    assert team_of(body) == TEAM  # the event's own `team` field
