"""The discord.py client: /prep and /prep-admin command groups, answer threads, the Answer form, votes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import aiohttp
import discord
from aiolimiter import AsyncLimiter
from discord import app_commands

from adapters.discord.chat import DiscordChat, thread_message_ref
from adapters.discord.render import render
from bot.app import OpenThread, PrepBot
from bot.cards import Card
from bot.domain.model import ChannelAddress, Speaker, form_answer_ref, is_form_answer_ref
from bot.domain.questions import Level
from bot.logs import short_error
from bot.wording import (
    ANSWER_FIELD,
    BOARD_PERIODS,
    COMMAND_GROUPS,
    COMMANDS,
    PRIVATE_ANSWER_FIELD,
    YOUR_ANSWER,
    YOUR_PRIVATE_ANSWER,
    answer_busy_notice,
    answers_closed_notice,
    busy_notice,
    done_notice,
    form_answer_receipt,
    private_answer_receipt,
    server_only_notice,
)
from bot.messages import (
    AnswerCommand,
    AnswerOutcome,
    AnswerPrivately,
    CastVote,
    EditAnswer,
    RetractVote,
    RunCommand,
    SubmitAnswer,
    WithdrawAnswer,
)

log = logging.getLogger("prepbot.discord")
PLATFORM = "discord"
MODAL_PREFIX = "prep:modal:"
PRIVATE_MODAL_PREFIX = "prep:private:"  # the form of a question answered privately: it replaces the member's answer
MAX_MODAL_ANSWER = 4000
ANSWER_INPUT = "prep:answer-text"
FORM_TIMEOUT = 15 * 60.0  # discord.py forgets its copy of a form after this; the submission is handled without it
# Discord allows a bot 50 requests a second across its REST calls, interaction endpoints aside. prepbot stays under
# it in any second: a burst of GLOBAL_BURST, then GLOBAL_RATE a second (so at most 45 in any one second).
GLOBAL_BURST = 5
GLOBAL_RATE = 40
READ_BACK_BATCH = 100  # replies read back and handed on at once
READ_BACK_TYPES = (discord.MessageType.default, discord.MessageType.reply)
UNPACED = ("/interactions/", "/webhooks/")  # interaction responses and follow-ups: not under the global limit
# Discord shows the member a failure when an interaction is not answered within 3 seconds. What must read the store
# before its answer (the Answer button) gives the store this long, then answers "busy" instead.
RESPONSE_BUDGET = 2.0

LEVEL_CHOICES = [app_commands.Choice(name=level.label, value=level.value) for level in Level]
PERIOD_CHOICES = [app_commands.Choice(name=name, value=value) for name, value in BOARD_PERIODS]


def address(guild_id: int | str, channel_id: int | str) -> ChannelAddress:
    return ChannelAddress(PLATFORM, str(guild_id), str(channel_id))


def speaker_of(user: discord.abc.User) -> Speaker:
    return Speaker(str(user.id), user.display_name, bool(user.bot))


def global_pacing() -> aiohttp.TraceConfig:
    """A trace that holds each REST request (retries included) until the bot's global rate allows it; answers to
    interactions go at once, so a fan-out never delays a member's command past Discord's 3 seconds."""
    limiter = AsyncLimiter(GLOBAL_BURST, GLOBAL_BURST / GLOBAL_RATE)

    async def on_request_start(session: aiohttp.ClientSession, context: Any,
                               params: aiohttp.TraceRequestStartParams) -> None:
        if params.url.scheme in ("http", "https") and not any(part in params.url.path for part in UNPACED):
            await limiter.acquire()

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace


class PrepClient(discord.AutoShardedClient):
    """A sharded client wired to prepbot's core once `attach()` is called."""

    def __init__(self, *, message_content: bool, shard_count: int | None = None,
                 shard_ids: list[int] | None = None) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        options: dict[str, Any] = {"intents": intents, "shard_count": shard_count, "http_trace": global_pacing()}
        if shard_ids is not None:
            options["shard_ids"] = shard_ids
        super().__init__(**options)
        self.message_content = message_content
        self.tree = app_commands.CommandTree(self)
        self.core: PrepBot | None = None
        self.chat: DiscordChat | None = None
        self._store_ready = False  # start-up has its store ready: sessions read back what they missed
        self.response_budget = RESPONSE_BUDGET
        for group in build_command_groups(self):
            self.tree.add_command(group)

    def attach(self, core: PrepBot, chat: DiscordChat) -> None:
        self.core, self.chat = core, chat

    async def close(self) -> None:
        if self.chat is not None:
            self.chat.stop_retries()
        await super().close()

    def _core(self) -> PrepBot:
        if self.core is None:
            raise RuntimeError("the Discord client is not attached to prepbot's core yet")
        return self.core

    async def parent_of(self, channel_id: int) -> int | None:
        """The parent channel of thread `channel_id`, or None when it is not a thread."""
        channel = self.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.fetch_channel(channel_id)
            except discord.HTTPException:
                return None
        return channel.parent_id if isinstance(channel, discord.Thread) else None

    def _now(self) -> datetime:
        return self._core().clock.now()

    async def _answer(self, command: AnswerCommand) -> AnswerOutcome:
        """Hands a reply, edit or deletion to the core, then runs the acknowledgement that follows it."""
        handled = await self._core().handle_answer(command)
        if handled.follow_up is not None:
            await handled.follow_up()
        return handled.outcome

    # ---- thread replies, edits, deletions, reactions ----

    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or not isinstance(message.channel, discord.Thread):
            return
        parent = message.channel.parent_id
        if parent is None:
            return
        await self._hand_on(message, address(message.guild.id, parent), message.channel.id)

    async def _hand_on(self, message: discord.Message, channel: ChannelAddress, thread_id: int) -> None:
        """A reply in a question's thread, to the core: live from the gateway or read back after a gap."""
        if not message.content and not self.message_content:
            return  # without the intent the text is not ours to read; members use the Answer form
        await self._answer(SubmitAnswer(
            channel, str(thread_id), thread_message_ref(thread_id, message.id), speaker_of(message.author),
            message.content, min(message.created_at, self._now()),
        ))

    # ---- what was missed while the bot was not listening ----

    async def on_shard_ready(self, shard_id: int) -> None:
        """A shard has a new session (a session Discord would not resume, a reconnect): events of the gap are never
        replayed, so the open rounds' threads of its guilds are read back. At start-up `read_back_missed` does it,
        once the store is ready."""
        if self.core is not None and self._store_ready:
            await self._read_back_safely(shard_id)

    async def read_back_missed(self) -> int:
        """At start-up, once the schema is ready and before due work closes rounds: reads back what was missed in
        every open round's thread of this process's shards; from then on each new session does it by itself.
        Never raises; returns how many replies were handed on."""
        self._store_ready = True
        if self.core is None or not self.is_ready():
            return 0  # not connected yet: the first session reads back
        return await self._read_back_safely(None)

    async def _read_back_safely(self, shard_id: int | None) -> int:
        try:
            count = await self.catch_up(shard_id)
        except Exception as error:  # the gateway task must live on; the next session reads again
            log.warning("reading back the open rounds' threads failed: %s", error or type(error).__name__)
            return 0
        if count:
            log.info("counted %d replies made while prepbot was not listening", count)
        return count

    def _on_shard(self, guild_id: str, shard_id: int | None) -> bool:
        shards = self.shard_count or 1
        mine = (int(guild_id) >> 22) % shards
        return mine == shard_id if shard_id is not None else self.shard_ids is None or mine in self.shard_ids

    async def catch_up(self, shard_id: int | None = None) -> int:
        """Reads the thread of every open round in the guilds of `shard_id` (of this process when None), one thread
        after another, and hands each reply the core has not stored to it, as a live reply is; returns how many."""
        count = 0
        for thread in await self._core().open_threads(PLATFORM):
            if self._on_shard(thread.channel.workspace, shard_id):
                count += await self._read_back(thread)
        return count

    async def _read_back(self, thread: OpenThread) -> int:
        """Hands on the thread's replies the core has not stored, the edits of those it has, and withdraws those
        deleted meanwhile; returns how many new replies there were."""
        thread_id = int(thread.thread_ref)
        where = self.get_partial_messageable(thread_id, guild_id=int(thread.channel.workspace))
        count = 0
        seen: set[str] = set()
        batch: list[Awaitable[Any]] = []  # handed on together: their commits are grouped, as live replies' are
        try:
            async for message in where.history(limit=None, after=discord.Object(id=thread_id), oldest_first=True):
                ref = thread_message_ref(thread_id, message.id)
                seen.add(ref)
                if message.author.bot or message.type not in READ_BACK_TYPES:
                    continue
                if ref not in thread.stored:
                    batch.append(self._hand_on(message, thread.channel, thread_id))
                    count += 1
                elif (ref in thread.kept and message.edited_at is not None and (message.content or self.message_content)
                      and message.content.strip() != thread.kept[ref]):
                    batch.append(self._answer(EditAnswer(
                        thread.channel, ref, message.content, min(message.edited_at, self._now()))))
                if len(batch) >= READ_BACK_BATCH:
                    await asyncio.gather(*batch)
                    batch = []
        except discord.NotFound:
            await asyncio.gather(*batch)
            if self.chat is not None:
                await self.chat.thread_missing(thread.channel, thread.thread_ref, thread.round_id)
            return count
        except discord.HTTPException as error:
            await asyncio.gather(*batch)
            log.warning("could not read back the thread of round %s: %s", thread.round_id, error.text)
            return count
        await asyncio.gather(*batch)
        for ref in thread.kept.keys() - seen:  # read to the end: these were deleted meanwhile
            if not is_form_answer_ref(ref):  # a form's answer has no message to delete
                await self._answer(WithdrawAnswer(thread.channel, ref, self._now()))
        return count

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        content = payload.data.get("content")
        if payload.guild_id is None or content is None:
            return
        parent = await self.parent_of(payload.channel_id)
        if parent is None:
            return
        await self._answer(EditAnswer(
            address(payload.guild_id, parent), thread_message_ref(payload.channel_id, payload.message_id),
            str(content), self._now(),
        ))

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id is None:
            return
        parent = await self.parent_of(payload.channel_id)
        if parent is None:
            return
        await self._answer(WithdrawAnswer(
            address(payload.guild_id, parent), thread_message_ref(payload.channel_id, payload.message_id),
            self._now(),
        ))

    async def _on_reaction(self, payload: discord.RawReactionActionEvent, added: bool) -> None:
        if payload.guild_id is None:
            return
        parent = await self.parent_of(payload.channel_id)
        if parent is None:
            return
        own = self.user is not None and payload.user_id == self.user.id
        user = payload.member or self.get_user(payload.user_id)  # a removal carries no member
        voter = Speaker(str(payload.user_id), user.display_name if user else "", own or bool(user and user.bot))
        command_type = CastVote if added else RetractVote
        handled = await self._core().handle_vote(command_type(
            address(payload.guild_id, parent), thread_message_ref(payload.channel_id, payload.message_id), voter,
            str(payload.emoji), self._now(),
        ))
        if handled.follow_up is not None:
            await handled.follow_up()

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._on_reaction(payload, True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._on_reaction(payload, False)

    # ---- joining a server ----

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """The bot was added to a server: it welcomes it once, in the server's system channel or else the first
        text channel it may post in."""
        channel = welcome_channel(guild)
        if channel is None or self.core is None:
            log.info("added to server %s, with no channel to welcome it in", guild.id)
            return
        handled = await self.core.welcome(address(guild.id, channel.id))
        if handled.follow_up is not None:
            await handled.follow_up()

    # ---- the Answer button and its form ----

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if interaction.type is discord.InteractionType.component and custom_id == "prep:answer":
            if interaction.message is None:
                return
            await self.open_form(interaction, interaction.message.id)
        elif interaction.type is discord.InteractionType.modal_submit and custom_id.startswith(PRIVATE_MODAL_PREFIX):
            thread_id = custom_id.removeprefix(PRIVATE_MODAL_PREFIX)
            if thread_id.isdigit():
                await self.submit_private_form(interaction, int(thread_id), form_text(data))
        elif interaction.type is discord.InteractionType.modal_submit and custom_id.startswith(MODAL_PREFIX):
            # Handled here rather than by the form object: a form opened before a restart is sent to a process
            # that never showed it, and its custom_id carries all that is needed (the question's thread).
            thread_id = custom_id.removeprefix(MODAL_PREFIX)
            if thread_id.isdigit():
                await self.submit_form(interaction, int(thread_id), form_text(data))

    async def open_form(self, interaction: discord.Interaction, question_id: int) -> None:
        """The Answer button: in a round answered privately, the private form with the member's answer so far (or,
        after the deadline, a private word that the round is closed); otherwise the form that counts as a reply.
        Which one is read from the store; when it cannot say within `response_budget` seconds (another process holds
        the database, say), the member is told privately that prepbot is busy, within Discord's 3 seconds."""
        form = None
        if interaction.guild_id is not None and interaction.channel_id is not None:
            read = asyncio.ensure_future(self._core().answer_form(
                address(interaction.guild_id, interaction.channel_id), str(question_id), str(interaction.user.id)))
            try:
                async with asyncio.timeout(self.response_budget):
                    form = await asyncio.shield(read)  # a read cut short is left to end by itself, unused
            except Exception as error:  # the store is too slow or fails: the member hears so, in time
                read.add_done_callback(_forget)
                why = (f"the store did not answer within {self.response_budget:.1f} s"
                       if isinstance(error, TimeoutError) else short_error(error))
                log.warning("the Answer button was answered busy: %s", why)
                await interaction.response.send_message(_content(busy_notice()), ephemeral=True)
                return
        if form is None or not form.private:
            await interaction.response.send_modal(AnswerForm(question_id))
        elif not form.open:
            await interaction.response.send_message(_content(answers_closed_notice()), ephemeral=True)
        else:
            await interaction.response.send_modal(AnswerForm(question_id, private=True, current=form.current))

    async def _answer_from_form(self, interaction: discord.Interaction,
                                command: AnswerCommand) -> AnswerOutcome | None:
        """Hands a submitted form's answer to the core, as `_answer` does; when the store fails to take it, tells
        the member privately that it was not saved (they were answered "thinking" already) and returns None."""
        try:
            handled = await self._core().handle_answer(command)
        except Exception as error:  # nothing was stored: the member may send it again
            log.warning("a form's answer was answered busy: %s", short_error(error))
            await interaction.followup.send(_content(answer_busy_notice()), ephemeral=True)
            return None
        if handled.follow_up is not None:  # stored: what follows is the acknowledgement, as for any reply
            await handled.follow_up()
        return handled.outcome

    async def submit_private_form(self, interaction: discord.Interaction, thread_id: int, text: str) -> None:
        """A private answer: stored (replacing the member's earlier one) before the member is told, only them."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        if interaction.guild_id is None or interaction.channel_id is None:
            return
        outcome = await self._answer_from_form(interaction, AnswerPrivately(
            address(interaction.guild_id, interaction.channel_id), str(thread_id), speaker_of(interaction.user),
            text, min(interaction.created_at, self._now()),
        ))
        if outcome is not None:
            await interaction.followup.send(_content(private_answer_receipt(outcome)), ephemeral=True)

    async def submit_form(self, interaction: discord.Interaction, thread_id: int, text: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        if interaction.guild_id is None or interaction.channel_id is None:
            return
        outcome = await self._answer_from_form(interaction, SubmitAnswer(
            address(interaction.guild_id, interaction.channel_id), str(thread_id), form_answer_ref(str(interaction.id)),
            speaker_of(interaction.user), text, min(interaction.created_at, self._now()),
        ))
        if outcome is not None:
            await interaction.followup.send(_content(form_answer_receipt(outcome)), ephemeral=True)

    # ---- /prep commands ----

    async def run_command(self, interaction: discord.Interaction, text: str) -> None:
        """Acks within Discord's 3 seconds (deferred, private), queues the command durably, runs it, replies; when
        the store cannot queue it, says privately that prepbot is busy."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        if interaction.guild_id is None or interaction.channel_id is None:
            await interaction.followup.send(_content(server_only_notice()), ephemeral=True)
            return
        core, chat = self._core(), self.chat
        if chat is not None:
            permissions = interaction.permissions
            chat.remember_permissions(str(interaction.guild_id), str(interaction.user.id),
                                      bool(permissions.manage_guild or permissions.administrator))
        channel = interaction.channel
        channel_id = interaction.channel_id
        if isinstance(channel, discord.Thread) and channel.parent_id is not None:
            channel = channel.parent  # a command in a question's thread is about the question's channel
            channel_id = channel.id if channel is not None else interaction.channel_id
        name = getattr(channel, "name", "") or ""
        command = RunCommand(address(interaction.guild_id, channel_id), speaker_of(interaction.user), text, name)

        async def deliver(card: Card) -> None:
            for message in render(card):
                await interaction.followup.send(content=message.content or discord.utils.MISSING,
                                                embeds=message.embeds, ephemeral=True)

        try:
            handled = await core.handle_command(command, f"discord:{interaction.id}", deliver)
        except Exception as error:  # not queued, so it never runs: the member hears so rather than waiting on
            log.warning("a /prep command was answered busy: %s", short_error(error))
            await interaction.followup.send(_content(busy_notice()), ephemeral=True)
            return
        if handled.follow_up is None:  # a retried delivery of a command already queued
            return
        if not await handled.follow_up():  # the reply had no card: the member is told it was done
            await interaction.followup.send(_content(done_notice()), ephemeral=True)


def welcome_channel(guild: discord.Guild) -> discord.TextChannel | None:
    """Where the bot greets a server it was added to: the system channel if it may post there (a message with an
    embed), else the first text channel where it may."""
    me = guild.me
    for channel in (guild.system_channel, *sorted(guild.text_channels, key=lambda c: (c.position, c.id))):
        if channel is None:
            continue
        allowed = channel.permissions_for(me)
        if allowed.view_channel and allowed.send_messages and allowed.embed_links:
            return channel
    return None


class AnswerForm(discord.ui.Modal):
    """The form behind the Answer button: counts the same as a reply in the thread or, for a question answered
    privately (`private`), is the member's private answer, shown with their answer so far (`current`) to edit. Its
    submission is taken by `PrepClient.on_interaction` (by custom_id), so that one sent after a restart counts too."""

    def __init__(self, thread_id: int, *, private: bool = False, current: str = "") -> None:
        prefix = PRIVATE_MODAL_PREFIX if private else MODAL_PREFIX
        super().__init__(title=YOUR_PRIVATE_ANSWER if private else YOUR_ANSWER,
                         custom_id=f"{prefix}{thread_id}", timeout=FORM_TIMEOUT)
        self.answer: discord.ui.TextInput[AnswerForm] = discord.ui.TextInput(
            label=PRIVATE_ANSWER_FIELD if private else ANSWER_FIELD,
            style=discord.TextStyle.paragraph, max_length=MAX_MODAL_ANSWER, required=True,
            custom_id=ANSWER_INPUT, default=current[:MAX_MODAL_ANSWER] or None,
        )
        self.add_item(self.answer)


def _forget(work: asyncio.Future[Any]) -> None:
    """Reads what a piece of work left behind, so that a failure nobody waits for any more is not reported again."""
    if not work.cancelled():
        work.exception()



def _content(card: Card) -> str:
    """A card as the content of one private reply to an interaction."""
    return render(card)[0].content or ""


def form_text(data: dict[str, Any]) -> str:
    """The answer typed in a submitted Answer form, from the interaction's data."""
    for row in data.get("components") or []:
        if not isinstance(row, dict):
            continue
        items = row.get("components") or [row.get("component")]  # an action row, or a label (type 18)
        for item in items:
            if isinstance(item, dict) and item.get("custom_id") == ANSWER_INPUT:
                return str(item.get("value") or "")
    return ""


def _join(*parts: str | None) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def _described(name: str) -> dict[str, str]:
    """The core's words for command `name` as app_commands.describe's arguments: each option's description."""
    return dict(COMMANDS[name].options)


def build_command_groups(client: PrepClient) -> list[app_commands.Group]:
    """`/prep` for everyone; `/prep-admin` for members with Manage Server (checked again by the core). What the
    command picker says of each command and option is the core's."""
    prep = app_commands.Group(name="prep", description=COMMAND_GROUPS["prep"], guild_only=True)
    admin = app_commands.Group(name="prep-admin", description=COMMAND_GROUPS["prep-admin"],
                               guild_only=True, default_permissions=discord.Permissions(manage_guild=True))

    @prep.command(name="practice", description=COMMANDS["practice"].description)
    @app_commands.describe(**_described("practice"))
    @app_commands.choices(level=LEVEL_CHOICES)
    async def practice(interaction: discord.Interaction, level: app_commands.Choice[str] | None = None) -> None:
        await client.run_command(interaction, level.value if level else "random")

    @prep.command(name="leaderboard", description=COMMANDS["leaderboard"].description)
    @app_commands.choices(period=PERIOD_CHOICES, level=LEVEL_CHOICES)
    async def leaderboard(interaction: discord.Interaction, period: app_commands.Choice[str] | None = None,
                          level: app_commands.Choice[str] | None = None) -> None:
        await client.run_command(interaction, _join("leaderboard", period.value if period else None,
                                                    level.value if level else None))

    @prep.command(name="stats", description=COMMANDS["stats"].description)
    async def stats(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, "stats")

    @prep.command(name="optout", description=COMMANDS["optout"].description)
    async def optout(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, "optout")

    @prep.command(name="optin", description=COMMANDS["optin"].description)
    async def optin(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, "optin")

    @prep.command(name="nudge", description=COMMANDS["nudge"].description)
    @app_commands.describe(**_described("nudge"))
    @app_commands.choices(state=[app_commands.Choice(name="on", value="on"),
                                 app_commands.Choice(name="off", value="off")])
    async def nudge(interaction: discord.Interaction, state: app_commands.Choice[str] | None = None) -> None:
        await client.run_command(interaction, _join("nudge", state.value if state else None))

    @prep.command(name="help", description=COMMANDS["help"].description)
    async def help_(interaction: discord.Interaction) -> None:
        [message] = render(client._core().help_card())
        await interaction.response.send_message(message.content, ephemeral=True)

    @admin.command(name="subscribe", description=COMMANDS["subscribe"].description)
    @app_commands.describe(**_described("subscribe"))
    async def subscribe(interaction: discord.Interaction, time: str | None = None, timezone: str | None = None,
                        days: str | None = None, deadline: str | None = None, levels: str | None = None) -> None:
        await client.run_command(interaction, _join("subscribe", time, timezone, days, deadline, levels))

    for name in ("unsubscribe", "pause", "resume", "skip"):
        def make(command_text: str) -> Any:
            async def callback(interaction: discord.Interaction) -> None:
                await client.run_command(interaction, command_text)
            return callback

        admin.add_command(app_commands.Command(name=name, description=COMMANDS[name].description,
                                               callback=make(name)))

    @admin.command(name="holidays", description=COMMANDS["holidays"].description)
    @app_commands.describe(**_described("holidays"))
    async def holidays(interaction: discord.Interaction, setting: str) -> None:
        await client.run_command(interaction, _join("holidays", setting))

    @admin.command(name="config", description=COMMANDS["config"].description)
    @app_commands.describe(**_described("config"))
    async def config(interaction: discord.Interaction, setting: str | None = None, value: str | None = None) -> None:
        await client.run_command(interaction, _join("config", setting, value))

    return [prep, admin]
