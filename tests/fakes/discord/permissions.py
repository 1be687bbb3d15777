"""Discord's permission bits and its computation: base role permissions, then channel overwrites."""

from __future__ import annotations

from tests.fakes.discord.errors import _missing_access, _missing_permissions
from tests.fakes.discord.model import Guild
from tests.fakes.discord.protocol import CH_PUBLIC_THREAD
from tests.fakes.discord.state import DiscordState


P_CREATE_INSTANT_INVITE = 1 << 0
P_ADMINISTRATOR = 1 << 3
P_MANAGE_CHANNELS = 1 << 4
P_MANAGE_GUILD = 1 << 5
P_ADD_REACTIONS = 1 << 6
P_VIEW_CHANNEL = 1 << 10
P_SEND_MESSAGES = 1 << 11
P_MANAGE_MESSAGES = 1 << 13
P_EMBED_LINKS = 1 << 14
P_ATTACH_FILES = 1 << 15
P_READ_MESSAGE_HISTORY = 1 << 16
P_USE_EXTERNAL_EMOJIS = 1 << 18
P_CHANGE_NICKNAME = 1 << 26
P_USE_APPLICATION_COMMANDS = 1 << 31
P_MANAGE_THREADS = 1 << 34
P_CREATE_PUBLIC_THREADS = 1 << 35
P_CREATE_PRIVATE_THREADS = 1 << 36
P_SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMISSIONS = (
    P_CREATE_INSTANT_INVITE | P_ADD_REACTIONS | P_VIEW_CHANNEL | P_SEND_MESSAGES | P_EMBED_LINKS | P_ATTACH_FILES
    | P_READ_MESSAGE_HISTORY | P_USE_EXTERNAL_EMOJIS | P_CHANGE_NICKNAME | P_USE_APPLICATION_COMMANDS
    | P_CREATE_PUBLIC_THREADS | P_CREATE_PRIVATE_THREADS | P_SEND_MESSAGES_IN_THREADS
)
DEFAULT_BOT_PERMISSIONS = (
    P_VIEW_CHANNEL | P_SEND_MESSAGES | P_SEND_MESSAGES_IN_THREADS | P_CREATE_PUBLIC_THREADS | P_MANAGE_THREADS
    | P_EMBED_LINKS | P_ATTACH_FILES | P_READ_MESSAGE_HISTORY | P_ADD_REACTIONS | P_USE_EXTERNAL_EMOJIS
    | P_USE_APPLICATION_COMMANDS
)
REVOKED_BOT_PERMISSIONS = (
    P_SEND_MESSAGES | P_SEND_MESSAGES_IN_THREADS | P_CREATE_PUBLIC_THREADS | P_CREATE_PRIVATE_THREADS
    | P_ADD_REACTIONS | P_EMBED_LINKS | P_ATTACH_FILES
)


class DiscordPermissions(DiscordState):
    """What a member, or the bot, may do in a channel."""

    def _base_permissions(self, g: Guild, user_id: str) -> int:
        if user_id == g.owner_id:
            return ALL_PERMISSIONS
        member = g.members.get(user_id)
        if member is None:
            return 0
        perms = g.roles[g.id].permissions
        for rid in member.roles:
            role = g.roles.get(rid)
            if role is not None:
                perms |= role.permissions
        return ALL_PERMISSIONS if perms & P_ADMINISTRATOR else perms

    def _permissions(self, channel_id: str, user_id: str) -> int:
        """Discord's permission computation: base role permissions, then @everyone, role and member overwrites."""
        ch = self._channels[channel_id]
        if ch.guild_id is None:
            return (P_VIEW_CHANNEL | P_SEND_MESSAGES | P_EMBED_LINKS | P_ATTACH_FILES | P_READ_MESSAGE_HISTORY
                    | P_ADD_REACTIONS | P_USE_EXTERNAL_EMOJIS)
        if ch.type == CH_PUBLIC_THREAD and ch.parent_id in self._channels:
            ch = self._channels[ch.parent_id]
        g = self.guilds[ch.guild_id]  # type: ignore[index]
        perms = self._base_permissions(g, user_id)
        if perms & P_ADMINISTRATOR:
            return ALL_PERMISSIONS
        member = g.members.get(user_id)
        roles = set(member.roles) if member else set()
        by_id = {(o["type"], o["id"]): o for o in ch.overwrites}
        everyone = by_id.get((0, g.id))
        if everyone:
            perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
        allow = deny = 0
        for o in ch.overwrites:
            if o["type"] == 0 and o["id"] in roles:
                allow |= int(o["allow"])
                deny |= int(o["deny"])
        perms = (perms & ~deny) | allow
        mine = by_id.get((1, user_id))
        if mine:
            perms = (perms & ~int(mine["deny"])) | int(mine["allow"])
        if not perms & P_VIEW_CHANNEL:
            return 0
        return perms

    def _bot_can_see(self, channel_id: str) -> bool:
        return bool(self._permissions(channel_id, self.bot_user_id) & P_VIEW_CHANNEL)

    def _require(self, channel_id: str, needed: int) -> None:
        perms = self._permissions(channel_id, self.bot_user_id)
        if not perms & P_VIEW_CHANNEL:
            raise _missing_access()
        if perms & needed != needed:
            raise _missing_permissions()
