"""Finding the conversation, thread and message a Web API call names, with Slack's errors when it cannot."""

from __future__ import annotations

from tests.fakes.slack.call_context import _SlackError
from tests.fakes.slack.model import Channel, Message, Workspace
from tests.fakes.slack.state import SlackState


class SlackChannels(SlackState):
    """Resolves channel references and checks the bot may post there."""

    def _resolve_channel(self, w: Workspace, ref: str) -> Channel:
        if not ref:
            raise _SlackError("channel_not_found")
        if ref[0] in "UW" and ref in w.users:
            return self._open_dm(w, ref)
        ch = self._channels.get(ref)
        if ch is None:
            name = ref.lstrip("#")
            ch = next(
                (c for c in self._channels.values() if c.team_id == w.team_id and c.name == name and not c.im_user),
                None,
            )
        if ch is None or ch.team_id != w.team_id or ch.deleted:
            raise _SlackError("channel_not_found")
        return ch

    def _open_dm(self, w: Workspace, user_id: str) -> Channel:
        dm_id = f"D{user_id}"
        ch = self._channels.get(dm_id)
        if ch is None:
            ch = Channel(dm_id, w.team_id, user_id, bot_member=True, im_user=user_id)
            self._channels[dm_id] = ch
            self.messages.setdefault(dm_id, [])
        elif ch.team_id != w.team_id:
            raise _SlackError("channel_not_found")
        return ch

    @staticmethod
    def _check_postable(ch: Channel) -> None:
        if ch.archived:
            raise _SlackError("is_archived")
        if not ch.bot_member:
            raise _SlackError("not_in_channel")

    def _find(self, channel_id: str, ts: str) -> Message | None:
        return next((m for m in self.messages.get(channel_id, []) if m.ts == ts), None)

    def _thread_parent(self, ch: Channel, thread_ts: str | None, method: str) -> str | None:
        if not thread_ts:
            return None
        parent = self._find(ch.id, thread_ts)
        if parent is None:
            self._violation(method, f"thread_ts {thread_ts} is not a message in {ch.id}")
            return thread_ts
        if parent.thread_ts:
            self._violation(method, f"thread_ts {thread_ts} is a reply; Slack wants the parent's ts {parent.thread_ts}")
            return parent.thread_ts
        return thread_ts
