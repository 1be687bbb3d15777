"""The console answers privately by default.

`:answer TEXT` stores a private answer that only its author is told about, a second `:answer` replaces it, and the
reveal shows it; a plain reply still counts and its author is told it is public."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.console import run_console

pytestmark = pytest.mark.slow

SCRIPT = """\
:as alice
:advance 2h
:answer I would profile first to find the bottleneck.
:answer I would profile first, then quantize and batch.
:as bob
Quantize the model and hope for the best
:advance 8h
:answer Too late for this one.
:quit
"""


def test_a_private_answer_is_told_only_to_its_author_replaced_and_shown_at_the_reveal(tmp_path: Path) -> None:
    run = run_console(tmp_path, tmp_path / "private.db", SCRIPT, "--tz", "Europe/Berlin",
                      "--start", "2026-10-22T08:00")

    assert run.returncode == 0, run.stderr
    (question,) = run.of_kind("question")
    assert ":answer TEXT" in question["text"]
    saved, replaced = [r for r in run.records if r.get("member") == "alice" and "answer" in r["text"]][:2]
    assert "saved" in saved["text"] and "replaced" in replaced["text"]
    assert not any("profile first" in r["text"] for r in run.records if r["kind"] != "hint")
    told = [r for r in run.records if r.get("member") == "bob" and "everyone can read it" in r["text"]]
    assert len(told) == 1
    (reveal,) = run.of_kind("hint")
    assert "I would profile first, then quantize and batch." in reveal["text"]
    assert "I would profile first to find the bottleneck." not in reveal["text"]
    closed = run.records[-1]
    assert closed["kind"] == "error" and "closed" in closed["text"]
