"""A restart on Discord catches up on what was left only once the client has logged in.

A restart on Discord: what was left when the bot stopped (an answer stored without its reaction, a reveal that fell
due while it was down) is done at start-up, once the client has logged in, never before (where discord.py's calls
fail and the start crashed, every time, for as long as the answer stayed unacknowledged).

Times are Europe/Berlin; 2026-11-30 is a Monday.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bot.domain.model import ChannelAddress
from entrypoints.serve import running
from tests.e2e.chaos_support import TcpProxy
from bot.clock import FakeClock
from tests.adapters.discord_team import CHANNEL, GUILD, MEMBERS, DiscordTeam, berlin, discord_settings, eventually, \
    populate, quick_gateway
from tests.fakes.discord import FakeDiscord

SUBSCRIBE = {"time": "09:30", "timezone": "Europe/Berlin", "days": "mon-fri", "deadline": "17:00",
             "levels": "behavioral"}
REACTION = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"


async def test_a_restart_acknowledges_a_missed_answer_and_posts_a_missed_reveal_after_logging_in(
    tmp_path: Path,
) -> None:
    clock = FakeClock(berlin(2026, 11, 30, 8, 0))
    database = tmp_path / "discord.db"
    async with FakeDiscord(now=lambda: clock.now().timestamp()) as fake:
        ids = populate(fake, GUILD, CHANNEL, MEMBERS)
        settings = discord_settings(fake, database)
        with quick_gateway():
            async with running(settings, clock, tick=False) as live:
                await live.discord.sync_commands(int(GUILD))
                team = DiscordTeam(fake, live, clock, GUILD, CHANNEL, ids)
                admin = next(name for name, (_, manage) in MEMBERS.items() if manage)
                member = next(name for name, (_, manage) in MEMBERS.items() if not manage)
                await team.command_and_wait(admin, "prep-admin", "subscribe", SUBSCRIBE)
                await team.until(berlin(2026, 11, 30, 9, 31))
                [question] = team.questions()
                reply = await team.reply(member, question.id, "I would start from the customer's goal.")
                await eventually(lambda: team.acked(reply), what="the answer's reaction")
                engine = live.bot.store.engine

                async def marked() -> bool:
                    async with engine.connect() as connection:
                        found = await connection.execute(text("SELECT count(*) FROM answer_parts WHERE acknowledged"))
                        return bool(found.scalar_one() == 1)

                await eventually(marked, what="the reaction recorded")
                async with engine.begin() as connection:  # the process stopped between storing and reacting
                    await connection.execute(text("UPDATE answer_parts SET acknowledged = :no"), {"no": False})
            reactions_before = len(fake.calls_to("PUT", REACTION))

            clock.set(berlin(2026, 11, 30, 17, 5))  # the deadline passed while the bot was down
            async with running(settings, clock, tick=False) as live:
                team = DiscordTeam(fake, live, clock, GUILD, CHANNEL, ids)
                assert live.discord.connected()
                await live.bot.caught_up()  # the reactions owed follow start-up in the background
                reacted = fake.calls_to("PUT", REACTION)[reactions_before:]
                assert [(c.path.split("/")[4], c.status) for c in reacted] == [(reply.id, 204)], (
                    "the missed reaction is made at start-up, after login"
                )
                reveal = [t for t in team.bot_thread_texts(question.id) if t.startswith("Hint and feedback")]
                assert len(reveal) == 1 and "ben (on time)" in reveal[0], "the reveal that fell due while the bot was down is posted at start-up"
                async with live.bot.store.engine.connect() as connection:
                    pending = await connection.execute(text("SELECT count(*) FROM answer_parts WHERE NOT acknowledged"))
                    assert pending.scalar_one() == 0
        assert fake.violations == []


async def test_with_discord_unreachable_at_start_the_bot_starts_and_catches_up_once_discord_is_back(
    tmp_path: Path,
) -> None:
    clock = FakeClock(berlin(2026, 11, 30, 8, 0))
    async with FakeDiscord(now=lambda: clock.now().timestamp()) as fake:
        proxy = TcpProxy("127.0.0.1", int(fake.url.rsplit(":", 1)[1]))
        await proxy.start()
        try:
            ids = populate(fake, GUILD, CHANNEL, MEMBERS)
            through = f"http://127.0.0.1:{proxy.port}"
            settings = discord_settings(fake, tmp_path / "discord.db", discord_api_url=f"{through}/api/v10",
                                        discord_gateway_url=f"ws://127.0.0.1:{proxy.port}",
                                        health_check_seconds=0.05, retry_max_seconds=0.2)
            with quick_gateway():
                async with running(settings, clock, tick=False) as live:
                    await live.discord.sync_commands(int(GUILD))
                    team = DiscordTeam(fake, live, clock, GUILD, CHANNEL, ids)
                    await team.command_and_wait("ada", "prep-admin", "subscribe", SUBSCRIBE)
                    await team.until(berlin(2026, 11, 30, 9, 31))
                    [question] = team.questions()
                    reply = await team.reply("ben", question.id, "I would start from the customer's goal.")
                    await eventually(lambda: team.acked(reply), what="the answer's reaction")
                    engine = live.bot.store.engine

                    async def marked() -> bool:
                        async with engine.connect() as connection:
                            found = await connection.execute(
                                text("SELECT count(*) FROM answer_parts WHERE acknowledged"))
                            return bool(found.scalar_one() == 1)

                    await eventually(marked, what="the reaction recorded")
                    async with engine.begin() as connection:
                        await connection.execute(text("UPDATE answer_parts SET acknowledged = :no"), {"no": False})
                reactions_before = len(fake.calls_to("PUT", REACTION))

                await proxy.cut()  # Discord cannot be reached when the bot starts again, after the deadline
                clock.set(berlin(2026, 11, 30, 17, 5))
                async with running(settings, clock, tick=False) as live:
                    team = DiscordTeam(fake, live, clock, GUILD, CHANNEL, ids)
                    assert not live.discord.connected()
                    assert live.discord.readiness_problem().startswith("not connected: Discord unreachable")
                    assert len(fake.calls_to("PUT", REACTION)) == reactions_before
                    assert not [t for t in team.bot_thread_texts(question.id) if t.startswith("Hint and feedback")]

                    await proxy.restore()
                    await eventually(live.discord.connected, what="Discord connected again")
                    await eventually(lambda: len(fake.calls_to("PUT", REACTION)) > reactions_before,
                                     what="the missed reaction, once Discord is back")
                    await live.bot.run_until(berlin(2026, 11, 30, 17, 8), clock)  # the reveal's retry
                    reveals = [t for t in team.bot_thread_texts(question.id) if t.startswith("Hint and feedback")]
                    assert len(reveals) == 1 and "ben (on time)" in reveals[0]
                    assert await live.bot.find_channel(ChannelAddress("discord", GUILD, CHANNEL)) is not None
            assert fake.violations == []
        finally:
            await proxy.close()
