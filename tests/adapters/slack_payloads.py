"""Inbound Slack payloads built from the real sample payloads in the platform specs, filled in for a test."""

from __future__ import annotations

import copy
import json
import uuid
from functools import lru_cache
from typing import Any

from tests.fakes.slack import SPECS_ROOT

SAMPLES = SPECS_ROOT / "slack" / "java-slack-sdk-json-logs"


@lru_cache(maxsize=None)
def _sample(relative: str) -> dict[str, Any]:
    return json.loads((SAMPLES / relative).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _wrapper(name: str, team_id: str, bot_user_id: str) -> dict[str, Any]:
    body = copy.deepcopy(_sample(f"events/{name}"))
    body.update(team_id=team_id, enterprise_id=None, api_app_id="AFAKEAPP01", type="event_callback",
                event_id="Ev" + uuid.uuid4().hex[:10].upper(), token="fake-verification-token",
                authed_users=[bot_user_id], authed_teams=[team_id], is_ext_shared_channel=False,
                event_context="4-" + uuid.uuid4().hex)
    body["authorizations"] = [{"enterprise_id": None, "team_id": team_id, "user_id": bot_user_id, "is_bot": True,
                               "is_enterprise_install": False}]
    for key in ("context_team_id", "context_enterprise_id"):
        body.pop(key, None)
    return body


def thread_reply(team_id: str, bot_user_id: str, channel: str, user: str, text: str, ts: str,
                 thread_ts: str) -> dict[str, Any]:
    """A member's reply in a thread, from MessagePayload.json."""
    body = _wrapper("MessagePayload.json", team_id, bot_user_id)
    event = body["event"]
    for key in ("bot_id", "bot_profile", "attachments", "metadata", "edited", "blocks"):
        event.pop(key, None)
    event.update(type="message", team=team_id, channel=channel, user=user, text=text, ts=ts, event_ts=ts,
                 thread_ts=thread_ts, parent_user_id=bot_user_id, channel_type="channel",
                 client_msg_id=str(uuid.uuid4()))
    return body


def bot_reply(team_id: str, bot_user_id: str, channel: str, text: str, ts: str, thread_ts: str) -> dict[str, Any]:
    """Another app's reply in a thread: it carries a bot_id."""
    body = thread_reply(team_id, bot_user_id, channel, "UOTHERBOT", text, ts, thread_ts)
    body["event"]["bot_id"] = "B0THERBOT"
    return body


def edited_reply(team_id: str, bot_user_id: str, channel: str, user: str, text: str, ts: str, thread_ts: str,
                 edited_ts: str) -> dict[str, Any]:
    """A reply edited by its author, from MessageChangedPayload.json."""
    body = _wrapper("MessageChangedPayload.json", team_id, bot_user_id)
    event = body["event"]
    message = {"type": "message", "user": user, "team": team_id, "text": text, "ts": ts, "thread_ts": thread_ts,
               "parent_user_id": bot_user_id, "edited": {"user": user, "ts": edited_ts}}
    previous = {**message, "text": "(before the edit)"}
    previous.pop("edited")
    event.update(type="message", subtype="message_changed", channel=channel, hidden=True, message=message,
                 previous_message=previous, event_ts=edited_ts, ts=edited_ts, channel_type="channel")
    return body


def deleted_reply(team_id: str, bot_user_id: str, channel: str, user: str, ts: str, thread_ts: str,
                  deleted_at: str) -> dict[str, Any]:
    """A reply deleted by its author (message_deleted has no sample: MessageChangedPayload.json reshaped)."""
    body = _wrapper("MessageChangedPayload.json", team_id, bot_user_id)
    event = body["event"]
    previous = {"type": "message", "user": user, "text": "(deleted)", "ts": ts, "thread_ts": thread_ts}
    for key in ("message",):
        event.pop(key, None)
    event.update(type="message", subtype="message_deleted", channel=channel, hidden=True, deleted_ts=ts,
                 previous_message=previous, event_ts=deleted_at, ts=deleted_at, channel_type="channel")
    return body


def reaction(team_id: str, bot_user_id: str, channel: str, user: str, ts: str, item_user: str, name: str,
             event_ts: str, added: bool = True) -> dict[str, Any]:
    """reaction_added / reaction_removed, from ReactionAddedPayload.json."""
    body = _wrapper("ReactionAddedPayload.json", team_id, bot_user_id)
    body["event"].update(type="reaction_added" if added else "reaction_removed", user=user,
                         item={"type": "message", "channel": channel, "ts": ts}, reaction=name,
                         item_user=item_user, event_ts=event_ts)
    return body


def slash_command(team_id: str, channel: str, channel_name: str, user: str, user_name: str, text: str,
                  response_url: str) -> dict[str, Any]:
    """`/prep ...`, from SlashCommandPayload.json."""
    body = copy.deepcopy(_sample("app-backend/SlashCommandPayload.json"))
    body.update(token="fake-verification-token", api_app_id="AFAKEAPP01", team_id=team_id, team_domain="team",
                channel_id=channel, channel_name=channel_name, user_id=user, user_name=user_name,
                command="/prep", text=text, response_url=response_url,
                trigger_id=f"{uuid.uuid4().int % 10**10}.{uuid.uuid4().hex[:20]}")
    for key in ("enterprise_id", "enterprise_name"):
        body.pop(key, None)
    body["is_enterprise_install"] = "false"
    return body


