"""The fake Slack's views: App Home tabs, modals and the interactions that open them.

Views as Slack takes them: views.publish sets a member's App Home tab; views.open shows a modal for the trigger id
Slack handed out with an interaction, and the interaction payloads (a button clicked, a modal submitted) are built
from the real samples, with the app's responses to a submission read back."""

from __future__ import annotations

import copy
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.slack.call_context import _Ctx, _SlackError
from tests.fakes.slack.limits import MAX_PRIVATE_METADATA, MAX_VIEW_BLOCKS, _text_object, block_problems, view_problems
from tests.fakes.slack.spec import SPECS_ROOT
from tests.fakes.slack.state import SlackState

SAMPLES = SPECS_ROOT / "slack" / "java-slack-sdk-json-logs" / "app-backend"
TRIGGER_LIFETIME = 3.0  # seconds a trigger_id can be exchanged for a modal
MAX_MODAL_TITLE = 24  # title, submit and close texts
MAX_CALLBACK_ID = 255
MAX_INPUT_LENGTH = 3000  # a plain_text_input's max_length, and its initial_value


@dataclass
class OpenedView:
    """A modal the app opened for a member."""

    id: str
    team_id: str
    user: str
    view: dict[str, Any]
    hash: str


@dataclass
class _Trigger:
    team_id: str
    user: str
    issued: float = field(default_factory=time.monotonic)


def _sample(name: str) -> dict[str, Any]:
    sample: dict[str, Any] = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return sample


def modal_problems(view: Any) -> list[str]:
    """Slack's documented limits for a modal view, as readable problems (empty when fine)."""
    if not isinstance(view, dict):
        return [f"view must be a JSON object, got {type(view).__name__}"]
    problems: list[str] = []
    if view.get("type") != "modal":
        problems.append(f"view.type is {view.get('type')!r}, expected 'modal'")
    problems += _text_object(view.get("title"), "view.title", MAX_MODAL_TITLE, plain_only=True)
    for name in ("submit", "close"):
        if name in view:
            problems += _text_object(view[name], f"view.{name}", MAX_MODAL_TITLE, plain_only=True)
    blocks = view.get("blocks")
    problems += block_problems(blocks, "view.blocks", MAX_VIEW_BLOCKS)
    inputs = [b for b in blocks or [] if isinstance(b, dict) and b.get("type") == "input"]
    if inputs and "submit" not in view:
        problems.append("view has input blocks but no submit button")
    for block in inputs:
        element = block.get("element") or {}
        if element.get("type") == "plain_text_input":
            limit = element.get("max_length", MAX_INPUT_LENGTH)
            if not isinstance(limit, int) or not 1 <= limit <= MAX_INPUT_LENGTH:
                problems.append(f"plain_text_input.max_length is {limit!r} (1 to {MAX_INPUT_LENGTH})")
            initial = element.get("initial_value")
            if initial is not None and (not isinstance(initial, str) or len(initial) > min(limit, MAX_INPUT_LENGTH)):
                problems.append("plain_text_input.initial_value is longer than its max_length")
            if not element.get("action_id"):
                problems.append("plain_text_input has no action_id")
    metadata = view.get("private_metadata", "")
    if not isinstance(metadata, str) or len(metadata) > MAX_PRIVATE_METADATA:
        problems.append(f"view.private_metadata must be a string of at most {MAX_PRIVATE_METADATA} characters")
    callback = view.get("callback_id", "")
    if not isinstance(callback, str) or len(callback) > MAX_CALLBACK_ID:
        problems.append(f"view.callback_id must be a string of at most {MAX_CALLBACK_ID} characters")
    return problems


def view_response_problems(response: Any) -> list[str]:
    """What is wrong with the app's response to a view_submission (an empty ack closes the modal)."""
    if response in (None, "", {}):
        return []
    if not isinstance(response, dict):
        return ["the view_submission response is not a JSON object"]
    action = response.get("response_action")
    if action == "errors":
        errors = response.get("errors")
        if not isinstance(errors, dict) or not errors:
            return ["response_action errors needs a non-empty errors object"]
        return []
    if action in ("update", "push"):
        return modal_problems(response.get("view"))
    if action == "clear":
        return []
    return [f"unknown response_action {action!r}"]


class SlackViews(SlackState):
    """views.publish, views.open, and the interactions that carry a trigger_id."""

    def _trigger(self, team_id: str, user: str) -> str:
        trigger = f"{next(self._ids)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:32]}"
        self._triggers[trigger] = _Trigger(team_id, user)
        return trigger

    def block_action(self, team_id: str, channel: str, user: str, message_ts: str, action_id: str,
                     value: str = "") -> dict[str, Any]:
        """A member clicked the button `action_id` on message `message_ts`: the block_actions payload, from
        BlockActionPayload.json, with a fresh trigger_id."""
        w = self.workspace(team_id)
        body = copy.deepcopy(_sample("BlockActionPayload.json"))
        message = next((m for m in self.messages.get(channel, []) if m.ts == message_ts), None)
        member = w.users.get(user)
        body.update(type="block_actions", api_app_id=self.app_id, token="fake-verification-token",
                    trigger_id=self._trigger(team_id, user), is_enterprise_install=False, enterprise=None,
                    response_url=f"{self.url}/response/{uuid.uuid4().hex}")
        body["team"] = {"id": team_id, "domain": w.domain}
        body["user"] = {"id": user, "username": member.name if member else user.lower(),
                        "name": member.name if member else user.lower(), "team_id": team_id}
        body["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel,
                             "is_ephemeral": False}
        body["channel"] = {"id": channel, "name": self._channels[channel].name if channel in self._channels else ""}
        body["message"] = {"type": "message", "user": w.bot_user_id, "ts": message_ts,
                           "text": message.text if message else "", "blocks": copy.deepcopy(message.blocks or [])
                           if message else []}
        body["actions"] = [{"type": "button", "action_id": action_id, "block_id": "prep_answer", "value": value,
                            "text": {"type": "plain_text", "text": "button", "emoji": True},
                            "action_ts": self._next_ts()}]
        for key in ("state", "view", "attachment_id"):
            body.pop(key, None)
        return body

    def view_submission(self, opened: OpenedView, values: dict[str, dict[str, str]]) -> dict[str, Any]:
        """A member submitted the modal `opened` with `values` (block_id -> action_id -> text): the
        view_submission payload, from ViewSubmissionPayload.json."""
        w = self.workspace(opened.team_id)
        body = copy.deepcopy(_sample("ViewSubmissionPayload.json"))
        member = w.users.get(opened.user)
        view = copy.deepcopy(body["view"])
        view.update(opened.view)
        view.update(id=opened.id, team_id=opened.team_id, hash=opened.hash, root_view_id=opened.id,
                    previous_view_id=None, app_id=self.app_id, app_installed_team_id=opened.team_id,
                    bot_id=w.bot_id)
        view["state"] = {"values": {block: {action: {"type": "plain_text_input", "value": text}
                                            for action, text in actions.items()}
                                    for block, actions in values.items()}}
        body.update(type="view_submission", api_app_id=self.app_id, token="fake-verification-token",
                    trigger_id=self._trigger(opened.team_id, opened.user), is_enterprise_install=False,
                    enterprise=None, view=view, response_urls=[])
        body["team"] = {"id": opened.team_id, "domain": w.domain}
        body["user"] = {"id": opened.user, "username": member.name if member else opened.user.lower(),
                        "name": member.name if member else opened.user.lower(), "team_id": opened.team_id}
        for key in ("bot_access_token", "function_data", "interactivity"):
            body.pop(key, None)
        return body

    def views_for(self, user: str) -> list[OpenedView]:
        return [v for v in self.views if v.user == user]

    async def _views_open(self, ctx: _Ctx) -> dict[str, Any]:
        trigger_id = ctx.s("trigger_id")
        if trigger_id in self._exchanged_triggers:
            raise _SlackError("exchanged_trigger_id")
        trigger = self._triggers.pop(trigger_id, None)
        if trigger is None or trigger.team_id != ctx.w.team_id:
            raise _SlackError("invalid_trigger_id")
        self._exchanged_triggers.add(trigger_id)
        if time.monotonic() - trigger.issued > TRIGGER_LIFETIME:
            raise _SlackError("expired_trigger_id")
        view = ctx.args.get("view")
        for problem in modal_problems(view):
            self._violation("views.open", problem)
        assert isinstance(view, dict)
        opened = OpenedView("V" + uuid.uuid4().hex[:10].upper(), ctx.w.team_id, trigger.user, copy.deepcopy(view),
                            f"{int(time.time())}.{uuid.uuid4().hex[:8]}")
        self.views.append(opened)
        shown = {**copy.deepcopy(view), "id": opened.id, "team_id": opened.team_id, "state": {"values": {}},
                 "hash": opened.hash, "root_view_id": opened.id, "app_id": self.app_id, "bot_id": ctx.w.bot_id,
                 "external_id": "", "clear_on_close": False, "notify_on_close": False}
        shown.setdefault("private_metadata", "")
        shown.setdefault("callback_id", "")
        return {"ok": True, "view": shown}

    async def _views_publish(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        user = ctx.s("user_id")
        if user not in w.users:
            raise _SlackError("user_not_found")
        view = ctx.args.get("view")
        problems = view_problems(view, home=True)
        for problem in problems:
            self._violation("views.publish", problem)
        if problems or not isinstance(view, dict):
            raise _SlackError("invalid_arguments")
        self.home_views[(w.team_id, user)] = view
        published = {"id": f"V{uuid.uuid4().hex[:10].upper()}", "team_id": w.team_id, "type": view["type"],
                     "blocks": view.get("blocks", []), "private_metadata": view.get("private_metadata", ""),
                     "callback_id": view.get("callback_id", ""), "external_id": view.get("external_id", ""),
                     "state": {"values": {}}, "hash": uuid.uuid4().hex[:20], "app_id": self.app_id,
                     "bot_id": w.bot_id, "root_view_id": None, "previous_view_id": None}
        return {"ok": True, "view": published}
