"""Application commands: registering them (bulk overwrite), and the option values a member's command carries."""

from __future__ import annotations

import copy
from typing import Any, Mapping

from tests.fakes.discord.command_limits import command_problems
from tests.fakes.discord.errors import _DiscordError, _form_error
from tests.fakes.discord.model import Guild, _Req
from tests.fakes.discord.protocol import OPTION_TYPES
from tests.fakes.discord.shapes import DiscordShapes


class DiscordCommands(DiscordShapes):
    """/applications/{application_id}/.../commands, and resolving a command's options."""

    def _check_application(self, req: _Req) -> None:
        if req.params.get("application_id") != self.application_id:
            raise _DiscordError(403, 50001, "Missing Access")

    async def _get_commands(self, req: _Req) -> tuple[int, Any]:
        self._check_application(req)
        scope = req.params.get("guild_id")
        if scope is not None:
            self._guild_or_404(scope)
        return 200, copy.deepcopy(self.registered_commands.get(scope, []))

    async def _put_commands(self, req: _Req) -> tuple[int, Any]:
        self._check_application(req)
        scope = req.params.get("guild_id")
        if scope is not None:
            self._guild_or_404(scope)
        body = req.body if req.body is not None else []
        problems = command_problems(body)
        if problems:
            raise _form_error(problems)
        version = self._snowflake()
        out = []
        for cmd in body:
            kind = cmd.get("type", 1) or 1
            key = (scope, kind, cmd["name"])
            cid = self._command_ids.setdefault(key, self._snowflake())
            stored: dict[str, Any] = {
                "id": cid,
                "application_id": self.application_id,
                "version": version,
                "default_member_permissions": cmd.get("default_member_permissions"),
                "type": kind,
                "name": cmd["name"],
                "name_localizations": cmd.get("name_localizations"),
                "description": cmd.get("description", ""),
                "description_localizations": cmd.get("description_localizations"),
                "dm_permission": cmd["dm_permission"] if cmd.get("dm_permission") is not None else True,
                "contexts": cmd.get("contexts"),
                "integration_types": cmd.get("integration_types") or [0],
                "nsfw": bool(cmd.get("nsfw", False)),
            }
            if scope is not None:
                stored["guild_id"] = scope
                stored.pop("dm_permission")
            if cmd.get("options"):
                stored["options"] = self._normalise_options(cmd["options"])
            out.append(stored)
        self.registered_commands[scope] = out
        return 200, copy.deepcopy(out)

    def _normalise_options(self, options: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for o in options:
            o = {k: v for k, v in o.items() if v is not None}
            if o.get("type") in (1, 2):
                o.pop("required", None)
                if o.get("options"):
                    o["options"] = self._normalise_options(o["options"])
            elif not o.get("required"):
                o.pop("required", None)
            out.append(o)
        return out

    def _find_command(self, guild_id: str, name: str) -> tuple[dict[str, Any], str | None]:
        for scope in (guild_id, None):
            for cmd in self.registered_commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == 1:
                    return cmd, scope
        raise LookupError(f"/{name} is not registered for guild {guild_id} nor globally (sync the command tree)")

    def _option_values(self, g: Guild, spec_options: list[dict[str, Any]],
                       given: list[dict[str, Any]] | Mapping[str, Any],
                       resolved: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        if isinstance(given, Mapping):
            items = [{"name": k, "value": v} for k, v in given.items()]
        else:
            items = [dict(o) for o in given]
        by_name = {o["name"]: o for o in spec_options if o.get("type") not in (1, 2)}
        out: list[dict[str, Any]] = []
        for item in items:
            name = item.get("name")
            spec = by_name.get(str(name))
            if spec is None:
                raise ValueError(f"the command has no option {name!r} (it has {', '.join(by_name) or 'none'})")
            out.append({"name": name, "type": spec["type"], "value": self._option_value(g, spec, item.get("value"),
                                                                                       resolved)})
        missing = [n for n, o in by_name.items() if o.get("required") and n not in {i["name"] for i in out}]
        if missing:
            raise ValueError(f"required option(s) {', '.join(missing)} missing")
        return out

    def _option_value(self, g: Guild, spec: dict[str, Any], value: Any, resolved: dict[str, dict[str, Any]]) -> Any:
        kind = spec["type"]
        name = spec["name"]
        if kind == 3:
            if not isinstance(value, str):
                raise ValueError(f"option {name} is a STRING, got {value!r}")
            if "min_length" in spec and len(value) < spec["min_length"] or \
                    "max_length" in spec and len(value) > spec["max_length"]:
                raise ValueError(f"option {name}: length out of range")
        elif kind == 4:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"option {name} is an INTEGER, got {value!r}")
        elif kind == 10:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ValueError(f"option {name} is a NUMBER, got {value!r}")
        elif kind == 5:
            if not isinstance(value, bool):
                raise ValueError(f"option {name} is a BOOLEAN, got {value!r}")
        elif kind in (6, 9) and str(value) in self.users:
            uid = str(value)
            resolved.setdefault("users", {})[uid] = self._user_json(uid)
            if uid in g.members:
                member = self._member_json(g, uid, with_user=False)
                member["permissions"] = str(self._base_permissions(g, uid))
                resolved.setdefault("members", {})[uid] = member
            value = uid
        elif kind in (8, 9) and str(value) in g.roles:
            resolved.setdefault("roles", {})[str(value)] = self._role_json(g.roles[str(value)])
            value = str(value)
        elif kind == 7 and str(value) in self._channels:
            ch = self._channels[str(value)]
            if spec.get("channel_types") and ch.type not in spec["channel_types"]:
                raise ValueError(f"option {name} takes channel types {spec['channel_types']}, not {ch.type}")
            resolved.setdefault("channels", {})[ch.id] = {
                "id": ch.id, "name": ch.name, "type": ch.type,
                "permissions": str(self._permissions(ch.id, self.bot_user_id)),
                **({"parent_id": ch.parent_id} if ch.parent_id else {}),
                **({"thread_metadata": self._thread_json(self.threads[ch.id])["thread_metadata"]}
                   if ch.id in self.threads else {}),
            }
            value = ch.id
        else:
            raise ValueError(f"option {name} ({OPTION_TYPES.get(kind)}) cannot take {value!r} in the fake")
        if kind in (4, 10):
            if "min_value" in spec and value < spec["min_value"] or "max_value" in spec and value > spec["max_value"]:
                raise ValueError(f"option {name}: {value} is out of range")
        choices = spec.get("choices")
        if choices and value not in [c.get("value") for c in choices]:
            raise ValueError(f"option {name}: {value!r} is not one of the choices {[c.get('value') for c in choices]}")
        return value
