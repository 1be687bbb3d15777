"""Bad requests to the Slack endpoint are refused with one short log line.

A request Slack did not sign is refused 401 and one not shaped as Slack sends them 400: each with one short log
line that never holds the body (it may be what members wrote), and never a 500 or a traceback."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import aiohttp
import pytest

from tests.adapters import slack_payloads as payloads
from tests.adapters.slack_team import slack_team

SECRET_WORDS = "my-private-answer-text"


def forged_reply(size: int) -> str:
    body = payloads.thread_reply("T1", "UBOT", "C1", "UBEN", SECRET_WORDS * (size // len(SECRET_WORDS)),
                                 "1764489600.000200", "1764489600.000100")
    return json.dumps(body)


async def test_forged_requests_are_refused_with_one_short_line_each_and_never_their_body(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with slack_team(tmp_path, "http") as team:
        caplog.clear()
        caplog.set_level(logging.DEBUG)
        url = f"{team.live.http_url}/slack/events"
        body = forged_reply(800_000)

        statuses = [(await team.slack.send_signed(url, body, "application/json", secret="forged"))[0]
                    for _ in range(5)]
        statuses.append((await team.slack.send_signed(url, body, "application/json",
                                                      timestamp=int(time.time()) - 600))[0])  # replayed

        assert statuses == [401] * 6
        assert all(SECRET_WORDS not in record.getMessage() for record in caplog.records)
        refusals = [r for r in caplog.records if r.levelno >= logging.INFO and r.name.startswith(("prepbot", "slack"))]
        assert len(refusals) == 6 and all(len(r.getMessage()) < 200 for r in refusals)
        assert team.slack.calls_to("reactions.add") == []


@pytest.mark.parametrize("body, content_type", [
    ("{not json", "application/json"),
    ("[1, 2, 3]", "application/json"),
    ('{"event": {"type": "message"}}', "application/json"),
    ("", "application/json"),
    ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
    ("text=stats&command=%2Fprep", "application/x-www-form-urlencoded"),
    ("%%%", "application/x-www-form-urlencoded"),
    ("hello", "text/plain"),
    ("\udcff", "application/json"),
], ids=["bad-json", "json-array", "no-type", "empty", "bad-payload", "command-without-team", "bad-form", "text",
        "not-utf8"])
async def test_a_signed_but_malformed_request_is_refused_400_without_a_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    async with slack_team(tmp_path, "http") as team:
        caplog.clear()
        raw = body.encode("utf-8", "surrogateescape")
        timestamp = int(time.time())
        signature = "v0=" + __import__("hmac").new(
            team.slack.signing_secret.encode(), f"v0:{timestamp}:".encode() + raw, "sha256").hexdigest()
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{team.live.http_url}/slack/events", data=raw, headers={
                "Content-Type": content_type, "X-Slack-Request-Timestamp": str(timestamp),
                "X-Slack-Signature": signature,
            }) as response:
                status = response.status

        assert status == 400
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]

