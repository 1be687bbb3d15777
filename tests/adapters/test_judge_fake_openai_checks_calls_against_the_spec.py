"""The fake OpenAI-compatible server checks requests against OpenAI's spec, and its own replies match it."""

from __future__ import annotations

import json

import aiohttp
import pytest
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam

from tests.fakes.openai import FakeOpenAI

RUBRIC = json.dumps({"key_points": [{"number": 1, "point": "continuous batching"}]})
GOOD = {"model": "m", "messages": [{"role": "system", "content": "Grade."}, {"role": "user", "content": RUBRIC},
                                   {"role": "user", "content": json.dumps({"answer": "We use continuous batching."})}]}


async def post(server: FakeOpenAI, body: object) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.url}/chat/completions", json=body,
                                headers={"Authorization": "Bearer sk-test"}) as response:
            return response.status, await response.json()


async def test_a_request_the_spec_allows_is_answered_without_violations() -> None:
    async with FakeOpenAI() as server:
        status, reply = await post(server, GOOD)
    assert status == 200 and server.violations == []
    assert server.spec.problems(server.spec.response, reply) == []


@pytest.mark.parametrize("body, named", [
    ({"messages": GOOD["messages"]}, "'model' is a required property"),
    ({**GOOD, "messages": []}, "messages"),
    ({**GOOD, "temperature": 7}, "temperature"),
    ({**GOOD, "response_format": {"type": "json_schema"}}, "response_format"),
    ({**GOOD, "rubric": "x"}, "rubric: not a field"),
    ({**GOOD, "response_format": {"type": "json_schema", "json_schema": {
        "name": "j", "strict": True, "schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}},
     "additionalProperties false"),
])
async def test_a_request_the_spec_forbids_is_recorded_as_a_violation(body: dict[str, object], named: str) -> None:
    async with FakeOpenAI() as server:
        await post(server, body)
    assert any(named in v for v in server.violations), server.violations


@pytest.mark.parametrize("behaviour", ["well", "invent", "obey", "fenced", "prose", "invalid_json", "rate_limit",
                                       "fail", "unavailable"])
async def test_every_reply_of_the_fake_matches_the_spec(behaviour: str) -> None:
    async with FakeOpenAI(behaviour=behaviour) as server:
        status, reply = await post(server, GOOD)
    validator = server.spec.response if status == 200 else server.spec.error
    assert server.spec.problems(validator, reply) == [] and server.violations == []


async def test_the_real_sdk_reads_the_fakes_reply() -> None:
    async with FakeOpenAI() as server:
        client = AsyncOpenAI(base_url=server.url, api_key="sk-test", max_retries=0)
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": "Grade."},
            {"role": "user", "content": RUBRIC},
            {"role": "user", "content": json.dumps({"answer": "We use continuous batching."})},
        ]
        assert messages == GOOD["messages"]
        completion = await client.chat.completions.create(model="m", messages=messages)
        await client.close()
    points = json.loads(completion.choices[0].message.content or "")["points"]
    assert points == [{"covered": True, "quote": "We use continuous batching."}]
    assert server.violations == []
