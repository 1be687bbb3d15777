"""An operator's probes: alive, and ready when the database answers and the platforms are connected."""

from __future__ import annotations

from pathlib import Path

import uuid

import aiohttp
import asyncpg
import pytest

from tests.adapters.slack_team import slack_team


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_a_running_bot_is_alive_and_ready(tmp_path: Path, mode: str) -> None:
    async with slack_team(tmp_path, mode) as team, aiohttp.ClientSession() as session:
        async with session.get(f"{team.live.http_url}/healthz") as alive:
            assert alive.status == 200
        async with session.get(f"{team.live.http_url}/readyz") as ready:
            assert ready.status == 200
            assert await ready.json() == {"ready": True, "problems": []}


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
