"""Slash command response URLs: the replies the app posts to them become messages or ephemerals."""

from __future__ import annotations

import json

from aiohttp import web

from tests.fakes.slack.limits import message_problems
from tests.fakes.slack.model import Ephemeral, Message
from tests.fakes.slack.state import SlackState


class SlackResponseUrls(SlackState):
    """Serves the response URLs handed out with slash commands."""

    async def _serve_response_url(self, request: web.Request) -> web.Response:
        target = self._response_urls.get(request.match_info["key"])
        if target is None:
            self._violation("response_url", "POST to an unknown response_url")
            return web.json_response({"ok": False, "error": "expired_url"}, status=404)
        try:
            body = json.loads(await request.text())
        except json.JSONDecodeError:
            self._violation("response_url", "the body is not JSON")
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        if not isinstance(body, dict):
            self._violation("response_url", "the body is not a JSON object")
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        self.response_url_posts.append(body)
        if not body.get("delete_original"):
            for problem in message_problems(body):
                self._violation("response_url", problem)
        blocks = body.get("blocks") if isinstance(body.get("blocks"), list) and body.get("blocks") else None
        text = str(body["text"]) if isinstance(body.get("text"), str) else ""
        if body.get("response_type") == "in_channel":
            w = self._workspaces[target.team_id]
            self.messages.setdefault(target.channel, []).append(
                Message(self._next_ts(), target.channel, w.bot_user_id, text, blocks,
                        body.get("thread_ts"), False, target.team_id)
            )
        elif not body.get("replace_original") and not body.get("delete_original"):
            self.ephemerals.append(
                Ephemeral(target.channel, target.user, text, blocks, self._next_ts(), body.get("thread_ts"),
                          target.team_id)
            )
        return web.json_response({"ok": True})
