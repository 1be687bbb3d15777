"""The Web API's chat and reactions methods: posting, updating, deleting, ephemeral messages and reactions."""

from __future__ import annotations

import copy
from typing import Any

from tests.fakes.slack.call_context import _Ctx, _SlackError
from tests.fakes.slack.model import Channel, Ephemeral, Message
from tests.fakes.slack.pacing import SlackPacing
from tests.fakes.slack.shapes import SlackShapes


class SlackChatMethods(SlackShapes, SlackPacing):
    """chat.postMessage, chat.update, chat.delete, chat.postEphemeral, reactions.add and reactions.remove."""

    @staticmethod
    def _metadata_arg(ctx: _Ctx) -> dict[str, Any] | None:
        metadata = ctx.args.get("metadata")
        return copy.deepcopy(metadata) if isinstance(metadata, dict) else None

    @staticmethod
    def _blocks_arg(ctx: _Ctx) -> list[Any] | None:
        blocks = ctx.args.get("blocks")
        return blocks if isinstance(blocks, list) and blocks else None

    async def _chat_post_message(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        self._check_workspace_rate(w.team_id)
        ch = self._resolve_channel(w, ctx.s("channel"))
        self._check_postable(ch)
        thread_ts = self._thread_parent(ch, ctx.s("thread_ts") or None, ctx.method)
        self._check_pace(ch.id)
        text = ctx.args.get("text")
        msg = Message(
            ts=self._next_ts(),
            channel=ch.id,
            user=w.bot_user_id,
            text=text if isinstance(text, str) else "",
            blocks=self._blocks_arg(ctx),
            thread_ts=thread_ts,
            edited=False,
            team_id=w.team_id,
            metadata=self._metadata_arg(ctx),
        )
        self.messages.setdefault(ch.id, []).append(msg)
        return {"ok": True, "channel": ch.id, "ts": msg.ts, "message": self._message_json(msg)}

    async def _chat_update(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        ch = self._resolve_channel(w, ctx.s("channel"))
        msg = self._find(ch.id, ctx.s("ts"))
        if msg is None:
            raise _SlackError("message_not_found")
        if msg.user != w.bot_user_id:
            raise _SlackError("cant_update_message")
        if "text" in ctx.args:
            msg.text = ctx.s("text")
        if "blocks" in ctx.args:  # an empty array removes the blocks; leaving it out keeps them
            msg.blocks = self._blocks_arg(ctx)
        if "metadata" in ctx.args:  # leaving it out keeps the metadata
            msg.metadata = self._metadata_arg(ctx)
        msg.edited = True
        message: dict[str, Any] = {"text": msg.text}
        if msg.blocks:
            message["blocks"] = copy.deepcopy(msg.blocks)
        return {"ok": True, "channel": ch.id, "ts": msg.ts, "text": msg.text, "message": message}

    async def _chat_delete(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        ch = self._resolve_channel(w, ctx.s("channel"))
        msg = self._find(ch.id, ctx.s("ts"))
        if msg is None:
            raise _SlackError("message_not_found")
        if msg.user != w.bot_user_id:
            raise _SlackError("cant_delete_message")
        self.messages[ch.id].remove(msg)
        return {"ok": True, "channel": ch.id, "ts": msg.ts}

    async def _chat_post_ephemeral(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        ch = self._resolve_channel(w, ctx.s("channel"))
        self._check_postable(ch)
        ts = self._next_ts()
        self.ephemerals.append(
            Ephemeral(
                channel=ch.id,
                user=ctx.s("user"),
                text=ctx.s("text"),
                blocks=self._blocks_arg(ctx),
                message_ts=ts,
                thread_ts=ctx.s("thread_ts") or None,
                team_id=w.team_id,
            )
        )
        return {"ok": True, "message_ts": ts}

    def _reaction_target(self, ctx: _Ctx) -> tuple[Channel, Message, str]:
        ch = self._resolve_channel(ctx.w, ctx.s("channel"))
        self._check_postable(ch)
        msg = self._find(ch.id, ctx.s("timestamp"))
        if msg is None:
            raise _SlackError("message_not_found")
        name = ctx.s("name").strip(":")
        if not name:
            raise _SlackError("invalid_name")
        return ch, msg, name

    async def _reactions_add(self, ctx: _Ctx) -> dict[str, Any]:
        ch, msg, name = self._reaction_target(ctx)
        entry = (name, ctx.w.bot_user_id)
        existing = self._reactions.setdefault((ch.id, msg.ts), [])
        if entry in existing:
            raise _SlackError("already_reacted")
        existing.append(entry)
        return {"ok": True}

    async def _reactions_remove(self, ctx: _Ctx) -> dict[str, Any]:
        ch, msg, name = self._reaction_target(ctx)
        entry = (name, ctx.w.bot_user_id)
        existing = self._reactions.get((ch.id, msg.ts), [])
        if entry not in existing:
            raise _SlackError("no_reaction")
        existing.remove(entry)
        return {"ok": True}
