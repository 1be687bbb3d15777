"""REST routes on guilds: the guild, its channels, members and roles."""

from __future__ import annotations

from typing import Any

from tests.fakes.discord.errors import UNKNOWN_MEMBER, _not_found
from tests.fakes.discord.model import _Req
from tests.fakes.discord.shapes import DiscordShapes


GATEWAY_ONLY_GUILD_FIELDS = frozenset({
    "joined_at", "large", "unavailable", "member_count", "voice_states", "members", "channels", "threads",
    "presences", "stage_instances", "guild_scheduled_events", "soundboard_sounds", "embedded_activities",
    "activity_instances", "lazy", "version", "hub_type", "latest_onboarding_question_id", "icon_hash",
})


class DiscordGuildRoutes(DiscordShapes):
    """/guilds/{guild_id}/..."""

    async def _get_guild(self, req: _Req) -> tuple[int, Any]:
        g = self._guild_or_404(req.params["guild_id"])
        out = {k: v for k, v in self._guild_create_json(g, None).items() if k not in GATEWAY_ONLY_GUILD_FIELDS}
        if req.query.get("with_counts", "").lower() in ("1", "true"):
            out["approximate_member_count"] = len(g.members)
            out["approximate_presence_count"] = 0
        return 200, out

    async def _get_guild_channels(self, req: _Req) -> tuple[int, Any]:
        g = self._guild_or_404(req.params["guild_id"])
        return 200, [self._channel_json(self._channels[c]) for c in g.channel_ids if not self._channels[c].deleted]

    async def _get_member(self, req: _Req) -> tuple[int, Any]:
        g = self._guild_or_404(req.params["guild_id"])
        uid = req.params["user_id"]
        if uid not in g.members:
            raise _not_found(*UNKNOWN_MEMBER)
        return 200, self._member_json(g, uid)

    async def _get_roles(self, req: _Req) -> tuple[int, Any]:
        g = self._guild_or_404(req.params["guild_id"])
        return 200, [self._role_json(r) for r in g.roles.values()]
