"""The Gateway socket: HELLO, IDENTIFY and READY, heartbeats, RESUME with replay, and a test's disturbances."""

from __future__ import annotations

import asyncio
import copy
import json
import secrets
import zlib
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord.gateway_events import DiscordGatewayEvents
from tests.fakes.discord.model import Dispatch, GatewaySession, User
from tests.fakes.discord.protocol import ALL_INTENTS, API_VERSION, I_GUILDS, I_MESSAGE_CONTENT


HEARTBEAT_INTERVAL_MS = 41_250


class DiscordGateway(DiscordGatewayEvents):
    """Serves the Gateway WebSocket and lets a test drop, hold or invalidate sessions."""

    def _ready_event(self, shard_id: int) -> asyncio.Event:
        if shard_id not in self._ready_events:
            self._ready_events[shard_id] = asyncio.Event()
        return self._ready_events[shard_id]

    async def wait_for_ready(self, shard_id: int = 0, timeout: float = 10) -> None:
        """Until a client identified as `shard_id` and got READY and the GUILD_CREATEs of its guilds."""
        try:
            await asyncio.wait_for(self._ready_event(shard_id).wait(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"no client identified as shard {shard_id} within {timeout}s") from None

    async def drop_connection(self, shard_id: int = 0, *, code: int = 4000) -> None:
        """Close the gateway socket(s) of a shard, as Discord does now and then. With a resumable code (4000) the
        client reconnects and RESUMEs; events dispatched meanwhile are replayed. Wait with wait_for_ready()."""
        for s in self.sessions:
            if s.shard_id == shard_id and s.connected and s.ws is not None:
                ws, s.ws = s.ws, None
                self._ready_event(shard_id).clear()
                await ws.close(code=code, message=b"fake discord dropped the connection")

    def hold_identify(self) -> None:
        """IDENTIFYs wait (no READY) until `release_identify()`: the gap between losing a session and the next."""
        self._identify_gate = asyncio.Event()

    def release_identify(self) -> None:
        if self._identify_gate is not None:
            self._identify_gate.set()
        self._identify_gate = None

    async def invalidate_session(self, shard_id: int = 0) -> None:
        """Discord ends the shard's session (op 9, not resumable): the client must IDENTIFY again, and events of the
        gap are never replayed to it."""
        for s in self.sessions:
            if s.shard_id == shard_id and not s.invalidated:
                s.invalidated = True
                self._ready_event(shard_id).clear()
                if s.ws is not None and not s.ws.closed:
                    await self._send(s, {"op": 9, "s": None, "t": None, "d": False})

    async def _serve_gateway(self, request: web.Request) -> web.StreamResponse:
        if not request.headers.get("Upgrade", "").lower() == "websocket":
            return web.Response(status=404, text="not found", content_type="text/plain")
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        where = "gateway"
        version = request.query.get("v")
        if version != str(API_VERSION):
            self._violation(where, f"connected with v={version!r}; the fake speaks gateway v{API_VERSION}")
            await ws.close(code=4012, message=b"Invalid API version")
            self._sockets.discard(ws)
            return ws
        if request.query.get("encoding", "json") != "json":
            self._violation(where, f"encoding={request.query.get('encoding')!r}; the fake speaks JSON only")
            await ws.close(code=4002, message=b"Error while decoding payload.")
            self._sockets.discard(ws)
            return ws
        compressor = None
        if self.compress_gateway and request.query.get("compress") == "zlib-stream":
            compressor = zlib.compressobj()
        session: GatewaySession | None = None
        await self._send_frame(None, ws, {"op": 10, "s": None, "t": None, "d": {
            "heartbeat_interval": HEARTBEAT_INTERVAL_MS, "_trace": ['["gateway-prd-fake-1",{"micros":0}]']}},
            compress=compressor)
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    raw = frame.data
                elif frame.type == WSMsgType.BINARY:
                    raw = frame.data.decode("utf-8", "replace")
                else:
                    continue
                try:
                    payload = json.loads(raw)
                    op = payload["op"]
                except (ValueError, KeyError, TypeError):
                    self._violation(where, f"undecodable payload {raw[:80]!r}")
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                if op == 1:
                    await self._send_frame(session, ws, {"op": 11, "s": None, "t": None, "d": None},
                                           compress=compressor)
                elif op == 2:
                    if session is not None:
                        await ws.close(code=4005, message=b"Already authenticated.")
                        break
                    session = await self._identify(ws, payload.get("d") or {}, compressor)
                    if session is None:
                        break
                elif op == 6:
                    session = await self._resume(ws, payload.get("d") or {}, compressor)
                    if session is None:
                        continue
                elif session is None:
                    self._violation(where, f"op {op} before IDENTIFY")
                    await ws.close(code=4003, message=b"Not authenticated.")
                    break
                elif op == 3:
                    self.presence_updates.append(payload.get("d") or {})
                elif op == 8:
                    await self._request_members(session, payload.get("d") or {})
                elif op == 4:
                    pass  # voice state updates: no voice in the fake
                else:
                    self._violation(where, f"unknown opcode {op}")
                    await ws.close(code=4001, message=b"Unknown opcode.")
                    break
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
                if ws.close_code in (1000, 1001):
                    session.invalidated = True  # as on Discord: a clean close ends the session
                if not any(s.connected and s.shard_id == session.shard_id for s in self.sessions):
                    self._ready_event(session.shard_id).clear()
        return ws

    async def _identify(
        self, ws: web.WebSocketResponse, d: dict[str, Any], compressor: Any
    ) -> GatewaySession | None:
        where = "gateway IDENTIFY"
        if self._identify_gate is not None:
            await self._identify_gate.wait()
        self.identified.append(copy.deepcopy(d))
        if d.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        for key in ("properties", "intents"):
            if key not in d:
                self._violation(where, f"missing `{key}`")
        intents = d.get("intents")
        if not isinstance(intents, int) or intents < 0 or intents & ~ALL_INTENTS:
            self._violation(where, f"invalid intents {intents!r}")
            await ws.close(code=4013, message=b"Invalid intent(s).")
            return None
        shard = d.get("shard", [0, 1])
        if (not isinstance(shard, list) or len(shard) != 2 or not all(isinstance(x, int) for x in shard)
                or not 0 <= shard[0] < shard[1]):
            self._violation(where, f"invalid shard {shard!r}")
            await ws.close(code=4010, message=b"Invalid shard.")
            return None
        if intents & I_MESSAGE_CONTENT and not self.message_content_intent and self.close_on_disallowed_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        self._session_start_remaining = max(self._session_start_remaining - 1, 0)
        session = GatewaySession(secrets.token_hex(16), shard[0], shard[1], intents, d, ws, compressor)
        session.guild_ids = [gid for gid in self.guilds if (int(gid) >> 22) % shard[1] == shard[0]]
        self.sessions.append(session)
        ready = {
            "v": API_VERSION,
            "user_settings": {},
            "user": {**self._user_json(self.bot_user_id), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": gid, "unavailable": True} for gid in session.guild_ids],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "shard": [shard[0], shard[1]],
            "application": {"id": self.application_id, "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake-region"],
            "auth": {},
            "_trace": ['["gateway-prd-fake-1",{"micros":0}]'],
        }
        session.seq += 1
        self.events.append(Dispatch(session.shard_id, "READY", session.seq, ready))
        await self._send(session, {"op": 0, "t": "READY", "s": session.seq, "d": ready})
        for gid in session.guild_ids:
            data = self._guild_create_json(self.guilds[gid], session)
            if not session.intents & I_GUILDS:
                continue  # without GUILDS the guilds stay unavailable
            session.seq += 1
            self.events.append(Dispatch(session.shard_id, "GUILD_CREATE", session.seq, data))
            await self._send(session, {"op": 0, "t": "GUILD_CREATE", "s": session.seq, "d": data})
        self._ready_event(session.shard_id).set()
        return session

    async def _resume(self, ws: web.WebSocketResponse, d: dict[str, Any], compressor: Any) -> GatewaySession | None:
        session = next((s for s in self.sessions if s.session_id == d.get("session_id") and not s.invalidated),
                       None)
        if session is None or d.get("token") != self.token:
            await self._send_frame(None, ws, {"op": 9, "s": None, "t": None, "d": False}, compress=compressor)
            return None
        session.ws = ws
        session.compress = compressor
        last = d.get("seq") or 0
        for payload in list(session.sent):
            if payload["s"] > last:
                await self._send_frame(session, ws, payload)
        session.seq += 1
        self.events.append(Dispatch(session.shard_id, "RESUMED", session.seq, {}))
        await self._send(session, {"op": 0, "t": "RESUMED", "s": session.seq, "d": {}})
        self._ready_event(session.shard_id).set()
        return session

    async def _request_members(self, session: GatewaySession, d: dict[str, Any]) -> None:
        g = self.guilds.get(str(d.get("guild_id")))
        if g is None:
            return
        wanted = d.get("user_ids")
        query = (d.get("query") or "").lower()
        members = [
            self._member_json(g, uid) for uid in g.members
            if (wanted is None or uid in {str(x) for x in wanted})
            and self.users.get(uid, User(uid, "", None)).username.lower().startswith(query)
        ]
        limit = d.get("limit") or 0
        if limit:
            members = members[:limit]
        data: dict[str, Any] = {"guild_id": g.id, "members": members, "chunk_index": 0, "chunk_count": 1,
                                "not_found": []}
        if d.get("nonce"):
            data["nonce"] = d["nonce"]
        session.seq += 1
        self.events.append(Dispatch(session.shard_id, "GUILD_MEMBERS_CHUNK", session.seq, data))
        await self._send(session, {"op": 0, "t": "GUILD_MEMBERS_CHUNK", "s": session.seq, "d": data})
