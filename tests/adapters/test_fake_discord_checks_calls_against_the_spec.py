"""FakeDiscord, driven by the real discord.py client: gateway, REST, interactions, limits and spec checks."""

from __future__ import annotations

import asyncio
import contextlib
import io
from typing import Any, AsyncIterator

import aiohttp
import discord
import jsonschema
import pytest
import yarl
from discord import app_commands

from tests.fakes.discord import FakeDiscord, modal_problems

GUILD = str((238_418_579_100 << 22) + 1)  # (id >> 22) % 2 == 0 -> shard 0 of 2
GUILD_B = str((238_418_579_101 << 22) + 1)  # (id >> 22) % 2 == 1 -> shard 1 of 2
CHANNEL = "2000000000000000001"
CHANNEL_B = "2000000000000000002"
OWNER = "100"
ALICE = "101"
BOB = "102"
TOKEN = "fake-bot-token"


def _intents() -> discord.Intents:
    intents = discord.Intents.default()
    intents.message_content = True
    return intents


class _FastShardedClient(discord.AutoShardedClient):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py waits 5 s between shard IDENTIFYs; the fake has no identify rate limit


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as d:
        monkeypatch.setattr(discord.http.Route, "BASE", d.api_url)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(d.gateway_url))
        d.add_guild(GUILD, "Alpha", owner_id=OWNER)
        d.add_channel(GUILD, CHANNEL, "general")
        d.add_member(GUILD, ALICE, "Alice")
        d.add_member(GUILD, BOB, "Bob", manage_guild=True)
        yield d


@contextlib.asynccontextmanager
async def running(client: discord.Client, fake: FakeDiscord, *shards: int) -> AsyncIterator[discord.Client]:
    task: asyncio.Task[None] | None = None
    try:
        await client.login(TOKEN)
        task = asyncio.create_task(client.connect(reconnect=False))
        for shard in shards or (0,):
            await fake.wait_for_ready(shard)
        await asyncio.wait_for(client.wait_until_ready(), 10)
        yield client
    finally:
        await client.close()
        if task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(task, 5)


def new_client(**kwargs: Any) -> discord.Client:
    return discord.Client(intents=kwargs.pop("intents", _intents()), guild_ready_timeout=0.2, **kwargs)


def text_channel(client: discord.Client, channel_id: str = CHANNEL) -> discord.TextChannel:
    channel = client.get_channel(int(channel_id))
    assert isinstance(channel, discord.TextChannel)
    return channel


def assert_responses_match_the_spec(fake: FakeDiscord) -> None:
    """Every JSON the fake answered with a 2xx validates against the spec's response schema for that route."""
    checked = 0
    for call in fake.calls:
        if call.route is None or not 200 <= call.status < 300 or call.response is None:
            continue
        schema = fake.spec.response_schema(call.route, call.method, call.status)
        if schema is None:
            continue
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(call.response), key=str)
        assert not errors, f"{call.method} {call.route}: {errors[0].message[:300]} at {list(errors[0].absolute_path)}"
        checked += 1
    assert checked


# ---- gateway and guild cache ----


async def test_ready_fills_the_guild_cache_and_login_calls_are_authorised(fake: FakeDiscord) -> None:
    async with running(new_client(), fake) as client:
        guild = client.get_guild(int(GUILD))
        assert guild is not None and guild.name == "Alpha"
        assert text_channel(client).name == "general"
        assert client.user is not None and client.user.id == int(fake.bot_user_id)
        assert guild.me is not None and guild.me.guild_permissions.send_messages
        assert client.application_id == int(fake.application_id)

        fetched = await client.fetch_guild(int(GUILD))
        assert fetched.name == "Alpha" and fetched.approximate_member_count == 4
        assert [c.name for c in await fetched.fetch_channels()] == ["general"]
        bob = await fetched.fetch_member(int(BOB))
        assert bob.guild_permissions.manage_guild and not bob.guild_permissions.administrator
        assert {r.name for r in await fetched.fetch_roles()} == {"@everyone", "prepbot", "Managers"}
        with pytest.raises(discord.NotFound):
            await fetched.fetch_member(999)
        assert (await client.fetch_channel(int(CHANNEL))).name == "general"  # type: ignore[union-attr]

    identify = fake.identified[0]
    assert identify["token"] == TOKEN and "shard" not in identify  # a plain Client is shard 0 of 1
    assert fake.sessions[0].compress is not None  # discord.py asked for zlib-stream and decoded it
    assert identify["intents"] == _intents().value and fake.message_content_requested
    assert [e.event for e in fake.events[:2]] == ["READY", "GUILD_CREATE"]
    assert [e.seq for e in fake.events[:2]] == [1, 2]
    assert {(c.method, c.route) for c in fake.calls} >= {("GET", "/users/@me"), ("GET", "/oauth2/applications/@me")}
    assert [c.status for c in fake.calls if c.status != 200] == [404]  # the unknown member
    assert fake.violations == []
    assert_responses_match_the_spec(fake)


async def test_a_wrong_token_is_refused(fake: FakeDiscord) -> None:
    client = new_client()
    try:
        with pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
    finally:
        await client.close()
    assert [(c.route, c.status) for c in fake.calls] == [("/users/@me", 401)]
    assert fake.violations == []  # a wrong token is refused, not a malformed call


# ---- messages, limits, threads, reactions ----


async def test_a_message_with_an_embed_stays_in_state(fake: FakeDiscord) -> None:
    async with running(new_client(), fake) as client:
        embed = discord.Embed(title="Question of the day", description="Reverse a linked list.")
        embed.add_field(name="Level", value="easy").set_footer(text="prepbot")
        sent = await text_channel(client).send("Today:", embed=embed)
        await text_channel(client).send("notes", file=discord.File(io.BytesIO(b"hello"), filename="notes.txt"))

    first, second = fake.messages[CHANNEL]
    assert first.id == str(sent.id) and first.author_id == fake.bot_user_id and first.content == "Today:"
    assert first.embeds[0]["title"] == "Question of the day"
    assert first.embeds[0]["fields"][0] == {"name": "Level", "value": "easy", "inline": True}
    assert second.attachments[0]["filename"] == "notes.txt" and second.files[second.attachments[0]["id"]] == b"hello"
    assert sent.embeds[0].description == "Reverse a linked list."
    assert fake.calls_to("POST", "/channels/{channel_id}/messages")[1].files == [("files[0]", "notes.txt", 5)]
    assert fake.violations == []
    assert_responses_match_the_spec(fake)


async def test_an_over_limit_embed_is_a_violation_and_refused(fake: FakeDiscord) -> None:
    async with running(new_client(), fake) as client:
        with pytest.raises(discord.HTTPException) as refused:
            await text_channel(client).send(embed=discord.Embed(description="x" * 4097))
        with pytest.raises(discord.HTTPException):
            await text_channel(client).send("y" * 2001)

    assert refused.value.status == 400 and refused.value.code == 50035
    assert "embeds.0.description" in refused.value.text
    assert fake.messages[CHANNEL] == []
    assert len(fake.violations) == 2
    assert "embeds.0.description: Must be 4096 or fewer in length." in fake.violations[0]
    assert "content: Must be 2000 or fewer in length." in fake.violations[1]


async def test_a_thread_from_a_message_is_dispatched_and_members_post_in_it(fake: FakeDiscord) -> None:
    async with running(new_client(), fake) as client:
        question = await text_channel(client).send("Question: two sum")
        created = asyncio.ensure_future(client.wait_for("thread_create", timeout=5))
        thread = await question.create_thread(name="Answers", auto_archive_duration=1440)
        await created
        assert thread.id == question.id  # as on Discord
        cached = client.get_guild(int(GUILD)).get_thread(thread.id)  # type: ignore[union-attr]
        assert cached is not None and cached.parent_id == int(CHANNEL) and cached.name == "Answers"

        arrived = asyncio.ensure_future(client.wait_for("message", check=lambda m: m.author.id == int(ALICE),
                                                        timeout=5))
        posted = await fake.user_message(str(thread.id), ALICE, "use a hash map")
        message = await arrived
        assert isinstance(message.channel, discord.Thread) and message.channel.id == thread.id
        assert message.content == "use a hash map" and isinstance(message.author, discord.Member)
        reply = await message.channel.send("nice")

    t = fake.threads[str(thread.id)]
    assert (t.parent_id, t.starter_message_id, t.name, t.auto_archive_duration, t.owner_id) == (
        CHANNEL, str(question.id), "Answers", 1440, fake.bot_user_id)
    assert fake.messages[CHANNEL][0].thread_id == t.id
    assert [m.id for m in fake.messages[t.id]] == [posted.id, str(reply.id)]
    assert posted.channel_id == t.id
    assert [e.event for e in fake.events if e.event == "THREAD_CREATE"] == ["THREAD_CREATE"]
    assert fake.violations == []
    assert_responses_match_the_spec(fake)


async def test_bad_thread_durations_are_refused(fake: FakeDiscord) -> None:
    async with running(new_client(), fake) as client:
        question = await text_channel(client).send("Q")
        with pytest.raises(discord.HTTPException):
            await client.http.start_thread_with_message(
                CHANNEL, question.id, name="A", auto_archive_duration=30  # type: ignore[arg-type]
            )
    assert any("auto_archive_duration" in v for v in fake.violations)


async def test_reactions_round_trip(fake: FakeDiscord) -> None:
    async with running(new_client(), fake) as client:
        posted = await fake.user_message(CHANNEL, ALICE, "my answer")
        message = await text_channel(client).fetch_message(int(posted.id))
        await message.add_reaction("👍")
        reacted = asyncio.ensure_future(
            client.wait_for("raw_reaction_add", check=lambda p: p.user_id == int(BOB), timeout=5))
        await fake.user_react(CHANNEL, posted.id, BOB, "✅")
        payload = await reacted
        assert str(payload.emoji) == "✅" and payload.message_id == int(posted.id)
        assert payload.member is not None and payload.member.id == int(BOB)
        await message.remove_reaction("👍", client.user)  # type: ignore[arg-type]
        with pytest.raises(discord.HTTPException) as bad:
            await message.add_reaction(":thumbsup:")

    assert fake.reactions(CHANNEL, posted.id) == [("✅", BOB)]
    assert bad.value.code == 10014
    assert fake.violations == ["PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me: "
                               "Unknown Emoji (10014)"]


async def test_without_the_message_content_intent_content_is_blank() -> None:
    async with FakeDiscord(message_content_intent=False) as d:
        d.add_guild(GUILD, "Alpha")
        d.add_channel(GUILD, CHANNEL, "general")
        d.add_member(GUILD, ALICE, "Alice")
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(discord.http.Route, "BASE", d.api_url)
            mp.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(d.gateway_url))
            async with running(new_client(), d) as client:
                assert not client.application_flags.gateway_message_content_limited
                arrived = asyncio.ensure_future(client.wait_for("message", timeout=5))
                await d.user_message(CHANNEL, ALICE, "secret answer")
                assert (await arrived).content == ""
                arrived = asyncio.ensure_future(client.wait_for("message", timeout=5))
                await d.user_message(CHANNEL, ALICE, f"<@{d.bot_user_id}> hi")
                assert (await arrived).content == f"<@{d.bot_user_id}> hi"  # mentions still carry content
        assert d.message_content_requested and d.sessions[0].message_content_requested

    async with FakeDiscord(message_content_intent=False, close_on_disallowed_intents=True) as strict:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(discord.http.Route, "BASE", strict.api_url)
            mp.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(strict.gateway_url))
            client = new_client()
            try:
                await client.login(TOKEN)
                with pytest.raises(discord.PrivilegedIntentsRequired):  # close code 4014, as Discord does
                    await asyncio.wait_for(client.connect(), 5)
            finally:
                await client.close()
        assert strict.sessions == [] and strict.message_content_requested


# ---- interactions ----


def _prep_tree(client: discord.Client, seen: list[Any]) -> app_commands.CommandTree:
    tree = app_commands.CommandTree(client)
    prep = app_commands.Group(name="prep", description="Interview prep")

    @prep.command(name="today", description="Show today's question")
    @app_commands.describe(topic="A topic")
    async def today(interaction: discord.Interaction, topic: str, count: int = 1) -> None:
        seen.append((interaction.user.id, topic, count))
        await interaction.response.send_message(f"topic {topic} x{count}", ephemeral=True)

    @prep.command(name="answer", description="Answer in a modal")
    async def answer(interaction: discord.Interaction) -> None:
        modal = discord.ui.Modal(title="Your answer", custom_id="answer-modal")
        field: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
            label="Answer", custom_id="answer-text", style=discord.TextStyle.long
        )
        modal.add_item(field)

        async def on_submit(inner: discord.Interaction) -> None:
            seen.append(("modal", field.value))
            await inner.response.defer(ephemeral=True, thinking=True)
            await inner.followup.send("saved", ephemeral=True)

        modal.on_submit = on_submit  # type: ignore[method-assign]
        await interaction.response.send_modal(modal)

    tree.add_command(prep, guild=discord.Object(id=int(GUILD)))
    return tree


async def test_a_slash_subcommand_reaches_the_tree_and_its_ephemeral_reply_is_recorded(fake: FakeDiscord) -> None:
    seen: list[Any] = []
    client = new_client()
    tree = _prep_tree(client, seen)
    async with running(client, fake):
        synced = await tree.sync(guild=discord.Object(id=int(GUILD)))
        assert [c.name for c in synced] == ["prep"]
        fetched = await tree.fetch_commands(guild=discord.Object(id=int(GUILD)))
        assert [c.id for c in fetched] == [c.id for c in synced]
        assert [o.name for o in fetched[0].options] == ["today", "answer"]
        iid = await fake.slash_command(GUILD, CHANNEL, ALICE, "prep", [{"name": "topic", "value": "graphs"}],
                                       subcommand="today")
        response = await fake.wait_for_interaction_response(iid)

        with pytest.raises(LookupError):
            await fake.slash_command(GUILD, CHANNEL, ALICE, "nope", [])
        with pytest.raises(ValueError):
            await fake.slash_command(GUILD, CHANNEL, ALICE, "prep", [{"name": "count", "value": "x"}],
                                     subcommand="today")

    assert seen == [(int(ALICE), "graphs", 1)]
    assert [c["name"] for c in fake.registered_commands[GUILD]] == ["prep"]
    assert response.type == 4 and response.flags & 64 and response.ephemeral
    assert response.data["content"] == "topic graphs x1"
    assert fake.messages[CHANNEL] == []  # ephemeral replies are not in the channel
    assert fake.message(response.message_id or "").ephemeral_user_id == ALICE
    assert fake.violations == []
    assert_responses_match_the_spec(fake)


async def test_a_modal_is_shown_submitted_and_answered_by_a_deferred_follow_up(fake: FakeDiscord) -> None:
    seen: list[Any] = []
    client = new_client()
    tree = _prep_tree(client, seen)
    async with running(client, fake):
        await tree.sync(guild=discord.Object(id=int(GUILD)))
        iid = await fake.slash_command(GUILD, CHANNEL, BOB, "prep", [], subcommand="answer")
        shown = await fake.wait_for_interaction_response(iid)
        submit = await fake.submit_modal(GUILD, CHANNEL, BOB, "answer-modal", {"answer-text": "O(n)"})
        deferred = await fake.wait_for_interaction_response(submit)
        for _ in range(100):
            if len(fake.responses_to(submit)) == 2:
                break
            await asyncio.sleep(0.02)

    assert shown.type == 9 and shown.data["title"] == "Your answer"
    assert seen == [("modal", "O(n)")]
    assert deferred.type == 5 and deferred.ephemeral
    follow_up = fake.responses_to(submit)[1]
    assert follow_up.kind == "followup" and follow_up.ephemeral and follow_up.data["content"] == "saved"
    assert follow_up.message_id == deferred.message_id  # the first follow-up replaces "thinking…"
    assert fake.violations == []
    assert_responses_match_the_spec(fake)


async def test_buttons_acks_and_the_three_second_deadline(fake: FakeDiscord) -> None:
    clicked: list[int] = []

    class Quiz(discord.ui.View):
        @discord.ui.button(label="Reveal", custom_id="reveal")
        async def reveal(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
            clicked.append(interaction.user.id)
            await interaction.response.edit_message(content="Answer: use two pointers", view=None)

    async with running(new_client(), fake) as client:
        message = await text_channel(client).send("Question", view=Quiz())
        iid = await fake.click_button(GUILD, CHANNEL, str(message.id), ALICE, "reveal")
        response = await fake.wait_for_interaction_response(iid)
        assert response.type == 7
        assert fake.messages[CHANNEL][0].content == "Answer: use two pointers"
        assert fake.messages[CHANNEL][0].components == []

        # a second acknowledgement is refused (discord.py itself would not send it, so post it directly)
        inter = fake.interactions[iid]
        url = f"{fake.api_url}/interactions/{iid}/{inter.token}/callback"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json={"type": 6}) as again:
                assert again.status == 400
                assert await again.json() == {"code": 40060, "message": "Interaction has already been acknowledged."}

        # nobody answers the button of a message without a view: the deadline (3 s on Discord) passes
        assert fake.ack_deadline == 3.0
        fake.ack_deadline = 0.3
        plain = await fake.user_message(CHANNEL, ALICE, "x")
        fake.message(plain.id).components = [{"type": 1, "id": 1, "components": [
            {"type": 2, "id": 2, "style": 1, "label": "Orphan", "custom_id": "orphan"}]}]
        await fake.click_button(GUILD, CHANNEL, plain.id, ALICE, "orphan")
        await asyncio.sleep(0.5)

    assert clicked == [int(ALICE)]
    assert fake.violations[0].endswith("acknowledged twice (callback type 7, then 6)")
    assert "interaction not acknowledged within 0.3 s" in fake.violations[1]
    assert len(fake.violations) == 2
    assert_responses_match_the_spec(fake)


# ---- rate limits, permissions, lost channels, DMs ----


async def test_a_429_is_retried_by_discord_py_and_the_message_is_sent_once(fake: FakeDiscord) -> None:
    fake.rate_limit("POST", f"/channels/{CHANNEL}/messages", times=1, retry_after=0.05)
    async with running(new_client(), fake) as client:
        await text_channel(client).send("after the limit")
        fake.rate_limit("POST", f"/api/v10/channels/{CHANNEL}", times=2, retry_after=0.05, global_=True)
        await text_channel(client).send("after the global limit")

    posts = fake.calls_to("POST", "/channels/{channel_id}/messages")
    assert [c.status for c in posts] == [429, 200, 429, 429, 200]
    assert posts[0].response == {"message": "You are being rate limited.", "retry_after": 0.05, "global": False}
    assert posts[2].response["global"] is True
    assert [m.content for m in fake.messages[CHANNEL]] == ["after the limit", "after the global limit"]
    assert fake.violations == []


async def test_a_revoked_channel_is_forbidden_and_a_deleted_one_unknown(fake: FakeDiscord) -> None:
    fake.add_channel(GUILD, CHANNEL_B, "archive")
    async with running(new_client(), fake) as client:
        fake.revoke_bot_permissions(CHANNEL)
        with pytest.raises(discord.Forbidden) as forbidden:
            await text_channel(client).send("hello?")
        fake.delete_channel(CHANNEL_B)
        with pytest.raises(discord.NotFound) as unknown:
            await client.http.send_message(CHANNEL_B, params=discord.http.handle_message_parameters(content="x"))

    assert (forbidden.value.status, forbidden.value.code, forbidden.value.text) == (403, 50013, "Missing Permissions")
    assert (unknown.value.status, unknown.value.code) == (404, 10003)
    assert fake.messages[CHANNEL] == [] and fake.messages[CHANNEL_B] == []
    assert fake.violations == []


async def test_direct_messages(fake: FakeDiscord) -> None:
    async with running(new_client(), fake) as client:
        user = await client.fetch_user(int(ALICE))
        sent = await user.send("your streak: 3 days")
        arrived = asyncio.ensure_future(client.wait_for("message", check=lambda m: m.author.id == int(ALICE),
                                                        timeout=5))
        await fake.user_message(fake.dm_channel(ALICE), ALICE, "thanks")
        reply = await arrived
        assert isinstance(reply.channel, discord.DMChannel) and reply.content == "thanks"

    dm = fake.dm_channel(ALICE)
    assert [m.content for m in fake.messages[dm]] == ["your streak: 3 days", "thanks"]
    assert fake.messages[dm][0].id == str(sent.id)
    assert fake.violations == []
    assert_responses_match_the_spec(fake)


# ---- reconnects and scene changes ----


async def test_a_dropped_connection_resumes_and_scene_changes_reach_the_client(fake: FakeDiscord) -> None:
    async with running(new_client(), fake) as client:
        arrived = asyncio.ensure_future(client.wait_for("message", check=lambda m: m.author.id == int(ALICE),
                                                        timeout=5))
        await fake.drop_connection(0)
        await fake.user_message(CHANNEL, ALICE, "while you were away")  # no socket: kept for the replay
        await fake.wait_for_ready(0)
        assert (await arrived).content == "while you were away"

        joined = asyncio.ensure_future(client.wait_for("guild_join", timeout=5))
        created = asyncio.ensure_future(client.wait_for("guild_channel_create", timeout=5))
        fake.add_guild(GUILD_B, "Beta")
        fake.add_channel(GUILD_B, CHANNEL_B, "general")
        assert (await joined).name == "Beta"
        assert (await created).id == int(CHANNEL_B)
        updated = asyncio.ensure_future(client.wait_for("guild_channel_update", timeout=5))
        fake.revoke_bot_permissions(CHANNEL)
        _, after = await updated
        assert not after.permissions_for(after.guild.me).send_messages

    assert len(fake.identified) == 1  # resumed, not identified again
    assert [e.event for e in fake.events if e.event in ("MESSAGE_CREATE", "RESUMED")] == ["MESSAGE_CREATE", "RESUMED"]
    assert fake.violations == []


# ---- sharding ----


async def test_two_shards_each_get_only_their_guilds(fake: FakeDiscord) -> None:
    fake.add_guild(GUILD_B, "Beta")
    fake.add_channel(GUILD_B, CHANNEL_B, "general")
    fake.add_member(GUILD_B, ALICE, "Alice")
    client = _FastShardedClient(intents=_intents(), shard_count=2, guild_ready_timeout=0.2)
    async with running(client, fake, 0, 1):
        assert {g.id for g in client.guilds} == {int(GUILD), int(GUILD_B)}
        assert client.get_guild(int(GUILD_B)).shard_id == 1  # type: ignore[union-attr]
        arrived = asyncio.ensure_future(client.wait_for("message", check=lambda m: m.author.id == int(ALICE),
                                                        timeout=5))
        await fake.user_message(CHANNEL_B, ALICE, "hello from beta")
        assert (await arrived).guild.id == int(GUILD_B)

    assert sorted(tuple(i["shard"]) for i in fake.identified) == [(0, 2), (1, 2)]
    by_shard = {s.shard_id: s.guild_ids for s in fake.sessions}
    assert by_shard == {0: [GUILD], 1: [GUILD_B]}
    creates = {(e.shard_id, e.data["id"]) for e in fake.events if e.event == "GUILD_CREATE"}
    assert creates == {(0, GUILD), (1, GUILD_B)}
    assert [e.shard_id for e in fake.events if e.event == "MESSAGE_CREATE"] == [1]
    assert fake.violations == []


# ---- edits, deletes, history ----


async def test_edits_deletes_and_history_round_trip(fake: FakeDiscord) -> None:
    async with running(new_client(), fake) as client:
        mine = await text_channel(client).send("draft")
        await mine.edit(content="final")
        posted = await fake.user_message(CHANNEL, ALICE, "first try")
        edited = asyncio.ensure_future(client.wait_for("raw_message_edit", timeout=5))
        await fake.user_edit(CHANNEL, posted.id, "second try")
        assert (await edited).data["content"] == "second try"
        history = [m.content async for m in text_channel(client).history(limit=10)]
        assert history == ["second try", "final"]  # newest first
        deleted = asyncio.ensure_future(client.wait_for("raw_message_delete", timeout=5))
        await fake.user_delete(CHANNEL, posted.id)
        assert (await deleted).message_id == int(posted.id)
        await mine.delete()

    first, second = fake.messages[CHANNEL]
    assert (first.content, first.edited, first.deleted) == ("final", True, True)
    assert (second.content, second.edited, second.deleted) == ("second try", True, True)
    assert fake.violations == []
    assert_responses_match_the_spec(fake)


# ---- raw requests: the checks themselves ----


async def test_raw_requests_are_checked_against_the_spec_and_the_documented_limits(fake: FakeDiscord) -> None:
    headers = {"Authorization": f"Bot {TOKEN}", "User-Agent": "DiscordBot (https://example.test, 1.0)"}
    messages = f"{fake.api_url}/channels/{CHANNEL}/messages"
    six_rows = [{"type": 1, "components": [{"type": 2, "style": 1, "label": str(i), "custom_id": f"b{i}"}]}
                for i in range(6)]
    commands = f"{fake.api_url}/applications/{fake.application_id}/guilds/{GUILD}/commands"
    bad_commands = [{
        "name": "Prep", "description": "d" * 101, "type": 1,
        "options": [
            {"type": 3, "name": "level", "description": "lvl", "required": False,
             "choices": [{"name": str(i), "value": str(i)} for i in range(26)]},
            {"type": 3, "name": "topic", "description": "t", "required": True},
        ],
    }]
    async with aiohttp.ClientSession() as http:
        async with http.post(messages, json={"content": "hi", "text": "x"}, headers=headers) as r:
            assert r.status == 200
        async with http.post(messages, json={"content": "rows", "components": six_rows}, headers=headers) as r:
            assert r.status == 400 and (await r.json())["code"] == 50035
        async with http.post(messages, json={}, headers=headers) as r:
            assert (r.status, (await r.json())["code"]) == (400, 50006)
        async with http.get(f"{fake.api_url}/no/such/route", headers=headers) as r:
            assert r.status == 404
        async with http.post(messages, json={"content": "x"}, headers={"User-Agent": headers["User-Agent"]}) as r:
            assert r.status == 401
        async with http.post(messages, json={"content": "x"}, headers={"Authorization": f"Bot {TOKEN}"}) as r:
            assert r.status == 200
        async with http.put(commands, json=bad_commands, headers=headers) as r:
            assert r.status == 400
        async with http.get(f"{fake.api_url}/gateway/bot", headers=headers) as r:
            gateway = await r.json()
            assert gateway["url"] == fake.gateway_url and gateway["shards"] == 1
            assert r.headers["Content-Type"] == "application/json"  # exactly: discord.py compares the header
        async with http.get(f"{fake.api_url}/applications/@me", headers=headers) as r:
            assert (await r.json())["id"] == fake.application_id

    found = "\n".join(fake.violations)
    for expected in (
        "POST /channels/{channel_id}/messages: text: unknown field (not in the spec)",
        "POST /channels/{channel_id}/messages: components: Must be 5 or fewer in length.",
        "POST /channels/{channel_id}/messages: Cannot send an empty message (50006)",
        "GET /no/such/route: no such route in Discord's API spec",
        "POST /channels/{channel_id}/messages: no Authorization header",
        "is not `DiscordBot ($url, $versionNumber)`",
        "0.name: Command name is invalid",
        "0.description: Must be between 1 and 100 in length.",
        "0.options.0.choices: Must be 25 or fewer in length.",
        "0.options.1.required: Required options must be placed before non-required options",
    ):
        assert expected in found, expected
    assert GUILD not in fake.registered_commands
    assert [m.content for m in fake.messages[CHANNEL]] == ["hi", "x"]
    assert_responses_match_the_spec(fake)


def test_modal_limits() -> None:
    long_label = {"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 1, "label": "l" * 46}]}
    problems = {p.where: p.message for p in modal_problems({"custom_id": "m", "title": "t" * 46,
                                                             "components": [long_label]})}
    assert problems == {"data.title": "Must be 45 or fewer in length.",
                        "data.components.0.components.0.label": "Must be 45 or fewer in length."}


async def test_more_than_fifty_requests_in_a_second_get_a_global_429_and_interaction_answers_do_not(
    fake: FakeDiscord
) -> None:
    headers = {"Authorization": f"Bot {TOKEN}", "User-Agent": "DiscordBot (https://example.test, 1.0)"}
    channel = f"{fake.api_url}/channels/{CHANNEL}"
    async with aiohttp.ClientSession() as http:
        statuses = await asyncio.gather(*(http.get(channel, headers=headers) for _ in range(60)))
        refused = [r for r in statuses if r.status == 429]
        assert len(refused) >= 10
        body = await refused[0].json()
        assert body["global"] is True and refused[0].headers["X-RateLimit-Global"] == "true"
        assert float(refused[0].headers["Retry-After"]) >= 1
        for r in statuses:
            r.release()
        callback = f"{fake.api_url}/interactions/1/no-such-token/callback"
        async with http.post(callback, json={"type": 1}, headers=headers) as r:
            assert r.status == 404  # interaction endpoints are not counted: unknown, not rate limited
    assert len(fake.global_429s()) == len(refused)
