"""Interactions: creating and dispatching them, the initial response deadline, and recording the responses."""

from __future__ import annotations

import asyncio
import copy
import secrets
import time
from typing import Any, Mapping

from tests.fakes.discord.gateway_events import DiscordGatewayEvents
from tests.fakes.discord.limits import MAX_UPLOAD_BYTES, _walk_components
from tests.fakes.discord.model import Channel, Dispatch, Guild, Interaction, InteractionResponse
from tests.fakes.discord.protocol import IT_COMMAND, IT_COMPONENT, IT_MODAL_SUBMIT, MSG_FLAG_EPHEMERAL


class DiscordInteractions(DiscordGatewayEvents):
    """Creates interactions and records what the bot answers to them."""

    def _interaction_channel_json(self, ch: Channel, user_id: str) -> dict[str, Any]:
        out = self._channel_json(ch)
        out["permissions"] = str(self._permissions(ch.id, user_id))
        out.pop("member", None)
        return out

    async def _create_interaction(self, kind: int, g: Guild, ch: Channel, user_id: str, data: dict[str, Any], *,
                                  message_id: str | None = None, source_id: str | None = None) -> str:
        if self._scene_queue:
            await self._flush_scene()
        sessions = [s for s in self._sessions_for(g.id) if s.connected]
        if not sessions:
            raise RuntimeError(f"no gateway session holds guild {g.id}: connect a client (wait_for_ready) first")
        iid = self._snowflake()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        inter = Interaction(iid, token, kind, g.id, ch.id, user_id, data, time.monotonic(), message_id=message_id,
                            source_id=source_id)
        self.interactions[iid] = inter
        self._tokens[token] = iid
        member = self._member_json(g, user_id)
        member["permissions"] = str(self._permissions(ch.id, user_id))
        member["unusual_dm_activity_until"] = None
        payload: dict[str, Any] = {
            "id": iid,
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "guild": {"id": g.id, "locale": "en-US", "features": []},
            "guild_id": g.id,
            "channel": self._interaction_channel_json(ch, self.bot_user_id),
            "channel_id": ch.id,
            "member": member,
            "token": token,
            "version": 1,
            "app_permissions": str(self._permissions(ch.id, self.bot_user_id)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": g.id},
            "context": 0,
            "attachment_size_limit": MAX_UPLOAD_BYTES,
        }
        if message_id is not None and message_id in self._all_messages:
            payload["message"] = self._message_json(self._all_messages[message_id])
        loop = asyncio.get_running_loop()
        self._ack_timers[iid] = loop.call_later(self.ack_deadline, self._ack_deadline_passed, iid)
        for session in sessions:  # every session of the shard gets it; a second responder meets 40060
            session.seq += 1
            self.events.append(Dispatch(session.shard_id, "INTERACTION_CREATE", session.seq, payload))
            await self._send(session, {"op": 0, "t": "INTERACTION_CREATE", "s": session.seq, "d": payload})
        return iid

    def _describe(self, inter: Interaction) -> str:
        if inter.type == IT_COMMAND:
            return f"/{inter.data.get('name')}"
        if inter.type == IT_COMPONENT:
            return f"component {inter.data.get('custom_id')!r}"
        if inter.type == IT_MODAL_SUBMIT:
            return f"modal {inter.data.get('custom_id')!r}"
        return f"type {inter.type}"

    def _ack_deadline_passed(self, iid: str) -> None:
        self._ack_timers.pop(iid, None)
        inter = self.interactions.get(iid)
        if inter is not None and inter.callback_type is None and not inter.late:
            inter.late = True
            self._violation(f"interaction {iid} ({self._describe(inter)})",
                            f"interaction not acknowledged within {self.ack_deadline:g} s")

    async def _component_interaction(self, guild_id: str, channel_id: str, message_id: str, user_id: str,
                                     custom_id: str, values: list[str] | None) -> str:
        g = self.guild(guild_id)
        ch = self._live_channel_or_raise(channel_id)
        if user_id not in g.members:
            raise KeyError(f"{user_id} is not a member of guild {guild_id}")
        msg = self._all_messages.get(message_id)
        if msg is None or msg.channel_id != channel_id or msg.deleted:
            raise KeyError(f"no message {message_id} in channel {channel_id}")
        if msg.ephemeral and msg.ephemeral_user_id != user_id:
            raise ValueError(f"message {message_id} is ephemeral: only {msg.ephemeral_user_id} sees it")
        component = next((c for c, _ in _walk_components(msg.components, ()) if c.get("custom_id") == custom_id), None)
        if component is None:
            raise LookupError(f"message {message_id} has no component with custom_id {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        kind = component.get("type")
        if values is None and kind != 2:
            raise ValueError(f"component {custom_id!r} is type {kind}, not a button")
        if values is not None and kind not in (3, 5, 6, 7, 8):
            raise ValueError(f"component {custom_id!r} is type {kind}, not a select menu")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind, "id": component.get("id")}
        if values is not None:
            if kind == 3:
                allowed = [o.get("value") for o in component.get("options") or []]
                bad = [v for v in values if v not in allowed]
                if bad:
                    raise ValueError(f"{bad} are not options of select {custom_id!r}")
            lo, hi = component.get("min_values", 1), component.get("max_values", 1)
            if not lo <= len(values) <= hi:
                raise ValueError(f"select {custom_id!r} takes {lo}..{hi} values, got {len(values)}")
            data["values"] = list(values)
        return await self._create_interaction(IT_COMPONENT, g, ch, user_id, data, message_id=message_id)

    @staticmethod
    def _modal_value(text_input: dict[str, Any], values: Mapping[str, str]) -> str:
        cid = text_input.get("custom_id")
        value = values.get(cid, text_input.get("value") or "")  # type: ignore[arg-type]
        if text_input.get("required", True) and not value:
            raise ValueError(f"text input {cid!r} is required")
        if value and not text_input.get("min_length", 0) <= len(value) <= text_input.get("max_length", 4000):
            raise ValueError(f"text input {cid!r}: length {len(value)} is out of range")
        return value

    def _record_response(self, inter: Interaction, kind: str, type_: int | None, data: dict[str, Any],
                         flags: int, message_id: str | None) -> InteractionResponse:
        r = InteractionResponse(inter.id, kind, type_, copy.deepcopy(data), flags, bool(flags & MSG_FLAG_EPHEMERAL),
                                message_id, round(time.monotonic() - inter.created, 3))
        self.interaction_responses.append(r)
        if kind == "callback":
            for fut in self._waiters.pop(inter.id, []):
                if not fut.done():
                    fut.set_result(r)
        return r

    async def wait_for_interaction_response(self, interaction_id: str, timeout: float = 5) -> InteractionResponse:
        """The initial response (callback) to an interaction."""
        for r in self.interaction_responses:
            if r.interaction_id == interaction_id and r.kind == "callback":
                return r
        fut: asyncio.Future[InteractionResponse] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(interaction_id, []).append(fut)
        try:
            return await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"no response to interaction {interaction_id} within {timeout}s") from None
