"""Slack's Web API as its published specs describe it: methods, their arguments and response schemas."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


SPECS_ROOT = Path(__file__).resolve().parents[2] / "specs"  # copies of the platforms' specs: tests/specs/README.md

OFFICIAL_SPEC = Path("slack") / "web-api" / "slack_web_openapi_v2_without_examples.json"
COMMUNITY_DIR = Path("slack") / "community" / "slack-api-ref"


class SlackSpecsMissing(RuntimeError):
    """The platform spec copies in tests/specs are missing."""


@dataclass(frozen=True)
class MethodSpec:
    name: str
    verbs: frozenset[str]  # HTTP verbs the spec declares, lower case ("post", "get")
    params: frozenset[str]  # every argument name the spec knows (official and community together)
    required: frozenset[str]  # required arguments, without `token`
    needs_token: bool
    json_input: bool | None  # community "json_input_supported", None when unknown


def normalise_schema(node: Any) -> Any:
    """Rewrite the OpenAPI 2.0 tuple quirk `items: [A, {type: null}]` ("A or null") into `anyOf`."""
    if isinstance(node, list):
        return [normalise_schema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: normalise_schema(v) for k, v in node.items()}
    items = out.get("items")
    if isinstance(items, list):
        if out.get("type") == "array":
            out["items"] = {"anyOf": items}
        else:
            del out["items"]
            out["anyOf"] = items
    return out


class SlackSpec:
    """Slack's Web API methods as the official spec and the community schemas describe them."""

    def __init__(self, root: Path) -> None:
        official_path = root / OFFICIAL_SPEC
        community_dir = root / COMMUNITY_DIR
        if not official_path.is_file() or not community_dir.is_dir():
            raise SlackSpecsMissing(
                f"Slack platform specs not found: expected {official_path} and {community_dir}. "
                "The copies ship with the repository in tests/specs; see tests/specs/README.md."
            )
        self.root = root
        self.official: dict[str, Any] = json.loads(official_path.read_text())
        self.community: dict[str, dict[str, Any]] = {
            p.stem: json.loads(p.read_text()) for p in sorted(community_dir.glob("*.json"))
        }
        self.methods: dict[str, MethodSpec] = {}
        names = {p.lstrip("/") for p in self.official["paths"]} | set(self.community)
        for name in names:
            self.methods[name] = self._build(name)

    def _build(self, name: str) -> MethodSpec:
        verbs: set[str] = set()
        params: set[str] = set()
        required: set[str] = set()
        for verb, op in self.official["paths"].get(f"/{name}", {}).items():
            verbs.add(verb.lower())
            for p in op.get("parameters", []):
                params.add(p["name"])
                if p.get("required"):
                    required.add(p["name"])
        json_input: bool | None = None
        ref = self.community.get(name)
        if ref is not None:
            args = ref.get("args", {})
            params |= set(args.get("properties", {}))
            required |= set(args.get("required", []))
            verbs.add(str(ref.get("http_method", "POST")).lower())
            if "json_input_supported" in ref:
                json_input = bool(ref["json_input_supported"])
        needs_token = "token" in params
        required.discard("token")
        return MethodSpec(name, frozenset(verbs), frozenset(params), frozenset(required), needs_token, json_input)

    def method(self, name: str) -> MethodSpec | None:
        return self.methods.get(name)

    def response_schema(self, method: str) -> dict[str, Any]:
        """The official spec's success (HTTP 200) response schema for `method`, normalised, with definitions."""
        ops = self.official["paths"][f"/{method}"]
        op = next(iter(ops.values()))
        schema: dict[str, Any] = normalise_schema(op["responses"]["200"]["schema"])
        schema["definitions"] = normalise_schema(self.official["definitions"])
        return schema


@functools.lru_cache(maxsize=4)
def load_spec(root: Path) -> SlackSpec:
    return SlackSpec(root)
