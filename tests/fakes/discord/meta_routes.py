"""REST routes about the bot itself: gateway URLs, users, the application, and opening DMs."""

from __future__ import annotations

from typing import Any

from tests.fakes.discord.errors import UNKNOWN_USER, _form_error, _not_found, _Problem
from tests.fakes.discord.model import _Req
from tests.fakes.discord.scene import DiscordScene


class DiscordMetaRoutes(DiscordScene):
    """GET /gateway, /gateway/bot, /users, /applications/@me; POST /users/@me/channels."""

    async def _get_gateway(self, req: _Req) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    async def _get_gateway_bot(self, req: _Req) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url,
            "shards": self.recommended_shards,
            "session_start_limit": {"total": 1000, "remaining": self._session_start_remaining,
                                    "reset_after": 14_400_000, "max_concurrency": 1},
        }

    async def _get_me(self, req: _Req) -> tuple[int, Any]:
        return 200, {**self._user_json(self.bot_user_id), "mfa_enabled": False, "locale": "en-US",
                     "verified": True, "email": None}

    async def _get_user(self, req: _Req) -> tuple[int, Any]:
        uid = req.params["user_id"]
        if uid not in self.users:
            raise _not_found(*UNKNOWN_USER)
        return 200, self._user_json(uid)

    async def _get_application(self, req: _Req) -> tuple[int, Any]:
        return 200, self._application_json()

    async def _create_dm(self, req: _Req) -> tuple[int, Any]:
        body = req.body if isinstance(req.body, dict) else {}
        rid = str(body.get("recipient_id") or "")
        if not rid:
            raise _form_error([_Problem(("recipient_id",), "BASE_TYPE_REQUIRED", "This field is required")])
        if rid not in self.users or rid == self.bot_user_id:
            raise _not_found(*UNKNOWN_USER)
        return 200, self._channel_json(self._channels[self.dm_channel(rid)])
