"""`prepbot run` with no platform configured says what is missing.

It exits 2 naming the variables to set, in a terminal as elsewhere, and touches no database."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.console import console_env

pytestmark = pytest.mark.slow

NAMED = ["SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET",
         "DISCORD_TOKEN", "`prepbot console`"]


def run_without_a_platform(tmp_path: Path, stdin: int) -> subprocess.CompletedProcess[str]:
    env = console_env(tmp_path) | {"PREPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'production.db'}"}
    return subprocess.run([sys.executable, "-m", "entrypoints.cli", "run"], stdin=stdin, capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=60)


def test_without_a_terminal_it_exits_2_naming_the_slack_and_discord_variables(tmp_path: Path) -> None:
    done = run_without_a_platform(tmp_path, subprocess.DEVNULL)

    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("prepbot: no platform is configured")
    assert all(name in done.stderr for name in NAMED), done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_in_a_terminal_it_exits_the_same_way_and_opens_no_console(tmp_path: Path) -> None:
    terminal, its_end = pty.openpty()
    try:
        assert os.isatty(its_end)
        done = run_without_a_platform(tmp_path, its_end)
    finally:
        os.close(terminal)
        os.close(its_end)

    assert done.returncode == 2, done.stderr + done.stdout
    assert all(name in done.stderr for name in NAMED), done.stderr
    assert "console channel" not in done.stdout + done.stderr
    assert list(tmp_path.iterdir()) == []
