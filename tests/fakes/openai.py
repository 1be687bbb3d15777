"""A fake OpenAI-compatible chat-completions server on loopback, for the AI judge's tests and bench.

The real `openai` SDK talks to it over HTTP:

    async with FakeOpenAI() as server:
        client = AsyncOpenAI(base_url=server.url, api_key="sk-test", max_retries=0)

Every POST /chat/completions body is checked against OpenAI's published spec (CreateChatCompletionRequest in
tests/specs/openai, plus the Structured Outputs rules for a strict json_schema, which the spec only links to);
problems are appended to `violations` and the call is still answered, so a test sees the rest of what happened;
tests assert `violations == []` at the end. Every answer the fake gives is checked against the
spec's CreateChatCompletionResponse (or ErrorResponse) the same way.

What it answers is a scripted judge: it reads the rubric and the answer from the request and, by `behaviour`
(for every request) or the `script` queue (one behaviour per request, first), it:

- "well": grades honestly, quoting the answer's own sentence for each key point it mentions;
- "late": does the same after `delay` seconds (the client times out first);
- "invalid_json": replies with broken JSON; "prose_only": with prose and no JSON;
- "fenced": wraps good JSON in markdown code fences; "prose": puts prose around good JSON;
- "invent": marks every point covered, quoting the key points themselves (words the answer never says);
- "obey": a naive judge that obeys instructions in the answer: when the answer says to ignore the rubric, every
  point is covered, quoting the key point; "obey_quoting_answer": the same, quoting the answer's instruction;
- "no_feedback": grades honestly but leaves the feedback empty;
- "rate_limit": 429 with Retry-After `retry_after` (seconds, or a string such as an HTTP date, sent as it is);
  "fail": 500; "unavailable": 503.

`formats` are the response_format types the server accepts; a request asking for another gets 400 naming
response_format, as servers without Structured Outputs answer. With `fixed_temperature`, a temperature other than 1
gets 400 naming temperature, as reasoning models answer. `latency` delays every answer (for the bench).
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import re
import socket
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from aiohttp import web

SPECS_ROOT = Path(__file__).resolve().parents[1] / "specs"
SPEC_FILE = Path("openai") / "chat-completions.openapi.json"
INJECTION = re.compile(r"ignore (?:the|all|your) (?:rubric|instructions)", re.I)


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` (which the 3.1 spec still uses) as JSON Schema's type union with null."""
    if isinstance(node, list):
        return [_nullable(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items()}
    if out.pop("nullable", False):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        elif "type" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class OpenAISpec:
    """The chat-completions request and response schemas from OpenAI's OpenAPI document."""

    def __init__(self, root: Path) -> None:
        path = root / SPEC_FILE
        if not path.is_file():
            raise FileNotFoundError(f"OpenAI spec not found at {path}; see tests/specs/README.md")
        self.doc: dict[str, Any] = _nullable(json.loads(path.read_text(encoding="utf-8")))
        self.request = self._validator("CreateChatCompletionRequest")
        self.response = self._validator("CreateChatCompletionResponse")
        self.error = self._validator("ErrorResponse")
        self.request_fields = self._fields(self.doc["components"]["schemas"]["CreateChatCompletionRequest"])

    def _validator(self, name: str) -> jsonschema.protocols.Validator:
        schema = {"$ref": f"#/components/schemas/{name}", "components": self.doc["components"],
                  "$schema": "https://json-schema.org/draft/2020-12/schema"}
        return jsonschema.Draft202012Validator(schema)

    def _fields(self, schema: dict[str, Any]) -> frozenset[str]:
        if "$ref" in schema:
            return self._fields(self.doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
        names = set(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            names |= self._fields(part)
        return frozenset(names)

    def problems(self, validator: jsonschema.protocols.Validator, body: Any) -> list[str]:
        return [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message[:300]}"
                for e in sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path)))]


@functools.lru_cache(maxsize=2)
def load_spec(root: Path) -> OpenAISpec:
    return OpenAISpec(root)


@dataclass
class Request:
    """A request the fake received, with what it answered."""

    body: dict[str, Any]
    behaviour: str
    status: int
    reply: dict[str, Any]


_WORD = re.compile(r"[^\W_]{4,}")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _WORD.findall(text.casefold())}


class FakeOpenAI:
    """An OpenAI-compatible chat-completions endpoint on 127.0.0.1 whose judge can be told how to behave."""

    def __init__(self, *, behaviour: str = "well", formats: frozenset[str] = frozenset(
                 {"text", "json_object", "json_schema"}), latency: float = 0.0, delay: float = 30.0,
                 retry_after: float | str = 2.0, model: str = "fake-judge-1", fixed_temperature: bool = False,
                 specs_dir: Path | None = None) -> None:
        self.spec = load_spec((specs_dir or SPECS_ROOT).resolve())
        self.behaviour = behaviour
        self.script: deque[str] = deque()
        self.formats = set(formats)
        self.latency = latency
        self.delay = delay
        self.retry_after = retry_after
        self.model = model
        self.fixed_temperature = fixed_temperature  # like reasoning models: any temperature but 1 is refused
        self.requests: list[Request] = []
        self.violations: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ---- lifecycle ----

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_route("*", "/v1/chat/completions", self._serve)
        app.router.add_route("*", "/v1/{tail:.*}", self._not_found)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeOpenAI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """The base URL a client is given (with /v1, as OpenAI's)."""
        if self._port is None:
            raise RuntimeError("FakeOpenAI is not started: await start() or use `async with FakeOpenAI()`")
        return f"http://127.0.0.1:{self._port}/v1"

    # ---- serving ----

    def _violation(self, problem: str) -> None:
        self.violations.append(f"POST /chat/completions: {problem}")

    async def _not_found(self, request: web.Request) -> web.Response:
        self.violations.append(f"{request.method} {request.path}: not an endpoint the judge should call")
        return self._error(404, "Unknown endpoint.", "invalid_request_error", None)

    def _error(self, status: int, message: str, kind: str, param: str | None,
               headers: dict[str, str] | None = None) -> web.Response:
        body = {"error": {"message": message, "type": kind, "param": param, "code": None}}
        for problem in self.spec.problems(self.spec.error, body):
            self._violation(f"the fake's own error reply: {problem}")
        return web.json_response(body, status=status, headers=headers)

    async def _serve(self, request: web.Request) -> web.Response:
        if request.method != "POST":
            self._violation(f"method {request.method}")
            return self._error(405, "Method not allowed.", "invalid_request_error", None)
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            self._violation("no Authorization: Bearer header")
        if request.content_type != "application/json":
            self._violation(f"content type {request.content_type}")
        try:
            body = json.loads(await request.read())
        except ValueError:
            self._violation("body is not JSON")
            return self._error(400, "We could not parse the JSON body of your request.", "invalid_request_error", None)
        for problem in self.spec.problems(self.spec.request, body):
            self._violation(problem)
        if isinstance(body, dict):
            for name in sorted(set(body) - self.spec.request_fields):
                self._violation(f"{name}: not a field of CreateChatCompletionRequest")
        else:
            return self._error(400, "Body must be an object.", "invalid_request_error", None)
        for problem in _strict_schema_problems(body.get("response_format")):
            self._violation(f"response_format: {problem}")
        behaviour = self.script.popleft() if self.script else self.behaviour
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            response = await self._answer(body, behaviour)
        finally:
            self.in_flight -= 1
        reply = json.loads(response.body) if isinstance(response.body, bytes) else {}
        self.requests.append(Request(body, behaviour, response.status, reply))
        return response

    async def _answer(self, body: dict[str, Any], behaviour: str) -> web.Response:
        fmt = (body.get("response_format") or {}).get("type", "text")
        if fmt not in self.formats:
            return self._error(400, f"Invalid parameter: 'response_format' of type '{fmt}' is not supported with "
                               "this model.", "invalid_request_error", "response_format")
        if self.fixed_temperature and body.get("temperature", 1) != 1:
            return self._error(400, f"Unsupported value: 'temperature' does not support {body['temperature']} with "
                               "this model. Only the default (1) value is supported.", "invalid_request_error",
                               "temperature")
        if behaviour == "rate_limit":
            return self._error(429, "Rate limit reached for requests. Please try again later.", "requests",
                               None, headers={"Retry-After": self.retry_after if isinstance(self.retry_after, str)
                                                 else f"{self.retry_after:g}"})
        if behaviour == "fail":
            return self._error(500, "The server had an error while processing your request.", "server_error", None)
        if behaviour == "unavailable":
            return self._error(503, "The engine is currently overloaded.", "server_error", None)
        if behaviour == "late":
            await asyncio.sleep(self.delay)
        return self._completion(body, self._content(body, behaviour))

    def _content(self, body: dict[str, Any], behaviour: str) -> str:
        if behaviour == "invalid_json":
            return '{"points": [{"covered": true, "quote": "the'
        if behaviour == "prose_only":
            return "This is a solid answer that covers most of the key points."
        rubric, answer = _read_request(body.get("messages", []))
        points = [p["point"] for p in rubric.get("key_points", [])]
        obeying = behaviour in ("obey", "obey_quoting_answer") and INJECTION.search(answer)
        judged: list[dict[str, Any]] = []
        for point in points:
            if behaviour == "invent" or (obeying and behaviour == "obey"):
                judged.append({"covered": True, "quote": point})
            elif obeying:
                instruction = next((s.strip() for s in _SENTENCE.findall(answer) if INJECTION.search(s)), answer)
                judged.append({"covered": True, "quote": instruction})
            else:
                judged.append(_grade(point, answer))
        covered = sum(p["covered"] for p in judged)
        feedback = "" if behaviour == "no_feedback" else (f"You covered {covered} of {len(points)} key points. "
                                                          "Name what is missing next time.")
        reply = json.dumps({"points": judged, "feedback": feedback})
        if behaviour == "fenced":
            return f"```json\n{reply}\n```"
        if behaviour == "prose":
            return f"Here is my grading of the answer:\n{reply}\nI hope this helps."
        return reply

    def _completion(self, body: dict[str, Any], content: str) -> web.Response:
        reply = {
            "id": f"chatcmpl-fake{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(body.get("model") or self.model),
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": content, "refusal": None, "annotations": []}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
        }
        for problem in self.spec.problems(self.spec.response, reply):
            self._violation(f"the fake's own reply: {problem}")
        return web.json_response(reply)


def _strict_schema_problems(response_format: Any) -> list[str]:
    """What OpenAI's Structured Outputs refuse in a strict json_schema (documented in its guide, not in the
    OpenAPI spec): every object must list all its properties as required and forbid additional ones."""
    if not isinstance(response_format, dict) or response_format.get("type") != "json_schema":
        return []
    spec = response_format.get("json_schema") or {}
    if not spec.get("strict"):
        return []
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(spec.get("name", ""))):
        return [f"json_schema.name {spec.get('name')!r} is not 1-64 letters, digits, _ or -"]
    problems: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object":
                if node.get("additionalProperties") is not False:
                    problems.append(f"{where}: strict schemas need additionalProperties false")
                if set(node.get("required", [])) != set(node.get("properties", {})):
                    problems.append(f"{where}: strict schemas need every property required")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(spec.get("schema"), "json_schema/schema")
    return problems


def _read_request(messages: list[Any]) -> tuple[dict[str, Any], str]:
    """The rubric and the answer the judge was sent (the user messages holding key_points and answer)."""
    rubric: dict[str, Any] = {}
    answer = ""
    for message in messages:
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        try:
            data = json.loads(message.get("content") or "")
        except (TypeError, ValueError):
            continue
        if isinstance(data, dict) and "key_points" in data:
            rubric = data
        elif isinstance(data, dict) and "answer" in data:
            answer = str(data["answer"])
    return rubric, answer


def _grade(point: str, answer: str) -> dict[str, Any]:
    """An honest grade: covered when a sentence of the answer shares two stems with the key point (one for a
    point with fewer), quoting that sentence."""
    wanted = _stems(point)
    best, shared = "", 0
    for sentence in _SENTENCE.findall(answer):
        n = len(wanted & _stems(sentence))
        if n > shared:
            best, shared = sentence.strip(), n
    if shared >= min(2, len(wanted)) and shared > 0:
        return {"covered": True, "quote": best}
    return {"covered": False, "quote": ""}
