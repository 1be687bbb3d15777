"""A Discord guild in a test: the fake Discord, the real prepbot (discord.py client, command tree) and a fake clock.

    async with discord_team(tmp_path) as team:
        iid = await team.command("ada", "prep-admin", "subscribe", {"time": "09:30", "timezone": "Europe/Berlin"})
        await team.until(berlin(2026, 11, 30, 9, 30))
        [question] = team.questions()
        answer = await team.reply("ben", question.id, "...")
        await team.eventually(lambda: team.acked(answer))

Gateway events reach the bot asynchronously: after a member acts, wait with `eventually()` for what it causes
(a reaction by the bot, a follow-up, a stored answer) rather than sleeping.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo


import adapters.discord.connect as discord_connect
from adapters.discord.client import PrepClient
from adapters.discord.settings import DiscordSettings
from bot.clock import FakeClock
from bot.domain.model import AnswerPart, ChannelAddress, Round
from bot.domain.questions import Level
from bot.questions import QuestionBank, load_pack
from entrypoints.serve import Running, running
from entrypoints.settings import Configuration, configured
from questions import SHIPPED_PACKS
from tests.grading.explained import explained_answer
from tests.fakes.discord import FakeDiscord, InteractionResponse, Msg

BERLIN = ZoneInfo("Europe/Berlin")
GUILD = "111"
CHANNEL = "301"
# name -> (user id, Manage Server)
MEMBERS: dict[str, tuple[str, bool]] = {
    "ada": ("201", True),
    "ben": ("202", False),
    "cat": ("203", False),
    "dan": ("204", False),
    "eve": ("205", False),
}


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def behavioral_hints() -> str:
    """A strong answer to any behavioral question of the shipped pack: it explains every one of their key points."""
    return explained_answer(q for q in load_pack(SHIPPED_PACKS / "ai-model-serving.yaml")
                            if q.level is Level.BEHAVIORAL)


async def eventually(check: Callable[[], bool | Awaitable[bool]], timeout: float = 10.0,
                     what: str = "the expected outcome") -> None:
    """Waits until `check()` (sync or async) holds, or fails after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"{what} did not happen in time")
        await asyncio.sleep(0.01)


def embed_text(embed: Mapping[str, Any]) -> str:
    """What a member reads in one embed: title, description, fields and footer."""
    parts = [str(embed.get("title") or ""), str(embed.get("description") or "")]
    for f in embed.get("fields") or []:
        parts += [str(f.get("name") or ""), str(f.get("value") or "")]
    footer = embed.get("footer") or {}
    parts.append(str(footer.get("text") or ""))
    return "\n".join(p for p in parts if p)


def message_text(content: str | None, embeds: Iterable[Mapping[str, Any]] | None) -> str:
    """The content of a message and the text of its embeds."""
    parts = [content or ""] + [embed_text(e) for e in embeds or []]
    return "\n".join(p for p in parts if p)


def first_title(embeds: list[dict[str, Any]] | None) -> str:
    return str((embeds or [{}])[0].get("title") or "")


@dataclass
class DiscordTeam:
    fake: FakeDiscord
    live: Running
    clock: FakeClock
    guild: str = GUILD
    channel: str = CHANNEL
    ids: dict[str, str] = field(default_factory=dict)  # member name -> user id
    _stop: Callable[[], Awaitable[None]] | None = None
    _start: Callable[[], Awaitable[Running]] | None = None

    async def restart(self, meanwhile: Callable[[], Awaitable[None]] | None = None) -> None:
        """prepbot stops (its gateway sessions end) and starts again on the same database, as in a deploy;
        `meanwhile()` runs while it is stopped."""
        assert self._stop is not None and self._start is not None
        await self._stop()
        if meanwhile is not None:
            await meanwhile()
        self.live = await self._start()

    @property
    def bot_user(self) -> str:
        return self.fake.bot_user_id

    def user(self, who: str) -> str:
        """A member's user id, from their name or their id (members of other guilds of the scene included)."""
        if who in self.ids:
            return self.ids[who]
        return next((u.id for u in self.fake.users.values() if who in (u.global_name, u.username)), who)

    # ---- what members do ----

    async def command(self, user: str, name: str, subcommand: str | None = None,
                      options: Mapping[str, Any] | None = None, *, channel: str | None = None,
                      guild: str | None = None) -> str:
        """`/name subcommand option:value ...` by `user`; returns the interaction id once it is acknowledged."""
        iid = await self.fake.slash_command(guild or self.guild, channel or self.channel, self.user(user), name,
                                            dict(options or {}), subcommand=subcommand)
        await self.fake.wait_for_interaction_response(iid)
        return iid

    async def command_and_wait(self, user: str, name: str, subcommand: str | None = None,
                               options: Mapping[str, Any] | None = None, **where: str) -> str:
        """A command, then its follow-up (every command ends with one): it has run completely."""
        iid = await self.command(user, name, subcommand, options, **where)
        await eventually(lambda: bool(self.followups(iid)), what=f"a follow-up to /{name} {subcommand or ''}")
        return iid

    def followups(self, iid: str) -> list[InteractionResponse]:
        return [r for r in self.fake.responses_to(iid) if r.kind == "followup"]

    def replies(self, iid: str) -> list[str]:
        """The follow-ups to interaction `iid` as the member reads them: content and embed text."""
        return [message_text(r.data.get("content"), r.data.get("embeds")) for r in self.followups(iid)]

    async def reply(self, user: str, thread: str, text: str) -> Msg:
        return await self.fake.user_message(thread, self.user(user), text)

    async def edit(self, message: Msg, text: str) -> None:
        await self.fake.user_edit(message.channel_id, message.id, text)

    async def delete(self, message: Msg) -> None:
        await self.fake.user_delete(message.channel_id, message.id)

    async def react(self, user: str, message: Msg, emoji: str = "👍", *, remove: bool = False) -> None:
        await self.fake.user_react(message.channel_id, message.id, self.user(user), emoji, remove=remove)

    async def answer_with_form(self, user: str, question: Msg, text: str) -> str:
        """Answer button, then the form, then submit; returns the submit interaction id once acknowledged."""
        click = await self.fake.click_button(self.guild_of(question), question.channel_id, question.id,
                                             self.user(user), "prep:answer")
        shown = await self.fake.wait_for_interaction_response(click)
        assert shown.type == 9, f"the Answer button did not open a form: {shown}"
        text_input = shown.data["components"][0]["components"][0]["custom_id"]
        iid = await self.fake.submit_modal(self.guild_of(question), question.channel_id, self.user(user),
                                           shown.data["custom_id"], {text_input: text})
        await self.fake.wait_for_interaction_response(iid)
        return iid

    def guild_of(self, message: Msg) -> str:
        return message.guild_id or self.guild

    async def until(self, when: datetime) -> None:
        await self.live.bot.run_until(when, self.clock)

    # ---- what members see ----

    def top_level(self, channel: str | None = None) -> list[Msg]:
        """The channel's public messages that are not deleted."""
        return [m for m in self.fake.messages.get(channel or self.channel, []) if not m.deleted and not m.ephemeral]

    def bot_posts(self, channel: str | None = None) -> list[Msg]:
        return [m for m in self.top_level(channel) if m.author_id == self.bot_user and not m.webhook_id]

    def questions(self, channel: str | None = None) -> list[Msg]:
        """The bot's question messages in the channel (open or closed), oldest first."""
        return [m for m in self.bot_posts(channel) if "uestion" in first_title(m.embeds)]

    def thread_messages(self, thread_id: str) -> list[Msg]:
        return [m for m in self.fake.messages.get(thread_id, []) if not m.deleted]

    def thread_texts(self, thread_id: str) -> list[str]:
        return [message_text(m.content, m.embeds) for m in self.thread_messages(thread_id)]

    def bot_thread_texts(self, thread_id: str) -> list[str]:
        return [message_text(m.content, m.embeds) for m in self.thread_messages(thread_id)
                if m.author_id == self.bot_user]

    def dms(self, user: str) -> list[str]:
        """The direct messages the bot sent `user` (Discord has no ephemeral messages outside interactions)."""
        channel = self.fake.dm_channel(self.user(user))
        return [message_text(m.content, m.embeds) for m in self.fake.messages.get(channel, [])
                if m.author_id == self.bot_user]

    def reactions(self, message: Msg) -> list[tuple[str, str]]:
        return self.fake.reactions(message.channel_id, message.id)

    def bot_reacted(self, message: Msg, emoji: str) -> bool:
        return (emoji, self.bot_user) in self.reactions(message)

    def acked(self, message: Msg) -> bool:
        return self.bot_reacted(message, "✅")

    # ---- what prepbot stored ----

    def address(self, channel: str | None = None, guild: str | None = None) -> ChannelAddress:
        return ChannelAddress("discord", guild or self.guild, channel or self.channel)

    async def round_of(self, question: Msg) -> Round:
        store = self.live.bot.store
        channel = await self.live.bot.find_channel(self.address(question.channel_id, question.guild_id))
        assert channel is not None
        async with store.unit_of_work() as uow:
            found = await uow.rounds.by_message(channel.id, question.id)
        assert found is not None, f"no round for message {question.id}"
        return found

    async def parts(self, question: Msg) -> list[AnswerPart]:
        round_ = await self.round_of(question)
        async with self.live.bot.store.unit_of_work() as uow:
            return await uow.answers.for_round(round_.id)

    async def voters(self, question: Msg) -> dict[int, int]:
        round_ = await self.round_of(question)
        async with self.live.bot.store.unit_of_work() as uow:
            return await uow.votes.voters_by_author(round_.id)

    eventually = staticmethod(eventually)


def discord_settings(fake: FakeDiscord, db: Path, **extra: Any) -> Configuration:
    base = configured(
        database_url=f"sqlite+aiosqlite:///{db}",
        discord_token=fake.token,
        discord_api_url=fake.api_url,
        discord_gateway_url=fake.gateway_url,
        http_host="127.0.0.1",
        http_port=0,
    )
    return base.replace(**extra)


def populate(fake: FakeDiscord, guild: str, channel: str, members: Mapping[str, tuple[str, bool]],
             guild_name: str = "Acme", channel_name: str = "general") -> dict[str, str]:
    fake.add_guild(guild, guild_name)
    for name, (user_id, manage) in members.items():
        fake.add_member(guild, user_id, name, manage_guild=manage)
    fake.add_channel(guild, channel, channel_name)
    return {name: user_id for name, (user_id, _) in members.items()}


@contextmanager
def quick_gateway() -> Iterator[None]:
    """discord.py's waits made for Discord's gateway, shortened for the fake on loopback.

    A client is ready only once no GUILD_CREATE came for `guild_ready_timeout` (2 s), and a sharded client waits 5 s
    before each IDENTIFY after the first. Both only pace the real gateway; on loopback they only make tests slow.
    Every client prepbot makes (`connect.new_client`, the fallback without message content included) gets short
    ones while this is active.
    """
    original = discord_connect.new_client

    def new_client(settings: DiscordSettings, message_content: bool) -> PrepClient:
        client = original(settings, message_content)
        client._connection.guild_ready_timeout = 0.1

        async def before_identify_hook(shard_id: int | None, *, initial: bool = False) -> None:
            return None

        client.before_identify_hook = before_identify_hook  # type: ignore[method-assign]
        return client

    discord_connect.new_client = new_client
    try:
        yield
    finally:
        discord_connect.new_client = original


@asynccontextmanager
async def discord_team(
    tmp_path: Path,
    *,
    message_content: bool = True,
    close_on_disallowed_intents: bool = False,
    bank: QuestionBank | None = None,
    members: Mapping[str, tuple[str, bool]] = MEMBERS,
    guild: str = GUILD,
    channel: str = CHANNEL,
    start: datetime | None = None,
    scene: Callable[[FakeDiscord], None] | None = None,
    sync: Iterable[str] | None = None,
    **settings: Any,
) -> AsyncIterator[DiscordTeam]:
    """Guild `guild` with channel `channel` and `members`; prepbot connected and its commands registered there.

    `message_content`: whether Discord grants the privileged intent (the bot asks for it per its settings);
    `scene(fake)` adds more guilds, channels or members before prepbot connects; `sync` lists the guilds whose
    commands are registered (the team's guild by default).
    """
    clock = FakeClock(start or berlin(2026, 11, 30, 8, 0))
    async with FakeDiscord(now=lambda: clock.now().timestamp(), message_content_intent=message_content,
                           close_on_disallowed_intents=close_on_disallowed_intents) as fake:
        ids = populate(fake, guild, channel, members)
        if scene is not None:
            scene(fake)
        runs: list[AsyncExitStack] = []
        options = discord_settings(fake, tmp_path / "discord.db", **settings)

        async def start_bot() -> Running:
            run = AsyncExitStack()
            live = await run.enter_async_context(running(options, clock, bank=bank, tick=False))
            runs.append(run)
            return live

        async def stop() -> None:
            await runs.pop().aclose()

        with quick_gateway():
            try:
                live = await start_bot()
                for guild_id in sync if sync is not None else [guild]:
                    await live.discord.sync_commands(int(guild_id))
                yield DiscordTeam(fake, live, clock, guild, channel, ids, stop, start_bot)
            finally:
                while runs:
                    await stop()
