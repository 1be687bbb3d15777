"""Socket Mode: the WebSocket Slack pushes envelopes on, and the acks and slash command replies it reads back."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.slack.limits import SOCKET_ACK_DEADLINE, message_problems
from tests.fakes.slack.model import Ephemeral, Message, _PendingAck
from tests.fakes.slack.state import SlackState
from tests.fakes.slack.views import view_response_problems


class SlackSocketMode(SlackState):
    """Serves the Socket Mode WebSocket and checks the acks on it."""

    async def wait_for_socket_client(self, timeout: float = 10) -> None:
        assert self._socket_changed is not None, "FakeSlack is not started"
        deadline = time.monotonic() + timeout
        while not self._open_sockets():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no Socket Mode client connected within {timeout}s")
            self._socket_changed.clear()
            try:
                await asyncio.wait_for(self._socket_changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def push_socket(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        timeout: float = 10,
        accepts_response_payload: bool | None = None,
    ) -> dict[str, Any]:
        """Send an envelope to the connected Socket Mode client and return the ack it sends back."""
        sockets = self._open_sockets()
        if not sockets:
            raise RuntimeError("no Socket Mode client is connected (see wait_for_socket_client)")
        if accepts_response_payload is None:
            accepts_response_payload = type == "slash_commands" or (
                type == "interactive" and payload.get("type") in ("view_submission", "block_suggestion")
            )
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = "timeout" if retry_attempt else ""
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        started = time.monotonic()
        self._pending_acks[envelope_id] = _PendingAck(fut, started, type, accepts_response_payload, payload)
        try:
            await sockets[-1].send_json(envelope)
            try:
                return await asyncio.wait_for(fut, timeout)
            except asyncio.TimeoutError:
                raise TimeoutError(f"no ack for {type} envelope {envelope_id} within {timeout}s") from None
        finally:
            self._pending_acks.pop(envelope_id, None)

    async def disconnect_socket(self, reason: str = "refresh_requested") -> None:
        """Ask connected clients to reconnect, as Slack does about every few hours."""
        for ws in self._open_sockets():
            await ws.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}})

    def _open_sockets(self) -> list[web.WebSocketResponse]:
        return [ws for ws in self._sockets if not ws.closed]

    async def _serve_socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._open_sockets()),
                "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        )
        if self._socket_changed is not None:
            self._socket_changed.set()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_socket_text(msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self._violation("socket", "binary frame from the client; Slack expects JSON text frames")
        finally:
            self._sockets.remove(ws)
            if self._socket_changed is not None:
                self._socket_changed.set()
        return ws

    def _on_socket_text(self, data: str) -> None:
        try:
            message = json.loads(data)
        except json.JSONDecodeError:
            self._violation("socket", f"non-JSON message from the client: {data[:80]!r}")
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            self._violation("socket", f"message without envelope_id from the client: {data[:80]!r}")
            return
        self.socket_acks.append(message)
        pending = self._pending_acks.get(str(message["envelope_id"]))
        if pending is None:
            self._violation("socket", f"ack for unknown or already acked envelope {message['envelope_id']}")
            return
        kind = pending.type
        elapsed = time.monotonic() - pending.started
        if elapsed > SOCKET_ACK_DEADLINE:
            self._violation(
                "socket", f"{kind} envelope acked after {elapsed:.1f}s (Slack waits {SOCKET_ACK_DEADLINE:g}s)"
            )
        payload = message.get("payload")
        if payload:
            if not pending.accepts_payload:
                self._violation("socket", f"{kind} ack carries a payload but accepts_response_payload was false")
            elif kind == "slash_commands":
                self._slash_command_reply(pending.payload, payload)
            elif kind == "interactive" and pending.payload.get("type") == "view_submission":
                self._view_submission_response(payload)
        elif kind == "interactive" and pending.payload.get("type") == "view_submission":
            self._view_submission_response({})
        if not pending.future.done():
            pending.future.set_result(message)

    def _view_submission_response(self, response: Any) -> None:
        """The app's answer to a submitted modal: checked, and kept for the test."""
        for problem in view_response_problems(response):
            self._violation("socket", f"view_submission response: {problem}")
        self.view_responses.append(response if isinstance(response, dict) else {})

    def _slash_command_reply(self, command: dict[str, Any], reply: Any) -> None:
        """Slack shows an ack payload for a slash command as a reply: ephemeral unless response_type is in_channel."""
        if not isinstance(reply, dict):
            self._violation("socket", "slash command ack payload is not a JSON object")
            return
        for problem in message_problems(reply):
            self._violation("socket", f"slash command ack payload: {problem}")
        team_id = str(command.get("team_id", ""))
        channel = str(command.get("channel_id", ""))
        user = str(command.get("user_id", ""))
        w = self._workspaces.get(team_id)
        if w is None:
            return
        text = str(reply["text"]) if isinstance(reply.get("text"), str) else ""
        blocks = reply.get("blocks") if isinstance(reply.get("blocks"), list) and reply.get("blocks") else None
        if reply.get("response_type") == "in_channel":
            self.messages.setdefault(channel, []).append(
                Message(self._next_ts(), channel, w.bot_user_id, text, blocks, None, False, team_id)
            )
        else:
            self.ephemerals.append(Ephemeral(channel, user, text, blocks, self._next_ts(), None, team_id))
