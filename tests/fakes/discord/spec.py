"""Discord's HTTP API as its OpenAPI description has it, and how a request body is checked against it."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import jsonschema


SPECS_ROOT = Path(__file__).resolve().parents[2] / "specs"  # copies of the platforms' specs: tests/specs/README.md
DISCORD_SPEC = Path("discord") / "full" / "openapi.json"

HTTP_METHODS = frozenset({"get", "put", "post", "patch", "delete", "head", "options"})

# Body fields the spec lacks but Discord accepts and discord.py sends: (dotted path pattern, * = any index).
EXTRA_BODY_FIELDS: dict[str, frozenset[str]] = {
    "*": frozenset({"embeds.*.flags", "data.embeds.*.flags", "message.embeds.*.flags"}),
    "PUT /applications/{application_id}/commands": frozenset({"*.nsfw"}),
    # discord.py's handle_message_parameters always sends `tts`, edits included; Discord ignores it there
    "PATCH /channels/{channel_id}/messages/{message_id}": frozenset({"tts"}),
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original": frozenset({"tts"}),
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}": frozenset({"tts"}),
    "PUT /applications/{application_id}/guilds/{guild_id}/commands": frozenset({"*.nsfw"}),
}


class DiscordSpecsMissing(RuntimeError):
    """The platform spec copies in tests/specs are missing."""


@dataclass(frozen=True)
class RouteSpec:
    template: str  # "/channels/{channel_id}/messages", relative to /api/v10
    segments: tuple[str, ...]
    operations: Mapping[str, dict[str, Any]]  # "POST" -> operation object


class DiscordSpec:
    """Discord's HTTP API as its OpenAPI 3.1 description has it: routes, auth, query parameters, body schemas."""

    def __init__(self, root: Path) -> None:
        path = root / DISCORD_SPEC
        if not path.is_file():
            raise DiscordSpecsMissing(
                f"Discord platform spec not found: expected {path}. The copies ship with the repository in tests/specs; see tests/specs/README.md."
            )
        self.doc: dict[str, Any] = json.loads(path.read_text())
        self.schemas: dict[str, Any] = self.doc["components"]["schemas"]
        self.routes: list[RouteSpec] = []
        for template, item in self.doc["paths"].items():
            ops = {m.upper(): op for m, op in item.items() if m in HTTP_METHODS}
            self.routes.append(RouteSpec(template, tuple(template.strip("/").split("/")), ops))
        self._validators: dict[tuple[str, str, str], jsonschema.protocols.Validator] = {}

    def match(self, segments: list[str]) -> tuple[RouteSpec, dict[str, str]] | None:
        """The spec route for decoded path segments; literal segments win over parameters (/users/@me)."""
        best: tuple[int, RouteSpec, dict[str, str]] | None = None
        for route in self.routes:
            if len(route.segments) != len(segments):
                continue
            params: dict[str, str] = {}
            score = 0
            for pattern, seg in zip(route.segments, segments):
                if pattern.startswith("{") and pattern.endswith("}"):
                    if not seg:
                        break
                    params[pattern[1:-1]] = seg
                elif pattern == seg:
                    score += 1
                else:
                    break
            else:
                if best is None or score > best[0]:
                    best = (score, route, params)
        return (best[1], best[2]) if best else None

    def route(self, template: str) -> RouteSpec:
        return next(r for r in self.routes if r.template == template)

    def needs_auth(self, route: RouteSpec, method: str) -> bool:
        security = route.operations[method].get("security", self.doc.get("security", []))
        return bool(security) and {} not in security

    @staticmethod
    def query_params(route: RouteSpec, method: str) -> frozenset[str]:
        return frozenset(p["name"] for p in route.operations[method].get("parameters", []) if p.get("in") == "query")

    def body_schema(self, route: RouteSpec, method: str, content_type: str = "application/json") -> Any | None:
        body = route.operations[method].get("requestBody")
        if not body:
            return None
        content = body.get("content", {})
        entry = content.get(content_type) or content.get("application/json")
        return entry.get("schema") if entry else None

    def body_content_types(self, route: RouteSpec, method: str) -> frozenset[str]:
        body = route.operations[method].get("requestBody") or {}
        return frozenset(body.get("content", {}))

    def _with_components(self, schema: Any) -> dict[str, Any]:
        out = dict(schema) if isinstance(schema, dict) else {"allOf": [schema]}
        out["components"] = self.doc["components"]
        out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        return out

    def validator(self, route: RouteSpec, method: str) -> jsonschema.protocols.Validator | None:
        key = (route.template, method, "request")
        if key not in self._validators:
            schema = self.body_schema(route, method)
            if schema is None:
                return None
            self._validators[key] = jsonschema.Draft202012Validator(self._with_components(schema))
        return self._validators[key]

    def response_schema(self, template: str, method: str, status: int) -> dict[str, Any] | None:
        """The spec's JSON schema for a response, with components, or None when the spec has none."""
        op = self.route(template).operations[method.upper()]
        resp = op["responses"].get(str(status)) or op["responses"].get(f"{str(status)[0]}XX")
        if not resp or "content" not in resp:
            return None
        schema = resp["content"].get("application/json", {}).get("schema")
        return self._with_components(schema) if schema is not None else None

    # ---- which body fields the schema knows ----

    def _deref(self, schema: Any) -> Any:
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def _branches(self, schema: Any) -> list[dict[str, Any]]:
        schema = self._deref(schema)
        if not isinstance(schema, dict):
            return []
        out = [schema]
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(key, []):
                out += self._branches(sub)
        return out

    def unknown_fields(self, schema: Any, value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Paths of object keys in `value` that no branch of `schema` declares (the spec leaves them open)."""
        branches = self._branches(schema)
        found: list[tuple[Any, ...]] = []
        if isinstance(value, dict):
            objects = [b for b in branches if "properties" in b or "additionalProperties" in b]
            if not objects or any(b.get("additionalProperties") not in (None, False) for b in objects):
                return found
            props: dict[str, list[Any]] = {}
            for b in objects:
                for name, sub in b.get("properties", {}).items():
                    props.setdefault(name, []).append(sub)
            for key, sub_value in value.items():
                if key not in props:
                    found.append(path + (key,))
                else:
                    found += self.unknown_fields({"anyOf": props[key]}, sub_value, path + (key,))
        elif isinstance(value, list):
            items = [b["items"] for b in branches if isinstance(b.get("items"), dict)]
            if items:
                for i, item in enumerate(value):
                    found += self.unknown_fields({"anyOf": items}, item, path + (i,))
        return found


@functools.lru_cache(maxsize=4)
def load_spec(root: Path) -> DiscordSpec:
    return DiscordSpec(root)


def _closest_branch_error(err: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For a oneOf/anyOf failure, the error inside the branch the value was meant for: the branch whose own type
    (and `type` discriminator field) matched, so "choices: too long" beats "type: 3 is not one of [11]"."""
    if not err.context:
        return err
    branches: dict[Any, list[jsonschema.ValidationError]] = {}
    for e in err.context:
        branches.setdefault(e.schema_path[0] if e.schema_path else None, []).append(e)

    def off_target(e: jsonschema.ValidationError) -> bool:
        rel = list(e.relative_path)
        return rel == ["type"] or (not rel and e.validator in ("type", "const", "enum"))

    fitting = [errs for errs in branches.values() if not any(off_target(e) for e in errs)]
    chosen = min(fitting or list(branches.values()), key=len)
    best = jsonschema.exceptions.best_match(chosen)
    return _closest_branch_error(best) if best is not None else err


def _integer_snowflake(err: jsonschema.ValidationError) -> bool:
    """The spec types snowflakes as strings; Discord accepts JSON integers too (and attachment ids are the
    integer index of files[n] in its docs), which discord.py sends."""
    instance = err.instance
    if not isinstance(instance, int) or isinstance(instance, bool) or instance < 0:
        return False
    if isinstance(err.schema, dict) and err.schema.get("format") == "snowflake":
        return True
    return any(_integer_snowflake(e) for e in err.context or [])


def _pattern_matches(pattern: str, path: tuple[Any, ...]) -> bool:
    parts = pattern.split(".")
    if len(parts) != len(path):
        return False
    return all(p == "*" and isinstance(x, int) or p == str(x) for p, x in zip(parts, path))
