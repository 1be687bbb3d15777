"""The fake Discord's rate limits and server errors.

Discord's rate limits: per-route buckets a test sets, the global limit per bot, and their headers; and server
errors a test sets."""

from __future__ import annotations

import hashlib
import time

from tests.fakes.discord.model import Call, _RateLimitRule, _ServerErrorRule
from tests.fakes.discord.protocol import API_PREFIX
from tests.fakes.discord.state import DiscordState


class DiscordRateLimits(DiscordState):
    """Rate limit rules, the global window and the headers Discord sends."""

    def rate_limit(
        self, method: str, path_prefix: str, times: int, retry_after: float = 0.0, *, global_: bool = False
    ) -> None:
        """The next `times` calls of `method` to a path starting with `path_prefix` (relative to /api/v10) get 429."""
        prefix = path_prefix[len(API_PREFIX):] if path_prefix.startswith(API_PREFIX) else path_prefix
        self._rate_limits.append(_RateLimitRule(method.upper(), prefix, times, retry_after, global_))

    def server_error(self, method: str, path_prefix: str, times: int, status: int = 503) -> None:
        """The next `times` calls of `method` to a path starting with `path_prefix` (relative to /api/v10) get
        `status`, a 5xx, as when Discord's API is failing."""
        prefix = path_prefix[len(API_PREFIX):] if path_prefix.startswith(API_PREFIX) else path_prefix
        self._server_errors.append(_ServerErrorRule(method.upper(), prefix, times, status))

    def end_server_errors(self) -> None:
        """Discord's API works again: the server errors set up by `server_error` that are left are dropped."""
        self._server_errors.clear()

    def _global_wait(self) -> float:
        """Counts a request against the global limit: 0 when it is within the limit (a sliding second), else the
        seconds until it would be (the request is refused and not counted)."""
        now = time.monotonic()
        window = self._global_window
        while window and window[0] <= now - 1.0:
            window.popleft()
        assert self.global_rate_limit is not None
        if len(window) >= self.global_rate_limit:
            return window[0] + 1.0 - now
        window.append(now)
        return 0.0

    def global_429s(self) -> list[Call]:
        """The calls Discord refused for the bot's global rate limit."""
        return [c for c in self.calls if c.status == 429 and isinstance(c.response, dict) and c.response.get("global")]

    @staticmethod
    def _ratelimit_headers(method: str, template: str, remaining: int = 4, reset_after: float = 1.0) -> dict[str, str]:
        return {
            "X-RateLimit-Bucket": hashlib.md5(f"{method} {template}".encode()).hexdigest(),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        }
