"""An operator's probes: alive, and ready when the database answers and the platforms are connected."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from tests.adapters.slack_team import slack_team
from tests.fakes.discord import FakeDiscord


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_a_running_bot_is_alive_and_ready(tmp_path: Path, mode: str) -> None:
    async with slack_team(tmp_path, mode) as team, aiohttp.ClientSession() as session:
        async with session.get(f"{team.live.http_url}/healthz") as alive:
            assert alive.status == 200
        async with session.get(f"{team.live.http_url}/readyz") as ready:
            assert ready.status == 200
            assert await ready.json() == {"ready": True, "problems": []}


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_a_revoked_slack_token_makes_the_bot_not_ready_naming_slack_and_why_and_moves_a_metric(
    tmp_path: Path, mode: str
) -> None:
    async with slack_team(tmp_path, mode, health_check_seconds=0.05, retry_max_seconds=0.05) as team, \
            aiohttp.ClientSession() as session:
        async def readiness() -> tuple[int, dict[str, object]]:
            async with session.get(f"{team.live.http_url}/readyz") as ready:
                return ready.status, await ready.json()

        async def scrape() -> str:
            async with session.get(f"{team.live.http_url}/metrics") as page:
                return await page.text()

        assert await readiness() == (200, {"ready": True, "problems": []})
        assert sample(await scrape(), "prepbot_platform_ready", platform="slack") == 1
        team.slack.uninstall("T1")  # the app is removed: its token answers token_revoked
        for _ in range(200):
            status, body = await readiness()
            if status == 503:
                break
            await asyncio.sleep(0.02)
        assert (status, body) == (503, {"ready": False,
                                        "problems": ["slack: auth.test refused the bot token (token_revoked)"]})
        assert sample(await scrape(), "prepbot_platform_ready", platform="slack") == 0


async def test_a_bot_whose_database_went_away_says_it_is_not_ready(tmp_path: Path) -> None:
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"prepbot_ready_{uuid.uuid4().hex[:10]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        async with slack_team(tmp_path, "http", database_url=url) as team, aiohttp.ClientSession() as session:
            async with session.get(f"{team.live.http_url}/readyz") as ready:
                assert ready.status == 200
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            async with session.get(f"{team.live.http_url}/readyz") as ready:
                assert ready.status == 503
                assert await ready.json() == {"ready": False, "problems": ["database unreachable"]}
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        metric, _, rest = key.partition("{")
        found = ",".join(sorted(rest.rstrip("}").split(","))) if rest else ""
        if metric == name and found == wanted:
            return float(value)
    return 0.0


async def test_the_metrics_count_what_happens_in_a_round(tmp_path: Path) -> None:
    from tests.adapters.slack_team import berlin

    async with slack_team(tmp_path, "http") as team, aiohttp.ClientSession() as session:
        async def scrape() -> str:
            async with session.get(f"{team.live.http_url}/metrics") as page:
                assert page.status == 200 and page.headers["Content-Type"].startswith("text/plain")
                return await page.text()

        before = await scrape()
        assert sample(before, "prepbot_questions_posted_total", platform="slack", kind="daily") == 0
        await team.command_and_wait("UADA", "subscribe 09:30 Europe/Berlin mon-fri 17:00",
                                    lambda: bool(team.slack.top_level("C1")))
        team.slack.rate_limit("chat.postMessage", 1, retry_after=0)
        await team.until(berlin(2026, 11, 30, 9, 31))
        [question] = team.questions()
        await team.reply("UBEN", question.ts, "I would profile first")
        await team.until(berlin(2026, 11, 30, 17, 1))
        after = await scrape()
        assert sample(after, "prepbot_questions_posted_total", platform="slack", kind="daily") == 1
        assert sample(after, "prepbot_answers_accepted_total", platform="slack", on_time="true") == 1
        assert sample(after, "prepbot_reveals_posted_total", platform="slack") == 1
        assert sample(after, "prepbot_command_seconds_count", platform="slack") >= 1
        assert sample(after, "prepbot_scheduler_lag_seconds_count", kind="post_daily") == 1
        assert sample(after, "prepbot_platform_rate_limited_total", platform="slack", method="chat.postMessage") == 1
        assert team.slack.violations == []


async def test_a_bot_on_discord_is_ready_once_started_and_says_so_when_the_gateway_is_gone(tmp_path: Path) -> None:
    from tests.adapters.discord_team import discord_team

    async with discord_team(tmp_path) as team, aiohttp.ClientSession() as session:
        async with session.get(f"{team.live.http_url}/readyz") as ready:
            assert (ready.status, await ready.json()) == (200, {"ready": True, "problems": []})
        await team.live.discord.client.close()  # the connection is gone (as after a fatal gateway close)
        async with session.get(f"{team.live.http_url}/readyz") as ready:
            body = await ready.json()
            assert ready.status == 503 and len(body["problems"]) == 1
            assert body["problems"][0].startswith("discord: "), "the platform is named, then what is wrong"


DISCORD_FAULTS: dict[str, tuple[Callable[[FakeDiscord], None], Callable[[FakeDiscord], None], str]] = {
    # fault: (what breaks, what mends it, what /readyz says meanwhile)
    "revoked token": (FakeDiscord.revoke_token, FakeDiscord.reinstate_token,
                      "discord: Discord refused the token (401: revoked or invalid; check DISCORD_TOKEN)"),
    "API failing": (lambda fake: fake.server_error("GET", "/users/@me", 1_000_000, status=502),
                    FakeDiscord.end_server_errors,
                    "discord: Discord's API is failing (GET /users/@me answered 502)"),
}


@pytest.mark.parametrize("fault", DISCORD_FAULTS)
async def test_discord_refusing_the_bot_while_the_gateway_stays_connected_makes_the_bot_not_ready_until_it_works_again(
    tmp_path: Path, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.adapters.discord_team import discord_team, eventually

    caplog.set_level(logging.INFO, logger="prepbot.health")
    breaks, mends, said = DISCORD_FAULTS[fault]
    async with discord_team(tmp_path, health_check_seconds=0.05, retry_max_seconds=0.05) as team, \
            aiohttp.ClientSession() as session:
        async def readiness() -> tuple[int, dict[str, object]]:
            async with session.get(f"{team.live.http_url}/readyz") as ready:
                return ready.status, await ready.json()

        async def ready_metric() -> float:
            async with session.get(f"{team.live.http_url}/metrics") as page:
                return sample(await page.text(), "prepbot_platform_ready", platform="discord")

        async def not_ready() -> bool:
            return (await readiness())[0] == 503

        async def ready() -> bool:
            return (await readiness())[0] == 200

        assert await readiness() == (200, {"ready": True, "problems": []})
        assert await ready_metric() == 1
        breaks(team.fake)
        await eventually(not_ready, what="/readyz saying not ready")

        assert await readiness() == (503, {"ready": False, "problems": [said]})
        assert await ready_metric() == 0
        assert team.live.discord.connected(), "the gateway is still connected: only Discord's auth call tells"
        await eventually(lambda: len([c for c in team.fake.calls_to("GET", "/users/@me") if c.status != 200]) >= 3,
                         what="checks tried again")
        mends(team.fake)
        await eventually(ready, what="/readyz saying ready again")
        assert await ready_metric() == 1

    failed = [c for c in team.fake.calls_to("GET", "/users/@me") if c.status != 200]
    lines = [r for r in caplog.records if r.name == "prepbot.health" and r.levelno >= logging.WARNING]
    assert len(lines) == len(failed), "one log line per failed check"
    assert lines[0].levelno == logging.ERROR and all(r.levelno == logging.WARNING for r in lines[1:])
    assert all(r.exc_info is None for r in lines), "Discord's answer needs no traceback"
    assert [r.getMessage() for r in caplog.records if "works again" in r.getMessage()] == [
        f"discord works again, after {len(failed)} failed checks"]
    assert team.fake.violations == []
