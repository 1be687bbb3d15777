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

One module per job: `spec` and `limits` (what Slack allows), `model` and `state` (what the fake holds), `scene` (how
a test sets it up), `web_api` (the door every Web API call goes through, `call_context` what a method sees of it),
the methods by area (`chat`, `conversations`, `team`, `files`, `views`, with `channels`, `pacing` and `shapes` under
them), `socket_mode`, `response_urls`, `inbound` (what Slack sends the app), and `fake`, which assembles FakeSlack.
"""

from tests.fakes.slack.call_context import Handler
from tests.fakes.slack.fake import FakeSlack
from tests.fakes.slack.limits import (
    EVENT_TYPE,
    KNOWN_BLOCK_TYPES,
    MAX_ACTIONS_ELEMENTS,
    MAX_BLOCK_ID,
    MAX_BLOCKS,
    MAX_CONTEXT_ELEMENTS,
    MAX_FIELD_TEXT,
    MAX_HEADER_TEXT,
    MAX_HISTORY_LIMIT,
    MAX_SECTION_FIELDS,
    MAX_SECTION_TEXT,
    MAX_TEXT,
    SOCKET_ACK_DEADLINE,
    block_problems,
    message_problems,
    metadata_problems,
)
from tests.fakes.slack.model import Call, Channel, Ephemeral, Message, SharedFile, User, Workspace
from tests.fakes.slack.scene import DEFAULT_SCOPES
from tests.fakes.slack.shapes import BOT_ICONS
from tests.fakes.slack.spec import (
    COMMUNITY_DIR,
    OFFICIAL_SPEC,
    SPECS_ROOT,
    MethodSpec,
    SlackSpec,
    SlackSpecsMissing,
    load_spec,
    normalise_schema,
)
from tests.fakes.slack.web_api import EXTRA_ARGS, JSON_ARGS, MESSAGE_METHODS

__all__ = [
    "BOT_ICONS",
    "COMMUNITY_DIR",
    "DEFAULT_SCOPES",
    "EVENT_TYPE",
    "EXTRA_ARGS",
    "JSON_ARGS",
    "KNOWN_BLOCK_TYPES",
    "MAX_ACTIONS_ELEMENTS",
    "MAX_BLOCK_ID",
    "MAX_BLOCKS",
    "MAX_CONTEXT_ELEMENTS",
    "MAX_FIELD_TEXT",
    "MAX_HEADER_TEXT",
    "MAX_HISTORY_LIMIT",
    "MAX_SECTION_FIELDS",
    "MAX_SECTION_TEXT",
    "MAX_TEXT",
    "MESSAGE_METHODS",
    "OFFICIAL_SPEC",
    "SOCKET_ACK_DEADLINE",
    "SPECS_ROOT",
    "Call",
    "Channel",
    "Ephemeral",
    "FakeSlack",
    "Handler",
    "Message",
    "MethodSpec",
    "SharedFile",
    "SlackSpec",
    "SlackSpecsMissing",
    "User",
    "Workspace",
    "block_problems",
    "load_spec",
    "message_problems",
    "metadata_problems",
    "normalise_schema",
]
