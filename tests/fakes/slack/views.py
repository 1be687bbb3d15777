"""Views as Slack takes them: views.publish sets a member's App Home tab."""

from __future__ import annotations

import uuid
from typing import Any

from tests.fakes.slack.call_context import _Ctx, _SlackError
from tests.fakes.slack.limits import view_problems
from tests.fakes.slack.state import SlackState


class SlackViews(SlackState):
    """views.publish."""

    async def _views_publish(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        user = ctx.s("user_id")
        if user not in w.users:
            raise _SlackError("user_not_found")
        view = ctx.args.get("view")
        problems = view_problems(view, home=True)
        for problem in problems:
            self._violation("views.publish", problem)
        if problems or not isinstance(view, dict):
            raise _SlackError("invalid_arguments")
        self.home_views[(w.team_id, user)] = view
        published = {"id": f"V{uuid.uuid4().hex[:10].upper()}", "team_id": w.team_id, "type": view["type"],
                     "blocks": view.get("blocks", []), "private_metadata": view.get("private_metadata", ""),
                     "callback_id": view.get("callback_id", ""), "external_id": view.get("external_id", ""),
                     "state": {"values": {}}, "hash": uuid.uuid4().hex[:20], "app_id": self.app_id,
                     "bot_id": w.bot_id, "root_view_id": None, "previous_view_id": None}
        return {"ok": True, "view": published}
