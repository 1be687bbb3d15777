"""Slack payloads as core commands. Pure translation: no calls, no decisions."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bot.domain.model import ChannelAddress, Speaker
from bot.messages import AnswerCommand, CastVote, EditAnswer, RetractVote, SubmitAnswer, WithdrawAnswer

PLATFORM = "slack"
# Message subtypes that are still a person's reply.
PERSON_SUBTYPES = frozenset({None, "", "thread_broadcast", "file_share"})


def slack_time(ts: str | float | None, fallback: datetime) -> datetime:
    """A Slack timestamp ("1700000000.000100") as an aware datetime; `fallback` when missing or unreadable."""
    try:
        return datetime.fromtimestamp(float(ts), tz=timezone.utc) if ts else fallback
    except (TypeError, ValueError, OverflowError):
        return fallback


def team_of(body: dict[str, Any]) -> str:
    event = body.get("event") or {}
    return str(body.get("team_id") or event.get("team") or (body.get("team") or {}).get("id") or "")


def address(body: dict[str, Any], channel: str) -> ChannelAddress:
    return ChannelAddress(PLATFORM, team_of(body), channel)


def answer_command(body: dict[str, Any], name: str, bot_user_id: str | None, now: datetime) -> AnswerCommand | None:
    """The answer command a `message` event carries (a thread reply, an edit, a deletion), or None.

    `name` is the author's display name, looked up by the caller.
    """
    event = body.get("event") or {}
    subtype = event.get("subtype")
    channel = str(event.get("channel") or "")
    if not channel:
        return None
    if subtype == "message_changed":
        message = event.get("message") or {}
        if not message.get("thread_ts") or message.get("thread_ts") == message.get("ts"):
            return None
        return EditAnswer(address(body, channel), str(message.get("ts")), str(message.get("text") or ""),
                          slack_time(event.get("event_ts"), now))
    if subtype == "message_deleted":
        previous = event.get("previous_message") or {}
        deleted = event.get("deleted_ts") or previous.get("ts")
        if not deleted:
            return None
        return WithdrawAnswer(address(body, channel), str(deleted), slack_time(event.get("event_ts"), now))
    if subtype not in PERSON_SUBTYPES:
        return None
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    if not thread_ts or not ts or thread_ts == ts:
        return None
    user = str(event.get("user") or "")
    is_bot = bool(event.get("bot_id")) or not user or user == bot_user_id
    received = min(slack_time(ts, now), now)
    return SubmitAnswer(address(body, channel), str(thread_ts), str(ts), Speaker(user, name, is_bot),
                        str(event.get("text") or ""), received)


def vote_command(body: dict[str, Any], name: str, voter_is_bot: bool, now: datetime) -> CastVote | RetractVote | None:
    """The vote a `reaction_added` / `reaction_removed` event on a message carries, or None."""
    event = body.get("event") or {}
    item = event.get("item") or {}
    if item.get("type") != "message" or not item.get("channel") or not item.get("ts"):
        return None
    voter = Speaker(str(event.get("user") or ""), name, voter_is_bot)
    command = CastVote if event.get("type") == "reaction_added" else RetractVote
    return command(address(body, str(item["channel"])), str(item["ts"]), voter, str(event.get("reaction") or ""),
                   slack_time(event.get("event_ts"), now))


def bot_joined(body: dict[str, Any], bot_user_id: str | None) -> ChannelAddress | None:
    """The channel a `member_joined_channel` event says the bot itself joined (it was invited), or None."""
    event = body.get("event") or {}
    channel = str(event.get("channel") or "")
    if event.get("type") != "member_joined_channel" or not channel or not bot_user_id \
            or event.get("user") != bot_user_id:
        return None
    return address(body, channel)


def home_opened_by(body: dict[str, Any]) -> str | None:
    """The member who opened the app's Home tab, from an `app_home_opened` event (None for its Messages tab)."""
    event = body.get("event") or {}
    if event.get("type") != "app_home_opened" or event.get("tab") != "home":
        return None
    return str(event.get("user") or "") or None
