"""Logs are structured and never carry secrets.

Logs: one JSON object per line for machines, readable text on a terminal, with what each line is about, and
no token or secret, whoever logs it."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.domain.model import ChannelAddress
from bot.logs import REDACTED, Redactor, add_log_context, configure_logging, log_context, log_format_for
from entrypoints.settings import configured

CHANNEL = ChannelAddress("slack", "T123", "C456")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """The process's log output, as `prepbot run` configures it (JSON lines), with two known secrets. (The suite's
    conftest puts the logging set-up back after each test.)"""
    stream = io.StringIO()
    configure_logging("DEBUG", "json", secrets=["s3cret-signing-value", "plain-discord-token"], stream=stream)
    yield stream


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_each_line_is_a_json_object_with_level_logger_time_and_what_it_is_about(output: io.StringIO) -> None:
    with log_context(CHANNEL, round_id=42):
        logging.getLogger("prepbot.rounds").info("question %s posted", "q-7")

    [line] = lines(output)
    assert line["event"] == "question q-7 posted"
    assert line["level"] == "info" and line["logger"] == "prepbot.rounds"
    assert str(line["timestamp"]).endswith("Z")
    assert (line["platform"], line["workspace"], line["channel"], line["round"]) == ("slack", "T123", "C456", 42)


def test_what_a_block_adds_to_the_context_ends_with_the_block(output: io.StringIO) -> None:
    log = logging.getLogger("prepbot.due")
    with log_context(task=7):
        add_log_context(CHANNEL, round_id=3)
        log.info("inside")
    log.info("outside")

    inside, outside = lines(output)
    assert inside["task"] == 7 and inside["channel"] == "C456" and inside["round"] == 3
    assert "task" not in outside and "channel" not in outside and "round" not in outside


async def test_concurrent_tasks_each_log_their_own_channel(output: io.StringIO) -> None:
    async def work(channel: str) -> None:
        with log_context(ChannelAddress("discord", "G1", channel)):
            await asyncio.sleep(0)
            logging.getLogger("prepbot").info("working")

    await asyncio.gather(*(work(f"C{i}") for i in range(5)))

    assert sorted(str(line["channel"]) for line in lines(output)) == [f"C{i}" for i in range(5)]


def test_fields_passed_with_a_standard_logging_call_are_kept(output: io.StringIO) -> None:
    logging.getLogger("prepbot.answers").debug("stored", extra={"round": 9, "message_ref": "1700000000.000100"})

    [line] = lines(output)
    assert line["round"] == 9 and line["message_ref"] == "1700000000.000100"


@pytest.mark.parametrize(
    "secret",
    [
        "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp",
        "xoxp-1234-5678-abcdef",
        "xapp-1-A0123-456-abcdef0123456789",
        "MTA5ODc2NTQzMjEwOTg3NjU0.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456",
        "s3cret-signing-value",
        "plain-discord-token",
    ],
)
def test_tokens_and_configured_secrets_are_replaced_wherever_they_appear(output: io.StringIO, secret: str) -> None:
    log = logging.getLogger("slack_sdk.web")  # a library's line is rendered the same way as prepbot's
    log.info("calling with %s", secret)
    log.warning("request", extra={"headers": {"Authorization": f"Bearer {secret}"}, "body": [f"token={secret}"]})
    try:
        raise RuntimeError(f"the platform refused {secret}")
    except RuntimeError:
        log.exception("failed")

    text = output.getvalue()
    assert secret not in text
    assert text.count(REDACTED) >= 4
    assert len(lines(output)) == 3


def test_a_form_field_or_query_parameter_named_like_a_secret_keeps_its_name_but_not_its_value() -> None:
    redact = Redactor()
    assert redact("POST client_secret=abc123&code=xyz") == f"POST client_secret={REDACTED}&code=xyz"
    assert redact('{"token": "zzz-very-private"}') == f'{{"token": "{REDACTED}"}}'
    assert redact("Authorization: Bot abcdefghijklmnopqrstuvwx") == f"Authorization: Bot {REDACTED}"


def test_ordinary_text_and_ids_are_left_alone() -> None:
    redact = Redactor(["short"])  # secrets under six characters would blank out ordinary words; they are skipped
    text = "round 42 in C456 of T123 answered by U0001 at 1700000000.000100: short answer about KV caches"
    assert redact(text) == text


def test_the_settings_name_every_secret_including_the_database_password() -> None:
    settings = configured(slack_bot_token="xoxb-a", slack_signing_secret="sig", discord_token="dt",
                          database_url="postgresql+asyncpg://prepbot:pa55word@db:5432/prepbot")
    assert set(settings.secrets()) == {"xoxb-a", "sig", "dt", "pa55word"}


def test_a_terminal_gets_readable_lines_and_anything_else_gets_json() -> None:
    assert log_format_for("auto", Terminal()) == "console"
    assert log_format_for("auto", io.StringIO()) == "json"
    assert log_format_for("json", Terminal()) == "json"

    terminal = Terminal()
    configure_logging("INFO", "auto", secrets=["xoxb-terminal-secret"], stream=terminal)
    with log_context(CHANNEL, round_id=5):
        logging.getLogger("prepbot").warning("posting failed with xoxb-terminal-secret")

    text = terminal.getvalue()
    assert not text.lstrip().startswith("{")
    assert "posting failed with" in text and "warning" in text.lower()
    assert "channel=C456" in text and "round=5" in text
    assert "xoxb-terminal-secret" not in text


def test_an_interaction_or_webhook_token_inside_a_url_is_replaced_but_the_url_stays_readable() -> None:
    redact = Redactor()
    url = "POST https://discord.com/api/v10/interactions/1576855299686535173/aW50ZXJhY3Rpb246in5yobPoyc8pnZ496hS2/callback"
    assert redact(url) == f"POST https://discord.com/api/v10/interactions/1576855299686535173/{REDACTED}/callback"
    hook = "PATCH /api/v10/webhooks/900000000000000001/aW50ZXJhY3Rpb246abcdefghijklmnopqrst/messages/@original"
    assert redact(hook) == f"PATCH /api/v10/webhooks/900000000000000001/{REDACTED}/messages/@original"
