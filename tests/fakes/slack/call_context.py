"""One Web API call as a method handler sees it, and the errors a handler answers with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from tests.fakes.slack.model import Workspace


class _SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class _RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass
class _Ctx:
    method: str
    args: dict[str, Any]
    token: str | None
    basic_auth: tuple[str, str] | None
    team: Workspace | None

    @property
    def w(self) -> Workspace:
        assert self.team is not None
        return self.team

    def s(self, name: str) -> str:
        value = self.args.get(name)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)


Handler = Callable[[_Ctx], Awaitable[dict[str, Any]]]
