"""Setting the scene: guilds, members, channels, the bot's permissions and DMs, announced on the Gateway."""

from __future__ import annotations

from typing import Any

from tests.fakes.discord.gateway_events import DiscordGatewayEvents
from tests.fakes.discord.model import Channel, GatewaySession, Guild, Member, Role, User, _iso
from tests.fakes.discord.permissions import (
    DEFAULT_BOT_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    P_ADMINISTRATOR,
    P_MANAGE_GUILD,
    REVOKED_BOT_PERMISSIONS,
)
from tests.fakes.discord.protocol import CH_DM, CH_GUILD_TEXT, CH_PUBLIC_THREAD, I_GUILD_MEMBERS, I_GUILDS


class DiscordScene(DiscordGatewayEvents):
    """How a test arranges the guilds the bot meets."""

    def add_guild(
        self, guild_id: str, name: str, *, owner_id: str = "100", bot_permissions: int = DEFAULT_BOT_PERMISSIONS
    ) -> Guild:
        if guild_id in self.guilds:
            raise ValueError(f"guild {guild_id} already exists")
        g = Guild(guild_id, name, owner_id, _iso(self._now()))
        g.roles[guild_id] = Role(guild_id, guild_id, "@everyone", EVERYONE_PERMISSIONS, position=0)
        bot_role = self._snowflake()
        g.roles[bot_role] = Role(bot_role, guild_id, self.users[self.bot_user_id].username, bot_permissions,
                                 position=1, managed=True, bot_id=self.bot_user_id)
        g.members[self.bot_user_id] = Member(self.bot_user_id, guild_id, [bot_role], g.joined_at)
        self.guilds[guild_id] = g
        if owner_id not in self.users:
            self.users[owner_id] = User(owner_id, f"owner{owner_id}", f"Owner {owner_id}")
        g.members.setdefault(owner_id, Member(owner_id, guild_id, [], g.joined_at))

        def joined(session: GatewaySession) -> dict[str, Any] | None:  # the bot joins: GUILD_CREATE
            if guild_id in session.guild_ids:
                return None
            session.guild_ids.append(guild_id)
            data = self._guild_create_json(g, session)
            del data["unavailable"]  # a join, not a lazy load: the field is absent
            return data

        self._scene_event("GUILD_CREATE", joined, guild_id, I_GUILDS)
        return g

    def add_member(
        self,
        guild_id: str,
        user_id: str,
        name: str,
        *,
        manage_guild: bool = False,
        administrator: bool = False,
        bot: bool = False,
    ) -> None:
        """A member; Manage Server / Administrator come from roles named "Managers" / "Admins" (created on demand)."""
        g = self.guild(guild_id)
        user = self.users.get(user_id)
        if user is None:
            self.users[user_id] = User(user_id, name.lower().replace(" ", "_"), name, bot=bot)
        roles: list[str] = []
        for wanted, role_name, perms in (
            (manage_guild, "Managers", P_MANAGE_GUILD),
            (administrator, "Admins", P_ADMINISTRATOR),
        ):
            if wanted:
                role = next((r for r in g.roles.values() if r.name == role_name and not r.managed), None)
                if role is None:
                    rid = self._snowflake()
                    role = Role(rid, guild_id, role_name, perms, position=len(g.roles))
                    g.roles[rid] = role
                roles.append(role.id)
        is_new = user_id not in g.members
        g.members[user_id] = Member(user_id, guild_id, roles, _iso(self._now()))
        event = "GUILD_MEMBER_ADD" if is_new else "GUILD_MEMBER_UPDATE"
        self._scene_event(event, {**self._member_json(g, user_id), "guild_id": guild_id}, guild_id, I_GUILD_MEMBERS)

    def add_channel(self, guild_id: str, channel_id: str, name: str) -> None:
        g = self.guild(guild_id)
        if channel_id in self._channels:
            raise ValueError(f"channel {channel_id} already exists")
        self._channels[channel_id] = Channel(channel_id, CH_GUILD_TEXT, name.lstrip("#"), guild_id,
                                             position=len(g.channel_ids))
        g.channel_ids.append(channel_id)
        self.messages.setdefault(channel_id, [])
        self._scene_event("CHANNEL_CREATE", self._channel_json(self._channels[channel_id]), guild_id, I_GUILDS)

    def revoke_token(self) -> None:
        """The bot's token is reset (in the Developer Portal, say): REST calls with the old one get 401 and a new
        IDENTIFY or RESUME with it is refused; gateway sessions already open are left as they are."""
        if self._revoked_token is None:
            self._revoked_token, self.token = self.token, f"reset-{self.token}"

    def reinstate_token(self) -> None:
        """The token revoked by `revoke_token` works again."""
        if self._revoked_token is not None:
            self.token, self._revoked_token = self._revoked_token, None

    def revoke_bot_permissions(self, channel_id: str) -> None:
        """A channel overwrite denies the bot sending, threads, reactions, embeds and files (it can still read)."""
        self._set_bot_overwrite(channel_id, deny=REVOKED_BOT_PERMISSIONS)

    def restore_bot_permissions(self, channel_id: str) -> None:
        self._set_bot_overwrite(channel_id, deny=0)

    def deny_bot_permissions(self, channel_id: str, permissions: int) -> None:
        """A channel overwrite denies the bot `permissions` (bits, such as P_READ_MESSAGE_HISTORY)."""
        self._set_bot_overwrite(channel_id, deny=permissions)

    def _set_bot_overwrite(self, channel_id: str, *, deny: int) -> None:
        ch = self.channel(channel_id)
        if ch.type == CH_PUBLIC_THREAD and ch.parent_id:
            ch = self.channel(ch.parent_id)  # threads take their parent's overwrites
        ch.overwrites = [o for o in ch.overwrites if not (o["type"] == 1 and o["id"] == self.bot_user_id)]
        if deny:
            ch.overwrites.append({"id": self.bot_user_id, "type": 1, "allow": "0", "deny": str(deny)})
        if ch.guild_id:
            self._scene_event("CHANNEL_UPDATE", self._channel_json(ch), ch.guild_id, I_GUILDS)

    def delete_channel(self, channel_id: str) -> None:
        ch = self.channel(channel_id)
        ch.deleted = True
        for t in self.threads.values():
            if t.parent_id == channel_id:
                self._channels[t.id].deleted = True
        if ch.guild_id and ch.type == CH_PUBLIC_THREAD:
            self._scene_event("THREAD_DELETE", {"id": ch.id, "guild_id": ch.guild_id, "parent_id": ch.parent_id,
                                                "type": ch.type}, ch.guild_id, I_GUILDS)
        elif ch.guild_id:
            self._scene_event("CHANNEL_DELETE", self._channel_json(ch), ch.guild_id, I_GUILDS)

    def dm_channel(self, user_id: str) -> str:
        """The id of the DM channel between the bot and `user_id` (opened on first use)."""
        if user_id not in self.users:
            raise KeyError(f"no user {user_id}: call add_member first")
        cid = self._dm_by_user.get(user_id)
        if cid is None:
            cid = self._snowflake()
            self._channels[cid] = Channel(cid, CH_DM, "", None, recipient_id=user_id)
            self._dm_by_user[user_id] = cid
            self.messages.setdefault(cid, [])
        return cid
