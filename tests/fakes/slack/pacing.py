"""Slack's posting pace: about one message a second per channel, and a per-workspace limit answered with 429."""

from __future__ import annotations

import math
import time

from tests.fakes.slack.call_context import _RateLimited
from tests.fakes.slack.state import SlackState


class SlackPacing(SlackState):
    """Token buckets per channel and per workspace."""

    def _check_pace(self, channel_id: str) -> None:
        if not self.enforce_channel_pace:
            return
        now = time.monotonic()
        burst = float(self.channel_pace_burst)
        tokens, last = self._pace.get(channel_id, (burst, now))
        tokens = min(burst, tokens + (now - last) * self.channel_pace_per_second)
        if tokens < 1:
            self._pace[channel_id] = (tokens, now)
            wait = (1 - tokens) / self.channel_pace_per_second
            self._violation(
                "chat.postMessage",
                f"posting to {channel_id} faster than {self.channel_pace_per_second:g} message/second "
                f"(burst {self.channel_pace_burst}): answered 429",
            )
            raise _RateLimited(max(1, math.ceil(wait)))
        self._pace[channel_id] = (tokens - 1, now)

    def _check_workspace_rate(self, team_id: str) -> None:
        if self.workspace_rate is None:
            return
        now = time.monotonic()
        burst = float(self.workspace_burst)
        tokens, last = self._workspace_pace.get(team_id, (burst, now))
        tokens = min(burst, tokens + (now - last) * self.workspace_rate)
        if tokens < 1:
            self._workspace_pace[team_id] = (tokens, now)
            self.workspace_limited += 1
            raise _RateLimited(max(1, math.ceil((1 - tokens) / self.workspace_rate)))
        self._workspace_pace[team_id] = (tokens - 1, now)
