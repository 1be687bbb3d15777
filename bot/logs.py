"""Logs: structured (JSON lines) or human-readable, with what the line is about, and never a secret.

Code everywhere logs through the standard `logging` module. `log_context()` names what the work in progress is
about (platform, workspace, channel, round); every line logged inside it, by prepbot or by a library, carries those
fields. `configure_logging()` renders the lines, as JSON for machines or readable text for a terminal, after
`Redactor` has taken out tokens and secrets.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any, TextIO

import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars, merge_contextvars

from bot.domain.model import ChannelAddress

REDACTED = "[redacted]"

# Token shapes that must never reach a log, whoever logs them, each with what replaces it: Slack tokens (bot, user,
# app, refresh, config), Discord bot tokens, interaction and webhook tokens inside URLs, bearer and bot authorization
# headers, OpenAI-style API keys (sk-...), and secrets passed as form fields, query parameters or JSON fields.
_TOKEN_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bxox[abposre]-[A-Za-z0-9-]+"), REDACTED),
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), REDACTED),
    (re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}\b"), REDACTED),
    (re.compile(r"(/(?:interactions|webhooks)/\d+/)[A-Za-z0-9_.-]{20,}"), rf"\g<1>{REDACTED}"),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), REDACTED),
    (re.compile(r"(?i)\b(bearer|bot)\s+[A-Za-z0-9._~+/=-]{16,}"), rf"\g<1> {REDACTED}"),
    (re.compile(r"(?i)\b(token|client_secret|signing_secret|password|secret|api_key|api-key)"
                r"(['\"]?\s*[=:]\s*['\"]?)[^\s&'\",}]+"),
     rf"\g<1>\g<2>{REDACTED}"),
]


class Redactor:
    """Takes secrets out of text: the token shapes above and the exact secret values it is given."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern, replacement in _TOKEN_PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def scrub(self, value: Any) -> Any:
        """`value` with secrets taken out of every string in it (dicts and lists included)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.scrub(v) for v in value]
        return value


def _fields(channel: ChannelAddress | None, round_id: int | None, fields: Mapping[str, object]) -> dict[str, object]:
    values: dict[str, object] = {}
    if channel is not None:
        values.update(platform=channel.platform, workspace=channel.workspace, channel=channel.channel)
    if round_id is not None:
        values["round"] = round_id
    values.update({k: v for k, v in fields.items() if v is not None})
    return values


@contextmanager
def log_context(
    channel: ChannelAddress | None = None, *, round_id: int | None = None, **fields: object
) -> Iterator[None]:
    """Every line logged inside the block (in this asyncio task) carries the channel's platform, workspace (or
    guild) and channel, the round, and any other `fields` given. What `add_log_context` adds inside the block is
    dropped when it ends."""
    before = get_contextvars()
    bind_contextvars(**_fields(channel, round_id, fields))
    try:
        yield
    finally:
        clear_contextvars()
        bind_contextvars(**before)


def add_log_context(channel: ChannelAddress | None = None, *, round_id: int | None = None, **fields: object) -> None:
    """Adds to what the lines logged from here on carry, until the enclosing `log_context` block ends (or the
    asyncio task does)."""
    bind_contextvars(**_fields(channel, round_id, fields))


def _redacting(redactor: Redactor) -> structlog.types.Processor:
    def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        for key, value in list(event.items()):
            if key != "_record" and key != "_from_structlog":
                event[key] = redactor.scrub(value)
        return event

    return redact


def _stdlib_fields(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Fields a standard logging call passed with `extra=`."""
    record: logging.LogRecord | None = event.get("_record")
    if record is not None:
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_") and key not in event:
                event[key] = value
    return event


_RECORD_ATTRIBUTES = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class RepeatedTracebacks(logging.Filter):
    """Keeps a failure that repeats (a database away, a platform down) from filling the log: the first time a kind
    of exception (its type and the line that raised it) is logged, with its traceback; after that, one short line
    naming it, until it has not been seen for `quiet_seconds`. One exception logged again on its way up (by a
    library, then by the server around it) is logged once."""

    def __init__(self, quiet_seconds: float = 600.0) -> None:
        super().__init__()
        self.quiet_seconds = quiet_seconds
        self._seen: dict[tuple[str, str, int], tuple[float, int]] = {}  # signature -> (last seen, repeats)

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is None:
            return True
        if getattr(error, "_prepbot_logged", False):
            return False
        try:
            error._prepbot_logged = True  # type: ignore[attr-defined]
        except AttributeError:
            pass
        signature = _signature(error)
        last, repeats = self._seen.get(signature, (float("-inf"), 0))
        fresh = record.created - last > self.quiet_seconds
        self._seen[signature] = (record.created, 0 if fresh else repeats + 1)
        if fresh:
            return True
        first_line = (str(error).strip().splitlines() or [""])[0][:200]
        record.msg = (f"{record.getMessage()}: {type(error).__name__}: {first_line} "
                      f"(again, {repeats + 1} times since its traceback)")
        record.args = None
        record.exc_info = None
        record.exc_text = None
        return True


def error_line(error: BaseException) -> str:
    """The first line of an error's message, at most 200 characters: without the SQL and its parameters (what
    members wrote) that a database error carries after it."""
    return str(getattr(error, "orig", None) or error).split("\n", 1)[0][:200]


def short_error(error: BaseException) -> str:
    """An error in one line for a log: its type and the first line of its message (see `error_line`)."""
    return f"{type(error).__name__}: {error_line(error)}"


def _signature(error: BaseException) -> tuple[str, str, int]:
    """An exception's type and the innermost line of its traceback."""
    traceback = error.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    if traceback is None:
        return type(error).__qualname__, "", 0
    return type(error).__qualname__, traceback.tb_frame.f_code.co_filename, traceback.tb_lineno


def log_format_for(setting: str, stream: TextIO) -> str:
    """'json' or 'console': the setting, or for 'auto' readable text on a terminal and JSON otherwise."""
    if setting in ("json", "console"):
        return setting
    return "console" if stream.isatty() else "json"


def formatter(output: str, redactor: Redactor) -> logging.Formatter:
    """A logging formatter that renders records as JSON lines ('json') or readable text ('console')."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(sort_keys=False) if output == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _stdlib_fields,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _redacting(redactor),
            renderer,
        ],
    )


def configure_logging(level: str | int, output: str = "auto", *, secrets: Iterable[str | None] = (),
                      stream: TextIO | None = None) -> logging.Handler:
    """Sends every log line of the process (prepbot's and its libraries') to `stream` (standard error by
    default), rendered as `output` ('json', 'console' or 'auto') without secrets. Returns the handler installed."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(log_format_for(output, stream), Redactor(secrets)))
    handler.addFilter(RepeatedTracebacks())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    numeric = level if isinstance(level, int) else getattr(logging, str(level).upper(), logging.INFO)
    root.setLevel(numeric)
    # Libraries speak at our level, except the chatty ones, which only say what goes wrong.
    # (slack_sdk's web client notes each retry of a call, discord.py each login: a platform that is down would log
    # them again and again beside prepbot's own line per failure.)
    for name in ("alembic", "aiosqlite", "asyncio", "apscheduler", "slack_sdk.web.async_base_client",
                 "discord.client"):
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    return handler
