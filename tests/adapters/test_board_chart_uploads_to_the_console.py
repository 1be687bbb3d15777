"""The console saves a board's chart as a PNG file and prints where it is."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.chart import board_chart
from adapters.console.chat import CHARTS_DIR_VARIABLE, ConsoleChat
from bot.cards import BoardLine, LeaderboardCard
from bot.clock import FakeClock
from bot.domain.model import ChannelAddress
from tests.contract.charts import read_chart
from tests.e2e.console import run_console

CHANNEL = ChannelAddress("console", "local", "console")
FILENAME = "weekly-leaderboard-week-of-30-nov-2026.png"


def console(out: io.StringIO, charts_dir: Path | None = None, as_json: bool = False) -> ConsoleChat:
    clock = FakeClock(datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc))
    if charts_dir is None:
        return ConsoleChat(clock=clock, tz="Europe/Berlin", out=out, as_json=as_json)
    return ConsoleChat(clock=clock, tz="Europe/Berlin", out=out, as_json=as_json, charts_dir=charts_dir)


def weekly_board(*names: str) -> LeaderboardCard:
    lines = tuple(BoardLine(rank, name, 60 - 10 * rank, 2) for rank, name in enumerate(names, start=1))
    return LeaderboardCard("Weekly leaderboard", "week of 30 Nov 2026", lines, channel_name="console")


async def test_the_console_writes_the_chart_and_prints_its_path_under_the_board(tmp_path: Path) -> None:
    out = io.StringIO()
    card = weekly_board("alice", "bob")
    image = board_chart(card)

    await console(out, tmp_path).post_message(CHANNEL, card)

    written = tmp_path / FILENAME
    assert written.read_bytes() == image.data
    printed = out.getvalue().splitlines()
    assert "Weekly leaderboard · week of 30 Nov 2026" in printed[0]
    assert printed[-1].strip() == f"Chart: {written.resolve()}"
    assert read_chart(written.read_bytes()).names == ["alice", "bob"]


async def test_with_json_the_record_names_the_chart_file_and_its_alt_text(tmp_path: Path) -> None:
    out = io.StringIO()
    card = weekly_board("alice")
    image = board_chart(card)

    await console(out, tmp_path, as_json=True).post_message(CHANNEL, card)

    [record] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert record["kind"] == "leaderboard"
    assert record["chart"] == str((tmp_path / FILENAME).resolve())
    assert record["chart_alt"] == image.alt_text
    assert Path(record["chart"]).read_bytes() == image.data
    assert "Chart:" not in record["text"]


async def test_the_charts_folder_comes_from_the_environment_and_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "charts" / "weekly"
    monkeypatch.setenv(CHARTS_DIR_VARIABLE, str(folder))
    out = io.StringIO()

    await console(out).post_message(CHANNEL, weekly_board("alice"))

    assert (folder / FILENAME).is_file()
    assert str((folder / FILENAME).resolve()) in out.getvalue()


async def test_without_a_setting_the_chart_goes_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(CHARTS_DIR_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()

    await console(out).post_message(CHANNEL, weekly_board("alice"))

    assert (tmp_path / FILENAME).is_file()


async def test_a_chart_that_cannot_be_written_leaves_the_board_printed_with_the_reason(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    out = io.StringIO()

    ref = await console(out, blocked).post_message(CHANNEL, weekly_board("alice"))

    assert ref
    text = out.getvalue()
    assert "Weekly leaderboard" in text and "alice" in text
    assert "the chart could not be saved to" in text and "Chart:" not in text


async def test_a_board_without_a_chart_writes_no_file(tmp_path: Path) -> None:
    out = io.StringIO()
    await console(out, tmp_path).post_message(CHANNEL, LeaderboardCard("Leaderboard", "all time", ()))
    assert list(tmp_path.iterdir()) == [] and "Chart:" not in out.getvalue()


def test_the_console_saves_the_weekly_boards_chart_next_to_where_it_runs(tmp_path: Path) -> None:
    script = """\
:as alice
/prep subscribe 09:30 Europe/Berlin mon-fri 17:00 behavioral
:at 2026-11-30 09:31
I would tell the story of a bug I chased, what I tried, and what I learned.
:as bob
I am not sure yet.
:at 2026-12-07 09:05
:quit
"""
    transcript = run_console(tmp_path, tmp_path / "prepbot.db", script, "--tz", "Europe/Berlin",
                             "--start", "2026-11-30T08:00")
    assert transcript.returncode == 0, transcript.stderr

    [weekly] = [r for r in transcript.of_kind("leaderboard") if r["text"].startswith("Weekly leaderboard")]
    chart = Path(weekly["chart"])
    assert chart == (tmp_path / FILENAME).resolve()
    assert read_chart(chart.read_bytes()).names == ["alice", "bob"]
