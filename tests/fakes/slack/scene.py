"""Setting the scene: workspaces, users, channels, installs, refusals and what members do outside the Web API."""

from __future__ import annotations

from typing import Any

from tests.fakes.slack.inbound import SlackInbound
from tests.fakes.slack.model import Channel, Message, User, Workspace, _ident, _OAuthCode


DEFAULT_SCOPES = "chat:write,commands,reactions:write,users:read,usergroups:read,channels:read,files:write,im:write"


class SlackScene(SlackInbound):
    """How a test arranges the workspaces the app meets."""

    def add_workspace(
        self,
        team_id: str,
        *,
        name: str = "",
        bot_token: str | None = None,
        bot_user_id: str = "UBOT",
        bot_name: str = "prepbot",
        installed: bool = True,
    ) -> Workspace:
        if team_id in self._workspaces:
            raise ValueError(f"workspace {team_id} already exists")
        w = Workspace(
            team_id=team_id,
            name=name or team_id,
            bot_token=bot_token or f"xoxb-{team_id}",
            bot_user_id=bot_user_id,
            bot_id=_ident("B", team_id),
            app_id=self.app_id,
            installed=installed,
        )
        self._workspaces[team_id] = w
        if installed:
            self._tokens[w.bot_token] = team_id
        w.users[bot_user_id] = User(
            bot_user_id, team_id, bot_name, bot_name, bot_name, is_bot=True, bot_id=w.bot_id
        )
        return w

    def uninstall(self, team_id: str) -> list[dict[str, Any]]:
        """The app is removed from the workspace: its bot token answers `token_revoked` from now on, and the bot
        leaves every channel. Returns the events Slack then sends the app, in order: `tokens_revoked` (the bot's
        token) and `app_uninstalled` (https://api.slack.com/events/tokens_revoked, /events/app_uninstalled)."""
        w = self.workspace(team_id)
        w.installed = False
        self._tokens.pop(w.bot_token, None)
        self._revoked.add(w.bot_token)
        for channel in self._channels.values():
            if channel.team_id == team_id and not channel.im_user:
                channel.bot_member = False
        revoked = self.event_callback(team_id, {"type": "tokens_revoked",
                                                "tokens": {"oauth": [], "bot": [w.bot_user_id]}})
        uninstalled = self.event_callback(team_id, {"type": "app_uninstalled"})
        return [revoked, uninstalled]

    def direct_messages(self, team_id: str, user_id: str) -> list[Message]:
        """The messages posted in the direct message channel between the app and `user_id`."""
        return [message for channel in self._channels.values()
                if channel.team_id == team_id and channel.im_user == user_id
                for message in self.messages.get(channel.id, [])]

    def add_user(
        self,
        team_id: str,
        user_id: str,
        name: str,
        *,
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        is_primary_owner: bool = False,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str = "UTC",
    ) -> None:
        w = self.workspace(team_id)
        w.users[user_id] = User(
            user_id,
            team_id,
            name,
            real_name if real_name is not None else name,
            display_name if display_name is not None else name,
            is_admin=is_admin or is_owner or is_primary_owner,
            is_owner=is_owner or is_primary_owner,
            is_primary_owner=is_primary_owner,
            is_bot=is_bot,
            bot_id=_ident("B", user_id) if is_bot else None,
            tz=tz,
        )

    def add_channel(self, team_id: str, channel_id: str, name: str, *, bot_member: bool = True) -> None:
        self.workspace(team_id)
        if channel_id in self._channels:
            raise ValueError(f"channel {channel_id} already exists")
        self._channels[channel_id] = Channel(channel_id, team_id, name.lstrip("#"), bot_member=bot_member)
        self.messages.setdefault(channel_id, [])

    def add_usergroup(self, team_id: str, group_id: str, user_ids: list[str]) -> None:
        self.workspace(team_id).usergroups[group_id] = list(user_ids)

    def add_bot_to(self, channel_id: str) -> None:
        self._channel(channel_id).bot_member = True

    def invite_bot(self, channel_id: str, inviter: str) -> dict[str, Any]:
        """`inviter` invites the bot to the channel (`/invite @prepbot`): returns the `member_joined_channel` event
        Slack then sends the app (https://api.slack.com/events/member_joined_channel)."""
        ch = self._channel(channel_id)
        ch.bot_member = True
        w = self.workspace(ch.team_id)
        return self.event_callback(ch.team_id, {
            "type": "member_joined_channel", "user": w.bot_user_id, "channel": channel_id,
            "channel_type": "C", "team": ch.team_id, "inviter": inviter, "event_ts": self._next_ts(),
        })

    def open_home(self, team_id: str, user_id: str) -> dict[str, Any]:
        """The member opens the app's Home tab: returns the `app_home_opened` event Slack then sends the app
        (https://api.slack.com/events/app_home_opened), with the view published before, if any."""
        self.workspace(team_id)
        event: dict[str, Any] = {"type": "app_home_opened", "user": user_id, "channel": f"D{user_id[1:]}",
                                 "tab": "home", "event_ts": self._next_ts()}
        view = self.home_views.get((team_id, user_id))
        if view is not None:
            event["view"] = {"team_id": team_id, "type": "home", "blocks": view.get("blocks", [])}
        return self.event_callback(team_id, event)

    def remove_bot_from(self, channel_id: str) -> None:
        self._channel(channel_id).bot_member = False

    def archive_channel(self, channel_id: str) -> None:
        self._channel(channel_id).archived = True

    def delete_channel(self, channel_id: str) -> None:
        self._channel(channel_id).deleted = True

    def rate_limit(self, method: str, times: int, retry_after: int = 1) -> None:
        self._rate_limits[method] = [times, retry_after]

    def refuse(self, method: str, error: str, times: int = 1) -> None:
        """The next `times` calls of `method` are answered `{"ok": false, "error": error}` (a scope the workspace
        did not grant, say), and do nothing."""
        self._refusals.setdefault(method, []).extend([error] * times)

    def add_oauth_code(
        self,
        code: str,
        team_id: str,
        *,
        client_id: str = "cid",
        client_secret: str = "csecret",
        scope: str = DEFAULT_SCOPES,
        installer_user_id: str = "UINSTALLER",
    ) -> None:
        """A code oauth.v2.access exchanges for an installation of `team_id`.

        If the workspace does not exist yet it is created uninstalled: its bot token works only after the exchange.
        """
        if team_id not in self._workspaces:
            self.add_workspace(team_id, installed=False)
        self._oauth_codes[code] = _OAuthCode(team_id, client_id, client_secret, scope, installer_user_id)

    def add_user_message(
        self,
        channel_id: str,
        user_id: str,
        text: str,
        *,
        thread_ts: str | None = None,
        blocks: list[Any] | None = None,
    ) -> Message:
        """A member posts (no Web API call): for threads, reactions and chat.update tests."""
        ch = self._channel(channel_id)
        msg = Message(self._next_ts(), channel_id, user_id, text, blocks, thread_ts, False, ch.team_id)
        self.messages.setdefault(channel_id, []).append(msg)
        return msg

    def add_reaction(self, channel_id: str, ts: str, name: str, user_id: str) -> None:
        """A member reacts (no Web API call)."""
        self._reactions.setdefault((channel_id, ts), []).append((name.strip(":"), user_id))
