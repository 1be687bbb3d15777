"""Under Slack's workspace-wide posting limit, every question goes out exactly once.

Slack's workspace-wide limit on chat.postMessage: the fake answers 429 with Retry-After over it, and our chat port
slows down to it (learning the pace from the 429s) and posts every question exactly once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.chat import SingleWorkspaceTokens, SlackChat, SlackClients, WorkspacePacer
from bot.cards import QuestionCard
from bot.domain.model import ChannelAddress
from tests.fakes.slack import FakeSlack

RATE = 40.0  # messages per second per workspace
BURST = 5
CHANNELS = 160
IN_FLIGHT = 32  # posts at once, as many as due work runs at once


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(enforce_channel_pace=True, workspace_rate=RATE, workspace_burst=BURST) as fake:
        for team in ("T1", "T2"):
            fake.add_workspace(team, name=team)
        for i in range(CHANNELS):
            fake.add_channel("T1", f"C{i:03d}", f"team-{i}")
        fake.add_channel("T2", "COTHER", "elsewhere")
        yield fake


def card(n: int) -> QuestionCard:
    return QuestionCard(round_id=n, question_id=f"q{n}", level_label="Advanced", question=f"Question {n}?",
                        deadline_at=datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc), tz="Europe/Berlin")


async def test_the_fake_answers_429_with_retry_after_once_a_workspace_is_over_its_limit(slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-T1", base_url=f"{slack.url}/api/", retry_handlers=[])
    for i in range(BURST):  # a burst is allowed, in different channels so the per-channel pace plays no part
        assert (await client.chat_postMessage(channel=f"C{i:03d}", text="hi"))["ok"]

    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=f"C{BURST:03d}", text="one too many")

    assert refused.value.response.status_code == 429
    assert refused.value.response["error"] == "ratelimited"
    assert refused.value.response.headers["Retry-After"] == "1"
    assert slack.top_level(f"C{BURST:03d}") == []  # refused means not posted
    other = AsyncWebClient(token="xoxb-T2", base_url=f"{slack.url}/api/", retry_handlers=[])
    assert (await other.chat_postMessage(channel="COTHER", text="another workspace"))["ok"]  # a bucket per workspace
    await asyncio.sleep(1.5 / RATE)
    assert (await client.chat_postMessage(channel=f"C{BURST:03d}", text="later"))["ok"]  # the bucket refills
    assert slack.workspace_limited == 1
    assert slack.violations == []  # the limit is unpublished: meeting it is not a mistake, ignoring 429s would be


async def test_our_chat_posts_every_question_exactly_once_through_the_limit_and_learns_its_pace(
    slack: FakeSlack
) -> None:
    clients = SlackClients(f"{slack.url}/api/")
    chat = SlackChat(SingleWorkspaceTokens("xoxb-T1", clients), clients)
    slots = asyncio.Semaphore(IN_FLIGHT)

    async def post(i: int) -> str:
        async with slots:
            return await chat.post_question(ChannelAddress("slack", "T1", f"C{i:03d}"), card(i))

    try:
        began = time.monotonic()
        refs = await asyncio.gather(*(post(i) for i in range(CHANNELS)))
        took = time.monotonic() - began
    finally:
        await clients.close()

    posts = {f"C{i:03d}": [m.ts for m in slack.top_level(f"C{i:03d}")] for i in range(CHANNELS)}
    assert posts == {f"C{i:03d}": [refs[i]] for i in range(CHANNELS)}  # each once, and the one we recorded
    assert took >= (CHANNELS - BURST) / RATE * 0.9  # the fake really held it to its limit
    refused = [c for c in slack.calls_to("chat.postMessage") if c.http_status == 429]
    assert refused, "the limit was never reached: the test proves nothing"
    # Learning the pace, not hammering: the first burst is refused, then hardly anything (blind retries after each
    # Retry-After would have most of every burst refused again).
    assert len(refused) < IN_FLIGHT + 10, len(refused)
    pacer = clients.pacer("xoxb-T1", "chat.postMessage")
    # About the limit: a stall of the shared event loop lets the fake's bucket refill, so a busy machine can see a
    # burst get through and learn a pace somewhat above RATE; never unpaced, never far off.
    assert pacer.rate is not None and RATE * 0.5 <= pacer.rate <= RATE * 1.5, pacer.rate
    assert slack.violations == []


async def test_the_pacer_waits_out_retry_after_and_then_spaces_calls_at_the_pace_that_got_through() -> None:
    now = [100.0]
    pacer = WorkspacePacer(monotonic=lambda: now[0])
    assert await pacer.turn() == 100.0  # unpaced until the first 429
    for _ in range(40):  # 20 a second get through for two seconds
        pacer.succeeded()
        now[0] += 0.05
    pacer.limited(retry_after=1.0, sent_at=now[0])

    assert pacer.rate == pytest.approx(0.95 * 20, rel=0.05)
    assert pacer.next_turn_at() == pytest.approx(now[0] + 1.0)  # nobody goes before the Retry-After
    pacer.limited(retry_after=1.0, sent_at=now[0] - 0.01)  # a call in flight before the cut: no second cut
    assert pacer.rate == pytest.approx(0.95 * 20, rel=0.05)
