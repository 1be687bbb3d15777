"""On Discord, the reminder in the thread and the private nudge by direct message.

On Discord, a member asks for a nudge with `/prep nudge`, the reminder arrives in the question's thread two hours
before the deadline, and a member who asked and has not answered gets it as a direct message."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.discord_team import behavioral_hints, berlin, discord_team, eventually
from tests.adapters.test_discord_robustness import subscribe


async def test_the_reminder_goes_to_the_thread_and_the_nudge_to_the_member_who_asked(tmp_path: Path) -> None:
    async with discord_team(tmp_path) as team:
        # Thread answers: cat answers with a thread reply, and a nudge goes only to who has not answered.
        await team.command_and_wait("ada", "prep-admin", "config", {"setting": "answers", "value": "thread"})
        await subscribe(team)
        asked = await team.command_and_wait("ben", "prep", "nudge", {"state": "on"})
        assert "Done: when you have not answered" in team.replies(asked)[0]
        await team.command_and_wait("cat", "prep", "nudge", {"state": "on"})
        await team.until(berlin(2026, 11, 30, 9, 30))
        [question] = team.questions()
        cat = await team.reply("cat", question.id, behavioral_hints())
        await eventually(lambda: team.acked(cat), what="cat's ✅")

        await team.until(berlin(2026, 11, 30, 15, 0))
        await eventually(lambda: bool(team.dms("ben")), what="ben's nudge")

        [reminder] = [t for t in team.bot_thread_texts(question.id) if "Reminder" in t]
        assert "2 h left · 1 answer so far" in reminder and "Round 1 · reminder" in reminder, reminder
        [nudge] = team.dms("ben")
        assert "2 h left" in nudge and "/prep nudge off" in nudge
        assert team.dms("cat") == []
        assert team.fake.violations == []
