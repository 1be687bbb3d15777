"""Running the real `prepbot console` process with a script, and reading what it printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def console_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREPBOT_", "SLACK_", "DISCORD_"))}
    env["PREPBOT_CONFIG"] = ""
    env["PYTHONPATH"] = str(REPO)
    return env


def console_command(db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "entrypoints.cli", "console", "--json", "--db", str(db), *extra]


@dataclass
class Transcript:
    records: list[dict[str, Any]]
    stderr: str
    returncode: int

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r["kind"] == kind]


def run_console(tmp_path: Path, db: Path, script: str, *extra: str) -> Transcript:
    completed = subprocess.run(
        console_command(db, *extra), input=script, capture_output=True, text=True, cwd=tmp_path,
        env=console_env(tmp_path), timeout=120,
    )
    records = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    return Transcript(records, completed.stderr, completed.returncode)
