"""Three `prepbot run` processes on one PostgreSQL: every due question is posted exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import asyncpg
import pytest

from bot.config import Settings
from bot.domain.model import ChannelAddress, TaskKind
from bot.services.planning import post_key
from bot.store.engine import make_engine, upgrade
from bot.store.unit_of_work import Store
from tests.e2e.console import REPO
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.slow
ADMIN_URL = os.environ.get("PREPBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
CHANNELS = 30
REPLICAS = 3


async def due_soon(url: str) -> None:
    """CHANNELS subscribed channels whose daily questions all fall due in a few seconds, when every replica is up
    and polling, so they contend for the same work."""
    store = Store(make_engine(url))
    now = datetime.now(timezone.utc)
    schedule = Settings(weekdays="daily").default_schedule("UTC")
    try:
        await upgrade(store.engine)
        async with store.unit_of_work() as uow:
            for i in range(CHANNELS):
                channel = await uow.channels.get_or_create(ChannelAddress("slack", "T1", f"C{i:02d}"), f"c{i}",
                                                           schedule, now)
                await uow.channels.save(channel.id, schedule, True, subscribed_by="UADA")
                await uow.tasks.schedule(TaskKind.POST_DAILY, channel.id, now + timedelta(seconds=4),
                                         post_key(channel.id, now.date()), slot_date=now.date())
            await uow.commit()
    finally:
        await store.close()


async def test_three_replicas_post_every_due_question_exactly_once(tmp_path: Path) -> None:
    admin = await asyncpg.connect(ADMIN_URL.replace("+asyncpg", ""))
    name = f"prepbot_replicas_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    processes: list[asyncio.subprocess.Process] = []
    try:
        await due_soon(url)
        async with FakeSlack() as slack:
            slack.add_workspace("T1", name="Acme")
            for i in range(CHANNELS):
                slack.add_channel("T1", f"C{i:02d}", f"c{i}")
            env = {k: v for k, v in os.environ.items() if not k.startswith(("PREPBOT_", "SLACK_", "DISCORD_"))}
            env.update(PYTHONPATH=str(REPO), PREPBOT_DATABASE_URL=url, PREPBOT_HTTP_HOST="127.0.0.1",
                       PREPBOT_HTTP_PORT="0", PREPBOT_TICK_SECONDS="0.2", SLACK_BOT_TOKEN="xoxb-T1",
                       SLACK_SIGNING_SECRET=slack.signing_secret, SLACK_API_URL=f"{slack.url}/api/",
                       SLACK_MODE="http", SLACK_CHANNEL_INTERVAL="0")
            for _ in range(REPLICAS):
                processes.append(await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "entrypoints.cli", "run", cwd=tmp_path, env=env,
                    stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                ))

            def posted() -> list[int]:
                return [len(slack.top_level(f"C{i:02d}")) for i in range(CHANNELS)]

            for _ in range(400):
                if all(posted()):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.5)  # a replica that would post twice has had time to
            assert posted() == [1] * CHANNELS
            assert len({c.team_id for c in slack.calls_to("chat.postMessage")}) == 1
            assert slack.violations == []
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            except asyncio.TimeoutError:
                process.kill()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
