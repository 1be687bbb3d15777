"""The JSON shapes Discord answers and dispatches: users, members, roles, channels, threads, messages, guilds."""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

from tests.fakes.discord.model import Channel, GatewaySession, Guild, Interaction, Msg, Role, Thread, User
from tests.fakes.discord.permissions import DiscordPermissions
from tests.fakes.discord.protocol import (
    CH_DM,
    CH_PUBLIC_THREAD,
    I_GUILD_MEMBERS,
    IT_COMMAND,
    IT_COMPONENT,
    IT_MODAL_SUBMIT,
)


BOT_DISCRIMINATOR = "4821"


class DiscordShapes(DiscordPermissions):
    """Renders the fake's records as Discord's JSON."""

    def _user_json(self, user_id: str) -> dict[str, Any]:
        u = self.users.get(user_id) or User(user_id, f"user{user_id}", None)
        out: dict[str, Any] = {
            "id": u.id,
            "username": u.username,
            "avatar": None,
            "discriminator": BOT_DISCRIMINATOR if u.id == self.bot_user_id else "0",
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "global_name": u.global_name,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }
        if u.bot:
            out["bot"] = True
        return out

    def _member_json(self, g: Guild, user_id: str, *, with_user: bool = True) -> dict[str, Any]:
        m = g.members[user_id]
        out: dict[str, Any] = {
            "avatar": None,
            "banner": None,
            "communication_disabled_until": None,
            "flags": 0,
            "joined_at": m.joined_at,
            "nick": m.nick,
            "pending": False,
            "premium_since": None,
            "roles": list(m.roles),
            "mute": False,
            "deaf": False,
        }
        if with_user:
            out["user"] = self._user_json(user_id)
        return out

    @staticmethod
    def _role_json(r: Role) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": r.id,
            "name": r.name,
            "description": None,
            "permissions": str(r.permissions),
            "position": r.position,
            "color": r.color,
            "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": r.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if r.bot_id:
            out["tags"] = {"bot_id": r.bot_id}
        return out

    def _thread_json(self, t: Thread, *, with_member: bool = False) -> dict[str, Any]:
        ch = self._channels[t.id]
        out: dict[str, Any] = {
            "id": t.id,
            "type": CH_PUBLIC_THREAD,
            "last_message_id": ch.last_message_id,
            "flags": 0,
            "guild_id": t.guild_id,
            "name": t.name,
            "parent_id": t.parent_id,
            "rate_limit_per_user": 0,
            "owner_id": t.owner_id,
            "thread_metadata": {
                "archived": t.archived,
                "archive_timestamp": t.created_at,
                "auto_archive_duration": t.auto_archive_duration,
                "locked": t.locked,
                "create_timestamp": t.created_at,
            },
            "message_count": t.message_count,
            "member_count": min(len(t.member_ids), 50),
            "total_message_sent": t.total_message_sent,
            "member_ids_preview": list(t.member_ids[:8]),
        }
        if with_member and self.bot_user_id in t.member_ids:
            out["member"] = {"id": t.id, "user_id": self.bot_user_id, "join_timestamp": t.created_at, "flags": 1}
        return out

    def _channel_json(self, ch: Channel, *, in_guild_create: bool = False) -> dict[str, Any]:
        if ch.type == CH_PUBLIC_THREAD:
            return self._thread_json(self.threads[ch.id], with_member=True)
        if ch.type == CH_DM:
            return {
                "id": ch.id,
                "type": CH_DM,
                "last_message_id": ch.last_message_id,
                "flags": 0,
                "recipients": [self._user_json(ch.recipient_id or "")],
            }
        out: dict[str, Any] = {
            "id": ch.id,
            "type": ch.type,
            "last_message_id": ch.last_message_id,
            "flags": 0,
            "guild_id": ch.guild_id,
            "name": ch.name,
            "parent_id": ch.parent_id,
            "rate_limit_per_user": 0,
            "topic": None,
            "position": ch.position,
            "permission_overwrites": copy.deepcopy(ch.overwrites),
            "nsfw": False,
            "default_auto_archive_duration": 1440,
            "default_thread_rate_limit_per_user": 0,
        }
        if in_guild_create:
            del out["guild_id"]
        return out

    def _message_json(self, msg: Msg, *, gateway: bool = False, hide_content: bool = False,
                      read: bool = False) -> dict[str, Any]:
        """The message object as Discord sends it; `read`: as a later read returns it (without the nonce, which
        Discord keeps only for a while after the send)."""
        mentions = [] if hide_content else self._mentions(msg)
        out: dict[str, Any] = {
            "type": msg.type,
            "content": "" if hide_content else msg.content,
            "mentions": mentions,
            "mention_roles": [] if hide_content else re.findall(r"<@&(\d+)>", msg.content),
            "attachments": [] if hide_content else copy.deepcopy(msg.attachments),
            "embeds": [] if hide_content else copy.deepcopy(msg.embeds),
            "timestamp": msg.timestamp,
            "edited_timestamp": msg.edited_timestamp,
            "flags": msg.flags,
            "components": [] if hide_content else copy.deepcopy(msg.components),
            "id": msg.id,
            "channel_id": msg.channel_id,
            "author": self._user_json(msg.author_id),
            "pinned": False,
            "mention_everyone": "@everyone" in msg.content and not hide_content,
            "tts": msg.tts,
        }
        ch = self._channels.get(msg.channel_id)
        if ch is not None and ch.type == CH_PUBLIC_THREAD:
            in_thread = self.messages.get(ch.id, [])
            out["position"] = in_thread.index(msg) if msg in in_thread else 0
        if msg.nonce is not None and not read:
            out["nonce"] = msg.nonce
        if msg.webhook_id:
            out["webhook_id"] = msg.webhook_id
            out["application_id"] = self.application_id
        if msg.message_reference:
            out["message_reference"] = copy.deepcopy(msg.message_reference)
        inter = self.interactions.get(msg.interaction_id or "")
        if inter is not None:
            out["interaction_metadata"] = self._interaction_metadata(inter, msg.id)
            if inter.type == IT_COMMAND:  # the deprecated field, still sent
                out["interaction"] = {"id": inter.id, "type": inter.type, "name": inter.data.get("name", ""),
                                      "user": self._user_json(inter.user_id)}
        if msg.thread_id and msg.thread_id in self.threads:
            out["thread"] = self._thread_json(self.threads[msg.thread_id])
        reactions = self._reaction_summary(msg)
        if reactions:
            out["reactions"] = reactions
        if gateway and msg.guild_id:
            out["guild_id"] = msg.guild_id
            g = self.guilds.get(msg.guild_id)
            if g is not None and msg.author_id in g.members and not msg.webhook_id:
                out["member"] = self._member_json(g, msg.author_id, with_user=False)
        return out

    def _interaction_metadata(self, inter: Interaction, message_id: str | None) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "id": inter.id,
            "type": inter.type,
            "user": self._user_json(inter.user_id),
            "authorizing_integration_owners": {"0": inter.guild_id} if inter.guild_id else {"1": inter.user_id},
        }
        if inter.original_message_id and inter.original_message_id != message_id:
            meta["original_response_message_id"] = inter.original_message_id
        if inter.type == IT_COMPONENT and inter.message_id:
            meta["interacted_message_id"] = inter.message_id
        source = self.interactions.get(inter.source_id or "")
        if inter.type == IT_MODAL_SUBMIT and source is not None:
            meta["triggering_interaction_metadata"] = self._interaction_metadata(source, None)
        return meta

    def _mentions(self, msg: Msg) -> list[dict[str, Any]]:
        out = []
        g = self.guilds.get(msg.guild_id or "")
        for uid in dict.fromkeys(re.findall(r"<@!?(\d+)>", msg.content)):
            if uid in self.users:
                u = self._user_json(uid)
                if g is not None and uid in g.members:
                    u["member"] = self._member_json(g, uid, with_user=False)
                out.append(u)
        return out

    def _reaction_summary(self, msg: Msg) -> list[dict[str, Any]]:
        counts: dict[str, list[str]] = {}
        for emoji, uid in self._reactions.get((msg.channel_id, msg.id), []):
            counts.setdefault(emoji, []).append(uid)
        return [
            {"emoji": self._emoji_json(e), "count": len(users), "count_details": {"burst": 0, "normal": len(users)},
             "burst_colors": [], "me_burst": False, "burst_me": False, "me": self.bot_user_id in users,
             "burst_count": 0}
            for e, users in counts.items()
        ]

    @staticmethod
    def _emoji_json(emoji: str) -> dict[str, Any]:
        m = re.fullmatch(r"(a:)?([\w~]+):(\d+)", emoji)
        if m:
            return {"id": m.group(3), "name": m.group(2), "animated": bool(m.group(1))}
        return {"id": None, "name": emoji}

    def _guild_create_json(self, g: Guild, session: GatewaySession | None) -> dict[str, Any]:
        members = [
            self._member_json(g, uid) for uid in g.members
            if uid == self.bot_user_id or session is not None and session.intents & I_GUILD_MEMBERS
        ]
        channels = [self._channel_json(self._channels[c], in_guild_create=True) for c in g.channel_ids
                    if not self._channels[c].deleted]
        threads = [self._thread_json(t, with_member=True) for t in self.threads.values()
                   if t.guild_id == g.id and not t.archived and not self._channels[t.id].deleted
                   and self._bot_can_see(t.id)]
        return {
            "id": g.id,
            "name": g.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "owner_id": g.owner_id,
            "application_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": g.channel_ids[0] if g.channel_ids else None,
            "system_channel_flags": 0,
            "widget_enabled": False,
            "widget_channel_id": None,
            "region": "deprecated",
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [self._role_json(r) for r in g.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw_level": 0,
            "nsfw": False,
            "incidents_data": None,
            "hub_type": None,
            "latest_onboarding_question_id": None,
            "home_header": None,
            "version": 0,
            "lazy": True,
            "large": False,
            "unavailable": False,
            "member_count": len(g.members),
            "joined_at": g.members[self.bot_user_id].joined_at,
            "voice_states": [],
            "members": members,
            "channels": channels,
            "threads": threads,
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "embedded_activities": [],
            "activity_instances": [],
        }

    def _application_json(self) -> dict[str, Any]:
        return {
            "id": self.application_id,
            "name": self.users[self.bot_user_id].username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot": self._user_json(self.bot_user_id),
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": hashlib.sha256(self.application_id.encode()).hexdigest(),
            "flags": self.application_flags,
            "flags_new": str(self.application_flags),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "owner": self._user_json(next(iter(self.guilds.values())).owner_id if self.guilds else "100"),
            "team": None,
            "approximate_guild_count": len(self.guilds),
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
            "explicit_content_filter": 0,
            "eligible_oauth2_scopes": ["bot", "applications.commands"],
            "integration_types_config": {"0": {}},
            "tags": [],
        }
