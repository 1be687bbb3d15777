"""The Web API's conversations methods: info, open, and history and replies with their windows and pages."""

from __future__ import annotations

import base64
import copy
import math
from typing import Any

from tests.fakes.slack.call_context import _Ctx, _SlackError
from tests.fakes.slack.limits import MAX_HISTORY_LIMIT
from tests.fakes.slack.model import Channel, Message
from tests.fakes.slack.shapes import SlackShapes


class SlackConversationMethods(SlackShapes):
    """conversations.info, conversations.open, conversations.history and conversations.replies."""

    async def _conversations_info(self, ctx: _Ctx) -> dict[str, Any]:
        ch = self._resolve_channel(ctx.w, ctx.s("channel"))
        if ch.im_user is None and ctx.s("channel")[:1] in ("U", "W"):
            raise _SlackError("channel_not_found")
        num = ctx.s("include_num_members") in ("1", "true")
        return {"ok": True, "channel": self._conversation_json(ctx.w, ch, num_members=num)}

    def _readable(self, ctx: _Ctx) -> Channel:
        """The channel whose history the call asks for: the bot must be in it (a DM with it always is)."""
        ch = self._resolve_channel(ctx.w, ctx.s("channel"))
        if not ch.bot_member:
            raise _SlackError("not_in_channel")
        return ch

    def _history_window(self, ctx: _Ctx, messages: list[Message]) -> list[Message]:
        """`messages` between `oldest` and `latest` (exclusive unless `inclusive`), as the history methods filter."""
        inclusive = ctx.s("inclusive") in ("1", "true")
        try:
            oldest = float(ctx.s("oldest") or 0)
            latest = float(ctx.s("latest") or math.inf)
        except ValueError:
            self._violation(ctx.method, f"`oldest`/`latest` must be timestamps: {ctx.s('oldest')!r}, "
                                        f"{ctx.s('latest')!r}")
            raise _SlackError("invalid_arguments") from None
        if inclusive:
            return [m for m in messages if oldest <= float(m.ts) <= latest]
        return [m for m in messages if oldest < float(m.ts) < latest]

    def _history_page(self, ctx: _Ctx, messages: list[Message]) -> tuple[list[Message], str]:
        """One page of `messages` (`limit` from `cursor`), and the cursor of the next page ("" for the last)."""
        raw = ctx.s("limit") or "100"
        try:
            limit = int(float(raw))
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_HISTORY_LIMIT:
            self._violation(ctx.method, f"`limit` must be 1 to {MAX_HISTORY_LIMIT}, got {raw!r}")
            limit = min(max(limit, 1), MAX_HISTORY_LIMIT)
        start = 0
        if ctx.s("cursor"):
            try:
                start = int(base64.b64decode(ctx.s("cursor")).decode().removeprefix("offset:"))
            except ValueError:
                raise _SlackError("invalid_cursor") from None
        page = messages[start:start + limit]
        more = start + limit < len(messages)
        return page, base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""

    def _history_json(self, ctx: _Ctx, msg: Message) -> dict[str, Any]:
        out = self._message_json(msg)
        if msg.metadata and ctx.s("include_all_metadata") in ("1", "true"):
            out["metadata"] = copy.deepcopy(msg.metadata)
        return out

    async def _conversations_history(self, ctx: _Ctx) -> dict[str, Any]:
        ch = self._readable(ctx)
        top = self._history_window(ctx, [m for m in self.messages.get(ch.id, []) if m.thread_ts is None])
        page, cursor = self._history_page(ctx, list(reversed(top)))  # newest first, as Slack answers
        return {"ok": True, "messages": [self._history_json(ctx, m) for m in page], "has_more": bool(cursor),
                "pin_count": 0, "channel_actions_ts": None, "channel_actions_count": 0,
                "response_metadata": {"next_cursor": cursor}}

    async def _conversations_replies(self, ctx: _Ctx) -> dict[str, Any]:
        ch = self._readable(ctx)
        asked = self._find(ch.id, ctx.s("ts"))
        if asked is None:
            raise _SlackError("thread_not_found")
        parent = self._find(ch.id, asked.thread_ts) if asked.thread_ts else asked
        if parent is None:
            raise _SlackError("thread_not_found")
        replies = self._history_window(ctx, self.thread(ch.id, parent.ts))
        page, cursor = self._history_page(ctx, replies)  # the parent first, then its replies oldest first
        return {"ok": True, "messages": [self._history_json(ctx, m) for m in [parent, *page]],
                "has_more": bool(cursor), "response_metadata": {"next_cursor": cursor}}

    async def _conversations_open(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        if ctx.s("channel"):
            ch = self._resolve_channel(w, ctx.s("channel"))
        else:
            users = [u for u in ctx.s("users").split(",") if u]
            if len(users) != 1:
                self._violation(ctx.method, "FakeSlack opens only one-to-one DMs (one user in `users`)")
                raise _SlackError("not_implemented")
            if users[0] not in w.users:
                raise _SlackError("user_not_found")
            ch = self._open_dm(w, users[0])
        if ctx.s("return_im") in ("1", "true"):
            return {"ok": True, "channel": self._conversation_json(w, ch)}
        return {"ok": True, "channel": {"id": ch.id}}
