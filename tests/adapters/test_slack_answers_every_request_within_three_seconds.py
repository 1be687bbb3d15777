"""Slack hears back within 3 seconds whatever is slow behind prepbot, and nothing is lost.

Slack hears back within its 3 seconds whatever is slow behind prepbot (users.info rate-limited, the SQLite file
held by another process), nothing told "busy" runs later, nothing answered 500 is lost or acknowledged twice, a
redelivered answer is not reacted to again, and one member's bad bytes cost nobody else their answer.

Times are Europe/Berlin; 2026-11-30 is a Monday. The channel subscribes at 08:00; the question is posted at 09:30.
The fake Slack counts any response later than 3 seconds as a violation.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.adapters import slack_payloads as payloads
from tests.adapters.slack_team import SlackTeam, berlin, block_text, eventually, slack_team
from tests.fakes.slack import Message

SUBSCRIBE = "subscribe 09:30 Europe/Berlin mon-fri 17:00"


def count(tmp_path: Path, sql: str) -> int:
    with sqlite3.connect(tmp_path / "slack.db") as db:
        return int(db.execute(sql).fetchone()[0])


async def a_question(team: SlackTeam) -> Message:
    await team.command_and_wait("UADA", SUBSCRIBE, lambda: len(team.slack.top_level(team.channel)) == 1)
    await team.until(berlin(2026, 11, 30, 9, 31))
    [question] = team.questions()
    return question


def held_by_another_process(tmp_path: Path) -> sqlite3.Connection:
    """Another process's write transaction on prepbot's SQLite file: nobody else may write until it ends."""
    holder = sqlite3.connect(tmp_path / "slack.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def answer_event(team: SlackTeam, question: Message, user: str, text: str) -> tuple[str, dict[str, object]]:
    message = team.slack.add_user_message(team.channel, user, text, thread_ts=question.ts)
    return message.ts, payloads.thread_reply(team.team_id, team.bot_user, team.channel, user, text, message.ts,
                                             question.ts)


async def post_event(team: SlackTeam, body: dict[str, object], retry_num: int | None = None) -> int:
    status, _ = await team.slack.send_signed(f"{team.live.http_url}/slack/events", json.dumps(body),
                                             "application/json", retry_num=retry_num, timeout=10)
    return status


async def test_a_vote_from_a_member_not_looked_up_yet_is_answered_in_time_while_users_info_is_rate_limited(
    tmp_path: Path,
) -> None:
    async with slack_team(tmp_path, "http") as team:
        question = await a_question(team)
        ben = await team.reply("UBEN", question.ts, "I would pickle the model and version the artifact.")
        team.slack.rate_limit("users.info", times=8, retry_after=1)  # cat has not been looked up yet

        await team.react("UCAT", ben, "UBEN")

        assert team.slack.violations == []  # answered within 3 seconds
        assert count(tmp_path, "SELECT count(*) FROM votes") == 1  # and the vote counts


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_a_command_while_another_process_holds_the_database_is_answered_busy_in_time_and_never_runs(
    tmp_path: Path, mode: str
) -> None:
    async with slack_team(tmp_path, mode) as team:
        await a_question(team)
        response_url = team.slack.slash_command(team.team_id, team.channel, "UBEN", "stats")["response_url"]
        body = payloads.slash_command(team.team_id, team.channel, "general", "UBEN", "ben", "stats", response_url)
        holder = held_by_another_process(tmp_path)
        try:
            if mode == "http":
                status, reply = await team.slack.send_signed(
                    f"{team.live.http_url}/slack/events", urlencode(body), "application/x-www-form-urlencoded",
                    timeout=10)
                assert status == 200
                shown = json.loads(reply)
                assert shown["response_type"] == "ephemeral"
                busy = shown["text"]
            else:
                await team.slack.push_socket("slash_commands", body, timeout=10)
                [busy] = team.ephemerals_for("UBEN")  # the ack's payload, shown to ben only
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        assert "busy" in busy and "try again" in busy
        assert team.slack.violations == []  # in time
        # The store takes the queued command once the other process lets go: it is marked done, never run.
        await eventually(lambda: count(tmp_path, "SELECT count(*) FROM inbox WHERE done_at IS NOT NULL") == 2)
        await team.settled()
        assert count(tmp_path, "SELECT count(*) FROM inbox WHERE done_at IS NULL") == 0
        assert len(team.ephemerals_for("UBEN")) == (0 if mode == "http" else 1)  # no stats after "busy"


async def test_an_answer_while_another_process_holds_the_database_is_answered_500_in_time_and_kept_once(
    tmp_path: Path,
) -> None:
    async with slack_team(tmp_path, "http") as team:
        question = await a_question(team)
        ts, body = answer_event(team, question, "UBEN", "I would pickle the model and version the artifact.")
        holder = held_by_another_process(tmp_path)
        try:
            status = await post_event(team, body)
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        assert status == 500 and team.slack.violations == []  # Slack delivers it again
        await eventually(lambda: team.slack.reactions(team.channel, ts) == [("white_check_mark", "UBOT")])
        assert await post_event(team, body, retry_num=1) == 200  # the redelivery finds it stored
        await team.settled()
        assert count(tmp_path, "SELECT count(*) FROM answer_parts") == 1
        assert len(team.slack.calls_to("reactions.add")) == 1
        assert team.slack.violations == []


async def test_an_answer_slack_delivers_again_is_reacted_to_once(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        question = await a_question(team)
        ts, body = answer_event(team, question, "UBEN", "I would pickle the model and version the artifact.")

        assert await team.deliver_event(body) == 200
        assert await team.deliver_event(body, retry_num=1) == 200
        assert await team.deliver_event(body, retry_num=2) == 200

        assert [call.args["timestamp"] for call in team.slack.calls_to("reactions.add")] == [ts]
        assert team.slack.violations == []


async def test_answers_with_nul_and_lone_surrogates_are_kept_cleaned_with_the_answers_that_came_with_them(
    tmp_path: Path,
) -> None:
    async with slack_team(tmp_path, "http") as team:
        question = await a_question(team)
        bad = [answer_event(team, question, "UBEN", "canary\u0000 releases"),
               answer_event(team, question, "UCAT", "quantization \ud800 first")]
        good = answer_event(team, question, "UDAN", "a rollback plan")

        statuses = await asyncio.gather(*(post_event(team, body) for _, body in [*bad, good]))
        await team.settled()

        assert statuses == [200, 200, 200]
        with sqlite3.connect(tmp_path / "slack.db") as db:
            texts = sorted(row[0] for row in db.execute("SELECT text FROM answer_parts"))
        assert texts == ["a rollback plan", "canary releases", "quantization \ufffd first"]
        for ts, _ in [*bad, good]:
            assert team.slack.reactions(team.channel, ts) == [("white_check_mark", "UBOT")]
        assert team.slack.violations == []
        assert all("\u0000" not in block_text(m) for m in team.slack.top_level(team.channel))
