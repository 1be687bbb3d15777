"""Every test's logs, as prepbot renders them, are checked for tokens and secrets.

The whole process logs at debug level into a handler with prepbot's JSON formatter, whose redactor knows only
token shapes, not the secrets the tests use. After each test the lines it produced are searched for those secrets:
a line that carries one means some code logged a secret in a form the redactor would miss.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from bot.logs import Redactor, formatter

# Secrets the fakes and tests hand to prepbot, and the shapes of the ones they make up as they go.
TEST_SECRETS = re.compile(
    r"xox[abposre]-[A-Za-z0-9]"  # Slack bot and user tokens
    r"|xapp-[A-Za-z0-9]"  # Slack app-level tokens
    r"|fake-bot-token"  # the fake Discord's bot token
    r"|aW50ZXJhY3Rpb246[A-Za-z0-9_-]{8}"  # the fake Discord's interaction tokens
    r"|bench-signing-secret|test-signing-secret|fake-signing-secret"  # signing secrets
)


class LogLines(logging.Handler):
    """Keeps every line as prepbot's formatter renders it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(formatter("json", Redactor()))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record that cannot be rendered is a bug of its own; keep what we can
            self.lines.append(f"{record.name}: {record.msg!r} {record.args!r}")


@pytest.fixture(scope="session")
def _log_lines() -> Iterator[LogLines]:
    handler = LogLines()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


@pytest.fixture(autouse=True)
def no_secret_is_logged(_log_lines: LogLines) -> Iterator[None]:
    """Also puts the logging set-up back as it was: a test that runs `prepbot` in-process reconfigures it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    _log_lines.lines.clear()
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)
    leaked = [line for line in _log_lines.lines if TEST_SECRETS.search(line)]
    _log_lines.lines.clear()
    assert not leaked, f"{len(leaked)} log lines carry a secret, e.g.: {leaked[0][:500]}"
