"""REST routes answering interactions: the callback, the original response and follow-up webhooks."""

from __future__ import annotations

import copy
import time
from typing import Any

from tests.fakes.discord.errors import (
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    _DiscordError,
    _form_error,
    _not_found,
    _Problem,
)
from tests.fakes.discord.interactions import DiscordInteractions
from tests.fakes.discord.limits import modal_problems
from tests.fakes.discord.message_bodies import DiscordMessageBodies
from tests.fakes.discord.model import Interaction, Msg, _Req
from tests.fakes.discord.protocol import (
    CALLBACKS_FOR,
    CB_AUTOCOMPLETE,
    CB_DEFERRED_MESSAGE,
    CB_DEFERRED_UPDATE,
    CB_MESSAGE,
    CB_MODAL,
    CB_PONG,
    CB_UPDATE,
    I_DIRECT_MESSAGES,
    I_GUILD_MESSAGES,
    INTERACTION_TOKEN_TTL,
    IT_COMMAND,
    IT_MODAL_SUBMIT,
    MSG_FLAG_EPHEMERAL,
    MSG_FLAG_LOADING,
)


class DiscordInteractionRoutes(DiscordInteractions, DiscordMessageBodies):
    """/interactions/{id}/{token}/callback and /webhooks/{application_id}/{token}/..."""

    async def _interaction_callback(self, req: _Req) -> tuple[int, Any]:
        iid = req.params["interaction_id"]
        inter = self.interactions.get(iid)
        where = f"interaction {iid}"
        if inter is None or inter.token != req.params["interaction_token"]:
            self._violation(where, "callback for an unknown interaction id or token")
            raise _not_found(*UNKNOWN_INTERACTION)
        where = f"interaction {iid} ({self._describe(inter)})"
        elapsed = time.monotonic() - inter.created
        if inter.callback_type is not None:
            self._violation(where, f"acknowledged twice (callback type {inter.callback_type}, then "
                                   f"{(req.body or {}).get('type') if isinstance(req.body, dict) else '?'})")
            raise _DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if elapsed > self.ack_deadline:
            if not inter.late:
                inter.late = True
                self._violation(where, f"interaction not acknowledged within {self.ack_deadline:g} s "
                                       f"(callback after {elapsed:.2f} s)")
            raise _not_found(*UNKNOWN_INTERACTION)
        body = req.body if isinstance(req.body, dict) else {}
        cb = body.get("type")
        if cb not in (CB_PONG, CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_DEFERRED_UPDATE, CB_UPDATE, CB_AUTOCOMPLETE,
                      CB_MODAL, 10, 12):
            raise _form_error([_Problem(("type",), "BASE_TYPE_CHOICES", f"Invalid interaction callback type {cb!r}")])
        allowed = CALLBACKS_FOR.get(inter.type, frozenset())
        if inter.type == IT_MODAL_SUBMIT and inter.message_id is None:
            allowed = allowed - {CB_DEFERRED_UPDATE, CB_UPDATE}
        if cb not in allowed:
            raise _form_error([_Problem(("type",), "INTERACTION_CALLBACK_TYPE_INVALID",
                                        f"Callback type {cb} is not valid for interaction type {inter.type}")])
        data: dict[str, Any] = body["data"] if isinstance(body.get("data"), dict) else {}
        ch = self._channels[inter.channel_id]
        flags = 0
        message_id: str | None = None
        resource: dict[str, Any] | None = None
        if cb == CB_MODAL:
            problems = modal_problems(body.get("data"))
            if problems:
                raise _form_error(problems)
            inter.modal = copy.deepcopy(data)
        elif cb in (CB_MESSAGE, CB_DEFERRED_MESSAGE):
            if cb == CB_MESSAGE:
                self._check_message_body(data, req.uploads, creating=True, base=("data",))
            flags = self._creation_flags(data, where, interaction=True)
            if cb == CB_DEFERRED_MESSAGE:
                flags = (flags & MSG_FLAG_EPHEMERAL) | MSG_FLAG_LOADING
                msg = self._new_message(ch, self.bot_user_id, {}, [], flags=flags, webhook=True,
                                        interaction=inter, mtype=20 if inter.type == IT_COMMAND else 0)
            else:
                msg = self._new_message(ch, self.bot_user_id, data, req.uploads, flags=flags,
                                        webhook=True, interaction=inter, mtype=20 if inter.type == IT_COMMAND else 0)
            inter.original_message_id = msg.id
            inter.callback_type = cb
            self._store(msg)
            await self._dispatch_message("MESSAGE_CREATE", msg)
            message_id = msg.id
            if cb == CB_MESSAGE:  # a deferral has no resource yet, only response_message_id / _loading
                resource = {"type": cb, "message": self._message_json(msg)}
        elif cb in (CB_DEFERRED_UPDATE, CB_UPDATE):
            target = self._all_messages.get(inter.message_id or "")
            if target is None or target.deleted:
                raise _not_found(*UNKNOWN_MESSAGE)
            inter.original_message_id = target.id
            if cb == CB_UPDATE:
                self._check_message_body(data, req.uploads, creating=False, base=("data",))
                inter.callback_type = cb
                self._apply_edit(target, data, req.uploads, where)
                await self._dispatch_message("MESSAGE_UPDATE", target)
                resource = {"type": cb, "message": self._message_json(target)}
            message_id = target.id
            flags = target.flags
        inter.callback_type = cb
        handle = self._ack_timers.pop(inter.id, None)
        if handle is not None:
            handle.cancel()
        self._record_response(inter, "callback", cb, data, flags, message_id)
        if req.query.get("with_response", "").lower() not in ("1", "true"):
            return 204, None
        answer: dict[str, Any] = {"interaction": {"id": inter.id, "type": inter.type}}
        if message_id is not None and cb in (CB_MESSAGE, CB_DEFERRED_MESSAGE):
            answer["interaction"]["response_message_id"] = message_id
            answer["interaction"]["response_message_loading"] = cb == CB_DEFERRED_MESSAGE
            answer["interaction"]["response_message_ephemeral"] = bool(flags & MSG_FLAG_EPHEMERAL)
        if resource is not None:
            answer["resource"] = resource
        return 200, answer

    def _interaction_for_webhook(self, req: _Req, what: str) -> Interaction:
        if req.params["webhook_id"] != self.application_id:
            self._violation(f"{req.method} {req.route.template}",
                            "FakeDiscord serves interaction webhooks only (webhook_id must be the application id)")
            raise _not_found(*UNKNOWN_WEBHOOK)
        iid = self._tokens.get(req.params["webhook_token"])
        if iid is None:
            raise _DiscordError(401, 50027, "Invalid Webhook Token")
        inter = self.interactions[iid]
        where = f"interaction {iid} ({self._describe(inter)})"
        if time.monotonic() - inter.created > INTERACTION_TOKEN_TTL:
            raise _DiscordError(401, 50027, "Invalid Webhook Token")
        if inter.callback_type is None:
            self._violation(where, f"{what} before the interaction was acknowledged")
            raise _not_found(*UNKNOWN_WEBHOOK)
        return inter

    def _original_or_404(self, inter: Interaction) -> Msg:
        msg = self._all_messages.get(inter.original_message_id or "")
        if msg is None or msg.deleted:
            raise _not_found(*UNKNOWN_MESSAGE)
        return msg

    async def _get_original(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "GET @original")
        return 200, self._message_json(self._original_or_404(inter))

    async def _edit_original(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "editing the original response")
        msg = self._original_or_404(inter)
        where = f"interaction {inter.id} ({self._describe(inter)})"
        body = self._check_message_body(req.body, req.uploads, creating=False)
        self._apply_edit(msg, body, req.uploads, where)
        self._record_response(inter, "edit_original", None, body, msg.flags, msg.id)
        await self._dispatch_message("MESSAGE_UPDATE", msg)
        return 200, self._message_json(msg)

    async def _delete_original(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "deleting the original response")
        msg = self._original_or_404(inter)
        msg.deleted = True
        self._record_response(inter, "delete_original", None, {}, msg.flags, msg.id)
        if not msg.ephemeral:
            data: dict[str, Any] = {"id": msg.id, "channel_id": msg.channel_id}
            if msg.guild_id:
                data["guild_id"] = msg.guild_id
            await self._dispatch("MESSAGE_DELETE", data, guild_id=msg.guild_id,
                                 intent=I_GUILD_MESSAGES if msg.guild_id else I_DIRECT_MESSAGES)
        return 204, None

    async def _followup(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "follow-up message")
        where = f"interaction {inter.id} ({self._describe(inter)})"
        body = self._check_message_body(req.body, req.uploads, creating=True)
        original = self._all_messages.get(inter.original_message_id or "")
        if (inter.callback_type == CB_DEFERRED_MESSAGE and original is not None and not original.deleted
                and original.flags & MSG_FLAG_LOADING):
            # As on Discord: the first follow-up after a deferred response replaces the "thinking…" message and
            # keeps the deferral's ephemerality.
            self._apply_edit(original, body, req.uploads, where)
            msg = original
            await self._dispatch_message("MESSAGE_UPDATE", msg)
        else:
            flags = self._creation_flags(body, where, interaction=True)
            ch = self._channels[inter.channel_id]
            msg = self._new_message(ch, self.bot_user_id, body, req.uploads, flags=flags, webhook=True,
                                    interaction=inter, mtype=20 if inter.type == IT_COMMAND else 0)
            self._store(msg)
            await self._dispatch_message("MESSAGE_CREATE", msg)
        self._record_response(inter, "followup", None, body, msg.flags, msg.id)
        if req.query.get("wait", "").lower() in ("1", "true"):
            return 200, self._message_json(msg)
        return 204, None

    def _followup_message(self, inter: Interaction, message_id: str) -> Msg:
        msg = self._all_messages.get(message_id)
        if msg is None or msg.deleted or msg.interaction_id != inter.id:
            raise _not_found(*UNKNOWN_MESSAGE)
        return msg

    async def _get_followup(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "GET follow-up")
        return 200, self._message_json(self._followup_message(inter, req.params["message_id"]))

    async def _edit_followup(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "editing a follow-up")
        msg = self._followup_message(inter, req.params["message_id"])
        where = f"interaction {inter.id} ({self._describe(inter)})"
        body = self._check_message_body(req.body, req.uploads, creating=False)
        self._apply_edit(msg, body, req.uploads, where)
        self._record_response(inter, "edit_followup", None, body, msg.flags, msg.id)
        await self._dispatch_message("MESSAGE_UPDATE", msg)
        return 200, self._message_json(msg)

    async def _delete_followup(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "deleting a follow-up")
        msg = self._followup_message(inter, req.params["message_id"])
        msg.deleted = True
        self._record_response(inter, "delete_followup", None, {}, msg.flags, msg.id)
        return 204, None
