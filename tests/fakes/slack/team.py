"""The Web API's team and app methods: api.test, auth.test, users, user groups, Socket Mode URLs and OAuth installs."""

from __future__ import annotations

from typing import Any

from tests.fakes.slack.call_context import _Ctx, _SlackError
from tests.fakes.slack.scene import SlackScene
from tests.fakes.slack.shapes import SlackShapes


class SlackTeamMethods(SlackShapes, SlackScene):
    """api.test, auth.test, users.info, usergroups.users.list, apps.connections.open and oauth.v2.access."""

    async def _api_test(self, ctx: _Ctx) -> dict[str, Any]:
        return {"ok": True, "args": {k: v for k, v in ctx.args.items()}}

    async def _auth_test(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        return {
            "ok": True,
            "url": f"https://{w.domain}.slack.com/",
            "team": w.name,
            "user": w.users[w.bot_user_id].name,
            "team_id": w.team_id,
            "user_id": w.bot_user_id,
            "bot_id": w.bot_id,
            "is_enterprise_install": False,
        }

    async def _users_info(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        u = w.users.get(ctx.s("user"))
        if u is None:
            raise _SlackError("user_not_found")
        return {"ok": True, "user": self._user_json(w, u)}

    async def _usergroups_users_list(self, ctx: _Ctx) -> dict[str, Any]:
        users = ctx.w.usergroups.get(ctx.s("usergroup"))
        if users is None:
            raise _SlackError("no_such_subteam")
        return {"ok": True, "users": list(users)}

    async def _apps_connections_open(self, ctx: _Ctx) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self._port}/socket-mode"}

    async def _oauth_v2_access(self, ctx: _Ctx) -> dict[str, Any]:
        client_id, client_secret = ctx.basic_auth or (ctx.s("client_id"), ctx.s("client_secret"))
        entry = self._oauth_codes.get(ctx.s("code"))
        if entry is None:
            raise _SlackError("invalid_code")
        if client_id != entry.client_id:
            raise _SlackError("invalid_client_id")
        if client_secret != entry.client_secret:
            raise _SlackError("bad_client_secret")
        del self._oauth_codes[ctx.s("code")]  # codes are single use
        w = self._workspaces[entry.team_id]
        w.installed = True
        if w.bot_token in self._revoked:  # a reinstall after an uninstall: Slack issues a new token
            w.bot_token = f"xoxb-{w.team_id}-{next(self._ids)}"
        self._tokens[w.bot_token] = w.team_id
        if entry.installer_user_id not in w.users:
            self.add_user(w.team_id, entry.installer_user_id, "installer", is_admin=True)
        return {
            "ok": True,
            "app_id": self.app_id,
            "authed_user": {"id": entry.installer_user_id},
            "scope": entry.scope,
            "token_type": "bot",
            "access_token": w.bot_token,
            "bot_user_id": w.bot_user_id,
            "team": {"id": w.team_id, "name": w.name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
