"""Discord when things are not as they should be.

No message content intent, a member without Manage Server, rate limits, a channel the bot lost, two servers at once, and
a process running two shards.

Times are Europe/Berlin; 2026-11-30 is a Monday.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.chat import THREAD_RETRY_DELAYS
from bot.domain.model import Speaker, TaskKind, form_answer_ref, private_answer_ref
from bot.messages import RunCommand
from tests.adapters.discord_team import DiscordTeam, behavioral_hints, berlin, discord_team, eventually, \
    first_title, populate
from tests.fakes.discord import P_CREATE_PUBLIC_THREADS, FakeDiscord, Msg
from tests.fakes.timers import FakeTimers
from tests.services.team import run_prep

SUBSCRIBE = {"time": "09:30", "timezone": "Europe/Berlin", "days": "mon-fri", "deadline": "17:00",
             "levels": "behavioral"}
MESSAGES = "/channels/{channel_id}/messages"
I_MESSAGE_CONTENT = 1 << 15


async def subscribe(team: DiscordTeam, user: str = "ada", *, guild: str | None = None,
                    channel: str | None = None) -> None:
    channel = channel or team.channel
    before = len(team.bot_posts(channel))
    await team.command_and_wait(user, "prep-admin", "subscribe", SUBSCRIBE, guild=guild or team.guild,
                                channel=channel)
    await eventually(lambda: len(team.bot_posts(channel)) == before + 1, what="the announcement")


def posts_to(team: DiscordTeam, channel: str) -> list[int]:
    """The HTTP status of every message prepbot tried to post in `channel`."""
    return [c.status for c in team.fake.calls_to("POST", MESSAGES) if c.path == f"/channels/{channel}/messages"]


def reveal_titles(team: DiscordTeam, question: Msg) -> list[str]:
    return [str(e.get("title")) for m in team.thread_messages(question.id) if m.author_id == team.bot_user
            for e in m.embeds if e.get("title")]


def delivered(fake: FakeDiscord, event: str, message: Msg) -> list[dict[str, Any]]:
    """The payloads of gateway `event` for `message` that the fake dispatched."""
    return [d.data for d in fake.events if d.event == event and d.data.get("id") == message.id]


# ---- without the message content intent ----

NO_CONTENT: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # the operator switched the intent off: prepbot does not ask for it
    "not-requested": ({"message_content": False}, {"discord_message_content": False}),
    # prepbot asks, Discord refuses at IDENTIFY (close 4014): prepbot reconnects without it
    "refused-at-identify": ({"message_content": False, "close_on_disallowed_intents": True}, {}),
    # prepbot asks, the application lacks it and Discord blanks the content (READY's application flags say so)
    "not-granted": ({"message_content": False}, {}),
}


@pytest.mark.parametrize("answers", ["private", "thread"])
@pytest.mark.parametrize("case", sorted(NO_CONTENT))
async def test_without_message_content_thread_replies_store_nothing_and_the_form_still_counts(
    tmp_path: Path, case: str, answers: str, caplog: pytest.LogCaptureFixture
) -> None:
    team_options, settings = NO_CONTENT[case]
    caplog.set_level(logging.ERROR, logger="prepbot.discord")
    async with discord_team(tmp_path, **team_options, **settings) as team:
        fake = team.fake
        assert team.live.discord.intent_granted is False
        assert fake.message_content_requested is False or case == "not-granted"
        if case != "not-requested":
            errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
            assert any("MESSAGE_CONTENT" in e for e in errors), errors
        if case == "refused-at-identify":
            assert [bool(i["intents"] & I_MESSAGE_CONTENT) for i in fake.identified] == [True, False]

        await team.command_and_wait("ada", "prep-admin", "config", {"setting": "answers", "value": answers})
        await subscribe(team)
        await team.until(berlin(2026, 11, 30, 9, 30))
        [question] = team.questions()
        assert question.components, "without message content the Answer button is the way to answer"

        ben = await team.reply("ben", question.id, behavioral_hints())
        form = await team.answer_with_form("eve", question, behavioral_hints())
        await eventually(lambda: bool(team.followups(form)), what="the form's follow-up")

        assert [d["content"] for d in delivered(fake, "MESSAGE_CREATE", ben)] == [""]
        assert "saved" in team.replies(form)[0]
        parts = await team.parts(question)
        stored_as = private_answer_ref(team.user("eve")) if answers == "private" else form_answer_ref(str(form))
        assert [p.message_ref for p in parts] == [stored_as]
        assert not any(user == team.bot_user for _, user in team.reactions(ben))

        await team.until(berlin(2026, 11, 30, 17, 0))
        await eventually(lambda: bool(reveal_titles(team, question)), what="the reveal")
        titles = reveal_titles(team, question)
        assert any(t.startswith("eve (on time): covered") for t in titles), titles
        assert not any(t.startswith("ben (") for t in titles), titles
        tally = team.thread_messages(question.id)[-1].embeds[-1]["description"]
        assert tally.startswith("1 answer: 1 on time, 0 late")
        assert fake.violations == []


# ---- who may change the schedule ----


async def test_a_member_without_manage_server_cannot_subscribe(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        # Discord does not offer /prep-admin to ben: its default permissions ask for Manage Server.
        with pytest.raises(PermissionError):
            await team.command("ben", "prep-admin", "subscribe", SUBSCRIBE)
        assert team.fake.interactions == {}

        # Server admins can override command permissions; the core asks Discord about ben again.
        reply = await run_prep(team.live.bot, RunCommand(
            team.address(), Speaker("202", "ben"), "subscribe 09:30 Europe/Berlin", "general"))
        assert [getattr(card, "text", "") for card in reply.cards] == [
            "Only this channel's admins can change its schedule; nothing was changed."]
        channel = await team.live.bot.find_channel(team.address())
        assert channel is None or not channel.subscribed
        if channel is not None:
            async with team.live.bot.store.unit_of_work() as uow:
                assert await uow.tasks.pending(channel.id, TaskKind.POST_DAILY) == []
        assert team.bot_posts() == []

        # ada has Manage Server: the same path lets her through
        reply = await run_prep(team.live.bot, RunCommand(
            team.address(), Speaker("201", "ada"), "subscribe 09:30 Europe/Berlin", "general"))
        assert reply.cards == ()
        channel = await team.live.bot.find_channel(team.address())
        assert channel is not None and channel.subscribed
        await team.until(berlin(2026, 11, 30, 9, 31))
        assert len(team.questions()) == 1
        assert team.fake.violations == []


# ---- rate limits ----


async def test_a_rate_limited_question_is_posted_exactly_once(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        await subscribe(team)
        assert posts_to(team, "301") == [200]
        team.fake.rate_limit("POST", "/channels/301/messages", 2, retry_after=0)

        await team.until(berlin(2026, 11, 30, 9, 31))

        assert len(team.questions()) == 1
        assert posts_to(team, "301") == [200, 429, 429, 200]
        assert len(team.fake.calls_to("POST", "/channels/{channel_id}/messages/{message_id}/threads")) == 1
        await team.until(berlin(2026, 11, 30, 12, 0))
        assert len(team.questions()) == 1
        assert team.fake.violations == []


async def test_a_rate_limited_reaction_still_ends_with_one_check_mark(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        await subscribe(team)
        await team.until(berlin(2026, 11, 30, 9, 31))
        [question] = team.questions()
        team.fake.rate_limit("PUT", f"/channels/{question.id}/messages/", 1, retry_after=0)

        reply = await team.reply("ben", question.id, "Pickle the model and version it.")
        await eventually(lambda: team.acked(reply), what="ben's ✅")

        reacts = team.fake.calls_to("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me")
        assert [c.status for c in reacts] == [429, 204]
        assert team.reactions(reply) == [("✅", team.bot_user)]
        assert team.fake.violations == []


FAN_OUT = [str(302 + i) for i in range(64)]


def many_channels(fake: FakeDiscord) -> None:
    for channel in FAN_OUT:
        fake.add_channel("111", channel, f"team-{channel}")


async def test_a_fan_out_to_sixty_four_channels_stays_under_the_global_rate_limit(tmp_path: Path) -> None:
    async with discord_team(tmp_path, scene=many_channels) as team:
        for channel in FAN_OUT:  # through the core: the commands' own traffic is not what this is about
            await run_prep(team.live.bot, RunCommand(team.address(channel), Speaker("201", "ada"),
                                                     "subscribe 09:30 Europe/Berlin mon-fri", "team"))
        assert team.fake.global_429s() == []

        await team.until(berlin(2026, 11, 30, 9, 31))

        for channel in FAN_OUT:
            [question] = team.questions(channel)
            assert question.thread_id == question.id, f"no thread under the question in {channel}"
        assert len(team.fake.calls_to("POST", "/channels/{channel_id}/messages/{message_id}/threads")) == 64
        assert team.fake.global_429s() == []
        assert team.fake.violations == []


# ---- votes taken back ----


async def test_a_vote_taken_back_no_longer_counts_and_keeps_the_voters_name(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        await subscribe(team)
        await team.until(berlin(2026, 11, 30, 9, 30))
        [question] = team.questions()
        ben = await team.reply("ben", question.id, behavioral_hints())
        eve = await team.reply("eve", question.id, behavioral_hints())
        await eventually(lambda: team.acked(ben) and team.acked(eve), what="both ✅")

        await team.react("ben", eve)

        async def votes(count: int) -> bool:
            return sum((await team.voters(question)).values()) == count

        await eventually(lambda: votes(1), what="ben's vote")
        # Discord's MESSAGE_REACTION_REMOVE carries no member, only the user id
        await team.react("ben", eve, remove=True)
        await eventually(lambda: votes(0), what="ben's vote taken back")

        await team.until(berlin(2026, 11, 30, 17, 0))
        titles = reveal_titles(team, question)
        assert sorted(t.split(" (")[0] for t in titles if " (on time)" in t) == ["ben", "eve"], titles
        assert not any("votes" in text for text in team.bot_thread_texts(question.id))
        assert team.fake.violations == []


# ---- commands in a question's thread ----


async def test_commands_run_in_a_questions_thread_are_about_its_channel(tmp_path: Path) -> None:
    # Discord offers slash commands inside threads; members naturally ask for their stats right under the reveal.
    async with discord_team(tmp_path) as team:
        await subscribe(team)
        await team.until(berlin(2026, 11, 30, 9, 30))
        [question] = team.questions()
        eve = await team.reply("eve", question.id, behavioral_hints())
        await eventually(lambda: team.acked(eve), what="eve's ✅")
        await team.until(berlin(2026, 11, 30, 17, 0))

        in_channel = await team.command_and_wait("eve", "prep", "stats")
        in_thread = await team.command_and_wait("eve", "prep", "stats", channel=question.id)

        [stats] = team.replies(in_channel)
        assert stats.startswith("Stats for eve") and "**0 points**" not in stats, stats
        assert team.replies(in_thread) == [stats]
        async with team.live.bot.store.unit_of_work() as uow:
            known = [c.address.channel for c in await uow.channels.all()]
        assert known == [team.channel], f"a thread became a channel of its own: {known}"
        assert team.fake.violations == []


# ---- a channel the bot lost ----

LOSE = {"revoked": FakeDiscord.revoke_bot_permissions, "deleted": FakeDiscord.delete_channel}


@pytest.mark.parametrize("how", sorted(LOSE))
async def test_a_lost_channel_stops_its_schedule_and_tells_who_subscribed(tmp_path: Path, how: str) -> None:
    async with discord_team(tmp_path) as team:
        await subscribe(team)
        LOSE[how](team.fake, "301")

        await team.until(berlin(2026, 11, 30, 9, 31))

        refused = 403 if how == "revoked" else 404
        assert posts_to(team, "301") == [200, refused]  # the announcement, then the question Discord refused
        dms = team.dms("ada")
        assert len(dms) == 1, dms
        assert "I can no longer post in #general" in dms[0] and "daily question is stopped" in dms[0]
        channel = await team.live.bot.find_channel(team.address())
        assert channel is not None and not channel.subscribed
        async with team.live.bot.store.unit_of_work() as uow:
            assert await uow.tasks.pending(channel.id, TaskKind.POST_DAILY) == []
            assert await uow.tasks.pending(channel.id, TaskKind.WEEKLY_BOARD) == []

        await team.until(berlin(2026, 12, 8, 10, 0))  # a week and a day later: no attempt, no second message
        assert posts_to(team, "301") == [200, refused]
        assert len(team.dms("ada")) == 1
        assert team.questions() == []
        assert team.fake.violations == []


async def test_the_lost_channel_message_names_no_command_that_discord_does_not_have(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        await subscribe(team)
        team.fake.revoke_bot_permissions("301")
        await team.until(berlin(2026, 11, 30, 9, 31))
        [dm] = team.dms("ada")
        # On Discord the schedule commands live under /prep-admin; there is no `/prep subscribe` to run.
        assert "/prep subscribe" not in dm and "subscribe the channel again" in dm, dm


# ---- one question's thread or message deleted ----

THREADS = "/channels/{channel_id}/messages/{message_id}/threads"
EDIT = "/channels/{channel_id}/messages/{message_id}"


async def answered_round(team: DiscordTeam) -> tuple[Msg, Msg]:
    await subscribe(team)
    await team.until(berlin(2026, 11, 30, 9, 30))
    [question] = team.questions()
    ben = await team.reply("ben", question.id, behavioral_hints())
    await eventually(lambda: team.acked(ben), what="ben's ✅")
    return question, ben


async def still_subscribed(team: DiscordTeam) -> bool:
    channel = await team.live.bot.find_channel(team.address())
    return channel is not None and channel.subscribed


def edits_of(team: DiscordTeam, message: Msg) -> int:
    return sum(1 for c in team.fake.calls_to("PATCH", EDIT) if c.path.endswith(f"/{message.id}"))


async def test_a_deleted_thread_leaves_the_channel_subscribed_and_its_reveal_comes_in_the_channel(
    tmp_path: Path
) -> None:
    async with discord_team(tmp_path) as team:
        question, _ = await answered_round(team)
        team.fake.delete_channel(question.id)  # a moderator deletes the question's thread

        await team.until(berlin(2026, 11, 30, 17, 5))

        [reveal] = [m for m in team.bot_posts() if "Hint and feedback" in first_title(m.embeds)]
        assert reveal.content.startswith("The thread of the question ") and "was deleted" in reveal.content
        assert any(str(e.get("title", "")).startswith("ben (on time)") for e in reveal.embeds)
        assert first_title(team.questions()[0].embeds).startswith("Closed:")
        assert team.dms("ada") == []
        assert await still_subscribed(team)

        await team.until(berlin(2026, 12, 1, 9, 31))
        assert len(team.questions()) == 2
        assert team.fake.violations == []


async def test_a_deleted_question_gets_its_reveal_in_its_thread_once_and_is_not_retried(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        question, _ = await answered_round(team)
        await team.fake.moderator_delete(team.channel, question.id)  # the thread stays, as on Discord

        await team.until(berlin(2026, 11, 30, 17, 0))
        await team.until(berlin(2026, 11, 30, 17, 30))

        reveals = [t for t in team.bot_thread_texts(question.id) if t.startswith("Hint and feedback")]
        assert len(reveals) == 1 and "ben (on time)" in "\n".join(team.bot_thread_texts(question.id))
        assert edits_of(team, question) == 1  # tried once, Discord said the message is unknown: done
        assert await still_subscribed(team) and team.dms("ada") == []
        assert team.fake.violations == []


async def test_a_deleted_question_and_thread_get_the_reveal_in_the_channel_once(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        question, _ = await answered_round(team)
        await team.fake.moderator_delete(team.channel, question.id)
        team.fake.delete_channel(question.id)

        await team.until(berlin(2026, 11, 30, 17, 30))

        reveals = [m for m in team.bot_posts() if "Hint and feedback" in first_title(m.embeds)]
        assert len(reveals) == 1 and "was deleted" in (reveals[0].content or "")
        assert edits_of(team, question) == 1
        assert await still_subscribed(team) and team.dms("ada") == []
        assert team.fake.violations == []


# ---- a thread that did not start ----


def without_threads(team: DiscordTeam) -> None:
    team.fake.deny_bot_permissions(team.channel, P_CREATE_PUBLIC_THREADS)


def thread_starts(team: DiscordTeam) -> list[int]:
    return [c.status for c in team.fake.calls_to("POST", THREADS)]


async def test_a_thread_that_did_not_start_is_started_on_a_later_try_and_the_question_is_not_posted_again(
    tmp_path: Path
) -> None:
    timers = FakeTimers()
    async with discord_team(tmp_path) as team:
        await subscribe(team)
        team.live.discord.chat.thread_retry_sleep = timers.sleep
        without_threads(team)

        await team.until(berlin(2026, 11, 30, 9, 30))
        team.fake.restore_bot_permissions(team.channel)  # the admin fixes the permission

        [question] = team.questions()
        await timers.settle()
        assert thread_starts(team) == [403] and timers.sleeping == [THREAD_RETRY_DELAYS[0]]
        await timers.advance(THREAD_RETRY_DELAYS[0])
        await eventually(lambda: question.id in team.fake.threads, what="the thread, on a later try")
        assert thread_starts(team) == [403, 201] and timers.sleeping == []
        assert len(team.questions()) == 1
        ben = await team.reply("ben", question.id, behavioral_hints())
        await eventually(lambda: team.acked(ben), what="ben's ✅ in the late thread")
        assert team.fake.violations == []


async def test_a_thread_that_did_not_start_is_started_after_a_restart(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        await subscribe(team)
        team.live.discord.chat.thread_retry_delays = ()
        without_threads(team)
        await team.until(berlin(2026, 11, 30, 9, 30))
        team.fake.restore_bot_permissions(team.channel)

        await team.restart()

        [question] = team.questions()
        await eventually(lambda: question.id in team.fake.threads, what="the thread, after the restart")
        assert team.fake.threads[question.id].name.startswith("Round ")
        assert thread_starts(team) == [403, 201] and len(team.questions()) == 1
        assert team.fake.violations == []


async def test_a_thread_that_never_started_is_started_for_the_reveal(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        await subscribe(team)
        team.live.discord.chat.thread_retry_delays = ()
        without_threads(team)
        await team.until(berlin(2026, 11, 30, 9, 30))
        [question] = team.questions()
        form = await team.answer_with_form("eve", question, behavioral_hints())
        await eventually(lambda: bool(team.followups(form)), what="the form's follow-up")
        team.fake.restore_bot_permissions(team.channel)

        await team.until(berlin(2026, 11, 30, 17, 0))

        assert thread_starts(team) == [403, 201]
        assert "eve (on time)" in "\n".join(team.bot_thread_texts(question.id))
        assert [m for m in team.bot_posts() if "Hint and feedback" in first_title(m.embeds)] == []
        assert await still_subscribed(team) and team.dms("ada") == []
        assert team.fake.violations == []


# ---- two servers ----


def second_guild(fake: FakeDiscord) -> None:
    populate(fake, "112", "401", {"zoe": ("211", True), "yan": ("212", False)}, guild_name="Beta")
    fake.add_member("112", "203", "cat")  # cat is in both servers


async def test_two_servers_keep_their_rounds_and_boards_apart(tmp_path: Path) -> None:
    async with discord_team(tmp_path, scene=second_guild, sync=["111", "112"]) as team:
        await subscribe(team)
        await subscribe(team, "zoe", guild="112", channel="401")
        await team.until(berlin(2026, 11, 30, 9, 30))
        [acme] = team.questions("301")
        [beta] = team.questions("401")
        assert acme.guild_id == "111" and beta.guild_id == "112"

        ben = await team.reply("ben", acme.id, behavioral_hints())
        yan = await team.reply("yan", beta.id, behavioral_hints())
        cat = await team.reply("cat", beta.id, "I listened first, then I asked for the numbers.")
        await eventually(lambda: all(team.acked(m) for m in (ben, yan, cat)), what="three ✅")
        await team.react("zoe", yan)  # a vote in Beta's thread
        beta_round = await team.round_of(beta)

        async def beta_vote() -> bool:
            return sum((await team.voters(beta)).values()) == 1

        await eventually(beta_vote, what="zoe's vote")

        acme_parts = await team.parts(acme)
        assert [p.message_ref for p in acme_parts] == [f"{acme.id}/{ben.id}"]
        assert {p.round_id for p in await team.parts(beta)} == {beta_round.id}
        assert await team.voters(acme) == {}

        await team.until(berlin(2026, 11, 30, 17, 0))
        acme_reveal, beta_reveal = reveal_titles(team, acme), reveal_titles(team, beta)
        assert [t.split(" (")[0] for t in acme_reveal if " (on time)" in t] == ["ben"]
        assert sorted(t.split(" (")[0] for t in beta_reveal if " (on time)" in t) == ["cat", "yan"]

        await team.command_and_wait("eve", "prep", "leaderboard", {"period": "all"})
        await team.command_and_wait("yan", "prep", "leaderboard", {"period": "all"}, guild="112", channel="401")
        await eventually(lambda: all("Leaderboard" in first_title(team.bot_posts(c)[-1].embeds)
                                     for c in ("301", "401")), what="both boards")
        acme_board = team.bot_posts("301")[-1].embeds[0]["description"]
        beta_board = team.bot_posts("401")[-1].embeds[0]["description"]
        assert "**ben**" in acme_board
        assert not any(f"**{name}**" in acme_board for name in ("yan", "zoe", "cat"))
        assert "**yan**" in beta_board and "**cat**" in beta_board
        assert not any(f"**{name}**" in beta_board for name in ("ben", "ada", "eve"))
        assert team.fake.violations == []


# ---- shards ----

SHARD_1_GUILD = str((1 << 22) | 112)  # (id >> 22) % 2 == 1: shard 1 of 2; guild 111 is on shard 0


def guild_on_shard_1(fake: FakeDiscord) -> None:
    populate(fake, SHARD_1_GUILD, "401", {"zoe": ("211", True), "yan": ("212", False)}, guild_name="Beta")


async def test_two_shards_in_one_process_both_get_their_daily_question(tmp_path: Path) -> None:
    assert (int("111") >> 22) % 2 == 0 and (int(SHARD_1_GUILD) >> 22) % 2 == 1
    async with discord_team(tmp_path, scene=guild_on_shard_1, sync=["111", SHARD_1_GUILD],
                            discord_shard_count=2) as team:
        assert sorted(tuple(i["shard"]) for i in team.fake.identified) == [(0, 2), (1, 2)]
        await subscribe(team)
        await subscribe(team, "zoe", guild=SHARD_1_GUILD, channel="401")

        await team.until(berlin(2026, 11, 30, 9, 31))

        [acme] = team.questions("301")
        [beta] = team.questions("401")
        ben = await team.reply("ben", acme.id, "An answer through shard 0.")
        yan = await team.reply("yan", beta.id, "An answer through shard 1.")
        await eventually(lambda: team.acked(ben) and team.acked(yan), what="both ✅")
        shards = {d.shard_id for d in team.fake.events if d.event == "MESSAGE_CREATE"
                  and d.data.get("id") in {ben.id, yan.id}}
        assert shards == {0, 1}
        assert team.fake.violations == []
