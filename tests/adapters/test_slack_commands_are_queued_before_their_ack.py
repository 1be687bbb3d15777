"""A slash command is stored before Slack hears it was received, so a retry or a crash neither loses nor repeats it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from tests.adapters import slack_payloads as payloads
from tests.adapters.slack_team import eventually, slack_team


async def test_a_slash_command_delivered_twice_with_the_same_trigger_runs_once(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        response_url = team.slack.slash_command("T1", "C1", "UADA")["response_url"]
        body = urlencode(payloads.slash_command("T1", "C1", "general", "UADA", "ada",
                                                "subscribe 09:30 Europe/Berlin mon-fri 17:00", response_url))
        url = f"{team.live.http_url}/slack/events"
        first = await team.slack.send_signed(url, body, "application/x-www-form-urlencoded")
        second = await team.slack.send_signed(url, body, "application/x-www-form-urlencoded", retry_num=1)
        assert (first[0], second[0]) == (200, 200)
        await eventually(lambda: bool(team.slack.top_level("C1")))
        await team.live.bot.run_queued_commands()  # nothing left over to run
        announcements = [m for m in team.slack.top_level("C1") if "subscribed this channel" in m.text]
        assert len(announcements) == 1
        assert team.slack.violations == []


async def test_when_slack_hears_a_command_was_received_it_is_already_stored(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        response_url = team.slack.slash_command("T1", "C1", "UBEN")["response_url"]
        body = urlencode(payloads.slash_command("T1", "C1", "general", "UBEN", "ben", "stats", response_url))
        status, _ = await team.slack.send_signed(f"{team.live.http_url}/slack/events", body,
                                                 "application/x-www-form-urlencoded")
        assert status == 200
        async with team.live.bot.store.unit_of_work() as uow:
            queued_or_done = await uow.inbox.pending_count()
        done = [e for e in team.slack.ephemerals if e.user == "UBEN"]
        assert queued_or_done == 1 or done, "the acknowledged command is neither queued nor answered"
        await eventually(lambda: any(e.user == "UBEN" for e in team.slack.ephemerals))
