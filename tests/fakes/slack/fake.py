"""The fake Slack assembled: its Web API methods, Socket Mode and response URLs served on loopback."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
from aiohttp import web

from tests.fakes.slack.call_context import Handler
from tests.fakes.slack.chat import SlackChatMethods
from tests.fakes.slack.conversations import SlackConversationMethods
from tests.fakes.slack.files import SlackFiles
from tests.fakes.slack.response_urls import SlackResponseUrls
from tests.fakes.slack.socket_mode import SlackSocketMode
from tests.fakes.slack.team import SlackTeamMethods
from tests.fakes.slack.views import SlackViews
from tests.fakes.slack.web_api import SlackWebApi


class FakeSlack(
    SlackChatMethods,
    SlackConversationMethods,
    SlackTeamMethods,
    SlackFiles,
    SlackViews,
    SlackResponseUrls,
    SlackSocketMode,
    SlackWebApi,
):
    """Slack's Web API, Socket Mode and response URLs on 127.0.0.1, with state kept for assertions."""

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._serve_api)
        app.router.add_route("*", "/upload/{file_id}", self._serve_upload)
        app.router.add_route("*", "/response/{key}", self._serve_response_url)
        app.router.add_get("/socket-mode", self._serve_socket)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self._socket_changed = asyncio.Event()

    async def stop(self) -> None:
        for pending in self._pending_acks.values():
            if not pending.future.done():
                pending.future.cancel()
        self._pending_acks.clear()
        for ws in list(self._sockets):
            await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"fake slack stopping")
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _methods(self) -> dict[str, Handler]:
        return {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "users.info": self._users_info,
            "usergroups.users.list": self._usergroups_users_list,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "apps.connections.open": self._apps_connections_open,
            "oauth.v2.access": self._oauth_v2_access,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "views.open": self._views_open,
            "views.publish": self._views_publish,
        }
