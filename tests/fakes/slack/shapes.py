"""The JSON shapes Slack answers with: messages, bot profiles, users and conversations."""

from __future__ import annotations

import copy
import hashlib
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.slack.channels import SlackChannels
from tests.fakes.slack.model import Channel, Message, User, Workspace


BOT_ICONS = {
    "image_36": "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png",
    "image_48": "https://a.slack-edge.com/80588/img/plugins/app/bot_48.png",
    "image_72": "https://a.slack-edge.com/80588/img/plugins/app/service_72.png",
}


class SlackShapes(SlackChannels):
    """Renders the fake's records as Slack's JSON."""

    def _bot_profile(self, w: Workspace) -> dict[str, Any]:
        bot = w.users[w.bot_user_id]
        return {
            "id": w.bot_id,
            "deleted": False,
            "name": bot.name,
            "updated": 1700000000,
            "app_id": self.app_id,
            "icons": dict(BOT_ICONS),
            "team_id": w.team_id,
        }

    def _message_json(self, msg: Message) -> dict[str, Any]:
        w = self._workspaces[msg.team_id]
        out: dict[str, Any] = {"type": "message", "text": msg.text, "user": msg.user, "ts": msg.ts, "team": msg.team_id}
        if msg.user == w.bot_user_id:
            out["bot_id"] = w.bot_id
            out["bot_profile"] = self._bot_profile(w)
        if msg.blocks:
            out["blocks"] = copy.deepcopy(msg.blocks)
        if msg.thread_ts:
            out["thread_ts"] = msg.thread_ts
            parent = self._find(msg.channel, msg.thread_ts)
            if parent is not None:
                out["parent_user_id"] = parent.user
        return out

    def _user_json(self, w: Workspace, u: User) -> dict[str, Any]:
        zone = ZoneInfo(u.tz)
        now = datetime.now(timezone.utc).astimezone(zone)
        offset = now.utcoffset()
        profile: dict[str, Any] = {
            "title": "",
            "phone": "",
            "skype": "",
            "real_name": u.real_name,
            "real_name_normalized": u.real_name,
            "display_name": u.display_name,
            "display_name_normalized": u.display_name,
            "fields": {},
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g" + hashlib.sha1(u.id.encode()).hexdigest()[:11],
            "first_name": u.real_name.split(" ")[0] if u.real_name else "",
            "last_name": " ".join(u.real_name.split(" ")[1:]),
            "image_24": "https://secure.gravatar.com/avatar/fake.jpg?s=24",
            "image_32": "https://secure.gravatar.com/avatar/fake.jpg?s=32",
            "image_48": "https://secure.gravatar.com/avatar/fake.jpg?s=48",
            "image_72": "https://secure.gravatar.com/avatar/fake.jpg?s=72",
            "image_192": "https://secure.gravatar.com/avatar/fake.jpg?s=192",
            "image_512": "https://secure.gravatar.com/avatar/fake.jpg?s=512",
            "team": w.team_id,
        }
        if u.is_bot:
            profile["bot_id"] = u.bot_id or w.bot_id
            profile["api_app_id"] = self.app_id if u.id == w.bot_user_id else ""
            profile["always_active"] = True
        return {
            "id": u.id,
            "team_id": w.team_id,
            "name": u.name,
            "deleted": False,
            "color": "9f69e7",
            "real_name": u.real_name,
            "tz": u.tz,
            "tz_label": now.tzname() or u.tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
            "is_admin": u.is_admin,
            "is_owner": u.is_owner,
            "is_primary_owner": u.is_primary_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": u.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
        }

    def _conversation_json(self, w: Workspace, ch: Channel, *, num_members: bool = False) -> dict[str, Any]:
        if ch.im_user:
            return {
                "id": ch.id,
                "created": ch.created,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "user": ch.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        out: dict[str, Any] = {
            "id": ch.id,
            "name": ch.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": False,
            "created": ch.created,
            "is_archived": ch.archived,
            "is_general": False,
            "unlinked": 0,
            "name_normalized": ch.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "is_ext_shared": False,
            "shared_team_ids": [w.team_id],
            "is_member": ch.bot_member,
            "creator": w.bot_user_id,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if num_members:
            out["num_members"] = len(w.users)
        return out
