"""Two Slack workspaces stay apart.

prepbot installed in two workspaces through its own OAuth pages: each workspace's members, answers, boards and
Web API calls stay in that workspace.

Acme (T1: ada the admin, ben) and Globex (T2: zoe the admin, yan) each install prepbot from /slack/install.
Times are Europe/Berlin; 2026-11-30 is a Monday.
"""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bot.clock import FakeClock
from bot.domain.model import ChannelAddress
from entrypoints.serve import Running, running
from tests.adapters import slack_payloads as payloads
from tests.adapters.slack_team import SlackTeam, berlin, block_text, slack_settings
from tests.fakes.slack import FakeSlack, Message

SUBSCRIBE = "subscribe 09:30 Europe/Berlin mon-fri 17:00"
OWNER = {"C1": "T1", "C2": "T2", "UADA": "T1", "UBEN": "T1", "UZOE": "T2", "UYAN": "T2"}


@dataclass
class TwoWorkspaces:
    slack: FakeSlack
    live: Running
    clock: FakeClock
    db: Path
    acme: SlackTeam
    globex: SlackTeam


async def install_from_the_install_page(http_url: str, code: str) -> None:
    """What an admin's browser does: open /slack/install, go to Slack with its link, come back with a code."""
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[http_url])  # the state cookie is Secure
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        async with browser.get(f"{http_url}/slack/install", allow_redirects=False) as page:
            assert page.status == 200
            text = await page.text()
        link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', text)
        assert link is not None, text
        query = parse_qs(urlsplit(html.unescape(link.group(1))).query)
        assert query["client_id"] == ["cid"]
        assert {"chat:write", "commands", "reactions:write", "channels:history"} <= set(query["scope"][0].split(","))
        async with browser.get(f"{http_url}/slack/oauth_redirect",
                               params={"code": code, "state": query["state"][0]}, allow_redirects=False) as back:
            assert back.status == 200, await back.text()
            assert "Thank you!" in await back.text()


@asynccontextmanager
async def two_workspaces(tmp_path: Path) -> AsyncIterator[TwoWorkspaces]:
    clock = FakeClock(berlin(2026, 11, 30, 8, 0))
    async with FakeSlack(now=lambda: clock.now().timestamp()) as slack:
        for team_id, name, bot, channel, people in (
            ("T1", "Acme", "UBOT1", "C1", (("UADA", "ada", True), ("UBEN", "ben", False))),
            ("T2", "Globex", "UBOT2", "C2", (("UZOE", "zoe", True), ("UYAN", "yan", False))),
        ):
            slack.add_workspace(team_id, name=name, bot_user_id=bot, installed=False)
            for user, person, admin in people:
                slack.add_user(team_id, user, person, is_admin=admin)
            slack.add_channel(team_id, channel, "general")
        slack.add_oauth_code("acme-code", "T1", installer_user_id="UADA")
        slack.add_oauth_code("globex-code", "T2", installer_user_id="UZOE")
        db = tmp_path / "slack.db"
        settings = slack_settings(slack, db, "T1", "http", slack_bot_token=None, slack_client_id="cid",
                                  slack_client_secret="csecret")
        async with running(settings, clock, tick=False) as live:
            await install_from_the_install_page(live.http_url, "acme-code")
            await install_from_the_install_page(live.http_url, "globex-code")
            yield TwoWorkspaces(slack, live, clock, db,
                                SlackTeam(slack, live, clock, "T1", "C1", "http", bot_user="UBOT1"),
                                SlackTeam(slack, live, clock, "T2", "C2", "http", bot_user="UBOT2"))


async def subscribed(team: SlackTeam, admin: str) -> None:
    await team.command_and_wait(admin, SUBSCRIBE, lambda: len(team.slack.top_level(team.channel)) == 1)


def last_post(team: SlackTeam) -> str:
    return block_text(team.slack.top_level(team.channel)[-1])


def reveal_in(team: SlackTeam, question: Message) -> str:
    reveals = [t for t in team.thread_texts(question.ts) if t.startswith("Hint and feedback")]
    assert len(reveals) == 1
    return reveals[0]


async def answers_in(team: SlackTeam) -> int:
    found = await team.live.bot.thread_of(ChannelAddress("slack", team.team_id, team.channel))
    assert found is not None
    async with team.live.bot.store.unit_of_work() as uow:
        return await uow.answers.count_for_round(found[0])


def calls_in_the_wrong_workspace(slack: FakeSlack) -> list[str]:
    """Calls made with no known token, or naming a channel or user of the other workspace than the token's."""
    wrong = []
    for call in slack.calls:
        if call.method in {"oauth.v2.access", "api.test"}:
            continue  # with the app's client id and secret; api.test (the readiness check) needs no token at all
        named = [OWNER[str(v)] for k, v in call.args.items() if k in {"channel", "user"} and str(v) in OWNER]
        if call.team_id is None or any(team != call.team_id for team in named):
            wrong.append(f"{call.method} {call.args.get('channel') or call.args.get('user')} as {call.team_id}")
    return wrong


async def test_both_installations_come_from_the_oauth_pages_and_live_in_our_database(tmp_path: Path) -> None:
    async with two_workspaces(tmp_path) as both:
        with sqlite3.connect(both.db) as db:
            rows = db.execute(
                "SELECT platform, workspace, bot_user_ref, bot_token, data FROM installations ORDER BY workspace"
            ).fetchall()
        assert [row[:4] for row in rows] == [("slack", "T1", "UBOT1", "xoxb-T1"), ("slack", "T2", "UBOT2", "xoxb-T2")]
        assert all("xoxb" not in row[4] for row in rows)  # the token is kept in its column only
        with sqlite3.connect(both.db) as db:
            assert db.execute("SELECT count(*) FROM oauth_states").fetchone()[0] == 0  # each state used up
        assert [c.method for c in both.slack.calls_to("oauth.v2.access")] == ["oauth.v2.access"] * 2
        assert both.slack.violations == []


async def test_each_workspace_plays_its_own_round_and_sees_only_its_own_members(tmp_path: Path) -> None:
    async with two_workspaces(tmp_path) as both:
        acme, globex = both.acme, both.globex
        await subscribed(acme, "UADA")
        await subscribed(globex, "UZOE")
        await acme.until(berlin(2026, 11, 30, 9, 31))
        [acme_question], [globex_question] = acme.questions(), globex.questions()

        ada = await acme.reply("UADA", acme_question.ts, "I would pickle the model and version it.")
        ben = await acme.reply("UBEN", acme_question.ts, "Save the weights and the preprocessing together.")
        yan = await globex.reply("UYAN", globex_question.ts, "Serialize it so another process can load it.")

        for team, ts in ((acme, ada), (acme, ben), (globex, yan)):
            assert both.slack.reactions(team.channel, ts) == [("white_check_mark", team.bot_user)]
        assert await answers_in(acme) == 2 and await answers_in(globex) == 1
        await acme.until(berlin(2026, 11, 30, 17, 1))
        acme_reveal, globex_reveal = reveal_in(acme, acme_question), reveal_in(globex, globex_question)
        assert "*ada* (on time)" in acme_reveal and "*ben* (on time)" in acme_reveal
        assert "*yan* (on time)" in globex_reveal
        assert "yan" not in acme_reveal and "ada" not in globex_reveal and "ben" not in globex_reveal

        await acme.until(berlin(2026, 11, 30, 17, 30))
        await globex.command_and_wait("UZOE", "leaderboard all",
                                      lambda: "Leaderboard" in last_post(globex))
        await acme.command_and_wait("UADA", "leaderboard all", lambda: "Leaderboard" in last_post(acme))
        globex_board, acme_board = last_post(globex), last_post(acme)
        assert "*yan*" in globex_board
        assert not any(name in globex_board for name in ("ada", "ben"))
        assert "*ada*" in acme_board and "*ben*" in acme_board
        assert not any(name in acme_board for name in ("yan", "zoe"))

        assert {c.team_id for c in both.slack.calls_to("chat.postMessage")} == {"T1", "T2"}
        assert calls_in_the_wrong_workspace(both.slack) == []
        assert both.slack.violations == []


async def test_an_event_from_one_workspace_naming_anothers_channel_changes_nothing_there(tmp_path: Path) -> None:
    async with two_workspaces(tmp_path) as both:
        acme, globex = both.acme, both.globex
        await subscribed(acme, "UADA")
        await acme.until(berlin(2026, 11, 30, 9, 31))
        [question] = acme.questions()
        ben = await acme.reply("UBEN", question.ts, "Pickle it.")
        acme_calls = len(both.slack.calls)

        # Globex's delivery names Acme's channel, thread and messages: a reply, and a vote on ben's answer.
        smuggled = both.slack.add_user_message("C1", "UYAN", "an answer from elsewhere", thread_ts=question.ts)
        reply = payloads.thread_reply("T2", "UBOT2", "C1", "UYAN", "an answer from elsewhere", smuggled.ts,
                                      question.ts)
        vote = payloads.reaction("T2", "UBOT2", "C1", "UYAN", ben, "UBEN", "+1", globex.ts())
        assert await globex.deliver_event(reply) == 200
        assert await globex.deliver_event(vote) == 200

        assert await answers_in(acme) == 1
        assert both.slack.reactions("C1", smuggled.ts) == []
        with sqlite3.connect(both.db) as db:
            assert db.execute("SELECT count(*) FROM votes").fetchone()[0] == 0
            assert db.execute("SELECT count(*) FROM members WHERE workspace = 'T2'").fetchone()[0] == 0
            assert db.execute("SELECT workspace, channel_ref FROM channels").fetchall() == [("T1", "C1")]
        assert all(c.args.get("channel") != "C1" for c in both.slack.calls[acme_calls:])
        await acme.until(berlin(2026, 11, 30, 17, 1))
        assert "1 answer:" in reveal_in(acme, question) and "yan" not in reveal_in(acme, question)
        assert calls_in_the_wrong_workspace(both.slack) == []
        assert both.slack.violations == []
