"""Discord: what members did while prepbot was not listening is read back once.

Discord while prepbot is not listening: a restart, a deploy, or a session Discord will not resume. Events of the
gap are never delivered again, so what members did then is read back from the open rounds' threads, once.

Times are Europe/Berlin; 2026-11-30 is a Monday.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.model import form_answer_ref, private_answer_ref
from tests.adapters.discord_team import GUILD, DiscordTeam, behavioral_hints, berlin, discord_team, eventually
from tests.fakes.discord import FakeDiscord, Msg

SUBSCRIBE = {"time": "09:30", "timezone": "Europe/Berlin", "days": "mon-fri", "deadline": "17:00",
             "levels": "behavioral"}
HELPER = "209"  # another bot in the server
REACT = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"


async def open_round(team: DiscordTeam, answers: str = "thread") -> Msg:
    """ada has #general answer as `answers` says and subscribes it; returns the question posted at 09:30."""
    await team.command_and_wait("ada", "prep-admin", "config", {"setting": "answers", "value": answers})
    await team.command_and_wait("ada", "prep-admin", "subscribe", SUBSCRIBE)
    await team.until(berlin(2026, 11, 30, 9, 30))
    [question] = team.questions()
    return question


def acks_of(team: DiscordTeam, message: Msg) -> int:
    """How many times prepbot asked Discord to mark `message`."""
    return sum(1 for c in team.fake.calls_to("PUT", REACT) if c.path.split("/")[4] == message.id and c.status == 204)


def delivered(team: DiscordTeam, message: Msg) -> bool:
    return any(d.event == "MESSAGE_CREATE" and d.data.get("id") == message.id for d in team.fake.events)


async def test_replies_made_while_prepbot_restarted_are_counted_once_and_acknowledged(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        question = await open_round(team)
        ben = await team.reply("ben", question.id, behavioral_hints())
        await eventually(lambda: team.acked(ben), what="ben's ✅")
        away: list[Msg] = []

        async def members_answer() -> None:
            away.append(await team.reply("cat", question.id, behavioral_hints()))
            away.append(await team.reply("eve", question.id, "I listened first, then I asked for the numbers."))

        await team.restart(meanwhile=members_answer)

        cat, eve = away
        assert not delivered(team, cat) and not delivered(team, eve)
        assert team.acked(cat) and team.acked(eve)  # read back during start-up, before it said it was ready
        refs = sorted(p.message_ref for p in await team.parts(question))
        assert refs == sorted(f"{question.id}/{m.id}" for m in (ben, cat, eve))

        await team.restart()  # nothing new: nothing stored twice, nothing marked twice
        assert sorted(p.message_ref for p in await team.parts(question)) == refs
        assert [acks_of(team, m) for m in (ben, cat, eve)] == [1, 1, 1]

        await team.until(berlin(2026, 11, 30, 17, 0))
        reveal = "\n".join(team.bot_thread_texts(question.id))
        assert "cat (on time)" in reveal and "eve (on time)" in reveal and "ben (on time)" in reveal
        assert team.fake.violations == []


async def test_edits_and_deletions_made_while_prepbot_restarted_are_followed(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        question = await open_round(team)
        ben = await team.reply("ben", question.id, "A first thought.")
        cat = await team.reply("cat", question.id, behavioral_hints())
        await eventually(lambda: team.acked(ben) and team.acked(cat), what="both ✅")

        async def members_change_their_minds() -> None:
            await team.edit(ben, behavioral_hints())
            await team.delete(cat)

        await team.restart(meanwhile=members_change_their_minds)

        async def followed() -> bool:
            parts = {p.message_ref: p for p in await team.parts(question)}
            return (parts[f"{question.id}/{ben.id}"].text == behavioral_hints().strip()
                    and parts[f"{question.id}/{cat.id}"].withdrawn_at is not None)

        await eventually(followed, what="ben's edit and cat's deletion")
        await team.until(berlin(2026, 11, 30, 17, 0))
        reveal = "\n".join(team.bot_thread_texts(question.id))
        assert "ben (on time)" in reveal and "cat (" not in reveal
        assert team.fake.violations == []


async def test_replies_made_in_the_gap_after_discord_ends_the_session_are_counted(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        question = await open_round(team)
        team.fake.hold_identify()
        await team.fake.invalidate_session(0)  # op 9: the client must IDENTIFY again, and the gap is not replayed

        dan = await team.reply("dan", question.id, behavioral_hints())
        team.fake.release_identify()

        await eventually(lambda: team.acked(dan), what="dan's ✅ after the new session")
        assert not delivered(team, dan)
        assert [p.message_ref for p in await team.parts(question)] == [f"{question.id}/{dan.id}"]
        assert team.fake.violations == []


def another_bot(fake: FakeDiscord) -> None:
    fake.add_member(GUILD, HELPER, "helper", bot=True)


async def test_a_long_thread_is_read_back_page_by_page(tmp_path: Path) -> None:
    async with discord_team(tmp_path, scene=another_bot) as team:
        question = await open_round(team)
        away: list[Msg] = []

        async def a_busy_thread() -> None:
            for i in range(100):  # a page of another bot's chatter first: read, and not counted
                await team.reply(HELPER, question.id, f"Reminder {i}: answers close at five.")
            for name in ("ben", "cat", "dan"):
                away.append(await team.reply(name, question.id, behavioral_hints()))

        await team.restart(meanwhile=a_busy_thread)

        await eventually(lambda: all(team.acked(m) for m in away), what="✅ on the replies on the second page")
        assert sorted(p.message_ref for p in await team.parts(question)) == sorted(
            f"{question.id}/{m.id}" for m in away)
        reads = [c for c in team.fake.calls_to("GET", "/channels/{channel_id}/messages")
                 if c.path == f"/channels/{question.id}/messages"]
        assert len(reads) == 2 and all(c.query.get("limit") == "100" for c in reads)
        assert team.fake.violations == []


@pytest.mark.parametrize("answers", ["private", "thread"])
async def test_an_answer_form_opened_before_a_restart_and_sent_after_it_is_saved(tmp_path: Path, answers: str) -> None:
    async with discord_team(tmp_path) as team:
        question = await open_round(team, answers)
        click = await team.fake.click_button(team.guild, question.channel_id, question.id, team.user("eve"),
                                             "prep:answer")
        form = await team.fake.wait_for_interaction_response(click)
        assert form.type == 9

        await team.restart()

        text_input = form.data["components"][0]["components"][0]["custom_id"]
        submit = await team.fake.submit_modal(team.guild, question.channel_id, team.user("eve"),
                                              form.data["custom_id"], {text_input: behavioral_hints()})
        await team.fake.wait_for_interaction_response(submit)
        await eventually(lambda: bool(team.followups(submit)), what="the form's follow-up")

        assert "saved" in team.replies(submit)[0]
        stored_as = private_answer_ref(team.user("eve")) if answers == "private" else form_answer_ref(str(submit))
        assert [p.message_ref for p in await team.parts(question)] == [stored_as]
        await team.until(berlin(2026, 11, 30, 17, 0))
        assert "eve (on time)" in "\n".join(team.bot_thread_texts(question.id))
        assert team.fake.violations == []
