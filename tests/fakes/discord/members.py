"""What members do: post, edit, delete and react, run slash commands, click buttons, pick options, submit modals."""

from __future__ import annotations

import itertools
from typing import Any, Mapping

from tests.fakes.discord.commands import DiscordCommands
from tests.fakes.discord.interactions import DiscordInteractions
from tests.fakes.discord.model import Msg, _iso
from tests.fakes.discord.permissions import P_ADMINISTRATOR
from tests.fakes.discord.protocol import I_DIRECT_MESSAGES, I_GUILD_MESSAGES, IT_COMMAND, IT_MODAL_SUBMIT


class DiscordMembers(DiscordInteractions, DiscordCommands):
    """A member's (or moderator's) actions, as Discord delivers them to the bot."""

    async def moderator_delete(self, channel_id: str, message_id: str) -> None:
        """A moderator deletes any message, the bot's own included: MESSAGE_DELETE as for a member's."""
        msg = self._all_messages.get(message_id)
        if msg is None or msg.channel_id != channel_id or msg.deleted:
            raise KeyError(f"no message {message_id} in channel {channel_id}")
        msg.deleted = True
        data: dict[str, Any] = {"id": msg.id, "channel_id": msg.channel_id}
        if msg.guild_id:
            data["guild_id"] = msg.guild_id
        if self._bot_can_see(msg.channel_id):
            await self._dispatch("MESSAGE_DELETE", data, guild_id=msg.guild_id, intent=I_GUILD_MESSAGES)

    async def user_message(self, channel_id: str, user_id: str, content: str) -> Msg:
        """A member posts in a channel, thread or DM: stored, then MESSAGE_CREATE is dispatched."""
        ch = self._live_channel_or_raise(channel_id)
        self._require_author(ch, user_id)
        msg = self._store(Msg(self._snowflake(), ch.id, user_id, content, [], [], [],
                              guild_id=ch.guild_id, timestamp=_iso(self._now())))
        await self._dispatch_message("MESSAGE_CREATE", msg)
        return msg

    async def user_edit(self, channel_id: str, message_id: str, content: str) -> None:
        msg = self._user_message_or_raise(channel_id, message_id)
        msg.content = content
        msg.edited = True
        msg.edited_timestamp = _iso(self._now())
        await self._dispatch_message("MESSAGE_UPDATE", msg)

    async def user_delete(self, channel_id: str, message_id: str) -> None:
        msg = self._user_message_or_raise(channel_id, message_id)
        msg.deleted = True
        data: dict[str, Any] = {"id": msg.id, "channel_id": msg.channel_id}
        if msg.guild_id:
            data["guild_id"] = msg.guild_id
        intent = I_GUILD_MESSAGES if msg.guild_id else I_DIRECT_MESSAGES
        if self._bot_can_see(msg.channel_id):
            await self._dispatch("MESSAGE_DELETE", data, guild_id=msg.guild_id, intent=intent)

    async def user_react(
        self, channel_id: str, message_id: str, user_id: str, emoji: str, *, remove: bool = False
    ) -> None:
        ch = self._live_channel_or_raise(channel_id)
        self._require_author(ch, user_id)
        msg = self._all_messages.get(message_id)
        if msg is None or msg.channel_id != channel_id or msg.deleted or msg.ephemeral:
            raise KeyError(f"no message {message_id} in channel {channel_id}")
        await self._react(msg, user_id, emoji, remove=remove)

    async def slash_command(
        self,
        guild_id: str,
        channel_id: str,
        user_id: str,
        name: str,
        options: list[dict[str, Any]] | Mapping[str, Any] | None = None,
        *,
        subcommand: str | None = None,
    ) -> str:
        """A member runs /name [subcommand] with options ({"name", "value"}); returns the interaction id.

        The command must be registered (bulk overwrite) for the guild or globally; option types come from it.
        `subcommand` may be "group sub" for a subcommand group.
        """
        g = self.guild(guild_id)
        ch = self._live_channel_or_raise(channel_id)
        if ch.guild_id != guild_id:
            raise ValueError(f"channel {channel_id} is not in guild {guild_id}")
        if user_id not in g.members:
            raise KeyError(f"{user_id} is not a member of guild {guild_id}")
        cmd, scope = self._find_command(guild_id, name)
        perms = self._permissions(channel_id, user_id)
        required = cmd.get("default_member_permissions")
        if required is not None and not perms & P_ADMINISTRATOR and (int(required) & perms) != int(required):
            raise PermissionError(
                f"/{name} needs permissions {required} (default_member_permissions); {user_id} does not have them, "
                "so Discord would not offer the command"
            )
        spec_options = cmd.get("options") or []
        path: list[str] = subcommand.split() if subcommand else []
        if not path and any(o.get("type") in (1, 2) for o in spec_options):
            raise ValueError(f"/{name} has subcommands: pass subcommand=")
        resolved: dict[str, dict[str, Any]] = {}
        leaf_spec = spec_options
        chain: list[dict[str, Any]] = []
        for part in path:
            found = next((o for o in leaf_spec if o.get("type") in (1, 2) and o.get("name") == part), None)
            if found is None:
                raise LookupError(f"/{name} has no subcommand {subcommand!r}")
            chain.append(found)
            leaf_spec = found.get("options") or []
        if chain and chain[-1].get("type") != 1:
            raise ValueError(f"{subcommand!r} is a subcommand group: name one of its subcommands")
        values = self._option_values(g, leaf_spec, options or [], resolved)
        nested: list[dict[str, Any]] = values
        for opt in reversed(chain):
            nested = [{"type": opt["type"], "name": opt["name"], "options": nested}]
        data: dict[str, Any] = {"id": cmd["id"], "name": name, "type": 1}
        if nested:
            data["options"] = nested
        if scope is not None:
            data["guild_id"] = scope
        if resolved:
            data["resolved"] = resolved
        return await self._create_interaction(IT_COMMAND, g, ch, user_id, data)

    async def click_button(self, guild_id: str, channel_id: str, message_id: str, user_id: str, custom_id: str) -> str:
        """A member clicks a button of a message (ephemeral ones only by the member who sees them)."""
        return await self._component_interaction(guild_id, channel_id, message_id, user_id, custom_id, None)

    async def select_menu(
        self, guild_id: str, channel_id: str, message_id: str, user_id: str, custom_id: str, values: list[str]
    ) -> str:
        """A member picks `values` in a select menu of a message."""
        return await self._component_interaction(guild_id, channel_id, message_id, user_id, custom_id, values)

    async def submit_modal(
        self, guild_id: str, channel_id: str, user_id: str, custom_id: str, values: Mapping[str, str]
    ) -> str:
        """A member submits the modal `custom_id` the bot showed them, with text input custom_id -> value."""
        g = self.guild(guild_id)
        ch = self._live_channel_or_raise(channel_id)
        if user_id not in g.members:
            raise KeyError(f"{user_id} is not a member of guild {guild_id}")
        source = next(
            (i for i in reversed(list(self.interactions.values()))
             if i.user_id == user_id and i.modal is not None and not i.modal_submitted
             and i.modal.get("custom_id") == custom_id),
            None,
        )
        if source is None or source.modal is None:
            raise LookupError(f"no open modal {custom_id!r} for {user_id}: the bot must show it (interaction callback "
                              "type 9) and a modal can be submitted once")
        inputs: dict[str, dict[str, Any]] = {}
        for row in source.modal.get("components") or []:
            inner = row.get("components") if row.get("type") == 1 else [row.get("component")]
            for c in inner or []:
                if isinstance(c, dict) and c.get("type") == 4:
                    inputs[str(c.get("custom_id"))] = c
        unknown = sorted(set(values) - set(inputs))
        if unknown:
            raise ValueError(f"modal {custom_id!r} has no text input(s) {', '.join(unknown)}")
        components: list[dict[str, Any]] = []
        next_id = itertools.count(1)
        for row in source.modal.get("components") or []:
            if row.get("type") == 1:
                ti = (row.get("components") or [{}])[0]
                value = self._modal_value(ti, values)
                components.append({"type": 1, "id": next(next_id), "components": [
                    {"type": 4, "id": next(next_id), "custom_id": ti.get("custom_id"), "value": value}]})
            elif row.get("type") == 18 and isinstance(row.get("component"), dict):
                inner_c = row["component"]
                label_id = next(next_id)
                if inner_c.get("type") == 4:
                    value = self._modal_value(inner_c, values)
                    components.append({"type": 18, "id": label_id, "component": {
                        "type": 4, "id": next(next_id), "custom_id": inner_c.get("custom_id"), "value": value}})
        data = {"custom_id": custom_id, "components": components}
        source.modal_submitted = True
        return await self._create_interaction(IT_MODAL_SUBMIT, g, ch, user_id, data, message_id=source.message_id,
                                              source_id=source.id)
