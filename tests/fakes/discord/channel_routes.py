"""REST routes on channels: messages, threads, reactions and typing."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.discord.errors import _DiscordError, _form_error, _missing_access, _missing_permissions, _Problem
from tests.fakes.discord.gateway_events import DiscordGatewayEvents
from tests.fakes.discord.limits import MAX_THREAD_NAME, THREAD_ARCHIVE_DURATIONS, _text_limit
from tests.fakes.discord.message_bodies import DiscordMessageBodies
from tests.fakes.discord.model import Channel, Thread, _iso, _Req
from tests.fakes.discord.permissions import (
    P_ADD_REACTIONS,
    P_ATTACH_FILES,
    P_CREATE_PUBLIC_THREADS,
    P_EMBED_LINKS,
    P_MANAGE_MESSAGES,
    P_READ_MESSAGE_HISTORY,
    P_SEND_MESSAGES,
    P_SEND_MESSAGES_IN_THREADS,
)
from tests.fakes.discord.protocol import (
    CH_DM,
    CH_GUILD_TEXT,
    CH_PUBLIC_THREAD,
    I_DIRECT_MESSAGES,
    I_GUILD_MESSAGES,
    I_GUILDS,
    MSG_FLAG_HAS_THREAD,
)


class DiscordChannelRoutes(DiscordGatewayEvents, DiscordMessageBodies):
    """/channels/{channel_id}/...: reading and sending messages, threads, reactions, typing."""

    async def _get_channel(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        if ch.guild_id and not self._bot_can_see(ch.id):
            raise _missing_access()
        return 200, self._channel_json(ch)

    async def _create_message(self, req: _Req) -> tuple[int, Any]:
        where = f"POST {req.route.template}"
        ch = self._channel_or_404(req.params["channel_id"])
        body = self._check_message_body(req.body, req.uploads, creating=True)
        if ch.type == CH_DM:
            if not self._shares_guild(ch.recipient_id or ""):
                raise _DiscordError(403, 50007, "Cannot send messages to this user")
        else:
            needed = P_SEND_MESSAGES_IN_THREADS if ch.type == CH_PUBLIC_THREAD else P_SEND_MESSAGES
            if req.uploads:
                needed |= P_ATTACH_FILES
            if isinstance(body.get("message_reference"), dict):
                needed |= P_READ_MESSAGE_HISTORY
            self._require(ch.id, needed)
            t = self.threads.get(ch.id)
            if t is not None and t.locked:
                raise _missing_permissions()
            if t is not None and t.archived:
                t.archived = False  # sending unarchives a thread the bot may post in
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # Discord: with enforce_nonce, a nonce reused within a few minutes returns the first message
            again = next((m for m in reversed(self.messages.get(ch.id, [])) if m.nonce == nonce
                          and m.author_id == self.bot_user_id and not m.deleted), None)
            if again is not None:
                return 200, self._message_json(again)
        flags = self._creation_flags(body, where, interaction=False)
        msg = self._new_message(ch, self.bot_user_id, body, req.uploads, flags=flags)
        if ch.guild_id and msg.embeds and not self._permissions(ch.id, self.bot_user_id) & P_EMBED_LINKS:
            msg.embeds = []  # Discord drops embeds silently without Embed Links
        self._store(msg)
        await self._dispatch_message("MESSAGE_CREATE", msg)
        return 200, self._message_json(msg)

    def _shares_guild(self, user_id: str) -> bool:
        return any(user_id in g.members for g in self.guilds.values())

    async def _get_message(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        if ch.guild_id:
            self._require(ch.id, P_READ_MESSAGE_HISTORY)
        msg = self._message_or_404(ch, req.params["message_id"])
        return 200, self._message_json(msg, hide_content=not self._content_visible(None, msg), read=True)

    async def _get_messages(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        if ch.guild_id:
            self._require(ch.id, P_READ_MESSAGE_HISTORY)
        try:
            limit = int(req.query.get("limit", "50"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            raise _form_error([_Problem(("limit",), "NUMBER_TYPE_MAX", "Must be between 1 and 100.")])
        visible = [m for m in self.messages.get(ch.id, []) if not m.deleted]
        if "before" in req.query:
            visible = [m for m in visible if int(m.id) < int(req.query["before"])]
            visible = visible[-limit:]
        elif "after" in req.query:
            visible = [m for m in visible if int(m.id) > int(req.query["after"])][:limit]
        elif "around" in req.query:
            idx = next((i for i, m in enumerate(visible) if int(m.id) >= int(req.query["around"])), len(visible))
            start = max(idx - limit // 2, 0)
            visible = visible[start:start + limit]
        else:
            visible = visible[-limit:]
        newest_first = list(reversed(visible))
        return 200, [self._message_json(m, hide_content=not self._content_visible(None, m), read=True)
                     for m in newest_first]

    async def _edit_message(self, req: _Req) -> tuple[int, Any]:
        where = f"PATCH {req.route.template}"
        ch = self._channel_or_404(req.params["channel_id"])
        msg = self._message_or_404(ch, req.params["message_id"])
        if msg.author_id != self.bot_user_id or msg.webhook_id:
            raise _DiscordError(403, 50005, "Cannot edit a message authored by another user")
        if ch.guild_id and not self._bot_can_see(ch.id):
            raise _missing_access()
        body = self._check_message_body(req.body, req.uploads, creating=False)
        self._apply_edit(msg, body, req.uploads, where)
        await self._dispatch_message("MESSAGE_UPDATE", msg)
        return 200, self._message_json(msg)

    async def _delete_message(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        msg = self._message_or_404(ch, req.params["message_id"])
        if msg.author_id != self.bot_user_id or msg.webhook_id:
            self._require(ch.id, P_MANAGE_MESSAGES)
        elif ch.guild_id and not self._bot_can_see(ch.id):
            raise _missing_access()
        msg.deleted = True
        data: dict[str, Any] = {"id": msg.id, "channel_id": ch.id}
        if ch.guild_id:
            data["guild_id"] = ch.guild_id
        await self._dispatch("MESSAGE_DELETE", data, guild_id=ch.guild_id,
                             intent=I_GUILD_MESSAGES if ch.guild_id else I_DIRECT_MESSAGES)
        return 204, None

    async def _create_thread(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        msg = self._message_or_404(ch, req.params["message_id"])
        if ch.type != CH_GUILD_TEXT:
            raise _DiscordError(400, 50024, "Cannot execute action on this channel type")
        body = req.body if isinstance(req.body, dict) else {}
        problems = _text_limit(body.get("name"), ("name",), MAX_THREAD_NAME, required=True)
        duration = body.get("auto_archive_duration")
        if duration is not None and duration not in THREAD_ARCHIVE_DURATIONS:
            problems.append(_Problem(("auto_archive_duration",), "BASE_TYPE_CHOICES",
                                     f"Value must be one of {sorted(THREAD_ARCHIVE_DURATIONS)}."))
        if problems:
            raise _form_error(problems)
        self._require(ch.id, P_CREATE_PUBLIC_THREADS | P_READ_MESSAGE_HISTORY)
        if msg.thread_id is not None:
            raise _DiscordError(400, 160004, "A thread has already been created for this message")
        now = _iso(self._now())
        t = Thread(
            id=msg.id,  # as on Discord: a thread started from a message has the message's id
            parent_id=ch.id,
            starter_message_id=msg.id,
            name=body["name"],
            auto_archive_duration=int(duration or 1440),
            owner_id=self.bot_user_id,
            guild_id=ch.guild_id or "",
            created_at=now,
            member_ids=[self.bot_user_id],
        )
        self.threads[t.id] = t
        self._channels[t.id] = Channel(t.id, CH_PUBLIC_THREAD, t.name, ch.guild_id, parent_id=ch.id)
        self.messages.setdefault(t.id, [])
        msg.thread_id = t.id
        msg.flags |= MSG_FLAG_HAS_THREAD
        await self._dispatch("THREAD_CREATE", {**self._thread_json(t, with_member=True), "newly_created": True},
                             guild_id=ch.guild_id, intent=I_GUILDS)
        return 201, self._thread_json(t, with_member=True)

    def _emoji_or_400(self, raw: str) -> str:
        emoji = raw.strip()
        if re.fullmatch(r"(a:)?[\w~]+:\d+", emoji):
            return emoji[2:] if emoji.startswith("a:") else emoji
        if not emoji or emoji.isascii() or ":" in emoji:
            raise _DiscordError(400, 10014, "Unknown Emoji")
        return emoji

    async def _add_reaction(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        msg = self._message_or_404(ch, req.params["message_id"])
        emoji = self._emoji_or_400(req.params["emoji_name"])
        existing = any(e == emoji for e, _ in self._reactions.get((ch.id, msg.id), []))
        if ch.guild_id:
            self._require(ch.id, P_READ_MESSAGE_HISTORY | (0 if existing else P_ADD_REACTIONS))
        await self._react(msg, self.bot_user_id, emoji, remove=False)
        return 204, None

    async def _remove_reaction(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        msg = self._message_or_404(ch, req.params["message_id"])
        emoji = self._emoji_or_400(req.params["emoji_name"])
        if ch.guild_id and not self._bot_can_see(ch.id):
            raise _missing_access()
        await self._react(msg, self.bot_user_id, emoji, remove=True)
        return 204, None

    async def _typing(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        if ch.guild_id:
            self._require(ch.id, P_SEND_MESSAGES_IN_THREADS if ch.type == CH_PUBLIC_THREAD else P_SEND_MESSAGES)
        return 204, None
