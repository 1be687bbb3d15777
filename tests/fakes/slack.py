"""A fake Slack on loopback for tests: the Web API, Socket Mode, signed inbound requests and response URLs.

The real slack_sdk / slack_bolt clients talk to it over HTTP and WebSocket:

    async with FakeSlack() as slack:
        slack.add_workspace("T0000000A1", name="Alpha")
        slack.add_channel("T0000000A1", "C0000000A1", "general")
        client = AsyncWebClient(token="xoxb-T0000000A1", base_url=f"{slack.url}/api/")

Every Web API call is checked against Slack's published specs (the official OpenAPI 2.0 Web API spec and the
community slack-api-ref schemas in tests/specs/slack) and against Slack's documented message and Block Kit
limits. Problems are appended to `violations` and the call is still answered as Slack would, so a test sees the
rest of what happened; tests assert `violations == []` at the end.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import functools
import hashlib
import hmac
import itertools
import json
import math
import re
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import WSMsgType, web

SPECS_ROOT = Path(__file__).resolve().parents[1] / "specs"  # copies of the platforms' specs: tests/specs/README.md

OFFICIAL_SPEC = Path("slack") / "web-api" / "slack_web_openapi_v2_without_examples.json"
COMMUNITY_DIR = Path("slack") / "community" / "slack-api-ref"

# Arguments the JSON-string-in-a-form convention applies to: decoded before checks and in `calls`.
JSON_ARGS = frozenset({"blocks", "attachments", "files", "metadata", "view", "user_auth_blocks", "outputs"})

# Accepted by Slack today but missing from both specs: `team_id` is added to every call by slack_sdk's
# AsyncWebClient(team_id=...) for org-wide apps; grant_type/refresh_token are oauth.v2.access token rotation;
# include_all_metadata is on conversations.history's reference page (the official spec predates message metadata,
# and the community schemas, which have it for conversations.replies, have no conversations.history).
EXTRA_ARGS: dict[str, frozenset[str]] = {
    "*": frozenset({"team_id"}),
    "oauth.v2.access": frozenset({"grant_type", "refresh_token"}),
    "conversations.history": frozenset({"include_all_metadata"}),
}

DEFAULT_SCOPES = "chat:write,commands,reactions:write,users:read,usergroups:read,channels:read,files:write,im:write"
MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral"})
KNOWN_BLOCK_TYPES = frozenset({"section", "header", "context", "divider", "actions", "rich_text", "image", "input"})

MAX_BLOCKS = 50
MAX_TEXT = 40_000
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BLOCK_ID = 255
MAX_HISTORY_LIMIT = 1000  # conversations.history / conversations.replies `limit`
EVENT_TYPE = re.compile(r"^[a-z0-9_]+$")  # message metadata event types are snake_case
SOCKET_ACK_DEADLINE = 3.0  # seconds Slack waits for a Socket Mode ack before retrying

BOT_ICONS = {
    "image_36": "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png",
    "image_48": "https://a.slack-edge.com/80588/img/plugins/app/bot_48.png",
    "image_72": "https://a.slack-edge.com/80588/img/plugins/app/service_72.png",
}


class SlackSpecsMissing(RuntimeError):
    """The platform spec copies in tests/specs are missing."""


# --------------------------------------------------------------------------------------------------------------
# The specs


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


# --------------------------------------------------------------------------------------------------------------
# What the fake remembers


@dataclass
class Message:
    ts: str
    channel: str
    user: str
    text: str
    blocks: list[Any] | None
    thread_ts: str | None
    edited: bool
    team_id: str
    files: list[str] = field(default_factory=list)  # file ids shared with this message
    metadata: dict[str, Any] | None = None  # the message metadata it was posted with (event_type, event_payload)


@dataclass
class Ephemeral:
    channel: str
    user: str
    text: str
    blocks: list[Any] | None
    message_ts: str = ""
    thread_ts: str | None = None
    team_id: str = ""


@dataclass
class Call:
    method: str
    args: dict[str, Any]  # without `token`; JSON-string arguments (blocks, files, ...) decoded
    team_id: str | None  # the workspace of the token, None when the token is unknown, missing or the app token
    http_status: int
    response: dict[str, Any]
    http_method: str = "POST"


@dataclass
class SharedFile:
    id: str
    team_id: str
    user: str
    filename: str
    title: str
    data: bytes
    channels: list[str]
    initial_comment: str | None
    thread_ts: str | None
    created: int


@dataclass
class User:
    id: str
    team_id: str
    name: str
    real_name: str
    display_name: str
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    is_bot: bool = False
    bot_id: str | None = None
    tz: str = "UTC"


@dataclass
class Channel:
    id: str
    team_id: str
    name: str
    bot_member: bool = True
    archived: bool = False
    deleted: bool = False
    im_user: str | None = None  # set for direct message channels
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass
class Workspace:
    team_id: str
    name: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    app_id: str
    installed: bool = True
    users: dict[str, User] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        return re.sub(r"[^a-z0-9-]+", "-", (self.name or self.team_id).lower()).strip("-") or "workspace"


@dataclass
class _OAuthCode:
    team_id: str
    client_id: str
    client_secret: str
    scope: str
    installer_user_id: str


@dataclass
class _Upload:
    file_id: str
    team_id: str
    user: str
    filename: str
    length: int
    data: bytes | None = None


@dataclass
class _PendingAck:
    future: asyncio.Future[dict[str, Any]]
    started: float
    type: str
    accepts_payload: bool
    payload: dict[str, Any]


@dataclass
class _ResponseUrl:
    team_id: str
    channel: str
    user: str


class _SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class _RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass
class _Ctx:
    method: str
    args: dict[str, Any]
    token: str | None
    basic_auth: tuple[str, str] | None
    team: Workspace | None

    @property
    def w(self) -> Workspace:
        assert self.team is not None
        return self.team

    def s(self, name: str) -> str:
        value = self.args.get(name)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)


def _ident(prefix: str, seed: str, width: int = 10) -> str:
    """A Slack-looking id (prefix + at least `width` of A-Z0-9) derived from `seed`, distinct per seed."""
    body = re.sub(r"[^A-Z0-9]", "", seed.upper())
    if len(body) < width or body != seed:
        body = (body + hashlib.sha1(seed.encode()).hexdigest().upper())[: max(width, len(body))]
    return prefix + body


# --------------------------------------------------------------------------------------------------------------
# Block Kit and message checks


def _text_object(obj: Any, where: str, max_len: int, *, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{where} must be a text object, got {type(obj).__name__}"]
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    problems = []
    if obj.get("type") not in allowed:
        problems.append(f"{where}.type is {obj.get('type')!r}, expected {' or '.join(allowed)}")
    text = obj.get("text")
    if not isinstance(text, str) or text == "":
        problems.append(f"{where}.text is missing or empty")
    elif len(text) > max_len:
        problems.append(f"{where}.text is {len(text)} characters (max {max_len})")
    return problems


def block_problems(blocks: Any, where: str = "blocks") -> list[str]:
    """Slack's Block Kit limits for message blocks, as readable problems (empty when fine)."""
    if not isinstance(blocks, list):
        return [f"{where} must be a JSON array of blocks, got {type(blocks).__name__}"]
    problems: list[str] = []
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{where} has {len(blocks)} blocks (max {MAX_BLOCKS})")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"{where}[{i}]"
        if not isinstance(block, dict):
            problems.append(f"{at} must be an object")
            continue
        kind = block.get("type")
        if kind not in KNOWN_BLOCK_TYPES:
            problems.append(f"{at} has unknown block type {kind!r}")
            continue
        at = f"{at} ({kind})"
        if "block_id" in block:
            bid = block["block_id"]
            if not isinstance(bid, str) or not bid:
                problems.append(f"{at}.block_id must be a non-empty string")
            else:
                if len(bid) > MAX_BLOCK_ID:
                    problems.append(f"{at}.block_id is {len(bid)} characters (max {MAX_BLOCK_ID})")
                if bid in seen_ids:
                    problems.append(f"{at}.block_id {bid!r} is used twice in one message")
                seen_ids.add(bid)
        if kind == "section":
            if "text" not in block and "fields" not in block:
                problems.append(f"{at} needs text or fields")
            if "text" in block:
                problems += _text_object(block["text"], f"{at}.text", MAX_SECTION_TEXT)
            if "fields" in block:
                fields = block["fields"]
                if not isinstance(fields, list) or not fields:
                    problems.append(f"{at}.fields must be a non-empty array")
                else:
                    if len(fields) > MAX_SECTION_FIELDS:
                        problems.append(f"{at}.fields has {len(fields)} items (max {MAX_SECTION_FIELDS})")
                    for j, f in enumerate(fields):
                        problems += _text_object(f, f"{at}.fields[{j}]", MAX_FIELD_TEXT)
        elif kind == "header":
            problems += _text_object(block.get("text"), f"{at}.text", MAX_HEADER_TEXT, plain_only=True)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                problems.append(f"{at}.elements must be a non-empty array")
            else:
                if len(elements) > MAX_CONTEXT_ELEMENTS:
                    problems.append(f"{at}.elements has {len(elements)} items (max {MAX_CONTEXT_ELEMENTS})")
                for j, el in enumerate(elements):
                    if isinstance(el, dict) and el.get("type") == "image":
                        if not (el.get("image_url") or el.get("slack_file")) or not el.get("alt_text"):
                            problems.append(f"{at}.elements[{j}] image needs image_url and alt_text")
                    else:
                        problems += _text_object(el, f"{at}.elements[{j}]", MAX_TEXT)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                problems.append(f"{at}.elements must be a non-empty array")
            elif len(elements) > MAX_ACTIONS_ELEMENTS:
                problems.append(f"{at}.elements has {len(elements)} items (max {MAX_ACTIONS_ELEMENTS})")
            else:
                for j, el in enumerate(elements):
                    if not isinstance(el, dict) or not el.get("type"):
                        problems.append(f"{at}.elements[{j}] must be an element object with a type")
        elif kind == "image":
            if not (block.get("image_url") or block.get("slack_file")):
                problems.append(f"{at} needs image_url or slack_file")
            alt = block.get("alt_text")
            if not isinstance(alt, str) or not alt:
                problems.append(f"{at}.alt_text is missing")
            elif len(alt) > 2000:
                problems.append(f"{at}.alt_text is {len(alt)} characters (max 2000)")
            if "title" in block:
                problems += _text_object(block["title"], f"{at}.title", 2000, plain_only=True)
        elif kind == "rich_text":
            if not isinstance(block.get("elements"), list):
                problems.append(f"{at}.elements must be an array")
        elif kind == "input":
            problems += _text_object(block.get("label"), f"{at}.label", 2000, plain_only=True)
            if not isinstance(block.get("element"), dict):
                problems.append(f"{at}.element is missing")
    return problems


def message_problems(args: dict[str, Any]) -> list[str]:
    """A message needs text or blocks; text at most 40,000 characters; blocks within Block Kit limits."""
    problems: list[str] = []
    text = args.get("text")
    blocks = args.get("blocks")
    has_text = isinstance(text, str) and text.strip() != ""
    has_blocks = blocks not in (None, "", [])
    if not has_text and not has_blocks:
        problems.append("a message needs `text` or `blocks`")
    if text is not None and not isinstance(text, str):
        problems.append(f"`text` must be a string, got {type(text).__name__}")
    if isinstance(text, str) and len(text) > MAX_TEXT:
        problems.append(f"`text` is {len(text)} characters (max {MAX_TEXT})")
    if blocks not in (None, ""):
        problems += block_problems(blocks)
    if "metadata" in args:
        problems += metadata_problems(args["metadata"])
    return problems


def metadata_problems(metadata: Any) -> list[str]:
    """Message metadata is an object with a snake_case `event_type` and an `event_payload` object."""
    if metadata is None:
        return []
    if not isinstance(metadata, dict):
        return [f"`metadata` must be a JSON object, got {type(metadata).__name__}"]
    problems = []
    event_type = metadata.get("event_type")
    if not isinstance(event_type, str) or not EVENT_TYPE.match(event_type):
        problems.append(f"metadata.event_type must be a snake_case string, got {event_type!r}")
    if not isinstance(metadata.get("event_payload"), dict):
        problems.append("metadata.event_payload must be a JSON object")
    unknown = sorted(set(metadata) - {"event_type", "event_payload"})
    if unknown:
        problems.append(f"metadata has unknown field(s) {', '.join(unknown)}")
    return problems


# --------------------------------------------------------------------------------------------------------------
# The fake


Handler = Callable[[_Ctx], Awaitable[dict[str, Any]]]


class FakeSlack:
    """Slack's Web API, Socket Mode and response URLs on 127.0.0.1, with state kept for assertions."""

    def __init__(
        self,
        *,
        signing_secret: str = "fake-signing-secret",
        app_token: str = "xapp-1-fake",
        enforce_channel_pace: bool = False,
        workspace_rate: float | None = None,
        workspace_burst: int | None = None,
        specs_dir: Path | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.spec = load_spec((specs_dir or SPECS_ROOT).resolve())
        self._now = now  # message timestamps follow this clock (a test's fake clock)
        self.signing_secret = signing_secret
        self.app_token = app_token
        self.app_id = "AFAKEAPP01"
        self.enforce_channel_pace = enforce_channel_pace
        self.channel_pace_per_second = 1.0  # Slack: about one message per second per channel...
        self.channel_pace_burst = 3  # ...with short bursts allowed
        # Slack also keeps a workspace-wide limit on chat.postMessage per app, and does not publish its figure. With
        # `workspace_rate` (messages per second) each workspace gets a token bucket holding `workspace_burst`
        # (default: one second's worth); a post over it is answered 429 with Retry-After, as Slack does. That is not
        # a violation: a client cannot know the figure in advance, it has to slow down when told.
        self.workspace_rate = workspace_rate
        self.workspace_burst = max(1, math.ceil(workspace_rate or 1)) if workspace_burst is None else workspace_burst
        self.workspace_limited = 0  # 429s answered for the workspace limit

        self.messages: dict[str, list[Message]] = {}
        self.ephemerals: list[Ephemeral] = []
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.files: list[SharedFile] = []
        self.socket_acks: list[dict[str, Any]] = []
        self.response_url_posts: list[dict[str, Any]] = []

        self._workspaces: dict[str, Workspace] = {}
        self._tokens: dict[str, str] = {}  # bot token -> team id, installed workspaces only
        self._revoked: set[str] = set()
        self._channels: dict[str, Channel] = {}
        self._reactions: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._rate_limits: dict[str, list[int]] = {}  # method -> [remaining, retry_after]
        self._refusals: dict[str, list[str]] = {}  # method -> the errors its next calls are answered with
        self._pace: dict[str, tuple[float, float]] = {}  # channel -> (tokens, monotonic time)
        self._workspace_pace: dict[str, tuple[float, float]] = {}  # team -> (tokens, monotonic time)
        self._oauth_codes: dict[str, _OAuthCode] = {}
        self._uploads: dict[str, _Upload] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._last_ts_us = 0
        self._ids = itertools.count(1)

        self._sockets: list[web.WebSocketResponse] = []
        self._socket_changed: asyncio.Event | None = None
        self._pending_acks: dict[str, _PendingAck] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        self._handlers: dict[str, Handler] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "users.info": self._users_info,
            "usergroups.users.list": self._usergroups_users_list,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "apps.connections.open": self._apps_connections_open,
            "oauth.v2.access": self._oauth_v2_access,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }

    # ---- lifecycle ----

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._serve_api)
        app.router.add_route("*", "/upload/{file_id}", self._serve_upload)
        app.router.add_route("*", "/response/{key}", self._serve_response_url)
        app.router.add_get("/socket-mode", self._serve_socket)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self._socket_changed = asyncio.Event()

    async def stop(self) -> None:
        for pending in self._pending_acks.values():
            if not pending.future.done():
                pending.future.cancel()
        self._pending_acks.clear()
        for ws in list(self._sockets):
            await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"fake slack stopping")
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started: await start() or use `async with FakeSlack()`")
        return f"http://127.0.0.1:{self._port}"

    # ---- setting the scene ----

    def add_workspace(
        self,
        team_id: str,
        *,
        name: str = "",
        bot_token: str | None = None,
        bot_user_id: str = "UBOT",
        bot_name: str = "prepbot",
        installed: bool = True,
    ) -> Workspace:
        if team_id in self._workspaces:
            raise ValueError(f"workspace {team_id} already exists")
        w = Workspace(
            team_id=team_id,
            name=name or team_id,
            bot_token=bot_token or f"xoxb-{team_id}",
            bot_user_id=bot_user_id,
            bot_id=_ident("B", team_id),
            app_id=self.app_id,
            installed=installed,
        )
        self._workspaces[team_id] = w
        if installed:
            self._tokens[w.bot_token] = team_id
        w.users[bot_user_id] = User(
            bot_user_id, team_id, bot_name, bot_name, bot_name, is_bot=True, bot_id=w.bot_id
        )
        return w

    def workspace(self, team_id: str) -> Workspace:
        try:
            return self._workspaces[team_id]
        except KeyError:
            raise KeyError(f"no workspace {team_id}: call add_workspace first") from None

    def uninstall(self, team_id: str) -> list[dict[str, Any]]:
        """The app is removed from the workspace: its bot token answers `token_revoked` from now on, and the bot
        leaves every channel. Returns the events Slack then sends the app, in order: `tokens_revoked` (the bot's
        token) and `app_uninstalled` (https://api.slack.com/events/tokens_revoked, /events/app_uninstalled)."""
        w = self.workspace(team_id)
        w.installed = False
        self._tokens.pop(w.bot_token, None)
        self._revoked.add(w.bot_token)
        for channel in self._channels.values():
            if channel.team_id == team_id and not channel.im_user:
                channel.bot_member = False
        revoked = self.event_callback(team_id, {"type": "tokens_revoked",
                                                "tokens": {"oauth": [], "bot": [w.bot_user_id]}})
        uninstalled = self.event_callback(team_id, {"type": "app_uninstalled"})
        return [revoked, uninstalled]

    def add_user(
        self,
        team_id: str,
        user_id: str,
        name: str,
        *,
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        is_primary_owner: bool = False,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str = "UTC",
    ) -> None:
        w = self.workspace(team_id)
        w.users[user_id] = User(
            user_id,
            team_id,
            name,
            real_name if real_name is not None else name,
            display_name if display_name is not None else name,
            is_admin=is_admin or is_owner or is_primary_owner,
            is_owner=is_owner or is_primary_owner,
            is_primary_owner=is_primary_owner,
            is_bot=is_bot,
            bot_id=_ident("B", user_id) if is_bot else None,
            tz=tz,
        )

    def add_channel(self, team_id: str, channel_id: str, name: str, *, bot_member: bool = True) -> None:
        self.workspace(team_id)
        if channel_id in self._channels:
            raise ValueError(f"channel {channel_id} already exists")
        self._channels[channel_id] = Channel(channel_id, team_id, name.lstrip("#"), bot_member=bot_member)
        self.messages.setdefault(channel_id, [])

    def add_usergroup(self, team_id: str, group_id: str, user_ids: list[str]) -> None:
        self.workspace(team_id).usergroups[group_id] = list(user_ids)

    def _channel(self, channel_id: str) -> Channel:
        try:
            return self._channels[channel_id]
        except KeyError:
            raise KeyError(f"no channel {channel_id}: call add_channel first") from None

    def add_bot_to(self, channel_id: str) -> None:
        self._channel(channel_id).bot_member = True

    def remove_bot_from(self, channel_id: str) -> None:
        self._channel(channel_id).bot_member = False

    def archive_channel(self, channel_id: str) -> None:
        self._channel(channel_id).archived = True

    def delete_channel(self, channel_id: str) -> None:
        self._channel(channel_id).deleted = True

    def rate_limit(self, method: str, times: int, retry_after: int = 1) -> None:
        self._rate_limits[method] = [times, retry_after]

    def refuse(self, method: str, error: str, times: int = 1) -> None:
        """The next `times` calls of `method` are answered `{"ok": false, "error": error}` (a scope the workspace
        did not grant, say), and do nothing."""
        self._refusals.setdefault(method, []).extend([error] * times)

    def add_oauth_code(
        self,
        code: str,
        team_id: str,
        *,
        client_id: str = "cid",
        client_secret: str = "csecret",
        scope: str = DEFAULT_SCOPES,
        installer_user_id: str = "UINSTALLER",
    ) -> None:
        """A code oauth.v2.access exchanges for an installation of `team_id`.

        If the workspace does not exist yet it is created uninstalled: its bot token works only after the exchange.
        """
        if team_id not in self._workspaces:
            self.add_workspace(team_id, installed=False)
        self._oauth_codes[code] = _OAuthCode(team_id, client_id, client_secret, scope, installer_user_id)

    def add_user_message(
        self,
        channel_id: str,
        user_id: str,
        text: str,
        *,
        thread_ts: str | None = None,
        blocks: list[Any] | None = None,
    ) -> Message:
        """A member posts (no Web API call): for threads, reactions and chat.update tests."""
        ch = self._channel(channel_id)
        msg = Message(self._next_ts(), channel_id, user_id, text, blocks, thread_ts, False, ch.team_id)
        self.messages.setdefault(channel_id, []).append(msg)
        return msg

    def add_reaction(self, channel_id: str, ts: str, name: str, user_id: str) -> None:
        """A member reacts (no Web API call)."""
        self._reactions.setdefault((channel_id, ts), []).append((name.strip(":"), user_id))

    # ---- reading state ----

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        return [m for m in self.messages.get(channel, []) if m.thread_ts == thread_ts]

    def top_level(self, channel: str) -> list[Message]:
        return [m for m in self.messages.get(channel, []) if m.thread_ts is None]

    def reactions(self, channel: str, ts: str) -> list[tuple[str, str]]:
        return list(self._reactions.get((channel, ts), []))

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # ---- socket mode ----

    async def wait_for_socket_client(self, timeout: float = 10) -> None:
        assert self._socket_changed is not None, "FakeSlack is not started"
        deadline = time.monotonic() + timeout
        while not self._open_sockets():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no Socket Mode client connected within {timeout}s")
            self._socket_changed.clear()
            try:
                await asyncio.wait_for(self._socket_changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def push_socket(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        timeout: float = 10,
        accepts_response_payload: bool | None = None,
    ) -> dict[str, Any]:
        """Send an envelope to the connected Socket Mode client and return the ack it sends back."""
        sockets = self._open_sockets()
        if not sockets:
            raise RuntimeError("no Socket Mode client is connected (see wait_for_socket_client)")
        if accepts_response_payload is None:
            accepts_response_payload = type == "slash_commands" or (
                type == "interactive" and payload.get("type") in ("view_submission", "block_suggestion")
            )
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = "timeout" if retry_attempt else ""
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        started = time.monotonic()
        self._pending_acks[envelope_id] = _PendingAck(fut, started, type, accepts_response_payload, payload)
        try:
            await sockets[-1].send_json(envelope)
            try:
                return await asyncio.wait_for(fut, timeout)
            except asyncio.TimeoutError:
                raise TimeoutError(f"no ack for {type} envelope {envelope_id} within {timeout}s") from None
        finally:
            self._pending_acks.pop(envelope_id, None)

    async def disconnect_socket(self, reason: str = "refresh_requested") -> None:
        """Ask connected clients to reconnect, as Slack does about every few hours."""
        for ws in self._open_sockets():
            await ws.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}})

    def _open_sockets(self) -> list[web.WebSocketResponse]:
        return [ws for ws in self._sockets if not ws.closed]

    # ---- payload builders for inbound traffic ----

    def event_callback(self, team_id: str, event: dict[str, Any]) -> dict[str, Any]:
        """The Events API wrapper Slack puts around `event` for this app in `team_id`."""
        w = self.workspace(team_id)
        event = dict(event)
        event.setdefault("event_ts", event.get("ts") or self._next_ts())
        return {
            "token": "fake-verification-token",
            "team_id": team_id,
            "enterprise_id": None,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": int(self._now()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": w.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "authed_users": [w.bot_user_id],
            "is_ext_shared_channel": False,
            "event_context": "4-" + uuid.uuid4().hex,
        }

    def slash_command(
        self, team_id: str, channel_id: str, user_id: str, text: str = "", *, command: str = "/prep"
    ) -> dict[str, Any]:
        """A slash command payload (as Socket Mode delivers it) with a working response_url."""
        w = self.workspace(team_id)
        ch = self._channels.get(channel_id)
        user = w.users.get(user_id)
        key = uuid.uuid4().hex
        self._response_urls[key] = _ResponseUrl(team_id, channel_id, user_id)
        return {
            "token": "fake-verification-token",
            "team_id": team_id,
            "team_domain": w.domain,
            "channel_id": channel_id,
            "channel_name": ch.name if ch else "directmessage",
            "user_id": user_id,
            "user_name": user.name if user else user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": f"{self.url}/response/{key}",
            "trigger_id": f"{next(self._ids)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:32]}",
        }

    # ---- signed HTTP requests to the bot ----

    def sign(self, body: str, timestamp: int, secret: str | None = None) -> str:
        base = f"v0:{timestamp}:{body}".encode()
        key = (secret if secret is not None else self.signing_secret).encode()
        return "v0=" + hmac.new(key, base, hashlib.sha256).hexdigest()

    async def send_signed(
        self,
        url: str,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        timeout: float = 30.0,
    ) -> tuple[int, str]:
        """POSTs a request signed as Slack signs it; returns the status and body. A response later than Slack's 3
        seconds is a violation (Slack would have shown the member an error, or delivered the event again)."""
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": self.sign(body, ts, secret),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
        if retry_reason is not None:
            headers["X-Slack-Retry-Reason"] = retry_reason
        started = time.monotonic()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            async with session.post(url, data=body.encode(), headers=headers) as res:
                text = await res.text()
        elapsed = time.monotonic() - started
        if elapsed > SOCKET_ACK_DEADLINE:
            self._violation("http", f"answered after {elapsed:.1f}s (Slack waits {SOCKET_ACK_DEADLINE:g}s)")
        return res.status, text

    # ---- internals: ids and time ----

    def _next_ts(self) -> str:
        us = int(self._now() * 1_000_000)
        if us <= self._last_ts_us:
            us = self._last_ts_us + 1
        self._last_ts_us = us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def _violation(self, where: str, problem: str) -> None:
        self.violations.append(f"{where}: {problem}")

    # ---- internals: the Web API ----

    async def _read_args(self, request: web.Request) -> tuple[dict[str, Any], str]:
        args: dict[str, Any] = {}
        for k in request.query:
            args.setdefault(k, request.query.get(k))
        kind = "none"
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                kind = "json"
                raw = await request.text()
                try:
                    data = json.loads(raw) if raw.strip() else {}
                except json.JSONDecodeError:
                    data = None
                if isinstance(data, dict):
                    args.update(data)
                else:
                    kind = "bad-json"
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                kind = "form"
                form = await request.post()
                for k in form:
                    v = form.get(k)
                    args[k] = v if isinstance(v, str) else getattr(v, "filename", repr(v))
            else:
                kind = f"unsupported:{ctype}"
                await request.read()
        for name in JSON_ARGS & set(args):
            v = args[name]
            if isinstance(v, str) and v.strip()[:1] in ("[", "{"):
                try:
                    args[name] = json.loads(v)
                except json.JSONDecodeError:
                    pass
        return args, kind

    def _spec_problems(
        self, method: str, http_method: str, args: dict[str, Any], kind: str, token: str | None
    ) -> list[str]:
        spec = self.spec.method(method)
        if spec is None:
            return ["unknown method: not in Slack's Web API spec nor the community method list"]
        problems: list[str] = []
        if http_method != "POST" and http_method.lower() not in spec.verbs:
            problems.append(f"sent with HTTP {http_method}; Slack Web API calls are POST")
        if kind == "bad-json":
            problems.append("the JSON body is not a JSON object")
        elif kind.startswith("unsupported:"):
            problems.append(f"unsupported Content-Type {kind.split(':', 1)[1]!r}")
        elif kind == "json" and spec.json_input is False:
            problems.append("JSON bodies are not supported by this method; send form-encoded arguments")
        if spec.needs_token and not token:
            problems.append("no token (Authorization: Bearer header or `token` argument)")
        for name in sorted(spec.required):
            if args.get(name) in (None, ""):
                problems.append(f"missing required argument `{name}`")
        allowed = spec.params | EXTRA_ARGS["*"] | EXTRA_ARGS.get(method, frozenset())
        unknown = sorted(set(args) - allowed)
        if unknown:
            problems.append(f"unknown argument(s) {', '.join(unknown)} (not in the spec)")
        for name in sorted(JSON_ARGS & set(args)):
            if isinstance(args[name], str) and args[name].strip():
                problems.append(f"`{name}` is not valid JSON")
        if method in MESSAGE_METHODS:
            problems += message_problems(args)
        return problems

    async def _serve_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args, kind = await self._read_args(request)

        token: str | None = None
        basic: tuple[str, str] | None = None
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip() or None
        elif auth.lower().startswith("basic "):
            try:
                user, _, password = base64.b64decode(auth[6:].strip()).decode().partition(":")
                basic = (user, password)
            except (ValueError, UnicodeDecodeError):
                basic = None
        body_token = args.get("token")
        if token is None and isinstance(body_token, str) and body_token:
            token = body_token

        for problem in self._spec_problems(method, request.method, args, kind, token):
            self._violation(method, problem)
        args.pop("token", None)

        team_id = self._tokens.get(token) if token else None
        status = 200
        headers: dict[str, str] = {}
        limit = self._rate_limits.get(method)
        if limit is not None and limit[0] > 0:
            limit[0] -= 1
            status = 429
            headers["Retry-After"] = str(limit[1])
            body: dict[str, Any] = {"ok": False, "error": "ratelimited"}
        elif self._refusals.get(method):
            body = {"ok": False, "error": self._refusals[method].pop(0)}
        else:
            try:
                body = await self._dispatch(method, args, token, basic)
            except _RateLimited as e:
                status = 429
                headers["Retry-After"] = str(e.retry_after)
                body = {"ok": False, "error": "ratelimited"}
        self.calls.append(Call(method, args, team_id, status, body, request.method))
        return web.json_response(body, status=status, headers=headers)

    async def _dispatch(
        self, method: str, args: dict[str, Any], token: str | None, basic: tuple[str, str] | None
    ) -> dict[str, Any]:
        spec = self.spec.method(method)
        if spec is None:
            return {"ok": False, "error": "unknown_method", "req_method": method}
        handler = self._handlers.get(method)
        if handler is None:
            self._violation(method, "FakeSlack does not implement this method yet (it is in Slack's spec)")
            return {"ok": False, "error": "unknown_method", "req_method": method}
        ctx = _Ctx(method, args, token, basic, None)
        try:
            if method == "apps.connections.open":
                if not token:
                    raise _SlackError("not_authed")
                if token in self._tokens or token in self._revoked:
                    raise _SlackError("not_allowed_token_type")
                if token != self.app_token:
                    raise _SlackError("invalid_auth")
            elif spec.needs_token:
                if not token:
                    raise _SlackError("not_authed")
                if token == self.app_token:
                    raise _SlackError("not_allowed_token_type")
                if token in self._revoked:
                    raise _SlackError("token_revoked")
                team_id = self._tokens.get(token)
                if team_id is None:
                    raise _SlackError("invalid_auth")
                ctx.team = self._workspaces[team_id]
            return await handler(ctx)
        except _SlackError as e:
            return {"ok": False, "error": e.error, **e.extra}

    # ---- channel helpers ----

    def _resolve_channel(self, w: Workspace, ref: str) -> Channel:
        if not ref:
            raise _SlackError("channel_not_found")
        if ref[0] in "UW" and ref in w.users:
            return self._open_dm(w, ref)
        ch = self._channels.get(ref)
        if ch is None:
            name = ref.lstrip("#")
            ch = next(
                (c for c in self._channels.values() if c.team_id == w.team_id and c.name == name and not c.im_user),
                None,
            )
        if ch is None or ch.team_id != w.team_id or ch.deleted:
            raise _SlackError("channel_not_found")
        return ch

    def _open_dm(self, w: Workspace, user_id: str) -> Channel:
        dm_id = f"D{user_id}"
        ch = self._channels.get(dm_id)
        if ch is None:
            ch = Channel(dm_id, w.team_id, user_id, bot_member=True, im_user=user_id)
            self._channels[dm_id] = ch
            self.messages.setdefault(dm_id, [])
        elif ch.team_id != w.team_id:
            raise _SlackError("channel_not_found")
        return ch

    @staticmethod
    def _check_postable(ch: Channel) -> None:
        if ch.archived:
            raise _SlackError("is_archived")
        if not ch.bot_member:
            raise _SlackError("not_in_channel")

    def _find(self, channel_id: str, ts: str) -> Message | None:
        return next((m for m in self.messages.get(channel_id, []) if m.ts == ts), None)

    def _check_pace(self, channel_id: str) -> None:
        if not self.enforce_channel_pace:
            return
        now = time.monotonic()
        burst = float(self.channel_pace_burst)
        tokens, last = self._pace.get(channel_id, (burst, now))
        tokens = min(burst, tokens + (now - last) * self.channel_pace_per_second)
        if tokens < 1:
            self._pace[channel_id] = (tokens, now)
            wait = (1 - tokens) / self.channel_pace_per_second
            self._violation(
                "chat.postMessage",
                f"posting to {channel_id} faster than {self.channel_pace_per_second:g} message/second "
                f"(burst {self.channel_pace_burst}): answered 429",
            )
            raise _RateLimited(max(1, math.ceil(wait)))
        self._pace[channel_id] = (tokens - 1, now)

    def _check_workspace_rate(self, team_id: str) -> None:
        if self.workspace_rate is None:
            return
        now = time.monotonic()
        burst = float(self.workspace_burst)
        tokens, last = self._workspace_pace.get(team_id, (burst, now))
        tokens = min(burst, tokens + (now - last) * self.workspace_rate)
        if tokens < 1:
            self._workspace_pace[team_id] = (tokens, now)
            self.workspace_limited += 1
            raise _RateLimited(max(1, math.ceil((1 - tokens) / self.workspace_rate)))
        self._workspace_pace[team_id] = (tokens - 1, now)

    @staticmethod
    def _metadata_arg(ctx: _Ctx) -> dict[str, Any] | None:
        metadata = ctx.args.get("metadata")
        return copy.deepcopy(metadata) if isinstance(metadata, dict) else None

    @staticmethod
    def _blocks_arg(ctx: _Ctx) -> list[Any] | None:
        blocks = ctx.args.get("blocks")
        return blocks if isinstance(blocks, list) and blocks else None

    def _bot_profile(self, w: Workspace) -> dict[str, Any]:
        bot = w.users[w.bot_user_id]
        return {
            "id": w.bot_id,
            "deleted": False,
            "name": bot.name,
            "updated": 1700000000,
            "app_id": self.app_id,
            "icons": dict(BOT_ICONS),
            "team_id": w.team_id,
        }

    def _message_json(self, msg: Message) -> dict[str, Any]:
        w = self._workspaces[msg.team_id]
        out: dict[str, Any] = {"type": "message", "text": msg.text, "user": msg.user, "ts": msg.ts, "team": msg.team_id}
        if msg.user == w.bot_user_id:
            out["bot_id"] = w.bot_id
            out["bot_profile"] = self._bot_profile(w)
        if msg.blocks:
            out["blocks"] = copy.deepcopy(msg.blocks)
        if msg.thread_ts:
            out["thread_ts"] = msg.thread_ts
            parent = self._find(msg.channel, msg.thread_ts)
            if parent is not None:
                out["parent_user_id"] = parent.user
        return out

    def _thread_parent(self, ch: Channel, thread_ts: str | None, method: str) -> str | None:
        if not thread_ts:
            return None
        parent = self._find(ch.id, thread_ts)
        if parent is None:
            self._violation(method, f"thread_ts {thread_ts} is not a message in {ch.id}")
            return thread_ts
        if parent.thread_ts:
            self._violation(method, f"thread_ts {thread_ts} is a reply; Slack wants the parent's ts {parent.thread_ts}")
            return parent.thread_ts
        return thread_ts

    # ---- methods ----

    async def _api_test(self, ctx: _Ctx) -> dict[str, Any]:
        return {"ok": True, "args": {k: v for k, v in ctx.args.items()}}

    async def _auth_test(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        return {
            "ok": True,
            "url": f"https://{w.domain}.slack.com/",
            "team": w.name,
            "user": w.users[w.bot_user_id].name,
            "team_id": w.team_id,
            "user_id": w.bot_user_id,
            "bot_id": w.bot_id,
            "is_enterprise_install": False,
        }

    async def _chat_post_message(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        self._check_workspace_rate(w.team_id)
        ch = self._resolve_channel(w, ctx.s("channel"))
        self._check_postable(ch)
        thread_ts = self._thread_parent(ch, ctx.s("thread_ts") or None, ctx.method)
        self._check_pace(ch.id)
        text = ctx.args.get("text")
        msg = Message(
            ts=self._next_ts(),
            channel=ch.id,
            user=w.bot_user_id,
            text=text if isinstance(text, str) else "",
            blocks=self._blocks_arg(ctx),
            thread_ts=thread_ts,
            edited=False,
            team_id=w.team_id,
            metadata=self._metadata_arg(ctx),
        )
        self.messages.setdefault(ch.id, []).append(msg)
        return {"ok": True, "channel": ch.id, "ts": msg.ts, "message": self._message_json(msg)}

    async def _chat_update(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        ch = self._resolve_channel(w, ctx.s("channel"))
        msg = self._find(ch.id, ctx.s("ts"))
        if msg is None:
            raise _SlackError("message_not_found")
        if msg.user != w.bot_user_id:
            raise _SlackError("cant_update_message")
        if "text" in ctx.args:
            msg.text = ctx.s("text")
        if "blocks" in ctx.args:  # an empty array removes the blocks; leaving it out keeps them
            msg.blocks = self._blocks_arg(ctx)
        if "metadata" in ctx.args:  # leaving it out keeps the metadata
            msg.metadata = self._metadata_arg(ctx)
        msg.edited = True
        message: dict[str, Any] = {"text": msg.text}
        if msg.blocks:
            message["blocks"] = copy.deepcopy(msg.blocks)
        return {"ok": True, "channel": ch.id, "ts": msg.ts, "text": msg.text, "message": message}

    async def _chat_delete(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        ch = self._resolve_channel(w, ctx.s("channel"))
        msg = self._find(ch.id, ctx.s("ts"))
        if msg is None:
            raise _SlackError("message_not_found")
        if msg.user != w.bot_user_id:
            raise _SlackError("cant_delete_message")
        self.messages[ch.id].remove(msg)
        return {"ok": True, "channel": ch.id, "ts": msg.ts}

    async def _chat_post_ephemeral(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        ch = self._resolve_channel(w, ctx.s("channel"))
        self._check_postable(ch)
        ts = self._next_ts()
        self.ephemerals.append(
            Ephemeral(
                channel=ch.id,
                user=ctx.s("user"),
                text=ctx.s("text"),
                blocks=self._blocks_arg(ctx),
                message_ts=ts,
                thread_ts=ctx.s("thread_ts") or None,
                team_id=w.team_id,
            )
        )
        return {"ok": True, "message_ts": ts}

    def _reaction_target(self, ctx: _Ctx) -> tuple[Channel, Message, str]:
        ch = self._resolve_channel(ctx.w, ctx.s("channel"))
        self._check_postable(ch)
        msg = self._find(ch.id, ctx.s("timestamp"))
        if msg is None:
            raise _SlackError("message_not_found")
        name = ctx.s("name").strip(":")
        if not name:
            raise _SlackError("invalid_name")
        return ch, msg, name

    async def _reactions_add(self, ctx: _Ctx) -> dict[str, Any]:
        ch, msg, name = self._reaction_target(ctx)
        entry = (name, ctx.w.bot_user_id)
        existing = self._reactions.setdefault((ch.id, msg.ts), [])
        if entry in existing:
            raise _SlackError("already_reacted")
        existing.append(entry)
        return {"ok": True}

    async def _reactions_remove(self, ctx: _Ctx) -> dict[str, Any]:
        ch, msg, name = self._reaction_target(ctx)
        entry = (name, ctx.w.bot_user_id)
        existing = self._reactions.get((ch.id, msg.ts), [])
        if entry not in existing:
            raise _SlackError("no_reaction")
        existing.remove(entry)
        return {"ok": True}

    def _user_json(self, w: Workspace, u: User) -> dict[str, Any]:
        zone = ZoneInfo(u.tz)
        now = datetime.now(timezone.utc).astimezone(zone)
        offset = now.utcoffset()
        profile: dict[str, Any] = {
            "title": "",
            "phone": "",
            "skype": "",
            "real_name": u.real_name,
            "real_name_normalized": u.real_name,
            "display_name": u.display_name,
            "display_name_normalized": u.display_name,
            "fields": {},
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g" + hashlib.sha1(u.id.encode()).hexdigest()[:11],
            "first_name": u.real_name.split(" ")[0] if u.real_name else "",
            "last_name": " ".join(u.real_name.split(" ")[1:]),
            "image_24": "https://secure.gravatar.com/avatar/fake.jpg?s=24",
            "image_32": "https://secure.gravatar.com/avatar/fake.jpg?s=32",
            "image_48": "https://secure.gravatar.com/avatar/fake.jpg?s=48",
            "image_72": "https://secure.gravatar.com/avatar/fake.jpg?s=72",
            "image_192": "https://secure.gravatar.com/avatar/fake.jpg?s=192",
            "image_512": "https://secure.gravatar.com/avatar/fake.jpg?s=512",
            "team": w.team_id,
        }
        if u.is_bot:
            profile["bot_id"] = u.bot_id or w.bot_id
            profile["api_app_id"] = self.app_id if u.id == w.bot_user_id else ""
            profile["always_active"] = True
        return {
            "id": u.id,
            "team_id": w.team_id,
            "name": u.name,
            "deleted": False,
            "color": "9f69e7",
            "real_name": u.real_name,
            "tz": u.tz,
            "tz_label": now.tzname() or u.tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
            "is_admin": u.is_admin,
            "is_owner": u.is_owner,
            "is_primary_owner": u.is_primary_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": u.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
        }

    async def _users_info(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        u = w.users.get(ctx.s("user"))
        if u is None:
            raise _SlackError("user_not_found")
        return {"ok": True, "user": self._user_json(w, u)}

    async def _usergroups_users_list(self, ctx: _Ctx) -> dict[str, Any]:
        users = ctx.w.usergroups.get(ctx.s("usergroup"))
        if users is None:
            raise _SlackError("no_such_subteam")
        return {"ok": True, "users": list(users)}

    def _conversation_json(self, w: Workspace, ch: Channel, *, num_members: bool = False) -> dict[str, Any]:
        if ch.im_user:
            return {
                "id": ch.id,
                "created": ch.created,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "user": ch.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        out: dict[str, Any] = {
            "id": ch.id,
            "name": ch.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": False,
            "created": ch.created,
            "is_archived": ch.archived,
            "is_general": False,
            "unlinked": 0,
            "name_normalized": ch.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "is_ext_shared": False,
            "shared_team_ids": [w.team_id],
            "is_member": ch.bot_member,
            "creator": w.bot_user_id,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if num_members:
            out["num_members"] = len(w.users)
        return out

    async def _conversations_info(self, ctx: _Ctx) -> dict[str, Any]:
        ch = self._resolve_channel(ctx.w, ctx.s("channel"))
        if ch.im_user is None and ctx.s("channel")[:1] in ("U", "W"):
            raise _SlackError("channel_not_found")
        num = ctx.s("include_num_members") in ("1", "true")
        return {"ok": True, "channel": self._conversation_json(ctx.w, ch, num_members=num)}

    def _readable(self, ctx: _Ctx) -> Channel:
        """The channel whose history the call asks for: the bot must be in it (a DM with it always is)."""
        ch = self._resolve_channel(ctx.w, ctx.s("channel"))
        if not ch.bot_member:
            raise _SlackError("not_in_channel")
        return ch

    def _history_window(self, ctx: _Ctx, messages: list[Message]) -> list[Message]:
        """`messages` between `oldest` and `latest` (exclusive unless `inclusive`), as the history methods filter."""
        inclusive = ctx.s("inclusive") in ("1", "true")
        try:
            oldest = float(ctx.s("oldest") or 0)
            latest = float(ctx.s("latest") or math.inf)
        except ValueError:
            self._violation(ctx.method, f"`oldest`/`latest` must be timestamps: {ctx.s('oldest')!r}, "
                                        f"{ctx.s('latest')!r}")
            raise _SlackError("invalid_arguments") from None
        if inclusive:
            return [m for m in messages if oldest <= float(m.ts) <= latest]
        return [m for m in messages if oldest < float(m.ts) < latest]

    def _history_page(self, ctx: _Ctx, messages: list[Message]) -> tuple[list[Message], str]:
        """One page of `messages` (`limit` from `cursor`), and the cursor of the next page ("" for the last)."""
        raw = ctx.s("limit") or "100"
        try:
            limit = int(float(raw))
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_HISTORY_LIMIT:
            self._violation(ctx.method, f"`limit` must be 1 to {MAX_HISTORY_LIMIT}, got {raw!r}")
            limit = min(max(limit, 1), MAX_HISTORY_LIMIT)
        start = 0
        if ctx.s("cursor"):
            try:
                start = int(base64.b64decode(ctx.s("cursor")).decode().removeprefix("offset:"))
            except ValueError:
                raise _SlackError("invalid_cursor") from None
        page = messages[start:start + limit]
        more = start + limit < len(messages)
        return page, base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""

    def _history_json(self, ctx: _Ctx, msg: Message) -> dict[str, Any]:
        out = self._message_json(msg)
        if msg.metadata and ctx.s("include_all_metadata") in ("1", "true"):
            out["metadata"] = copy.deepcopy(msg.metadata)
        return out

    async def _conversations_history(self, ctx: _Ctx) -> dict[str, Any]:
        ch = self._readable(ctx)
        top = self._history_window(ctx, [m for m in self.messages.get(ch.id, []) if m.thread_ts is None])
        page, cursor = self._history_page(ctx, list(reversed(top)))  # newest first, as Slack answers
        return {"ok": True, "messages": [self._history_json(ctx, m) for m in page], "has_more": bool(cursor),
                "pin_count": 0, "channel_actions_ts": None, "channel_actions_count": 0,
                "response_metadata": {"next_cursor": cursor}}

    async def _conversations_replies(self, ctx: _Ctx) -> dict[str, Any]:
        ch = self._readable(ctx)
        asked = self._find(ch.id, ctx.s("ts"))
        if asked is None:
            raise _SlackError("thread_not_found")
        parent = self._find(ch.id, asked.thread_ts) if asked.thread_ts else asked
        if parent is None:
            raise _SlackError("thread_not_found")
        replies = self._history_window(ctx, self.thread(ch.id, parent.ts))
        page, cursor = self._history_page(ctx, replies)  # the parent first, then its replies oldest first
        return {"ok": True, "messages": [self._history_json(ctx, m) for m in [parent, *page]],
                "has_more": bool(cursor), "response_metadata": {"next_cursor": cursor}}

    async def _conversations_open(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        if ctx.s("channel"):
            ch = self._resolve_channel(w, ctx.s("channel"))
        else:
            users = [u for u in ctx.s("users").split(",") if u]
            if len(users) != 1:
                self._violation(ctx.method, "FakeSlack opens only one-to-one DMs (one user in `users`)")
                raise _SlackError("not_implemented")
            if users[0] not in w.users:
                raise _SlackError("user_not_found")
            ch = self._open_dm(w, users[0])
        if ctx.s("return_im") in ("1", "true"):
            return {"ok": True, "channel": self._conversation_json(w, ch)}
        return {"ok": True, "channel": {"id": ch.id}}

    async def _apps_connections_open(self, ctx: _Ctx) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self._port}/socket-mode"}

    async def _oauth_v2_access(self, ctx: _Ctx) -> dict[str, Any]:
        client_id, client_secret = ctx.basic_auth or (ctx.s("client_id"), ctx.s("client_secret"))
        entry = self._oauth_codes.get(ctx.s("code"))
        if entry is None:
            raise _SlackError("invalid_code")
        if client_id != entry.client_id:
            raise _SlackError("invalid_client_id")
        if client_secret != entry.client_secret:
            raise _SlackError("bad_client_secret")
        del self._oauth_codes[ctx.s("code")]  # codes are single use
        w = self._workspaces[entry.team_id]
        w.installed = True
        if w.bot_token in self._revoked:  # a reinstall after an uninstall: Slack issues a new token
            w.bot_token = f"xoxb-{w.team_id}-{next(self._ids)}"
        self._tokens[w.bot_token] = w.team_id
        if entry.installer_user_id not in w.users:
            self.add_user(w.team_id, entry.installer_user_id, "installer", is_admin=True)
        return {
            "ok": True,
            "app_id": self.app_id,
            "authed_user": {"id": entry.installer_user_id},
            "scope": entry.scope,
            "token_type": "bot",
            "access_token": w.bot_token,
            "bot_user_id": w.bot_user_id,
            "team": {"id": w.team_id, "name": w.name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    async def _files_get_upload_url_external(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        try:
            length = int(ctx.s("length"))
        except ValueError:
            raise _SlackError("invalid_arguments") from None
        filename = ctx.s("filename")
        if not filename or length <= 0:
            raise _SlackError("invalid_arguments")
        file_id = f"F{next(self._ids):010X}"
        self._uploads[file_id] = _Upload(file_id, w.team_id, w.bot_user_id, filename, length)
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    async def _files_complete_upload_external(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        items = ctx.args.get("files")
        if not isinstance(items, list) or not items:
            raise _SlackError("invalid_arguments")
        uploads: list[tuple[_Upload, str]] = []
        for item in items:
            up = self._uploads.get(str(item.get("id"))) if isinstance(item, dict) else None
            if up is None or up.team_id != w.team_id or up.data is None:
                raise _SlackError("file_not_found")
            uploads.append((up, str(item.get("title") or up.filename)))
        targets = [c for c in ([ctx.s("channel_id")] + ctx.s("channels").split(",")) if c]
        channels = [self._resolve_channel(w, c) for c in targets]
        for ch in channels:
            self._check_postable(ch)
        comment = ctx.s("initial_comment") or None
        thread_ts = ctx.s("thread_ts") or None
        created = int(time.time())
        shared: list[SharedFile] = []
        for up, title in uploads:
            del self._uploads[up.file_id]
            f = SharedFile(up.file_id, w.team_id, w.bot_user_id, up.filename, title, up.data or b"",
                           [c.id for c in channels], comment, thread_ts, created)
            self.files.append(f)
            shared.append(f)
        for ch in channels:
            parent = self._thread_parent(ch, thread_ts, ctx.method)
            self.messages.setdefault(ch.id, []).append(
                Message(self._next_ts(), ch.id, w.bot_user_id, comment or "", None, parent, False, w.team_id,
                        files=[f.id for f in shared])
            )
        return {
            "ok": True,
            "files": [
                {
                    "id": f.id,
                    "created": f.created,
                    "timestamp": f.created,
                    "name": f.filename,
                    "title": f.title,
                    "mimetype": "",
                    "filetype": "",
                    "user": f.user,
                    "user_team": f.team_id,
                    "size": len(f.data),
                    "mode": "hosted",
                    "is_external": False,
                    "is_public": bool(f.channels),
                    "channels": list(f.channels),
                    "url_private": f"{self.url}/files/{f.id}",
                }
                for f in shared
            ],
        }

    # ---- internals: the upload URL, response URLs and the socket ----

    async def _serve_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        up = self._uploads.get(file_id)
        if request.method != "POST":
            self._violation("upload", f"{request.method} to the upload URL; it takes POST")
            return web.Response(status=405, text="method not allowed", content_type="text/plain")
        if up is None:
            self._violation("upload", f"upload to unknown or used upload URL for {file_id}")
            return web.Response(status=404, text="not found", content_type="text/plain")
        if request.content_type == "multipart/form-data":
            form = await request.post()
            part = next((v for v in form.values() if isinstance(v, web.FileField)), None)
            data = part.file.read() if part is not None else b""
        else:
            data = await request.read()
        if len(data) != up.length:
            self._violation(
                "upload", f"{file_id}: sent {len(data)} bytes but files.getUploadURLExternal said length={up.length}"
            )
        up.data = data
        return web.Response(status=200, text=f"OK - {len(data)}", content_type="text/plain")

    async def _serve_response_url(self, request: web.Request) -> web.Response:
        target = self._response_urls.get(request.match_info["key"])
        if target is None:
            self._violation("response_url", "POST to an unknown response_url")
            return web.json_response({"ok": False, "error": "expired_url"}, status=404)
        try:
            body = json.loads(await request.text())
        except json.JSONDecodeError:
            self._violation("response_url", "the body is not JSON")
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        if not isinstance(body, dict):
            self._violation("response_url", "the body is not a JSON object")
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        self.response_url_posts.append(body)
        if not body.get("delete_original"):
            for problem in message_problems(body):
                self._violation("response_url", problem)
        blocks = body.get("blocks") if isinstance(body.get("blocks"), list) and body.get("blocks") else None
        text = str(body["text"]) if isinstance(body.get("text"), str) else ""
        if body.get("response_type") == "in_channel":
            w = self._workspaces[target.team_id]
            self.messages.setdefault(target.channel, []).append(
                Message(self._next_ts(), target.channel, w.bot_user_id, text, blocks,
                        body.get("thread_ts"), False, target.team_id)
            )
        elif not body.get("replace_original") and not body.get("delete_original"):
            self.ephemerals.append(
                Ephemeral(target.channel, target.user, text, blocks, self._next_ts(), body.get("thread_ts"),
                          target.team_id)
            )
        return web.json_response({"ok": True})

    async def _serve_socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._open_sockets()),
                "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        )
        if self._socket_changed is not None:
            self._socket_changed.set()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_socket_text(msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self._violation("socket", "binary frame from the client; Slack expects JSON text frames")
        finally:
            self._sockets.remove(ws)
            if self._socket_changed is not None:
                self._socket_changed.set()
        return ws

    def _on_socket_text(self, data: str) -> None:
        try:
            message = json.loads(data)
        except json.JSONDecodeError:
            self._violation("socket", f"non-JSON message from the client: {data[:80]!r}")
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            self._violation("socket", f"message without envelope_id from the client: {data[:80]!r}")
            return
        self.socket_acks.append(message)
        pending = self._pending_acks.get(str(message["envelope_id"]))
        if pending is None:
            self._violation("socket", f"ack for unknown or already acked envelope {message['envelope_id']}")
            return
        kind = pending.type
        elapsed = time.monotonic() - pending.started
        if elapsed > SOCKET_ACK_DEADLINE:
            self._violation(
                "socket", f"{kind} envelope acked after {elapsed:.1f}s (Slack waits {SOCKET_ACK_DEADLINE:g}s)"
            )
        payload = message.get("payload")
        if payload:
            if not pending.accepts_payload:
                self._violation("socket", f"{kind} ack carries a payload but accepts_response_payload was false")
            elif kind == "slash_commands":
                self._slash_command_reply(pending.payload, payload)
        if not pending.future.done():
            pending.future.set_result(message)

    def _slash_command_reply(self, command: dict[str, Any], reply: Any) -> None:
        """Slack shows an ack payload for a slash command as a reply: ephemeral unless response_type is in_channel."""
        if not isinstance(reply, dict):
            self._violation("socket", "slash command ack payload is not a JSON object")
            return
        for problem in message_problems(reply):
            self._violation("socket", f"slash command ack payload: {problem}")
        team_id = str(command.get("team_id", ""))
        channel = str(command.get("channel_id", ""))
        user = str(command.get("user_id", ""))
        w = self._workspaces.get(team_id)
        if w is None:
            return
        text = str(reply["text"]) if isinstance(reply.get("text"), str) else ""
        blocks = reply.get("blocks") if isinstance(reply.get("blocks"), list) and reply.get("blocks") else None
        if reply.get("response_type") == "in_channel":
            self.messages.setdefault(channel, []).append(
                Message(self._next_ts(), channel, w.bot_user_id, text, blocks, None, False, team_id)
            )
        else:
            self.ephemerals.append(Ephemeral(channel, user, text, blocks, self._next_ts(), None, team_id))
