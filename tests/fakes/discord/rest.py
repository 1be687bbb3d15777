"""The REST API's door: reads a request, checks it against the spec and limits, rate limits it, dispatches it."""

from __future__ import annotations

import functools
import json
import math
import re
from typing import Any
from urllib.parse import unquote

import aiohttp
from aiohttp import web

from tests.fakes.discord.errors import _DiscordError, _flatten_errors
from tests.fakes.discord.limits import MAX_UPLOAD_BYTES
from tests.fakes.discord.model import Call, Handler, _Req, _Upload
from tests.fakes.discord.protocol import API_PREFIX, API_VERSION
from tests.fakes.discord.rate_limits import DiscordRateLimits
from tests.fakes.discord.spec import (
    EXTRA_BODY_FIELDS,
    RouteSpec,
    _closest_branch_error,
    _integer_snowflake,
    _pattern_matches,
)


GLOBAL_EXEMPT = ("/interactions/", "/webhooks/")  # interaction endpoints are not bound to the global limit


class DiscordRest(DiscordRateLimits):
    """Serves /api/v10: every call is checked and recorded, then answered by its route."""

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
        if status == 204:
            return web.Response(status=204, headers=headers)
        # Discord answers "application/json" without a charset; discord.py compares the header exactly.
        out = {"Content-Type": "application/json", **(headers or {})}
        return web.Response(status=status, body=json.dumps(body).encode(), headers=out)

    async def _read_body(self, request: web.Request) -> tuple[Any, list[_Upload], str, str | None]:
        """(body, uploads, kind, problem): kind is json, multipart, form, none or unsupported."""
        if not request.can_read_body:
            return None, [], "none", None
        ctype = request.content_type
        if ctype == "application/json":
            raw = await request.text()
            if not raw.strip():
                return None, [], "json", "empty JSON body"
            try:
                return json.loads(raw), [], "json", None
            except json.JSONDecodeError:
                return None, [], "json", "the body is not valid JSON"
        if ctype == "multipart/form-data":
            body: Any = {}
            uploads: list[_Upload] = []
            problem = None
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, aiohttp.BodyPartReader):
                    continue
                name = part.name or ""
                if part.filename is not None or re.fullmatch(r"files\[\d+\]|file\d*", name):
                    data = await part.read(decode=False)
                    uploads.append(_Upload(name, part.filename or name, bytes(data),
                                           part.headers.get("Content-Type", "application/octet-stream")))
                elif name == "payload_json":
                    try:
                        payload = json.loads(await part.text())
                    except json.JSONDecodeError:
                        problem = "payload_json is not valid JSON"
                        continue
                    if isinstance(payload, dict) and isinstance(body, dict):
                        body = {**body, **payload}
                    else:
                        body = payload
                else:
                    text = await part.text()
                    if isinstance(body, dict):
                        body[name] = text
            return body, uploads, "multipart", problem
        if ctype == "application/x-www-form-urlencoded":
            form = await request.post()
            return {k: form.get(k) for k in form}, [], "form", None
        await request.read()
        return None, [], "unsupported", f"unsupported Content-Type {ctype!r}"

    def _spec_body_problems(self, route: RouteSpec, method: str, body: Any) -> list[tuple[str, str]]:
        """(dotted path, problem) for the body against the spec's request schema and its known fields."""
        problems: list[tuple[str, str]] = []
        validator = self.spec.validator(route, method)
        schema = self.spec.body_schema(route, method)
        if validator is None or schema is None:
            return problems
        for err in validator.iter_errors(body):
            if _integer_snowflake(err):
                continue
            detail = _closest_branch_error(err)
            outer = ".".join(str(p) for p in err.absolute_path) or "(body)"
            where = ".".join(str(p) for p in detail.absolute_path) or "(body)"
            message = detail.message
            if len(message) > 160:
                message = message[:80] + " … " + message[-60:]
            problems.append((outer, f"{where}: {message} (spec)"))
        allowed = EXTRA_BODY_FIELDS["*"] | EXTRA_BODY_FIELDS.get(f"{method} {route.template}", frozenset())
        for path in self.spec.unknown_fields(schema, body):
            if not any(_pattern_matches(p, path) for p in allowed):
                dotted = ".".join(str(p) for p in path)
                problems.append((dotted, f"{dotted}: unknown field (not in the spec)"))
        return problems

    async def _serve_rest(self, request: web.Request) -> web.Response:
        raw = request.raw_path.split("?", 1)[0]
        method = request.method.upper()
        query = {k: request.query.get(k, "") for k in request.query}
        body, uploads, kind, body_problem = await self._read_body(request)
        rel = raw[len(API_PREFIX):] if raw.startswith(API_PREFIX + "/") else None
        rel_decoded = unquote(rel) if rel is not None else unquote(raw)
        files = [(u.field, u.filename, len(u.data)) for u in uploads]
        spec_problems: list[tuple[str, str]] = []  # recorded when answering, minus paths a documented limit flagged
        limit_paths: set[str] = set()

        def finish(
            status: int, response: Any, template: str | None, headers: dict[str, str] | None = None
        ) -> web.Response:
            if status != 429:  # the retry carries the same body
                for path, problem in spec_problems:
                    # a documented limit already reported at (or under) this path says it better
                    if not any(lp == path or lp.startswith(path + ".") or path == "(body)" for lp in limit_paths):
                        self._violation(f"{method} {template or rel_decoded}", problem)
            self.calls.append(Call(method, rel_decoded, template, query, body, files, status, response))
            return self._json(status, response, headers)

        if rel is None:
            self._violation(f"{method} {raw}", f"not under {API_PREFIX} (the fake serves API v{API_VERSION} only)")
            return finish(404, {"message": "404: Not Found", "code": 0}, None)
        segments = [unquote(s) for s in rel.strip("/").split("/")]
        matched = self.spec.match(segments)
        where = f"{method} {rel_decoded}"
        if matched is None:
            self._violation(where, "no such route in Discord's API spec")
            return finish(404, {"message": "404: Not Found", "code": 0}, None)
        route, params = matched
        where = f"{method} {route.template}"
        if method not in route.operations:
            self._violation(where, f"method not in the spec (it has {', '.join(sorted(route.operations))})")
            return finish(405, {"message": "405: Method Not Allowed", "code": 0}, route.template)

        # authorization
        auth = request.headers.get("Authorization")
        if auth is not None or self.spec.needs_auth(route, method):
            if auth is None or not auth.startswith("Bot "):
                self._violation(where, "Authorization header must be `Bot <token>`" if auth is not None
                                else "no Authorization header (expected `Bot <token>`)")
                return finish(401, {"message": "401: Unauthorized", "code": 0}, route.template)
            if auth[4:] != self.token:
                return finish(401, {"message": "401: Unauthorized", "code": 0}, route.template)

        agent = request.headers.get("User-Agent", "")
        if auth is not None and not agent.startswith("DiscordBot ("):  # bot-token calls must identify the library
            self._violation(where, f"User-Agent {agent!r} is not `DiscordBot ($url, $versionNumber)` as Discord "
                                   "requires")

        # the spec: query parameters and body
        unknown_query = sorted(set(query) - self.spec.query_params(route, method))
        if unknown_query:
            self._violation(where, f"unknown query parameter(s) {', '.join(unknown_query)} (not in the spec)")
        if body_problem:
            self._violation(where, body_problem)
        ctypes = self.spec.body_content_types(route, method)
        if kind in ("json", "multipart", "form"):
            wanted = {"json": "application/json", "multipart": "multipart/form-data",
                      "form": "application/x-www-form-urlencoded"}[kind]
            if not ctypes:
                if body is not None or uploads:
                    self._violation(where, "a body was sent but this route takes none")
            elif wanted not in ctypes:
                self._violation(where, f"{wanted} bodies are not accepted here (spec: {', '.join(sorted(ctypes))})")
        if body is not None and self.spec.body_schema(route, method) is not None:
            spec_problems += self._spec_body_problems(route, method, body)
        elif body is None and (route.operations[method].get("requestBody") or {}).get("required") and not uploads:
            self._violation(where, "the spec requires a request body")

        # Discord's global limit, counted for calls with the bot's token
        if (self.global_rate_limit is not None and auth is not None
                and not rel_decoded.startswith(GLOBAL_EXEMPT)):
            wait = self._global_wait()
            if wait > 0:
                headers = {"Retry-After": str(max(1, math.ceil(wait))), "X-RateLimit-Global": "true",
                           "X-RateLimit-Scope": "global", "Via": "1.1 google"}
                answer = {"message": "You are being rate limited.", "retry_after": round(wait, 3), "global": True}
                return finish(429, answer, route.template, headers)

        # rate limits set up by the test
        for rule in self._rate_limits:
            if rule.remaining > 0 and rule.method == method and rel_decoded.startswith(rule.prefix):
                rule.remaining -= 1
                headers = {
                    "Retry-After": str(max(1, math.ceil(rule.retry_after))),
                    "X-RateLimit-Scope": "global" if rule.global_ else "user",
                    "Via": "1.1 google",
                }
                if rule.global_:
                    headers["X-RateLimit-Global"] = "true"
                else:
                    headers.update(self._ratelimit_headers(method, route.template, 0, rule.retry_after))
                answer = {"message": "You are being rate limited.", "retry_after": rule.retry_after,
                          "global": rule.global_}
                return finish(429, answer, route.template, headers)

        # server errors set up by the test
        for failing in self._server_errors:
            if failing.remaining > 0 and failing.method == method and rel_decoded.startswith(failing.prefix):
                failing.remaining -= 1
                return finish(failing.status, {"message": f"{failing.status}: Server Error", "code": 0},
                              route.template)

        handler = self._handlers.get((method, route.template))
        if handler is None:
            self._violation(where, "FakeDiscord does not implement this route yet (it is in Discord's spec)")
            return finish(404, {"message": "404: Not Found", "code": 0}, route.template)
        if sum(len(u.data) for u in uploads) > MAX_UPLOAD_BYTES:
            self._violation(where, f"uploads total {sum(len(u.data) for u in uploads)} bytes (max {MAX_UPLOAD_BYTES})")
            return finish(413, {"message": "Request entity too large", "code": 40005}, route.template)
        req = _Req(method, rel_decoded, route, params, query, body, uploads)
        try:
            status, response = await handler(req)
        except _DiscordError as e:
            # A 400 is always a request Discord refuses: record it. (403/404 follow from the scene a test set up;
            # handlers record the other bot mistakes themselves, e.g. a second acknowledgement.)
            if e.code == 50035 and e.errors:
                for path, line in _flatten_errors(e.errors):
                    limit_paths.add(path)
                    self._violation(where, line)
            elif e.status == 400 and e.code != 40060:
                self._violation(where, f"{e.message} ({e.code})")
            return finish(e.status, e.body(), route.template)
        return finish(status, response, route.template, self._ratelimit_headers(method, route.template))

    async def _serve_attachment(self, request: web.Request) -> web.Response:
        aid = request.match_info["attachment_id"]
        for msg in self._all_messages.values():
            if aid in msg.files:
                return web.Response(body=msg.files[aid], content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found", content_type="text/plain")

    def _routes(self) -> dict[tuple[str, str], Handler]:
        """The REST routes the fake serves, (method, spec template) -> handler (the complete fake lists them all)."""
        return {}

    @functools.cached_property
    def _handlers(self) -> dict[tuple[str, str], Handler]:
        return self._routes()
