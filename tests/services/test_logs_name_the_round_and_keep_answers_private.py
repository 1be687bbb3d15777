"""The core's logs name the round and keep answers private.

What the core logs while a round runs: each line names its channel and round, and what members wrote appears
only when an operator asks for debug logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging
from tests.services.team import GENERAL, MONDAY, Team, berlin, open_question

ANSWER = "batching with a canary rollout and a warm KV cache"


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """The JSON lines prepbot writes, captured (the suite's conftest puts the logging set-up back afterwards)."""
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    yield stream


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]


async def test_the_post_and_the_reveal_are_logged_with_their_platform_workspace_channel_and_round(
    team: Team, logged: io.StringIO
) -> None:
    question = await open_question(team)
    await team.answer(question, ANSWER)
    await team.until(berlin(MONDAY, 18, 0))

    lines = [r for r in records(logged) if r["logger"] == "prepbot.rounds"]
    posted = [r for r in lines if "posted, answers until" in str(r["event"])]
    revealed = [r for r in lines if "reveal posted" in str(r["event"])]
    assert posted and revealed
    for line in (posted[0], revealed[0]):
        assert line["platform"] == GENERAL.platform
        assert line["workspace"] == GENERAL.workspace
        assert line["channel"] == GENERAL.channel
        assert line["round"] == question.question.round_id


async def test_an_answer_text_is_not_logged_at_info_level(team: Team, logged: io.StringIO) -> None:
    question = await open_question(team)
    await team.answer(question, ANSWER)

    assert ANSWER not in logged.getvalue()


async def test_an_answer_text_is_logged_at_debug_level_with_its_round(team: Team, logged: io.StringIO) -> None:
    logging.getLogger().setLevel(logging.DEBUG)
    question = await open_question(team)
    await team.answer(question, ANSWER)

    [line] = [r for r in records(logged) if ANSWER in str(r["event"])]
    assert line["level"] == "debug" and line["round"] == question.question.round_id
    assert line["channel"] == GENERAL.channel
