"""Slack requests are verified, and each answer counts once.

Only Slack's signed requests are heard, each answer counts once however often Slack delivers it, Slack hears back
only after the answer is safe, slash commands are acknowledged at once, and only admins change a channel's schedule.

Times are Europe/Berlin; 2026-11-30 is a Monday. The channel subscribes at 08:00; the question is posted at 09:30
and revealed at 17:00.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlencode

from adapters.slack.events import answer_command
from bot.domain.model import ChannelAddress
from bot.wording import answer_cut_words
from tests.adapters import slack_payloads as payloads
from tests.adapters.slack_team import SlackTeam, berlin, eventually, slack_team
from tests.fakes.slack import Message
from tests.services.team import hand_in

SUBSCRIBE = "subscribe 09:30 Europe/Berlin mon-fri 17:00"
ANSWER = "I would pickle the model with its preprocessing and version the artifact."


def database(tmp_path: Path) -> Path:
    return tmp_path / "slack.db"


def count(tmp_path: Path, table: str) -> int:
    with sqlite3.connect(database(tmp_path)) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def general(team: SlackTeam) -> ChannelAddress:
    return ChannelAddress("slack", team.team_id, team.channel)


async def subscribed_with_a_question(team: SlackTeam) -> Message:
    """ada has #general answer in threads and subscribes it at 08:00; returns the question posted at 09:30."""
    await team.command_and_wait("UADA", "config answers thread", lambda: len(team.slack.top_level(team.channel)) == 1)
    await team.command_and_wait("UADA", SUBSCRIBE, lambda: len(team.slack.top_level(team.channel)) == 2)
    await team.until(berlin(2026, 11, 30, 9, 31))
    questions = team.questions()
    assert len(questions) == 1
    return questions[0]


async def answers_to(team: SlackTeam, question: Message) -> int:
    found = await team.live.bot.thread_of(general(team))
    assert found is not None and found[1] == question.ts
    async with team.live.bot.store.unit_of_work() as uow:
        return await uow.answers.count_for_round(found[0])


def ben_replies(team: SlackTeam, question: Message) -> tuple[str, dict[str, object]]:
    """ben replies in the question's thread; returns the reply's ts and the event Slack delivers for it."""
    message = team.slack.add_user_message(team.channel, "UBEN", ANSWER, thread_ts=question.ts)
    body = payloads.thread_reply(team.team_id, team.bot_user, team.channel, "UBEN", ANSWER, message.ts, question.ts)
    return message.ts, body


def the_reveal(team: SlackTeam, question: Message) -> str:
    reveals = [t for t in team.thread_texts(question.ts) if t.startswith("Hint and feedback")]
    assert len(reveals) == 1
    return reveals[0]


async def delivered_twice_counts_once(team: SlackTeam) -> None:
    question = await subscribed_with_a_question(team)
    ts, body = ben_replies(team, question)

    assert await team.deliver_event(body) == 200
    assert await team.deliver_event(body, retry_num=1) == 200  # Slack did not hear back in time and retries

    assert await answers_to(team, question) == 1
    assert team.slack.reactions(team.channel, ts) == [("white_check_mark", "UBOT")]
    await team.until(berlin(2026, 11, 30, 17, 1))
    reveal = the_reveal(team, question)
    assert reveal.count("*ben* (on time)") == 1
    assert reveal.count("participation (answered on time)") == 1
    assert "1 answer: 1 on time, 0 late" in reveal
    found = await team.live.bot.thread_of(general(team))
    assert found is not None
    async with team.live.bot.store.unit_of_work() as uow:
        awarded = await uow.points.for_round(found[0])
    assert [[a.reason for a in awards].count("participation") for awards in awarded.values()] == [1]
    assert team.slack.violations == []


async def test_a_reply_slack_delivers_again_over_http_is_stored_and_counted_once(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        await delivered_twice_counts_once(team)


async def test_a_reply_slack_delivers_again_over_socket_mode_is_stored_and_counted_once(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "socket") as team:
        await delivered_twice_counts_once(team)
        assert len(team.slack.socket_acks) >= 3  # the command and both deliveries were acknowledged


async def test_a_reply_signed_with_the_wrong_secret_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        question = await subscribed_with_a_question(team)
        ts, body = ben_replies(team, question)

        status, _ = await team.slack.send_signed(f"{team.live.http_url}/slack/events", json.dumps(body),
                                                 "application/json", secret="not-the-signing-secret")

        assert status == 401
        assert await answers_to(team, question) == 0
        assert count(tmp_path, "answer_parts") == 0 and count(tmp_path, "members") == 1  # only ada, who subscribed
        assert team.slack.reactions(team.channel, ts) == []
        assert team.slack.calls_to("reactions.add") == []
        assert team.slack.violations == []


async def test_a_correctly_signed_reply_six_minutes_old_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        question = await subscribed_with_a_question(team)
        ts, body = ben_replies(team, question)

        status, _ = await team.slack.send_signed(f"{team.live.http_url}/slack/events", json.dumps(body),
                                                 "application/json", timestamp=int(time.time()) - 6 * 60)

        assert status == 401
        assert await answers_to(team, question) == 0
        assert team.slack.reactions(team.channel, ts) == []
        assert team.slack.calls_to("reactions.add") == []
        assert team.slack.violations == []


async def test_a_slash_command_with_a_forged_signature_is_refused_and_subscribes_nothing(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        response_url = team.slack.slash_command("T1", "C1", "UADA", SUBSCRIBE)["response_url"]
        body = payloads.slash_command("T1", "C1", "general", "UADA", "ada", SUBSCRIBE, response_url)

        status, _ = await team.slack.send_signed(f"{team.live.http_url}/slack/events", urlencode(body),
                                                 "application/x-www-form-urlencoded", secret="forged")

        assert status == 401
        assert await team.live.bot.find_channel(general(team)) is None
        assert count(tmp_path, "channels") == 0 and count(tmp_path, "tasks") == 0
        await team.until(berlin(2026, 11, 30, 9, 31))
        assert team.slack.top_level("C1") == [] and team.slack.ephemerals == []
        assert team.slack.calls_to("chat.postMessage") == []


async def test_slack_hears_back_about_a_reply_only_once_the_answer_is_stored(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        question = await subscribed_with_a_question(team)
        ts, body = ben_replies(team, question)

        status, _ = await team.slack.send_signed(f"{team.live.http_url}/slack/events", json.dumps(body),
                                                 "application/json")

        # No waiting: when Slack has its 200, the answer is already committed, read from a fresh connection.
        with sqlite3.connect(database(tmp_path)) as db:
            stored = db.execute("SELECT message_ref, text, on_time FROM answer_parts").fetchall()
        assert status == 200
        assert stored == [(ts, ANSWER, 1)]
        assert team.slack.violations == []


async def test_a_slash_command_is_acknowledged_before_its_work_is_done(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        started = time.monotonic()
        status = await team.command("UBEN", "beginner", settle=False)
        elapsed = time.monotonic() - started

        assert status == 200
        assert elapsed < 3.0  # Slack shows the member an error when the ack takes longer
        assert team.questions() == []  # the practice question is posted after the ack, not before
        await eventually(lambda: len(team.questions()) == 1)
        practice = team.questions()[0]
        assert practice.blocks is not None and "Practice question for ben" in practice.blocks[0]["text"]["text"]
        assert team.slack.violations == []


async def test_a_member_who_is_not_an_admin_cannot_subscribe_and_nothing_changes(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        await team.command_and_wait("UBEN", SUBSCRIBE, lambda: bool(team.ephemerals_for("UBEN")))

        assert team.ephemerals_for("UBEN") == [
            ":warning: Only this channel's admins can change its schedule; nothing was changed."
        ]
        assert team.slack.top_level("C1") == []
        assert count(tmp_path, "tasks") == 0
        await team.command_and_wait("UADA", "config", lambda: bool(team.ephemerals_for("UADA")))
        assert team.ephemerals_for("UADA")[0].startswith("This channel is not subscribed")
        assert count(tmp_path, "tasks") == 0
        await team.until(berlin(2026, 11, 30, 9, 31))
        assert team.questions() == []
        assert team.slack.violations == []


async def test_members_of_the_admin_user_group_and_listed_admins_may_subscribe(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http", slack_admin_usergroup="S0PREPADMIN",
                          slack_admin_users="UDAN, UEVE") as team:
        team.slack.add_usergroup("T1", "S0PREPADMIN", ["UCAT"])
        team.slack.add_channel("T1", "C2", "random")
        posts = team.slack.top_level

        await team.command_and_wait("UBEN", SUBSCRIBE, lambda: bool(team.ephemerals_for("UBEN")))
        assert "Only this channel's admins" in team.ephemerals_for("UBEN")[0]
        await team.command_and_wait("UCAT", SUBSCRIBE, lambda: len(posts("C1")) == 1)
        assert posts("C1")[0].text.startswith("cat subscribed this channel")
        assert await team.command("UDAN", SUBSCRIBE, channel="C2") == 200
        assert await team.command("UDAN", "pause", channel="C2") == 200
        await eventually(lambda: len(posts("C2")) == 2)
        assert posts("C2")[0].text.startswith("dan subscribed this channel")
        assert posts("C2")[1].text.startswith("dan paused the daily question")
        assert team.ephemerals_for("UCAT") == [] and team.ephemerals_for("UDAN") == []

        channel = await team.live.bot.find_channel(general(team))
        assert channel is not None and channel.subscribed and channel.subscribed_by == "UCAT"
        assert team.slack.violations == []


async def test_a_retry_stored_in_the_same_write_as_the_first_delivery_tells_the_member_once(tmp_path: Path) -> None:
    """Slack retries when the first delivery is still being stored, so both can land in one write. The listener
    turns each into the same answer command; here the two are handed to the core at once, as the listener does, to
    make the timing certain."""
    async with slack_team(tmp_path, "http", answer_max_chars=20) as team:
        question = await subscribed_with_a_question(team)
        long_answer = "Pickle the model, version the artifact, and test that it loads in a fresh process."
        message = team.slack.add_user_message(team.channel, "UBEN", long_answer, thread_ts=question.ts)
        body = payloads.thread_reply("T1", "UBOT", "C1", "UBEN", long_answer, message.ts, question.ts)
        command = answer_command(body, "ben", "UBOT", team.clock.now())
        assert command is not None

        await asyncio.gather(hand_in(team.live.bot, command), hand_in(team.live.bot, command))

        assert await answers_to(team, question) == 1
        assert team.slack.reactions(team.channel, message.ts) == [("white_check_mark", "UBOT")]
        assert team.ephemerals_for("UBEN") == [answer_cut_words(20)]
        assert team.slack.violations == []


async def test_slacks_request_url_check_is_answered_with_its_challenge(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "http") as team:
        challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
        body = json.dumps({"token": "fake-verification-token", "challenge": challenge, "type": "url_verification"})

        status, text = await team.slack.send_signed(f"{team.live.http_url}/slack/events", body, "application/json")
        forged, _ = await team.slack.send_signed(f"{team.live.http_url}/slack/events", body, "application/json",
                                                 secret="forged")

        assert status == 200 and challenge in text
        assert forged == 401
