"""The fake Slack answers the real slack_sdk / slack_bolt clients like Slack, keeps state, and flags spec violations."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack, SlackSpecsMissing

TEAM_A = "T0000000A1"
TEAM_B = "T0000000B2"
GENERAL_A = "C0000000A1"
GENERAL_B = "C0000000B1"
ALICE = "U00000ALICE"
BOB = "U00000BOB0"
TS = re.compile(r"^\d{10}\.\d{6}$")


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_workspace(TEAM_A, name="Alpha")
        fake.add_workspace(TEAM_B, name="Beta", bot_user_id="UBOTB00001")
        fake.add_user(TEAM_A, ALICE, "alice", is_admin=True)
        fake.add_user(TEAM_A, BOB, "bob", tz="Europe/Berlin")
        fake.add_user(TEAM_B, "U0000CAROL", "carol")
        fake.add_channel(TEAM_A, GENERAL_A, "general")
        fake.add_channel(TEAM_B, GENERAL_B, "general")
        fake.add_usergroup(TEAM_A, "S00000PREP", [ALICE, BOB])
        yield fake


def web_client(fake: FakeSlack, team_id: str = TEAM_A, **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(token=f"xoxb-{team_id}", base_url=f"{fake.url}/api/", **kwargs)


async def slack_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value


async def error_of(call: Any) -> str:
    return str((await slack_error(call)).response["error"])


async def test_posts_replies_edits_and_reactions_keep_state(slack: FakeSlack) -> None:
    client = web_client(slack)
    question = await client.chat_postMessage(channel=GENERAL_A, text="Question of the day")
    reply = await client.chat_postMessage(channel=GENERAL_A, text="Hint soon", thread_ts=question["ts"])
    answer = slack.add_user_message(GENERAL_A, ALICE, "My answer", thread_ts=question["ts"])

    assert question["channel"] == GENERAL_A and TS.match(question["ts"])
    assert question["message"]["user"] == "UBOT" and question["message"]["bot_id"].startswith("B")
    assert reply["message"]["thread_ts"] == question["ts"]
    assert question["ts"] < reply["ts"] < answer.ts
    assert [m.text for m in slack.messages[GENERAL_A]] == ["Question of the day", "Hint soon", "My answer"]
    assert [m.text for m in slack.thread(GENERAL_A, question["ts"])] == ["Hint soon", "My answer"]
    top = slack.messages[GENERAL_A][0]
    assert (top.user, top.thread_ts, top.edited, top.team_id) == ("UBOT", None, False, TEAM_A)

    updated = await client.chat_update(channel=GENERAL_A, ts=question["ts"], text="Question (closed)")
    assert updated["text"] == "Question (closed)"
    assert top.text == "Question (closed)" and top.edited
    assert await error_of(client.chat_update(channel=GENERAL_A, ts=answer.ts, text="x")) == "cant_update_message"
    assert await error_of(client.chat_update(channel=GENERAL_A, ts="1.000001", text="x")) == "message_not_found"

    await client.reactions_add(channel=GENERAL_A, timestamp=answer.ts, name="white_check_mark")
    slack.add_reaction(GENERAL_A, answer.ts, "+1", BOB)
    assert slack.reactions(GENERAL_A, answer.ts) == [("white_check_mark", "UBOT"), ("+1", BOB)]
    again = await slack_error(client.reactions_add(channel=GENERAL_A, timestamp=answer.ts, name="white_check_mark"))
    assert again.response["error"] == "already_reacted"
    await client.reactions_remove(channel=GENERAL_A, timestamp=answer.ts, name="white_check_mark")
    gone = await slack_error(client.reactions_remove(channel=GENERAL_A, timestamp=answer.ts, name="white_check_mark"))
    assert gone.response["error"] == "no_reaction"
    assert slack.reactions(GENERAL_A, answer.ts) == [("+1", BOB)]

    note = await client.chat_postEphemeral(channel=GENERAL_A, user=ALICE, text="Only you see this")
    assert TS.match(note["message_ts"])
    assert [(e.channel, e.user, e.text, e.blocks) for e in slack.ephemerals] == [
        (GENERAL_A, ALICE, "Only you see this", None)
    ]
    assert slack.violations == []


async def test_blocks_are_stored_decoded_and_form_encoded_calls_work_too(slack: FakeSlack) -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Q1*"}},
        {"type": "divider"},
    ]
    client = web_client(slack)
    await client.chat_postMessage(channel=GENERAL_A, text="Q1", blocks=blocks)
    # the same call form-encoded, blocks as a JSON string, token as an argument
    await client.api_call(
        "chat.postMessage",
        data={"channel": GENERAL_A, "text": "Q2", "blocks": json.dumps(blocks), "token": f"xoxb-{TEAM_A}"},
    )
    assert [m.blocks for m in slack.messages[GENERAL_A]] == [blocks, blocks]
    assert [c.args["blocks"] for c in slack.calls] == [blocks, blocks]
    assert all(c.team_id == TEAM_A and c.http_status == 200 for c in slack.calls)
    assert slack.violations == []


async def test_responses_match_the_official_response_schemas(slack: FakeSlack) -> None:
    client = web_client(slack)
    posted = await client.chat_postMessage(channel=GENERAL_A, text="hello")
    responses = {
        "auth.test": await client.auth_test(),
        "chat.postMessage": posted,
        "users.info": await client.users_info(user=BOB),
        "usergroups.users.list": await client.usergroups_users_list(usergroup="S00000PREP"),
        "conversations.info": await client.conversations_info(channel=GENERAL_A),
        "reactions.add": await client.reactions_add(channel=GENERAL_A, timestamp=posted["ts"], name="eyes"),
    }
    for method, response in responses.items():
        jsonschema.Draft4Validator(slack.spec.response_schema(method)).validate(response.data)
    assert responses["auth.test"]["user_id"] == "UBOT" and responses["auth.test"]["team_id"] == TEAM_A
    user = responses["users.info"]["user"]
    assert (user["name"], user["profile"]["display_name"], user["is_admin"], user["is_bot"]) == (
        "bob",
        "bob",
        False,
        False,
    )
    assert user["tz"] == "Europe/Berlin"
    assert responses["usergroups.users.list"]["users"] == [ALICE, BOB]
    assert await error_of(client.users_info(user="U0NOBODY00")) == "user_not_found"
    assert await error_of(client.usergroups_users_list(usergroup="S0NOTHING0")) == "no_such_subteam"
    assert slack.violations == []


async def test_a_51_block_message_and_a_3001_character_section_are_violations(slack: FakeSlack) -> None:
    client = web_client(slack)
    await client.chat_postMessage(channel=GENERAL_A, text="many", blocks=[{"type": "divider"}] * 51)
    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    await client.chat_postMessage(channel=GENERAL_A, text="long", blocks=long_section)
    assert slack.violations == [
        "chat.postMessage: blocks has 51 blocks (max 50)",
        "chat.postMessage: blocks[0] (section).text.text is 3001 characters (max 3000)",
    ]
    assert len(slack.messages[GENERAL_A]) == 2  # still answered, so the test sees the rest


async def test_other_message_limits_are_violations(slack: FakeSlack) -> None:
    client = web_client(slack)
    await client.chat_postMessage(channel=GENERAL_A, text="x" * 40_001)
    await client.chat_postMessage(
        channel=GENERAL_A,
        text="t",
        blocks=[
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11},
            {"type": "table"},
            {"type": "divider", "block_id": "b" * 256},
        ],
    )
    await client.api_call("chat.postMessage", json={"channel": GENERAL_A})
    assert slack.violations == [
        "chat.postMessage: `text` is 40001 characters (max 40000)",
        "chat.postMessage: blocks[0] (header).text.text is 151 characters (max 150)",
        "chat.postMessage: blocks[1] (section).fields has 11 items (max 10)",
        "chat.postMessage: blocks[2] (context).elements has 11 items (max 10)",
        "chat.postMessage: blocks[3] has unknown block type 'table'",
        "chat.postMessage: blocks[4] (divider).block_id is 256 characters (max 255)",
        "chat.postMessage: a message needs `text` or `blocks`",
    ]


async def test_a_missing_required_argument_an_unknown_argument_and_an_unknown_method_are_violations(
    slack: FakeSlack,
) -> None:
    client = web_client(slack)
    no_ts = await slack_error(client.api_call("chat.update", json={"channel": GENERAL_A, "text": "x"}))
    assert no_ts.response["error"] == "message_not_found"
    await client.api_call("chat.postMessage", json={"channel": GENERAL_A, "text": "x", "colour": "red"})
    unknown = await slack_error(client.api_call("chat.postMessages", json={"channel": GENERAL_A, "text": "x"}))
    assert unknown.response["error"] == "unknown_method"
    assert slack.violations == [
        "chat.update: missing required argument `ts`",
        "chat.postMessage: unknown argument(s) colour (not in the spec)",
        "chat.postMessages: unknown method: not in Slack's Web API spec nor the community method list",
    ]
    assert [c.method for c in slack.calls] == ["chat.update", "chat.postMessage", "chat.postMessages"]


async def test_rate_limits_answer_429_and_the_sdk_retry_handler_gets_through(slack: FakeSlack) -> None:
    slack.rate_limit("chat.postMessage", times=1, retry_after=7)
    limited = await slack_error(web_client(slack).chat_postMessage(channel=GENERAL_A, text="x"))
    assert limited.response.status_code == 429
    assert limited.response["error"] == "ratelimited"
    assert limited.response.headers["Retry-After"] == "7"

    slack.rate_limit("chat.postMessage", times=1, retry_after=0)
    patient = web_client(slack)
    patient.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    posted = await patient.chat_postMessage(channel=GENERAL_A, text="after the wait")
    assert posted["ok"]
    assert [(c.method, c.http_status) for c in slack.calls] == [
        ("chat.postMessage", 429),
        ("chat.postMessage", 429),
        ("chat.postMessage", 200),
    ]
    assert [m.text for m in slack.messages[GENERAL_A]] == ["after the wait"]
    assert slack.violations == []


async def test_the_channel_pace_is_enforced_when_asked() -> None:
    async with FakeSlack(enforce_channel_pace=True) as fake:
        fake.add_workspace(TEAM_A)
        fake.add_channel(TEAM_A, GENERAL_A, "general")
        fake.channel_pace_burst = 2
        client = web_client(fake)
        await client.chat_postMessage(channel=GENERAL_A, text="1")
        await client.chat_postMessage(channel=GENERAL_A, text="2")
        too_fast = await slack_error(client.chat_postMessage(channel=GENERAL_A, text="3"))
        assert too_fast.response.status_code == 429
        assert len(fake.messages[GENERAL_A]) == 2
        assert len(fake.violations) == 1 and "faster than 1 message/second" in fake.violations[0]


async def test_workspaces_are_isolated_and_tokens_are_checked(slack: FakeSlack) -> None:
    team_b = web_client(slack, TEAM_B)
    assert await error_of(team_b.chat_postMessage(channel=GENERAL_A, text="x")) == "channel_not_found"
    assert await error_of(team_b.users_info(user=ALICE)) == "user_not_found"
    assert await error_of(team_b.chat_postMessage(channel=ALICE, text="x")) == "channel_not_found"
    posted = await team_b.chat_postMessage(channel=GENERAL_B, text="hi B")
    assert posted["message"]["user"] == "UBOTB00001"
    assert slack.messages[GENERAL_A] == [] and [m.team_id for m in slack.messages[GENERAL_B]] == [TEAM_B]

    stranger = AsyncWebClient(token="xoxb-nope", base_url=f"{slack.url}/api/")
    assert await error_of(stranger.auth_test()) == "invalid_auth"
    anonymous = AsyncWebClient(base_url=f"{slack.url}/api/")
    assert await error_of(anonymous.auth_test()) == "not_authed"
    assert slack.violations == ["auth.test: no token (Authorization: Bearer header or `token` argument)"]
    assert [c.team_id for c in slack.calls] == [TEAM_B, TEAM_B, TEAM_B, TEAM_B, None, None]


async def test_channels_the_bot_left_or_that_were_deleted_or_archived_fail_and_dms_open(slack: FakeSlack) -> None:
    client = web_client(slack)
    slack.add_channel(TEAM_A, "C00000LEFT", "left")
    slack.add_channel(TEAM_A, "C00000GONE", "gone")
    slack.add_channel(TEAM_A, "C0000000OLD", "old")
    slack.remove_bot_from("C00000LEFT")
    slack.delete_channel("C00000GONE")
    slack.archive_channel("C0000000OLD")
    assert await error_of(client.chat_postMessage(channel="C00000LEFT", text="x")) == "not_in_channel"
    assert await error_of(client.chat_postMessage(channel="C00000GONE", text="x")) == "channel_not_found"
    assert await error_of(client.chat_postMessage(channel="C0000000OLD", text="x")) == "is_archived"

    dm = await client.chat_postMessage(channel=ALICE, text="psst")
    assert dm["channel"] == f"D{ALICE}"
    assert [m.text for m in slack.messages[f"D{ALICE}"]] == ["psst"]
    by_name = await client.chat_postMessage(channel="#general", text="by name")
    assert by_name["channel"] == GENERAL_A
    assert slack.violations == []


async def test_a_signed_request_passes_slack_sdks_verifier_and_a_forged_one_does_not(slack: FakeSlack) -> None:
    verifier = SignatureVerifier(slack.signing_secret)
    seen: list[tuple[bool, dict[str, str]]] = []

    async def endpoint(request: web.Request) -> web.Response:
        body = await request.text()
        seen.append((verifier.is_valid_request(body, dict(request.headers)), dict(request.headers)))
        return web.Response(status=200 if seen[-1][0] else 401, text="ok" if seen[-1][0] else "bad signature")

    app = web.Application()
    app.router.add_post("/slack/events", endpoint)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        url = f"http://127.0.0.1:{port}/slack/events"
        body = json.dumps(slack.event_callback(TEAM_A, {"type": "app_mention", "user": ALICE, "text": "hi"}))
        assert await slack.send_signed(url, body, "application/json", retry_num=1, retry_reason="http_timeout") == (
            200,
            "ok",
        )
        assert await slack.send_signed(url, body, "application/json", secret="not-the-secret") == (401, "bad signature")
        assert await slack.send_signed(url, body, "application/json", timestamp=1_000_000_000) == (401, "bad signature")
    finally:
        await runner.cleanup()
    headers = seen[0][1]
    assert headers["X-Slack-Retry-Num"] == "1" and headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert headers["X-Slack-Signature"].startswith("v0=")


async def test_a_socket_mode_client_connects_receives_an_envelope_and_its_ack_comes_back(slack: FakeSlack) -> None:
    received: list[SocketModeRequest] = []

    async def listener(client: SocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

    client = SocketModeClient(
        app_token=slack.app_token, web_client=AsyncWebClient(base_url=f"{slack.url}/api/")
    )
    client.socket_mode_request_listeners.append(listener)  # type: ignore[arg-type]
    try:
        await client.connect()  # type: ignore[no-untyped-call]
        await slack.wait_for_socket_client(timeout=5)
        mention = {"type": "app_mention", "user": ALICE, "text": "<@UBOT> hi", "channel": GENERAL_A}
        event = slack.event_callback(TEAM_A, mention)
        ack = await slack.push_socket("events_api", event, timeout=5)
    finally:
        await client.close()  # type: ignore[no-untyped-call]
    assert ack == {"envelope_id": received[0].envelope_id}
    assert received[0].type == "events_api" and received[0].payload == event
    assert received[0].retry_attempt == 0 and received[0].accepts_response_payload is False
    assert [(c.method, c.team_id, c.http_status) for c in slack.calls] == [("apps.connections.open", None, 200)]
    assert slack.socket_acks == [ack]
    assert slack.violations == []


async def test_push_socket_needs_a_connected_client(slack: FakeSlack) -> None:
    with pytest.raises(RuntimeError, match="no Socket Mode client"):
        await slack.push_socket("events_api", {})
    with pytest.raises(TimeoutError):
        await slack.wait_for_socket_client(timeout=0.05)
    bot_token = web_client(slack)
    wrong = await slack_error(bot_token.apps_connections_open(app_token="xoxb-T0000000A1"))
    assert wrong.response["error"] == "not_allowed_token_type"


async def test_a_bolt_app_in_socket_mode_handles_an_event_and_a_slash_command(slack: FakeSlack) -> None:
    app = AsyncApp(client=web_client(slack), signing_secret=slack.signing_secret)

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], say: Any) -> None:
        await say(text="Here is today's question", thread_ts=event["ts"])

    @app.command("/prep")
    async def on_prep(ack: Any, command: dict[str, Any]) -> None:
        await ack(text=f"You asked for {command['text']}")

    mention = slack.add_user_message(GENERAL_A, ALICE, "<@UBOT> question please")
    handler = AsyncSocketModeHandler(app, slack.app_token)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        await slack.wait_for_socket_client(timeout=5)
        event = {"type": "app_mention", "user": ALICE, "text": mention.text, "ts": mention.ts, "channel": GENERAL_A}
        await slack.push_socket("events_api", slack.event_callback(TEAM_A, event), timeout=5)
        command = slack.slash_command(TEAM_A, GENERAL_A, ALICE, "stats")
        ack = await slack.push_socket("slash_commands", command, timeout=5)
        for _ in range(200):
            if slack.thread(GENERAL_A, mention.ts):
                break
            await asyncio.sleep(0.01)
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
    assert ack["payload"] == {"text": "You asked for stats"}
    assert [(e.user, e.text) for e in slack.ephemerals] == [(ALICE, "You asked for stats")]
    assert [(m.user, m.text) for m in slack.thread(GENERAL_A, mention.ts)] == [("UBOT", "Here is today's question")]
    assert slack.violations == []


async def test_oauth_v2_access_installs_a_workspace_once(slack: FakeSlack) -> None:
    slack.add_oauth_code("code-1", "T0000000C3", client_id="cid", client_secret="csecret")
    api = AsyncWebClient(base_url=f"{slack.url}/api/")
    new_bot = web_client(slack, "T0000000C3")
    assert await error_of(new_bot.auth_test()) == "invalid_auth"
    bad = await slack_error(api.oauth_v2_access(client_id="cid", client_secret="wrong", code="code-1"))
    assert bad.response["error"] == "bad_client_secret"
    installed = await api.oauth_v2_access(client_id="cid", client_secret="csecret", code="code-1")
    assert installed.data == {
        "ok": True,
        "app_id": slack.app_id,
        "authed_user": {"id": "UINSTALLER"},
        "scope": installed["scope"],
        "token_type": "bot",
        "access_token": "xoxb-T0000000C3",
        "bot_user_id": "UBOT",
        "team": {"id": "T0000000C3", "name": "T0000000C3"},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    assert (await new_bot.auth_test())["team_id"] == "T0000000C3"
    again = await slack_error(api.oauth_v2_access(client_id="cid", client_secret="csecret", code="code-1"))
    assert again.response["error"] == "invalid_code"
    slack.uninstall("T0000000C3")
    assert await error_of(new_bot.auth_test()) == "token_revoked"
    assert slack.violations == []


async def test_files_upload_v2_uploads_bytes_and_shares_them_in_a_thread(slack: FakeSlack) -> None:
    client = web_client(slack)
    board = await client.chat_postMessage(channel=GENERAL_A, text="Weekly board")
    done = await client.files_upload_v2(
        channel=GENERAL_A, content=b"rank,name\n1,alice\n", filename="board.csv", title="Board",
        initial_comment="The board as CSV", thread_ts=board["ts"],
    )
    assert done["file"]["title"] == "Board"
    [shared] = slack.files
    assert (shared.data, shared.filename, shared.channels) == (b"rank,name\n1,alice\n", "board.csv", [GENERAL_A])
    [reply] = slack.thread(GENERAL_A, board["ts"])
    assert (reply.text, reply.files) == ("The board as CSV", [shared.id])
    assert [c.method for c in slack.calls][1:] == ["files.getUploadURLExternal", "files.completeUploadExternal"]
    assert slack.calls[-1].args["files"] == [{"id": shared.id, "title": "Board"}]
    assert slack.violations == []


def test_a_missing_specs_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SlackSpecsMissing, match="platform specs not found"):
        FakeSlack(specs_dir=tmp_path / "nowhere")
