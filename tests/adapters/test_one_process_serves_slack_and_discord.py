"""With Slack and Discord both configured, one prepbot process serves both from one core and one database."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from bot.clock import FakeClock
from bot.domain.model import ChannelAddress
from entrypoints.serve import running
from tests.adapters import slack_payloads as payloads
from tests.adapters.discord_team import discord_settings, eventually, populate, quick_gateway
from tests.adapters.slack_team import berlin
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack


async def test_both_platforms_get_their_daily_question_from_one_process(tmp_path: Path) -> None:
    clock = FakeClock(berlin(2026, 11, 30, 8, 0))
    now = lambda: clock.now().timestamp()  # noqa: E731
    async with FakeSlack(now=now) as slack, FakeDiscord(now=now) as fake_discord:
        slack.add_workspace("T1", name="Acme")
        slack.add_user("T1", "UADA", "ada", is_admin=True)
        slack.add_channel("T1", "C1", "general")
        populate(fake_discord, "111", "301", {"ada": ("201", True)})
        settings = discord_settings(fake_discord, tmp_path / "both.db").replace(
            slack_api_url=f"{slack.url}/api/", slack_signing_secret=slack.signing_secret,
            slack_bot_token="xoxb-T1", slack_mode="http", slack_channel_interval=0.0,
        )
        with quick_gateway():
            async with running(settings, clock, tick=False) as live:
                assert live.platforms == ["discord", "slack"]
                await live.discord.sync_commands(111)

                response_url = slack.slash_command("T1", "C1", "UADA")["response_url"]
                body = urlencode(payloads.slash_command("T1", "C1", "general", "UADA", "ada",
                                                        "subscribe 09:30 Europe/Berlin", response_url))
                status, _ = await slack.send_signed(f"{live.http_url}/slack/events", body,
                                                    "application/x-www-form-urlencoded")
                assert status == 200
                await fake_discord.slash_command("111", "301", "201", "prep-admin",
                                                 {"time": "09:30", "timezone": "Europe/Berlin"},
                                                 subcommand="subscribe")
                for address in (ChannelAddress("slack", "T1", "C1"), ChannelAddress("discord", "111", "301")):
                    async def subscribed(address: ChannelAddress = address) -> bool:
                        channel = await live.bot.find_channel(address)
                        return channel is not None and channel.subscribed
                    await eventually(subscribed)

                await live.bot.run_until(berlin(2026, 11, 30, 9, 31), clock)
                slack_questions = [m for m in slack.top_level("C1") if m.blocks and "Question of the day"
                                   in m.blocks[0]["text"]["text"]]
                discord_questions = [m for m in fake_discord.messages["301"]
                                     if m.embeds and "Question of the day" in (m.embeds[0].get("title") or "")]
                assert len(slack_questions) == 1 and len(discord_questions) == 1
                assert slack.violations == [] and fake_discord.violations == []
