"""A fake Discord on loopback for tests: the REST API (v10), the Gateway and interactions.

The real discord.py client talks to it over HTTP and WebSocket:

    async with FakeDiscord() as fake:
        fake.add_guild("111", "Alpha")
        fake.add_channel("111", "222", "general")
        fake.add_member("111", "101", "Alice")
        discord.http.Route.BASE = fake.api_url                                      # f"{fake.url}/api/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
        await client.login(fake.token); asyncio.create_task(client.connect()); await fake.wait_for_ready()
        await fake.user_message("222", "101", "hello")          # MESSAGE_CREATE to the client
        iid = await fake.slash_command("111", "222", "101", "prep", [{"name": "topic", "value": "graphs"}],
                                       subcommand="today")
        response = await fake.wait_for_interaction_response(iid)

(discord.Client and AutoShardedClient(shard_count=N) connect to DEFAULT_GATEWAY; only an AutoShardedClient without
shard_count asks GET /gateway/bot, which answers with `gateway_url` too.)

Every REST call is checked against Discord's OpenAPI spec (tests/specs/discord/full/openapi.json): the
route and method must exist, query parameters and JSON body fields must be known, the body must validate against the
request schema; and against the documented limits ("follow the docs, not the spec": message content 2000, 10 embeds,
6000 characters across embeds, components, modals, application commands). Problems are appended to `violations`;
a documented-limit breach is also answered as Discord answers it (400 Invalid Form Body, code 50035), while a call
that merely strays from the spec is recorded and still served. Tests assert `violations == []` at the end.

The Gateway speaks v10 JSON: HELLO, IDENTIFY (intents, shard), READY, GUILD_CREATE per guild of the shard, heartbeat
ACKs, RESUME with replay, dispatches with sequence numbers, intents honoured (no MESSAGE_CREATE without
GUILD_MESSAGES; blank content without the message content intent). With `compress=zlib-stream` frames are zlib-stream
binary frames as on Discord; other clients get plain text frames.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import functools
import hashlib
import itertools
import json
import math
import mimetypes
import re
import secrets
import socket
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable, Mapping
from urllib.parse import unquote

import aiohttp
import jsonschema
from aiohttp import WSMsgType, web

SPECS_ROOT = Path(__file__).resolve().parents[1] / "specs"  # copies of the platforms' specs: tests/specs/README.md
DISCORD_SPEC = Path("discord") / "full" / "openapi.json"

API_VERSION = 10
API_PREFIX = f"/api/v{API_VERSION}"
DISCORD_EPOCH_MS = 1_420_070_400_000
HTTP_METHODS = frozenset({"get", "put", "post", "patch", "delete", "head", "options"})

# ---- documented limits (https://discord.com/developers/docs), stricter than the spec in places ----
MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TITLE = 256
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER_TEXT = 2048
MAX_AUTHOR_NAME = 256
MAX_EMBED_TOTAL = 6000
MAX_ACTION_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80
MAX_SELECT_OPTIONS = 25
MAX_SELECT_PLACEHOLDER = 150
MAX_V2_COMPONENTS = 40
MAX_MODAL_TITLE = 45
MAX_MODAL_COMPONENTS = 5
MAX_TEXT_INPUT_LABEL = 45
MAX_TEXT_INPUT_VALUE = 4000
MAX_COMMAND_NAME = 32
MAX_COMMAND_DESCRIPTION = 100
MAX_COMMAND_OPTIONS = 25
MAX_COMMAND_CHOICES = 25
MAX_COMMAND_TOTAL = 4000
MAX_CHAT_INPUT_COMMANDS = 100
MAX_THREAD_NAME = 100
THREAD_ARCHIVE_DURATIONS = frozenset({60, 1440, 4320, 10080})
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
INTERACTION_ACK_DEADLINE = 3.0  # seconds Discord waits for the initial interaction response
INTERACTION_TOKEN_TTL = 15 * 60.0
GLOBAL_RATE_LIMIT = 50  # requests per second per bot (https://discord.com/developers/docs/topics/rate-limits)
GLOBAL_EXEMPT = ("/interactions/", "/webhooks/")  # interaction endpoints are not bound to the global limit  # interaction tokens (follow-ups, @original) live 15 minutes
HEARTBEAT_INTERVAL_MS = 41_250

COMMAND_NAME_RE = re.compile(r"^[-_'\w]{1,32}$")

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

# ---- permissions ----
P_CREATE_INSTANT_INVITE = 1 << 0
P_ADMINISTRATOR = 1 << 3
P_MANAGE_CHANNELS = 1 << 4
P_MANAGE_GUILD = 1 << 5
P_ADD_REACTIONS = 1 << 6
P_VIEW_CHANNEL = 1 << 10
P_SEND_MESSAGES = 1 << 11
P_MANAGE_MESSAGES = 1 << 13
P_EMBED_LINKS = 1 << 14
P_ATTACH_FILES = 1 << 15
P_READ_MESSAGE_HISTORY = 1 << 16
P_USE_EXTERNAL_EMOJIS = 1 << 18
P_CHANGE_NICKNAME = 1 << 26
P_USE_APPLICATION_COMMANDS = 1 << 31
P_MANAGE_THREADS = 1 << 34
P_CREATE_PUBLIC_THREADS = 1 << 35
P_CREATE_PRIVATE_THREADS = 1 << 36
P_SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMISSIONS = (
    P_CREATE_INSTANT_INVITE | P_ADD_REACTIONS | P_VIEW_CHANNEL | P_SEND_MESSAGES | P_EMBED_LINKS | P_ATTACH_FILES
    | P_READ_MESSAGE_HISTORY | P_USE_EXTERNAL_EMOJIS | P_CHANGE_NICKNAME | P_USE_APPLICATION_COMMANDS
    | P_CREATE_PUBLIC_THREADS | P_CREATE_PRIVATE_THREADS | P_SEND_MESSAGES_IN_THREADS
)
DEFAULT_BOT_PERMISSIONS = (
    P_VIEW_CHANNEL | P_SEND_MESSAGES | P_SEND_MESSAGES_IN_THREADS | P_CREATE_PUBLIC_THREADS | P_MANAGE_THREADS
    | P_EMBED_LINKS | P_ATTACH_FILES | P_READ_MESSAGE_HISTORY | P_ADD_REACTIONS | P_USE_EXTERNAL_EMOJIS
    | P_USE_APPLICATION_COMMANDS
)
REVOKED_BOT_PERMISSIONS = (
    P_SEND_MESSAGES | P_SEND_MESSAGES_IN_THREADS | P_CREATE_PUBLIC_THREADS | P_CREATE_PRIVATE_THREADS
    | P_ADD_REACTIONS | P_EMBED_LINKS | P_ATTACH_FILES
)

# ---- gateway intents and flags ----
I_GUILDS = 1 << 0
I_GUILD_MEMBERS = 1 << 1
I_GUILD_PRESENCES = 1 << 8
I_GUILD_MESSAGES = 1 << 9
I_GUILD_MESSAGE_REACTIONS = 1 << 10
I_DIRECT_MESSAGES = 1 << 12
I_DIRECT_MESSAGE_REACTIONS = 1 << 13
I_MESSAGE_CONTENT = 1 << 15
ALL_INTENTS = (1 << 26) - 1
APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19
APP_FLAG_APPLICATION_COMMAND_BADGE = 1 << 23

MSG_FLAG_SUPPRESS_EMBEDS = 1 << 2
MSG_FLAG_HAS_THREAD = 1 << 5
MSG_FLAG_EPHEMERAL = 1 << 6
MSG_FLAG_LOADING = 1 << 7
MSG_FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
MSG_FLAG_IS_COMPONENTS_V2 = 1 << 15

CH_GUILD_TEXT = 0
CH_DM = 1
CH_PUBLIC_THREAD = 11

# interaction types and callback types
IT_PING, IT_COMMAND, IT_COMPONENT, IT_AUTOCOMPLETE, IT_MODAL_SUBMIT = 1, 2, 3, 4, 5
CB_PONG, CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_DEFERRED_UPDATE, CB_UPDATE, CB_AUTOCOMPLETE, CB_MODAL = 1, 4, 5, 6, 7, 8, 9
CALLBACKS_FOR: dict[int, frozenset[int]] = {
    IT_PING: frozenset({CB_PONG}),
    IT_COMMAND: frozenset({CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_MODAL}),
    IT_COMPONENT: frozenset({CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_DEFERRED_UPDATE, CB_UPDATE, CB_MODAL}),
    IT_AUTOCOMPLETE: frozenset({CB_AUTOCOMPLETE}),
    IT_MODAL_SUBMIT: frozenset({CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_DEFERRED_UPDATE, CB_UPDATE}),
}

OPTION_TYPES = {1: "SUB_COMMAND", 2: "SUB_COMMAND_GROUP", 3: "STRING", 4: "INTEGER", 5: "BOOLEAN", 6: "USER",
                7: "CHANNEL", 8: "ROLE", 9: "MENTIONABLE", 10: "NUMBER", 11: "ATTACHMENT"}

BOT_DISCRIMINATOR = "4821"
GATEWAY_ONLY_GUILD_FIELDS = frozenset({
    "joined_at", "large", "unavailable", "member_count", "voice_states", "members", "channels", "threads",
    "presences", "stage_instances", "guild_scheduled_events", "soundboard_sounds", "embedded_activities",
    "activity_instances", "lazy", "version", "hub_type", "latest_onboarding_question_id", "icon_hash",
})


class DiscordSpecsMissing(RuntimeError):
    """The platform spec copies in tests/specs are missing."""


# --------------------------------------------------------------------------------------------------------------
# The spec


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


# --------------------------------------------------------------------------------------------------------------
# What the fake remembers


@dataclass
class Role:
    id: str
    guild_id: str
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    bot_id: str | None = None
    color: int = 0


@dataclass
class User:
    id: str
    username: str
    global_name: str | None
    bot: bool = False


@dataclass
class Member:
    user_id: str
    guild_id: str
    roles: list[str]
    joined_at: str
    nick: str | None = None


@dataclass
class Guild:
    id: str
    name: str
    owner_id: str
    joined_at: str
    roles: dict[str, Role] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    channel_ids: list[str] = field(default_factory=list)


@dataclass
class Channel:
    id: str
    type: int  # 0 text, 1 DM, 11 public thread
    name: str
    guild_id: str | None
    position: int = 0
    parent_id: str | None = None
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    recipient_id: str | None = None  # DMs
    last_message_id: str | None = None
    deleted: bool = False


@dataclass
class Thread:
    id: str
    parent_id: str
    starter_message_id: str | None
    name: str
    auto_archive_duration: int
    owner_id: str
    guild_id: str = ""
    created_at: str = ""
    archived: bool = False
    locked: bool = False
    message_count: int = 0
    total_message_sent: int = 0
    member_ids: list[str] = field(default_factory=list)


@dataclass
class Msg:
    id: str
    channel_id: str
    author_id: str
    content: str
    embeds: list[dict[str, Any]]
    components: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    edited: bool = False
    deleted: bool = False
    thread_id: str | None = None  # set when a thread was started from this message
    guild_id: str | None = None
    flags: int = 0
    type: int = 0
    timestamp: str = ""
    edited_timestamp: str | None = None
    webhook_id: str | None = None  # interaction responses and follow-ups are webhook messages
    interaction_id: str | None = None
    ephemeral_user_id: str | None = None  # who can see an ephemeral message
    tts: bool = False
    nonce: str | int | None = None
    message_reference: dict[str, Any] | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # attachment id -> uploaded bytes

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MSG_FLAG_EPHEMERAL)


@dataclass
class Call:
    method: str
    path: str  # relative to /api/v10, decoded: "/channels/222/messages"
    route: str | None  # the spec template: "/channels/{channel_id}/messages"
    query: dict[str, str]
    body: Any  # JSON body, or multipart payload_json (files listed in `files`)
    files: list[tuple[str, str, int]]  # (form field, filename, size)
    status: int
    response: Any  # JSON answered, None for 204


@dataclass
class InteractionResponse:
    interaction_id: str
    kind: str  # "callback", "edit_original", "delete_original", "followup", "edit_followup", "delete_followup"
    type: int | None  # callback type (1, 4, 5, 6, 7, 8, 9) for kind == "callback"
    data: dict[str, Any]  # the callback's `data`, or the webhook body
    flags: int
    ephemeral: bool
    message_id: str | None = None
    after: float = 0.0  # seconds since the interaction was dispatched


@dataclass
class Interaction:
    id: str
    token: str
    type: int
    guild_id: str | None
    channel_id: str
    user_id: str
    data: dict[str, Any]
    created: float  # time.monotonic()
    message_id: str | None = None  # the message a component (or a modal opened from one) belongs to
    callback_type: int | None = None
    original_message_id: str | None = None
    modal: dict[str, Any] | None = None  # the modal shown by a type 9 callback
    modal_submitted: bool = False  # a modal closes once submitted
    source_id: str | None = None  # for a modal submit: the interaction that showed the modal
    late: bool = False


@dataclass
class GatewaySession:
    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    identify: dict[str, Any]
    ws: web.WebSocketResponse | None
    compress: Any = None  # zlib compressobj for zlib-stream
    seq: int = 0
    guild_ids: list[str] = field(default_factory=list)
    sent: collections.deque[dict[str, Any]] = field(default_factory=lambda: collections.deque(maxlen=1000))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    invalidated: bool = False  # the client closed with 1000/1001: the session cannot be resumed

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed

    @property
    def message_content_requested(self) -> bool:
        return bool(self.intents & I_MESSAGE_CONTENT)


@dataclass
class Dispatch:
    shard_id: int
    event: str
    seq: int
    data: dict[str, Any]


@dataclass
class _RateLimitRule:
    method: str
    prefix: str
    remaining: int
    retry_after: float
    global_: bool


@dataclass
class _Upload:
    field: str
    filename: str
    data: bytes
    content_type: str


@dataclass
class _Req:
    method: str
    path: str
    route: RouteSpec
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    uploads: list[_Upload]


@dataclass(frozen=True)
class _Problem:
    path: tuple[Any, ...]
    code: str
    message: str

    @property
    def where(self) -> str:
        return ".".join(str(p) for p in self.path) or "(body)"


class _DiscordError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            out["errors"] = self.errors
        return out


def _form_error(problems: list[_Problem]) -> _DiscordError:
    tree: dict[str, Any] = {}
    for p in problems:
        node = tree
        for part in p.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": p.code, "message": p.message})
    return _DiscordError(400, 50035, "Invalid Form Body", tree)


def _not_found(code: int, message: str) -> _DiscordError:
    return _DiscordError(404, code, message)


UNKNOWN_CHANNEL = (10003, "Unknown Channel")
UNKNOWN_GUILD = (10004, "Unknown Guild")
UNKNOWN_MEMBER = (10007, "Unknown Member")
UNKNOWN_MESSAGE = (10008, "Unknown Message")
UNKNOWN_USER = (10013, "Unknown User")
UNKNOWN_WEBHOOK = (10015, "Unknown Webhook")
UNKNOWN_INTERACTION = (10062, "Unknown interaction")


def _missing_permissions() -> _DiscordError:
    return _DiscordError(403, 50013, "Missing Permissions")


def _missing_access() -> _DiscordError:
    return _DiscordError(403, 50001, "Missing Access")


# --------------------------------------------------------------------------------------------------------------
# Documented limits: messages, embeds, components, modals, application commands


def _too_long(path: tuple[Any, ...], limit: int) -> _Problem:
    return _Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _text_limit(value: Any, path: tuple[Any, ...], limit: int, *, required: bool = False) -> list[_Problem]:
    if value is None or value == "":
        return [_Problem(path, "BASE_TYPE_REQUIRED", "This field is required")] if required else []
    if not isinstance(value, str):
        return [_Problem(path, "BASE_TYPE_STRING", "Must be a string.")]
    return [_too_long(path, limit)] if len(value) > limit else []


def embed_problems(embeds: Any, base: tuple[Any, ...] = ("embeds",)) -> list[_Problem]:
    """Discord's documented embed limits, including 6000 characters across all embeds of a message."""
    if embeds is None:
        return []
    if not isinstance(embeds, list):
        return [_Problem(base, "BASE_TYPE_ARRAY", "Must be an array.")]
    problems: list[_Problem] = []
    if len(embeds) > MAX_EMBEDS:
        problems.append(_too_long(base, MAX_EMBEDS))
    total = 0
    for i, embed in enumerate(embeds):
        at = base + (i,)
        if not isinstance(embed, dict):
            problems.append(_Problem(at, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"))
            continue
        for key, limit in (("title", MAX_EMBED_TITLE), ("description", MAX_EMBED_DESCRIPTION)):
            problems += _text_limit(embed.get(key), at + (key,), limit)
            total += len(embed.get(key) or "") if isinstance(embed.get(key), str) else 0
        fields = embed.get("fields")
        if fields is not None:
            if not isinstance(fields, list):
                problems.append(_Problem(at + ("fields",), "BASE_TYPE_ARRAY", "Must be an array."))
                fields = []
            if len(fields) > MAX_EMBED_FIELDS:
                problems.append(_too_long(at + ("fields",), MAX_EMBED_FIELDS))
            for j, f in enumerate(fields):
                fat = at + ("fields", j)
                if not isinstance(f, dict):
                    problems.append(_Problem(fat, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"))
                    continue
                problems += _text_limit(f.get("name"), fat + ("name",), MAX_FIELD_NAME, required=True)
                problems += _text_limit(f.get("value"), fat + ("value",), MAX_FIELD_VALUE, required=True)
                total += sum(len(v) for v in (f.get("name"), f.get("value")) if isinstance(v, str))
        for key, sub, limit in (("footer", "text", MAX_FOOTER_TEXT), ("author", "name", MAX_AUTHOR_NAME)):
            part = embed.get(key)
            if part is None:
                continue
            if not isinstance(part, dict):
                problems.append(_Problem(at + (key,), "MODEL_TYPE_CONVERT", "Only dictionaries may be used"))
                continue
            problems += _text_limit(part.get(sub), at + (key, sub), limit, required=True)
            text = part.get(sub)
            total += len(text) if isinstance(text, str) else 0
    if total > MAX_EMBED_TOTAL:
        problems.append(
            _Problem(base, "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}")
        )
    return problems


def _walk_components(components: Any, path: tuple[Any, ...]) -> Iterable[tuple[dict[str, Any], tuple[Any, ...]]]:
    if not isinstance(components, list):
        return
    for i, c in enumerate(components):
        if not isinstance(c, dict):
            continue
        at = path + (i,)
        yield c, at
        if isinstance(c.get("components"), list):
            yield from _walk_components(c["components"], at + ("components",))
        if isinstance(c.get("component"), dict):
            yield c["component"], at + ("component",)
        if isinstance(c.get("accessory"), dict):
            yield c["accessory"], at + ("accessory",)


def _interactive_problems(c: dict[str, Any], at: tuple[Any, ...], *, in_modal: bool = False) -> list[_Problem]:
    """Checks for one button, select menu or text input."""
    problems: list[_Problem] = []
    kind = c.get("type")
    if kind == 2:
        style = c.get("style")
        if style not in (1, 2, 3, 4, 5, 6):
            problems.append(_Problem(at + ("style",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}."))
        if style == 5:
            if not c.get("url"):
                problems.append(_Problem(at + ("url",), "BASE_TYPE_REQUIRED", "This field is required"))
            if c.get("custom_id"):
                problems.append(_Problem(at + ("custom_id",), "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                                         "A link button cannot have a custom_id"))
        elif style == 6:
            if not c.get("sku_id"):
                problems.append(_Problem(at + ("sku_id",), "BASE_TYPE_REQUIRED", "This field is required"))
        else:
            problems += _text_limit(c.get("custom_id"), at + ("custom_id",), MAX_CUSTOM_ID, required=True)
        if style != 6 and not c.get("label") and not c.get("emoji"):
            problems.append(_Problem(at, "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "A label or emoji is required"))
        problems += _text_limit(c.get("label"), at + ("label",), MAX_BUTTON_LABEL)
    elif kind in (3, 5, 6, 7, 8):
        problems += _text_limit(c.get("custom_id"), at + ("custom_id",), MAX_CUSTOM_ID, required=True)
        problems += _text_limit(c.get("placeholder"), at + ("placeholder",), MAX_SELECT_PLACEHOLDER)
        if kind == 3:
            options = c.get("options")
            if not isinstance(options, list) or not options:
                problems.append(_Problem(at + ("options",), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."))
            else:
                if len(options) > MAX_SELECT_OPTIONS:
                    problems.append(_too_long(at + ("options",), MAX_SELECT_OPTIONS))
                for j, o in enumerate(options):
                    if isinstance(o, dict):
                        problems += _text_limit(o.get("label"), at + ("options", j, "label"), 100, required=True)
                        problems += _text_limit(o.get("value"), at + ("options", j, "value"), 100, required=True)
                        problems += _text_limit(o.get("description"), at + ("options", j, "description"), 100)
        for key, low in (("min_values", 0), ("max_values", 1)):
            v = c.get(key)
            if v is not None and (not isinstance(v, int) or not low <= v <= MAX_SELECT_OPTIONS):
                problems.append(_Problem(at + (key,), "NUMBER_TYPE_MAX",
                                         f"Must be between {low} and {MAX_SELECT_OPTIONS}."))
    elif kind == 4:
        if not in_modal:
            problems.append(_Problem(at + ("type",), "COMPONENT_TYPE_INVALID",
                                     "Text inputs are only allowed in modals"))
        problems += _text_limit(c.get("custom_id"), at + ("custom_id",), MAX_CUSTOM_ID, required=True)
        if c.get("style") not in (1, 2):
            problems.append(_Problem(at + ("style",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2}."))
        problems += _text_limit(c.get("placeholder"), at + ("placeholder",), 100)
        problems += _text_limit(c.get("value"), at + ("value",), MAX_TEXT_INPUT_VALUE)
        for key, low in (("min_length", 0), ("max_length", 1)):
            v = c.get(key)
            if v is not None and (not isinstance(v, int) or not low <= v <= MAX_TEXT_INPUT_VALUE):
                problems.append(_Problem(at + (key,), "NUMBER_TYPE_MAX",
                                         f"Must be between {low} and {MAX_TEXT_INPUT_VALUE}."))
    return problems


def _duplicate_custom_ids(components: Any, base: tuple[Any, ...]) -> list[_Problem]:
    seen: set[str] = set()
    problems = []
    for c, at in _walk_components(components, base):
        cid = c.get("custom_id")
        if isinstance(cid, str) and cid:
            if cid in seen:
                problems.append(_Problem(at + ("custom_id",), "COMPONENT_CUSTOM_ID_DUPLICATED",
                                         "Component custom id cannot be duplicated"))
            seen.add(cid)
    return problems


def component_problems(components: Any, flags: int = 0, base: tuple[Any, ...] = ("components",)) -> list[_Problem]:
    """Message components: ≤5 action rows of ≤5 buttons or one select; custom_id ≤100; v2 layouts ≤40 components."""
    if components is None:
        return []
    if not isinstance(components, list):
        return [_Problem(base, "BASE_TYPE_ARRAY", "Must be an array.")]
    problems: list[_Problem] = []
    if flags & MSG_FLAG_IS_COMPONENTS_V2:
        count = sum(1 for _ in _walk_components(components, base))
        if count > MAX_V2_COMPONENTS:
            problems.append(_too_long(base, MAX_V2_COMPONENTS))
        for c, at in _walk_components(components, base):
            problems += _interactive_problems(c, at)
    else:
        if len(components) > MAX_ACTION_ROWS:
            problems.append(_too_long(base, MAX_ACTION_ROWS))
        for i, row in enumerate(components):
            at = base + (i,)
            if not isinstance(row, dict) or row.get("type") != 1:
                problems.append(_Problem(at + ("type",), "UNION_TYPE_CHOICES",
                                         'Value of field "type" must be one of (1,).'))
                continue
            children = row.get("components")
            if not isinstance(children, list) or not children:
                problems.append(_Problem(at + ("components",), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."))
                continue
            buttons = [c for c in children if isinstance(c, dict) and c.get("type") == 2]
            selects = [c for c in children if isinstance(c, dict) and c.get("type") in (3, 5, 6, 7, 8)]
            if len(buttons) > MAX_BUTTONS_PER_ROW:
                problems.append(_too_long(at + ("components",), MAX_BUTTONS_PER_ROW))
            if selects and len(children) > 1:
                problems.append(_Problem(at + ("components",), "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                                         "The specified component exceeds the maximum width"))
            for j, c in enumerate(children):
                if not isinstance(c, dict):
                    continue
                if c.get("type") not in (2, 3, 4, 5, 6, 7, 8):
                    problems.append(_Problem(at + ("components", j, "type"), "COMPONENT_TYPE_INVALID",
                                             f"Component type {c.get('type')!r} is not allowed in an action row"))
                problems += _interactive_problems(c, at + ("components", j))
    return problems + _duplicate_custom_ids(components, base)


def message_problems(body: Any, base: tuple[Any, ...] = ()) -> list[_Problem]:
    """A message body within Discord's documented limits (emptiness is checked apart: see message_is_empty)."""
    if not isinstance(body, dict):
        return [_Problem(base, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")]
    problems: list[_Problem] = []
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        problems.append(_Problem(base + ("content",), "BASE_TYPE_STRING", "Must be a string."))
    elif isinstance(content, str) and len(content) > MAX_CONTENT:
        problems.append(_too_long(base + ("content",), MAX_CONTENT))
    problems += embed_problems(body.get("embeds"), base + ("embeds",))
    flags: int = body["flags"] if isinstance(body.get("flags"), int) else 0
    problems += component_problems(body.get("components"), flags, base + ("components",))
    if flags & MSG_FLAG_IS_COMPONENTS_V2 and (body.get("content") or body.get("embeds")):
        problems.append(_Problem(base + ("content",), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                                 "The 'content' and 'embeds' fields cannot be used when using "
                                 "MessageFlags.IS_COMPONENTS_V2"))
    return problems


def message_is_empty(body: dict[str, Any], has_files: bool) -> bool:
    return not (
        (isinstance(body.get("content"), str) and body["content"].strip())
        or body.get("embeds") or body.get("components") or body.get("sticker_ids") or body.get("poll")
        or has_files or body.get("attachments")
    )


def modal_problems(data: Any, base: tuple[Any, ...] = ("data",)) -> list[_Problem]:
    """A modal (callback type 9): title ≤45, 1–5 rows of one text input (label ≤45) or label components."""
    if not isinstance(data, dict):
        return [_Problem(base, "BASE_TYPE_REQUIRED", "This field is required")]
    problems = _text_limit(data.get("custom_id"), base + ("custom_id",), MAX_CUSTOM_ID, required=True)
    problems += _text_limit(data.get("title"), base + ("title",), MAX_MODAL_TITLE, required=True)
    components = data.get("components")
    if not isinstance(components, list) or not components:
        return problems + [_Problem(base + ("components",), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")]
    if len(components) > MAX_MODAL_COMPONENTS:
        problems.append(_too_long(base + ("components",), MAX_MODAL_COMPONENTS))
    for i, c in enumerate(components):
        at = base + ("components", i)
        if not isinstance(c, dict):
            continue
        kind = c.get("type")
        if kind == 1:
            inner = c.get("components")
            if not isinstance(inner, list) or len(inner) != 1 or not isinstance(inner[0], dict):
                problems.append(_Problem(at + ("components",), "BASE_TYPE_BAD_LENGTH", "Must be 1 in length."))
                continue
            ti = inner[0]
            if ti.get("type") != 4:
                problems.append(_Problem(at + ("components", 0, "type"), "COMPONENT_TYPE_INVALID",
                                         "Only text inputs may be used in a modal action row"))
            problems += _text_limit(ti.get("label"), at + ("components", 0, "label"), MAX_TEXT_INPUT_LABEL,
                                    required=True)
            problems += _interactive_problems(ti, at + ("components", 0), in_modal=True)
        elif kind == 18:
            problems += _text_limit(c.get("label"), at + ("label",), MAX_TEXT_INPUT_LABEL, required=True)
            problems += _text_limit(c.get("description"), at + ("description",), 100)
            inner_c = c.get("component")
            if not isinstance(inner_c, dict):
                problems.append(_Problem(at + ("component",), "BASE_TYPE_REQUIRED", "This field is required"))
            else:
                if inner_c.get("type") == 4 and inner_c.get("label"):
                    problems.append(_Problem(at + ("component", "label"), "COMPONENT_FIELD_NOT_ALLOWED",
                                             "A text input inside a label component cannot have its own label"))
                problems += _interactive_problems(inner_c, at + ("component",), in_modal=True)
        elif kind == 10:
            problems += _text_limit(c.get("content"), at + ("content",), 4000, required=True)
        else:
            problems.append(_Problem(at + ("type",), "COMPONENT_TYPE_INVALID",
                                     f"Component type {kind!r} is not allowed in a modal"))
    return problems + _duplicate_custom_ids(components, base + ("components",))


def _command_size(node: Any) -> int:
    if isinstance(node, dict):
        total = sum(len(v) for v in (node.get("name"), node.get("description")) if isinstance(v, str))
        for choice in node.get("choices") or []:
            if isinstance(choice, dict):
                total += len(str(choice.get("name", ""))) + len(str(choice.get("value", "")))
        return total + sum(_command_size(o) for o in node.get("options") or [])
    return 0


def _name_problems(name: Any, at: tuple[Any, ...], *, chat_input: bool) -> list[_Problem]:
    if not isinstance(name, str) or not name:
        return [_Problem(at, "BASE_TYPE_REQUIRED", "This field is required")]
    if len(name) > MAX_COMMAND_NAME:
        return [_Problem(at, "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {MAX_COMMAND_NAME} in length.")]
    if chat_input and (not COMMAND_NAME_RE.match(name) or name != name.lower()):
        return [_Problem(at, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")]
    return []


def _option_problems(options: Any, at: tuple[Any, ...], level: int) -> list[_Problem]:
    """level 0: command options; 1: inside a subcommand group; 2: inside a subcommand."""
    if options is None:
        return []
    if not isinstance(options, list):
        return [_Problem(at, "BASE_TYPE_ARRAY", "Must be an array.")]
    problems: list[_Problem] = []
    if len(options) > MAX_COMMAND_OPTIONS:
        problems.append(_too_long(at, MAX_COMMAND_OPTIONS))
    names: set[str] = set()
    seen_optional = False
    kinds = {o.get("type") for o in options if isinstance(o, dict)}
    if kinds & {1, 2} and kinds - {1, 2}:
        problems.append(_Problem(at, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                                 "Sub-command and sub-command group option types are mutually exclusive to all "
                                 "other types"))
    for j, o in enumerate(options):
        oat = at + (j,)
        if not isinstance(o, dict):
            problems.append(_Problem(oat, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"))
            continue
        kind = o.get("type")
        if kind not in OPTION_TYPES:
            problems.append(_Problem(oat + ("type",), "BASE_TYPE_CHOICES", "Value must be one of 1..11."))
            continue
        problems += _name_problems(o.get("name"), oat + ("name",), chat_input=True)
        if o.get("name") in names:
            problems.append(_Problem(oat + ("name",), "APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME",
                                     "Option names must be unique"))
        names.add(str(o.get("name")))
        desc = o.get("description")
        if not isinstance(desc, str) or not 1 <= len(desc) <= MAX_COMMAND_DESCRIPTION:
            problems.append(_Problem(oat + ("description",), "BASE_TYPE_BAD_LENGTH",
                                     f"Must be between 1 and {MAX_COMMAND_DESCRIPTION} in length."))
        if kind == 2:
            if level != 0:
                problems.append(_Problem(oat + ("type",), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                                         "Sub-command groups can only be nested in a command"))
            sub = o.get("options") or []
            if any(isinstance(s, dict) and s.get("type") != 1 for s in sub):
                problems.append(_Problem(oat + ("options",), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                                         "A sub-command group may only contain sub-commands"))
            problems += _option_problems(sub, oat + ("options",), 1)
        elif kind == 1:
            if level == 2:
                problems.append(_Problem(oat + ("type",), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                                         "Sub-commands cannot be nested in sub-commands"))
            problems += _option_problems(o.get("options"), oat + ("options",), 2)
        else:
            if level == 1:
                problems.append(_Problem(oat + ("type",), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                                         "A sub-command group may only contain sub-commands"))
            if o.get("required"):
                if seen_optional:
                    problems.append(_Problem(oat + ("required",), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                                             "Required options must be placed before non-required options"))
            else:
                seen_optional = True
            choices = o.get("choices")
            if choices:
                if kind not in (3, 4, 10):
                    problems.append(_Problem(oat + ("choices",), "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
                                             "Choices are only allowed for string, integer and number options"))
                if o.get("autocomplete"):
                    problems.append(_Problem(oat + ("autocomplete",), "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                                             "Autocomplete cannot be used with choices"))
                if len(choices) > MAX_COMMAND_CHOICES:
                    problems.append(_too_long(oat + ("choices",), MAX_COMMAND_CHOICES))
                for k, ch in enumerate(choices):
                    cat = oat + ("choices", k)
                    if not isinstance(ch, dict):
                        continue
                    cname = ch.get("name")
                    if not isinstance(cname, str) or not 1 <= len(cname) <= 100:
                        problems.append(_Problem(cat + ("name",), "BASE_TYPE_BAD_LENGTH",
                                                 "Must be between 1 and 100 in length."))
                    value = ch.get("value")
                    if kind == 3 and (not isinstance(value, str) or len(value) > 100):
                        problems.append(_Problem(cat + ("value",), "BASE_TYPE_MAX_LENGTH",
                                                 "Must be a string of 100 or fewer in length."))
                    if kind == 4 and (not isinstance(value, int) or isinstance(value, bool)):
                        problems.append(_Problem(cat + ("value",), "NUMBER_TYPE_COERCE", "Must be an integer."))
                    if kind == 10 and (not isinstance(value, (int, float)) or isinstance(value, bool)):
                        problems.append(_Problem(cat + ("value",), "NUMBER_TYPE_COERCE", "Must be a number."))
            if kind not in (4, 10) and ("min_value" in o or "max_value" in o):
                problems.append(_Problem(oat, "APPLICATION_COMMAND_OPTION_INVALID",
                                         "min_value/max_value are only allowed for integer and number options"))
            if kind != 3 and ("min_length" in o or "max_length" in o):
                problems.append(_Problem(oat, "APPLICATION_COMMAND_OPTION_INVALID",
                                         "min_length/max_length are only allowed for string options"))
    return problems


def command_problems(commands: Any) -> list[_Problem]:
    """Application commands for a bulk overwrite: names, descriptions, options, choices, nesting, sizes."""
    if not isinstance(commands, list):
        return [_Problem((), "BASE_TYPE_ARRAY", "Must be an array.")]
    problems: list[_Problem] = []
    seen: set[tuple[int, str]] = set()
    chat_inputs = 0
    for i, cmd in enumerate(commands):
        at: tuple[Any, ...] = (i,)
        if not isinstance(cmd, dict):
            problems.append(_Problem(at, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"))
            continue
        kind = cmd.get("type", 1) or 1
        if kind not in (1, 2, 3, 4):
            problems.append(_Problem(at + ("type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4}."))
            continue
        chat_inputs += kind == 1
        name = cmd.get("name")
        problems += _name_problems(name, at + ("name",), chat_input=kind == 1)
        if (kind, name) in seen:
            problems.append(_Problem(at + ("name",), "APPLICATION_COMMANDS_DUPLICATE_NAME",
                                     f"Application command names must be unique (duplicate {name!r})"))
        seen.add((kind, str(name)))
        desc = cmd.get("description")
        if kind == 1:
            if not isinstance(desc, str) or not 1 <= len(desc) <= MAX_COMMAND_DESCRIPTION:
                problems.append(_Problem(at + ("description",), "BASE_TYPE_BAD_LENGTH",
                                         f"Must be between 1 and {MAX_COMMAND_DESCRIPTION} in length."))
            problems += _option_problems(cmd.get("options"), at + ("options",), 0)
        else:
            if desc:
                problems.append(_Problem(at + ("description",), "APPLICATION_COMMAND_INVALID_DESCRIPTION",
                                         "User and message commands cannot have a description"))
            if cmd.get("options"):
                problems.append(_Problem(at + ("options",), "APPLICATION_COMMAND_INVALID_OPTIONS",
                                         "User and message commands cannot have options"))
        perms = cmd.get("default_member_permissions")
        # Discord documents a string, and accepts the integer discord.py sends as well.
        if perms is not None and not (isinstance(perms, int) or (isinstance(perms, str) and perms.isdigit())):
            problems.append(_Problem(at + ("default_member_permissions",), "BASE_TYPE_STRING",
                                     "Must be a string of a permission bit set."))
        if _command_size(cmd) > MAX_COMMAND_TOTAL:
            problems.append(_Problem(at, "APPLICATION_COMMAND_TOO_LARGE",
                                     f"Command exceeds maximum size ({MAX_COMMAND_TOTAL})"))
    if chat_inputs > MAX_CHAT_INPUT_COMMANDS:
        problems.append(_Problem((), "APPLICATION_COMMANDS_LIMIT_EXCEEDED",
                                 f"Maximum number of application commands reached ({MAX_CHAT_INPUT_COMMANDS})"))
    return problems


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="microseconds")


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


# --------------------------------------------------------------------------------------------------------------
# The fake


Handler = Callable[[_Req], Awaitable[tuple[int, Any]]]


class FakeDiscord:
    """Discord's REST API, Gateway and interactions on 127.0.0.1, with state kept for assertions."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        application_id: str = "900000000000000001",
        bot_user_id: str = "900000000000000002",
        bot_name: str = "prepbot",
        message_content_intent: bool = True,
        close_on_disallowed_intents: bool = False,
        recommended_shards: int = 1,
        compress_gateway: bool = True,
        specs_dir: Path | None = None,
        now: Callable[[], float] = time.time,
        global_rate_limit: int | None = GLOBAL_RATE_LIMIT,
    ) -> None:
        self.spec = load_spec((specs_dir or SPECS_ROOT).resolve())
        self.token = token
        self.application_id = application_id
        self.bot_user_id = bot_user_id
        self.message_content_intent = message_content_intent
        # Discord closes the gateway with 4014 when IDENTIFY asks for a privileged intent the app lacks; by default
        # the fake keeps the session and blanks content instead (close_on_disallowed_intents=True: as Discord).
        self.close_on_disallowed_intents = close_on_disallowed_intents
        self.recommended_shards = recommended_shards
        self.compress_gateway = compress_gateway
        self.ack_deadline = INTERACTION_ACK_DEADLINE
        self._now = now
        # Discord's global limit: this many requests per second per bot, interaction endpoints aside. Measured on the
        # real clock (requests arrive in real time whatever the scene's clock says); None: no global limit.
        self.global_rate_limit = global_rate_limit
        self._global_window: collections.deque[float] = collections.deque()
        self._identify_gate: asyncio.Event | None = None

        self.messages: dict[str, list[Msg]] = {}
        self.threads: dict[str, Thread] = {}
        self.interaction_responses: list[InteractionResponse] = []
        self.interactions: dict[str, Interaction] = {}
        self.registered_commands: dict[str | None, list[dict[str, Any]]] = {}
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.identified: list[dict[str, Any]] = []
        self.sessions: list[GatewaySession] = []
        self.events: list[Dispatch] = []
        self.presence_updates: list[dict[str, Any]] = []

        self.guilds: dict[str, Guild] = {}
        self.users: dict[str, User] = {bot_user_id: User(bot_user_id, bot_name, None, bot=True)}
        self._channels: dict[str, Channel] = {}
        self._all_messages: dict[str, Msg] = {}  # every message by id, ephemeral ones included
        self._reactions: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._dm_by_user: dict[str, str] = {}
        self._rate_limits: list[_RateLimitRule] = []
        self._command_ids: dict[tuple[str | None, int, str], str] = {}
        self._tokens: dict[str, str] = {}  # interaction token -> interaction id
        self._waiters: dict[str, list[asyncio.Future[InteractionResponse]]] = {}
        self._ready_events: dict[int, asyncio.Event] = {}
        self._ack_timers: dict[str, asyncio.TimerHandle] = {}
        # scene changes made while clients are connected (add_guild, add_channel, ...) become gateway events,
        # dispatched in order before anything else the fake sends
        self._scene_queue: list[tuple[str, Any, str | None, int | None]] = []
        self._scene_lock = asyncio.Lock()
        self._scene_task: asyncio.Task[None] | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._session_start_remaining = 1000
        self._last_snowflake = 0

        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        self._handlers: dict[tuple[str, str], Handler] = {
            ("GET", "/gateway"): self._get_gateway,
            ("GET", "/gateway/bot"): self._get_gateway_bot,
            ("GET", "/users/@me"): self._get_me,
            ("GET", "/users/{user_id}"): self._get_user,
            ("POST", "/users/@me/channels"): self._create_dm,
            ("GET", "/oauth2/applications/@me"): self._get_application,
            ("GET", "/applications/@me"): self._get_application,
            ("GET", "/channels/{channel_id}"): self._get_channel,
            ("POST", "/channels/{channel_id}/messages"): self._create_message,
            ("GET", "/channels/{channel_id}/messages/{message_id}"): self._get_message,
            ("PATCH", "/channels/{channel_id}/messages/{message_id}"): self._edit_message,
            ("DELETE", "/channels/{channel_id}/messages/{message_id}"): self._delete_message,
            ("POST", "/channels/{channel_id}/messages/{message_id}/threads"): self._create_thread,
            ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"): self._add_reaction,
            ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"):
                self._remove_reaction,
            ("POST", "/channels/{channel_id}/typing"): self._typing,
            ("GET", "/channels/{channel_id}/messages"): self._get_messages,
            ("GET", "/guilds/{guild_id}"): self._get_guild,
            ("GET", "/guilds/{guild_id}/channels"): self._get_guild_channels,
            ("GET", "/guilds/{guild_id}/members/{user_id}"): self._get_member,
            ("GET", "/guilds/{guild_id}/roles"): self._get_roles,
            ("GET", "/applications/{application_id}/commands"): self._get_commands,
            ("PUT", "/applications/{application_id}/commands"): self._put_commands,
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands"): self._get_commands,
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"): self._put_commands,
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback"): self._interaction_callback,
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): self._get_original,
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): self._edit_original,
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): self._delete_original,
            ("POST", "/webhooks/{webhook_id}/{webhook_token}"): self._followup,
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): self._get_followup,
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): self._edit_followup,
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): self._delete_followup,
        }

    # ---- lifecycle ----

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self._serve_gateway)
        app.router.add_route("*", "/api/{tail:.*}", self._serve_rest)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._serve_attachment)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner

    async def stop(self) -> None:
        for handle in self._ack_timers.values():
            handle.cancel()
        self._ack_timers.clear()
        for futures in self._waiters.values():
            for fut in futures:
                if not fut.done():
                    fut.cancel()
        self._waiters.clear()
        if self._scene_task is not None:
            self._scene_task.cancel()
        for ws in list(self._sockets):
            await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"fake discord stopping")
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started: await start() or use `async with FakeDiscord()`")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}" if self._port is not None else self.url

    # ---- setting the scene ----

    def add_guild(
        self, guild_id: str, name: str, *, owner_id: str = "100", bot_permissions: int = DEFAULT_BOT_PERMISSIONS
    ) -> Guild:
        if guild_id in self.guilds:
            raise ValueError(f"guild {guild_id} already exists")
        g = Guild(guild_id, name, owner_id, _iso(self._now()))
        g.roles[guild_id] = Role(guild_id, guild_id, "@everyone", EVERYONE_PERMISSIONS, position=0)
        bot_role = self._snowflake()
        g.roles[bot_role] = Role(bot_role, guild_id, self.users[self.bot_user_id].username, bot_permissions,
                                 position=1, managed=True, bot_id=self.bot_user_id)
        g.members[self.bot_user_id] = Member(self.bot_user_id, guild_id, [bot_role], g.joined_at)
        self.guilds[guild_id] = g
        if owner_id not in self.users:
            self.users[owner_id] = User(owner_id, f"owner{owner_id}", f"Owner {owner_id}")
        g.members.setdefault(owner_id, Member(owner_id, guild_id, [], g.joined_at))

        def joined(session: GatewaySession) -> dict[str, Any] | None:  # the bot joins: GUILD_CREATE
            if guild_id in session.guild_ids:
                return None
            session.guild_ids.append(guild_id)
            data = self._guild_create_json(g, session)
            del data["unavailable"]  # a join, not a lazy load: the field is absent
            return data

        self._scene_event("GUILD_CREATE", joined, guild_id, I_GUILDS)
        return g

    def guild(self, guild_id: str) -> Guild:
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise KeyError(f"no guild {guild_id}: call add_guild first") from None

    def add_member(
        self,
        guild_id: str,
        user_id: str,
        name: str,
        *,
        manage_guild: bool = False,
        administrator: bool = False,
        bot: bool = False,
    ) -> None:
        """A member; Manage Server / Administrator come from roles named "Managers" / "Admins" (created on demand)."""
        g = self.guild(guild_id)
        user = self.users.get(user_id)
        if user is None:
            self.users[user_id] = User(user_id, name.lower().replace(" ", "_"), name, bot=bot)
        roles: list[str] = []
        for wanted, role_name, perms in (
            (manage_guild, "Managers", P_MANAGE_GUILD),
            (administrator, "Admins", P_ADMINISTRATOR),
        ):
            if wanted:
                role = next((r for r in g.roles.values() if r.name == role_name and not r.managed), None)
                if role is None:
                    rid = self._snowflake()
                    role = Role(rid, guild_id, role_name, perms, position=len(g.roles))
                    g.roles[rid] = role
                roles.append(role.id)
        is_new = user_id not in g.members
        g.members[user_id] = Member(user_id, guild_id, roles, _iso(self._now()))
        event = "GUILD_MEMBER_ADD" if is_new else "GUILD_MEMBER_UPDATE"
        self._scene_event(event, {**self._member_json(g, user_id), "guild_id": guild_id}, guild_id, I_GUILD_MEMBERS)

    def add_channel(self, guild_id: str, channel_id: str, name: str) -> None:
        g = self.guild(guild_id)
        if channel_id in self._channels:
            raise ValueError(f"channel {channel_id} already exists")
        self._channels[channel_id] = Channel(channel_id, CH_GUILD_TEXT, name.lstrip("#"), guild_id,
                                             position=len(g.channel_ids))
        g.channel_ids.append(channel_id)
        self.messages.setdefault(channel_id, [])
        self._scene_event("CHANNEL_CREATE", self._channel_json(self._channels[channel_id]), guild_id, I_GUILDS)

    def channel(self, channel_id: str) -> Channel:
        try:
            return self._channels[channel_id]
        except KeyError:
            raise KeyError(f"no channel {channel_id}: call add_channel first") from None

    def revoke_bot_permissions(self, channel_id: str) -> None:
        """A channel overwrite denies the bot sending, threads, reactions, embeds and files (it can still read)."""
        self._set_bot_overwrite(channel_id, deny=REVOKED_BOT_PERMISSIONS)

    def restore_bot_permissions(self, channel_id: str) -> None:
        self._set_bot_overwrite(channel_id, deny=0)

    def deny_bot_permissions(self, channel_id: str, permissions: int) -> None:
        """A channel overwrite denies the bot `permissions` (bits, such as P_READ_MESSAGE_HISTORY)."""
        self._set_bot_overwrite(channel_id, deny=permissions)

    def _set_bot_overwrite(self, channel_id: str, *, deny: int) -> None:
        ch = self.channel(channel_id)
        if ch.type == CH_PUBLIC_THREAD and ch.parent_id:
            ch = self.channel(ch.parent_id)  # threads take their parent's overwrites
        ch.overwrites = [o for o in ch.overwrites if not (o["type"] == 1 and o["id"] == self.bot_user_id)]
        if deny:
            ch.overwrites.append({"id": self.bot_user_id, "type": 1, "allow": "0", "deny": str(deny)})
        if ch.guild_id:
            self._scene_event("CHANNEL_UPDATE", self._channel_json(ch), ch.guild_id, I_GUILDS)

    def delete_channel(self, channel_id: str) -> None:
        ch = self.channel(channel_id)
        ch.deleted = True
        for t in self.threads.values():
            if t.parent_id == channel_id:
                self._channels[t.id].deleted = True
        if ch.guild_id and ch.type == CH_PUBLIC_THREAD:
            self._scene_event("THREAD_DELETE", {"id": ch.id, "guild_id": ch.guild_id, "parent_id": ch.parent_id,
                                                "type": ch.type}, ch.guild_id, I_GUILDS)
        elif ch.guild_id:
            self._scene_event("CHANNEL_DELETE", self._channel_json(ch), ch.guild_id, I_GUILDS)

    def dm_channel(self, user_id: str) -> str:
        """The id of the DM channel between the bot and `user_id` (opened on first use)."""
        if user_id not in self.users:
            raise KeyError(f"no user {user_id}: call add_member first")
        cid = self._dm_by_user.get(user_id)
        if cid is None:
            cid = self._snowflake()
            self._channels[cid] = Channel(cid, CH_DM, "", None, recipient_id=user_id)
            self._dm_by_user[user_id] = cid
            self.messages.setdefault(cid, [])
        return cid

    def rate_limit(
        self, method: str, path_prefix: str, times: int, retry_after: float = 0.0, *, global_: bool = False
    ) -> None:
        """The next `times` calls of `method` to a path starting with `path_prefix` (relative to /api/v10) get 429."""
        prefix = path_prefix[len(API_PREFIX):] if path_prefix.startswith(API_PREFIX) else path_prefix
        self._rate_limits.append(_RateLimitRule(method.upper(), prefix, times, retry_after, global_))

    # ---- reading state ----

    def reactions(self, channel_id: str, message_id: str) -> list[tuple[str, str]]:
        return list(self._reactions.get((channel_id, message_id), []))

    def message(self, message_id: str) -> Msg:
        """Any message by id, ephemeral interaction responses included."""
        return self._all_messages[message_id]

    def calls_to(self, method: str, route: str) -> list[Call]:
        return [c for c in self.calls if c.method == method.upper() and c.route == route]

    def responses_to(self, interaction_id: str) -> list[InteractionResponse]:
        return [r for r in self.interaction_responses if r.interaction_id == interaction_id]

    @property
    def message_content_requested(self) -> bool:
        """Whether the latest IDENTIFY asked for the privileged message content intent (1 << 15)."""
        return bool(self.identified) and bool(int(self.identified[-1].get("intents") or 0) & I_MESSAGE_CONTENT)

    @property
    def application_flags(self) -> int:
        flags = APP_FLAG_APPLICATION_COMMAND_BADGE
        if self.message_content_intent:
            flags |= APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED
        return flags

    # ---- the gateway: waiting and pushing events ----

    def _ready_event(self, shard_id: int) -> asyncio.Event:
        if shard_id not in self._ready_events:
            self._ready_events[shard_id] = asyncio.Event()
        return self._ready_events[shard_id]

    async def wait_for_ready(self, shard_id: int = 0, timeout: float = 10) -> None:
        """Until a client identified as `shard_id` and got READY and the GUILD_CREATEs of its guilds."""
        try:
            await asyncio.wait_for(self._ready_event(shard_id).wait(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"no client identified as shard {shard_id} within {timeout}s") from None

    async def drop_connection(self, shard_id: int = 0, *, code: int = 4000) -> None:
        """Close the gateway socket(s) of a shard, as Discord does now and then. With a resumable code (4000) the
        client reconnects and RESUMEs; events dispatched meanwhile are replayed. Wait with wait_for_ready()."""
        for s in self.sessions:
            if s.shard_id == shard_id and s.connected and s.ws is not None:
                ws, s.ws = s.ws, None
                self._ready_event(shard_id).clear()
                await ws.close(code=code, message=b"fake discord dropped the connection")

    def hold_identify(self) -> None:
        """IDENTIFYs wait (no READY) until `release_identify()`: the gap between losing a session and the next."""
        self._identify_gate = asyncio.Event()

    def release_identify(self) -> None:
        if self._identify_gate is not None:
            self._identify_gate.set()
        self._identify_gate = None

    async def invalidate_session(self, shard_id: int = 0) -> None:
        """Discord ends the shard's session (op 9, not resumable): the client must IDENTIFY again, and events of the
        gap are never replayed to it."""
        for s in self.sessions:
            if s.shard_id == shard_id and not s.invalidated:
                s.invalidated = True
                self._ready_event(shard_id).clear()
                if s.ws is not None and not s.ws.closed:
                    await self._send(s, {"op": 9, "s": None, "t": None, "d": False})

    async def moderator_delete(self, channel_id: str, message_id: str) -> None:
        """A moderator deletes any message, the bot's own included: MESSAGE_DELETE as for a member's."""
        msg = self._all_messages.get(message_id)
        if msg is None or msg.channel_id != channel_id or msg.deleted:
            raise KeyError(f"no message {message_id} in channel {channel_id}")
        msg.deleted = True
        data: dict[str, Any] = {"id": msg.id, "channel_id": msg.channel_id}
        if msg.guild_id:
            data["guild_id"] = msg.guild_id
        if self._bot_can_see(msg.channel_id):
            await self._dispatch("MESSAGE_DELETE", data, guild_id=msg.guild_id, intent=I_GUILD_MESSAGES)

    async def user_message(self, channel_id: str, user_id: str, content: str) -> Msg:
        """A member posts in a channel, thread or DM: stored, then MESSAGE_CREATE is dispatched."""
        ch = self._live_channel_or_raise(channel_id)
        self._require_author(ch, user_id)
        msg = self._store(Msg(self._snowflake(), ch.id, user_id, content, [], [], [],
                              guild_id=ch.guild_id, timestamp=_iso(self._now())))
        await self._dispatch_message("MESSAGE_CREATE", msg)
        return msg

    async def user_edit(self, channel_id: str, message_id: str, content: str) -> None:
        msg = self._user_message_or_raise(channel_id, message_id)
        msg.content = content
        msg.edited = True
        msg.edited_timestamp = _iso(self._now())
        await self._dispatch_message("MESSAGE_UPDATE", msg)

    async def user_delete(self, channel_id: str, message_id: str) -> None:
        msg = self._user_message_or_raise(channel_id, message_id)
        msg.deleted = True
        data: dict[str, Any] = {"id": msg.id, "channel_id": msg.channel_id}
        if msg.guild_id:
            data["guild_id"] = msg.guild_id
        intent = I_GUILD_MESSAGES if msg.guild_id else I_DIRECT_MESSAGES
        if self._bot_can_see(msg.channel_id):
            await self._dispatch("MESSAGE_DELETE", data, guild_id=msg.guild_id, intent=intent)

    async def user_react(
        self, channel_id: str, message_id: str, user_id: str, emoji: str, *, remove: bool = False
    ) -> None:
        ch = self._live_channel_or_raise(channel_id)
        self._require_author(ch, user_id)
        msg = self._all_messages.get(message_id)
        if msg is None or msg.channel_id != channel_id or msg.deleted or msg.ephemeral:
            raise KeyError(f"no message {message_id} in channel {channel_id}")
        await self._react(msg, user_id, emoji, remove=remove)

    async def slash_command(
        self,
        guild_id: str,
        channel_id: str,
        user_id: str,
        name: str,
        options: list[dict[str, Any]] | Mapping[str, Any] | None = None,
        *,
        subcommand: str | None = None,
    ) -> str:
        """A member runs /name [subcommand] with options ({"name", "value"}); returns the interaction id.

        The command must be registered (bulk overwrite) for the guild or globally; option types come from it.
        `subcommand` may be "group sub" for a subcommand group.
        """
        g = self.guild(guild_id)
        ch = self._live_channel_or_raise(channel_id)
        if ch.guild_id != guild_id:
            raise ValueError(f"channel {channel_id} is not in guild {guild_id}")
        if user_id not in g.members:
            raise KeyError(f"{user_id} is not a member of guild {guild_id}")
        cmd, scope = self._find_command(guild_id, name)
        perms = self._permissions(channel_id, user_id)
        required = cmd.get("default_member_permissions")
        if required is not None and not perms & P_ADMINISTRATOR and (int(required) & perms) != int(required):
            raise PermissionError(
                f"/{name} needs permissions {required} (default_member_permissions); {user_id} does not have them, "
                "so Discord would not offer the command"
            )
        spec_options = cmd.get("options") or []
        path: list[str] = subcommand.split() if subcommand else []
        if not path and any(o.get("type") in (1, 2) for o in spec_options):
            raise ValueError(f"/{name} has subcommands: pass subcommand=")
        resolved: dict[str, dict[str, Any]] = {}
        leaf_spec = spec_options
        chain: list[dict[str, Any]] = []
        for part in path:
            found = next((o for o in leaf_spec if o.get("type") in (1, 2) and o.get("name") == part), None)
            if found is None:
                raise LookupError(f"/{name} has no subcommand {subcommand!r}")
            chain.append(found)
            leaf_spec = found.get("options") or []
        if chain and chain[-1].get("type") != 1:
            raise ValueError(f"{subcommand!r} is a subcommand group: name one of its subcommands")
        values = self._option_values(g, leaf_spec, options or [], resolved)
        nested: list[dict[str, Any]] = values
        for opt in reversed(chain):
            nested = [{"type": opt["type"], "name": opt["name"], "options": nested}]
        data: dict[str, Any] = {"id": cmd["id"], "name": name, "type": 1}
        if nested:
            data["options"] = nested
        if scope is not None:
            data["guild_id"] = scope
        if resolved:
            data["resolved"] = resolved
        return await self._create_interaction(IT_COMMAND, g, ch, user_id, data)

    async def click_button(self, guild_id: str, channel_id: str, message_id: str, user_id: str, custom_id: str) -> str:
        """A member clicks a button of a message (ephemeral ones only by the member who sees them)."""
        return await self._component_interaction(guild_id, channel_id, message_id, user_id, custom_id, None)

    async def select_menu(
        self, guild_id: str, channel_id: str, message_id: str, user_id: str, custom_id: str, values: list[str]
    ) -> str:
        """A member picks `values` in a select menu of a message."""
        return await self._component_interaction(guild_id, channel_id, message_id, user_id, custom_id, values)

    async def submit_modal(
        self, guild_id: str, channel_id: str, user_id: str, custom_id: str, values: Mapping[str, str]
    ) -> str:
        """A member submits the modal `custom_id` the bot showed them, with text input custom_id -> value."""
        g = self.guild(guild_id)
        ch = self._live_channel_or_raise(channel_id)
        if user_id not in g.members:
            raise KeyError(f"{user_id} is not a member of guild {guild_id}")
        source = next(
            (i for i in reversed(list(self.interactions.values()))
             if i.user_id == user_id and i.modal is not None and not i.modal_submitted
             and i.modal.get("custom_id") == custom_id),
            None,
        )
        if source is None or source.modal is None:
            raise LookupError(f"no open modal {custom_id!r} for {user_id}: the bot must show it (interaction callback "
                              "type 9) and a modal can be submitted once")
        inputs: dict[str, dict[str, Any]] = {}
        for row in source.modal.get("components") or []:
            inner = row.get("components") if row.get("type") == 1 else [row.get("component")]
            for c in inner or []:
                if isinstance(c, dict) and c.get("type") == 4:
                    inputs[str(c.get("custom_id"))] = c
        unknown = sorted(set(values) - set(inputs))
        if unknown:
            raise ValueError(f"modal {custom_id!r} has no text input(s) {', '.join(unknown)}")
        components: list[dict[str, Any]] = []
        next_id = itertools.count(1)
        for row in source.modal.get("components") or []:
            if row.get("type") == 1:
                ti = (row.get("components") or [{}])[0]
                value = self._modal_value(ti, values)
                components.append({"type": 1, "id": next(next_id), "components": [
                    {"type": 4, "id": next(next_id), "custom_id": ti.get("custom_id"), "value": value}]})
            elif row.get("type") == 18 and isinstance(row.get("component"), dict):
                inner_c = row["component"]
                label_id = next(next_id)
                if inner_c.get("type") == 4:
                    value = self._modal_value(inner_c, values)
                    components.append({"type": 18, "id": label_id, "component": {
                        "type": 4, "id": next(next_id), "custom_id": inner_c.get("custom_id"), "value": value}})
        data = {"custom_id": custom_id, "components": components}
        source.modal_submitted = True
        return await self._create_interaction(IT_MODAL_SUBMIT, g, ch, user_id, data, message_id=source.message_id,
                                              source_id=source.id)

    async def wait_for_interaction_response(self, interaction_id: str, timeout: float = 5) -> InteractionResponse:
        """The initial response (callback) to an interaction."""
        for r in self.interaction_responses:
            if r.interaction_id == interaction_id and r.kind == "callback":
                return r
        fut: asyncio.Future[InteractionResponse] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(interaction_id, []).append(fut)
        try:
            return await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"no response to interaction {interaction_id} within {timeout}s") from None

    # ---- internals: ids, time, permissions ----

    def _snowflake(self) -> str:
        ms = max(int(self._now() * 1000) - DISCORD_EPOCH_MS, 0)
        value = (ms << 22) | (1 << 17) | (1 << 12)
        if value <= self._last_snowflake:
            value = self._last_snowflake + 1
        self._last_snowflake = value
        return str(value)

    def _violation(self, where: str, problem: str) -> None:
        self.violations.append(f"{where}: {problem}")

    def _scene_event(self, event: str, data: Any, guild_id: str | None, intent: int | None) -> None:
        """Queue the gateway event for a scene change; it goes out before the next dispatch (or soon after)."""
        if not any(not s.invalidated for s in self.sessions):
            return
        self._scene_queue.append((event, data, guild_id, intent))
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._scene_task is None or self._scene_task.done():
            self._scene_task = loop.create_task(self._flush_scene())

    async def _flush_scene(self) -> None:
        async with self._scene_lock:
            while self._scene_queue:
                event, data, guild_id, intent = self._scene_queue.pop(0)
                await self._dispatch(event, data, guild_id=guild_id, intent=intent, flush=False)

    def _base_permissions(self, g: Guild, user_id: str) -> int:
        if user_id == g.owner_id:
            return ALL_PERMISSIONS
        member = g.members.get(user_id)
        if member is None:
            return 0
        perms = g.roles[g.id].permissions
        for rid in member.roles:
            role = g.roles.get(rid)
            if role is not None:
                perms |= role.permissions
        return ALL_PERMISSIONS if perms & P_ADMINISTRATOR else perms

    def _permissions(self, channel_id: str, user_id: str) -> int:
        """Discord's permission computation: base role permissions, then @everyone, role and member overwrites."""
        ch = self._channels[channel_id]
        if ch.guild_id is None:
            return (P_VIEW_CHANNEL | P_SEND_MESSAGES | P_EMBED_LINKS | P_ATTACH_FILES | P_READ_MESSAGE_HISTORY
                    | P_ADD_REACTIONS | P_USE_EXTERNAL_EMOJIS)
        if ch.type == CH_PUBLIC_THREAD and ch.parent_id in self._channels:
            ch = self._channels[ch.parent_id]
        g = self.guilds[ch.guild_id]  # type: ignore[index]
        perms = self._base_permissions(g, user_id)
        if perms & P_ADMINISTRATOR:
            return ALL_PERMISSIONS
        member = g.members.get(user_id)
        roles = set(member.roles) if member else set()
        by_id = {(o["type"], o["id"]): o for o in ch.overwrites}
        everyone = by_id.get((0, g.id))
        if everyone:
            perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
        allow = deny = 0
        for o in ch.overwrites:
            if o["type"] == 0 and o["id"] in roles:
                allow |= int(o["allow"])
                deny |= int(o["deny"])
        perms = (perms & ~deny) | allow
        mine = by_id.get((1, user_id))
        if mine:
            perms = (perms & ~int(mine["deny"])) | int(mine["allow"])
        if not perms & P_VIEW_CHANNEL:
            return 0
        return perms

    def _bot_can_see(self, channel_id: str) -> bool:
        return bool(self._permissions(channel_id, self.bot_user_id) & P_VIEW_CHANNEL)

    def _require(self, channel_id: str, needed: int) -> None:
        perms = self._permissions(channel_id, self.bot_user_id)
        if not perms & P_VIEW_CHANNEL:
            raise _missing_access()
        if perms & needed != needed:
            raise _missing_permissions()

    def _live_channel_or_raise(self, channel_id: str) -> Channel:
        ch = self.channel(channel_id)
        if ch.deleted:
            raise KeyError(f"channel {channel_id} was deleted")
        return ch

    def _require_author(self, ch: Channel, user_id: str) -> None:
        if ch.guild_id is None:
            if user_id != ch.recipient_id:
                raise ValueError(f"{user_id} is not the recipient of DM channel {ch.id}")
        elif user_id not in self.guilds[ch.guild_id].members:
            raise KeyError(f"{user_id} is not a member of guild {ch.guild_id}: call add_member first")

    def _user_message_or_raise(self, channel_id: str, message_id: str) -> Msg:
        msg = self._all_messages.get(message_id)
        if msg is None or msg.channel_id != channel_id or msg.deleted:
            raise KeyError(f"no message {message_id} in channel {channel_id}")
        if msg.author_id == self.bot_user_id:
            raise ValueError(f"message {message_id} is the bot's; user_edit/user_delete act for members")
        return msg

    def _store(self, msg: Msg) -> Msg:
        self._all_messages[msg.id] = msg
        if not msg.ephemeral:
            self.messages.setdefault(msg.channel_id, []).append(msg)
            ch = self._channels.get(msg.channel_id)
            if ch is not None:
                ch.last_message_id = msg.id
                t = self.threads.get(ch.id)
                if t is not None:
                    t.message_count += 1
                    t.total_message_sent += 1
                    if msg.author_id not in t.member_ids:
                        t.member_ids.append(msg.author_id)
        return msg

    # ---- internals: JSON shapes ----

    def _user_json(self, user_id: str) -> dict[str, Any]:
        u = self.users.get(user_id) or User(user_id, f"user{user_id}", None)
        out: dict[str, Any] = {
            "id": u.id,
            "username": u.username,
            "avatar": None,
            "discriminator": BOT_DISCRIMINATOR if u.id == self.bot_user_id else "0",
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "global_name": u.global_name,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }
        if u.bot:
            out["bot"] = True
        return out

    def _member_json(self, g: Guild, user_id: str, *, with_user: bool = True) -> dict[str, Any]:
        m = g.members[user_id]
        out: dict[str, Any] = {
            "avatar": None,
            "banner": None,
            "communication_disabled_until": None,
            "flags": 0,
            "joined_at": m.joined_at,
            "nick": m.nick,
            "pending": False,
            "premium_since": None,
            "roles": list(m.roles),
            "mute": False,
            "deaf": False,
        }
        if with_user:
            out["user"] = self._user_json(user_id)
        return out

    @staticmethod
    def _role_json(r: Role) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": r.id,
            "name": r.name,
            "description": None,
            "permissions": str(r.permissions),
            "position": r.position,
            "color": r.color,
            "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": r.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if r.bot_id:
            out["tags"] = {"bot_id": r.bot_id}
        return out

    def _thread_json(self, t: Thread, *, with_member: bool = False) -> dict[str, Any]:
        ch = self._channels[t.id]
        out: dict[str, Any] = {
            "id": t.id,
            "type": CH_PUBLIC_THREAD,
            "last_message_id": ch.last_message_id,
            "flags": 0,
            "guild_id": t.guild_id,
            "name": t.name,
            "parent_id": t.parent_id,
            "rate_limit_per_user": 0,
            "owner_id": t.owner_id,
            "thread_metadata": {
                "archived": t.archived,
                "archive_timestamp": t.created_at,
                "auto_archive_duration": t.auto_archive_duration,
                "locked": t.locked,
                "create_timestamp": t.created_at,
            },
            "message_count": t.message_count,
            "member_count": min(len(t.member_ids), 50),
            "total_message_sent": t.total_message_sent,
            "member_ids_preview": list(t.member_ids[:8]),
        }
        if with_member and self.bot_user_id in t.member_ids:
            out["member"] = {"id": t.id, "user_id": self.bot_user_id, "join_timestamp": t.created_at, "flags": 1}
        return out

    def _channel_json(self, ch: Channel, *, in_guild_create: bool = False) -> dict[str, Any]:
        if ch.type == CH_PUBLIC_THREAD:
            return self._thread_json(self.threads[ch.id], with_member=True)
        if ch.type == CH_DM:
            return {
                "id": ch.id,
                "type": CH_DM,
                "last_message_id": ch.last_message_id,
                "flags": 0,
                "recipients": [self._user_json(ch.recipient_id or "")],
            }
        out: dict[str, Any] = {
            "id": ch.id,
            "type": ch.type,
            "last_message_id": ch.last_message_id,
            "flags": 0,
            "guild_id": ch.guild_id,
            "name": ch.name,
            "parent_id": ch.parent_id,
            "rate_limit_per_user": 0,
            "topic": None,
            "position": ch.position,
            "permission_overwrites": copy.deepcopy(ch.overwrites),
            "nsfw": False,
            "default_auto_archive_duration": 1440,
            "default_thread_rate_limit_per_user": 0,
        }
        if in_guild_create:
            del out["guild_id"]
        return out

    def _message_json(self, msg: Msg, *, gateway: bool = False, hide_content: bool = False,
                      read: bool = False) -> dict[str, Any]:
        """The message object as Discord sends it; `read`: as a later read returns it (without the nonce, which
        Discord keeps only for a while after the send)."""
        mentions = [] if hide_content else self._mentions(msg)
        out: dict[str, Any] = {
            "type": msg.type,
            "content": "" if hide_content else msg.content,
            "mentions": mentions,
            "mention_roles": [] if hide_content else re.findall(r"<@&(\d+)>", msg.content),
            "attachments": [] if hide_content else copy.deepcopy(msg.attachments),
            "embeds": [] if hide_content else copy.deepcopy(msg.embeds),
            "timestamp": msg.timestamp,
            "edited_timestamp": msg.edited_timestamp,
            "flags": msg.flags,
            "components": [] if hide_content else copy.deepcopy(msg.components),
            "id": msg.id,
            "channel_id": msg.channel_id,
            "author": self._user_json(msg.author_id),
            "pinned": False,
            "mention_everyone": "@everyone" in msg.content and not hide_content,
            "tts": msg.tts,
        }
        ch = self._channels.get(msg.channel_id)
        if ch is not None and ch.type == CH_PUBLIC_THREAD:
            in_thread = self.messages.get(ch.id, [])
            out["position"] = in_thread.index(msg) if msg in in_thread else 0
        if msg.nonce is not None and not read:
            out["nonce"] = msg.nonce
        if msg.webhook_id:
            out["webhook_id"] = msg.webhook_id
            out["application_id"] = self.application_id
        if msg.message_reference:
            out["message_reference"] = copy.deepcopy(msg.message_reference)
        inter = self.interactions.get(msg.interaction_id or "")
        if inter is not None:
            out["interaction_metadata"] = self._interaction_metadata(inter, msg.id)
            if inter.type == IT_COMMAND:  # the deprecated field, still sent
                out["interaction"] = {"id": inter.id, "type": inter.type, "name": inter.data.get("name", ""),
                                      "user": self._user_json(inter.user_id)}
        if msg.thread_id and msg.thread_id in self.threads:
            out["thread"] = self._thread_json(self.threads[msg.thread_id])
        reactions = self._reaction_summary(msg)
        if reactions:
            out["reactions"] = reactions
        if gateway and msg.guild_id:
            out["guild_id"] = msg.guild_id
            g = self.guilds.get(msg.guild_id)
            if g is not None and msg.author_id in g.members and not msg.webhook_id:
                out["member"] = self._member_json(g, msg.author_id, with_user=False)
        return out

    def _interaction_metadata(self, inter: Interaction, message_id: str | None) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "id": inter.id,
            "type": inter.type,
            "user": self._user_json(inter.user_id),
            "authorizing_integration_owners": {"0": inter.guild_id} if inter.guild_id else {"1": inter.user_id},
        }
        if inter.original_message_id and inter.original_message_id != message_id:
            meta["original_response_message_id"] = inter.original_message_id
        if inter.type == IT_COMPONENT and inter.message_id:
            meta["interacted_message_id"] = inter.message_id
        source = self.interactions.get(inter.source_id or "")
        if inter.type == IT_MODAL_SUBMIT and source is not None:
            meta["triggering_interaction_metadata"] = self._interaction_metadata(source, None)
        return meta

    def _mentions(self, msg: Msg) -> list[dict[str, Any]]:
        out = []
        g = self.guilds.get(msg.guild_id or "")
        for uid in dict.fromkeys(re.findall(r"<@!?(\d+)>", msg.content)):
            if uid in self.users:
                u = self._user_json(uid)
                if g is not None and uid in g.members:
                    u["member"] = self._member_json(g, uid, with_user=False)
                out.append(u)
        return out

    def _reaction_summary(self, msg: Msg) -> list[dict[str, Any]]:
        counts: dict[str, list[str]] = {}
        for emoji, uid in self._reactions.get((msg.channel_id, msg.id), []):
            counts.setdefault(emoji, []).append(uid)
        return [
            {"emoji": self._emoji_json(e), "count": len(users), "count_details": {"burst": 0, "normal": len(users)},
             "burst_colors": [], "me_burst": False, "burst_me": False, "me": self.bot_user_id in users,
             "burst_count": 0}
            for e, users in counts.items()
        ]

    @staticmethod
    def _emoji_json(emoji: str) -> dict[str, Any]:
        m = re.fullmatch(r"(a:)?([\w~]+):(\d+)", emoji)
        if m:
            return {"id": m.group(3), "name": m.group(2), "animated": bool(m.group(1))}
        return {"id": None, "name": emoji}

    def _guild_create_json(self, g: Guild, session: GatewaySession | None) -> dict[str, Any]:
        members = [
            self._member_json(g, uid) for uid in g.members
            if uid == self.bot_user_id or session is not None and session.intents & I_GUILD_MEMBERS
        ]
        channels = [self._channel_json(self._channels[c], in_guild_create=True) for c in g.channel_ids
                    if not self._channels[c].deleted]
        threads = [self._thread_json(t, with_member=True) for t in self.threads.values()
                   if t.guild_id == g.id and not t.archived and not self._channels[t.id].deleted
                   and self._bot_can_see(t.id)]
        return {
            "id": g.id,
            "name": g.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "owner_id": g.owner_id,
            "application_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": g.channel_ids[0] if g.channel_ids else None,
            "system_channel_flags": 0,
            "widget_enabled": False,
            "widget_channel_id": None,
            "region": "deprecated",
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [self._role_json(r) for r in g.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw_level": 0,
            "nsfw": False,
            "incidents_data": None,
            "hub_type": None,
            "latest_onboarding_question_id": None,
            "home_header": None,
            "version": 0,
            "lazy": True,
            "large": False,
            "unavailable": False,
            "member_count": len(g.members),
            "joined_at": g.members[self.bot_user_id].joined_at,
            "voice_states": [],
            "members": members,
            "channels": channels,
            "threads": threads,
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "embedded_activities": [],
            "activity_instances": [],
        }

    def _application_json(self) -> dict[str, Any]:
        return {
            "id": self.application_id,
            "name": self.users[self.bot_user_id].username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot": self._user_json(self.bot_user_id),
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": hashlib.sha256(self.application_id.encode()).hexdigest(),
            "flags": self.application_flags,
            "flags_new": str(self.application_flags),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "owner": self._user_json(next(iter(self.guilds.values())).owner_id if self.guilds else "100"),
            "team": None,
            "approximate_guild_count": len(self.guilds),
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
            "explicit_content_filter": 0,
            "eligible_oauth2_scopes": ["bot", "applications.commands"],
            "integration_types_config": {"0": {}},
            "tags": [],
        }

    # ---- internals: gateway dispatch ----

    def _sessions_for(self, guild_id: str | None) -> list[GatewaySession]:
        out = []
        for s in self.sessions:
            if s.invalidated:
                continue
            if guild_id is None:
                if s.shard_id == 0:
                    out.append(s)
            elif (int(guild_id) >> 22) % s.shard_count == s.shard_id:
                out.append(s)
        return out

    async def _send(self, session: GatewaySession, payload: dict[str, Any]) -> None:
        if payload.get("op") == 0:
            session.sent.append(payload)
        ws = session.ws
        if ws is None or ws.closed:
            return
        await self._send_frame(session, ws, payload)

    async def _send_frame(self, session: GatewaySession | None, ws: web.WebSocketResponse, payload: dict[str, Any],
                          compress: Any = None) -> None:
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        compressor = session.compress if session is not None else compress
        lock = session.lock if session is not None else asyncio.Lock()
        async with lock:
            try:
                if compressor is not None:
                    data = compressor.compress(text.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)
                    await ws.send_bytes(data)
                else:
                    await ws.send_str(text)
            except (ConnectionResetError, RuntimeError):
                pass

    async def _dispatch(
        self,
        event: str,
        data: dict[str, Any] | Callable[[GatewaySession], dict[str, Any] | None],
        *,
        guild_id: str | None,
        intent: int | None,
        flush: bool = True,
    ) -> None:
        if flush and self._scene_queue:
            await self._flush_scene()
        for session in self._sessions_for(guild_id):
            if intent is not None and not session.intents & intent:
                continue
            payload = data(session) if callable(data) else data
            if payload is None:
                continue
            session.seq += 1
            self.events.append(Dispatch(session.shard_id, event, session.seq, payload))
            await self._send(session, {"op": 0, "t": event, "s": session.seq, "d": payload})

    def _content_visible(self, session: GatewaySession | None, msg: Msg) -> bool:
        if msg.author_id == self.bot_user_id or msg.guild_id is None:
            return True
        if re.search(rf"<@!?{self.bot_user_id}>", msg.content):
            return True
        if not self.message_content_intent:
            return False
        return session is None or session.message_content_requested

    async def _dispatch_message(self, event: str, msg: Msg) -> None:
        if msg.ephemeral or not self._bot_can_see(msg.channel_id):
            return
        intent = I_GUILD_MESSAGES if msg.guild_id else I_DIRECT_MESSAGES
        await self._dispatch(
            event,
            lambda s: self._message_json(msg, gateway=True, hide_content=not self._content_visible(s, msg)),
            guild_id=msg.guild_id,
            intent=intent,
        )

    async def _react(self, msg: Msg, user_id: str, emoji: str, *, remove: bool) -> bool:
        key = (msg.channel_id, msg.id)
        entries = self._reactions.setdefault(key, [])
        present = (emoji, user_id) in entries
        if remove == (not present):
            return False  # nothing changes
        if remove:
            entries.remove((emoji, user_id))
        else:
            entries.append((emoji, user_id))
        if not self._bot_can_see(msg.channel_id):
            return True
        data: dict[str, Any] = {
            "user_id": user_id,
            "type": 0,
            "message_id": msg.id,
            "channel_id": msg.channel_id,
            "emoji": self._emoji_json(emoji),
            "burst": False,
        }
        if msg.guild_id:
            data["guild_id"] = msg.guild_id
        if not remove:
            data["message_author_id"] = msg.author_id
            data["burst_colors"] = []
            g = self.guilds.get(msg.guild_id or "")
            if g is not None and user_id in g.members:
                data["member"] = self._member_json(g, user_id)
        intent = I_GUILD_MESSAGE_REACTIONS if msg.guild_id else I_DIRECT_MESSAGE_REACTIONS
        event = "MESSAGE_REACTION_REMOVE" if remove else "MESSAGE_REACTION_ADD"
        await self._dispatch(event, data, guild_id=msg.guild_id, intent=intent)
        return True

    # ---- internals: the gateway socket ----

    async def _serve_gateway(self, request: web.Request) -> web.StreamResponse:
        if not request.headers.get("Upgrade", "").lower() == "websocket":
            return web.Response(status=404, text="not found", content_type="text/plain")
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        where = "gateway"
        version = request.query.get("v")
        if version != str(API_VERSION):
            self._violation(where, f"connected with v={version!r}; the fake speaks gateway v{API_VERSION}")
            await ws.close(code=4012, message=b"Invalid API version")
            self._sockets.discard(ws)
            return ws
        if request.query.get("encoding", "json") != "json":
            self._violation(where, f"encoding={request.query.get('encoding')!r}; the fake speaks JSON only")
            await ws.close(code=4002, message=b"Error while decoding payload.")
            self._sockets.discard(ws)
            return ws
        compressor = None
        if self.compress_gateway and request.query.get("compress") == "zlib-stream":
            compressor = zlib.compressobj()
        session: GatewaySession | None = None
        await self._send_frame(None, ws, {"op": 10, "s": None, "t": None, "d": {
            "heartbeat_interval": HEARTBEAT_INTERVAL_MS, "_trace": ['["gateway-prd-fake-1",{"micros":0}]']}},
            compress=compressor)
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    raw = frame.data
                elif frame.type == WSMsgType.BINARY:
                    raw = frame.data.decode("utf-8", "replace")
                else:
                    continue
                try:
                    payload = json.loads(raw)
                    op = payload["op"]
                except (ValueError, KeyError, TypeError):
                    self._violation(where, f"undecodable payload {raw[:80]!r}")
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                if op == 1:
                    await self._send_frame(session, ws, {"op": 11, "s": None, "t": None, "d": None},
                                           compress=compressor)
                elif op == 2:
                    if session is not None:
                        await ws.close(code=4005, message=b"Already authenticated.")
                        break
                    session = await self._identify(ws, payload.get("d") or {}, compressor)
                    if session is None:
                        break
                elif op == 6:
                    session = await self._resume(ws, payload.get("d") or {}, compressor)
                    if session is None:
                        continue
                elif session is None:
                    self._violation(where, f"op {op} before IDENTIFY")
                    await ws.close(code=4003, message=b"Not authenticated.")
                    break
                elif op == 3:
                    self.presence_updates.append(payload.get("d") or {})
                elif op == 8:
                    await self._request_members(session, payload.get("d") or {})
                elif op == 4:
                    pass  # voice state updates: no voice in the fake
                else:
                    self._violation(where, f"unknown opcode {op}")
                    await ws.close(code=4001, message=b"Unknown opcode.")
                    break
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
                if ws.close_code in (1000, 1001):
                    session.invalidated = True  # as on Discord: a clean close ends the session
                if not any(s.connected and s.shard_id == session.shard_id for s in self.sessions):
                    self._ready_event(session.shard_id).clear()
        return ws

    async def _identify(
        self, ws: web.WebSocketResponse, d: dict[str, Any], compressor: Any
    ) -> GatewaySession | None:
        where = "gateway IDENTIFY"
        if self._identify_gate is not None:
            await self._identify_gate.wait()
        self.identified.append(copy.deepcopy(d))
        if d.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        for key in ("properties", "intents"):
            if key not in d:
                self._violation(where, f"missing `{key}`")
        intents = d.get("intents")
        if not isinstance(intents, int) or intents < 0 or intents & ~ALL_INTENTS:
            self._violation(where, f"invalid intents {intents!r}")
            await ws.close(code=4013, message=b"Invalid intent(s).")
            return None
        shard = d.get("shard", [0, 1])
        if (not isinstance(shard, list) or len(shard) != 2 or not all(isinstance(x, int) for x in shard)
                or not 0 <= shard[0] < shard[1]):
            self._violation(where, f"invalid shard {shard!r}")
            await ws.close(code=4010, message=b"Invalid shard.")
            return None
        if intents & I_MESSAGE_CONTENT and not self.message_content_intent and self.close_on_disallowed_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        self._session_start_remaining = max(self._session_start_remaining - 1, 0)
        session = GatewaySession(secrets.token_hex(16), shard[0], shard[1], intents, d, ws, compressor)
        session.guild_ids = [gid for gid in self.guilds if (int(gid) >> 22) % shard[1] == shard[0]]
        self.sessions.append(session)
        ready = {
            "v": API_VERSION,
            "user_settings": {},
            "user": {**self._user_json(self.bot_user_id), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": gid, "unavailable": True} for gid in session.guild_ids],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "shard": [shard[0], shard[1]],
            "application": {"id": self.application_id, "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake-region"],
            "auth": {},
            "_trace": ['["gateway-prd-fake-1",{"micros":0}]'],
        }
        session.seq += 1
        self.events.append(Dispatch(session.shard_id, "READY", session.seq, ready))
        await self._send(session, {"op": 0, "t": "READY", "s": session.seq, "d": ready})
        for gid in session.guild_ids:
            data = self._guild_create_json(self.guilds[gid], session)
            if not session.intents & I_GUILDS:
                continue  # without GUILDS the guilds stay unavailable
            session.seq += 1
            self.events.append(Dispatch(session.shard_id, "GUILD_CREATE", session.seq, data))
            await self._send(session, {"op": 0, "t": "GUILD_CREATE", "s": session.seq, "d": data})
        self._ready_event(session.shard_id).set()
        return session

    async def _resume(self, ws: web.WebSocketResponse, d: dict[str, Any], compressor: Any) -> GatewaySession | None:
        session = next((s for s in self.sessions if s.session_id == d.get("session_id") and not s.invalidated),
                       None)
        if session is None or d.get("token") != self.token:
            await self._send_frame(None, ws, {"op": 9, "s": None, "t": None, "d": False}, compress=compressor)
            return None
        session.ws = ws
        session.compress = compressor
        last = d.get("seq") or 0
        for payload in list(session.sent):
            if payload["s"] > last:
                await self._send_frame(session, ws, payload)
        session.seq += 1
        self.events.append(Dispatch(session.shard_id, "RESUMED", session.seq, {}))
        await self._send(session, {"op": 0, "t": "RESUMED", "s": session.seq, "d": {}})
        self._ready_event(session.shard_id).set()
        return session

    async def _request_members(self, session: GatewaySession, d: dict[str, Any]) -> None:
        g = self.guilds.get(str(d.get("guild_id")))
        if g is None:
            return
        wanted = d.get("user_ids")
        query = (d.get("query") or "").lower()
        members = [
            self._member_json(g, uid) for uid in g.members
            if (wanted is None or uid in {str(x) for x in wanted})
            and self.users.get(uid, User(uid, "", None)).username.lower().startswith(query)
        ]
        limit = d.get("limit") or 0
        if limit:
            members = members[:limit]
        data: dict[str, Any] = {"guild_id": g.id, "members": members, "chunk_index": 0, "chunk_count": 1,
                                "not_found": []}
        if d.get("nonce"):
            data["nonce"] = d["nonce"]
        session.seq += 1
        self.events.append(Dispatch(session.shard_id, "GUILD_MEMBERS_CHUNK", session.seq, data))
        await self._send(session, {"op": 0, "t": "GUILD_MEMBERS_CHUNK", "s": session.seq, "d": data})

    # ---- internals: REST plumbing ----

    def _global_wait(self) -> float:
        """Counts a request against the global limit: 0 when it is within the limit (a sliding second), else the
        seconds until it would be (the request is refused and not counted)."""
        now = time.monotonic()
        window = self._global_window
        while window and window[0] <= now - 1.0:
            window.popleft()
        assert self.global_rate_limit is not None
        if len(window) >= self.global_rate_limit:
            return window[0] + 1.0 - now
        window.append(now)
        return 0.0

    def global_429s(self) -> list[Call]:
        """The calls Discord refused for the bot's global rate limit."""
        return [c for c in self.calls if c.status == 429 and isinstance(c.response, dict) and c.response.get("global")]

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
        if status == 204:
            return web.Response(status=204, headers=headers)
        # Discord answers "application/json" without a charset; discord.py compares the header exactly.
        out = {"Content-Type": "application/json", **(headers or {})}
        return web.Response(status=status, body=json.dumps(body).encode(), headers=out)

    @staticmethod
    def _ratelimit_headers(method: str, template: str, remaining: int = 4, reset_after: float = 1.0) -> dict[str, str]:
        return {
            "X-RateLimit-Bucket": hashlib.md5(f"{method} {template}".encode()).hexdigest(),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        }

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

    # ---- internals: lookups raising Discord errors ----

    def _channel_or_404(self, channel_id: str) -> Channel:
        ch = self._channels.get(channel_id)
        if ch is None or ch.deleted:
            raise _not_found(*UNKNOWN_CHANNEL)
        return ch

    def _message_or_404(self, ch: Channel, message_id: str) -> Msg:
        msg = self._all_messages.get(message_id)
        if msg is None or msg.channel_id != ch.id or msg.deleted or msg.ephemeral:
            raise _not_found(*UNKNOWN_MESSAGE)
        return msg

    def _guild_or_404(self, guild_id: str) -> Guild:
        g = self.guilds.get(guild_id)
        if g is None:
            raise _not_found(*UNKNOWN_GUILD)
        return g

    # ---- REST handlers: meta ----

    async def _get_gateway(self, req: _Req) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    async def _get_gateway_bot(self, req: _Req) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url,
            "shards": self.recommended_shards,
            "session_start_limit": {"total": 1000, "remaining": self._session_start_remaining,
                                    "reset_after": 14_400_000, "max_concurrency": 1},
        }

    async def _get_me(self, req: _Req) -> tuple[int, Any]:
        return 200, {**self._user_json(self.bot_user_id), "mfa_enabled": False, "locale": "en-US",
                     "verified": True, "email": None}

    async def _get_user(self, req: _Req) -> tuple[int, Any]:
        uid = req.params["user_id"]
        if uid not in self.users:
            raise _not_found(*UNKNOWN_USER)
        return 200, self._user_json(uid)

    async def _get_application(self, req: _Req) -> tuple[int, Any]:
        return 200, self._application_json()

    async def _create_dm(self, req: _Req) -> tuple[int, Any]:
        body = req.body if isinstance(req.body, dict) else {}
        rid = str(body.get("recipient_id") or "")
        if not rid:
            raise _form_error([_Problem(("recipient_id",), "BASE_TYPE_REQUIRED", "This field is required")])
        if rid not in self.users or rid == self.bot_user_id:
            raise _not_found(*UNKNOWN_USER)
        return 200, self._channel_json(self._channels[self.dm_channel(rid)])

    # ---- REST handlers: channels and messages ----

    async def _get_channel(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        if ch.guild_id and not self._bot_can_see(ch.id):
            raise _missing_access()
        return 200, self._channel_json(ch)

    def _check_message_body(self, body: Any, uploads: list[_Upload], *, creating: bool,
                            base: tuple[Any, ...] = ()) -> dict[str, Any]:
        if body is None:
            body = {}
        problems = message_problems(body, base)
        if problems:
            raise _form_error(problems)
        if creating and message_is_empty(body, bool(uploads)):
            raise _DiscordError(400, 50006, "Cannot send an empty message")
        checked: dict[str, Any] = body
        return checked

    def _attachments_from(self, body: dict[str, Any], uploads: list[_Upload], channel_id: str,
                          existing: list[dict[str, Any]] | None = None,
                          msg_files: dict[str, bytes] | None = None) -> list[dict[str, Any]]:
        by_index: dict[int, _Upload] = {}
        for i, u in enumerate(uploads):
            m = re.fullmatch(r"files\[(\d+)\]", u.field)
            by_index[int(m.group(1)) if m else i] = u
        entries = body.get("attachments")
        keep: list[dict[str, Any]] = []
        used: set[int] = set()
        if isinstance(entries, list):
            for entry in entries:
                if not isinstance(entry, dict):
                    continue
                ref = entry.get("id")
                old = next((a for a in existing or [] if a["id"] == str(ref)), None)
                if old is not None:
                    keep.append(old)
                    continue
                try:
                    idx = int(str(ref))
                except (TypeError, ValueError):
                    idx = -1
                if idx in by_index:
                    used.add(idx)
                    keep.append(self._attachment(by_index[idx], channel_id, entry, msg_files))
                else:
                    raise _form_error([_Problem(("attachments",), "ATTACHMENT_NOT_FOUND",
                                                f"Attachment {ref!r} is neither an upload nor an existing attachment")])
        elif existing:
            keep = list(existing)
        for idx, u in sorted(by_index.items()):
            if idx not in used:
                keep.append(self._attachment(u, channel_id, {}, msg_files))
        return keep

    def _attachment(self, u: _Upload, channel_id: str, entry: dict[str, Any],
                    msg_files: dict[str, bytes] | None) -> dict[str, Any]:
        aid = self._snowflake()
        filename = str(entry.get("filename") or u.filename)
        url = f"{self.url}/attachments/{channel_id}/{aid}/{filename}"
        out: dict[str, Any] = {
            "id": aid,
            "filename": filename,
            "size": len(u.data),
            "url": url,
            "proxy_url": url,
            "content_type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
        }
        if entry.get("description"):
            out["description"] = str(entry["description"])
        if msg_files is not None:
            msg_files[aid] = u.data
        return out

    @staticmethod
    def _normalise_embeds(embeds: Any) -> list[dict[str, Any]]:
        out = []
        for e in embeds or []:
            if isinstance(e, dict):
                e = {k: v for k, v in e.items() if v is not None}
                e.setdefault("type", "rich")
                e.pop("flags", None)
                for f in e.get("fields", []) or []:
                    if isinstance(f, dict):
                        f.setdefault("inline", False)
                e["content_scan_version"] = 0
                out.append(e)
        return out

    @staticmethod
    def _normalise_components(components: Any) -> list[dict[str, Any]]:
        out = copy.deepcopy(components) if isinstance(components, list) else []
        counter = itertools.count(1)
        for c, _ in _walk_components(out, ()):
            c.setdefault("id", next(counter))
        return out

    def _new_message(self, ch: Channel, author_id: str, body: dict[str, Any], uploads: list[_Upload], *,
                     flags: int = 0, webhook: bool = False, interaction: Interaction | None = None,
                     mtype: int = 0) -> Msg:
        files: dict[str, bytes] = {}
        msg = Msg(
            id=self._snowflake(),
            channel_id=ch.id,
            author_id=author_id,
            content=body.get("content") or "",
            embeds=self._normalise_embeds(body.get("embeds")),
            components=self._normalise_components(body.get("components")),
            attachments=[],
            guild_id=ch.guild_id,
            flags=flags,
            type=mtype,
            timestamp=_iso(self._now()),
            webhook_id=self.application_id if webhook else None,
            interaction_id=interaction.id if interaction else None,
            tts=bool(body.get("tts")),
            nonce=body.get("nonce"),
            message_reference=body.get("message_reference") if isinstance(body.get("message_reference"), dict)
            else None,
            files=files,
        )
        msg.attachments = self._attachments_from(body, uploads, ch.id, msg_files=files)
        if msg.ephemeral and interaction is not None:
            msg.ephemeral_user_id = interaction.user_id
            for a in msg.attachments:
                a["ephemeral"] = True
        if msg.message_reference:
            ref_id = str(msg.message_reference.get("message_id") or "")
            ref = self._all_messages.get(ref_id)
            if ref is None or ref.deleted:
                if msg.message_reference.get("fail_if_not_exists", True):
                    raise _form_error([_Problem(("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                                "Unknown message")])
            else:
                msg.type = 19
                msg.message_reference = {"type": 0, "channel_id": ref.channel_id, "message_id": ref.id,
                                         **({"guild_id": ref.guild_id} if ref.guild_id else {})}
        return msg

    def _creation_flags(self, body: dict[str, Any], where: str, *, interaction: bool) -> int:
        flags = body.get("flags") or 0
        if not isinstance(flags, int):
            return 0
        allowed = MSG_FLAG_SUPPRESS_EMBEDS | MSG_FLAG_SUPPRESS_NOTIFICATIONS | MSG_FLAG_IS_COMPONENTS_V2 | (1 << 13)
        if interaction:
            allowed |= MSG_FLAG_EPHEMERAL
        elif flags & MSG_FLAG_EPHEMERAL:
            self._violation(where, "flags has EPHEMERAL (64), which only applies to interaction responses; "
                                   "Discord ignores it and the message is public")
        return flags & allowed

    async def _create_message(self, req: _Req) -> tuple[int, Any]:
        where = f"POST {req.route.template}"
        ch = self._channel_or_404(req.params["channel_id"])
        body = self._check_message_body(req.body, req.uploads, creating=True)
        if ch.type == CH_DM:
            if not self._shares_guild(ch.recipient_id or ""):
                raise _DiscordError(403, 50007, "Cannot send messages to this user")
        else:
            needed = P_SEND_MESSAGES_IN_THREADS if ch.type == CH_PUBLIC_THREAD else P_SEND_MESSAGES
            if req.uploads:
                needed |= P_ATTACH_FILES
            if isinstance(body.get("message_reference"), dict):
                needed |= P_READ_MESSAGE_HISTORY
            self._require(ch.id, needed)
            t = self.threads.get(ch.id)
            if t is not None and t.locked:
                raise _missing_permissions()
            if t is not None and t.archived:
                t.archived = False  # sending unarchives a thread the bot may post in
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # Discord: with enforce_nonce, a nonce reused within a few minutes returns the first message
            again = next((m for m in reversed(self.messages.get(ch.id, [])) if m.nonce == nonce
                          and m.author_id == self.bot_user_id and not m.deleted), None)
            if again is not None:
                return 200, self._message_json(again)
        flags = self._creation_flags(body, where, interaction=False)
        msg = self._new_message(ch, self.bot_user_id, body, req.uploads, flags=flags)
        if ch.guild_id and msg.embeds and not self._permissions(ch.id, self.bot_user_id) & P_EMBED_LINKS:
            msg.embeds = []  # Discord drops embeds silently without Embed Links
        self._store(msg)
        await self._dispatch_message("MESSAGE_CREATE", msg)
        return 200, self._message_json(msg)

    def _shares_guild(self, user_id: str) -> bool:
        return any(user_id in g.members for g in self.guilds.values())

    async def _get_message(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        if ch.guild_id:
            self._require(ch.id, P_READ_MESSAGE_HISTORY)
        msg = self._message_or_404(ch, req.params["message_id"])
        return 200, self._message_json(msg, hide_content=not self._content_visible(None, msg), read=True)

    async def _get_messages(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        if ch.guild_id:
            self._require(ch.id, P_READ_MESSAGE_HISTORY)
        try:
            limit = int(req.query.get("limit", "50"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            raise _form_error([_Problem(("limit",), "NUMBER_TYPE_MAX", "Must be between 1 and 100.")])
        visible = [m for m in self.messages.get(ch.id, []) if not m.deleted]
        if "before" in req.query:
            visible = [m for m in visible if int(m.id) < int(req.query["before"])]
            visible = visible[-limit:]
        elif "after" in req.query:
            visible = [m for m in visible if int(m.id) > int(req.query["after"])][:limit]
        elif "around" in req.query:
            idx = next((i for i, m in enumerate(visible) if int(m.id) >= int(req.query["around"])), len(visible))
            start = max(idx - limit // 2, 0)
            visible = visible[start:start + limit]
        else:
            visible = visible[-limit:]
        newest_first = list(reversed(visible))
        return 200, [self._message_json(m, hide_content=not self._content_visible(None, m), read=True)
                     for m in newest_first]

    def _apply_edit(self, msg: Msg, body: dict[str, Any], uploads: list[_Upload], where: str) -> None:
        if "content" in body:
            msg.content = body.get("content") or ""
        if "embeds" in body:
            msg.embeds = self._normalise_embeds(body.get("embeds"))
        if "components" in body:
            msg.components = self._normalise_components(body.get("components"))
        if "attachments" in body or uploads:
            msg.attachments = self._attachments_from(body, uploads, msg.channel_id, msg.attachments, msg.files)
        if isinstance(body.get("flags"), int):
            keep = MSG_FLAG_EPHEMERAL | MSG_FLAG_IS_COMPONENTS_V2
            msg.flags = (msg.flags & keep) | (body["flags"] & MSG_FLAG_SUPPRESS_EMBEDS)
        if not (msg.content.strip() or msg.embeds or msg.components or msg.attachments):
            raise _DiscordError(400, 50006, "Cannot send an empty message")
        msg.edited = True
        msg.edited_timestamp = _iso(self._now())
        msg.flags &= ~MSG_FLAG_LOADING

    async def _edit_message(self, req: _Req) -> tuple[int, Any]:
        where = f"PATCH {req.route.template}"
        ch = self._channel_or_404(req.params["channel_id"])
        msg = self._message_or_404(ch, req.params["message_id"])
        if msg.author_id != self.bot_user_id or msg.webhook_id:
            raise _DiscordError(403, 50005, "Cannot edit a message authored by another user")
        if ch.guild_id and not self._bot_can_see(ch.id):
            raise _missing_access()
        body = self._check_message_body(req.body, req.uploads, creating=False)
        self._apply_edit(msg, body, req.uploads, where)
        await self._dispatch_message("MESSAGE_UPDATE", msg)
        return 200, self._message_json(msg)

    async def _delete_message(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        msg = self._message_or_404(ch, req.params["message_id"])
        if msg.author_id != self.bot_user_id or msg.webhook_id:
            self._require(ch.id, P_MANAGE_MESSAGES)
        elif ch.guild_id and not self._bot_can_see(ch.id):
            raise _missing_access()
        msg.deleted = True
        data: dict[str, Any] = {"id": msg.id, "channel_id": ch.id}
        if ch.guild_id:
            data["guild_id"] = ch.guild_id
        await self._dispatch("MESSAGE_DELETE", data, guild_id=ch.guild_id,
                             intent=I_GUILD_MESSAGES if ch.guild_id else I_DIRECT_MESSAGES)
        return 204, None

    async def _create_thread(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        msg = self._message_or_404(ch, req.params["message_id"])
        if ch.type != CH_GUILD_TEXT:
            raise _DiscordError(400, 50024, "Cannot execute action on this channel type")
        body = req.body if isinstance(req.body, dict) else {}
        problems = _text_limit(body.get("name"), ("name",), MAX_THREAD_NAME, required=True)
        duration = body.get("auto_archive_duration")
        if duration is not None and duration not in THREAD_ARCHIVE_DURATIONS:
            problems.append(_Problem(("auto_archive_duration",), "BASE_TYPE_CHOICES",
                                     f"Value must be one of {sorted(THREAD_ARCHIVE_DURATIONS)}."))
        if problems:
            raise _form_error(problems)
        self._require(ch.id, P_CREATE_PUBLIC_THREADS | P_READ_MESSAGE_HISTORY)
        if msg.thread_id is not None:
            raise _DiscordError(400, 160004, "A thread has already been created for this message")
        now = _iso(self._now())
        t = Thread(
            id=msg.id,  # as on Discord: a thread started from a message has the message's id
            parent_id=ch.id,
            starter_message_id=msg.id,
            name=body["name"],
            auto_archive_duration=int(duration or 1440),
            owner_id=self.bot_user_id,
            guild_id=ch.guild_id or "",
            created_at=now,
            member_ids=[self.bot_user_id],
        )
        self.threads[t.id] = t
        self._channels[t.id] = Channel(t.id, CH_PUBLIC_THREAD, t.name, ch.guild_id, parent_id=ch.id)
        self.messages.setdefault(t.id, [])
        msg.thread_id = t.id
        msg.flags |= MSG_FLAG_HAS_THREAD
        await self._dispatch("THREAD_CREATE", {**self._thread_json(t, with_member=True), "newly_created": True},
                             guild_id=ch.guild_id, intent=I_GUILDS)
        return 201, self._thread_json(t, with_member=True)

    def _emoji_or_400(self, raw: str) -> str:
        emoji = raw.strip()
        if re.fullmatch(r"(a:)?[\w~]+:\d+", emoji):
            return emoji[2:] if emoji.startswith("a:") else emoji
        if not emoji or emoji.isascii() or ":" in emoji:
            raise _DiscordError(400, 10014, "Unknown Emoji")
        return emoji

    async def _add_reaction(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        msg = self._message_or_404(ch, req.params["message_id"])
        emoji = self._emoji_or_400(req.params["emoji_name"])
        existing = any(e == emoji for e, _ in self._reactions.get((ch.id, msg.id), []))
        if ch.guild_id:
            self._require(ch.id, P_READ_MESSAGE_HISTORY | (0 if existing else P_ADD_REACTIONS))
        await self._react(msg, self.bot_user_id, emoji, remove=False)
        return 204, None

    async def _remove_reaction(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        msg = self._message_or_404(ch, req.params["message_id"])
        emoji = self._emoji_or_400(req.params["emoji_name"])
        if ch.guild_id and not self._bot_can_see(ch.id):
            raise _missing_access()
        await self._react(msg, self.bot_user_id, emoji, remove=True)
        return 204, None

    async def _typing(self, req: _Req) -> tuple[int, Any]:
        ch = self._channel_or_404(req.params["channel_id"])
        if ch.guild_id:
            self._require(ch.id, P_SEND_MESSAGES_IN_THREADS if ch.type == CH_PUBLIC_THREAD else P_SEND_MESSAGES)
        return 204, None

    # ---- REST handlers: guilds ----

    async def _get_guild(self, req: _Req) -> tuple[int, Any]:
        g = self._guild_or_404(req.params["guild_id"])
        out = {k: v for k, v in self._guild_create_json(g, None).items() if k not in GATEWAY_ONLY_GUILD_FIELDS}
        if req.query.get("with_counts", "").lower() in ("1", "true"):
            out["approximate_member_count"] = len(g.members)
            out["approximate_presence_count"] = 0
        return 200, out

    async def _get_guild_channels(self, req: _Req) -> tuple[int, Any]:
        g = self._guild_or_404(req.params["guild_id"])
        return 200, [self._channel_json(self._channels[c]) for c in g.channel_ids if not self._channels[c].deleted]

    async def _get_member(self, req: _Req) -> tuple[int, Any]:
        g = self._guild_or_404(req.params["guild_id"])
        uid = req.params["user_id"]
        if uid not in g.members:
            raise _not_found(*UNKNOWN_MEMBER)
        return 200, self._member_json(g, uid)

    async def _get_roles(self, req: _Req) -> tuple[int, Any]:
        g = self._guild_or_404(req.params["guild_id"])
        return 200, [self._role_json(r) for r in g.roles.values()]

    # ---- REST handlers: application commands ----

    def _check_application(self, req: _Req) -> None:
        if req.params.get("application_id") != self.application_id:
            raise _DiscordError(403, 50001, "Missing Access")

    async def _get_commands(self, req: _Req) -> tuple[int, Any]:
        self._check_application(req)
        scope = req.params.get("guild_id")
        if scope is not None:
            self._guild_or_404(scope)
        return 200, copy.deepcopy(self.registered_commands.get(scope, []))

    async def _put_commands(self, req: _Req) -> tuple[int, Any]:
        self._check_application(req)
        scope = req.params.get("guild_id")
        if scope is not None:
            self._guild_or_404(scope)
        body = req.body if req.body is not None else []
        problems = command_problems(body)
        if problems:
            raise _form_error(problems)
        version = self._snowflake()
        out = []
        for cmd in body:
            kind = cmd.get("type", 1) or 1
            key = (scope, kind, cmd["name"])
            cid = self._command_ids.setdefault(key, self._snowflake())
            stored: dict[str, Any] = {
                "id": cid,
                "application_id": self.application_id,
                "version": version,
                "default_member_permissions": cmd.get("default_member_permissions"),
                "type": kind,
                "name": cmd["name"],
                "name_localizations": cmd.get("name_localizations"),
                "description": cmd.get("description", ""),
                "description_localizations": cmd.get("description_localizations"),
                "dm_permission": cmd["dm_permission"] if cmd.get("dm_permission") is not None else True,
                "contexts": cmd.get("contexts"),
                "integration_types": cmd.get("integration_types") or [0],
                "nsfw": bool(cmd.get("nsfw", False)),
            }
            if scope is not None:
                stored["guild_id"] = scope
                stored.pop("dm_permission")
            if cmd.get("options"):
                stored["options"] = self._normalise_options(cmd["options"])
            out.append(stored)
        self.registered_commands[scope] = out
        return 200, copy.deepcopy(out)

    def _normalise_options(self, options: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for o in options:
            o = {k: v for k, v in o.items() if v is not None}
            if o.get("type") in (1, 2):
                o.pop("required", None)
                if o.get("options"):
                    o["options"] = self._normalise_options(o["options"])
            elif not o.get("required"):
                o.pop("required", None)
            out.append(o)
        return out

    def _find_command(self, guild_id: str, name: str) -> tuple[dict[str, Any], str | None]:
        for scope in (guild_id, None):
            for cmd in self.registered_commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == 1:
                    return cmd, scope
        raise LookupError(f"/{name} is not registered for guild {guild_id} nor globally (sync the command tree)")

    def _option_values(self, g: Guild, spec_options: list[dict[str, Any]],
                       given: list[dict[str, Any]] | Mapping[str, Any],
                       resolved: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        if isinstance(given, Mapping):
            items = [{"name": k, "value": v} for k, v in given.items()]
        else:
            items = [dict(o) for o in given]
        by_name = {o["name"]: o for o in spec_options if o.get("type") not in (1, 2)}
        out: list[dict[str, Any]] = []
        for item in items:
            name = item.get("name")
            spec = by_name.get(str(name))
            if spec is None:
                raise ValueError(f"the command has no option {name!r} (it has {', '.join(by_name) or 'none'})")
            out.append({"name": name, "type": spec["type"], "value": self._option_value(g, spec, item.get("value"),
                                                                                       resolved)})
        missing = [n for n, o in by_name.items() if o.get("required") and n not in {i["name"] for i in out}]
        if missing:
            raise ValueError(f"required option(s) {', '.join(missing)} missing")
        return out

    def _option_value(self, g: Guild, spec: dict[str, Any], value: Any, resolved: dict[str, dict[str, Any]]) -> Any:
        kind = spec["type"]
        name = spec["name"]
        if kind == 3:
            if not isinstance(value, str):
                raise ValueError(f"option {name} is a STRING, got {value!r}")
            if "min_length" in spec and len(value) < spec["min_length"] or \
                    "max_length" in spec and len(value) > spec["max_length"]:
                raise ValueError(f"option {name}: length out of range")
        elif kind == 4:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"option {name} is an INTEGER, got {value!r}")
        elif kind == 10:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ValueError(f"option {name} is a NUMBER, got {value!r}")
        elif kind == 5:
            if not isinstance(value, bool):
                raise ValueError(f"option {name} is a BOOLEAN, got {value!r}")
        elif kind in (6, 9) and str(value) in self.users:
            uid = str(value)
            resolved.setdefault("users", {})[uid] = self._user_json(uid)
            if uid in g.members:
                member = self._member_json(g, uid, with_user=False)
                member["permissions"] = str(self._base_permissions(g, uid))
                resolved.setdefault("members", {})[uid] = member
            value = uid
        elif kind in (8, 9) and str(value) in g.roles:
            resolved.setdefault("roles", {})[str(value)] = self._role_json(g.roles[str(value)])
            value = str(value)
        elif kind == 7 and str(value) in self._channels:
            ch = self._channels[str(value)]
            if spec.get("channel_types") and ch.type not in spec["channel_types"]:
                raise ValueError(f"option {name} takes channel types {spec['channel_types']}, not {ch.type}")
            resolved.setdefault("channels", {})[ch.id] = {
                "id": ch.id, "name": ch.name, "type": ch.type,
                "permissions": str(self._permissions(ch.id, self.bot_user_id)),
                **({"parent_id": ch.parent_id} if ch.parent_id else {}),
                **({"thread_metadata": self._thread_json(self.threads[ch.id])["thread_metadata"]}
                   if ch.id in self.threads else {}),
            }
            value = ch.id
        else:
            raise ValueError(f"option {name} ({OPTION_TYPES.get(kind)}) cannot take {value!r} in the fake")
        if kind in (4, 10):
            if "min_value" in spec and value < spec["min_value"] or "max_value" in spec and value > spec["max_value"]:
                raise ValueError(f"option {name}: {value} is out of range")
        choices = spec.get("choices")
        if choices and value not in [c.get("value") for c in choices]:
            raise ValueError(f"option {name}: {value!r} is not one of the choices {[c.get('value') for c in choices]}")
        return value

    # ---- interactions ----

    def _interaction_channel_json(self, ch: Channel, user_id: str) -> dict[str, Any]:
        out = self._channel_json(ch)
        out["permissions"] = str(self._permissions(ch.id, user_id))
        out.pop("member", None)
        return out

    async def _create_interaction(self, kind: int, g: Guild, ch: Channel, user_id: str, data: dict[str, Any], *,
                                  message_id: str | None = None, source_id: str | None = None) -> str:
        if self._scene_queue:
            await self._flush_scene()
        sessions = [s for s in self._sessions_for(g.id) if s.connected]
        if not sessions:
            raise RuntimeError(f"no gateway session holds guild {g.id}: connect a client (wait_for_ready) first")
        iid = self._snowflake()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        inter = Interaction(iid, token, kind, g.id, ch.id, user_id, data, time.monotonic(), message_id=message_id,
                            source_id=source_id)
        self.interactions[iid] = inter
        self._tokens[token] = iid
        member = self._member_json(g, user_id)
        member["permissions"] = str(self._permissions(ch.id, user_id))
        member["unusual_dm_activity_until"] = None
        payload: dict[str, Any] = {
            "id": iid,
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "guild": {"id": g.id, "locale": "en-US", "features": []},
            "guild_id": g.id,
            "channel": self._interaction_channel_json(ch, self.bot_user_id),
            "channel_id": ch.id,
            "member": member,
            "token": token,
            "version": 1,
            "app_permissions": str(self._permissions(ch.id, self.bot_user_id)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": g.id},
            "context": 0,
            "attachment_size_limit": MAX_UPLOAD_BYTES,
        }
        if message_id is not None and message_id in self._all_messages:
            payload["message"] = self._message_json(self._all_messages[message_id])
        loop = asyncio.get_running_loop()
        self._ack_timers[iid] = loop.call_later(self.ack_deadline, self._ack_deadline_passed, iid)
        for session in sessions:  # every session of the shard gets it; a second responder meets 40060
            session.seq += 1
            self.events.append(Dispatch(session.shard_id, "INTERACTION_CREATE", session.seq, payload))
            await self._send(session, {"op": 0, "t": "INTERACTION_CREATE", "s": session.seq, "d": payload})
        return iid

    def _describe(self, inter: Interaction) -> str:
        if inter.type == IT_COMMAND:
            return f"/{inter.data.get('name')}"
        if inter.type == IT_COMPONENT:
            return f"component {inter.data.get('custom_id')!r}"
        if inter.type == IT_MODAL_SUBMIT:
            return f"modal {inter.data.get('custom_id')!r}"
        return f"type {inter.type}"

    def _ack_deadline_passed(self, iid: str) -> None:
        self._ack_timers.pop(iid, None)
        inter = self.interactions.get(iid)
        if inter is not None and inter.callback_type is None and not inter.late:
            inter.late = True
            self._violation(f"interaction {iid} ({self._describe(inter)})",
                            f"interaction not acknowledged within {self.ack_deadline:g} s")

    async def _component_interaction(self, guild_id: str, channel_id: str, message_id: str, user_id: str,
                                     custom_id: str, values: list[str] | None) -> str:
        g = self.guild(guild_id)
        ch = self._live_channel_or_raise(channel_id)
        if user_id not in g.members:
            raise KeyError(f"{user_id} is not a member of guild {guild_id}")
        msg = self._all_messages.get(message_id)
        if msg is None or msg.channel_id != channel_id or msg.deleted:
            raise KeyError(f"no message {message_id} in channel {channel_id}")
        if msg.ephemeral and msg.ephemeral_user_id != user_id:
            raise ValueError(f"message {message_id} is ephemeral: only {msg.ephemeral_user_id} sees it")
        component = next((c for c, _ in _walk_components(msg.components, ()) if c.get("custom_id") == custom_id), None)
        if component is None:
            raise LookupError(f"message {message_id} has no component with custom_id {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        kind = component.get("type")
        if values is None and kind != 2:
            raise ValueError(f"component {custom_id!r} is type {kind}, not a button")
        if values is not None and kind not in (3, 5, 6, 7, 8):
            raise ValueError(f"component {custom_id!r} is type {kind}, not a select menu")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind, "id": component.get("id")}
        if values is not None:
            if kind == 3:
                allowed = [o.get("value") for o in component.get("options") or []]
                bad = [v for v in values if v not in allowed]
                if bad:
                    raise ValueError(f"{bad} are not options of select {custom_id!r}")
            lo, hi = component.get("min_values", 1), component.get("max_values", 1)
            if not lo <= len(values) <= hi:
                raise ValueError(f"select {custom_id!r} takes {lo}..{hi} values, got {len(values)}")
            data["values"] = list(values)
        return await self._create_interaction(IT_COMPONENT, g, ch, user_id, data, message_id=message_id)

    @staticmethod
    def _modal_value(text_input: dict[str, Any], values: Mapping[str, str]) -> str:
        cid = text_input.get("custom_id")
        value = values.get(cid, text_input.get("value") or "")  # type: ignore[arg-type]
        if text_input.get("required", True) and not value:
            raise ValueError(f"text input {cid!r} is required")
        if value and not text_input.get("min_length", 0) <= len(value) <= text_input.get("max_length", 4000):
            raise ValueError(f"text input {cid!r}: length {len(value)} is out of range")
        return value

    def _record_response(self, inter: Interaction, kind: str, type_: int | None, data: dict[str, Any],
                         flags: int, message_id: str | None) -> InteractionResponse:
        r = InteractionResponse(inter.id, kind, type_, copy.deepcopy(data), flags, bool(flags & MSG_FLAG_EPHEMERAL),
                                message_id, round(time.monotonic() - inter.created, 3))
        self.interaction_responses.append(r)
        if kind == "callback":
            for fut in self._waiters.pop(inter.id, []):
                if not fut.done():
                    fut.set_result(r)
        return r

    async def _interaction_callback(self, req: _Req) -> tuple[int, Any]:
        iid = req.params["interaction_id"]
        inter = self.interactions.get(iid)
        where = f"interaction {iid}"
        if inter is None or inter.token != req.params["interaction_token"]:
            self._violation(where, "callback for an unknown interaction id or token")
            raise _not_found(*UNKNOWN_INTERACTION)
        where = f"interaction {iid} ({self._describe(inter)})"
        elapsed = time.monotonic() - inter.created
        if inter.callback_type is not None:
            self._violation(where, f"acknowledged twice (callback type {inter.callback_type}, then "
                                   f"{(req.body or {}).get('type') if isinstance(req.body, dict) else '?'})")
            raise _DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if elapsed > self.ack_deadline:
            if not inter.late:
                inter.late = True
                self._violation(where, f"interaction not acknowledged within {self.ack_deadline:g} s "
                                       f"(callback after {elapsed:.2f} s)")
            raise _not_found(*UNKNOWN_INTERACTION)
        body = req.body if isinstance(req.body, dict) else {}
        cb = body.get("type")
        if cb not in (CB_PONG, CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_DEFERRED_UPDATE, CB_UPDATE, CB_AUTOCOMPLETE,
                      CB_MODAL, 10, 12):
            raise _form_error([_Problem(("type",), "BASE_TYPE_CHOICES", f"Invalid interaction callback type {cb!r}")])
        allowed = CALLBACKS_FOR.get(inter.type, frozenset())
        if inter.type == IT_MODAL_SUBMIT and inter.message_id is None:
            allowed = allowed - {CB_DEFERRED_UPDATE, CB_UPDATE}
        if cb not in allowed:
            raise _form_error([_Problem(("type",), "INTERACTION_CALLBACK_TYPE_INVALID",
                                        f"Callback type {cb} is not valid for interaction type {inter.type}")])
        data: dict[str, Any] = body["data"] if isinstance(body.get("data"), dict) else {}
        ch = self._channels[inter.channel_id]
        flags = 0
        message_id: str | None = None
        resource: dict[str, Any] | None = None
        if cb == CB_MODAL:
            problems = modal_problems(body.get("data"))
            if problems:
                raise _form_error(problems)
            inter.modal = copy.deepcopy(data)
        elif cb in (CB_MESSAGE, CB_DEFERRED_MESSAGE):
            if cb == CB_MESSAGE:
                self._check_message_body(data, req.uploads, creating=True, base=("data",))
            flags = self._creation_flags(data, where, interaction=True)
            if cb == CB_DEFERRED_MESSAGE:
                flags = (flags & MSG_FLAG_EPHEMERAL) | MSG_FLAG_LOADING
                msg = self._new_message(ch, self.bot_user_id, {}, [], flags=flags, webhook=True,
                                        interaction=inter, mtype=20 if inter.type == IT_COMMAND else 0)
            else:
                msg = self._new_message(ch, self.bot_user_id, data, req.uploads, flags=flags,
                                        webhook=True, interaction=inter, mtype=20 if inter.type == IT_COMMAND else 0)
            inter.original_message_id = msg.id
            inter.callback_type = cb
            self._store(msg)
            await self._dispatch_message("MESSAGE_CREATE", msg)
            message_id = msg.id
            if cb == CB_MESSAGE:  # a deferral has no resource yet, only response_message_id / _loading
                resource = {"type": cb, "message": self._message_json(msg)}
        elif cb in (CB_DEFERRED_UPDATE, CB_UPDATE):
            target = self._all_messages.get(inter.message_id or "")
            if target is None or target.deleted:
                raise _not_found(*UNKNOWN_MESSAGE)
            inter.original_message_id = target.id
            if cb == CB_UPDATE:
                self._check_message_body(data, req.uploads, creating=False, base=("data",))
                inter.callback_type = cb
                self._apply_edit(target, data, req.uploads, where)
                await self._dispatch_message("MESSAGE_UPDATE", target)
                resource = {"type": cb, "message": self._message_json(target)}
            message_id = target.id
            flags = target.flags
        inter.callback_type = cb
        handle = self._ack_timers.pop(inter.id, None)
        if handle is not None:
            handle.cancel()
        self._record_response(inter, "callback", cb, data, flags, message_id)
        if req.query.get("with_response", "").lower() not in ("1", "true"):
            return 204, None
        answer: dict[str, Any] = {"interaction": {"id": inter.id, "type": inter.type}}
        if message_id is not None and cb in (CB_MESSAGE, CB_DEFERRED_MESSAGE):
            answer["interaction"]["response_message_id"] = message_id
            answer["interaction"]["response_message_loading"] = cb == CB_DEFERRED_MESSAGE
            answer["interaction"]["response_message_ephemeral"] = bool(flags & MSG_FLAG_EPHEMERAL)
        if resource is not None:
            answer["resource"] = resource
        return 200, answer

    def _interaction_for_webhook(self, req: _Req, what: str) -> Interaction:
        if req.params["webhook_id"] != self.application_id:
            self._violation(f"{req.method} {req.route.template}",
                            "FakeDiscord serves interaction webhooks only (webhook_id must be the application id)")
            raise _not_found(*UNKNOWN_WEBHOOK)
        iid = self._tokens.get(req.params["webhook_token"])
        if iid is None:
            raise _DiscordError(401, 50027, "Invalid Webhook Token")
        inter = self.interactions[iid]
        where = f"interaction {iid} ({self._describe(inter)})"
        if time.monotonic() - inter.created > INTERACTION_TOKEN_TTL:
            raise _DiscordError(401, 50027, "Invalid Webhook Token")
        if inter.callback_type is None:
            self._violation(where, f"{what} before the interaction was acknowledged")
            raise _not_found(*UNKNOWN_WEBHOOK)
        return inter

    def _original_or_404(self, inter: Interaction) -> Msg:
        msg = self._all_messages.get(inter.original_message_id or "")
        if msg is None or msg.deleted:
            raise _not_found(*UNKNOWN_MESSAGE)
        return msg

    async def _get_original(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "GET @original")
        return 200, self._message_json(self._original_or_404(inter))

    async def _edit_original(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "editing the original response")
        msg = self._original_or_404(inter)
        where = f"interaction {inter.id} ({self._describe(inter)})"
        body = self._check_message_body(req.body, req.uploads, creating=False)
        self._apply_edit(msg, body, req.uploads, where)
        self._record_response(inter, "edit_original", None, body, msg.flags, msg.id)
        await self._dispatch_message("MESSAGE_UPDATE", msg)
        return 200, self._message_json(msg)

    async def _delete_original(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "deleting the original response")
        msg = self._original_or_404(inter)
        msg.deleted = True
        self._record_response(inter, "delete_original", None, {}, msg.flags, msg.id)
        if not msg.ephemeral:
            data: dict[str, Any] = {"id": msg.id, "channel_id": msg.channel_id}
            if msg.guild_id:
                data["guild_id"] = msg.guild_id
            await self._dispatch("MESSAGE_DELETE", data, guild_id=msg.guild_id,
                                 intent=I_GUILD_MESSAGES if msg.guild_id else I_DIRECT_MESSAGES)
        return 204, None

    async def _followup(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "follow-up message")
        where = f"interaction {inter.id} ({self._describe(inter)})"
        body = self._check_message_body(req.body, req.uploads, creating=True)
        original = self._all_messages.get(inter.original_message_id or "")
        if (inter.callback_type == CB_DEFERRED_MESSAGE and original is not None and not original.deleted
                and original.flags & MSG_FLAG_LOADING):
            # As on Discord: the first follow-up after a deferred response replaces the "thinking…" message and
            # keeps the deferral's ephemerality.
            self._apply_edit(original, body, req.uploads, where)
            msg = original
            await self._dispatch_message("MESSAGE_UPDATE", msg)
        else:
            flags = self._creation_flags(body, where, interaction=True)
            ch = self._channels[inter.channel_id]
            msg = self._new_message(ch, self.bot_user_id, body, req.uploads, flags=flags, webhook=True,
                                    interaction=inter, mtype=20 if inter.type == IT_COMMAND else 0)
            self._store(msg)
            await self._dispatch_message("MESSAGE_CREATE", msg)
        self._record_response(inter, "followup", None, body, msg.flags, msg.id)
        if req.query.get("wait", "").lower() in ("1", "true"):
            return 200, self._message_json(msg)
        return 204, None

    def _followup_message(self, inter: Interaction, message_id: str) -> Msg:
        msg = self._all_messages.get(message_id)
        if msg is None or msg.deleted or msg.interaction_id != inter.id:
            raise _not_found(*UNKNOWN_MESSAGE)
        return msg

    async def _get_followup(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "GET follow-up")
        return 200, self._message_json(self._followup_message(inter, req.params["message_id"]))

    async def _edit_followup(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "editing a follow-up")
        msg = self._followup_message(inter, req.params["message_id"])
        where = f"interaction {inter.id} ({self._describe(inter)})"
        body = self._check_message_body(req.body, req.uploads, creating=False)
        self._apply_edit(msg, body, req.uploads, where)
        self._record_response(inter, "edit_followup", None, body, msg.flags, msg.id)
        await self._dispatch_message("MESSAGE_UPDATE", msg)
        return 200, self._message_json(msg)

    async def _delete_followup(self, req: _Req) -> tuple[int, Any]:
        inter = self._interaction_for_webhook(req, "deleting a follow-up")
        msg = self._followup_message(inter, req.params["message_id"])
        msg.deleted = True
        self._record_response(inter, "delete_followup", None, {}, msg.flags, msg.id)
        return 204, None


def _flatten_errors(tree: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """(dotted path, readable line) for each error of an Invalid Form Body error tree."""
    out = []
    for key, value in tree.items():
        if key == "_errors":
            for e in value:
                out.append((prefix or "(body)", f"{prefix or '(body)'}: {e['message']} ({e['code']})"))
        elif isinstance(value, dict):
            out += _flatten_errors(value, f"{prefix}.{key}" if prefix else key)
    return out
