"""The admin reports: boards, rounds and channels.

`prepbot leaderboard` and `prepbot rounds list` show what the core computed; a channel is named by its address or
its name, and a name that fits no channel, or several, is refused with exit code 2 and the known channels.

The commands run in-process (`entrypoints.cli.main`) on the test's database, in a worker thread because each runs its own
event loop. They read the real time: the tests that depend on it start the team's clock at the real time too.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cards import BoardLine, QuestionCard
from bot.domain.model import ChannelAddress, Speaker
from bot.domain.questions import Level
from bot.messages import RunCommand
from bot.services.boards import leaderboard
from entrypoints.cli import main
from tests.services.conftest import StartTeam
from tests.services.team import ALICE, BERLIN, BOB, CAROL, GENERAL, NOTHING, Team, berlin, covering, day, run_prep


BOARD_LINE = re.compile(r"^\s*(\d+)\. (.+?)\s+(\d+) points\s+(\d+) rounds?$")


def printed_board(out: str) -> tuple[str, tuple[BoardLine, ...]]:
    heading, *lines = out.splitlines()
    parsed = []
    for line in lines:
        match = BOARD_LINE.match(line)
        assert match, line
        parsed.append(BoardLine(int(match[1]), match[2], int(match[3]), int(match[4])))
    return heading, tuple(parsed)


async def test_the_leaderboard_command_prints_the_ranking_the_service_computes(team: Team, prepbot: Any) -> None:
    await team.subscribe("subscribe 09:30 Europe/Berlin mon-fri 17:00 beginner")
    for n, answers in enumerate([{ALICE: (0, 1), BOB: (0,), CAROL: ()}, {BOB: (0, 1, 2), CAROL: (0,)}]):
        await team.until(berlin(day(n), 10, 0))
        question = team.latest_question()
        asked = team.question_of(question)
        for member, covered in answers.items():
            await team.answer(question, covering(asked, *covered) if covered else NOTHING, by=member)
    await team.prep("advanced", by=CAROL)
    await team.answer(team.latest_question(), covering(team.question_of(team.latest_question()), 0), by=CAROL)
    await team.until(berlin(day(2), 12, 0))
    channel = await team.bot.find_channel(GENERAL)
    assert channel is not None

    for args, period, level in [
        (("--period", "all"), "all", None),
        (("--period", "all", "--level", "advanced"), "all", Level.ADVANCED),
        (("--period", "month", "--level", "beginner"), "month", Level.BEGINNER),
    ]:
        ran = await prepbot("leaderboard", "--channel", "general", *args)
        card = await leaderboard(channel, period, level, store=team.bot.store, now=datetime.now(BERLIN))
        heading, lines = printed_board(ran.out)
        assert (ran.code, ran.err) == (0, "")
        assert lines == card.lines
        assert heading.startswith(f"Leaderboard of console:local:general: {card.period}")
    everything = await prepbot("leaderboard", "--channel", "general", "--period", "all")
    assert sorted(line.name for line in printed_board(everything.out)[1]) == ["alice", "bob", "carol"]


async def test_a_leaderboard_period_is_a_period_or_a_level(team: Team, prepbot: Any) -> None:
    await team.prep("stats", by=ALICE)  # the channel becomes known

    week_of_level = await prepbot("leaderboard", "--channel", "general", "--period", "behavioural")
    wrong = await prepbot("leaderboard", "--channel", "general", "--period", "year")

    assert week_of_level.code == 0
    assert week_of_level.out.splitlines()[0].endswith(", Behavioral")
    assert week_of_level.out.splitlines()[1] == "  no points yet"
    assert (wrong.code, wrong.out) == (2, "")
    assert wrong.err == "prepbot: --period 'year' is not week, month, all or a level (beginner, intermediate, " \
                        "advanced, scenario, workflow, behavioral)\n"


async def test_the_rounds_list_shows_posted_and_revealed_rounds(start_team: StartTeam, prepbot: Any) -> None:
    team = await start_team(datetime.now(BERLIN))
    tomorrow = (team.now().astimezone(BERLIN) + timedelta(days=1)).date()
    await team.subscribe("subscribe 09:30 Europe/Berlin daily 17:00")
    await team.until(berlin(tomorrow, 10, 0))
    revealed = team.latest_question()
    await team.answer(revealed, NOTHING, by=ALICE)
    await team.answer(revealed, NOTHING, by=BOB)
    await team.prep("beginner", by=CAROL)
    practice = team.latest_question()
    await team.until(berlin(tomorrow + timedelta(days=1), 10, 0))
    posted = team.latest_question()
    await team.answer(posted, NOTHING, by=CAROL)
    assert isinstance(revealed.card, QuestionCard) and isinstance(posted.card, QuestionCard)
    assert isinstance(practice.card, QuestionCard)

    ran = await prepbot("rounds", "list", "--channel", "console:local:general", "--limit", "3")

    assert (ran.code, ran.err) == (0, "")
    header, *rows = [line.split() for line in ran.out.splitlines()]
    assert header == ["ROUND", "CHANNEL", "DATE", "KIND", "QUESTION", "STATE", "POSTED", "DEADLINE", "REVEALED",
                      "ANSWERS"]
    after = tomorrow + timedelta(days=1)
    assert rows[0] == [str(posted.card.round_id), "console:local:general", str(after), "daily",
                       posted.card.question_id, "open", str(after), "09:30", str(after), "17:00", "-", "1"]
    assert rows[1][:6] == [str(practice.card.round_id), "console:local:general", str(tomorrow), "practice",
                           practice.card.question_id, "revealed"]
    assert rows[1][-1] == "0"
    assert rows[2] == [str(revealed.card.round_id), "console:local:general", str(tomorrow), "daily",
                       revealed.card.question_id, "revealed", str(tomorrow), "09:30", str(tomorrow), "17:00",
                       str(tomorrow), "17:00", "2"]
    everywhere = await prepbot("rounds", "list")
    assert everywhere.out.splitlines()[1:4] == ran.out.splitlines()[1:4]


async def test_an_unknown_channel_exits_2_naming_the_known_ones(team: Team, prepbot: Any) -> None:
    await team.prep("stats", by=ALICE)
    await run_prep(team.bot, RunCommand(ChannelAddress("slack", "T9", "C9"), Speaker("U1", "al"), "stats",
                                        channel_name="random"))

    for command in (("export", "--format", "json"), ("leaderboard",), ("rounds", "list")):
        ran = await prepbot(*command, "--channel", "genral")
        assert (ran.code, ran.out) == (2, "")
        assert ran.err == "prepbot: no channel 'genral'; known channels: console:local:general (#general), " \
                          "slack:T9:C9 (#random)\n"


async def test_a_name_two_channels_share_is_refused_and_an_address_picks_one(team: Team, prepbot: Any) -> None:
    await team.prep("stats", by=ALICE)
    await run_prep(team.bot, RunCommand(ChannelAddress("slack", "T9", "C9"), Speaker("U1", "al"), "stats",
                                        channel_name="general"))

    ambiguous = await prepbot("leaderboard", "--channel", "general")
    by_address = await prepbot("leaderboard", "--channel", "slack:T9:C9")
    by_ref = await prepbot("leaderboard", "--channel", "C9")

    assert ambiguous.code == 2
    assert ambiguous.err == "prepbot: 'general' names 2 channels (console:local:general (#general), slack:T9:C9 " \
                            "(#general)); give one as platform:workspace:channel\n"
    assert by_address.code == by_ref.code == 0
    assert by_address.out.startswith("Leaderboard of slack:T9:C9: week of ")
    assert by_ref.out == by_address.out


@pytest.mark.sqlite_only
async def test_an_admin_command_on_a_missing_database_says_so_and_creates_nothing(
    prepbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PREPBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/nothing-here.db")

    missing = await prepbot("rounds", "list")

    assert (missing.code, missing.out) == (1, "")
    assert missing.err == f"prepbot: the database sqlite+aiosqlite:///{tmp_path}/nothing-here.db does not exist: " \
                          "set PREPBOT_DATABASE_URL to prepbot's database\n"
    assert not (tmp_path / "nothing-here.db").exists()


async def test_an_admin_command_on_a_database_without_the_schema_says_to_upgrade(
    prepbot: Any, database_url: str, database_backend: str,
) -> None:
    if database_backend == "sqlite":
        Path(database_url.partition(":///")[2]).touch()

    empty = await prepbot("export", "--channel", "general", "--format", "json")

    assert (empty.code, empty.out) == (1, "")
    assert empty.err.startswith("prepbot: the database ") and empty.err.count("\n") == 1
    assert empty.err.endswith(" has no prepbot tables: run `prepbot db upgrade` (or check PREPBOT_DATABASE_URL)\n")
