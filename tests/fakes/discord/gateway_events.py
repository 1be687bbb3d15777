"""Gateway dispatches: each event to the sessions whose shards and intents want it, scene changes first."""

from __future__ import annotations

import asyncio
import json
import re
import zlib
from typing import Any, Callable

from aiohttp import web

from tests.fakes.discord.model import Dispatch, GatewaySession, Msg
from tests.fakes.discord.protocol import (
    I_DIRECT_MESSAGE_REACTIONS,
    I_DIRECT_MESSAGES,
    I_GUILD_MESSAGE_REACTIONS,
    I_GUILD_MESSAGES,
)
from tests.fakes.discord.shapes import DiscordShapes


class DiscordGatewayEvents(DiscordShapes):
    """Sends events to the connected sessions, in order and with sequence numbers."""

    def _scene_event(self, event: str, data: Any, guild_id: str | None, intent: int | None) -> None:
        """Queue the gateway event for a scene change; it goes out before the next dispatch (or soon after)."""
        if not any(not s.invalidated for s in self.sessions):
            return
        self._scene_queue.append((event, data, guild_id, intent))
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._scene_task is None or self._scene_task.done():
            self._scene_task = loop.create_task(self._flush_scene())

    async def _flush_scene(self) -> None:
        async with self._scene_lock:
            while self._scene_queue:
                event, data, guild_id, intent = self._scene_queue.pop(0)
                await self._dispatch(event, data, guild_id=guild_id, intent=intent, flush=False)

    def _sessions_for(self, guild_id: str | None) -> list[GatewaySession]:
        out = []
        for s in self.sessions:
            if s.invalidated:
                continue
            if guild_id is None:
                if s.shard_id == 0:
                    out.append(s)
            elif (int(guild_id) >> 22) % s.shard_count == s.shard_id:
                out.append(s)
        return out

    async def _send(self, session: GatewaySession, payload: dict[str, Any]) -> None:
        if payload.get("op") == 0:
            session.sent.append(payload)
        ws = session.ws
        if ws is None or ws.closed:
            return
        await self._send_frame(session, ws, payload)

    async def _send_frame(self, session: GatewaySession | None, ws: web.WebSocketResponse, payload: dict[str, Any],
                          compress: Any = None) -> None:
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        compressor = session.compress if session is not None else compress
        lock = session.lock if session is not None else asyncio.Lock()
        async with lock:
            try:
                if compressor is not None:
                    data = compressor.compress(text.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)
                    await ws.send_bytes(data)
                else:
                    await ws.send_str(text)
            except (ConnectionResetError, RuntimeError):
                pass

    async def _dispatch(
        self,
        event: str,
        data: dict[str, Any] | Callable[[GatewaySession], dict[str, Any] | None],
        *,
        guild_id: str | None,
        intent: int | None,
        flush: bool = True,
    ) -> None:
        if flush and self._scene_queue:
            await self._flush_scene()
        for session in self._sessions_for(guild_id):
            if intent is not None and not session.intents & intent:
                continue
            payload = data(session) if callable(data) else data
            if payload is None:
                continue
            session.seq += 1
            self.events.append(Dispatch(session.shard_id, event, session.seq, payload))
            await self._send(session, {"op": 0, "t": event, "s": session.seq, "d": payload})

    def _content_visible(self, session: GatewaySession | None, msg: Msg) -> bool:
        if msg.author_id == self.bot_user_id or msg.guild_id is None:
            return True
        if re.search(rf"<@!?{self.bot_user_id}>", msg.content):
            return True
        if not self.message_content_intent:
            return False
        return session is None or session.message_content_requested

    async def _dispatch_message(self, event: str, msg: Msg) -> None:
        if msg.ephemeral or not self._bot_can_see(msg.channel_id):
            return
        intent = I_GUILD_MESSAGES if msg.guild_id else I_DIRECT_MESSAGES
        await self._dispatch(
            event,
            lambda s: self._message_json(msg, gateway=True, hide_content=not self._content_visible(s, msg)),
            guild_id=msg.guild_id,
            intent=intent,
        )

    async def _react(self, msg: Msg, user_id: str, emoji: str, *, remove: bool) -> bool:
        key = (msg.channel_id, msg.id)
        entries = self._reactions.setdefault(key, [])
        present = (emoji, user_id) in entries
        if remove == (not present):
            return False  # nothing changes
        if remove:
            entries.remove((emoji, user_id))
        else:
            entries.append((emoji, user_id))
        if not self._bot_can_see(msg.channel_id):
            return True
        data: dict[str, Any] = {
            "user_id": user_id,
            "type": 0,
            "message_id": msg.id,
            "channel_id": msg.channel_id,
            "emoji": self._emoji_json(emoji),
            "burst": False,
        }
        if msg.guild_id:
            data["guild_id"] = msg.guild_id
        if not remove:
            data["message_author_id"] = msg.author_id
            data["burst_colors"] = []
            g = self.guilds.get(msg.guild_id or "")
            if g is not None and user_id in g.members:
                data["member"] = self._member_json(g, user_id)
        intent = I_GUILD_MESSAGE_REACTIONS if msg.guild_id else I_DIRECT_MESSAGE_REACTIONS
        event = "MESSAGE_REACTION_REMOVE" if remove else "MESSAGE_REACTION_ADD"
        await self._dispatch(event, data, guild_id=msg.guild_id, intent=intent)
        return True
