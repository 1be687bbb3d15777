"""A Slack installation's life: removal stops the workspace, a reinstall reaches every replica.

Removing prepbot from a workspace stops it there: the installation is deleted and the workspace's schedules stop
(history and points stay). After a reinstall through one replica, every other replica goes on with the new token.

Times are Europe/Berlin; 2026-11-30 is a Monday. ada subscribes #general (C1) at 08:00 for 09:30.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import yaml
from slack_sdk.oauth.installation_store.models.bot import Bot

from adapters.slack.chat import BotIdentity
from adapters.slack.installations import StoreInstallationStore
from bot.clock import FakeClock
from bot.store.engine import make_engine, upgrade
from bot.store.unit_of_work import Store
from entrypoints.serve import running
from tests.adapters.slack_team import SlackTeam, berlin, block_text, slack_settings, slack_team
from tests.adapters.test_slack_workspaces_are_isolated import install_from_the_install_page
from tests.fakes.slack import FakeSlack

SUBSCRIBE = "subscribe 09:30 Europe/Berlin mon-fri 17:00"


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as connection:
        return list(connection.execute(sql).fetchall())


async def deliver(slack: FakeSlack, http_url: str, body: dict[str, object]) -> int:
    status, _ = await slack.send_signed(f"{http_url}/slack/events", json.dumps(body), "application/json")
    return status


async def test_an_uninstall_stops_the_workspaces_schedules_and_nothing_is_posted_after_it(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        await team.command_and_wait("UADA", SUBSCRIBE, lambda: len(team.slack.top_level(team.channel)) == 1)
        posts = len(team.slack.calls_to("chat.postMessage"))

        for event in team.slack.uninstall(team.team_id):
            assert await deliver(team.slack, team.live.http_url, event) == 200
        await team.until(berlin(2026, 11, 30, 9, 31))
        await team.until(berlin(2026, 12, 1, 9, 31))

        assert len(team.slack.calls_to("chat.postMessage")) == posts  # no question tried, no lost-channel DM
        db = tmp_path / "slack.db"
        assert rows(db, "SELECT subscribed FROM channels") == [(0,)]
        assert rows(db, "SELECT count(*) FROM tasks WHERE done_at IS NULL") == [(0,)]
        assert rows(db, "SELECT count(*) FROM members") == [(1,)]  # what the team did is kept
        assert team.slack.violations == []


async def test_after_an_uninstall_and_a_reinstall_through_one_replica_the_other_replica_uses_the_new_token(
    tmp_path: Path,
) -> None:
    clock = FakeClock(berlin(2026, 11, 30, 8, 0))
    async with FakeSlack(now=lambda: clock.now().timestamp()) as slack, AsyncExitStack() as stack:
        slack.add_workspace("T1", name="Acme", installed=False)
        slack.add_user("T1", "UADA", "ada", is_admin=True)
        slack.add_user("T1", "UBEN", "ben")
        slack.add_channel("T1", "C1", "general")
        slack.add_oauth_code("first", "T1", installer_user_id="UADA")
        db = tmp_path / "slack.db"
        settings = slack_settings(slack, db, "T1", "http", slack_bot_token=None, slack_client_id="cid",
                                  slack_client_secret="csecret")
        one = await stack.enter_async_context(running(settings, clock, tick=False))
        other = await stack.enter_async_context(running(settings, clock, tick=False))
        await install_from_the_install_page(one.http_url, "first")
        at_other = SlackTeam(slack, other, clock, "T1", "C1", "http")
        await at_other.command("UBEN", "stats")  # the other replica now knows the first token
        assert len(at_other.ephemerals_for("UBEN")) == 1

        for event in slack.uninstall("T1"):
            assert await deliver(slack, one.http_url, event) == 200
        assert rows(db, "SELECT count(*) FROM installations") == [(0,)]
        slack.add_oauth_code("second", "T1", installer_user_id="UADA")
        await install_from_the_install_page(one.http_url, "second")
        slack.add_bot_to("C1")
        [(token,)] = rows(db, "SELECT bot_token FROM installations")
        assert token != "xoxb-T1"  # Slack issued a new one

        await at_other.command("UADA", SUBSCRIBE)

        [announcement] = slack.top_level("C1")
        assert "ada subscribed this channel" in block_text(announcement)
        assert rows(db, "SELECT subscribed FROM channels") == [(1,)]
        assert slack.violations == []


async def test_a_replica_reads_a_workspaces_token_again_a_minute_after_it_last_did(tmp_path: Path) -> None:
    clock = FakeClock(berlin(2026, 11, 30, 8, 0))
    store = Store(make_engine(f"sqlite+aiosqlite:///{tmp_path / 'slack.db'}"))
    await upgrade(store.engine)
    try:
        one, other = StoreInstallationStore(store, clock), StoreInstallationStore(store, clock)
        await one.async_save_bot(Bot(team_id="T1", bot_token="xoxb-first", bot_id="B1", bot_user_id="UBOT",
                                     installed_at=clock.now().timestamp()))
        assert (await other.bot_for("T1")) == BotIdentity("xoxb-first", "UBOT")

        await one.async_save_bot(Bot(team_id="T1", bot_token="xoxb-second", bot_id="B1", bot_user_id="UBOT",
                                     installed_at=clock.now().timestamp()))
        clock.set(clock.now() + timedelta(seconds=61))

        assert (await other.bot_for("T1")) == BotIdentity("xoxb-second", "UBOT")
    finally:
        await store.close()


def test_the_app_manifest_subscribes_to_the_events_that_say_the_app_was_removed() -> None:
    manifest = yaml.safe_load((Path(__file__).resolve().parents[2] / "deploy" / "slack" / "manifest.yml").read_text())

    events = manifest["settings"]["event_subscriptions"]["bot_events"]

    assert {"app_uninstalled", "tokens_revoked"} <= set(events)
