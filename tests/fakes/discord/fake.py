"""The fake Discord assembled: its REST routes, Gateway and interactions served on loopback."""

from __future__ import annotations

import socket

import aiohttp
from aiohttp import web

from tests.fakes.discord.channel_routes import DiscordChannelRoutes
from tests.fakes.discord.gateway import DiscordGateway
from tests.fakes.discord.guild_routes import DiscordGuildRoutes
from tests.fakes.discord.interaction_routes import DiscordInteractionRoutes
from tests.fakes.discord.members import DiscordMembers
from tests.fakes.discord.meta_routes import DiscordMetaRoutes
from tests.fakes.discord.model import Handler
from tests.fakes.discord.rest import DiscordRest


class FakeDiscord(
    DiscordMembers,
    DiscordInteractionRoutes,
    DiscordChannelRoutes,
    DiscordGuildRoutes,
    DiscordMetaRoutes,
    DiscordGateway,
    DiscordRest,
):
    """Discord's REST API, Gateway and interactions on 127.0.0.1, with state kept for assertions."""

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self._serve_gateway)
        app.router.add_route("*", "/api/{tail:.*}", self._serve_rest)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._serve_attachment)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner

    async def stop(self) -> None:
        for handle in self._ack_timers.values():
            handle.cancel()
        self._ack_timers.clear()
        for futures in self._waiters.values():
            for fut in futures:
                if not fut.done():
                    fut.cancel()
        self._waiters.clear()
        if self._scene_task is not None:
            self._scene_task.cancel()
        for ws in list(self._sockets):
            await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"fake discord stopping")
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _routes(self) -> dict[tuple[str, str], Handler]:
            return {
        ("GET", "/gateway"): self._get_gateway,
        ("GET", "/gateway/bot"): self._get_gateway_bot,
        ("GET", "/users/@me"): self._get_me,
        ("GET", "/users/{user_id}"): self._get_user,
        ("POST", "/users/@me/channels"): self._create_dm,
        ("GET", "/oauth2/applications/@me"): self._get_application,
        ("GET", "/applications/@me"): self._get_application,
        ("GET", "/channels/{channel_id}"): self._get_channel,
        ("POST", "/channels/{channel_id}/messages"): self._create_message,
        ("GET", "/channels/{channel_id}/messages/{message_id}"): self._get_message,
        ("PATCH", "/channels/{channel_id}/messages/{message_id}"): self._edit_message,
        ("DELETE", "/channels/{channel_id}/messages/{message_id}"): self._delete_message,
        ("POST", "/channels/{channel_id}/messages/{message_id}/threads"): self._create_thread,
        ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"): self._add_reaction,
        ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"):
            self._remove_reaction,
        ("POST", "/channels/{channel_id}/typing"): self._typing,
        ("GET", "/channels/{channel_id}/messages"): self._get_messages,
        ("GET", "/guilds/{guild_id}"): self._get_guild,
        ("GET", "/guilds/{guild_id}/channels"): self._get_guild_channels,
        ("GET", "/guilds/{guild_id}/members/{user_id}"): self._get_member,
        ("GET", "/guilds/{guild_id}/roles"): self._get_roles,
        ("GET", "/applications/{application_id}/commands"): self._get_commands,
        ("PUT", "/applications/{application_id}/commands"): self._put_commands,
        ("GET", "/applications/{application_id}/guilds/{guild_id}/commands"): self._get_commands,
        ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"): self._put_commands,
        ("POST", "/interactions/{interaction_id}/{interaction_token}/callback"): self._interaction_callback,
        ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): self._get_original,
        ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): self._edit_original,
        ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): self._delete_original,
        ("POST", "/webhooks/{webhook_id}/{webhook_token}"): self._followup,
        ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): self._get_followup,
        ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): self._edit_followup,
        ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): self._delete_followup,
    }
