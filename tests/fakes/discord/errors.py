"""Discord's error answers: Invalid Form Body trees, unknown objects and missing permissions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class _Problem:
    path: tuple[Any, ...]
    code: str
    message: str

    @property
    def where(self) -> str:
        return ".".join(str(p) for p in self.path) or "(body)"


class _DiscordError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            out["errors"] = self.errors
        return out


def _form_error(problems: list[_Problem]) -> _DiscordError:
    tree: dict[str, Any] = {}
    for p in problems:
        node = tree
        for part in p.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": p.code, "message": p.message})
    return _DiscordError(400, 50035, "Invalid Form Body", tree)


def _not_found(code: int, message: str) -> _DiscordError:
    return _DiscordError(404, code, message)


UNKNOWN_CHANNEL = (10003, "Unknown Channel")
UNKNOWN_GUILD = (10004, "Unknown Guild")
UNKNOWN_MEMBER = (10007, "Unknown Member")
UNKNOWN_MESSAGE = (10008, "Unknown Message")
UNKNOWN_USER = (10013, "Unknown User")
UNKNOWN_WEBHOOK = (10015, "Unknown Webhook")
UNKNOWN_INTERACTION = (10062, "Unknown interaction")


def _missing_permissions() -> _DiscordError:
    return _DiscordError(403, 50013, "Missing Permissions")


def _missing_access() -> _DiscordError:
    return _DiscordError(403, 50001, "Missing Access")


def _flatten_errors(tree: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """(dotted path, readable line) for each error of an Invalid Form Body error tree."""
    out = []
    for key, value in tree.items():
        if key == "_errors":
            for e in value:
                out.append((prefix or "(body)", f"{prefix or '(body)'}: {e['message']} ({e['code']})"))
        elif isinstance(value, dict):
            out += _flatten_errors(value, f"{prefix}.{key}" if prefix else key)
    return out
