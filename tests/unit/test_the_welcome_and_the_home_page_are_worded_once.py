"""The welcome and the home page are worded once.

The welcome and a member's home page are worded once, in light markup, and each platform renders them: the
welcome names the platform's own commands; a channel is linked where the platform has links, else named."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from adapters.console import render as console
from adapters.discord import render as discord_render
from adapters.slack import render as slack
from bot.cards import ChannelLabel, ChannelSchedule, ChannelStats, HomeCard, StatsCard, WelcomeCard
from bot.wording import ChannelLink, Paragraph, Part, Surface, document, home, plain, words

NEXT = datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc)
GENERAL = ChannelLabel("C1", "general")
STATS = StatsCard("eve", 44, (("participation", 10), ("coverage", 34)), 12, 3, 2)
HOME = HomeCard("eve", (ChannelStats(GENERAL, STATS),),
                (ChannelSchedule(GENERAL, "mon-fri", "09:30", "Europe/Berlin", "at 17:00", False, NEXT),
                 ChannelSchedule(ChannelLabel("C2", "random"), "daily", "08:00", "UTC", "after 8h", True, None)),
                more_schedules=3)


def lines(card: WelcomeCard | HomeCard, surface: Surface = Surface()) -> list[str]:
    doc = home(card, surface) if isinstance(card, HomeCard) else document(card, surface)
    return [plain(line) for part in doc.parts if isinstance(part, Part) for block in part.blocks
            for line in (block.lines if isinstance(block, Paragraph) else block.items)]


def test_the_welcome_says_what_prepbot_does_and_how_an_admin_starts_it_with_an_example() -> None:
    doc = document(WelcomeCard(), Surface())
    assert doc.title == "Hello, I'm prepbot"
    said = lines(WelcomeCard())
    assert "question of the day" in said[0] and "privately (press Answer privately)" in said[0]
    assert said[3] == "An admin who prefers answers as thread replies runs /prep config answers thread."
    assert said[1] == ("To start, an admin runs /prep subscribe 09:30 Europe/Berlin mon-fri 17:00: a question at "
                       "09:30 on weekdays, answers close at 17:00.")
    assert said[2] == "/prep help lists every command; /prep <level> gives anyone a practice question now."
    assert "/prep subscribe 09:30" in doc.summary


def test_each_platform_shows_the_welcome_with_its_own_commands() -> None:
    [on_slack] = slack.render(WelcomeCard())
    slack_text = " ".join(str(block.get("text", {}).get("text", "")) for block in on_slack.blocks)
    assert on_slack.blocks[0]["type"] == "header"
    assert "`/prep subscribe 09:30 Europe/Berlin mon-fri 17:00`" in slack_text

    [on_discord] = discord_render.render(WelcomeCard())
    (embed,) = on_discord.embeds
    assert embed.title == "Hello, I'm prepbot"
    assert "`/prep-admin subscribe time:09:30 timezone:Europe/Berlin days:mon-fri deadline:17:00`" in str(
        embed.description)
    assert "`/prep practice [level]`" in str(embed.description)

    in_console = console.render(WelcomeCard())
    assert "/prep subscribe 09:30 Europe/Berlin mon-fri 17:00" in in_console
    assert "privately (type :answer TEXT)" in in_console and not re.search(r"[*_`]", in_console)


def test_the_home_page_gives_the_members_stats_per_channel_and_each_schedule() -> None:
    said = lines(HOME)
    assert said[0].startswith("44 points all time (participation 10 · coverage 34)")
    assert ": mon-fri at 09:30 Europe/Berlin, answers close at 17:00 · next question" in said[-3]
    assert said[-2] == ": daily at 08:00 UTC, answers close after 8h · paused"
    assert said[-1] == "and 3 more channels"


def test_a_member_with_no_points_and_a_workspace_with_no_schedule_are_told_what_to_do() -> None:
    said = lines(HomeCard("bob", (), ()))
    assert said == ["No points yet: answer a question of the day, or run /prep <level> for a practice "
                    "question now.",
                    "No channel has a question of the day yet: an admin starts one in a channel with "
                    "/prep subscribe 09:30 Europe/Berlin mon-fri 17:00."]


def test_a_channel_is_linked_on_slack_and_discord_and_named_in_the_console_and_in_discord_titles() -> None:
    link = words("see {channel}", channel=ChannelLink("C1", "general"))
    assert slack.mrkdwn(link) == "see <#C1>"
    assert discord_render.markdown(link) == "see <#C1>"
    assert discord_render.words_only(link) == "see #general"
    assert console.text(link) == "see #general"


def test_slack_shows_the_home_page_as_a_home_view_within_its_limits() -> None:
    view = slack.render_home(HOME)
    assert view["type"] == "home" and view["blocks"][0] == slack.header("prepbot")
    text = "\n".join(str(b.get("text", {}).get("text", "")) for b in view["blocks"])
    assert "*Your stats in* <#C1>" in text and "<#C2>: daily at 08:00 UTC" in text
    many = HomeCard("eve", tuple(ChannelStats(ChannelLabel(f"C{n}", f"c{n}"), STATS) for n in range(200)), ())
    assert len(slack.render_home(many)["blocks"]) == slack.MAX_VIEW_BLOCKS
