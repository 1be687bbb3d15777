"""Traffic from Slack to the app: Events API and slash command payloads, and requests signed as Slack signs them."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from typing import Any

import aiohttp

from tests.fakes.slack.limits import SOCKET_ACK_DEADLINE
from tests.fakes.slack.model import _ResponseUrl
from tests.fakes.slack.state import SlackState


class SlackInbound(SlackState):
    """Builds what Slack sends the app, and sends it over HTTP signed."""

    def event_callback(self, team_id: str, event: dict[str, Any]) -> dict[str, Any]:
        """The Events API wrapper Slack puts around `event` for this app in `team_id`."""
        w = self.workspace(team_id)
        event = dict(event)
        event.setdefault("event_ts", event.get("ts") or self._next_ts())
        return {
            "token": "fake-verification-token",
            "team_id": team_id,
            "enterprise_id": None,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": int(self._now()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": w.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "authed_users": [w.bot_user_id],
            "is_ext_shared_channel": False,
            "event_context": "4-" + uuid.uuid4().hex,
        }

    def slash_command(
        self, team_id: str, channel_id: str, user_id: str, text: str = "", *, command: str = "/prep"
    ) -> dict[str, Any]:
        """A slash command payload (as Socket Mode delivers it) with a working response_url."""
        w = self.workspace(team_id)
        ch = self._channels.get(channel_id)
        user = w.users.get(user_id)
        key = uuid.uuid4().hex
        self._response_urls[key] = _ResponseUrl(team_id, channel_id, user_id)
        return {
            "token": "fake-verification-token",
            "team_id": team_id,
            "team_domain": w.domain,
            "channel_id": channel_id,
            "channel_name": ch.name if ch else "directmessage",
            "user_id": user_id,
            "user_name": user.name if user else user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": f"{self.url}/response/{key}",
            "trigger_id": f"{next(self._ids)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:32]}",
        }

    def sign(self, body: str, timestamp: int, secret: str | None = None) -> str:
        base = f"v0:{timestamp}:{body}".encode()
        key = (secret if secret is not None else self.signing_secret).encode()
        return "v0=" + hmac.new(key, base, hashlib.sha256).hexdigest()

    async def send_signed(
        self,
        url: str,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        timeout: float = 30.0,
    ) -> tuple[int, str]:
        """POSTs a request signed as Slack signs it; returns the status and body. A response later than Slack's 3
        seconds is a violation (Slack would have shown the member an error, or delivered the event again)."""
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": self.sign(body, ts, secret),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
        if retry_reason is not None:
            headers["X-Slack-Retry-Reason"] = retry_reason
        started = time.monotonic()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            async with session.post(url, data=body.encode(), headers=headers) as res:
                text = await res.text()
        elapsed = time.monotonic() - started
        if elapsed > SOCKET_ACK_DEADLINE:
            self._violation("http", f"answered after {elapsed:.1f}s (Slack waits {SOCKET_ACK_DEADLINE:g}s)")
        return res.status, text
