"""On Discord, the Answer form is the private path of a question answered privately.

It opens with the member's answer so far, the answer is stored before the member is told (privately, never in the
channel), it is shown to the others only at the reveal, and after the deadline the button says the round is closed."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.discord_day import SUBSCRIBE
from tests.adapters.discord_team import DiscordTeam, berlin, discord_team, eventually, message_text
from tests.fakes.discord.model import InteractionResponse, Msg


async def open_question(team: DiscordTeam) -> Msg:
    await team.command_and_wait("ada", "prep-admin", "subscribe", SUBSCRIBE)
    await team.until(berlin(2026, 11, 30, 9, 30))
    [question] = team.questions()
    return question


async def click(team: DiscordTeam, who: str, question: Msg) -> InteractionResponse:
    iid = await team.fake.click_button(team.guild_of(question), question.channel_id, question.id, team.user(who),
                                       "prep:answer")
    return await team.fake.wait_for_interaction_response(iid)


async def answer_privately(team: DiscordTeam, who: str, question: Msg, text: str) -> tuple[str, str]:
    """The Answer button, then the form: returns what the form showed before (its text) and the submission's id."""
    shown = await click(team, who, question)
    assert shown.type == 9 and shown.data["custom_id"].startswith("prep:private:"), shown
    text_input = shown.data["components"][0]["components"][0]
    iid = await team.fake.submit_modal(team.guild_of(question), question.channel_id, team.user(who),
                                       shown.data["custom_id"], {text_input["custom_id"]: text})
    await eventually(lambda: bool(team.followups(iid)), what="the form's reply")
    return str(text_input.get("value") or ""), iid


async def test_a_private_answer_is_edited_before_the_deadline_and_only_its_author_is_told(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        question = await open_question(team)

        before, first = await answer_privately(team, "ben", question, "Profile first, then batch.")
        shown, second = await answer_privately(team, "ben", question, "Profile first, then batch and cache.")

        assert before == "" and shown == "Profile first, then batch."
        assert all(r.ephemeral for iid in (first, second) for r in team.fake.responses_to(iid))
        assert "saved" in team.replies(first)[0] and "replaced" in team.replies(second)[0]
        assert team.thread_messages(question.id) == []  # nobody else reads it
        parts = await team.parts(question)
        assert [p.text for p in parts] == ["Profile first, then batch and cache."]

        team.clock.set(berlin(2026, 11, 30, 17, 0))  # the deadline, before the reveal has run
        closed = await click(team, "ben", question)
        assert closed.type == 4 and closed.ephemeral and "closed" in message_text(closed.data.get("content"), None)

        await team.until(berlin(2026, 11, 30, 17, 1))
        reveal = "\n".join(team.bot_thread_texts(question.id))
        assert "Profile first, then batch and cache." in reveal
        assert team.fake.violations == []


async def test_a_thread_reply_to_a_private_question_is_kept_and_its_author_is_told_directly(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        question = await open_question(team)

        reply = await team.reply("cat", question.id, "Quantize the model.")

        await eventually(lambda: team.acked(reply), what="cat's ✅")
        await eventually(lambda: any("everyone can read it" in dm for dm in team.dms("cat")), what="cat's notice")
        assert team.fake.violations == []
