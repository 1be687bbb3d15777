"""`prepbot console` keeps its channel in a file of its own, never in the configured database, and says which."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.console import REPO, console_env

pytestmark = pytest.mark.slow


def console(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "console", "--json", "--tz", "Europe/Berlin",
         "--start", "2026-10-22T08:00", *args],
        input=":as alice\n:at 2026-10-22 09:45\nMy answer.\n:quit\n", capture_output=True, text=True, cwd=tmp_path,
        env=env or console_env(tmp_path), timeout=120,
    )


def channels_in(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("select platform || ':' || workspace || ':' || channel_ref "
                                                     "from channels")]


def test_without_db_the_console_uses_its_own_file_and_never_the_configured_database(tmp_path: Path) -> None:
    configured = tmp_path / "production.db"
    in_toml = tmp_path / "from-toml.db"
    (tmp_path / "prepbot.toml").write_text(f'database_url = "sqlite+aiosqlite:///{in_toml}"\n', encoding="utf-8")

    from_file = console(tmp_path)
    from_env = console(tmp_path, env=console_env(tmp_path) | {
        "PREPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{configured}"})

    own = tmp_path / "prepbot-console.db"
    for run in (from_file, from_env):
        assert run.returncode == 0, run.stderr
        assert f"prepbot console: the channel is kept in {own} (--db FILE for another)" in run.stderr
    assert not configured.exists() and not in_toml.exists()
    assert channels_in(own) == ["console:local:console"]
    assert '"kind": "question"' in from_file.stdout and '"kind": "question"' not in from_env.stdout, \
        "the second run went on with the first one's channel"


def test_db_picks_the_file_explicitly_and_says_so(tmp_path: Path) -> None:
    run = console(tmp_path, "--db", "mine.db", env=console_env(tmp_path) | {
        "PREPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'production.db'}"})

    assert run.returncode == 0, run.stderr
    assert f"prepbot console: the channel is kept in {tmp_path / 'mine.db'}\n" in run.stderr
    assert channels_in(tmp_path / "mine.db") == ["console:local:console"]
    assert not (tmp_path / "prepbot-console.db").exists() and not (tmp_path / "production.db").exists()


def test_the_readmes_first_command_installs_prepbot_and_opens_the_console() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    two_commands = readme[readme.index("## Two commands"):]
    first = two_commands[two_commands.index("```sh\n") + len("```sh\n"):].splitlines()[0]
    steps = [step.strip() for step in first.split("&&")]
    assert "pip install" in steps[-2] and steps[-1] == ".venv/bin/prepbot console"
